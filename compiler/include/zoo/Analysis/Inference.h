//===- Inference.h - prefill, decode, serving and vision on a machine -*- C++ -*-===//
//
// The performance model of one scenario on one Machine (Machine.h): time to first token, every
// decode step (summed in closed form over the generation), serving throughput at the largest
// batch that fits, memory, energy; for models with an input, one forward pass of the batch,
// operation by operation. On the ideal machine the same work gives the ideal roofline.
// Formulas and sources: docs/formulas.md.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_INFERENCE_H
#define ZOO_ANALYSIS_INFERENCE_H

#include "zoo/Analysis/Machine.h"
#include <cmath>

namespace zoo {

/// What bounds a phase: a roof, fixed per-operation costs, or the interconnect.
enum class Bound { Compute, Memory, Overhead, Interconnect };
const char *boundName(Bound B);

/// The cost of one phase (a prefill, one decode step, one forward pass).
struct PhaseCost {
  double Flops = 0, Bytes = 0; ///< work and memory traffic
  double Time = 0;             ///< seconds
  Bound Binds = Bound::Memory;
  /// Seconds of Time spent in the work of each slot (the roof that wins each part; fixed costs
  /// and collectives' latency under their own slots). Calibration reads it.
  std::array<double, NumSlots> BySlot{};
  double CommBandwidth = 0; ///< seconds of collectives' bandwidth term (no slot)
  /// Models with an input: bytes the device's on-chip cache serves instead of memory (not in
  /// Bytes), and whether the weights fit it beside the widest operation's activations (a pass
  /// after one of the same model finds them there).
  double CachedBytes = 0;
  bool WeightsFit = false;
};

struct InferenceResult {
  std::vector<std::pair<ScenarioMetric, Value>> Results;
  PhaseCost Prefill; ///< models with an input: the forward pass of the batch
  PhaseCost Decode;  ///< the decode step at the middle of the generation
  /// Counts that came out not finite or beyond 64 bits (with the value): errors at the scenario.
  std::vector<std::pair<ScenarioMetric, double>> BadCounts;

  /// Result K, or null where the analysis gave none.
  const Value *find(ScenarioMetric K) const { return findResult(Results, K); }
  /// Result K as a real; NaN where the analysis gave none.
  double number(ScenarioMetric K) const {
    const Value *V = find(K);
    return V ? V->asDouble() : NAN;
  }
  /// Whether the `fits` result is true.
  bool fits() const {
    const Value *V = find(ScenarioMetric::fits);
    return V && V->B;
  }
};

/// Analyses scenario `S` on machine `X`. The model, hardware and precisions must be set.
InferenceResult analyse(const Module &M, const ScenarioRecord &S, const Machine &X);

} // namespace zoo

#endif
