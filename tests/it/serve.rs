//! `tracemark serve` as a process on a temporary copy of a fixture: the printed URL, the
//! injected reload script, a rebuild after an edit, the error overlay for a broken
//! tracemark.toml (the last good site still served) and its removal once fixed.

use crate::{copy_dir, fixture};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a change may take to show in the served site.
const PATIENCE: Duration = Duration::from_secs(20);

/// The server process; killed when dropped, whether the test passed or not.
pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, as printed.
    pub(crate) url: String,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `tracemark serve --port 0` on `root` into `out`; waits for its URL.
    pub(crate) fn start(root: &Path, out: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tracemark"))
            .args(["serve", root.to_str().unwrap(), "--port", "0", "--out", out.to_str().unwrap()])
            .env("GIT_CEILING_DIRECTORIES", crate::repo())
            .env_remove("SOURCE_DATE_EPOCH")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tracemark serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        // Read stdout on a thread (and keep draining it) so the wait below is bounded.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("http://127.0.0.1:") {
                    let url = line[at..].split_whitespace().next().unwrap().trim_end_matches('/').to_string();
                    let _ = tx.send(url);
                }
            }
        });
        let mut server = Server { child, url: String::new(), stderr };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => server.url = url,
            Err(_) => panic!("no URL printed; stderr: {}", server.stderr.lock().unwrap()),
        }
        server
    }

    /// GETs `rel`: (status, body).
    fn get(&self, rel: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        let mut res = agent.get(&format!("{}/{rel}", self.url)).call().expect("the server answers");
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().expect("a text body"))
    }

    /// GETs `rel` until `ok(status, body)` holds, for at most [`PATIENCE`].
    fn wait_for(&self, rel: &str, what: &str, ok: impl Fn(u16, &str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let (status, body) = self.get(rel);
            if ok(status, &body) {
                return body;
            }
            if start.elapsed() > PATIENCE {
                panic!(
                    "{what}: not served within {PATIENCE:?}; last status {status}, body:\n{body}\nstderr:\n{}",
                    self.stderr.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[test]
fn serves_rebuilds_and_shows_build_errors() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(&fixture("check-clean"), root.path());
    let out = tempfile::tempdir().unwrap();
    let server = Server::start(root.path(), out.path());
    assert!(server.url.starts_with("http://127.0.0.1:"), "{}", server.url);

    // The first build is served, with the reload script injected at serve time only.
    let (status, index) = server.get("index.html");
    assert_eq!(status, 200);
    assert!(index.contains("PLAN-20250101-WIDGET"), "{index}");
    assert!(index.contains("/__tracemark/livereload"), "{index}");
    assert!(!index.contains("id=\"tracemark-error-overlay\""), "{index}");
    let on_disk = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(!on_disk.contains("__tracemark"), "the files on disk are those of `build`");
    let (status, _) = server.get("trace.json");
    assert_eq!(status, 200);

    // An edit to a plan: the new requirement's page appears.
    let spec = root.path().join("project-plans/widget/specification.md");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str("\n### REQ-W-002: The widget says goodbye\n");
    std::fs::write(&spec, text).unwrap();
    let new_page = "plans/PLAN-20250101-WIDGET/requirements/REQ-W-002.html";
    let page = server.wait_for(new_page, "the new requirement's page", |s, _| s == 200);
    assert!(page.contains("The widget says goodbye"), "{page}");
    assert!(page.contains("/__tracemark/livereload"), "{page}");

    // A broken tracemark.toml: the error shows as an overlay, the last site still serves.
    let config = root.path().join("tracemark.toml");
    std::fs::write(&config, "titel = \"Widget\"\n").unwrap();
    let broken = server.wait_for("index.html", "the error overlay", |s, b| {
        s == 200 && b.contains("id=\"tracemark-error-overlay\"")
    });
    assert!(broken.contains("unknown field `titel`"), "{broken}");
    assert!(broken.contains("PLAN-20250101-WIDGET"), "the last good site is still served: {broken}");
    let (status, page) = server.get(new_page);
    assert_eq!(status, 200);
    assert!(page.contains("id=\"tracemark-error-overlay\""), "{page}");
    assert!(server.stderr.lock().unwrap().contains("unknown field `titel`"));

    // Fixed: the overlay is gone and the new title is built.
    std::fs::write(&config, "title = \"Widget site\"\n").unwrap();
    let fixed = server.wait_for("index.html", "the fixed build", |s, b| {
        s == 200 && b.contains("Widget site") && !b.contains("id=\"tracemark-error-overlay\"")
    });
    assert!(fixed.contains("/__tracemark/livereload"), "{fixed}");
}

#[test]
fn missing_page_is_an_html_404_with_the_reload_script() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(&fixture("check-clean"), root.path());
    let out = tempfile::tempdir().unwrap();
    let server = Server::start(root.path(), out.path());
    let (status, body) = server.get("no/such/page.html");
    assert_eq!(status, 404);
    assert!(body.contains("/__tracemark/livereload"), "{body}");
}

/// Reads websocket messages until one contains `needle`, for at most [`PATIENCE`].
fn wait_for_message(ws: &mut tungstenite::WebSocket<std::net::TcpStream>, needle: &str) -> String {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        match ws.read() {
            Ok(tungstenite::Message::Text(text)) if text.contains(needle) => return text.to_string(),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("websocket: {e}"),
        }
    }
    panic!("no websocket message with `{needle}` within {PATIENCE:?}");
}

#[test]
fn open_pages_are_told_to_reload_or_shown_the_error() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(&fixture("check-clean"), root.path());
    let out = tempfile::tempdir().unwrap();
    let server = Server::start(root.path(), out.path());
    let addr = server.url.trim_start_matches("http://");
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let (mut ws, _) = tungstenite::client(format!("ws://{addr}/__tracemark/livereload"), stream)
        .expect("websocket handshake");

    std::fs::write(root.path().join("tracemark.toml"), "titel = \"Widget\"\n").unwrap();
    let error = wait_for_message(&mut ws, "\"error\"");
    assert!(error.contains("unknown field `titel`"), "{error}");

    std::fs::write(root.path().join("tracemark.toml"), "title = \"Widget\"\n").unwrap();
    wait_for_message(&mut ws, "\"reload\"");
}
