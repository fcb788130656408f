//===- Formatter.h - the canonical layout of a .zoo file ----------*- C++ -*-===//
//
// `zooc --format`: prints a file in the house style from its parse tree, keeping every comment
// and every token as written (literals keep their spelling), so the formatted program means
// exactly what the original does. The layout rules are in docs/format.md. The result is
// idempotent: formatting a formatted file changes nothing. This header does not expose ANTLR.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_PARSE_FORMATTER_H
#define ZOO_PARSE_FORMATTER_H

#include "zoo/Basic/Diagnostic.h"
#include <string>

namespace zoo {

/// The width the formatter fills: lists wrap and short bodies stay on one line within it.
constexpr unsigned FormatColumnLimit = 100;

/// Formats buffer `BufferID` of the engine's SourceMgr into `Out`. False, with `Out` untouched,
/// when the file does not parse (the front end's diagnostics are reported) or when the formatted
/// text would not have the same tokens and comments as the original (an internal error, also
/// reported: the formatter never changes a program).
bool formatBuffer(unsigned BufferID, DiagnosticEngine &Diags, std::string &Out);

} // namespace zoo

#endif
