//===- Roofline.cpp - a model on hardware: time, bounds, memory, energy ---===//
//
// For each scenario (declared, or made by the driver from --model and --hardware):
//   1. The machine: dense peak P of the compute precision and the bandwidth B and capacity C of
//      the first memory tier, times the device count N, times the efficiency factors (the
//      scenario's, else the hardware's `efficiency` section, else the module default).
//   2. Prefill of the prompt for the batch: F = batch x prefill FLOPs; bytes = weights read once
//      + the batch's KV written; time = max(F / P, bytes / B) + tensor-parallel all-reduces.
//   3. Each decode step at context c = prompt+1 .. prompt+output-1: F = batch x FLOPs per token
//      at c; bytes = the weights a batch reads (expected distinct experts for MoE) + the batch's
//      KV at c; time = max(F / P, bytes / B) + all-reduces. The generation sums the steps.
//   4. Tensor parallelism splits weights and KV over N devices; each layer does two ring
//      all-reduces of batch x width activations, 2 (N-1)/N x size over the first link at half
//      its (bidirectional) bandwidth.
//   5. Memory: weights + KV of the batch at the full length + a workspace estimate (one prefill
//      chunk x widest activation x 2 buffers at the compute precision; the chunk defaults to one
//      sequence's prompt), over N devices, against C. A
//      `flash` tier holds weights that do not fit the first tier, read at flash bandwidth.
//   6. Energy per token: TDP x N x decode step / batch (an estimate: the device at TDP).
// Results are typed Values (seconds, bytes, tokens/s, joules); backends only print them.
//
//===----------------------------------------------------------------------===//
#include "zoo/Passes/ClosedForm.h"
#include "zoo/Passes/Pass.h"
#include <algorithm>
#include <cmath>

using namespace zoo;

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

Value boundValue(const Module &M, bool Compute) {
  Value V;
  V.T = Type::enumeration(llvm::dyn_cast_or_null<EnumDecl>(M.Decls.lookup("bound")));
  V.S = Compute ? "compute" : "memory";
  return V;
}

const Section *section(const HardwareRecord &H, llvm::StringRef Kind, llvm::StringRef Name = "") {
  for (const Section &S : H.Sections)
    if (S.Kind == Kind && (Name.empty() || S.Name == Name))
      return &S;
  return nullptr;
}

double fieldOr(const Section *S, llvm::StringRef F, double Default) {
  const FieldValue *V = S ? S->field(F) : nullptr;
  return V ? V->V.asDouble() : Default;
}

class RooflinePass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "roofline"; }

  LogicalResult run(Module &M, DiagnosticEngine &) override {
    for (auto &S : M.Scenarios)
      if (S->Model && S->Model->Root && S->Hw)
        analyseScenario(M, *S);
    return success();
  }
};
} // namespace

/// Models with an input (images): one forward pass of the batch reads the weights once and
/// writes then reads every activation of the layers that do work (norms and activations fuse
/// into them); work is 2 x MACs per input.
void analyseVision(const Module &M, ScenarioRecord &S, const HardwareRecord &H, const Section *Main,
                   double N, double Batch) {
  const ModelStats &St = S.Model->Stats;
  const double RawPeak = section(H, "compute")->field(S.Compute->Name)->V.R * N;
  const double RawBw = fieldOr(Main, "bandwidth", 0) * N;
  const double Peak = RawPeak * S.UsedComputeEfficiency, Bw = RawBw * S.UsedMemoryEfficiency;
  const double Capacity = fieldOr(Main, "capacity", 0);
  const double ActBytes = S.Compute->bitsPerValue() / 8;
  const double WeightBytes = bytesAt(St.Params, *S.Weights).asDouble();
  const double Flops = Batch * 2 * static_cast<double>(St.MacsConst);
  const double Traffic =
      WeightBytes + Batch * 2 * static_cast<double>(St.ActivationsWrittenFused) * ActBytes;
  const double Compute = Flops / Peak, Memory = Traffic / Bw;
  const double Time = std::max(Compute, Memory);
  const double Live = Batch * static_cast<double>(St.ActivationsPeak) * ActBytes;
  const double Needed = WeightBytes + Live;
  auto Put = [&](ScenarioMetric K, Value V) { S.Results.push_back({K, std::move(V)}); };
  S.Results.clear();
  Put(ScenarioMetric::batch_time, seconds(Time));
  Put(ScenarioMetric::images_per_s, Value::ofReal(Batch / Time));
  Put(ScenarioMetric::forward_bound, boundValue(M, Compute >= Memory));
  Put(ScenarioMetric::prefill_intensity, intensity(Flops / Traffic));
  Put(ScenarioMetric::ridge_point, intensity(Peak / Bw));
  Put(ScenarioMetric::mfu_prefill, Value::ofReal(Flops / Time / RawPeak));
  Put(ScenarioMetric::weight_bytes, bytesValue(WeightBytes));
  Put(ScenarioMetric::activation_bytes, bytesValue(Live));
  Put(ScenarioMetric::memory_per_device, bytesValue(Needed / N));
  Put(ScenarioMetric::fits, Value::ofBool(Needed / N <= Capacity));
  Put(ScenarioMetric::devices_needed,
      Value::ofInt(Capacity > 0
                       ? std::max<int64_t>(1, static_cast<int64_t>(std::ceil(Needed / Capacity)))
                       : 0));
  if (const FieldValue *TDP = H.field("tdp"))
    Put(ScenarioMetric::energy_per_image, quantity(TDP->V.R * N * Time / Batch, BaseDim::Joule));
}

