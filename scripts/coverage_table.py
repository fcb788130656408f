#!/usr/bin/env python3
"""Writes docs/validation.md's "Coverage by device" table from `zooc --emit=json` and
`zooc --emit=json --table=validation` of the bundled zoo: for every device of the registry, its
published measurements held out (the scenario rows of zoo/validation, the serving records'
measurements, the training records'), their median error and worst, and the devices that have
none, so that a reader sees how far a prediction on a given device has been checked.

Usage: zooc --emit=json zoo/ -o all.json
       zooc --emit=json --table=validation zoo/ -o validation.json
       scripts/coverage_table.py all.json validation.json
"""
import json
import os
import statistics
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving_table import magnitude, percent, rows as serving_rows  # noqa: E402
from training_table import rows as training_rows  # noqa: E402


def main():
    doc = json.load(open(sys.argv[1]))
    val = json.load(open(sys.argv[2]))
    classes = {h["name"]: h["class"] for h in doc["hardware"]}
    scenario_hw = {s["name"]: s["hardware"] for s in doc["scenarios"]}
    system_hw = {s["name"]: s["hardware"] for s in doc["systems"]}
    serving_hw = {s["name"]: s["hardware"] for s in doc["serving"]}
    # device -> list of (kind, signed error %, ideal's error % or None), held out; and calibration
    held, calibration = {}, {}
    for r in val["rows"]:
        hw = scenario_hw[r["scenario"]]
        if r["role"] == "calibration":
            calibration[hw] = calibration.get(hw, 0) + 1
            continue
        held.setdefault(hw, []).append(("scenario", r["error_percent"], r["ideal_error_percent"]))
    for name, cal, _regime, _metric, meas, pred, ideal in serving_rows(doc):
        hw = serving_hw[name]
        if cal:
            calibration[hw] = calibration.get(hw, 0) + 1
            continue
        held.setdefault(hw, []).append(
            ("serving", (pred / meas - 1) * 100,
             (ideal / meas - 1) * 100 if ideal is not None else None))
    for t, _metric, meas, pred, ideal in training_rows(doc):
        hw = system_hw[t["system"]]
        if t["calibration"]:
            calibration[hw] = calibration.get(hw, 0) + 1
            continue
        held.setdefault(hw, []).append(
            ("training", (pred / meas - 1) * 100, (ideal / meas - 1) * 100))

    print("| device | class | held out | scenario, serving, training | calibration | "
          "median \\|error\\| | median error | worst | ideal roofline's median \\|error\\| |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for hw in sorted(held, key=lambda h: (-len(held[h]), h)):
        g = held[hw]
        errors = [e for _, e, _ in g]
        ideal = [abs(i) for _, _, i in g if i is not None]
        kinds = ", ".join(str(sum(1 for k, _, _ in g if k == kind))
                          for kind in ("scenario", "serving", "training"))
        worst = max(errors, key=abs)
        print(f"| {hw} | {classes.get(hw, '-')} | {len(g)} | {kinds} | {calibration.get(hw, 0)} | "
              f"{magnitude(statistics.median(abs(e) for e in errors))} | "
              f"{percent(statistics.median(errors))} | {percent(worst)} | "
              f"{magnitude(statistics.median(ideal)) if ideal else '-'} |")
    only_cal = sorted(h for h in calibration if h not in held)
    none = sorted(h for h in classes if h not in held and h not in calibration)
    print()
    print(textwrap.fill(
        f"{len(held)} of the registry's {len(classes)} devices have held-out measurements"
        + (f"; {', '.join(only_cal)} only calibration rows" if only_cal else "")
        + f". The other {len(none)} have none, and their predictions are unchecked: "
        + ", ".join(none) + ".", width=100, break_long_words=False, break_on_hyphens=False))


if __name__ == "__main__":
    main()
