#!/usr/bin/env python3
"""Benchmark tracemark: build time, peak memory, output size and scaling.

What it measures
----------------
For every corpus it can find (a synthetic project written by gen-corpus.py and, when
present, a local clone of a real plan-driven repository):

1. rg baseline    `rg -c '@plan|@requirement'` over the same tree: the time it takes merely
                  to read every file tracemark reads and find the markers in it.
2. cold build     `tracemark build ROOT --out OUT` with the output folder (and any cache:
                  ROOT/.tracemark-cache, $XDG_CACHE_HOME/tracemark) deleted first.
3. no-change      the same command again, nothing changed.
4. edit source /  append one comment line to one marked source file (or one line to one
   edit plan doc  plan document), rebuild, then restore the file and rebuild untimed, so
                  every timed run starts from an up-to-date site.
5. output size    bytes written vs bytes of the inputs the site shows (plan markdown +
                  marked files listed in trace.json).

Then:
6. scaling        cold builds of synthetic corpora at 1x, 4x, 16x (1x = 20 plans, 2000
                  files), with time per 1000 files and memory relative to 1x, so that
                  linear (or worse) growth is visible.
7. StrictDoc      `strictdoc export` of the same synthetic project (gen-corpus.py
                  --strictdoc), cold and unchanged, as a ratio to tracemark's times.

Why ratios to rg
----------------
Absolute seconds depend on the machine (cores, disk, page cache). ripgrep is about the
fastest way to read a tree honouring .gitignore and find the markers, so "time / rg time"
is a machine-independent figure: the cost of everything tracemark does beyond reading
(parsing, resolving, highlighting, rendering, writing). rg runs in the same invocation,
on the same tree, with the same warm page cache.

Every timed command runs after one untimed warm-up read of the tree, so figures are with
a warm OS page cache. Wall time is measured around the process; peak RSS comes from GNU
`time -v` when present, else from os.wait4()'s rusage for that one child.

Tools: ripgrep is installed if `rg` is missing (apt-get when root with apt, else
`cargo install ripgrep --locked --root target/bench-tools`); StrictDoc into a venv at
target/bench-venv. Nothing else is fetched at run time. tracemark is built with
`cargo build --release`. Standard library only.

Usage: python3 bench/run.py [--quick] [--runs N] [--real PATH] [--skip-strictdoc]
                            [--sizes 1,4,16] [--out DIR] [--gen-corpus PATH]
"""

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE_PLANS, BASE_FILES = 20, 2000  # the 1x synthetic corpus
MARKER_RE = "@plan|@requirement"
COMMANDS = []  # every distinct command template, printed at the end


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def note_command(template):
    if template not in COMMANDS:
        COMMANDS.append(template)


# ---------------------------------------------------------------------------------------
# Running and measuring one process


def gnu_time():
    """Path of a `time` that understands `-v -o FILE` (GNU or BusyBox), else None."""
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        try:
            subprocess.run([path, "-v", "-o", f.name, "true"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.CalledProcessError):
            return None
        return path if "Maximum resident set size" in f.read() else None


TIME = gnu_time()


def measure(cmd, ok_codes=(0,), cwd=None, env=None):
    """Run cmd once; return (wall seconds, peak RSS in MiB). Fails loudly on error."""
    out = tempfile.TemporaryFile()
    tfile = None
    argv = list(cmd)
    if TIME:
        fd, tfile = tempfile.mkstemp(suffix=".time")
        os.close(fd)
        argv = [TIME, "-v", "-o", tfile] + argv
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=out, stderr=out, cwd=cwd, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_kib = usage.ru_maxrss  # Linux: KiB; the child (and its reaped children)
    if tfile:  # GNU time exits with the command's status, so returncode stays right
        with open(tfile) as f:
            text = f.read()
        os.unlink(tfile)
        for line in text.splitlines():
            if "Maximum resident set size" in line:
                peak_kib = int(line.rsplit(":", 1)[1])
    if proc.returncode not in ok_codes:
        out.seek(0)
        tail = out.read().decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"command failed ({proc.returncode}): {shlex.join(cmd)}\n{tail}")
    out.close()
    return wall, peak_kib / 1024.0


def runs_text(n):
    return f"{n} run" if n == 1 else f"{n} runs"


