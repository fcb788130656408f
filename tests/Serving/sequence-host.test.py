# Relations between the records of Inputs/sequence-host.zoo, read from zooc's JSON report.
import json
import sys

doc = json.load(open(sys.argv[1]))
s = {x["name"]: x["results"] for x in doc["serving"]}
c = {x["name"]: x["results"] for x in doc["scenarios"]}


def v(table, name, metric):
    r = table[name][metric]
    return r["value"] if isinstance(r, dict) else r


def grows(table, more, bare, metric, by):
    """Whether `metric` of record `more` exceeds that of `bare` by `by`."""
    return abs(v(table, more, metric) - v(table, bare, metric) - by) < 1e-9


ms = 1e-3
print("one client: TTFT +0.5 ms:", grows(s, "Alone_Seq", "Alone_Bare", "ttft_mean", 0.5 * ms))
print("one client: time per output token +0.5 ms:",
      grows(s, "Alone_Seq", "Alone_Bare", "tpot_mean", 0.5 * ms))
print("four clients: TTFT +2 ms:", grows(s, "Four_Seq", "Four_Bare", "ttft_mean", 2 * ms))
print("four clients: time per output token +2 ms:",
      grows(s, "Four_Seq", "Four_Bare", "tpot_mean", 2 * ms))
print("one client, four chunks: TTFT +2 ms:",
      grows(s, "Chunks_Seq", "Chunks_Bare", "ttft_mean", 2 * ms))
print("one client, four chunks: time per output token +0.5 ms:",
      grows(s, "Chunks_Seq", "Chunks_Bare", "tpot_mean", 0.5 * ms))
print("four clients, one chunk: TTFT +2 ms:",
      grows(s, "Chunk_Four_Seq", "Chunk_Four_Bare", "ttft_mean", 2 * ms))
print("scenario, batch 8: decode step +4 ms:",
      grows(c, "Batch8_Seq", "Batch8_Bare", "decode_time", 4 * ms))
print("scenario, batch 8: prefill +4 ms:",
      grows(c, "Batch8_Seq", "Batch8_Bare", "prefill_time", 4 * ms))
print("a record's own host time a sequence acts as the runtime's:",
      all(v(s, "Four_Own", k) == v(s, "Four_Seq", k)
          for k in ("ttft_mean", "tpot_mean", "e2e_p50", "requests_per_s")))
