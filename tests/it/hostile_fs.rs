//! The output and cache folders on hostile ground: symlinks committed where tracemark
//! writes, tampered manifests, a symlinked cache, foreign files in the output folder,
//! output folders that are not the site's own, a build killed halfway and corrupt cache
//! entries. Nothing outside the project and its output folder may change, files the
//! user put in the output folder are kept, and the site stays a clean build's.

use crate::{copy_dir, fixture, tracemark};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A copy of `tests/fixtures/containment` at `<tmp>/proj`.
fn project(tmp: &Path) -> PathBuf {
    let root = tmp.join("proj");
    copy_dir(&fixture("containment"), &root);
    root
}

/// Every entry under `dir`, symlinks not followed: relative path → `file <blake3>`,
/// `link -> <target>` or `dir`.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let t = e.file_type().unwrap();
            let what = if t.is_symlink() {
                format!("link -> {}", std::fs::read_link(e.path()).unwrap().display())
            } else if t.is_dir() {
                stack.push(e.path());
                "dir".to_string()
            } else {
                format!("file {}", blake3::hash(&std::fs::read(e.path()).unwrap()).to_hex())
            };
            out.insert(rel, what);
        }
    }
    out
}

fn run(args: &[&str]) -> Output {
    tracemark(args)
}

fn ok(o: &Output) -> String {
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{text}");
    text
}

