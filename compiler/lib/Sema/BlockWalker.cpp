//===- BlockWalker.cpp - argument binding, checking and expansion ---------===//
//
// One walk over a block body serves two purposes. Checking (no parent node): parameters are
// known by type only, `for` bodies are checked once with the index unknown, and both branches of
// an `if` are checked. Expanding (a parent node): values are known, `repeat` becomes one node with
// a count (its body is expanded once, since it cannot depend on an index), `for` is unrolled into
// one node per iteration, `if` keeps the taken branch, and calls to blocks recurse. Every limit of
// ExpansionLimits is enforced here, each before the work it bounds: layer nodes per model and in
// all, nesting depth, and steps (statements expanded and the expression nodes they evaluate), so
// that no input makes expansion slow, big or deep. An `else if` chain is walked in a loop, not by
// recursion. In a model with an input, each primitive also moves the flowing shape (Shapes.cpp);
// `residual`, `shortcut` and `branch` save and restore it here.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"
#include "zoo/Basic/Checked.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace zoo;
using llvm::cast;
using llvm::dyn_cast;

static bool isBlockDecl(const Decl *D) { return llvm::isa<BlockDecl>(D); }

const BlockDecl *SemaImpl::resolveCallee(const CallStmt &C) {
  auto Known = Callees.find(&C);
  if (Known != Callees.end())
    return Known->second;
  const Decl *D = M.Decls.lookup(C.Callee);
  if (!StdlibOwn.empty()) {
    auto It = StdlibOwn.find(C.Callee);
    if (It != StdlibOwn.end() && inStdlib(C.CalleeRange.Start))
      D = It->second;
  }
  if (!D) {
    unknownDecl(C.Callee, C.CalleeRange, diag::err_unknown_block, isBlockDecl);
    return nullptr;
  }
  auto *B = dyn_cast<BlockDecl>(D);
  if (!B) {
    Diags.report(C.CalleeRange, diag::err_not_a_block, C.Callee, D->kindName());
    Diags.report(D->NameRange, diag::note_declared_here, C.Callee);
    return nullptr;
  }
  Callees[&C] = B; // what this call names does not change while models are built
  return B;
}

