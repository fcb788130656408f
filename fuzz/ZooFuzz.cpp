//===- ZooFuzz.cpp - libFuzzer target: the whole pipeline and every backend ---===//
//
// One input is one `.zoo` file. It is loaded, checked, run through every pass (the matrix, layer
// and validation passes included) and emitted by every backend, twice. Two targets are built
// from this file:
//   zoo-fuzz         the input is the whole program (no prelude): it reaches the grammar,
//                    declarations, blocks, records and expansion limits directly;
//   zoo-fuzz-stdlib  the input is a user file compiled against the bundled stdlib, which is
//                    parsed and checked once per process and reused by every input, so inputs
//                    reach shapes, scenarios, runtimes and the roofline at hundreds of
//                    executions per second.
// Oracles (a failure traps, so libFuzzer keeps the input):
//   - the JSON output parses (so it holds no `inf` or `nan`);
//   - every number the compiler derived (model metrics and parameters, scenario results) is
//     finite and not negative;
//   - emitting twice gives the same bytes;
//   - compiling the same input again, in a fresh module, gives the same result and the same
//     diagnostics (checked on every 16th input);
//   - the JSON tables (layers, matrix, validation) parse;
//   - `zooc --format` of an input that parses succeeds (it never reports its internal error of a
//     changed token or comment) and formatting its output again changes nothing.
// The backends include the CSV and JSON tables, the layer table to a depth, and the HTML page
// with its charts (the scenarios the input declares give each hardware its setup).
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Plots.h"
#include "zoo/Backends/Emitters.h"
#include "zoo/IR/IRPrinter.h"
#include "zoo/Parse/Formatter.h"
#include "zoo/Passes/Pass.h"
#include "zoo/Sema/ImportLoader.h"
#include "zoo/Sema/Sema.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace zoo;

