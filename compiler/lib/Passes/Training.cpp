//===- Training.cpp - the training model per training record --------------===//
//
// For each `training` record that Sema accepted: the expected figures on the machine of its
// system's device with the record's runtime (Analysis/Training), and the ideal bound of the same
// layout (datasheet peaks and bandwidths, no latency). A figure that is not finite is an error at
// the record; none reaches a backend.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Training.h"
#include "zoo/Passes/Pass.h"

using namespace zoo;

namespace {
class TrainingPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "training"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    bool OK = true;
    for (auto &T : M.Trainings) {
      if (!T->Model || !T->System || !T->System->Hw)
        continue;
      if (T->Model->Stats.HasEncoder && T->CP > 1) {
        Diags.report(T->Range, diag::err_training_layout, T->Name,
                     fmt::format("model `{}` is an encoder-decoder: context parallelism of "
                                 "its source and cross-attention is not modelled (cp must be 1)",
                                 T->Model->Name));
        OK = false;
        continue;
      }
      if (T->Plan && !planTraining(M, *T)) {
        if (!T->PlanConsidered)
          Diags.report(T->Range, diag::err_training_layout, T->Name,
                       fmt::format("no layout of {} devices suits `{}`: the batch, the sequence, "
                                   "the heads and the layers (and the fields the record fixes) "
                                   "allow none",
                                   T->Devices, T->Model->Name));
        else
        Diags.report(T->Range, diag::err_training_layout, T->Name,
                     fmt::format("no layout of {} devices of `{}` fits `{}`: of {} tried, the "
                                 "least memory a device needs is {:.1f} GiB, and it has {:.1f} GiB",
                                 T->Devices, T->System->Name, T->Model->Name, T->PlanConsidered,
                                 T->PlanLeastMemory / (1ull << 30),
                                 trainingDeviceMemory(M, *T) / (1ull << 30)));
        OK = false;
        continue;
      }
      // What needs the model's counts (the cost model's): layers, experts, heads.
      std::string Why = trainingLayoutProblem(*T, activationProfile(*T->Model, T->Dropout));
      if (!Why.empty()) {
        Diags.report(T->Range, diag::err_training_layout, T->Name, Why);
        OK = false;
        continue;
      }
      std::vector<TrainingMetric> Bad = analyseTraining(M, *T);
      if (!Bad.empty()) {
        Diags.report(T->Range, diag::err_training_not_finite, T->Name,
                     trainingMetricName(Bad.front()));
        T->Results.clear();
        T->Ideal.clear();
        OK = false;
      }
    }
    return success(OK);
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createTrainingPass() { return std::make_unique<TrainingPass>(); }
