//===- zooc.cpp - the Zoo compiler driver ---------------------------------===//
//
// Parses options, expands input directories into their `.zoo` files, runs load -> Sema -> passes
// -> one backend, and writes the output only when there was no error (atomically, and not at all
// with --write-if-changed when the content is the same). Exit code 0 on success, 1 on any error,
// including a failed write to any stream: one `zooc: error: cannot write ...` line, never an
// abort.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Deployment.h"
#include "zoo/Analysis/Machine.h"
#include "zoo/Analysis/Sweep.h"
#include "zoo/Backends/Emitters.h"
#include "zoo/IR/IRPrinter.h"
#include "zoo/Import/HFImport.h"
#include "zoo/Parse/Formatter.h"
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
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <set>
#include <unistd.h>

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
  Training,
  Serving,
  WhatIf,
  Matrix,
  Validation,
  Calibration,
  Layers,
  Markdown,
  CSV,
  HTML
};
/// --table: which table --emit=csv or --emit=json writes (None: CSV's models, JSON's report).
enum class TableKind { None, Models, Hardware, Scenarios, Layers, Matrix, Validation, Deployments };

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
               clEnumValN(EmitKind::Training, "training",
                          "every training record in full: step, memory, measurements"),
               clEnumValN(EmitKind::Serving, "serving",
                          "every serving record simulated under its workload: latency "
                          "percentiles, throughput, goodput"),
               clEnumValN(EmitKind::WhatIf, "whatif",
                          "each scenario's headline figures, and each training record's "
                          "step, with each input of its machine changed by 10%: the binding "
                          "constraint, ranked"),
               clEnumValN(EmitKind::Matrix, "matrix", "devices each model needs on each hardware"),
               clEnumValN(EmitKind::Validation, "validation",
                          "predictions against published measurements"),
               clEnumValN(EmitKind::Calibration, "calibration",
                          "runtime factors fitted on the calibration measurements"),
               clEnumValN(EmitKind::Layers, "layers",
                          "each model's layers: output shape, parameters, MACs"),
               clEnumValN(EmitKind::Markdown, "markdown",
                          "the Model Zoo in Markdown: models by category, hardware, scenarios "
                          "(-o DIR/: one page each and README.md)"),
               clEnumValN(EmitKind::CSV, "csv", "one table as CSV (--table; default: models)"),
               clEnumValN(EmitKind::HTML, "html",
                          "one self-contained HTML page with charts: rooflines, KV cache, "
                          "latency and throughput against batch, fit heatmap, training, pipelines")),
    cl::cat(ZoocCat));
cl::opt<TableKind> TableOpt(
    "table", cl::desc("The table --emit=csv writes, or --emit=json instead of the report"),
    cl::init(TableKind::None),
    cl::values(clEnumValN(TableKind::Models, "models",
                          "models and every metric at the point (CSV)"),
               clEnumValN(TableKind::Hardware, "hardware", "hardware: memory, peaks, TDP (CSV)"),
               clEnumValN(TableKind::Scenarios, "scenarios",
                          "scenarios: every figure, expected and ideal (CSV)"),
               clEnumValN(TableKind::Layers, "layers", "each model's layer tree (CSV, JSON)"),
               clEnumValN(TableKind::Matrix, "matrix",
                          "devices each model needs on each hardware (CSV, JSON)"),
               clEnumValN(TableKind::Deployments, "deployments",
                          "every deployment of the `plan = auto` serving records that meets "
                          "its targets, cheapest first, with the frontier (CSV)"),
               clEnumValN(TableKind::Validation, "validation",
                          "predictions against published measurements (CSV, JSON)")),
    cl::cat(ZoocCat));
cl::opt<unsigned> LayersDepth("layers-depth",
                              cl::desc("With --emit=layers or --table=layers: list layers to "
                                       "this depth (1: the top-level ones; default: all)"),
                              cl::value_desc("n"), cl::init(0), cl::cat(ZoocCat));
cl::opt<std::string> Output("o",
                            cl::desc("Output file ('-' for standard output); with "
                                     "--emit=markdown, a directory (existing, or ending in '/') "
                                     "gets one file per page"),
                            cl::value_desc("file"), cl::init("-"), cl::cat(ZoocCat));
cl::list<std::string> IncludeDirs("I", cl::desc("Add a directory to the import search path"),
                                  cl::value_desc("dir"), cl::Prefix, cl::cat(ZoocCat));
cl::opt<std::string> StdlibDir("stdlib",
                               cl::desc("The stdlib directory (default: $ZOO_STDLIB if set; else "
                                        "../share/zoo/stdlib beside zooc's directory, as "
                                        "installed; else the source tree's)"),
                               cl::value_desc("dir"), cl::cat(ZoocCat));
cl::opt<bool> NoPrelude("no-prelude", cl::desc("Do not load the stdlib prelude implicitly"),
                        cl::cat(ZoocCat));
cl::opt<std::string>
    CacheDirOpt("cache-dir",
                cl::desc("Where the parsed stdlib is kept between runs (default: $ZOO_CACHE_DIR if "
                         "set, empty meaning none; else $XDG_CACHE_HOME/zoo or ~/.cache/zoo)"),
                cl::value_desc("dir"), cl::cat(ZoocCat));
cl::opt<bool> NoCache("no-cache", cl::desc("Parse the stdlib; do not read or write the cache"),
                      cl::cat(ZoocCat));
cl::opt<bool> WriteIfChanged("write-if-changed",
                             cl::desc("Leave the output file untouched when it would not change"),
                             cl::cat(ZoocCat));
cl::opt<bool> FormatOpt("format",
                        cl::desc("Format the inputs in the house style instead of compiling them "
                                 "(docs/format.md): one file to the output, or with -i or --check "
                                 "any number of files and directories"),
                        cl::cat(ZoocCat));
cl::opt<bool> InPlace("i",
                      cl::desc("With --format: rewrite each file that is not formatted, in place"),
                      cl::cat(ZoocCat));
cl::alias InPlaceLong("in-place", cl::desc("Alias for -i"), cl::aliasopt(InPlace), cl::NotHidden,
                      cl::cat(ZoocCat));
cl::opt<bool> FormatCheck("check",
                          cl::desc("With --format: write nothing; name each file that is not "
                                   "formatted on standard error, and exit 1 if there is one"),
                          cl::cat(ZoocCat));
cl::opt<std::string> DepFile("depfile",
                             cl::desc("With -o FILE: also write FILE's dependencies, every file "
                                      "read (inputs, imports, stdlib), as a Makefile rule (with "
                                      "--emit=markdown -o DIR/, every page is a target)"),
                             cl::value_desc("file"), cl::cat(ZoocCat));
cl::opt<std::string> CppNamespace("cpp-namespace",
                                  cl::desc("Namespace of --emit=cpp-header (default "
                                           "zoo::registry); the include guard follows it"),
                                  cl::value_desc("a::b"), cl::init("zoo::registry"),
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
                                 cl::desc("Compute precision (default: the activations', or fp32 "
                                          "on hardware with no 16-bit float peak)"),
                                 cl::value_desc("precision"), cl::cat(PointCat));
cl::opt<std::string> ExpertWeightsPrec(
    "expert-weights",
    cl::desc("Weight precision of a language model's expert layers (default: --weights)"),
    cl::value_desc("precision"), cl::cat(PointCat));
cl::opt<std::string> ExpertComputePrec(
    "expert-compute",
    cl::desc("Compute precision of a language model's expert layers (default: --compute)"),
    cl::value_desc("precision"), cl::cat(PointCat));
cl::opt<std::string>
    EncoderPrec("encoder-precision",
                cl::desc("Weights, activations and compute of a pipeline's encoders (default: the "
                         "scenario's)"),
                cl::value_desc("precision"), cl::cat(PointCat));
cl::opt<std::string>
    DecoderPrec("decoder-precision",
                cl::desc("Weights, activations and compute of a pipeline's decoder (default: the "
                         "scenario's)"),
                cl::value_desc("precision"), cl::cat(PointCat));
cl::opt<Decimal> StepsOpt("steps",
                          cl::desc("A pipeline's denoising steps (default: the pipeline's)"),
                          cl::value_desc("n"), cl::cat(PointCat));
cl::opt<Decimal>
    DecoderBatchOpt("decoder-batch",
                    cl::desc("Images a pipeline's decoder takes at once on each device "
                             "(default: the batch)"),
                    cl::value_desc("n"), cl::cat(PointCat));
cl::opt<bool> GuidanceOpt("guidance",
                          cl::desc("A pipeline's classifier-free guidance, =true or =false "
                                   "(default: the pipeline's)"),
                          cl::cat(PointCat));
cl::opt<bool> AttentionDPOpt(
    "attention-dp",
    cl::desc("Attention data parallelism over --devices: each device runs the layers outside the "
             "experts for its own sequences and holds a share of the experts (default: tensor "
             "parallelism)"),
    cl::cat(PointCat));
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
cl::opt<bool> VisibleMemory(
    "device-memory-visible",
    cl::desc("Take each device's memory as its driver reports it (a memory tier's `visible` size, "
             "where the record gives one) instead of the datasheet's capacity; the bundled "
             "runtimes were validated with the datasheet's (docs/validation.md)"),
    cl::cat(PointCat));

cl::opt<bool> TimePhases("time-phases",
                         cl::desc("Print the wall time of each phase to standard error"),
                         cl::cat(ZoocCat));
cl::opt<bool> ServingPageEvents(
    "serving-page-events",
    cl::desc("Simulate a preempting cache's pages one event a page, not a class of sequences "
             "at a time (the same output, slower: for testing that)"),
    cl::Hidden, cl::cat(ZoocCat));
cl::opt<bool> FullLL("full-ll", cl::desc("Parse with full LL prediction (no SLL first pass)"),
                     cl::Hidden, cl::cat(ZoocCat));
enum class ListKind { None, Models, Pipelines, Hardware, Precisions, Runtimes, Scenarios };
cl::opt<ListKind>
    ListOpt("list",
            cl::desc("Print the names of one kind of record, one per line, instead of an output"),
            cl::values(clEnumValN(ListKind::Models, "models", "models"),
                       clEnumValN(ListKind::Pipelines, "pipelines", "pipelines (generators)"),
                       clEnumValN(ListKind::Hardware, "hardware", "hardware"),
                       clEnumValN(ListKind::Precisions, "precisions", "precisions"),
                       clEnumValN(ListKind::Runtimes, "runtimes", "runtimes"),
                       clEnumValN(ListKind::Scenarios, "scenarios", "declared scenarios")),
            cl::init(ListKind::None), cl::cat(ZoocCat));
cl::list<std::string> Select("model", cl::desc("Emit only this model (repeatable)"),
                             cl::value_desc("name"), cl::cat(ZoocCat));

