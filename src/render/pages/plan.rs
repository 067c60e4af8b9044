//! A plan's page (`plans/<plan>/index.html`): its requirements, phases, trace matrix,
//! documents, items, link matrices, findings, abstract, related plans and open items;
//! and the full trace matrix (`plans/<plan>/matrix.html`) when the plan page shows part of it.

use super::diagnostics::DiagnosticGroup;
use super::document::role_label;
use super::index::PlanRow;
use super::item::{ItemRow, kind_heading};
use super::phase::PhaseRow;
use super::requirement::RequirementRow;
use super::{Deferrals, ForgeLink, LinkView, Page, PageLinker, Site};
use crate::model::{ItemKey, Node, ReqKey};
use crate::plan::{DocumentRole, PhaseStatus};
use crate::render::markdown::Linker;
use crate::render::urls;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;

impl Site<'_> {
    /// The view of plan `p`'s page; its abstract's markdown is deferred into `d`.
    pub(super) fn plan_view(&self, p: usize, d: &Deferrals) -> PlanView {
        let plan = &self.project.plans[p];
        let from = urls::plan(&plan.id);
        let requirements: Vec<RequirementRow> = (0..plan.requirements.len())
            .map(|r| self.requirement_row(&from, ReqKey { plan: p, req: r }))
            .collect();
        let phases: Vec<PhaseRow> = (0..plan.phases.len()).map(|ph| self.phase_row(&from, p, ph)).collect();
        let documents: Vec<DocumentRow> = self
            .project
            .plan_documents(p)
            .into_iter()
            .map(|d| {
                let doc = &self.project.documents[d];
                DocumentRow {
                    link: self.link(&from, doc.path.clone(), self.file_location(&doc.path, 0)),
                    title: doc.title.clone(),
                    role: role_label(&doc.role),
                }
            })
            .collect();
        let mut groups: BTreeMap<&str, DiagnosticGroup> = BTreeMap::new();
        for &d in &self.plan_diagnostics[p] {
            let d = &self.project.diagnostics[d];
            let g = groups.entry(d.code.name()).or_insert_with(|| DiagnosticGroup {
                code: d.code.name(),
                summary: d.code.summary(),
                items: Vec::new(),
            });
            g.items.push(self.diagnostic_view(&from, d));
        }
        let linker = PageLinker { site: self, from: &from, plan: Some(p) };
        PlanView {
            plan: PlanHeader {
                synthetic: plan.synthetic,
                id: plan.id.clone(),
                title: plan.title.clone(),
                folder: plan.folder.clone(),
                declared: self.location_link(&from, &plan.declared.path, plan.declared.line),
                declared_forge: self
                    .forge_link(&plan.declared.path, Some((plan.declared.line, plan.declared.line))),
            },
            row: self.plan_row(&from, p),
            requirements,
            phases,
            matrix: self.matrix_view(&from, p, false),
            documents,
            item_groups: self.item_groups(&from, p),
            link_matrices: self.link_matrices(&from, p),
            traces: self.project.plan_traces[p].len(),
            finding_groups: groups.into_values().collect(),
            r#abstract: self.plan_abstract(d, p, &from, &linker),
            related: self.related_views(&from, p),
            status: crate::model::status::plan_status(self.project, p).label(),
            open: self.open_items(&from, p),
        }
    }

    /// Plan `p`'s page (`plans/<plan>/index.html`).
    pub(super) fn plan(&self, p: usize) -> Result<Page> {
        let plan = &self.project.plans[p];
        let d = Deferrals::default();
        let view = self.plan_view(p, &d);
        self.render_view(
            urls::plan(&plan.id),
            "plan.html",
            &format!("{} — {}", plan.id, plan.title),
            &view,
            d,
        )
    }

    /// The plan's abstract: the lead of its overview, else of its specification
    /// ([`crate::plan::lead`]), rendered by the document renderer; a long one is cut,
    /// with the whole text kept.
    pub(super) fn plan_abstract(
        &self,
        d: &Deferrals,
        p: usize,
        from: &str,
        linker: &dyn Linker,
    ) -> Option<AbstractView> {
        let docs = self.project.plan_documents(p);
        let by_role = |want: fn(&DocumentRole) -> bool| {
            docs.iter().map(|&i| &self.project.documents[i]).filter(move |doc| want(&doc.role))
        };
        let overview = by_role(|r| matches!(r, DocumentRole::Overview));
        let spec = by_role(|r| matches!(r, DocumentRole::Specification));
        let p00 = by_role(|r| matches!(r, DocumentRole::Phase(ph) if ph == "P00"));
        for doc in overview.chain(p00).chain(spec) {
            let Some(text) = self.project.document_text.get(&doc.path) else { continue };
            let Some(lead) = crate::plan::lead::lead(text) else { continue };
            let short = crate::plan::lead::cut(&lead.markdown, crate::plan::lead::ABSTRACT_CHARS);
            let full = self.markdown(d, &lead.markdown, &doc.path, from, linker);
            return Some(AbstractView {
                html: match &short {
                    Some(s) => self.markdown(d, s, &doc.path, from, linker),
                    None => full.clone(),
                },
                full: short.is_some().then_some(full),
                source: self.location_link(from, &doc.path, lead.line),
            });
        }
        None
    }

    /// The plans related to plan `p`, each with its link and reason.
    pub(super) fn related_views(&self, from: &str, p: usize) -> Vec<RelatedView> {
        use crate::model::related::Relation;
        self.related[p]
            .iter()
            .map(|r| {
                let other = &self.project.plans[r.plan];
                let (reason, at) = match &r.relation {
                    Relation::Series { stem } => (format!("same series: {stem}"), None),
                    Relation::NamesThis { at } => {
                        ("names this plan".to_string(), Some(self.location_link(from, &at.path, at.line)))
                    }
                    Relation::NamedByThis { at } => {
                        ("named by this plan".to_string(), Some(self.location_link(from, &at.path, at.line)))
                    }
                };
                RelatedView {
                    link: self.link(from, other.id.clone(), Some(urls::plan(&other.id))),
                    title: other.title.clone(),
                    folder: other.folder.clone(),
                    reason,
                    at,
                }
            })
            .collect()
    }

    /// The plan's open items: pending and conflicting phases, uncovered requirements,
    /// unchecked checklist items by phase, open risks and spec gaps (findings are the
    /// page's findings section, which the count includes but for the
    /// `uncovered-requirement` ones, already counted as uncovered requirements).
    pub(super) fn open_items(&self, from: &str, p: usize) -> OpenItems {
        let plan = &self.project.plans[p];
        let pending: Vec<PhaseRow> = (0..plan.phases.len())
            .filter(|&ph| {
                matches!(
                    plan.phase_status(ph),
                    PhaseStatus::Pending | PhaseStatus::InProgress | PhaseStatus::Failed
                )
            })
            .map(|ph| self.phase_row(from, p, ph))
            .collect();
        let conflicts: Vec<ConflictView> = crate::model::status::phase_conflicts(self.project, p)
            .into_iter()
            .map(|c| ConflictView {
                phase: self.link(
                    from,
                    plan.phases[c.phase].id.clone(),
                    Some(self.phase_url_path(p, c.phase)),
                ),
                kind: c.kind.label(),
                tracker: c.tracker.says,
                tracker_at: self.location_link(from, &c.tracker.location.path, c.tracker.location.line),
                other: c.other.says,
                other_at: self.location_link(from, &c.other.location.path, c.other.location.line),
            })
            .collect();
        let uncovered: Vec<RequirementRow> = (0..plan.requirements.len())
            .filter(|&r| !self.is_covered(ReqKey { plan: p, req: r }))
            .map(|r| self.requirement_row(from, ReqKey { plan: p, req: r }))
            .collect();
        // Unchecked boxes of the plan's checklists, grouped by the phase whose document
        // or section holds them.
        let mut unchecked: BTreeMap<usize, UncheckedGroup> = BTreeMap::new();
        for it in plan.items.iter().filter(|i| i.kind == "checklist") {
            let phase = plan.phases.iter().position(|ph| {
                ph.document.as_deref() == Some(it.location.path.as_str())
                    || (ph.location.path == it.location.path
                        && ph.section.is_some_and(|(a, b)| (a..=b).contains(&it.location.line)))
            });
            for (off, line) in it.text.lines().enumerate() {
                let Some(label) = unchecked_box(line) else { continue };
                let at = it.location.line + off as u32;
                let key = phase.unwrap_or(usize::MAX);
                let g = unchecked.entry(key).or_insert_with(|| UncheckedGroup {
                    phase: phase.map(|ph| {
                        self.link(from, plan.phases[ph].id.clone(), Some(self.phase_url_path(p, ph)))
                    }),
                    items: Vec::new(),
                    total: 0,
                    more: 0,
                });
                g.items.push(UncheckedView {
                    text: label.to_string(),
                    list: it.title.clone(),
                    at: self.location_link(from, &it.location.path, at),
                });
            }
        }
        let risks: Vec<ItemRow> = plan
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| matches!(it.kind.as_str(), "risk" | "gap") && !is_closed(it))
            .map(|(i, _)| self.item_row(from, ItemKey { plan: p, item: i }))
            .collect();
        let mut unchecked: Vec<UncheckedGroup> = unchecked.into_values().collect();
        let unchecked_total: usize = unchecked.iter().map(|g| g.items.len()).sum();
        for g in &mut unchecked {
            g.total = g.items.len();
            g.items.truncate(MAX_UNCHECKED);
            g.more = g.total - g.items.len();
        }
        // An uncovered requirement is listed above and is also an `uncovered-requirement`
        // finding: counted once.
        let other_findings = self.plan_diagnostics[p]
            .iter()
            .filter(|&&d| self.project.diagnostics[d].code != crate::diagnostic::Code::UncoveredRequirement)
            .count();
        let total = pending.len()
            + conflicts.len()
            + uncovered.len()
            + unchecked_total
            + risks.len()
            + other_findings;
        OpenItems {
            total,
            pending,
            conflicts,
            uncovered,
            unchecked,
            risks,
            findings: self.plan_diagnostics[p].len(),
        }
    }

    /// The trace matrix of plan `p`: one row per requirement, one cell per phase, each
    /// saying whether the plan claims the pair and how many traces cite it.
    pub(super) fn trace_matrix(&self, p: usize) -> Vec<Vec<MatrixCell>> {
        let plan = &self.project.plans[p];
        let mut matrix = Vec::new();
        for r in 0..plan.requirements.len() {
            let key = ReqKey { plan: p, req: r };
            let claimed = self.project.requirement_phases.get(&key);
            let traces = self.project.requirement_traces.get(&key);
            let cells: Vec<MatrixCell> = (0..plan.phases.len())
                .map(|ph| {
                    let names_phase = |t: &usize| {
                        self.project.traces[*t]
                            .plans
                            .iter()
                            .any(|pt| pt.plan == Some(p) && pt.phase == Some(ph))
                    };
                    let (traced, documented) = traces.map_or((0, false), |ts| {
                        let code = ts
                            .iter()
                            .filter(|t| names_phase(t) && self.project.traces[**t].in_code())
                            .count();
                        let docs = ts.iter().any(|t| names_phase(t) && !self.project.traces[*t].in_code());
                        (code, docs)
                    });
                    let claimed = claimed.is_some_and(|c| c.contains(&ph));
                    let failing =
                        traces.is_some_and(|ts| ts.iter().any(|&t| names_phase(&t) && self.trace_failed(t)));
                    MatrixCell { traced, documented, claimed, failing }
                })
                .collect();
            matrix.push(cells);
        }
        matrix
    }

    /// The trace matrix as page `from` shows it. The plan page (`full` false) leaves out
    /// the requirements and phases whose row or column holds no mark, and shows at most
    /// [`MATRIX_ROWS`] rows and [`MATRIX_COLUMNS`] columns; when that leaves anything
    /// out it links to the full matrix (`plans/<plan>/matrix.html`, every row and
    /// column: `full` true).
    pub(super) fn matrix_view(&self, from: &str, p: usize, full: bool) -> MatrixView {
        let plan = &self.project.plans[p];
        let cells = self.trace_matrix(p);
        let (rows, columns) = if full {
            ((0..plan.requirements.len()).collect(), (0..plan.phases.len()).collect())
        } else {
            matrix_shown(&cells, plan.phases.len())
        };
        let mut view = MatrixView {
            total_rows: plan.requirements.len(),
            total_columns: plan.phases.len(),
            empty_rows: 0,
            empty_columns: 0,
            columns: Vec::new(),
            rows: Vec::new(),
            cut_rows: false,
            cut_columns: false,
            max_rows: MATRIX_ROWS,
            max_columns: MATRIX_COLUMNS,
            full: None,
            density: matrix_density(columns.len()),
        };
        if !full {
            view.empty_rows = cells.iter().filter(|row| row.iter().all(MatrixCell::is_empty)).count();
            view.empty_columns =
                (0..plan.phases.len()).filter(|&c| cells.iter().all(|row| row[c].is_empty())).count();
            view.cut_rows = rows.len() + view.empty_rows < plan.requirements.len();
            view.cut_columns = columns.len() + view.empty_columns < plan.phases.len();
            if rows.len() < plan.requirements.len() || columns.len() < plan.phases.len() {
                view.full = Some(urls::relative(from, &urls::plan_matrix(&plan.id)));
            }
        }
        view.columns = columns
            .iter()
            .map(|&ph| self.link(from, plan.phases[ph].id.clone(), Some(self.phase_url_path(p, ph))))
            .collect();
        view.rows = rows
            .iter()
            .map(|&r| MatrixRow {
                link: self.link(
                    from,
                    plan.requirements[r].id.clone(),
                    Some(self.requirement_path(ReqKey { plan: p, req: r })),
                ),
                cells: columns.iter().map(|&c| cells[r][c]).collect(),
            })
            .collect();
        view
    }

    /// Whether the plan page's trace matrix leaves rows or columns out (so the plan has
    /// a full matrix page).
    pub(super) fn matrix_reduced(&self, p: usize) -> bool {
        let plan = &self.project.plans[p];
        if plan.requirements.is_empty() || plan.phases.is_empty() {
            return false;
        }
        let (rows, columns) = matrix_shown(&self.trace_matrix(p), plan.phases.len());
        rows.len() < plan.requirements.len() || columns.len() < plan.phases.len()
    }

    /// The view of plan `p`'s full trace matrix.
    pub(super) fn plan_matrix_view(&self, p: usize) -> PlanMatrixView {
        let plan = &self.project.plans[p];
        let from = urls::plan_matrix(&plan.id);
        PlanMatrixView {
            plan: self.link(&from, plan.id.clone(), Some(urls::plan(&plan.id))),
            plan_title: plan.title.clone(),
            matrix: self.matrix_view(&from, p, true),
        }
    }

    /// The full trace matrix of plan `p` (`plans/<plan>/matrix.html`).
    pub(super) fn plan_matrix(&self, p: usize) -> Result<Page> {
        let plan = &self.project.plans[p];
        let view = self.plan_matrix_view(p);
        let title = format!("Trace matrix — {}", plan.id);
        self.render_view(urls::plan_matrix(&plan.id), "matrix.html", &title, &view, Deferrals::default())
    }

    /// The kind name of a node (`task`, `phase`, `requirement`).
    pub(super) fn node_kind(&self, n: Node) -> &str {
        match n {
            Node::Requirement { .. } => "requirement",
            Node::Phase { .. } => "phase",
            Node::Item { key } => &self.project.plans[key.plan].items[key.item].kind,
        }
    }

    /// One matrix per (source kind, target kind) pair linked in the plan: phases × tasks
    /// (includes), tasks × tasks (depends on), risks × tasks (mitigated by), … Rows are
    /// the sources with such links, columns their targets, in plan order; a cell names
    /// the link. Pairs with more than [`MAX_MATRIX`] rows or columns are left out (the
    /// item tables list the same links).
    pub(super) fn link_matrices(&self, from: &str, p: usize) -> Vec<LinkMatrix> {
        let plan = &self.project.plans[p];
        let mut edges: Vec<(Node, Node, &'static str)> = Vec::new();
        for ii in 0..plan.items.len() {
            let key = ItemKey { plan: p, item: ii };
            let targets = self.project.item_link_targets.get(&key).map_or(&[][..], Vec::as_slice);
            for (l, t) in plan.items[ii].links.iter().zip(targets) {
                if let Some(t) = t {
                    edges.push((Node::Item { key }, *t, l.kind.label()));
                }
            }
        }
        for ph in 0..plan.phases.len() {
            let targets = self.project.phase_link_targets.get(&(p, ph)).map_or(&[][..], Vec::as_slice);
            for (l, t) in plan.phases[ph].links.iter().zip(targets) {
                if let Some(t) = t {
                    edges.push((Node::Phase { plan: p, phase: ph }, *t, l.kind.label()));
                }
            }
        }
        let mut pairs: Vec<(String, String)> = edges
            .iter()
            .map(|(a, b, _)| (self.node_kind(*a).to_string(), self.node_kind(*b).to_string()))
            .collect();
        pairs.sort();
        pairs.dedup();
        let mut out = Vec::new();
        for (sk, tk) in pairs {
            let group: Vec<&(Node, Node, &str)> = edges
                .iter()
                .filter(|(a, b, _)| self.node_kind(*a) == sk && self.node_kind(*b) == tk)
                .collect();
            let mut rows: Vec<Node> = group.iter().map(|e| e.0).collect();
            let mut cols: Vec<Node> = group.iter().map(|e| e.1).collect();
            rows.sort();
            rows.dedup();
            cols.sort();
            cols.dedup();
            if rows.len() > MAX_MATRIX || cols.len() > MAX_MATRIX {
                continue;
            }
            let cells = rows
                .iter()
                .map(|r| {
                    let cells = cols
                        .iter()
                        .map(|c| group.iter().find(|e| e.0 == *r && e.1 == *c).map_or("", |e| e.2))
                        .collect();
                    (self.node_link(from, *r), cells)
                })
                .collect();
            out.push(LinkMatrix {
                title: format!("{} × {}", kind_heading(&sk), kind_heading(&tk).to_lowercase()),
                columns: cols.iter().map(|c| self.node_link(from, *c)).collect(),
                rows: cells,
            });
        }
        out
    }

    /// The plan's items as one table per kind, in grammar order.
    pub(super) fn item_groups(&self, from: &str, p: usize) -> Vec<ItemGroup> {
        let plan = &self.project.plans[p];
        let mut groups: Vec<ItemGroup> = Vec::new();
        for (ii, it) in plan.items.iter().enumerate() {
            let key = ItemKey { plan: p, item: ii };
            let row = self.item_row(from, key);
            match groups.last_mut() {
                Some(g) if g.kind == it.kind => g.rows.push(row),
                _ => groups.push(ItemGroup {
                    kind: it.kind.clone(),
                    heading: kind_heading(&it.kind),
                    rows: vec![row],
                }),
            }
        }
        groups
    }
}

