//! Provenance and forge permalinks: a fixture repository is made with git in a temporary
//! folder (fixed author and committer dates, an `origin` remote), built, and its pages
//! and `trace.json` read for the commit, the dirty flag, the build date and the exact
//! permalink URLs.

use crate::{command, copy_dir, fixture, read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The commit date of every fixture commit.
const DATE: &str = "2026-03-01T10:00:00+01:00";

/// Runs git in `dir` with a fixed identity and dates, and no user or system config.
fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .env("GIT_AUTHOR_DATE", DATE)
        .env("GIT_COMMITTER_DATE", DATE)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// A git repository in a temporary folder holding the `provenance` fixture under
/// `sub` (the repository's top when empty), committed once, with `origin` set to
/// `remote` when given. Returns the folder, the project root and the commit ID.
fn repository(sub: &str, remote: Option<&str>) -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().join("repo");
    let root = if sub.is_empty() { top.clone() } else { top.join(sub) };
    std::fs::create_dir_all(&root).unwrap();
    copy_dir(&fixture("provenance"), &root);
    git(&top, &["init", "-q", "-b", "main"]);
    git(&top, &["add", "-A"]);
    git(&top, &["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Widgets"]);
    if let Some(r) = remote {
        git(&top, &["remote", "add", "origin", r]);
    }
    let sha = git(&top, &["rev-parse", "HEAD"]);
    (tmp, root, sha)
}