bool SemaImpl::bindCall(const BlockDecl &Callee, llvm::ArrayRef<Arg> Args, const Scope &Caller,
                        llvm::SMRange CallRange, Scope &Out, std::vector<Binding> *Bound,
                        const std::vector<Binding> *Preset, std::vector<Binding> *Explicit) {
  bool OK = true;
  size_t N = Callee.Params.size();
  const std::vector<std::optional<Type>> &Types = paramTypes(Callee);
  llvm::SmallVector<std::optional<EvalResult>, 8> Given(N);
  Out.reserve(N);
  if (Bound)
    Bound->reserve(Bound->size() + N);
  bool SawNamed = false;
  size_t Positional = 0;
  // A model's arguments may use the ones written before them (`ffn: 4 * hidden`) and, in a
  // `with` variant, the base model's explicit arguments: a model has no other names to see.
  Scope ModelArgs(&Caller);
  bool IsModel = Explicit != nullptr;
  if (IsModel && Preset)
    for (const auto &E : *Preset)
      ModelArgs.bind(E.first, EvalResult::known(E.second));
  const Scope &ArgScope = IsModel ? ModelArgs : Caller;
  for (const Arg &A : Args) {
    size_t Index = N;
    if (A.Name.empty()) {
      if (SawNamed) {
        Diags.report(A.Value->range(), diag::err_positional_after_named);
        OK = false;
        continue;
      }
      Index = Positional++;
      if (Index >= N) {
        if (Index == N)
          Diags.report(A.Value->range(), diag::err_too_many_arguments, Callee.Name, N, Args.size());
        OK = false;
        continue;
      }
    } else {
      SawNamed = true;
      for (size_t I = 0; I < N; ++I)
        if (Callee.Params[I].Name == A.Name)
          Index = I;
      if (Index == N) {
        Diags.report(A.NameRange, diag::err_unknown_argument, Callee.Name, A.Name);
        std::vector<std::string> Names;
        for (const ParamDecl &P : Callee.Params)
          Names.push_back(P.Name);
        std::string Best = closestMatch(A.Name, Names);
        for (const ParamDecl &P : Callee.Params)
          if (!Best.empty() && P.Name == Best)
            Diags.report(P.NameRange, diag::note_did_you_mean, Best);
        Eval.eval(*A.Value, ArgScope); // still report problems inside the value
        OK = false;
        continue;
      }
      if (Given[Index]) {
        Diags.report(A.NameRange, diag::err_duplicate_argument, A.Name);
        OK = false;
        continue;
      }
    }
    const std::optional<Type> &T = Types[Index];
    // An enumeration's argument that names nothing: say which values it may take.
    if (T && T->K == Type::Enum && T->E) {
      const auto *N = dyn_cast<NameExpr>(A.Value.get());
      if (N && N->Path.size() == 1 && !ArgScope.lookup(N->name()) &&
          !M.Enumerators.count(N->name())) {
        std::vector<std::string> Values;
        for (const auto &Member : T->E->Members)
          Values.push_back(Member.first);
        Diags.report(N->range(), diag::err_unknown_enumerator, N->name(), T->str(),
                     llvm::join(Values, ", "));
        std::string Best = closestMatch(N->name(), Values);
        if (!Best.empty())
          Diags.report(N->range(), diag::note_did_you_mean, Best);
        OK = false;
        continue;
      }
    }
    EvalResult R = Eval.eval(*A.Value, ArgScope);
    if (!T || !Eval.convert(R, *T, A.Value->range(), [&] {
          return fmt::format("argument `{}` of `{}`", Callee.Params[Index].Name, Callee.Name);
        })) {
      OK = false;
      continue;
    }
    Given[Index] = R;
    if (IsModel) {
      EvalResult Seen = R;
      Seen.IntegralLiteral = false;
      ModelArgs.bind(Callee.Params[Index].Name, Seen,
                     A.Name.empty() ? A.Value->range() : A.NameRange);
    }
  }
  if (!OK)
    return false;

  for (size_t I = 0; I < N; ++I) {
    const ParamDecl &P = Callee.Params[I];
    const std::optional<Type> &T = Types[I];
    if (!T)
      return false;
    EvalResult R;
    if (Given[I]) {
      R = *Given[I];
      if (Explicit && R.V) {
        bool Replaced = false;
        for (auto &E : *Explicit)
          if (E.first == P.Name) {
            E.second = *R.V;
            Replaced = true;
          }
        if (!Replaced)
          Explicit->push_back({P.Name, *R.V});
      }
    } else if (const Value *V = [&]() -> const Value * {
                 if (Preset)
                   for (const auto &E : *Preset)
                     if (E.first == P.Name)
                       return &E.second;
                 return nullptr;
               }()) {
      R = EvalResult::known(*V);
    } else if (P.Default) {
      // After a missing argument a default may name it (`kv_heads: int = heads`): only the
      // missing arguments are reported, not the defaults that cannot be evaluated without them.
      if (!OK)
        continue;
      // Defaults are evaluated in the callee: errors in them point back to this call.
      CallStack.push_back({Callee.Name, CallRange});
      R = Eval.eval(*P.Default, Out);
      CallStack.pop_back();
      if (!Eval.convert(R, *T, P.Default->range(),
                        [&] { return fmt::format("the default of `{}`", P.Name); }))
        return false;
    } else {
      Diags.report(CallRange, diag::err_missing_argument, P.Name, Callee.Name);
      Diags.report(P.NameRange, diag::note_declared_here, P.Name);
      OK = false;
      continue;
    }
    if (!R.ok())
      return false;
    R.IntegralLiteral = false;
    if (Bound && R.V)
      Bound->push_back({P.Name, *R.V});
    Out.bind(P.Name, R, P.NameRange);
  }
  return OK;
}

