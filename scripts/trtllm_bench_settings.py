#!/usr/bin/env python3
"""The engine limits trtllm-bench chose for TensorRT-LLM's published full-load runs, recomputed
for the serving records that reproduce them, and checked against (or written into) the records.

`trtllm-bench throughput`, given no `--max_batch_size` and `--max_num_tokens` (none of the runs
here gives them), sets both from the model, the devices and the dataset's mean lengths with
`calc_engine_setting` and `finetune_setting` (tensorrt_llm/bench/build/tuning.py):

  engine  = parameters x bytes a parameter (FP8 1, NVFP4 0.5, else 2), in GB (10^9 bytes,
            v0.15 and v0.17, whose builds read a BF16 checkpoint's count) or GiB (later, which
            count a quantized checkpoint's stored elements: ModelConfig.get_param_count)
  memory  = NVML's total of one device, in GiB, x tensor x pipeline ranks
  token   = 2 x layers x max(tensor ranks, KV heads) x head size x bytes a cache element, GiB
  requests = (memory - engine) x fraction / token / (input + output)
  batch   = min(requests, 4096) / pipeline stages, rounded up to a multiple of 32 (at least 64)
            under 256, of 128 under 1,024, else of 256
  tokens  = min(batch before rounding x (1 + input / output), 32768), rounded up to a multiple
            of 256 (at least 2,048) under 4,096, of 512 under 8,192, else of 1,024

The fraction is 0.95 where the heuristic is called without one (v0.15 to v0.20) and the run's
`kv_cache_free_gpu_mem_fraction` in 1.x (0.90 taken, as the records' cache share). The PyTorch
backend (v0.20 and 1.x) does not chunk prompts unless told to, and then raises the token limit to
the longest prompt plus the batch limit (tensorrt_llm/bench/benchmark/utils/general.py,
`get_settings`); the TensorRT engines of v0.15 and v0.17 chunk prompts (paged context attention).
A record holds `max_batch` = the batch limit, `prefill_chunk` = the token limit (an iteration's
tokens: its decode tokens and prompt tokens together) and, without chunking,
`chunked_prefill = false`. Azure's runs build one engine from the 2,048/2,048 dataset and run
every length on it (zoo/serving/azure.zoo).

Records covered: those of the files below with FP8 or NVFP4 weights throughout; records with
attention data parallelism (each rank its own limits, a heuristic that does not know it) or
MXFP4 experts (a format the heuristic's table of bytes does not list) keep their own settings.

Usage: zooc --emit=json zoo/models -o - | scripts/trtllm_bench_settings.py zoo/serving [--check|--write]
  (no flag: print each record's limits; --check: exit 1 unless every record holds them;
  --write: write them into the records)
"""
import json
import math
import re
import sys
from pathlib import Path

# What NVML reports as a device's total memory (`nvidia-smi`), MiB: what trtllm-bench reads
# (tensorrt_llm/bench/build/utils.py, get_device_memory: nvmlDeviceGetMemoryInfo().total).
NVML_MIB = {
    # https://github.com/NVIDIA/nccl/issues/1264 ("0MiB /  81559MiB", H100 80GB HBM3)
    "H100_SXM": 81559,
    # https://github.com/NVIDIA/TensorRT-LLM/issues/9554 ("0MiB / 143771MiB", H200)
    "H200_SXM": 143771,
    # https://github.com/NVIDIA/TensorRT-LLM/issues/10278 ("166593MiB / 183359MiB", B200)
    "B200": 183359,
    # https://github.com/giuliocalzo/slurm-operator/blob/5dab39ff3853f08eab5bde355ca54d1ef57d2d37/docs/installation.md
    # ("0MiB / 189471MiB", GB200)
    "GB200": 189471,
    # https://github.com/vllm-project/vllm/issues/27542 ("94490MiB /  97887MiB", RTX PRO 6000
    # Blackwell; the Server and Workstation Editions report the same total)
    "RTX_PRO_6000_Blackwell": 97887,
}

# file: (release, the dataset the engine was built for, or None for each run's own)
FILES = {
    "azure.zoo": ("v0.15", (2048, 2048)),
    "trtllm.zoo": ("v0.17", None),
    "trtllm020.zoo": ("v0.20", None),
    "trtllm_llama4.zoo": ("v0.20", None),
    "trtllm1x.zoo": ("1.x", None),
}

BYTES = {"fp8": 1.0, "nvfp4": 0.5}


def finetune(requests, isl, osl, pp):
    def up(x, step):
        return step * math.ceil(x / step)

    raw_bs = min(requests, 4096) / pp
    raw_tokens = min(raw_bs * (1 + isl / osl), 32768)
    bs = max(64, up(raw_bs, 32)) if raw_bs < 256 else up(raw_bs, 128 if raw_bs < 1024 else 256)
    tokens = (max(2048, up(raw_tokens, 256)) if raw_tokens < 4096
              else up(raw_tokens, 512 if raw_tokens < 8192 else 1024))
    return bs, tokens


