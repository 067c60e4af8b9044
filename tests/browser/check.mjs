// Browser checks of a built tracemark site, in headless Chromium through puppeteer-core:
//
//   node check.mjs --site DIR [--chromium PATH] [--pdf DIR] PAGE...
//
// PAGE is a path inside DIR (`index.html`, `plans/P/index.html`, …). For each page, in
// this order:
//   axe    axe-core's WCAG 2.x A/AA rules with the light and the dark colour scheme
//          (`prefers-color-scheme` emulated); the violations with their impact and nodes;
//   phone  the page at a 375 px wide viewport: `document.documentElement.scrollWidth`
//          and the widest elements that stick out of it;
//   print  print media at the printable width of an A4 page with Chromium's default
//          margins (718 px): the page width, every `pre` whose text is cut (scrollWidth
//          above clientWidth, or scrollHeight above clientHeight), every table wider than
//          the page, each trace matrix's columns and how many of them lie inside the page,
//          whether the header and navigation are hidden, and how many links to other
//          sites print their address;
//   pdf    with --pdf DIR: the page printed to an A4 PDF by Chromium (1 cm margins, as
//          Chromium's print dialog), its text extracted with `pdftotext -raw` (poppler;
//          raw keeps a hyphen at the end of a wrapped line, which the default drops), and
//          which code lines and which trace matrix column headers are missing from it
//          (a line or column cut off the paper is missing from the text). `null` when
//          pdftotext is not installed.
// Prints one JSON object on stdout: `{ "pages": [ { "page", "axe": { "light", "dark" },
// "phone", "print" } ] }`. Exit status 0 when every page was checked, 2 when the browser
// or a page could not be loaded (the message on stderr). It judges nothing: the caller
// asserts on the figures.
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { accessSync, constants } from "node:fs";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The phone viewport's width, CSS pixels. */
const PHONE = 375;
/** A4 (210 mm) less Chromium's default print margins (1 cm each side), CSS pixels. */
const PRINT = 718;

function args(argv) {
  const o = { site: null, chromium: process.env.CHROMIUM || "chromium", pdf: null, pages: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--site") o.site = argv[++i];
    else if (argv[i] === "--chromium") o.chromium = argv[++i];
    else if (argv[i] === "--pdf") o.pdf = argv[++i];
    else o.pages.push(argv[i]);
  }
  if (!o.site || o.pages.length === 0) {
    process.stderr.write("usage: node check.mjs --site DIR [--chromium PATH] PAGE...\n");
    process.exit(2);
  }
  return o;
}

/** axe-core on the loaded page: the violations, shortened to what a report needs. */
async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      examples: v.nodes.slice(0, 3).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  });
  return result;
}

/** The page width and the elements that make it wider than the viewport. */
async function overflow(page, width) {
  return page.evaluate((width) => {
    const doc = document.documentElement;
    const offenders = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right <= width + 0.5 || r.width === 0) continue;
      // Inside a box that scrolls or clips, sticking out is that box's business.
      let boxed = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible") { boxed = true; break; }
      }
      if (boxed) continue;
      // Only the outermost: an element whose parent sticks out as well is not named.
      const p = el.parentElement.getBoundingClientRect();
      if (p.right > width + 0.5 && el.parentElement !== document.body) continue;
      const name = el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
      offenders.push({ element: name, right: Math.round(r.right), text: (el.textContent || "").trim().slice(0, 60) });
      if (offenders.length >= 5) break;
    }
    return { width, scrollWidth: doc.scrollWidth, offenders };
  }, width);
}

/** Print layout facts: cut code blocks, tables wider than the page, hidden chrome. */
async function print(page) {
  return page.evaluate((width) => {
    const cut = [];
    for (const pre of document.querySelectorAll("pre")) {
      if (pre.scrollWidth > pre.clientWidth + 1 || pre.scrollHeight > pre.clientHeight + 1) {
        cut.push({ scrollWidth: pre.scrollWidth, clientWidth: pre.clientWidth, scrollHeight: pre.scrollHeight, clientHeight: pre.clientHeight, text: pre.textContent.trim().slice(0, 60) });
      }
    }
    const wide = [];
    for (const t of document.querySelectorAll("table")) {
      const r = t.getBoundingClientRect();
      if (r.right > width + 0.5 || t.scrollWidth > Math.ceil(r.width) + 1) {
        wide.push({ table: t.className, right: Math.round(r.right), scrollWidth: t.scrollWidth, columns: t.rows[0] ? t.rows[0].cells.length : 0 });
      }
    }
    const hidden = (sel) => [...document.querySelectorAll(sel)].every((e) => getComputedStyle(e).display === "none");
    // A link to another page prints its address after its text (`a[href]::after`).
    const links = [...document.querySelectorAll("main a[href]")].filter((a) => !a.getAttribute("href").startsWith("#"));
    const printed = links.filter((a) => {
      const c = getComputedStyle(a, "::after").content;
      return c && c !== "none" && c !== "normal";
    });
    const matrices = [...document.querySelectorAll("table.matrix")].map((t) => {
      const r = t.getBoundingClientRect();
      const head = t.tHead && t.tHead.rows[0] ? [...t.tHead.rows[0].cells] : [];
      return {
        columns: head.length,
        right: Math.round(r.right),
        // Every header cell inside the page (none pushed out or squeezed to nothing).
        columns_inside: head.filter((c) => {
          const b = c.getBoundingClientRect();
          return b.width > 0 && b.right <= width + 0.5;
        }).length,
      };
    });
    return {
      width,
      scrollWidth: document.documentElement.scrollWidth,
      pre: document.querySelectorAll("pre").length,
      matrices,
      cut_pre: cut,
      wide_tables: wide,
      nav_hidden: hidden("header.top, nav, form"),
      links: links.length,
      links_with_address: printed.length,
    };
  }, PRINT);
}

