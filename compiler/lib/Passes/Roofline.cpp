//===- Roofline.cpp - a model on hardware: the performance model per scenario ===//
//
// For each scenario (declared, or made by the driver from --model and --hardware):
//   1. the runtime: the scenario's, else --runtime, else the default runtime;
//   2. the machine (Analysis/Machine): datasheet figures and the factors of the hardware, the
//      runtime and a power limit, each with its origin;
//   3. the analysis (Analysis/Inference) on that machine gives the expected figures, and on the
//      ideal machine (every factor 1, no fixed cost) the ideal roofline of the same work.
// A figure that is not finite, or a count (devices, batch, context) that does not fit in 64 bits,
// is an error at the scenario; none reaches a backend.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Inference.h"
#include "zoo/Analysis/Machine.h"
#include "zoo/Passes/Pass.h"
#include <cmath>

using namespace zoo;

namespace {
class RooflinePass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "roofline"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    bool OK = true;
    for (auto &S : M.Scenarios) {
      if (!S->Model || !S->Model->Root || !S->Hw)
        continue;
      const ModelStats &St = S->Model->Stats;
      if (St.Params == 0 && St.MacsConst == 0 && St.Attention.empty() && St.StateValues == 0) {
        Diags.report(S->Range, diag::err_nothing_to_analyse, S->Name, S->Model->Name);
        OK = false;
        continue;
      }
      if (!checkModelFields(*S, Diags)) {
        OK = false;
        continue;
      }
      std::vector<std::pair<ScenarioMetric, double>> BadCounts = analyseScenario(M, *S);
      bool Finite = true;
      for (const auto *Rs : {&S->Results, &S->Ideal})
        for (const auto &R : *Rs)
          if (Finite && (R.second.T.K == Type::Real || R.second.T.K == Type::Quantity) &&
              !std::isfinite(R.second.R)) {
            Diags.report(S->Range, diag::err_analysis_not_finite, S->Name,
                         scenarioMetricName(R.first));
            Finite = false;
          }
      // A count that is not finite follows from a figure that is not; report the first cause.
      for (const auto &[K, V] : BadCounts)
        if (Finite) {
          if (std::isfinite(V))
            Diags.report(S->Range, diag::err_analysis_count_range, S->Name, scenarioMetricName(K),
                         fmt::format("{:.3g}", V));
          else
            Diags.report(S->Range, diag::err_analysis_not_finite, S->Name, scenarioMetricName(K));
          Finite = false;
        }
      if (!Finite) {
        OK = false;
        S->Results.clear(); // nothing of it reaches a backend
        S->Ideal.clear();
      }
    }
    return success(OK);
  }
};
} // namespace

bool zoo::checkModelFields(const ScenarioRecord &S, DiagnosticEngine &Diags) {
  if (const char *Has = attentionDPProblem(S)) {
    Diags.report(S.AttentionDPRange,
                 S.AdHoc ? diag::err_attention_dp_option_model : diag::err_attention_dp_model,
                 S.Model->Name, Has);
    return false;
  }
  if (const char *Has = expertPrecisionProblem(S)) {
    Diags.report(S.ExpertPrecisionRange,
                 S.AdHoc ? diag::err_expert_precision_option_no_experts
                         : diag::err_expert_precision_no_experts,
                 S.Model->Name, Has);
    return false;
  }
  return true;
}

std::vector<std::pair<ScenarioMetric, double>> zoo::analyseScenario(const Module &M,
                                                                    ScenarioRecord &S) {
  const RuntimeRecord *R = runtimeOf(M, S);
  Machine X = makeMachine(M, S, R);
  S.UsedRuntime = R;
  S.Factors = X.Uses;
  S.Notes = X.Notes;
  InferenceResult Expected = analyse(M, S, X), Ideal = analyse(M, S, X.ideal());
  S.Results = std::move(Expected.Results);
  S.Ideal = std::move(Ideal.Results);
  std::vector<std::pair<ScenarioMetric, double>> Bad = std::move(Expected.BadCounts);
  Bad.insert(Bad.end(), Ideal.BadCounts.begin(), Ideal.BadCounts.end());
  return Bad;
}

std::unique_ptr<Pass> zoo::createRooflinePass() { return std::make_unique<RooflinePass>(); }
