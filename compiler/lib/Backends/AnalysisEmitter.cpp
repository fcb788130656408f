//===- AnalysisEmitter.cpp - scenarios in full (--emit=analysis) ----------===//
//
// One block per scenario: the setting, every factor of the performance model and where it came
// from, then prefill, decode, serving, memory and energy, each expected figure with the ideal
// roofline beside it, its bound and the numbers behind it; then what was not modelled.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Economics.h"
#include "zoo/Analysis/LanguageModel.h"
#include "zoo/Analysis/Machine.h"
#include "zoo/Analysis/WhatIf.h"
#include "zoo/Backends/Emitters.h"
#include "zoo/Basic/Checked.h"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

using namespace zoo;

std::string zoo::humanResult(const Value &V) {
  switch (V.T.K) {
  case Type::Bool:
    return V.B ? "yes" : "no";
  case Type::Enum:
    return V.S;
  case Type::Int:
    return V.I == INT64_MAX ? "unbounded" : withThousands(V.I);
  case Type::Real: // with separators where the rounded value is exact (below 2^53)
    return std::fabs(V.R) >= 1000 && std::fabs(V.R) < 0x1p53
               ? withThousands(static_cast<int64_t>(std::llround(V.R)))
               : fmt::format("{:.3g}", V.R);
  case Type::Quantity: {
    const Dim &D = V.T.D;
    if (D == Dim::of(BaseDim::Second)) {
      double S = V.R;
      if (S >= 1)
        return fmt::format("{:.3g} s", S);
      if (S >= 1e-3)
        return fmt::format("{:.3g} ms", S * 1e3);
      return fmt::format("{:.3g} us", S * 1e6);
    }
    if (D == Dim::of(BaseDim::Byte))
      return humanBytes(V.R);
    if (D == Dim::of(BaseDim::Joule))
      return V.R >= 1 ? fmt::format("{:.3g} J", V.R) : fmt::format("{:.3g} mJ", V.R * 1e3);
    if (D == Dim::of(BaseDim::Token) / Dim::of(BaseDim::Second))
      return fmt::format("{:.4g} tok/s", V.R);
    if (D == Dim::of(BaseDim::Flop) / Dim::of(BaseDim::Byte))
      return fmt::format("{:.3g} FLOP/B", V.R);
    if (D == Dim::of(BaseDim::Money))
      return fmt::format("{:.4g} USD", V.R);
    if (D == Dim::of(BaseDim::Carbon))
      return V.R >= 1 || V.R == 0 ? fmt::format("{:.3g} gCO2e", V.R)
             : V.R >= 1e-3        ? fmt::format("{:.3g} mgCO2e", V.R * 1e3)
                                  : fmt::format("{:.3g} ugCO2e", V.R * 1e6);
    return V.str();
  }
  case Type::String:
  case Type::Error:
    break;
  }
  return V.str();
}

std::string zoo::listInProse(const std::vector<std::string> &Items) {
  std::string Out;
  for (size_t I = 0; I < Items.size(); ++I)
    Out += (I == 0 ? "" : I + 1 == Items.size() ? " and " : ", ") + Items[I];
  return Out;
}

std::string zoo::fixedCost(double Seconds) {
  return Seconds >= 1e-3 ? fmt::format("{:.3g} ms", Seconds * 1e3)
                         : fmt::format("{:.3g} us", Seconds * 1e6);
}

std::string zoo::expectedAndIdeal(const ScenarioRecord &S, ScenarioMetric K) {
  const Value *E = S.result(K), *I = S.ideal(K);
  if (!E)
    return "-";
  std::string Out = humanResult(*E);
  if (I && humanResult(*I) != Out)
    Out += " (ideal " + humanResult(*I) + ")";
  else if (I)
    Out += " (= ideal)";
  return Out;
}

