#!/usr/bin/env python3
"""Writes the "A product's time against its rows" tables of docs/validation.md from the kernel
measurements in zoo/validation/kernels (zoo/validation/kernels/README.md gives their sources).

The performance model prices a matrix product whose weights are read once as the larger of its
weight reads and its arithmetic (docs/formulas.md). Two other shapes were candidates: the sum of
the two (no overlap), and the larger of the reads and the arithmetic of the rows plus a fixed
number of "fill" rows (tile and wave quantization). Measured times of one kernel at fixed weights
and growing rows tell them apart:

1. DeepGEMM's FP8 products on an H800 at 64, 128 and 4,096 rows: from 64 to 128 rows the time
   rises by what 64 more rows add. Without overlap it would rise by at least their arithmetic at
   the best rate the same kernel reaches on that shape (its 4,096-row rate); with full overlap,
   by the added activations' bytes only.
2. OpenXLA's default GEMM table (sm_90 and sm_100; 256 to 4,096 rows): between 2,048 and 4,096
   rows, where the arithmetic binds, the time is a line in the rows. Its slope is the time a row
   costs; what is left at 2,048 rows is a fixed time, read here in microseconds and in rows of
   that slope. A fill of rows would grow with the product's size (rows x N x K); a kernel's
   launch, prologue and epilogue would not.

Usage: scripts/kernel_overlap.py   (prints the Markdown that sits between the
`<!-- kernel tables -->` and `<!-- end kernel tables -->` markers)
"""
import csv
import os
import statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "zoo", "validation", "kernels")


def deepgemm():
    rows = {}
    with open(os.path.join(DATA, "deepgemm_h800_fp8.csv")) as f:
        for r in csv.DictReader(f):
            m, n, k = int(r["m"]), int(r["n"]), int(r["k"])
            rows[(m, n, k)] = 2 * m * n * k / (float(r["tflops"]) * 1e12)
    print("| N | K | weights | 64 rows | 128 rows | rise | 64 rows' arithmetic "
          "(at the 4,096-row rate) | rise / arithmetic |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratios, large = [], []
    shapes = sorted({(n, k) for (_, n, k) in rows}, key=lambda s: -s[0] * s[1])
    for n, k in shapes:
        t64, t128, t4k = rows[(64, n, k)], rows[(128, n, k)], rows[(4096, n, k)]
        arith = t4k * 64 / 4096
        ratio = (t128 - t64) / arith
        ratios.append(ratio)
        if n * k >= 29e6:  # a language model's layers: 29 MB of FP8 weights and more
            large.append(ratio)
        print(f"| {n:,} | {k:,} | {n * k / 1e6:.1f} MB | {t64 * 1e6:.1f} us | {t128 * 1e6:.1f} us "
              f"| {(t128 - t64) * 1e6:+.1f} us | {arith * 1e6:.1f} us | {ratio:.0%} |")
    print()
    print(f"Median rise over the added arithmetic: {statistics.median(ratios):.0%} "
          f"(range {min(ratios):.0%} to {max(ratios):.0%}); no overlap would make it at least "
          "100%.")
    print(f"Median over the products of 29 MB and more (a language model's layers), the "
          f"runtimes' `gemm_exposed`: {statistics.median(large):.2f}.")
    print()


def xla(gpu, dtype, label):
    t = {}
    with open(os.path.join(DATA, f"xla_{gpu}.csv")) as f:
        for r in csv.DictReader(f):
            if r["dtype"] != dtype:
                continue
            m, n, k = int(r["m"]), int(r["n"]), int(r["k"])
            t[(m, n, k)] = 2 * m * n * k / float(r["flops"])
    fixed, rows_eq, peak = [], [], 0.0
    for n in (2048, 4096):
        for k in (2048, 4096):
            slope = (t[(4096, n, k)] - t[(2048, n, k)]) / 2048
            rest = t[(2048, n, k)] - slope * 2048
            fixed.append(rest)
            rows_eq.append(rest / slope)
            peak = max(peak, 2 * n * k / slope)
    print(f"| {label} | {peak / 1e12:,.0f} TFLOP/s | "
          f"{min(fixed) * 1e6:.1f} to {max(fixed) * 1e6:.1f} us "
          f"(median {statistics.median(fixed) * 1e6:.1f}) | "
          f"{min(rows_eq):.0f} to {max(rows_eq):.0f} |")


def main():
    deepgemm()
    print("| device, format | rate a row costs, at best (2N K / slope) | fixed time at 2,048 rows "
          "(N, K = 2,048 and 4,096) | the same in rows of the slope |")
    print("|---|---:|---:|---:|")
    xla("sm_90", "bf16xbf16->bf16", "sm_90 (H100), BF16")
    xla("sm_100", "bf16xbf16->bf16", "sm_100 (B200), BF16")
    xla("sm_100", "f8e4m3fnxf8e4m3fn->bf16", "sm_100 (B200), FP8")


if __name__ == "__main__":
    main()
