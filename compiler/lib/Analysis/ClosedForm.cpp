//===- ClosedForm.cpp - the closed forms behind every metric --------------===//
//
// Sums over a model's attention kinds (AttentionTerm) and expert kinds (ExpertTerm): never loops
// over layers or tokens. Shared by the metric evaluator, the fit matrix and the performance
// model. Conventions: docs/formulas.md.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/ClosedForm.h"
#include <cmath>

using namespace zoo;

Value zoo::wideValue(const BigCount &W) {
  if (W.isExact() && fitsInt64(W.exact()))
    return Value::ofInt(static_cast<int64_t>(W.exact()));
  return Value::ofReal(W.approx());
}

Wide zoo::visible(Wide C, int64_t Window) { return Window > 0 && Window < C ? Wide(Window) : C; }

Wide zoo::seen(const AttentionTerm &A, Wide C) {
  return A.Chunk > 0 && C > 0 ? (C - 1) % A.Chunk + 1 : visible(C, A.reach());
}

Wide zoo::held(const AttentionTerm &A, Wide C) {
  return visible(C, A.Chunk > 0 ? A.Chunk : A.Window);
}

BigCount zoo::sumSeen(const AttentionTerm &A, Wide N) {
  // Chunks: N / Chunk whole chunks of Chunk (Chunk + 1) / 2 positions each, then the rest's
  // r (r + 1) / 2.
  if (A.Chunk > 0) {
    Wide Rest = N % A.Chunk;
    return BigCount(N / A.Chunk) * (BigCount(A.Chunk) * BigCount(Wide(A.Chunk) + 1)).half() +
           (BigCount(Rest) * BigCount(Rest + 1)).half();
  }
  // sum_{i=1..n} min(i, w) (w = 0: no cap; top-k's k caps the positions read as a window does).
  const int64_t W = A.reach();
  if (W <= 0 || N <= W)
    return (BigCount(N) * BigCount(N + 1)).half();
  return (BigCount(W) * BigCount(Wide(W) + 1)).half() + BigCount(N - W) * BigCount(W);
}

BigCount zoo::macsPerToken(const ModelStats &S, Wide C) {
  return macsPerTokenAt(S, C, S.SourceLen);
}

BigCount zoo::macsPerTokenAt(const ModelStats &S, Wide C, Wide Source) {
  BigCount M = S.MacsConst;
  for (const AttentionTerm &A : S.Attention)
    M += BigCount(A.MacsCoef) * seen(A, C);
  if (S.HasEncoder)
    M += BigCount(S.CrossMacsCoef) * Source;
  return M;
}

namespace {
/// Positions 1..N of the one stack (an encoder-decoder's decoder, cross-attention left out).
BigCount stackMacs(const ModelStats &S, Wide N) {
  BigCount M = BigCount(S.MacsConst) * N;
  for (const AttentionTerm &A : S.Attention)
    M += BigCount(A.MacsCoef) *
         (A.Causal ? sumSeen(A, N) : BigCount(N) * visible(N, A.Window));
  return M;
}
/// An encoder-decoder's decoder positions 1..G over a source of L tokens, and its encoder.
BigCount encoderDecoderMacs(const ModelStats &S, Wide L, Wide G) {
  return zoo::encoderMacs(S, L) + stackMacs(S, G) + BigCount(S.CrossMacsCoef) * L * G;
}
} // namespace

BigCount zoo::encoderMacs(const ModelStats &S, Wide Source) {
  BigCount M = BigCount(S.EncoderMacsConst) * Source;
  for (const AttentionTerm &A : S.EncoderAttention)
    M += BigCount(A.MacsCoef) * Source * visible(Source, A.Window);
  return M;
}

BigCount zoo::expertParamsAll(const ModelStats &S) {
  BigCount All = 0;
  for (const ExpertTerm &E : S.Experts)
    All += BigCount(E.Count) * BigCount(E.ExpertParams) * BigCount(E.Layers);
  return All;
}

BigCount zoo::prefillMacs(const ModelStats &S, Wide N) {
  return S.HasEncoder ? encoderDecoderMacs(S, N, 1) : stackMacs(S, N);
}

BigCount zoo::generationMacs(const ModelStats &S, Wide Prompt, Wide Output) {
  return S.HasEncoder ? encoderDecoderMacs(S, Prompt, Output) : stackMacs(S, Prompt + Output - 1);
}

BigCount zoo::trainingMacs(const ModelStats &S, Wide N) {
  return S.HasEncoder ? encoderDecoderMacs(S, N, N) : stackMacs(S, N);
}

BigCount zoo::kvValues(const ModelStats &S, Wide C) { return kvValuesAt(S, C, S.SourceLen); }

BigCount zoo::stepCacheValues(const ModelStats &S, Wide C) {
  BigCount V = BigCount(S.StateValues) + BigCount(S.RecurrentValues);
  for (const AttentionTerm &A : S.Attention)
    V += BigCount(A.KVValues) * seen(A, C);
  if (S.HasEncoder)
    V += BigCount(S.CrossKVValues) * S.SourceLen;
  return V;
}

BigCount zoo::kvValuesAt(const ModelStats &S, Wide C, Wide Source) {
  BigCount V = S.StateValues;
  for (const AttentionTerm &A : S.Attention)
    V += BigCount(A.KVValues) * held(A, C);
  if (S.HasEncoder)
    V += BigCount(S.CrossKVValues) * Source;
  return V;
}

/// Bytes of `Values` values at precision `P`: the bits, values * (bits*group + scale_bits) /
/// group, packed into whole bytes (rounded up: storage is whole bytes).
Value zoo::bytesAt(const BigCount &Values, const PrecisionRecord &P) {
  BigCount Num = P.Group ? BigCount(P.Bits) * P.Group + P.ScaleBits : BigCount(P.Bits);
  Wide Den = (P.Group ? Wide(P.Group) : Wide(1)) * 8;
  BigCount Bits = Values * Num;
  if (Bits.isExact()) {
    Wide B = Bits.exact();
    // The usual case, in 64-bit division.
    if (B >= 0 && B <= Wide(UINT64_MAX) && Den > 0 && Den <= Wide(UINT64_MAX)) {
      uint64_t U = static_cast<uint64_t>(B), D = static_cast<uint64_t>(Den);
      return wideValue(Wide(U / D + (U % D != 0)));
    }
    return wideValue(B / Den + (B % Den != 0));
  }
  return Value::ofReal(std::ceil(Bits.approx() / static_cast<double>(Den)));
}

double zoo::decodeWeightParams(const ModelStats &S, double Batch) {
  // An encoder-decoder's decode steps run the decoder only; auxiliary heads never run; `shared`
  // weights are read at every use.
  double P = static_cast<double>(S.Params - S.EncoderParams - S.AuxiliaryParams) +
             static_cast<double>(S.SharedReadParams);
  for (const ExpertTerm &E : S.Experts) {
    double N = static_cast<double>(E.Count), K = static_cast<double>(E.TopK);
    double Distinct = N * (1 - std::pow(1 - K / N, Batch));
    P -= (N - Distinct) * static_cast<double>(E.ExpertParams) * static_cast<double>(E.Layers);
  }
  return P;
}

double zoo::weightParamsRead(const ModelStats &S, double Params, double Tokens) {
  double Lookup = static_cast<double>(S.LookupParams);
  double Touched =
      Tokens * static_cast<double>(S.LookupRowParams) + static_cast<double>(S.TiedHeadParams);
  return Params - Lookup + std::min(Lookup, Touched);
}
