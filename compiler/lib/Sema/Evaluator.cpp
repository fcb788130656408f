//===- Evaluator.cpp - typing and constant evaluation ---------------------===//
//
// eval() first types an expression, reporting ill-typed operands once, then computes its value
// when all operands have one. Integer operations use checked arithmetic and report overflow;
// integer `/` must be exact. Quantities are doubles in base units; their dimensions multiply and
// divide, and only equal dimensions add or compare. Every real value is finite: a literal whose
// unit scales it beyond a double, and an operation whose result overflows one, are errors at the
// expression, so no infinity or NaN ever reaches a record (`NaN <= 0` would pass any check).
//
//===----------------------------------------------------------------------===//
#include "zoo/Sema/Evaluator.h"
#include "ShapeRules.h"
#include "zoo/Basic/Checked.h"
#include <algorithm>
#include <cmath>

using namespace zoo;
using llvm::cast;
using llvm::dyn_cast;

void Scope::bind(Atom Name, EvalResult R, llvm::SMRange DeclRange) {
  if (!AllAtoms)
    return bind(Name.ref(), std::move(R), DeclRange);
  llvm::StringRef Text = Name.ref();
  for (auto &V : Vars)
    if (V.first.data() == Text.data()) {
      V.second = Entry{std::move(R), DeclRange};
      return;
    }
  Vars.push_back({Text, Entry{std::move(R), DeclRange}});
}

const Scope::Entry *Scope::lookup(Atom Name) const {
  llvm::StringRef Text = Name.ref();
  for (const Scope *S = this; S; S = S->Parent)
    for (const auto &V : S->Vars)
      if (S->AllAtoms ? V.first.data() == Text.data() : V.first == Text)
        return &V.second;
  return nullptr;
}

void Scope::bind(llvm::StringRef Name, EvalResult R, llvm::SMRange DeclRange) {
  AllAtoms = false;
  for (auto &V : Vars)
    if (V.first == Name) {
      V.second = Entry{std::move(R), DeclRange};
      return;
    }
  Vars.push_back({Name, Entry{std::move(R), DeclRange}});
}

const Scope::Entry *Scope::lookup(llvm::StringRef Name) const {
  for (const Scope *S = this; S; S = S->Parent)
    for (const auto &V : S->Vars)
      if (V.first == Name)
        return &V.second;
  return nullptr;
}

void Scope::collectNames(std::vector<std::string> &Out) const {
  for (const Scope *S = this; S; S = S->Parent)
    for (const auto &V : S->Vars)
      Out.push_back(V.first.str());
}

void Evaluator::valueError() {
  if (OnValueError)
    OnValueError();
}

std::optional<Type> Evaluator::resolveType(llvm::StringRef Text, llvm::SMRange Where) {
  if (Text == "int")
    return Type::of(Type::Int);
  if (Text == "real")
    return Type::of(Type::Real);
  if (Text == "bool")
    return Type::of(Type::Bool);
  if (Text == "string")
    return Type::of(Type::String);
  auto It = M.Decls.find(Text);
  if (It != M.Decls.end())
    if (auto *E = dyn_cast<EnumDecl>(It->second))
      return Type::enumeration(E);
  if (auto D = lookupDimension(Text))
    return Type::quantity(*D);
  Diags.report(Where, diag::err_unknown_type, Text);
  std::vector<std::string> Cands = {"int", "real", "bool", "string", "bytes", "tokens", "FLOP"};
  for (const auto &KV : M.Decls)
    if (llvm::isa<EnumDecl>(KV.second))
      Cands.push_back(KV.getKey().str());
  Diags.suggest(Where, Text, Cands);
  return std::nullopt;
}

