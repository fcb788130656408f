import json
import sys

d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["scenarios"]}


def value(name, part, metric):
    v = s[name][part][metric]
    return v["value"] if isinstance(v, dict) else v


for metric in ("prefill_time", "decode_time"):
    t0, t5, t1 = (value(n, "results", metric) for n in ("S0", "S5", "S1"))
    linear = abs(t5 - (t0 + t1) / 2) <= 1e-12 * t1
    print(f"{metric}: {'linear' if linear else 'NOT linear'} in the share, "
          f"{'rises' if t0 < t5 < t1 else 'DOES NOT rise'} with it")
ideal = {value(n, "ideal", m) for n in ("S0", "S5", "S1") for m in ("prefill_time",)}
print("ideal:", "the same at every share" if len(ideal) == 1 else "DIFFERS")