namespace {
void factors(llvm::raw_ostream &OS, const ScenarioRecord &S) {
  OS << "  factors (expected = datasheet x these; fixed costs added):\n";
  size_t Width = 0;
  for (const FactorUse &F : S.Factors)
    Width = std::max(Width, F.Name.size());
  for (const FactorUse &F : S.Factors) {
    Value Secs;
    Secs.T = Type::quantity(Dim::of(BaseDim::Second));
    Secs.R = F.Value;
    std::string V =
        F.Seconds ? (F.Value ? humanResult(Secs) : "0 s") : fmt::format("{:g}", F.Value);
    OS << fmt::format("    {:<{}}  {:<8}  {}{}\n", F.Name, Width, V, F.Origin,
                      F.Source.empty() ? "" : " (" + F.Source + ")");
  }
}
} // namespace

void AnalysisEmitter::run(llvm::raw_ostream &OS) {
  auto Scenarios = sortedScenarios(M);
  if (Scenarios.empty()) {
    OS << "No scenarios: declare `scenario` records or pass --model and --hardware.\n";
    return;
  }
  for (const ScenarioRecord *S : Scenarios) {
    OS << "Scenario " << S->Name << ": " << S->modelName() << " on " << S->Devices << " x "
       << (S->Hw ? S->Hw->Name : "?");
    if (S->AttentionDP)
      OS << " (attention data parallel)";
    if (S->UsedRuntime)
      OS << ", runtime " << S->UsedRuntime->Name;
    OS << "\n";
    if (S->Results.empty()) {
      OS << "  not analysed (see the errors above)\n\n";
      continue;
    }
    auto R = [&](ScenarioMetric K) {
      const Value *V = S->result(K);
      return V ? humanResult(*V) : std::string("-");
    };
    auto B = [&](ScenarioMetric K) { return expectedAndIdeal(*S, K); };
    if (S->Model->Stats.PerInput) {
      auto Own = [](const PrecisionRecord *P, const char *Part) {
        return P ? fmt::format("; {} {}", Part, P->Name) : std::string();
      };
      OS << fmt::format("  batch {}; weights {}, activations {}, compute {}{}{}\n", S->Batch,
                        S->Weights->Name, S->Activations->Name, computeOf(M, *S)->Name,
                        Own(S->EncoderPrecision, "encoders"), Own(S->DecoderPrecision, "decoder"));
      factors(OS, *S);
      if (const PipelineRecord *P = S->Pipeline)
        OS << "  pipeline:   "
           << (P->Encoders.empty() ? "no encoder" : "encoders " + B(ScenarioMetric::encoder_time))
           << ", denoiser " << B(ScenarioMetric::denoise_time) << " (" << S->steps()
           << (S->steps() == 1 ? " step" : " steps") << (S->guidance() ? " at twice the batch" : "")
           << "), " << (P->Decoder ? "decoder " + B(ScenarioMetric::decoder_time) : "no decoder")
           << (P->Decoder && S->DecoderBatch
                   ? fmt::format(" ({} at a time a device)", S->DecoderBatch)
                   : std::string())
           << "\n";
      OS << "  forward:    " << B(ScenarioMetric::batch_time) << " per batch, "
         << R(ScenarioMetric::forward_bound) << "-bound; " << B(ScenarioMetric::images_per_s)
         << (S->Pipeline ? " outputs/s" : " inputs/s") << "; overhead "
         << R(ScenarioMetric::overhead_time) << "; intensity "
         << R(ScenarioMetric::prefill_intensity) << " vs ridge " << R(ScenarioMetric::ridge_point)
         << "; MFU " << R(ScenarioMetric::mfu_prefill) << "\n";
      OS << "  memory:     weights " << R(ScenarioMetric::weight_bytes) << " + activations "
         << R(ScenarioMetric::activation_bytes) << " = " << R(ScenarioMetric::memory_per_device)
         << " per device; fits: " << R(ScenarioMetric::fits) << "\n";
      if (const FieldValue *Cache = S->Hw->field("cache"))
        OS << "  on chip:    " << R(ScenarioMetric::cached_bytes) << " of "
           << (S->Pipeline ? "a generation's" : "a batch's") << " reads and writes served by the "
           << humanResult(Cache->V) << " cache, not memory\n";
      OS << "  energy:     " << R(ScenarioMetric::energy_per_image)
         << (S->Pipeline ? " per output" : " per input") << " (estimate: power x time)\n";
    } else {
      const PrecisionRecord &Tables = tablePrecision(*S);
      const PrecisionRecord *C = computeOf(M, *S), *E = expertComputeOf(M, *S);
      OS << fmt::format(
          "  batch {}, prompt {} tokens, output {} tokens; weights {}{}{}, "
          "activations {}, KV {}, compute {}{}\n",
          S->Batch, S->Prompt, S->Output, S->Weights->Name,
          &Tables == S->Weights ? std::string()
                                : " (embedding tables and output head " + Tables.Name + ")",
          S->ExpertWeights ? " (experts " + S->ExpertWeights->Name + ")" : "", S->Activations->Name,
          S->KV->Name, C->Name, E != C ? " (experts " + E->Name + ")" : "");
      factors(OS, *S);
      OS << "  prefill:    " << B(ScenarioMetric::prefill_time) << " to first token, "
         << R(ScenarioMetric::prefill_bound) << "-bound; intensity "
         << R(ScenarioMetric::prefill_intensity) << " vs ridge " << R(ScenarioMetric::ridge_point)
         << "; MFU " << R(ScenarioMetric::mfu_prefill) << "; "
         << R(ScenarioMetric::prefill_tokens_per_s) << "\n";
      OS << "  decode:     " << B(ScenarioMetric::decode_time) << " per step (first "
         << R(ScenarioMetric::first_decode_time) << ", last " << R(ScenarioMetric::last_decode_time)
         << "), " << R(ScenarioMetric::decode_bound) << "-bound; overhead "
         << R(ScenarioMetric::overhead_time) << "; intensity "
         << R(ScenarioMetric::decode_intensity) << "; MBU " << R(ScenarioMetric::mbu_decode)
         << "\n";
      OS << "  throughput: " << B(ScenarioMetric::tokens_per_s) << " per sequence, "
         << B(ScenarioMetric::aggregate_tokens_per_s) << " for the batch; whole generation "
         << B(ScenarioMetric::generation_time) << "\n";
      OS << "  serving:    batch " << B(ScenarioMetric::serving_batch) << ", "
         << B(ScenarioMetric::serving_tokens_per_s) << " of output\n";
      if (S->Devices > 1 && S->AttentionDP)
        OS << "  attention data parallel: " << B(ScenarioMetric::interconnect_time)
           << " of all-to-all per decode step\n";
      else if (S->Devices > 1)
        OS << "  tensor parallel: " << B(ScenarioMetric::interconnect_time)
           << " of all-reduce per decode step\n";
      // Ranks beyond a kind's key-value heads (any, for a latent) hold its cache again.
      std::string Held;
      if (!S->AttentionDP) {
        const auto [Fewest, Most] = kvCopies(S->Model->Stats, S->Devices);
        if (Most > 1)
          Held = fmt::format(" ({}{:g} copies over the tensor ranks)",
                             Fewest < Most ? "up to " : "", Most);
      }
      // Attention data parallel: every device holds as many sequences' cache as the busiest.
      if (S->AttentionDP && S->Devices > 1 && S->Batch % S->Devices != 0) {
        const int64_t Each = (S->Batch + S->Devices - 1) / S->Devices;
        Held = fmt::format(" (each of {} devices as the busiest: {} sequence{})", S->Devices, Each,
                           Each == 1 ? "" : "s");
      }
      // Ranks beyond a linear layer's `shards` (a router, a latent's down-projection) hold it
      // again.
      std::string WeightsHeld;
      if (const WeightCopies C = scenarioWeightCopies(*S); C.Params > 0)
        WeightsHeld = fmt::format(" ({} of it copies over the tensor ranks)", humanBytes(C.Bytes));
      OS << "  memory:     weights " << R(ScenarioMetric::weight_bytes) << WeightsHeld << " + KV "
         << R(ScenarioMetric::kv_bytes) << Held << " + workspace "
         << R(ScenarioMetric::workspace_bytes) << " = " << R(ScenarioMetric::memory_per_device)
         << " per device; fits: " << R(ScenarioMetric::fits) << "; largest batch "
         << R(ScenarioMetric::max_batch) << ", longest sequence " << R(ScenarioMetric::max_context)
         << " tokens; devices needed " << R(ScenarioMetric::devices_needed) << "\n";
      OS << "  energy:     " << R(ScenarioMetric::energy_per_token)
         << " per decoded token (estimate: power x time)\n";
    }
    // Cost and carbon, where the scenario names a price or a grid.
    const bool Images = S->Model->Stats.PerInput;
    if (S->Cost)
      OS << "  cost:       "
         << B(Images ? ScenarioMetric::cost_per_thousand_images
                     : ScenarioMetric::cost_per_million_output_tokens)
         << (S->Pipeline ? " per 1,000 outputs"
             : Images    ? " per 1,000 inputs"
                         : " per million output tokens")
         << " (" << describePrice(*S->Cost, S->Term)
         << (S->Cost->owned() ? ", plus electricity at grid " + S->Energy->Name : "") << ")\n";
    if (S->Energy)
      OS << "  carbon:     "
         << B(Images ? ScenarioMetric::carbon_per_image : ScenarioMetric::carbon_per_token)
         << (S->Pipeline ? " per output"
             : Images    ? " per input"
                         : " per decoded token")
         << " (grid " << S->Energy->Name
         << fmt::format(": {} x PUE {:g})\n",
                        wallPowerStated(S->Cost) ? "the wall power of " + S->Cost->Name
                                                 : std::string("TDP"),
                        S->Energy->PUE);
    for (const std::string &N : S->Notes)
      OS << "  note:       " << N << "\n";
    // How far a prediction on this device has been checked, by what the inputs hold.
    if (S->Hw) {
      const Module::DeviceMeasurements D = M.measurementsOn(S->Hw);
      if (D.HeldOut > 0)
        OS << fmt::format("  checked:    against {} held-out measurement{} on {} among the inputs "
                          "(docs/validation.md)\n",
                          D.HeldOut, D.HeldOut == 1 ? "" : "s", S->Hw->Name);
      else
        OS << fmt::format("  checked:    no held-out measurement on {} among the inputs{} "
                          "(docs/validation.md lists every device's)\n",
                          S->Hw->Name,
                          D.Calibration ? fmt::format("; {} calibrate{} factors", D.Calibration,
                                                      D.Calibration == 1 ? "s" : "")
                                        : std::string());
    }
    OS << "\n";
  }
  OS << "Expected figures: the datasheet peaks and bandwidth times the hardware's achievable\n"
        "fractions and the runtime's per-kernel factors, plus fixed costs per operation and per\n"
        "collective (docs/formulas.md). The ideal roofline beside each is the same work at the\n"
        "datasheet figures with no fixed cost and its collectives beside its products: a bound.\n";
}

