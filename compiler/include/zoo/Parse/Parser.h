//===- Parser.h - .zoo text to syntax tree ------------------------*- C++ -*-===//
//
// The front end: checks that the bytes are UTF-8, lexes, rejects pathological nesting before the
// recursive-descent parser sees it, parses with ANTLR (SLL first, full LL on failure) and builds
// the AST. Every problem is a diagnostic. This header does not expose ANTLR.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_PARSE_PARSER_H
#define ZOO_PARSE_PARSER_H

#include "zoo/Basic/Diagnostic.h"
#include "zoo/IR/AST.h"
#include <memory>

namespace zoo {

/// How ANTLR predicts: SLL first with an LL retry on failure (the default, fast), or full LL
/// from the start (for comparison in benchmarks).
enum class PredictionMode { SLLThenLL, LL };

/// Parses buffer `BufferID` of the engine's SourceMgr. Returns null when the file has errors
/// (already reported).
std::unique_ptr<FileUnit> parseBuffer(unsigned BufferID, DiagnosticEngine &Diags,
                                      PredictionMode Mode = PredictionMode::SLLThenLL);

/// Limits that keep the parser's recursion bounded.
constexpr unsigned MaxNesting = 256;        ///< brackets and braces
constexpr unsigned MaxExprOperators = 4096; ///< operators in one statement

} // namespace zoo

#endif