// Sweeps (Analysis/Sweep.h): every point of a grid, instead of a backend's output.
cl::list<std::string> SweepOpt(
    "sweep",
    cl::desc("Analyse each --model on each --hardware at every point of a grid and write CSV, "
             "e.g. batch=1,2,4..256,context=1k..32k*2,weights=bf16,fp8 (repeatable; axes: batch, "
             "prompt or context, output, devices, hardware, weights, kv, runtime; values V, A..B, "
             "A..B+S, A..B*F, lists of them, k = 1024, M = 1024^2)"),
    cl::value_desc("axes"), cl::cat(PointCat));
cl::list<std::string> TrainOpt(
    "train",
    cl::desc("An ad hoc training run, as the fields of a `training` record: e.g. "
             "model=Llama3_70B,system=DGX_H100,devices=64,global_batch=128,sequence=8192,plan=auto "
             "(repeatable; writes --emit=training of these runs unless --emit says otherwise)"),
    cl::value_desc("fields"), cl::cat(PointCat));
cl::opt<std::string> PlanServing(
    "plan-serving",
    cl::desc("The devices and tensor/pipeline/expert layout a model needs on a system, e.g. "
             "model=DeepSeek_V3,system=DGX_H100,nodes=2,weights=fp8,context=8192,batch=1 "
             "(fields: model, system, nodes, weights, kv, context, batch, runtime; an "
             "encoder-decoder's source)"),
    cl::value_desc("fields"), cl::cat(PointCat));
cl::opt<bool> SearchDeployments(
    "search-deployments",
    cl::desc("Run the deployment searches of `plan = auto` serving records (they run by default "
             "under --emit=serving and --table=deployments; this adds them to other outputs, "
             "such as the JSON report)"),
    cl::cat(PointCat));
cl::opt<unsigned> ServingThreads(
    "serving-threads",
    cl::desc("Threads to simulate the serving records on, each record on one (default: one per "
             "core; the output is the same with any number)"),
    cl::value_desc("n"), cl::init(0), cl::cat(PointCat));
cl::opt<bool> SweepSummary("sweep-summary",
                           cl::desc("With --sweep: a summary per model and hardware and the rate "
                                    "of the evaluation instead of one row per point"),
                           cl::cat(PointCat));
cl::opt<unsigned> SweepThreads("sweep-threads",
                               cl::desc("With --sweep: threads to use (default: one per core)"),
                               cl::value_desc("n"), cl::init(0), cl::cat(PointCat));
cl::list<Decimal>
    CheckClosedForm("check-closed-form",
                    cl::desc("Compare the closed-form analysis with the step-by-step reference "
                             "for every language-model scenario at these output lengths"),
                    cl::value_desc("lengths"), cl::CommaSeparated, cl::Hidden, cl::cat(ZoocCat));

/// --time-phases: wall time since the previous mark, printed as `zooc: time: PHASE N ms`, then
/// what `Note` says.
class PhaseTimer {
public:
  explicit PhaseTimer(bool On) : On(On), Last(std::chrono::steady_clock::now()) {}
  void mark(const char *Phase, const std::string &Note = "") {
    auto Now = std::chrono::steady_clock::now();
    if (On)
      llvm::errs() << llvm::format("zooc: time: %-10s %8.3f ms", Phase,
                                   std::chrono::duration<double, std::milli>(Now - Last).count())
                   << (Note.empty() ? "" : " (" + Note + ")") << "\n";
    Last = Now;
  }

private:
  bool On;
  std::chrono::steady_clock::time_point Last;
};

/// The stdlib cache directory, or "" for none (see --cache-dir).
std::string cacheDirectory() {
  if (NoCache)
    return "";
  if (CacheDirOpt.getNumOccurrences())
    return CacheDirOpt;
  if (const char *Env = std::getenv("ZOO_CACHE_DIR"))
    return Env;
  llvm::SmallString<256> Dir;
  if (!llvm::sys::path::cache_directory(Dir))
    return "";
  llvm::sys::path::append(Dir, "zoo");
  return std::string(Dir);
}

/// This compiler: its version and its binary (file identity, size and modification time), so
/// that a rebuilt zooc never takes a cache written by another build. Empty when unknown.
std::string buildIdentity(const char *Argv0) {
  namespace fs = llvm::sys::fs;
  std::string Exe = fs::getMainExecutable(Argv0, reinterpret_cast<void *>(&buildIdentity));
  fs::file_status St;
  if (Exe.empty() || fs::status(Exe, St))
    return "";
  return "zooc " ZOO_VERSION " " + std::to_string(St.getUniqueID().getDevice()) + ":" +
         std::to_string(St.getUniqueID().getFile()) + " " + std::to_string(St.getSize()) + " " +
         std::to_string(St.getLastModificationTime().time_since_epoch().count());
}

/// The stdlib directory: --stdlib; else $ZOO_STDLIB; else where the install puts it relative to
/// this binary (`../share/zoo/stdlib` from `bin/`), when it holds a prelude; else the source
/// tree's (a zooc in its build tree).
std::string stdlibDirectory(const char *Argv0) {
  if (StdlibDir.getNumOccurrences())
    return StdlibDir;
  if (const char *Env = std::getenv("ZOO_STDLIB"); Env && *Env)
    return Env;
  std::string Exe =
      llvm::sys::fs::getMainExecutable(Argv0, reinterpret_cast<void *>(&stdlibDirectory));
  if (!Exe.empty()) {
    llvm::SmallString<256> Dir(llvm::sys::path::parent_path(Exe));
    llvm::sys::path::append(Dir, ZOO_STDLIB_FROM_BIN);
    llvm::sys::path::remove_dots(Dir, /*remove_dot_dot=*/true);
    llvm::SmallString<256> Prelude(Dir);
    llvm::sys::path::append(Prelude, "prelude.zoo");
    if (llvm::sys::fs::is_regular_file(Prelude))
      return std::string(Dir);
  }
  return ZOO_STDLIB_DIR;
}

/// A Makefile rule: `Targets` depend on every file of `M` (spaces, `#` and `$` escaped as make
/// and ninja read them).
void writeDepfile(llvm::raw_ostream &OS, llvm::ArrayRef<std::string> Targets, const Module &M) {
  auto Escaped = [](llvm::StringRef P) {
    std::string E;
    for (char C : P) {
      if (C == ' ' || C == '#')
        E += '\\';
      else if (C == '$')
        E += '$';
      E += C;
    }
    return E;
  };
  for (size_t I = 0; I < Targets.size(); ++I)
    OS << (I ? " " : "") << Escaped(Targets[I]);
  OS << ":";
  std::set<std::string> Seen;
  for (const auto &F : M.Files)
    if (Seen.insert(F->Path).second)
      OS << " \\\n  " << Escaped(F->Path);
  for (const std::string &F : M.DataFiles)
    if (Seen.insert(F).second)
      OS << " \\\n  " << Escaped(F);
  OS << "\n";
}

int usageError(const llvm::Twine &Msg) {
  llvm::errs() << "zooc: error: " << Msg << "\n";
  return 1;
}

/// `; did you mean 'X'?` for what `Name` may have meant among the records (closeMatches: those
/// that contain it, or the closest), and where to see them all.
template <typename Records>
std::string suggest(llvm::StringRef Name, const Records &Rs, llvm::StringRef List) {
  std::vector<std::string> Names;
  for (const auto &R : Rs)
    Names.push_back(R->Name);
  std::sort(Names.begin(), Names.end());
  std::vector<std::string> Close = closeMatches(Name, Names);
  return (Close.empty() ? std::string() : "; did you mean " + quotedList(Close, "'") + "?") +
         " (zooc --list=" + List.str() + " names them)";
}

/// The `.zoo` files below directory `Root`, sorted. The walk ends on any tree and never leaves
/// `Root`: each directory and file is visited once (by device and inode), so a link back to `.` or
/// `..` adds nothing, and a symbolic link is followed only when its target lies inside `Root`.
/// The tree itself is walked first and links after, so a file is named by its own path when it has
/// one. A link that leads outside is skipped; a `.zoo` link that leads nowhere, or a directory that
/// cannot be read, is an error.
bool walkDirectory(const std::string &Root, std::vector<std::string> &Files) {
  namespace fs = llvm::sys::fs;
  llvm::SmallString<256> RootReal;
  fs::file_status St;
  if (std::error_code EC = fs::real_path(Root, RootReal); EC || (EC = fs::status(Root, St))) {
    usageError("cannot read directory '" + Root + "': " + EC.message());
    return false;
  }
  auto Inside = [&](llvm::StringRef Real) {
    return Real == RootReal || (Real.startswith(RootReal) && Real.size() > RootReal.size() &&
                                llvm::sys::path::is_separator(Real[RootReal.size()]));
  };
  std::set<fs::UniqueID> Seen{St.getUniqueID()};
  std::vector<std::string> Found, Work{Root}, Links;
  size_t NextLink = 0;
  // Adds `Path` of type `T` (not a link): a directory to walk, or a `.zoo` file.
  auto Add = [&](const std::string &Path, const fs::file_status &S) {
    if (!Seen.insert(S.getUniqueID()).second)
      return;
    if (S.type() == fs::file_type::directory_file)
      Work.push_back(Path);
    else
      Found.push_back(Path); // when not a regular file, the loader says so
  };
  while (!Work.empty() || NextLink < Links.size()) {
    if (Work.empty()) {
      const std::string &Link = Links[NextLink++];
      llvm::SmallString<256> Real;
      if (std::error_code EC = fs::real_path(Link, Real); EC || fs::status(Link, St)) {
        if (llvm::sys::path::extension(Link) != ".zoo")
          continue; // a dangling link that would not have been an input
        usageError("cannot read '" + Link + "': " + (EC ? EC.message() : "broken link"));
        return false;
      }
      if (Inside(Real) && (St.type() == fs::file_type::directory_file ||
                           llvm::sys::path::extension(Link) == ".zoo"))
        Add(Link, St);
      continue;
    }
    std::string Dir = std::move(Work.back());
    Work.pop_back();
    std::vector<std::string> Entries;
    std::error_code EC;
    for (fs::directory_iterator It(Dir, EC, /*follow_symlinks=*/false), End; It != End && !EC;
         It.increment(EC))
      Entries.push_back(It->path());
    if (EC) {
      usageError("cannot read directory '" + Dir + "': " + EC.message());
      return false;
    }
    // Sorted and pushed in reverse, so the walk (and the choice between two names of one file)
    // does not depend on the order of the file system.
    std::sort(Entries.begin(), Entries.end(), std::greater<>());
    size_t FirstLink = Links.size();
    for (const std::string &Path : Entries) {
      if (std::error_code EC = fs::status(Path, St, /*follow=*/false)) {
        usageError("cannot read '" + Path + "': " + EC.message());
        return false;
      }
      if (St.type() == fs::file_type::symlink_file)
        Links.push_back(Path);
      else if (St.type() == fs::file_type::directory_file ||
               llvm::sys::path::extension(Path) == ".zoo")
        Add(Path, St);
    }
    std::reverse(Links.begin() + FirstLink, Links.end());
  }
  if (Found.empty()) {
    usageError("no .zoo files in directory '" + Root + "'");
    return false;
  }
  std::sort(Found.begin(), Found.end());
  Files.insert(Files.end(), Found.begin(), Found.end());
  return true;
}

