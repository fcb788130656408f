//===- AST.h - the syntax tree of a .zoo file ---------------------*- C++ -*-===//
//
// What the parser builds: expressions, statements and declarations, each with the source range it
// came from. Nothing here is checked; Sema resolves names, types and units and turns models into
// records of the Module. Nodes use LLVM-style RTTI (a Kind and classof) and own their children.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_IR_AST_H
#define ZOO_IR_AST_H

#include "zoo/Basic/Atom.h"
#include "zoo/Basic/Units.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace zoo {

// ---- Expressions ---------------------------------------------------------------------------
class Expr {
public:
  enum Kind { Number, String, Bool, Name, Unary, Binary, Cond, Call };
  Expr(Kind K, llvm::SMRange R) : TheKind(K), Range(R) {}
  virtual ~Expr() = default;
  Kind getKind() const { return TheKind; }
  llvm::SMRange range() const { return Range; }
  llvm::SMLoc loc() const { return Range.Start; }
  /// The source text of the expression, for messages.
  std::string text() const;

private:
  Kind TheKind;
  llvm::SMRange Range;
};
using ExprPtr = std::unique_ptr<Expr>;

class NumberExpr : public Expr {
public:
  NumberExpr(llvm::SMRange R) : Expr(Number, R) {}
  bool IsInt = true;
  int64_t IntValue = 0;
  double RealValue = 0; ///< in base units when a unit is present
  std::string UnitText; ///< as written (`GB/s`), empty for a plain number
  Dim UnitDim;
  static bool classof(const Expr *E) { return E->getKind() == Number; }
};

class StringExpr : public Expr {
public:
  StringExpr(llvm::SMRange R, std::string V) : Expr(String, R), Value(std::move(V)) {}
  std::string Value;
  static bool classof(const Expr *E) { return E->getKind() == String; }
};

class BoolExpr : public Expr {
public:
  BoolExpr(llvm::SMRange R, bool V) : Expr(Bool, R), Value(V) {}
  bool Value;
  static bool classof(const Expr *E) { return E->getKind() == Bool; }
};

class NameExpr : public Expr {
public:
  NameExpr(llvm::SMRange R, std::vector<Atom> P) : Expr(Name, R), Path(std::move(P)) {}
  std::vector<Atom> Path; ///< `a` or `a.b.c`; atoms: scopes find them by pointer
  Atom name() const { return Path.front(); }
  static bool classof(const Expr *E) { return E->getKind() == Name; }
};

/// The spelling of operator `Text` (`+`, `<=`, `&&`, ...) in a static table, or "" when `Text` is
/// not an operator. Operators of the tree point into that table: they cost no allocation and
/// compare as text.
llvm::StringRef operatorSpelling(llvm::StringRef Text);

class UnaryExpr : public Expr {
public:
  UnaryExpr(llvm::SMRange R, llvm::StringRef Op, ExprPtr X)
      : Expr(Unary, R), Op(Op), Operand(std::move(X)) {}
  llvm::StringRef Op; ///< `-`, `!` or `+`, from operatorSpelling()
  ExprPtr Operand;
  static bool classof(const Expr *E) { return E->getKind() == Unary; }
};

class BinaryExpr : public Expr {
public:
  BinaryExpr(llvm::SMRange R, llvm::StringRef Op, ExprPtr L, ExprPtr Rhs)
      : Expr(Binary, R), Op(Op), LHS(std::move(L)), RHS(std::move(Rhs)) {}
  llvm::StringRef Op; ///< from operatorSpelling()
  ExprPtr LHS, RHS;
  static bool classof(const Expr *E) { return E->getKind() == Binary; }
};

class CondExpr : public Expr {
public:
  CondExpr(llvm::SMRange R, ExprPtr C, ExprPtr T, ExprPtr F)
      : Expr(Cond, R), C(std::move(C)), T(std::move(T)), F(std::move(F)) {}
  ExprPtr C, T, F;
  static bool classof(const Expr *E) { return E->getKind() == Cond; }
};

class CallExpr : public Expr {
public:
  CallExpr(llvm::SMRange R, std::string N, llvm::SMRange NR)
      : Expr(Call, R), Callee(std::move(N)), CalleeRange(NR) {}
  std::string Callee;
  llvm::SMRange CalleeRange;
  std::vector<ExprPtr> Args;
  static bool classof(const Expr *E) { return E->getKind() == Call; }
};