def limits(release, model, hardware, tp, pp, weights, kv, isl, osl):
    """(requests, max_batch, prefill_chunk, chunked) as trtllm-bench of `release` sets them."""
    a = model["args"]
    layers, kv_heads = a["layers"], a["kv_heads"]
    head = a.get("head_dim") or a["hidden"] // a["heads"]
    params = model["params"]["total"]
    if weights == "nvfp4":
        # The checkpoint's elements (huggingface_hub's parameter_count of its safetensors): an
        # NVFP4 tensor is stored as bytes of two values each plus an FP8 scale every 16 values;
        # the embedding table and output head stay BF16.
        embedding = model["params"]["embedding"]
        params = embedding + (params - embedding) * (1 / 2 + 1 / 16)
    if release in ("v0.15", "v0.17"):
        engine = params / 1e9 * (1.0 if weights == "fp8" else 2.0)
    else:
        engine = params * BYTES.get(weights, 2.0) / 2**30
    token = 2 * layers * max(tp, kv_heads) * head * BYTES.get(kv, 2.0) / 2**30
    memory = NVML_MIB[hardware] / 1024 * tp * pp
    fraction = 0.90 if release == "1.x" else 0.95
    requests = (memory - engine) * fraction / token / (isl + osl)
    bs, tokens = finetune(requests, isl, osl, pp)
    chunked = release in ("v0.15", "v0.17")
    if not chunked:
        tokens = max(tokens, isl + bs)
    return requests, bs, tokens, chunked


def field(body, name):
    m = re.search(r"\b" + name + r" = ([\w.]+)", body)
    return m.group(1) if m else None


def workloads(serving_dir):
    lengths = {}
    for path in sorted(Path(serving_dir).glob("*.zoo")):
        for m in re.finditer(r"^workload (\w+) \{(.*?)^\}", path.read_text(), re.S | re.M):
            i, o = field(m.group(2), "input"), field(m.group(2), "output")
            if i and o:
                lengths[m.group(1)] = (int(i), int(o))
    return lengths


def covered(body):
    return (field(body, "weights") in BYTES and field(body, "attention_dp") != "true"
            and field(body, "expert_weights") is None)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    mode = next((a for a in sys.argv[1:] if a.startswith("--")), "")
    if len(args) != 1 or mode not in ("", "--check", "--write"):
        sys.exit(__doc__.split("Usage: ")[1])
    serving_dir = Path(args[0])
    models = {m["name"]: m for m in json.load(sys.stdin)["models"]}
    lengths = workloads(serving_dir)
    records = wrong = 0
    for name, (release, built) in FILES.items():
        path = serving_dir / name
        text = path.read_text()

        def record(m):
            nonlocal records, wrong
            body = m.group(2)
            if not covered(body):
                return m.group(0)
            tp, pp = int(field(body, "devices") or 1), int(field(body, "pp") or 1)
            isl, osl = built or lengths[field(body, "workload")]
            requests, bs, tokens, chunked = limits(
                release, models[field(body, "model")], field(body, "hardware"), tp, pp,
                field(body, "weights"), field(body, "kv"), isl, osl)
            records += 1
            held = (field(body, "max_batch"), field(body, "prefill_chunk"),
                    field(body, "chunked_prefill") != "false")
            if not mode:
                print(f"{m.group(1)} ({release}): {requests:.1f} requests, max_batch {bs}, "
                      f"prefill_chunk {tokens}{'' if chunked else ', whole prompts'}")
            if held == (str(bs), str(tokens), chunked):
                return m.group(0)
            wrong += 1
            if mode == "--check":
                print(f"{m.group(1)}: holds max_batch {held[0]}, prefill_chunk {held[1]}, "
                      f"chunked {held[2]}; trtllm-bench {release}: {bs}, {tokens}, {chunked}")
            limit = f"max_batch = {bs}; prefill_chunk = {tokens} tokens;" + (
                "" if chunked else " chunked_prefill = false;")
            new = re.sub(r" *(max_batch = \d+;|prefill_chunk = \d+ tokens;|"
                         r"chunked_prefill = \w+;)", "", body)
            new = re.sub(r"\n *\n", "\n", new)
            new = re.sub(r"(kv = \w+;[^\n]*)", lambda k: k.group(1) + "\n  " + limit, new,
                         count=1)
            return m.group(0).replace(body, new)

        out = re.sub(r"^serving (\w+) \{(.*?)^\}", record, text, flags=re.S | re.M)
        if mode == "--write" and out != text:
            path.write_text(out)
    if mode == "--check":
        print(f"{records} records, {wrong} not holding trtllm-bench's limits")
        sys.exit(1 if wrong else 0)


main()
