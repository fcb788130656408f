//===- Diagnostic.cpp - the diagnostics engine ----------------------------===//
//
// Prints through llvm::SourceMgr so every message has the LLVM shape (location, source line,
// caret or range). Deduplicates identical errors and applies the error limit.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Diagnostic.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <tuple>

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
  std::vector<std::string> Close = closeMatches(Name, Candidates);
  if (!Close.empty()) {
    // The note quotes its argument: the list's outer quotes are the note's own.
    std::string List = quotedList(Close, "`");
    report(At, diag::note_did_you_mean, List.substr(1, List.size() - 2));
  }
}

std::vector<std::string> zoo::closeMatches(llvm::StringRef Name,
                                           llvm::ArrayRef<std::string> Candidates, size_t Max) {
  for (const std::string &C : Candidates)
    if (C != Name && Name.equals_insensitive(C))
      return {C};
  // One edit away (a typo) is the likeliest meaning.
  std::vector<std::string> Out;
  for (const std::string &C : Candidates)
    if (Out.size() < Max && C != Name && Name.edit_distance(C, /*AllowReplacements=*/true, 2) == 1)
      Out.push_back(C);
  if (!Out.empty())
    return Out;
  if (Name.size() >= 3) {
    const std::string Lower = Name.lower();
    std::vector<std::pair<std::tuple<bool, size_t, std::string>, std::string>> Hits;
    for (const std::string &C : Candidates) {
      const std::string L = llvm::StringRef(C).lower();
      size_t At = L.find(Lower);
      if (C != Name && At != std::string::npos)
        Hits.push_back({{At != 0, C.size(), C}, C});
    }
    std::sort(Hits.begin(), Hits.end());
    for (size_t I = 0; I < Hits.size() && I < Max; ++I)
      Out.push_back(Hits[I].second);
  }
  if (Out.empty()) {
    std::string Best = closestMatch(Name, Candidates);
    if (!Best.empty())
      Out.push_back(Best);
  }
  return Out;
}

std::string zoo::quotedList(llvm::ArrayRef<std::string> Names, llvm::StringRef Quote) {
  std::string Out;
  for (size_t I = 0; I < Names.size(); ++I) {
    if (I)
      Out += I + 1 == Names.size() ? " or " : ", ";
    Out += Quote.str() + Names[I] + Quote.str();
  }
  return Out;
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