/// A plan's page.
#[derive(Serialize)]
pub(super) struct PlanView {
    pub(super) plan: PlanHeader,
    /// The plan's counts, as on the index.
    pub(super) row: PlanRow,
    pub(super) requirements: Vec<RequirementRow>,
    pub(super) phases: Vec<PhaseRow>,
    /// The trace matrix, reduced to its rows and columns with a mark.
    pub(super) matrix: MatrixView,
    pub(super) documents: Vec<DocumentRow>,
    /// The items, one table per kind.
    pub(super) item_groups: Vec<ItemGroup>,
    pub(super) link_matrices: Vec<LinkMatrix>,
    /// How many traces name the plan.
    pub(super) traces: usize,
    /// The plan's findings by code.
    pub(super) finding_groups: Vec<DiagnosticGroup>,
    pub(super) r#abstract: Option<AbstractView>,
    pub(super) related: Vec<RelatedView>,
    /// The plan's status from all evidence ([`crate::model::status::plan_status`]).
    pub(super) status: &'static str,
    pub(super) open: OpenItems,
}

/// A plan's full trace matrix (`plans/<plan>/matrix.html`).
#[derive(Serialize)]
pub(super) struct PlanMatrixView {
    pub(super) plan: LinkView,
    pub(super) plan_title: String,
    pub(super) matrix: MatrixView,
}

