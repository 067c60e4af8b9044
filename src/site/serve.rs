//! `tracemark serve`: build the site, serve it on 127.0.0.1, rebuild on change, live reload.
//!
//! The output folder is served as it is on disk (`tower-http`'s `ServeDir`); every HTML
//! response gets a `<script src>` tag for [`SCRIPT_PATH`] injected before `</body>` at
//! serve time, so the files stay byte-identical to those of `tracemark build` and the
//! script runs under the pages' Content-Security-Policy (`script-src 'self'`). The
//! script connects to the websocket at [`LIVERELOAD_PATH`] and reloads the page when a
//! build succeeds.
//!
//! Only the developer's own browser is answered (see `SECURITY.md`): a request whose
//! `Host` does not name the loopback address or `localhost` with the server's port gets
//! 403 (DNS rebinding), and so does a websocket upgrade from a foreign `Origin`. Each
//! request path is resolved inside the output folder segment by segment with
//! `symlink_metadata`: a symlink, a `..`, a segment longer than [`MAX_SEGMENT`] bytes or
//! a path that does not exist is answered with 404 before `ServeDir` opens anything.
//!
//! The project root is watched (`notify` through `notify-debouncer-full`); events in the
//! output folder and in `.git`, `node_modules`, `target` and `.tracemark-cache` are
//! ignored. A batch of changes triggers a full [`super::build`]. When it fails (an
//! invalid `tracemark.toml`, a template error), the last good site keeps being served,
//! the error is printed on stderr, injected (escaped) into every served HTML page as an
//! overlay and pushed to open pages; the next successful build clears it.

use super::Built;
use crate::config::Config;
use anyhow::{Context, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use std::net::Ipv4Addr;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::broadcast;
use tower_http::services::ServeDir;

/// The websocket path open pages connect to.
pub const LIVERELOAD_PATH: &str = "/__tracemark/livereload";

/// The path of the live-reload script the server adds to every HTML page it serves.
pub const SCRIPT_PATH: &str = "/__tracemark/livereload.js";

/// The prefix reserved for the server's own routes (never looked up on disk).
const RESERVED_PREFIX: &str = "/__tracemark/";

/// The longest path segment (bytes) looked up on disk; common file systems allow no
/// longer file name.
pub const MAX_SEGMENT: usize = 255;

/// The id of the error overlay element in served pages.
pub const OVERLAY_ID: &str = "tracemark-error-overlay";

/// Folder names whose changes never trigger a rebuild (besides the output folder).
pub const IGNORED_DIRS: &[&str] = super::walk::SKIPPED_DIRS;

/// How long the watcher waits for changes to settle before rebuilding.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// What `tracemark serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The project root.
    pub root: PathBuf,
    /// The `--out` override, as for `tracemark build`.
    pub out: Option<PathBuf>,
    /// The port on 127.0.0.1; 0 lets the system pick a free one.
    pub port: u16,
    /// `--force`, as for `tracemark build`.
    pub force: bool,
}

/// State shared by the HTTP handlers and the rebuild thread.
struct Shared {
    /// The port actually listened on (the injected script connects to it).
    port: u16,
    /// The last build error, `{err:#}`; `None` after a successful build.
    error: RwLock<Option<String>>,
    /// Messages to open pages (JSON text).
    tx: broadcast::Sender<String>,
}

impl Shared {
    fn error(&self) -> Option<String> {
        self.error.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_error(&self, error: Option<String>) {
        *self.error.write().unwrap_or_else(|e| e.into_inner()) = error;
    }
}

/// Runs the server until Ctrl-C (or SIGTERM). Errors: the configuration cannot be read
/// at start (as for `tracemark build`), or the port cannot be listened on. A failing
/// build does not stop the server.
pub fn serve(opts: &Options, report: fn(&Config, &Built)) -> Result<()> {
    let mut first = Config::load(&opts.root, opts.out.as_deref())?;
    first.force = opts.force;
    // Refused folders (the project root, a foreign folder, …) before anything is created.
    super::output::Folder::open(&first.root, &first.out, first.force)?;
    let root = first.root.clone();
    // The served folder is fixed for the whole session: later builds write there even if
    // tracemark.toml's `out` changes.
    std::fs::create_dir_all(&first.out)
        .with_context(|| format!("cannot create output folder `{}`", first.out.display()))?;
    let out = first.out.canonicalize().unwrap_or_else(|_| first.out.clone());

    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).with_context(|| {
        format!("cannot listen on 127.0.0.1:{} (is it in use? `--port 0` picks a free port)", opts.port)
    })?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let (tx, _) = broadcast::channel(16);
    let shared = Arc::new(Shared { port, error: RwLock::new(None), tx });