void zoo::analyseScenario(const Module &M, ScenarioRecord &S) {
  {
    const ModelStats &St = S.Model->Stats;
    const HardwareRecord &H = *S.Hw;
    const Section *Main = section(H, "memory");
    const Section *Flash = section(H, "memory", "flash");
    if (Flash == Main)
      Flash = nullptr;
    const Section *Eff = section(H, "efficiency");
    S.EfficiencyOrigin = "default";
    S.UsedComputeEfficiency = M.DefaultComputeEfficiency;
    S.UsedMemoryEfficiency = M.DefaultMemoryEfficiency;
    if (Eff) {
      S.UsedComputeEfficiency = fieldOr(Eff, "compute", S.UsedComputeEfficiency);
      S.UsedMemoryEfficiency = fieldOr(Eff, "memory", S.UsedMemoryEfficiency);
      S.EfficiencyOrigin = "hardware";
    }
    if (S.ComputeEfficiency || S.MemoryEfficiency) {
      S.UsedComputeEfficiency = S.ComputeEfficiency.value_or(S.UsedComputeEfficiency);
      S.UsedMemoryEfficiency = S.MemoryEfficiency.value_or(S.UsedMemoryEfficiency);
      S.EfficiencyOrigin = "scenario";
    }
    const double N = static_cast<double>(S.Devices), Batch = static_cast<double>(S.Batch);
    if (St.PerInput) {
      analyseVision(M, S, H, Main, N, Batch);
      return;
    }
    const double RawPeak = section(H, "compute")->field(S.Compute->Name)->V.R * N;
    const double RawBw = fieldOr(Main, "bandwidth", 0) * N;
    const double Peak = RawPeak * S.UsedComputeEfficiency;
    const double Bw = RawBw * S.UsedMemoryEfficiency;
    const double Capacity = fieldOr(Main, "capacity", 0);
    const double ActBytes = S.Compute->bitsPerValue() / 8;
    const double WBits = S.Weights->bitsPerValue();
    const double WeightBytes = bytesAt(St.Params, *S.Weights).asDouble();
    auto KVBytes = [&](int64_t C) { return bytesAt(kvValues(St, C), *S.KV).asDouble(); };
    const int64_t Full = S.Prompt + S.Output;
    // Prompts are prefilled in chunks of PrefillChunk tokens (default: one sequence's prompt).
    const double Chunk = static_cast<double>(
        std::min<int64_t>(S.PrefillChunk ? S.PrefillChunk : S.Prompt, S.Batch * S.Prompt));
    const double Workspace = Chunk * static_cast<double>(St.MaxWidth) * ActBytes * 2;

    // Memory placement: weights stream from flash when they do not fit the main tier.
    const double KVFull = Batch * KVBytes(Full);
    bool FromFlash = Flash && (WeightBytes + KVFull + Workspace) / N > Capacity &&
                     WeightBytes / N <= fieldOr(Flash, "capacity", 0);
    const double WeightBw =
        FromFlash ? fieldOr(Flash, "bandwidth", 0) * N * S.UsedMemoryEfficiency : Bw;
    auto MemoryTime = [&](double Weights, double Other) { return Weights / WeightBw + Other / Bw; };

    // Tensor-parallel all-reduces: two per layer, ring, over half the link's bandwidth.
    const Section *Link = section(H, "link");
    const double LinkBw = fieldOr(Link, "bandwidth", 0) / 2;
    auto AllReduce = [&](double Tokens) {
      if (S.Devices < 2 || LinkBw <= 0)
        return 0.0;
      double Size = Tokens * static_cast<double>(St.Width) * ActBytes;
      return 2.0 * static_cast<double>(St.Layers) * 2 * (N - 1) / N * Size / LinkBw;
    };

    // Prefill.
    const double PrefillFlops = Batch * 2 * static_cast<double>(prefillMacs(St, S.Prompt));
    const double PrefillOther = Batch * KVBytes(S.Prompt);
    const double PrefillCompute = PrefillFlops / Peak;
    const double PrefillMemory = MemoryTime(WeightBytes, PrefillOther);
    const double Prefill =
        std::max(PrefillCompute, PrefillMemory) + AllReduce(Batch * static_cast<double>(S.Prompt));

    // Decode steps.
    const double StepWeights = decodeWeightParams(St, S.Batch) * WBits / 8;
    const double StepComm = AllReduce(Batch);
    struct Step {
      double Flops, Bytes, Compute, Memory, Time;
    };
    auto StepAt = [&](int64_t C) {
      Step X;
      X.Flops = Batch * 2 * static_cast<double>(macsPerToken(St, C));
      double Other = Batch * KVBytes(C);
      X.Bytes = StepWeights + Other;
      X.Compute = X.Flops / Peak;
      X.Memory = MemoryTime(StepWeights, Other);
      X.Time = std::max(X.Compute, X.Memory) + StepComm;
      return X;
    };
    double DecodeSum = 0;
    int64_t Steps = std::max<int64_t>(S.Output - 1, 0);
    for (int64_t C = S.Prompt + 1; C <= S.Prompt + Steps; ++C)
      DecodeSum += StepAt(C).Time;
    const Step First = StepAt(S.Prompt + 1), Last = StepAt(S.Prompt + std::max<int64_t>(Steps, 1));
    const Step Mid = StepAt(S.Prompt + std::max<int64_t>(S.Output / 2, 1));
    const double DecodeMean = Steps ? DecodeSum / static_cast<double>(Steps) : First.Time;

    // Memory fit, largest batch and context, devices needed.
    const double Needed = WeightBytes + KVFull + Workspace;
    const double PerDevice = Needed / N;
    const bool Fits = FromFlash || PerDevice <= Capacity;
    const double PerSeq = KVBytes(Full);
    const double Free = Capacity * N - (FromFlash ? 0 : WeightBytes) - Workspace;
    const int64_t MaxBatch =
        Free <= 0 || PerSeq <= 0 ? (Free > 0 ? INT64_MAX : 0) : static_cast<int64_t>(Free / PerSeq);
    auto FitsContext = [&](int64_t C) {
      return (FromFlash ? 0 : WeightBytes) + Batch * KVBytes(C) + Workspace <= Capacity * N;
    };
    int64_t MaxContext = 0;
    if (FitsContext(1)) {
      int64_t Lo = 1, Hi = int64_t(1) << 40;
      if (FitsContext(Hi)) {
        MaxContext = INT64_MAX; // the cache does not grow with context (state only)
      } else {
        while (Hi - Lo > 1) {
          int64_t Mid2 = Lo + (Hi - Lo) / 2;
          (FitsContext(Mid2) ? Lo : Hi) = Mid2;
        }
        MaxContext = Lo;
      }
    }
    // With weights in flash, the main tier holds only the KV cache and the workspace.
    const double InMain = FromFlash ? Needed - WeightBytes : Needed;
    const int64_t Devices =
        Capacity > 0 ? std::max<int64_t>(1, static_cast<int64_t>(std::ceil(InMain / Capacity))) : 0;

    auto Put = [&](ScenarioMetric K, Value V) { S.Results.push_back({K, std::move(V)}); };
    S.Results.clear();
    Put(ScenarioMetric::prefill_time, seconds(Prefill));
    Put(ScenarioMetric::prefill_bound, boundValue(M, PrefillCompute >= PrefillMemory));
    Put(ScenarioMetric::prefill_intensity, intensity(PrefillFlops / (WeightBytes + PrefillOther)));
    Put(ScenarioMetric::ridge_point, intensity(Peak / Bw));
    Put(ScenarioMetric::first_decode_time, seconds(First.Time));
    Put(ScenarioMetric::last_decode_time, seconds(Last.Time));
    Put(ScenarioMetric::decode_time, seconds(DecodeMean));
    Put(ScenarioMetric::decode_bound, boundValue(M, Mid.Compute >= Mid.Memory));
    Put(ScenarioMetric::decode_intensity, intensity(Mid.Flops / Mid.Bytes));
    Put(ScenarioMetric::generation_time, seconds(Prefill + DecodeSum));
    Put(ScenarioMetric::tokens_per_s, perSecond(1 / DecodeMean));
    Put(ScenarioMetric::aggregate_tokens_per_s, perSecond(Batch / DecodeMean));
    Put(ScenarioMetric::prefill_tokens_per_s,
        perSecond(Batch * static_cast<double>(S.Prompt) / Prefill));
    Put(ScenarioMetric::mfu_prefill, Value::ofReal(PrefillFlops / Prefill / RawPeak));
    Put(ScenarioMetric::mbu_decode,
        Value::ofReal(Mid.Bytes / Mid.Time /
                      (FromFlash ? fieldOr(Flash, "bandwidth", 1) * N : RawBw)));
    Put(ScenarioMetric::interconnect_time, seconds(StepComm));
    Put(ScenarioMetric::weight_bytes, bytesValue(WeightBytes));
    Put(ScenarioMetric::kv_bytes, bytesValue(KVFull));
    Put(ScenarioMetric::workspace_bytes, bytesValue(Workspace));
    Put(ScenarioMetric::memory_per_device, bytesValue(PerDevice));
    Put(ScenarioMetric::fits, Value::ofBool(Fits));
    Put(ScenarioMetric::max_batch, Value::ofInt(MaxBatch));
    Put(ScenarioMetric::max_context, Value::ofInt(MaxContext));
    Put(ScenarioMetric::devices_needed, Value::ofInt(Devices));
    if (const FieldValue *TDP = H.field("tdp"))
      Put(ScenarioMetric::energy_per_token,
          quantity(TDP->V.R * N * DecodeMean / Batch, BaseDim::Joule));
  }
}

std::unique_ptr<Pass> zoo::createRooflinePass() { return std::make_unique<RooflinePass>(); }
