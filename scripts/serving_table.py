#!/usr/bin/env python3
"""Writes the per-row table of docs/validation.md's "Serving under load" section from
`zooc --emit=json` of the bundled zoo: each published measurement of a serving record, the
simulation, its error, the ideal roofline's simulation and its error, and whether the row
calibrates.

Usage: zooc --emit=json zoo/ -o - | scripts/serving_table.py
"""
import json
import sys


def number(v):
    return v["value"] if isinstance(v, dict) else v


def shown(metric, x):
    if metric.endswith("tokens_per_s"):
        return f"{x:,.0f} tokens/s"
    if metric.removeprefix("sla_").startswith(("ttft", "tpot", "tbt", "e2e")):
        return f"{x * 1e3:,.1f} ms" if x < 1 else f"{x:,.2f} s"
    return f"{x:.3g}"


def main():
    doc = json.load(sys.stdin)
    print("| serving | regime | metric | measured | simulated | error | ideal | ideal's error |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for s in sorted(doc["serving"], key=lambda s: s["name"]):
        for m in s["measured"]:
            k = m["metric"]
            if k not in s["results"]:
                continue
            meas, pred = number(m["value"]), number(s["results"][k])
            ideal = number(s["ideal"][k]) if k in s["ideal"] else None
            name = s["name"] + (" (calibration)" if s["calibration"] else "")
            ideal_cells = (f"{shown(k, ideal)} | {(ideal / meas - 1) * 100:+.1f}%"
                           if ideal is not None else "- | -")
            print(f"| {name} | {s['regime']} | {k} | {shown(k, meas)} | {shown(k, pred)} | "
                  f"{(pred / meas - 1) * 100:+.1f}% | {ideal_cells} |")


if __name__ == "__main__":
    main()
