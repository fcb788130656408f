"""Writes the error-case configs of import-errors.test into the directory given (sys.argv[1]).

Each is a small edit of a real config (llama3-8b.json, next to this file) or a hostile input:
wrong types, huge and negative numbers, deep nesting, bad JSON, bad UTF-8, a file over the
size limit.
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
base = json.load(open(os.path.join(here, "llama3-8b.json")))


def write(name, obj):
    with open(os.path.join(out, name), "w") as f:
        json.dump(obj, f, indent=2)


def edit(name, **fields):
    c = dict(base)
    for k, v in fields.items():
        if v is Ellipsis:
            c.pop(k, None)
        else:
            c[k] = v
    write(name, c)


def text(name, data, mode="w"):
    with open(os.path.join(out, name), mode) as f:
        f.write(data)


edit("unknown-type.json", model_type="xyz")
edit("t5.json", model_type="t5")
edit("gemma3-vision.json", model_type="gemma3", vision_config={"hidden_size": 1152})
edit("attention-bias.json", attention_bias=True)
edit("missing-hidden.json", hidden_size=Ellipsis)
edit("no-type.json", model_type=Ellipsis, architectures=["FooForCausalLM"])
edit("no-type-arch.json", model_type=Ellipsis)  # LlamaForCausalLM: found by architectures
edit("string-hidden.json", hidden_size="4096")
edit("bool-string.json", tie_word_embeddings="yes")
edit("arch-not-array.json", architectures="LlamaForCausalLM")
edit("huge-double.json", vocab_size=1e300)
edit("huge-int.json", intermediate_size=10**30)
edit("past-limit.json", intermediate_size=2**40 + 1)
edit("at-limit-layers.json", num_hidden_layers=100000)
edit("past-limit-layers.json", num_hidden_layers=100001)
edit("negative.json", num_attention_heads=-32)
edit("zero-layers.json", num_hidden_layers=0)
edit("fraction.json", hidden_size=4096.5)
edit("whole-double.json", hidden_size=4096.0)
edit("kv-not-dividing.json", num_key_value_heads=5)
edit("head-dim-not-dividing.json", hidden_size=4100)
edit("object-field.json", vocab_size={"a": 1})
edit("quantized.json", quantization_config={"quant_method": "fp8"})
edit("no-dtype.json", torch_dtype=Ellipsis)
edit("odd-dtype.json", torch_dtype="int4")
write("gpt2-untied.json", {"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024,
                           "n_embd": 768, "n_layer": 12, "n_head": 12,
                           "tie_word_embeddings": False})
write("falcon-40b-three-norms.json", {"model_type": "falcon", "vocab_size": 65024,
                                      "hidden_size": 8192, "num_attention_heads": 128,
                                      "num_kv_heads": 8, "num_hidden_layers": 60,
                                      "new_decoder_architecture": True, "parallel_attn": True,
                                      "num_ln_in_parallel_attn": 3})
write("root-array.json", [1, 2, 3])
text("bad-comma.json", '{\n  "model_type": "llama",\n  "hidden_size": 4096\n  "vocab_size": 1\n}\n')
text("empty.json", "")
text("truncated.json", '{"model_type": "llama", "hidden_size": 40')
text("bad-utf8.json", b'{"model_type": "\xff\xfe"}', "wb")
text("deep.json", "[" * 100000 + "]" * 100000)
text("deep-objects.json", '{"a":' * 65 + "1" + "}" * 65)
text("deep-ok.json", '{"model_type": "llama", "x": ' + "[" * 63 + "]" * 63 + "}")
text("big.json", '{"model_type": "llama", "pad": "' + "x" * (1024 * 1024) + '"}')
# At the limit, 1 MiB: the rest of the file is padding in an ignored field.
at = json.dumps(base)[:-1] + ', "pad": "'
text("at-limit-size.json", at + "x" * (1024 * 1024 - len(at) - 2) + '"}')
text("many-keys.json", "{" + ",".join('"k%d": %d' % (i, i) for i in range(50000)) + "}")

def edit_of(source, name, **fields):
    c = json.load(open(os.path.join(here, source)))
    c.update(fields)
    write(name, c)


# Fields that change counts (or the KV cache) in ways the blocks cannot take.
edit_of("qwen2.5-7b.json", "qwen2-partial-window.json", use_sliding_window=True, max_window_layers=21)
edit_of("qwen3-30b-a3b.json", "qwen3-moe-dense-layers.json", mlp_only_layers=[0, 47])
edit_of("qwen3-30b-a3b.json", "qwen3-moe-sparse-step.json", decoder_sparse_step=2)
edit_of("deepseek-v2-lite.json", "deepseek-layer-freq.json", moe_layer_freq=2)
edit_of("mamba-130m-hf.json", "mamba-dt-rank.json", time_step_rank=64)
edit_of("mamba-130m-hf.json", "mamba-bias.json", use_bias=True)
edit_of("mamba-codestral-7b.json", "mamba2-heads.json", num_heads=100)
edit_of("bert-base-uncased.json", "bert-relative.json", position_embedding_type="relative_key")
edit_of("mixtral-8x7b.json", "mixtral-head-dim.json", head_dim=64)
# `layer_types` (newer configs): a regular pattern maps, anything else is an error.
g3 = ["full_attention" if (i + 1) % 6 == 0 else "sliding_attention" for i in range(26)]
edit_of("gemma3-1b.json", "gemma3-layer-types.json", layer_types=g3)
edit_of("gemma3-1b.json", "gemma3-all-local.json", layer_types=["sliding_attention"] * 26)
edit_of("gemma3-1b.json", "gemma3-irregular.json",
        layer_types=g3[:16] + ["full_attention"] + g3[17:])
edit_of("gemma3-1b.json", "gemma3-linear.json", layer_types=["linear_attention"] + g3[1:])
edit_of("gemma3-1b.json", "gemma3-short-types.json", layer_types=g3[:20])
edit_of("gemma2-9b.json", "gemma2-layer-types.json",
        layer_types=["sliding_attention", "full_attention"] * 21)
edit_of("gemma2-9b.json", "gemma2-every-third.json",
        layer_types=["full_attention" if i % 3 == 0 else "sliding_attention" for i in range(42)])
edit_of("mistral-7b.json", "mistral-mixed-types.json",
        layer_types=["full_attention"] + ["sliding_attention"] * 31)
edit_of("qwen3-8b.json", "qwen3-layer-types.json", layer_types=["full_attention"] * 36)

mtp = json.load(open(os.path.join(here, "deepseek-v3.json")))
del mtp["quantization_config"]
write("deepseek-mtp.json", mtp)

index = {"metadata": {"total_size": 16060522497}, "weight_map": {}}
write("odd.index.json", index)
write("no-metadata.index.json", {"weight_map": {}})
write("string-size.index.json", {"metadata": {"total_size": "16060522496"}})
write("huge-size.index.json", {"metadata": {"total_size": 2**64}})
write("f32.index.json", {"metadata": {"total_size": 32121044992}})

# Llama 4: layer lists other than the intervals give, an adapter other than 2 x 2 patches, no
# text model.
scout = json.load(open(os.path.join(here, "llama4-scout.json")))


def llama4(name, text=None, vision=None, drop=None):
    c = json.loads(json.dumps(scout))
    c["text_config"].update(text or {})
    c["vision_config"].update(vision or {})
    if drop:
        del c[drop]
    write(name, c)


llama4("llama4-moe-layers.json", text={"moe_layers": [0, 1, 2]})
llama4("llama4-layer-types.json", text={"layer_types": ["chunked_attention"] * 48})
llama4("llama4-shuffle.json", vision={"pixel_shuffle_ratio": 0.25})
llama4("llama4-no-text.json", drop="text_config")

# Nemotron-H: a pattern character the block has no layer for, and a pattern of the wrong length.
edit_of("nemotron-nano-9b-v2.json", "nemotron-moe.json",
        hybrid_override_pattern="M-M-M-MM-M-M-M*-M-M-M*-M-M-M-M*-M-M-M-M*-M-MM-M-M-M-M-ME")
edit_of("nemotron-nano-9b-v2.json", "nemotron-short.json", hybrid_override_pattern="M-M*")

# Zamba2: three shared blocks (the block takes one or two), a layer type it has no layer for, a
# list of the wrong length; ALBERT: two groups of shared layers.
edit_of("zamba2-1.2b.json", "zamba2-three-blocks.json", num_mem_blocks=3)
edit_of("zamba2-1.2b.json", "zamba2-layer-type.json",
        layers_block_type=["mamba"] * 37 + ["attention"])
edit_of("zamba2-1.2b.json", "zamba2-short.json", layers_block_type=["mamba", "hybrid"])
edit_of("albert-base-v2.json", "albert-groups.json", num_hidden_groups=2)
