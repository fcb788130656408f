"""Checks tests/Serving/async-scheduling.test's relations on zooc's JSON."""
import json
import sys

doc = json.load(open(sys.argv[1]))
runs = {s["name"]: s["results"] for s in doc["serving"]}


def get(name, metric):
    v = runs[name][metric]
    return v["value"] if isinstance(v, dict) else v


def ms(x):
    return "%.6f" % (x * 1e3)


print("one client: TTFT ahead minus synchronous (ms):",
      ms(get("One_Ahead", "ttft_p50") - get("One_Sync", "ttft_p50")))
print("one client: time per output token ahead minus synchronous (ms):",
      ms(get("One_Ahead", "tpot_p50") - get("One_Sync", "tpot_p50")))
print("host-bound: time per output token (ms):", ms(get("One_HostBound", "tpot_p50")))
print("under load: median TTFT higher ahead:",
      get("Light_Ahead", "ttft_p50") > get("Light_Sync", "ttft_p50"))
print("under load: median time per output token lower ahead:",
      get("Light_Ahead", "tpot_p50") < get("Light_Sync", "tpot_p50"))
print("a record's own async_scheduling acts as the runtime's:",
      runs["Light_Own"] == runs["Light_Ahead"])