bool Evaluator::convert(EvalResult &R, const Type &To, llvm::SMRange Where, WhatFn What) {
  if (!R.ok() || To.isError())
    return false;
  if (R.T == To)
    return true;
  if (R.T.K == Type::Int && To.K == Type::Real) {
    R.T = To;
    if (R.V)
      R.V = Value::ofReal(static_cast<double>(R.V->I));
    return true;
  }
  if (R.IntegralLiteral && R.V && To.K == Type::Int) {
    R = EvalResult::known(Value::ofInt(static_cast<int64_t>(R.V->R)));
    return true;
  }
  if (R.T.K == Type::Quantity && To.K == Type::Quantity)
    Diags.report(Where, diag::err_dimension_mismatch, To.str(), R.T.str());
  else
    Diags.report(Where, diag::err_type_mismatch, What(), To.str(), R.T.str());
  return false;
}

EvalResult Evaluator::eval(const Expr &E, const Scope &S) {
  // Only dispatch here: expressions nest (up to the parser's limits), and a small frame keeps
  // deep nesting far from the stack's end even in sanitizer builds.
  switch (E.getKind()) {
  case Expr::Number:
    return number(cast<NumberExpr>(E));
  case Expr::String:
    return EvalResult::known(Value::ofString(cast<StringExpr>(E).Value));
  case Expr::Bool:
    return EvalResult::known(Value::ofBool(cast<BoolExpr>(E).Value));
  case Expr::Name:
    return name(cast<NameExpr>(E), S);
  case Expr::Unary:
    return unary(cast<UnaryExpr>(E), S);
  case Expr::Binary:
    return binary(cast<BinaryExpr>(E), S);
  case Expr::Call:
    return call(cast<CallExpr>(E), S);
  case Expr::Cond:
    return conditional(cast<CondExpr>(E), S);
  }
  llvm_unreachable("unknown expression kind");
}

EvalResult Evaluator::number(const NumberExpr &N) {
  Value V;
  if (!std::isfinite(N.RealValue)) { // `1e300 TB`: the unit's scale overflows
    Diags.report(N.range(), diag::err_real_literal_invalid, N.text());
    valueError();
    return {};
  }
  if (!N.UnitText.empty()) {
    V.T = Type::quantity(N.UnitDim);
    V.R = N.RealValue;
    V.Unit = N.UnitText;
  } else if (N.IsInt) {
    V = Value::ofInt(N.IntValue);
  } else {
    V = Value::ofReal(N.RealValue);
    EvalResult R = EvalResult::known(V);
    // Exact up to 2^53, where every integer is a double.
    R.IntegralLiteral = std::fabs(N.RealValue) <= 9007199254740992.0 &&
                        std::trunc(N.RealValue) == N.RealValue;
    return R;
  }
  return EvalResult::known(V);
}

EvalResult Evaluator::conditional(const CondExpr &C, const Scope &S) {
  EvalResult Cond = eval(*C.C, S);
  EvalResult T = eval(*C.T, S), F = eval(*C.F, S);
  if (!Cond.ok() || !T.ok() || !F.ok())
    return {};
  if (!convert(Cond, Type::of(Type::Bool), C.C->range(), "the condition of `?:`"))
    return {};
  if (T.T != F.T) {
    if (T.T.isNumeric() && F.T.isNumeric()) {
      convert(T, Type::of(Type::Real), C.T->range(), "");
      convert(F, Type::of(Type::Real), C.F->range(), "");
    } else {
      Diags.report(C.range(), diag::err_cond_mismatch, T.T.str(), F.T.str());
      return {};
    }
  }
  if (!Cond.V)
    return {T.T, std::nullopt};
  return Cond.V->B ? T : F;
}

EvalResult Evaluator::name(const NameExpr &E, const Scope &S) {
  if (E.Path.size() > 1) {
    Diags.report(E.range(), diag::err_dotted_name, E.text());
    return {};
  }
  if (const Scope::Entry *En = S.lookup(E.name()))
    return En->R;
  auto It = M.Enumerators.find(E.name());
  if (It != M.Enumerators.end()) {
    Value V;
    V.T = Type::enumeration(It->second.first);
    V.S = E.name();
    return EvalResult::known(V);
  }
  Diags.report(E.range(), diag::err_unknown_name, E.name());
  std::vector<std::string> Cands;
  S.collectNames(Cands);
  for (const auto &KV : M.Enumerators)
    Cands.push_back(KV.getKey().str());
  Cands.push_back("true");
  Cands.push_back("false");
  std::sort(Cands.begin(), Cands.end());
  std::string Best = closestMatch(E.name(), Cands);
  if (!Best.empty()) {
    const Scope::Entry *B = S.lookup(Best);
    llvm::SMRange At = B && B->DeclRange.Start.isValid() ? B->DeclRange : E.range();
    Diags.report(At, diag::note_did_you_mean, Best);
  }
  return {};
}

