//===- Metrics.cpp - reading a named metric from the computed stats -------===//
//
// The one place that maps a MetricKind (Metrics.def) to the ModelStats field a pass filled in.
//
//===----------------------------------------------------------------------===//
#include "zoo/Passes/Pass.h"

using namespace zoo;

Value zoo::metricValue(const ModelRecord &R, MetricKind K) {
  switch (K) {
  case MetricKind::params:
    return Value::ofInt(R.Stats.Params);
  case MetricKind::layers:
    return Value::ofInt(R.Stats.Layers);
  }
  llvm_unreachable("unknown metric");
}

