//! An item's page (task, risk, gate, spec gap, …): its definition, state, attributes,
//! links and traces. Checklists get no page of their own ([`has_page`]).

use super::*;

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

    pub(super) fn item(&self, key: ItemKey) -> Result<Page> {
        let plan = &self.project.plans[key.plan];
        let it = &plan.items[key.item];
        let from = self.item_path(key);
        let linker = PageLinker { site: self, from: &from, plan: Some(key.plan) };
        let d = Deferrals::default();
        let definition = self.definition(&d, &it.text, &it.location.path, &from, &linker);
        let traces = self.project.item_traces.get(&key).map_or(&[][..], Vec::as_slice);
        let trace_views: Vec<TraceView> = traces
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let excerpt = i < MAX_EXCERPTS && self.project.traces[t].in_code();
                self.trace_view(&from, t, excerpt.then_some(&d))
            })
            .collect();
        let attributes: Vec<&crate::plan::Attribute> = it
            .attributes
            .iter()
            .filter(|a| !(it.kind == "gate" && a.name == "result"))
            .filter(|a| !(it.kind == "checklist" && matches!(a.name.as_str(), "checked" | "total")))
            .collect();
        let mut ctx = PageCtx::default();
        ctx.insert("plan", self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))));
        ctx.insert("plan_title", &plan.title);
        ctx.insert("kind", &it.kind);
        ctx.insert("kind_heading", kind_heading(&it.kind));
        ctx.insert("id", &it.id);
        ctx.insert("title", &it.title);
        ctx.insert("state", item_state(it));
        ctx.insert("defined_at", self.location_link(&from, &it.location.path, it.location.line));
        ctx.insert(
            "defined_at_forge",
            self.forge_link(&it.location.path, Some((it.location.line, it.location.line))),
        );
        ctx.insert("definition", &definition);
        ctx.insert("attributes", &attributes);
        ctx.insert(
            "links",
            self.link_groups(&from, Node::Item { key }, &it.links, self.project.item_link_targets.get(&key)),
        );
        ctx.insert("traces", &trace_views);
        let title = if it.title.is_empty() { it.id.clone() } else { format!("{} — {}", it.id, it.title) };
        self.page_deferred(from, "item.html", &title, ctx, d)
    }
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
