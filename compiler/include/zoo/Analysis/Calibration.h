//===- Calibration.h - fitting runtime factors on marked measurements -*- C++ -*-===//
//
// The documented procedure that turns the measurements marked `calibration` into runtime
// factors (docs/validation.md, "Calibration"), and the predictions the validation compares with
// every measurement. Rerunnable by anyone: `zooc --emit=calibration zoo/`.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_CALIBRATION_H
#define ZOO_ANALYSIS_CALIBRATION_H

#include "zoo/Analysis/Machine.h"
#include <functional>
#include <optional>

namespace zoo {

/// The slot a calibration row fits, by its regime: a language model with experts fits bandwidth
/// experts at `decode` (keyed by the expert weights' precision where 8 bits or narrower) and
/// compute experts otherwise; else `decode` on one device fits the weight-read slot (gemv, or
/// dequant_gemv of its weight precision), on several devices collective_latency; `prefill` fits
/// compute gemm; `serving` fits bandwidth attention; `vision` fits compute gemm at a batch of 8 or
/// more and op_overhead below. `Key` is the precision the slot is fitted for: the weights' for
/// dequant_gemv; else the one the analysis looks the slot up at (slotPrecision) where that is 8
/// bits or narrower, and `any` otherwise. None for other regimes.
struct SlotKey {
  Slot K;
  std::string Key;
  bool operator<(const SlotKey &O) const { return std::tie(K, Key) < std::tie(O.K, O.Key); }
  bool operator==(const SlotKey &O) const { return K == O.K && Key == O.Key; }
};
/// The slot scenario row `S` fits on runtime `R` (whose precision for quantized weights keys it).
std::optional<SlotKey> calibratedSlot(const ScenarioRecord &S, const RuntimeRecord *R);

/// The value of `Metric` that scenario `S` predicts on runtime `R` with `Overrides`, or nullopt.
std::optional<double> predict(const Module &M, const ScenarioRecord &S, ScenarioMetric Metric,
                              const RuntimeRecord *R, llvm::ArrayRef<SlotOverride> Overrides = {});
/// The same at the ideal roofline.
std::optional<double> predictIdeal(const Module &M, const ScenarioRecord &S, ScenarioMetric Metric);

struct FittedSlot {
  const RuntimeRecord *Runtime; ///< the runtime fitted (the default runtime: every row)
  SlotKey Slot;
  double Value = 0;
  /// The rows that inform the slot (a scenario's or a serving record's name), each with its
  /// error (percent) after the fit.
  struct Row {
    std::string Name;
    double ErrorPercent;
  };
  std::vector<Row> Rows;
};

/// A serving record's simulated figure `Metric` (output tokens a second, or a mean or median TTFT
/// or TPOT) on a runtime with trial factors (the serving simulation, which the caller supplies:
/// simulatedServing).
using ServingPredictor = std::function<std::optional<double>(
    const ServingRecord &, const RuntimeRecord *, llvm::ArrayRef<SlotOverride>, ServingMetric)>;
/// Whether serving record `Sv` is a full-load calibration row: marked calibration, a closed loop
/// that sends every request at once (concurrency = requests), measuring output tokens a second.
/// Its measured output tokens a second; none for any other record.
std::optional<double> fullLoadCalibration(const ServingRecord &Sv);
/// A light-load calibration row's measurements: a serving record marked calibration whose
/// requests arrive at a rate (an open loop), measuring a mean or median TTFT (they fit the
/// runtime's request_overhead) or TPOT, or the median time between tokens (step_overhead on one
/// device, collective_latency on several). None for any other record.
std::vector<std::pair<ServingMetric, double>> lightLoadCalibration(const ServingRecord &Sv);

/// Fits, for each runtime that calibration rows name and for the default runtime over the rows of
/// serving engines, the slots those rows inform, by least squares of the log error (other slots
/// at their record values). See Calibration.cpp for the procedure.
/// Full-load serving rows (fullLoadCalibration) then fit compute gemm at their compute precision
/// through `Serve`, the slot alone, with the scenario rows that inform it; light-load serving
/// rows (lightLoadCalibration) fit their runtime's fixed costs the same way.
std::vector<FittedSlot> fitCalibration(const Module &M, const ServingPredictor &Serve = nullptr);

/// Golden-section search for the minimum of a unimodal `F` on [Lo, Hi], `Iterations` steps: the
/// middle of the last bracket. The runtime calibration and the training fit both use it.
double goldenSection(double Lo, double Hi, int Iterations, llvm::function_ref<double(double)> F);

/// The median of `V` (the mean of the middle two for an even count; 0 for none): every
/// validation summary's statistic.
double median(std::vector<double> V);

/// The value `R`'s record holds for slot `K` (`any` or a precision key), if it sets one.
std::optional<double> recordValue(const RuntimeRecord &R, const SlotKey &K);

} // namespace zoo

#endif
