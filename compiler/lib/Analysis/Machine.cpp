//===- Machine.cpp - effective peaks: hardware x runtime x power x devices ===//
//
// makeMachine, in order:
//   1. Datasheet figures of the hardware: the dense peak of the compute precision, the first
//      memory tier's bandwidth and capacity (a `flash` tier besides), half the first link's quoted
//      aggregate bandwidth per direction, the TDP; peaks and bandwidth times the device count.
//   2. A power limit below the TDP scales the peak by the clock of the power mode published at
//      that power over the clock the peaks are quoted at; with no such mode it is noted as not
//      modelled. Energy uses the limit.
//   3. Achievable fractions of the hardware: the scenario's `compute_efficiency` /
//      `memory_efficiency`, else --compute-efficiency / --memory-efficiency, else the record's
//      `efficiency` section (the precision's key, else `compute`; `memory`), else its class's,
//      else 1.
//   4. The runtime's slots, keyed by the precision each kind of work runs at; a slot the runtime
//      does not set is 1 (0 for fixed costs), and says so.
// Every factor is recorded with its origin and source for the reports.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Machine.h"
#include <cmath>
#include <fmt/format.h>

using namespace zoo;

SlotSpelling zoo::slotSpelling(Slot K) {
  static const SlotSpelling Table[NumSlots] = {
      {"compute", "gemm"},           {"compute", "attention"},
      {"compute", "experts"},        {"bandwidth", "gemv"},
      {"bandwidth", "dequant_gemv"}, {"bandwidth", "attention"},
      {"bandwidth", "activations"},  {"bandwidth", "experts"},
      {"", "op_overhead"},           {"", "collective_latency"},
      {"", "step_overhead"},         {"", "request_overhead"},
      {"", "sequence_overhead"},     {"", "expert_overhead"},
      {"", "expert_layer_overhead"}, {"", "op_cycles"},
  };
  return Table[static_cast<int>(K)];
}

std::string zoo::slotName(Slot K) {
  SlotSpelling S = slotSpelling(K);
  return *S.Kind ? std::string(S.Kind) + " " + S.Kernel : std::string(S.Kernel);
}

namespace {
const Section *section(const std::vector<Section> &Ss, llvm::StringRef Kind,
                       llvm::StringRef Name = "") {
  for (const Section &S : Ss)
    if (S.Kind == Kind && (Name.empty() || S.Name == Name))
      return &S;
  return nullptr;
}

double fieldOr(const Section *S, llvm::StringRef F, double Default) {
  const FieldValue *V = S ? S->field(F) : nullptr;
  return V ? V->V.asDouble() : Default;
}

/// A field's own source, else its section's, else the record's first.
std::string sourceOf(const FieldValue *F, const Section *Sec, const Record *R) {
  if (F && !F->Source.empty())
    return F->Source;
  if (Sec)
    if (const FieldValue *S = Sec->field("source"))
      return S->V.S;
  if (R && !R->Sources.empty())
    return R->Sources.front();
  return "";
}

struct Fraction {
  double Value = 1;
  std::string Origin = "none: the datasheet figure";
  std::string Source;
};

/// The achievable fraction `Key` (or `Fallback`) of hardware `H`: its own, else its class's.
Fraction achievable(const HardwareRecord &H, llvm::StringRef Key, llvm::StringRef Fallback) {
  Fraction Out;
  auto From = [&](const Section *Sec, const std::string &Origin, const Record *R) {
    if (!Sec)
      return false;
    const FieldValue *F = Sec->field(Key);
    if (!F && !Fallback.empty())
      F = Sec->field(Fallback);
    if (!F)
      return false;
    Out.Value = F->V.asDouble();
    Out.Origin = Origin;
    Out.Source = sourceOf(F, Sec, R);
    return true;
  };
  if (From(section(H.Sections, "efficiency"), "hardware " + H.Name, &H))
    return Out;
  if (H.ClassEfficiency)
    From(&*H.ClassEfficiency, "class " + H.Class, nullptr);
  return Out;
}

} // namespace