fn build(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn outside(tmp: &Path) -> PathBuf {
    let o = tmp.join("outside");
    std::fs::create_dir_all(o.join("dir")).unwrap();
    std::fs::write(o.join("outside.txt"), "the user's file outside the project\n").unwrap();
    std::fs::write(o.join("dir/victim.html"), "<p>not tracemark's</p>\n").unwrap();
    o
}

fn edit_source(root: &Path, n: u32) {
    let f = root.join("src/archive.rs");
    let mut text = std::fs::read_to_string(&f).unwrap();
    text.push_str(&format!("\n// edit {n}\n"));
    std::fs::write(&f, text).unwrap();
}

/// The manifest of the project's one output folder, in the cache.
fn manifest(root: &Path) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(root.join(".tracemark-cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

/// Adds `lines` to a manifest and seals it again, as an attacker who can write the
/// cache folder would.
fn forge_manifest(path: &Path, extra: &[String]) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.pop();
    lines.extend_from_slice(extra);
    let mut h = blake3::Hasher::new();
    for l in &lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    lines.push(serde_json::json!({ "checksum": h.finalize().to_hex().to_string() }).to_string());
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn entry_for(path: &str, file: &Path) -> String {
    let bytes = std::fs::read(file).unwrap();
    let m = std::fs::metadata(file).unwrap();
    let mtime = m.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    serde_json::json!({
        "path": path,
        "key": null,
        "hash": blake3::hash(&bytes).to_hex().to_string(),
        "size": m.len(),
        "mtime": mtime,
    })
    .to_string()
}

#[cfg(unix)]
#[test]
fn symlinks_and_forged_manifests_never_reach_outside_the_output_folder() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    let outside = outside(tmp.path());
    // A source file whose name holds a newline and a user file's name.
    std::fs::write(
        root.join("src/evil\nCNAME.rs"),
        "// @plan:PLAN-20260301-ARCHIVE\n// @requirement:REQ-AR-001\n",
    )
    .unwrap();
    ok(&build(&root, &[]));
    let public = root.join("public");
    std::fs::write(public.join("CNAME"), "docs.example.org\n").unwrap();
    let before = snapshot(&outside);

    // public/index.html -> ../../outside/outside.txt, public/h -> outside/dir, a manifest
    // naming h/victim.html (with its true hash) and ../outside/outside.txt, a legacy
    // manifest naming both, and the newline file deleted.
    std::fs::remove_file(public.join("index.html")).unwrap();
    symlink("../../outside/outside.txt", public.join("index.html")).unwrap();
    symlink(outside.join("dir"), public.join("h")).unwrap();
    forge_manifest(
        &manifest(&root),
        &[
            entry_for("h/victim.html", &outside.join("dir/victim.html")),
            entry_for("../outside/outside.txt", &outside.join("outside.txt")),
            entry_for(&outside.join("outside.txt").to_string_lossy(), &outside.join("outside.txt")),
        ],
    );
    std::fs::write(public.join(".tracemark-manifest"), "../outside/outside.txt\nh/victim.html\nCNAME\n")
        .unwrap();
    std::fs::remove_file(root.join("src/evil\nCNAME.rs")).unwrap();
    edit_source(&root, 1);
    let text = ok(&build(&root, &[]));

    assert_eq!(snapshot(&outside), before, "nothing outside the project changed");
    let index = std::fs::symlink_metadata(public.join("index.html")).unwrap();
    assert!(index.is_file(), "the symlink is replaced by the page");
    assert!(std::fs::read_to_string(public.join("index.html")).unwrap().contains("<html"));
    assert!(text.contains("public/index.html: was a symlink"), "{text}");
    assert!(
        std::fs::symlink_metadata(public.join("h")).unwrap().file_type().is_symlink(),
        "the user's link is kept"
    );
    assert_eq!(std::fs::read_to_string(public.join("CNAME")).unwrap(), "docs.example.org\n");
    assert!(!public.join("files/src/evil\nCNAME.rs.html").exists(), "the stale page is removed");
    assert!(!public.join(".tracemark-manifest").exists());
    // The next build changes nothing.
    let text = ok(&build(&root, &[]));
    assert!(text.contains("(0 written, 0 removed)"), "{text}");
    assert_eq!(snapshot(&outside), before);
}

#[cfg(unix)]
#[test]
fn a_symlinked_cache_is_not_used() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    let outside = outside(tmp.path());
    let before = snapshot(&outside);
    symlink(outside.join("dir"), root.join(".tracemark-cache")).unwrap();
    let text = ok(&build(&root, &[]));
    assert!(text.contains(".tracemark-cache: is not a folder"), "{text}");
    assert_eq!(snapshot(&outside), before, "nothing written through the link");
    // A symlink in place of the database inside a real cache folder.
    std::fs::remove_file(root.join(".tracemark-cache")).unwrap();
    ok(&build(&root, &[]));
    let db = crate::cache_db(&root);
    std::fs::remove_file(&db).unwrap();
    symlink(outside.join("outside.txt"), &db).unwrap();
    std::fs::remove_dir_all(root.join("public")).unwrap();
    let text = ok(&build(&root, &[]));
    assert!(text.contains(".tracemark-cache/cache.redb: is not a regular file"), "{text}");
    assert_eq!(snapshot(&outside), before, "nothing written through the links");
    // The pages are whole all the same (the build kept its cache in memory).
    let clean = tmp.path().join("clean/proj");
    copy_dir(&root, &clean);
    let _ = std::fs::remove_dir_all(clean.join(".tracemark-cache"));
    let _ = std::fs::remove_dir_all(clean.join("public"));
    ok(&build(&clean, &[]));
    assert_eq!(snapshot(&root.join("public")), snapshot(&clean.join("public")), "same site as a clean build");
}

#[test]
fn the_users_files_are_kept_in_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    std::fs::write(root.join("tracemark.toml"), "out = \"../site\"\n").unwrap();
    ok(&build(&root, &[]));
    let site = tmp.path().join("site");
    assert!(site.join("index.html").is_file(), "`out` is relative to the root");
    std::fs::write(site.join("CNAME"), "docs.example.org\n").unwrap();
    std::fs::create_dir_all(site.join("extra")).unwrap();
    std::fs::write(site.join("extra/notes.txt"), "mine\n").unwrap();
    for n in 0..2 {
        edit_source(&root, n);
        ok(&build(&root, &[]));
        assert_eq!(std::fs::read_to_string(site.join("CNAME")).unwrap(), "docs.example.org\n");
        assert_eq!(std::fs::read_to_string(site.join("extra/notes.txt")).unwrap(), "mine\n");
    }
    // Deleting the source removes its page, and only that.
    std::fs::remove_file(root.join("src/archive.rs")).unwrap();
    let text = ok(&build(&root, &[]));
    assert!(!site.join("files/src/archive.rs.html").exists(), "{text}");
    assert!(site.join("CNAME").is_file() && site.join("extra/notes.txt").is_file());
    assert!(site.join(".tracemark-output").is_file(), "the folder carries the ownership marker");
}

#[test]
fn output_folders_that_hold_the_project_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    std::fs::create_dir_all(root.join(".git")).unwrap();
    let before = snapshot(&root);
    let r = root.to_str().unwrap();
    for out in
        [r.to_string(), format!("{r}/.."), format!("{r}/.git/site"), format!("{r}/.tracemark-cache/site")]
    {
        let o = build(&root, &["--out", &out, "--force"]);
        assert_eq!(o.status.code(), Some(2), "{out}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("output folder"), "{out}");
    }
    for toml in ["out = \".\"\n", "out = \"..\"\n", "out = \".git/x\"\n"] {
        std::fs::write(root.join("tracemark.toml"), toml).unwrap();
        let o = build(&root, &[]);
        assert_eq!(o.status.code(), Some(2), "{toml}");
        std::fs::remove_file(root.join("tracemark.toml")).unwrap();
    }
    assert_eq!(snapshot(&root), before, "nothing written");
}

