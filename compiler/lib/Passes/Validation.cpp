//===- Validation.cpp - predictions against published measurements --------===//
//
// Runs only for --emit=validation. Algorithm:
//   1. For every scenario with `measured` values, analyse it with ideal efficiency (1, 1) and
//      record the ideal prediction of each measured metric.
//   2. Calibrate: the memory factor is the median, over `calibration` scenarios of the decode
//      regimes, of measured rate / ideal rate (or ideal time / measured time); the compute factor
//      likewise over `calibration` scenarios of the prefill regime; a single vision factor (both
//      roofs) over `calibration` scenarios of the vision regime.
//   3. Re-analyse every measured scenario with the calibrated factors (a scenario's own factors
//      win) and record the prediction and its signed error against the measurement.
//   4. Summarise per regime, over the held-out (non-calibration) rows: median |error| and the
//      worst error.
//
//===----------------------------------------------------------------------===//
#include "zoo/Passes/Pass.h"
#include <algorithm>
#include <cmath>

using namespace zoo;

namespace {
double median(std::vector<double> V) {
  if (V.empty())
    return 1;
  std::sort(V.begin(), V.end());
  size_t N = V.size();
  return N % 2 ? V[N / 2] : (V[N / 2 - 1] + V[N / 2]) / 2;
}

/// Rates (tokens/s) grow with efficiency; times shrink.
bool isRate(ScenarioMetric K) {
  return K == ScenarioMetric::tokens_per_s || K == ScenarioMetric::aggregate_tokens_per_s ||
         K == ScenarioMetric::prefill_tokens_per_s || K == ScenarioMetric::images_per_s;
}

class ValidationPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "validation"; }

  LogicalResult run(Module &M, DiagnosticEngine &) override {
    if (!M.WantValidation)
      return success();
    M.Validation.clear();
    M.ValidationByRegime.clear();
    std::vector<ScenarioRecord *> Measured;
    for (auto &S : M.Scenarios)
      if (!S->Measured.empty() && S->Model && !S->Results.empty())
        Measured.push_back(S.get());

    // 1. Ideal predictions.
    std::vector<double> MemoryRatios, ComputeRatios, VisionRatios;
    for (ScenarioRecord *S : Measured) {
      auto Own = std::make_pair(S->ComputeEfficiency, S->MemoryEfficiency);
      S->ComputeEfficiency = 1.0;
      S->MemoryEfficiency = 1.0;
      analyseScenario(M, *S);
      for (const Measurement &X : S->Measured) {
        double Ideal = S->result(X.Metric)->asDouble();
        M.Validation.push_back({S, &X, Ideal, 0, 0});
        if (!S->Calibration)
          continue;
        double Ratio =
            isRate(X.Metric) ? X.Measured.asDouble() / Ideal : Ideal / X.Measured.asDouble();
        (S->Regime == "prefill"  ? ComputeRatios
         : S->Regime == "vision" ? VisionRatios
                                 : MemoryRatios)
            .push_back(Ratio);
      }
      S->ComputeEfficiency = Own.first;
      S->MemoryEfficiency = Own.second;
    }
    // 2. Calibration.
    M.CalibratedCompute = std::min(1.0, median(ComputeRatios));
    M.CalibratedMemory = std::min(1.0, median(MemoryRatios));
    M.CalibratedVision = std::min(1.0, median(VisionRatios));
    // 3. Calibrated predictions; inputs (images) use the one vision factor for both roofs.
    for (ScenarioRecord *S : Measured) {
      if (S->Regime == "vision") {
        if (!S->ComputeEfficiency)
          S->ComputeEfficiency = M.CalibratedVision;
        if (!S->MemoryEfficiency)
          S->MemoryEfficiency = M.CalibratedVision;
      }
      if (!S->ComputeEfficiency)
        S->ComputeEfficiency = M.CalibratedCompute;
      if (!S->MemoryEfficiency)
        S->MemoryEfficiency = M.CalibratedMemory;
      analyseScenario(M, *S);
    }
    for (Module::ValidationRow &Row : M.Validation) {
      Row.Predicted = Row.Scenario->result(Row.M->Metric)->asDouble();
      Row.ErrorPercent =
          100 * (Row.Predicted - Row.M->Measured.asDouble()) / Row.M->Measured.asDouble();
    }
    // 4. Per-regime summary over held-out rows.
    std::vector<std::string> Regimes;
    for (const auto &Row : M.Validation)
      if (std::find(Regimes.begin(), Regimes.end(), Row.Scenario->Regime) == Regimes.end())
        Regimes.push_back(Row.Scenario->Regime);
    std::sort(Regimes.begin(), Regimes.end());
    Regimes.push_back("all");
    for (const std::string &R : Regimes) {
      std::vector<double> Abs;
      double Worst = 0;
      for (const auto &Row : M.Validation) {
        if (Row.Scenario->Calibration || (R != "all" && Row.Scenario->Regime != R))
          continue;
        Abs.push_back(std::fabs(Row.ErrorPercent));
        if (std::fabs(Row.ErrorPercent) > std::fabs(Worst))
          Worst = Row.ErrorPercent;
      }
      if (!Abs.empty())
        M.ValidationByRegime.push_back({R, static_cast<int>(Abs.size()), median(Abs), Worst});
    }
    return success();
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createValidationPass() { return std::make_unique<ValidationPass>(); }
