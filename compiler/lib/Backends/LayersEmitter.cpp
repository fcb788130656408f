//===- LayersEmitter.cpp - the per-layer table (--emit=layers) ------------===//
//
// One table per model: every node of the expanded layer tree, indented by nesting, with its
// output shape (models with an input), parameters and MACs of one execution (a repeat row covers
// all its repetitions), and a total row that equals the model's counts.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"

using namespace zoo;

namespace {
std::string shape(const std::vector<int64_t> &D) {
  if (D.empty())
    return "";
  std::string S = "(";
  for (size_t I = 0; I < D.size(); ++I)
    S += (I ? ", " : "") + std::to_string(D[I]);
  return S + ")";
}

std::string count(Wide V) {
  if (V >= INT64_MIN && V <= INT64_MAX)
    return withThousands(static_cast<int64_t>(V));
  return wideToString(V);
}

/// The shape a node leaves behind: its own, or its last child's.
const std::vector<int64_t> &lastShape(const LayerNode &N) {
  if (!N.OutShape.empty() || N.Children.empty())
    return N.OutShape;
  return lastShape(*N.Children.back());
}

struct Row {
  std::string Layer, Shape, Params, Macs;
};

void rows(const LayerNode &N, unsigned Depth, unsigned MaxDepth, std::vector<Row> &Out) {
  std::string Label;
  switch (N.K) {
  case LayerNode::Primitive:
  case LayerNode::Block:
    Label = N.Name == N.Decl->Name ? N.Name.str() : N.Name + " (" + N.Decl->Name + ")";
    break;
  case LayerNode::Repeat:
    Label = "repeat x" + std::to_string(N.Count);
    break;
  case LayerNode::For:
    Label = "for " + N.Name + " x" + std::to_string(N.Count);
    break;
  case LayerNode::Iteration:
    Label = N.Name + " = " + N.Args.front().second.str();
    break;
  }
  Out.push_back({std::string(2 * Depth, ' ') + Label, shape(lastShape(N)), count(N.params()),
                 count(N.macs())});
  if (MaxDepth && Depth + 1 >= MaxDepth) {
    if (!N.Children.empty())
      Out.back().Layer += " ...";
    return;
  }
  for (const auto &C : N.Children)
    rows(*C, Depth + 1, MaxDepth, Out);
}
} // namespace

void LayersEmitter::run(llvm::raw_ostream &OS) {
  bool First = true;
  for (const ModelRecord *R : sortedModels(M)) {
    if (!R->Root)
      continue;
    std::vector<Row> Rows;
    for (const auto &C : R->Root->Children)
      rows(*C, 0, Depth, Rows);
    Rows.push_back({"total", "", withThousands(R->Stats.Params), count(R->Stats.MacsConst)});
    size_t W[4] = {5, 12, 10, 4};
    for (const Row &X : Rows) {
      W[0] = std::max(W[0], X.Layer.size());
      W[1] = std::max(W[1], X.Shape.size());
      W[2] = std::max(W[2], X.Params.size());
      W[3] = std::max(W[3], X.Macs.size());
    }
    OS << (First ? "" : "\n") << "Model " << R->Name
       << (R->Stats.PerInput ? " (MACs per input " + shape(R->Stats.InputShape) + ")"
           : R->Stats.HasEncoder
               ? " (MACs per token, attention excluded; `encoder` sections per source token)"
               : " (MACs per token, attention excluded)")
       << "\n\n";
    First = false;
    auto Line = [&](const std::string &A, const std::string &B, const std::string &C,
                    const std::string &D) {
      std::string S = A + std::string(W[0] - A.size(), ' ') + "  " + B +
                      std::string(W[1] - B.size(), ' ') + "  " + std::string(W[2] - C.size(), ' ') +
                      C + "  " + std::string(W[3] - D.size(), ' ') + D;
      while (!S.empty() && S.back() == ' ')
        S.pop_back();
      OS << S << "\n";
    };
    Line("Layer", "Output shape", "Parameters", "MACs");
    Line(std::string(W[0], '-'), std::string(W[1], '-'), std::string(W[2], '-'),
         std::string(W[3], '-'));
    for (const Row &X : Rows)
      Line(X.Layer, X.Shape, X.Params, X.Macs);
  }
}