// ---- Statements inside blocks ----------------------------------------------------------------
struct Arg {
  Atom Name; ///< empty for a positional argument; an atom: every call binds it
  llvm::SMRange NameRange;
  ExprPtr Value;
};

class Stmt {
public:
  enum Kind { Call, Repeat, For, If, Require };
  Stmt(Kind K, llvm::SMRange R) : TheKind(K), Range(R) {}
  virtual ~Stmt() = default;
  Kind getKind() const { return TheKind; }
  llvm::SMRange range() const { return Range; }

private:
  Kind TheKind;
  llvm::SMRange Range;
};
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

class CallStmt : public Stmt {
public:
  CallStmt(llvm::SMRange R) : Stmt(Call, R) {}
  Atom Callee, Instance; ///< `linear q(...)`: Callee `linear`, Instance `q`
  llvm::SMRange CalleeRange;
  std::vector<Arg> Args;
  bool HasBody = false; ///< `experts(8, 2) { ... }`
  StmtList Body;
  static bool classof(const Stmt *S) { return S->getKind() == Call; }
};

class RepeatStmt : public Stmt {
public:
  RepeatStmt(llvm::SMRange R) : Stmt(Repeat, R) {}
  ExprPtr Count;
  StmtList Body;
  static bool classof(const Stmt *S) { return S->getKind() == Repeat; }
};

class ForStmt : public Stmt {
public:
  ForStmt(llvm::SMRange R) : Stmt(For, R) {}
  Atom Var; ///< an atom: bound at every iteration
  llvm::SMRange VarRange;
  ExprPtr Lo, Hi; ///< half-open: `for i in 0..n` runs i = 0 .. n-1
  StmtList Body;
  static bool classof(const Stmt *S) { return S->getKind() == For; }
};

class IfStmt : public Stmt {
public:
  IfStmt(llvm::SMRange R) : Stmt(If, R) {}
  ExprPtr Cond;
  StmtList Then, Else; ///< an `else if` is an IfStmt alone in Else
  static bool classof(const Stmt *S) { return S->getKind() == If; }
};

/// `require COND, "message";`: an argument check; a false condition is an error at expansion.
class RequireStmt : public Stmt {
public:
  RequireStmt(llvm::SMRange R) : Stmt(Require, R) {}
  ExprPtr Cond;
  std::string Message; ///< may be empty: the error then quotes the condition
  static bool classof(const Stmt *S) { return S->getKind() == Require; }
};

// ---- Record bodies (models, hardware, precisions) ----------------------------------------------
struct Item {
  enum Kind { Field, Source, ExpectEq, ExpectNear, Measured, Section };
  Kind K;
  llvm::SMRange Range;
  std::string Name; ///< field name, metric, or section kind
  llvm::SMRange NameRange;
  ExprPtr Value;               ///< field value or expected value
  std::string Text;            ///< source URL (Source items, and a Field's `source` tag)
  double Tolerance = 0;        ///< percent, for ExpectNear
  std::vector<Arg> MetricArgs; ///< `expect kv_bytes(bf16, context: 8192) == ...`
  std::string SectionName;     ///< `memory hbm { }`: `hbm`
  std::vector<Item> Items;     ///< a section's body
};

// ---- Declarations ------------------------------------------------------------------------------
struct ParamDecl {
  Atom Name; ///< an atom: every call binds it
  llvm::SMRange NameRange;
  std::string TypeText; ///< `int`, `norm_kind`, `bytes/s`
  llvm::SMRange TypeRange;
  ExprPtr Default;
};

class Decl {
public:
  enum Kind {
    Block,
    Enum,
    Model,
    Hardware,
    Precision,
    Scenario,
    Pipeline,
    Class,
    Runtime,
    System,
    Optimizer,
    Training,
    Workload,
    Serving,
    Price,
    Grid
  };
  Decl(Kind K, llvm::SMRange R) : TheKind(K), Range(R) {}
  virtual ~Decl() = default;
  Kind getKind() const { return TheKind; }
  llvm::SMRange range() const { return Range; }
  std::string Name;
  llvm::SMRange NameRange;
  /// `block`, `primitive`, `enum`, `model`, `hardware`, `precision`.
  const char *kindName() const;

private:
  Kind TheKind;
  llvm::SMRange Range;
};
using DeclPtr = std::unique_ptr<Decl>;

