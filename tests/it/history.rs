//! Git history on the pages: a repository made in the test with commits at fixed dates;
//! the plan timeline orders plans by the first commit of their folder (not by the date
//! in their ID) and flags ID dates far from it; a source page lists the plans that
//! shaped the file with their evidence (a marker, a commit shared with the plan's
//! documents, a commit message naming the plan), following the file through a rename;
//! without git the pages say so.

use crate::{command, read};
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` at `date` (author and committer), with no user or system config.
pub(crate) fn git_at(dir: &Path, date: &str, args: &[&str]) {
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
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

pub(crate) fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

pub(crate) fn commit(root: &Path, date: &str, message: &str) {
    git_at(root, date, &["add", "-A"]);
    git_at(root, date, &["-c", "commit.gpgsign=false", "commit", "-q", "-m", message]);
}

fn plan(root: &Path, folder: &str, id: &str, title: &str, req: &str) {
    write(
        root,
        &format!("project-plans/{folder}/specification.md"),
        &format!("# {title}\n\nPlan ID: {id}\n\n## Requirements\n\n- **{req}**: The widget shall {title}.\n"),
    );
}

/// The repository: ALPHA (ID dated 2024-01-01, folder added 2025-01-10), BETA (added
/// 2025-02-01 in the same commit as a change to `src/core.ts`), GAMMA (ID dated
/// 2023-01-01, the oldest, but added last, 2025-03-15); a commit naming ALPHA changes
/// `src/other.ts`; `src/core.ts` is then renamed to `src/lib/core.ts`.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    git_at(&root, "2025-01-01T00:00:00Z", &["init", "-q", "-b", "main"]);
    plan(&root, "alpha", "PLAN-20240101-ALPHA", "glow", "REQ-A-001");
    write(
        &root,
        "src/core.ts",
        "/** @plan:PLAN-20240101-ALPHA @requirement:REQ-A-001 */\nexport function glow() {\n  return 1;\n}\n",
    );
    write(&root, "src/other.ts", "// @requirement:REQ-A-001\nexport const other = 1;\n");
    commit(&root, "2025-01-10T09:00:00Z", "Start the alpha plan");
    plan(&root, "beta", "PLAN-20250201-BETA", "dim", "REQ-B-001");
    write(
        &root,
        "src/core.ts",
        "/** @plan:PLAN-20240101-ALPHA @requirement:REQ-A-001 */\nexport function glow() {\n  return 2;\n}\n",
    );
    commit(&root, "2025-02-01T09:00:00Z", "Beta: plan and first change");
    write(&root, "src/other.ts", "// @requirement:REQ-A-001\nexport const other = 2;\n");
    commit(&root, "2025-03-01T09:00:00Z", "Tune other\n\nPart of PLAN-20240101-ALPHA.");
    plan(&root, "gamma", "PLAN-20230101-GAMMA", "fade", "REQ-C-001");
    commit(&root, "2025-03-15T09:00:00Z", "Add the gamma plan");
    git_at(&root, "2025-04-01T09:00:00Z", &["mv", "src/core.ts", "src/lib-core.ts"]);
    commit(&root, "2025-04-01T09:00:00Z", "Move core");
    tmp
}

fn build(root: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let o = command()
        .args(["build", root.to_str().unwrap(), "--out", out.path().to_str().unwrap(), "--force"])
        .output()
        .unwrap();
    assert!(o.status.success(), "build failed: {}", String::from_utf8_lossy(&o.stderr));
    out
}

/// The text of `html` with tags removed and whitespace collapsed.
pub(crate) fn text(html: &str) -> String {
    let no_tags = regex::Regex::new(r"<[^>]*>").unwrap().replace_all(html, " ");
    let decoded = html_escape::decode_html_entities(&no_tags).into_owned();
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_timeline_orders_plans_by_first_commit_and_flags_far_id_dates() {
    let repo = repository();
    let root = repo.path().join("repo");
    let out = build(&root);
    let page = read(out.path(), "timeline.html");
    let t = text(&page);
    let (a, b, g) = (
        t.find("PLAN-20240101-ALPHA").expect(&t),
        t.find("PLAN-20250201-BETA").expect(&t),
        t.find("PLAN-20230101-GAMMA").expect(&t),
    );
    assert!(a < b && b < g, "by first commit, not by ID: {t}");
    assert!(t.contains("2025-01-10 PLAN-20240101-ALPHA"), "{t}");
    assert!(t.contains("2024-01-01 375 days before the first commit"), "ALPHA's ID date is flagged: {t}");
    assert!(t.contains("2023-01-01 804 days before the first commit"), "{t}");
    assert!(!t.contains("2025-02-01 0 days"), "BETA's ID date matches: {t}");
    // The code git links to each plan: ALPHA's first commit and the commit naming it.
    assert!(t.contains("2 files in 2 commits"), "ALPHA: {t}");
    assert!(t.contains("1 file in 1 commit"), "BETA: {t}");
    assert!(t.contains("none"), "GAMMA: {t}");
    // The status from all evidence: ALPHA's requirement is covered by code, GAMMA's not.
    assert!(t.contains("PLAN-20240101-ALPHA glow project-plans/alpha delivered"), "{t}");
    assert!(t.contains("PLAN-20230101-GAMMA fade project-plans/gamma unknown"), "{t}");
    // Grouped by month, linked from the index, the start page and every page's header.
    assert!(page.contains(r#"id="m-2025-03""#), "{page}");
    assert!(read(out.path(), "index.html").contains(r#"href="timeline.html""#));
    assert!(read(out.path(), "start.html").contains(r#"href="timeline.html""#));
    assert!(read(out.path(), "files/src/other.ts.html").contains(r#"href="../../timeline.html">Timeline<"#));
}

#[test]
fn a_source_page_lists_the_plans_that_shaped_the_file_with_their_evidence() {
    let repo = repository();
    let root = repo.path().join("repo");
    let out = build(&root);
    // The renamed file: BETA changed it (under its old name) in the commit that added
    // BETA's documents, with no marker of BETA in it.
    let core = read(out.path(), "files/src/lib-core.ts.html");
    let history =
        core.split(r#"id="history""#).nth(1).expect("a history section").split("</details>").next().unwrap();
    let t = text(history);
    assert!(t.contains("2025-01-10 PLAN-20240101-ALPHA glow marker same commit as the plan"), "{t}");
    assert!(t.contains("2025-02-01 PLAN-20250201-BETA dim same commit as the plan"), "{t}");
    assert!(t.contains("Beta: plan and first change"), "the commit is named: {t}");
    assert!(t.find("ALPHA").unwrap() < t.find("BETA").unwrap(), "oldest first: {t}");
    assert!(!t.contains("GAMMA"), "GAMMA never touched it: {t}");
    // A commit message naming a plan.
    let other = read(out.path(), "files/src/other.ts.html");
    let t = text(other.split(r#"id="history""#).nth(1).expect("a history section"));
    assert!(t.contains("PLAN-20240101-ALPHA glow marker same commit as the plan commit message"), "{t}");
    assert!(t.contains("Tune other"), "{t}");
}

#[test]
fn without_git_the_pages_say_there_is_no_history() {
    let repo = repository();
    let root = repo.path().join("repo");
    std::fs::remove_dir_all(root.join(".git")).unwrap();
    let out = build(&root);
    let t = text(&read(out.path(), "timeline.html"));
    assert!(t.contains("No git history was read"), "{t}");
    let (a, g) = (t.find("PLAN-20240101-ALPHA").unwrap(), t.find("PLAN-20230101-GAMMA").unwrap());
    assert!(g < a, "by ID without dates: {t}");
    let t = text(&read(out.path(), "files/src/lib-core.ts.html"));
    assert!(t.contains("PLAN-20240101-ALPHA glow marker"), "markers are still evidence: {t}");
    assert!(t.contains("only markers are evidence here"), "{t}");
}

#[test]
fn the_history_is_cached_per_commit() {
    let repo = repository();
    let root = repo.path().join("repo");
    let out = build(&root);
    let entry = crate::cache_value(&root, "git", b"history").expect("the log is cached");
    assert!(String::from_utf8_lossy(&entry).contains("Beta: plan and first change"));
    // A damaged log is not believed, even sealed with a valid cache checksum (the log
    // checks its own hash), nor is a value whose cache checksum fails: the pages come out
    // the same.
    let damaged = String::from_utf8_lossy(&entry).replace("Beta: plan", "Bogus: plan").into_bytes();
    for sealed in [true, false] {
        crate::put_cache_value(&root, "git", b"history", &damaged, sealed);
        let again = build(&root);
        assert_eq!(
            read(out.path(), "files/src/lib-core.ts.html"),
            read(again.path(), "files/src/lib-core.ts.html")
        );
    }
    let entry = crate::cache_value(&root, "git", b"history").unwrap();
    assert!(String::from_utf8_lossy(&entry).contains("Beta: plan and first change"), "rewritten");
}