#[derive(Serialize)]
pub(super) struct PlanHeader {
    pub(super) synthetic: bool,
    pub(super) id: String,
    pub(super) title: String,
    pub(super) folder: String,
    pub(super) declared: LinkView,
    pub(super) declared_forge: Option<ForgeLink>,
}

/// A plan's abstract: its HTML (cut when long), the whole text when cut, and where
/// it is written.
#[derive(Serialize)]
pub(super) struct AbstractView {
    pub(super) html: String,
    pub(super) full: Option<String>,
    pub(super) source: LinkView,
}

/// A related plan and why.
#[derive(Serialize)]
pub(super) struct RelatedView {
    pub(super) link: LinkView,
    pub(super) title: String,
    pub(super) folder: String,
    /// `same series \`stateless\``, `names this plan`, `named by this plan`.
    pub(super) reason: String,
    /// Where the naming is written.
    pub(super) at: Option<LinkView>,
}

/// A phase whose evidence disagrees, with both sides.
#[derive(Serialize)]
pub(super) struct ConflictView {
    pub(super) phase: LinkView,
    pub(super) kind: &'static str,
    pub(super) tracker: String,
    pub(super) tracker_at: LinkView,
    pub(super) other: String,
    pub(super) other_at: LinkView,
}

/// The most unchecked boxes listed per phase on a plan page; the rest are counted (the
/// phase's page shows its document whole).
pub(super) const MAX_UNCHECKED: usize = 50;