namespace {
/// A what-if's table: the figures as they are, each row's improvements (`-` under 0.05%), and
/// `binding`, for each figure the change that improves it most.
void whatIfTable(llvm::raw_ostream &OS, const std::vector<std::string> &Names,
                 const std::vector<std::string> &AsItIs, const std::vector<WhatIfRow> &Rows) {
  OS << "  change                          ";
  for (const std::string &N : Names)
    OS << fmt::format("{:>22}", N);
  OS << "\n  as it is                        ";
  for (const std::string &V : AsItIs)
    OS << fmt::format("{:>22}", V);
  OS << "\n";
  for (const WhatIfRow &R : Rows) {
    OS << fmt::format("  {:<32}", R.Change);
    for (double G : R.Gains)
      OS << fmt::format("{:>22}",
                        std::fabs(G) < 0.05 ? std::string("-") : fmt::format("{:+.1f}%", G));
    OS << "\n";
  }
  std::string Binding;
  for (size_t I = 0; I < Names.size(); ++I) {
    const WhatIfRow *Top = nullptr;
    for (const WhatIfRow &R : Rows)
      if (R.Gains[I] >= 0.05 && (!Top || R.Gains[I] > Top->Gains[I]))
        Top = &R;
    if (Top)
      Binding += (Binding.empty() ? "" : "; ") + Names[I] + ": " +
                 Top->Change.substr(0, Top->Change.rfind(' '));
  }
  if (!Binding.empty())
    OS << "  binding: " << Binding << "\n";
  OS << "\n";
}
} // namespace

