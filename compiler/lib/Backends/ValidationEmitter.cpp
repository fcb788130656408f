//===- ValidationEmitter.cpp - the validation table (--emit=validation) ---===//
//
// Markdown: one row per published measurement with the ideal roofline, the expected figure with
// the runtime the row names and with the default runtime, and their errors; then the error per
// regime and per coverage tag over the held-out rows. docs/validation.md embeds it verbatim.
// Also `--emit=calibration`: each fitted runtime factor beside the value its record holds.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include "llvm/ADT/StringExtras.h"
#include <cmath>
#include <fmt/format.h>

using namespace zoo;

namespace {
std::string number(const Value &Like, double V) {
  if (!std::isfinite(V))
    return "-";
  Value X = Like;
  X.R = V;
  if (X.T.K == Type::Int) {
    X.T = Type::of(Type::Real);
  }
  return humanResult(X);
}
/// `+1.2%`; a value that rounds to zero prints `+0.0%`, never `-0.0%`.
std::string percent(double V) {
  if (!std::isfinite(V))
    return "-";
  return fmt::format("{:+.1f}%", std::fabs(V) < 0.05 ? 0.0 : V);
}
} // namespace

void ValidationEmitter::run(llvm::raw_ostream &OS) {
  if (M.Validation.empty()) {
    OS << "No measurements: declare scenarios with `measured` values.\n";
    return;
  }
  const RuntimeRecord *Default = M.defaultRuntime();
  std::string DefaultName = Default ? Default->Name : "none";
  OS << fmt::format(
            "| scenario | regime | runtime | metric | measured | ideal | expected | error | "
            "with {} | error | role |\n",
            DefaultName)
     << "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const Module::ValidationRow &R : M.Validation)
    OS << fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", R.Scenario->Name,
        R.Scenario->Regime, R.Scenario->Runtime ? R.Scenario->Runtime->Name : "(none)",
        scenarioMetricName(R.M->Metric), humanResult(R.M->Measured), number(R.M->Measured, R.Ideal),
        number(R.M->Measured, R.Named), percent(R.NamedError), number(R.M->Measured, R.Default),
        percent(R.DefaultError), R.Scenario->Calibration ? "calibration" : "held out");
  OS << fmt::format("\n{} measurements, {} of them calibration ({:.0f}%); the other {} are held "
                    "out.\n\n",
                    M.MeasuredRows, M.CalibrationRows,
                    100.0 * M.CalibrationRows / std::max(1, M.MeasuredRows),
                    M.MeasuredRows - M.CalibrationRows);
  // Where a device or its class has a default of its own, its rows' "with" columns are with it.
  std::vector<std::pair<std::string, std::string>> ClassDefaults;
  for (const Module::ValidationRow &R : M.Validation)
    if (R.DefaultRuntime && R.DefaultRuntime != Default &&
        R.Scenario->Hw->DefaultRuntime != R.DefaultRuntime) {
      std::pair<std::string, std::string> P{R.Scenario->Hw->Class, R.DefaultRuntime->Name};
      if (!llvm::is_contained(ClassDefaults, P))
        ClassDefaults.push_back(P);
    }
  for (const auto &[Class, Name] : ClassDefaults)
    OS << fmt::format("On `{}` hardware the columns *with {}* are with `{}`, the default for its "
                      "class.\n\n",
                      Class, DefaultName, Name);
  for (const auto &Rt : M.Runtimes) {
    std::vector<std::string> Devices; // measured devices whose record names Rt
    for (const Module::ValidationRow &R : M.Validation) {
      const std::string D = "`" + R.Scenario->Hw->Name + "`";
      if (Rt.get() != Default && R.Scenario->Hw->DefaultRuntime == Rt.get() &&
          !llvm::is_contained(Devices, D))
        Devices.push_back(D);
    }
    if (!Devices.empty())
      OS << fmt::format("On {} the columns *with {}* are with `{}`, the runtime {} record{} "
                        "name{}.\n\n",
                        listInProse(Devices), DefaultName, Rt->Name,
                        Devices.size() == 1 ? "its" : "their", Devices.size() == 1 ? "" : "s",
                        Devices.size() == 1 ? "s" : "");
  }
  OS << fmt::format("| held-out rows | n | median abs. error | worst | with {} | worst | ideal "
                    "roofline |\n",
                    DefaultName)
     << "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const Module::ValidationSummary &S : M.ValidationSummaries)
    OS << fmt::format("| {} | {} | {:.1f}% | {:+.1f}% | {:.1f}% | {:+.1f}% | {:.1f}% |\n", S.Group,
                      S.Count, S.NamedMedian, S.NamedWorst, S.DefaultMedian, S.DefaultWorst,
                      S.IdealMedian);
}

