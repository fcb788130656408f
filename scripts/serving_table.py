#!/usr/bin/env python3
"""Writes the tables of docs/validation.md's "Serving under load" section from `zooc --emit=json`
of the bundled zoo.

Without arguments: the per-row table, each published measurement of a serving record, the
simulation, its error, the ideal roofline's simulation and its error, and whether the row
calibrates. With --summary: the held-out rows by group, each group's median |error|, its median
signed error (its direction: + where the simulation is above the measurement), its worst row and
the ideal roofline's median |error|.

Usage: zooc --emit=json zoo/ -o - | scripts/serving_table.py [--summary]
"""
import json
import re
import statistics
import sys


def number(v):
    return v["value"] if isinstance(v, dict) else v


def shown(metric, x):
    if metric.endswith("tokens_per_s"):
        return f"{x:,.0f} tokens/s"
    if metric.removeprefix("sla_").startswith(("ttft", "tpot", "tbt", "e2e")):
        return f"{x * 1e3:,.1f} ms" if x < 1 else f"{x:,.2f} s"
    return f"{x:.3g}"


def rows(doc):
    """(record, calibration, regime, metric, measured, simulated, ideal or None) for every
    published measurement the simulation reports, by record name."""
    for s in sorted(doc["serving"], key=lambda s: s["name"]):
        for m in s["measured"]:
            k = m["metric"]
            if k not in s["results"]:
                continue
            ideal = number(s["ideal"][k]) if k in s["ideal"] else None
            yield (s["name"], s["calibration"], s["regime"], k, number(m["value"]),
                   number(s["results"][k]), ideal)


