//===- TrainingEmitter.cpp - every training record in full ----------------===//
//
// `--emit=training`: per training record, the layout, the factors of the expected figures, the
// step (expected and ideal), where its time goes, the memory of one device, the token budget's
// time, device-hours and energy, and each published measurement against the prediction. Then the
// validation summary: the median and worst absolute error of the held-out rows and of the
// calibration rows, apart, with the ideal bound's beside them.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include "zoo/Analysis/Calibration.h"
#include "zoo/Analysis/Training.h"
#include <fmt/format.h>
#include <algorithm>
#include <cmath>

using namespace zoo;

namespace {
const char *recomputeName(Recompute R) {
  return R == Recompute::Full ? "full" : R == Recompute::Selective ? "selective" : "none";
}

std::string human(const Value &V) {
  if (V.T.K == Type::Quantity && V.Unit == "TFLOP/s")
    return fmt::format("{:.1f} TFLOP/s", V.R / 1e12);
  return humanResult(V);
}

std::string show(const TrainingRecord &T, TrainingMetric K, bool WithIdeal = true) {
  const Value *V = T.result(K), *I = T.ideal(K);
  if (!V)
    return "-";
  std::string Out = human(*V);
  if (WithIdeal && I && human(*I) != Out)
    Out += " (ideal " + human(*I) + ")";
  return Out;
}

double percentError(double Predicted, double Measured) {
  return (Predicted - Measured) / Measured * 100;
}

} // namespace