const PrecisionRecord *zoo::slotPrecision(const ScenarioRecord &S, Slot K, const RuntimeRecord *R) {
  switch (K) {
  case Slot::Gemm:
    return S.computeUnder(R);
  case Slot::AttentionCompute:
    return attentionPrecision(S, R);
  case Slot::Experts: {
    // Products of 16 bits or wider over narrower weights convert the weights as they go (MXFP4
    // experts beside BF16 activations: "simulated mxfp4" on BF16 tensor cores, where 8-bit
    // activations multiply MXFP4 natively on Blackwell's): another kernel than the plain
    // product, keyed, as a dequantising weight read is, by the weights' format.
    const PrecisionRecord *E = S.expertComputeUnder(R), *W = S.expertWeights();
    return E && W && E->Bits > 8 && W->bitsPerValue() < E->bitsPerValue() ? W : E;
  }
  case Slot::Gemv:
  case Slot::DequantGemv:
    return S.Weights;
  case Slot::ExpertReads:
    return S.expertWeights();
  case Slot::AttentionBandwidth:
    return S.KV;
  case Slot::Activations:
    return S.Activations;
  default:
    return nullptr;
  }
}

const PrecisionRecord *zoo::attentionPrecision(const ScenarioRecord &S, const RuntimeRecord *R) {
  // Scores and values multiply queries by the cached keys and values: engines run them at the
  // cache's precision where the dense products run narrower (an NVFP4 model with an FP8 cache
  // runs FP8 attention kernels: TensorRT-LLM's attention takes FP8 inputs at the narrowest, and
  // only with an FP8 cache; docs/formulas.md). A model with an input (a pipeline's denoiser
  // among them) caches nothing: its queries, keys and values are activations, and 16-bit
  // activations play the cache's part (an INT8 U-Net with 16-bit activations runs 16-bit
  // attention, as TensorRT's fused attention does); wider ones do not (FP32 activations under
  // 16-bit products are cast for every product, attention's too, as autocast does).
  const PrecisionRecord *C = S.computeUnder(R);
  const bool PerInput = S.Model && S.Model->Stats.PerInput;
  const PrecisionRecord *Operands = PerInput ? S.Activations : S.KV;
  if (Operands && C && Operands->Bits > C->Bits && (!PerInput || Operands->Bits <= 16))
    return Operands;
  return C;
}

bool zoo::dequantising(const ScenarioRecord &S, const RuntimeRecord *R) {
  const PrecisionRecord *C = S.computeUnder(R);
  return S.Weights != C && S.Weights->bitsPerValue() < C->bitsPerValue();
}

const PrecisionRecord *zoo::computeOf(const Module &M, const ScenarioRecord &S) {
  return S.computeUnder(runtimeOf(M, S));
}

const PrecisionRecord *zoo::expertComputeOf(const Module &M, const ScenarioRecord &S) {
  return S.expertComputeUnder(runtimeOf(M, S));
}

const char *zoo::expertPrecisionProblem(const ScenarioRecord &S) {
  if ((!S.ExpertWeights && !S.ExpertCompute) || !S.Model)
    return nullptr;
  if (S.Model->Stats.PerInput)
    return "an input: it is not a language model";
  return S.Model->Stats.Experts.empty() ? "no expert layers" : nullptr;
}

const char *zoo::attentionDPProblem(const ScenarioRecord &S) {
  if (!S.AttentionDP || !S.Model)
    return nullptr;
  if (S.Model->Stats.PerInput)
    return "an input: it is not a language model";
  if (S.Model->Stats.HasEncoder)
    return "an encoder: an encoder-decoder's attention data parallelism is not modelled";
  return nullptr;
}

const Section *zoo::mainMemory(const HardwareRecord &H) { return section(H.Sections, "memory"); }

double zoo::deviceMemory(const HardwareRecord &H, bool Visible) {
  const Section *Main = mainMemory(H);
  const double Capacity = fieldOr(Main, "capacity", 0);
  return Visible ? fieldOr(Main, "visible", Capacity) : Capacity;
}

const PrecisionRecord &zoo::tablePrecision(const ScenarioRecord &S, bool QuantizesTables) {
  return !QuantizesTables && S.Activations &&
                 S.Activations->bitsPerValue() > S.Weights->bitsPerValue()
             ? *S.Activations
             : *S.Weights;
}

