//===- WhatIf.h - which input binds a scenario's headline figures -----*- C++ -*-===//
//
// The sensitivity of a scenario's headline figures (time to first token, decode tokens/s for one
// sequence, serving throughput; time per batch and inputs/s for models with an input) to each
// input of its machine changed by 10%: compute (the dense peak), memory bandwidth, memory
// capacity, the interconnect's bandwidth, the runtime's fixed costs per operation and per
// collective. Each is the same analysis on the changed machine (Inference.h), so the ranking
// says which constraint binds, and by how much. docs/formulas.md, "What-if".
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_WHATIF_H
#define ZOO_ANALYSIS_WHATIF_H

#include "zoo/Analysis/Inference.h"

namespace zoo {

struct WhatIfRow {
  std::string Change;              ///< `compute +10%`
  std::vector<double> Gains;       ///< percent improvement of each headline figure
  double Best = 0;                 ///< the largest of Gains
};

struct WhatIf {
  /// The scenario's headline metrics; empty for a training record, whose one figure is its step.
  std::vector<ScenarioMetric> Headlines;
  std::vector<double> Base;         ///< the headline figures as they are
  std::vector<WhatIfRow> Rows;      ///< ranked by Best, largest first
};

WhatIf whatIf(const Module &M, const ScenarioRecord &S);

/// The same for a training record's step time (less is better), its layout kept: compute, memory
/// bandwidth, the fabric's bandwidth (with several devices), the network's (with several nodes),
/// the runtime's latency a collective.
WhatIf trainingWhatIf(const Module &M, const TrainingRecord &T);

} // namespace zoo

#endif
