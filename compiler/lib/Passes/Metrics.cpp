//===- Metrics.cpp - every metric, in closed form over ModelStats ---------===//
//
// Context- and batch-dependent metrics are sums over attention kinds (AttentionTerm) and expert
// kinds (ExpertTerm), never loops over layers or tokens, so evaluating any metric at any
// (batch, context) costs the same. Counts are exact (__int128) and reported as ints when they fit
// in 64 bits; byte counts are exact when the precision's bits divide evenly, reals otherwise.
// Conventions (docs/formulas.md):
//   - a token "at context c" sees c positions, itself included; a window w caps that at w;
//   - causal prefill of S tokens sums positions 1..S; bidirectional attention sees all S;
//   - a generation of P prompt and G output tokens runs positions 1..P+G-1 (the last output
//     token is not fed back); an encoder-decoder's runs its `encoder` sections once over the
//     P source tokens and decoder positions 1..G, each cross-attending to the P;
//   - training per token is 3x forward (backward = 2x forward), no recomputation;
//   - decode reads the dense weights once per step plus, per expert layer, the expected number
//     of distinct experts a batch of B tokens routes to, n * (1 - (1 - k/n)^B), under uniform
//     routing; prefill reads the weights once and writes the cache.
// A count beyond 128 bits (absurd arguments) is reported as a real computed in doubles, never
// wrapped; an intensity of a model that moves no bytes is undefined, not a non-finite number.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"
#include <cmath>

using namespace zoo;

std::string zoo::wideToString(Wide V) {
  if (V == 0)
    return "0";
  bool Neg = V < 0;
  unsigned __int128 U = Neg ? -static_cast<unsigned __int128>(V) : V;
  std::string S;
  while (U) {
    S.insert(S.begin(), static_cast<char>('0' + static_cast<int>(U % 10)));
    U /= 10;
  }
  return Neg ? "-" + S : S;
}

