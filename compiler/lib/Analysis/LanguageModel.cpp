//===- LanguageModel.cpp - a language model's analysis, point by point ----===//
//
// The formulas (docs/formulas.md, "Performance model"):
//   1. A phase has two kinds of kernels. Matrix products: 2 x MACs of the non-attention work
//      against the weights it reads. Attention: its MACs against the KV cache it reads (decode) or
//      writes (prefill). Expected time = max(matrix FLOPs / (peak x hw x gemm), weight bytes /
//      (bandwidth x hw x gemv or dequant_gemv)) + max(attention FLOPs / (peak x hw x attention),
//      KV bytes / (bandwidth x hw x attention bandwidth)) + operations x op_overhead +
//      step_overhead (the engine's host time an iteration) + sequences x sequence_overhead (its
//      host time for each sequence the iteration carries) + collectives. The ideal roofline is
//      max(all FLOPs / peak, all bytes / bandwidth) plus the collectives' bandwidth term: a bound
//      no kernel schedule beats.
//   2. Prefill runs the prompt of every sequence once; the output head runs for the last position
//      only where the runtime says so. Weights are read once, lookup tables a row per token.
//   3. A decode step at context c reads the weights a batch touches (expected distinct experts)
//      and each sequence's cache at c. Expert layers are a third kind of kernel: their products
//      at the matrix rate times the runtime's `compute experts` factor, their weights at the
//      weight-read rate times its `bandwidth experts` factor, plus its `expert_overhead` for each
//      expert a device runs in each expert layer.
//   4. Tensor parallelism: weights, cache and work split over N devices; two all-reduces per
//      layer of the activations (tokens x width at the activation precision).
//   5. Memory: weights + the batch's cache at the full length + a prefill workspace, against the
//      memory the runtime may use (its fraction of capacity less its own workspace); the largest
//      batch and context that fit; devices needed.
//   6. Serving: the largest batch that fits, under the runtime's or scenario's cap, runs a
//      prefill and every decode step; throughput is its output tokens over that time.
//
// Encoder-decoders (LanguageModel.h): the prefill adds the `encoder` sections over the source
// (their matrix products, bidirectional attention and all-reduces of the source's tokens) and
// writes the cross-attention cache; the weights are read once, the sections' included. A decode
// step reads the decoder's weights only, its own cache at its position and the source's
// cross-attention cache, whose attention adds a constant term to every step.
//
// Closed forms. The generation's steps c = P+1 .. P+G-1 are summed per stretch between window
// sizes, where every term is linear in c and the max of two linear terms splits at one crossing.
// The prefill's attention is an exact integer sum over positions (ClosedForm.h). The longest
// context that fits starts from the crossing of the cache's piecewise-linear size with the free
// memory and ends with a few evaluations of the very test the definition uses, so it is the same
// whole number a search over every context would find. Every other figure is O(1) already.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/LanguageModel.h"
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Analysis/Collectives.h"
#include <algorithm>
#include <cmath>
#include <new>

using namespace zoo;

namespace {
constexpr int slot(Slot K) { return static_cast<int>(K); }

/// sum over integers c in [Lo, Hi] of max(P0 + P1 c, Q0 + Q1 c), with X = (Q0 - P0) / (P1 - Q1)
/// where P1 != Q1 (made once per batch).
double sumMax(double Lo, double Hi, double P0, double P1, double Q0, double Q1, double X) {
  auto Sum = [](double L, double H, double A, double B) {
    if (H < L)
      return 0.0;
    double N = H - L + 1;
    return N * A + B * (L + H) * N / 2;
  };
  if (Hi < Lo)
    return 0;
  if (P1 == Q1)
    return Sum(Lo, Hi, std::max(P0, Q0), P1);
  // P wins where c > X when P1 > Q1, and where c < X otherwise.
  double Split = std::clamp(std::floor(X), Lo - 1, Hi);
  bool PLow = P1 < Q1;
  return Sum(Lo, Split, PLow ? P0 : Q0, PLow ? P1 : Q1) +
         Sum(Split + 1, Hi, PLow ? Q0 : P0, PLow ? Q1 : P1);
}

/// The first integer c in [Lo, Hi + 1] where max(P0 + P1 c, Q0 + Q1 c) >= R, for slopes P1, Q1
/// >= 0 (the maximum never falls as c grows): Hi + 1 where it stays below R throughout.
double firstAtLeast(double Lo, double Hi, double P0, double P1, double Q0, double Q1, double R) {
  auto From = [&](double A0, double A1) {
    if (A0 + A1 * Lo >= R)
      return Lo;
    return A1 > 0 ? std::ceil((R - A0) / A1) : INFINITY;
  };
  return std::clamp(std::min(From(P0, P1), From(Q0, Q1)), Lo, Hi + 1);
}

/// sum over integers c in [Lo, Hi] of max(P0 + P1 c, Q0 + Q1 c, R), slopes >= 0: R up to the
/// first c where the lines reach it, sumMax's two lines from there.
double sumMaxFloor(double Lo, double Hi, double P0, double P1, double Q0, double Q1, double X,
                   double R) {
  if (Hi < Lo)
    return 0;
  if (R <= 0)
    return sumMax(Lo, Hi, P0, P1, Q0, Q1, X);
  const double T = firstAtLeast(Lo, Hi, P0, P1, Q0, Q1, R);
  return (T - Lo) * R + sumMax(T, Hi, P0, P1, Q0, Q1, X);
}

/// Adds term by term with a running compensation (Neumaier): the sum of many positive terms to
/// within an ulp or two, so that the reference does not lose digits the closed form keeps.
struct CompensatedSum {
  double Sum = 0, Carry = 0;
  void add(double T) {
    double S = Sum + T;
    Carry += std::fabs(Sum) >= std::fabs(T) ? (Sum - S) + T : (T - S) + Sum;
    Sum = S;
  }
  double value() const { return Sum + Carry; }
};

/// A T made only where needed. Unlike std::optional, whose storage the compiler clears on the way
/// in (hundreds of bytes for BatchTerms, on every point), nothing is written until make().
/// (gcc's -Wmaybe-uninitialized cannot see that `Made` guards every read of the value, and says
/// so in sanitizer builds: the warning is off for this class.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <typename T> class Lazy {
  union {
    T Value;
  };
  bool Made = false;

public:
  Lazy() {}
  Lazy(const Lazy &) = delete;
  Lazy &operator=(const Lazy &) = delete;
  ~Lazy() {
    if (Made)
      Value.~T();
  }
  /// Makes the value from what `Make` returns, in place (no copy of it).
  template <typename Fn> T &make(Fn Make) {
    if (Made)
      Value.~T();
    Made = false;
    new (&Value) T(Make());
    Made = true;
    return Value;
  }
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
} // namespace

WeightCopies zoo::scenarioWeightCopies(const ScenarioRecord &S) {
  if (S.AttentionDP || S.Devices <= 1)
    return {};
  WeightCopies C = weightCopies(S.Model->Stats, S.Devices);
  if (C.Params > 0)
    C.Bytes = bytesAt(BigCount::approximate(C.Params), *S.Weights).asDouble();
  return C;
}

