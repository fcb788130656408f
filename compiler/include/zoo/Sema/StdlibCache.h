//===- StdlibCache.h - parsed stdlib files kept between runs ------*- C++ -*-===//
//
// A cache file of the syntax trees of the stdlib's files, so that a run does not parse the
// stdlib again: one file per stdlib directory in a cache directory shared by every zooc process
// of the user. An entry is used only for a file whose text is byte for byte the text it was
// parsed from (its size and a 64-bit hash of its content), written by the same compiler build.
// The sources are still read (diagnostics quote them, and the hashes are of them); only the
// parse is spared, and Sema checks the trees as it checks any.
//
// Reading never trusts the file: a wrong magic, format, build, stdlib path, checksum, size or
// encoding (see ASTFile.h) makes the whole cache empty, never a crash; it is then written anew.
// Only a cache directory and file that belong to the user and that no one else may write are
// used (the directory is made with mode 0700, the file 0600), so another user cannot plant a
// cache; the user's own cache is trusted as the user's own stdlib files are. Writing goes to a
// temporary file in the cache directory renamed over the cache file, so a reader, or another
// zooc writing at the same time, sees a whole old or a whole new file. A cache directory that is
// missing and cannot be created, is read-only, or is not private, only means no cache.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_SEMA_STDLIBCACHE_H
#define ZOO_SEMA_STDLIBCACHE_H

#include "zoo/IR/Module.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cstdint>
#include <memory>
#include <string>

namespace zoo {

/// The largest cache file that is read, in bytes (the bundled stdlib's is about 100 KB).
constexpr uint64_t MaxCacheFileBytes = 64 * 1024 * 1024;

class StdlibCache {
public:
  /// The cache of the stdlib whose real path is `StdlibReal`, in directory `Dir`, for the compiler
  /// build `Build` (its version and the identity of its binary). Reads the cache file, if any.
  StdlibCache(llvm::StringRef Dir, llvm::StringRef StdlibReal, llvm::StringRef Build);

  /// The tree of the file whose real path is `Key` if the cache holds one parsed from exactly
  /// the text of `Buf` (its ranges point into `Buf`), else null.
  std::unique_ptr<FileUnit> find(llvm::StringRef Key, const llvm::MemoryBuffer &Buf,
                                 unsigned BufferID);

  /// Whether the file must be written again: some file was not found in it, or some entry was
  /// not used.
  bool stale() const { return Misses != 0 || Hits != Entries.size(); }

  /// Drops every entry (they gave trees that do not check), so that every file is parsed and
  /// the cache file written anew.
  void forget() {
    Entries.clear();
    Hits = Misses = 0;
  }

  /// Writes the cache file from `Files` (each with its real path), whose buffers `SM` holds.
  /// False when it could not be written (nothing is left behind).
  bool write(llvm::ArrayRef<std::pair<std::string, const FileUnit *>> Files,
             const llvm::SourceMgr &SM) const;

  /// The cache file.
  const std::string &path() const { return Path; }
  /// Whether a cache file was read and found valid (possibly for other contents).
  bool loaded() const { return Loaded; }
  unsigned hits() const { return Hits; }

private:
  struct Entry {
    uint64_t Size = 0, Hash = 0;
    llvm::StringRef AST; ///< into Data
  };
  std::string Dir, Path, StdlibReal, Build;
  bool Usable = false; ///< the directory is missing, or this user's and private
  std::unique_ptr<llvm::MemoryBuffer> Data;
  llvm::StringMap<Entry> Entries;
  bool Loaded = false;
  unsigned Hits = 0, Misses = 0;

  bool read();
};

} // namespace zoo

#endif