/// Files named on the command line; directories contribute every `.zoo` below them, sorted.
bool expandInputs(std::vector<std::string> &Files) {
  for (const std::string &In : Inputs) {
    if (llvm::sys::fs::is_directory(In)) {
      if (!walkDirectory(In, Files))
        return false;
    } else if (llvm::sys::fs::exists(In)) {
      Files.push_back(In);
    } else {
      usageError("no such file or directory: '" + In + "'");
      return false;
    }
  }
  return true;
}

TableEmitter::Table tableOf(TableKind K) {
  switch (K) {
  case TableKind::None:
  case TableKind::Models:
    return TableEmitter::Table::Models;
  case TableKind::Hardware:
    return TableEmitter::Table::Hardware;
  case TableKind::Scenarios:
    return TableEmitter::Table::Scenarios;
  case TableKind::Layers:
    return TableEmitter::Table::Layers;
  case TableKind::Matrix:
    return TableEmitter::Table::Matrix;
  case TableKind::Deployments:
    return TableEmitter::Table::Deployments;
  case TableKind::Validation:
    return TableEmitter::Table::Validation;
  }
  return TableEmitter::Table::Models;
}

/// --table and --layers-depth go with the outputs that use them; false after the error.
bool checkTableOptions() {
  if (TableOpt != TableKind::None) {
    const std::string T = TableEmitter::name(tableOf(TableOpt)).str();
    if (Emit != EmitKind::CSV && Emit != EmitKind::JSON) {
      usageError("--table needs --emit=csv or --emit=json");
      return false;
    }
    if (Emit == EmitKind::JSON &&
        (TableOpt == TableKind::Models || TableOpt == TableKind::Hardware ||
         TableOpt == TableKind::Scenarios || TableOpt == TableKind::Deployments)) {
      usageError("--table=" + T +
                 " is CSV only: the JSON report (--emit=json without --table) holds the " + T +
                 (TableOpt == TableKind::Deployments ? " with --search-deployments" : ""));
      return false;
    }
  }
  if (LayersDepth.getNumOccurrences()) {
    if (Emit != EmitKind::Layers && TableOpt != TableKind::Layers) {
      usageError("--layers-depth needs --emit=layers or --table=layers");
      return false;
    }
    if (LayersDepth < 1) {
      usageError("--layers-depth must be at least 1 (the top-level layers)");
      return false;
    }
  }
  return true;
}

/// The axes of --sweep, parsed before the scenarios are made (parseSweep).
SweepAxes TheSweep;

/// The precisions the command line names for analyses (--compute, --activations, --kv) exist;
/// else a usage error.
bool checkAnalysisPrecisions(const Module &M) {
  for (auto *O : {&ComputePrec, &ActPrec, &KVPrecision, &ExpertWeightsPrec, &ExpertComputePrec,
                  &EncoderPrec, &DecoderPrec})
    if (O->getNumOccurrences() && !M.findPrecision(O->getValue())) {
      usageError("unknown precision '" + O->getValue() + "' for --" + O->ArgStr +
                 suggest(O->getValue(), M.Precisions, "precisions"));
      return false;
    }
  return true;
}

/// What an ad hoc scenario varies beyond the command line's other options: the device count,
/// the weight and KV precisions (null: the default) and the runtime (null: --runtime or the
/// default); which of them a --sweep varies (the scenario's name then says its value).
struct AdHocChoice {
  int64_t Devices = 1;
  const PrecisionRecord *Weights = nullptr, *KV = nullptr;
  const RuntimeRecord *Runtime = nullptr;
  bool SweptDevices = false, SweptWeights = false, SweptKV = false;
};

/// The command line's choice: --devices, --weights, --kv.
AdHocChoice commandLineChoice(const Module &M) {
  AdHocChoice C;
  C.Devices = DevicesOpt.getValue();
  C.Weights = Weights.getNumOccurrences() ? M.findPrecision(Weights) : nullptr;
  C.KV = KVPrecision.getNumOccurrences() ? M.findPrecision(KVPrecision) : nullptr;
  return C;
}

/// The scenario of model `Mod` (or pipeline `Pl`, whose denoiser `Mod` is) on hardware `H` at
/// the analysis point with choice `X` and the command line's other options; `Mod` may be null (a
/// template for every model). Null, with the reason in `Why`, where `H` cannot be analysed so.
std::unique_ptr<ScenarioRecord> adHocScenario(const Module &M, const HardwareRecord &H,
                                              const ModelRecord *Mod, const AdHocChoice &X,
                                              std::string &Why,
                                              const PipelineRecord *Pl = nullptr) {
  const std::string &HName = H.Name;
  if (!H.MissingForAnalysis.empty()) {
    Why = "hardware '" + HName + "' cannot be analysed: its class '" + H.Class + "' needs " +
          llvm::join(H.MissingForAnalysis, " and ") + ", which it lacks";
    return nullptr;
  }
  const Section *Dense = nullptr, *Memory = nullptr, *Link = nullptr;
  for (const Section &S : H.Sections) {
    if (S.Kind == "compute" && !Dense)
      Dense = &S;
    if (S.Kind == "memory" && !Memory)
      Memory = &S;
    if (S.Kind == "link" && !Link)
      Link = &S;
  }
  const PrecisionRecord *Act = ActPrec.empty() ? nullptr : M.findPrecision(ActPrec);
  const PrecisionRecord *C = ComputePrec.empty() ? nullptr : M.findPrecision(ComputePrec);
  const PrecisionRecord *KV = X.KV, *W = X.Weights;
  applyPrecisionDefaults(M, H, W, Act, C, KV);
  if (!W) {
    Why = "unknown precision 'bf16' (the default weights)";
    return nullptr;
  }
  const PrecisionRecord *EW =
      ExpertWeightsPrec.empty() ? nullptr : M.findPrecision(ExpertWeightsPrec);
  const PrecisionRecord *EC =
      ExpertComputePrec.empty() ? nullptr : M.findPrecision(ExpertComputePrec);
  const PrecisionRecord *EP = EncoderPrec.empty() ? nullptr : M.findPrecision(EncoderPrec);
  const PrecisionRecord *DP = DecoderPrec.empty() ? nullptr : M.findPrecision(DecoderPrec);
  // Steps, guidance and a decoder batch are a pipeline's.
  for (const cl::Option *O :
       {static_cast<const cl::Option *>(&StepsOpt), static_cast<const cl::Option *>(&GuidanceOpt),
        static_cast<const cl::Option *>(&DecoderBatchOpt)})
    if (O->getNumOccurrences() && Mod && !Pl) {
      Why = "--" + O->ArgStr.str() + " needs a pipeline: '" + Mod->Name + "' is a model";
      return nullptr;
    }
  if (DecoderBatchOpt.getNumOccurrences() && Pl && !Pl->Decoder) {
    Why = "--decoder-batch needs a pipeline with a decoder: pipeline '" + Pl->Name + "' has none";
    return nullptr;
  }
  // (A sweep's batches may be smaller than the decoder batch: each then decodes whole.)
  if (DecoderBatchOpt.getNumOccurrences() && SweepOpt.empty() &&
      DecoderBatchOpt.getValue() > Batch.getValue()) {
    Why = "--decoder-batch is " + std::to_string(DecoderBatchOpt.getValue()) +
          ", more than the batch of " + std::to_string(Batch.getValue());
    return nullptr;
  }
  // A part's own precision needs a pipeline with that part.
  for (auto [P, Option, Has] : {std::tuple{EP, "--encoder-precision", Pl && !Pl->Encoders.empty()},
                                std::tuple{DP, "--decoder-precision", Pl && Pl->Decoder}}) {
    if (!P || Has || !Mod)
      continue;
    Why = std::string(Option) + " needs a pipeline with " + (P == EP ? "an encoder" : "a decoder") +
          ": " +
          (Pl ? "pipeline '" + Pl->Name + "' has none"
              : "'" + Mod->Name + "' is a model, not a pipeline");
    return nullptr;
  }
  // The compute precision and the experts', the encoders' and the decoder's own must each have a
  // dense peak.
  for (auto [P, Option] :
       {std::pair{C, "--compute"}, std::pair{EC, "--expert-compute"},
        std::pair{EP, "--encoder-precision"}, std::pair{DP, "--decoder-precision"}}) {
    if (!P || (Dense && Dense->field(P->Name)))
      continue;
    std::string Have;
    if (Dense)
      for (const FieldValue &F : Dense->Fields)
        if (F.Name != "source")
          Have += (Have.empty() ? "" : ", ") + F.Name;
    Why = "hardware '" + HName + "' has no dense " + P->Name +
          " peak (it has: " + (Have.empty() ? "none" : Have) + "); choose one with " + Option;
    return nullptr;
  }
  if (AttentionDPOpt && X.Devices < 2) {
    Why = "--attention-dp needs more than one device (--devices)";
    return nullptr;
  }
  if (!Memory) {
    Why = "hardware '" + HName + "' declares no memory tier";
    return nullptr;
  }
  if (X.Devices > 1 && !Link) {
    Why = "hardware '" + HName + "' declares no link, so " +
          (X.SweptDevices ? "every value of axis 'devices'" : "--devices") + " must be 1";
    return nullptr;
  }
  // The name says which value of each swept scenario axis it has.
  std::string Name = (Pl ? Pl->Name : Mod ? Mod->Name : std::string()) + "@" + HName;
  if (X.SweptDevices)
    Name += "/devices=" + std::to_string(X.Devices);
  if (X.SweptWeights)
    Name += "/weights=" + W->Name;
  if (X.SweptKV)
    Name += "/kv=" + KV->Name;
  if (X.Runtime)
    Name += "/runtime=" + X.Runtime->Name;
  auto S = std::make_unique<ScenarioRecord>(Name, llvm::SMRange());
  S->AdHoc = true;
  S->Model = Mod;
  S->Pipeline = Pl;
  S->EncoderPrecision = Pl ? EP : nullptr;
  S->DecoderPrecision = Pl ? DP : nullptr;
  if (Pl && StepsOpt.getNumOccurrences())
    S->Steps = StepsOpt.getValue();
  if (Pl && GuidanceOpt.getNumOccurrences())
    S->Guidance = GuidanceOpt.getValue();
  if (Pl && DecoderBatchOpt.getNumOccurrences())
    S->DecoderBatch = DecoderBatchOpt.getValue();
  S->Hw = &H;
  S->Weights = W;
  S->KV = KV;
  S->Compute = C;
  S->ExpertWeights = EW;
  S->ExpertCompute = EC;
  S->AttentionDP = AttentionDPOpt;
  S->Activations = Act;
  S->Runtime = X.Runtime;
  S->Batch = Batch.getValue();
  S->Prompt = Prompt.getValue();
  S->Output = OutputLen.getValue();
  S->Devices = X.Devices;
  S->ComputeGiven = C && !ComputePrec.empty();
  // A runtime that counts its cost an operation in cycles needs the clock they run at.
  if (const RuntimeRecord *R = runtimeOf(M, *S); R && R->cyclesUnpriced(H)) {
    Why = fmt::format("runtime '{}' counts {:g} cycles an operation (op_cycles), and hardware '{}' "
                      "records no clock to count them on",
                      R->Name, R->OpCycles, HName);
    return nullptr;
  }
  return S;
}

