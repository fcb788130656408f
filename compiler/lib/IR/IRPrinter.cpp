//===- IRPrinter.cpp - textual dump of the checked IR ---------------------===//
#include "zoo/IR/IRPrinter.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Path.h"

using namespace zoo;

namespace {
/// An expression's source text as the IR prints it: comments left out and every run of
/// whitespace one space, so that layout and comments do not change the IR.
std::string exprText(const Expr &E) {
  const std::string T = E.text();
  std::string Out;
  bool Space = false;
  for (size_t I = 0; I < T.size(); ++I) {
    char C = T[I];
    if (C == '"') { // a string literal, escapes included, as written
      size_t J = I + 1;
      while (J < T.size() && T[J] != '"')
        J += T[J] == '\\' ? 2 : 1;
      if (Space && !Out.empty())
        Out += ' ';
      Space = false;
      Out.append(T, I, std::min(J + 1, T.size()) - I);
      I = J;
      continue;
    }
    if (C == '/' && I + 1 < T.size() && (T[I + 1] == '/' || T[I + 1] == '*')) {
      size_t End = T[I + 1] == '/' ? T.find('\n', I) : T.find("*/", I + 2);
      I = End == std::string::npos ? T.size() : (T[I + 1] == '/' ? End : End + 1);
      Space = true;
      continue;
    }
    if (C == ' ' || C == '\t' || C == '\n' || C == '\r' || C == '\f') {
      Space = true;
      continue;
    }
    if (Space && !Out.empty())
      Out += ' ';
    Space = false;
    Out += C;
  }
  return Out;
}

class Printer {
public:
  Printer(const Module &M, const llvm::SourceMgr &SM, llvm::raw_ostream &OS)
      : M(M), SM(SM), OS(OS) {
    // Each declaration's records, found once (a scan per declaration is quadratic).
    for (const auto &R : M.Models)
      ModelsOf[R->Decl].push_back(R.get());
    for (const auto &H : M.Hardware)
      At[H->Range.Start.getPointer()].push_back(H.get());
    for (const auto &R : M.Runtimes)
      At[R->Range.Start.getPointer()].push_back(R.get());
    for (const auto &P : M.Precisions)
      At[P->Range.Start.getPointer()].push_back(P.get());
    for (const auto &S : M.Systems)
      At[S->Range.Start.getPointer()].push_back(S.get());
    for (const auto &O : M.Optimizers)
      At[O->Range.Start.getPointer()].push_back(O.get());
    for (const auto &T : M.Trainings)
      At[T->Range.Start.getPointer()].push_back(T.get());
  }

  void run() {
    for (const auto &F : M.Files) {
      if (F->IsStdlib)
        continue;
      OS << "file " << llvm::sys::path::filename(F->Path) << "\n";
      for (const DeclPtr &D : F->Decls)
        decl(*D);
    }
  }

private:
  const Module &M;
  const llvm::SourceMgr &SM;
  llvm::raw_ostream &OS;
  llvm::DenseMap<const ModelDecl *, llvm::SmallVector<const ModelRecord *, 1>> ModelsOf;
  /// Hardware, runtime and precision records by where their declaration starts, in module order.
  llvm::DenseMap<const char *, llvm::SmallVector<const Record *, 1>> At;

  /// The records of kind `R` that declaration `D` made.
  template <typename R> llvm::SmallVector<const R *, 1> recordsOf(const Decl &D) const {
    llvm::SmallVector<const R *, 1> Out;
    auto It = At.find(D.range().Start.getPointer());
    if (It != At.end())
      for (const Record *X : It->second)
        if (auto *Y = llvm::dyn_cast<R>(X); Y && Y->Name == D.Name)
          Out.push_back(Y);
    return Out;
  }

  std::string at(llvm::SMRange R) const {
    if (!R.Start.isValid())
      return "";
    unsigned ID = SM.FindBufferContainingLoc(R.Start);
    auto [Line, Col] = SM.getLineAndColumn(R.Start, ID);
    llvm::StringRef Name = llvm::sys::path::filename(SM.getMemoryBuffer(ID)->getBufferIdentifier());
    return " @" + Name.str() + ":" + std::to_string(Line) + ":" + std::to_string(Col);
  }

  static std::string args(const std::vector<Binding> &Args) {
    std::string S;
    for (const Binding &B : Args)
      S += (S.empty() ? "" : ", ") + B.first + " = " + B.second.str();
    return S;
  }

  void fields(const Record &R, unsigned Indent) {
    std::string Pad(Indent, ' ');
    for (const FieldValue &F : R.Fields)
      OS << Pad << "field " << F.Name << " = " << F.V.str() << at(F.Range) << "\n";
    for (const std::string &S : R.Sources)
      OS << Pad << "source \"" << S << "\"\n";
  }

