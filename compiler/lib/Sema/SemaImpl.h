//===- SemaImpl.h - shared state of the Sema implementation files -*- C++ -*-===//
//
// Private to lib/Sema. The Sema class is split over Sema.cpp (names, blocks, driving),
// BlockWalker.cpp (argument binding, checking and expanding block bodies) and Records.cpp
// (models, hardware, precisions).
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_LIB_SEMA_SEMAIMPL_H
#define ZOO_LIB_SEMA_SEMAIMPL_H

#include "zoo/Sema/Evaluator.h"
#include "zoo/Sema/Sema.h"
#include "llvm/ADT/DenseMap.h"

namespace zoo {

class SemaImpl {
public:
  SemaImpl(Module &M, DiagnosticEngine &D) : M(M), Diags(D), Eval(M, D) {}
  bool run();

  // ---- Sema.cpp
  void declare(const Decl &D);
  void checkBlock(const BlockDecl &B);
  void checkEnum(const EnumDecl &E);
  std::optional<Type> paramType(const ParamDecl &P);
  /// Reports an unknown name `Name` among the declarations accepted by `Filter`.
  void unknownDecl(llvm::StringRef Name, llvm::SMRange Where, diag::Kind K,
                   bool (*Filter)(const Decl *));

  // ---- BlockWalker.cpp
  /// Binds the arguments of a call to `Callee`. `Args` are evaluated in `Caller`; defaults in the
  /// callee's scope. `Preset` supplies values for parameters the call omits (a `with` model).
  /// On success fills `Out` with every parameter and `Bound` with (name, value) in order when
  /// values are known.
  bool bindCall(const BlockDecl &Callee, llvm::ArrayRef<Arg> Args, const Scope &Caller,
                llvm::SMRange CallRange, Scope &Out, std::vector<Binding> *Bound,
                const std::vector<std::pair<std::string, Value>> *Preset = nullptr,
                std::vector<std::pair<std::string, Value>> *Explicit = nullptr);
  /// Checks (Parent == nullptr) or expands (Parent != nullptr) a statement list.
  void walk(const StmtList &Body, Scope &S, LayerNode *Parent);
  const BlockDecl *resolveCallee(const CallStmt &C);

  // ---- Records.cpp
  void buildModels();
  ModelRecord *buildModel(const ModelDecl &D);
  void buildHardware(const HardwareDecl &D);
  void buildPrecision(const PrecisionDecl &D);
  void buildScenario(const ScenarioDecl &D);
  void buildPipeline(const PipelineDecl &D);
  void checkClass(const ClassDecl &D);
  /// Binds `expect METRIC(args)` arguments (Metrics.def) into `X.Args`.
  bool bindMetricArgs(MetricKind K, const Item &I, Expectation &X);

  Module &M;
  DiagnosticEngine &Diags;
  Evaluator Eval;

  // Expansion state.
  struct CallFrame {
    llvm::StringRef Callee;
    llvm::SMRange Range;
  };
  std::vector<CallFrame> CallStack;
  const ModelRecord *Expanding = nullptr;
  int64_t NodeCount = 0;
  bool ExpansionFailed = false;

  // Shape inference during expansion (models with an `input`).
  std::optional<std::vector<int64_t>> Shape;
  struct ResidualFrame {
    std::vector<int64_t> In;
    std::optional<std::vector<int64_t>> Shortcut;
  };
  std::vector<ResidualFrame> Residuals;
  std::vector<std::vector<int64_t>> Saved; ///< U-Net skip tensors
  std::vector<std::pair<int64_t, int64_t>> Spatial; ///< (height, width) of each open `tokens()`
  /// Applies primitive `N`'s effect on the flowing shape and records the arguments it implies
  /// (input channels, features, positions). Reports shape errors at `C`.
  bool flowShape(LayerNode &N, const CallStmt &C);

  llvm::DenseMap<const ModelDecl *, ModelRecord *> ModelOf;
  llvm::DenseMap<const ModelDecl *, bool> InProgress;
};

} // namespace zoo

#endif
