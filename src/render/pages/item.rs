//! An item's page (task, risk, gate, spec gap, …): its definition, state, attributes,
//! links and traces. Checklists get no page of their own ([`has_page`]).

use super::{Deferrals, ForgeLink, LinkGroup, LinkView, MAX_EXCERPTS, Page, PageLinker, Site, TraceView};
use crate::model::{ItemKey, Node};
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;

impl Site<'_> {
    pub(super) fn item_row(&self, from: &str, key: ItemKey) -> ItemRow {
        let it = &self.project.plans[key.plan].items[key.item];
        let state = item_state(it);
        ItemRow {
            link: self.link(from, it.id.clone(), Some(self.item_path(key))),
            title: it.title.clone(),
            state,
            owner: ["owner", "owner/role", "role"]
                .iter()
                .find_map(|n| it.attribute(n))
                .unwrap_or("")
                .to_string(),
            links: self.link_groups(
                from,
                Node::Item { key },
                &it.links,
                self.project.item_link_targets.get(&key),
            ),
            traces: self.project.item_traces.get(&key).map_or(0, Vec::len),
        }
    }

    /// The view of item `key`'s page; definition and excerpts deferred into `d`.
    pub(super) fn item_view(&self, key: ItemKey, d: &Deferrals) -> ItemView<'_> {
        let plan = &self.project.plans[key.plan];
        let it = &plan.items[key.item];
        let from = self.item_path(key);
        let linker = PageLinker { site: self, from: &from, plan: Some(key.plan) };
        let definition = self.definition(d, &it.text, &it.location.path, &from, &linker);
        let traces = self.project.item_traces.get(&key).map_or(&[][..], Vec::as_slice);
        let traces: Vec<TraceView> = traces
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let excerpt = i < MAX_EXCERPTS && self.project.traces[t].in_code();
                self.trace_view(&from, t, excerpt.then_some(d))
            })
            .collect();
        let attributes: Vec<&crate::plan::Attribute> = it
            .attributes
            .iter()
            .filter(|a| !(it.kind == "gate" && a.name == "result"))
            .filter(|a| !(it.kind == "checklist" && matches!(a.name.as_str(), "checked" | "total")))
            .collect();
        ItemView {
            plan: self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))),
            plan_title: &plan.title,
            kind: &it.kind,
            kind_heading: kind_heading(&it.kind),
            id: &it.id,
            title: &it.title,
            state: item_state(it),
            defined_at: self.location_link(&from, &it.location.path, it.location.line),
            defined_at_forge: self.forge_link(&it.location.path, Some((it.location.line, it.location.line))),
            definition,
            attributes,
            links: self.link_groups(
                &from,
                Node::Item { key },
                &it.links,
                self.project.item_link_targets.get(&key),
            ),
            traces,
        }
    }

    /// Item `key`'s page (`plans/<plan>/items/<kind>/<id>.html`).
    pub(super) fn item(&self, key: ItemKey) -> Result<Page> {
        let it = &self.project.plans[key.plan].items[key.item];
        let d = Deferrals::default();
        let view = self.item_view(key, &d);
        let title = if it.title.is_empty() { it.id.clone() } else { format!("{} — {}", it.id, it.title) };
        self.render_view(self.item_path(key), "item.html", &title, &view, d)
    }
}

/// An item's page.
#[derive(Serialize)]
pub(super) struct ItemView<'a> {
    pub(super) plan: LinkView,
    pub(super) plan_title: &'a str,
    /// `task`, `risk`, `gate`, …
    pub(super) kind: &'a str,
    /// `Tasks`, `Spec gaps`, …
    pub(super) kind_heading: String,
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    pub(super) state: Option<ItemState>,
    pub(super) defined_at: LinkView,
    pub(super) defined_at_forge: Option<ForgeLink>,
    /// The item's text, rendered (deferred), or empty.
    pub(super) definition: String,
    /// Its attributes but those the badge shows.
    pub(super) attributes: Vec<&'a crate::plan::Attribute>,
    pub(super) links: Vec<LinkGroup>,
    pub(super) traces: Vec<TraceView>,
}

#[derive(Serialize)]
pub(super) struct ItemRow {
    pub(super) link: LinkView,
    pub(super) title: String,
    pub(super) state: Option<ItemState>,
    pub(super) owner: String,
    pub(super) links: Vec<LinkGroup>,
    pub(super) traces: usize,
}

/// The badge of an item: a gate's result, a checklist's progress, or a status
/// attribute as written.
#[derive(Serialize)]
pub(super) struct ItemState {
    /// The badge text (`PASS`, `7 of 7 checked`, `open`).
    pub(super) text: String,
    /// CSS class: `pass`, `fail`, `done`, `partial` or `other`.
    pub(super) class: &'static str,
}

pub(super) fn item_state(it: &crate::plan::Item) -> Option<ItemState> {
    match it.kind.as_str() {
        "gate" => it
            .attribute("result")
            .map(|r| ItemState { text: r.to_string(), class: if r == "PASS" { "pass" } else { "fail" } }),
        "checklist" => {
            let n = |name| it.attribute(name).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
            let (checked, total) = (n("checked"), n("total"));
            Some(ItemState {
                text: format!("{checked} of {total} checked"),
                class: if checked == total { "done" } else { "partial" },
            })
        }
        _ => it
            .attribute("status")
            .filter(|s| !s.is_empty())
            .map(|s| ItemState { text: s.to_string(), class: "other" }),
    }
}

/// Whether an item gets a page of its own. Checklists do not: they are many (every
/// verification list of every phase file) and their page would restate their document;
/// they link to the document, and the plan's checklist table shows their progress.
pub(super) fn has_page(it: &crate::plan::Item) -> bool {
    it.kind != "checklist"
}

/// A kind's plural heading (`task` → `Tasks`, `gap` → `Spec gaps`).
pub(super) fn kind_heading(kind: &str) -> String {
    match kind {
        "gap" => "Spec gaps".into(),
        k => {
            let mut c = k.chars();
            let first = c.next().map(|f| f.to_uppercase().collect::<String>()).unwrap_or_default();
            format!("{first}{}s", c.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};
    use super::{has_page, kind_heading};
    use crate::model::ItemKey;

    #[test]
    fn item_view_has_its_state_attributes_and_traces() {
        with_site(FILES, |site| {
            let plan = &site.project.plans[0];
            let item = |id: &str| plan.items.iter().position(|i| i.id == id).expect("item read");
            let key = ItemKey { plan: 0, item: item("R-001") };
            let view = site.item_view(key, &Default::default());
            assert_eq!(
                (view.kind, view.kind_heading.as_str(), view.title),
                ("risk", "Risks", "Bulbs burn out")
            );
            let state = view.state.as_ref().expect("a status attribute gives a badge");
            assert_eq!((state.text.as_str(), state.class), ("open", "other"));
            assert_eq!(
                view.traces.iter().map(|t| t.location.text.as_str()).collect::<Vec<_>>(),
                ["src/fuse.ts:1"]
            );
            assert_eq!(view.plan.url.as_deref(), Some("../../index.html"));
            assert!(html(site.item(key)).contains("Bulbs burn out"));
            let checklist = plan.items.iter().find(|i| i.kind == "checklist").expect("checklist read");
            assert!(!has_page(checklist));
        });
        assert_eq!(kind_heading("gap"), "Spec gaps");
        assert_eq!(kind_heading("task"), "Tasks");
    }
}