PreparedLM::PreparedLM(const ScenarioRecord &S, const Machine &X)
    : S(&S), X(&X), St(&S.Model->Stats), N(static_cast<double>(S.Devices)),
      Act(S.Activations->bitsPerValue() / 8), WBits(S.Weights->bitsPerValue()),
      EBits(S.expertWeights()->bitsPerValue()), KVBits(S.KV->bitsPerValue()) {
  StateValues = static_cast<double>(St->StateValues);
  StateBytes = bytesAt(St->StateValues, *S.KV).asDouble();
  // A step reads every sequence's state and writes its recurrent part back.
  StepStateValues = StateValues + static_cast<double>(St->RecurrentValues);
  StepStateBytes =
      bytesAt(BigCount(St->StateValues) + BigCount(St->RecurrentValues), *S.KV).asDouble();
  const PrecisionRecord &Tables = tablePrecision(S, X.QuantizesTables);
  TBits = Tables.bitsPerValue();
  UntiedHead = (BigCount(St->EmbeddingParams) - BigCount(St->LookupParams)).approx();
  // Bytes of `Count` parameters outside the experts: the lookup tables and untied heads at the
  // tables' precision, the rest at the weights'.
  auto OutsideBytes = [&](const BigCount &Count) {
    return &Tables == S.Weights
               ? bytesAt(Count, *S.Weights).asDouble()
               : bytesAt(Count - BigCount(St->EmbeddingParams), *S.Weights).asDouble() +
                     bytesAt(St->EmbeddingParams, Tables).asDouble();
  };
  WeightBytesAll = OutsideBytes(St->Params);
  // Every expert's parameters, which experts at their own precision (`expert_weights`: at EBits)
  // and attention data parallelism (every device holds the layers outside the experts whole)
  // set apart.
  const BigCount ExpertAll = expertParamsAll(*St);
  const double ExpertBytes = bytesAt(ExpertAll, *S.expertWeights()).asDouble();
  if (S.expertWeights() != S.Weights)
    WeightBytesAll = ExpertBytes + OutsideBytes(BigCount(St->Params) - ExpertAll);
  if (S.AttentionDP && S.Devices > 1) {
    DP = true;
    WeightBytesAll = N * (WeightBytesAll - ExpertBytes) + ExpertBytes;
    NonExpert = (BigCount(St->Params) - BigCount(St->AuxiliaryParams) - ExpertAll).approx() +
                static_cast<double>(St->SharedReadParams);
  }
  MacsConst = static_cast<double>(St->MacsConst);
  LinearPerToken = static_cast<double>(St->MacsConst - St->HeadMacs);
  WeightBytesOnce = WeightBytesAll;
  HeadMacs = static_cast<double>(St->HeadMacs);
  ExpertMacs = 0;
  for (const ExpertTerm &E : St->Experts)
    ExpertMacs += static_cast<double>(E.TopK) * static_cast<double>(E.ExpertMacs) *
                  static_cast<double>(E.Layers);
  // What inference reads: `shared` weights at every use; auxiliary heads never.
  Params = static_cast<double>(St->Params - St->AuxiliaryParams) +
           static_cast<double>(St->SharedReadParams);
  // An encoder-decoder's decode steps run the decoder only (ClosedForm.h's decodeWeightParams).
  DecodeParams = static_cast<double>(St->Params - St->AuxiliaryParams - St->EncoderParams) +
                 static_cast<double>(St->SharedReadParams);
  // Tensor ranks beyond a linear layer's `shards` hold copies of it and run it again (every
  // device holds the layers outside the experts whole under attention data parallelism).
  if (const WeightCopies C = scenarioWeightCopies(S); C.Params > 0) {
    WeightBytesAll += C.Bytes;
    Params += C.Params;
    DecodeParams += C.Params;
    MacsConst += C.Macs;
    LinearPerToken += C.Macs;
  }
  Lookup = static_cast<double>(St->LookupParams - St->EncoderLookupParams);
  LookupRow = static_cast<double>(St->LookupRowParams - St->EncoderLookupRowParams);
  TiedHead = static_cast<double>(St->TiedHeadParams);
  Width = static_cast<double>(St->Width);
  MaxWidth = static_cast<double>(St->MaxWidth);
  Ops = static_cast<double>(X.Fuses ? St->FusedOps : St->Ops);
  // Two all-reduces per layer; an encoder-decoder's decode steps run the decoder's layers.
  AllReduces =
      S.Devices > 1 ? 2.0 * static_cast<double>(St->Layers - St->EncoderLayers) : 0;
  if (DP) {
    // Two all-to-alls an expert layer (the tokens to their experts' devices and back), none
    // elsewhere; each as the all-reduce whose bandwidth term takes as long: a device sends its
    // B/N tokens' k rows, (N - 1)/N of them away, so B k h a / (2 N) bytes of "message".
    double Layers = 0, Rows = 0;
    for (const ExpertTerm &E : St->Experts) {
      Layers += static_cast<double>(E.Layers);
      Rows += static_cast<double>(E.Layers) * static_cast<double>(E.TopK);
    }
    AllReduces = 2 * Layers;
    AllToAllPerToken = Layers > 0 ? Rows / Layers * Width * Act / (2 * N) : 0;
  }
  if (St->HasEncoder) {
    EncDec = true;
    CrossMacs = static_cast<double>(St->CrossMacsCoef);
    CrossKV = static_cast<double>(St->CrossKVValues);
    EncoderLinear = static_cast<double>(St->EncoderMacsConst);
    EncoderOps = static_cast<double>(X.Fuses ? St->EncoderFusedOps : St->EncoderOps);
    EncoderAllReduces = S.Devices > 1 ? 2.0 * static_cast<double>(St->EncoderLayers) : 0;
    EncoderLookup = static_cast<double>(St->EncoderLookupParams);
    EncoderLookupRow = static_cast<double>(St->EncoderLookupRowParams);
  }
  PrefillChunk = static_cast<double>(S.PrefillChunk);
  Page = static_cast<double>(std::max<int64_t>(1, X.KVPage));

  for (const AttentionTerm &A : St->Attention) {
    Kind K;
    K.Chunk = static_cast<double>(A.Chunk);
    K.Reach = static_cast<double>(A.reach());
    K.HeldI = A.Chunk > 0 ? A.Chunk : A.Window;
    K.Held = static_cast<double>(K.HeldI);
    // Tensor ranks beyond a kind's key-value heads (or any ranks, for a latent) hold copies of
    // its cache: memory and the reads of a step count every copy. Attention data parallelism
    // keeps each sequence's cache on one device.
    K.KVOnce = static_cast<double>(A.KVValues);
    K.KVValues = DP ? K.KVOnce : kvValuesHeld(A, S.Devices);
    Copies |= K.KVValues != K.KVOnce;
    // A decode step's attention as engines run it (a latent's in absorbed form); the prefill's
    // is the standard form's (`Term`, ClosedForm.h).
    K.MacsCoef = static_cast<double>(A.DecodeMacsCoef);
    K.Causal = A.Causal;
    K.Term = &A;
    Kinds.push_back(K);
    if (A.reach() > 0)
      Windows.push_back(K.Reach);
    if (A.KVValues > 0) {
      if (K.HeldI > 0)
        Plateau = std::max(Plateau, K.HeldI);
      else
        Grows = true;
    }
  }
  std::sort(Windows.begin(), Windows.end());
  Windows.erase(std::unique(Windows.begin(), Windows.end()), Windows.end());
  for (const ExpertTerm &E : St->Experts) {
    Expert P;
    P.N = static_cast<double>(E.Count);
    P.K = static_cast<double>(E.TopK);
    P.Params = static_cast<double>(E.ExpertParams);
    P.Layers = static_cast<double>(E.Layers);
    P.Base = 1 - P.K / P.N;
    P.Log2Base = std::log2(P.Base);
    Experts.push_back(P);
    ExpertLayers += P.Layers;
  }
  // The cache of one sequence (values, before the precision) as a + b c between the windows of
  // the kinds that have one: a first guess of the longest context only.
  {
    llvm::SmallVector<double, 4> Cuts;
    for (const Kind &K : Kinds)
      if (K.KVValues > 0 && K.HeldI > 0)
        Cuts.push_back(K.Held);
    std::sort(Cuts.begin(), Cuts.end());
    Cuts.erase(std::unique(Cuts.begin(), Cuts.end()), Cuts.end());
    Cuts.push_back(INFINITY);
    double Prev = 0;
    for (double To : Cuts) {
      Segment G;
      G.A = StateValues;
      G.To = To;
      for (const Kind &K : Kinds)
        if (K.KVValues > 0) {
          if (K.HeldI > 0 && K.Held <= Prev)
            G.A += K.KVValues * K.Held;
          else
            G.B += K.KVValues;
        }
      G.InvB = G.B > 0 ? 1 / G.B : 0;
      Segments.push_back(G);
      Prev = To;
    }
  }

  Ideal = X.Ideal;
  HasFlash = X.FlashBandwidth > 0;
  RateGemm = X.rate(Slot::Gemm);
  Exposed = X.GemmExposed;
  // A product of M rows and N output columns on a device fills it as one of M + C / N rows:
  // C / N more rows of K inputs, 2 C K FLOPs whatever N. Under tensor parallelism a product that
  // writes the residual stream (output and down projections: its outputs are the model's width)
  // is split by its inputs, K / N a device; the others (query-key-value, gate-up) by their
  // outputs, so each device reads all K inputs. Under attention data parallelism each device
  // runs them whole.
  FillFlops = 0;
  if (X.GemmFill > 0) {
    double Inputs = 0;
    for (const auto &[Shape, Count] : St->DenseLinears) {
      const double In = static_cast<double>(Shape.first);
      Inputs += BigCount(Count).approx() * (DP || Shape.second != St->Width ? N * In : In);
    }
    FillFlops = 2 * X.GemmFill * Inputs;
  }
  RateAttention = X.rate(Slot::AttentionCompute);
  BandwidthAttention = X.bandwidth(Slot::AttentionBandwidth);
  GemmExperts = X.expertRate();
  RateGemmExperts = X.ExpertGemmRate;
  // The ideal machine prices expert FLOPs at their own peak: as Peak / ExpertPeak times as many
  // at the compute's (0 extra where the two are one precision, so the sums keep their bits).
  IdealExpertExtra = X.OwnExpertCompute && X.ExpertPeak > 0 ? X.Peak / X.ExpertPeak - 1 : 0;
  // And attention's FLOPs at theirs (the cache's precision, where wider than the compute's).
  IdealAttentionExtra = X.OwnAttention && X.AttentionPeak > 0 ? X.Peak / X.AttentionPeak - 1 : 0;
  Alpha = X.f(Slot::CollectiveLatency);
  // A step's fixed costs: its operations' launches and the engine's host time an iteration.
  Overhead = Ops * X.f(Slot::OpOverhead) + X.f(Slot::StepOverhead);
  SequenceHost = X.f(Slot::SequenceOverhead);
  CommCoef = 2 * (X.Devices - 1) / X.Devices;
  for (int Flash = 0; Flash < 2; ++Flash) {
    WeightBw[Flash] =
        (Flash ? X.FlashBandwidth : X.Bandwidth) * X.HwBandwidth * X.f(X.weightSlot());
    WeightBwExperts[Flash] = WeightBw[Flash] * X.f(Slot::ExpertReads);
  }
  NoAttention = std::max(0 / RateAttention, 0 / BandwidthAttention);
  for (int Flash = 0; Flash < 2; ++Flash)
    NoExpertTime[Flash] = Experts.empty() && GemmExperts > 0 && WeightBwExperts[Flash] > 0;
  BytesToValues = 8 / KVBits;
  Usable = X.MemoryFraction * X.Capacity * N - X.Workspace * N;
  PerDeviceUsable = X.MemoryFraction * X.Capacity;
  WorkspaceN = X.Workspace * N;
  PowerN = X.Power * N;
  Ridge = X.Peak * X.HwCompute / (X.Bandwidth * X.HwBandwidth);
}

