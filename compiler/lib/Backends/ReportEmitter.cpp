//===- ReportEmitter.cpp - the human-readable report ----------------------===//
//
// A fixed-width table per record kind, then the counting conventions the numbers follow.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include "zoo/Basic/Checked.h"
#include "llvm/Support/Format.h"

using namespace zoo;

namespace {
void table(llvm::raw_ostream &OS, const std::vector<std::string> &Head,
           const std::vector<std::vector<std::string>> &Rows, const std::vector<bool> &Right) {
  std::vector<size_t> W(Head.size());
  for (size_t I = 0; I < Head.size(); ++I) {
    W[I] = Head[I].size();
    for (const auto &R : Rows)
      W[I] = std::max(W[I], R[I].size());
  }
  auto Line = [&](const std::vector<std::string> &Cells) {
    std::string S;
    for (size_t I = 0; I < Cells.size(); ++I) {
      std::string Pad(W[I] - Cells[I].size(), ' ');
      S += (I ? "  " : "") + (Right[I] ? Pad + Cells[I] : Cells[I] + Pad);
    }
    while (!S.empty() && S.back() == ' ')
      S.pop_back();
    OS << S << "\n";
  };
  Line(Head);
  std::vector<std::string> Rule;
  for (size_t X : W)
    Rule.push_back(std::string(X, '-'));
  Line(Rule);
  for (const auto &R : Rows)
    Line(R);
}
} // namespace

void ReportEmitter::run(llvm::raw_ostream &OS) {
  auto Models = sortedModels(M);
  OS << "Models (" << Models.size() << ")\n\n";
  std::vector<std::vector<std::string>> Rows;
  for (const ModelRecord *R : Models) {
    std::string Params = withThousands(R->Stats.Params) + " (" +
                         humanCount(static_cast<double>(R->Stats.Params)) + ")";
    const FieldValue *Family = R->field("family");
    Rows.push_back({R->Name, R->Arch->Name, Family ? Family->V.S : "", Params,
                    std::to_string(R->Stats.Layers)});
  }
  table(OS, {"Model", "Architecture", "Family", "Parameters", "Layers"}, Rows,
        {false, false, false, true, true});

  auto Hw = sortedHardware(M);
  if (!Hw.empty()) {
    OS << "\nHardware (" << Hw.size() << ")\n\n";
    Rows.clear();
    for (const HardwareRecord *H : Hw) {
      std::string Mem;
      for (const Section &S : H->Sections)
        if (S.Kind == "memory") {
          const FieldValue *C = S.field("capacity"), *B = S.field("bandwidth");
          Mem += (Mem.empty() ? "" : "; ") + S.Name + " " + (C ? C->V.str() : "") + " at " +
                 (B ? B->V.str() : "");
        }
      Rows.push_back({H->Name, H->Class, Mem});
    }
    table(OS, {"Hardware", "Class", "Memory"}, Rows, {false, false, false});
  }

  OS << "\nParameters: learnable tensors only, exact; tied embeddings counted once.\n"
        "Layers: iterations of the architecture's top-level repeat/for statements.\n";
}
