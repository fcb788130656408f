//===- Inference.cpp - prefill, decode, serving and vision on a machine ---===//
//
// A language model's figures come from LanguageModel.h (the formulas are there): the scenario
// prepared on the machine, then the closed form at the scenario's point; here they become the
// scenario's results.
// For a model with an input, each operation of the forward pass is a kernel: max(2 x MACs x
// batch / compute, (weights + batch x (input + output activations)) / bandwidth) + op_overhead;
// elementwise operations vanish into the one before them where the runtime fuses.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Inference.h"
#include "zoo/Analysis/Economics.h"
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Analysis/LanguageModel.h"
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
/// A byte figure: whole bytes, rounded up (a split across devices, a fractional workspace).
Value bytesValue(double V) { return quantity(std::isfinite(V) ? std::ceil(V) : V, BaseDim::Byte); }
Value perSecond(double V) { return quantity(V, BaseDim::Token, 1, BaseDim::Second, -1); }
Value intensity(double V) { return quantity(V, BaseDim::Flop, 1, BaseDim::Byte, -1); }

/// A count of the analysis: INT64_MAX where it is UnboundedCount, else the whole number `V`, which
/// must be finite and fit in 64 bits; one that does not is recorded in `Out.BadCounts` (an error at
/// the scenario), never clamped or wrapped.
Value countValue(InferenceResult &Out, ScenarioMetric K, double V) {
  if (V == UnboundedCount)
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

/// A scenario's cost and carbon, where it names a price or a grid: `DeviceSeconds` of one
/// device for the unit of cost (a million output tokens, a thousand images) at the price's rate
/// for the term; `EnergyDeviceSeconds` of one device per unit of carbon (a token, an image) at
/// the wall power (a purchase record's `power`, else the machine's) x the grid's PUE.
void putEconomics(const ScenarioRecord &S, const Machine &X, double DeviceSeconds,
                  ScenarioMetric CostMetric, double EnergyDeviceSeconds,
                  ScenarioMetric CarbonMetric, InferenceResult &Out) {
  if (S.Cost)
    if (auto PerSecond = deviceCostPerSecond(*S.Cost, S.Term, S.Energy);
        PerSecond && std::isfinite(DeviceSeconds))
      Out.Results.push_back({CostMetric, quantity(*PerSecond * DeviceSeconds, BaseDim::Money)});
  if (S.Energy && S.Hw) {
    double Watts = wallPowerStated(S.Cost) ? deviceWatts(*S.Hw, S.Cost) : X.Power;
    if (Watts > 0 && std::isfinite(EnergyDeviceSeconds))
      Out.Results.push_back({CarbonMetric, quantity(Watts * EnergyDeviceSeconds * S.Energy->PUE *
                                                        S.Energy->Carbon,
                                                    BaseDim::Carbon)});
  }
}

/// A language model: every figure at the scenario's point, in closed form.
InferenceResult analyseLanguageModel(const Module &M, const ScenarioRecord &S, const Machine &X) {
  InferenceResult Out;
  Out.Results.reserve(NumScenarioMetrics);
  const LMFigures F = PreparedLM(S, X).evaluate({S.Batch, S.Prompt, S.Output});
  Out.Prefill = F.Prefill;
  Out.Decode = F.Mid;
  auto Put = [&](ScenarioMetric K, Value V) { Out.Results.push_back({K, std::move(V)}); };
  auto Count = [&](ScenarioMetric K, double V) { Put(K, countValue(Out, K, V)); };
  Put(ScenarioMetric::prefill_time, seconds(F.Prefill.Time));
  Put(ScenarioMetric::prefill_bound, boundValue(M, F.Prefill.Binds));
  Put(ScenarioMetric::prefill_intensity, intensity(F.PrefillIntensity));
  Put(ScenarioMetric::ridge_point, intensity(F.RidgePoint));
  Put(ScenarioMetric::first_decode_time, seconds(F.FirstDecode));
  Put(ScenarioMetric::last_decode_time, seconds(F.LastDecode));
  Put(ScenarioMetric::decode_time, seconds(F.DecodeMean));
  Put(ScenarioMetric::decode_bound, boundValue(M, F.Mid.Binds));
  Put(ScenarioMetric::decode_intensity, intensity(F.DecodeIntensity));
  Put(ScenarioMetric::generation_time, seconds(F.Generation));
  Put(ScenarioMetric::tokens_per_s, perSecond(F.TokensPerS));
  Put(ScenarioMetric::aggregate_tokens_per_s, perSecond(F.AggregateTokensPerS));
  Put(ScenarioMetric::prefill_tokens_per_s, perSecond(F.PrefillTokensPerS));
  Put(ScenarioMetric::mfu_prefill, Value::ofReal(F.MfuPrefill));
  Put(ScenarioMetric::mbu_decode, Value::ofReal(F.MbuDecode));
  Put(ScenarioMetric::interconnect_time, seconds(F.InterconnectTime));
  Put(ScenarioMetric::overhead_time, seconds(F.OverheadTime));
  Count(ScenarioMetric::serving_batch, F.ServingBatch);
  Put(ScenarioMetric::serving_tokens_per_s, perSecond(F.ServingRate));
  Put(ScenarioMetric::weight_bytes, bytesValue(F.WeightBytes));
  Put(ScenarioMetric::kv_bytes, bytesValue(F.KVFull));
  Put(ScenarioMetric::workspace_bytes, bytesValue(F.Workspace));
  Put(ScenarioMetric::memory_per_device, bytesValue(F.MemoryPerDevice));
  Put(ScenarioMetric::fits, Value::ofBool(F.Fits));
  Count(ScenarioMetric::max_batch, F.MaxBatch);
  Count(ScenarioMetric::max_context, F.MaxContext);
  Count(ScenarioMetric::devices_needed, F.Devices);
  if (X.Power > 0)
    Put(ScenarioMetric::energy_per_token, quantity(F.EnergyPerToken, BaseDim::Joule));
  const double N = static_cast<double>(S.Devices), Batch = static_cast<double>(S.Batch);
  putEconomics(S, X, N * F.Generation / (Batch * static_cast<double>(S.Output)) * 1e6,
               ScenarioMetric::cost_per_million_output_tokens, N * F.DecodeMean / Batch,
               ScenarioMetric::carbon_per_token, Out);
  return Out;
}

/// One forward pass of a model with an input over `Batch` inputs, operation by operation, its
/// activations `Act` bytes a value and its weights `WBits` bits, its products at `GemmRate`
/// (the ideal machine: the peak) and its attention's products at `AttnRate` (the ideal machine:
/// their precision's peak). `Compute` and `Memory` receive the time on each side.
///
/// On a device with an on-chip cache (`X.Cache`, the record's `cache`): an operation whose input
/// and output activations of the batch (each device's share) fit the cache together moves them
/// through the cache, not memory, except the batch's own input (read by the first operation) and
/// output (written by the last); and with `Warm` (the pass follows one of the same model, as a
/// latency measured over repeated passes, or a denoiser's later steps), the weights stay in the
/// cache from that pass when they fit it together with the widest operation's activations.
/// The cache's own bandwidth is not modelled: what it holds costs no time.
PhaseCost forward(const ModelStats &St, double Batch, double Act, double WBits, const Machine &X,
                  double GemmRate, double AttnRate, bool Warm, double &Compute, double &Memory) {
  PhaseCost P;
  Compute = Memory = 0;
  const double Share = Batch / X.Devices; // each device's inputs
  auto Launched = [&](const KernelCost &K) { return !(X.Fuses && K.Elementwise); };
  double WeightsRead = 0, Widest = 0, IdealCompute = 0;
  const KernelCost *First = nullptr, *Last = nullptr; // the first and last operations launched
  for (const KernelCost &K : St.Kernels) {
    // (An elementwise operation's parameters, a batch norm's, fold into the operation before it.)
    if (!K.Elementwise)
      WeightsRead += static_cast<double>(K.Count) * static_cast<double>(K.Params) * WBits / 8;
    if (Launched(K)) {
      Widest = std::max(Widest, Share * static_cast<double>(K.InElements + K.OutElements) * Act);
      First = First ? First : &K;
      Last = &K;
    }
  }
  P.WeightsFit = X.Cache > 0 && WeightsRead + Widest <= X.Cache;
  const bool WeightsOnChip = Warm && P.WeightsFit;
  for (const KernelCost &K : St.Kernels) {
    if (!Launched(K))
      continue;
    const double Count = static_cast<double>(K.Count);
    const double Flops = Count * 2 * Batch * static_cast<double>(K.Macs);
    double Weights = Count * static_cast<double>(K.Params) * WBits / 8;
    double Acts = Count * Batch * static_cast<double>(K.InElements + K.OutElements) * Act;
    if (WeightsOnChip) {
      P.CachedBytes += Weights;
      Weights = 0;
    }
    if (X.Cache > 0 && Share * static_cast<double>(K.InElements + K.OutElements) * Act <= X.Cache) {
      // The first operation reads its input from memory and the last writes its output there.
      const double Through =
          Batch * Act *
          static_cast<double>((&K == First ? K.InElements : 0) + (&K == Last ? K.OutElements : 0));
      P.CachedBytes += Acts - Through;
      Acts = Through;
    }
    P.Flops += Flops;
    P.Bytes += Weights + Acts;
    const double C = Flops / (K.Attention ? AttnRate : GemmRate);
    if (X.Ideal) {
      IdealCompute += C;
      continue;
    }
    const double Wm = Weights / X.bandwidth(X.weightSlot());
    const double Am = Acts / X.bandwidth(Slot::Activations);
    if (C >= Wm + Am) {
      Compute += C;
      P.BySlot[static_cast<int>(K.Attention ? Slot::AttentionCompute : Slot::Gemm)] += C;
    } else {
      Memory += Wm + Am;
      P.BySlot[static_cast<int>(X.weightSlot())] += Wm;
      P.BySlot[static_cast<int>(Slot::Activations)] += Am;
    }
    P.BySlot[static_cast<int>(Slot::OpOverhead)] += Count * X.f(Slot::OpOverhead);
  }
  if (X.Ideal) {
    // The traffic no schedule avoids: the weights (unless the cache keeps them from the pass
    // before), the batch's inputs and its outputs. A schedule may keep every tensor between them
    // on chip (a fused network, or a cache that holds a layer's output for the next), so the
    // bound leaves those out, whatever the runtime fuses.
    double Input = 1;
    for (int64_t D : St.InputShape)
      Input *= static_cast<double>(D);
    const double Output =
        St.Kernels.empty() ? 0 : static_cast<double>(St.Kernels.back().OutElements);
    P.CachedBytes = WeightsOnChip ? WeightsRead : 0;
    P.Bytes = (WeightsOnChip ? 0 : WeightsRead) + Batch * (Input + Output) * Act;
    Compute = IdealCompute;
    Memory = P.Bytes / X.Bandwidth;
    P.Time = std::max(Compute, Memory);
    P.BySlot[static_cast<int>(Compute >= Memory ? Slot::Gemm : Slot::Activations)] = P.Time;
  } else {
    P.Time = Compute + Memory + P.BySlot[static_cast<int>(Slot::OpOverhead)];
  }
  return P;
}

/// What bounds a forward pass (or a pipeline's sum of them) from its two sides and its fixed
/// costs.
Bound forwardBound(const PhaseCost &P, double Compute, double Memory) {
  const double Overhead = P.BySlot[static_cast<int>(Slot::OpOverhead)];
  return Overhead > std::max(Compute, Memory) ? Bound::Overhead
         : Compute >= Memory                  ? Bound::Compute
                                              : Bound::Memory;
}

/// The figures of a model with an input (or a pipeline of them) from the cost `P` of one batch
/// of `Batch` outputs, the weights held and the largest live activation set. Several devices run
/// batches of their own (data parallel): each holds all the weights and its share of the batch.
void putForward(const Module &M, const ScenarioRecord &S, const Machine &X, const PhaseCost &P,
                double Batch, double WeightBytes, double Live, InferenceResult &Out) {
  const double N = static_cast<double>(S.Devices);
  const double PerDeviceUsable = X.MemoryFraction * X.Capacity - X.Workspace;
  const double Needed = WeightBytes * N + Live;
  // The fewest devices whose memory holds the batch; where a device cannot hold the weights (or
  // the runtime's workspace takes all its usable memory), none suffices.
  const double Fewest = PerDeviceUsable > WeightBytes
                            ? std::max(1.0, std::ceil(Live / (PerDeviceUsable - WeightBytes)))
                            : UnboundedCount;
  auto Put = [&](ScenarioMetric K, Value V) { Out.Results.push_back({K, std::move(V)}); };
  Put(ScenarioMetric::batch_time, seconds(P.Time));
  Put(ScenarioMetric::images_per_s, Value::ofReal(Batch / P.Time));
  Put(ScenarioMetric::forward_bound, boundValue(M, P.Binds));
  Put(ScenarioMetric::prefill_intensity, intensity(P.Flops / P.Bytes));
  Put(ScenarioMetric::ridge_point, intensity(X.Peak * X.HwCompute / (X.Bandwidth * X.HwBandwidth)));
  Put(ScenarioMetric::mfu_prefill, Value::ofReal(P.Flops / P.Time / X.Peak));
  Put(ScenarioMetric::overhead_time, seconds(P.BySlot[static_cast<int>(Slot::OpOverhead)]));
  Put(ScenarioMetric::weight_bytes, bytesValue(WeightBytes));
  Put(ScenarioMetric::activation_bytes, bytesValue(Live));
  Put(ScenarioMetric::cached_bytes, bytesValue(P.CachedBytes));
  Put(ScenarioMetric::memory_per_device, bytesValue(Needed / N));
  Put(ScenarioMetric::fits, Value::ofBool(Needed / N <= PerDeviceUsable));
  Put(ScenarioMetric::devices_needed, countValue(Out, ScenarioMetric::devices_needed, Fewest));
  if (X.Power > 0)
    Put(ScenarioMetric::energy_per_image, quantity(X.Power * N * P.Time / Batch, BaseDim::Joule));
  putEconomics(S, X, N * P.Time / Batch * 1000, ScenarioMetric::cost_per_thousand_images,
               N * P.Time / Batch, ScenarioMetric::carbon_per_image, Out);
}

/// Models with an input: one forward pass of the batch, operation by operation.
InferenceResult analyseVision(const Module &M, const ScenarioRecord &S, const Machine &X) {
  InferenceResult Out;
  Out.Results.reserve(NumScenarioMetrics);
  const ModelStats &St = S.Model->Stats;
  const double Batch = static_cast<double>(S.Batch);
  const double Act = S.Activations->bitsPerValue() / 8;
  double Compute = 0, Memory = 0;
  // A pass measured or served one after another: each finds what the one before left on chip.
  PhaseCost P = forward(St, Batch, Act, S.Weights->bitsPerValue(), X, X.partGemmRate(-1),
                        X.partAttentionRate(), /*Warm=*/true, Compute, Memory);
  P.Binds = forwardBound(P, Compute, Memory);
  Out.Prefill = P;
  putForward(M, S, X, P, Batch, bytesAt(St.Params, *S.Weights).asDouble(),
             Batch * static_cast<double>(St.ActivationsPeak) * Act, Out);
  return Out;
}

/// A pipeline (a generator): for a batch of B outputs its encoders once each at g B inputs (g = 2
/// with classifier-free guidance: the prompt and the negative prompt), its denoiser `steps` times
/// at g B, its decoder once at B, one after another; every part held in memory together.
InferenceResult analysePipeline(const Module &M, const ScenarioRecord &S, const Machine &X) {
  InferenceResult Out;
  Out.Results.reserve(NumScenarioMetrics);
  const PipelineRecord &Pl = *S.Pipeline;
  const double Batch = static_cast<double>(S.Batch), G = S.guidance() ? 2 : 1;
  PhaseCost Total;
  double Compute = 0, Memory = 0, WeightBytes = 0, Live = 0;
  double PartTime[3] = {0, 0, 0}; // encoders, denoiser (every step), decoder
  // The models held, each at the weight width it runs at (one model as two parts at two
  // precisions is held twice).
  std::vector<std::pair<const ModelRecord *, double>> Held;
  auto Run = [&](const ModelRecord &Part, int Which, double Inputs, double Times) {
    // The encoders' and the decoder's own precision (weights, activations and compute), else
    // the scenario's.
    const PrecisionRecord *Own = Which == 0   ? S.EncoderPrecision
                                 : Which == 2 ? S.DecoderPrecision
                                              : nullptr;
    const double Act = (Own ? Own : S.Activations)->bitsPerValue() / 8;
    const double WBits = (Own ? Own : S.Weights)->bitsPerValue();
    const int PartIndex = Which == 1 ? -1 : Which / 2; // Machine::Parts' index
    // The first pass of a part finds its weights in memory (the part before evicted them); the
    // passes after it (a denoiser's steps, a decoder's passes) where the cache holds them.
    auto Add = [&](const PhaseCost &P, double N, double C, double Mem) {
      Total.Flops += N * P.Flops;
      Total.Bytes += N * P.Bytes;
      Total.CachedBytes += N * P.CachedBytes;
      Total.Time += N * P.Time;
      for (int I = 0; I < NumSlots; ++I)
        Total.BySlot[I] += N * P.BySlot[I];
      Compute += N * C;
      Memory += N * Mem;
      PartTime[Which] += N * P.Time;
    };
    auto Pass = [&](bool Warm, double &C, double &Mem) {
      return forward(Part.Stats, Inputs, Act, WBits, X, X.partGemmRate(PartIndex),
                     X.partAttentionRate(PartIndex), Warm, C, Mem);
    };
    double C = 0, Mem = 0;
    const PhaseCost Cold = Pass(false, C, Mem);
    if (Times > 1 && Cold.WeightsFit) {
      Add(Cold, 1, C, Mem);
      const PhaseCost Again = Pass(true, C, Mem);
      Add(Again, Times - 1, C, Mem);
    } else {
      Add(Cold, Times, C, Mem);
    }
    if (!llvm::is_contained(Held, std::pair{&Part, WBits})) {
      Held.push_back({&Part, WBits});
      WeightBytes += static_cast<double>(Part.Stats.Params) * WBits / 8;
    }
    Live = std::max(Live, Inputs * static_cast<double>(Part.Stats.ActivationsPeak) * Act);
  };
  for (const ModelRecord *E : Pl.Encoders)
    Run(*E, 0, G * Batch, 1);
  Run(*Pl.Denoiser, 1, G * Batch, static_cast<double>(S.steps()));
  if (Pl.Decoder) {
    // Each device decodes at most `decoder_batch` images at once: D over the devices together,
    // in whole passes and one for the rest.
    const double D =
        S.DecoderBatch > 0
            ? std::min(Batch, static_cast<double>(S.DecoderBatch) * static_cast<double>(S.Devices))
            : Batch;
    const double Passes = std::floor(Batch / D), Rest = Batch - Passes * D;
    Run(*Pl.Decoder, 2, D, Passes);
    if (Rest > 0)
      Run(*Pl.Decoder, 2, Rest, 1);
  }
  // (The ideal: a bound on each part, and so on their sum.)
  Total.Binds = forwardBound(Total, Compute, Memory);
  Out.Prefill = Total;
  putForward(M, S, X, Total, Batch, WeightBytes, Live, Out);
  Out.Results.push_back({ScenarioMetric::encoder_time, seconds(PartTime[0])});
  Out.Results.push_back({ScenarioMetric::denoise_time, seconds(PartTime[1])});
  Out.Results.push_back({ScenarioMetric::decoder_time, seconds(PartTime[2])});
  return Out;
}
} // namespace

InferenceResult zoo::analyse(const Module &M, const ScenarioRecord &S, const Machine &X) {
  if (S.Pipeline)
    return analysePipeline(M, S, X);
  if (S.Model->Stats.PerInput)
    return analyseVision(M, S, X);
  return analyseLanguageModel(M, S, X);
}
