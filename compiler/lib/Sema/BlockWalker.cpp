//===- BlockWalker.cpp - argument binding, checking and expansion ---------===//
//
// One walk over a block body serves two purposes. Checking (no parent node): parameters are
// known by type only, `for` bodies are checked once with the index unknown, and both branches of
// an `if` are checked. Expanding (a parent node): values are known, `repeat` becomes one node with
// a count (its body is expanded once, since it cannot depend on an index), `for` is unrolled into
// one node per iteration, `if` keeps the taken branch, and calls to blocks recurse. Every limit of
// ExpansionLimits is enforced here. In a model with an input, each primitive also moves the
// flowing shape (Shapes.cpp); `residual`, `shortcut` and `branch` save and restore it here.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"
#include "zoo/Basic/Checked.h"
#include "llvm/ADT/StringSet.h"

using namespace zoo;
using llvm::cast;
using llvm::dyn_cast;

static bool isBlockDecl(const Decl *D) { return llvm::isa<BlockDecl>(D); }

const BlockDecl *SemaImpl::resolveCallee(const CallStmt &C) {
  const Decl *D = M.Decls.lookup(C.Callee);
  if (!D) {
    unknownDecl(C.Callee, C.CalleeRange, diag::err_unknown_block, isBlockDecl);
    return nullptr;
  }
  auto *B = dyn_cast<BlockDecl>(D);
  if (!B) {
    Diags.report(C.CalleeRange, diag::err_not_a_block, C.Callee, D->kindName());
    Diags.report(D->NameRange, diag::note_declared_here, C.Callee);
  }
  return B;
}

bool SemaImpl::bindCall(const BlockDecl &Callee, llvm::ArrayRef<Arg> Args, const Scope &Caller,
                        llvm::SMRange CallRange, Scope &Out, std::vector<Binding> *Bound,
                        const std::vector<std::pair<std::string, Value>> *Preset,
                        std::vector<std::pair<std::string, Value>> *Explicit) {
  bool OK = true;
  size_t N = Callee.Params.size();
  std::vector<std::optional<EvalResult>> Given(N);
  std::vector<llvm::SMRange> GivenAt(N);
  bool SawNamed = false;
  size_t Positional = 0;
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
        Eval.eval(*A.Value, Caller); // still report problems inside the value
        OK = false;
        continue;
      }
      if (Given[Index]) {
        Diags.report(A.NameRange, diag::err_duplicate_argument, A.Name);
        OK = false;
        continue;
      }
    }
    EvalResult R = Eval.eval(*A.Value, Caller);
    auto T = paramType(Callee.Params[Index]);
    if (!T || !Eval.convert(
                  R, *T, A.Value->range(),
                  fmt::format("argument `{}` of `{}`", Callee.Params[Index].Name, Callee.Name))) {
      OK = false;
      continue;
    }
    Given[Index] = R;
    GivenAt[Index] = A.Value->range();
  }
  if (!OK)
    return false;

  for (size_t I = 0; I < N; ++I) {
    const ParamDecl &P = Callee.Params[I];
    auto T = paramType(P);
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
      // Defaults are evaluated in the callee: errors in them point back to this call.
      CallStack.push_back({Callee.Name, CallRange});
      R = Eval.eval(*P.Default, Out);
      CallStack.pop_back();
      if (!Eval.convert(R, *T, P.Default->range(), fmt::format("the default of `{}`", P.Name)))
        return false;
    } else {
      Diags.report(CallRange, diag::err_missing_argument, P.Name, Callee.Name);
      Diags.report(P.NameRange, diag::note_declared_here, P.Name);
      OK = false;
      continue;
    }
    if (!R.ok())
      return false;
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
    if (I("cache") == 0 && (I("kv_heads") == 0 || I("heads") % I("kv_heads") != 0))
      return fmt::format("`heads` ({}) must be a positive multiple of `kv_heads` ({})", I("heads"),
                         I("kv_heads"));
    return "";
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

/// Evaluates `E` in `S` as an int; nullopt (reported) when it is not one.
std::optional<EvalResult> evalInt(Evaluator &Eval, const Expr &E, const Scope &S,
                                  const std::string &What) {
  EvalResult R = Eval.eval(E, S);
  if (!Eval.convert(R, Type::of(Type::Int), E.range(), What))
    return std::nullopt;
  return R;
}
} // namespace

