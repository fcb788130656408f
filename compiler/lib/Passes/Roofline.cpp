//===- Roofline.cpp - a model on hardware: the performance model per scenario ===//
//
// For each scenario (declared, or made by the driver from --model and --hardware):
//   1. the runtime: the scenario's, else --runtime, else the default runtime;
//   2. the machine (Analysis/Machine): datasheet figures and the factors of the hardware, the
//      runtime and a power limit, each with its origin;
//   3. the analysis (Analysis/Inference) on that machine gives the expected figures, and on the
//      ideal machine (every factor 1, no fixed cost) the ideal roofline of the same work.
// A figure that is not finite is an error at the scenario.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Inference.h"
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
      analyseScenario(M, *S);
      for (const auto *Rs : {&S->Results, &S->Ideal})
        for (const auto &R : *Rs)
          if ((R.second.T.K == Type::Real || R.second.T.K == Type::Quantity) &&
              !std::isfinite(R.second.R)) {
            Diags.report(S->Range, diag::err_analysis_not_finite, S->Name,
                         scenarioMetricName(R.first));
            OK = false;
            break;
          }
    }
    return success(OK);
  }
};
} // namespace

void zoo::analyseScenario(const Module &M, ScenarioRecord &S) {
  const RuntimeRecord *R = runtimeOf(M, S);
  Machine X = makeMachine(M, S, R);
  S.UsedRuntime = R;
  S.Factors = X.Uses;
  S.Notes = X.Notes;
  S.Results = analyse(M, S, X).Results;
  S.Ideal = analyse(M, S, X.ideal()).Results;
}

std::unique_ptr<Pass> zoo::createRooflinePass() { return std::make_unique<RooflinePass>(); }
