//===- EvaluateMetrics.cpp - metrics at the requested analysis point ------===//
//
// Evaluates, for every model, each metric of Metrics.def at the module's AnalysisPoint (context,
// prompt and output lengths, batch, weight and KV precisions), and `weight_bytes` at every
// declared precision, into ModelRecord::Evaluated. Backends print these; they compute nothing,
// except that the JSON backend of a module with DeferMetrics evaluates each model's with the same
// function (evaluateMetrics) as it writes it.
//
//===----------------------------------------------------------------------===//
#include "zoo/Passes/Pass.h"
#include <algorithm>

using namespace zoo;

/// The metric arguments of the module's analysis point.
static MetricArgs pointArgs(const Module &M) {
  const AnalysisPoint &P = M.Point;
  MetricArgs A;
  A.Context = P.Context;
  A.Tokens = P.Prompt;
  A.Prompt = P.Prompt;
  A.Output = P.Output;
  A.Batch = P.Batch;
  A.Weights = M.findPrecision(P.Weights);
  A.KV = M.findPrecision(P.KV);
  A.Precision = A.KV;
  return A;
}

void zoo::evaluateMetrics(const Module &M, const ModelRecord &R, std::vector<MetricResult> &Out) {
  Out.clear();
  const MetricArgs A = pointArgs(M);
  if (!R.Root || !A.Weights || !A.KV)
    return;
  // Exactly the results below (every metric but weight_bytes, then one per precision): growing
  // the vector would hold up to twice that per model.
  Out.reserve(NumMetrics - 1 + M.Precisions.size());
  for (int K = 0; K < NumMetrics; ++K) {
    auto Kind = static_cast<MetricKind>(K);
    if (Kind == MetricKind::weight_bytes)
      continue; // below, at every precision
    std::string Why;
    Out.push_back({Kind, A, metricValue(R, Kind, A, Why)});
  }
  for (const auto &Prec : M.Precisions) {
    MetricArgs W = A;
    W.Precision = Prec.get();
    std::string Why;
    Out.push_back({MetricKind::weight_bytes, W, metricValue(R, MetricKind::weight_bytes, W, Why)});
  }
}

namespace {
class EvaluateMetricsPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "evaluate-metrics"; }

  LogicalResult run(Module &M, DiagnosticEngine &) override {
    const AnalysisPoint &P = M.Point;
    const MetricArgs A = pointArgs(M);
    for (auto &R : M.Models) {
      R->Evaluated.clear();
      if (!R->Root || !A.Weights || !A.KV)
        continue;
      if (!M.DeferMetrics)
        evaluateMetrics(M, *R, R->Evaluated);
      R->KVByKind = kvByKind(*R, *A.KV, A.Context);
      if (const FieldValue *C = R->field("context"))
        R->BeyondContext =
            !R->Stats.PerInput && std::max(P.Context, P.Prompt + P.Output - 1) > C->V.R;
    }
    return success();
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createEvaluateMetricsPass() {
  return std::make_unique<EvaluateMetricsPass>();
}