class BlockDecl : public Decl {
public:
  BlockDecl(llvm::SMRange R) : Decl(Block, R) {}
  bool IsPrimitive = false;
  std::vector<ParamDecl> Params;
  /// The statements. A body read from the stdlib cache stays encoded until it is first used (a
  /// one-model run expands a few of the stdlib's blocks): read it with body().
  mutable StmtList Body;
  /// Body's encoding (ASTFile.h), until decoded; the text its ranges point into.
  mutable std::string EncodedBody;
  const char *SourceBegin = nullptr;
  size_t SourceSize = 0;
  /// The body, decoded first if it is still encoded; empty, with bodyDamaged(), when its encoding
  /// does not decode.
  const StmtList &body() const {
    if (!EncodedBody.empty())
      decodeBody();
    return Body;
  }
  bool bodyDamaged() const { return BodyDamaged; }
  static bool classof(const Decl *D) { return D->getKind() == Block; }

private:
  mutable bool BodyDamaged = false;
  void decodeBody() const; // ASTFile.cpp
};

class EnumDecl : public Decl {
public:
  EnumDecl(llvm::SMRange R) : Decl(Enum, R) {}
  std::vector<std::pair<std::string, llvm::SMRange>> Members;
  static bool classof(const Decl *D) { return D->getKind() == Enum; }
};

class ModelDecl : public Decl {
public:
  ModelDecl(llvm::SMRange R) : Decl(Model, R) {}
  std::string Target; ///< the architecture block, or the base model when IsWith
  llvm::SMRange TargetRange;
  bool IsWith = false;
  std::vector<Arg> Args;
  std::vector<Item> Items;
  static bool classof(const Decl *D) { return D->getKind() == Model; }
};

class HardwareDecl : public Decl {
public:
  HardwareDecl(llvm::SMRange R) : Decl(Hardware, R) {}
  std::string Class;
  llvm::SMRange ClassRange;
  std::vector<Item> Items;
  static bool classof(const Decl *D) { return D->getKind() == Hardware; }
};

class PrecisionDecl : public Decl {
public:
  PrecisionDecl(llvm::SMRange R) : Decl(Precision, R) {}
  std::vector<Item> Items;
  static bool classof(const Decl *D) { return D->getKind() == Precision; }
};

class ScenarioDecl : public Decl {
public:
  ScenarioDecl(llvm::SMRange R) : Decl(Scenario, R) {}
  std::vector<Item> Items;
  static bool classof(const Decl *D) { return D->getKind() == Scenario; }
};

class PipelineDecl : public Decl {
public:
  PipelineDecl(llvm::SMRange R) : Decl(Pipeline, R) {}
  std::vector<Item> Items;
  static bool classof(const Decl *D) { return D->getKind() == Pipeline; }
};

/// `class gpu { memory = required; compute = analysis; }`: what hardware of a class declares.
class ClassDecl : public Decl {
public:
  ClassDecl(llvm::SMRange R) : Decl(Class, R) {}
  std::vector<Item> Items;
  static bool classof(const Decl *D) { return D->getKind() == Class; }
};

/// `runtime vLLM { ... }`: what a software stack adds to the hardware (efficiencies per kernel
/// kind, fixed costs, fusion, serving memory policy).
class RuntimeDecl : public Decl {
public:
  RuntimeDecl(llvm::SMRange R) : Decl(Runtime, R) {}
  std::vector<Item> Items;
  static bool classof(const Decl *D) { return D->getKind() == Runtime; }
};

/// `system DGX_H100 { ... }`: a node of accelerators, its fabric inside and its network out.
/// `optimizer adam { ... }`: the bytes a training optimizer keeps per parameter.
/// `training NAME { ... }`: a model trained on a system with a parallel layout.
/// `workload NAME { ... }`: request arrivals and lengths; `serving NAME { ... }`: a model served
/// on hardware under a workload. All are plain records: fields, sections, sources, expectations.
class RecordDecl : public Decl {
public:
  RecordDecl(Kind K, llvm::SMRange R) : Decl(K, R) {}
  std::vector<Item> Items;
  static bool classof(const Decl *D) {
    return D->getKind() >= System && D->getKind() <= Grid;
  }
};

struct Import {
  std::string Path;
  llvm::SMRange Range;
};

/// One parsed file.
struct FileUnit {
  std::string Path; ///< as opened
  std::string Key;  ///< its real path, which tells files apart (set by the loader)
  unsigned BufferID = 0;
  bool IsStdlib = false;
  std::vector<Import> Imports;
  std::vector<DeclPtr> Decls;
};

} // namespace zoo

#endif
