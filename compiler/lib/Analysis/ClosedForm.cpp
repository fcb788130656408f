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

Value zoo::wideValue(Wide W) {
  if (W >= INT64_MIN && W <= INT64_MAX)
    return Value::ofInt(static_cast<int64_t>(W));
  return Value::ofReal(static_cast<double>(W));
}

Wide zoo::visible(Wide C, int64_t Window) { return Window > 0 && Window < C ? Wide(Window) : C; }

namespace {
/// sum_{i=1..n} min(i, w) (w = 0: no cap).
Wide sumMin(Wide N, int64_t W) {
  if (W <= 0 || N <= W)
    return N * (N + 1) / 2;
  return Wide(W) * (W + 1) / 2 + (N - W) * W;
}

} // namespace

Wide zoo::macsPerToken(const ModelStats &S, Wide C) {
  Wide M = S.MacsConst;
  for (const AttentionTerm &A : S.Attention)
    M += A.MacsCoef * visible(C, A.Window);
  return M;
}

Wide zoo::prefillMacs(const ModelStats &S, Wide N) {
  Wide M = S.MacsConst * N;
  for (const AttentionTerm &A : S.Attention)
    M += A.MacsCoef * (A.Causal ? sumMin(N, A.Window) : N * visible(N, A.Window));
  return M;
}

Wide zoo::kvValues(const ModelStats &S, Wide C) {
  Wide V = S.StateValues;
  for (const AttentionTerm &A : S.Attention)
    V += A.KVValues * visible(C, A.Window);
  return V;
}

/// Bytes of `Values` values at precision `P`: values * (bits*group + scale_bits) / (group * 8).
Value zoo::bytesAt(Wide Values, const PrecisionRecord &P) {
  Wide Num = P.Group ? Wide(P.Bits) * P.Group + P.ScaleBits : Wide(P.Bits);
  Wide Den = (P.Group ? Wide(P.Group) : Wide(1)) * 8;
  Wide Bits = Values * Num;
  if (Bits % Den == 0)
    return wideValue(Bits / Den);
  return Value::ofReal(static_cast<double>(Bits) / static_cast<double>(Den));
}

double zoo::decodeWeightParams(const ModelStats &S, int64_t Batch) {
  double P = static_cast<double>(S.Params);
  for (const ExpertTerm &E : S.Experts) {
    double N = static_cast<double>(E.Count), K = static_cast<double>(E.TopK);
    double Distinct = N * (1 - std::pow(1 - K / N, static_cast<double>(Batch)));
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
