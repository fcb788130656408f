//===- ImportLoader.h - files, imports and the implicit prelude ---*- C++ -*-===//
//
// Reads and parses every file a compilation needs, once each: the stdlib prelude (implicit), the
// inputs, and everything they import. An import is looked up relative to the importing file, then
// in each `-I` directory, then in the stdlib directory. Cycles and missing files are diagnostics
// at the import. Only regular files are read, at most MaxSourceBytes each, and import chains are
// at most MaxImportDepth files long. A lone carriage return ends a line, as a line feed does. It
// does not look inside declarations.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_SEMA_IMPORTLOADER_H
#define ZOO_SEMA_IMPORTLOADER_H

#include "zoo/Basic/Diagnostic.h"
#include "zoo/IR/Module.h"
#include "zoo/Parse/Parser.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cstdint>
#include <memory>
#include <string>

namespace zoo {

/// The largest source file (input, import or prelude) that is read, in bytes. The largest file of
/// the registry is under 25 KB; the limit bounds the memory and time one file can take. The size
/// is checked on the file's status before reading, and no more than that size is ever read.
constexpr uint64_t MaxSourceBytes = 4 * 1024 * 1024;

/// The longest chain of files being loaded at once (an input, a file it imports, a file that one
/// imports, ...). The deepest chain of the stdlib and registry is 3 files; loading recurses once
/// per link, so the bound also keeps the loader's stack use small and fixed.
constexpr unsigned MaxImportDepth = 64;

/// Reads a source file: only a regular file of at most MaxSourceBytes, checked before it is
/// opened (so a FIFO or a device is never opened, and cannot block) and again on the open file,
/// whose size bounds the read (a file that grows meanwhile cannot exceed the limit). A lone
/// carriage return becomes a line feed, same size and offsets, so that llvm::SourceMgr, which
/// counts line feeds, gives CR-only files the right lines; CRLF needs nothing. Null on error,
/// after a diagnostic at `From` (an import) or without a location (an input).
std::unique_ptr<llvm::MemoryBuffer> readSourceFile(const std::string &Path, DiagnosticEngine &Diags,
                                                   llvm::SMRange From = llvm::SMRange());

/// Every lone carriage return of `Text` becomes a line feed (same size and offsets), as
/// readSourceFile and loadBuffer do: the text every part of zooc reads.
void normaliseLineEnds(char *Text, size_t Size);

class PreparedStdlib;
class StdlibCache;

struct LoadOptions {
  std::vector<std::string> IncludeDirs;
  std::string StdlibDir;
  bool Prelude = true; ///< load `prelude.zoo` from the stdlib first
  PredictionMode Prediction = PredictionMode::SLLThenLL;
  /// When set, files of this prepared stdlib are taken from it (shared, already checked) rather
  /// than read and parsed again.
  const PreparedStdlib *Prepared = nullptr;
  /// When set, a file is read as always but its tree is taken from this cache when the cache
  /// holds one for exactly its text, instead of parsing it.
  StdlibCache *Cache = nullptr;
};

/// Loads `Inputs` (files) and their imports into `M`, then `Texts` (name, text: declarations the
/// driver writes from its options, checked like a file). Returns false on any error.
bool loadFiles(Module &M, DiagnosticEngine &Diags, llvm::ArrayRef<std::string> Inputs,
               const LoadOptions &Opts,
               llvm::ArrayRef<std::pair<std::string, std::string>> Texts = {});

/// Loads the prelude (unless disabled) and one input held in memory, named `Name` (imports are
/// resolved relative to its directory), with the same checks as a file. Returns false on any
/// error.
bool loadBuffer(Module &M, DiagnosticEngine &Diags, llvm::StringRef Name, llvm::StringRef Text,
                const LoadOptions &Opts);

/// The stdlib prelude and every file it imports, read, parsed and checked once, for reuse by
/// every later compilation in the process (zooc's one, a fuzzer, a sweep, a server). A
/// compilation that loads one of these files gets the shared parse and skips its checks (see
/// Module::VerifiedFiles); its diagnostics still quote the shared buffers.
class PreparedStdlib {
public:
  struct File {
    std::string Key; ///< the real path
    std::shared_ptr<const FileUnit> Unit;
    /// Where each import of the file led: the path found ("" if none) and its real path.
    std::vector<std::pair<std::string, std::string>> Imports;
  };
  const std::string &stdlibDir() const { return Dir; }
  /// The include directories and the stdlib directory the imports were looked up in.
  const std::vector<std::string> &searchPath() const { return SearchPath; }
  /// The file whose real path is `Key`, or null.
  const File *find(llvm::StringRef Key) const;
  /// The buffer the file was parsed from (its ranges point into it).
  const llvm::MemoryBuffer &buffer(const File &F) const;
  /// How many files were taken from the cache file (the rest were parsed), and whether the
  /// cache file was written.
  unsigned filesFromCache() const { return FromCache; }
  unsigned files() const { return static_cast<unsigned>(Files.size()); }
  bool cacheWritten() const { return CacheWritten; }
  /// Removes the cache file the files came from (a body in it did not decode), so that the
  /// next run parses the stdlib again.
  void discardCache() const;

private:
  friend struct PreparedStdlibBuilder;
  std::string Dir;
  llvm::SourceMgr SM; ///< owns the buffers
  std::vector<File> Files;
  std::vector<std::string> SearchPath;
  unsigned FromCache = 0;
  bool CacheWritten = false;
  std::string CachePath; ///< the cache file, when files came from it
};

struct PrepareOptions {
  /// Searched by the stdlib's imports as by a compilation's (the same files must be found).
  std::vector<std::string> IncludeDirs;
  PredictionMode Prediction = PredictionMode::SLLThenLL;
  /// The cache directory (see StdlibCache.h); empty: no cache.
  std::string CacheDir;
  /// The compiler's version and binary, which a cache file must have been written by.
  std::string Build;
};

/// Prepares the stdlib in `StdlibDir`. Null when it does not load or check without error;
/// `Diagnostics` then holds why.
std::unique_ptr<PreparedStdlib> prepareStdlib(llvm::StringRef StdlibDir, std::string &Diagnostics,
                                              const PrepareOptions &Opts = {});

} // namespace zoo

#endif