/// Cache bytes of one sequence at context C (doubles: the exact count is `kv_bytes`'s job).
double PreparedLM::kvBytes(double C, double Source, bool Once) const {
  double V = StateValues + CrossKV * Source;
  for (const Kind &K : Kinds)
    V += (Once ? K.KVOnce : K.KVValues) * (K.HeldI > 0 ? std::min(C, K.Held) : C);
  return V * KVBits / 8;
}

double PreparedLM::pagedKVBytes(double C, double Source, bool Once) const {
  if (Page <= 1)
    return kvBytes(C, Source, Once);
  // Each kind's positions in whole pages; a window's positions span at most one page more
  // than the window does.
  auto Pages = [&](double Positions) { return std::ceil(Positions / Page) * Page; };
  double V = StateValues + CrossKV * Pages(Source);
  for (const Kind &K : Kinds)
    V += (Once ? K.KVOnce : K.KVValues) *
         (K.HeldI > 0 ? std::min(Pages(C), Pages(K.Held) + Page) : Pages(C));
  return V * KVBits / 8;
}

double PreparedLM::uniformPageBytes() const {
  if (Page <= 1 || EncDec)
    return 0;
  auto Whole = [](double V) { return V >= 0 && V < 0x1p40 && V == std::floor(V); };
  double Values = 0;
  for (const Kind &K : Kinds) {
    if (K.HeldI > 0 || K.Chunk > 0 || !Whole(K.KVValues))
      return 0;
    Values += K.KVValues;
  }
  if (!Whole(StateValues) || !Whole(KVBits) || !Whole(Page))
    return 0;
  const double Bytes = Values * Page * KVBits / 8;
  // (A count of eighths of a byte: exact.)
  if (!(Bytes < 0x1p40) || pagedKVBytes(2 * Page) - pagedKVBytes(Page) != Bytes)
    return 0;
  return Bytes;
}

double PreparedLM::kvReadBytes(double C, double Source) const {
  double V = StepStateValues + CrossKV * Source;
  for (const Kind &K : Kinds)
    V += K.KVValues * K.seen(C);
  return V * KVBits / 8;
}

/// Attention MACs of one token at context C.
double PreparedLM::attentionMacs(double C) const {
  double M = 0;
  for (const Kind &K : Kinds)
    M += K.MacsCoef * K.seen(C);
  return M;
}

/// attentionMacs(C) and kvReadBytes(C) in one pass over the kinds (each the same sum, in the
/// same order, as those give).
void PreparedLM::attentionAndCache(double C, double &Macs, double &Bytes, bool Mean) const {
  double M = 0, V = StepStateValues;
  for (const Kind &K : Kinds) {
    const double Seen = K.seen(C, Mean);
    M += K.MacsCoef * Seen;
    V += K.KVValues * Seen;
  }
  Macs = M;
  Bytes = V * KVBits / 8;
}

double PreparedLM::expertPow(const Expert &E, double Tokens) const {
  // Far below the smallest subnormal pow returns +0 (it is correctly rounded there); saying so
  // without calling it keeps a prefill of many tokens from paying for a logarithm per kind.
  if (Tokens * E.Log2Base < -1100)
    return 0;
  return std::pow(E.Base, Tokens);
}

/// Expert parameters `Tokens` routed tokens read: the expected distinct experts of each layer
/// under uniform routing (docs/formulas.md); `Runs`: the experts a device runs (Work::ExpertRuns).
double PreparedLM::expertParams(double Tokens, double &Runs) const {
  double P = 0, R = 0;
  for (const Expert &E : Experts) {
    const double Distinct = E.N * (1 - expertPow(E, Tokens));
    P += Distinct * E.Params * E.Layers;
    R += Distinct * E.Layers;
  }
  Runs = DP ? R / N : R;
  return P;
}

/// The experts `Batch` tokens read (ClosedForm.h's decodeWeightParams): the expected distinct
/// experts of each layer added to `Routed`, the ones no token reaches taken from `Dense`;
/// `Runs`: the experts a device runs (Work::ExpertRuns).
void PreparedLM::expertReads(double Batch, double &Dense, double &Routed, double &Runs) const {
  double R = 0;
  for (const Expert &E : Experts) {
    const double Pow = expertPow(E, Batch);
    const double Distinct = E.N * (1 - Pow);
    Dense -= (E.N - Distinct) * E.Params * E.Layers;
    Routed += Distinct * E.Params * E.Layers;
    R += Distinct * E.Layers;
  }
  Runs = DP ? R / N : R;
}

/// A ring all-reduce's bandwidth term (Collectives.h) with no latency: at the hardware's measured
/// bus bandwidth for the size where its record has one (the all-to-alls of attention data
/// parallelism keep the link's).
double PreparedLM::allReduceTime(double Bytes) const {
  if (X->Devices < 2 || X->LinkBandwidth <= 0)
    return 0;
  if (!DP && !X->AllReduce.empty())
    return measuredAllReduce(X->AllReduce, Bytes, X->Devices, X->LinkBandwidth);
  return CommCoef * Bytes / X->LinkBandwidth;
}