/// Builds `root` into `out` with extra environment variables; panics if it fails.
fn build_into(root: &Path, out: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = command();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.args(["build", root.to_str().unwrap(), "--out", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "build failed: {}", String::from_utf8_lossy(&o.stderr));
    o
}

/// A built page with its HTML character references decoded (tera writes `/` as
/// `&#x2F;`), so URLs can be compared as written.
fn page(out: &Path, rel: &str) -> String {
    html_escape::decode_html_entities(&read(out, rel)).into_owned()
}

fn trace_json(out: &Path) -> serde_json::Value {
    crate::trace_json(out)
}

/// The `<footer>` of a page.
fn footer(html: &str) -> &str {
    let start = html.find("<footer>").expect("a footer");
    &html[start..html[start..].find("</footer>").unwrap() + start]
}

#[test]
fn the_footer_names_the_commit_and_links_it_on_the_forge() {
    let (_tmp, root, sha) = repository("", Some("git@github.com:acme/widgets.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    for rel in ["index.html", "diagnostics.html", "plans/PLAN-20260301-WIDGETS/index.html"] {
        let html = page(out.path(), rel);
        let f = footer(&html);
        assert!(
            f.contains(&format!("<a href=\"https://github.com/acme/widgets/commit/{sha}\" title=\"commit {sha} on GitHub\"><code>{}</code></a>", &sha[..12])),
            "{rel}: {f}"
        );
        assert!(f.contains(&format!("of <time datetime=\"{DATE}\">{DATE}</time>")), "{rel}: {f}");
        assert!(
            f.contains(&format!("built <time datetime=\"{DATE}\">")),
            "the build date is the commit date: {f}"
        );
        assert!(!f.contains("dirty"), "{rel}: {f}");
    }
    let start = page(out.path(), "start.html");
    assert!(start.contains(&format!("This site shows commit <code>{}</code>.", &sha[..12])), "{start}");
    let json = trace_json(out.path());
    assert_eq!(
        json["source"],
        serde_json::json!({"commit": sha, "date": DATE, "dirty": false, "repo_url": "https://github.com/acme/widgets"})
    );
    assert_eq!(json["build_date"], DATE);
}

#[test]
fn excerpts_definitions_and_files_link_to_their_lines_at_the_commit() {
    let (_tmp, root, sha) = repository("", Some("git@github.com:acme/widgets.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    let blob = format!("https://github.com/acme/widgets/blob/{sha}");
    let req = page(out.path(), "plans/PLAN-20260301-WIDGETS/requirements/REQ-W-001.html");
    // The excerpt: the doc comment and the function it documents, lines 1–6.
    assert!(req.contains(&format!("<a class=\"forge\" href=\"{blob}/src/widget.ts#L1-L6\"")), "{req}");
    assert!(req.contains(">view on GitHub</a>"), "{req}");
    // "Defined at": the heading's line, in the source view of the markdown file.
    assert!(
        req.contains(&format!("href=\"{blob}/project-plans/widgets/specification.md?plain=1#L5\"")),
        "{req}"
    );
    // Each segment of a path is percent-encoded.
    let src = page(out.path(), "files/src/a b.ts.html");
    assert!(src.contains(&format!("href=\"{blob}/src/a%20b.ts\"")), "{src}");
    assert!(src.contains(&format!("href=\"{blob}/src/a%20b.ts#L1-L3\"")), "{src}");
    let doc = page(out.path(), "docs/project-plans/widgets/specification.md.html");
    assert!(doc.contains(&format!("href=\"{blob}/project-plans/widgets/specification.md\"")), "{doc}");
    assert!(!req.contains("changed since commit") && !src.contains("differs from commit"));
}

#[test]
fn a_document_link_to_a_file_without_a_page_goes_to_the_forge_or_keeps_only_its_text() {
    let (_tmp, root, sha) = repository("", Some("https://github.com/acme/widgets.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    let doc = page(out.path(), "docs/project-plans/widgets/specification.md.html");
    let blob = format!("https://github.com/acme/widgets/blob/{sha}");
    assert!(
        doc.contains(&format!("<a href=\"{blob}/project-plans/widgets/design.html\">design notes</a>")),
        "{doc}"
    );
    // The HTML file itself is not published: its script never reaches the site.
    assert!(!out.path().join("docs/project-plans/widgets/design.html").exists());
    // Without a forge the link keeps its text and loses its target: no broken link.
    let (_tmp2, root2, _) = repository("", None);
    let out2 = tempfile::tempdir().unwrap();
    build_into(&root2, out2.path(), &[]);
    let doc = page(out2.path(), "docs/project-plans/widgets/specification.md.html");
    assert!(doc.contains("The design notes explain the spin."), "{doc}");
    assert!(!doc.contains("design.html"), "{doc}");
}

#[test]
fn a_modified_file_makes_the_tree_dirty_and_says_so_on_its_pages() {
    let (_tmp, root, sha) = repository("", Some("https://github.com/acme/widgets"));
    // Untracked files and the output folder inside the checkout do not count.
    std::fs::write(root.join("notes.txt"), "scratch\n").unwrap();
    let out = root.join("public");
    build_into(&root, &out, &[]);
    build_into(&root, &out, &[]);
    assert_eq!(trace_json(&out)["source"]["dirty"], false, "untracked files and the site are not changes");
    assert!(!footer(&page(&out, "index.html")).contains("dirty"));

    let widget = root.join("src/widget.ts");
    let text = std::fs::read_to_string(&widget).unwrap();
    std::fs::write(&widget, format!("// edited\n{text}")).unwrap();
    build_into(&root, &out, &[]);
    assert_eq!(trace_json(&out)["source"]["dirty"], true);
    assert_eq!(trace_json(&out)["source"]["commit"], sha.as_str());
    let index = page(&out, "index.html");
    assert!(footer(&index).contains(">dirty</span>"), "{}", footer(&index));
    assert!(footer(&index).contains("tracked files differ from the commit"), "{}", footer(&index));
    let start = page(&out, "start.html");
    assert!(start.contains("with changes not yet committed: 1 tracked file differs from it."), "{start}");
    let src = page(&out, "files/src/widget.ts.html");
    assert!(src.contains(&format!("This file differs from commit <code>{}</code>", &sha[..12])), "{src}");
    // The permalink still names the commit, and the trace says the lines may differ.
    assert!(src.contains(&format!("/blob/{sha}/src/widget.ts#L")), "{src}");
    assert!(src.contains("changed since commit"), "{src}");
    let other = page(&out, "files/src/a b.ts.html");
    assert!(!other.contains("differs from commit") && !other.contains("changed since commit"), "{other}");
    // One more modified file changes that file's pages and the start page's count, not
    // every footer.
    let readme = root.join("project-plans/widgets/specification.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    std::fs::write(&readme, format!("{text}\nA note.\n")).unwrap();
    let again = build_into(&root, &out, &[]);
    assert_eq!(page(&out, "files/src/widget.ts.html"), src, "a page the edit does not concern is kept");
    assert!(page(&out, "start.html").contains("2 tracked files differ from it."));
    let stdout = String::from_utf8_lossy(&again.stdout);
    let written: usize =
        stdout.split(" written").next().unwrap().rsplit('(').next().unwrap().parse().unwrap();
    assert!(written < 10, "{stdout}");
}

#[test]
fn a_new_commit_renders_every_footer_again() {
    let (_tmp, root, first) = repository("", Some("git@github.com:acme/widgets.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    let again = build_into(&root, out.path(), &[]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("(0 written"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    std::fs::write(root.join("README.md"), "# Widgets\n").unwrap();
    git(&root, &["add", "README.md"]);
    git(&root, &["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Readme"]);
    let second = git(&root, &["rev-parse", "HEAD"]);
    assert_ne!(first, second);
    build_into(&root, out.path(), &[]);
    for rel in
        ["index.html", "plans/PLAN-20260301-WIDGETS/requirements/REQ-W-001.html", "files/src/widget.ts.html"]
    {
        let html = page(out.path(), rel);
        assert!(footer(&html).contains(&second[..12]), "{rel}");
        assert!(!footer(&html).contains(&first[..12]), "{rel}: the footer still names the old commit");
        // Permalinks point at the new commit (a source page's history may name the old
        // one: it added the file).
        assert!(!html.contains(&format!("blob/{first}")), "{rel} still links the old commit's files");
    }
}

#[test]
fn a_folder_without_git_builds_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("plain");
    std::fs::create_dir(&root).unwrap();
    copy_dir(&fixture("provenance"), &root);
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    let index = page(out.path(), "index.html");
    assert!(footer(&index).contains("Not built from a git checkout"), "{}", footer(&index));
    assert!(!footer(&index).contains("built <time"), "no commit, no SOURCE_DATE_EPOCH: no build date");
    assert!(
        !page(out.path(), "plans/PLAN-20260301-WIDGETS/requirements/REQ-W-001.html")
            .contains("class=\"forge\"")
    );
    let json = trace_json(out.path());
    assert_eq!(
        json["source"],
        serde_json::json!({"commit": null, "date": null, "dirty": false, "repo_url": null})
    );
    assert_eq!(json["build_date"], serde_json::Value::Null);

    // A fixture inside this repository is not read as part of its checkout (the tests'
    // GIT_CEILING_DIRECTORIES), so its pages name no commit either.
    let out = tempfile::tempdir().unwrap();
    build_into(&fixture("provenance"), out.path(), &[]);
    assert_eq!(trace_json(out.path())["source"]["commit"], serde_json::Value::Null);
}

#[test]
fn source_date_epoch_is_the_build_date() {
    let (_tmp, root, _) = repository("", Some("git@github.com:acme/widgets.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[("SOURCE_DATE_EPOCH", "1767225600")]);
    let json = trace_json(out.path());
    assert_eq!(json["build_date"], "2026-01-01T00:00:00Z");
    assert_eq!(json["source"]["date"], DATE, "the commit date stays the commit's");
    let f = page(out.path(), "index.html");
    assert!(footer(&f).contains("built <time datetime=\"2026-01-01T00:00:00Z\">"), "{}", footer(&f));

    // A malformed value is ignored with a warning; the commit date is used.
    let o = build_into(&root, out.path(), &[("SOURCE_DATE_EPOCH", "yesterday")]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("warning: SOURCE_DATE_EPOCH: `yesterday` is not a number"), "{stderr}");
    assert_eq!(trace_json(out.path())["build_date"], DATE);
}

#[test]
fn credentials_in_the_remote_never_reach_the_site() {
    let (_tmp, root, sha) = repository("", Some("https://ci-bot:ghp_S3CRET@github.com/acme/widgets.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    assert_eq!(trace_json(out.path())["source"]["repo_url"], "https://github.com/acme/widgets");
    let mut files = 0;
    for e in ignore::WalkBuilder::new(out.path()).standard_filters(false).build() {
        let e = e.unwrap();
        if e.file_type().is_some_and(|t| t.is_file()) {
            let bytes = std::fs::read(e.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("S3CRET") && !text.contains("ci-bot"), "{}", e.path().display());
            files += 1;
        }
    }
    assert!(files > 5);
    assert!(
        page(out.path(), "index.html").contains(&format!("https://github.com/acme/widgets/commit/{sha}"))
    );
}

#[test]
fn a_hostile_remote_cannot_inject_markup() {
    let (_tmp, root, _) = repository("", Some("https://github.com/acme/\"><script>alert(1)</script>.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    let raw = read(out.path(), "index.html");
    assert!(!raw.contains("<script>alert"), "{raw}");
    let url = trace_json(out.path())["source"]["repo_url"].as_str().unwrap().to_string();
    assert!(url.starts_with("https://github.com/acme/") && !url.contains('<') && !url.contains('"'), "{url}");
}

#[test]
fn configured_repo_url_and_forge_win_and_unknown_hosts_get_no_permalinks() {
    let (_tmp, root, sha) = repository("", Some("git@git.example.org:acme/widgets.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    let req = page(out.path(), "plans/PLAN-20260301-WIDGETS/requirements/REQ-W-001.html");
    assert!(!req.contains("class=\"forge\""), "an unknown host gets no permalinks");
    assert_eq!(trace_json(out.path())["source"]["repo_url"], "https://git.example.org/acme/widgets");

    std::fs::write(
        root.join("tracemark.toml"),
        "repo_url = \"https://git.example.org/acme/widgets\"\nforge = \"gitea\"\n",
    )
    .unwrap();
    build_into(&root, out.path(), &[]);
    let req = page(out.path(), "plans/PLAN-20260301-WIDGETS/requirements/REQ-W-001.html");
    assert!(
        req.contains(&format!(
            "href=\"https://git.example.org/acme/widgets/src/commit/{sha}/src/widget.ts#L1-L6\""
        )),
        "{req}"
    );
    assert!(req.contains(">view on Gitea</a>"));
    let f = page(out.path(), "index.html");
    assert!(
        footer(&f).contains(&format!("https://git.example.org/acme/widgets/commit/{sha}")),
        "{}",
        footer(&f)
    );
}

#[test]
fn a_project_in_a_subfolder_links_with_its_path_in_the_repository() {
    let (_tmp, root, sha) = repository("tools/widgets", Some("git@gitlab.com:acme/mono.git"));
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    let req = page(out.path(), "plans/PLAN-20260301-WIDGETS/requirements/REQ-W-001.html");
    assert!(
        req.contains(&format!(
            "href=\"https://gitlab.com/acme/mono/-/blob/{sha}/tools/widgets/src/widget.ts#L1-6\""
        )),
        "{req}"
    );
    assert!(req.contains(">view on GitLab</a>"));
}

#[test]
fn a_bad_repo_url_is_an_error_naming_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("tracemark.toml"), "title = \"w\"\nrepo_url = \"../widgets\"\n").unwrap();
    let o =
        command().args(["build", tmp.path().to_str().unwrap(), "--out", "/nonexistent/x"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("tracemark.toml:2:12: repo_url is not a repository's web address"), "{stderr}");
}

/// Git refuses a checkout owned by another user (CI containers): the site is built,
/// names no commit, and a warning says how to mark the checkout safe. Making such a
/// checkout needs `chown`, so as another user than root the test has nothing to check.
#[cfg(unix)]
#[test]
fn a_checkout_git_refuses_builds_with_a_warning() {
    let (_tmp, root, _) = repository("", Some("git@github.com:acme/widgets.git"));
    let mut chowned = true;
    for e in ignore::WalkBuilder::new(&root).standard_filters(false).build() {
        chowned &= std::os::unix::fs::lchown(e.unwrap().path(), Some(65534), None).is_ok();
    }
    if !chowned || git_as_is(&root) {
        eprintln!("skipped: the checkout could not be given to another user");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&root, out.path(), &[("GIT_CONFIG_GLOBAL", "/dev/null")]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("warning: git: git refuses to read this checkout"), "{stderr}");
    assert!(stderr.contains("safe.directory"), "{stderr}");
    assert!(footer(&page(out.path(), "index.html")).contains("Not built from a git checkout"));
}

/// Whether git still reads `dir` as a checkout (it does when it is the current user's).
fn git_as_is(dir: &Path) -> bool {
    Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A tracked file whose name is not UTF-8 still counts: git's answer is read with the
/// bytes replaced, not dropped whole.
#[cfg(unix)]
#[test]
fn a_modified_file_with_a_name_that_is_not_utf8_makes_the_tree_dirty() {
    use std::os::unix::ffi::OsStrExt;
    let (_tmp, root, _) = repository("", None);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(root.join(name), "one\n").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Latin-1 name"]);
    let out = tempfile::tempdir().unwrap();
    build_into(&root, out.path(), &[]);
    assert_eq!(trace_json(out.path())["source"]["dirty"], false);
    std::fs::write(root.join(name), "two\n").unwrap();
    build_into(&root, out.path(), &[]);
    assert_eq!(trace_json(out.path())["source"]["dirty"], true);
}
