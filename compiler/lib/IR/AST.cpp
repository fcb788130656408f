//===- AST.cpp - small helpers of the syntax tree -------------------------===//
#include "zoo/IR/AST.h"

using namespace zoo;

llvm::StringRef zoo::operatorSpelling(llvm::StringRef Text) {
  static const char *const Spellings[] = {"+",  "-", "*",  "/",  "%",  "!",  "<",
                                          "<=", ">", ">=", "==", "!=", "&&", "||"};
  for (const char *S : Spellings)
    if (Text == S)
      return S;
  return "";
}

std::string Expr::text() const {
  const char *B = Range.Start.getPointer(), *E = Range.End.getPointer();
  if (!B || !E || E < B)
    return "";
  return std::string(B, E);
}

const char *Decl::kindName() const {
  switch (TheKind) {
  case Block:
    return llvm::cast<BlockDecl>(this)->IsPrimitive ? "primitive" : "block";
  case Enum:
    return "enum";
  case Model:
    return "model";
  case Hardware:
    return "hardware";
  case Precision:
    return "precision";
  case Scenario:
    return "scenario";
  case Pipeline:
    return "pipeline";
  case Class:
    return "hardware class";
  case Runtime:
    return "runtime";
  case System:
    return "system";
  case Optimizer:
    return "optimizer";
  case Training:
    return "training";
  case Workload:
    return "workload";
  case Serving:
    return "serving";
  case Price:
    return "price";
  case Grid:
    return "grid";
  }
  return "declaration";
}