PreparedLM::PromptTerms PreparedLM::promptTerms(int64_t Prompt) const {
  PromptTerms T;
  T.Prompt = Prompt;
  const double P = static_cast<double>(Prompt);
  if (EncDec) {
    // The attention of the sections over the source and of the decoder's first position:
    // ClosedForm.h's prefillMacs less its per-token products (exact where it fits 128 bits).
    T.Attention = (prefillMacs(*St, Prompt) - BigCount(St->EncoderMacsConst) * Prompt -
                   BigCount(St->MacsConst))
                      .approx();
    T.Linear = P * EncoderLinear + (LinearPerToken - ExpertMacs) + HeadMacs;
    T.KVPrompt = kvBytes(1, P);
    return T;
  }
  // The attention MACs of the prefill: ClosedForm.h's prefillMacs less its per-token products
  // (exact where it fits 128 bits, then rounded).
  T.Attention = (prefillMacs(*St, Prompt) - BigCount(St->MacsConst) * Prompt).approx();
  const double HeadPositions = X->LastTokenLogits ? 1 : P;
  T.Linear = P * (LinearPerToken - ExpertMacs) + HeadPositions * HeadMacs;
  T.KVPrompt = kvBytes(P);
  return T;
}

Work PreparedLM::prefillWork(double Batch, const PromptTerms &T) const {
  Work W;
  if (EncDec) {
    // The sections over the source and the decoder's first position: every weight is read once
    // (the decoder's experts as the batch's first tokens route), the sections' lookup tables a
    // row per source token, the decoder's a row per sequence; the sections' all-reduces carry
    // the source's tokens, the decoder's one token a sequence (one count at the mean size:
    // the time is linear in it).
    const double Source = static_cast<double>(T.Prompt);
    W.LinearFlops = 2 * Batch * T.Linear;
    W.AttentionFlops = 2 * Batch * T.Attention;
    W.ExpertFlops = 2 * Batch * ExpertMacs;
    double Dense = Params, Routed = 0;
    expertReads(Batch, Dense, Routed, W.ExpertRuns);
    W.ExpertWeightBytes = Routed * EBits / 8;
    const double TablesRead = std::min(Lookup, Batch * LookupRow + TiedHead) +
                              std::min(EncoderLookup, Batch * Source * EncoderLookupRow);
    W.WeightBytes = weightReadBytes(Dense - Routed - Lookup - EncoderLookup, TablesRead);
    W.KVBytes = Batch * T.KVPrompt;
    W.AllReduces = EncoderAllReduces + AllReduces;
    W.AllReduceBytes = W.AllReduces > 0 ? Batch * Width * Act *
                                              (EncoderAllReduces * Source + AllReduces) /
                                              W.AllReduces
                                        : 0;
    W.Ops = EncoderOps + Ops;
    W.Sequences = Batch;
    return W;
  }
  const double Prompt = static_cast<double>(T.Prompt);
  W.LinearFlops = 2 * Batch * T.Linear;
  W.AttentionFlops = 2 * Batch * T.Attention;
  W.ExpertFlops = 2 * Batch * Prompt * ExpertMacs;
  // A prefill of many tokens reads every expert (at most all of them).
  const double Routed = expertParams(Batch * Prompt, W.ExpertRuns);
  W.ExpertWeightBytes = Routed * EBits / 8;
  const double Tokens = Batch * Prompt;
  W.KVBytes = Batch * T.KVPrompt;
  if (DP) {
    W.WeightBytes = N * weightReadBytes(NonExpert - Lookup,
                                        std::min(Lookup, Tokens / N * LookupRow + TiedHead));
    W.AllReduceBytes = Tokens * AllToAllPerToken;
    W.AllReduces = AllReduces;
    W.Ops = Ops;
    W.Sequences = Batch;
    return W;
  }
  const double TablesRead = std::min(Lookup, Tokens * LookupRow + TiedHead);
  W.WeightBytes = weightReadBytes(Params - Routed - Lookup, TablesRead);
  W.AllReduceBytes = Batch * Prompt * Width * Act;
  W.AllReduces = AllReduces;
  W.Ops = Ops;
  W.Sequences = Batch;
  return W;
}

Work PreparedLM::onBusiest(Work W, double Batch) const {
  if (!DP || !(Batch > 0))
    return W;
  const double Scale = busiest(Batch) / Batch;
  W.LinearFlops *= Scale;
  W.AttentionFlops *= Scale;
  W.KVBytes *= Scale;
  W.AllReduceBytes *= Scale;
  return W;
}

double PreparedLM::prefillTimeTogether(llvm::ArrayRef<const PromptTerms *> Terms) const {
  if (Terms.empty())
    return 0;
  if (Terms.size() == 1)
    return prefillTime(1, *Terms.front(), false);
  int64_t Tokens = 0;
  for (const PromptTerms *T : Terms)
    Tokens += T->Prompt;
  // The weights, experts and collectives of one forward over every token (a prompt as long as
  // all of them), then each prompt's own products, attention and cache.
  PromptTerms All;
  All.Prompt = Tokens;
  Work W = prefillWork(1, All);
  W.LinearFlops = W.AttentionFlops = W.KVBytes = 0;
  W.Sequences = static_cast<double>(Terms.size());
  for (const PromptTerms *T : Terms) {
    Work One = prefillWork(1, *T);
    W.LinearFlops += One.LinearFlops;
    W.AttentionFlops += One.AttentionFlops;
    W.KVBytes += One.KVBytes;
  }
  return price(W, false).Time;
}

/// A decode step at context C (C < 1: without its attention) over `Source` (encoder-decoders).
Work PreparedLM::stepWork(double Batch, double C, double Source) const {
  Work W;
  // The sequences of the busiest device, as the machine's N devices see them (busiest()).
  const double Busy = busiest(Batch);
  W.LinearFlops = 2 * Busy * (MacsConst - ExpertMacs);
  W.ExpertFlops = 2 * Batch * ExpertMacs;
  // Parameters the batch's tokens read: the dense weights and the expected distinct experts
  // (ClosedForm.h's decodeWeightParams), then less the experts, as lookups and heads read them.
  double Dense = DecodeParams, Routed = 0;
  expertReads(Batch, Dense, Routed, W.ExpertRuns);
  W.ExpertWeightBytes = Routed * EBits / 8;
  if (DP) {
    // Each device reads the layers outside the experts whole, for its share of the batch.
    W.WeightBytes =
        N * weightReadBytes(NonExpert - Lookup, std::min(Lookup, Busy / N * LookupRow + TiedHead));
    W.AllReduceBytes = Busy * AllToAllPerToken;
  } else {
    const double TablesRead = std::min(Lookup, Batch * LookupRow + TiedHead);
    W.WeightBytes = weightReadBytes(Dense - Routed - Lookup, TablesRead);
    W.AllReduceBytes = Batch * Width * Act;
  }
  W.AllReduces = AllReduces;
  W.Ops = Ops;
  W.Sequences = Batch;
  if (C >= 1) {
    W.AttentionFlops = 2 * Busy * (attentionMacs(C) + CrossMacs * Source);
    W.KVBytes = Busy * kvReadBytes(C, Source);
  }
  return W;
}

/// A kernel's time from its two sides: the larger, plus `Share` of the smaller (the dense
/// products' `gemm_exposed`; 0: fully overlapped).
static double overlapped(double C, double Mem, double Share) {
  return std::max(C, Mem) + Share * std::min(C, Mem);
}