void CalibrationEmitter::run(llvm::raw_ostream &OS) {
  if (M.Fitted.empty()) {
    OS << "No calibration: mark scenarios with measurements `calibration = true`.\n";
    return;
  }
  OS << fmt::format("{} of {} measurements are marked calibration ({:.0f}%; at most 25% may be).\n",
                    M.CalibrationRows, M.MeasuredRows,
                    100.0 * M.CalibrationRows / std::max(1, M.MeasuredRows));
  OS << "Each runtime's slots that its calibration rows inform (by regime) minimise the squared\n"
        "log error over those rows; the default runtime is fitted on the rows of serving "
        "engines.\n"
        "Then full-load serving records marked calibration (every request at once) fit compute\n"
        "gemm (compute experts for a model with routed experts, and bandwidth experts at its\n"
        "expert weights' precision with the same value) at their compute precision\n"
        "through the serving simulation, that slot alone, with expert_overhead first where one\n"
        "precision's rows hold experts of two sizes, and light-load ones their runtime's\n"
        "step_overhead, collective_latency and request_overhead.\n\n";
  OS << "| runtime | slot | fitted | in record | rows informing it (error after the fit) |\n"
     << "|---|---|---:|---:|---|\n";
  // Cycles as a whole number to three significant digits (`11100 cycles`).
  auto Spell = [](double V, bool Seconds, bool Cycles = false) {
    if (Cycles) {
      const double Step = V >= 1000 ? std::pow(10.0, std::floor(std::log10(V)) - 2) : 1;
      return fmt::format("{:.0f} cycles", std::round(V / Step) * Step);
    }
    return Seconds ? fixedCost(V) : fmt::format("{:.3g}", V);
  };
  int Differ = 0;
  std::vector<std::string> Which;
  for (const Module::FittedFactor &F : M.Fitted) {
    std::string Rows;
    for (const auto &[Name, V] : F.Rows)
      Rows += (Rows.empty() ? "" : ", ") + Name + " " + percent(V);
    std::string Fitted = Spell(F.Fitted, F.Seconds, F.Cycles);
    // A record agrees when it holds the fit to three significant digits: within half a unit of
    // the third digit either way (a fit that lands on a rounding boundary may print one digit
    // off the record and still agree).
    bool Same = F.InRecord && std::fabs(*F.InRecord - F.Fitted) <=
                                  0.005 * std::max(std::fabs(F.Fitted), F.Seconds  ? 1e-7
                                                                        : F.Cycles ? 1.0
                                                                                   : 1e-3);
    if (!Same) {
      ++Differ;
      Which.push_back(F.Runtime->Name + " `" + F.Slot + "`");
    }
    OS << fmt::format("| {} | {} | {} | {} | {} |\n", F.Runtime->Name, F.Slot, Fitted,
                      F.InRecord ? Spell(*F.InRecord, F.Seconds, F.Cycles) : "-", Rows);
  }
  if (Differ)
    OS << fmt::format("\n{} of {} fitted factors differ from their records: {}\n", Differ,
                      M.Fitted.size(), llvm::join(Which, ", "));
  else
    OS << fmt::format("\nAll {} fitted factors agree with their records (to 0.5%).\n",
                      M.Fitted.size());
}
