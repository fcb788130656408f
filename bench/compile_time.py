#!/usr/bin/env python3
"""Compile-time and peak-memory benchmark of zooc.

Measures, for the bundled zoo and for generated files of N models, the wall time of a whole
`zooc` process (median of R runs), the per-phase split reported by --time-phases, and the peak
resident memory (from wait4's rusage). Also compares SLL-first against full-LL prediction.
Usage: compile_time.py [ZOOC] (default build/bin/zooc). Prints a Markdown table.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOOC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "bin", "zooc")
RUNS = 5


def run(args):
    """One zooc process: (wall seconds, peak RSS KiB, phase times)."""
    start = time.perf_counter()
    # Output goes to standard output, discarded here: `-o /dev/null` would make zooc replace the
    # device file with a regular one (it writes a temporary file and renames it over the target).
    proc = subprocess.Popen([ZOOC, "--time-phases", "--emit=json"] + args,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    if status != 0:
        sys.exit("zooc failed:\n" + err)
    phases = {}
    for line in err.splitlines():
        parts = line.split()
        if line.startswith("zooc: time:"):
            phases[parts[2]] = float(parts[3])
    return wall, usage.ru_maxrss, phases


def measure(label, args):
    results = [run(args) for _ in range(RUNS)]
    wall = statistics.median(r[0] for r in results) * 1000
    rss = max(r[1] for r in results) / 1024
    ph = {k: statistics.median(r[2][k] for r in results) for k in results[0][2]}
    print(f"| {label} | {wall:.1f} | {ph['load+parse']:.1f} | {ph['sema']:.1f} | "
          f"{ph['passes']:.2f} | {rss:.1f} |")
    return wall


def main():
    print("| input | wall ms (median of %d) | load+parse ms | sema ms | passes ms | peak RSS MiB |"
          % RUNS)
    print("|---|---:|---:|---:|---:|---:|")
    measure("bundled zoo/", [os.path.join(ROOT, "zoo")])
    tmp = tempfile.mkdtemp()
    walls = {}
    for n in (1000, 2500, 5000, 10000):
        path = os.path.join(tmp, f"m{n}.zoo")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_models.py"), str(n), path],
                       check=True)
        walls[n] = measure(f"{n} models", [path])
    path = os.path.join(tmp, "m10000.zoo")
    measure("10000 models, full LL", ["--full-ll", path])
    print()
    print("Time per model: " + ", ".join(f"{n}: {walls[n] / n * 1000:.1f} us" for n in walls))


if __name__ == "__main__":
    main()