/// The expert layers' time in `W` on the expected machine: the dense kernels' rates times the
/// experts factors (`compute experts` on the products, `bandwidth experts` on the weight reads;
/// without experts: 0 / rate, that is +0), plus expert_overhead for each expert a device runs
/// and expert_layer_overhead for each expert layer it runs (every one, in a forward that routes
/// any token); added to the side their roofs put them on, and to the slot of the roof that binds.
double PreparedLM::expertTime(const Work &W, bool FromFlash, double &ComputeSide,
                              double &MemorySide, std::array<double, NumSlots> &BySlot) const {
  const double Products = W.ExpertFlops / GemmExperts;
  const double Reads = W.ExpertWeightBytes / WeightBwExperts[FromFlash];
  const double Roofs = NoExpertTime[FromFlash] ? 0 : std::max(Products, Reads);
  const double PerExpert = W.ExpertRuns * X->f(Slot::ExpertOverhead);
  const double PerLayer = W.ExpertRuns > 0 ? ExpertLayers * X->f(Slot::ExpertLayerOverhead) : 0;
  BySlot[slot(Products >= Reads ? Slot::Experts : Slot::ExpertReads)] += Roofs;
  BySlot[slot(Slot::ExpertOverhead)] += PerExpert;
  BySlot[slot(Slot::ExpertLayerOverhead)] += PerLayer;
  const double Time = Roofs + PerExpert + PerLayer;
  const bool ComputeBound =
      W.ExpertFlops / RateGemmExperts >= W.ExpertWeightBytes / WeightBw[FromFlash];
  if (Time > 0)
    (ComputeBound ? ComputeSide : MemorySide) += Time;
  return Time;
}

/// Prices `W` on the machine: see step 1 of the file comment.
PhaseCost PreparedLM::price(const Work &W, bool FromFlash) const {
  const Machine &M = *X;
  PhaseCost P;
  P.Flops = W.LinearFlops + W.AttentionFlops + W.ExpertFlops;
  P.Bytes = W.WeightBytes + W.KVBytes + W.ExpertWeightBytes;
  const double Bw = WeightBw[FromFlash];
  const double CommEach = allReduceTime(W.AllReduceBytes);
  const double Comm = W.AllReduces * (CommEach + (CommEach > 0 ? Alpha : 0));
  P.CommBandwidth = W.AllReduces * CommEach;
  P.BySlot[slot(Slot::CollectiveLatency)] = Comm - P.CommBandwidth;
  double ComputeSide = 0, MemorySide = 0;
  if (Ideal) {
    double C =
        (P.Flops + W.ExpertFlops * IdealExpertExtra + W.AttentionFlops * IdealAttentionExtra) /
        M.Peak;
    double Mem = (W.WeightBytes + W.ExpertWeightBytes) / Bw + W.KVBytes / M.Bandwidth;
    // The collectives may run beside the products (a batch split in two, one half's all-reduces
    // under the other's products): the bound takes the largest of the three.
    P.Time = std::max({C, Mem, Comm});
    ComputeSide = C;
    MemorySide = Mem;
    (C >= Mem ? P.BySlot[slot(Slot::Gemm)] : P.BySlot[slot(M.weightSlot())]) = std::max(C, Mem);
  } else {
    // The larger of a kernel's two sides, plus the exposed share of the smaller for the dense
    // products (gemm_exposed; 0 elsewhere).
    auto Part = [&](double C, Slot CS, double Mem, Slot MS, double Share) {
      double T = overlapped(C, Mem, Share);
      if (C >= Mem) {
        ComputeSide += T;
        P.BySlot[slot(CS)] += T;
      } else {
        MemorySide += T;
        P.BySlot[slot(MS)] += T;
      }
      return T;
    };
    const double Launches = W.Ops * M.f(Slot::OpOverhead);
    const double PerSequence = W.Sequences * SequenceHost;
    const double Over = Launches + M.f(Slot::StepOverhead) + PerSequence;
    P.BySlot[slot(Slot::OpOverhead)] = Launches;
    P.BySlot[slot(Slot::StepOverhead)] = M.f(Slot::StepOverhead);
    P.BySlot[slot(Slot::SequenceOverhead)] = PerSequence;
    const double ExpertTime = expertTime(W, FromFlash, ComputeSide, MemorySide, P.BySlot);
    P.Time = ExpertTime +
             Part(linearCompute(W.LinearFlops), Slot::Gemm, W.WeightBytes / Bw, M.weightSlot(),
                  Exposed) +
             Part(W.AttentionFlops / RateAttention, Slot::AttentionCompute,
                  W.KVBytes / BandwidthAttention, Slot::AttentionBandwidth, 0) +
             Over + Comm;
    if (Over > std::max({ComputeSide, MemorySide, Comm}))
      P.Binds = Bound::Overhead;
  }
  if (P.Binds != Bound::Overhead)
    P.Binds = Comm > std::max(ComputeSide, MemorySide) ? Bound::Interconnect
              : ComputeSide >= MemorySide              ? Bound::Compute
                                                       : Bound::Memory;
  return P;
}

PreparedLM::BatchTerms PreparedLM::batchTerms(double Batch, bool FromFlash, double Source) const {
  BatchTerms B;
  B.Batch = Batch;
  B.AttentionBatch = busiest(Batch);
  B.FromFlash = FromFlash;
  B.CrossFlops = 2 * Batch * CrossMacs * Source;
  B.CrossBytes = Batch * CrossKV * Source * KVBits / 8;
  const Work &W = B.Base = stepWork(Batch, 0);
  const double Bw = WeightBw[FromFlash];
  // price(W) up to the attention part, which each step adds.
  const double CommEach = allReduceTime(W.AllReduceBytes);
  B.Comm = W.AllReduces * (CommEach + (CommEach > 0 ? Alpha : 0));
  B.CommBandwidth = W.AllReduces * CommEach;
  B.BySlot[slot(Slot::CollectiveLatency)] = B.Comm - B.CommBandwidth;
  if (Ideal) {
    B.WeightTime = (W.WeightBytes + W.ExpertWeightBytes) / Bw;
    B.Floor = B.Comm;
  } else {
    B.BySlot[slot(Slot::OpOverhead)] = Ops * X->f(Slot::OpOverhead);
    B.BySlot[slot(Slot::StepOverhead)] = X->f(Slot::StepOverhead);
    B.BySlot[slot(Slot::SequenceOverhead)] = Batch * SequenceHost;
    B.Host = Overhead + Batch * SequenceHost;
    const double ExpertTime = expertTime(W, FromFlash, B.ComputeSide, B.MemorySide, B.BySlot);
    const double C = linearCompute(W.LinearFlops), Mem = W.WeightBytes / Bw;
    const double Linear = overlapped(C, Mem, Exposed);
    if (C >= Mem) {
      B.ComputeSide += Linear;
      B.BySlot[slot(Slot::Gemm)] += Linear;
    } else {
      B.MemorySide += Linear;
      B.BySlot[slot(X->weightSlot())] += Linear;
    }
    B.ExpertsAndLinear = ExpertTime + Linear;
    // The step with no attention at all, as price() gives it.
    B.FixedTime = B.ExpertsAndLinear + NoAttention + B.Host + B.Comm;
  }
  // Attention at context c within a stretch: FLOPs and bytes are F0 + F1 c and K0 + K1 c.
  B.StateBytes = B.AttentionBatch * StepStateBytes;
  for (size_t Stage = 0; Stage <= Windows.size(); ++Stage) {
    double F0 = B.CrossFlops, F1 = 0, K0 = B.StateBytes + B.CrossBytes, K1 = 0;
    for (const Kind &K : Kinds) {
      double Mac = 2 * B.AttentionBatch * K.MacsCoef;
      double Kv = B.AttentionBatch * K.KVValues * KVBits / 8;
      if (K.Reach > 0 && Stage > 0 && K.Reach <= Windows[Stage - 1]) { // full over it
        F0 += Mac * K.Reach;
        K0 += Kv * K.Reach;
      } else {
        F1 += Mac;
        K1 += Kv;
      }
    }
    BatchTerms::Lines L;
    if (Ideal)
      L = {(W.LinearFlops + W.ExpertFlops + F0 + W.ExpertFlops * IdealExpertExtra +
            F0 * IdealAttentionExtra) /
               X->Peak,
           (F1 + F1 * IdealAttentionExtra) / X->Peak,
           (W.WeightBytes + W.ExpertWeightBytes) / Bw + K0 / X->Bandwidth, K1 / X->Bandwidth};
    else
      L = {F0 / RateAttention, F1 / RateAttention, K0 / BandwidthAttention,
           K1 / BandwidthAttention};
    if (L.P1 != L.Q1)
      L.Cross = (L.Q0 - L.P0) / (L.P1 - L.Q1);
    B.Stage.push_back(L);
  }
  for (const Kind &K : Kinds)
    if (K.Chunk > 0) {
      const double Mac = 2 * B.AttentionBatch * K.MacsCoef,
                   Kv = B.AttentionBatch * K.KVValues * KVBits / 8;
      if (Ideal)
        B.Chunks.push_back(
            {K.Chunk, (Mac + Mac * IdealAttentionExtra) / X->Peak, Kv / X->Bandwidth});
      else
        B.Chunks.push_back({K.Chunk, Mac / RateAttention, Kv / BandwidthAttention});
    }
  return B;
}

