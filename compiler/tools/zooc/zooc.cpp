//===- zooc.cpp - the Zoo compiler driver ---------------------------------===//
//
// Parses options, expands input directories into their `.zoo` files, runs load -> Sema -> passes
// -> one backend, and writes the output only when there was no error (atomically, and not at all
// with --write-if-changed when the content is the same). Exit code 0 on success, 1 on any error.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include "zoo/IR/IRPrinter.h"
#include "zoo/Passes/Pass.h"
#include "zoo/Sema/ImportLoader.h"
#include "zoo/Sema/Sema.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <chrono>

using namespace zoo;
namespace cl = llvm::cl;

namespace {
/// A count of the analysis point, written in decimal: llvm::cl's own integer parser reads `010`
/// as octal (8) and `0x10` as hexadecimal, a silently different number.
struct Decimal {
  int64_t V;
  operator int64_t() const { return V; }
};
} // namespace

template <> class llvm::cl::parser<Decimal> : public basic_parser<Decimal> {
public:
  explicit parser(Option &O) : basic_parser(O) {}
  bool parse(Option &O, StringRef, StringRef Arg, Decimal &Out) {
    if (Arg.getAsInteger(10, Out.V))
      return O.error("'" + Arg + "' is not a decimal integer that fits in 64 bits");
    return false;
  }
  StringRef getValueName() const override { return "int"; }
  void printOptionDiff(const Option &O, Decimal V, const OptionValue<Decimal> &,
                       size_t GlobalWidth) const {
    printOptionName(O, GlobalWidth);
    outs() << "= " << V.V << "\n";
  }
};

namespace {
enum class EmitKind {
  Report,
  JSON,
  CppHeader,
  IR,
  Analysis,
  Matrix,
  Validation,
  Calibration,
  Layers,
  Markdown
};

cl::OptionCategory ZoocCat("zooc options");
cl::list<std::string> Inputs(cl::Positional, cl::desc("<file or directory>..."), cl::cat(ZoocCat));
cl::opt<EmitKind> Emit(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::Report),
    cl::values(clEnumValN(EmitKind::Report, "report", "a readable report (default)"),
               clEnumValN(EmitKind::JSON, "json", "JSON with every record and metric"),
               clEnumValN(EmitKind::CppHeader, "cpp-header",
                          "a header-only C++17 registry of constexpr records"),
               clEnumValN(EmitKind::IR, "ir", "the checked IR, for debugging and tests"),
               clEnumValN(EmitKind::Analysis, "analysis",
                          "every scenario in full: roofline, memory, energy"),
               clEnumValN(EmitKind::Matrix, "matrix", "devices each model needs on each hardware"),
               clEnumValN(EmitKind::Validation, "validation",
                          "predictions against published measurements"),
               clEnumValN(EmitKind::Calibration, "calibration",
                          "runtime factors fitted on the calibration measurements"),
               clEnumValN(EmitKind::Layers, "layers",
                          "each model's layers: output shape, parameters, MACs"),
               clEnumValN(EmitKind::Markdown, "markdown", "a Model Zoo page: models by category")),
    cl::cat(ZoocCat));
cl::opt<std::string> Output("o", cl::desc("Output file ('-' for standard output)"),
                            cl::value_desc("file"), cl::init("-"), cl::cat(ZoocCat));
cl::list<std::string> IncludeDirs("I", cl::desc("Add a directory to the import search path"),
                                  cl::value_desc("dir"), cl::Prefix, cl::cat(ZoocCat));
cl::opt<std::string> StdlibDir("stdlib", cl::desc("The stdlib directory"), cl::value_desc("dir"),
                               cl::init(ZOO_STDLIB_DIR), cl::cat(ZoocCat));
cl::opt<bool> NoPrelude("no-prelude", cl::desc("Do not load the stdlib prelude implicitly"),
                        cl::cat(ZoocCat));