    // Watch before the first build, so that edits made during it are not lost.
    let (events_tx, events_rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, events_tx).context("cannot watch the project")?;
    let ignored = Ignored { root: root.clone(), out: vec![first.out.clone(), out.clone()] };
    debouncer.watch(&root, RecursiveMode::NonRecursive).context("cannot watch the project root")?;
    for entry in std::fs::read_dir(&root).with_context(|| format!("cannot read `{}`", root.display()))? {
        let path = entry?.path();
        if path.is_dir() && !ignored.contains(&path) {
            watch_dir(&mut debouncer, &path);
        }
    }

    rebuild(&shared, first, report);

    let rebuild_shared = Arc::clone(&shared);
    let (watch_root, watch_out, force) = (root.clone(), out.clone(), opts.force);
    std::thread::Builder::new().name("tracemark-rebuild".into()).spawn(move || {
        let mut debouncer = debouncer;
        while let Ok(batch) = events_rx.recv() {
            let mut relevant = changed(&ignored, &mut debouncer, batch);
            // Changes that arrived during the previous build are handled in one go.
            while let Ok(batch) = events_rx.try_recv() {
                relevant |= changed(&ignored, &mut debouncer, batch);
            }
            if relevant {
                match Config::load(&watch_root, Some(&watch_out)) {
                    Ok(mut config) => {
                        config.force = force;
                        rebuild(&rebuild_shared, config, report)
                    }
                    Err(err) => failed(&rebuild_shared, &err),
                }
            }
        }
    })?;

    let app = Router::new()
        .route(LIVERELOAD_PATH, get(livereload))
        .route(SCRIPT_PATH, get(script))
        .fallback_service(ServeDir::new(&out).not_found_service(get(not_found)))
        .layer(middleware::from_fn_with_state(Arc::new(out.clone()), contain))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), inject_into_html))
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), check_host))
        .with_state(Arc::clone(&shared));

    println!(
        "serving http://127.0.0.1:{port}/ from {} (watching {}; Ctrl-C stops)",
        out.display(),
        root.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
    })?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    println!("stopped");
    Ok(())
}

/// Builds the site with `config`; on success clears the error and tells open pages to
/// reload, on failure keeps the last site and shows the error.
fn rebuild(shared: &Shared, config: Config, report: fn(&Config, &Built)) {
    match super::build(&config) {
        Ok(built) => {
            report(&config, &built);
            shared.set_error(None);
            let _ = shared.tx.send(serde_json::json!({ "type": "reload" }).to_string());
        }
        Err(err) => failed(shared, &err),
    }
}

fn failed(shared: &Shared, err: &anyhow::Error) {
    let message = format!("{err:#}");
    eprintln!("error: {message} (still serving the last good site)");
    let _ = shared.tx.send(serde_json::json!({ "type": "error", "message": message }).to_string());
    shared.set_error(Some(message));
}

/// Paths whose changes are not the project's: the output folder and [`IGNORED_DIRS`].
struct Ignored {
    root: PathBuf,
    out: Vec<PathBuf>,
}

impl Ignored {
    fn contains(&self, path: &Path) -> bool {
        if self.out.iter().any(|o| path.starts_with(o)) {
            return true;
        }
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.components().any(|c| match c {
            Component::Normal(name) => {
                IGNORED_DIRS.iter().any(|d| name == *d) || super::output::is_staging(name)
            }
            _ => false,
        })
    }
}

fn watch_dir<W: notify_debouncer_full::notify::Watcher, C: notify_debouncer_full::FileIdCache>(
    debouncer: &mut notify_debouncer_full::Debouncer<W, C>,
    dir: &Path,
) {
    if let Err(err) = debouncer.watch(dir, RecursiveMode::Recursive) {
        eprintln!("warning: cannot watch `{}`: {err}", dir.display());
    }
}

/// Whether a batch of events holds a change to the project. Folders created directly
/// under the root are watched from now on.
fn changed<W: notify_debouncer_full::notify::Watcher, C: notify_debouncer_full::FileIdCache>(
    ignored: &Ignored,
    debouncer: &mut notify_debouncer_full::Debouncer<W, C>,
    batch: DebounceEventResult,
) -> bool {
    let events = match batch {
        Ok(events) => events,
        Err(errors) => {
            for e in errors {
                eprintln!("warning: watching: {e}");
            }
            return true;
        }
    };
    let mut relevant = false;
    for event in events {
        let is_change = match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => false,
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
            _ => true,
        };
        if !is_change {
            continue;
        }
        for path in &event.paths {
            if ignored.contains(path) {
                continue;
            }
            relevant = true;
            if matches!(event.kind, EventKind::Create(_))
                && path.parent() == Some(&ignored.root)
                && path.is_dir()
            {
                watch_dir(debouncer, path);
            }
        }
    }
    relevant
}

