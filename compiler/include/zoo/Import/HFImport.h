//===- HFImport.h - a Zoo model from a Hugging Face config.json ---*- C++ -*-===//
//
// `zooc import-hf CONFIG.json` reads a Hugging Face `config.json` (and optionally the
// checkpoint's `model.safetensors.index.json`) and writes a `.zoo` model declaration built from
// the stdlib's blocks. Every field that changes a count is read and validated; a field that
// changes a count and cannot be expressed, or an unknown `model_type`, is an error naming the
// field and its value. The JSON is untrusted: files are read only when regular and at most
// MaxConfigBytes / MaxIndexBytes long, nesting is bounded before the parser (which recurses)
// sees the text, and every number is checked to be a whole number within the limits below.
// See docs/import.md.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_IMPORT_HFIMPORT_H
#define ZOO_IMPORT_HFIMPORT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace zoo {

/// The largest config.json read, in bytes (language-model configs are under 10 KB; the largest
/// with label maps, under 1 MB). 1 MiB of the costliest JSON to parse (empty arrays nested 62
/// deep) takes about 0.3 s and 50 MB.
constexpr uint64_t MaxConfigBytes = 1024 * 1024;
/// The largest model.safetensors.index.json read, in bytes. It has one entry per tensor (about
/// 100 bytes each: DeepSeek-V3's 90,000-odd tensors make about 10 MB); the whole file is parsed,
/// at about 0.07 s and 7 MB of memory per MB.
constexpr uint64_t MaxIndexBytes = 16 * 1024 * 1024;
/// The deepest nesting of arrays and objects accepted in either file (real ones nest 3 deep).
constexpr unsigned MaxJSONNesting = 64;
/// The largest value of a size field (vocab_size, hidden_size, ...): the language's context
/// limit, 2^40. Products of sizes are checked by the compiler when the model is compiled.
constexpr int64_t MaxImportDim = int64_t(1) << 40;
/// The most layers: the `for` range limit of the language (docs/language.md, "Limits").
constexpr int64_t MaxImportLayers = 100000;

struct HFImportOptions {
  std::string Config;      ///< path of config.json
  std::string Index;       ///< path of model.safetensors.index.json, or empty
  std::string Name;        ///< the model's name, or empty to derive one
  std::string Source;      ///< a `source` line, or empty
  std::string DType;       ///< bf16, f16, f32 or fp8; empty: the config's torch_dtype
};

/// Builds the `.zoo` text. On failure returns false and sets `Error` to one line (without the
/// `zooc: error: ` prefix).
bool importHFConfig(const HFImportOptions &Opts, std::string &Text, std::string &Error);

/// The `zooc import-hf` subcommand: `Args` are the arguments after `import-hf`. Errors go to
/// `Err` as `zooc: error: import-hf: ...`; the text goes to `Write(OutputPath, Text)`, which
/// reports its own failure. Returns the exit code.
int runImportHF(llvm::ArrayRef<const char *> Args, llvm::raw_ostream &Err,
                llvm::function_ref<bool(llvm::StringRef Output, llvm::StringRef Text)> Write);

} // namespace zoo

#endif
