//===- Validation.cpp - predictions against published measurements --------===//
//
// Runs only for --emit=validation and --emit=calibration. Algorithm:
//   1. For --emit=calibration, fit the runtime factors on the measurements marked `calibration`
//      (Analysis/Calibration): what the records should hold. The predictions below use the
//      records, never the fit.
//   2. For every measurement: the ideal roofline, the expected figure with the runtime the row
//      names (the default where it names none), and with the default runtime (what a user who
//      names none gets); the signed error of each against the measurement.
//   3. Summarise over the held-out rows (not `calibration`): per regime, per coverage tag
//      (tensor parallel, mixture of experts, weight-only int4 / int8, fp8, vision at batch 1 and
//      at large batch, Apple M-series GPUs) and overall: the median absolute error and the worst
//      error; where there are Apple rows, also overall and per regime without them (one table of
//      one build on one model, too many rows to let it stand in for the rest).
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Calibration.h"
#include "zoo/Analysis/Machine.h"
#include "zoo/Passes/Pass.h"
#include <algorithm>
#include <cmath>

using namespace zoo;

namespace {
constexpr const char *AppleTag = "Apple M-series GPUs";
constexpr const char *AllButApple = "all but Apple M-series GPUs";
constexpr const char *WithoutApple = ", without Apple M-series GPUs";

/// Rows on Apple's GPUs: one source (one build of one engine on one model) with many rows,
/// summarised on its own and left out of a second overall figure so that it does not stand in for
/// the rest.
bool onApple(const ScenarioRecord &S) {
  const FieldValue *V = S.Hw ? S.Hw->field("vendor") : nullptr;
  return V && V->V.S == "Apple";
}

/// The coverage tags of a row (docs/validation.md).
std::vector<std::string> tagsOf(const Module &M, const ScenarioRecord &S) {
  std::vector<std::string> T;
  if (S.Devices > 1)
    T.push_back("tensor parallel");
  if (!S.Model->Stats.Experts.empty())
    T.push_back("mixture of experts");
  const PrecisionRecord *C = computeOf(M, S);
  const bool WeightOnly = dequantising(S, runtimeOf(M, S));
  if (WeightOnly && S.Weights->Bits <= 4)
    T.push_back("weight-only 4-bit");
  if (WeightOnly && S.Weights->Bits == 8)
    T.push_back("weight-only 8-bit");
  if (llvm::StringRef(C->Name).startswith("fp8"))
    T.push_back("fp8 compute");
  if (S.Regime == "vision")
    T.push_back(S.Batch < 8 ? "vision, batch < 8" : "vision, batch >= 8");
  if (onApple(S))
    T.push_back(AppleTag);
  return T;
}

class ValidationPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "validation"; }

  LogicalResult run(Module &M, DiagnosticEngine &) override {
    if (!M.WantValidation && !M.WantCalibration)
      return success();
    M.Validation.clear();
    M.ValidationSummaries.clear();
    M.Fitted.clear();
    M.MeasuredRows = M.CalibrationRows = 0;
    // 1. The fit (only --emit=calibration shows it).
    ServingPredictor Serve = [&M](const ServingRecord &Sv, const RuntimeRecord *R,
                                  llvm::ArrayRef<SlotOverride> O,
                                  ServingMetric K) { return simulatedServing(M, Sv, R, O, K); };
    for (FittedSlot &F :
         M.WantCalibration ? fitCalibration(M, Serve) : std::vector<FittedSlot>()) {
      Module::FittedFactor X;
      X.Runtime = F.Runtime;
      X.Slot = slotName(F.Slot.K) + (F.Slot.Key == "any" ? "" : " " + F.Slot.Key);
      X.Fitted = F.Value;
      X.InRecord = recordValue(*F.Runtime, F.Slot);
      X.Seconds = slotIsSeconds(F.Slot.K);
      X.Cycles = F.Slot.K == Slot::OpCycles;
      for (const FittedSlot::Row &R : F.Rows)
        X.Rows.push_back({R.Name, R.ErrorPercent});
      M.Fitted.push_back(std::move(X));
    }

    // 2. Every measurement.
    for (auto &S : M.Scenarios) {
      if (S->Measured.empty() || !S->Model || S->Results.empty())
        continue;
      for (const Measurement &X : S->Measured) {
        ++M.MeasuredRows;
        M.CalibrationRows += S->Calibration;
        Module::ValidationRow Row{S.get(), &X};
        double Measured = X.Measured.asDouble();
        auto Error = [&](double P) { return 100 * (P - Measured) / Measured; };
        Row.Ideal = predictIdeal(M, *S, X.Metric).value_or(NAN);
        Row.DefaultRuntime = M.defaultRuntime(S->Hw);
        Row.Named =
            predict(M, *S, X.Metric, S->Runtime ? S->Runtime : Row.DefaultRuntime).value_or(NAN);
        Row.Default = predict(M, *S, X.Metric, Row.DefaultRuntime).value_or(NAN);
        Row.IdealError = Error(Row.Ideal);
        Row.NamedError = Error(Row.Named);
        Row.DefaultError = Error(Row.Default);
        M.Validation.push_back(Row);
      }
    }

    // 3. Summaries over held-out rows.
    std::vector<std::string> Groups;
    auto Add = [&](const std::string &G) {
      if (std::find(Groups.begin(), Groups.end(), G) == Groups.end())
        Groups.push_back(G);
    };
    for (const auto &Row : M.Validation)
      Add(Row.Scenario->Regime);
    std::sort(Groups.begin(), Groups.end());
    size_t Regimes = Groups.size();
    for (const auto &Row : M.Validation)
      for (const std::string &T : tagsOf(M, *Row.Scenario))
        Add(T);
    std::sort(Groups.begin() + static_cast<long>(Regimes), Groups.end());
    const bool Apple = std::find(Groups.begin(), Groups.end(), AppleTag) != Groups.end();
    Groups.push_back("all");
    if (Apple) {
      Groups.push_back(AllButApple);
      // Each regime the Apple rows are in, without them.
      for (size_t I = 0; I < Regimes; ++I)
        for (const auto &Row : M.Validation)
          if (Row.Scenario->Regime == Groups[I] && onApple(*Row.Scenario)) {
            Groups.push_back(Groups[I] + WithoutApple);
            break;
          }
    }
    for (const std::string &G : Groups) {
      std::vector<double> Named, Default, Ideal;
      Module::ValidationSummary Sum;
      Sum.Group = G;
      for (const auto &Row : M.Validation) {
        if (Row.Scenario->Calibration)
          continue;
        std::vector<std::string> Tags = tagsOf(M, *Row.Scenario);
        const bool IsApple = onApple(*Row.Scenario);
        auto InGroup = [&] {
          if (G == "all")
            return true;
          if (G == AllButApple)
            return !IsApple;
          if (llvm::StringRef(G).endswith(WithoutApple))
            return !IsApple && G == Row.Scenario->Regime + WithoutApple;
          return Row.Scenario->Regime == G || std::find(Tags.begin(), Tags.end(), G) != Tags.end();
        };
        if (!InGroup())
          continue;
        // Only numbers enter a median (a NaN would also break the sort's ordering).
        for (auto [Into, E] : {std::pair{&Named, Row.NamedError},
                               {&Default, Row.DefaultError},
                               {&Ideal, Row.IdealError}})
          if (std::isfinite(E))
            Into->push_back(std::fabs(E));
        if (std::fabs(Row.NamedError) > std::fabs(Sum.NamedWorst))
          Sum.NamedWorst = Row.NamedError;
        if (std::fabs(Row.DefaultError) > std::fabs(Sum.DefaultWorst))
          Sum.DefaultWorst = Row.DefaultError;
      }
      if (Named.empty() && Default.empty() && Ideal.empty())
        continue;
      Sum.Count = static_cast<int>(std::max({Named.size(), Default.size(), Ideal.size()}));
      Sum.NamedMedian = median(Named);
      Sum.DefaultMedian = median(Default);
      Sum.IdealMedian = median(Ideal);
      M.ValidationSummaries.push_back(Sum);
    }
    return success();
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createValidationPass() { return std::make_unique<ValidationPass>(); }
