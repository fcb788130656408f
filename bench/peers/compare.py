#!/usr/bin/env python3
"""One analysis of the same model at the same point, timed in zooc and in two Python peers.

The peers are llm-analysis (https://github.com/cli99/llm-analysis, Apache-2.0) and LLM-Viewer
(https://github.com/hahnyuan/LLM-Viewer, MIT). Neither is a Debian package and neither is part of
this repository: get a checkout of each and point this script at it,

    git clone https://github.com/cli99/llm-analysis /path/to/llm-analysis
    git clone https://github.com/hahnyuan/LLM-Viewer /path/to/LLM-Viewer
    cmake --build build --target bench_analysis
    python3 bench/peers/compare.py --bench build/bin/bench_analysis \
        --llm-analysis /path/to/llm-analysis --llm-viewer /path/to/LLM-Viewer

It needs python3 only (the standard library; no Debian python3-* package beyond python3 itself).
What the peers import and this machine does not have is stubbed, and only that:
  - llm-analysis imports `fire` for its command line at module level; the stub has a `Fire`
    that does nothing (the analysis never calls it);
  - LLM-Viewer imports `transformers` to download a model's configuration from the Hugging Face
    hub (`AutoConfig.from_pretrained`); the stub returns Llama 3 8B's published configuration
    (the numbers of its config.json, below) instead of downloading it. Its tokenizer and model
    classes are imported but not used by the analysis; the stub's are None.
Neither peer needs torch for the analysis. Their analysis code runs unmodified.

The point: Llama 3 8B, one H100 SXM, batch 1, prompt 2048, 256 output tokens, 16-bit weights,
activations and cache. What one call computes differs (see the table's second column), so the
ratios compare the cost of asking each tool the same question, not identical arithmetic.
zooc's figure comes from bench_analysis (the scenario Llama3_8B_on_H100 of zoo/scenarios, whose
cache is fp8: the cost of the closed form does not depend on the precisions).
"""
import argparse
import inspect
import logging
import os
import re
import subprocess
import sys
import time
import types

# Llama 3 8B's configuration (config.json of meta-llama/Meta-Llama-3-8B).
LLAMA3_8B = dict(hidden_size=4096, num_attention_heads=32, num_key_value_heads=8,
                 num_hidden_layers=32, intermediate_size=14336, vocab_size=128256,
                 max_position_embeddings=8192, model_type="llama", rope_theta=500000.0)
BATCH, PROMPT, OUTPUT = 1, 2048, 256


def per_call(fn, budget=1.0):
    """CPU seconds per call: rounds of growing size until `budget` seconds of this thread's CPU
    time; the best round. CPU time, as bench_analysis measures zooc: the machine may be shared."""
    n, best, spent = 1, None, 0.0
    while spent < budget:
        t0 = time.thread_time()
        for _ in range(n):
            fn()
        t = time.thread_time() - t0
        spent += t
        if t < 0.05:
            n *= 4
            continue
        best = t / n if best is None else min(best, t / n)
    return best if best is not None else spent / n


