//===- CountLayers.cpp - the "layers" column ------------------------------===//
//
// A model's layer count is what a model card calls its depth: the number of iterations of the
// `repeat` and `for` statements at the top level of its architecture block (32 for Llama-3-8B,
// 12 for GPT-2). Nested loops inside a layer do not add layers.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"

using namespace zoo;

namespace {
class CountLayersPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "count-layers"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    bool OK = true;
    for (auto &R : M.Models) {
      if (!R->Root)
        continue;
      std::optional<int64_t> N = 0;
      for (const auto &C : R->Root->Children)
        if (N && (C->K == LayerNode::Repeat || C->K == LayerNode::For))
          N = checkedAdd(*N, C->Count);
      if (!N) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow, "the layer count", R->Name);
        OK = false;
        continue;
      }
      R->Stats.Layers = *N;
    }
    return success(OK);
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createCountLayersPass() { return std::make_unique<CountLayersPass>(); }
