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
#include "llvm/ADT/StringMap.h"
#include <functional>
#include <optional>

namespace zoo {

struct EvalResult {
  Type T;                 ///< Error when the expression is ill-formed (already reported)
  std::optional<Value> V; ///< empty when some input is only known by type
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
  void bind(llvm::StringRef Name, EvalResult R, llvm::SMRange DeclRange = {}) {
    Vars[Name] = Entry{std::move(R), DeclRange};
  }
  const Entry *lookup(llvm::StringRef Name) const;
  void collectNames(std::vector<std::string> &Out) const;

private:
  const Scope *Parent;
  llvm::StringMap<Entry> Vars;
};

class Evaluator {
public:
  Evaluator(const Module &M, DiagnosticEngine &D) : M(M), Diags(D) {}

  EvalResult eval(const Expr &E, const Scope &S);

  /// Converts `R` to `To` (int widens to real); otherwise reports that `What` expects `To`.
  bool convert(EvalResult &R, const Type &To, llvm::SMRange Where, const std::string &What);

  /// Resolves a type spelling: int, real, bool, string, an enum, or a dimension (`bytes/s`).
  std::optional<Type> resolveType(llvm::StringRef Text, llvm::SMRange Where);

  /// Called after each value error (inexact division, overflow), so that the caller can add
  /// notes about where the values came from.
  std::function<void()> OnValueError;

private:
  EvalResult number(const NumberExpr &N);
  EvalResult conditional(const CondExpr &C, const Scope &S);
  EvalResult unary(const UnaryExpr &E, const Scope &S);
  EvalResult binary(const BinaryExpr &E, const Scope &S);
  EvalResult call(const CallExpr &E, const Scope &S);
  EvalResult name(const NameExpr &E, const Scope &S);
  void valueError();

  const Module &M;
  DiagnosticEngine &Diags;
};

} // namespace zoo

#endif