/// The unchecked boxes of one phase (or of the plan, `phase` none): the first
/// [`MAX_UNCHECKED`], and how many there are.
#[derive(Serialize)]
pub(super) struct UncheckedGroup {
    pub(super) phase: Option<LinkView>,
    pub(super) items: Vec<UncheckedView>,
    pub(super) total: usize,
    /// How many are not listed.
    pub(super) more: usize,
}

#[derive(Serialize)]
pub(super) struct UncheckedView {
    pub(super) text: String,
    /// The checklist's label.
    pub(super) list: String,
    pub(super) at: LinkView,
}

/// The open items section of a plan page.
#[derive(Serialize)]
pub(super) struct OpenItems {
    /// Everything below, findings included.
    pub(super) total: usize,
    pub(super) pending: Vec<PhaseRow>,
    pub(super) conflicts: Vec<ConflictView>,
    pub(super) uncovered: Vec<RequirementRow>,
    pub(super) unchecked: Vec<UncheckedGroup>,
    pub(super) risks: Vec<ItemRow>,
    pub(super) findings: usize,
}

/// The most rows or columns a link matrix of a plan page shows.
pub(super) const MAX_MATRIX: usize = 150;

#[derive(Serialize)]
pub(super) struct LinkMatrix {
    /// `Tasks × tasks`.
    pub(super) title: String,
    pub(super) columns: Vec<LinkView>,
    /// Each row: its source and, per column, the link's label or "".
    pub(super) rows: Vec<(LinkView, Vec<&'static str>)>,
}

#[derive(Serialize)]
pub(super) struct ItemGroup {
    pub(super) kind: String,
    pub(super) heading: String,
    pub(super) rows: Vec<ItemRow>,
}

/// The most requirements (rows) the trace matrix of a plan page shows.
pub(super) const MATRIX_ROWS: usize = 150;

/// The most phases (columns) the trace matrix of a plan page shows.
pub(super) const MATRIX_COLUMNS: usize = 60;

/// The rows and columns of a plan page's trace matrix: those with at least one mark,
/// the first [`MATRIX_ROWS`] and [`MATRIX_COLUMNS`] of them.
pub(super) fn matrix_shown(cells: &[Vec<MatrixCell>], phases: usize) -> (Vec<usize>, Vec<usize>) {
    let rows: Vec<usize> =
        (0..cells.len()).filter(|&r| !cells[r].iter().all(MatrixCell::is_empty)).take(MATRIX_ROWS).collect();
    let columns: Vec<usize> =
        (0..phases).filter(|&c| !cells.iter().all(|row| row[c].is_empty())).take(MATRIX_COLUMNS).collect();
    (rows, columns)
}

/// The class that sizes a printed matrix of `columns` phases to the page width: none
/// up to 30 columns, then `dense`, `denser` and (over 80) `densest`.
pub(super) fn matrix_density(columns: usize) -> &'static str {
    match columns {
        0..=30 => "",
        31..=50 => "dense",
        51..=80 => "denser",
        _ => "densest",
    }
}

