//===- Parser.h - .zoo text to syntax tree ------------------------*- C++ -*-===//
//
// The front end: checks that the bytes are UTF-8, lexes, rejects pathological nesting before the
// recursive-descent parser sees it, parses with ANTLR one top-level declaration at a time (SLL
// first, full LL on failure) and builds the AST. Every problem is a diagnostic. This header does
// not expose ANTLR.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_PARSE_PARSER_H
#define ZOO_PARSE_PARSER_H

#include "zoo/Basic/Diagnostic.h"
#include "zoo/IR/AST.h"
#include <memory>
#include <mutex>

namespace zoo {

/// How ANTLR predicts: SLL first with an LL retry on failure (the default, fast), or full LL
/// from the start (for comparison in benchmarks).
enum class PredictionMode { SLLThenLL, LL };

/// Parses buffer `BufferID` of the engine's SourceMgr. Returns null when the file has errors
/// (already reported). Safe to call from several threads: they parse one at a time (grammarLock).
std::unique_ptr<FileUnit> parseBuffer(unsigned BufferID, DiagnosticEngine &Diags,
                                      PredictionMode Mode = PredictionMode::SLLThenLL);

/// Held by whoever runs the generated lexer or parser. The front end follows the ANTLR runtime's
/// prediction automata (its DFA, shared by every recognizer of the grammar in the process)
/// without the runtime's own locks, which cost about a tenth of a parse: that is safe while one
/// thread at a time uses them.
std::mutex &grammarLock();

/// Limits that keep recursion bounded, in the parser and in everything that walks its trees
/// (the builder, Sema, the AST's destructors), chosen so that the deepest legal input runs within
/// an 8 MB stack in unoptimized sanitizer builds with gcc and clang. Exceeding one is an error
/// at the token that goes past it, before anything recurses.
///
/// MaxNesting bounds the depth of brackets, braces, `else if` links, prefix operators and `?`
/// together (Parser.cpp's Scanner says when each closes). MaxExprOperators bounds the operators
/// of one statement (up to a `;`, `{` or `}`), of any kind: Sema evaluates a chain of
/// left-associative operators by recursion, one level per operator.
constexpr unsigned MaxNesting = 256;
constexpr unsigned MaxExprOperators = 256;

} // namespace zoo

#endif