PhaseCost PreparedLM::step(const BatchTerms &B, double C) const {
  PhaseCost P;
  const Work &W = B.Base;
  double Macs, PerSeq;
  attentionAndCache(C, Macs, PerSeq);
  const double Attention = 2 * B.AttentionBatch * Macs + B.CrossFlops;
  const double KV = B.AttentionBatch * PerSeq + B.CrossBytes;
  P.Flops = W.LinearFlops + Attention + W.ExpertFlops;
  P.Bytes = W.WeightBytes + KV + W.ExpertWeightBytes;
  P.CommBandwidth = B.CommBandwidth;
  P.BySlot = B.BySlot;
  double ComputeSide, MemorySide;
  if (Ideal) {
    const double Cp =
        (P.Flops + W.ExpertFlops * IdealExpertExtra + Attention * IdealAttentionExtra) / X->Peak;
    const double Mem = B.WeightTime + KV / X->Bandwidth;
    P.Time = std::max({Cp, Mem, B.Comm});
    ComputeSide = Cp;
    MemorySide = Mem;
    (Cp >= Mem ? P.BySlot[slot(Slot::Gemm)] : P.BySlot[slot(X->weightSlot())]) = std::max(Cp, Mem);
  } else {
    ComputeSide = B.ComputeSide;
    MemorySide = B.MemorySide;
    const double Ca = Attention / RateAttention, Ma = KV / BandwidthAttention;
    if (Ca >= Ma) {
      ComputeSide += Ca;
      P.BySlot[slot(Slot::AttentionCompute)] += Ca;
    } else {
      MemorySide += Ma;
      P.BySlot[slot(Slot::AttentionBandwidth)] += Ma;
    }
    P.Time = B.ExpertsAndLinear + std::max(Ca, Ma) + B.Host + B.Comm;
    if (B.Host > std::max({ComputeSide, MemorySide, B.Comm}))
      P.Binds = Bound::Overhead;
  }
  if (P.Binds != Bound::Overhead)
    P.Binds = B.Comm > std::max(ComputeSide, MemorySide) ? Bound::Interconnect
              : ComputeSide >= MemorySide                ? Bound::Compute
                                                         : Bound::Memory;
  return P;
}

double PreparedLM::stepTime(const BatchTerms &B, double C, double Source, bool Mean) const {
  const Work &W = B.Base;
  double Macs, PerSeq;
  attentionAndCache(C, Macs, PerSeq, Mean);
  // (Without cross-attention or an extra source the added terms are +0: the same bits.)
  const double Attention =
      2 * B.AttentionBatch * Macs + B.CrossFlops + 2 * B.Batch * CrossMacs * Source;
  const double KV =
      B.AttentionBatch * PerSeq + B.CrossBytes + B.Batch * CrossKV * Source * KVBits / 8;
  if (Ideal) {
    const double Cp = (W.LinearFlops + Attention + W.ExpertFlops +
                       W.ExpertFlops * IdealExpertExtra + Attention * IdealAttentionExtra) /
                      X->Peak;
    return std::max({Cp, B.WeightTime + KV / X->Bandwidth, B.Comm});
  }
  return B.ExpertsAndLinear + std::max(Attention / RateAttention, KV / BandwidthAttention) +
         B.Host + B.Comm;
}

/// Every decode step of a generation, summed in closed form: per stretch between window sizes
/// (and chunk boundaries), the steps' fixed time plus the sum of the larger of two linear terms.
double PreparedLM::decodeSum(const BatchTerms &B, double Prompt, double Output) const {
  const double Lo = Prompt + 1, Hi = Prompt + Output - 1;
  if (Hi < Lo)
    return 0;
  size_t Stage = 0;
  while (Stage < Windows.size() && Windows[Stage] < Lo)
    ++Stage;
  double Total = 0, From = Lo;
  for (;;) {
    const bool Cut = Stage < Windows.size() && Windows[Stage] < Hi;
    const double To = Cut ? Windows[Stage] : Hi;
    const BatchTerms::Lines &L = B.Stage[Stage];
    Total += (To - From + 1) * B.FixedTime +
             (B.Chunks.empty() ? sumMaxFloor(From, To, L.P0, L.P1, L.Q0, L.Q1, L.Cross, B.Floor)
                               : chunkedSum(B.Chunks.front(), L, From, To, B.Floor));
    if (!Cut)
      return Total;
    From = To + 1;
    ++Stage;
  }
}

/// The attention part of the steps c = From..To of one stretch between windows, a chunked kind
/// (one chunk size a model: CostModel) seeing (c - 1) mod Chunk + 1 positions. In chunk k
/// (positions kC + 1 .. kC + C) the step at c' = c - kC has the lines P0 + bP k + P1 c' and
/// Q0 + bQ k + Q1 c', where bP = (P1 - dP) C takes back the chunked kind's k C positions; the
/// chunks at either end may be partial. Over the whole chunks between, the split of a chunk's
/// positions between the two lines, clamp(floor(X(k)), 0, C) with X linear in k, is monotone in
/// k, and so (on the ideal machine, whose steps take at least their collectives, R) is the first
/// position t(k) where the lines reach R (every slope is >= 0: t falls as k grows); while both
/// stay the same the chunk's sum is linear in k: the sum takes one term per run of chunks with
/// the same pair, at most min(chunks, 2 C + 3) of them, each found by bisection: bounded work
/// whatever the output length.
double PreparedLM::chunkedSum(const BatchTerms::ChunkLine &K, const BatchTerms::Lines &L,
                              double From, double To, double R) {
  const double C = K.Chunk;
  const double BP = (L.P1 - K.P) * C, BQ = (L.Q1 - K.Q) * C;
  auto Part = [&](double K0, double Lo, double Hi) { // positions Lo..Hi of chunk K0
    const double P0 = L.P0 + BP * K0, Q0 = L.Q0 + BQ * K0;
    const double X = L.P1 != L.Q1 ? (Q0 - P0) / (L.P1 - L.Q1) : 0;
    return sumMaxFloor(Lo, Hi, P0, L.P1, Q0, L.Q1, X, R);
  };
  const double KA = std::floor((From - 1) / C), KB = std::floor((To - 1) / C);
  if (KA == KB)
    return Part(KA, From - KA * C, To - KA * C);
  double Total = Part(KA, From - KA * C, C) + Part(KB, 1, To - KB * C);
  // The whole chunks KA + 1 .. KB - 1, run by run. A chunk's split m: positions 1..m on the
  // line of the smaller slope (sumMax's), m + 1..C on the other; with equal slopes, all on the
  // larger line (m = 0 where P wins, C where Q does). Positions before t take R instead.
  const bool PLow = L.P1 < L.Q1;
  const double Low0 = PLow ? L.P0 : L.Q0, LowB = PLow ? BP : BQ, Low1 = PLow ? L.P1 : L.Q1;
  const double Up0 = PLow ? L.Q0 : L.P0, UpB = PLow ? BQ : BP, Up1 = PLow ? L.Q1 : L.P1;
  auto Split = [&](double Kk) {
    const double P0 = L.P0 + BP * Kk, Q0 = L.Q0 + BQ * Kk;
    double M;
    if (L.P1 == L.Q1)
      M = P0 >= Q0 ? (PLow ? C : 0.0) : (PLow ? 0.0 : C);
    else
      M = std::clamp(std::floor((Q0 - P0) / (L.P1 - L.Q1)), 0.0, C);
    const double T = R > 0 ? firstAtLeast(1, C, P0, L.P1, Q0, L.Q1, R) : 1;
    return std::pair<double, double>{M, T};
  };
  const double Last = KB - 1;
  for (double A = KA + 1; A <= Last;) {
    // The run: the last chunk with A's pair (each is monotone in k), by bisection.
    const auto MT = Split(A);
    double E = Last;
    if (Split(Last) != MT) {
      double Hi = Last;
      E = A;
      while (Hi - E > 1) {
        const double Mid = std::floor((E + Hi) / 2);
        (Split(Mid) == MT ? E : Hi) = Mid;
      }
    }
    // Positions 1..t-1 at R, t..a on the low line and a+1..C on the upper, a = max(m, t - 1):
    // over chunks A..E, N (t - 1) R + sum of nL (Low0 + LowB k) + Low1 SL
    //                              + nU (Up0 + UpB k) + Up1 SU.
    const double M = MT.first, T = MT.second;
    const double Aend = std::max(M, T - 1);
    const double NL = Aend - T + 1, SL = (T + Aend) * NL / 2;
    const double NU = C - Aend, SU = (Aend + 1 + C) * NU / 2;
    const double N = E - A + 1, SumK = (A + E) * N / 2;
    Total += N * ((T - 1) * R + NL * Low0 + Low1 * SL + NU * Up0 + Up1 * SU) +
             SumK * (NL * LowB + NU * UpB);
    A = E + 1;
  }
  return Total;
}