/// Makes a scenario for each --model on each --hardware at the analysis point, and, under a
/// --sweep, for each value of its scenario axes (devices, weights, kv, runtime; hardware instead
/// of --hardware).
bool addAdHocScenarios(Module &M) {
  if (Select.empty()) {
    usageError(std::string(HardwareSel.empty() ? "--sweep" : "--hardware") + " needs --model");
    return false;
  }
  if (!checkAnalysisPrecisions(M))
    return false;
  // Each scenario axis: the sweep's values, else the option's one (null: the default).
  const std::vector<std::string> &HardwareNames =
      TheSweep.Hardware.empty() ? static_cast<const std::vector<std::string> &>(HardwareSel)
                                : TheSweep.Hardware;
  const AdHocChoice Given = commandLineChoice(M);
  auto Precisions = [&](const std::vector<std::string> &Swept, const cl::Option &O,
                        const PrecisionRecord *Option, std::vector<const PrecisionRecord *> &Out) {
    Out.clear();
    if (Swept.empty()) {
      Out.push_back(Option);
      return true;
    }
    for (const std::string &N : Swept) {
      const PrecisionRecord *P = M.findPrecision(N);
      if (!P) {
        usageError("--sweep: unknown precision '" + N + "' in axis '" + O.ArgStr.str() + "'" +
                   suggest(N, M.Precisions, "precisions"));
        return false;
      }
      Out.push_back(P);
    }
    return true;
  };
  std::vector<const PrecisionRecord *> WeightsAxis, KVAxis;
  if (!Precisions(TheSweep.Weights, Weights, Given.Weights, WeightsAxis) ||
      !Precisions(TheSweep.KV, KVPrecision, Given.KV, KVAxis))
    return false;
  std::vector<const RuntimeRecord *> RuntimeAxis;
  for (const std::string &N : TheSweep.Runtime) {
    const RuntimeRecord *R = M.findRuntime(N);
    if (!R) {
      usageError("--sweep: no runtime named '" + N + "'" + suggest(N, M.Runtimes, "runtimes"));
      return false;
    }
    RuntimeAxis.push_back(R);
  }
  if (RuntimeAxis.empty())
    RuntimeAxis.push_back(nullptr); // --runtime, or the default
  std::vector<int64_t> DevicesAxis = TheSweep.Devices;
  if (DevicesAxis.empty())
    DevicesAxis.push_back(Given.Devices);
  const std::string Where = TheSweep.Hardware.empty() ? "" : "--sweep: ";

  for (const std::string &HName : HardwareNames) {
    const HardwareRecord *H = M.findHardware(HName);
    if (!H) {
      usageError(Where + "no hardware named '" + HName + "'" +
                 suggest(HName, M.Hardware, "hardware"));
      return false;
    }
    for (const std::string &MName : Select) {
      const ModelRecord *Mod = M.findModel(MName);
      const PipelineRecord *Pl = Mod ? nullptr : M.findPipeline(MName);
      if (Pl)
        Mod = Pl->Denoiser;
      if (!Mod || !Mod->Root) {
        usageError("no model named '" + MName + "'");
        return false;
      }
      for (int64_t D : DevicesAxis)
        for (const PrecisionRecord *W : WeightsAxis)
          for (const PrecisionRecord *KV : KVAxis)
            for (const RuntimeRecord *R : RuntimeAxis) {
              AdHocChoice X;
              X.Devices = D;
              X.Weights = W;
              X.KV = KV;
              X.Runtime = R;
              X.SweptDevices = !TheSweep.Devices.empty();
              X.SweptWeights = !TheSweep.Weights.empty();
              X.SweptKV = !TheSweep.KV.empty();
              std::string Why;
              std::unique_ptr<ScenarioRecord> S = adHocScenario(M, *H, Mod, X, Why, Pl);
              if (!S) {
                usageError(Where + Why);
                return false;
              }
              M.Scenarios.push_back(std::move(S));
            }
    }
  }
  return true;
}

/// Parses every --sweep into TheSweep, before the scenarios are made; false after the error.
bool parseSweep() {
  if (SweepOpt.empty())
    return true;
  const LMPoint Defaults{Batch.getValue(), Prompt.getValue(), OutputLen.getValue()};
  const LMPoint Limits{static_cast<int64_t>(scenarioLimit("batch")),
                       static_cast<int64_t>(scenarioLimit("prompt")),
                       static_cast<int64_t>(scenarioLimit("output"))};
  std::vector<std::string> Texts(SweepOpt.begin(), SweepOpt.end());
  if (std::string Error = parseSweepAxes(Texts, Defaults, Limits,
                                         static_cast<int64_t>(scenarioLimit("devices")), TheSweep);
      !Error.empty()) {
    usageError("--sweep: " + Error);
    return false;
  }
  // A swept axis replaces its option: both is a mistake.
  struct {
    bool Swept;
    const cl::Option &O;
  } Both[] = {{!TheSweep.Hardware.empty(), HardwareSel},
              {!TheSweep.Devices.empty(), DevicesOpt},
              {!TheSweep.Weights.empty(), Weights},
              {!TheSweep.KV.empty(), KVPrecision},
              {!TheSweep.Runtime.empty(), RuntimeOpt}};
  for (const auto &B : Both)
    if (B.Swept && B.O.getNumOccurrences()) {
      usageError("--sweep: axis '" + B.O.ArgStr.str() + "' and --" + B.O.ArgStr.str() +
                 " both given; the axis replaces the option");
      return false;
    }
  if (HardwareSel.empty() && TheSweep.Hardware.empty()) {
    usageError("--sweep needs --model and --hardware (or a hardware axis)");
    return false;
  }
  // Counted before the scenarios are made: each is analysed in full by the passes.
  const double Scenarios = static_cast<double>(Select.size()) *
                           static_cast<double>(TheSweep.scenariosPerModel(HardwareSel.size()));
  if (Scenarios > MaxSweepScenarios) {
    usageError("--sweep: " + fmt::format("{:.0f}", Scenarios) +
               " scenarios (models x the values of the scenario axes); at most " +
               std::to_string(MaxSweepScenarios));
    return false;
  }
  const double Points = Scenarios * static_cast<double>(TheSweep.Grid.points());
  if (Points > MaxSweepPoints) {
    usageError("--sweep: " + fmt::format("{:.0f}", Points) + " points; at most " +
               std::to_string(MaxSweepPoints));
    return false;
  }
  return true;
}

/// --emit=html: the data of every chart for the shown models and hardware. `Templates` keeps
/// the scenarios the data was computed from alive.
PlotData htmlPlots(const Module &M, std::vector<std::unique_ptr<ScenarioRecord>> &Templates) {
  PlotRequest Req;
  for (const auto &R : M.Models)
    Req.Models.push_back(R.get());
  for (const auto &P : M.Pipelines)
    Req.Pipelines.push_back(P.get());
  for (const auto &H : M.Hardware) {
    DeviceSetup Setup;
    Setup.Hw = H.get();
    std::unique_ptr<ScenarioRecord> T =
        adHocScenario(M, *H, nullptr, commandLineChoice(M), Setup.Unavailable);
    if (T) {
      Setup.Template = T.get();
      Templates.push_back(std::move(T));
    } else {
      // The reason without the hardware's name, which the page gives beside it.
      llvm::StringRef Why = Setup.Unavailable;
      std::string Prefix = "hardware '" + H->Name + "' ";
      if (Why.consume_front(Prefix))
        Why.consume_front("cannot be analysed: ");
      Setup.Unavailable = Why.str();
    }
    Req.Devices.push_back(std::move(Setup));
  }
  Req.Point = {Batch.getValue(), Prompt.getValue(), OutputLen.getValue()};
  Req.Context = Context.getValue();
  Req.KV = M.findPrecision(M.Point.KV);
  return buildPlotData(M, Req);
}

/// Reports a failed write of `What`: one error line.
bool writeFailed(const llvm::Twine &What, std::error_code EC) {
  usageError("cannot write " + What + ": " + EC.message());
  return false;
}

/// Checks a stream after its last write; false (after the error line) when any write failed. The
/// error is cleared, so that the stream's destructor does not abort.
bool checkStream(llvm::raw_fd_ostream &OS, const llvm::Twine &What) {
  OS.flush();
  if (!OS.has_error())
    return true;
  std::error_code EC = OS.error();
  OS.clear_error();
  return writeFailed(What, EC);
}

/// Follows symbolic links from `Path`, which names no existing file, to the file they would
/// create: a dangling link names a file to create. Gives up after as many links as the kernel
/// follows.
std::error_code resolveDanglingLinks(std::string &Path) {
  for (int Links = 0;; ++Links) {
    llvm::sys::fs::file_status St;
    if (std::error_code EC = llvm::sys::fs::status(Path, St, /*follow=*/false))
      return EC == std::errc::no_such_file_or_directory ? std::error_code() : EC;
    if (St.type() != llvm::sys::fs::file_type::symlink_file)
      return std::make_error_code(std::errc::file_exists); // it appeared meanwhile
    if (Links == 40)                                       // as many as the kernel follows
      return std::make_error_code(std::errc::too_many_symbolic_link_levels);
    char Buf[PATH_MAX];
    ssize_t N = ::readlink(Path.c_str(), Buf, sizeof Buf);
    if (N < 0)
      return std::error_code(errno, std::generic_category());
    if (static_cast<size_t>(N) == sizeof Buf)
      return std::make_error_code(std::errc::filename_too_long);
    llvm::StringRef Link(Buf, N);
    llvm::SmallString<256> Target;
    if (llvm::sys::path::is_relative(Link))
      Target = llvm::sys::path::parent_path(Path);
    llvm::sys::path::append(Target, Link);
    Path = std::string(Target);
  }
}

