//===- Evaluator.h - typing and constant evaluation of expressions -*- C++ -*-===//
//
// One evaluator serves both checking and expansion. Names may be bound to a type alone (while a
// block is checked once, before any model instantiates it) or to a type and a value (while a
// model is expanded). The result always has a type; it has a value when every input had one.
// Type rules live here once: int arithmetic is exact and checked, `/` on ints must divide exactly,
// quantities combine by dimension. This file does not know about blocks or layers.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_SEMA_EVALUATOR_H
#define ZOO_SEMA_EVALUATOR_H

#include "zoo/Basic/Diagnostic.h"
#include "zoo/IR/Module.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include <functional>
#include <optional>

namespace zoo {

struct EvalResult {
  Type T;                 ///< Error when the expression is ill-formed (already reported)
  std::optional<Value> V; ///< empty when some input is only known by type
  /// A plain literal (or its negation) written as a real with an integral value, such as
  /// `5e4`: it converts to an `int` where one is expected, as the value is exact.
  bool IntegralLiteral = false;
  bool ok() const { return !T.isError(); }
  static EvalResult known(Value X) {
    Type T = X.T;
    return {T, std::move(X)};
  }
};

/// Names visible to an expression, innermost first.
class Scope {
public:
  explicit Scope(const Scope *Parent = nullptr) : Parent(Parent) {}
  struct Entry {
    EvalResult R;
    llvm::SMRange DeclRange;
  };
  /// Binds `Name`, which must outlive the scope (it is a name of the syntax tree), replacing any
  /// binding of the same name in this scope.
  void bind(llvm::StringRef Name, EvalResult R, llvm::SMRange DeclRange = {});
  /// The same for a name that is an atom (a parameter's): while every name of the scope is one,
  /// names are told apart by pointer.
  void bind(Atom Name, EvalResult R, llvm::SMRange DeclRange = {});
  void bind(const std::string &Name, EvalResult R, llvm::SMRange DeclRange = {}) {
    bind(llvm::StringRef(Name), std::move(R), DeclRange);
  }
  void reserve(size_t N) { Vars.reserve(N); }
  const Entry *lookup(llvm::StringRef Name) const;
  const Entry *lookup(Atom Name) const;
  const Entry *lookup(const std::string &Name) const { return lookup(llvm::StringRef(Name)); }
  const Entry *lookup(const char *Name) const { return lookup(llvm::StringRef(Name)); }
  void collectNames(std::vector<std::string> &Out) const;

private:
  const Scope *Parent;
  /// A scope holds a block's parameters or a loop index: a few names, which a scan finds faster
  /// than a hash table, without an allocation per name.
  std::vector<std::pair<llvm::StringRef, Entry>> Vars;
  /// Every name bound here is an atom's text (bound as an Atom): two are the same name exactly
  /// when their texts are at the same address.
  bool AllAtoms = true;
};

/// What a value is, for the message when it has the wrong type: `a loop bound`, or text made
/// only when that message is printed (`argument `hidden` of `llama``), so that checking a value
/// of the right type formats nothing.
using WhatFn = llvm::function_ref<std::string()>;

class Evaluator {
public:
  Evaluator(const Module &M, DiagnosticEngine &D) : M(M), Diags(D) {}

  EvalResult eval(const Expr &E, const Scope &S);

  /// Converts `R` to `To` (int widens to real); otherwise reports that `What` expects `To`.
  bool convert(EvalResult &R, const Type &To, llvm::SMRange Where, WhatFn What);
  bool convert(EvalResult &R, const Type &To, llvm::SMRange Where, const char *What) {
    return convert(R, To, Where, [What] { return std::string(What); });
  }

  /// Resolves a type spelling: int, real, bool, string, an enum, or a dimension (`bytes/s`).
  std::optional<Type> resolveType(llvm::StringRef Text, llvm::SMRange Where);

  /// Called after each value error (inexact division, overflow), so that the caller can add
  /// notes about where the values came from.
  std::function<void()> OnValueError;

  /// While a model expands, the tensor flowing at the statement being evaluated (empty before the
  /// model's `input`), which `channels()` and `dim(i)` read; null while blocks are checked on
  /// their own, where those values are unknown.
  const std::optional<std::vector<int64_t>> *Flowing = nullptr;

private:
  EvalResult number(const NumberExpr &N);
  EvalResult conditional(const CondExpr &C, const Scope &S);
  EvalResult unary(const UnaryExpr &E, const Scope &S);
  EvalResult binary(const BinaryExpr &E, const Scope &S);
  /// round/floor/ceil/trunc and make_divisible (`IntResult`), log/pow/sqrt/exp (reals).
  EvalResult realCall(const CallExpr &E, std::vector<EvalResult> &Args, bool IntResult);
  EvalResult shapeCall(const CallExpr &E, std::vector<EvalResult> &Args);
  /// `length(s)` (its characters) and `char_at(s, i)` (the i-th, from 0, as a string).
  EvalResult stringCall(const CallExpr &E, std::vector<EvalResult> &Args);
  /// `V` as an int, or an overflow error at `E` when it is empty.
  EvalResult checkedInt(std::optional<int64_t> V, const Expr &E);
  EvalResult call(const CallExpr &E, const Scope &S);
  EvalResult name(const NameExpr &E, const Scope &S);
  void valueError();

  const Module &M;
  DiagnosticEngine &Diags;
};

} // namespace zoo

#endif
