//===- VerifyExpects.cpp - check every `expect` against the computed metric ===//
//
// Runs last. For each expectation of each expanded model:
//   1. read the computed metric (metricValue);
//   2. `==` on an int metric compares exactly; on a real metric, exactly as doubles;
//   3. `~= X within P%` passes when |actual - X| <= P/100 * |X|;
//   4. a failure is an error at the `expect` line that states both values and the difference.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"
#include <cmath>

using namespace zoo;

namespace {
std::string spell(const Value &V) {
  if (V.T.K == Type::Int)
    return withThousands(V.I);
  if (V.T.K == Type::Real && V.R == std::trunc(V.R) && std::fabs(V.R) < 9e18)
    return withThousands(static_cast<int64_t>(V.R));
  return V.str();
}

class VerifyExpectsPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "verify-expects"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    bool OK = true;
    for (auto &R : M.Models) {
      if (!R->Root)
        continue;
      for (const Expectation &E : R->Expects) {
        std::string Why;
        std::optional<Value> Got = metricValue(*R, E.Metric, E.Args, Why);
        if (!Got) {
          Diags.report(E.Range, diag::err_metric_undefined, metricName(E.Metric), R->Name, Why);
          OK = false;
          continue;
        }
        Value Actual = *Got;
        std::string Note;
        bool Pass;
        if (!E.Near) {
          if (Actual.T.K == Type::Int && E.Expected.T.K == Type::Int) {
            Pass = Actual.I == E.Expected.I;
            auto D = checkedSub(Actual.I, E.Expected.I);
            if (D)
              Note = fmt::format("the difference is {}{}", *D > 0 ? "+" : "", withThousands(*D));
          } else {
            Pass = Actual.asDouble() == E.Expected.asDouble();
            Note = fmt::format("off by {:.3g}%", 100 * std::fabs(Actual.asDouble() -
                                                              E.Expected.asDouble()) /
                                                     std::fabs(E.Expected.asDouble()));
          }
        } else {
          double A = Actual.asDouble(), X = E.Expected.asDouble();
          double Rel = X == 0 ? (A == 0 ? 0 : INFINITY) : std::fabs(A - X) / std::fabs(X);
          Pass = Rel * 100 <= E.TolerancePercent;
          Note = fmt::format("off by {:.3g}%, allowed {}%", Rel * 100,
                             formatReal(E.TolerancePercent));
        }
        if (Pass)
          continue;
        OK = false;
        Diags.report(E.Range, diag::err_expect_failed, metricName(E.Metric).str() + E.ArgsText,
                     R->Name, spell(Actual), spell(E.Expected));
        if (!Note.empty())
          Diags.report(E.Range, diag::note_expect_diff, Note);
      }
    }
    for (auto &P : M.Pipelines) {
      if (!P->Denoiser)
        continue;
      for (const Expectation &E : P->Expects) {
        Value A = E.Metric == MetricKind::params
                      ? Value::ofInt(P->Params)
                      : Value::ofReal(static_cast<double>(P->Macs) *
                                      (E.Metric == MetricKind::flops_per_image ? 2 : 1));
        double X = E.Expected.asDouble(), Y = A.asDouble();
        double Rel = X == 0 ? (Y == 0 ? 0 : INFINITY) : std::fabs(Y - X) / std::fabs(X);
        bool Pass = E.Near ? Rel * 100 <= E.TolerancePercent : Y == X;
        if (Pass)
          continue;
        OK = false;
        Diags.report(E.Range, diag::err_expect_failed, metricName(E.Metric), P->Name, spell(A),
                     spell(E.Expected));
        if (E.Near)
          Diags.report(E.Range, diag::note_expect_diff,
                       fmt::format("off by {:.3g}%, allowed {}%", Rel * 100,
                                   formatReal(E.TolerancePercent)));
      }
    }
    for (auto &S : M.Scenarios) {
      if (S->Results.empty())
        continue;
      for (const ScenarioExpectation &E : S->Expects) {
        const Value *A = S->result(E.Metric);
        if (!A) {
          Diags.report(E.Range, diag::err_metric_undefined, scenarioMetricName(E.Metric), S->Name,
                       "the hardware declares no TDP");
          OK = false;
          continue;
        }
        bool Pass;
        std::string Note;
        if (A->T.K == Type::Enum || A->T.K == Type::Bool) {
          Pass = A->T.K == Type::Bool ? A->B == E.Expected.B : A->S == E.Expected.S;
        } else if (!E.Near) {
          Pass = A->T.K == Type::Int && E.Expected.T.K == Type::Int
                     ? A->I == E.Expected.I
                     : A->asDouble() == E.Expected.asDouble();
        } else {
          double X = E.Expected.asDouble(), Y = A->asDouble();
          double Rel = X == 0 ? (Y == 0 ? 0 : INFINITY) : std::fabs(Y - X) / std::fabs(X);
          Pass = Rel * 100 <= E.TolerancePercent;
          Note = fmt::format("off by {:.3g}%, allowed {}%", Rel * 100,
                             formatReal(E.TolerancePercent));
        }
        if (Pass)
          continue;
        OK = false;
        Value Shown = *A;
        Shown.Unit = E.Expected.Unit; // in the unit the expectation was written in
        Diags.report(E.Range, diag::err_expect_failed, scenarioMetricName(E.Metric), S->Name,
                     Shown.str(), E.Expected.str());
        if (!Note.empty())
          Diags.report(E.Range, diag::note_expect_diff, Note);
      }
    }
    return success(OK);
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createVerifyExpectsPass() {
  return std::make_unique<VerifyExpectsPass>();
}