EvalResult Evaluator::unary(const UnaryExpr &E, const Scope &S) {
  EvalResult X = eval(*E.Operand, S);
  if (!X.ok())
    return {};
  if (E.Op == "!") {
    if (X.T.K != Type::Bool) {
      Diags.report(E.range(), diag::err_bad_operand, E.Op, X.T.str());
      return {};
    }
    if (X.V)
      X.V->B = !X.V->B;
    return X;
  }
  if (!X.T.isNumeric() && X.T.K != Type::Quantity) {
    Diags.report(E.range(), diag::err_bad_operand, E.Op, X.T.str());
    return {};
  }
  if (E.Op == "-" && X.V) {
    if (X.T.K == Type::Int) {
      auto R = checkedSub(0, X.V->I);
      if (!R) {
        Diags.report(E.range(), diag::err_int_overflow, E.text());
        valueError();
        return {};
      }
      X.V->I = *R;
    } else {
      X.V->R = -X.V->R;
    }
  }
  return X;
}

namespace {
bool isArith(llvm::StringRef Op) {
  return Op == "+" || Op == "-" || Op == "*" || Op == "/" || Op == "%";
}
bool isOrder(llvm::StringRef Op) { return Op == "<" || Op == "<=" || Op == ">" || Op == ">="; }

/// The result type of `A Op B`, or Error.
Type binaryType(llvm::StringRef Op, const Type &A, const Type &B) {
  bool Num = A.isNumeric() && B.isNumeric();
  bool BothInt = A.K == Type::Int && B.K == Type::Int;
  bool QA = A.K == Type::Quantity, QB = B.K == Type::Quantity;
  if (Op == "&&" || Op == "||")
    return A.K == Type::Bool && B.K == Type::Bool ? Type::of(Type::Bool) : Type::error();
  if (Op == "==" || Op == "!=") {
    if (Num || A == B)
      return Type::of(Type::Bool);
    return Type::error();
  }
  if (isOrder(Op))
    return Num || (QA && A == B) ? Type::of(Type::Bool) : Type::error();
  if (Op == "%")
    return BothInt ? A : Type::error();
  if (Op == "+" || Op == "-") {
    if (BothInt)
      return A;
    if (Num)
      return Type::of(Type::Real);
    return QA && A == B ? A : Type::error();
  }
  // * and /
  if (BothInt)
    return A;
  if (Num)
    return Type::of(Type::Real);
  if ((QA || A.isNumeric()) && (QB || B.isNumeric())) {
    Dim DA = QA ? A.D : Dim(), DB = QB ? B.D : Dim();
    return Type::quantity(Op == "*" ? DA * DB : DA / DB);
  }
  return Type::error();
}
} // namespace