/// Resolves on Ctrl-C (or SIGTERM on Unix).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Whether `host` (a `Host` header value, or an `Origin`'s host and port) names this
/// server: `127.0.0.1`, `[::1]` or `localhost` (any case) with `port` (the port may be
/// left out only when it is 80, as browsers do).
pub fn is_loopback_host(host: &str, port: u16) -> bool {
    let (name, given) = match host.rsplit_once(':') {
        Some((name, p)) if !name.is_empty() && !p.contains(']') => (name, Some(p)),
        _ => (host, None),
    };
    let port_ok = match given {
        Some(p) => p.parse::<u16>().ok() == Some(port) && !p.starts_with('+'),
        None => port == 80,
    };
    port_ok && (name == "127.0.0.1" || name == "[::1]" || name.eq_ignore_ascii_case("localhost"))
}

/// Whether an `Origin` header value is this server's own page: `http://` and a
/// loopback host with the server's port (see [`is_loopback_host`]).
pub fn is_loopback_origin(origin: &str, port: u16) -> bool {
    origin
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .and_then(|_| origin.get(7..))
        .is_some_and(|host| !host.contains('/') && is_loopback_host(host, port))
}

/// Middleware: 403 for a request whose `Host` does not name this server (a page on a
/// foreign name that resolves to 127.0.0.1 must not read the site: DNS rebinding).
async fn check_host(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    if host.is_some_and(|h| is_loopback_host(h, shared.port)) {
        return next.run(req).await;
    }
    (
        StatusCode::FORBIDDEN,
        "tracemark serve answers only http://127.0.0.1, [::1] or localhost with its port\n",
    )
        .into_response()
}

/// Middleware: resolves a request for a file inside the output folder `out`, one
/// segment at a time, never through a symlink; anything that is not a plain file or
/// folder there (a symlink, `..`, an over-long segment, a path that does not exist or
/// cannot) is a 404 before `ServeDir` opens a file. The server's own routes pass.
async fn contain(State(out): State<Arc<PathBuf>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with(RESERVED_PREFIX) || resolve_inside(&out, path).is_some() {
        return next.run(req).await;
    }
    not_found().await.into_response()
}

/// The file or folder a request path names inside `out`, if it is there, with no
/// symlink on the way (for a folder, its `index.html` too, which `ServeDir` serves).
/// `None` for a path that is refused or does not exist.
pub fn resolve_inside(out: &Path, request_path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(request_path).decode_utf8().ok()?;
    let mut at = out.to_path_buf();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => continue,
            ".." => return None,
            s if s.len() > MAX_SEGMENT || s.contains('\0') || (cfg!(windows) && s.contains(['\\', ':'])) => {
                return None;
            }
            s => at.push(s),
        }
        plain(&at)?;
    }
    if plain(&at)?.is_dir() {
        let index = at.join("index.html");
        if plain(&index).is_none_or(|m| !m.is_file()) {
            return None;
        }
    }
    Some(at)
}

/// The metadata of `path` itself, if it is a plain file or folder (not a symlink, nor
/// anything else).
fn plain(path: &Path) -> Option<std::fs::Metadata> {
    std::fs::symlink_metadata(path).ok().filter(|m| m.is_file() || m.is_dir())
}

/// The live-reload script (see [`SCRIPT_PATH`]).
async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

/// The websocket: forwards every message of the rebuild thread to the page. An upgrade
/// whose `Origin` is not this server's own page gets 403 (a foreign page must not
/// listen); one without `Origin` (not from a browser) is accepted.
async fn livereload(
    ws: WebSocketUpgrade,
    headers: axum::http::HeaderMap,
    State(shared): State<Arc<Shared>>,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN)
        && !origin.to_str().is_ok_and(|o| is_loopback_origin(o, shared.port))
    {
        return (StatusCode::FORBIDDEN, "foreign origin\n").into_response();
    }
    let rx = shared.tx.subscribe();
    ws.on_upgrade(move |socket| forward(socket, rx))
}

async fn forward(mut socket: WebSocket, mut rx: broadcast::Receiver<String>) {
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(text) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// The 404 page (an HTML page, so that it gets the reload script and the error overlay:
/// a page that does not exist yet appears once a build writes it).
async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Html(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1><p>tracemark serve: no such page in the built site.</p></body></html>\n",
        ),
    )
}