def summarize(samples, runs_note=None):
    """samples: list of (wall, mib) → dict with median, min, peak."""
    walls = [s[0] for s in samples]
    return {
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "peak_mib": max(s[1] for s in samples),
        "runs": len(samples),
        "samples_s": [round(w, 4) for w in walls],
        **({"runs_note": runs_note} if runs_note else {}),
    }


# ---------------------------------------------------------------------------------------
# Tools: ripgrep, tracemark, StrictDoc


def ensure_rg():
    """Return the path of an `rg`, installing ripgrep if there is none."""
    found = shutil.which("rg")
    if found:
        return found
    local_root = os.path.join(REPO, "target", "bench-tools")
    local = os.path.join(local_root, "bin", "rg")
    if os.access(local, os.X_OK):
        return local
    # apt is seconds where cargo install is minutes of compiling on a small machine.
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        log("installing ripgrep: apt-get install -y ripgrep")
        for attempt in (["apt-get", "install", "-y", "-q", "ripgrep"],
                        ["sh", "-c", "apt-get update -q && apt-get install -y -q ripgrep"]):
            if subprocess.run(attempt, env=env, stdout=subprocess.DEVNULL).returncode == 0:
                found = shutil.which("rg")
                if found:
                    return found
    log(f"installing ripgrep: cargo install ripgrep --locked --root {local_root}")
    subprocess.run(["cargo", "install", "ripgrep", "--locked", "--root", local_root],
                   check=True)
    return local


def build_tracemark():
    """`cargo build --release` in the repository; return the binary's path."""
    log("building tracemark: cargo build --release")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    meta = subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1"],
                          cwd=REPO, check=True, capture_output=True, text=True)
    target_dir = json.loads(meta.stdout)["target_directory"]
    return os.path.join(target_dir, "release", "tracemark")


def ensure_strictdoc():
    """Return the path of `strictdoc` from target/bench-venv, installing it if needed."""
    venv = os.path.join(REPO, "target", "bench-venv")
    exe = os.path.join(venv, "bin", "strictdoc")
    if not os.access(exe, os.X_OK):
        log(f"installing StrictDoc: python3 -m venv {venv} && {venv}/bin/pip install strictdoc")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "strictdoc"],
                       check=True)
    return exe