/// The reference: every decode step priced as a whole and added.
double PreparedLM::decodeSumStepByStep(double Batch, bool FromFlash, double Prompt,
                                       double Output, double Source) const {
  CompensatedSum Total;
  for (double C = Prompt + 1; C <= Prompt + Output - 1; ++C)
    Total.add(price(stepWork(Batch, C, Source), FromFlash).Time);
  return Total.value();
}

double PreparedLM::maxContext(double Batch, double Free, bool Search, double Source) const {
  auto Fits = [&](int64_t C) { return Batch * kvBytes(static_cast<double>(C), Source) <= Free; };
  if (!std::isfinite(Free))
    return NAN;
  if (!Fits(1))
    return 0;
  // A cache that stops growing (state, windows only) and fits where it stops is unbounded; one
  // that still fits at 2^63 - 1 tokens is a count out of range.
  const int64_t Top = Grows ? INT64_MAX : Plateau;
  if (Fits(Top))
    return Grows ? 0x1p63 : UnboundedCount;
  // Fits(Lo) and !Fits(Hi) throughout; the test is monotone in C, so both ways end at the same
  // largest C that fits.
  int64_t Lo = 1, Hi = Top;
  if (!Search) {
    // Where the piecewise-linear cache crosses the free memory, then outward from there in
    // doubling steps until the test changes: a few evaluations, then the bisection below.
    const double Target = Free / Batch * BytesToValues - CrossKV * Source;
    double Guess = 1, Prev = 0;
    for (const Segment &G : Segments) {
      if (G.A + G.B * G.To > Target || G.To == INFINITY) {
        Guess = G.B > 0 ? std::floor((Target - G.A) * G.InvB) : Prev;
        break;
      }
      Prev = G.To;
    }
    if (!(Guess >= 1)) // NaN too
      Guess = 1;
    const int64_t G = Guess >= static_cast<double>(Top - 1) ? Top - 1 : static_cast<int64_t>(Guess);
    if (G > Lo) {
      const bool Up = Fits(G);
      (Up ? Lo : Hi) = G;
      for (uint64_t Step = 1; static_cast<uint64_t>(Hi - Lo) > Step; Step *= 2) {
        const int64_t C = Up ? Lo + static_cast<int64_t>(Step) : Hi - static_cast<int64_t>(Step);
        const bool In = Fits(C);
        (In ? Lo : Hi) = C;
        if (In != Up)
          break;
      }
    }
  }
  while (Hi - Lo > 1) {
    int64_t Mid = Lo + (Hi - Lo) / 2;
    (Fits(Mid) ? Lo : Hi) = Mid;
  }
  return static_cast<double>(Lo);
}

LMFigures PreparedLM::evaluate(const LMPoint &P) const {
  return figures(P, Reuse(), /*StepByStep=*/false);
}

LMFigures PreparedLM::evaluate(const LMPoint &P, const Reuse &R) const {
  return figures(P, R, /*StepByStep=*/false);
}

LMFigures PreparedLM::evaluateStepByStep(const LMPoint &P) const {
  return figures(P, Reuse(), /*StepByStep=*/true);
}