/// Writes what a backend emits, straight to its destination through a buffer.
using EmitFn = llvm::function_ref<void(llvm::raw_ostream &)>;

/// The size of the output buffer: output reaches its destination in blocks of this size, so
/// memory does not grow with the output.
constexpr size_t OutputBufferSize = 64 * 1024;

/// Writes the output to `Path` (`-o FILE`, or the --depfile), through symbolic links (the file a
/// link names gets the text; the link stays). An existing regular file, or a new one, is replaced
/// atomically: the text goes to a temporary created exclusively in the same directory (no existing
/// file of any name is followed or overwritten), renamed over the file only once complete, and
/// removed on any failure or signal; the file's permissions are kept. Another existing file (a
/// device, a FIFO, /dev/stdout) is opened and written in place, never replaced; a directory is an
/// error. `Whole`, given with --write-if-changed, is the whole output: an existing regular file
/// that holds exactly that is left alone.
bool writeFile(EmitFn Write, const std::string *Whole, const std::string &Path) {
  namespace fs = llvm::sys::fs;
  const std::string Name = "'" + Path + "'";
  fs::file_status St;
  std::error_code EC = fs::status(Path, St); // through links
  bool Exists = !EC;
  std::string Target = Path;
  if (!Exists) {
    if (EC != std::errc::no_such_file_or_directory || (EC = resolveDanglingLinks(Target)))
      return writeFailed(Name, EC);
  } else if (St.type() == fs::file_type::directory_file) {
    return writeFailed(Name, std::make_error_code(std::errc::is_a_directory));
  } else if (St.type() != fs::file_type::regular_file) {
    int FD;
    if ((EC = fs::openFileForWrite(Path, FD, fs::CD_OpenExisting)))
      return writeFailed(Name, EC);
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS.SetBufferSize(OutputBufferSize);
    Write(OS);
    OS.close();
    return checkStream(OS, Name);
  } else {
    llvm::SmallString<256> Real;
    if ((EC = fs::real_path(Path, Real)))
      return writeFailed(Name, EC);
    Target = std::string(Real);
    if (Whole && St.getSize() == Whole->size()) {
      auto Old = llvm::MemoryBuffer::getFile(Target, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
      if (Old && (*Old)->getBuffer() == *Whole)
        return true;
    }
  }

  llvm::SmallString<256> Tmp(Target);
  llvm::sys::path::remove_filename(Tmp);
  if (!Tmp.empty() && (EC = fs::create_directories(Tmp)))
    return writeFailed(Name, EC);
  llvm::sys::path::append(Tmp, ".zooc-%%%%%%%%%%%%.tmp");
  int FD;
  if ((EC = fs::createUniqueFile(Tmp, FD, Tmp)))
    return writeFailed(Name, EC);
  llvm::sys::RemoveFileOnSignal(Tmp);
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    if (Exists)
      EC = fs::setPermissions(FD, St.permissions() & fs::all_perms);
    if (!EC) {
      OS.SetBufferSize(OutputBufferSize);
      Write(OS);
      OS.close();
    }
    if (OS.has_error()) {
      if (!EC)
        EC = OS.error();
      OS.clear_error();
    }
  }
  if (!EC)
    EC = fs::rename(Tmp, Target);
  if (EC)
    fs::remove(Tmp);
  llvm::sys::DontRemoveFileOnSignal(Tmp);
  return EC ? writeFailed(Name, EC) : true;
}

/// Runs `Write` into the output: standard output, or the -o file. Only --write-if-changed keeps
/// the whole text in memory (it compares it with the file before writing anything).
bool writeOutput(EmitFn Write) {
  if (Output == "-") {
    llvm::outs().SetBufferSize(OutputBufferSize);
    Write(llvm::outs());
    return checkStream(llvm::outs(), "standard output");
  }
  if (!WriteIfChanged)
    return writeFile(Write, nullptr, Output);
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  Write(OS);
  OS.flush();
  return writeFile([&](llvm::raw_ostream &Out) { Out << Text; }, &Text, Output);
}

/// Whether -o names a directory: an existing one (through links), or a path that ends in a
/// separator.
bool outputIsDirectory() {
  if (Output == "-")
    return false;
  llvm::StringRef O(Output);
  return (!O.empty() && llvm::sys::path::is_separator(O.back())) ||
         llvm::sys::fs::is_directory(Output);
}

/// `--emit=markdown -o DIR/`: writes every page into `Dir` (created when missing), all or none.
/// Each page's text goes first to a temporary created exclusively in `Dir`; only once every page
/// is complete are they renamed over the pages, so a failure leaves no page half-written and
/// replaces none (and removes every temporary). A page that exists and is not a regular file (a
/// symbolic link, a device, a FIFO, a directory) is an error: a page is never written through a
/// link or into a device. An existing page keeps its permissions; with --write-if-changed, a page
/// that already holds its text is left untouched. `Written` receives every page's path.
bool writePages(llvm::ArrayRef<MarkdownEmitter::Page> Pages, const std::string &Dir,
                std::vector<std::string> &Written) {
  namespace fs = llvm::sys::fs;
  if (std::error_code EC = fs::create_directories(Dir))
    return writeFailed("'" + Dir + "'", EC);
  struct Staged {
    std::string Path;
    llvm::SmallString<256> Tmp;
  };
  std::vector<Staged> Done;
  // Removes every temporary left; then the error line.
  auto Abandon = [&](const llvm::Twine &Message) {
    for (Staged &S : Done) {
      fs::remove(S.Tmp);
      llvm::sys::DontRemoveFileOnSignal(S.Tmp);
    }
    usageError(Message);
    return false;
  };
  for (const MarkdownEmitter::Page &P : Pages) {
    llvm::SmallString<256> Path(Dir);
    llvm::sys::path::append(Path, P.FileName);
    const std::string Name = "'" + std::string(Path) + "'";
    Written.push_back(std::string(Path));
    fs::file_status St;
    std::error_code EC = fs::status(Path, St, /*follow=*/false);
    bool Exists = !EC;
    if (EC && EC != std::errc::no_such_file_or_directory)
      return Abandon("cannot write " + Name + ": " + EC.message());
    if (Exists && St.type() != fs::file_type::regular_file)
      return Abandon("cannot write " + Name +
                     ": it exists and is not a regular file (a page is written only as a "
                     "regular file, never through a link or into a device)");
    std::string Text;
    llvm::raw_string_ostream TextOS(Text);
    P.Write(TextOS);
    TextOS.flush();
    if (WriteIfChanged && Exists && St.getSize() == Text.size()) {
      auto Old = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
      if (Old && (*Old)->getBuffer() == Text)
        continue;
    }
    Staged S{std::string(Path), llvm::SmallString<256>(llvm::StringRef(Dir))};
    llvm::sys::path::append(S.Tmp, ".zooc-%%%%%%%%%%%%.tmp");
    int FD;
    if ((EC = fs::createUniqueFile(S.Tmp, FD, S.Tmp)))
      return Abandon("cannot write " + Name + ": " + EC.message());
    llvm::sys::RemoveFileOnSignal(S.Tmp);
    Done.push_back(S);
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    if (Exists)
      EC = fs::setPermissions(FD, St.permissions() & fs::all_perms);
    if (!EC) {
      OS << Text;
      OS.close();
    }
    if (OS.has_error()) {
      if (!EC)
        EC = OS.error();
      OS.clear_error();
    }
    if (EC)
      return Abandon("cannot write " + Name + ": " + EC.message());
  }
  for (size_t I = 0; I < Done.size(); ++I) {
    if (std::error_code EC = fs::rename(Done[I].Tmp, Done[I].Path)) {
      Done.erase(Done.begin(), Done.begin() + static_cast<std::ptrdiff_t>(I));
      return Abandon("cannot write '" + Done.front().Path + "': " + EC.message());
    }
    llvm::sys::DontRemoveFileOnSignal(Done[I].Tmp);
  }
  return true;
}

/// A standard descriptor that is closed at start (`>&-`) is given /dev/null opened read-only: no
/// file opened later can take its number (and receive output or diagnostics meant for it), and
/// writes to it still fail, as on a closed descriptor, with "Bad file descriptor".
void reserveStandardDescriptors() {
  for (int FD = 0; FD <= 2; ++FD)
    if (::fcntl(FD, F_GETFD) == -1 && errno == EBADF) {
      int New = ::open("/dev/null", O_RDONLY);
      if (New >= 0 && New != FD) { // cannot happen: the lowest free number is FD
        ::dup2(New, FD);
        ::close(New);
      }
    }
}

/// The last check of the standard streams, also on exit() from option parsing (--help): a failed
/// write is one error line (when standard error can take it) and exit code 1, never the abort
/// that raw_fd_ostream's destructor reserves for an error nobody looked at.
int finishStandardStreams(int RC) {
  if (!checkStream(llvm::outs(), "standard output"))
    RC = 1;
  if (llvm::errs().has_error()) {
    llvm::errs().clear_error();
    RC = 1;
  }
  return RC;
}
} // namespace