/** The page printed to a real PDF: which code lines and matrix columns its text lacks. */
async function pdf(page, file) {
  await page.pdf({ path: file, format: "A4", margin: { top: "1cm", bottom: "1cm", left: "1cm", right: "1cm" } });
  let text;
  try {
    text = execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"], { encoding: "utf8", maxBuffer: 256 << 20 });
  } catch {
    return null;
  }
  // Compared without white space (wrapping adds line breaks) and without characters
  // outside ASCII (an emoji or CJK glyph the machine has no font for is missing from
  // the PDF's text whether or not its line was cut).
  const squash = (s) => s.replace(/[^\x21-\x7e]+/g, "");
  const all = squash(text);
  const lines = new Set(text.split("\n").map((l) => l.trim()).filter(Boolean));
  const facts = await page.evaluate(() => {
    const lines = [];
    for (const pre of document.querySelectorAll("pre")) {
      // Highlighted code has one span per line (its number is drawn by CSS); a plain
      // block is split at its newlines. The links a source line carries to the IDs it
      // cites (`.refs`) sit beside the code, so they are not part of the line.
      const spans = pre.querySelectorAll("code > span");
      const code = (s) => {
        const c = s.cloneNode(true);
        c.querySelectorAll(".refs").forEach((r) => r.remove());
        return c.textContent;
      };
      const ls = spans.length ? [...spans].map(code) : pre.textContent.split("\n");
      for (const l of ls) if (l.trim()) lines.push(l);
    }
    const headers = [...document.querySelectorAll("table.matrix")].map((t) =>
      t.tHead && t.tHead.rows[0] ? [...t.tHead.rows[0].cells].slice(1).map((c) => c.textContent.trim()) : []);
    return { code: lines, headers };
  });
  const missing = facts.code.filter((l) => !all.includes(squash(l)));
  facts.code = facts.code.filter((l) => squash(l));
  return {
    pages: text.split("\f").filter((p) => p.trim()).length,
    code_lines: facts.code.length,
    code_lines_missing: missing.length,
    missing_examples: missing.slice(0, 5),
    matrices: facts.headers.map((h) => ({
      phase_columns: h.length,
      in_pdf: h.filter((x) => lines.has(x)).length,
      missing: h.filter((x) => !lines.has(x)).slice(0, 10),
    })),
  };
}

/** `name` looked up in PATH, as a shell would (puppeteer wants a path). */
function which(name) {
  if (isAbsolute(name)) return name;
  for (const dir of (process.env.PATH || "").split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${name}: not found in PATH; install Chromium or pass --chromium PATH`);
}

async function main() {
  const o = args(process.argv.slice(2));
  const browser = await puppeteer.launch({
    executablePath: which(o.chromium),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--allow-file-access-from-files"],
  });
  const pages = [];
  try {
    const page = await browser.newPage();
    for (const rel of o.pages) {
      const url = pathToFileURL(join(resolve(o.site), rel.split("?")[0])).href + (rel.includes("?") ? "?" + rel.split("?")[1] : "");
      const entry = { page: rel, axe: {} };
      await page.emulateMediaType("screen");
      await page.setViewport({ width: 1280, height: 900 });
      for (const scheme of ["light", "dark"]) {
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
        const res = await page.goto(url, { waitUntil: "load" });
        if (res && !res.ok()) throw new Error(`${rel}: status ${res.status()}`);
        entry.axe[scheme] = await axe(page);
      }
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
      await page.setViewport({ width: PHONE, height: 800 });
      await page.goto(url, { waitUntil: "load" });
      entry.phone = await overflow(page, PHONE);
      await page.setViewport({ width: PRINT, height: 1000 });
      await page.emulateMediaType("print");
      await page.goto(url, { waitUntil: "load" });
      entry.print = await print(page);
      if (o.pdf) entry.pdf = await pdf(page, join(o.pdf, `${pages.length}.pdf`));
      pages.push(entry);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ pages }, null, 1) + "\n");
}

main().catch((e) => {
  process.stderr.write(`check.mjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
