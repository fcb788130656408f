"""Checks tests/Serving/prefill-mixing.test's relations on zooc's JSON."""
import json
import sys

doc = json.load(open(sys.argv[1]))
runs = {s["name"]: s["results"] for s in doc["serving"]}


def get(name, metric):
    v = runs[name][metric]
    return v["value"] if isinstance(v, dict) else v


LATENCIES = ("ttft_p50", "ttft_p99", "tpot_p50", "tpot_p99", "tbt_p50", "tbt_p99", "e2e_p50")
print("one client: the same latencies:",
      all(get("Closed_Mixed", k) == get("Closed_Alone", k) for k in LATENCIES))
print("under load: median TTFT lower alone:",
      get("Open_Alone", "ttft_p50") < get("Open_Mixed", "ttft_p50"))
print("under load: median time per output token higher alone:",
      get("Open_Alone", "tpot_p50") > get("Open_Mixed", "tpot_p50"))
print("under load: P99 gap between tokens higher alone:",
      get("Open_Alone", "tbt_p99") > get("Open_Mixed", "tbt_p99"))
print("a record's own mixed_prefill acts as the runtime's:",
      runs["Open_Own"] == runs["Open_Alone"])