EvalResult Evaluator::binary(const BinaryExpr &E, const Scope &S) {
  EvalResult L = eval(*E.LHS, S), R = eval(*E.RHS, S);
  if (!L.ok() || !R.ok())
    return {};
  // A dimension's exponents are small integers: `s * s * ...` 257 times must not wrap to `s`.
  if ((E.Op == "*" || E.Op == "/") && L.T.K == Type::Quantity && R.T.K == Type::Quantity &&
      !L.T.D.combines(R.T.D, E.Op == "/")) {
    Diags.report(E.range(), diag::err_dimension_exponent, E.text());
    return {};
  }
  Type T = binaryType(E.Op, L.T, R.T);
  if (T.isError()) {
    if ((E.Op == "+" || E.Op == "-" || isOrder(E.Op)) && L.T.K == Type::Quantity &&
        R.T.K == Type::Quantity)
      Diags.report(E.range(), diag::err_dimension_operands, E.Op, L.T.str(), R.T.str());
    else
      Diags.report(E.range(), diag::err_bad_operands, E.Op, L.T.str(), R.T.str());
    return {};
  }
  if (!L.V || !R.V)
    return {T, std::nullopt};
  const Value &A = *L.V, &B = *R.V;
  Value Out;
  Out.T = T;
  llvm::StringRef Op = E.Op;

  if (T.K == Type::Int && isArith(Op)) {
    std::optional<int64_t> X;
    if (Op == "+")
      X = checkedAdd(A.I, B.I);
    else if (Op == "-")
      X = checkedSub(A.I, B.I);
    else if (Op == "*")
      X = checkedMul(A.I, B.I);
    else {
      if (B.I == 0) {
        Diags.report(E.range(), diag::err_division_by_zero, E.text());
        valueError();
        return {};
      }
      if (A.I == INT64_MIN && B.I == -1) {
        X = std::nullopt;
      } else if (Op == "%") {
        // Floored, like floor_div: the remainder has the divisor's sign, so `(i - 1) % 2` is 1
        // at i = 0 (C's truncation would give -1), and a == floor_div(a, b) * b + a % b.
        int64_t R = A.I % B.I;
        X = R != 0 && (R < 0) != (B.I < 0) ? R + B.I : R;
      } else {
        if (A.I % B.I != 0) {
          Diags.report(E.range(), diag::err_inexact_division, E.text(), A.I, B.I, A.I % B.I);
          Diags.report(E.range(), diag::note_use_ceil_div);
          valueError();
          return {};
        }
        X = A.I / B.I;
      }
    }
    if (!X) {
      Diags.report(E.range(), diag::err_int_overflow, E.text());
      valueError();
      return {};
    }
    Out.I = *X;
    return EvalResult::known(Out);
  }
  if (T.K == Type::Bool) {
    if (Op == "&&")
      Out.B = A.B && B.B;
    else if (Op == "||")
      Out.B = A.B || B.B;
    else if (A.T.K == Type::Int && B.T.K == Type::Int) {
      Out.B = Op == "=="   ? A.I == B.I
              : Op == "!=" ? A.I != B.I
              : Op == "<"  ? A.I < B.I
              : Op == "<=" ? A.I <= B.I
              : Op == ">"  ? A.I > B.I
                           : A.I >= B.I;
    } else if (A.T.K == Type::Bool || A.T.K == Type::String || A.T.K == Type::Enum) {
      bool Eq = A.T.K == Type::Bool ? A.B == B.B : A.S == B.S;
      Out.B = Op == "==" ? Eq : !Eq;
    } else {
      double X = A.asDouble(), Y = B.asDouble();
      Out.B = Op == "=="   ? X == Y
              : Op == "!=" ? X != Y
              : Op == "<"  ? X < Y
              : Op == "<=" ? X <= Y
              : Op == ">"  ? X > Y
                           : X >= Y;
    }
    return EvalResult::known(Out);
  }
  // Real or quantity arithmetic.
  double X = A.asDouble(), Y = B.asDouble();
  if ((Op == "/" || Op == "%") && Y == 0) {
    Diags.report(E.range(), diag::err_division_by_zero, E.text());
    valueError();
    return {};
  }
  Out.R = Op == "+" ? X + Y : Op == "-" ? X - Y : Op == "*" ? X * Y : X / Y;
  if (!std::isfinite(Out.R)) {
    Diags.report(E.range(), diag::err_real_overflow, E.text());
    valueError();
    return {};
  }
  if (T.K == Type::Quantity) {
    // Keep the unit a reader wrote when the dimension is an operand's.
    if (A.T == T)
      Out.Unit = A.Unit;
    else if (B.T == T)
      Out.Unit = B.Unit;
  }
  return EvalResult::known(Out);
}

