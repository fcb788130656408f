//===- ASTFile.h - syntax trees as bytes, and back ----------------*- C++ -*-===//
//
// A compact binary encoding of a parsed file (FileUnit), so that a file parsed once can be
// rebuilt later without running the parser: source ranges are stored as offsets into the
// file's text, names and literals as their values. Decoding takes untrusted bytes: every count,
// offset, kind and name is checked, nesting is bounded as the parser bounds it, and any problem
// makes it fail, never crash. A block's body is kept as its encoding and decoded when first
// used (BlockDecl::body()), with the same checks. It does not check that the tree is what
// parsing the text gives: Sema checks the trees, except those of a stdlib read whole from the
// cache that this very build wrote after checking them (see ImportLoader.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_PARSE_ASTFILE_H
#define ZOO_PARSE_ASTFILE_H

#include "zoo/IR/AST.h"
#include "llvm/ADT/StringRef.h"
#include <memory>
#include <string>

namespace zoo {

/// Appends the encoding of `F`'s imports and declarations to `Out`. Every range of `F` must lie
/// in [Begin, Begin + Size] (the text it was parsed from) or be invalid.
void encodeAST(const FileUnit &F, const char *Begin, size_t Size, std::string &Out);

/// Rebuilds a file from `Bytes` (encodeAST's output) over its text [Begin, Begin + Size): ranges
/// point into that text, and the unit gets `BufferID`. Null when the bytes are not a valid
/// encoding for a text of that size.
std::unique_ptr<FileUnit> decodeAST(llvm::StringRef Bytes, const char *Begin, size_t Size,
                                    unsigned BufferID);

} // namespace zoo

#endif
