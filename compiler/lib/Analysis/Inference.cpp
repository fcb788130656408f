//===- Inference.cpp - prefill, decode, serving and vision on a machine ---===//
//
// For a language model (docs/formulas.md, "Performance model"):
//   1. A phase has two kinds of kernels. Matrix products: 2 x MACs of the non-attention work
//      against the weights it reads. Attention: its MACs against the KV cache it reads (decode) or
//      writes (prefill). Expected time = max(matrix FLOPs / (peak x hw x gemm), weight bytes /
//      (bandwidth x hw x gemv or dequant_gemv)) + max(attention FLOPs / (peak x hw x attention),
//      KV bytes / (bandwidth x hw x attention bandwidth)) + operations x op_overhead +
//      collectives. The ideal roofline is max(all FLOPs / peak, all bytes / bandwidth) plus the
//      collectives' bandwidth term: a bound no kernel schedule beats.
//   2. Prefill runs the prompt of every sequence once; the output head runs for the last position
//      only where the runtime says so. Weights are read once, lookup tables a row per token.
//   3. A decode step at context c reads the weights a batch touches (expected distinct experts)
//      and each sequence's cache at c. Expert layers are a third kind of kernel: their products
//      and weights at the matrix rates times the runtime's `compute experts` factor. The
//      generation's steps c = P+1 .. P+G-1 are summed in closed form: within a stretch between
//      window sizes every term is linear in c, and the max of two linear terms splits at one
//      crossing.
//   4. Tensor parallelism: weights, cache and work split over N devices; two all-reduces per
//      layer of the activations (tokens x width at the activation precision).
//   5. Memory: weights + the batch's cache at the full length + a prefill workspace, against the
//      memory the runtime may use (its fraction of capacity less its own workspace); the largest
//      batch and context that fit; devices needed.
//   6. Serving: the largest batch that fits, under the runtime's or scenario's cap, runs a
//      prefill and every decode step; throughput is its output tokens over that time.
// For a model with an input, each operation of the forward pass is a kernel: max(2 x MACs x
// batch / compute, (weights + batch x (input + output activations)) / bandwidth) + op_overhead;
// elementwise operations vanish into the one before them where the runtime fuses.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Inference.h"
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Analysis/Collectives.h"
#include <algorithm>
#include <cmath>

using namespace zoo;

const char *zoo::boundName(Bound B) {
  switch (B) {
  case Bound::Compute:
    return "compute";
  case Bound::Memory:
    return "memory";
  case Bound::Overhead:
    return "overhead";
  case Bound::Interconnect:
    return "interconnect";
  }
  return "?";
}