/// --sweep and --check-closed-form, after the pipeline and instead of a backend: the exit code,
/// or -1 when neither is given.
static int runAnalysisTools(const Module &M) {
  if (!CheckClosedForm.empty()) {
    if (!SweepOpt.empty())
      return usageError("--check-closed-form and --sweep do not go together");
    std::vector<int64_t> Outputs;
    for (int64_t G : CheckClosedForm) {
      if (G < 1 || G > MaxCheckedOutput)
        return usageError("--check-closed-form: output " + std::to_string(G) +
                          " is out of range (1 to " + std::to_string(MaxCheckedOutput) + ")");
      Outputs.push_back(G);
    }
    uint64_t Differ = 0;
    if (!writeOutput([&](llvm::raw_ostream &OS) { Differ = checkClosedForm(M, Outputs, OS); }))
      return 1;
    return Differ ? 1 : 0;
  }
  if (SweepOpt.empty()) {
    if (SweepSummary || SweepThreads.getNumOccurrences())
      return usageError("--sweep-summary and --sweep-threads need --sweep");
    return -1;
  }
  if (Emit.getNumOccurrences())
    return usageError("--sweep writes CSV (with --sweep-summary, a summary): it takes no --emit");
  if (SweepThreads > 256)
    return usageError("--sweep-threads is " + std::to_string(SweepThreads) + "; at most 256");
  SweepOptions O;
  O.Threads = SweepThreads;
  O.Summary = SweepSummary;
  if (Output == "-")
    O.Failed = [] { return llvm::outs().has_error(); };
  const SweepSpec &Spec = TheSweep.Grid;
  std::vector<const ScenarioRecord *> Scenarios;
  const ScenarioRecord *Input = nullptr, *Tokens = nullptr; // one of each kind, for the errors
  for (const auto &S : M.Scenarios)
    if (S->AdHoc) {
      (S->Model->Stats.PerInput ? Input : Tokens) = S.get();
      Scenarios.push_back(S.get());
    }
  // Models with an input (vision, pipelines) sweep their batch alone, in a CSV of their own.
  if (Input) {
    if (Tokens)
      return usageError("--sweep: model '" + Input->modelName() + "' takes an input and '" +
                        Tokens->modelName() +
                        "' works per token; their rows differ, so sweep them apart");
    if (Spec.Prompt.size() > 1 || Spec.Output.size() > 1)
      return usageError("--sweep: model '" + Input->modelName() +
                        "' takes an input: it has no prompt or output to sweep (batch only)");
    if (const uint64_t Points = Spec.Batch.size() * Scenarios.size(); Points > MaxInputSweepPoints)
      return usageError("--sweep: " + std::to_string(Points) +
                        " points of models with an input; at most " +
                        std::to_string(MaxInputSweepPoints) + " (each is a full analysis)");
    return writeOutput(
               [&](llvm::raw_ostream &OS) { runInputSweep(M, Scenarios, Spec.Batch, O, OS); })
               ? 0
               : 1;
  }
  const double Total = static_cast<double>(Spec.Batch.size()) *
                       static_cast<double>(Spec.Prompt.size()) *
                       static_cast<double>(Spec.Output.size()) * Scenarios.size();
  if (Total > MaxSweepPoints) {
    std::string Points;
    llvm::raw_string_ostream(Points) << llvm::format("%.0f", Total);
    return usageError("--sweep: " + Points + " points; at most " + std::to_string(MaxSweepPoints));
  }
  return writeOutput([&](llvm::raw_ostream &OS) { runSweep(M, Scenarios, Spec, O, OS); }) ? 0 : 1;
}

/// Reads standard input, at most a source file's size: false after an error line.
static bool readStandardInput(std::string &Text) {
  char Buf[65536];
  for (ssize_t N; (N = ::read(0, Buf, sizeof Buf)) != 0;) {
    if (N < 0) {
      if (errno == EINTR)
        continue;
      usageError(llvm::Twine("cannot read standard input: ") + std::strerror(errno));
      return false;
    }
    if (Text.size() + static_cast<size_t>(N) > MaxSourceBytes) {
      usageError("standard input is too large: more than " + std::to_string(MaxSourceBytes) +
                 " bytes");
      return false;
    }
    Text.append(Buf, static_cast<size_t>(N));
  }
  return true;
}

/// --format: each input formatted (Parse/Formatter.h) to the output, in place (-i), or only
/// compared (--check). A file that does not parse gets its diagnostics and is left alone; the
/// others are still done. Exit code 1 on any error, and with --check when a file would change.
/// `--train=a=1,b=x`: the text of a training record `CommandLineN` with those fields, token
/// counts given their unit. Empty (reported) when a field is not `key=value`.
static std::string trainingText(const std::string &Spec, size_t N, std::string &Name) {
  Name = "CommandLine" + std::to_string(N);
  std::string Body;
  llvm::SmallVector<llvm::StringRef, 16> Parts;
  llvm::StringRef(Spec).split(Parts, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef P : Parts) {
    auto [Key, Val] = P.split('=');
    Key = Key.trim();
    Val = Val.trim();
    if (Key.empty() || Val.empty() || !P.contains('=')) {
      usageError("--train takes fields as key=value, separated by commas; found '" + P.str() + "'");
      return "";
    }
    bool Tokens = (Key == "sequence" || Key == "tokens") && !Val.empty() &&
                  (llvm::isDigit(Val.back()) || Val.back() == '.');
    Body += "  " + Key.str() + " = " + Val.str() + (Tokens ? " tokens" : "") + ";\n";
  }
  return "training " + Name + " {\n" + Body + "}\n";
}

/// --plan-serving: the fields, looked up; the plan, written.
static int runPlanServing(const Module &M) {
  DeploymentQuery Q;
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  llvm::StringRef(PlanServing).split(Parts, ',', -1, /*KeepEmpty=*/false);
  auto Count = [](llvm::StringRef V, int64_t &Out) {
    unsigned long long X;
    if (V.getAsInteger(10, X) || X < 1 || X > (1ull << 40))
      return false;
    Out = static_cast<int64_t>(X);
    return true;
  };
  for (llvm::StringRef P : Parts) {
    auto [Key, Val] = P.split('=');
    Key = Key.trim();
    Val = Val.trim();
    bool OK = !Val.empty();
    if (Key == "model")
      OK = OK && (Q.Model = M.findModel(Val));
    else if (Key == "system") {
      for (const auto &S : M.Systems)
        if (S->Name == Val && S->Hw)
          Q.System = S.get();
      OK = OK && Q.System;
    } else if (Key == "weights")
      OK = OK && (Q.Weights = M.findPrecision(Val));
    else if (Key == "kv")
      OK = OK && (Q.KV = M.findPrecision(Val));
    else if (Key == "runtime")
      OK = OK && (Q.Runtime = M.findRuntime(Val));
    else if (Key == "nodes")
      OK = OK && Count(Val, Q.Nodes) && Q.Nodes <= 4096;
    else if (Key == "context")
      OK = OK && Count(Val, Q.Context);
    else if (Key == "batch")
      OK = OK && Count(Val, Q.Batch);
    else if (Key == "source")
      OK = OK && Count(Val, Q.Source);
    else
      return usageError("--plan-serving has no field '" + Key.str() +
                        "' (fields: model, system, nodes, weights, kv, context, batch, source, "
                        "runtime)");
    if (!OK)
      return usageError("--plan-serving: no " + Key.str() + " '" + Val.str() + "'" +
                        (Key == "nodes" || Key == "context" || Key == "batch" || Key == "source"
                             ? " (a whole number from 1)"
                             : ""));
  }
  if (!Q.Model || !Q.System)
    return usageError("--plan-serving needs model= and system=");
  if (!Q.Runtime) // --runtime, else the system's device's default (its own, its class's, else
                  // the default)
    Q.Runtime = M.CommandLineRuntime ? M.CommandLineRuntime : M.defaultRuntime(Q.System->Hw);
  if (!Q.Model->Root || Q.Model->Stats.PerInput || Q.Model->Stats.hasBidirectional())
    return usageError("--plan-serving plans models that generate text; '" + Q.Model->Name +
                      "' does not");
  if (Q.Source > 0 && !Q.Model->Stats.HasEncoder)
    return usageError("--plan-serving: source= is an encoder-decoder's source length, and '" +
                      Q.Model->Name + "' has no encoder (its prompt is in the context)");
  if (!Q.Weights)
    Q.Weights = M.findPrecision("bf16");
  if (!Q.KV)
    Q.KV = Q.Weights->Bits >= 16 && !Q.Weights->Group ? Q.Weights : M.findPrecision("bf16");
  if (!Q.Weights || !Q.KV)
    return usageError("--plan-serving: the stdlib has no bf16 precision");
  DeploymentPlan Plan = planDeployment(M, Q);
  return writeOutput([&](llvm::raw_ostream &OS) { DeploymentEmitter(Q, Plan).run(OS); }) ? 0 : 1;
}

static int runFormat(bool FromStdin) {
  if (Emit.getNumOccurrences() || ListOpt != ListKind::None || !Select.empty() ||
      !HardwareSel.empty() || SweepOpt.getNumOccurrences() || DepFile.getNumOccurrences())
    return usageError("--format takes no --emit, --list, --model, --hardware, --sweep or --depfile");
  if (InPlace && FormatCheck)
    return usageError("--format takes -i or --check, not both");
  if ((InPlace || FormatCheck) && (Output.getNumOccurrences() || WriteIfChanged))
    return usageError("-o and --write-if-changed do not go with -i or --check");
  if (FromStdin && InPlace)
    return usageError("-i cannot rewrite standard input");
  std::vector<std::string> Files{"-"};
  if (!FromStdin) {
    Files.clear();
    if (!expandInputs(Files))
      return 1;
  }
  if (!InPlace && !FormatCheck && Files.size() != 1)
    return usageError("--format writes one file to the output, and there are " +
                      std::to_string(Files.size()) + "; rewrite them with -i or check them with "
                                                     "--check");
  bool Failed = false;
  for (const std::string &Path : Files) {
    llvm::SourceMgr SM;
    DiagnosticEngine Diags(SM, llvm::errs());
    std::unique_ptr<llvm::MemoryBuffer> Buf;
    if (Path == "-") {
      std::string Text;
      if (!readStandardInput(Text))
        return 1;
      normaliseLineEnds(Text.data(), Text.size());
      Buf = llvm::MemoryBuffer::getMemBufferCopy(Text, "<stdin>");
    } else {
      Buf = readSourceFile(Path, Diags);
    }
    if (!Buf) {
      Failed = true;
      continue;
    }
    unsigned ID = SM.AddNewSourceBuffer(std::move(Buf), llvm::SMLoc());
    std::string Formatted;
    if (!formatBuffer(ID, Diags, Formatted)) {
      Failed = true;
      continue;
    }
    bool Same = SM.getMemoryBuffer(ID)->getBuffer() == Formatted;
    if (FormatCheck) {
      if (!Same) {
        llvm::errs() << "would reformat " << (Path == "-" ? "<stdin>" : Path) << "\n";
        Failed = true;
      }
    } else if (InPlace) {
      if (!Same && !writeFile([&](llvm::raw_ostream &OS) { OS << Formatted; }, &Formatted, Path))
        Failed = true;
    } else if (!writeOutput([&](llvm::raw_ostream &OS) { OS << Formatted; })) {
      return 1;
    }
  }
  return Failed ? 1 : 0;
}

