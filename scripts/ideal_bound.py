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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving_table import rows as serving_rows  # noqa: E402
from training_table import rows as training_rows  # noqa: E402


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
    compared = [(row["scenario"], row["metric"], row["measured"], row["ideal"])
                for row in table["rows"] if row.get("ideal") is not None]
    compared += [(name, k, measured, ideal)
                 for name, _, _, k, measured, _, ideal in serving_rows(doc)
                 if ideal is not None and k not in ("sla_ttft_p50", "sla_tpot_p50")]
    compared += [(t["name"], k, measured, ideal) for t, k, measured, _, ideal in training_rows(doc)]
    beyond = [row for row in compared if faster(row[1], row[2], row[3])]
    for name, k, measured, ideal in beyond:
        print(f"{name} {k}: measured {measured:.4g}, ideal {ideal:.4g}")
    print(f"{len(beyond)} of {len(compared)} measurements run faster than their ideal roofline")


if __name__ == "__main__":
    main()