namespace {
const char *const Builtins[] = {"min",  "max",   "ceil_div", "floor_div", "round_up",
                                 "round", "floor", "ceil",     "trunc",     "log",
                                 "pow",  "sqrt",  "exp",      "make_divisible",
                                 "channels", "dim", "length",  "char_at"};

/// A real rounded to an int by `F` (round: halves to even, as Python's `round` and numpy);
/// nullopt when the result is beyond a 64-bit int.
std::optional<int64_t> toInt(llvm::StringRef F, double X) {
  double R = F == "round"   ? std::nearbyint(X)
             : F == "floor" ? std::floor(X)
             : F == "ceil"  ? std::ceil(X)
                            : std::trunc(X);
  // [-2^63, 2^63): both bounds are exact doubles.
  if (!(R >= -9223372036854775808.0 && R < 9223372036854775808.0))
    return std::nullopt;
  return static_cast<int64_t>(R);
}
} // namespace

EvalResult Evaluator::call(const CallExpr &E, const Scope &S) {
  llvm::StringRef F = E.Callee;
  bool Known = false;
  for (const char *B : Builtins)
    Known |= F == B;
  if (!Known) {
    Diags.report(E.CalleeRange, diag::err_unknown_builtin, F);
    Diags.suggest(E.CalleeRange, F,
                  std::vector<std::string>(std::begin(Builtins), std::end(Builtins)));
    return {};
  }
  std::vector<EvalResult> Args;
  bool OK = true;
  for (const ExprPtr &A : E.Args) {
    Args.push_back(eval(*A, S));
    OK &= Args.back().ok();
  }
  if (!OK)
    return {};
  bool Rounding = F == "round" || F == "floor" || F == "ceil" || F == "trunc";
  bool RealFn = F == "log" || F == "pow" || F == "sqrt" || F == "exp";
  if (Rounding || RealFn || F == "make_divisible")
    return realCall(E, Args, /*IntResult=*/!RealFn);
  if (F == "channels" || F == "dim")
    return shapeCall(E, Args);
  if (F == "length" || F == "char_at")
    return stringCall(E, Args);
  bool MinMax = F == "min" || F == "max";
  if (MinMax ? Args.size() < 2 : Args.size() != 2) {
    Diags.report(E.range(), diag::err_builtin_arity, F, MinMax ? "at least 2" : "2", Args.size());
    return {};
  }
  if (!MinMax) {
    // Integer rounding helpers.
    for (size_t I = 0; I < 2; ++I)
      if (!convert(Args[I], Type::of(Type::Int), E.Args[I]->range(),
                   [&] { return fmt::format("argument {} of `{}`", I + 1, F); }))
        return {};
    if (!Args[0].V || !Args[1].V)
      return {Type::of(Type::Int), std::nullopt};
    int64_t A = Args[0].V->I, B = Args[1].V->I;
    if (B == 0) {
      Diags.report(E.Args[1]->range(), diag::err_division_by_zero, E.text());
      valueError();
      return {};
    }
    if (B < 0) {
      Diags.report(E.Args[1]->range(), diag::err_primitive_arg, F,
                   fmt::format("the divisor must be positive, found {}", B));
      valueError();
      return {};
    }
    int64_t Q = A / B - ((A % B != 0 && A < 0) ? 1 : 0); // floor
    std::optional<int64_t> R = Q;
    if (F != "floor_div" && A % B != 0)
      R = checkedAdd(Q, 1);
    if (R && F == "round_up")
      R = checkedMul(*R, B);
    return checkedInt(R, E);
  }
  // min / max: all ints, all numeric (real), or one quantity dimension.
  Type T = Args[0].T;
  for (size_t I = 1; I < Args.size(); ++I) {
    if (Args[I].T == T)
      continue;
    if (T.isNumeric() && Args[I].T.isNumeric()) {
      T = Type::of(Type::Real);
      continue;
    }
    Diags.report(E.range(), diag::err_bad_operands, F, T.str(), Args[I].T.str());
    return {};
  }
  if (!T.isNumeric() && T.K != Type::Quantity) {
    Diags.report(E.range(), diag::err_bad_operand, F, T.str());
    return {};
  }
  for (auto &A : Args)
    if (!A.V)
      return {T, std::nullopt};
  size_t Best = 0;
  for (size_t I = 1; I < Args.size(); ++I) {
    double X = Args[I].V->asDouble(), Y = Args[Best].V->asDouble();
    if (T.K == Type::Int
            ? (F == "min" ? Args[I].V->I < Args[Best].V->I : Args[I].V->I > Args[Best].V->I)
            : (F == "min" ? X < Y : X > Y))
      Best = I;
  }
  EvalResult R = Args[Best];
  convert(R, T, E.range(), "");
  return R;
}

