//===- ValidationEmitter.cpp - the validation table (--emit=validation) ---===//
//
// A Markdown table: one row per published measurement with the ideal-roofline and calibrated
// predictions and the calibrated error, then the calibration factors and the error per regime
// over the held-out rows. docs/validation.md embeds this output verbatim.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include <fmt/format.h>

using namespace zoo;

namespace {
std::string number(const Value &Like, double V) {
  Value X = Like;
  X.R = V;
  return humanResult(X);
}
} // namespace

void ValidationEmitter::run(llvm::raw_ostream &OS) {
  if (M.Validation.empty()) {
    OS << "No measurements: declare scenarios with `measured` values.\n";
    return;
  }
  OS << "| scenario | regime | metric | measured | ideal roofline | calibrated | error | role |\n"
     << "|---|---|---|---:|---:|---:|---:|---|\n";
  for (const Module::ValidationRow &R : M.Validation)
    OS << fmt::format("| {} | {} | {} | {} | {} | {} | {:+.1f}% | {} |\n", R.Scenario->Name,
                      R.Scenario->Regime, scenarioMetricName(R.M->Metric),
                      humanResult(R.M->Measured), number(R.M->Measured, R.Ideal),
                      number(R.M->Measured, R.Predicted), R.ErrorPercent,
                      R.Scenario->Calibration ? "calibration" : "held out");
  OS << fmt::format(
      "\nCalibrated efficiency: compute {:.3f}, memory {:.3f}, vision {:.3f} (medians "
      "over the calibration rows; 1 is the ideal roofline).\n\n",
      M.CalibratedCompute, M.CalibratedMemory, M.CalibratedVision);
  OS << "| regime (held-out rows) | n | median abs. error | worst error |\n|---|---:|---:|---:|\n";
  for (const Module::ValidationSummary &S : M.ValidationByRegime)
    OS << fmt::format("| {} | {} | {:.1f}% | {:+.1f}% |\n", S.Regime, S.Count, S.MedianAbsError,
                      S.WorstError);
}
