# Relations between the serving records of Inputs/load.zoo, read from zooc's JSON report.
import json
import sys

doc = json.load(open(sys.argv[1]))
s = {x["name"]: x["results"] for x in doc["serving"]}


def v(name, metric):
    r = s[name][metric]
    return r["value"] if isinstance(r, dict) else r


print("closed loop of 32 completes more requests a second than 1:",
      v("Closed_32", "requests_per_s") > v("Closed_1", "requests_per_s"))
print("two replicas at twice the rate: the same latencies:",
      all(v("Two", k) == v("Fixed", k) for k in ("ttft_p50", "ttft_p99", "tpot_p99", "tbt_p99")))
print("two replicas at twice the rate: twice the highest rate:",
      abs(v("Two", "sla_rate") / v("Fixed", "sla_rate") - 2) < 1e-9)
print("a tighter TPOT target lowers the highest rate:",
      v("Tighter", "sla_rate") < v("Fixed", "sla_rate"))
print("a median target allows a higher rate than a P99 one:",
      v("Median", "sla_rate") > v("Fixed", "sla_rate"))
print("the highest rate is above the workload's 4 requests/s, which meets the targets:",
      v("Fixed", "sla_output_tokens_per_s") > 0 and v("Fixed", "sla_rate") > 4)
print("quantile table's prompts spread the gaps between tokens: P99 TBT above P50:",
      v("Spread_Whole", "tbt_p99") > 2 * v("Spread_Whole", "tbt_p50"))
print("two replicas at twice the rate: the same medians at the highest rate:",
      all(v("Two", k) == v("Fixed", k) for k in ("sla_ttft_p50", "sla_tpot_p50")))
print("the medians at the highest rate are within the targets and above those at 4 requests/s:",
      v("Fixed", "ttft_p50") <= v("Fixed", "sla_ttft_p50") <= 0.2 and
      v("Fixed", "tpot_p50") < v("Fixed", "sla_tpot_p50") <= 0.03)
# The record run again at its highest rate: a second file for the next RUN line.
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        f.write("serving FixedAt { model = Llama3_8B; hardware = H100_SXM; runtime = vllm; "
                f"workload = Open; rate = {v('Fixed', 'sla_rate')!r} requests/s; }}\n")
        f.write(f"// SAME: \"ttft_p50\": {v('Fixed', 'sla_ttft_p50')!r}\n")
        f.write(f"// SAME: \"tpot_p50\": {v('Fixed', 'sla_tpot_p50')!r}\n")
