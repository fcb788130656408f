//===- SemaImpl.h - shared state of the Sema implementation files -*- C++ -*-===//
//
// Private to lib/Sema. The Sema class is split over Sema.cpp (names, blocks, driving),
// BlockWalker.cpp (argument binding, checking and expanding block bodies, shapes), Records.cpp
// (models, hardware, classes, precisions) and Scenarios.cpp (scenarios and pipelines).
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_LIB_SEMA_SEMAIMPL_H
#define ZOO_LIB_SEMA_SEMAIMPL_H

#include "ShapeRules.h"
#include "zoo/Sema/Evaluator.h"
#include "zoo/Sema/Sema.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace zoo {

/// One field of a record schema: its name, type, whether it must be present and whether its
/// value must be positive.
struct FieldSpec {
  const char *Name;
  Type T;
  bool Required;
  bool Positive;
};

/// The quantity type N (or N / D).
inline Type dimType(BaseDim N, BaseDim D = BaseDim::Count) {
  Dim X = Dim::of(N);
  if (D != BaseDim::Count)
    X = X / Dim::of(D);
  return Type::quantity(X);
}

class SemaImpl;

/// Checks the field items of `Items` (except those named in `Skip`) against `Specs`, appending
/// their values to `Out` (replacing inherited ones when `Inherited`). `What` names the record.
void checkFields(SemaImpl &S, const std::vector<Item> &Items, const std::vector<FieldSpec> &Specs,
                 const std::string &What, std::vector<FieldValue> &Out, bool Inherited = false,
                 llvm::ArrayRef<llvm::StringRef> Skip = {});
/// Reports every required field of `Specs` that `Have` does not set; false if there is one.
bool requireFields(SemaImpl &S, const std::vector<Item> &Have, const std::vector<FieldSpec> &Specs,
                   llvm::StringRef Kind, llvm::StringRef Name, llvm::SMRange At);

class SemaImpl {
public:
  SemaImpl(Module &M, DiagnosticEngine &D) : M(M), Diags(D), Eval(M, D) {}
  bool run();