def stub(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module


def time_llm_analysis(path):
    sys.path.insert(0, path)
    try:
        import fire  # noqa: F401
    except ImportError:
        stub("fire", Fire=lambda *a, **k: None)
    logging.disable(logging.WARNING)  # its INFO lines, not the analysis
    from llm_analysis.analysis import LLMAnalysis
    from llm_analysis.config import (ModelConfig, ParallelismConfig, get_dtype_config_by_name,
                                     get_gpu_config_by_name)
    model = ModelConfig(name="llama-3-8b", num_layers=32, n_head=32, hidden_dim=4096,
                        vocab_size=128256, max_seq_len=8192, num_key_value_heads=8,
                        ffn_embed_dim=14336, model_type="llama")
    analysis = LLMAnalysis(model, get_gpu_config_by_name("h100-sxm-80gb"),
                           get_dtype_config_by_name("w16a16e16"), ParallelismConfig(tp_size=1))
    wanted = dict(batch_size_per_gpu=BATCH, seq_len=PROMPT, num_tokens_to_generate=OUTPUT)
    accepted = inspect.signature(analysis.inference).parameters
    args = {k: v for k, v in wanted.items() if k in accepted}
    if len(args) != len(wanted):
        raise RuntimeError("LLMAnalysis.inference takes none of " +
                           ", ".join(sorted(set(wanted) - set(args))))
    analysis.inference(**args)
    return [("llm-analysis: LLMAnalysis.inference",
             "the prefill, the decode of 256 tokens and the memory, per layer",
             per_call(lambda: analysis.inference(**args)))]


def time_llm_viewer(path):
    sys.path.insert(0, path)
    os.chdir(path)  # it finds configs/ and imports them relative to its checkout

    class AutoConfig:
        @staticmethod
        def from_pretrained(model_id, **kwargs):
            return types.SimpleNamespace(**LLAMA3_8B)

    stub("transformers", AutoConfig=AutoConfig, AutoTokenizer=None, AutoModelForCausalLM=None)
    from model_analyzer import ModelAnalyzer
    try:
        from hardwares.hardware_params import hardware_params
        hardware = next(k for k in hardware_params if "H100" in k and "SXM" in k)
    except (ImportError, StopIteration):
        hardware = "nvidia_H100_SXM"
    analyzer = ModelAnalyzer("meta-llama/Meta-Llama-3-8B", hardware,
                             config_file="configs/Llama.py")
    call = lambda: analyzer.analyze(seqlen=PROMPT, batchsize=BATCH, w_bit=16, a_bit=16, kv_bit=16)
    call()
    rows = [("LLM-Viewer: ModelAnalyzer.analyze",
             "a prefill at 2048 and one decode step at 2048, per layer kind", per_call(call))]
    # The whole generation, where the checkout has it: one analyze() per generated token.
    if hasattr(analyzer, "analyze_generate_task"):
        gen = lambda: analyzer.analyze_generate_task(PROMPT, OUTPUT, BATCH, 16, 16, 16)
        gen()
        rows.append(("LLM-Viewer: ModelAnalyzer.analyze_generate_task",
                     "the prefill and the 256 decode steps, one analyze() each",
                     per_call(gen, budget=2.0)))
    return rows


def time_zooc(bench, stdlib, files):
    out = subprocess.run([bench, "--only=Llama3_8B_on_H100", stdlib] + files, check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[0] == "Llama3_8B_on_H100" and cells[1] == str(OUTPUT):
            return float(cells[2]) * 1e-9, float(cells[3]) * 1e-9
    raise RuntimeError("no Llama3_8B_on_H100 row at output %d in bench_analysis's output" % OUTPUT)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bench", required=True, help="bench_analysis, built from this repository")
    p.add_argument("--llm-analysis", help="a checkout of cli99/llm-analysis")
    p.add_argument("--llm-viewer", help="a checkout of hahnyuan/LLM-Viewer")
    a = p.parse_args()
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(root, "zoo"))
                   for f in fs if f.endswith(".zoo"))
    full, closed = time_zooc(os.path.abspath(a.bench), os.path.join(root, "stdlib"), files)
    rows = [("zooc: closed form (PreparedLM::evaluate, prepared once)",
             "every figure of the analysis: prefill, 256 decode steps summed, memory, largest "
             "batch and context, serving, energy", closed),
            ("zooc: analyseScenario (what the compiler runs per scenario)",
             "the same on the expected and the ideal machine, with the factors' origins, "
             "as typed values", full)]
    for name, path, fn in (("llm-analysis", a.llm_analysis, time_llm_analysis),
                           ("LLM-Viewer", a.llm_viewer, time_llm_viewer)):
        if not path:
            print("%s: skipped (no checkout given)" % name, file=sys.stderr)
            continue
        cwd = os.getcwd()
        try:
            rows += fn(os.path.abspath(path))
        except Exception as e:  # a peer's version this script does not know
            print("%s: failed: %s: %s" % (name, type(e).__name__, e), file=sys.stderr)
        finally:
            os.chdir(cwd)
    print("Llama 3 8B on one H100 SXM, batch %d, prompt %d, output %d\n" % (BATCH, PROMPT, OUTPUT))
    print("| tool and call | what one call computes | us per call | x zooc closed form |")
    print("|---|---|---:|---:|")
    for name, what, seconds in rows:
        print("| %s | %s | %.3f | %.0f |" % (name, what, seconds * 1e6, seconds / closed))


if __name__ == "__main__":
    main()