/// A trace matrix as a page shows it.
#[derive(Serialize)]
pub(super) struct MatrixView {
    /// The plan's requirements and phases, shown or not.
    pub(super) total_rows: usize,
    pub(super) total_columns: usize,
    /// Requirements and phases left out because their row or column holds no mark.
    pub(super) empty_rows: usize,
    pub(super) empty_columns: usize,
    /// The phases shown.
    pub(super) columns: Vec<LinkView>,
    pub(super) rows: Vec<MatrixRow>,
    /// Whether the rows (columns) with marks are more than a plan page shows.
    pub(super) cut_rows: bool,
    pub(super) cut_columns: bool,
    /// The caps ([`MATRIX_ROWS`], [`MATRIX_COLUMNS`]).
    pub(super) max_rows: usize,
    pub(super) max_columns: usize,
    /// The full matrix's page, when this one leaves rows or columns out.
    pub(super) full: Option<String>,
    /// How small the print style sets the matrix so its columns fit a page:
    /// [`matrix_density`].
    pub(super) density: &'static str,
}

#[derive(Serialize)]
pub(super) struct MatrixRow {
    pub(super) link: LinkView,
    pub(super) cells: Vec<MatrixCell>,
}

#[derive(Clone, Copy, Serialize)]
pub(super) struct MatrixCell {
    /// Traces in code citing the requirement for this phase.
    pub(super) traced: usize,
    /// Whether a plan document's HTML comment cites it for this phase.
    pub(super) documented: bool,
    /// Whether the plan maps the requirement to this phase.
    pub(super) claimed: bool,
    /// Whether a test case matched to one of the traces failed.
    pub(super) failing: bool,
}

