//===- CountLayers.cpp - the "layers" column ------------------------------===//
//
// A model's layer count is what a model card calls its depth:
//   - a language model: the iterations of the `repeat` and `for` statements at the top level of
//     its architecture block (32 for Llama-3-8B, 12 for GPT-2), or directly inside a top-level
//     `encoder` section (an encoder-decoder's encoder stack: 6 + 6 for T5-Small); loops inside a
//     layer add none;
//   - a model with an `input` whose top-level loops hold attention (ViT, DiT, a CLIP text
//     encoder): the iterations of those loops, its transformer blocks;
//   - any other model with an `input` (CNNs, MLPs; the input may be in a block it calls): its
//     weight layers, as ResNet-50, VGG-16 and MobileNetV1's 28 are named: every `conv2d`,
//     `conv_transpose2d` and `linear` except those on a shortcut.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"

using namespace zoo;

namespace {
class CountLayersPass : public Pass {
  /// Whether the model takes an input (an `input` anywhere: a block the model calls may hold it,
  /// as SAM's image encoder does).
  static bool hasInput(const LayerNode &N) {
    if (N.K == LayerNode::Primitive && N.Prim == PrimitiveKind::input)
      return true;
    for (const auto &C : N.Children)
      if (hasInput(*C))
        return true;
    return false;
  }
  static bool hasAttention(const LayerNode &N) {
    if (N.K == LayerNode::Primitive && N.Prim == PrimitiveKind::attend)
      return true;
    for (const auto &C : N.Children)
      if (hasAttention(*C))
        return true;
    return false;
  }
  /// Iterations of the top-level loops that hold attention (transformer blocks).
  static int64_t transformerBlocks(const LayerNode &Root) {
    int64_t N = 0;
    for (const auto &C : Root.Children)
      if ((C->K == LayerNode::Repeat || C->K == LayerNode::For) && hasAttention(*C))
        N += C->Count;
    return N;
  }
  static int64_t weightLayers(const LayerNode &N) {
    if (N.K == LayerNode::Primitive && N.Prim == PrimitiveKind::shortcut)
      return 0;
    int64_t Own = N.K == LayerNode::Primitive &&
                  (N.Prim == PrimitiveKind::conv2d || N.Prim == PrimitiveKind::conv_transpose2d ||
                   N.Prim == PrimitiveKind::linear);
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
      auto Loops = [&](const LayerNode &Parent) {
        for (const auto &C : Parent.Children)
          if (N && (C->K == LayerNode::Repeat || C->K == LayerNode::For))
            N = checkedAdd(*N, C->Count);
      };
      for (const auto &C : R->Root->Children)
        if (C->K == LayerNode::Primitive && C->Prim == PrimitiveKind::encoder)
          Loops(*C);
      const std::optional<int64_t> Encoder = N;
      Loops(*R->Root);
      if (!N) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow, "the layer count", "model",
                     R->Name, 64);
        OK = false;
        continue;
      }
      if (hasInput(*R->Root)) {
        int64_t Blocks = transformerBlocks(*R->Root);
        N = Blocks ? Blocks : weightLayers(*R->Root);
      }
      R->Stats.Layers = *N;
      R->Stats.EncoderLayers = *Encoder;
    }
    return success(OK);
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createCountLayersPass() { return std::make_unique<CountLayersPass>(); }