const PrecisionRecord &zoo::tablePrecision(const ScenarioRecord &S) {
  return tablePrecision(S, !S.UsedRuntime || S.UsedRuntime->QuantizesTables);
}

const RuntimeRecord *zoo::runtimeOf(const Module &M, const ScenarioRecord &S) {
  if (S.Runtime)
    return S.Runtime;
  if (M.CommandLineRuntime)
    return M.CommandLineRuntime;
  return M.defaultRuntime(S.Hw);
}

int64_t zoo::cachePage(const ScenarioRecord &S, const RuntimeRecord *R) {
  return S.KVPage > 0 ? S.KVPage : R && R->KVPage > 0 ? R->KVPage : 1;
}

bool zoo::preemptsCache(const ScenarioRecord &S, const RuntimeRecord *R) {
  const KVPolicy P = S.Policy != KVPolicy::Unset ? S.Policy : R ? R->Policy : KVPolicy::Unset;
  return P == KVPolicy::Preempt;
}

std::optional<double> zoo::ownHostTime(const ScenarioRecord &S, Slot K) {
  switch (K) {
  case Slot::StepOverhead:
    return S.StepOverhead;
  case Slot::RequestOverhead:
    return S.RequestOverhead;
  case Slot::SequenceOverhead:
    return S.SequenceOverhead;
  default:
    return std::nullopt;
  }
}

bool zoo::mixesPrefill(const ScenarioRecord &S, const RuntimeRecord *R) {
  return S.MixedPrefill ? *S.MixedPrefill : R ? R->MixedPrefill : true;
}

bool zoo::chunksPrompts(const ScenarioRecord &S, const RuntimeRecord *R) {
  return S.ChunkedPrefill ? *S.ChunkedPrefill : R ? R->ChunkedPrefill : true;
}

bool zoo::schedulesAhead(const ScenarioRecord &S, const RuntimeRecord *R) {
  return S.AsyncScheduling ? *S.AsyncScheduling : R && R->AsyncScheduling;
}

Machine Machine::ideal() const {
  Machine X = *this;
  X.HwCompute = X.HwBandwidth = 1;
  X.F = unsetFactors();
  X.MemoryFraction = X.KVFraction = 1;
  // All of the memory: a datasheet's rounded decimal figure can be less than programs get (an
  // "80 GB" H100 gives them 85.0 GB), and a bound takes the larger.
  X.Capacity = std::max(X.Capacity, X.MostCapacity);
  X.Workspace = 0;
  X.GemmExposed = 0;
  X.GemmFill = 0;
  X.ExpertGemmRate = X.ExpertPeak;
  X.AttentionHw = 1;
  X.AttentionGemmRate = X.AttentionPeak;
  for (PartCompute &P : X.Parts)
    P.GemmRate = P.Peak;
  X.AllReduce = {};
  X.Ideal = true;
  X.Uses.clear();
  return X;
}

void zoo::describeAllReduce(Machine &X, const HardwareRecord &H) {
  // The measured curve's bus bandwidth at its largest size, as a fraction of what its devices
  // reach of the link (NVLink SHARP's in-switch reduction exceeds 1).
  if (X.AllReduce.empty() || X.LinkBandwidth <= 0)
    return;
  const double Reached = X.LinkBandwidth / meshShare(X.Devices, X.LinkPeers) *
                         meshShare(X.AllReduce.Devices, X.LinkPeers);
  X.Uses.push_back({"measured all-reduce",
                    std::round(1000 * X.AllReduce.Points.back().second / Reached) / 1000, false,
                    fmt::format("hardware {}: bus bandwidth at {} sizes on {:g} devices, "
                                "largest over the link's",
                                H.Name, X.AllReduce.Points.size(), X.AllReduce.Devices),
                    sourceOf(nullptr, section(H.Sections, "all_reduce"), &H)});
}

const Section *zoo::groupLink(const HardwareRecord &H, double N) {
  const Section *First = section(H.Sections, "link");
  auto Reaches = [&](const Section &L) {
    const double P = fieldOr(&L, "peers", 0);
    return P == 0 || P >= N - 1;
  };
  if (!First || N < 2 || Reaches(*First))
    return First;
  for (const Section &Sec : H.Sections)
    if (Sec.Kind == "link" && Reaches(Sec))
      return &Sec;
  return First;
}

