#!/usr/bin/env python3
"""Serving-simulation benchmark of zooc.

Times whole `zooc --emit=serving` and `--emit=json` processes on the bundled zoo (wall time and
processor time, children's rusage), each run interleaved with the same run under
`--serving-page-events` (a preempting cache's pages one calendar event a page, the way the
simulation kept them before page classes), and checks that the two give the same bytes. Then
the same for one record alone on one thread, the longest of the bundled zoo (the MI355X's MLPerf
Server run: `--model=Llama2_70B --hardware=MI355X`).

Usage: serving_sim.py [ZOOC] [--runs R]  (default ZOOC: build/bin/zooc, R = 3). Prints a Markdown
table: the median and range of each, and the ratio of the medians.
"""
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = [
    ("whole zoo, --emit=serving, two threads", ["--emit=serving", "zoo"]),
    ("whole zoo, --emit=json, two threads", ["--emit=json", "zoo"]),
    ("MI355X Server record, one thread",
     ["--emit=serving", "--serving-threads=1", "--model=Llama2_70B", "--hardware=MI355X", "zoo"]),
]


def run(zooc, args):
    """One zooc process: (wall s, processor s, output bytes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([zooc] + args + ["-o", "-"], cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        sys.exit("zooc failed: %s\n%s" % (" ".join(args), out.stderr.decode()[-2000:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


def span(values):
    return "%.2f s (%.2f-%.2f)" % (statistics.median(values), min(values), max(values))


def main():
    args = [a for a in sys.argv[1:]]
    runs = 3
    if "--runs" in args:
        at = args.index("--runs")
        runs = int(args[at + 1])
        del args[at:at + 2]
    zooc = args[0] if args else os.path.join(ROOT, "build", "bin", "zooc")
    print("| case | classes: wall | events: wall | classes: processor | events: processor | "
          "wall ratio | same output |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, case in CASES:
        fast_wall, fast_cpu, slow_wall, slow_cpu = [], [], [], []
        same = True
        for _ in range(runs):
            w, c, a = run(zooc, case)
            fast_wall.append(w)
            fast_cpu.append(c)
            w, c, b = run(zooc, ["--serving-page-events"] + case)
            slow_wall.append(w)
            slow_cpu.append(c)
            same &= a == b
        print("| %s | %s | %s | %s | %s | %.2fx | %s |" %
              (name, span(fast_wall), span(slow_wall), span(fast_cpu), span(slow_cpu),
               statistics.median(slow_wall) / statistics.median(fast_wall),
               "yes" if same else "NO"))


if __name__ == "__main__":
    main()
