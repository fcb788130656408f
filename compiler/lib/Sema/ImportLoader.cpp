//===- ImportLoader.cpp - files, imports and the implicit prelude ---------===//
//
// Depth-first loading with a stack of files in progress: meeting a file that is on the stack is
// an import cycle, reported at the import that closes it with a note for each link of the chain.
// Files are identified by their real path, so one file reached twice is parsed once.
//
//===----------------------------------------------------------------------===//
#include "zoo/Sema/ImportLoader.h"
#include "zoo/Parse/Parser.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace zoo;

namespace {
class Loader {
public:
  Loader(Module &M, DiagnosticEngine &D, const LoadOptions &O) : M(M), Diags(D), Opts(O) {
    llvm::SmallString<256> Real;
    if (!llvm::sys::fs::real_path(O.StdlibDir, Real))
      StdlibReal = std::string(Real);
  }

  /// Loads `Path`; `From` is the import that asked for it (invalid for inputs).
  void load(const std::string &Path, llvm::SMRange From) {
    llvm::SmallString<256> Real;
    if (llvm::sys::fs::real_path(Path, Real))
      Real = Path;
    std::string Key(Real);
    for (size_t I = 0; I < Stack.size(); ++I) {
      if (Stack[I].Key != Key)
        continue;
      Diags.report(From, diag::err_import_cycle, llvm::sys::path::filename(Path),
                   I + 1 == Stack.size() ? "" : " through its imports");
      for (size_t J = Stack.size(); J-- > I + 1;)
        if (Stack[J].From.Start.isValid())
          Diags.report(Stack[J].From, diag::note_import_chain,
                       llvm::sys::path::filename(Stack[J].Path));
      return;
    }
    if (!Loaded.insert(Key).second)
      return;

    auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false, /*RequiresNullTerminator=*/true);
    if (!Buf) {
      if (From.Start.isValid())
        Diags.report(From, diag::err_cannot_read, Path, Buf.getError().message());
      else
        Diags.report(llvm::SMLoc(), diag::err_cannot_read, Path, Buf.getError().message());
      return;
    }
    unsigned ID = Diags.sourceMgr().AddNewSourceBuffer(std::move(*Buf), llvm::SMLoc());
    std::unique_ptr<FileUnit> Unit = parseBuffer(ID, Diags, Opts.Prediction);
    if (!Unit)
      return;
    Unit->Path = Path;
    Unit->IsStdlib = !StdlibReal.empty() && llvm::StringRef(Key).startswith(StdlibReal + "/");
    FileUnit *U = Unit.get();
    M.Files.push_back(std::move(Unit));

    Stack.push_back({Key, Path, From});
    for (const Import &I : U->Imports) {
      if (Diags.tooManyErrors())
        break;
      std::string Found = resolve(I.Path, Path);
      if (Found.empty()) {
        Diags.report(I.Range, diag::err_import_not_found, I.Path);
        Diags.report(I.Range, diag::note_searched_dirs, searchedDirs(Path));
        continue;
      }
      load(Found, I.Range);
    }
    Stack.pop_back();
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

  std::string resolve(const std::string &Rel, const std::string &Importer) const {
    if (llvm::sys::path::is_absolute(Rel))
      return llvm::sys::fs::is_regular_file(Rel) ? Rel : "";
    for (const std::string &D : dirsFor(Importer)) {
      llvm::SmallString<256> P(D);
      llvm::sys::path::append(P, Rel);
      llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
      if (llvm::sys::fs::is_regular_file(P))
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

bool zoo::loadFiles(Module &M, DiagnosticEngine &Diags, llvm::ArrayRef<std::string> Inputs,
                    const LoadOptions &Opts) {
  unsigned Before = Diags.errorCount();
  Loader L(M, Diags, Opts);
  if (Opts.Prelude) {
    llvm::SmallString<256> P(Opts.StdlibDir);
    llvm::sys::path::append(P, "prelude.zoo");
    L.load(std::string(P), {});
  }
  for (const std::string &In : Inputs) {
    if (Diags.tooManyErrors())
      break;
    L.load(In, {});
  }
  return Diags.errorCount() == Before;
}