namespace {

#ifdef ZOO_FUZZ_WITH_STDLIB
constexpr bool WithStdlib = true;
#else
constexpr bool WithStdlib = false;
#endif

PreparedStdlib *Prepared = nullptr;
/// The stdlib directory: $ZOO_FUZZ_STDLIB (scripts/fuzz.sh points it at a snapshot), else the
/// source tree's.
std::string StdlibDir = ZOO_STDLIB_DIR;
/// ZOO_FUZZ_VERBOSE=1: print whether each input compiled, and its diagnostics (for reproducing a
/// finding: `zoo-fuzz-stdlib FILE`).
bool Verbose = false;

[[noreturn]] void fail(const char *What, llvm::StringRef Detail = "") {
  llvm::errs() << "zoo-fuzz: oracle failed: " << What << "\n";
  if (!Detail.empty())
    llvm::errs() << Detail.take_front(2000) << "\n";
  llvm::errs().flush();
  __builtin_trap();
}

/// Derived numbers are finite and not negative. User-written values (record fields, arguments,
/// expects) are skipped: a user may write a negative field.
void checkDerived(const llvm::json::Value &V, llvm::StringRef Key) {
  if (Key == "fields" || Key == "args" || Key == "expects" || Key == "sections")
    return;
  if (auto N = V.getAsNumber()) {
    if (!std::isfinite(*N) || *N < 0)
      fail("a derived number is negative or not finite", Key);
    return;
  }
  if (const auto *O = V.getAsObject()) {
    for (const auto &KV : *O)
      checkDerived(KV.second, KV.first);
    return;
  }
  if (const auto *A = V.getAsArray())
    for (const auto &E : *A)
      checkDerived(E, Key);
}

void checkJSON(const std::string &Text) {
  llvm::Expected<llvm::json::Value> Doc = llvm::json::parse(Text);
  if (!Doc) {
    std::string Msg = llvm::toString(Doc.takeError());
    fail("the JSON output does not parse", Msg);
  }
  const auto *O = Doc->getAsObject();
  if (!O)
    fail("the JSON output is not an object");
  for (const char *Part : {"models", "scenarios"})
    if (const llvm::json::Value *P = O->get(Part))
      checkDerived(*P, Part);
}

/// Where emitAll put the three JSON tables.
size_t JSONTables = 0;

/// Every backend's output, in order.
std::vector<std::string> emitAll(Module &M, llvm::SourceMgr &SM) {
  std::vector<std::string> Out;
  auto Emit = [&](auto &&Run) {
    std::string S;
    llvm::raw_string_ostream OS(S);
    Run(OS);
    OS.flush();
    Out.push_back(std::move(S));
  };
  Emit([&](llvm::raw_ostream &OS) { ReportEmitter(M).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { JSONEmitter(M).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { CppHeaderEmitter(M, {"fuzz.zoo"}).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { printIR(M, SM, OS); });
  Emit([&](llvm::raw_ostream &OS) { AnalysisEmitter(M).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { MatrixEmitter(M).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { ValidationEmitter(M).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { CalibrationEmitter(M).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { LayersEmitter(M).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { LayersEmitter(M, 2).run(OS); });
  using Table = TableEmitter::Table;
  for (Table T : {Table::Models, Table::Hardware, Table::Scenarios, Table::Layers, Table::Matrix,
                  Table::Validation})
    Emit([&](llvm::raw_ostream &OS) { TableEmitter(M, T, /*JSON=*/false, 2).run(OS); });
  JSONTables = Out.size();
  for (Table T : {Table::Layers, Table::Matrix, Table::Validation})
    Emit([&](llvm::raw_ostream &OS) { TableEmitter(M, T, /*JSON=*/true).run(OS); });
  // The page's charts: each hardware takes the setup of the first scenario declared on it.
  PlotRequest Req;
  for (const auto &R : M.Models)
    Req.Models.push_back(R.get());
  std::vector<std::unique_ptr<ScenarioRecord>> Templates;
  for (const auto &H : M.Hardware) {
    DeviceSetup Setup;
    Setup.Hw = H.get();
    for (const auto &S : M.Scenarios)
      if (S->Hw == H.get() && S->Weights && S->KV && S->Compute) {
        auto T = std::make_unique<ScenarioRecord>("@" + H->Name, llvm::SMRange());
        T->Hw = H.get();
        T->Weights = S->Weights;
        T->KV = S->KV;
        T->Compute = S->Compute;
        T->Activations = S->Activations;
        T->Runtime = S->Runtime;
        T->Devices = S->Devices;
        Setup.Template = T.get();
        Templates.push_back(std::move(T));
        break;
      }
    if (!Setup.Template)
      Setup.Unavailable = "no scenario on it";
    Req.Devices.push_back(std::move(Setup));
  }
  Req.Point = {M.Point.Batch, M.Point.Prompt, M.Point.Output};
  Req.Context = M.Point.Context;
  Req.KV = M.findPrecision(M.Point.KV);
  PlotData Plots = buildPlotData(M, Req);
  Emit([&](llvm::raw_ostream &OS) { HTMLEmitter(M, Plots).run(OS); });
  Emit([&](llvm::raw_ostream &OS) { MarkdownEmitter(M, {"fuzz.zoo"}).run(OS); });
  MarkdownEmitter Pages(M, {"fuzz.zoo"});
  for (const MarkdownEmitter::Page &P : Pages.pages())
    Emit([&](llvm::raw_ostream &OS) {
      OS << P.FileName << "\n";
      P.Write(OS);
    });
  return Out;
}

/// Compiles `Text`; returns whether it had no error, and the diagnostics printed.
bool compile(llvm::StringRef Text, bool Check, std::string &Diagnostics) {
  llvm::SourceMgr SM;
  llvm::raw_string_ostream DiagOS(Diagnostics);
  DiagnosticEngine Diags(SM, DiagOS);
  Module M;
  LoadOptions Opts;
  Opts.StdlibDir = StdlibDir;
  Opts.Prelude = WithStdlib;
  Opts.Prepared = Prepared;
  bool OK = loadBuffer(M, Diags, "fuzz.zoo", Text, Opts) && runSema(M, Diags);
  M.WantMatrix = M.WantValidation = M.WantCalibration = M.WantLayers = true;
  OK = OK && !failed(runPipeline(M, Diags)) && !Diags.hasErrors();
  DiagOS.flush();
  if (!OK || !Check)
    return OK;
  std::vector<std::string> First = emitAll(M, SM), Second = emitAll(M, SM);
  for (size_t I = 0; I < First.size(); ++I)
    if (First[I] != Second[I])
      fail("emitting twice gave different bytes");
  checkJSON(First[1]);
  for (size_t I = JSONTables; I < JSONTables + 3; ++I)
    if (auto Doc = llvm::json::parse(First[I]); !Doc)
      fail("a JSON table does not parse", llvm::toString(Doc.takeError()));
  return true;
}

/// `zooc --format` of `Text`, which parses: it must succeed, and be idempotent.
void checkFormat(llvm::StringRef Text) {
  auto Format = [](llvm::StringRef Raw, std::string &Out, std::string &Diagnostics) {
    // As zooc gives it text, from a file or standard input (the formatter is never reached with
    // a lone carriage return).
    std::string In = Raw.str();
    normaliseLineEnds(In.data(), In.size());
    llvm::SourceMgr SM;
    llvm::raw_string_ostream DiagOS(Diagnostics);
    DiagnosticEngine Diags(SM, DiagOS);
    unsigned ID =
        SM.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(In, "fuzz.zoo"), llvm::SMLoc());
    return formatBuffer(ID, Diags, Out);
  };
  std::string Once, Twice, Diagnostics;
  if (!Format(Text, Once, Diagnostics)) {
    if (Diagnostics.find("a bug in the formatter") != std::string::npos)
      fail("the formatter would change a token or a comment", Diagnostics);
    return; // the text does not parse
  }
  if (!Format(Once, Twice, Diagnostics))
    fail("the formatted text does not format", Diagnostics);
  if (Once != Twice)
    fail("formatting is not idempotent", Once + "\n--\n" + Twice);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  Verbose = std::getenv("ZOO_FUZZ_VERBOSE") != nullptr;
  if (const char *Dir = std::getenv("ZOO_FUZZ_STDLIB"))
    StdlibDir = Dir;
  if (WithStdlib) {
    std::string Diagnostics;
    Prepared = prepareStdlib(StdlibDir, Diagnostics).release();
    if (!Prepared) {
      std::fprintf(stderr, "zoo-fuzz: the bundled stdlib does not check:\n%s\n",
                   Diagnostics.c_str());
      std::abort();
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static unsigned Count = 0;
  llvm::StringRef Text(reinterpret_cast<const char *>(Data), Size);
  std::string Diagnostics;
  bool OK = compile(Text, /*Check=*/true, Diagnostics);
  if (OK)
    checkFormat(Text);
  if (Verbose)
    llvm::errs() << "zoo-fuzz: " << (OK ? "compiled" : "rejected") << "\n" << Diagnostics;
  if (++Count % 16 == 0) {
    std::string Again;
    if (compile(Text, /*Check=*/false, Again) != OK || Again != Diagnostics)
      fail("compiling the same input twice gave different results", Diagnostics + "\n--\n" + Again);
  }
  return 0;
}