cl::opt<bool> WriteIfChanged("write-if-changed",
                             cl::desc("Leave the output file untouched when it would not change"),
                             cl::cat(ZoocCat));
cl::OptionCategory
    PointCat("analysis point (where reports evaluate context- and batch-dependent metrics)");
cl::opt<Decimal> Context("context", cl::desc("Context length a token sees (default 4096)"),
                         cl::value_desc("tokens"), cl::init(Decimal{4096}), cl::cat(PointCat));
cl::opt<Decimal> Prompt("prompt", cl::desc("Prompt (prefill) length (default 2048)"),
                        cl::value_desc("tokens"), cl::init(Decimal{2048}), cl::cat(PointCat));
cl::opt<Decimal> OutputLen("output", cl::desc("Generated tokens (default 256)"),
                           cl::value_desc("tokens"), cl::init(Decimal{256}), cl::cat(PointCat));
cl::opt<Decimal> Batch("batch", cl::desc("Sequences per step (default 1)"), cl::value_desc("n"),
                       cl::init(Decimal{1}), cl::cat(PointCat));
cl::opt<std::string> Weights("weights", cl::desc("Weight precision (default bf16)"),
                             cl::value_desc("precision"), cl::init("bf16"), cl::cat(PointCat));
cl::opt<std::string> KVPrecision(
    "kv", cl::desc("KV-cache and state precision (default bf16; in an analysis, the activations')"),
    cl::value_desc("precision"), cl::init("bf16"), cl::cat(PointCat));

cl::list<std::string> HardwareSel("hardware",
                                  cl::desc("Analyse each --model on this hardware (repeatable)"),
                                  cl::value_desc("name"), cl::cat(PointCat));
cl::opt<Decimal> DevicesOpt("devices", cl::desc("Devices per model, tensor parallel (default 1)"),
                            cl::value_desc("n"), cl::init(Decimal{1}), cl::cat(PointCat));
cl::opt<std::string> ComputePrec("compute",
                                 cl::desc("Compute precision (default: the activations')"),
                                 cl::value_desc("precision"), cl::cat(PointCat));
cl::opt<std::string> ActPrec("activations",
                             cl::desc("Activation precision (default: the weights' if 16 bits or "
                                      "wider, else bf16, or fp16 where the hardware has no bf16)"),
                             cl::value_desc("precision"), cl::cat(PointCat));
cl::opt<std::string> RuntimeOpt("runtime",
                                cl::desc("Runtime of --hardware analyses and of scenarios that "
                                         "name none (default: the default runtime)"),
                                cl::value_desc("name"), cl::cat(PointCat));
cl::opt<double> ComputeEff("compute-efficiency",
                           cl::desc("Achievable fraction of every device's dense peak (default: "
                                    "each device's own)"),
                           cl::cat(PointCat));
cl::opt<double> MemoryEff("memory-efficiency",
                          cl::desc("Achievable fraction of every device's memory bandwidth "
                                   "(default: each device's own)"),
                          cl::cat(PointCat));

cl::opt<bool> TimePhases("time-phases",
                         cl::desc("Print the wall time of each phase to standard error"),
                         cl::cat(ZoocCat));
cl::opt<bool> FullLL("full-ll", cl::desc("Parse with full LL prediction (no SLL first pass)"),
                     cl::Hidden, cl::cat(ZoocCat));
cl::list<std::string> Select("model", cl::desc("Emit only this model (repeatable)"),
                             cl::value_desc("name"), cl::cat(ZoocCat));

/// --time-phases: wall time since the previous mark, printed as `zooc: time: PHASE N ms`.
class PhaseTimer {
public:
  explicit PhaseTimer(bool On) : On(On), Last(std::chrono::steady_clock::now()) {}
  void mark(const char *Phase) {
    auto Now = std::chrono::steady_clock::now();
    if (On)
      llvm::errs() << llvm::format("zooc: time: %-10s %8.3f ms\n", Phase,
                                   std::chrono::duration<double, std::milli>(Now - Last).count());
    Last = Now;
  }

private:
  bool On;
  std::chrono::steady_clock::time_point Last;
};