void TrainingEmitter::run(llvm::raw_ostream &OS) {
  std::vector<const TrainingRecord *> Ts;
  bool AdHoc = false;
  for (const auto &T : M.Trainings)
    AdHoc |= T->AdHoc;
  for (const auto &T : M.Trainings)
    if (T->AdHoc || !AdHoc)
      Ts.push_back(T.get());
  std::sort(Ts.begin(), Ts.end(),
            [](const TrainingRecord *A, const TrainingRecord *B) { return A->Name < B->Name; });
  if (Ts.empty()) {
    OS << "No training records: declare `training` records (docs/language.md, \"Training\").\n";
    return;
  }
  struct Row {
    const TrainingRecord *T;
    const TrainingMeasurement *X;
    double Expected, Ideal;
  };
  std::vector<Row> Rows;
  for (const TrainingRecord *T : Ts) {
    OS << "Training " << T->Name << ": " << (T->Model ? T->Model->Name : "?") << " on "
       << T->Devices << " x " << (T->System && T->System->Hw ? T->System->Hw->Name : "?")
       << " (" << (T->System ? T->System->Name : "?") << ")";
    if (T->Runtime)
      OS << ", runtime " << T->Runtime->Name;
    OS << "\n";
    if (T->Results.empty()) {
      OS << "  not analysed (see the errors above)\n\n";
      continue;
    }
    OS << fmt::format("  layout: tp {} x pp {} x cp {} x dp {} (ep {}, interleave {}); micro-batch "
                      "{}, global batch {}, sequence {}; recompute {}, sequence parallel "
                      "{}, ZeRO {}, optimizer {}, {} (gradients {})\n",
                      T->TP, T->PP, T->CP, T->DP, T->EP, T->Interleave, T->MicroBatch,
                      T->GlobalBatch,
                      T->Model->Stats.PerInput ? std::string("none (inputs)")
                                               : std::to_string(T->Sequence) + " tokens", recomputeName(T->Recomp),
                      T->SequenceParallel ? "on" : "off", T->Zero, T->Opt->Name,
                      T->Precision->Name, T->Grads->Name);
    if (T->Plan && !T->PlanRows.empty()) {
      OS << fmt::format("  plan: the fastest of {} layouts that fit ({} priced); the runners-up:\n",
                        T->PlanFitting, T->PlanConsidered);
      for (size_t I = 1; I < T->PlanRows.size(); ++I) {
        const TrainingRecord::PlanRow &R = T->PlanRows[I];
        OS << fmt::format("    tp {} pp {} cp {} dp {} ep {} v {} mb {} {} ZeRO {}: {:.3g} s, "
                          "{:.1f} GiB; {}\n",
                          R.TP, R.PP, R.CP, R.DP, R.EP, R.Interleave, R.MicroBatch,
                          recomputeName(R.Recomp), R.Zero, R.Step, R.Memory / (1ull << 30), R.Why);
      }
    }
    OS << "  factors (expected = datasheet x these):\n";
    for (const FactorUse &F : T->Factors)
      OS << fmt::format("    {:<24}  {:<8}  {}{}\n", F.Name, fmt::format("{:g}", F.Value),
                        F.Origin, F.Source.empty() ? "" : " (" + F.Source + ")");
    for (const std::string &N : T->Notes)
      OS << "  note: " << N << "\n";
    if (T->Model->Stats.PerInput)
      OS << "  step:       " << show(*T, TrainingMetric::step_time) << "; "
         << show(*T, TrainingMetric::images_per_s) << " inputs/s\n";
    else
      OS << "  step:       " << show(*T, TrainingMetric::step_time) << "; "
         << show(*T, TrainingMetric::tokens_per_s) << " ("
         << show(*T, TrainingMetric::tokens_per_s_per_device, false) << " a device)\n";
    OS << "  MFU " << show(*T, TrainingMetric::mfu) << ", HFU " << show(*T, TrainingMetric::hfu)
       << "; " << show(*T, TrainingMetric::model_flops_per_device, false) << " model, "
       << show(*T, TrainingMetric::hardware_flops_per_device, false) << " hardware a device\n";
    const Value *Casts = T->result(TrainingMetric::cast_time);
    OS << "  time:       compute " << show(*T, TrainingMetric::compute_time, false)
       << (Casts && Casts->asDouble() > 0
               ? " (FP8 casts " + show(*T, TrainingMetric::cast_time, false) + ")"
               : std::string())
       << ", bubble " << show(*T, TrainingMetric::bubble_time, false) << " ("
       << show(*T, TrainingMetric::bubble_fraction, false) << "), tp "
       << show(*T, TrainingMetric::tp_comm_time, false) << ", cp "
       << show(*T, TrainingMetric::cp_comm_time, false) << ", ep "
       << show(*T, TrainingMetric::ep_comm_time, false) << ", pp "
       << show(*T, TrainingMetric::pp_comm_time, false) << ", dp "
       << show(*T, TrainingMetric::dp_comm_time, false) << " ("
       << show(*T, TrainingMetric::dp_exposed_time, false) << " exposed), optimizer "
       << show(*T, TrainingMetric::optimizer_time, false) << "\n";
    OS << "  memory:     weights " << show(*T, TrainingMetric::weight_memory, false)
       << " + gradients " << show(*T, TrainingMetric::gradient_memory, false)
       << " + optimizer " << show(*T, TrainingMetric::optimizer_memory, false)
       << " + activations " << show(*T, TrainingMetric::activation_memory, false) << " = "
       << show(*T, TrainingMetric::memory_per_device, false) << " a device; fits: "
       << show(*T, TrainingMetric::fits, false) << "\n";
    if (T->result(TrainingMetric::time_to_train))
      OS << "  budget:     " << fmt::format("{:.4g} tokens in ", T->Tokens) << show(*T, TrainingMetric::time_to_train)
         << ", " << show(*T, TrainingMetric::device_hours, false) << " device-hours, energy "
         << show(*T, TrainingMetric::energy, false) << "\n";
    for (const TrainingMeasurement &X : T->Measured) {
      const Value *E = T->result(X.Metric), *I = T->ideal(X.Metric);
      if (!E || !I)
        continue;
      double Meas = X.Measured.asDouble();
      Rows.push_back({T, &X, E->asDouble(), I->asDouble()});
      OS << fmt::format("  measured {} {}: expected {} ({:+.1f}%), ideal {} ({:+.1f}%){}\n",
                        trainingMetricName(X.Metric), X.Measured.str(), human(*E),
                        percentError(E->asDouble(), Meas), human(*I),
                        percentError(I->asDouble(), Meas),
                        T->Calibration ? " [calibration]" : "");
    }
    OS << "\n";
  }
  if (Rows.empty())
    return;
  OS << "Validation (each measurement against the prediction, error = predicted / measured - 1):\n";
  for (const TrainingFit &F : fitTrainingFactors(M))
    OS << fmt::format("  runtime {}: matrix-product factor fitted on {} calibration rows: {:.3f}; "
                      "the record says {:.3f} ({})\n",
                      F.Runtime->Name, F.Rows, F.Fitted, F.InRecord,
                      std::fabs(F.Fitted - F.InRecord) < 0.0005 ? "matches" : "differs");
  for (bool Calib : {false, true}) {
    std::vector<double> E, I;
    llvm::StringMap<std::vector<double>> ByRegime;
    for (const Row &R : Rows) {
      if (R.T->Calibration != Calib)
        continue;
      double Meas = R.X->Measured.asDouble();
      E.push_back(std::fabs(percentError(R.Expected, Meas)));
      I.push_back(std::fabs(percentError(R.Ideal, Meas)));
      ByRegime[R.T->Regime.empty() ? "(no regime)" : R.T->Regime].push_back(E.back());
    }
    if (E.empty()) {
      if (!Calib)
        OS << "  held out: none\n";
      continue;
    }
    OS << fmt::format("  {}: {} rows, median |error| {:.1f}% (ideal bound {:.1f}%), worst "
                      "{:.1f}%\n",
                      Calib ? "calibration" : "held out", E.size(), median(E), median(I),
                      *std::max_element(E.begin(), E.end()));
    std::vector<std::string> Names;
    for (const auto &KV : ByRegime)
      Names.push_back(KV.getKey().str());
    std::sort(Names.begin(), Names.end());
    for (const std::string &N : Names)
      OS << fmt::format("    {}: {} rows, median |error| {:.1f}%\n", N, ByRegime[N].size(),
                        median(ByRegime[N]));
  }
}
