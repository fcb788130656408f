//===- ImportLoader.h - files, imports and the implicit prelude ---*- C++ -*-===//
//
// Reads and parses every file a compilation needs, once each: the stdlib prelude (implicit), the
// inputs, and everything they import. An import is looked up relative to the importing file, then
// in each `-I` directory, then in the stdlib directory. Cycles and missing files are diagnostics
// at the import. It does not look inside declarations.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_SEMA_IMPORTLOADER_H
#define ZOO_SEMA_IMPORTLOADER_H

#include "zoo/Basic/Diagnostic.h"
#include "zoo/IR/Module.h"
#include "zoo/Parse/Parser.h"
#include "llvm/ADT/ArrayRef.h"
#include <string>

namespace zoo {

struct LoadOptions {
  std::vector<std::string> IncludeDirs;
  std::string StdlibDir;
  bool Prelude = true; ///< load `prelude.zoo` from the stdlib first
  PredictionMode Prediction = PredictionMode::SLLThenLL;
};

/// Loads `Inputs` (files) and their imports into `M`. Returns false on any error.
bool loadFiles(Module &M, DiagnosticEngine &Diags, llvm::ArrayRef<std::string> Inputs,
               const LoadOptions &Opts);

} // namespace zoo

#endif
