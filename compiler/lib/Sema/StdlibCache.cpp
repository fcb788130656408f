//===- StdlibCache.cpp - parsed stdlib files kept between runs ------------===//
//
// The cache file, all integers little-endian:
//   magic     16 bytes, "zoo stdlib cache"
//   format    4 bytes (FormatVersion)
//   build     string: the compiler's version and binary
//   stdlib    string: the stdlib directory's real path
//   files     count, then per file: its real path (string), size (8 bytes), xxHash64 of its text
//             (8 bytes), its tree (string, ASTFile.h)
//   checksum  8 bytes: xxHash64 of everything before it
// A string is a LEB128 length and its bytes; a count is a LEB128 number.
//
//===----------------------------------------------------------------------===//
#include "zoo/Sema/StdlibCache.h"
#include "zoo/Parse/ASTFile.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include <cstring>
#include <unistd.h>

using namespace zoo;

namespace {
constexpr char Magic[16] = {'z', 'o', 'o', ' ', 's', 't', 'd', 'l',
                            'i', 'b', ' ', 'c', 'a', 'c', 'h', 'e'};
/// Changes whenever the layout of the file or of the trees changes.
constexpr uint32_t FormatVersion = 4; // 2: `require` statements; 3: block bodies length-prefixed;
                                       // 4: system, optimizer, training, workload, serving, price and grid records

void putU64(std::string &Out, uint64_t V) {
  for (int I = 0; I < 8; ++I)
    Out.push_back(static_cast<char>(V >> (8 * I)));
}
void putCount(std::string &Out, uint64_t V) {
  do {
    uint8_t B = V & 0x7f;
    V >>= 7;
    Out.push_back(static_cast<char>(B | (V ? 0x80 : 0)));
  } while (V);
}
void putString(std::string &Out, llvm::StringRef S) {
  putCount(Out, S.size());
  Out.append(S.data(), S.size());
}

/// Reads from untrusted bytes; any overrun sets Failed and yields zeros.
struct Reader {
  const char *P, *End;
  bool Failed = false;
  bool take(size_t N) {
    if (Failed || static_cast<size_t>(End - P) < N) {
      Failed = true;
      return false;
    }
    return true;
  }
  uint64_t u64() {
    if (!take(8))
      return 0;
    uint64_t V = 0;
    for (int I = 0; I < 8; ++I)
      V |= static_cast<uint64_t>(static_cast<uint8_t>(P[I])) << (8 * I);
    P += 8;
    return V;
  }
  uint64_t count() {
    uint64_t V = 0;
    for (unsigned Shift = 0; Shift < 64; Shift += 7) {
      if (!take(1))
        return 0;
      uint8_t B = static_cast<uint8_t>(*P++);
      V |= static_cast<uint64_t>(B & 0x7f) << Shift;
      if (!(B & 0x80))
        return V;
    }
    Failed = true;
    return 0;
  }
  llvm::StringRef string() {
    uint64_t N = count();
    if (Failed || N > static_cast<uint64_t>(End - P)) {
      Failed = true;
      return "";
    }
    llvm::StringRef S(P, static_cast<size_t>(N));
    P += N;
    return S;
  }
};

/// Whether `St` belongs to this user and nobody else may write it: a cache that another user
/// could have written or replaced is not read (nor written into).
bool ownedAndPrivate(const llvm::sys::fs::file_status &St) {
  namespace fs = llvm::sys::fs;
  return St.getUser() == ::geteuid() &&
         (St.permissions() & (fs::group_write | fs::others_write)) == 0;
}

/// The whole of `Path` if it is a regular file of at most MaxCacheFileBytes, private to this
/// user, checked before it is opened (a FIFO is never opened) and again on the open file; null
/// otherwise.
std::unique_ptr<llvm::MemoryBuffer> readRegularFile(const std::string &Path) {
  namespace fs = llvm::sys::fs;
  fs::file_status St;
  if (fs::status(Path, St) || St.type() != fs::file_type::regular_file ||
      St.getSize() > MaxCacheFileBytes || !ownedAndPrivate(St))
    return nullptr;
  llvm::Expected<fs::file_t> File = fs::openNativeFileForRead(Path);
  if (!File) {
    llvm::consumeError(File.takeError());
    return nullptr;
  }
  struct Closer {
    fs::file_t F;
    ~Closer() { fs::closeFile(F); }
  } Close{*File};
  if (fs::status(*File, St) || St.type() != fs::file_type::regular_file ||
      St.getSize() > MaxCacheFileBytes || !ownedAndPrivate(St))
    return nullptr;
  size_t Size = St.getSize(), Got = 0;
  auto Buf = llvm::WritableMemoryBuffer::getNewUninitMemBuffer(Size, Path);
  if (!Buf)
    return nullptr;
  while (Got < Size) {
    llvm::Expected<size_t> N = fs::readNativeFile(
        *File, llvm::makeMutableArrayRef(Buf->getBufferStart() + Got, Size - Got));
    if (!N) {
      llvm::consumeError(N.takeError());
      return nullptr;
    }
    if (*N == 0)
      return nullptr; // it shrank: being replaced, or cut short
    Got += *N;
  }
  return Buf;
}
} // namespace

