# Relations between the records of Inputs/host-time.zoo, read from zooc's JSON report.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from serving_results import grows, tables, v  # noqa: E402

s, c = tables(sys.argv[1])
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