void WhatIfEmitter::run(llvm::raw_ostream &OS) {
  auto Scenarios = sortedScenarios(M);
  // Training records with results; only the --train runs where there are some (as
  // --emit=training shows them).
  bool AdHoc = false;
  for (const auto &T : M.Trainings)
    AdHoc |= T->AdHoc;
  std::vector<const TrainingRecord *> Trainings;
  for (const auto &T : M.Trainings)
    if (!T->Results.empty() && T->Model && T->System && (T->AdHoc || !AdHoc))
      Trainings.push_back(T.get());
  std::sort(Trainings.begin(), Trainings.end(),
            [](const TrainingRecord *A, const TrainingRecord *B) { return A->Name < B->Name; });
  // --train alone (no --model or --hardware) asks about its runs, not the declared scenarios.
  if (AdHoc && std::none_of(Scenarios.begin(), Scenarios.end(),
                            [](const ScenarioRecord *S) { return S->AdHoc; }))
    Scenarios.clear();
  if (Scenarios.empty() && Trainings.empty()) {
    OS << "No scenarios: declare `scenario` or `training` records, or pass --model and "
          "--hardware (or --train).\n";
    return;
  }
  for (const ScenarioRecord *S : Scenarios) {
    if (S->Results.empty() || !S->Model || !S->Hw)
      continue;
    WhatIf W = whatIf(M, *S);
    OS << "Scenario " << S->Name << ": " << S->modelName() << " on " << S->Devices << " x "
       << S->Hw->Name << (S->AttentionDP ? " (attention data parallel)" : "")
       << (S->UsedRuntime ? ", runtime " + S->UsedRuntime->Name : "") << "\n";
    std::vector<std::string> Names, AsItIs;
    for (ScenarioMetric K : W.Headlines) {
      const Value *V = S->result(K);
      Names.push_back(scenarioMetricName(K).str());
      AsItIs.push_back(V ? humanResult(*V) : std::string("-"));
    }
    whatIfTable(OS, Names, AsItIs, W.Rows);
  }
  for (const TrainingRecord *T : Trainings) {
    OS << "Training " << T->Name << ": " << T->Model->Name << " on " << T->Devices << " x "
       << (T->System->Hw ? T->System->Hw->Name : "-") << " (" << T->System->Name << ")"
       << (T->Runtime ? ", runtime " + T->Runtime->Name : "")
       << fmt::format(", layout tp {} x pp {} x cp {} x dp {}\n", T->TP, T->PP, T->CP, T->DP);
    const Value *Step = T->result(TrainingMetric::step_time);
    whatIfTable(OS, {"step_time"}, {Step ? humanResult(*Step) : std::string("-")},
                trainingWhatIf(M, *T).Rows);
  }
  OS << "Each row: the headline figures with one input of the machine changed by 10% (the same\n"
        "analysis), as an improvement, ranked by the largest; `binding` names, for each figure,\n"
        "the input whose change improves it most."
     << (Trainings.empty() ? "" : " A training record keeps its layout.") << "\n";
}