def per_row(doc):
    print("| serving | regime | metric | measured | simulated | error | ideal | ideal's error |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for name, calibration, regime, k, meas, pred, ideal in rows(doc):
        name += " (calibration)" if calibration else ""
        ideal_cells = (f"{shown(k, ideal)} | {(ideal / meas - 1) * 100:+.1f}%"
                       if ideal is not None else "- | -")
        print(f"| {name} | {regime} | {k} | {shown(k, meas)} | {shown(k, pred)} | "
              f"{(pred / meas - 1) * 100:+.1f}% | {ideal_cells} |")


def tp(name, n, device=r"H[12]00"):
    """Whether a record name is of n devices of the device pattern (one device: no prefix or 1x)."""
    prefix = f"{n}x" if n > 1 else "(1x)?"
    return re.search(rf"_{prefix}{device}_", name) is not None


# The groups of the summary, in order: (label, test on (name, regime, metric)).
THROUGHPUT = lambda n, r, k: k.endswith("tokens_per_s")
V017 = lambda n: n.startswith("TRTLLM017")
V020 = lambda n: n.startswith("TRTLLM020") and "Llama3" in n and "FP4" not in n
AZURE = lambda n: n.startswith("Azure")
V014 = lambda n: n.startswith("TRTLLM014")
SGLANG = lambda n: n.startswith("SGLang_")
SGLANG030 = lambda n: n.startswith("SGLang030_")
VLLMA100 = lambda n: n.startswith("VLLM_8xA100")
VLLMH200 = lambda n: n.startswith("VLLM014_H200")
SGLANGNEXT = lambda n: n.startswith("SGLangNext_")
V1X = lambda n: n.startswith("TRTLLM1X_")
DEP = lambda n: n.startswith("TRTLLM1X_DEP")
R1GUIDE = lambda n: n.startswith("TRTLLM_R1_")
V1XTP = lambda n: V1X(n) and not DEP(n)
GPTOSS = lambda n: "GPT_OSS" in n
BLACKWELL = lambda n: re.search(r"_G?B200_", n) is not None
# MLPerf v5.1's and v6.0's rows: the first of the B300 and the MI355X (added 2026-12-06).
B300_MI355X = lambda n: (re.match(r"MLPerf_v(51|60)_", n) is not None
                         and ("B300" in n or "MI355X" in n))
# MLPerf v5.0's and v5.1's rows: the first of the B200 and the GB200 (added 2026-12-07).
MLPERF_B200 = lambda n: re.match(r"MLPerf_v5[01]_\w*_\d+xG?B200", n) is not None
# vLLM on one TPU v7 (Ironwood): the first rows of that device (added 2026-12-07).
TPU7 = lambda n: n.startswith("VLLMTPU_TPUv7_")
# Any of these: the groups "as before they were added" leave them all out.
NEWDEV = lambda n: B300_MI355X(n) or MLPERF_B200(n) or TPU7(n)
MLPERF_THROUGHPUT = lambda r, k: k == "sla_output_tokens_per_s" or r == "mlperf offline"
B300_MI355X_THROUGHPUT = lambda n, r, k: B300_MI355X(n) and MLPERF_THROUGHPUT(r, k)
B200_THROUGHPUT = lambda n, r, k: MLPERF_B200(n) and MLPERF_THROUGHPUT(r, k)
P50 = ("ttft_p50", "tpot_p50", "tbt_p50", "e2e_p50")
# A median latency at a given rate (MLPerf's at the scheduled rate, the engines' at theirs).
AT_RATE_P50 = lambda n, r, k: r in ("mlperf server", "at a rate") and k in P50
# The serving engines' own benchmarks added after v0.14's table.
ENGINES = lambda n: SGLANG(n) or SGLANG030(n) or VLLMA100(n) or VLLMH200(n) or SGLANGNEXT(n)
VLLM_AT_RATE = lambda n, r, k: VLLMA100(n) and r == "at a rate" and k in P50
LATENCY = lambda n, r, k: not THROUGHPUT(n, r, k) and not k.startswith("sla_")
# trtllm-bench's dense Llama 3 rows (v0.17 and v0.20, FP8 on H100 and H200, FP4 on B200) by the
# dense weights one device holds of a decoder layer: the layer's products over the tensor ranks,
# h (h + 2 kv + h) + 3 h ffn with eight key-value heads of 128 (kv = 1,024): h = 4,096 and
# ffn = 14,336 (8B), 8,192 and 28,672 (70B), 16,384 and 53,248 (405B), the models' config.json.
DENSE_LAYER = {name: h * (h + 2 * 1024 + h) + 3 * h * ffn
               for name, h, ffn in (("8B", 4096, 14336), ("70B", 8192, 28672),
                                    ("405B", 16384, 53248))}


def layer_share(n):
    """A device's share of a decoder layer's parameters for a trtllm-bench dense Llama 3 row, or
    None for any other row."""
    m = re.match(r"TRTLLM0(17|20)_(?:(\d+)x)?[A-Z0-9]+_Llama3_(8B|70B|405B)_", n)
    return DENSE_LAYER[m.group(3)] / int(m.group(2) or 1) if m else None


def layer_between(lo, hi):
    return lambda n, r, k: layer_share(n) is not None and lo <= layer_share(n) <= hi


GROUPS = [
    ("throughput (within the targets, at a load, or at full load)", THROUGHPUT),
    ("the same without the TPU v7's rows (as before they were added)",
     lambda n, r, k: THROUGHPUT(n, r, k) and not TPU7(n)),
    ("the same without MLPerf's B200 and GB200 rows too (as before they were added)",
     lambda n, r, k: THROUGHPUT(n, r, k) and not MLPERF_B200(n) and not TPU7(n)),
    ("the same without MLPerf's B300 and MI355X rows too (as before they were added)",
     lambda n, r, k: THROUGHPUT(n, r, k) and not NEWDEV(n)),
    ("the same without the DeepSeek-R1 guide's rows (as before they were added)",
     lambda n, r, k: THROUGHPUT(n, r, k) and not R1GUIDE(n) and not NEWDEV(n)),
    ("the same without TensorRT-LLM 1.x's DEP rows and the guide's (as before they were added)",
     lambda n, r, k: THROUGHPUT(n, r, k) and not DEP(n) and not R1GUIDE(n) and not NEWDEV(n)),
    ("the same without TensorRT-LLM 1.x's rows (as before they were added)",
     lambda n, r, k: THROUGHPUT(n, r, k) and not V1X(n) and not R1GUIDE(n) and not NEWDEV(n)),
    ("the same without 1.x's and Qwen3-Next's rows (as before those were added)",
     lambda n, r, k: THROUGHPUT(n, r, k) and not V1X(n) and not SGLANGNEXT(n)
     and not R1GUIDE(n) and not NEWDEV(n)),
    ("the same without Azure's, v0.14's, SGLang's and vLLM's A100 rows (as before they were added)",
     lambda n, r, k: THROUGHPUT(n, r, k) and not AZURE(n) and not V014(n) and not ENGINES(n)
     and not V1X(n) and not R1GUIDE(n) and not NEWDEV(n)),
    ("throughput, MLPerf Server (the most served within the targets)",
     lambda n, r, k: k == "sla_output_tokens_per_s"),
    ("throughput, MLPerf Offline (full load)", lambda n, r, k: r == "mlperf offline"),
    ("throughput, MLPerf v5.1 and v6.0: the first rows of the B300 and the MI355X (Llama 2 70B in FP4; Server within the targets, and Offline)",
     B300_MI355X_THROUGHPUT),
    ("the same, 8 x B300 (TensorRT-LLM)", lambda n, r, k: B300_MI355X_THROUGHPUT(n, r, k) and "B300" in n),
    ("the same, 8 x MI355X (vLLM)", lambda n, r, k: B300_MI355X_THROUGHPUT(n, r, k) and "MI355X" in n),
    ("throughput, MLPerf v5.0 and v5.1: the first rows of the B200 and the GB200 (NVIDIA's, Llama 2 70B in NVFP4; Server within the targets, and Offline)",
     B200_THROUGHPUT),
    ("the same, 1 and 8 x B200", lambda n, r, k: B200_THROUGHPUT(n, r, k) and "GB200" not in n),
    ("the same, 4 x GB200", lambda n, r, k: B200_THROUGHPUT(n, r, k) and "GB200" in n),
    ("throughput, full load, vLLM on one TPU v7 (Qwen3-32B in FP8; the device's first rows)",
     lambda n, r, k: TPU7(n)),
    ("MLPerf Server and Offline throughput without the B200, GB200, B300 and MI355X rows (as before they were added)",
     lambda n, r, k: MLPERF_THROUGHPUT(r, k) and not NEWDEV(n)),
    ("throughput, closed loop (NIM)",
     lambda n, r, k: r == "closed loop" and THROUGHPUT(n, r, k) and not SGLANGNEXT(n)),
    ("throughput, full load (trtllm-bench v0.17), all", lambda n, r, k: V017(n)),
    ("full load, Llama 3.1 8B, one device", lambda n, r, k: V017(n) and "_8B_" in n),
] + [(f"full load, 70B, TP{d}", lambda n, r, k, d=d: V017(n) and "70B" in n and tp(n, d))
     for d in (1, 2, 4, 8)] + [
    ("full load (trtllm-bench v0.20, PyTorch backend), Llama 3", lambda n, r, k: V020(n)),
    ("v0.20, Llama 3.1 8B, one device", lambda n, r, k: V020(n) and "_8B_" in n),
] + [(f"v0.20, 70B, TP{d}", lambda n, r, k, d=d: V020(n) and "70B" in n and tp(n, d))
     for d in (1, 2, 4, 8)] + [
    ("v0.20, Llama 3.1 405B, TP8", lambda n, r, k: V020(n) and "405B" in n),
    ("full load, FP4 on B200 (v0.20)", lambda n, r, k: "FP4" in n),
] + [(f"FP4, 70B, TP{d}", lambda n, r, k, d=d: "FP4" in n and "70B" in n and tp(n, d, "B200"))
     for d in (1, 2, 4, 8)] + [
    ("FP4, 405B, TP4 and TP8", lambda n, r, k: "FP4" in n and "405B" in n),
    ("full load, dense Llama 3 (v0.17 and v0.20, FP8 and FP4), a device's share of a layer 107 million parameters (70B at TP8)",
     layer_between(100e6, 110e6)),
    ("the same, 214 to 218 million (70B at TP4, 8B on one device)", layer_between(210e6, 220e6)),
    ("the same, 398 to 428 million (405B at TP8, 70B at TP2)", layer_between(390e6, 430e6)),
    ("the same, 797 to 856 million (405B at TP4, 70B on one device)", layer_between(790e6, 860e6)),
    ("full load, Llama 4 Maverick (v0.20), TP8", lambda n, r, k: n.startswith("TRTLLM020_8x")
     and "Maverick" in n),
    ("full load, Maverick (v0.20), H200",
     lambda n, r, k: n.startswith("TRTLLM020_8xH200_Llama4_Maverick")),
    ("full load, Maverick (v0.20), H100", lambda n, r, k: n.startswith("TRTLLM020_8xH100_Llama4_Maverick")),
    ("full load, TensorRT-LLM 1.x (perf-overview), single-device, tensor- and pipeline-parallel rows",
     lambda n, r, k: V1XTP(n)),
    ("1.x, Llama 3.3 70B FP8 on 2 x H100 and 2 x H200",
     lambda n, r, k: V1XTP(n) and "Llama" in n and re.search(r"_2xH[12]00_", n)),
    ("1.x, Llama 3.3 70B FP4 on one B200 or GB200",
     lambda n, r, k: V1XTP(n) and "Llama" in n and BLACKWELL(n)),
    ("1.x, Llama 3.3 70B FP4 on RTX PRO 6000 (one, and two pipeline stages)",
     lambda n, r, k: V1XTP(n) and "Llama" in n and "RTXPRO" in n),
    ("1.x, gpt-oss (MXFP4 experts run in MXFP8) on one B200 or GB200",
     lambda n, r, k: V1XTP(n) and GPTOSS(n) and BLACKWELL(n)),
    ("1.x, gpt-oss (MXFP4 experts run in BF16) on one H100 or H200",
     lambda n, r, k: V1XTP(n) and GPTOSS(n) and not BLACKWELL(n)),
    ("1.x, Qwen3-30B-A3B FP4 on one B200 or GB200",
     lambda n, r, k: V1XTP(n) and "Qwen3" in n and BLACKWELL(n)),
    ("1.x, Qwen3-30B-A3B FP4 on one RTX PRO 6000",
     lambda n, r, k: V1XTP(n) and "Qwen3" in n and "RTXPRO" in n),
    ("full load, TensorRT-LLM 1.x, attention data parallel (DEP, 2 to 8 GPUs), all",
     lambda n, r, k: DEP(n)),
    ("DEP, DeepSeek-R1-0528 (FP4 on B200 and GB200, FP8 on H200)",
     lambda n, r, k: DEP(n) and "DeepSeek" in n),
    ("DEP, Llama 4 Maverick (FP4 on B200 and GB200, FP8 on H200)",
     lambda n, r, k: DEP(n) and "Maverick" in n),
    ("DEP, Qwen3-235B-A22B (FP4 on B200, GB200 and RTX PRO 6000, FP8 on H200 and H100)",
     lambda n, r, k: DEP(n) and "Qwen3_235B" in n),
    ("DEP, gpt-oss-120b (2 x B200, 4 x H100)", lambda n, r, k: DEP(n) and GPTOSS(n)),
    ("DEP, Qwen3-30B-A3B on 2 and 8 RTX PRO 6000", lambda n, r, k: DEP(n) and "Qwen3_30B" in n),
    ("full load, TensorRT-LLM's DeepSeek-R1 guide, attention data parallel on 8 B200s or 8 H200s",
     lambda n, r, k: R1GUIDE(n)),
    ("full load, Azure (a second publisher), all", lambda n, r, k: AZURE(n)),
    ("Azure, Llama 3.1 8B, one device", lambda n, r, k: AZURE(n) and "_8B_" in n),
    ("Azure, 70B, TP8", lambda n, r, k: AZURE(n) and "70B" in n),
    ("Azure, 405B, TP8", lambda n, r, k: AZURE(n) and "405B" in n),
    ("TensorRT-LLM v0.14 on Triton (its online-serving table), all", lambda n, r, k: V014(n)),
    ("v0.14, output throughput at an unbounded rate", lambda n, r, k: V014(n) and THROUGHPUT(n, r, k)),
    ("v0.14, mean TTFT at 2 to 32 requests/s", lambda n, r, k: V014(n) and r == "at a rate" and k == "ttft_mean"),
    ("v0.14, mean time per output token at 2 to 32 requests/s",
     lambda n, r, k: V014(n) and r == "at a rate" and k == "tpot_mean"),
    ("v0.14, mean TTFT and time per output token at an unbounded rate",
     lambda n, r, k: V014(n) and r == "full load" and LATENCY(n, r, k)),
    ("SGLang on H200 (DataCrunch's runs), all", lambda n, r, k: SGLANG(n)),
    ("SGLang, Llama 3.3 70B output throughput at full load", lambda n, r, k: SGLANG(n) and THROUGHPUT(n, r, k)),
    ("SGLang, median TTFT at 1 to 16 requests/s", lambda n, r, k: SGLANG(n) and k == "ttft_p50"),
    ("SGLang, median time between tokens at 1 to 16 requests/s", lambda n, r, k: SGLANG(n) and k == "tbt_p50"),
    ("SGLang, median end-to-end latency at 1 to 16 requests/s", lambda n, r, k: SGLANG(n) and k == "e2e_p50"),
    ("SGLang, every median at 1 to 16 requests/s", lambda n, r, k: SGLANG(n) and k in P50),
    ("vLLM on 8 x A100 40 GB (surajssd/llm-k8s), every median at 1 to 16 requests/s", VLLM_AT_RATE),
    ("vLLM, one VM (TP8)", lambda n, r, k: VLLM_AT_RATE(n, r, k) and "PP2" not in n),
    ("vLLM, two VMs (TP4 x PP2)", lambda n, r, k: VLLM_AT_RATE(n, r, k) and "PP2" in n),
    ("vLLM on 8 x A100 40 GB, every request at once (throughput and medians)",
     lambda n, r, k: VLLMA100(n) and r == "full load"),
    ("SGLang v0.3.0 (its repository's tables), every median at 4 and 8 requests/s",
     lambda n, r, k: SGLANG030(n) and r == "at a rate" and k in P50),
    ("SGLang v0.3.0, output throughput with every request at once",
     lambda n, r, k: SGLANG030(n) and THROUGHPUT(n, r, k)),
    ("SGLang serving Qwen3-Next-80B-A3B (a Gated DeltaNet hybrid) on H200, 8 clients, output throughput at TP2, TP4, TP8",
     lambda n, r, k: SGLANGNEXT(n)),
    ("vLLM 0.14.1 on one H200, FP8 (DigitalOcean's runs), every median at 0.5 to 3 requests/s",
     lambda n, r, k: VLLMH200(n) and k in P50),
    ("vLLM 0.14.1, median TTFT", lambda n, r, k: VLLMH200(n) and k == "ttft_p50"),
    ("vLLM 0.14.1, median time per output token and between tokens",
     lambda n, r, k: VLLMH200(n) and k in ("tpot_p50", "tbt_p50")),
    ("vLLM 0.14.1, median end-to-end latency", lambda n, r, k: VLLMH200(n) and k == "e2e_p50"),
    ("P50 latency at a given rate (MLPerf's medians at the scheduled rate; SGLang's and vLLM's at 0.5 to 16 requests/s)",
     AT_RATE_P50),
    ("the same without MLPerf's B200 and GB200 rows (as before they were added)",
     lambda n, r, k: AT_RATE_P50(n, r, k) and not MLPERF_B200(n)),
    ("the same without MLPerf's B300 and MI355X rows too (as before they were added)",
     lambda n, r, k: AT_RATE_P50(n, r, k) and not NEWDEV(n)),
    ("the same without vLLM 0.14.1's H200 rows (as before they were added)",
     lambda n, r, k: AT_RATE_P50(n, r, k) and not VLLMH200(n) and not NEWDEV(n)),
    ("the same without vLLM's A100 and H200 rows and SGLang v0.3.0's (as before they were added)",
     lambda n, r, k: AT_RATE_P50(n, r, k) and not VLLMA100(n) and not SGLANG030(n)
     and not VLLMH200(n) and not NEWDEV(n)),
    ("latency at a load (MLPerf's medians at the scheduled rate, NIM's closed loop, v0.14's means, SGLang's and vLLM's medians)",
     LATENCY),
    ("the same without MLPerf's B200 and GB200 rows (as before they were added)",
     lambda n, r, k: LATENCY(n, r, k) and not MLPERF_B200(n)),
    ("the same without MLPerf's B300 and MI355X rows too (as before they were added)",
     lambda n, r, k: LATENCY(n, r, k) and not NEWDEV(n)),
    ("the same without v0.14's, SGLang's and vLLM's rows (as before they were added)",
     lambda n, r, k: LATENCY(n, r, k) and not V014(n) and not ENGINES(n) and not NEWDEV(n)),
    ("latency, closed loop (TTFT and TPOT)",
     lambda n, r, k: not THROUGHPUT(n, r, k) and r == "closed loop"),
    ("latency, MLPerf median TPOT", lambda n, r, k: r == "mlperf server" and k == "tpot_p50"),
    ("latency, MLPerf median TTFT", lambda n, r, k: r == "mlperf server" and k == "ttft_p50"),
    ("the same MLPerf medians at the simulation's own Server rate: TPOT (second reading)",
     lambda n, r, k: k == "sla_tpot_p50"),
    ("the same, TTFT (second reading)", lambda n, r, k: k == "sla_ttft_p50"),
]


def percent(x):
    # A simulated queue that grows for the whole run gives errors of thousands of percent.
    return f"{x:+.1f}%" if abs(x) < 1000 else ("over +1,000%" if x > 0 else "under -1,000%")


def magnitude(x):
    # An absolute error, capped in print as percent() caps a signed one.
    return f"{x:.1f}%" if x < 1000 else "over 1,000%"


def summary(doc):
    held = [(n, r, k, (p / m - 1) * 100, (i / m - 1) * 100 if i is not None else None)
            for n, c, r, k, m, p, i in rows(doc) if not c]
    print("| rows (held out) | count | median \\|error\\| | median error | worst | "
          "ideal roofline's median \\|error\\| |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, test in GROUPS:
        g = [x for x in held if test(x[0], x[1], x[2])]
        if not g:
            sys.exit(f"serving_table.py: no held-out row in the group '{label}'")
        errors = [x[3] for x in g]
        worst = max(errors, key=abs)
        ideal = [abs(x[4]) for x in g if x[4] is not None]
        ideal_cell = f"{statistics.median(ideal):.1f}%" if ideal else "-"
        print(f"| {label} | {len(g)} | {magnitude(statistics.median(abs(e) for e in errors))} | "
              f"{percent(statistics.median(errors))} | {percent(worst)} | {ideal_cell} |")


def main():
    doc = json.load(sys.stdin)
    if sys.argv[1:] == ["--summary"]:
        summary(doc)
    elif sys.argv[1:]:
        sys.exit("usage: serving_table.py [--summary] < zooc JSON")
    else:
        per_row(doc)


if __name__ == "__main__":
    main()