int usageError(const llvm::Twine &Msg) {
  llvm::errs() << "zooc: error: " << Msg << "\n";
  return 1;
}

/// Files named on the command line; directories contribute every `.zoo` below them, sorted.
bool expandInputs(std::vector<std::string> &Files) {
  for (const std::string &In : Inputs) {
    if (llvm::sys::fs::is_directory(In)) {
      std::vector<std::string> Found;
      std::error_code EC;
      for (llvm::sys::fs::recursive_directory_iterator It(In, EC), End; It != End && !EC;
           It.increment(EC))
        if (llvm::sys::path::extension(It->path()) == ".zoo" &&
            llvm::sys::fs::is_regular_file(It->path()))
          Found.push_back(It->path());
      if (EC) {
        usageError("cannot read directory '" + In + "': " + EC.message());
        return false;
      }
      if (Found.empty()) {
        usageError("no .zoo files in directory '" + In + "'");
        return false;
      }
      std::sort(Found.begin(), Found.end());
      Files.insert(Files.end(), Found.begin(), Found.end());
    } else if (llvm::sys::fs::exists(In)) {
      Files.push_back(In);
    } else {
      usageError("no such file or directory: '" + In + "'");
      return false;
    }
  }
  return true;
}

/// --hardware with --model: one scenario per pair at the analysis point.
bool addAdHocScenarios(Module &M) {
  if (Select.empty()) {
    usageError("--hardware needs --model");
    return false;
  }
  const PrecisionRecord *GivenW = Weights.getNumOccurrences() ? M.findPrecision(Weights) : nullptr;
  for (auto *O : {&ComputePrec, &ActPrec, &KVPrecision})
    if (O->getNumOccurrences() && !M.findPrecision(O->getValue())) {
      usageError("unknown precision '" + O->getValue() + "' for --" + O->ArgStr);
      return false;
    }
  for (const std::string &HName : HardwareSel) {
    const HardwareRecord *H = M.findHardware(HName);
    if (!H) {
      usageError("no hardware named '" + HName + "'");
      return false;
    }
    if (!H->MissingForAnalysis.empty()) {
      usageError("hardware '" + HName + "' cannot be analysed: its class '" + H->Class +
                 "' needs " + llvm::join(H->MissingForAnalysis, " and ") + ", which it lacks");
      return false;
    }
    const Section *Dense = nullptr, *Memory = nullptr, *Link = nullptr;
    for (const Section &S : H->Sections) {
      if (S.Kind == "compute" && !Dense)
        Dense = &S;
      if (S.Kind == "memory" && !Memory)
        Memory = &S;
      if (S.Kind == "link" && !Link)
        Link = &S;
    }
    const PrecisionRecord *Act = ActPrec.empty() ? nullptr : M.findPrecision(ActPrec);
    const PrecisionRecord *C = ComputePrec.empty() ? nullptr : M.findPrecision(ComputePrec);
    const PrecisionRecord *KV =
        KVPrecision.getNumOccurrences() ? M.findPrecision(KVPrecision) : nullptr;
    const PrecisionRecord *W = GivenW;
    applyPrecisionDefaults(M, *H, W, Act, C, KV);
    if (!W) {
      usageError("unknown precision 'bf16' (the default weights)");
      return false;
    }
    if (!Dense || !Dense->field(C->Name)) {
      std::string Have;
      if (Dense)
        for (const FieldValue &F : Dense->Fields)
          if (F.Name != "source")
            Have += (Have.empty() ? "" : ", ") + F.Name;
      usageError("hardware '" + HName + "' has no dense " + C->Name + " peak (it has: " +
                 (Have.empty() ? "none" : Have) + "); choose one with --compute");
      return false;
    }
    if (!Memory) {
      usageError("hardware '" + HName + "' declares no memory tier");
      return false;
    }
    if (DevicesOpt.getValue() > 1 && !Link) {
      usageError("hardware '" + HName + "' declares no link, so --devices must be 1");
      return false;
    }
    for (const std::string &MName : Select) {
      const ModelRecord *Mod = M.findModel(MName);
      if (!Mod) {
        usageError("no model named '" + MName + "'");
        return false;
      }
      auto S = std::make_unique<ScenarioRecord>(MName + "@" + HName, llvm::SMRange());
      S->AdHoc = true;
      S->Model = Mod;
      S->Hw = H;
      S->Weights = W;
      S->KV = KV;
      S->Compute = C;
      S->Activations = Act;
      S->Batch = Batch.getValue();
      S->Prompt = Prompt.getValue();
      S->Output = OutputLen.getValue();
      S->Devices = DevicesOpt.getValue();
      M.Scenarios.push_back(std::move(S));
    }
  }
  return true;
}