/// Middleware: asks `ServeDir` for whole, fresh files (no conditional or range
/// requests, since served HTML differs from the file), injects the reload script (and
/// the error overlay, when the last build failed) into HTML responses, and marks every
/// response not cacheable.
async fn inject_into_html(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    for h in [
        header::IF_MODIFIED_SINCE,
        header::IF_NONE_MATCH,
        header::IF_UNMODIFIED_SINCE,
        header::IF_MATCH,
        header::IF_RANGE,
        header::RANGE,
    ] {
        req.headers_mut().remove(h);
    }
    let is_head = req.method() == Method::HEAD;
    let mut res = next.run(req).await;
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || is_head {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(err) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read the page: {err}"))
                .into_response();
        }
    };
    let html = inject(&bytes, shared.error().as_deref());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}

/// Inserts the live-reload `<script src>` tag (and, with `error`, the escaped error
/// overlay) before the last `</body>` of `html` (ASCII case-insensitive), or at the end
/// when there is none.
pub fn inject(html: &[u8], error: Option<&str>) -> Vec<u8> {
    let snippet = snippet(error);
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The overlay's markup: no style attribute and no handler (the pages' policy allows
/// neither); the script styles it and wires its button.
fn overlay(message: &str) -> String {
    format!(
        "<div id=\"{OVERLAY_ID}\"><strong>tracemark: the build failed; showing the last good site</strong>\
<pre>{}</pre><button type=\"button\">Dismiss</button></div>",
        html_escape::encode_text(message)
    )
}

fn snippet(error: Option<&str>) -> String {
    let overlay = error.map(overlay).unwrap_or_default();
    format!("{overlay}<script src=\"{SCRIPT_PATH}\"></script>\n")
}

/// The live-reload script: connects to the websocket of the server the page came
/// from, reloads on `reload`, shows `error` messages in the overlay (built with DOM
/// calls: the message is set as text, never as markup; styled through the CSSOM, which
/// the pages' policy allows), and styles an overlay the server put in the page.
const SCRIPT: &str = r#"/* tracemark serve: live reload */
(function () {
  "use strict";
  var ID = "tracemark-error-overlay";
  var BOX = "position:fixed;left:0;right:0;top:0;max-height:60vh;overflow:auto;z-index:2147483647;" +
    "margin:0;padding:1em 1.5em;background:#2b0000;color:#fff;font:14px/1.5 ui-monospace,monospace;" +
    "border-bottom:4px solid #e5484d;box-shadow:0 4px 16px rgba(0,0,0,.4)";
  function style(box) {
    box.style.cssText = BOX;
    var pre = box.querySelector("pre");
    if (pre) pre.style.cssText = "white-space:pre-wrap;margin:.5em 0";
    var close = box.querySelector("button");
    if (close) close.addEventListener("click", function () { box.remove(); });
  }
  function showError(message) {
    var old = document.getElementById(ID);
    if (old) old.remove();
    var box = document.createElement("div");
    box.id = ID;
    var title = document.createElement("strong");
    title.textContent = "tracemark: the build failed; showing the last good site";
    var pre = document.createElement("pre");
    pre.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    box.appendChild(title);
    box.appendChild(pre);
    box.appendChild(close);
    style(box);
    document.body.appendChild(box);
  }
  var shown = document.getElementById(ID);
  if (shown) style(shown);
  var url = "ws://" + location.host + "/__tracemark/livereload";
  var opened = false;
  function connect() {
    var ws = new WebSocket(url);
    ws.onopen = function () {
      if (opened) location.reload();
      opened = true;
    };
    ws.onmessage = function (e) {
      var m;
      try { m = JSON.parse(e.data); } catch (_) { return; }
      if (m.type === "reload") location.reload();
      else if (m.type === "error") showError(m.message);
    };
    ws.onclose = function () { setTimeout(connect, 1000); };
  }
  connect();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_last_body_end_tag() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, None)).unwrap();
        let script = out.find("<script src=\"/__tracemark/livereload.js\"></script>").unwrap();
        assert!(script < out.find("</BODY>").unwrap());
        assert!(out.ends_with("</BODY></html>"));
        assert!(!out.contains(&format!("id=\"{OVERLAY_ID}\"")));
    }

    #[test]
    fn page_without_body_end_tag_gets_the_script_at_the_end() {
        let out = String::from_utf8(inject(b"<p>x</p>", None)).unwrap();
        assert!(out.starts_with("<p>x</p><script src="));
        assert!(out.ends_with("</script>\n"));
    }

    #[test]
    fn error_overlay_is_escaped_and_has_no_inline_style_or_handler() {
        let out = String::from_utf8(inject(b"<body></body>", Some("bad <key> & `x`"))).unwrap();
        assert!(out.contains(&format!("<div id=\"{OVERLAY_ID}\"")));
        assert!(out.contains("bad &lt;key&gt; &amp; `x`"));
        assert!(!out.contains("<key>"));
        assert!(!out.contains("style=") && !out.contains("onclick"), "{out}");
    }

    #[test]
    fn script_connects_to_the_page_origin() {
        assert!(SCRIPT.contains(&format!("location.host + \"{LIVERELOAD_PATH}\"")));
        assert!(!SCRIPT.contains("setAttribute(\"style\"") && !SCRIPT.contains("innerHTML"));
    }

    #[test]
    fn only_loopback_hosts_with_the_port_are_answered() {
        for ok in ["127.0.0.1:4321", "localhost:4321", "LocalHost:4321", "[::1]:4321"] {
            assert!(is_loopback_host(ok, 4321), "{ok}");
        }
        for bad in [
            "127.0.0.1:4322",
            "127.0.0.1",
            "evil.example:4321",
            "localhost.evil.example:4321",
            "127.0.0.1.nip.io:4321",
            "0.0.0.0:4321",
            "[::1]",
            ":4321",
            "localhost:+4321",
            "localhost:4321:4321",
            "",
        ] {
            assert!(!is_loopback_host(bad, 4321), "{bad}");
        }
        assert!(is_loopback_host("localhost", 80));
        assert!(is_loopback_origin("http://127.0.0.1:4321", 4321));
        assert!(is_loopback_origin("http://localhost:4321", 4321));
        for bad in [
            "https://evil.example",
            "null",
            "http://127.0.0.1:1",
            "http://localhost:4321/x",
            "ws://localhost:4321",
        ] {
            assert!(!is_loopback_origin(bad, 4321), "{bad}");
        }
    }

    #[test]
    fn request_paths_resolve_inside_the_folder_without_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("plans/P")).unwrap();
        std::fs::write(out.join("index.html"), "i").unwrap();
        std::fs::write(out.join("plans/P/index.html"), "p").unwrap();
        std::fs::create_dir(out.join("empty")).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        assert_eq!(resolve_inside(&out, "/index.html"), Some(out.join("index.html")));
        assert_eq!(resolve_inside(&out, "/plans/P/"), Some(out.join("plans/P")));
        assert_eq!(resolve_inside(&out, "/"), Some(out.clone()));
        assert_eq!(resolve_inside(&out, "/plans/%50/index.html"), Some(out.join("plans/P/index.html")));
        assert_eq!(resolve_inside(&out, "/../secret.txt"), None);
        assert_eq!(resolve_inside(&out, "/plans/%2e%2e/%2e%2e/secret.txt"), None);
        assert_eq!(resolve_inside(&out, &format!("/{}", "a".repeat(300))), None);
        assert_eq!(resolve_inside(&out, "/index.html/x"), None);
        assert_eq!(resolve_inside(&out, "/no/such.html"), None);
        assert_eq!(resolve_inside(&out, "/empty/"), None);
        assert_eq!(resolve_inside(&out, "/%ff.html"), None);
        assert_eq!(resolve_inside(&out, "/a%00b"), None);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), out.join("leak")).unwrap();
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("s.html")).unwrap();
            std::os::unix::fs::symlink(out.join("index.html"), out.join("inside.html")).unwrap();
            assert_eq!(resolve_inside(&out, "/leak/secret.txt"), None);
            assert_eq!(resolve_inside(&out, "/s.html"), None);
            assert_eq!(resolve_inside(&out, "/inside.html"), None, "no symlink is followed");
        }
    }

    #[test]
    fn output_and_tool_folders_are_ignored() {
        let ignored =
            Ignored { root: PathBuf::from("/p"), out: vec![PathBuf::from("/p/public"), PathBuf::from("/o")] };
        assert!(ignored.contains(Path::new("/p/public/index.html")));
        assert!(ignored.contains(Path::new("/o/x.html")));
        assert!(ignored.contains(Path::new("/p/.git/index")));
        assert!(ignored.contains(Path::new("/p/packages/a/node_modules/b.js")));
        assert!(ignored.contains(Path::new("/p/target/debug/x")));
        assert!(ignored.contains(Path::new("/p/.tracemark-cache/x")));
        assert!(!ignored.contains(Path::new("/p/tracemark.toml")));
        assert!(!ignored.contains(Path::new("/p/project-plans/a/specification.md")));
        assert!(!ignored.contains(Path::new("/p/themes/mine/templates/page.html")));
        assert!(!ignored.contains(Path::new("/p/publication/x.md")));
    }
}
