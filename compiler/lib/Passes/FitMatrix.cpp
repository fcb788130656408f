//===- FitMatrix.cpp - which model fits which hardware --------------------===//
//
// For every model, every hardware with a memory tier and the weight precisions bf16, fp8 and
// int4 (those the stdlib declares): the fewest devices whose first memory tier holds the weights
// plus one sequence's KV cache at the analysis context (KV at the analysis KV precision), with
// tensor parallelism splitting both. Runs only when the matrix is asked for. A device count
// beyond 64 bits (absurd capacities) is an error at the model, never a clamped or wrapped cell.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Analysis/Machine.h"
#include "zoo/Passes/Pass.h"
#include <algorithm>
#include <cmath>

using namespace zoo;

namespace {
class FitMatrixPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "fit-matrix"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    if (!M.WantMatrix)
      return success();
    FitMatrix &X = M.Matrix;
    X = FitMatrix();
    X.Context = M.Point.Context;
    for (const auto &H : M.Hardware)
      X.Hardware.push_back(H.get());
    std::stable_sort(X.Hardware.begin(), X.Hardware.end(),
                     [](auto *A, auto *B) { return A->Name < B->Name; });
    const PrecisionRecord *KV = M.findPrecision(M.Point.KV);
    bool OK = true;
    std::vector<const ModelRecord *> Models;
    for (const auto &R : M.Models)
      if (R->Root)
        Models.push_back(R.get());
    std::stable_sort(Models.begin(), Models.end(),
                     [](auto *A, auto *B) { return A->Name < B->Name; });
    for (const char *P : {"bf16", "fp8", "int4"}) {
      const PrecisionRecord *W = M.findPrecision(P);
      if (!W || !KV)
        continue;
      for (const ModelRecord *R : Models) {
        FitRow Row{R, W, {}};
        double Need = bytesAt(R->Stats.Params, *W).asDouble() +
                      bytesAt(kvValues(R->Stats, X.Context), *KV).asDouble();
        for (const HardwareRecord *H : X.Hardware) {
          const double Capacity = deviceMemory(*H, M.VisibleMemory);
          double Devices = Capacity > 0 ? std::max(1.0, std::ceil(Need / Capacity)) : 0;
          if (!(Devices < 0x1p63)) {
            Diags.report(R->Decl->NameRange, diag::err_matrix_devices, R->Name, P,
                         fmt::format("{:.3g}", Devices), H->Name);
            OK = false;
            Devices = 0;
          }
          Row.Devices.push_back(static_cast<int64_t>(Devices));
        }
        X.Rows.push_back(std::move(Row));
      }
    }
    return success(OK);
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createFitMatrixPass() { return std::make_unique<FitMatrixPass>(); }