  // ---- Sema.cpp
  void declare(const Decl &D, bool InStdlib);
  void checkBlock(const BlockDecl &B);
  void checkEnum(const EnumDecl &E);
  /// The type of `P` (resolved once; reported when it does not resolve).
  std::optional<Type> paramType(const ParamDecl &P);
  llvm::DenseMap<const ParamDecl *, std::optional<Type>> ParamTypes;
  /// paramType of each of `B`'s parameters, in order: one lookup per call instead of one per
  /// parameter. The list stays where it is while others are added.
  const std::vector<std::optional<Type>> &paramTypes(const BlockDecl &B);
  llvm::DenseMap<const BlockDecl *, std::unique_ptr<std::vector<std::optional<Type>>>>
      BlockParamTypes;
  /// `primitive` declarations that failed their check (no formula of that name, or not the
  /// formula's parameters): a call to one is never expanded, since the formula would read
  /// arguments that are not there.
  llvm::SmallPtrSet<const BlockDecl *, 4> BadPrimitives;
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
                const std::vector<Binding> *Preset = nullptr,
                std::vector<Binding> *Explicit = nullptr);
  /// Checks (Parent == nullptr) or expands (Parent != nullptr) a statement list.
  void walk(const StmtList &Body, Scope &S, LayerNode *Parent);
  /// Decodes `B`'s body if the cache left it encoded; false, with an error, if it is damaged.
  bool bodyReady(const BlockDecl &B);
  /// For an `expect ... ~= ... within T%`: false, with an error, unless T is positive and finite.
  bool toleranceOK(const Item &I);
  /// The steps expanding `St` once takes: 1 plus the nodes of the expressions it evaluates
  /// (arguments and the defaults of the callee, a count, bounds, a condition); nested bodies
  /// are charged as they are walked.
  uint64_t stepsOf(const Stmt &St);
  /// Adds the steps of `St` to the count of all models; false (reported) past the limit.
  bool chargeStep(const Stmt &St);
  // The parts of walk() (see BlockWalker.cpp on their frames). Each walks one statement and
  // returns false when the rest of the body must not be walked.
  bool walkCall(const CallStmt &C, Scope &S, LayerNode *Parent);
  bool walkRepeat(const RepeatStmt &R, Scope &S, LayerNode *Parent);
  bool walkFor(const ForStmt &F, Scope &S, LayerNode *Parent);
  bool walkRequire(const RequireStmt &Q, Scope &S, LayerNode *Parent);
  bool walkIf(const IfStmt &First, Scope &S, LayerNode *Parent);
  void expandPrimitive(const CallStmt &C, Scope &S, LayerNode &N);
  /// An int or bool evaluated for expansion: reported and failed, known only by type, or known.
  struct IntArg {
    enum { Error, Unknown, Known } K;
    int64_t V;
  };
  LLVM_ATTRIBUTE_NOINLINE IntArg evalIntArg(const Expr &E, const Scope &S, const char *What);
  LLVM_ATTRIBUTE_NOINLINE IntArg evalCondition(const IfStmt &If, const Scope &S);
  /// Resolves, checks and binds a call; the callee, or null (reported) when it cannot be walked.
  LLVM_ATTRIBUTE_NOINLINE const BlockDecl *prepareCall(const CallStmt &C, Scope &S, bool Expand,
                                                       Scope &Inner, std::vector<Binding> &Bound);
  /// A new child of `Into`, or null (reported) past the node limits.
  LLVM_ATTRIBUTE_NOINLINE LayerNode *newNode(LayerNode::Kind K, llvm::SMRange R, LayerNode *Into);
  /// False (reported) when a body would nest deeper than ExpansionLimits::MaxNesting.
  LLVM_ATTRIBUTE_NOINLINE bool enterBody(const StmtList &Body);
  LLVM_ATTRIBUTE_NOINLINE void valueFailure();
  LLVM_ATTRIBUTE_NOINLINE void shapeFailure(const CallStmt &C, llvm::StringRef What,
                                            const std::string &Why, bool Value);
  LLVM_ATTRIBUTE_NOINLINE void residualMismatch(const CallStmt &C, bool HasShortcut,
                                                const std::vector<int64_t> &Other);
  LLVM_ATTRIBUTE_NOINLINE void repeatProblem(const RepeatStmt &R, int64_t K, bool Range);
  LLVM_ATTRIBUTE_NOINLINE void forProblem(const ForStmt &F, int64_t A, int64_t B,
                                          std::optional<int64_t> Iters);
  LLVM_ATTRIBUTE_NOINLINE void bindIndex(Scope &Inner, const ForStmt &F, std::optional<int64_t> I);
  LLVM_ATTRIBUTE_NOINLINE void setIndex(LayerNode &It, const ForStmt &F, int64_t I);
  std::optional<std::vector<int64_t>> RepeatShape; ///< for repeatProblem
  const BlockDecl *resolveCallee(const CallStmt &C);
  /// The callees resolved so far, by call: a model's expansion resolves the same calls of the
  /// stdlib's blocks again and again, and a pointer is quicker to look up than a name.
  llvm::DenseMap<const CallStmt *, const BlockDecl *> Callees;

  // ---- Records.cpp and Scenarios.cpp
  void buildModels();
  ModelRecord *buildModel(const ModelDecl &D);
  void buildHardware(const HardwareDecl &D);
  /// Hardware records' `default_runtime` items, resolved once every runtime is built.
  std::vector<std::pair<HardwareRecord *, const Item *>> PendingDefaultRuntimes;
  void resolveDefaultRuntimes();
  /// `unknown hardware class`, with the declared classes as suggestions.
  void reportUnknownClass(llvm::SMRange Range, const std::string &Name);
  /// The record a reference field `I` names (`hardware = H100_SXM`, `default_runtime = neuronx`):
  /// a plain name found by `Find`, else null, reported (a value that is not a name, as `Kind`; an
  /// unknown one, with the names of `All` as suggestions, gathered only then).
  template <typename FindT, typename ListT>
  auto referenceField(const Item &I, const char *Kind, FindT Find, const ListT &All)
      -> decltype(Find(llvm::StringRef())) {
    auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
    if (!N || N->Path.size() != 1) {
      Diags.report(I.Value->range(), diag::err_not_a_kind, I.Value->text(), Kind);
      return nullptr;
    }
    if (auto *R = Find(N->name()))
      return R;
    Diags.report(I.Value->range(), diag::err_unknown_name, N->name());
    std::vector<std::string> Names;
    for (const auto &R : All)
      Names.push_back(R->Name);
    Diags.suggest(I.Value->range(), N->name(), Names);
    return nullptr;
  }
  /// The precision field item `I` names (`compute = int8`), or null, reported: a value that is not
  /// a name, or an unknown one (with the declared precisions as suggestions).
  const PrecisionRecord *precisionField(const Item &I);
  void buildPrecision(const PrecisionDecl &D);
  void buildScenario(const ScenarioDecl &D);
  /// The value of an `expect` or `measured` item on a metric of type `TypeName` (`bool`, `int`,
  /// `real`, `bound` or a dimension), converted (`~=` on an int metric compares reals), or none
  /// (reported): a measurement must be a positive number, a tolerance positive and finite.
  std::optional<Value> metricItemValue(const Item &I, llvm::StringRef TypeName);
  /// The value of a field item, evaluated and converted to `Want`, or none (reported, naming
  /// it as the `Role` `NAME`).
  std::optional<Value> itemValue(const Item &I, Type Want, llvm::StringRef Role = "field");
  /// Whether an expectation's arguments are exactly `(ideal)`; any other argument is reported.
  bool idealArgument(const Item &I);
  /// The items of a record that holds data only: `source` items into `Sources`; a section not in
  /// `Sections`, an `expect` or a `measured` item is an error (`Kinds`: `prices`, ...).
  void dataItems(const std::vector<Item> &Items, const std::string &What,
                 std::vector<std::string> &Sources, llvm::StringRef Kinds,
                 llvm::ArrayRef<llvm::StringRef> Sections = {});
  /// The items of a record with metrics (scenario, training, serving): `source` items into
  /// `Sources`, sections reported, and each `expect` or `measured` item typed by its metric
  /// (found by `Lookup`, suggested from `Names`, typed by `TypeOf`) and passed to
  /// `Use(Item, Metric, Value, Ideal)`. `TakesIdeal`: expectations may say `(ideal)`; otherwise
  /// any argument is reported and the item dropped.
  template <typename MetricT, typename UseT>
  void metricItems(const std::vector<Item> &Items, const std::string &What,
                   std::vector<std::string> &Sources,
                   std::optional<MetricT> (*Lookup)(llvm::StringRef),
                   std::vector<std::string> (*Names)(), llvm::StringRef (*TypeOf)(MetricT),
                   bool TakesIdeal, UseT Use) {
    for (const Item &I : Items) {
      if (I.K == Item::Source) {
        Sources.push_back(I.Text);
        continue;
      }
      if (I.K == Item::Section) {
        Diags.report(I.NameRange, diag::err_unknown_section, What, I.Name);
        continue;
      }
      if (I.K != Item::ExpectEq && I.K != Item::ExpectNear && I.K != Item::Measured)
        continue;
      std::optional<MetricT> K = Lookup(I.Name);
      if (!K) {
        Diags.report(I.NameRange, diag::err_unknown_metric, I.Name);
        Diags.suggest(I.NameRange, I.Name, Names());
        continue;
      }
      if (!TakesIdeal && !I.MetricArgs.empty()) {
        Diags.report(I.MetricArgs.front().Value->range(), diag::err_scenario_metric_arg, I.Name);
        continue;
      }
      std::optional<Value> V = metricItemValue(I, TypeOf(*K));
      if (!V)
        continue;
      bool Ideal = TakesIdeal && I.K != Item::Measured && idealArgument(I);
      Use(I, *K, *V, Ideal);
    }
  }
  /// A scenario from record items: a `scenario` declaration's, or (Serving) a `serving`
  /// record's replica, which skips ServingOwnFields, needs no prompt and types no expectations.
  std::unique_ptr<ScenarioRecord> scenarioFrom(const std::string &Name, llvm::SMRange Range,
                                               llvm::SMRange NameRange,
                                               const std::vector<Item> &Items, bool Serving);
  static constexpr llvm::StringRef ServingOwnFields[] = {"model",
                                                         "hardware",
                                                         "weights",
                                                         "kv",
                                                         "compute",
                                                         "activations",
                                                         "runtime",
                                                         "expert_weights",
                                                         "expert_compute",
                                                         "workload",
                                                         "ttft_target",
                                                         "tpot_target",
                                                         "price",
                                                         "grid",
                                                         "plan",
                                                         "draft",
                                                         "speculate",
                                                         "acceptance",
                                                         "prefill_devices",
                                                         "kv_bandwidth",
                                                         "tbt_target",
                                                         "sla_percentile",
                                                         "replicas",
                                                         "rate",
                                                         "concurrency",
                                                         "duration",
                                                         "term",
                                                         "tco_period",
                                                         "buy",
                                                         "pp",
                                                         "dispatch_batch",
                                                         "dispatch_wait"};
  void buildPipeline(const PipelineDecl &D);
  void checkClass(const ClassDecl &D);

  // ---- Runtimes.cpp
  void buildRuntime(const RuntimeDecl &D);

  // ---- Training.cpp
  void buildSystem(const RecordDecl &D);
  void buildOptimizer(const RecordDecl &D);
  void buildTraining(const RecordDecl &D);

  // ---- Serving.cpp
  void buildWorkload(const RecordDecl &D);
  void buildServing(const RecordDecl &D);
  void buildPrice(const RecordDecl &D);
  void buildGrid(const RecordDecl &D);
  /// A `price`, `grid` or `term` field of a scenario or a serving record: the record it names
  /// (into Price or Grid) or the term; false after a diagnostic.
  bool economicsField(const Item &I, const PriceRecord *&Price, const GridRecord *&Grid,
                      PriceTerm &Term);
  /// The economics fields of a scenario or serving record together: the price is for the
  /// record's hardware and can price it at the term with the grid; a term needs a price (or a
  /// plan, which tries every price). False after a diagnostic.
  bool checkEconomics(const std::vector<Item> &Items, const HardwareRecord *Hw,
                      const PriceRecord *Price, const GridRecord *Grid, PriceTerm Term,
                      bool Plan);
  /// A class's `efficiency` section: the defaults of its hardware records.
  void buildClassDefaults(const ClassDecl &D);
  /// Checks a section of fractions in (0, 1] keyed by precision names or one of `Extra`.
  /// `Count`: the fields are positive counts (a runtime's `fill gemm`), not fractions.
  bool checkFractionSection(const Item &I, llvm::ArrayRef<std::string> Extra, Section &Sec,
                            bool Count = false);
  /// A section's field `F` evaluated and converted to `Want`, once per name (`Seen`): no value
  /// after a diagnostic (a repeated field, a wrong type).
  EvalResult sectionField(const Item &F, const Type &Want, llvm::StringSet<> &Seen);
  /// A hardware record's `all_reduce` section: `devices` and bus bandwidths keyed `at_<size>`
  /// (`at_16MiB`), with a source. False after a diagnostic.
  bool checkAllReduceSection(const Item &I, llvm::StringRef Hardware, Section &Sec);
  /// `kv_page` (whole tokens, at most 2^20) and `kv_policy` (`"reserve"` or `"preempt"`) of a
  /// runtime or a scenario: false when `F` is neither; `OK` false when its value is wrong
  /// (reported).
  bool cacheField(const FieldValue &F, int64_t &Page, KVPolicy &Policy, bool &OK);
  llvm::StringMap<Section> ClassEfficiency;
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
  int64_t NodeCount = 0;      ///< layer nodes of the model being expanded
  int64_t TotalNodes = 0;     ///< layer nodes of every model so far
  uint64_t Steps = 0;         ///< steps of every expansion so far (see stepsOf)
  uint64_t SourceBytes = 0;   ///< bytes of every loaded file (set by run())
  int64_t TotalNodeLimit = 0; ///< ExpansionLimits::MaxTotalNodes, scaled by SourceBytes
  uint64_t StepLimit = 0;     ///< ExpansionLimits::MaxSteps, scaled by SourceBytes
  unsigned WalkDepth = 0;     ///< nested walks in progress
  bool ExpansionFailed = false;
  llvm::DenseMap<const Stmt *, uint64_t> StepCost;

  // Shape inference during expansion (models with an `input`).
  std::optional<std::vector<int64_t>> Shape;
  struct ResidualFrame {
    std::vector<int64_t> In;
    std::optional<std::vector<int64_t>> Shortcut;
  };
  std::vector<ResidualFrame> Residuals;
  std::vector<std::vector<int64_t>> Saved;          ///< U-Net skip tensors
  std::vector<llvm::SMRange> SavedAt;               ///< the `save()` of each, for errors
  std::vector<int64_t> SavedId;                     ///< the `id` of each (0: none)
  std::vector<std::pair<int64_t, int64_t>> Spatial; ///< (height, width) of each open `tokens()`
  std::vector<std::pair<int64_t, int64_t>> Unpadded; ///< the grid before each open `window_pad`
  std::vector<llvm::SMRange> PaddedAt;               ///< the `window_pad()` of each, for errors
  /// An open `concat`: its input, the `tokens()` open at its start, and each `path`'s output.
  struct ConcatFrame {
    std::vector<int64_t> In;
    std::vector<std::pair<int64_t, int64_t>> OpenTokens;
    std::vector<std::vector<int64_t>> Outs;
    size_t Residuals = 0; ///< residual frames open at the `concat`: a `path` must be at this level
  };
  std::vector<ConcatFrame> Concats;
  /// Stdlib blocks that a user block of the same name shadows: calls from stdlib files still
  /// resolve to these. With the buffers of the stdlib's files, to tell a call's origin.
  llvm::StringMap<const Decl *> StdlibOwn;
  llvm::DenseSet<unsigned> StdlibBuffers;
  llvm::DenseSet<const Decl *> StdlibDecls; ///< declared by stdlib files
  bool inStdlib(llvm::SMLoc L) const;
  unsigned AuxiliaryDepth = 0; ///< open `auxiliary` heads
  unsigned EncoderDepth = 0;   ///< open `encoder` sections (at most one)
  unsigned ExpertsDepth = 0;   ///< open `experts` bodies
  unsigned SharedDepth = 0;    ///< open `shared` bodies
  /// Applies primitive `N`'s effect on the flowing shape and records the arguments it implies
  /// (input channels, features, positions). Reports shape errors at `C`.
  bool flowShape(LayerNode &N, const CallStmt &C);
  /// Whether primitive `N` may run inside an `encoder` section; reports why not at `C`.
  bool encoderAllows(const LayerNode &N, const CallStmt &C);

  llvm::DenseMap<const ModelDecl *, ModelRecord *> ModelOf;
  llvm::DenseMap<const ModelDecl *, bool> InProgress;
  unsigned WithNesting = 0;                              ///< buildModel calls for `with` bases
  llvm::DenseMap<const ModelDecl *, unsigned> WithLinks; ///< `with` links below a model
};

} // namespace zoo

#endif