EvalResult Evaluator::realCall(const CallExpr &E, std::vector<EvalResult> &Args,
                               bool IntResult) {
  llvm::StringRef F = E.Callee;
  size_t Min = 1, Max = 1;
  if (F == "log")
    Max = 2;
  else if (F == "pow")
    Min = Max = 2;
  else if (F == "make_divisible")
    Min = 2, Max = 3;
  if (Args.size() < Min || Args.size() > Max) {
    std::string Want = Min == Max ? std::to_string(Min) : fmt::format("{} or {}", Min, Max);
    Diags.report(E.range(), diag::err_builtin_arity, F, Want, Args.size());
    return {};
  }
  Type Result = Type::of(IntResult ? Type::Int : Type::Real);
  // make_divisible's divisor and least value are ints; every other argument is a number.
  for (size_t I = 0; I < Args.size(); ++I) {
    bool WantInt = F == "make_divisible" && I > 0;
    if (!convert(Args[I], Type::of(WantInt ? Type::Int : Type::Real), E.Args[I]->range(),
                 [&] { return fmt::format("argument {} of `{}`", I + 1, F); }))
      return {};
  }
  for (const EvalResult &A : Args)
    if (!A.V)
      return {Result, std::nullopt};
  auto Domain = [&](size_t I, std::string Why) -> EvalResult {
    Diags.report(E.Args[I]->range(), diag::err_builtin_domain, F, Why);
    valueError();
    return {};
  };
  double X = Args[0].V->R;
  if (F == "make_divisible") {
    // torchvision's _make_divisible: the multiple of `divisor` nearest to v (halves up), at
    // least `min_value` (default: divisor), and one divisor more if that lost over 10% of v.
    int64_t D = Args[1].V->I;
    if (D <= 0)
      return Domain(1, fmt::format("the divisor must be positive, found {}", D));
    int64_t Least = Args.size() == 3 ? Args[2].V->I : D;
    double Half = X + static_cast<double>(D) / 2;
    std::optional<int64_t> T = toInt("trunc", Half);
    if (!T || X < 0)
      return Domain(0, fmt::format("the value must be a non-negative number within a 64-bit "
                                   "int, found {}", X));
    std::optional<int64_t> V = checkedMul(*T / D, D);
    if (V && *V < Least)
      V = Least;
    if (V && static_cast<double>(*V) < 0.9 * X)
      V = checkedAdd(*V, D);
    return checkedInt(V, E);
  }
  if (IntResult) {
    std::optional<int64_t> V = toInt(F, X);
    if (!V)
      return Domain(0, fmt::format("{} is beyond a 64-bit int", X));
    return EvalResult::known(Value::ofInt(*V));
  }
  double R = 0;
  if (F == "log") {
    if (!(X > 0))
      return Domain(0, fmt::format("the value must be positive, found {}", X));
    R = std::log(X);
    if (Args.size() == 2) {
      double B = Args[1].V->R;
      if (!(B > 0) || B == 1)
        return Domain(1, fmt::format("the base must be positive and not 1, found {}", B));
      R /= std::log(B);
    }
  } else if (F == "sqrt") {
    if (X < 0)
      return Domain(0, fmt::format("the value must not be negative, found {}", X));
    R = std::sqrt(X);
  } else if (F == "exp") {
    R = std::exp(X);
  } else { // pow
    double Y = Args[1].V->R;
    if (X < 0 && std::trunc(Y) != Y)
      return Domain(0, fmt::format("a negative base ({}) needs an integral exponent, found {}",
                                   X, Y));
    if (X == 0 && Y < 0)
      return Domain(0, "zero to a negative power");
    R = std::pow(X, Y);
  }
  if (!std::isfinite(R)) {
    Diags.report(E.range(), diag::err_real_overflow, E.text());
    valueError();
    return {};
  }
  return EvalResult::known(Value::ofReal(R));
}

