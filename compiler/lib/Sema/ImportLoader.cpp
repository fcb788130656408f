//===- ImportLoader.cpp - files, imports and the implicit prelude ---------===//
//
// Depth-first loading with a stack of files in progress: meeting a file that is on the stack is
// an import cycle, reported at the import that closes it with a note for each link of the chain.
// Files are identified by their real path, so one file reached twice is parsed once. A file is
// checked (regular, not over MaxSourceBytes) before it is opened, and again on the open file.
//
//===----------------------------------------------------------------------===//
#include "zoo/Sema/ImportLoader.h"
#include "zoo/Parse/Parser.h"
#include "zoo/Sema/Sema.h"
#include "zoo/Sema/StdlibCache.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace zoo;

void zoo::normaliseLineEnds(char *Text, size_t Size) {
  for (size_t I = 0; I < Size; ++I)
    if (Text[I] == '\r' && (I + 1 == Size || Text[I + 1] != '\n'))
      Text[I] = '\n';
}

std::unique_ptr<llvm::MemoryBuffer>
zoo::readSourceFile(const std::string &Path, DiagnosticEngine &Diags, llvm::SMRange From) {
  namespace fs = llvm::sys::fs;
  auto Check = [&](const fs::file_status &St) {
    if (St.type() != fs::file_type::regular_file) {
      Diags.report(From, diag::err_not_regular_file, Path);
      return false;
    }
    if (St.getSize() > MaxSourceBytes) {
      Diags.report(From, diag::err_file_too_large, Path, St.getSize(), MaxSourceBytes);
      return false;
    }
    return true;
  };
  auto Fail = [&](std::error_code EC) {
    Diags.report(From, diag::err_cannot_read, Path, EC.message());
    return nullptr;
  };
  fs::file_status St;
  if (std::error_code EC = fs::status(Path, St))
    return Fail(EC);
  if (!Check(St))
    return nullptr;
  llvm::Expected<fs::file_t> File = fs::openNativeFileForRead(Path);
  if (!File)
    return Fail(llvm::errorToErrorCode(File.takeError()));
  struct Closer {
    fs::file_t F;
    ~Closer() { fs::closeFile(F); }
  } Close{*File};
  if (std::error_code EC = fs::status(*File, St))
    return Fail(EC);
  if (!Check(St))
    return nullptr;
  size_t Size = St.getSize(), Got = 0;
  std::unique_ptr<llvm::WritableMemoryBuffer> Buf =
      llvm::WritableMemoryBuffer::getNewUninitMemBuffer(Size, Path);
  if (!Buf)
    return Fail(std::make_error_code(std::errc::not_enough_memory));
  while (Got < Size) {
    llvm::Expected<size_t> N = fs::readNativeFile(
        *File, llvm::makeMutableArrayRef(Buf->getBufferStart() + Got, Size - Got));
    if (!N)
      return Fail(llvm::errorToErrorCode(N.takeError()));
    if (*N == 0)
      break; // the file shrank since its status was taken
    Got += *N;
  }
  char *Text = Buf->getBufferStart();
  normaliseLineEnds(Text, Got);
  if (Got < Size)
    return llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(Text, Got), Path);
  return Buf;
}

namespace {
class Loader {
public:
  Loader(Module &M, DiagnosticEngine &D, const LoadOptions &O) : M(M), Diags(D), Opts(O) {
    llvm::SmallString<256> Real;
    if (!llvm::sys::fs::real_path(O.StdlibDir, Real))
      StdlibReal = std::string(Real);
  }