namespace {
/// Value constraints of a primitive beyond non-negative ints; "" when the arguments are fine.
std::string primitiveProblem(PrimitiveKind K, const std::vector<Binding> &Args) {
  auto I = [&](llvm::StringRef N) -> int64_t {
    for (const Binding &B : Args)
      if (B.first == N)
        return B.second.I;
    return 0;
  };
  switch (K) {
  case PrimitiveKind::attend:
    if (I("heads") == 0 || I("head_dim") == 0)
      return "`heads` and `head_dim` must be positive";
    if (I("chunk") > 0) {
      bool Causal = true;
      for (const Binding &B : Args)
        if (B.first == "causal")
          Causal = B.second.B;
      if (I("window") > 0)
        return "chunked attention (`chunk`) takes no `window`: a token sees its own chunk up to "
               "itself";
      if (I("cross_len") > 0)
        return "cross-attention (`cross_len`) sees the whole context: it takes no `chunk`";
      if (!Causal)
        return "chunked attention (`chunk`) is causal: a token sees its own chunk up to itself";
    }
    if (I("topk") > 0) {
      bool Causal = true;
      for (const Binding &B : Args)
        if (B.first == "causal")
          Causal = B.second.B;
      if (I("window") > 0 || I("chunk") > 0)
        return "top-k sparse attention (`topk`) takes no `window` or `chunk`: a token reads the "
               "k positions chosen for it from its whole context";
      if (I("cross_len") > 0)
        return "cross-attention (`cross_len`) sees the whole context: it takes no `topk`";
      if (!Causal)
        return "top-k sparse attention (`topk`) is causal: a token chooses among the positions "
               "up to itself";
    }
    if (I("latent") > 0 && (I("cache") == 0 || I("latent") > I("cache")))
      return fmt::format("`latent` ({}) is the part of a `cache` that a decode step's values read: "
                         "it needs a `cache` of at least as many values (found {})",
                         I("latent"), I("cache"));
    if (I("cache") == 0 && (I("kv_heads") == 0 || I("heads") % I("kv_heads") != 0))
      return fmt::format("`heads` ({}) must be a positive multiple of `kv_heads` ({})", I("heads"),
                         I("kv_heads"));
    return "";
  case PrimitiveKind::frame_conv:
    return I("kernel") == 0 || I("frames") == 0 ? "`kernel` and `frames` must be positive" : "";
  case PrimitiveKind::experts:
    if (I("count") == 0 || I("top_k") == 0 || I("top_k") > I("count"))
      return fmt::format("`top_k` ({}) must be between 1 and `count` ({})", I("top_k"), I("count"));
    return "";
  case PrimitiveKind::conv1d:
    return I("kernel") == 0 ? "`kernel` must be positive" : "";
  default:
    return "";
  }
}

/// The number of nodes of expression `E` (null: 0), without recursion.
uint64_t exprSize(const Expr *E) {
  uint64_t N = 0;
  llvm::SmallVector<const Expr *, 16> Todo{E};
  while (!Todo.empty()) {
    const Expr *X = Todo.pop_back_val();
    if (!X)
      continue;
    ++N;
    if (auto *U = dyn_cast<UnaryExpr>(X)) {
      Todo.push_back(U->Operand.get());
    } else if (auto *B = dyn_cast<BinaryExpr>(X)) {
      Todo.push_back(B->LHS.get());
      Todo.push_back(B->RHS.get());
    } else if (auto *C = dyn_cast<CondExpr>(X)) {
      Todo.push_back(C->C.get());
      Todo.push_back(C->T.get());
      Todo.push_back(C->F.get());
    } else if (auto *Call = dyn_cast<CallExpr>(X)) {
      for (const ExprPtr &A : Call->Args)
        Todo.push_back(A.get());
    }
  }
  return N;
}

} // namespace

uint64_t SemaImpl::stepsOf(const Stmt &St) {
  auto It = StepCost.find(&St);
  if (It != StepCost.end())
    return It->second;
  uint64_t N = 1;
  if (auto *C = dyn_cast<CallStmt>(&St)) {
    for (const Arg &A : C->Args)
      N += exprSize(A.Value.get());
    // Defaults the call leaves out are evaluated too.
    if (auto *B = llvm::dyn_cast_or_null<BlockDecl>(M.Decls.lookup(C->Callee)))
      for (const ParamDecl &P : B->Params)
        N += exprSize(P.Default.get());
  } else if (auto *R = dyn_cast<RepeatStmt>(&St)) {
    N += exprSize(R->Count.get());
  } else if (auto *F = dyn_cast<ForStmt>(&St)) {
    N += exprSize(F->Lo.get()) + exprSize(F->Hi.get());
  } else if (auto *If = dyn_cast<IfStmt>(&St)) {
    N += exprSize(If->Cond.get());
  } else if (auto *Q = dyn_cast<RequireStmt>(&St)) {
    N += exprSize(Q->Cond.get());
  }
  StepCost[&St] = N;
  return N;
}

bool SemaImpl::chargeStep(const Stmt &St) {
  Steps += stepsOf(St);
  if (Steps <= StepLimit)
    return true;
  if (!ExpansionFailed)
    Diags.report(Expanding->Decl->NameRange, diag::err_expansion_steps, Expanding->Name, StepLimit,
                 SourceBytes);
  ExpansionFailed = true;
  return false;
}

