//! `tracemark bundle` and `tracemark verify` on `fixtures/bundle/`, committed to a git
//! repository made in the test (fixed author and committer dates, no parent repository
//! seen): the archive is byte-identical from two clones at different paths and under
//! another time zone and locale; `sha256sum -c` passes on it; `verify` finds one
//! changed byte, a missing and an extra file, hostile and damaged archives;
//! `evidence.json` names the commit and the dirty state; the CSVs parse with Python's
//! `csv` module and hold every requirement of `trace.json`.

use crate::{copy_dir, fixture};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The commit date of every commit made here.
const DATE: &str = "2026-04-01T12:00:00+02:00";
/// `DATE` in seconds since 1970.
const EPOCH: u64 = 1_775_037_600;

/// A temporary folder in which git sees no repository above the ones the test makes.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs a command with git's environment pinned (dates, identity, no user or
    /// system configuration, no repository above the sandbox) and no
    /// `SOURCE_DATE_EPOCH`.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("GIT_CEILING_DIRECTORIES", self.dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", DATE)
            .env("GIT_COMMITTER_DATE", DATE)
            .env_remove("SOURCE_DATE_EPOCH");
        c
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let o = self.command("git").arg("-C").arg(dir).args(args).output().expect("git runs");
        assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    }

    fn tracemark(&self, args: &[&str]) -> Output {
        self.tracemark_env(args, &[])
    }

    fn tracemark_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.command(assert_cmd::cargo::cargo_bin("tracemark"));
        c.args(args).envs(env.iter().copied());
        c.output().expect("tracemark runs")
    }

    /// The fixture committed in `origin/`, cloned to `rel`.
    fn clone_to(&self, rel: &str) -> PathBuf {
        let origin = self.path("origin");
        if !origin.exists() {
            std::fs::create_dir_all(&origin).unwrap();
            copy_dir(&fixture("bundle"), &origin);
            self.git(&origin, &["init", "-q", "-b", "main"]);
            self.git(&origin, &["add", "-A"]);
            self.git(&origin, &["commit", "-q", "-m", "Alarm clock"]);
        }
        let dest = self.path(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        let o = self.command("git").arg("clone").arg("-q").arg(&origin).arg(&dest).output().unwrap();
        assert!(o.status.success(), "clone: {}", String::from_utf8_lossy(&o.stderr));
        dest
    }

    /// `tracemark bundle ROOT -o ARCHIVE`, asserted to succeed; the archive's bytes.
    fn bundle(&self, root: &Path, archive: &Path, env: &[(&str, &str)]) -> Vec<u8> {
        let o = self.tracemark_env(&["bundle", s(root), "-o", s(archive)], env);
        assert!(o.status.success(), "bundle: {}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(archive).unwrap()
    }

    /// Extracts an archive with `tar` into a new folder `rel`.
    fn extract(&self, archive: &Path, rel: &str) -> PathBuf {
        let dir = self.path(rel);
        std::fs::create_dir_all(&dir).unwrap();
        let o = Command::new("tar").arg("xzf").arg(archive).arg("-C").arg(&dir).output().unwrap();
        assert!(o.status.success(), "tar: {}", String::from_utf8_lossy(&o.stderr));
        dir
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn evidence(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("evidence.json")).unwrap()).unwrap()
}

#[test]
fn two_clones_at_different_paths_and_time_zones_give_the_same_bytes() {
    let sb = Sandbox::new();
    let one = sb.clone_to("one/alarm");
    let two = sb.clone_to("elsewhere/deeper/alarm-copy");
    let a = sb.bundle(&one, &sb.path("out-a/evidence.tar.gz"), &[("TZ", "UTC"), ("LC_ALL", "C")]);
    let b = sb.bundle(
        &two,
        &sb.path("out-b/evidence.tar.gz"),
        &[("TZ", "Asia/Tokyo"), ("LC_ALL", "de_DE.UTF-8"), ("LANG", "ja_JP.UTF-8")],
    );
    assert!(a == b, "the two archives differ ({} and {} bytes)", a.len(), b.len());
    // gzip header: no file name flag, no time stamp.
    assert_eq!(&a[..4], &[0x1f, 0x8b, 8, 0], "FLG must be 0 (no name, no comment)");
    assert_eq!(&a[4..8], &[0, 0, 0, 0], "MTIME must be 0");
    // Every entry: one top folder, the commit time, owner 0, a fixed mode.
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(a.as_slice()));
    let mut names = Vec::new();
    for e in archive.entries().unwrap() {
        let e = e.unwrap();
        let h = e.header();
        let name = e.path().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("evidence/"), "{name}");
        assert_eq!(h.mtime().unwrap(), EPOCH, "{name}");
        assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0), "{name}");
        let mode = if h.entry_type().is_dir() { 0o755 } else { 0o644 };
        assert_eq!(h.mode().unwrap(), mode, "{name}");
        names.push(name);
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries are sorted");
    for f in ["evidence/index.html", "evidence/trace.json", "evidence/trace.csv", "evidence/requirements.csv"]
    {
        assert!(names.iter().any(|n| n == f), "{f} missing from {names:?}");
    }
    assert!(names.iter().any(|n| n == "evidence/evidence.json"));
    assert!(names.iter().any(|n| n == "evidence/evidence.html"));
    assert!(names.iter().any(|n| n == "evidence/MANIFEST.sha256"));
}

