#!/usr/bin/env python3
"""Lists the published measurements that run faster than their ideal roofline, which should bound
every schedule (docs/formulas.md, "Performance model"): the scenario rows of the validation table,
the serving records' measurements and the training records'. A row the ideal does not bound is
either a measurement that cannot be as published (docs/validation.md names the one known) or an
ideal that leaves something out.

Serving's medians at the highest rate within the targets (`sla_ttft_p50`, `sla_tpot_p50`) are not
compared: the ideal simulation reads them at its own, higher, rate.

Usage: zooc --emit=json zoo/ -o all.json
       zooc --emit=json --table=validation zoo/ -o validation.json
       scripts/ideal_bound.py all.json validation.json
"""
import json
import sys


def number(v):
    return v["value"] if isinstance(v, dict) else v


def higher_is_better(metric):
    """Rates, shares of a peak and FLOP/s: more is faster; every other metric is a time."""
    return metric.endswith("_per_s") or metric.endswith("_per_device") or metric in ("mfu", "hfu")


def faster(metric, measured, ideal):
    return measured > ideal if higher_is_better(metric) else measured < ideal


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: ideal_bound.py ALL.json VALIDATION.json")
    doc = json.load(open(sys.argv[1]))
    table = json.load(open(sys.argv[2]))
    compared, beyond = 0, []
    for row in table["rows"]:
        if row.get("ideal") is None:
            continue
        compared += 1
        if faster(row["metric"], row["measured"], row["ideal"]):
            beyond.append((row["scenario"], row["metric"], row["measured"], row["ideal"]))
    for kind in ("serving", "training"):
        for record in doc.get(kind, []):
            for m in record["measured"]:
                k = m["metric"]
                if k in ("sla_ttft_p50", "sla_tpot_p50") or k not in record["ideal"]:
                    continue
                compared += 1
                measured, ideal = number(m["value"]), number(record["ideal"][k])
                if faster(k, measured, ideal):
                    beyond.append((record["name"], k, measured, ideal))
    for name, k, measured, ideal in beyond:
        print(f"{name} {k}: measured {measured:.4g}, ideal {ideal:.4g}")
    print(f"{len(beyond)} of {compared} measurements run faster than their ideal roofline")


if __name__ == "__main__":
    main()
