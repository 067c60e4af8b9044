// Search timings of a built site in headless Chromium: for each query, the time from
// opening `search.html?q=QUERY` to the results shown (the status line filled), and the
// bytes of the index files the query loaded (read from disk, so the figure is the same
// from file:// and over HTTP). Uses puppeteer-core from tests/browser/node_modules
// (`npm ci` there first).
//
//   node bench/search.mjs --site DIR [--runs N] [--http URL] [QUERY...]
//
// With --http the pages are opened at URL (a server of DIR, e.g.
// `python3 -m http.server -d DIR 8000` → http://127.0.0.1:8000), otherwise from file://.
// Prints one line per query: median and minimum milliseconds, results, files and bytes.
import { createRequire } from "node:module";
import { statSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../tests/browser/package.json"));
const puppeteer = require("puppeteer-core");

const o = { site: null, runs: 5, http: null, queries: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--site") o.site = resolve(argv[++i]);
  else if (argv[i] === "--runs") o.runs = Number(argv[++i]);
  else if (argv[i] === "--http") o.http = argv[++i].replace(/\/$/, "");
  else o.queries.push(argv[i]);
}
if (!o.site) {
  process.stderr.write("usage: node bench/search.mjs --site DIR [--runs N] [--http URL] [QUERY...]\n");
  process.exit(2);
}
if (o.queries.length === 0) o.queries = ["REQ-001", "provider", "timeout retry", "packages/core", "oauth"];

const base = o.http || pathToFileURL(o.site).href;
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--allow-file-access-from-files"],
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
console.log(`site ${o.site} from ${o.http ? "HTTP" : "file://"}, ${o.runs} runs per query (cold page each run)`);
console.log("query | median ms | min ms | results | index files | index bytes");
for (const q of o.queries) {
  const times = [];
  let files = [], status = "";
  for (let r = 0; r < o.runs; r++) {
    const page = await browser.newPage();
    await page.setCacheEnabled(false);
    const requested = [];
    page.on("request", (req) => { if (req.url().includes("/search/")) requested.push(req.url()); });
    const t0 = Date.now();
    await page.goto(`${base}/search.html?q=${encodeURIComponent(q)}`, { waitUntil: "domcontentloaded" });
    await page.waitForFunction(() => {
      const s = document.getElementById("search-status");
      return s && /result|No results|could not/.test(s.textContent);
    }, { timeout: 60000, polling: 5 });
    times.push(Date.now() - t0);
    status = await page.$eval("#search-status", (s) => s.textContent);
    files = requested;
    await page.close();
  }
  const bytes = files.reduce((n, u) => {
    const rel = decodeURIComponent(new URL(u).pathname.replace(/^.*?\/search\//, "search/"));
    try { return n + statSync(join(o.site, rel)).size; } catch { return n; }
  }, 0);
  console.log(`${q} | ${median(times)} | ${Math.min(...times)} | ${status} | ${files.length} | ${bytes}`);
}
await browser.close();