bool writeOutput(llvm::StringRef Text) {
  if (Output == "-") {
    llvm::outs() << Text;
    llvm::outs().flush();
    return true;
  }
  if (WriteIfChanged) {
    auto Old = llvm::MemoryBuffer::getFile(Output);
    if (Old && (*Old)->getBuffer() == Text)
      return true;
  }
  llvm::SmallString<256> Dir(Output.getValue());
  llvm::sys::path::remove_filename(Dir);
  if (!Dir.empty())
    llvm::sys::fs::create_directories(Dir);
  std::string Tmp = Output + ".tmp";
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Tmp, EC);
    if (EC) {
      usageError("cannot write '" + Output + "': " + EC.message());
      return false;
    }
    OS << Text;
    OS.close();
    if (OS.has_error()) {
      usageError("cannot write '" + Output + "'");
      llvm::sys::fs::remove(Tmp);
      return false;
    }
  }
  if (std::error_code EC = llvm::sys::fs::rename(Tmp, Output)) {
    usageError("cannot write '" + Output + "': " + EC.message());
    llvm::sys::fs::remove(Tmp);
    return false;
  }
  return true;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions({&ZoocCat, &PointCat});
  cl::SetVersionPrinter([](llvm::raw_ostream &OS) { OS << "zooc " ZOO_VERSION "\n"; });
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "zooc: the Zoo compiler\n\n"
          "  Reads .zoo files (a directory means every .zoo file below it),\n"
          "  checks them, derives every metric, verifies every `expect`,\n"
          "  and writes one output format.\n",
          &llvm::errs()))
    return 1;
  if (Inputs.empty())
    return usageError("no input files");

  std::vector<std::string> Files;
  if (!expandInputs(Files))
    return 1;

  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM, llvm::errs());
  Module M;
  LoadOptions Opts;
  Opts.IncludeDirs = IncludeDirs;
  Opts.StdlibDir = StdlibDir;
  Opts.Prelude = !NoPrelude;
  Opts.Prediction = FullLL ? PredictionMode::LL : PredictionMode::SLLThenLL;

  // The analysis point takes the limits of scenario fields (scenarioLimit): token counts (the
  // context too) and the batch at most 2^40, devices at most 2^20, so that every product the
  // metrics and the analysis form stays in range.
  for (auto *O : {&Context, &Prompt, &OutputLen, &Batch, &DevicesOpt}) {
    int64_t V = O->getValue();
    if (V < 1)
      return usageError("--" + O->ArgStr + " must be at least 1");
    llvm::StringRef Field = O == &OutputLen ? "output" : O == &Context ? "prompt" : O->ArgStr;
    auto Limit = static_cast<int64_t>(scenarioLimit(Field));
    if (V > Limit)
      return usageError("--" + O->ArgStr + " is " + std::to_string(V) +
                        "; the analysis takes at most " + std::to_string(Limit));
  }
  M.Point = {Context.getValue(), Prompt.getValue(), OutputLen.getValue(),
             Batch.getValue(),   Weights,           KVPrecision};
  for (auto *O : {&ComputeEff, &MemoryEff})
    if (O->getNumOccurrences()) {
      if (!(*O > 0 && *O <= 1)) // NaN fails too
        return usageError("--" + O->ArgStr + " must be in (0, 1]");
      (O == &ComputeEff ? M.OverrideComputeEfficiency : M.OverrideMemoryEfficiency) = O->getValue();
    }

  PhaseTimer Timer(TimePhases);
  bool OK = loadFiles(M, Diags, Files, Opts);
  Timer.mark("load+parse");
  OK = OK && runSema(M, Diags);
  Timer.mark("sema");
  if (OK)
    for (auto *O : {&Weights, &KVPrecision}) // defaults may be absent from a custom stdlib
      if (O->getNumOccurrences() && !M.findPrecision(O->getValue()))
        return usageError("unknown precision '" + O->getValue() + "' for --" + O->ArgStr);
  M.WantMatrix = Emit == EmitKind::Matrix;
  M.WantValidation = Emit == EmitKind::Validation;
  M.WantCalibration = Emit == EmitKind::Calibration;
  if (OK && !RuntimeOpt.empty() && !(M.CommandLineRuntime = M.findRuntime(RuntimeOpt))) {
    std::vector<std::string> Names;
    for (const auto &R : M.Runtimes)
      Names.push_back(R->Name);
    std::string Best = closestMatch(RuntimeOpt, Names);
    return usageError("no runtime named '" + RuntimeOpt + "'" +
                      (Best.empty() ? "" : "; did you mean '" + Best + "'?"));
  }
  M.WantLayers = Emit == EmitKind::Layers;
  if (OK && !HardwareSel.empty() && !addAdHocScenarios(M))
    return 1;
  OK = OK && !failed(runPipeline(M, Diags));
  Timer.mark("passes");
  if (!OK || Diags.hasErrors())
    return 1;

  if (!Select.empty()) {
    llvm::StringSet<> Wanted;
    for (const std::string &S : Select) {
      if (!M.findModel(S))
        return usageError("no model named '" + S + "'");
      Wanted.insert(S);
    }
    // Unselected records stay alive (scenarios point at models); they are only not emitted.
    auto Keep = [&](auto &Records, auto &Hidden, auto Selected) {
      auto Mid = std::stable_partition(Records.begin(), Records.end(), Selected);
      std::move(Mid, Records.end(), std::back_inserter(Hidden));
      Records.erase(Mid, Records.end());
    };
    Keep(M.Models, M.HiddenModels, [&](const auto &R) { return Wanted.count(R->Name) != 0; });
    Keep(M.Scenarios, M.HiddenScenarios,
         [&](const auto &S) { return S->Model && Wanted.count(S->Model->Name) != 0; });
  }

  std::string Text;
  llvm::raw_string_ostream OS(Text);
  switch (Emit) {
  case EmitKind::Report:
    ReportEmitter(M).run(OS);
    break;
  case EmitKind::JSON:
    JSONEmitter(M).run(OS);
    break;
  case EmitKind::CppHeader:
    CppHeaderEmitter(M, std::vector<std::string>(Inputs.begin(), Inputs.end())).run(OS);
    break;
  case EmitKind::IR:
    printIR(M, SM, OS);
    break;
  case EmitKind::Analysis:
    AnalysisEmitter(M).run(OS);
    break;
  case EmitKind::Matrix:
    MatrixEmitter(M).run(OS);
    break;
  case EmitKind::Validation:
    ValidationEmitter(M).run(OS);
    break;
  case EmitKind::Calibration:
    CalibrationEmitter(M).run(OS);
    break;
  case EmitKind::Layers:
    LayersEmitter(M).run(OS);
    break;
  case EmitKind::Markdown:
    MarkdownEmitter(M).run(OS);
    break;
  }
  OS.flush();
  Timer.mark("emit");
  return writeOutput(Text) ? 0 : 1;
}
