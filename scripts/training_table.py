#!/usr/bin/env python3
"""Writes the per-row table of docs/validation.md's "Training" section from `zooc --emit=json`
of the bundled zoo: each published measurement of a training record, the prediction, its error,
the ideal bound's error, and whether the row calibrates.

Usage: zooc --emit=json zoo/ -o - | scripts/training_table.py
"""
import json
import sys


def number(v):
    return v["value"] if isinstance(v, dict) else v


def shown(metric, v):
    x = number(v)
    if metric.endswith("_time"):
        return f"{x:.3g} s"
    if metric.endswith("flops_per_device"):
        return f"{x / 1e12:.1f} TFLOP/s"
    if metric in ("tokens_per_s", "tokens_per_s_per_device"):
        return f"{x:,.0f} tokens/s"
    if metric == "images_per_s":
        return f"{x:,.0f} img/s"
    return f"{x:.3g}"


def rows(doc):
    """(record, metric, measured, predicted, ideal) for every published measurement a training
    record reports, by record name."""
    for t in sorted(doc["training"], key=lambda t: t["name"]):
        for m in t["measured"]:
            k = m["metric"]
            if k in t["results"]:
                yield (t, k, number(m["value"]), number(t["results"][k]), number(t["ideal"][k]))


def main():
    doc = json.load(sys.stdin)
    print("| training | model | devices | layout | measured | predicted | error | ideal's error |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for t, k, meas, pred, ideal in rows(doc):
        layout = f"{t['tp']} x {t['pp']} x {t['cp']} x {t['dp']}"
        name = t["name"] + (" (calibration)" if t["calibration"] else "")
        print(f"| {name} | {t['model']} | {t['devices']} | {layout} | {k} {shown(k, meas)} | "
              f"{shown(k, pred)} | {(pred / meas - 1) * 100:+.1f}% | "
              f"{(ideal / meas - 1) * 100:+.1f}% |")


if __name__ == "__main__":
    main()