StdlibCache::StdlibCache(llvm::StringRef Dir, llvm::StringRef StdlibReal, llvm::StringRef Build)
    : StdlibReal(StdlibReal.str()), Build(Build.str()) {
  // One file per stdlib directory (and so per installation); the content decides the rest.
  llvm::SmallString<256> P(Dir);
  llvm::sys::path::append(P, "stdlib-" + llvm::utohexstr(llvm::xxHash64(StdlibReal), true) +
                                 ".zcache");
  Path = std::string(P);
  this->Dir = Dir.str();
  // A directory that exists must be this user's and private; a missing one is made so.
  namespace fs = llvm::sys::fs;
  fs::file_status St;
  std::error_code EC = fs::status(this->Dir, St);
  Usable = EC == std::errc::no_such_file_or_directory ||
           (!EC && St.type() == fs::file_type::directory_file && ownedAndPrivate(St));
  Loaded = Usable && read();
  if (!Loaded) {
    Entries.clear();
    Data.reset();
  }
}

bool StdlibCache::read() {
  Data = readRegularFile(Path);
  if (!Data || Data->getBufferSize() < sizeof Magic + 4 + 8)
    return false;
  llvm::StringRef All = Data->getBuffer();
  llvm::StringRef Body = All.drop_back(8);
  Reader Tail{All.end() - 8, All.end()};
  if (llvm::xxHash64(Body) != Tail.u64())
    return false;
  if (std::memcmp(Body.data(), Magic, sizeof Magic) != 0)
    return false;
  Reader R{Body.data() + sizeof Magic, Body.end()};
  uint64_t Format = 0;
  if (R.take(4)) {
    for (int I = 0; I < 4; ++I)
      Format |= static_cast<uint64_t>(static_cast<uint8_t>(R.P[I])) << (8 * I);
    R.P += 4;
  }
  if (R.Failed || Format != FormatVersion || R.string() != Build || R.string() != StdlibReal)
    return false;
  uint64_t N = R.count();
  for (uint64_t I = 0; I < N && !R.Failed; ++I) {
    llvm::StringRef Key = R.string();
    Entry E;
    E.Size = R.u64();
    E.Hash = R.u64();
    E.AST = R.string();
    if (!R.Failed && !Entries.try_emplace(Key, E).second)
      return false; // one file twice
  }
  return !R.Failed && R.P == R.End;
}

std::unique_ptr<FileUnit> StdlibCache::find(llvm::StringRef Key, const llvm::MemoryBuffer &Buf,
                                            unsigned BufferID) {
  auto It = Entries.find(Key);
  llvm::StringRef Text = Buf.getBuffer();
  std::unique_ptr<FileUnit> U;
  if (It != Entries.end() && It->second.Size == Text.size() &&
      It->second.Hash == llvm::xxHash64(Text))
    U = decodeAST(It->second.AST, Text.data(), Text.size(), BufferID);
  ++(U ? Hits : Misses);
  return U;
}

bool StdlibCache::write(llvm::ArrayRef<std::pair<std::string, const FileUnit *>> Files,
                        const llvm::SourceMgr &SM) const {
  namespace fs = llvm::sys::fs;
  std::string Out(Magic, sizeof Magic);
  for (int I = 0; I < 4; ++I)
    Out.push_back(static_cast<char>(FormatVersion >> (8 * I)));
  putString(Out, Build);
  putString(Out, StdlibReal);
  putCount(Out, Files.size());
  std::string AST;
  for (const auto &[Key, F] : Files) {
    llvm::StringRef Text = SM.getMemoryBuffer(F->BufferID)->getBuffer();
    putString(Out, Key);
    putU64(Out, Text.size());
    putU64(Out, llvm::xxHash64(Text));
    AST.clear();
    encodeAST(*F, Text.data(), Text.size(), AST);
    putString(Out, AST);
  }
  putU64(Out, llvm::xxHash64(Out));

  if (!Usable || fs::create_directories(Dir, /*IgnoreExisting=*/true, fs::owner_all))
    return false;
  fs::file_status St;
  if (fs::status(Dir, St) || St.type() != fs::file_type::directory_file || !ownedAndPrivate(St))
    return false;
  llvm::SmallString<256> Tmp(Dir);
  llvm::sys::path::append(Tmp, ".stdlib-%%%%%%%%%%%%.tmp");
  int FD;
  if (fs::createUniqueFile(Tmp, FD, Tmp))
    return false;
  llvm::sys::RemoveFileOnSignal(Tmp);
  std::error_code EC;
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Out;
    OS.close();
    if (OS.has_error()) {
      EC = OS.error();
      OS.clear_error();
    }
  }
  if (!EC)
    EC = fs::rename(Tmp, Path);
  if (EC)
    fs::remove(Tmp);
  llvm::sys::DontRemoveFileOnSignal(Tmp);
  return !EC;
}