namespace {
Value quantity(double V, BaseDim D, int8_t E = 1, BaseDim D2 = BaseDim::Count, int8_t E2 = 0) {
  Dim X = Dim::of(D, E);
  if (D2 != BaseDim::Count)
    X = X * Dim::of(D2, E2);
  Value R;
  R.T = Type::quantity(X);
  R.R = V;
  return R;
}
Value seconds(double V) { return quantity(V, BaseDim::Second); }
Value bytesValue(double V) { return quantity(V, BaseDim::Byte); }
Value perSecond(double V) { return quantity(V, BaseDim::Token, 1, BaseDim::Second, -1); }
Value intensity(double V) { return quantity(V, BaseDim::Flop, 1, BaseDim::Byte, -1); }

/// A count that is unbounded (the cache does not grow; no number of devices suffices): a sentinel
/// no computed count takes, so that an overflow to infinity is never mistaken for it.
constexpr double Unbounded = -1;

/// A count of the analysis: INT64_MAX where it is Unbounded, else the whole number `V`, which must
/// be finite and fit in 64 bits; one that does not is recorded in `Out.BadCounts` (an error at the
/// scenario), never clamped or wrapped.
Value countValue(InferenceResult &Out, ScenarioMetric K, double V) {
  if (V == Unbounded)
    return Value::ofInt(INT64_MAX);
  if (!(V >= 0 && V < 0x1p63)) {
    Out.BadCounts.push_back({K, V});
    return Value::ofInt(0);
  }
  return Value::ofInt(static_cast<int64_t>(V));
}

Value boundValue(const Module &M, Bound B) {
  Value V;
  V.T = Type::enumeration(llvm::dyn_cast_or_null<EnumDecl>(M.Decls.lookup("bound")));
  V.S = boundName(B);
  return V;
}

/// What one phase does, before a machine prices it.
struct Work {
  double LinearFlops = 0, AttentionFlops = 0, ExpertFlops = 0;
  double WeightBytes = 0, KVBytes = 0, ExpertWeightBytes = 0;
  double AllReduceBytes = 0, AllReduces = 0;
  double Ops = 0;
};

/// Prices `W` on `X`: see step 1 of the file comment.
PhaseCost price(const Work &W, const Machine &X, bool WeightsFromFlash) {
  PhaseCost P;
  P.Flops = W.LinearFlops + W.AttentionFlops + W.ExpertFlops;
  P.Bytes = W.WeightBytes + W.KVBytes + W.ExpertWeightBytes;
  const double WeightBw =
      (WeightsFromFlash ? X.FlashBandwidth : X.Bandwidth) * X.HwBandwidth * X.f(X.weightSlot());
  const double Alpha = X.f(Slot::CollectiveLatency);
  const double CommEach = allReduceTime(W.AllReduceBytes, X.Devices, X.LinkBandwidth, 0);
  const double Comm = W.AllReduces * (CommEach + (CommEach > 0 ? Alpha : 0));
  P.CommBandwidth = W.AllReduces * CommEach;
  P.BySlot[static_cast<int>(Slot::CollectiveLatency)] = Comm - P.CommBandwidth;
  double ComputeSide = 0, MemorySide = 0;
  if (X.Ideal) {
    double C = P.Flops / X.Peak;
    double Mem = (W.WeightBytes + W.ExpertWeightBytes) / WeightBw + W.KVBytes / X.Bandwidth;
    P.Time = std::max(C, Mem) + Comm;
    ComputeSide = C;
    MemorySide = Mem;
    (C >= Mem ? P.BySlot[static_cast<int>(Slot::Gemm)]
              : P.BySlot[static_cast<int>(X.weightSlot())]) = std::max(C, Mem);
  } else {
    auto Part = [&](double C, Slot CS, double Mem, Slot MS) {
      if (C >= Mem) {
        ComputeSide += C;
        P.BySlot[static_cast<int>(CS)] += C;
      } else {
        MemorySide += Mem;
        P.BySlot[static_cast<int>(MS)] += Mem;
      }
      return std::max(C, Mem);
    };
    double Overhead = W.Ops * X.f(Slot::OpOverhead);
    P.BySlot[static_cast<int>(Slot::OpOverhead)] = Overhead;
    // Expert layers run at the dense kernels' rates times the experts factor, on both roofs.
    const double Fe = X.f(Slot::Experts);
    double Experts =
        std::max(W.ExpertFlops / (X.rate(Slot::Gemm) * Fe), W.ExpertWeightBytes / (WeightBw * Fe));
    if (Experts > 0) {
      (W.ExpertFlops / X.rate(Slot::Gemm) >= W.ExpertWeightBytes / WeightBw ? ComputeSide
                                                                            : MemorySide) +=
          Experts;
      P.BySlot[static_cast<int>(Slot::Experts)] += Experts;
    }
    P.Time = Experts +
             Part(W.LinearFlops / X.rate(Slot::Gemm), Slot::Gemm, W.WeightBytes / WeightBw,
                  X.weightSlot()) +
             Part(W.AttentionFlops / X.rate(Slot::AttentionCompute), Slot::AttentionCompute,
                  W.KVBytes / X.bandwidth(Slot::AttentionBandwidth), Slot::AttentionBandwidth) +
             Overhead + Comm;
    if (Overhead > std::max({ComputeSide, MemorySide, Comm}))
      P.Binds = Bound::Overhead;
  }
  if (P.Binds != Bound::Overhead)
    P.Binds = Comm > std::max(ComputeSide, MemorySide) ? Bound::Interconnect
              : ComputeSide >= MemorySide              ? Bound::Compute
                                                       : Bound::Memory;
  return P;
}

/// sum over integers c in [Lo, Hi] of max(P0 + P1 c, Q0 + Q1 c).
double sumMax(double Lo, double Hi, double P0, double P1, double Q0, double Q1) {
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
  double X = (Q0 - P0) / (P1 - Q1);
  double Split = std::clamp(std::floor(X), Lo - 1, Hi);
  bool PLow = P1 < Q1;
  return Sum(Lo, Split, PLow ? P0 : Q0, PLow ? P1 : Q1) +
         Sum(Split + 1, Hi, PLow ? Q0 : P0, PLow ? Q1 : P1);
}

class LanguageModel {
public:
  LanguageModel(const Module &M, const ScenarioRecord &S, const Machine &X)
      : M(M), S(S), X(X), St(S.Model->Stats), N(static_cast<double>(S.Devices)),
        Act(S.Activations->bitsPerValue() / 8), WBits(S.Weights->bitsPerValue()) {}

