//! The source tree page (`files/index.html`): every scanned folder, traced or not, with
//! traced / total files and trace counts; traced files linked to their pages; linked
//! from every page's header.

use crate::{build, read};

#[test]
fn every_folder_is_listed_with_counts_and_traced_files_link_to_their_pages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "project-plans/p/specification.md",
        "# P\n\nPlan ID: PLAN-20250101-TREE\n\n### REQ-TREE-001: Shown\n",
    );
    write(
        "packages/core/src/a.ts",
        "// @plan PLAN-20250101-TREE @requirement REQ-TREE-001\nexport const a = 1;\n",
    );
    write("packages/core/src/b.ts", "export const b = 2;\n");
    write("packages/untouched/src/c.ts", "export const c = 3;\n");
    // A root file named like the tree page keeps a page of its own.
    write("index", "@plan PLAN-20250101-TREE @requirement REQ-TREE-001\n");
    let (out, _) = build(root);
    let page = read(out.path(), "files/index.html");
    let text = regex::Regex::new("<[^>]*>").unwrap().replace_all(&page, "").to_string();
    assert!(text.contains("packages/ 1 of 3 files traced · 1 trace"), "{text}");
    assert!(text.contains("untouched/ 0 of 1 files traced"), "an untraced folder is listed: {text}");
    assert!(text.contains("core/ 1 of 2 files traced"), "{text}");
    assert!(page.contains(r#"<a href="packages/core/src/a.ts.html">a.ts</a>"#), "{page}");
    assert!(out.path().join("files/packages/core/src/a.ts.html").is_file());
    assert!(!page.contains(">b.ts<"), "untraced files are counted, not listed");
    // The root file `index` has a page of its own beside the tree.
    let own: Vec<String> = std::fs::read_dir(out.path().join("files"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| regex::Regex::new(r"^index-[0-9a-f]{8}\.html$").unwrap().is_match(n))
        .collect();
    assert_eq!(own.len(), 1, "{own:?}");
    assert!(read(out.path(), &format!("files/{}", own[0])).contains("@plan PLAN-20250101-TREE"));
    assert!(read(out.path(), "index.html").contains(r#"href="files/index.html">Files</a>"#));
}
