import json
import sys

d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["scenarios"]}
peak = {x["name"]: x for x in d["hardware"]}["B200"]
fp4 = next(sec for sec in peak["sections"] if "fp4" in sec["fields"])["fields"]["fp4"]["value"]


def value(name, part, metric):
    v = s[name][part][metric]
    return v["value"] if isinstance(v, dict) else v


def factor(name, what):
    return next(f["value"] for f in s[name]["factors"] if f["name"] == what)


# Sum of the fused products' inputs over the devices, by hand (see the .zoo file).
layers, width, ffn = 32, 4096, 14336
for label, scen0, scen1, devices in (("one device", "Fill0", "Fill1", 1),
                                     ("two devices", "Fill0_tp2", "Fill1_tp2", 2)):
    inputs = layers * (devices * width + width + devices * width + ffn)
    want = 2 * 1e6 * inputs
    rate = fp4 * devices * factor(scen1, "achievable matrix peak")
    got = (value(scen1, "results", "prefill_time") - value(scen0, "results", "prefill_time")) * rate
    ok = abs(got - want) <= 1e-9 * want
    print(f"prefill_time {label}: +{want:.6e} FLOP of fill, "
          f"{'as computed' if ok else f'NOT as computed ({got:.6e})'}")
for metric in ("prefill_time", "decode_time"):
    t0, t1, t2 = (value(n, "results", metric) for n in ("Fill0", "Fill1", "Fill2"))
    linear = abs(t1 - (t0 + t2) / 2) <= 1e-12 * t2
    print(f"{metric}: {'linear' if linear else 'NOT linear'} in the fill, "
          f"{'rises' if t0 < t1 < t2 else 'DOES NOT rise'} with it")
ideal = {value(n, "ideal", "prefill_time") for n in ("Fill0", "Fill1", "Fill2")}
print("ideal:", "the same at every fill" if len(ideal) == 1 else "DIFFERS")
same = value("Fill0_bf16", "results", "prefill_time") == value("Fill1_bf16", "results",
                                                               "prefill_time")
print("bf16 compute:", "the fp4 fill not applied" if same else "APPLIED")