  InferenceResult run();

private:
  const Module &M;
  const ScenarioRecord &S;
  const Machine &X;
  const ModelStats &St;
  const double N, Act, WBits;
  bool FromFlash = false;

  /// Cache bytes of one sequence at context C (doubles: the exact count is `kv_bytes`'s job).
  double kvBytes(double C) const {
    double V = static_cast<double>(St.StateValues);
    for (const AttentionTerm &A : St.Attention)
      V += static_cast<double>(A.KVValues) *
           (A.Window > 0 ? std::min(C, static_cast<double>(A.Window)) : C);
    return V * S.KV->bitsPerValue() / 8;
  }
  /// Attention MACs of one token at context C.
  double attentionMacs(double C) const {
    double M = 0;
    for (const AttentionTerm &A : St.Attention)
      M += static_cast<double>(A.MacsCoef) *
           (A.Window > 0 ? std::min(C, static_cast<double>(A.Window)) : C);
    return M;
  }
  double ops() const { return static_cast<double>(X.Fuses ? St.FusedOps : St.Ops); }
  /// MACs per token of the routed experts (top-k of each expert layer).
  double expertMacs() const {
    double M = 0;
    for (const ExpertTerm &E : St.Experts)
      M += static_cast<double>(E.TopK) * static_cast<double>(E.ExpertMacs) *
           static_cast<double>(E.Layers);
    return M;
  }
  /// Expert parameters `Tokens` routed tokens read: the expected distinct experts of each layer
  /// under uniform routing (docs/formulas.md).
  double expertParams(double Tokens) const {
    double P = 0;
    for (const ExpertTerm &E : St.Experts) {
      double N = static_cast<double>(E.Count), K = static_cast<double>(E.TopK);
      P += N * (1 - std::pow(1 - K / N, Tokens)) * static_cast<double>(E.ExpertParams) *
           static_cast<double>(E.Layers);
    }
    return P;
  }
  double allReduceBytes(double Tokens) const {
    return Tokens * static_cast<double>(St.Width) * Act;
  }
  double allReduces() const { return S.Devices > 1 ? 2.0 * static_cast<double>(St.Layers) : 0; }

  Work prefillWork(double Batch) const {
    Work W;
    double Prompt = static_cast<double>(S.Prompt);
    double Attention = (prefillMacs(St, S.Prompt) - BigCount(St.MacsConst) * S.Prompt).approx();
    double HeadPositions = X.LastTokenLogits ? 1 : Prompt;
    double Linear = Prompt * (static_cast<double>(St.MacsConst - St.HeadMacs) - expertMacs()) +
                    HeadPositions * static_cast<double>(St.HeadMacs);
    W.LinearFlops = 2 * Batch * Linear;
    W.AttentionFlops = 2 * Batch * Attention;
    W.ExpertFlops = 2 * Batch * Prompt * expertMacs();
    // A prefill of many tokens reads every expert (at most all of them).
    double Experts = expertParams(Batch * Prompt);
    W.ExpertWeightBytes = Experts * WBits / 8;
    W.WeightBytes =
        weightParamsRead(St, static_cast<double>(St.Params) - Experts, Batch * Prompt) * WBits / 8;
    W.KVBytes = Batch * kvBytes(Prompt);
    W.AllReduceBytes = allReduceBytes(Batch * Prompt);
    W.AllReduces = allReduces();
    W.Ops = ops();
    return W;
  }