  /// Loads `Path`; `From` is the import that asked for it (invalid for inputs). `Known` is its
  /// real path when the caller knows it. Returns the real path.
  std::string load(const std::string &Path, llvm::SMRange From,
                   const std::string *Known = nullptr) {
    std::string Key;
    if (Known) {
      Key = *Known;
    } else {
      llvm::SmallString<256> Real;
      if (llvm::sys::fs::real_path(Path, Real))
        Real = Path;
      Key = std::string(Real);
    }
    for (size_t I = 0; I < Stack.size(); ++I) {
      if (Stack[I].Key != Key)
        continue;
      Diags.report(From, diag::err_import_cycle, llvm::sys::path::filename(Path),
                   I + 1 == Stack.size() ? "" : " through its imports");
      for (size_t J = Stack.size(); J-- > I + 1;)
        if (Stack[J].From.Start.isValid())
          Diags.report(Stack[J].From, diag::note_import_chain,
                       llvm::sys::path::filename(Stack[J].Path));
      return Key;
    }
    if (Loaded.count(Key))
      return Key;
    if (Stack.size() >= MaxImportDepth) {
      // Not marked as loaded: the same file may still be reached through a shorter chain.
      Diags.report(From, diag::err_import_too_deep, llvm::sys::path::filename(Path),
                   MaxImportDepth);
      Diags.report(Stack[1].From, diag::note_import_chain_start,
                   llvm::sys::path::filename(Stack[0].Path));
      return Key;
    }
    Loaded.insert(Key);

    if (const PreparedStdlib::File *F = takePrepared(Key))
      importsOf(*F->Unit, Key, Path, From, F);
    else
      loadBuffer(readSourceFile(Path, Diags, From), Key, Path, From);
    return Key;
  }

  /// Where each loaded file's imports led, when asked for (see PreparedStdlib::File::Imports).
  bool RecordImports = false;
  llvm::StringMap<std::vector<std::pair<std::string, std::string>>> ImportsOf;

  /// Parses `Buf` (null after a read error: nothing to do) as the file `Path` and loads its
  /// imports.
  void loadBuffer(std::unique_ptr<llvm::MemoryBuffer> Buf, const std::string &Key,
                  const std::string &Path, llvm::SMRange From) {
    if (!Buf)
      return;
    unsigned ID = Diags.sourceMgr().AddNewSourceBuffer(std::move(Buf), llvm::SMLoc());
    std::unique_ptr<FileUnit> Unit;
    if (Opts.Cache)
      Unit = Opts.Cache->find(Key, *Diags.sourceMgr().getMemoryBuffer(ID), ID);
    if (!Unit)
      Unit = parseBuffer(ID, Diags, Opts.Prediction);
    if (!Unit)
      return;
    Unit->Path = Path;
    Unit->Key = Key;
    Unit->IsStdlib = !StdlibReal.empty() && llvm::StringRef(Key).startswith(StdlibReal + "/");
    FileUnit *U = Unit.get();
    M.Files.push_back(std::move(Unit));
    importsOf(*U, Key, Path, From);
  }

  /// Loads an in-memory input named `Name`.
  void loadText(llvm::StringRef Name, llvm::StringRef Text) {
    std::string Key = ("<memory>:" + Name).str();
    if (!Loaded.insert(Key).second)
      return;
    if (Text.size() > MaxSourceBytes) {
      Diags.report(llvm::SMRange(), diag::err_file_too_large, Name, Text.size(), MaxSourceBytes);
      return;
    }
    auto Buf = llvm::WritableMemoryBuffer::getNewUninitMemBuffer(Text.size(), Name);
    std::copy(Text.begin(), Text.end(), Buf->getBufferStart());
    normaliseLineEnds(Buf->getBufferStart(), Text.size());
    loadBuffer(std::move(Buf), Key, Name.str(), {});
  }

private:
  /// The prepared file `Key`, added to this compilation's SourceMgr (without copying its text)
  /// and to the module as verified; null when there is none, or when its buffer would not get
  /// the number it was parsed with (the prepared files were loaded in another order).
  const PreparedStdlib::File *takePrepared(const std::string &Key) {
    const PreparedStdlib *P = Opts.Prepared;
    const PreparedStdlib::File *F = P ? P->find(Key) : nullptr;
    llvm::SourceMgr &SM = Diags.sourceMgr();
    if (!F || SM.getNumBuffers() + 1 != F->Unit->BufferID)
      return nullptr;
    SM.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBuffer(P->buffer(*F).getMemBufferRef(),
                                                           /*RequiresNullTerminator=*/false),
                          llvm::SMLoc());
    M.Files.push_back(F->Unit);
    M.VerifiedFiles.insert(F->Unit.get());
    return F;
  }

