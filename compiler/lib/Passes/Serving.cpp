//===- Serving.cpp - the serving simulation per serving record ------------===//
//
// For each serving record Sema accepted: its replica's machine and prepared language model (the
// roofline pass's, at the workload's mean prompt and output), the KV budget the analysis leaves
// the cache, and the simulation of the workload (Analysis/Serving). A request that alone
// exceeds the budget, or a figure that is not finite, is an error at the record.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Serving.h"
#include "zoo/Passes/Pass.h"
#include <cmath>

using namespace zoo;

namespace {
class ServingPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "serving"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    bool OK = true;
    for (auto &Sv : M.Servings) {
      if (!Sv->Load || !Sv->Replica || !Sv->Replica->Model || !Sv->Replica->Model->Root ||
          !Sv->Replica->Hw)
        continue;
      ScenarioRecord &S = *Sv->Replica;
      if (S.Model->Stats.PerInput || S.Model->Stats.hasBidirectional()) {
        Diags.report(Sv->Range, diag::err_serving, Sv->Name,
                     "its model does not generate text (an input, or bidirectional attention)");
        OK = false;
        continue;
      }
      S.Prompt = Sv->Load->Input.Mean;
      S.Output = Sv->Load->Output.Mean;
      S.Batch = 1;
      const RuntimeRecord *R = runtimeOf(M, S);
      S.UsedRuntime = R;
      Machine X = makeMachine(M, S, R);
      S.Factors = X.Uses;
      PreparedLM P(S, X);
      LMFigures F = P.evaluate(LMPoint{1, S.Prompt, S.Output});
      if (!(F.Free > 0)) {
        bool Weights = !(P.evaluate(LMPoint{1, 1, 1}).Free > 0);
        Diags.report(Sv->Range, diag::err_serving, Sv->Name,
                     Weights ? "the weights leave no memory for the KV cache on this replica"
                             : "a request of the workload needs more KV cache than the replica "
                               "has");
        OK = false;
        continue;
      }
      ServingStats St = simulateServing(P, F.Free, *Sv->Load, Sv->TTFTTarget, Sv->TPOTTarget);
      if (St.Completed < 0) {
        Diags.report(Sv->Range, diag::err_serving, Sv->Name,
                     "a request of the workload needs more KV cache than the replica has");
        OK = false;
        continue;
      }
      auto Q = [&](ServingMetric K, double V, const char *Unit) {
        Value X;
        llvm::StringRef Type = servingMetricType(K);
        if (Type == "real") {
          X = Value::ofReal(V);
        } else {
          X.T = Type::quantity(*lookupDimension(Type));
          X.R = V;
          X.Unit = Unit;
        }
        Sv->Results.push_back({K, X});
      };
      Q(ServingMetric::ttft_p50, St.TTFT[0], "ms");
      Q(ServingMetric::ttft_p90, St.TTFT[1], "ms");
      Q(ServingMetric::ttft_p99, St.TTFT[2], "ms");
      Q(ServingMetric::tpot_p50, St.TPOT[0], "ms");
      Q(ServingMetric::tpot_p90, St.TPOT[1], "ms");
      Q(ServingMetric::tpot_p99, St.TPOT[2], "ms");
      Q(ServingMetric::e2e_p50, St.E2E[0], "s");
      Q(ServingMetric::e2e_p99, St.E2E[1], "s");
      Q(ServingMetric::queue_wait_mean, St.QueueWaitMean, "s");
      Q(ServingMetric::requests_per_s, St.RequestsPerS, "Hz");
      Q(ServingMetric::output_tokens_per_s, St.OutputTokensPerS, "tokens/s");
      Q(ServingMetric::goodput, St.Goodput, "Hz");
      Q(ServingMetric::sla_met, St.SLAMet, "");
      Q(ServingMetric::mean_batch, St.MeanBatch, "");
      Q(ServingMetric::max_concurrency, St.Concurrency, "");
      Q(ServingMetric::utilization, St.Utilization, "");
      if (std::isfinite(St.MMcWait)) {
        Q(ServingMetric::mmc_queue_wait, St.MMcWait, "s");
        if (St.MMcWait > 0)
          Q(ServingMetric::mmc_agreement, St.QueueWaitMean / St.MMcWait, "");
      }
      for (const auto &[K, V] : Sv->Results)
        if ((V.T.K == Type::Real || V.T.K == Type::Quantity) && !std::isfinite(V.R)) {
          Diags.report(Sv->Range, diag::err_serving, Sv->Name,
                       "its figures are out of range (`" + servingMetricName(K).str() + "`)");
          Sv->Results.clear();
          OK = false;
          break;
        }
    }
    return success(OK);
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createServingPass() { return std::make_unique<ServingPass>(); }
