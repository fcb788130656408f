//===- CountLayers.cpp - the "layers" column ------------------------------===//
//
// A model's layer count is what a model card calls its depth: the number of iterations of the
// `repeat` and `for` statements at the top level of its architecture block (32 for Llama-3-8B,
// 12 for GPT-2). Nested loops inside a layer do not add layers. A model with an `input` and no
// such loop (a CNN) counts its weight layers instead, as ResNet-50 and VGG-16 are named: every
// `conv2d` and `linear` except those on a residual's shortcut.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"

using namespace zoo;

namespace {
class CountLayersPass : public Pass {
  static bool hasInput(const LayerNode &Root) {
    for (const auto &C : Root.Children)
      if (C->K == LayerNode::Primitive && C->Prim == PrimitiveKind::input)
        return true;
    return false;
  }
  static int64_t weightLayers(const LayerNode &N) {
    if (N.K == LayerNode::Primitive && N.Prim == PrimitiveKind::shortcut)
      return 0;
    int64_t Own = N.K == LayerNode::Primitive &&
                  (N.Prim == PrimitiveKind::conv2d || N.Prim == PrimitiveKind::linear);
    for (const auto &C : N.Children)
      Own += weightLayers(*C);
    return N.K == LayerNode::Repeat ? Own * N.Count : Own;
  }

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
      if (*N == 0 && hasInput(*R->Root))
        N = weightLayers(*R->Root);
      R->Stats.Layers = *N;
    }
    return success(OK);
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createCountLayersPass() { return std::make_unique<CountLayersPass>(); }