EvalResult Evaluator::shapeCall(const CallExpr &E, std::vector<EvalResult> &Args) {
  llvm::StringRef F = E.Callee;
  size_t Want = F == "dim" ? 1 : 0;
  if (Args.size() != Want) {
    Diags.report(E.range(), diag::err_builtin_arity, F, Want, Args.size());
    return {};
  }
  if (Want && !convert(Args[0], Type::of(Type::Int), E.Args[0]->range(),
                       "the argument of `dim`"))
    return {};
  Type Int = Type::of(Type::Int);
  if (!Flowing || (Want && !Args[0].V))
    return {Int, std::nullopt};
  if (!*Flowing) {
    Diags.report(E.range(), diag::err_builtin_domain, F,
                 "there is no tensor here: it reads the shape flowing from the model's `input`");
    valueError();
    return {};
  }
  const std::vector<int64_t> &D = **Flowing;
  int64_t Rank = static_cast<int64_t>(D.size());
  if (F == "channels")
    return EvalResult::known(Value::ofInt(D[channelAxis(D)]));
  int64_t I = Args[0].V->I;
  if (I < -Rank || I >= Rank) {
    Diags.report(E.Args[0]->range(), diag::err_builtin_domain, F,
                 fmt::format("the tensor {} has {} dimensions, so the index must be in {}..{}, "
                             "found {}",
                             shapeText(D), Rank, -Rank, Rank - 1, I));
    valueError();
    return {};
  }
  return EvalResult::known(Value::ofInt(D[I < 0 ? I + Rank : I]));
}

EvalResult Evaluator::stringCall(const CallExpr &E, std::vector<EvalResult> &Args) {
  llvm::StringRef F = E.Callee;
  size_t Want = F == "char_at" ? 2 : 1;
  if (Args.size() != Want) {
    Diags.report(E.range(), diag::err_builtin_arity, F, Want, Args.size());
    return {};
  }
  if (!convert(Args[0], Type::of(Type::String), E.Args[0]->range(),
               [&] { return fmt::format("the first argument of `{}`", F); }))
    return {};
  if (Want == 2 && !convert(Args[1], Type::of(Type::Int), E.Args[1]->range(),
                            "the index of `char_at`"))
    return {};
  Type Result = Type::of(Want == 2 ? Type::String : Type::Int);
  if (!Args[0].V || (Want == 2 && !Args[1].V))
    return {Result, std::nullopt};
  const std::string &Text = Args[0].V->S;
  const int64_t Size = static_cast<int64_t>(Text.size());
  if (F == "length")
    return EvalResult::known(Value::ofInt(Size));
  int64_t I = Args[1].V->I;
  if (I < 0 || I >= Size) {
    Diags.report(E.Args[1]->range(), diag::err_builtin_domain, F,
                 fmt::format("the string has {} characters, so the index must be in 0..{}, "
                             "found {}",
                             Size, Size - 1, I));
    valueError();
    return {};
  }
  return EvalResult::known(Value::ofString(Text.substr(static_cast<size_t>(I), 1)));
}

EvalResult Evaluator::checkedInt(std::optional<int64_t> V, const Expr &E) {
  if (!V) {
    Diags.report(E.range(), diag::err_int_overflow, E.text());
    valueError();
    return {};
  }
  return EvalResult::known(Value::ofInt(*V));
}
