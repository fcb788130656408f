#!/usr/bin/env python3
"""Compile-time and peak-memory benchmark of zooc.

Measures whole `zooc --emit=json` processes (wall time, median of R runs; peak resident memory
from wait4's rusage; the per-phase split reported by --time-phases):

- a one-model run, cold (--no-cache: the stdlib is parsed) and with the stdlib cache;
- the bundled zoo;
- generated registries of 1,000, 10,000 and 100,000 models (bench/gen_models.py). Files of
  1,000 and 10,000 models are one file each; 100,000 models (13 MB) are spread over 4 files of
  25,000 (a source file may be at most 4 MiB), given to zooc as one directory.

Usage: compile_time.py [ZOOC] [--baseline OLD_ZOOC | --no-hugepages-baseline] [--quick]
(default ZOOC: build/bin/zooc). With --baseline, each row is also measured with OLD_ZOOC in the
same run, interleaved, so that the ratio holds on a noisy machine; a run OLD_ZOOC refuses (a
limit it had) is reported as such. --no-hugepages-baseline measures ZOOC itself as the baseline,
with ZOO_NO_HUGEPAGES=1 (no restart with the heap in huge pages, zooc.cpp). --quick skips the
100,000-model row. Prints a Markdown table.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(zooc, args, cache_dir):
    """One zooc process: (wall seconds, peak RSS KiB, phase ms) or None if it failed. `zooc` is
    a path, or PATH|nohuge for the same binary with ZOO_NO_HUGEPAGES=1."""
    zooc, _, flag = zooc.partition("|")
    env = dict(os.environ, ZOO_CACHE_DIR=cache_dir)
    env.pop("ZOO_NO_HUGEPAGES", None)
    if flag == "nohuge":
        env["ZOO_NO_HUGEPAGES"] = "1"
    start = time.perf_counter()
    # Output goes to standard output, discarded here: `-o /dev/null` would make zooc replace the
    # device file with a regular one (it writes a temporary file and renames it over the target).
    proc = subprocess.Popen([zooc, "--time-phases", "--emit=json"] + args, env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        first = [l for l in err.splitlines() if "error:" in l]
        return None, (first[0].split("error:", 1)[1].strip() if first else "failed")
    phases = {}
    for line in err.splitlines():
        parts = line.split()
        if line.startswith("zooc: time:") and len(parts) > 3:
            phases[parts[2]] = float(parts[3])
    return (wall, usage.ru_maxrss, phases), None


def has_cache(zooc, known={}):
    """Whether `zooc` has the stdlib cache (--no-cache)."""
    zooc = zooc.partition("|")[0]
    if zooc not in known:
        out = subprocess.run([zooc, "--help"], capture_output=True, text=True).stdout
        known[zooc] = "--no-cache" in out
    return known[zooc]


def measure(zoocs, label, args, runs, cache=True, warm=True):
    """Measures each zooc on `args`, interleaved; prints one row per zooc."""
    cache_dirs = {z: tempfile.mkdtemp(prefix="zoo-cache-") for z in zoocs.values()}
    # A zooc without a stdlib cache (one from before it) always runs cold.
    per = {z: (["--no-cache"] if not cache and has_cache(z) else []) + args for z in zoocs.values()}
    if cache and warm:
        for z in zoocs.values():  # fill the cache first
            run(z, per[z], cache_dirs[z])
    results = {z: [] for z in zoocs.values()}
    errors = {}
    for _ in range(runs):
        for z in zoocs.values():
            if z in errors:
                continue
            r, err = run(z, per[z], cache_dirs[z])
            if r is None:
                errors[z] = err
            else:
                results[z].append(r)
    rows = {}
    for name, z in zoocs.items():
        if z in errors:
            print(f"| {label} | {name} | fails: {errors[z][:90]} | | | | | |")
            continue
        rs = results[z]
        wall = statistics.median(r[0] for r in rs) * 1000
        rss = max(r[1] for r in rs) / 1024
        ph = {k: statistics.median(r[2].get(k, 0.0) for r in rs) for k in rs[0][2]}
        print(f"| {label} | {name} | {wall:.1f} | {ph.get('stdlib', 0):.1f} | "
              f"{ph.get('load+parse', 0):.1f} | {ph.get('sema', 0):.1f} | "
              f"{ph.get('passes', 0):.1f} | {rss:.1f} |")
        rows[name] = (wall, rss)
    for d in cache_dirs.values():
        shutil.rmtree(d, ignore_errors=True)
    sys.stdout.flush()
    return rows


def main():
    argv = sys.argv[1:]
    quick = "--quick" in argv
    nohuge = "--no-hugepages-baseline" in argv
    argv = [a for a in argv if a not in ("--quick", "--no-hugepages-baseline")]
    baseline = None
    if "--baseline" in argv:
        i = argv.index("--baseline")
        baseline = argv[i + 1]
        del argv[i:i + 2]
    zooc = argv[0] if argv else os.path.join(ROOT, "build", "bin", "zooc")
    zoocs = {"new": zooc}
    if baseline:
        zoocs = {"old": baseline, "new": zooc}
    elif nohuge:
        zoocs = {"huge pages off": zooc + "|nohuge", "on": zooc}

    tmp = tempfile.mkdtemp(prefix="zoo-bench-")
    one = os.path.join(tmp, "one.zoo")
    with open(one, "w") as f:
        f.write("model Tiny = llama(vocab: 32000, hidden: 2048, layers: 16, heads: 16, "
                "kv_heads: 4, ffn: 8192);\n")
    gen = os.path.join(ROOT, "bench", "gen_models.py")
    for n in (1000, 10000):
        subprocess.run([sys.executable, gen, str(n), os.path.join(tmp, f"m{n}.zoo")], check=True)
    if not quick:
        subprocess.run([sys.executable, gen, "100000", os.path.join(tmp, "m100000"), "4"],
                       check=True)

    print("| input | zooc | wall ms (median) | stdlib ms | load+parse ms | sema ms | passes ms "
          "| peak RSS MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    table = {}
    table["one, cold"] = measure(zoocs, "one model, no cache", [one], 9, cache=False)
    table["one, cache"] = measure(zoocs, "one model, stdlib cache", [one], 9)
    table["zoo"] = measure(zoocs, "bundled zoo/", [os.path.join(ROOT, "zoo")], 5)
    table[1000] = measure(zoocs, "1,000 models (1 file)", [os.path.join(tmp, "m1000.zoo")], 5)
    table[10000] = measure(zoocs, "10,000 models (1 file)", [os.path.join(tmp, "m10000.zoo")], 3)
    if not quick:
        table[100000] = measure(zoocs, "100,000 models (4 files)",
                                [os.path.join(tmp, "m100000")], 1)
    print()
    last = list(zoocs)[-1]
    for n in (1000, 10000, 100000):
        if n in table and last in table[n]:
            wall, rss = table[n][last]
            print(f"{last}, {n} models: {wall / n * 1000:.1f} us and {rss * 1024 / n:.1f} KiB "
                  "per model")
    if nohuge:
        for key, row in table.items():
            if "huge pages off" in row and "on" in row:
                print(f"{key}: huge pages off / on = "
                      f"{row['huge pages off'][0] / row['on'][0]:.2f}x")
    if baseline and "old" in table["one, cold"] and "new" in table["one, cache"]:
        print(f"one-model run: old {table['one, cold']['old'][0]:.1f} ms, new with the cache "
              f"{table['one, cache']['new'][0]:.1f} ms "
              f"({table['one, cold']['old'][0] / table['one, cache']['new'][0]:.1f}x)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
