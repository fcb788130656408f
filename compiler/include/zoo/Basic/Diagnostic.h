//===- Diagnostic.h - the diagnostics engine ----------------------*- C++ -*-===//
//
// One engine over llvm::SourceMgr for every phase: errors are collected and printed as
// `file:line:col: error: message`, the source line and a caret, followed by `note:` lines.
// Nothing throws. Identical errors at one location are reported once, and after a fixed number of
// errors the engine stops printing. It does not decide exit codes; the driver does.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_BASIC_DIAGNOSTIC_H
#define ZOO_BASIC_DIAGNOSTIC_H

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include <fmt/format.h>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zoo {

namespace diag {
enum Kind : unsigned {
#define DIAG(ID, SEV, FMT) ID,
#include "zoo/Basic/DiagnosticKinds.def"
  NumKinds
};
} // namespace diag

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(llvm::SourceMgr &SM, llvm::raw_ostream &OS);

  /// Reports diagnostic `K` at `Range` (its start is the caret). Notes attach to the last error.
  template <typename... Args> void report(llvm::SMRange Range, diag::Kind K, Args &&...A) {
    emit(Range, K,
         fmt::format(fmt::runtime(std::string_view(formatOf(K))), std::forward<Args>(A)...));
  }
  template <typename... Args> void report(llvm::SMLoc Loc, diag::Kind K, Args &&...A) {
    report(llvm::SMRange(Loc, Loc), K, std::forward<Args>(A)...);
  }

  /// Adds a "did you mean" note at `At` when one of `Candidates` is close to `Name`.
  void suggest(llvm::SMRange At, llvm::StringRef Name, llvm::ArrayRef<std::string> Candidates);

  /// Prints the collected diagnostics in source order (file load order, then offset), each error
  /// followed by its notes. Call once, before exiting.
  void flush();
  ~DiagnosticEngine() { flush(); }

  unsigned errorCount() const { return NumErrors; }
  bool hasErrors() const { return NumErrors != 0; }
  /// True once the error limit is reached; long-running phases may stop early.
  bool tooManyErrors() const { return Stopped; }
  llvm::SourceMgr &sourceMgr() { return SM; }

  static constexpr unsigned ErrorLimit = 20;
  static llvm::StringRef formatOf(diag::Kind K);
  static bool isNote(diag::Kind K);

private:
  void emit(llvm::SMRange Range, diag::Kind K, const std::string &Msg);
  bool printLongLine(llvm::raw_ostream &OS, llvm::SMRange Range, bool Note, const std::string &Msg);

  llvm::SourceMgr &SM;
  llvm::raw_ostream &OS;
  unsigned NumErrors = 0;
  bool Stopped = false;
  bool SuppressNotes = false;
  std::set<std::pair<const char *, std::string>> Seen;
  struct Group {
    unsigned Buffer; ///< 0 for diagnostics without a location
    const char *Ptr;
    unsigned Seq;
    std::string Text;
  };
  std::vector<Group> Groups;
  std::string Trailer;
};

/// The closest candidate to `Name` by edit distance, or "" when none is close enough.
std::string closestMatch(llvm::StringRef Name, llvm::ArrayRef<std::string> Candidates);

/// What `Name` may have meant among `Candidates`, at most `Max`: the first that differs only in
/// case; else those one edit away; else, for a name of three characters or more, those that contain
/// it ignoring case (those that start with it first, then the shortest); else the closest by edit
/// distance.
std::vector<std::string> closeMatches(llvm::StringRef Name, llvm::ArrayRef<std::string> Candidates,
                                      size_t Max = 4);

/// `A`, `A` or `B`, `A`, `B` or `C`: names joined for a sentence, each between `Quote`s.
std::string quotedList(llvm::ArrayRef<std::string> Names, llvm::StringRef Quote);

} // namespace zoo

#endif