void SemaImpl::walk(const StmtList &Body, Scope &S, LayerNode *Parent) {
  const bool Expand = Parent != nullptr;
  auto NewNode = [&](LayerNode::Kind K, llvm::SMRange R, LayerNode *Into) -> LayerNode * {
    if (++NodeCount > ExpansionLimits::MaxNodes) {
      if (!ExpansionFailed)
        Diags.report(Expanding->Decl->NameRange, diag::err_expansion_too_large, Expanding->Name,
                     ExpansionLimits::MaxNodes);
      ExpansionFailed = true;
      return nullptr;
    }
    auto N = std::make_unique<LayerNode>();
    N->K = K;
    N->Range = R;
    Into->Children.push_back(std::move(N));
    return Into->Children.back().get();
  };

  for (const StmtPtr &St : Body) {
    if (Diags.tooManyErrors() || (Expand && ExpansionFailed))
      return;
    if (auto *C = dyn_cast<CallStmt>(St.get())) {
      const BlockDecl *Callee = resolveCallee(*C);
      if (!Callee) {
        if (!Expand) // still report problems inside the arguments
          for (const Arg &A : C->Args)
            Eval.eval(*A.Value, S);
        continue;
      }
      bool WantsBody = Callee->IsPrimitive && primitiveHasBody(*lookupPrimitive(Callee->Name));
      if (WantsBody != C->HasBody) {
        Diags.report(C->CalleeRange,
                     WantsBody ? diag::err_body_required : diag::err_body_not_allowed, C->Callee,
                     C->Callee);
        ExpansionFailed |= Expand;
        continue;
      }
      Scope Inner;
      std::vector<Binding> Bound;
      if (!bindCall(*Callee, C->Args, S, C->range(), Inner, Expand ? &Bound : nullptr)) {
        ExpansionFailed |= Expand;
        continue;
      }
      if (!Expand) {
        walk(C->Body, S, nullptr); // a primitive's body uses the caller's names
        continue;
      }
      if (Callee->IsPrimitive) {
        bool Bad = false;
        for (const Binding &B : Bound)
          if (B.second.T.K == Type::Int && B.second.I < 0 && !Bad) {
            Diags.report(C->range(), diag::err_negative_argument, B.first, Callee->Name,
                         B.second.I);
            if (Eval.OnValueError)
              Eval.OnValueError();
            Bad = true;
          }
        std::string Problem = Bad ? "" : primitiveProblem(*lookupPrimitive(Callee->Name), Bound);
        if (!Problem.empty()) {
          Diags.report(C->range(), diag::err_primitive_arg, Callee->Name, Problem);
          if (Eval.OnValueError)
            Eval.OnValueError();
          Bad = true;
        }
        if (Bad) {
          ExpansionFailed = true;
          continue;
        }
      }
      LayerNode *N = NewNode(Callee->IsPrimitive ? LayerNode::Primitive : LayerNode::Block,
                             C->range(), Parent);
      if (!N)
        return;
      N->Name = C->Instance.empty() ? C->Callee : C->Instance;
      N->Decl = Callee;
      N->Args = std::move(Bound);
      if (Callee->IsPrimitive) {
        N->Prim = *lookupPrimitive(Callee->Name);
        if (Shape)
          N->InShape = *Shape;
        switch (N->Prim) {
        case PrimitiveKind::residual: {
          if (!Shape) {
            Diags.report(C->range(), diag::err_shape, "residual",
                         "the model declares no `input`, so there is no tensor to add");
            ExpansionFailed = true;
            continue;
          }
          Residuals.push_back({*Shape, std::nullopt});
          walk(C->Body, S, N);
          ResidualFrame F = Residuals.back();
          Residuals.pop_back();
          const std::vector<int64_t> &Other = F.Shortcut ? *F.Shortcut : F.In;
          if (!ExpansionFailed && *Shape != Other) {
            Diags.report(C->range(), diag::err_shape, "residual",
                         fmt::format("the main path ends with {} but the {} has {}",
                                     shapeText(*Shape), F.Shortcut ? "shortcut" : "input",
                                     shapeText(Other)));
            if (Eval.OnValueError)
              Eval.OnValueError();
            ExpansionFailed = true;
          }
          break;
        }
        case PrimitiveKind::shortcut: {
          if (Residuals.empty() || Residuals.back().Shortcut) {
            Diags.report(C->range(), diag::err_shape, "shortcut",
                         "a `shortcut` belongs directly inside a `residual`, once");
            ExpansionFailed = true;
            continue;
          }
          auto Current = Shape;
          Shape = Residuals.back().In;
          N->InShape = *Shape;
          walk(C->Body, S, N);
          Residuals.back().Shortcut = Shape;
          N->OutShape = *Shape;
          Shape = Current;
          continue;
        }
        case PrimitiveKind::branch: {
          auto Current = Shape;
          walk(C->Body, S, N);
          Shape = Current;
          break;
        }
        case PrimitiveKind::experts:
          walk(C->Body, S, N);
          break;
        default:
          if (!flowShape(*N, *C)) {
            if (Eval.OnValueError)
              Eval.OnValueError();
            ExpansionFailed = true;
          }
          break;
        }
        if (Shape)
          N->OutShape = *Shape;
        continue;
      }
      if (CallStack.size() >= ExpansionLimits::MaxDepth) {
        Diags.report(C->range(), diag::err_instantiation_too_deep, ExpansionLimits::MaxDepth,
                     Callee->Name);
        ExpansionFailed = true;
        return;
      }
      CallStack.push_back({Callee->Name, C->range()});
      walk(Callee->Body, Inner, N);
      CallStack.pop_back();
      continue;
    }
    if (auto *R = dyn_cast<RepeatStmt>(St.get())) {
      auto Count = evalInt(Eval, *R->Count, S, "a repeat count");
      if (!Expand) {
        walk(R->Body, S, nullptr);
        continue;
      }
      if (!Count || !Count->V) {
        ExpansionFailed = true;
        continue;
      }
      int64_t K = Count->V->I;
      if (K < 0 || K > ExpansionLimits::MaxRepeat) {
        Diags.report(R->Count->range(), diag::err_repeat_count, K, ExpansionLimits::MaxRepeat);
        if (Eval.OnValueError)
          Eval.OnValueError();
        ExpansionFailed = true;
        continue;
      }
      LayerNode *N = NewNode(LayerNode::Repeat, R->range(), Parent);
      if (!N)
        return;
      N->Name = "repeat";
      N->Count = K;
      auto Before = Shape;
      walk(R->Body, S, N);
      if (Shape != Before && K != 1 && !ExpansionFailed) {
        Diags.report(R->range(), diag::err_shape, "repeat",
                     fmt::format("its body turns {} into {}, so repeating it {} times is not one "
                                 "shape; write the layers out or use `for`",
                                 shapeText(*Before), shapeText(*Shape), K));
        if (Eval.OnValueError)
          Eval.OnValueError();
        ExpansionFailed = true;
      }
      continue;
    }
    if (auto *F = dyn_cast<ForStmt>(St.get())) {
      auto Lo = evalInt(Eval, *F->Lo, S, "a loop bound");
      auto Hi = evalInt(Eval, *F->Hi, S, "a loop bound");
      if (!Expand) {
        Scope Inner(&S);
        Inner.bind(F->Var, {Type::of(Type::Int), std::nullopt}, F->VarRange);
        walk(F->Body, Inner, nullptr);
        continue;
      }
      if (!Lo || !Hi || !Lo->V || !Hi->V) {
        ExpansionFailed = true;
        continue;
      }
      int64_t A = Lo->V->I, B = Hi->V->I;
      auto Iters = checkedSub(B, A);
      if (!Iters || *Iters < 0 || *Iters > ExpansionLimits::MaxForIterations) {
        Diags.report(F->range(), diag::err_for_range, A, B,
                     Iters ? std::to_string(*Iters) : std::string("too many"),
                     ExpansionLimits::MaxForIterations);
        if (Eval.OnValueError)
          Eval.OnValueError();
        ExpansionFailed = true;
        continue;
      }
      LayerNode *N = NewNode(LayerNode::For, F->range(), Parent);
      if (!N)
        return;
      N->Name = F->Var;
      N->Count = *Iters;
      for (int64_t I = A; I < B && !ExpansionFailed; ++I) {
        LayerNode *It = NewNode(LayerNode::Iteration, F->range(), N);
        if (!It)
          return;
        It->Name = F->Var;
        It->Args.push_back({F->Var, Value::ofInt(I)});
        Scope Inner(&S);
        Inner.bind(F->Var, EvalResult::known(Value::ofInt(I)), F->VarRange);
        walk(F->Body, Inner, It);
      }
      continue;
    }
    auto *If = cast<IfStmt>(St.get());
    EvalResult Cond = Eval.eval(*If->Cond, S);
    bool OK = Eval.convert(Cond, Type::of(Type::Bool), If->Cond->range(), "an `if` condition");
    if (!Expand) {
      walk(If->Then, S, nullptr);
      walk(If->Else, S, nullptr);
      continue;
    }
    if (!OK || !Cond.V) {
      ExpansionFailed = true;
      continue;
    }
    walk(Cond.V->B ? If->Then : If->Else, S, Parent);
  }
}
