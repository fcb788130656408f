"""Checks paged.test's relations on zooc's JSON report."""
import json
import math
import sys

doc = json.load(open(sys.argv[1]))
serving = {s["name"]: s["results"] for s in doc["serving"]}


def value(name, metric):
    v = serving[name][metric]
    return v["value"] if isinstance(v, dict) else v


def check(what, ok):
    print(f"{what}: {'ok' if ok else 'FAILED'}")


# Llama 3 8B's cache per token in bf16: K and V, 32 layers, 8 KV heads of 128 values, 2 bytes.
per_token = 2 * 32 * 8 * 128 * 2
whole = value("Two_Tokens_Whole", "max_concurrency")
paged = value("Two_Tokens_Paged", "max_concurrency")
# Whole tokens: floor(budget / (2 tokens)) = whole, so the budget lies in
# [whole, whole + 1) x 2 x per_token; in pages each request holds one page of 16 tokens.
low = math.floor(whole * 2 * per_token / (16 * per_token))
high = math.floor((whole + 1) * 2 * per_token / (16 * per_token))
check("pages: 16-token pages admit floor(budget / (16 x 131072 B)) requests",
      whole > 1000 and low <= paged <= high)

same = all(value("Light_Reserve", m) == value("Light_Preempt", m)
           for m in ("ttft_p50", "ttft_p99", "tpot_p50", "tpot_p99", "output_tokens_per_s"))
check("light load: the same latencies, 0 preemptions",
      same and value("Light_Preempt", "preemptions") == 0)

check("tight cache: pages round the reservation up",
      value("Reserve_Pages", "max_concurrency") <= value("Reserve_Tokens", "max_concurrency"))
check("tight cache: preemption happens, admits more, serves more",
      value("Preempt_Pages", "preemptions") > 0
      and value("Preempt_Pages", "mean_batch") > value("Reserve_Pages", "mean_batch")
      and value("Preempt_Pages", "output_tokens_per_s") > value("Reserve_Pages", "output_tokens_per_s"))
check("reserve records report no preemptions",
      all("preemptions" not in serving[n]
          for n in ("Two_Tokens_Whole", "Two_Tokens_Paged", "Light_Reserve", "Reserve_Pages",
                    "Reserve_Tokens")))