LMFigures PreparedLM::figures(const LMPoint &P, const Reuse &Given, bool StepByStep) const {
  const Machine &M = *X;
  const double Batch = static_cast<double>(P.Batch);
  const double Prompt = static_cast<double>(P.Prompt), Output = static_cast<double>(P.Output);
  // An encoder-decoder's prompt is the source; its decoder starts from one position, and terms
  // made for another source are not reused (a caller's are keyed by the batch alone).
  const double Source = EncDec ? Prompt : 0, Start = EncDec ? 1 : Prompt;
  const Reuse None;
  const Reuse &R = EncDec ? None : Given;
  const double Full = Start + Output;
  const double WeightBytes = WeightBytesAll;
  // Prompts are prefilled in chunks of PrefillChunk tokens (default: one sequence's prompt).
  const double Chunk = std::min(PrefillChunk != 0 ? PrefillChunk : Prompt, Batch * Prompt);
  const double Workspace = Chunk * MaxWidth * Act * 2;

  // Memory placement: weights stream from flash when they do not fit the main tier. Under
  // attention data parallelism every device holds the cache of as many sequences as the busiest,
  // ceil(B/N) (busiest()), as it runs their work.
  const double PerSeq = kvBytes(Full, Source);
  const double KVBatch = busiest(Batch);
  const double KVFull = KVBatch * PerSeq;
  const bool FromFlash = M.FlashBandwidth > 0 && (WeightBytes + KVFull + Workspace) > Usable &&
                         WeightBytes / N <= M.FlashCapacity;
  const double Resident = FromFlash ? 0 : WeightBytes;

  // Prefill and decode at the scenario's batch.
  PromptTerms OwnPrompt;
  const PromptTerms *PT = R.Prompt;
  if (!PT || StepByStep) {
    OwnPrompt = promptTerms(P.Prompt);
    if (StepByStep) { // the attention of every position, added one by one
      BigCount Attention = 0;
      if (EncDec) { // every source position, then the decoder's first
        for (int64_t Pos = 1; Pos <= P.Prompt; ++Pos) {
          for (const AttentionTerm &A : St->EncoderAttention)
            Attention += BigCount(A.MacsCoef) * visible(P.Prompt, A.Window);
          Attention += BigCount(St->CrossMacsCoef);
        }
        for (const Kind &K : Kinds)
          Attention += BigCount(K.Term->MacsCoef) * seen(*K.Term, 1);
      } else {
        for (int64_t Pos = 1; Pos <= P.Prompt; ++Pos)
          for (const Kind &K : Kinds)
            Attention += BigCount(K.Term->MacsCoef) *
                         (K.Causal ? seen(*K.Term, Pos) : visible(P.Prompt, K.Term->Window));
      }
      OwnPrompt.Attention = Attention.approx();
    }
    PT = &OwnPrompt;
  }
  BatchMemo *Memo = StepByStep ? nullptr : R.Memo;
  if (Memo && Memo->Batch != Batch) {
    *Memo = BatchMemo();
    Memo->Batch = Batch;
  }
  PhaseCost Prefill;
  if (Memo && Memo->PrefillPrompt == P.Prompt && Memo->PrefillFlash == FromFlash) {
    Prefill = Memo->Prefill;
  } else {
    Prefill = price(onBusiest(prefillWork(Batch, *PT), Batch), FromFlash);
    if (Memo) {
      Memo->PrefillPrompt = P.Prompt;
      Memo->PrefillFlash = FromFlash;
      Memo->Prefill = Prefill;
    }
  }
  const double Steps = std::max(Output - 1, 0.0);
  const double FirstC = Start + 1, LastC = Start + std::max(Steps, 1.0);
  const double MidC = Start + std::max(std::floor(Output / 2), 1.0);
  Lazy<BatchTerms> OwnBatch;
  const BatchTerms *BT = R.Batch[FromFlash];
  double DecodeSum, FirstTime, LastTime;
  PhaseCost Mid;
  if (StepByStep) {
    DecodeSum = decodeSumStepByStep(Batch, FromFlash, Start, Output, Source);
    FirstTime = price(stepWork(Batch, FirstC, Source), FromFlash).Time;
    LastTime = price(stepWork(Batch, LastC, Source), FromFlash).Time;
    Mid = price(stepWork(Batch, MidC, Source), FromFlash);
  } else {
    if (!BT || BT->Batch != Batch)
      BT = &OwnBatch.make([&] { return batchTerms(Batch, FromFlash, Source); });
    DecodeSum = decodeSum(*BT, Start, Output);
    Mid = step(*BT, MidC);
    FirstTime = FirstC == MidC ? Mid.Time : stepTime(*BT, FirstC);
    LastTime = LastC == MidC ? Mid.Time : stepTime(*BT, LastC);
  }
  const double DecodeMean = Steps > 0 ? DecodeSum / Steps : FirstTime;

  // Memory fit, largest batch and context, devices needed.
  const double Needed = WeightBytes + KVFull + Workspace;
  const double Free = (Usable - Resident - Workspace) * M.KVFraction;
  // The largest batch: B x PerSeq <= Free, or, attention data parallel, N whole devices' worth
  // (each holding floor(Free / N / PerSeq) sequences).
  double MaxBatch = !(Free > 0)   ? (Free <= 0 ? 0 : NAN)
                    : PerSeq <= 0 ? UnboundedCount
                    : StepByStep  ? 0
                    : DP          ? N * std::floor(Free / N / PerSeq)
                                  : std::floor(Free / PerSeq);
  if (StepByStep && Free > 0 && PerSeq > 0) { // the largest B with busiest(B) x PerSeq <= Free
    double Lo = 0, Hi = 1;
    while (busiest(Hi) * PerSeq <= Free && Hi < 0x1p64)
      Lo = Hi, Hi *= 2;
    for (double Mid; Hi - Lo > 1 && (Mid = std::floor(Lo + (Hi - Lo) / 2)) > Lo && Mid < Hi;)
      (busiest(Mid) * PerSeq <= Free ? Lo : Hi) = Mid;
    MaxBatch = Lo;
  }
  double MaxContext;
  if (Memo && Memo->ContextFree == Free) {
    MaxContext = Memo->Context;
  } else {
    MaxContext = maxContext(KVBatch, Free, StepByStep, Source);
    if (Memo) {
      Memo->ContextFree = Free;
      Memo->Context = MaxContext;
    }
  }
  // Devices needed: the fewest that hold the point with the cache split evenly over them (the
  // copies of key-value heads that tensor ranks beyond them keep depend on the layout, which
  // this count does not choose).
  const double NeededOnce =
      Copies || WeightBytesOnce != WeightBytes
          ? WeightBytesOnce + KVBatch * kvBytes(Full, Source, /*Once=*/true) + Workspace
          : Needed;
  const double InMain = (FromFlash ? NeededOnce - WeightBytesOnce : NeededOnce) + WorkspaceN;
  double Devices = std::max(1.0, std::ceil(InMain / PerDeviceUsable));
  if (StepByStep && PerDeviceUsable > 0 && std::isfinite(InMain)) { // the fewest that hold it
    double Lo = 0, Hi = 1;
    while (!(InMain <= Hi * PerDeviceUsable) && Hi < 0x1p64)
      Lo = Hi, Hi *= 2;
    for (double Mid; Hi - Lo > 1 && (Mid = std::floor(Lo + (Hi - Lo) / 2)) > Lo && Mid < Hi;)
      (InMain <= Mid * PerDeviceUsable ? Hi : Lo) = Mid;
    Devices = std::max(1.0, Hi);
  }

  // Serving: the largest batch that fits, under the cap, runs a prefill and every decode step.
  double ServingBatch = MaxBatch;
  if (M.MaxBatch > 0)
    ServingBatch = MaxBatch == UnboundedCount ? static_cast<double>(M.MaxBatch)
                                              : std::min(MaxBatch, static_cast<double>(M.MaxBatch));
  double ServingRate = 0;
  if (ServingBatch >= 1 && std::isfinite(ServingBatch)) {
    ServingMemo *Memo = StepByStep ? nullptr : R.Serving;
    double Time;
    if (Memo && Memo->Batch == ServingBatch && Memo->Prompt == Prompt && Memo->Output == Output &&
        Memo->FromFlash == FromFlash) {
      Time = Memo->Time;
    } else {
      double Sum, PrefillTime;
      if (StepByStep) {
        Sum = decodeSumStepByStep(ServingBatch, FromFlash, Start, Output, Source);
        PrefillTime = price(prefillWork(ServingBatch, *PT), FromFlash).Time;
      } else {
        // The serving batch's terms: the point's own where the batches agree, else the memo's,
        // else made here. Terms at the same batch and placement are the same numbers.
        const BatchTerms *SB = R.Batch[FromFlash];
        if (!SB || SB->Batch != ServingBatch || SB->FromFlash != FromFlash)
          SB = BT;
        if (SB->Batch != ServingBatch || SB->FromFlash != FromFlash) {
          if (Memo) {
            if (Memo->Terms.Batch != ServingBatch || Memo->Terms.FromFlash != FromFlash)
              Memo->Terms = batchTerms(ServingBatch, FromFlash);
            SB = &Memo->Terms;
          } else {
            SB = &OwnBatch.make([&] { return batchTerms(ServingBatch, FromFlash, Source); });
          }
        }
        Sum = decodeSum(*SB, Start, Output);
        // Its prefill: the point's own at the same batch, else the memo's, else priced here.
        if (ServingBatch == Batch) {
          PrefillTime = Prefill.Time;
        } else if (Memo && Memo->PrefillBatch == ServingBatch && Memo->PrefillPrompt == P.Prompt &&
                   Memo->PrefillFlash == FromFlash) {
          PrefillTime = Memo->PrefillTime;
        } else {
          PrefillTime = price(prefillWork(ServingBatch, *PT), FromFlash).Time;
          if (Memo) {
            Memo->PrefillBatch = ServingBatch;
            Memo->PrefillPrompt = P.Prompt;
            Memo->PrefillFlash = FromFlash;
            Memo->PrefillTime = PrefillTime;
          }
        }
      }
      Time = PrefillTime + Sum;
      if (Memo) {
        Memo->Batch = ServingBatch;
        Memo->Prompt = Prompt;
        Memo->Output = Output;
        Memo->FromFlash = FromFlash;
        Memo->Time = Time;
      }
    }
    ServingRate = ServingBatch * Output / Time;
  }

  // Built in one expression: every field once, none cleared first.
  return LMFigures{Prefill,
                   Mid,
                   FirstTime,
                   LastTime,
                   DecodeSum,
                   DecodeMean,
                   Prefill.Time + DecodeSum,
                   WeightBytes,
                   KVFull,
                   Workspace,
                   Needed,
                   Needed / N,
                   Free,
                   FromFlash,
                   FromFlash || (Free >= 0 && KVFull <= Free),
                   MaxBatch,
                   MaxContext,
                   Devices,
                   ServingBatch,
                   ServingRate,
                   1 / DecodeMean,
                   Batch / DecodeMean,
                   Batch * Prompt / Prefill.Time,
                   Prefill.Flops / Prefill.Bytes,
                   Mid.Flops / Mid.Bytes,
                   Ridge,
                   Prefill.Flops / Prefill.Time / M.Peak,
                   Mid.Bytes / Mid.Time / (FromFlash ? M.FlashBandwidth : M.Bandwidth),
                   Mid.CommBandwidth + Mid.BySlot[slot(Slot::CollectiveLatency)],
                   Mid.BySlot[slot(Slot::OpOverhead)] + Mid.BySlot[slot(Slot::StepOverhead)] +
                       Mid.BySlot[slot(Slot::SequenceOverhead)],
                   M.Power > 0 ? PowerN * DecodeMean / Batch : 0.0};
}