def tool_version(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


# ---------------------------------------------------------------------------------------
# Corpus helpers


def tree_bytes(path):
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def load_trace(out):
    with open(os.path.join(out, "trace.json"), encoding="utf-8") as f:
        return json.load(f)


def input_bytes(root, trace):
    """Bytes of what the site shows: plan markdown documents + marked files."""
    seen = set()
    for plan in trace.get("plans", []):
        folder = os.path.join(root, plan["folder"])
        if os.path.isfile(folder):
            seen.add(os.path.realpath(folder))
            continue
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                if name.endswith(".md"):
                    seen.add(os.path.realpath(os.path.join(dirpath, name)))
    for entry in trace.get("files", []):
        seen.add(os.path.realpath(os.path.join(root, entry["path"])))
    return sum(os.path.getsize(p) for p in seen if os.path.isfile(p)), len(seen)


COMMENT_BY_EXT = {
    **dict.fromkeys("ts tsx js jsx mjs cjs rs go java c h cc cpp hpp cs kt swift scala".split(), "//"),
    **dict.fromkeys("py sh bash rb toml yaml yml pl r".split(), "#"),
}


def pick_edit_targets(root, trace):
    """(marked source file, appended line), (plan document, appended line)."""
    source = None
    candidates = sorted(trace.get("files", []), key=lambda f: (-f.get("markers", 0), f["path"]))
    for entry in candidates:
        ext = entry["path"].rsplit(".", 1)[-1].lower()
        if ext in COMMENT_BY_EXT and entry.get("traces", 0) > 0:
            source = (os.path.join(root, entry["path"]),
                      f"{COMMENT_BY_EXT[ext]} tracemark bench edit\n")
            break
    plan_doc = None
    for plan in trace.get("plans", []):
        folder = os.path.join(root, plan["folder"])
        if os.path.isfile(folder):
            plan_doc = folder
            break
        spec = os.path.join(folder, "specification.md")
        if os.path.isfile(spec):
            plan_doc = spec
            break
        mds = sorted(os.path.join(d, n) for d, _s, fs in os.walk(folder) for n in fs
                     if n.endswith(".md"))
        if mds:
            plan_doc = mds[0]
            break
    plan = (plan_doc, "\nBenchmark edit: one more line of prose.\n") if plan_doc else None
    return source, plan


class Edited:
    """Append a line to a file for the duration of a `with` block, then restore it.

    The file is replaced (a new file renamed over it), never written in place: a corpus
    that is a hard-linked copy (`cp -al`) shares its files with other copies, and an
    in-place write would change them all. Restoring replaces it again with the original
    bytes and modification time.
    """

    def __init__(self, path, line):
        self.path, self.line = path, line

    def _replace(self, data, times=None):
        tmp = self.path + ".tracemark-bench.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.chmod(tmp, self.mode)
        if times is not None:
            os.utime(tmp, ns=times)
        os.replace(tmp, self.path)

    def __enter__(self):
        st = os.stat(self.path)
        self.mode, self.times = st.st_mode & 0o7777, (st.st_atime_ns, st.st_mtime_ns)
        with open(self.path, "rb") as f:
            self.original = f.read()
        prefix = b"" if self.original.endswith(b"\n") or not self.original else b"\n"
        self._replace(self.original + prefix + self.line.encode("utf-8"))
        return self

    def __exit__(self, *exc):
        self._replace(self.original, self.times)
        return False


def gen_corpus(gen, dest, scale, strictdoc_dir=None):
    """Write (or reuse) the synthetic corpus at `scale`x; return its corpus.json counts."""
    plans, files = BASE_PLANS * scale, BASE_FILES * scale
    args = ["--plans", str(plans), "--files", str(files)]
    if strictdoc_dir:
        args += ["--strictdoc", strictdoc_dir]
    stamp = dest + ".params.json"
    want = {"args": args, "generator_mtime": os.path.getmtime(gen)}
    note_command(f"python3 {gen} CORPUS --plans {BASE_PLANS}*K --files {BASE_FILES}*K"
                 " [--strictdoc SDDIR, smallest size only]")
    try:
        with open(stamp) as f:
            if json.load(f) == want and os.path.isfile(os.path.join(dest, "corpus.json")):
                with open(os.path.join(dest, "corpus.json")) as c:
                    return json.load(c)
    except (OSError, ValueError):
        pass
    for d in (dest, strictdoc_dir):
        if d and os.path.exists(d):
            shutil.rmtree(d)
    log(f"generating {scale}x corpus: {shlex.join([gen, dest] + args)}")
    subprocess.run([sys.executable, gen, dest] + args, check=True, stdout=subprocess.DEVNULL)
    with open(stamp, "w") as f:
        json.dump(want, f)
    with open(os.path.join(dest, "corpus.json")) as c:
        return json.load(c)


# ---------------------------------------------------------------------------------------
# The cases


def rg_cmd(rg, root):
    # --hidden: tracemark reads .completed/ records; -g '!.git': but never .git itself;
    # --no-require-git: honour .gitignore even where the tree is not a git checkout.
    return [rg, "-c", "--hidden", "--no-require-git", "-g", "!.git", MARKER_RE, root]


def case_rg(rg, root, runs):
    note_command("rg -c --hidden --no-require-git -g '!.git' '@plan|@requirement' ROOT")
    cmd = rg_cmd(rg, root)
    measure(cmd, ok_codes=(0, 1))  # warm-up: fills the page cache for everyone
    return summarize([measure(cmd, ok_codes=(0, 1)) for _ in range(runs)])


def tm_cmd(tm, root, out):
    note_command("target/release/tracemark build ROOT --out OUT")
    return [tm, "build", root, "--out", out]


def clear_caches(root, out):
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for path in (out, os.path.join(root, ".tracemark-cache"), os.path.join(xdg, "tracemark")):
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.unlink(path)


def case_cold(tm, root, out, runs):
    samples = []
    for _ in range(runs):
        clear_caches(root, out)
        samples.append(measure(tm_cmd(tm, root, out)))
    return summarize(samples)


def case_nochange(tm, root, out, runs):
    if not os.path.isfile(os.path.join(out, "trace.json")):
        measure(tm_cmd(tm, root, out))
    return summarize([measure(tm_cmd(tm, root, out)) for _ in range(runs)])


def case_edit(tm, root, out, runs, target):
    path, line = target
    samples = []
    for _ in range(runs):
        with Edited(path, line):
            samples.append(measure(tm_cmd(tm, root, out)))
        measure(tm_cmd(tm, root, out))  # untimed: back to the unedited site
    return summarize(samples)


def case_output_size(root, out):
    trace = load_trace(out)
    out_b = tree_bytes(out)
    in_b, in_files = input_bytes(root, trace)
    out_files = sum(len(fs) for _d, _s, fs in os.walk(out))
    return {"output_bytes": out_b, "output_files": out_files, "input_bytes": in_b,
            "input_files": in_files, "ratio": out_b / in_b if in_b else None}


def bench_corpus(name, root, tm, rg, work, runs):
    """Cases 1-5 on one corpus; returns a dict of results."""
    out = os.path.join(work, f"site-{name}")
    log(f"[{name}] rg baseline")
    res = {"root": root, "rg": case_rg(rg, root, runs)}
    log(f"[{name}] cold build x{runs}")
    res["cold"] = case_cold(tm, root, out, runs)
    log(f"[{name}] no-change rebuild x{runs}")
    res["nochange"] = case_nochange(tm, root, out, runs)
    trace = load_trace(out)
    res["summary"] = trace.get("summary", {})
    source, plan = pick_edit_targets(root, trace)
    for key, target in (("edit_source", source), ("edit_plan", plan)):
        if target is None:
            res[key] = {"skipped": "no suitable file"}
            continue
        log(f"[{name}] {key} x{runs}: {os.path.relpath(target[0], root)}")
        res[key] = case_edit(tm, root, out, runs, target)
        res[key]["file"] = os.path.relpath(target[0], root)
    res["output"] = case_output_size(root, out)
    return res


def case_scaling(gen, tm, rg, work, sizes, runs, base_results=None):
    rows = []
    for scale in sizes:
        root = os.path.join(work, "corpora", f"{scale}x")
        counts = gen_corpus(gen, root, scale,
                            os.path.join(work, "corpora", f"{scale}x-strictdoc")
                            if scale == sizes[0] and base_results is not None else None)
        if base_results is not None and scale == sizes[0] and "cold" in base_results:
            cold, rgr = base_results["cold"], base_results["rg"]
        else:
            log(f"[scaling {scale}x] rg + cold build x{runs}")
            rgr = case_rg(rg, root, runs)
            cold = case_cold(tm, root, os.path.join(work, f"site-{scale}x"), runs)
        rows.append({"scale": scale, "files": counts["files"], "plans": counts["plans"],
                     "markers": counts["markers"], "bytes": counts["bytes"],
                     "rg": rgr, "cold": cold})
    base = rows[0]
    for row in rows:
        row["ms_per_1000_files"] = 1e6 * row["cold"]["median_s"] / row["files"]
        row["time_ratio"] = row["cold"]["median_s"] / base["cold"]["median_s"]
        row["mem_ratio"] = row["cold"]["peak_mib"] / base["cold"]["peak_mib"]
        row["size_ratio"] = row["files"] / base["files"]
    return rows


def case_strictdoc(sd, sddir, work, runs, tm_results):
    """StrictDoc keeps a parse cache in $TMPDIR/strictdoc_cache; giving it a private
    TMPDIR lets a cold run start from an empty cache without touching other caches."""
    out = os.path.join(work, "strictdoc-out")
    tmp = os.path.join(work, "strictdoc-tmp")
    env = dict(os.environ, TMPDIR=tmp)
    cmd = [sd, "export", sddir, "--output-dir", out]
    note_command("TMPDIR=PRIVATE strictdoc export SDDIR --output-dir X  (cwd SDDIR)")
    cold = []
    for _ in range(runs):
        for d in (out, tmp):
            shutil.rmtree(d, ignore_errors=True)
        os.makedirs(tmp)
        cold.append(measure(cmd, cwd=sddir, env=env))
    again = [measure(cmd, cwd=sddir, env=env) for _ in range(runs)]
    res = {"version": tool_version([sd, "--version"]),
           "cold": summarize(cold, f"{runs} runs"), "nochange": summarize(again, f"{runs} runs"),
           "output_bytes": tree_bytes(out)}
    res["cold_ratio"] = res["cold"]["median_s"] / tm_results["cold"]["median_s"]
    res["nochange_ratio"] = res["nochange"]["median_s"] / tm_results["nochange"]["median_s"]
    res["mem_ratio"] = res["cold"]["peak_mib"] / tm_results["cold"]["peak_mib"]
    return res


# ---------------------------------------------------------------------------------------
# Output


def fmt_s(x):
    return "-" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(f"{{:<{w}}}" if i in (0, len(headers) - 1) else f"{{:>{w}}}"
                     for i, w in enumerate(widths))
    out = [line.format(*headers), line.format(*("-" * w for w in widths))]
    out += [line.format(*map(str, r)) for r in rows]
    return "\n".join(l.rstrip() for l in out)


def main_table(results):
    rows = []
    for name, res in results.items():
        if "skipped" in res:
            continue
        rg_med = res["rg"]["median_s"]
        def row(case, r, note=""):
            if "skipped" in r:
                rows.append((f"{name}: {case}", "-", "-", "-", "-", "skipped: " + r["skipped"]))
                return
            ratio = r["median_s"] / rg_med if rg_med else float("nan")
            rows.append((f"{name}: {case}", fmt_s(r["median_s"]), fmt_s(r["min_s"]),
                         f"{ratio:.1f}x", f"{r['peak_mib']:.1f}",
                         runs_text(r["runs"]) + (f"; {note}" if note else "")))
        row("rg baseline", res["rg"], "denominator")
        row("cold build", res["cold"])
        row("no-change rebuild", res["nochange"])
        row("edit 1 source file", res["edit_source"], res["edit_source"].get("file", ""))
        row("edit 1 plan doc", res["edit_plan"], res["edit_plan"].get("file", ""))
        o = res["output"]
        rows.append((f"{name}: output size", "-", "-", "-", "-",
                     f"{o['output_bytes'] / 2**20:.1f} MiB out / {o['input_bytes'] / 2**20:.1f} MiB "
                     f"shown inputs = {o['ratio']:.1f}x ({o['output_files']} files out, "
                     f"{o['input_files']} in)"))
    return table(("case", "median s", "min s", "ratio to rg", "peak MiB", "notes"), rows)


def scaling_table(rows):
    out = []
    for r in rows:
        c = r["cold"]
        out.append((f"{r['scale']}x", r["files"], r["plans"], r["markers"], fmt_s(c["median_s"]),
                    fmt_s(c["min_s"]), f"{c['median_s'] / r['rg']['median_s']:.1f}x",
                    f"{r['ms_per_1000_files']:.1f}", f"{c['peak_mib']:.1f}",
                    f"{r['time_ratio']:.2f}", f"{r['mem_ratio']:.2f}",
                    runs_text(c["runs"])))
    return table(("size", "files", "plans", "markers", "cold med s", "min s", "ratio to rg",
                  "ms/1000 files", "peak MiB", "time vs 1x", "mem vs 1x", "notes"), out)


def strictdoc_table(sd, tm):
    rows = [
        ("cold export / cold build", fmt_s(sd["cold"]["median_s"]), fmt_s(tm["cold"]["median_s"]),
         f"{sd['cold_ratio']:.1f}x", f"{sd['cold']['peak_mib']:.1f} / {tm['cold']['peak_mib']:.1f}",
         f"StrictDoc {runs_text(sd['cold']['runs'])}, tracemark {tm['cold']['runs']}"),
        ("unchanged re-run", fmt_s(sd["nochange"]["median_s"]), fmt_s(tm["nochange"]["median_s"]),
         f"{sd['nochange_ratio']:.1f}x",
         f"{sd['nochange']['peak_mib']:.1f} / {tm['nochange']['peak_mib']:.1f}",
         f"StrictDoc {runs_text(sd['nochange']['runs'])}, tracemark {tm['nochange']['runs']}"),
    ]
    return table(("case", "StrictDoc med s", "tracemark med s", "StrictDoc/tracemark",
                  "peak MiB (SD / tm)", "notes"), rows)


# ---------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 runs per case (1 for StrictDoc)")
    ap.add_argument("--runs", type=int, help="runs per case (default 5; 2 with --quick)")
    ap.add_argument("--real", help="clone of a real plan-driven repository "
                    "(default: $TRACEMARK_BENCH_REAL, else /work/llxprt if present)")
    ap.add_argument("--skip-strictdoc", action="store_true")
    ap.add_argument("--sizes", default="1,4,16", help="scaling multiples of 20 plans/2000 files")
    ap.add_argument("--out", default=os.path.join(REPO, "target", "bench"), help="work folder")
    ap.add_argument("--gen-corpus", default=os.path.join(REPO, "..", "shared", "tools",
                                                         "gen-corpus.py"))
    a = ap.parse_args()
    runs = a.runs or (2 if a.quick else 5)
    sd_runs = 1 if a.quick else min(runs, 3)
    sizes = sorted({int(s) for s in a.sizes.split(",") if s.strip()})
    work = os.path.abspath(a.out)
    os.makedirs(work, exist_ok=True)
    gen = os.path.abspath(a.gen_corpus)
    real = a.real or os.environ.get("TRACEMARK_BENCH_REAL") or (
        "/work/llxprt" if os.path.isdir("/work/llxprt") else None)

    rg = ensure_rg()
    tm = build_tracemark()
    skips = []
    results, scaling, sdres = {}, None, None
    meta = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": f"{platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}",
            "rg": tool_version([rg, "--version"]), "tracemark": tool_version([tm, "--version"]),
            "rss_source": "GNU time -v" if TIME else "os.wait4 rusage",
            "runs": runs, "strictdoc_runs": sd_runs, "sizes": sizes,
            "loadavg_start": os.getloadavg()}

    have_gen = os.path.isfile(gen)
    sd = None
    if have_gen and not a.skip_strictdoc:
        try:
            sd = ensure_strictdoc()
        except (OSError, subprocess.CalledProcessError) as e:
            skips.append(f"skip: StrictDoc side by side (install failed: {e})")
    elif a.skip_strictdoc:
        skips.append("skip: StrictDoc side by side (--skip-strictdoc)")

    if have_gen:
        base = os.path.join(work, "corpora", f"{sizes[0]}x")
        sddir = base + "-strictdoc"
        gen_corpus(gen, base, sizes[0], sddir)
        results[f"synthetic {sizes[0]}x"] = bench_corpus(f"synthetic-{sizes[0]}x", base, tm, rg,
                                                         work, runs)
        scaling = case_scaling(gen, tm, rg, work, sizes, runs, results[f"synthetic {sizes[0]}x"])
        if sd:
            log(f"[strictdoc] export x{sd_runs} cold, x{sd_runs} unchanged")
            sdres = case_strictdoc(sd, sddir, work, sd_runs, results[f"synthetic {sizes[0]}x"])
    else:
        skips.append(f"skip: synthetic corpora, scaling and StrictDoc (no generator at {gen})")

    if real and os.path.isdir(real):
        results["real"] = bench_corpus("real", os.path.abspath(real), tm, rg, work, runs)
        results["real"]["root"] = os.path.abspath(real)
    else:
        skips.append(f"skip: real corpus (not found: {real or 'use --real PATH or TRACEMARK_BENCH_REAL'})")

    # ---- report
    meta["loadavg_end"] = os.getloadavg()
    print(f"tracemark benchmark  {meta['date']}  {meta['machine']}")
    print(f"{meta['tracemark']}; {meta['rg']}; peak RSS from {meta['rss_source']}; "
          f"{runs_text(runs)} per case (median and min), warm page cache")
    print("load average (1/5/15 min) at start {:.2f} {:.2f} {:.2f}, at end {:.2f} {:.2f} {:.2f}"
          " on {} cpus: other work on the machine inflates every figure, rg's too"
          .format(*meta["loadavg_start"], *meta["loadavg_end"], os.cpu_count()))
    for line in skips:
        print(line)
    print()
    if results:
        print(main_table(results))
        print()
        for name, res in results.items():
            s = res.get("summary", {})
            print(f"  {name}: {res['root']}  " + ", ".join(
                f"{k}={v}" for k, v in s.items() if isinstance(v, (int, float))))
        print()
    if scaling:
        print(f"Scaling (synthetic, 1x = {BASE_PLANS} plans / {BASE_FILES} files; cold build)")
        print(scaling_table(scaling))
        print()
    if sdres:
        print(f"StrictDoc side by side ({sdres['version']}; synthetic {sizes[0]}x; "
              f"StrictDoc {runs_text(sd_runs)} per case, fewer because each takes long)")
        print(strictdoc_table(sdres, results[f"synthetic {sizes[0]}x"]))
        print()
    print("Commands (ROOT = corpus, OUT = output folder, K = size multiple):")
    for c in COMMANDS:
        print(f"  {c}")
    path = os.path.join(work, "results.json")
    with open(path, "w") as f:
        json.dump({"meta": meta, "skipped": skips, "commands": COMMANDS, "corpora": results,
                   "scaling": scaling, "strictdoc": sdres}, f, indent=2)
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    main()