// ---- Expansion and checking -------------------------------------------------------------------
//
// walk() recurses once per nested body, through calls into other blocks too, so every function
// on that path (walk, the four statement kinds, expandPrimitive) keeps a small frame: what it
// needs across the recursion and nothing else. Evaluation and diagnostics, which need big
// temporaries, happen in helpers that return before the recursion; in unoptimized sanitizer
// builds, where no stack slot is shared, that is what keeps ExpansionLimits::MaxNesting levels
// within the stack.

LayerNode *SemaImpl::newNode(LayerNode::Kind K, llvm::SMRange R, LayerNode *Into) {
  if (++NodeCount > ExpansionLimits::MaxNodes) {
    if (!ExpansionFailed)
      Diags.report(Expanding->Decl->NameRange, diag::err_expansion_too_large, Expanding->Name,
                   ExpansionLimits::MaxNodes);
    ExpansionFailed = true;
    return nullptr;
  }
  if (++TotalNodes > TotalNodeLimit) {
    if (!ExpansionFailed)
      Diags.report(Expanding->Decl->NameRange, diag::err_expansion_total, Expanding->Name,
                   TotalNodeLimit, SourceBytes);
    ExpansionFailed = true;
    return nullptr;
  }
  auto N = std::make_unique<LayerNode>();
  N->K = K;
  N->Range = R;
  Into->Children.push_back(std::move(N));
  return Into->Children.back().get();
}

void SemaImpl::valueFailure() {
  if (Eval.OnValueError)
    Eval.OnValueError();
  ExpansionFailed = true;
}

SemaImpl::IntArg SemaImpl::evalIntArg(const Expr &E, const Scope &S, const char *What) {
  EvalResult R = Eval.eval(E, S);
  if (!Eval.convert(R, Type::of(Type::Int), E.range(), What))
    return {IntArg::Error, 0};
  if (!R.V)
    return {IntArg::Unknown, 0};
  return {IntArg::Known, R.V->I};
}

SemaImpl::IntArg SemaImpl::evalCondition(const IfStmt &If, const Scope &S) {
  EvalResult Cond = Eval.eval(*If.Cond, S);
  if (!Eval.convert(Cond, Type::of(Type::Bool), If.Cond->range(), "an `if` condition"))
    return {IntArg::Error, 0};
  if (!Cond.V)
    return {IntArg::Unknown, 0};
  return {IntArg::Known, Cond.V->B ? 1 : 0};
}

bool SemaImpl::enterBody(const StmtList &Body) {
  if (WalkDepth <= ExpansionLimits::MaxNesting || Body.empty())
    return true;
  if (!ExpansionFailed) {
    Diags.report(Body.front()->range(), diag::err_expansion_too_deep, Expanding->Name,
                 ExpansionLimits::MaxNesting);
    Diags.report(Expanding->Decl->NameRange, diag::note_in_model, Expanding->Name);
  }
  ExpansionFailed = true;
  return false;
}

void SemaImpl::walk(const StmtList &Body, Scope &S, LayerNode *Parent) {
  const bool Expand = Parent != nullptr;
  // Expansion follows calls into other blocks, so its depth is not the parser's to bound.
  struct DepthGuard {
    unsigned &D;
    ~DepthGuard() { --D; }
  } Guard{++WalkDepth};
  if (Expand && !enterBody(Body))
    return;
  for (const StmtPtr &St : Body) {
    if (Diags.tooManyErrors() || (Expand && ExpansionFailed))
      return;
    if (Expand && !chargeStep(*St))
      return;
    bool Go;
    if (auto *C = dyn_cast<CallStmt>(St.get()))
      Go = walkCall(*C, S, Parent);
    else if (auto *R = dyn_cast<RepeatStmt>(St.get()))
      Go = walkRepeat(*R, S, Parent);
    else if (auto *F = dyn_cast<ForStmt>(St.get()))
      Go = walkFor(*F, S, Parent);
    else if (auto *Q = dyn_cast<RequireStmt>(St.get()))
      Go = walkRequire(*Q, S, Parent);
    else
      Go = walkIf(*cast<IfStmt>(St.get()), S, Parent);
    if (!Go)
      return;
  }
}

