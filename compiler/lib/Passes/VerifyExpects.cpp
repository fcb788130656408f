//===- VerifyExpects.cpp - check every `expect` against the computed metric ===//
//
// Runs after the metrics. For each expectation of each model, pipeline and scenario:
//   1. read the computed value (metricValue, the pipeline's sums, the scenario's results);
//   2. `==` on an int metric compares exactly; on a real metric, exactly as doubles;
//   3. `~= X within P%` passes when |actual - X| <= P/100 * |X|;
//   4. a failure is an error at the `expect` line that states both values and the difference;
//   5. a scenario's `measured` figure must be one its analysis makes.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"
#include <cmath>
#include <type_traits>

using namespace zoo;

namespace {
std::string spell(const Value &V) {
  if (V.T.K == Type::Int)
    return withThousands(V.I);
  if (V.T.K == Type::Real && V.R == std::trunc(V.R) && std::fabs(V.R) < 9e18)
    return withThousands(static_cast<int64_t>(V.R));
  return V.str();
}

/// Whether `Actual` meets the expectation; `Note` explains a miss. Enums and bools compare by
/// value, two ints exactly, anything else as doubles (`~=` with a relative tolerance).
bool meets(const Value &Actual, const Value &Expected, bool Near, double TolerancePercent,
           std::string &Note) {
  if (Actual.T.K == Type::Enum || Actual.T.K == Type::Bool)
    return Actual.T.K == Type::Bool ? Actual.B == Expected.B : Actual.S == Expected.S;
  double A = Actual.asDouble(), X = Expected.asDouble();
  // A difference relative to zero (or beyond a double) is no number: say so in words, not `inf%`.
  double Rel = X == 0 ? (A == 0 ? 0 : INFINITY) : std::fabs(A - X) / std::fabs(X);
  auto Off = [&] {
    if (std::isfinite(Rel))
      return fmt::format("off by {:.3g}%", Rel * 100);
    return std::string(X == 0 ? "a percentage of an expected 0 admits only 0"
                              : "off by more than 1e308%");
  };
  if (Near) {
    Note = std::isfinite(Rel) ? fmt::format("{}, allowed {}%", Off(), formatReal(TolerancePercent))
                              : Off();
    return Rel * 100 <= TolerancePercent;
  }
  if (Actual.T.K == Type::Int && Expected.T.K == Type::Int) {
    if (auto D = checkedSub(Actual.I, Expected.I))
      Note = fmt::format("the difference is {}{}", *D > 0 ? "+" : "", withThousands(*D));
    return Actual.I == Expected.I;
  }
  Note = Off();
  return A == X;
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
        bool Pass = meets(Actual, E.Expected, E.Near, E.TolerancePercent, Note);
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
        std::string Note;
        if (meets(A, E.Expected, E.Near, E.TolerancePercent, Note))
          continue;
        OK = false;
        Diags.report(E.Range, diag::err_expect_failed, metricName(E.Metric), P->Name, spell(A),
                     spell(E.Expected));
        if (!Note.empty())
          Diags.report(E.Range, diag::note_expect_diff, Note);
      }
    }
    const char *NoFigure = "the analysis has no such figure here (energy needs a TDP; batch_time, "
                           "images_per_s and the like need a model with an input; decode and "
                           "prefill figures need one without)";
    // Scenarios, training and serving records: each measurement must name a figure the
    // analysis makes (validation divides by it), each expectation must hold.
    auto Check = [&](const auto &Records, const char *What, auto Name, auto Result,
                     const char *Missing) {
      for (const auto &R : Records) {
        if (R->Results.empty())
          continue;
        for (const auto &X : R->Measured)
          if (!R->result(X.Metric)) {
            Diags.report(X.Range, diag::err_record_metric_undefined, Name(X.Metric), What, R->Name,
                         Missing);
            OK = false;
          }
        for (const auto &E : R->Expects) {
          auto [A, Ideal] = Result(*R, E);
          if (!A) {
            Diags.report(E.Range, diag::err_record_metric_undefined, Name(E.Metric), What, R->Name,
                         Missing);
            OK = false;
            continue;
          }
          std::string Note;
          if (meets(*A, E.Expected, E.Near, E.TolerancePercent, Note))
            continue;
          OK = false;
          Value Shown = *A;
          Shown.Unit = E.Expected.Unit; // in the unit the expectation was written in
          Diags.report(E.Range, diag::err_expect_failed,
                       Name(E.Metric).str() + (Ideal ? "(ideal)" : ""), R->Name, Shown.str(),
                       E.Expected.str());
          if (!Note.empty())
            Diags.report(E.Range, diag::note_expect_diff, Note);
          // A scenario that names no runtime takes --runtime's: say so, as it changes the figures.
          if constexpr (std::is_same_v<std::decay_t<decltype(*R)>, ScenarioRecord>)
            if (!R->Runtime && M.CommandLineRuntime && !Ideal)
              Diags.report(R->Range, diag::note_runtime_from_option, R->Name,
                           M.CommandLineRuntime->Name);
        }
      }
    };
    Check(
        M.Scenarios, "scenario", [](ScenarioMetric K) { return scenarioMetricName(K); },
        [](const ScenarioRecord &S, const ScenarioExpectation &E) {
          return std::pair{E.Ideal ? S.ideal(E.Metric) : S.result(E.Metric), E.Ideal};
        },
        NoFigure);
    const char *NoTrainingFigure = "the analysis has no such figure here (time_to_train, "
                                   "device_hours and energy need a token budget, `tokens`)";
    Check(
        M.Trainings, "training run", [](TrainingMetric K) { return trainingMetricName(K); },
        [](const TrainingRecord &T, const TrainingExpectation &E) {
          return std::pair{E.Ideal ? T.ideal(E.Metric) : T.result(E.Metric), E.Ideal};
        },
        NoTrainingFigure);
    Check(
        M.Servings, "serving record", [](ServingMetric K) { return servingMetricName(K); },
        [](const ServingRecord &S, const ServingExpectation &E) {
          return std::pair{S.result(E.Metric), false};
        },
        "the simulation has no such figure here (the M/M/c wait needs an open loop below the "
        "concurrency; costs a `price`, energy a `grid`; the highest rate within the targets, "
        "and the medians there, an open loop with targets)");
    return success(OK);
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createVerifyExpectsPass() {
  return std::make_unique<VerifyExpectsPass>();
}