  /// Loads the imports of `File`. For a prepared file whose imports were resolved with the same
  /// search path, their resolution is taken from when it was prepared rather than asked of the
  /// file system again.
  void importsOf(const FileUnit &File, const std::string &Key, const std::string &Path,
                 llvm::SMRange From, const PreparedStdlib::File *Prepared = nullptr) {
    const FileUnit *U = &File;
    const auto *Known = Prepared && Prepared->Imports.size() == U->Imports.size() &&
                                Opts.Prepared->searchPath() == searchPath()
                            ? &Prepared->Imports
                            : nullptr;
    Stack.push_back({Key, Path, From});
    for (size_t Idx = 0; Idx < U->Imports.size(); ++Idx) {
      const Import &I = U->Imports[Idx];
      if (Diags.tooManyErrors())
        break;
      std::string Found = Known ? (*Known)[Idx].first : resolve(I.Path, Path);
      std::string FoundKey;
      if (Found.empty()) {
        Diags.report(I.Range, diag::err_import_not_found, I.Path);
        Diags.report(I.Range, diag::note_searched_dirs, searchedDirs(Path));
      } else {
        FoundKey = load(Found, I.Range, Known ? &(*Known)[Idx].second : nullptr);
      }
      if (RecordImports)
        ImportsOf[Key].push_back({Found, FoundKey});
    }
    Stack.pop_back();
  }

public:
  /// The directories an import is looked up in after its importer's own.
  std::vector<std::string> searchPath() const {
    std::vector<std::string> Dirs = Opts.IncludeDirs;
    Dirs.push_back(Opts.StdlibDir);
    return Dirs;
  }

private:
  struct Frame {
    std::string Key, Path;
    llvm::SMRange From;
  };

  std::vector<std::string> dirsFor(const std::string &Importer) const {
    std::vector<std::string> Dirs;
    llvm::StringRef Parent = llvm::sys::path::parent_path(Importer);
    Dirs.push_back(Parent.empty() ? "." : Parent.str());
    for (const std::string &D : Opts.IncludeDirs)
      Dirs.push_back(D);
    Dirs.push_back(Opts.StdlibDir);
    return Dirs;
  }

  /// The first place where `Rel` exists, whatever it is: a directory or a device found there is an
  /// error when it is loaded, not a reason to look further.
  std::string resolve(const std::string &Rel, const std::string &Importer) const {
    if (llvm::sys::path::is_absolute(Rel))
      return llvm::sys::fs::exists(Rel) ? Rel : "";
    for (const std::string &D : dirsFor(Importer)) {
      llvm::SmallString<256> P(D);
      llvm::sys::path::append(P, Rel);
      llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
      if (llvm::sys::fs::exists(P))
        return std::string(P);
    }
    return "";
  }

  std::string searchedDirs(const std::string &Importer) const {
    std::string Out;
    for (const std::string &D : dirsFor(Importer))
      Out += (Out.empty() ? "`" : ", `") + D + "`";
    return Out;
  }

  Module &M;
  DiagnosticEngine &Diags;
  const LoadOptions &Opts;
  std::string StdlibReal;
  llvm::StringSet<> Loaded;
  std::vector<Frame> Stack;
};
} // namespace

static void loadPrelude(Loader &L, const LoadOptions &Opts) {
  if (!Opts.Prelude)
    return;
  llvm::SmallString<256> P(Opts.StdlibDir);
  llvm::sys::path::append(P, "prelude.zoo");
  L.load(std::string(P), {});
}

bool zoo::loadFiles(Module &M, DiagnosticEngine &Diags, llvm::ArrayRef<std::string> Inputs,
                    const LoadOptions &Opts,
                    llvm::ArrayRef<std::pair<std::string, std::string>> Texts) {
  unsigned Before = Diags.errorCount();
  Loader L(M, Diags, Opts);
  loadPrelude(L, Opts);
  for (const std::string &In : Inputs) {
    if (Diags.tooManyErrors())
      break;
    L.load(In, {});
  }
  for (const auto &[Name, Text] : Texts)
    if (!Diags.tooManyErrors())
      L.loadText(Name, Text);
  return Diags.errorCount() == Before;
}