  /// A decode step at context C without the context-dependent attention terms (`Fixed`), and the
  /// attention terms alone (for the closed-form sum).
  Work stepWork(double Batch, double C) const {
    Work W;
    W.LinearFlops = 2 * Batch * (static_cast<double>(St.MacsConst) - expertMacs());
    W.AttentionFlops = 2 * Batch * attentionMacs(C);
    W.ExpertFlops = 2 * Batch * expertMacs();
    double Experts = expertParams(Batch);
    W.ExpertWeightBytes = Experts * WBits / 8;
    W.WeightBytes =
        weightParamsRead(St, decodeWeightParams(St, Batch) - Experts, Batch) * WBits / 8;
    W.KVBytes = Batch * kvBytes(C);
    W.AllReduceBytes = allReduceBytes(Batch);
    W.AllReduces = allReduces();
    W.Ops = ops();
    return W;
  }

  /// Every decode step of a generation at `Batch`, summed in closed form.
  double decodeSum(double Batch) const;
  PhaseCost prefill(double Batch) const { return price(prefillWork(Batch), X, FromFlash); }
  PhaseCost step(double Batch, double C) const { return price(stepWork(Batch, C), X, FromFlash); }
};

double LanguageModel::decodeSum(double Batch) const {
  const double Lo = static_cast<double>(S.Prompt) + 1;
  const double Hi = static_cast<double>(S.Prompt) + static_cast<double>(S.Output) - 1;
  if (Hi < Lo)
    return 0;
  // Everything but attention is the same at every step: price a step with no attention.
  Work Base = stepWork(Batch, Lo);
  Base.AttentionFlops = 0;
  Base.KVBytes = 0;
  const double StateBytes = Batch * bytesAt(St.StateValues, *S.KV).asDouble();
  // Attention at context c within a stretch: FLOPs and bytes are F0 + F1 c and K0 + K1 c.
  std::vector<double> Cuts;
  for (const AttentionTerm &A : St.Attention)
    if (A.Window > 0 && A.Window >= Lo && A.Window < Hi)
      Cuts.push_back(static_cast<double>(A.Window));
  std::sort(Cuts.begin(), Cuts.end());
  Cuts.push_back(Hi);
  const double KVBits = S.KV->bitsPerValue();
  const double WeightBw =
      (FromFlash ? X.FlashBandwidth : X.Bandwidth) * X.HwBandwidth * X.f(X.weightSlot());
  double Total = 0, From = Lo;
  for (double To : Cuts) {
    if (To < From)
      continue;
    double F0 = 0, F1 = 0, K0 = StateBytes, K1 = 0;
    for (const AttentionTerm &A : St.Attention) {
      double Mac = 2 * Batch * static_cast<double>(A.MacsCoef);
      double Kv = Batch * static_cast<double>(A.KVValues) * KVBits / 8;
      if (A.Window > 0 && A.Window < From) { // capped over this stretch
        F0 += Mac * static_cast<double>(A.Window);
        K0 += Kv * static_cast<double>(A.Window);
      } else {
        F1 += Mac;
        K1 += Kv;
      }
    }
    double Steps = To - From + 1;
    if (X.Ideal) {
      // max((linear + attention) / peak, weights / bw_w + KV / bw) + collectives.
      double Comm =
          Base.AllReduces * allReduceTime(Base.AllReduceBytes, X.Devices, X.LinkBandwidth, 0);
      Total += Steps * Comm +
               sumMax(From, To, (Base.LinearFlops + Base.ExpertFlops + F0) / X.Peak, F1 / X.Peak,
                      (Base.WeightBytes + Base.ExpertWeightBytes) / WeightBw + K0 / X.Bandwidth,
                      K1 / X.Bandwidth);
    } else {
      PhaseCost Fixed = price(Base, X, FromFlash);
      double Pa = X.rate(Slot::AttentionCompute), Ba = X.bandwidth(Slot::AttentionBandwidth);
      Total += Steps * Fixed.Time + sumMax(From, To, F0 / Pa, F1 / Pa, K0 / Ba, K1 / Ba);
    }
    From = To + 1;
  }
  return Total;
}

InferenceResult LanguageModel::run() {
  InferenceResult Out;
  Out.Results.reserve(NumScenarioMetrics);
  const double Batch = static_cast<double>(S.Batch);
  const double Prompt = static_cast<double>(S.Prompt), Output = static_cast<double>(S.Output);
  const double Full = Prompt + Output;
  const double WeightBytes = bytesAt(St.Params, *S.Weights).asDouble();
  // Prompts are prefilled in chunks of PrefillChunk tokens (default: one sequence's prompt).
  const double Chunk =
      std::min(S.PrefillChunk ? static_cast<double>(S.PrefillChunk) : Prompt, Batch * Prompt);
  const double Workspace = Chunk * static_cast<double>(St.MaxWidth) * Act * 2;
  const double Usable = X.MemoryFraction * X.Capacity * N - X.Workspace * N;

  // Memory placement: weights stream from flash when they do not fit the main tier.
  const double KVFull = Batch * kvBytes(Full);
  FromFlash = X.FlashBandwidth > 0 && (WeightBytes + KVFull + Workspace) > Usable &&
              WeightBytes / N <= X.FlashCapacity;
  const double Resident = FromFlash ? 0 : WeightBytes;

  // Prefill and decode at the scenario's batch.
  PhaseCost Prefill = prefill(Batch);
  const double Steps = std::max(Output - 1, 0.0);
  const double DecodeSum = decodeSum(Batch);
  PhaseCost First = step(Batch, Prompt + 1), Last = step(Batch, Prompt + std::max(Steps, 1.0));
  PhaseCost Mid = step(Batch, Prompt + std::max(std::floor(Output / 2), 1.0));
  const double DecodeMean = Steps > 0 ? DecodeSum / Steps : First.Time;
  Out.Prefill = Prefill;
  Out.Decode = Mid;

  // Memory fit, largest batch and context, devices needed.
  const double Needed = WeightBytes + KVFull + Workspace;
  const double PerSeq = kvBytes(Full);
  const double Free = (Usable - Resident - Workspace) * X.KVFraction;
  const double MaxBatch = !(Free > 0)   ? (Free <= 0 ? 0 : NAN)
                          : PerSeq <= 0 ? Unbounded
                                        : std::floor(Free / PerSeq);
  // The longest sequence whose cache fits: a binary search over whole contexts (at most 63
  // steps). A cache that stops growing (state, windows only) and fits where it stops is
  // unbounded; one that still fits at 2^63 - 1 tokens is a count out of range.
  auto FitsContext = [&](int64_t C) { return Batch * kvBytes(static_cast<double>(C)) <= Free; };
  bool Grows = false;
  int64_t Plateau = 1;
  for (const AttentionTerm &A : St.Attention)
    if (A.KVValues > 0) {
      if (A.Window > 0)
        Plateau = std::max(Plateau, A.Window);
      else
        Grows = true;
    }
  double MaxContext = 0;
  if (!std::isfinite(Free)) {
    MaxContext = NAN;
  } else if (FitsContext(1)) {
    int64_t Lo = 1, Hi = Grows ? INT64_MAX : Plateau;
    if (FitsContext(Hi)) {
      MaxContext = Grows ? 0x1p63 : Unbounded;
    } else {
      while (Hi - Lo > 1) {
        int64_t Mid2 = Lo + (Hi - Lo) / 2;
        (FitsContext(Mid2) ? Lo : Hi) = Mid2;
      }
      MaxContext = static_cast<double>(Lo);
    }
  }
  const double InMain = (FromFlash ? Needed - WeightBytes : Needed) + X.Workspace * N;
  const double PerDeviceUsable = X.MemoryFraction * X.Capacity;
  const double Devices = std::max(1.0, std::ceil(InMain / PerDeviceUsable));

  // Serving: the largest batch that fits, under the cap.
  double ServingBatch = MaxBatch;
  if (X.MaxBatch > 0)
    ServingBatch = MaxBatch == Unbounded ? static_cast<double>(X.MaxBatch)
                                         : std::min(MaxBatch, static_cast<double>(X.MaxBatch));
  double ServingRate = 0;
  if (ServingBatch >= 1 && std::isfinite(ServingBatch)) {
    double Time = prefill(ServingBatch).Time + decodeSum(ServingBatch);
    ServingRate = ServingBatch * Output / Time;
  }

  auto Put = [&](ScenarioMetric K, Value V) { Out.Results.push_back({K, std::move(V)}); };
  const double Generation = Prefill.Time + DecodeSum;
  Put(ScenarioMetric::prefill_time, seconds(Prefill.Time));
  Put(ScenarioMetric::prefill_bound, boundValue(M, Prefill.Binds));
  Put(ScenarioMetric::prefill_intensity, intensity(Prefill.Flops / Prefill.Bytes));
  Put(ScenarioMetric::ridge_point, intensity(X.Peak * X.HwCompute / (X.Bandwidth * X.HwBandwidth)));
  Put(ScenarioMetric::first_decode_time, seconds(First.Time));
  Put(ScenarioMetric::last_decode_time, seconds(Last.Time));
  Put(ScenarioMetric::decode_time, seconds(DecodeMean));
  Put(ScenarioMetric::decode_bound, boundValue(M, Mid.Binds));
  Put(ScenarioMetric::decode_intensity, intensity(Mid.Flops / Mid.Bytes));
  Put(ScenarioMetric::generation_time, seconds(Generation));
  Put(ScenarioMetric::tokens_per_s, perSecond(1 / DecodeMean));
  Put(ScenarioMetric::aggregate_tokens_per_s, perSecond(Batch / DecodeMean));
  Put(ScenarioMetric::prefill_tokens_per_s, perSecond(Batch * Prompt / Prefill.Time));
  Put(ScenarioMetric::mfu_prefill, Value::ofReal(Prefill.Flops / Prefill.Time / X.Peak));
  Put(ScenarioMetric::mbu_decode,
      Value::ofReal(Mid.Bytes / Mid.Time / (FromFlash ? X.FlashBandwidth : X.Bandwidth)));
  Put(ScenarioMetric::interconnect_time,
      seconds(Mid.CommBandwidth + Mid.BySlot[static_cast<int>(Slot::CollectiveLatency)]));
  Put(ScenarioMetric::overhead_time, seconds(Mid.BySlot[static_cast<int>(Slot::OpOverhead)]));
  Put(ScenarioMetric::serving_batch, countValue(Out, ScenarioMetric::serving_batch, ServingBatch));
  Put(ScenarioMetric::serving_tokens_per_s, perSecond(ServingRate));
  Put(ScenarioMetric::weight_bytes, bytesValue(WeightBytes));
  Put(ScenarioMetric::kv_bytes, bytesValue(KVFull));
  Put(ScenarioMetric::workspace_bytes, bytesValue(Workspace));
  Put(ScenarioMetric::memory_per_device, bytesValue(Needed / N));
  Put(ScenarioMetric::fits, Value::ofBool(FromFlash || (Free >= 0 && KVFull <= Free)));
  Put(ScenarioMetric::max_batch, countValue(Out, ScenarioMetric::max_batch, MaxBatch));
  Put(ScenarioMetric::max_context, countValue(Out, ScenarioMetric::max_context, MaxContext));
  Put(ScenarioMetric::devices_needed, countValue(Out, ScenarioMetric::devices_needed, Devices));
  if (X.Power > 0)
    Put(ScenarioMetric::energy_per_token,
        quantity(X.Power * N * DecodeMean / Batch, BaseDim::Joule));
  return Out;
}

/// Models with an input: one forward pass of the batch, operation by operation.
InferenceResult analyseVision(const Module &M, const ScenarioRecord &S, const Machine &X) {
  InferenceResult Out;
  Out.Results.reserve(NumScenarioMetrics);
  const ModelStats &St = S.Model->Stats;
  const double N = static_cast<double>(S.Devices), Batch = static_cast<double>(S.Batch);
  const double Act = S.Activations->bitsPerValue() / 8, WBits = S.Weights->bitsPerValue();
  PhaseCost P;
  double Compute = 0, Memory = 0;
  for (const KernelCost &K : St.Kernels) {
    if (X.Fuses && K.Elementwise)
      continue;
    const double Count = static_cast<double>(K.Count);
    const double Flops = Count * 2 * Batch * static_cast<double>(K.Macs);
    const double Weights = Count * static_cast<double>(K.Params) * WBits / 8;
    const double Acts = Count * Batch * static_cast<double>(K.InElements + K.OutElements) * Act;
    P.Flops += Flops;
    P.Bytes += Weights + Acts;
    if (X.Ideal)
      continue;
    const double C = Flops / X.rate(Slot::Gemm);
    const double Wm = Weights / X.bandwidth(X.weightSlot());
    const double Am = Acts / X.bandwidth(Slot::Activations);
    if (C >= Wm + Am) {
      Compute += C;
      P.BySlot[static_cast<int>(Slot::Gemm)] += C;
    } else {
      Memory += Wm + Am;
      P.BySlot[static_cast<int>(X.weightSlot())] += Wm;
      P.BySlot[static_cast<int>(Slot::Activations)] += Am;
    }
    P.BySlot[static_cast<int>(Slot::OpOverhead)] += Count * X.f(Slot::OpOverhead);
  }
  if (X.Ideal) {
    Compute = P.Flops / X.Peak;
    Memory = P.Bytes / X.Bandwidth;
    P.Time = std::max(Compute, Memory);
    P.BySlot[static_cast<int>(Compute >= Memory ? Slot::Gemm : Slot::Activations)] = P.Time;
  } else {
    P.Time = Compute + Memory + P.BySlot[static_cast<int>(Slot::OpOverhead)];
  }
  const double Overhead = P.BySlot[static_cast<int>(Slot::OpOverhead)];
  P.Binds = Overhead > std::max(Compute, Memory) ? Bound::Overhead
            : Compute >= Memory                  ? Bound::Compute
                                                 : Bound::Memory;
  Out.Prefill = P;

  const double WeightBytes = bytesAt(St.Params, *S.Weights).asDouble();
  const double Live = Batch * static_cast<double>(St.ActivationsPeak) * Act;
  const double Needed = WeightBytes + Live;
  const double PerDeviceUsable = X.MemoryFraction * X.Capacity - X.Workspace;
  auto Put = [&](ScenarioMetric K, Value V) { Out.Results.push_back({K, std::move(V)}); };
  Put(ScenarioMetric::batch_time, seconds(P.Time));
  Put(ScenarioMetric::images_per_s, Value::ofReal(Batch / P.Time));
  Put(ScenarioMetric::forward_bound, boundValue(M, P.Binds));
  Put(ScenarioMetric::prefill_intensity, intensity(P.Flops / P.Bytes));
  Put(ScenarioMetric::ridge_point, intensity(X.Peak * X.HwCompute / (X.Bandwidth * X.HwBandwidth)));
  Put(ScenarioMetric::mfu_prefill, Value::ofReal(P.Flops / P.Time / X.Peak));
  Put(ScenarioMetric::overhead_time, seconds(Overhead));
  Put(ScenarioMetric::weight_bytes, bytesValue(WeightBytes));
  Put(ScenarioMetric::activation_bytes, bytesValue(Live));
  Put(ScenarioMetric::memory_per_device, bytesValue(Needed / N));
  Put(ScenarioMetric::fits, Value::ofBool(Needed / N <= PerDeviceUsable));
  // Where the runtime's workspace takes all the usable memory, no number of devices suffices.
  Put(ScenarioMetric::devices_needed,
      countValue(Out, ScenarioMetric::devices_needed,
                 PerDeviceUsable > 0 ? std::max(1.0, std::ceil(Needed / PerDeviceUsable))
                                     : Unbounded));
  if (X.Power > 0)
    Put(ScenarioMetric::energy_per_image, quantity(X.Power * N * P.Time / Batch, BaseDim::Joule));
  return Out;
}
} // namespace

InferenceResult zoo::analyse(const Module &M, const ScenarioRecord &S, const Machine &X) {
  if (S.Model->Stats.PerInput)
    return analyseVision(M, S, X);
  return LanguageModel(M, S, X).run();
}
