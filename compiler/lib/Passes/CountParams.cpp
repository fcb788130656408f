//===- CountParams.cpp - exact parameter counts ---------------------------===//
//
// Counts every model's learnable parameters as an exact 64-bit integer.
//   1. A primitive contributes by its formula:
//        embedding(vocab, dim)      vocab * dim
//        linear(in, out, bias)      in * out (+ out with bias)
//        lm_head(vocab, dim, tied)  vocab * dim, or 0 when tied to the embedding
//        norm(dim, kind, bias)      dim (scale), + dim with bias (LayerNorm's shift)
//        param(count)               count
//   2. A block node is the sum of its children; a repeat node is its count times the sum of its
//      children (its body is stored once); a `for` node sums its iterations.
//   3. Every sum and product is checked; overflow is a diagnostic at the model.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"

using namespace zoo;

namespace {
class CountParamsPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "count-params"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    bool OK = true;
    for (auto &R : M.Models) {
      if (!R->Root)
        continue;
      auto N = count(*R->Root);
      if (!N) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow, "the parameter count", R->Name);
        OK = false;
        continue;
      }
      R->Stats.Params = *N;
    }
    return success(OK);
  }

private:
  static int64_t intArg(const LayerNode &N, llvm::StringRef Name) { return N.arg(Name)->I; }

  static std::optional<int64_t> primitive(const LayerNode &N) {
    switch (N.Prim) {
    case PrimitiveKind::embedding:
      return checkedMul(intArg(N, "vocab"), intArg(N, "dim"));
    case PrimitiveKind::linear: {
      auto W = checkedMul(intArg(N, "in"), intArg(N, "out"));
      if (!W || !N.arg("bias")->B)
        return W;
      return checkedAdd(*W, intArg(N, "out"));
    }
    case PrimitiveKind::lm_head:
      if (N.arg("tied")->B)
        return 0;
      return checkedMul(intArg(N, "vocab"), intArg(N, "dim"));
    case PrimitiveKind::norm: {
      int64_t D = intArg(N, "dim");
      return N.arg("bias")->B ? checkedMul(D, 2) : std::optional<int64_t>(D);
    }
    case PrimitiveKind::param:
      return intArg(N, "count");
    }
    llvm_unreachable("unknown primitive");
  }

  static std::optional<int64_t> count(const LayerNode &N) {
    if (N.K == LayerNode::Primitive)
      return primitive(N);
    std::optional<int64_t> Sum = 0;
    for (const auto &C : N.Children) {
      auto X = count(*C);
      if (!X)
        return std::nullopt;
      Sum = checkedAdd(*Sum, *X);
      if (!Sum)
        return std::nullopt;
    }
    if (N.K == LayerNode::Repeat)
      return checkedMul(*Sum, N.Count);
    return Sum;
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createCountParamsPass() { return std::make_unique<CountParamsPass>(); }