bool zoo::loadBuffer(Module &M, DiagnosticEngine &Diags, llvm::StringRef Name, llvm::StringRef Text,
                     const LoadOptions &Opts) {
  unsigned Before = Diags.errorCount();
  Loader L(M, Diags, Opts);
  loadPrelude(L, Opts);
  if (!Diags.tooManyErrors())
    L.loadText(Name, Text);
  return Diags.errorCount() == Before;
}

const PreparedStdlib::File *PreparedStdlib::find(llvm::StringRef Key) const {
  for (const File &F : Files)
    if (F.Key == Key)
      return &F;
  return nullptr;
}

const llvm::MemoryBuffer &PreparedStdlib::buffer(const File &F) const {
  return *SM.getMemoryBuffer(F.Unit->BufferID);
}

namespace zoo {
/// Fills a PreparedStdlib (its members are private to it).
struct PreparedStdlibBuilder {
  static std::unique_ptr<PreparedStdlib>
  prepare(llvm::StringRef StdlibDir, std::string &Diagnostics, const PrepareOptions &PO) {
    std::optional<StdlibCache> Cache;
    llvm::SmallString<256> StdlibReal;
    if (!PO.CacheDir.empty() && !llvm::sys::fs::real_path(StdlibDir, StdlibReal))
      Cache.emplace(PO.CacheDir, StdlibReal, PO.Build);
    std::unique_ptr<PreparedStdlib> P =
        attempt(StdlibDir, Diagnostics, PO, Cache ? &*Cache : nullptr);
    if (!P && Cache && Cache->hits()) {
      // Trees from the cache that do not check (a damaged cache that still decodes): parse
      // every file, and replace the cache if that checks.
      Cache->forget();
      Diagnostics.clear();
      P = attempt(StdlibDir, Diagnostics, PO, &*Cache);
    }
    return P;
  }

  static std::unique_ptr<PreparedStdlib> attempt(llvm::StringRef StdlibDir,
                                                 std::string &Diagnostics, const PrepareOptions &PO,
                                                 StdlibCache *Cache) {
    auto P = std::unique_ptr<PreparedStdlib>(new PreparedStdlib());
    P->Dir = StdlibDir.str();
    llvm::raw_string_ostream OS(Diagnostics);
    DiagnosticEngine Diags(P->SM, OS);
    Module M;
    LoadOptions Opts;
    Opts.StdlibDir = P->Dir;
    Opts.IncludeDirs = PO.IncludeDirs;
    Opts.Prediction = PO.Prediction;
    Opts.Cache = Cache;
    Loader L(M, Diags, Opts);
    L.RecordImports = true;
    loadPrelude(L, Opts);
    // Every file from a cache that this very build wrote after checking the same texts (the
    // cache is keyed by the binary and each file's hash): the check would find what it found
    // then, so the blocks are not checked again (primitives are: see SemaImpl::run).
    if (Cache && !Diags.hasErrors() && Cache->hits() == M.Files.size() && M.Files.size())
      for (const auto &F : M.Files)
        M.VerifiedFiles.insert(F.get());
    bool OK = !Diags.hasErrors() && runSema(M, Diags) && !Diags.hasErrors();
    Diags.flush();
    OS.flush();
    if (!OK)
      return nullptr;
    P->SearchPath = L.searchPath();
    std::vector<std::pair<std::string, const FileUnit *>> Keys;
    for (const auto &F : M.Files) {
      P->Files.push_back({F->Key, F, std::move(L.ImportsOf[F->Key])});
      Keys.push_back({F->Key, F.get()});
    }
    if (Cache) {
      P->FromCache = Cache->hits();
      if (P->FromCache)
        P->CachePath = Cache->path();
      if (Cache->stale())
        P->CacheWritten = Cache->write(Keys, P->SM);
    }
    return P;
  }
};
} // namespace zoo

void PreparedStdlib::discardCache() const {
  if (!CachePath.empty())
    llvm::sys::fs::remove(CachePath);
}

std::unique_ptr<PreparedStdlib> zoo::prepareStdlib(llvm::StringRef StdlibDir,
                                                   std::string &Diagnostics,
                                                   const PrepareOptions &Opts) {
  return PreparedStdlibBuilder::prepare(StdlibDir, Diagnostics, Opts);
}