const BlockDecl *SemaImpl::prepareCall(const CallStmt &C, Scope &S, bool Expand, Scope &Inner,
                                       std::vector<Binding> &Bound) {
  const BlockDecl *Callee = resolveCallee(C);
  if (!Callee) {
    if (!Expand) // still report problems inside the arguments
      for (const Arg &A : C.Args)
        Eval.eval(*A.Value, S);
    // An expansion stops at the first call it cannot follow: a loop would otherwise look the name
    // up (and search for a suggestion) once per iteration.
    ExpansionFailed |= Expand;
    return nullptr;
  }
  std::optional<PrimitiveKind> Prim;
  if (Callee->IsPrimitive) {
    Prim = lookupPrimitive(Callee->Name);
    if (!Prim || BadPrimitives.count(Callee)) { // reported at its declaration
      ExpansionFailed |= Expand;
      return nullptr;
    }
  }
  bool WantsBody = Prim && primitiveHasBody(*Prim);
  if (WantsBody != C.HasBody) {
    Diags.report(C.CalleeRange, WantsBody ? diag::err_body_required : diag::err_body_not_allowed,
                 C.Callee, C.Callee);
    ExpansionFailed |= Expand;
    return nullptr;
  }
  if (!bindCall(*Callee, C.Args, S, C.range(), Inner, Expand ? &Bound : nullptr)) {
    ExpansionFailed |= Expand;
    return nullptr;
  }
  if (!Expand || !Callee->IsPrimitive)
    return Callee;
  for (const Binding &B : Bound)
    if (B.second.T.K == Type::Int && B.second.I < 0) {
      Diags.report(C.range(), diag::err_negative_argument, B.first, Callee->Name, B.second.I);
      valueFailure();
      return nullptr;
    }
  std::string Problem = primitiveProblem(*Prim, Bound);
  if (!Problem.empty()) {
    Diags.report(C.range(), diag::err_primitive_arg, Callee->Name, Problem);
    valueFailure();
    return nullptr;
  }
  return Callee;
}

bool SemaImpl::walkCall(const CallStmt &C, Scope &S, LayerNode *Parent) {
  const bool Expand = Parent != nullptr;
  Scope Inner;
  const BlockDecl *Callee;
  LayerNode *N = nullptr;
  {
    std::vector<Binding> Bound;
    Callee = prepareCall(C, S, Expand, Inner, Bound);
    if (!Callee)
      return true;
    if (!Expand) {
      walk(C.Body, S, nullptr); // a primitive's body uses the caller's names
      return true;
    }
    N = newNode(Callee->IsPrimitive ? LayerNode::Primitive : LayerNode::Block, C.range(), Parent);
    if (!N)
      return false;
    N->Name = C.Instance.empty() ? C.Callee : C.Instance;
    N->Decl = Callee;
    if (Callee->IsPrimitive || M.KeepBlockArgs)
      N->Args = ArgList(std::move(Bound));
  }
  if (Callee->IsPrimitive) {
    expandPrimitive(C, S, *N);
    return true;
  }
  if (CallStack.size() >= ExpansionLimits::MaxDepth) {
    Diags.report(C.range(), diag::err_instantiation_too_deep, ExpansionLimits::MaxDepth,
                 Callee->Name);
    ExpansionFailed = true;
    return false;
  }
  if (!bodyReady(*Callee)) {
    ExpansionFailed = true;
    return false;
  }
  CallStack.push_back({Callee->Name, C.range()});
  walk(Callee->body(), Inner, N);
  CallStack.pop_back();
  return true;
}

void SemaImpl::shapeFailure(const CallStmt &C, llvm::StringRef What, const std::string &Why,
                            bool Value) {
  Diags.report(C.range(), diag::err_shape, What, Why);
  if (Value && Eval.OnValueError)
    Eval.OnValueError();
  ExpansionFailed = true;
}

void SemaImpl::residualMismatch(const CallStmt &C, bool HasShortcut,
                                const std::vector<int64_t> &Other) {
  shapeFailure(C, "residual",
               fmt::format("the main path ends with {} but the {} has {}", shapeText(*Shape),
                           HasShortcut ? "shortcut" : "input", shapeText(Other)),
               true);
}

