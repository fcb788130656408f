import json
import sys

d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["scenarios"]}
b200 = {x["name"]: x for x in d["hardware"]}["B200"]
dense = next(sec for sec in b200["sections"] if "fp4" in sec["fields"])["fields"]
peak = {p: dense[p]["value"] for p in ("fp4", "fp8", "bf16")}


def value(name, part, metric):
    v = s[name][part][metric]
    return v["value"] if isinstance(v, dict) else v


def factor(name, what):
    return next(f["value"] for f in s[name]["factors"] if f["name"] == what)


# The prefill's attention by hand: 32 layers, queries 4096 wide, causal over P positions.
P = 32768
flops = 2 * 32 * 4096 * P * (P + 1)
for label, wide, narrow, at, base in (("fp8 cache beside fp4 products", "Fp4Cache8", "Fp4Cache4",
                                       "fp8", "fp4"),
                                      ("bf16 cache beside fp8 products", "Fp8Cache16", "Fp8Cache8",
                                       "bf16", "fp8")):
    hw_at = factor(wide, f"achievable matrix peak (attention, {at})")
    hw_base = factor(narrow, "achievable matrix peak")
    want = flops * (1 / (peak[at] * hw_at) - 1 / (peak[base] * hw_base))
    got = value(wide, "results", "prefill_time") - value(narrow, "results", "prefill_time")
    ok = abs(got - want) <= 1e-9 * want
    print(f"{label}: prefill +{flops:.6e} FLOP at {at}, "
          f"{'as computed' if ok else f'NOT as computed ({got:.6e} s, {want:.6e} s)'}")
    want = flops * (1 / peak[at] - 1 / peak[base])
    got = value(wide, "ideal", "prefill_time") - value(narrow, "ideal", "prefill_time")
    ok = abs(got - want) <= 1e-9 * want
    print(f"ideal: +{flops:.6e} FLOP at {at}, "
          f"{'as computed' if ok else f'NOT as computed ({got:.6e} s, {want:.6e} s)'}")
