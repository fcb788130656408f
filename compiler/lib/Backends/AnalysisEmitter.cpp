//===- AnalysisEmitter.cpp - scenarios in full (--emit=analysis) ----------===//
//
// One block per scenario: the setting, the efficiency factors and where they came from, then
// prefill, decode, memory and energy, each with its bound and the numbers behind it.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include "zoo/Basic/Checked.h"
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
  case Type::Real:
    return std::fabs(V.R) >= 1000 ? withThousands(static_cast<int64_t>(std::llround(V.R)))
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
    return V.str();
  }
  case Type::String:
  case Type::Error:
    break;
  }
  return V.str();
}

void AnalysisEmitter::run(llvm::raw_ostream &OS) {
  auto Scenarios = sortedScenarios(M);
  if (Scenarios.empty()) {
    OS << "No scenarios: declare `scenario` records or pass --model and --hardware.\n";
    return;
  }
  for (const ScenarioRecord *S : Scenarios) {
    OS << "Scenario " << S->Name << ": " << (S->Model ? S->Model->Name : "?") << " on "
       << S->Devices << " x " << (S->Hw ? S->Hw->Name : "?") << "\n";
    if (S->Results.empty()) {
      OS << "  not analysed (see the errors above)\n\n";
      continue;
    }
    if (S->Model->Stats.PerInput) {
      auto R = [&](ScenarioMetric K) {
        const Value *V = S->result(K);
        return V ? humanResult(*V) : std::string("-");
      };
      OS << fmt::format("  batch {}; weights {}, compute {}; efficiency: compute {:g}, memory {:g} "
                        "({})\n",
                        S->Batch, S->Weights->Name, S->Compute->Name, S->UsedComputeEfficiency,
                        S->UsedMemoryEfficiency, S->EfficiencyOrigin);
      OS << "  forward:    " << R(ScenarioMetric::batch_time) << " per batch, "
         << R(ScenarioMetric::forward_bound) << "-bound; " << R(ScenarioMetric::images_per_s)
         << " inputs/s; intensity " << R(ScenarioMetric::prefill_intensity) << " vs ridge "
         << R(ScenarioMetric::ridge_point) << "; MFU " << R(ScenarioMetric::mfu_prefill) << "\n";
      OS << "  memory:     weights " << R(ScenarioMetric::weight_bytes) << " + activations "
         << R(ScenarioMetric::activation_bytes) << " = " << R(ScenarioMetric::memory_per_device)
         << " per device; fits: " << R(ScenarioMetric::fits) << "\n";
      OS << "  energy:     " << R(ScenarioMetric::energy_per_image)
         << " per input (estimate: TDP x time)\n\n";
      continue;
    }
    OS << fmt::format("  batch {}, prompt {} tokens, output {} tokens; weights {}, KV {}, "
                      "compute {}\n",
                      S->Batch, S->Prompt, S->Output, S->Weights->Name, S->KV->Name,
                      S->Compute->Name);
    OS << fmt::format("  efficiency: compute {:g}, memory {:g} ({})\n", S->UsedComputeEfficiency,
                      S->UsedMemoryEfficiency, S->EfficiencyOrigin);
    auto R = [&](ScenarioMetric K) {
      const Value *V = S->result(K);
      return V ? humanResult(*V) : std::string("-");
    };
    OS << "  prefill:    " << R(ScenarioMetric::prefill_time) << " to first token, "
       << R(ScenarioMetric::prefill_bound) << "-bound; intensity "
       << R(ScenarioMetric::prefill_intensity) << " vs ridge " << R(ScenarioMetric::ridge_point)
       << "; MFU " << R(ScenarioMetric::mfu_prefill) << "; "
       << R(ScenarioMetric::prefill_tokens_per_s) << "\n";
    OS << "  decode:     " << R(ScenarioMetric::decode_time) << " per step (first "
       << R(ScenarioMetric::first_decode_time) << ", last " << R(ScenarioMetric::last_decode_time)
       << "), " << R(ScenarioMetric::decode_bound) << "-bound; intensity "
       << R(ScenarioMetric::decode_intensity) << "; MBU " << R(ScenarioMetric::mbu_decode) << "\n";
    OS << "  throughput: " << R(ScenarioMetric::tokens_per_s) << " per sequence, "
       << R(ScenarioMetric::aggregate_tokens_per_s) << " for the batch; whole generation "
       << R(ScenarioMetric::generation_time) << "\n";
    if (S->Devices > 1)
      OS << "  tensor parallel: " << R(ScenarioMetric::interconnect_time)
         << " of all-reduce per decode step\n";
    OS << "  memory:     weights " << R(ScenarioMetric::weight_bytes) << " + KV "
       << R(ScenarioMetric::kv_bytes) << " + workspace " << R(ScenarioMetric::workspace_bytes)
       << " = " << R(ScenarioMetric::memory_per_device)
       << " per device; fits: " << R(ScenarioMetric::fits) << "; largest batch "
       << R(ScenarioMetric::max_batch) << ", longest sequence " << R(ScenarioMetric::max_context)
       << " tokens; devices needed " << R(ScenarioMetric::devices_needed) << "\n";
    OS << "  energy:     " << R(ScenarioMetric::energy_per_token)
       << " per decoded token (estimate: TDP x time)\n\n";
  }
  OS << "Roofline: time = max(FLOPs / (peak x compute efficiency), bytes / (bandwidth x memory\n"
        "efficiency)) per phase. Efficiency defaults to 1 (the ideal roofline) unless a scenario "
        "or\n"
        "the hardware declares it, or --compute-efficiency/--memory-efficiency set it.\n";
}