void SemaImpl::expandPrimitive(const CallStmt &C, Scope &S, LayerNode &N) {
  N.Prim = *lookupPrimitive(N.Decl->Name);
  if (Shape)
    N.InShape = *Shape;
  switch (N.Prim) {
  case PrimitiveKind::residual: {
    if (!Shape) {
      shapeFailure(C, "residual", "the model declares no `input`, so there is no tensor to add",
                   false);
      return;
    }
    Residuals.push_back({*Shape, std::nullopt});
    walk(C.Body, S, &N);
    ResidualFrame F = std::move(Residuals.back());
    Residuals.pop_back();
    const std::vector<int64_t> &Other = F.Shortcut ? *F.Shortcut : F.In;
    if (!ExpansionFailed && *Shape != Other)
      residualMismatch(C, F.Shortcut.has_value(), Other);
    break;
  }
  case PrimitiveKind::shortcut: {
    if (Residuals.empty() || Residuals.back().Shortcut) {
      shapeFailure(C, "shortcut", "a `shortcut` belongs directly inside a `residual`, once", false);
      return;
    }
    auto Current = std::move(Shape);
    Shape = Residuals.back().In;
    N.InShape = *Shape;
    walk(C.Body, S, &N);
    Residuals.back().Shortcut = Shape;
    N.OutShape = *Shape;
    Shape = std::move(Current);
    return;
  }
  case PrimitiveKind::branch: {
    // A side path: the tensor and the open `tokens()` it started from come back after it (a
    // `save()` inside stays, for a `concat_saved()` that joins the paths).
    auto Current = Shape;
    auto OpenTokens = Spatial;
    walk(C.Body, S, &N);
    Shape = std::move(Current);
    Spatial = std::move(OpenTokens);
    break;
  }
  case PrimitiveKind::experts:
    if (AuxiliaryDepth) {
      shapeFailure(C, "experts", "an `auxiliary` head holds no experts", false);
      return;
    }
    if (SharedDepth) {
      shapeFailure(C, "experts", "`shared` weights hold no experts", false);
      return;
    }
    ++ExpertsDepth;
    walk(C.Body, S, &N);
    --ExpertsDepth;
    break;
  case PrimitiveKind::concat: {
    // Parallel paths on one tensor, their outputs joined along the channels (channelAxis).
    if (!Shape) {
      shapeFailure(C, "concat", "the model declares no `input`, so there is no tensor to split",
                   false);
      return;
    }
    Concats.push_back({*Shape, Spatial, {}, Residuals.size()});
    walk(C.Body, S, &N);
    ConcatFrame F = std::move(Concats.back());
    Concats.pop_back();
    if (ExpansionFailed)
      return;
    if (F.Outs.empty()) {
      shapeFailure(C, "concat", "it needs at least one `path() { ... }` in its body", false);
      return;
    }
    if (*Shape != F.In) {
      shapeFailure(C, "concat",
                   fmt::format("its body changed the tensor outside a `path` ({} became {}): "
                               "write every parallel path as `path() {{ ... }}`",
                               shapeText(F.In), shapeText(*Shape)),
                   true);
      return;
    }
    const std::vector<int64_t> &First = F.Outs.front();
    const size_t Ch = channelAxis(First);
    Wide Joined = 0;
    for (size_t P = 0; P < F.Outs.size(); ++P) {
      const std::vector<int64_t> &O = F.Outs[P];
      if (!sameOutsideChannels(O, First)) {
        shapeFailure(C, "concat",
                     fmt::format("path {} ends with {}, which does not match path 1's {} outside "
                                 "the channels",
                                 P + 1, shapeText(O), shapeText(First)),
                     true);
        return;
      }
      Joined += O[Ch];
    }
    if (Joined > INT64_MAX) {
      shapeFailure(C, "concat", "the joined channels exceed 2^63 - 1", true);
      return;
    }
    std::vector<int64_t> Out = First;
    Out[Ch] = static_cast<int64_t>(Joined);
    if (!numel(Out)) {
      shapeFailure(C, "concat", fmt::format("{} has more than 2^63 - 1 elements", shapeText(Out)),
                   true);
      return;
    }
    Shape = Out;
    Spatial = std::move(F.OpenTokens);
    break;
  }
  case PrimitiveKind::path: {
    if (Concats.empty() || Concats.back().Residuals != Residuals.size()) {
      shapeFailure(C, "path", "a `path` belongs directly inside a `concat`", false);
      return;
    }
    Shape = Concats.back().In;
    Spatial = Concats.back().OpenTokens;
    N.InShape = *Shape;
    walk(C.Body, S, &N);
    if (ExpansionFailed || !Shape)
      return;
    N.OutShape = *Shape;
    Concats.back().Outs.push_back(*Shape);
    Shape = Concats.back().In;
    Spatial = Concats.back().OpenTokens;
    return;
  }
  case PrimitiveKind::auxiliary: {
    // A head that holds parameters but does not run at inference (Inception's auxiliary
    // classifiers): it starts from the current tensor, which comes back after it.
    auto Current = Shape;
    auto OpenTokens = Spatial;
    ++AuxiliaryDepth;
    walk(C.Body, S, &N);
    --AuxiliaryDepth;
    Shape = std::move(Current);
    Spatial = std::move(OpenTokens);
    break;
  }
  case PrimitiveKind::encoder: {
    // The layers that run over the source sequence of an encoder-decoder (the encoder stack, and
    // the decoder's projections of the encoder's outputs for cross-attention).
    const char *Why = Shape ? "a model with an `input` counts its work per input; `encoder` "
                              "sections are for encoder-decoder language models"
                      : EncoderDepth   ? "the sections do not nest"
                      : ExpertsDepth   ? "an `experts` body holds none"
                      : AuxiliaryDepth ? "an `auxiliary` head holds none"
                      : SharedDepth    ? "`shared` weights hold none"
                                       : nullptr;
    if (Why) {
      Diags.report(C.range(), diag::err_encoder_place, Why);
      ExpansionFailed = true;
      return;
    }
    ++EncoderDepth;
    walk(C.Body, S, &N);
    --EncoderDepth;
    break;
  }
  case PrimitiveKind::shared: {
    // Weights stored once and run at several places: the tensor flows through the body in place.
    // The cost model counts the parameters at an id's first use (CostModel.cpp).
    const char *Why = SharedDepth    ? "they do not nest"
                      : ExpertsDepth ? "an `experts` body holds none (each expert has its own "
                                       "weights)"
                      : EncoderDepth ? "an `encoder` section holds none"
                                     : nullptr;
    if (Why) {
      Diags.report(C.range(), diag::err_shared_place, Why);
      ExpansionFailed = true;
      return;
    }
    ++SharedDepth;
    walk(C.Body, S, &N);
    --SharedDepth;
    break;
  }
  default:
    if (EncoderDepth && !encoderAllows(N, C)) {
      ExpansionFailed = true;
      return;
    }
    if (SharedDepth && (N.Prim == PrimitiveKind::embedding || N.Prim == PrimitiveKind::lm_head)) {
      Diags.report(C.range(), diag::err_shared_holds, N.Decl->Name);
      ExpansionFailed = true;
      return;
    }
    if (!flowShape(N, C))
      valueFailure();
    break;
  }
  if (Shape)
    N.OutShape = *Shape;
}