#[test]
fn a_foreign_non_empty_folder_needs_force() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    let out = tmp.path().join("www");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("CNAME"), "docs.example.org\n").unwrap();
    std::fs::write(out.join("index.html"), "the user's own page\n").unwrap();
    let o = build(&root, &["--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("was not written by tracemark") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "the user's own page\n");
    let text = ok(&build(&root, &["--out", out.to_str().unwrap(), "--force"]));
    assert!(text.contains("index.html: was not written by tracemark and is replaced"), "{text}");
    assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "docs.example.org\n");
    // From now on the folder is tracemark's: no `--force` needed.
    edit_source(&root, 1);
    ok(&build(&root, &["--out", out.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "docs.example.org\n");
}

/// A project large enough for its build to be caught halfway.
fn large_project(root: &Path, files: usize, edit: u32) {
    std::fs::create_dir_all(root.join("src/gen")).unwrap();
    for i in 0..files {
        let text = format!(
            "// @plan:PLAN-20260301-ARCHIVE\n// @requirement:REQ-AR-00{}\npub fn f{i}() -> u32 {{ {i} + {edit} }}\n",
            1 + i % 2
        );
        std::fs::write(root.join(format!("src/gen/m{i:04}.rs")), text).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn a_build_killed_halfway_leaves_the_last_good_site() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    large_project(&root, 1200, 0);
    let out = tmp.path().join("site");
    let out_s = out.to_str().unwrap();
    ok(&build(&root, &["--out", out_s]));
    std::fs::write(out.join("CNAME"), "docs.example.org\n").unwrap();
    let good = snapshot(&out);
    large_project(&root, 1200, 1); // every source page changes
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tracemark"))
        .args(["build", root.to_str().unwrap(), "--out", out_s])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the new site is being written next to the old one.
    let staging = |tmp: &Path| {
        std::fs::read_dir(tmp)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".site."))
    };
    let start = std::time::Instant::now();
    while !staging(tmp.path()) && child.try_wait().unwrap().is_none() {
        assert!(start.elapsed().as_secs() < 120, "the build never started writing");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(child.try_wait().unwrap().is_none(), "the build ended before it could be interrupted");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(snapshot(&out), good, "the last good site is intact");
    // The next build completes, removes the leftover and keeps the user's file.
    ok(&build(&root, &["--out", out_s]));
    assert!(!staging(tmp.path()), "the interrupted build's staging folder is removed");
    assert_ne!(snapshot(&out), good);
    assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "docs.example.org\n");
}

#[test]
fn corrupt_cache_entries_are_rebuilt_never_sealed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    large_project(&root, 40, 0);
    let out = tmp.path().join("site");
    let out_s = out.to_str().unwrap();
    ok(&build(&root, &["--out", out_s]));
    assert!(crate::corrupt_cache_values(&root) > 40);
    // Pages are intact, so most corrupt entries are kept unread while edited files add
    // entries, which are saved.
    edit_source(&root, 1);
    let mut text = ok(&build(&root, &["--out", out_s]));
    // Every page rendered from the cache alone equals a clean build.
    std::fs::remove_dir_all(&out).unwrap();
    text += &ok(&build(&root, &["--out", out_s]));
    assert!(text.contains("corrupt highlight cache entries dropped and rebuilt"), "{text}");
    let clean = tmp.path().join("clean/proj"); // the same folder name: the same title
    copy_dir(&root, &clean);
    let _ = std::fs::remove_dir_all(clean.join(".tracemark-cache"));
    let clean_out = tmp.path().join("clean-site");
    ok(&build(&clean, &["--out", clean_out.to_str().unwrap()]));
    assert_eq!(snapshot(&out), snapshot(&clean_out), "same site as a clean build");
    // The next build's cache holds only good entries.
    std::fs::remove_dir_all(&out).unwrap();
    let text = ok(&build(&root, &["--out", out_s]));
    assert!(!text.contains("corrupt"), "{text}");
    assert_eq!(snapshot(&out), snapshot(&clean_out));
}