/// A compile of more than a little source restarts itself once with glibc's heap in transparent
/// huge pages. Touching fresh heap one 4 KiB page at a time is a large share of a big compile
/// where page faults are costly, as on virtual machines (the 10,000-model benchmark spent about
/// 40% of its time in them, docs/performance.md); glibc maps its heap in huge pages when its
/// `glibc.malloc.hugetlb=1` tunable asks it to, and reads tunables only at start-up. Nothing else
/// changes: the same arguments, the same environment plus the tunable. `ZOO_NO_HUGEPAGES=1`, or
/// the tunable already set, keeps the process as it is; so does a failed restart.
static void restartWithHugePages(char **argv, llvm::ArrayRef<std::string> Files) {
#if defined(__linux__) && defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) &&              \
    !defined(__SANITIZE_THREAD__)
  constexpr uint64_t MinBytes = 64 * 1024;
  if (std::getenv("ZOO_NO_HUGEPAGES"))
    return;
  const char *Tunables = std::getenv("GLIBC_TUNABLES");
  if (Tunables && std::strstr(Tunables, "glibc.malloc.hugetlb"))
    return;
  uint64_t Bytes = 0;
  for (const std::string &F : Files) {
    uint64_t Size = 0;
    if (!llvm::sys::fs::file_size(F, Size))
      Bytes += Size;
  }
  if (Bytes < MinBytes)
    return;
  const std::string Old = Tunables ? Tunables : "";
  // Also: keep freed memory instead of returning it to the kernel (trim) and serve large blocks
  // from the heap rather than fresh mappings (mmap, up to glibc's largest threshold), so that no
  // page is faulted in and zeroed twice (the parser frees each declaration's tree, vectors grow);
  // and keep up to 256 freed blocks of each small size in the thread's cache (glibc keeps 7), so
  // that a declaration's tree, freed, serves the next one's without going through the bins (4% of
  // a 1,000-model compile's instructions).
  const std::string New = (Old.empty() ? "" : Old + ":") +
                          "glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=4294967295:"
                          "glibc.malloc.mmap_threshold=33554432:glibc.malloc.tcache_count=256";
  if (setenv("GLIBC_TUNABLES", New.c_str(), 1) != 0)
    return;
  execv("/proc/self/exe", argv);
  if (Tunables)
    setenv("GLIBC_TUNABLES", Old.c_str(), 1);
  else
    unsetenv("GLIBC_TUNABLES");
#else
  (void)argv;
  (void)Files;
#endif
}

static int compile(int argc, char **argv);
/// Live until the process ends (see compile()). Volatile, so that the optimiser keeps the stores
/// that leave them reachable for leak checkers (gcc dropped them: the pointers are read nowhere
/// else).
static Module *volatile TheModule;
static PreparedStdlib *volatile TheStdlib;