impl MatrixCell {
    /// Whether the cell holds no mark: no trace, no citation, no claim.
    pub(super) fn is_empty(&self) -> bool {
        self.traced == 0 && !self.documented && !self.claimed && !self.failing
    }
}

#[derive(Serialize)]
pub(super) struct DocumentRow {
    pub(super) link: LinkView,
    pub(super) title: String,
    pub(super) role: String,
}

/// The label of an unchecked task-list line (`- [ ] Run the tests` → `Run the tests`).
pub(super) fn unchecked_box(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t.strip_prefix(['-', '*', '+']).or_else(|| {
        let digits = t.find(|c: char| !c.is_ascii_digit()).filter(|&i| i > 0)?;
        t[digits..].strip_prefix(['.', ')'])
    })?;
    rest.trim_start().strip_prefix("[ ]").map(str::trim).filter(|s| !s.is_empty())
}

/// Whether a risk or spec gap is closed: its `status` attribute reads as done
/// ([`crate::plan::normalise_status`]) or says closed, mitigated, fixed, accepted or
/// retired. One without a status is open.
pub(super) fn is_closed(it: &crate::plan::Item) -> bool {
    let Some(s) = it.attribute("status") else { return false };
    let lower = s.to_lowercase();
    crate::plan::normalise_status(s) == PhaseStatus::Done
        || ["closed", "mitigated", "fixed", "accepted", "retired", "addressed"]
            .iter()
            .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{FILES, html, with_site};
    use super::unchecked_box;

    #[test]
    fn plan_view_lists_open_items_and_the_trace_matrix() {
        with_site(FILES, |site| {
            let view = site.plan_view(0, &Default::default());
            assert_eq!(view.plan.id, "PLAN-20260101-DEMO");
            assert_eq!(view.requirements.len(), 3);
            let open = &view.open;
            let texts = |links: Vec<&str>| links.into_iter().map(str::to_string).collect::<Vec<_>>();
            assert_eq!(texts(open.pending.iter().map(|r| r.link.text.as_str()).collect()), ["P02"]);
            assert_eq!(
                texts(open.uncovered.iter().map(|r| r.link.text.as_str()).collect()),
                ["REQ-002", "REQ-003"]
            );
            assert_eq!(open.unchecked.len(), 1);
            assert_eq!(open.unchecked[0].phase.as_ref().map(|l| l.text.as_str()), Some("P01"));
            assert_eq!(open.unchecked[0].items[0].text, "Check the fuse");
            // R-002 is mitigated, so closed.
            assert_eq!(texts(open.risks.iter().map(|r| r.link.text.as_str()).collect()), ["R-001"]);
            assert_eq!(
                open.total,
                open.pending.len() + open.conflicts.len() + 2 + 1 + 1 + open.findings - 2,
                "pending, conflicts, uncovered, unchecked, risks and findings are counted; the two \
                 uncovered-requirement findings are the uncovered requirements, counted once"
            );
            // REQ-001 × P01 has two traces in code; REQ-002 × P02 a plan document's.
            let m = &view.matrix;
            assert_eq!((m.total_rows, m.total_columns), (3, 2));
            assert_eq!(m.empty_rows, 1, "REQ-003 has no mark");
            let row = |id: &str| m.rows.iter().find(|r| r.link.text == id).expect("row shown");
            assert_eq!(row("REQ-001").cells[0].traced, 2);
            assert!(row("REQ-001").cells[0].claimed);
            assert!(row("REQ-002").cells[1].documented);
            assert!(m.full.is_some(), "a reduced matrix links to the full one");
            assert!(site.matrix_reduced(0));
            let full = site.plan_matrix_view(0);
            assert_eq!(full.matrix.rows.len(), 3);
            assert!(full.matrix.full.is_none());
            assert!(html(site.plan(0)).contains("Check the fuse"));
        });
    }

    #[test]
    fn unchecked_boxes_are_read_from_task_list_lines() {
        assert_eq!(unchecked_box("- [ ] Run the tests"), Some("Run the tests"));
        assert_eq!(unchecked_box("  3. [ ] Deploy"), Some("Deploy"));
        assert_eq!(unchecked_box("- [x] Done"), None);
        assert_eq!(unchecked_box("- [ ]"), None);
    }
}