double zoo::peerLinkBandwidth(const HardwareRecord &H, double N) {
  const Section *Link = groupLink(H, N);
  return pointToPoint({fieldOr(Link, "bandwidth", 0) / 2, 0, nullptr, fieldOr(Link, "peers", 0)});
}

Machine zoo::makeMachine(const Module &M, const ScenarioRecord &S, const RuntimeRecord *R,
                         llvm::ArrayRef<SlotOverride> Overrides, bool Describe) {
  Machine X;
  const HardwareRecord &H = *S.Hw;
  const double N = static_cast<double>(S.Devices);
  X.Devices = N;

  // 1. Datasheet figures.
  const Section *Main = section(H.Sections, "memory");
  const Section *Flash = section(H.Sections, "memory", "flash");
  if (Flash == Main)
    Flash = nullptr;
  const Section *Dense = section(H.Sections, "compute");
  // The precisions the products run at: under the runtime priced, or for a bound (no runtime),
  // the one the scenario runs (a runtime may run quantized weights' products narrower).
  const RuntimeRecord *Runs = R ? R : runtimeOf(M, S);
  const PrecisionRecord *C = S.computeUnder(Runs);
  // The peak they are priced at: theirs, or where the hardware quotes none at a runtime's own
  // precision (`quantized_compute`, `fp16_compute`), that of the precision the scenario would
  // compute in without it. The runtime's factors stay keyed by the precision its kernels run.
  // `What` names the products in the note that says so.
  auto RoofOf = [&](const PrecisionRecord *P, const PrecisionRecord *Plain, const char *What) {
    if (fieldOr(Dense, P->Name, 0) > 0)
      return P;
    X.Notes.push_back(fmt::format("`{}` quotes no dense {} peak: the runtime's {} {} are priced "
                                  "at its {} peak",
                                  H.Name, P->Name, P->Name, What, Plain->Name));
    return Plain;
  };
  const PrecisionRecord *CR = RoofOf(C, S.Compute, "products");
  X.Peak = fieldOr(Dense, CR->Name, 0) * N;
  X.PeakPrecision = CR;
  X.Bandwidth = fieldOr(Main, "bandwidth", 0) * N;
  X.Capacity = deviceMemory(H, M.VisibleMemory);
  X.MostCapacity = std::max(deviceMemory(H, false), deviceMemory(H, true));
  if (Flash) {
    X.FlashBandwidth = fieldOr(Flash, "bandwidth", 0) * N;
    X.FlashCapacity = fieldOr(Flash, "capacity", 0);
  }
  // The link the group runs over: the first that reaches every member directly (a switched
  // link, or a mesh of at least N - 1 peers: an NVLink bridge joins two cards, four bridged
  // cards ring over PCIe); where none does, the first. On a mesh the group reaches the ports to
  // its own members only.
  const Section *FirstLink = section(H.Sections, "link"), *Link = groupLink(H, N);
  const double Peers = fieldOr(Link, "peers", 0);
  const double Share = meshShare(N, Peers);
  X.LinkBandwidth = fieldOr(Link, "bandwidth", 0) / 2 * Share;
  X.PeerBandwidth = peerLinkBandwidth(H, N);
  const Section *AllReduce = section(H.Sections, "all_reduce");
  if (AllReduce && Link == FirstLink) { // measured over the first link
    for (const auto &[Bytes, F] : allReducePoints(*AllReduce))
      X.AllReduce.Points.push_back({Bytes, F->V.asDouble()});
    X.AllReduce.Devices = fieldOr(AllReduce, "devices", 0);
  }
  X.LinkPeers = Peers;
  if (Describe && N > 1 && Share < 1)
    X.Uses.push_back({"link reached", std::round(1000 * Share) / 1000, false,
                      fmt::format("hardware {}: {:g} devices reach {:g} of link {}'s {:g} peers "
                                  "(a full mesh)",
                                  H.Name, N, N - 1, Link->Name, Peers),
                      sourceOf(Link->field("peers"), Link, &H)});
  if (Describe && Link != FirstLink)
    X.Notes.push_back(fmt::format("the {:g} devices all-reduce over link `{}`: link `{}` reaches "
                                  "{:g} peer{} directly",
                                  N, Link->Name, FirstLink->Name, fieldOr(FirstLink, "peers", 0),
                                  fieldOr(FirstLink, "peers", 0) == 1 ? "" : "s"));
  const FieldValue *TDP = H.field("tdp");
  X.Power = TDP ? TDP->V.R : 0;
  if (const FieldValue *Clock = H.field("clock"))
    X.Clock = Clock->V.R;
  std::string ClockOrigin = "hardware " + H.Name + ": its clock",
              ClockSource = sourceOf(H.field("clock"), nullptr, &H);
  if (const FieldValue *Cache = H.field("cache"))
    X.Cache = Cache->V.asDouble();

  // 2. A power limit.
  if (S.PowerLimit) {
    double Limit = *S.PowerLimit;
    if (!TDP || Limit < TDP->V.R) {
      X.Power = Limit;
      const Section *Mode = nullptr;
      for (const Section &Sec : H.Sections)
        if (Sec.Kind == "power_mode" && std::fabs(fieldOr(&Sec, "power", -1) - Limit) < 0.5)
          Mode = &Sec;
      const FieldValue *Clock = H.field("clock");
      if (Mode && Clock) {
        double Scale = fieldOr(Mode, "clock", 0) / Clock->V.R;
        X.Peak *= Scale;
        X.Clock = fieldOr(Mode, "clock", 0);
        ClockOrigin = "hardware " + H.Name + ": power mode " + Mode->Name;
        ClockSource = sourceOf(nullptr, Mode, &H);
        X.Uses.push_back({"power mode " + Mode->Name + " (clock ratio)", Scale, false,
                          "hardware " + H.Name, sourceOf(nullptr, Mode, &H)});
      } else {
        X.Notes.push_back(fmt::format(
            "the power limit of {:g} W is not modelled: `{}` publishes no sustained clock at that "
            "power, so the peaks are those at {}",
            Limit, H.Name, TDP ? fmt::format("its {:g} W TDP", TDP->V.R) : "full power"));
      }
    }
  }

  // 3. Achievable fractions of the hardware.
  auto Hw = [&](const std::optional<double> &Scenario, const std::optional<double> &CommandLine,
                Fraction Record, const std::string &What, double &Out) {
    if (Scenario)
      Record = {*Scenario, "scenario " + S.Name, ""};
    else if (CommandLine)
      Record = {*CommandLine, "command line", ""};
    Out = Record.Value;
    if (Describe)
      X.Uses.push_back({What, Out, false, Record.Origin, Record.Source});
  };
  Hw(S.ComputeEfficiency, M.OverrideComputeEfficiency, achievable(H, CR->Name, "compute"),
     CR->Name == "fp32" || CR->Name == "fp64" ? "achievable peak" : "achievable matrix peak",
     X.HwCompute);
  Hw(S.MemoryEfficiency, M.OverrideMemoryEfficiency, achievable(H, "memory", ""),
     "achievable bandwidth", X.HwBandwidth);
  // Where tensor ranks all-reduce over the link.
  if (Describe && N > 1)
    describeAllReduce(X, H);

  // 4. The runtime.
  X.Dequantising = dequantising(S, Runs);
  std::string RName = R ? "runtime " + R->Name : "no runtime";
  // The runtime record's factor of slot K at precision P, where it sets one.
  auto FromRuntime = [&](Slot K, const PrecisionRecord *P, FactorUse &U) {
    SlotSpelling Spec = slotSpelling(K);
    if (const FieldValue *F = R->factor(Spec.Kind, Spec.Kernel, P ? P->Name : "")) {
      U.Value = F->V.asDouble();
      U.Origin = RName;
      U.Source = sourceOf(F, section(R->Sections, Spec.Kind, Spec.Kernel), R);
    }
  };
  for (int I = 0; I < NumSlots; ++I) {
    Slot K = static_cast<Slot>(I);
    if (K == (X.Dequantising ? Slot::Gemv : Slot::DequantGemv))
      continue; // one of the two weight-read slots applies
    if ((K == Slot::Experts || K == Slot::ExpertReads || K == Slot::ExpertOverhead ||
         K == Slot::ExpertLayerOverhead) &&
        (!S.Model || S.Model->Stats.Experts.empty()))
      continue; // (a model without expert layers)
    FactorUse U;
    U.Name = slotName(K);
    U.Seconds = slotIsSeconds(K);
    U.Value = X.F[I];
    U.Origin = RName + ": not set";
    if (R && slotIsFixedCost(K)) {
      if (const FieldValue *F = R->field(slotSpelling(K).Kernel)) {
        U.Value = F->V.R;
        U.Origin = RName;
        U.Source = sourceOf(F, nullptr, R);
      }
    } else if (R) {
      FromRuntime(K, slotPrecision(S, K, Runs), U);
    }
    // A deployment's own host times (the scenario's or serving record's fields).
    if (std::optional<double> Own = ownHostTime(S, K)) {
      U.Value = *Own;
      U.Origin = "scenario " + S.Name;
      U.Source.clear();
    }
    for (const SlotOverride &O : Overrides)
      if (O.K == K) {
        U.Value = O.Value;
        U.Origin = "calibration";
        U.Source.clear();
      }
    X.F[I] = U.Value;
    // The serving stack's host times and the cost an expert show where a record, a runtime or a
    // fit sets them (no line otherwise).
    const bool Host = K == Slot::StepOverhead || K == Slot::RequestOverhead ||
                      K == Slot::SequenceOverhead || K == Slot::ExpertOverhead ||
                      K == Slot::ExpertLayerOverhead || K == Slot::OpCycles;
    // (nor the cost an operation in seconds, where the runtime counts it in cycles alone)
    const bool InCycles = K == Slot::OpOverhead && R && R->field("op_cycles");
    // A model with an input (a pipeline's parts among them) has no cache, and its attention's
    // products are products among the others: the two attention slots price nothing of it, and
    // show no line.
    const bool Unused = S.Model && S.Model->Stats.PerInput &&
                        (K == Slot::AttentionCompute || K == Slot::AttentionBandwidth);
    if (Describe && !Unused && (!(Host || InCycles) || U.Origin != RName + ": not set"))
      X.Uses.push_back(std::move(U));
  }
  // Cycles an operation costs on the devices' clock join its seconds (the what-ifs and the
  // analyses see one cost an operation).
  if (const double Cycles = X.f(Slot::OpCycles); Cycles > 0) {
    if (X.Clock > 0) {
      X.F[static_cast<int>(Slot::OpOverhead)] += Cycles / X.Clock;
      if (Describe)
        X.Uses.push_back({fmt::format("op_cycles at {:g} MHz", X.Clock / 1e6), Cycles / X.Clock,
                          true, ClockOrigin, ClockSource});
    } else if (Describe) {
      X.Notes.push_back(fmt::format("the runtime's {:g} cycles an operation are not priced: `{}` "
                                    "records no `clock`",
                                    Cycles, H.Name));
    }
  }
  if (R) {
    X.Fuses = R->FusesElementwise;
    X.GemmExposed = R->GemmExposed;
    if (const FieldValue *F = R->factor("fill", "gemm", C->Name);
        F && S.Model && !S.Model->Stats.PerInput) { // language models only
      X.GemmFill = F->V.asDouble();
      if (Describe)
        X.Uses.push_back({"gemm fill (elements)", X.GemmFill, false, RName,
                          sourceOf(F, section(R->Sections, "fill", "gemm"), R)});
    }
    if (const FieldValue *F = R->field("gemm_exposed");
        F && Describe && S.Model && !S.Model->Stats.PerInput) // language models only
      X.Uses.push_back({"gemm exposed", X.GemmExposed, false, RName, sourceOf(F, nullptr, R)});
    X.LastTokenLogits = R->LastTokenLogits;
    X.QuantizesTables = R->QuantizesTables;
    X.MemoryFraction = R->MemoryFraction;
    X.KVFraction = R->KVFraction;
    X.Workspace = R->Workspace;
    X.MaxBatch = R->MaxBatch;
  }
  // The dense peak of precision `P` on every device, scaled as the compute's by a power mode (0
  // where the hardware has none at `P`).
  auto PeakAt = [&](const PrecisionRecord &P) {
    const double Own = fieldOr(Dense, CR->Name, 0);
    return fieldOr(Dense, P.Name, 0) * N * (Own > 0 ? X.Peak / (Own * N) : 1);
  };
  // Products at a compute precision `P` of their own (named `What` among the factors): its dense
  // peak (PeakAt) and its expected gemm rate, that peak times the hardware's achievable fraction
  // (`HwName`) and the runtime's gemm factor at `P`.
  auto OwnCompute = [&](const PrecisionRecord &P, const PrecisionRecord &Roof,
                        const std::string &What, const std::string &HwName, double &Peak,
                        double &GemmRate) {
    Peak = PeakAt(Roof);
    double HwOwn = 1;
    Hw(S.ComputeEfficiency, M.OverrideComputeEfficiency, achievable(H, Roof.Name, "compute"),
       HwName, HwOwn);
    FactorUse G{"compute gemm (" + What + ", " + P.Name + ")", 1, false, RName + ": not set", ""};
    if (R)
      FromRuntime(Slot::Gemm, &P, G);
    GemmRate = Peak * HwOwn * G.Value;
    if (Describe)
      X.Uses.push_back(std::move(G));
  };
  // 5. Expert layers at their own compute precision.
  X.ExpertPeak = X.Peak;
  X.ExpertGemmRate = X.rate(Slot::Gemm);
  if (const PrecisionRecord *E = S.expertComputeUnder(Runs); E && E != C) {
    const PrecisionRecord *ER = RoofOf(E, S.expertCompute(), "expert products");
    OwnCompute(*E, *ER, "experts", "achievable matrix peak (experts, " + ER->Name + ")",
               X.ExpertPeak, X.ExpertGemmRate);
    X.OwnExpertCompute = true;
  }
  // 6. Attention's products at their own precision, where it is wider than the compute's and
  // the hardware has a peak at it. A language model's run at that peak times the `compute
  // attention` factor (its prefill formula); a model with an input's are products among its
  // others, each at its own precision's gemm rate (as a pipeline part's at its own precision).
  if (const PrecisionRecord *A = attentionPrecision(S, Runs); A && A != C && S.Model) {
    if (const double Peak = PeakAt(*A); Peak > 0) {
      if (S.Model->Stats.PerInput) {
        OwnCompute(*A, *A, "attention", "achievable matrix peak (attention, " + A->Name + ")",
                   X.AttentionPeak, X.AttentionGemmRate);
      } else {
        X.AttentionPeak = Peak;
        Hw(S.ComputeEfficiency, M.OverrideComputeEfficiency, achievable(H, A->Name, "compute"),
           "achievable matrix peak (attention, " + A->Name + ")", X.AttentionHw);
      }
      X.OwnAttention = true;
    }
  }
  // 7. A pipeline's encoders and decoder at their own precision, the same way.
  for (int Part = 0; Part < 2; ++Part) {
    const PrecisionRecord *P = Part == 0 ? S.EncoderPrecision : S.DecoderPrecision;
    if (!P || P == C)
      continue;
    const char *What = Part == 0 ? "encoders" : "decoder";
    Machine::PartCompute &C = X.Parts[Part];
    OwnCompute(*P, *P, What,
               fmt::format("achievable {}peak ({}, {})",
                           P->Name == "fp32" || P->Name == "fp64" ? "" : "matrix ", What, P->Name),
               C.Peak, C.GemmRate);
    C.Own = true;
  }
  X.MixedPrefill = mixesPrefill(S, R);
  X.ChunkedPrefill = chunksPrompts(S, R);
  X.AsyncScheduling = schedulesAhead(S, R);
  if (S.MaxBatch)
    X.MaxBatch = S.MaxBatch;
  X.KVPage = cachePage(S, R);
  X.Preempt = preemptsCache(S, R);
  if (S.MemoryFraction > 0)
    X.MemoryFraction = S.MemoryFraction;
  if (S.KVFraction > 0)
    X.KVFraction = S.KVFraction;
  return X;
}