std::optional<Value> zoo::metricValue(const ModelRecord &R, MetricKind K, const MetricArgs &A,
                                      std::string &Why) {
  const ModelStats &S = R.Stats;
  bool PerImage = K == MetricKind::macs_per_image || K == MetricKind::flops_per_image ||
                  K == MetricKind::elementwise_per_image || K == MetricKind::activation_bytes ||
                  K == MetricKind::activations_written;
  bool PerToken = K == MetricKind::macs_per_token || K == MetricKind::flops_per_token ||
                  K == MetricKind::elementwise_per_token || K == MetricKind::prefill_flops ||
                  K == MetricKind::generation_flops || K == MetricKind::training_flops_per_token ||
                  K == MetricKind::prefill_intensity || K == MetricKind::decode_intensity;
  if (PerImage && !S.PerInput) {
    Why = "it declares no `input`, so its work is per token, not per image";
    return std::nullopt;
  }
  if (PerToken && S.PerInput) {
    Why = "it declares an `input`, so its work is per input, not per token";
    return std::nullopt;
  }
  switch (K) {
  case MetricKind::macs_per_image:
    return wideValue(S.MacsConst);
  case MetricKind::flops_per_image:
    return wideValue(BigCount(2) * S.MacsConst);
  case MetricKind::elementwise_per_image:
    return wideValue(S.ElementsConst);
  case MetricKind::activation_bytes:
    return bytesAt(BigCount(S.ActivationsPeak) * A.Batch, *A.Precision);
  case MetricKind::activations_written:
    return bytesAt(BigCount(S.ActivationsWritten) * A.Batch, *A.Precision);
  case MetricKind::params:
    return Value::ofInt(S.Params);
  case MetricKind::active_params:
    return Value::ofInt(S.ActiveParams);
  case MetricKind::active_params_with_embeddings:
    return Value::ofInt(S.ActiveParamsWithEmbeddings);
  case MetricKind::embedding_params:
    return Value::ofInt(S.EmbeddingParams);
  case MetricKind::non_embedding_params:
    return Value::ofInt(S.Params - S.EmbeddingParams);
  case MetricKind::layers:
    return Value::ofInt(S.Layers);
  case MetricKind::macs_per_token:
    return wideValue(macsPerToken(S, A.Context));
  case MetricKind::flops_per_token:
    return wideValue(BigCount(2) * macsPerToken(S, A.Context));
  case MetricKind::elementwise_per_token: {
    BigCount E = S.ElementsConst;
    for (const AttentionTerm &T : S.Attention)
      E += BigCount(T.ScoresCoef) * seen(T, A.Context);
    if (S.HasEncoder)
      E += BigCount(S.CrossScoresCoef) * S.SourceLen;
    return wideValue(E);
  }
  case MetricKind::prefill_flops:
    return wideValue(BigCount(2) * prefillMacs(S, A.Tokens));
  case MetricKind::generation_flops:
    if (S.hasBidirectional()) {
      Why = "it has bidirectional attention, so it encodes and does not generate";
      return std::nullopt;
    }
    return wideValue(BigCount(2) * generationMacs(S, A.Prompt, A.Output));
  case MetricKind::training_flops_per_token: {
    BigCount F = BigCount(6) * trainingMacs(S, A.Tokens);
    if (F.isExact() && F.exact() % A.Tokens == 0)
      return wideValue(F.exact() / A.Tokens);
    return Value::ofReal(F.approx() / static_cast<double>(A.Tokens));
  }
  case MetricKind::kv_bytes_per_token: {
    BigCount V = 0;
    for (const AttentionTerm &T : S.Attention)
      V += T.KVValues;
    return bytesAt(V, *A.Precision);
  }
  case MetricKind::kv_bytes:
    return bytesAt(kvValues(S, A.Context), *A.Precision);
  case MetricKind::state_bytes:
    // An encoder-decoder's cross-attention cache at its declared source, as other models' is.
    return bytesAt(BigCount(S.StateValues) +
                       (S.HasEncoder ? BigCount(S.CrossKVValues) * S.SourceLen : BigCount(0)),
                   *A.Precision);
  case MetricKind::weight_bytes:
    return bytesAt(S.Params, *A.Precision);
  case MetricKind::prefill_intensity: {
    double Flops = 2.0 * static_cast<double>(A.Batch) * prefillMacs(S, A.Tokens).approx();
    // The weights read once (`shared` ones at every use), and the cache written.
    double Bytes = bytesAt(BigCount(S.Params) + S.SharedReadParams, *A.Weights).asDouble() +
                   static_cast<double>(A.Batch) *
                       bytesAt(S.HasEncoder ? kvValuesAt(S, 1, A.Tokens) : kvValues(S, A.Tokens),
                               *A.KV)
                           .asDouble();
    if (!(Bytes > 0)) {
      Why = "it has no weights and no cache, so it moves no bytes";
      return std::nullopt;
    }
    return Value::ofReal(Flops / Bytes);
  }
  case MetricKind::decode_intensity: {
    if (S.hasBidirectional()) {
      Why = "it has bidirectional attention, so it encodes and has no decode step";
      return std::nullopt;
    }
    double Flops = 2.0 * static_cast<double>(A.Batch) * macsPerToken(S, A.Context).approx();
    double Weights =
        decodeWeightParams(S, static_cast<double>(A.Batch)) * A.Weights->bitsPerValue() / 8;
    double Bytes = Weights + static_cast<double>(A.Batch) *
                                 bytesAt(stepCacheValues(S, A.Context), *A.KV).asDouble();
    if (!(Bytes > 0)) {
      Why = "it has no weights and no cache, so it moves no bytes";
      return std::nullopt;
    }
    return Value::ofReal(Flops / Bytes);
  }
  }
  llvm_unreachable("unknown metric");
}

std::vector<KVKind> zoo::kvByKind(const ModelRecord &R, const PrecisionRecord &P, int64_t Context) {
  std::vector<KVKind> Out;
  for (const AttentionTerm &T : R.Stats.Attention) {
    if (!T.Causal)
      continue;
    std::string Kind = "causal attention";
    if (T.Window)
      Kind += ", window " + std::to_string(T.Window);
    if (T.Chunk)
      Kind += ", chunks of " + std::to_string(T.Chunk);
    if (T.TopK)
      Kind += ", top " + std::to_string(T.TopK) + " positions read";
    Out.push_back({Kind, bytesAt(T.KVValues, P),
                   bytesAt(BigCount(T.KVValues) * held(T, Context), P)});
  }
  if (R.Stats.StateValues)
    Out.push_back({"recurrent and convolution state, cross-attention cache", Value::ofInt(0),
                   bytesAt(R.Stats.StateValues, P)});
  if (R.Stats.HasEncoder && R.Stats.CrossKVValues)
    Out.push_back({fmt::format("cross-attention cache, source of {} tokens", R.Stats.SourceLen),
                   Value::ofInt(0),
                   bytesAt(BigCount(R.Stats.CrossKVValues) * R.Stats.SourceLen, P)});
  return Out;
}