  void decl(const Decl &D) {
    if (auto *B = llvm::dyn_cast<BlockDecl>(&D)) {
      OS << (B->IsPrimitive ? "primitive " : "block ") << B->Name << "(";
      for (size_t I = 0; I < B->Params.size(); ++I)
        OS << (I ? ", " : "") << B->Params[I].Name << ": " << B->Params[I].TypeText
           << (B->Params[I].Default ? " = " + exprText(*B->Params[I].Default) : "");
      OS << ")" << at(D.NameRange) << "\n";
      return;
    }
    if (auto *E = llvm::dyn_cast<EnumDecl>(&D)) {
      OS << "enum " << E->Name << " {";
      for (size_t I = 0; I < E->Members.size(); ++I)
        OS << (I ? ", " : " ") << E->Members[I].first;
      OS << " }" << at(D.NameRange) << "\n";
      return;
    }
    if (auto *MD = llvm::dyn_cast<ModelDecl>(&D)) {
      auto It = ModelsOf.find(MD);
      if (It != ModelsOf.end())
        for (const ModelRecord *R : It->second)
          model(*R);
      return;
    }
    if (llvm::isa<HardwareDecl>(&D)) {
      for (const HardwareRecord *H : recordsOf<HardwareRecord>(D)) {
        OS << "hardware " << H->Name << " : " << H->Class << at(H->Range) << "\n";
        sections(*H, H->Sections);
      }
      return;
    }
    if (D.getKind() == Decl::System) {
      for (const SystemRecord *S : recordsOf<SystemRecord>(D)) {
        OS << "system " << S->Name << " hardware=" << (S->Hw ? S->Hw->Name : "?")
           << " devices=" << S->Devices << at(S->Range) << "\n";
        for (const SystemLink *L : {&S->Fabric, S->Network ? &*S->Network : nullptr})
          if (L)
            OS << "  " << (L == &S->Fabric ? "fabric " : "network ") << L->Name
               << " bandwidth=" << L->Bandwidth << " latency=" << L->Latency
               << " topology=" << L->Topology << " nics=" << L->Nics
               << " oversubscription=" << L->Oversubscription << "\n";
        fields(*S, 2);
      }
      return;
    }
    if (D.getKind() == Decl::Optimizer) {
      for (const OptimizerRecord *O : recordsOf<OptimizerRecord>(D))
        OS << "optimizer " << O->Name << " master=" << O->MasterBytes
           << " states=" << O->StateBytes << at(O->Range) << "\n";
      return;
    }
    if (D.getKind() == Decl::Training) {
      for (const TrainingRecord *T : recordsOf<TrainingRecord>(D)) {
        OS << "training " << T->Name << " model=" << (T->Model ? T->Model->Name : "?")
           << " system=" << (T->System ? T->System->Name : "?") << " devices=" << T->Devices
           << " tp=" << T->TP << " pp=" << T->PP << " cp=" << T->CP << " dp=" << T->DP
           << " ep=" << T->EP << at(T->Range) << "\n";
        fields(*T, 2);
      }
      return;
    }
    if (llvm::isa<RuntimeDecl>(&D)) {
      for (const RuntimeRecord *R : recordsOf<RuntimeRecord>(D)) {
        OS << "runtime " << R->Name << (R->IsDefault ? " (default)" : "") << at(R->Range) << "\n";
        sections(*R, R->Sections);
      }
      return;
    }
    for (const PrecisionRecord *P : recordsOf<PrecisionRecord>(D)) {
      OS << "precision " << P->Name << " bits=" << P->Bits << " scale_bits=" << P->ScaleBits
         << " group=" << P->Group << " bits_per_value=" << P->bitsPerValue() << at(D.NameRange)
         << "\n";
      fields(*P, 2);
    }
  }

  void model(const ModelRecord &R) {
    OS << "model " << R.Name << " = " << (R.Base ? R.Base->Name + " with" : R.Arch->Name)
       << at(R.Decl->NameRange) << "\n";
    OS << "  args (" << args(R.Args) << ")\n";
    fields(R, 2);
    for (const Expectation &E : R.Expects)
      OS << "  expect " << metricName(E.Metric) << (E.Near ? " ~= " : " == ") << E.Expected.str()
         << (E.Near ? " within " + std::to_string(E.TolerancePercent) + "%" : "") << at(E.Range)
         << "\n";
    OS << "  stats params=" << R.Stats.Params << " layers=" << R.Stats.Layers << "\n";
    if (R.Root)
      for (const auto &C : R.Root->Children)
        node(*C, 2);
  }

  void node(const LayerNode &N, unsigned Indent) {
    OS << std::string(Indent, ' ');
    switch (N.K) {
    case LayerNode::Primitive:
    case LayerNode::Block:
      OS << (N.K == LayerNode::Primitive ? "prim " : "block ") << N.Decl->Name;
      if (N.Name != N.Decl->Name)
        OS << " " << N.Name;
      OS << "(" << args(N.Args) << ")";
      break;
    case LayerNode::Repeat:
      OS << "repeat x" << N.Count;
      break;
    case LayerNode::For:
      OS << "for " << N.Name << " x" << N.Count;
      break;
    case LayerNode::Iteration:
      OS << "iteration " << args(N.Args);
      break;
    }
    OS << at(N.Range) << "\n";
    for (const auto &C : N.Children)
      node(*C, Indent + 2);
  }

  /// A record's fields, then each section with its fields (hardware, runtimes).
  void sections(const Record &R, const std::vector<Section> &Sections) {
    fields(R, 2);
    for (const Section &S : Sections) {
      OS << "  " << S.Kind << (S.Name.empty() ? "" : " " + S.Name) << at(S.Range) << "\n";
      for (const FieldValue &F : S.Fields)
        OS << "    " << F.Name << " = " << F.V.str() << at(F.Range) << "\n";
    }
  }
};
} // namespace

void zoo::printIR(const Module &M, const llvm::SourceMgr &SM, llvm::raw_ostream &OS) {
  Printer(M, SM, OS).run();
}
