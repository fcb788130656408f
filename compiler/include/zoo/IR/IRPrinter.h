//===- IRPrinter.h - textual dump of the checked IR (--emit=ir) ---*- C++ -*-===//
//
// Prints the records of the user's files (not the stdlib's): models with their bound arguments,
// fields, sources, expectations and expanded layer tree; hardware; precisions; block signatures.
// Every node carries `@file:line:col` (file by base name) so tests can check locations.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_IR_IRPRINTER_H
#define ZOO_IR_IRPRINTER_H

#include "zoo/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace zoo {
void printIR(const Module &M, const llvm::SourceMgr &SM, llvm::raw_ostream &OS);
} // namespace zoo

#endif