bool SemaImpl::encoderAllows(const LayerNode &N, const CallStmt &C) {
  std::string Why;
  if (N.Prim == PrimitiveKind::attend && N.arg("cross_len")->I)
    Why = "cross-attention (`cross_len`) belongs to the decoder: put only its key and value "
          "projections of the encoder's outputs in an `encoder` section";
  else if (N.Prim == PrimitiveKind::attend && N.arg("causal")->B)
    Why = "an encoder's attention sees the whole source: write `causal: false`";
  else if (N.Prim == PrimitiveKind::lm_head)
    Why = "the output head (`lm_head`) belongs to the decoder, outside the `encoder` section";
  else if (N.Prim == PrimitiveKind::ssm || N.Prim == PrimitiveKind::conv1d)
    Why = fmt::format("an encoder keeps no state between decoding steps, so `{}` is not "
                      "counted in one",
                      N.Decl->Name);
  if (Why.empty())
    return true;
  Diags.report(C.range(), diag::err_encoder, Why);
  return false;
}

void SemaImpl::repeatProblem(const RepeatStmt &R, int64_t K, bool Range) {
  // Before the `input` of a model there is no tensor yet (an `input` inside the repeat).
  auto Text = [](const std::optional<std::vector<int64_t>> &X) {
    return X ? shapeText(*X) : std::string("no tensor");
  };
  if (Range)
    Diags.report(R.Count->range(), diag::err_repeat_count, K, ExpansionLimits::MaxRepeat);
  else
    Diags.report(R.range(), diag::err_shape, "repeat",
                 fmt::format("its body turns {} into {}, so repeating it {} times is not one "
                             "shape; write the layers out or use `for`",
                             Text(RepeatShape), Text(Shape), K));
  valueFailure();
}

bool SemaImpl::walkRepeat(const RepeatStmt &R, Scope &S, LayerNode *Parent) {
  IntArg Count = evalIntArg(*R.Count, S, "a repeat count");
  if (!Parent) {
    walk(R.Body, S, nullptr);
    return true;
  }
  if (Count.K != IntArg::Known) {
    ExpansionFailed = true;
    return true;
  }
  int64_t K = Count.V;
  if (K < 0 || K > ExpansionLimits::MaxRepeat) {
    repeatProblem(R, K, true);
    return true;
  }
  LayerNode *N = newNode(LayerNode::Repeat, R.range(), Parent);
  if (!N)
    return false;
  N->Name = "repeat";
  N->Count = K;
  auto Before = Shape;
  walk(R.Body, S, N);
  if (Shape != Before && K != 1 && !ExpansionFailed) {
    RepeatShape = std::move(Before);
    repeatProblem(R, K, false);
  }
  return true;
}