#[test]
fn sha256sum_checks_the_extracted_bundle_and_verify_finds_one_changed_byte() {
    let sb = Sandbox::new();
    let root = sb.clone_to("alarm");
    let archive = sb.path("release-1.tar.gz");
    sb.bundle(&root, &archive, &[]);
    let dir = sb.extract(&archive, "x").join("release-1");

    let o = Command::new("sha256sum")
        .args(["-c", "--strict", "MANIFEST.sha256"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "sha256sum -c: {}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.sha256")).unwrap();
    let listed: Vec<&str> = manifest.lines().map(|l| &l[66..]).collect();
    assert_eq!(stdout(&o).lines().filter(|l| l.ends_with(": OK")).count(), listed.len());
    assert!(
        listed.contains(&"evidence.json") && listed.contains(&"index.html") && listed.contains(&"trace.csv")
    );
    assert!(!listed.contains(&"MANIFEST.sha256"));

    for target in [&archive, &dir, &dir.parent().unwrap().to_path_buf()] {
        let o = sb.tracemark(&["verify", s(target)]);
        assert_eq!(o.status.code(), Some(0), "verify {}: {}", target.display(), stdout(&o));
        assert!(stdout(&o).contains(&format!("intact: {} files", listed.len())), "{}", stdout(&o));
    }

    // One byte of one page changed.
    let page = dir.join("plans/PLAN-20260401-ALARM/index.html");
    let mut bytes = std::fs::read(&page).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&page, &bytes).unwrap();
    let o = sb.tracemark(&["verify", s(&dir)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(stdout(&o), format!("{}: changed: plans/PLAN-20260401-ALARM/index.html\n", dir.display()));

    // The same change packed again as a tar.gz: the archive's check names it too, and a
    // missing and an extra file.
    std::fs::remove_file(dir.join("trace.csv")).unwrap();
    std::fs::write(dir.join("notes.txt"), "added after the build").unwrap();
    let repacked = sb.path("repacked.tar.gz");
    let o = Command::new("tar")
        .arg("czf")
        .arg(&repacked)
        .arg("-C")
        .arg(dir.parent().unwrap())
        .arg("release-1")
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = sb.tracemark(&["verify", s(&repacked)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    for line in ["changed: plans/PLAN-20260401-ALARM/index.html", "missing: trace.csv", "extra: notes.txt"] {
        assert!(out.contains(&format!("{}: {line}\n", repacked.display())), "{line} in:\n{out}");
    }
    assert_eq!(out.lines().count(), 3, "{out}");
}

#[test]
fn evidence_names_the_commit_and_the_dirty_state_and_verify_against_names_changed_inputs() {
    let sb = Sandbox::new();
    let root = sb.clone_to("alarm");
    let head = sb.git(&root, &["rev-parse", "HEAD"]).trim().to_string();
    let clean = sb.path("clean.tar.gz");
    sb.bundle(&root, &clean, &[]);
    let e = evidence(&sb.extract(&clean, "c").join("clean"));
    assert_eq!(e["commit"], head.as_str());
    assert_eq!(e["commit_date"], DATE);
    assert_eq!(e["dirty"], false);
    assert_eq!(e["modified"], serde_json::json!([]));
    assert_eq!(e["mtime"], EPOCH);
    assert_eq!(e["tracemark"], env!("CARGO_PKG_VERSION"));
    let toml = std::fs::read(root.join("tracemark.toml")).unwrap();
    let sha = |b: &[u8]| {
        use sha2::Digest as _;
        format!("{:x}", sha2::Sha256::digest(b))
    };
    assert_eq!(e["config_sha256"], sha(&toml).as_str());
    let inputs = e["inputs"].as_array().unwrap();
    let paths: Vec<&str> = inputs.iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "project-plans/alarm/plan/01-ring.md",
            "project-plans/alarm/specification.md",
            "src/__tests__/alarm.test.ts",
            "src/alarm.ts",
            "tracemark.toml"
        ]
    );
    let alarm = inputs.iter().find(|i| i["path"] == "src/alarm.ts").unwrap();
    let bytes = std::fs::read(root.join("src/alarm.ts")).unwrap();
    assert_eq!(alarm["sha256"], sha(&bytes).as_str());
    assert_eq!(alarm["bytes"], bytes.len());
    // The printable report says the same.
    let report = std::fs::read_to_string(sb.path("c/clean/evidence.html")).unwrap();
    for text in [head.as_str(), &sha(&bytes), "src/alarm.ts", ">clean<", "uncovered-requirement", "3/4"] {
        assert!(report.contains(text), "evidence.html lacks {text}");
    }
    // The trace matrix (every requirement, with the code tracing it) and the suspect
    // traces (none: no requirement was reworded).
    let matrix =
        report.split(r#"id="matrix""#).nth(1).expect("a trace matrix").split("</table>").next().unwrap();
    assert!(matrix.contains("src/alarm.ts:"), "{matrix}");
    assert!(matrix.contains("uncovered"), "{matrix}");
    assert!(report.contains("No trace is suspect"), "{report}");

    // The checkout as the bundle saw it: the inputs match.
    let o = sb.tracemark(&["verify", s(&clean), "--against", s(&root)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(&format!("{} inputs compared", paths.len())), "{}", stdout(&o));

    // An edited source, a new note, a deleted phase file: dirty, and named.
    std::fs::write(root.join("src/alarm.ts"), [bytes.as_slice(), b"// edited\n"].concat()).unwrap();
    std::fs::write(root.join("NOTES.md"), "new\n").unwrap();
    std::fs::remove_file(root.join("project-plans/alarm/plan/01-ring.md")).unwrap();
    let dirty = sb.path("dirty.tar.gz");
    let o = sb.tracemark(&["bundle", s(&root), "-o", s(&dirty)]);
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("differs from commit"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let e = evidence(&sb.extract(&dirty, "d").join("dirty"));
    assert_eq!(e["commit"], head.as_str());
    assert_eq!(e["dirty"], true);
    // Untracked files do not make the tree dirty (they are in the input manifest).
    assert_eq!(e["modified"], serde_json::json!(["project-plans/alarm/plan/01-ring.md", "src/alarm.ts"]));
    assert!(e["inputs"].as_array().unwrap().iter().any(|i| i["path"] == "NOTES.md"));

    let o = sb.tracemark(&["verify", s(&clean), "--against", s(&root)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    for line in [
        "input changed: src/alarm.ts",
        "input missing: project-plans/alarm/plan/01-ring.md",
        "input new: NOTES.md",
    ] {
        assert!(out.contains(&format!("{}: {line}\n", clean.display())), "{line} in:\n{out}");
    }
    assert_eq!(out.lines().count(), 3, "{out}");
}

#[test]
fn without_git_the_bundle_says_so_and_takes_source_date_epoch() {
    let sb = Sandbox::new();
    let root = sb.path("plain");
    copy_dir(&fixture("bundle"), &root);
    let archive = sb.path("e.tar.gz");
    sb.bundle(&root, &archive, &[("SOURCE_DATE_EPOCH", "1700000000")]);
    let e = evidence(&sb.extract(&archive, "x").join("e"));
    assert_eq!(e["commit"], serde_json::Value::Null);
    assert_eq!(e["dirty"], serde_json::Value::Null);
    assert_eq!(e["mtime"], 1_700_000_000u64);
    let bytes = std::fs::read(&archive).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    for entry in archive.entries().unwrap() {
        assert_eq!(entry.unwrap().header().mtime().unwrap(), 1_700_000_000);
    }
}

#[test]
fn the_csvs_parse_with_python_and_hold_every_requirement_with_formulas_quoted() {
    let sb = Sandbox::new();
    let root = sb.clone_to("alarm");
    let archive = sb.path("csv.tar.gz");
    sb.bundle(&root, &archive, &[]);
    let dir = sb.extract(&archive, "x").join("csv");
    let script = r#"
import csv, json, sys
out = {}
for name in ("trace.csv", "requirements.csv"):
    with open(sys.argv[1] + "/" + name, newline="", encoding="utf-8-sig") as f:
        out[name] = list(csv.DictReader(f))
print(json.dumps(out))
"#;
    let o = Command::new("python3").arg("-c").arg(script).arg(&dir).output().expect("python3 runs");
    assert!(o.status.success(), "python: {}", String::from_utf8_lossy(&o.stderr));
    let csvs: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let trace: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("trace.json")).unwrap()).unwrap();
    let mut ids: Vec<(String, String)> = Vec::new();
    for p in trace["plans"].as_array().unwrap() {
        for r in p["requirements"].as_array().unwrap() {
            ids.push((p["id"].as_str().unwrap().into(), r["id"].as_str().unwrap().into()));
        }
    }
    assert_eq!(ids.len(), 4, "{ids:?}");
    let rows = |name: &str| csvs[name].as_array().unwrap().clone();
    let key = |r: &serde_json::Value| {
        (r["plan"].as_str().unwrap().to_string(), r["requirement"].as_str().unwrap().to_string())
    };
    let reqs = rows("requirements.csv");
    assert_eq!(reqs.iter().map(key).collect::<Vec<_>>(), ids, "requirements.csv: one row per requirement");
    let traces = rows("trace.csv");
    for id in &ids {
        assert!(traces.iter().any(|r| key(r) == *id), "{id:?} in trace.csv");
    }
    // Coverage as trace.json says; the uncovered requirement has a row of its own.
    let covered = |id: &str| reqs.iter().find(|r| r["requirement"] == id).unwrap()["covered"].clone();
    assert_eq!(covered("REQ-ALM-001"), "yes");
    assert_eq!(covered("REQ-ALM-004"), "no");
    let r1 = reqs.iter().find(|r| r["requirement"] == "REQ-ALM-001").unwrap();
    assert_eq!((r1["code_traces"].as_str(), r1["phases"].as_str()), (Some("2"), Some("P01")));
    let t4: Vec<_> = traces.iter().filter(|r| r["requirement"] == "REQ-ALM-004").collect();
    assert_eq!(t4.len(), 1);
    assert_eq!((t4[0]["status"].as_str(), t4[0]["path"].as_str()), (Some("uncovered"), Some("")));
    let t1 = traces
        .iter()
        .find(|r| r["requirement"] == "REQ-ALM-001" && r["path"] == "src/alarm.ts")
        .expect("REQ-ALM-001 traced in src/alarm.ts");
    assert_eq!(
        (t1["phase"].as_str(), t1["line"].as_str(), t1["status"].as_str()),
        (Some("P01"), Some("3"), Some("covers"))
    );
    assert!(t1["end_line"].as_str().unwrap().parse::<u32>().unwrap() >= 8, "{t1}");
    let dangling = traces.iter().find(|r| r["requirement"] == "REQ-ALM-999").expect("dangling reference row");
    assert_eq!(dangling["status"], "dangling");
    // Quotes, commas and the em dash survive; formulas are text.
    let title = |id: &str| {
        reqs.iter().find(|r| r["requirement"] == id).unwrap()["title"].as_str().unwrap().to_string()
    };
    assert_eq!(title("REQ-ALM-002"), "Snooze — nine minutes, \"exactly\"");
    assert_eq!(title("REQ-ALM-003"), "'=HYPERLINK(\"https://example.com/x\",\"totals\")");
    assert_eq!(title("REQ-ALM-004"), "'+1 minute drift per day, at most");
    // RFC 4180: CRLF line ends; a UTF-8 byte-order mark for spreadsheets.
    let raw = std::fs::read(dir.join("trace.csv")).unwrap();
    assert!(raw.starts_with(b"\xEF\xBB\xBFplan,requirement,title,phase,path,line,end_line,status\r\n"));
    // Linked from the index page.
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(index.contains("href=\"trace.csv\"") && index.contains("href=\"requirements.csv\""));
}

/// Writes a tar.gz with raw entry names (the `tar` crate's checks bypassed).
fn raw_archive(entries: &[(&[u8], tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut builder =
        tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for (name, kind, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_entry_type(*kind);
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        if kind.is_symlink() {
            h.set_link_name("/etc/passwd").unwrap();
        }
        h.set_cksum();
        builder.append(&h, *data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

#[test]
fn hostile_and_damaged_archives_are_reported_never_followed() {
    let sb = Sandbox::new();
    let root = sb.clone_to("alarm");
    let archive = sb.path("good.tar.gz");
    let good = sb.bundle(&root, &archive, &[]);

    let hostile = sb.path("hostile.tar.gz");
    let sum = format!("{}  a.txt\n", "0".repeat(64));
    std::fs::write(
        &hostile,
        raw_archive(&[
            (b"b/MANIFEST.sha256", tar::EntryType::Regular, sum.as_bytes()),
            (b"b/../../escape.txt", tar::EntryType::Regular, b"x"),
            (b"/etc/evil", tar::EntryType::Regular, b"x"),
            (b"b/link", tar::EntryType::Symlink, b""),
            (b"b/a.txt", tar::EntryType::Regular, b"x"),
            (b"b/a.txt", tar::EntryType::Regular, b"y"),
        ]),
    )
    .unwrap();
    let o = sb.tracemark(&["verify", s(&hostile)]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    assert!(out.contains("refused: b/../../escape.txt: a path outside"), "{out}");
    assert!(out.contains("refused: /etc/evil: a path outside"), "{out}");
    assert!(out.contains("refused: b/link: a link or special file"), "{out}");
    assert!(out.contains("changed: a.txt"), "{out}");
    assert!(out.contains("refused: a.txt: appears twice in the archive"), "{out}");
    assert!(!sb.path("escape.txt").exists() && !root.join("escape.txt").exists());

    // Truncated, garbage, one flipped byte in the compressed stream, data after the end.
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let cases: [(&str, Vec<u8>); 4] = [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("garbage", b"not an archive at all".to_vec()),
        ("flipped", flipped),
        ("trailing", [good.as_slice(), b"more"].concat()),
    ];
    for (name, bytes) in cases {
        let path = sb.path(&format!("{name}.tar.gz"));
        std::fs::write(&path, bytes).unwrap();
        let o = sb.tracemark(&["verify", s(&path)]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {out}{}", String::from_utf8_lossy(&o.stderr));
        assert!(out.starts_with(&format!("{}: ", path.display())), "{name}: {out}");
        assert!(out.contains("corrupt: ") || out.contains("changed: "), "{name}: {out}");
        assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"), "{name}");
    }

    // A path that is not there: tracemark could not run.
    let o = sb.tracemark(&["verify", s(&sb.path("nope.tar.gz"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.tar.gz"));
}
