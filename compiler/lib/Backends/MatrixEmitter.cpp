//===- MatrixEmitter.cpp - the model x hardware fit matrix ----------------===//
//
// One table per weight precision: a row per hardware, a column per model, each cell the number
// of devices needed (1: fits on one), `-` for hardware without a memory tier.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"

using namespace zoo;

void MatrixEmitter::run(llvm::raw_ostream &OS) {
  const FitMatrix &X = M.Matrix;
  OS << "Devices needed for weights + one sequence's KV cache at context " << X.Context << " (KV "
     << M.Point.KV << "), tensor parallel; 1 = fits on one device"
     << (M.VisibleMemory ? "; memory as each driver reports it, where the record gives it" : "")
     << ".\n";
  const PrecisionRecord *Current = nullptr;
  std::vector<const FitRow *> Group;
  auto Flush = [&] {
    if (Group.empty())
      return;
    OS << "\nWeights " << Current->Name << "\n\n";
    size_t NameW = 8;
    for (const HardwareRecord *H : X.Hardware)
      NameW = std::max(NameW, H->Name.size());
    std::vector<size_t> ColW;
    OS << std::string(NameW, ' ');
    for (const FitRow *R : Group) {
      // As wide as the model's name or its widest cell (a device count may be long).
      size_t W = std::max<size_t>(R->Model->Name.size(), 3);
      for (int64_t D : R->Devices)
        W = std::max(W, std::to_string(D).size());
      ColW.push_back(W);
      OS << "  " << std::string(W - R->Model->Name.size(), ' ') << R->Model->Name;
    }
    OS << "\n";
    for (size_t H = 0; H < X.Hardware.size(); ++H) {
      std::string Line = X.Hardware[H]->Name + std::string(NameW - X.Hardware[H]->Name.size(), ' ');
      for (size_t C = 0; C < Group.size(); ++C) {
        int64_t D = Group[C]->Devices[H];
        std::string Cell = D ? std::to_string(D) : "-";
        Line += "  " + std::string(ColW[C] - Cell.size(), ' ') + Cell;
      }
      OS << Line << "\n";
    }
    Group.clear();
  };
  for (const FitRow &R : X.Rows) {
    if (R.Weights != Current)
      Flush();
    Current = R.Weights;
    Group.push_back(&R);
  }
  Flush();
}
