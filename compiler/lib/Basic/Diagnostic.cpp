//===- Diagnostic.cpp - the diagnostics engine ----------------------------===//
//
// Prints through llvm::SourceMgr so every message has the LLVM shape (location, source line,
// caret or range). Deduplicates identical errors and applies the error limit.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Diagnostic.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace zoo;

namespace {
struct KindInfo {
  bool Note;
  const char *Format;
};
constexpr KindInfo Infos[] = {
#define DIAG(ID, SEV, FMT) {diag_sev_##SEV, FMT},
#define diag_sev_Error false
#define diag_sev_Note true
#include "zoo/Basic/DiagnosticKinds.def"
#undef diag_sev_Error
#undef diag_sev_Note
};
} // namespace

DiagnosticEngine::DiagnosticEngine(llvm::SourceMgr &SM, llvm::raw_ostream &OS) : SM(SM), OS(OS) {}

llvm::StringRef DiagnosticEngine::formatOf(diag::Kind K) { return Infos[K].Format; }
bool DiagnosticEngine::isNote(diag::Kind K) { return Infos[K].Note; }

void DiagnosticEngine::emit(llvm::SMRange Range, diag::Kind K, const std::string &Msg) {
  if (isNote(K)) {
    if (SuppressNotes || Stopped)
      return;
  } else {
    if (Stopped)
      return;
    SuppressNotes = !Seen.insert({Range.Start.getPointer(), Msg}).second;
    if (SuppressNotes)
      return;
    if (NumErrors == ErrorLimit) {
      Stopped = true;
      Trailer = "zooc: error: " + formatOf(diag::err_too_many_errors).str() + "\n";
      ++NumErrors;
      return;
    }
    ++NumErrors;
    unsigned Buf = Range.Start.isValid() ? SM.FindBufferContainingLoc(Range.Start) : 0;
    Groups.push_back({Buf, Range.Start.getPointer(), static_cast<unsigned>(Groups.size()), ""});
  }
  if (Groups.empty())
    return;
  llvm::raw_string_ostream OS(Groups.back().Text);
  auto Kind = isNote(K) ? llvm::SourceMgr::DK_Note : llvm::SourceMgr::DK_Error;
  if (!Range.Start.isValid()) {
    OS << (isNote(K) ? "note: " : "zooc: error: ") << Msg << "\n";
    return;
  }
  if (printLongLine(OS, Range, isNote(K), Msg))
    return;
  llvm::ArrayRef<llvm::SMRange> Ranges;
  if (Range.End.isValid() && Range.End.getPointer() > Range.Start.getPointer() + 1)
    Ranges = llvm::makeArrayRef(Range);
  SM.PrintMessage(OS, Range.Start, Kind, Msg, Ranges, {}, /*ShowColors=*/false);
}

bool DiagnosticEngine::printLongLine(llvm::raw_ostream &OS, llvm::SMRange Range, bool Note,
                                     const std::string &Msg) {
  // SourceMgr prints the whole source line; for a pathological line (a megabyte of `(`) show a
  // window around the caret instead.
  constexpr long Window = 60;
  unsigned ID = SM.FindBufferContainingLoc(Range.Start);
  if (!ID)
    return false;
  const llvm::MemoryBuffer *MB = SM.getMemoryBuffer(ID);
  const char *P = Range.Start.getPointer(), *B = P, *E = P;
  while (B > MB->getBufferStart() && B[-1] != '\n' && B[-1] != '\r')
    --B;
  while (E < MB->getBufferEnd() && *E != '\n' && *E != '\r')
    ++E;
  if (E - B <= 2 * Window + 40)
    return false;
  auto [Line, Col] = SM.getLineAndColumn(Range.Start, ID);
  const char *WB = P - B > Window ? P - Window : B;
  const char *WE = E - P > Window ? P + Window : E;
  std::string Prefix = WB > B ? "..." : "";
  OS << MB->getBufferIdentifier() << ":" << Line << ":" << Col << ": "
     << (Note ? "note: " : "error: ") << Msg << "\n"
     << Prefix << llvm::StringRef(WB, WE - WB) << (WE < E ? "..." : "") << "\n"
     << std::string(Prefix.size() + (P - WB), ' ') << "^\n";
  return true;
}

void DiagnosticEngine::flush() {
  std::stable_sort(Groups.begin(), Groups.end(), [](const Group &A, const Group &B) {
    if (A.Buffer != B.Buffer)
      return A.Buffer < B.Buffer;
    if (A.Ptr != B.Ptr)
      return std::less<const char *>()(A.Ptr, B.Ptr);
    return A.Seq < B.Seq;
  });
  for (const Group &G : Groups)
    OS << G.Text;
  OS << Trailer;
  OS.flush();
  Groups.clear();
  Trailer.clear();
}

void DiagnosticEngine::suggest(llvm::SMRange At, llvm::StringRef Name,
                               llvm::ArrayRef<std::string> Candidates) {
  std::string Best = closestMatch(Name, Candidates);
  if (!Best.empty())
    report(At, diag::note_did_you_mean, Best);
}

std::string zoo::closestMatch(llvm::StringRef Name, llvm::ArrayRef<std::string> Candidates) {
  std::string Best;
  unsigned BestDist = ~0u;
  // Short names tolerate one edit; longer ones a third of their length, at least two (a
  // transposition costs two).
  unsigned Limit = Name.size() <= 2 ? 1 : std::max<unsigned>(2, Name.size() / 3);
  for (const std::string &C : Candidates) {
    if (C == Name)
      continue;
    unsigned D = Name.edit_distance(C, /*AllowReplacements=*/true, Limit + 1);
    if (D <= Limit && D < BestDist) {
      BestDist = D;
      Best = C;
    }
  }
  return Best;
}