void SemaImpl::forProblem(const ForStmt &F, int64_t A, int64_t B, std::optional<int64_t> Iters) {
  Diags.report(F.range(), diag::err_for_range, A, B,
               Iters ? std::to_string(*Iters) : std::string("too many"),
               ExpansionLimits::MaxForIterations);
  valueFailure();
}

void SemaImpl::bindIndex(Scope &Inner, const ForStmt &F, std::optional<int64_t> I) {
  if (I)
    Inner.bind(F.Var, EvalResult::known(Value::ofInt(*I)), F.VarRange);
  else
    Inner.bind(F.Var, {Type::of(Type::Int), std::nullopt}, F.VarRange);
}

void SemaImpl::setIndex(LayerNode &It, const ForStmt &F, int64_t I) {
  It.Name = F.Var;
  It.Args = ArgList({{F.Var, Value::ofInt(I)}});
}

bool SemaImpl::walkFor(const ForStmt &F, Scope &S, LayerNode *Parent) {
  IntArg Lo = evalIntArg(*F.Lo, S, "a loop bound");
  IntArg Hi = evalIntArg(*F.Hi, S, "a loop bound");
  if (!Parent) {
    // `for n in 0..n` would make `n` mean two things in one block: an error where the body is
    // checked (once per block), not a silent choice.
    if (const Scope::Entry *E = S.lookup(F.Var)) {
      Diags.report(F.VarRange, diag::err_loop_shadows, F.Var);
      if (E->DeclRange.isValid())
        Diags.report(E->DeclRange, diag::note_previous_definition);
    }
    Scope Inner(&S);
    bindIndex(Inner, F, std::nullopt);
    walk(F.Body, Inner, nullptr);
    return true;
  }
  if (Lo.K != IntArg::Known || Hi.K != IntArg::Known) {
    ExpansionFailed = true;
    return true;
  }
  int64_t A = Lo.V, B = Hi.V;
  auto Iters = checkedSub(B, A);
  if (!Iters || *Iters < 0 || *Iters > ExpansionLimits::MaxForIterations) {
    forProblem(F, A, B, Iters);
    return true;
  }
  LayerNode *N = newNode(LayerNode::For, F.range(), Parent);
  if (!N)
    return false;
  N->Name = F.Var;
  N->Count = *Iters;
  for (int64_t I = A; I < B && !ExpansionFailed; ++I) {
    LayerNode *It = newNode(LayerNode::Iteration, F.range(), N);
    if (!It)
      return false;
    setIndex(*It, F, I);
    Scope Inner(&S);
    bindIndex(Inner, F, I);
    walk(F.Body, Inner, It);
  }
  return true;
}

bool SemaImpl::walkRequire(const RequireStmt &Q, Scope &S, LayerNode *Parent) {
  EvalResult Cond = Eval.eval(*Q.Cond, S);
  if (!Eval.convert(Cond, Type::of(Type::Bool), Q.Cond->range(), "a `require` condition")) {
    if (Parent)
      valueFailure();
    return true;
  }
  // Checked where the block is expanded, with its arguments known.
  if (!Parent || !Cond.V || Cond.V->B)
    return true;
  Diags.report(Q.range(), diag::err_requirement_failed,
               Q.Message.empty() ? "`" + Q.Cond->text() + "` is false" : Q.Message);
  valueFailure();
  return true;
}

bool SemaImpl::walkIf(const IfStmt &First, Scope &S, LayerNode *Parent) {
  const bool Expand = Parent != nullptr;
  // An `if`, and each `else if` of its chain in turn (an IfStmt alone in the Else).
  for (const IfStmt *If = &First; If;) {
    IntArg Cond = evalCondition(*If, S);
    const IfStmt *ElseIf =
        If->Else.size() == 1 ? dyn_cast<IfStmt>(If->Else.front().get()) : nullptr;
    if (!Expand) {
      walk(If->Then, S, nullptr);
      if (!ElseIf)
        walk(If->Else, S, nullptr);
    } else if (Cond.K != IntArg::Known) {
      ExpansionFailed = true;
      return true;
    } else if (Cond.V || !ElseIf) {
      walk(Cond.V ? If->Then : If->Else, S, Parent);
      return true;
    }
    If = ElseIf;
    if (If && (Diags.tooManyErrors() || (Expand && (ExpansionFailed || !chargeStep(*If)))))
      return true;
  }
  return true;
}
