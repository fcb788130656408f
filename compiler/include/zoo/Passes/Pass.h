//===- Pass.h - the pass interface and the default pipeline -------*- C++ -*-===//
//
// A pass reads the checked Module, writes metrics into its records and reports problems through
// the engine. Passes never print. The pipeline is one explicit list (static self-registration is
// dropped by the linker in static libraries).
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_PASSES_PASS_H
#define ZOO_PASSES_PASS_H

#include "zoo/Basic/Diagnostic.h"
#include "zoo/Analysis/Machine.h"
#include "zoo/IR/Module.h"
#include <memory>
#include <vector>

namespace zoo {

enum class LogicalResult { Success, Failure };
inline LogicalResult success(bool OK = true) {
  return OK ? LogicalResult::Success : LogicalResult::Failure;
}
inline LogicalResult failure() { return LogicalResult::Failure; }
inline bool failed(LogicalResult R) { return R == LogicalResult::Failure; }

class Pass {
public:
  virtual ~Pass() = default;
  /// The pass's command-line name.
  virtual llvm::StringRef getArgument() const = 0;
  virtual LogicalResult run(Module &M, DiagnosticEngine &Diags) = 0;
};

std::unique_ptr<Pass> createCostModelPass();
std::unique_ptr<Pass> createCountLayersPass();
std::unique_ptr<Pass> createVerifyExpectsPass();
std::unique_ptr<Pass> createEvaluateMetricsPass();
std::unique_ptr<Pass> createRooflinePass();
std::unique_ptr<Pass> createTrainingPass();
std::unique_ptr<Pass> createServingPass();
std::unique_ptr<Pass> createFitMatrixPass();
std::unique_ptr<Pass> createValidationPass();

/// Figure `Metric` of serving record `Sv` under its own workload, as the serving report gives it
/// (rates for every replica), simulated on runtime `R` with `Overrides` (the calibration's trial
/// factors); none for a figure the run does not give, a record with `plan` or one that cannot be
/// simulated.
std::optional<double> simulatedServing(const Module &M, const ServingRecord &Sv,
                                       const RuntimeRecord *R,
                                       llvm::ArrayRef<SlotOverride> Overrides,
                                       ServingMetric Metric);

/// Runs the performance model on one scenario: fills its runtime, factors, notes, expected
/// Results and Ideal roofline. Returns the counts (with their values) that came out not finite
/// or beyond 64 bits.
std::vector<std::pair<ScenarioMetric, double>> analyseScenario(const Module &M, ScenarioRecord &S);

/// Reports the first field of scenario (or serving replica) `S` that does not apply to its model
/// (`attention_dp`, the expert precisions; their options for an ad hoc scenario): false after it.
bool checkModelFields(const ScenarioRecord &S, DiagnosticEngine &Diags);

/// Every pass, in order. Metric passes first, verification last.
std::vector<std::unique_ptr<Pass>> createDefaultPipeline();

/// Runs the pipeline; stops after the first failing pass.
LogicalResult runPipeline(Module &M, DiagnosticEngine &Diags);

/// The value of metric `K` for model `R` with arguments `A`, in closed form over ModelStats.
/// Returns nullopt, with the reason in `Why`, where the metric is undefined for the model
/// (generation for a bidirectional encoder).
std::optional<Value> metricValue(const ModelRecord &R, MetricKind K, const MetricArgs &A,
                                 std::string &Why);

/// Every metric of `R` at `M`'s analysis point, then `weight_bytes` at every precision, into `Out`
/// (cleared first): what the evaluate-metrics pass keeps in ModelRecord::Evaluated. Empty when
/// the model did not expand or the point's precisions are not declared.
void evaluateMetrics(const Module &M, const ModelRecord &R, std::vector<MetricResult> &Out);

/// KV cache and state of each layer kind of `R` at context `Context` and precision `P`.
std::vector<KVKind> kvByKind(const ModelRecord &R, const PrecisionRecord &P, int64_t Context);

/// Decimal spelling of a wide count.
std::string wideToString(Wide V);

} // namespace zoo

#endif