int main(int argc, char **argv) {
  reserveStandardDescriptors();
  llvm::InitLLVM X(argc, argv);
  // A write past the file size limit, or into a pipe nobody reads any more, fails (EFBIG, EPIPE)
  // and is reported like any failed write, instead of raising a signal that LLVM's handlers take
  // for a crash (a stack dump) or turn into a silent exit code 74.
  std::signal(SIGXFSZ, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
  // Constructed before the handler is registered, so destroyed after it runs.
  llvm::outs();
  llvm::errs();
  std::atexit([] {
    if (int RC = finishStandardStreams(0))
      std::_Exit(RC);
  });
  return finishStandardStreams(compile(argc, argv));
}

/// Whether --model and --hardware select a serving record: its replica's model among those
/// named, on hardware among those named. A `plan = auto` record's hardware is its search's
/// choice: before the search (`Searched` false) --hardware does not exclude it.
static bool servingSelected(const ServingRecord &Sv, bool Searched) {
  const ScenarioRecord *R = Sv.Replica.get();
  return R && (Select.empty() || (R->Model && llvm::is_contained(Select, R->Model->Name))) &&
         (HardwareSel.empty() || (Sv.Plan && !Searched) ||
          (R->Hw && llvm::is_contained(HardwareSel, R->Hw->Name)));
}

static int compile(int argc, char **argv) {
  if (argc > 1 && llvm::StringRef(argv[1]) == "import-hf") // docs/import.md
    return runImportHF(llvm::ArrayRef<const char *>(argv + 2, argv + argc), llvm::errs(),
                       [](llvm::StringRef Out, llvm::StringRef Text) {
                         Output = Out.str();
                         return writeOutput([&](llvm::raw_ostream &OS) { OS << Text; });
                       });
  cl::HideUnrelatedOptions({&ZoocCat, &PointCat});
  cl::SetVersionPrinter([](llvm::raw_ostream &OS) { OS << "zooc " ZOO_VERSION "\n"; });
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "zooc: the Zoo compiler\n\n"
          "  Reads .zoo files (a directory means every .zoo file below it,\n"
          "  following symbolic links only to targets inside it),\n"
          "  checks them, derives every metric, verifies every `expect`,\n"
          "  and writes one output format.\n\n"
          "  zooc import-hf CONFIG.json [--index=...] writes a model from a\n"
          "  Hugging Face config (zooc import-hf --help; docs/import.md).\n\n"
          "  zooc --format FILE prints FILE in the house style; zooc --format -i\n"
          "  FILE|DIR... rewrites files in place; zooc --format --check FILE|DIR...\n"
          "  only lists the files that would change (docs/format.md).\n",
          &llvm::errs()))
    return 1;
  if (Inputs.empty() && ListOpt == ListKind::None)
    return usageError("no input files");
  if (outputIsDirectory() && (Emit != EmitKind::Markdown || ListOpt != ListKind::None ||
                              SweepOpt.getNumOccurrences() || !CheckClosedForm.empty()))
    return usageError("-o '" + Output +
                      "' is a directory: only --emit=markdown writes into one (a page per "
                      "category, hardware.md, scenarios.md, training.md, README.md); give a file or '-'");
  if (!TrainOpt.empty() && !Emit.getNumOccurrences())
    Emit = EmitKind::Training;
  const bool FromStdin = llvm::is_contained(Inputs, "-");
  if (FromStdin && Inputs.size() != 1)
    return usageError("'-' (standard input) must be the only input");
  if (FormatOpt)
    return runFormat(FromStdin);
  if (InPlace || FormatCheck)
    return usageError(std::string(InPlace ? "-i" : "--check") + " needs --format");

  std::vector<std::string> Files;
  if (!FromStdin && !expandInputs(Files))
    return 1;
  restartWithHugePages(argv, Files);
  std::string StdinText; // `zooc -`: the program read from standard input, at most a file's size
  if (FromStdin && !readStandardInput(StdinText))
    return 1;

  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM, llvm::errs());
  // The module lives until the process ends: freeing a large one record by record would only
  // cost time at exit (a global pointer keeps it reachable for leak checkers).
  TheModule = new Module();
  Module &M = *TheModule;
  LoadOptions Opts;
  Opts.IncludeDirs = IncludeDirs;
  Opts.StdlibDir = stdlibDirectory(argv[0]);
  Opts.Prelude = !NoPrelude;
  if (Opts.Prelude) {
    llvm::SmallString<256> Prelude(Opts.StdlibDir);
    llvm::sys::path::append(Prelude, "prelude.zoo");
    if (!llvm::sys::fs::is_regular_file(Prelude))
      return usageError("no stdlib at '" + Opts.StdlibDir +
                        "' (it has no prelude.zoo): give its directory with --stdlib=DIR or "
                        "$ZOO_STDLIB, or compile without it with --no-prelude");
  }
  if (DepFile.getNumOccurrences() && (Output == "-" || DepFile.empty()))
    return usageError("--depfile needs -o FILE (the target of its rule) and a file name");
  if (!checkTableOptions())
    return 1;
  if (!CppHeaderEmitter::validNamespace(CppNamespace))
    return usageError("--cpp-namespace: '" + CppNamespace +
                      "' is not a namespace the header can declare (identifiers joined by `::`, "
                      "none a C++ keyword, a reserved name or a standard macro)");
  Opts.Prediction = FullLL ? PredictionMode::LL : PredictionMode::SLLThenLL;

  // The analysis point takes the limits of scenario fields (scenarioLimit): token counts (the
  // context too) and the batch at most 2^40, devices at most 2^20, so that every product the
  // metrics and the analysis form stays in range.
  for (auto *O :
       {&Context, &Prompt, &OutputLen, &Batch, &DevicesOpt, &StepsOpt, &DecoderBatchOpt}) {
    if ((O == &StepsOpt || O == &DecoderBatchOpt) && !O->getNumOccurrences())
      continue; // (no default: the pipeline's steps, the batch)
    int64_t V = O->getValue();
    if (V < 1)
      return usageError("--" + O->ArgStr + " must be at least 1");
    llvm::StringRef Field = O == &OutputLen         ? "output"
                            : O == &Context         ? "prompt"
                            : O == &DecoderBatchOpt ? "decoder_batch"
                                                    : O->ArgStr;
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

  M.VisibleMemory = VisibleMemory;

  PhaseTimer Timer(TimePhases);
  if (Opts.Prelude) {
    // The prelude and its imports are parsed (or taken from the cache) and checked in a module
    // of their own; the compilation shares them. A stdlib with errors is loaded again below,
    // which reports them.
    PrepareOptions PO;
    PO.IncludeDirs = Opts.IncludeDirs;
    PO.Prediction = Opts.Prediction;
    PO.Build = buildIdentity(argv[0]);
    if (!PO.Build.empty())
      PO.CacheDir = cacheDirectory();
    std::string Ignored;
    TheStdlib = prepareStdlib(Opts.StdlibDir, Ignored, PO).release();
    Opts.Prepared = TheStdlib;
    std::string Note = "no cache";
    if (!TheStdlib)
      Note = "errors";
    else if (!PO.CacheDir.empty())
      Note = std::to_string(TheStdlib->filesFromCache()) + " of " +
             std::to_string(TheStdlib->files()) + " files from the cache" +
             (TheStdlib->cacheWritten() ? ", cache written" : "");
    Timer.mark("stdlib", Note);
  }
  std::vector<std::pair<std::string, std::string>> Trainings;
  std::vector<std::string> TrainingNames;
  for (size_t I = 0; I < TrainOpt.size(); ++I) {
    std::string Name, Text = trainingText(TrainOpt[I], I + 1, Name);
    if (Text.empty())
      return 1;
    Trainings.push_back({"--train=" + TrainOpt[I], Text});
    TrainingNames.push_back(Name);
  }
  if (FromStdin && !Trainings.empty())
    return usageError("--train needs input files, not standard input");
  M.KeepBlockArgs = Emit == EmitKind::IR;
  bool OK = FromStdin ? loadBuffer(M, Diags, "<stdin>", StdinText, Opts)
                      : loadFiles(M, Diags, Files, Opts, Trainings);
  Timer.mark("load+parse");
  OK = OK && runSema(M, Diags);
  if (M.CachedBodyDamaged && TheStdlib)
    TheStdlib->discardCache();
  Timer.mark("sema");
  for (auto &T : M.Trainings)
    T->AdHoc = llvm::is_contained(TrainingNames, T->Name);
  if (OK)
    for (auto *O : {&Weights, &KVPrecision}) // defaults may be absent from a custom stdlib
      if (O->getNumOccurrences() && !M.findPrecision(O->getValue()))
        return usageError("unknown precision '" + O->getValue() + "' for --" + O->ArgStr +
                          suggest(O->getValue(), M.Precisions, "precisions"));
  M.WantMatrix = Emit == EmitKind::Matrix || Emit == EmitKind::HTML;
  M.WantValidation = Emit == EmitKind::Validation;
  M.WantServingPlans =
      Emit == EmitKind::Serving || TableOpt == TableKind::Deployments || SearchDeployments;
  if (ServingThreads > 256)
    return usageError("--serving-threads is " + std::to_string(ServingThreads) + "; at most 256");
  M.ServingThreads = ServingThreads;
  M.ServingPageEvents = ServingPageEvents;
  // (A JSON table holds no serving record's figures: only the whole report does.)
  M.WantServingFigures =
      Emit == EmitKind::Serving || (Emit == EmitKind::JSON && TableOpt == TableKind::None);
  M.WantCalibration = Emit == EmitKind::Calibration;
  if (OK && !RuntimeOpt.empty() && !(M.CommandLineRuntime = M.findRuntime(RuntimeOpt))) {
    return usageError("no runtime named '" + RuntimeOpt + "'" +
                      suggest(RuntimeOpt, M.Runtimes, "runtimes"));
  }
  // Selected models are checked before they are used: a misspelt name gets a suggestion.
  if (OK)
    for (const std::string &S : Select)
      if (!M.findModel(S) && !M.findPipeline(S)) {
        // A misspelt pipeline gets the pipelines that are close, else the models.
        std::string Near = suggest(S, M.Pipelines, "pipelines");
        return usageError(
            "no model or pipeline named '" + S + "'" +
            (Near.rfind("; did you mean", 0) == 0 ? Near : suggest(S, M.Models, "models")));
      }
  if (OK && ListOpt != ListKind::None) {
    std::vector<std::string> Names;
    auto Add = [&](const auto &Rs) {
      for (const auto &R : Rs)
        Names.push_back(R->Name);
    };
    switch (ListOpt) {
    case ListKind::Models:
      Add(M.Models);
      break;
    case ListKind::Pipelines:
      Add(M.Pipelines);
      break;
    case ListKind::Hardware:
      Add(M.Hardware);
      break;
    case ListKind::Precisions:
      Add(M.Precisions);
      break;
    case ListKind::Runtimes:
      Add(M.Runtimes);
      break;
    case ListKind::Scenarios:
      Add(M.Scenarios);
      break;
    case ListKind::None:
      break;
    }
    std::sort(Names.begin(), Names.end());
    return writeOutput([&](llvm::raw_ostream &OS) {
      for (const std::string &N : Names)
        OS << N << "\n";
    })
               ? 0
               : 1;
  }
  M.WantLayers = Emit == EmitKind::Layers || TableOpt == TableKind::Layers;
  // The JSON document is the one output that evaluates each model's metrics as it writes them.
  M.DeferMetrics = Emit == EmitKind::JSON && TableOpt == TableKind::None;
  M.WantMatrix = M.WantMatrix || TableOpt == TableKind::Matrix;
  M.WantValidation = M.WantValidation || TableOpt == TableKind::Validation;
  if (OK && !parseSweep())
    return 1;
  // The HTML page places every shown model on every shown hardware itself: --hardware alone
  // selects the devices of its charts.
  if (OK && Emit == EmitKind::HTML && Select.empty()) {
    if (!checkAnalysisPrecisions(M))
      return 1;
    for (const std::string &HName : HardwareSel)
      if (!M.findHardware(HName))
        return usageError("no hardware named '" + HName + "'" +
                          suggest(HName, M.Hardware, "hardware"));
  } else if (OK && (!HardwareSel.empty() || !TheSweep.Hardware.empty()) && !addAdHocScenarios(M)) {
    return 1;
  }
  // A serving record that --model or --hardware leaves out of every output is only checked
  // (that it runs, and its expectations): its figures and searches are not worked out. The
  // records are hidden after the passes, by the same selection.
  if (OK && (!Select.empty() || !HardwareSel.empty()))
    for (auto &Sv : M.Servings)
      Sv->Shown = servingSelected(*Sv, /*Searched=*/false);
  OK = OK && !failed(runPipeline(M, Diags));
  Timer.mark("passes");
  if (!OK || Diags.hasErrors())
    return 1;
  if (int RC = runAnalysisTools(M); RC >= 0)
    return RC;
  if (PlanServing.getNumOccurrences())
    return runPlanServing(M);

  // --model and --hardware select what every section shows. Unselected records stay alive
  // (scenarios point at models and hardware); they are only not emitted.
  auto Keep = [&](auto &Records, auto &Hidden, auto Selected) {
    auto Mid = std::stable_partition(Records.begin(), Records.end(), Selected);
    std::move(Mid, Records.end(), std::back_inserter(Hidden));
    Records.erase(Mid, Records.end());
  };
  if (!Select.empty()) {
    llvm::StringSet<> Wanted;
    for (const std::string &S : Select) {
      if (!M.findModel(S) && !M.findPipeline(S))
        return usageError("no model or pipeline named '" + S + "'");
      Wanted.insert(S);
      // A pipeline selects its parts too.
      if (const PipelineRecord *P = M.findPipeline(S)) {
        for (const ModelRecord *E : P->Encoders)
          Wanted.insert(E->Name);
        for (const ModelRecord *X : {P->Denoiser, P->Decoder})
          if (X)
            Wanted.insert(X->Name);
      }
    }
    auto Chosen = [&](const ModelRecord *R) { return R && Wanted.count(R->Name) != 0; };
    Keep(M.Models, M.HiddenModels, [&](const auto &R) { return Chosen(R.get()); });
    Keep(M.Scenarios, M.HiddenScenarios, [&](const auto &S) {
      return S->Pipeline ? Wanted.count(S->Pipeline->Name) != 0 : Chosen(S->Model);
    });
    Keep(M.Trainings, M.HiddenTrainings, [&](const auto &T) { return Chosen(T->Model); });
    Keep(M.Pipelines, M.HiddenPipelines, [&](const auto &P) {
      return Wanted.count(P->Name) != 0 || llvm::any_of(P->Encoders, Chosen) ||
             Chosen(P->Denoiser) || Chosen(P->Decoder);
    });
  }
  if (!HardwareSel.empty()) {
    llvm::StringSet<> Wanted;
    for (const std::string &H : HardwareSel)
      Wanted.insert(H);
    Keep(M.Hardware, M.HiddenHardware, [&](const auto &H) { return Wanted.count(H->Name) != 0; });
    Keep(M.Scenarios, M.HiddenScenarios,
         [&](const auto &S) { return S->Hw && Wanted.count(S->Hw->Name) != 0; });
    Keep(M.Trainings, M.HiddenTrainings, [&](const auto &T) {
      return T->System && T->System->Hw && Wanted.count(T->System->Hw->Name) != 0;
    });
  }
  if (!Select.empty() || !HardwareSel.empty()) {
    Keep(M.Servings, M.HiddenServings,
         [&](const auto &S) { return servingSelected(*S, /*Searched=*/true); });
    M.reindex();
    // The fit matrix keeps the shown models' rows and the shown hardware's columns.
    FitMatrix &X = M.Matrix;
    std::vector<bool> KeepHw;
    for (const HardwareRecord *H : X.Hardware)
      KeepHw.push_back(M.findHardware(H->Name) == H);
    llvm::erase_if(X.Rows, [&](const FitRow &R) { return M.findModel(R.Model->Name) != R.Model; });
    for (FitRow &R : X.Rows) {
      size_t To = 0;
      for (size_t I = 0; I < R.Devices.size(); ++I)
        if (KeepHw[I])
          R.Devices[To++] = R.Devices[I];
      R.Devices.resize(To);
    }
    llvm::erase_if(X.Hardware,
                   [&](const HardwareRecord *H) { return M.findHardware(H->Name) != H; });
  }
  // --emit=html: every chart's data, from the analysis library.
  std::vector<std::unique_ptr<ScenarioRecord>> HTMLTemplates;
  PlotData Plots;
  if (Emit == EmitKind::HTML) {
    Plots = htmlPlots(M, HTMLTemplates);
    Timer.mark("plots");
  }

  // A backend that cannot write its whole output says so before anything is written.
  if (Emit == EmitKind::JSON && TableOpt == TableKind::None &&
      !JSONEmitter(M).checkFinite(llvm::errs()))
    return 1;
  std::vector<std::string> Targets{Output};
  bool Written;
  if (Emit == EmitKind::Markdown && outputIsDirectory()) {
    MarkdownEmitter Zoo(M, std::vector<std::string>(Inputs.begin(), Inputs.end()));
    Targets.clear();
    Written = writePages(Zoo.pages(), Output, Targets);
  } else
    Written = writeOutput([&](llvm::raw_ostream &OS) {
      switch (Emit) {
      case EmitKind::Report:
        ReportEmitter(M).run(OS);
        break;
      case EmitKind::JSON:
        if (TableOpt != TableKind::None)
          TableEmitter(M, tableOf(TableOpt), /*JSON=*/true, LayersDepth).run(OS);
        else
          JSONEmitter(M).run(OS);
        break;
      case EmitKind::CppHeader:
        CppHeaderEmitter(M, std::vector<std::string>(Inputs.begin(), Inputs.end()), CppNamespace)
            .run(OS);
        break;
      case EmitKind::IR:
        printIR(M, SM, OS);
        break;
      case EmitKind::Analysis:
        AnalysisEmitter(M).run(OS);
        break;
      case EmitKind::Training:
        TrainingEmitter(M).run(OS);
        break;
      case EmitKind::Serving:
        ServingEmitter(M).run(OS);
        break;
      case EmitKind::WhatIf:
        WhatIfEmitter(M).run(OS);
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
        LayersEmitter(M, LayersDepth).run(OS);
        break;
      case EmitKind::CSV:
        TableEmitter(M, tableOf(TableOpt), /*JSON=*/false, LayersDepth).run(OS);
        break;
      case EmitKind::Markdown:
        MarkdownEmitter(M, std::vector<std::string>(Inputs.begin(), Inputs.end())).run(OS);
        break;
      case EmitKind::HTML:
        HTMLEmitter(M, Plots).run(OS);
        break;
      }
    });
  Timer.mark("emit");
  if (Written && DepFile.getNumOccurrences()) {
    for (const auto &F : M.Files)
      if (llvm::StringRef(F->Path).find_first_of("\r\n") != llvm::StringRef::npos)
        return usageError("--depfile: a file name with a line break cannot be listed in a rule");
    for (const std::string &F : M.DataFiles)
      if (llvm::StringRef(F).find_first_of("\r\n") != llvm::StringRef::npos)
        return usageError("--depfile: a file name with a line break cannot be listed in a rule");
    Written =
        writeFile([&](llvm::raw_ostream &OS) { writeDepfile(OS, Targets, M); }, nullptr, DepFile);
  }
  return Written ? 0 : 1;
}
