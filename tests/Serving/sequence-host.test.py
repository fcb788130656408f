# Relations between the records of Inputs/sequence-host.zoo, read from zooc's JSON report.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from serving_results import grows, tables, v  # noqa: E402

s, c = tables(sys.argv[1])
ms = 1e-3
# (what is printed, the table, the record with the host time, the one without, metric, growth)
for what, table, more, bare, metric, by in [
        ("one client: TTFT +0.5 ms", s, "Alone_Seq", "Alone_Bare", "ttft_mean", 0.5),
        ("one client: time per output token +0.5 ms", s, "Alone_Seq", "Alone_Bare", "tpot_mean",
         0.5),
        ("four clients: TTFT +2 ms", s, "Four_Seq", "Four_Bare", "ttft_mean", 2),
        ("four clients: time per output token +2 ms", s, "Four_Seq", "Four_Bare", "tpot_mean", 2),
        ("one client, four chunks: TTFT +2 ms", s, "Chunks_Seq", "Chunks_Bare", "ttft_mean", 2),
        ("one client, four chunks: time per output token +0.5 ms", s, "Chunks_Seq", "Chunks_Bare",
         "tpot_mean", 0.5),
        ("four clients, one chunk: TTFT +2 ms", s, "Chunk_Four_Seq", "Chunk_Four_Bare",
         "ttft_mean", 2),
        ("scenario, batch 8: decode step +4 ms", c, "Batch8_Seq", "Batch8_Bare", "decode_time", 4),
        ("scenario, batch 8: prefill +4 ms", c, "Batch8_Seq", "Batch8_Bare", "prefill_time", 4)]:
    print(f"{what}:", grows(table, more, bare, metric, by * ms))
print("a record's own host time a sequence acts as the runtime's:",
      all(v(s, "Four_Own", k) == v(s, "Four_Seq", k)
          for k in ("ttft_mean", "tpot_mean", "e2e_p50", "requests_per_s")))
