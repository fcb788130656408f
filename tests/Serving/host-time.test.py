# Relations between the records of Inputs/host-time.zoo, read from zooc's JSON report.
import json
import sys

doc = json.load(open(sys.argv[1]))
s = {x["name"]: x["results"] for x in doc["serving"]}
c = {x["name"]: x["results"] for x in doc["scenarios"]}


def v(table, name, metric):
    r = table[name][metric]
    return r["value"] if isinstance(r, dict) else r


def close(a, b):
    return abs(a - b) < 1e-9


def grows(table, stack, bare, metric, by):
    """Whether `metric` of record `stack` exceeds that of `bare` by `by`."""
    return close(v(table, stack, metric) - v(table, bare, metric), by)


ms = 1e-3
print("closed loop: TTFT +11 ms:", grows(s, "Closed_Stack", "Closed_Bare", "ttft_mean", 11 * ms))
print("closed loop: time per output token +1 ms:",
      grows(s, "Closed_Stack", "Closed_Bare", "tpot_mean", 1 * ms))
print("closed loop: end to end +11 ms + 63 ms:",
      grows(s, "Closed_Stack", "Closed_Bare", "e2e_p50", 74 * ms))
print("closed loop: requests a second = 1 / end to end:",
      abs(v(s, "Closed_Stack", "requests_per_s") * v(s, "Closed_Stack", "e2e_p50") - 1) < 1e-9)
print("open loop: median TTFT +11 ms:", grows(s, "Open_Stack", "Open_Bare", "ttft_p50", 11 * ms))
print("open loop: median time per output token +1 ms:",
      grows(s, "Open_Stack", "Open_Bare", "tpot_p50", 1 * ms))
print("scenario: decode step +1 ms:",
      grows(c, "Decode_Stack", "Decode_Bare", "decode_time", 1 * ms))
print("scenario: prefill +1 ms:", grows(c, "Decode_Stack", "Decode_Bare", "prefill_time", 1 * ms))
print("a record's own host times act as the runtime's:",
      all(v(s, "Closed_Own", k) == v(s, "Closed_Stack", k)
          for k in ("ttft_mean", "tpot_mean", "e2e_p50", "requests_per_s")))
