//===- MarkdownEmitter.cpp - the Model Zoo pages (--emit=markdown) --------===//
//
// Models grouped as a model zoo groups them: Language models, Vision, TinyML, Generative, then any
// other category, each a table of the figures that fit its models (per token for language models:
// active parameters, FLOPs, KV cache and state, context; per input for models with an input:
// input shape, MACs, weights, activations), with each record's sources as links. Then the
// hardware (dense peaks per precision, memory, the achievable fractions the registry measured) and
// the scenarios (each expected figure with its ideal roofline beside it, as the report prints
// them).
//
// pages() gives one page per category, hardware.md, scenarios.md and an index, README.md; run()
// writes the same content as one document. Every figure is one the passes computed; this file
// only spells them.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Machine.h"
#include "zoo/Backends/Emitters.h"
#include "zoo/Basic/Checked.h"
#include "llvm/ADT/StringExtras.h"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

using namespace zoo;

namespace {
//===--- Spelling text as Markdown ----------------------------------------===//

/// Text that Markdown shows as it is, in a paragraph, a heading or a table cell: characters that
/// would start emphasis, code, a link, HTML, an entity or a cell boundary are escaped; an
/// underscore inside a word (`Llama3_8B`) stays, as GitHub's Markdown reads it literally there;
/// control characters (a line break would end a table row) become spaces.
std::string text(llvm::StringRef S) {
  std::string Out;
  auto Word = [&](size_t I) {
    return I < S.size() && (llvm::isAlnum(S[I]) || static_cast<unsigned char>(S[I]) >= 0x80);
  };
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (static_cast<unsigned char>(C) < 0x20 || C == 0x7f)
      Out += ' ';
    else if (C == '&')
      Out += "&amp;";
    else if (llvm::StringRef("\\`*[]<>|~#!").contains(C) ||
             (C == '_' && !(I > 0 && Word(I - 1) && Word(I + 1))))
      Out += {'\\', C};
    else
      Out += C;
  }
  return Out;
}

/// A code span holding `S` literally: fenced by more backticks than any run inside it.
std::string code(llvm::StringRef S) {
  std::string Body;
  size_t Run = 0, Longest = 0;
  for (char C : S) {
    Run = C == '`' ? Run + 1 : 0;
    Longest = std::max(Longest, Run);
    Body += static_cast<unsigned char>(C) < 0x20 || C == 0x7f ? ' ' : C;
  }
  std::string Fence(Longest + 1, '`');
  bool Pad = !Body.empty() && (Body.front() == '`' || Body.back() == '`');
  return Fence + (Pad ? " " : "") + Body + (Pad ? " " : "") + Fence;
}

/// A message of the compiler, whose code is in backticks: text, with code spans kept.
std::string prose(llvm::StringRef S) {
  std::string Out;
  for (bool Code = false; !S.empty(); Code = !Code) {
    auto [Part, Rest] = S.split('`');
    // An unpaired backtick: the rest is text.
    if (!Code && !Rest.empty() && !Rest.contains('`')) {
      Out += text(S);
      break;
    }
    Out += Code ? code(Part) : text(Part);
    S = Rest;
  }
  return Out;
}

/// A source as Markdown: a web address becomes a link whose text is its host; anything else is
/// text. The address is percent-encoded where Markdown or a table would read a character.
std::string sourceLink(llvm::StringRef Src) {
  llvm::StringRef Rest = Src;
  if (!Rest.consume_front_insensitive("https://") && !Rest.consume_front_insensitive("http://"))
    return text(Src);
  llvm::StringRef Host = Rest.take_until([](char C) { return C == '/' || C == '?' || C == '#'; });
  Host = Host.rsplit('@').second.empty() ? Host : Host.rsplit('@').second;
  if (Host.empty())
    return text(Src);
  std::string URL;
  for (unsigned char C : Src) {
    if (C <= 0x20 || C >= 0x7f || llvm::StringRef("<>\"|\\`()").contains(static_cast<char>(C)))
      URL += fmt::format("%{:02X}", C);
    else
      URL += static_cast<char>(C);
  }
  return "[" + text(Host) + "](" + URL + ")";
}

/// A field's value, with the link to its own source after it where it has one: `24 GB (host)`.
std::string valueWithSource(const FieldValue &F) {
  return text(F.V.str()) + (F.Source.empty() ? "" : " (" + sourceLink(F.Source) + ")");
}

std::string sourceLinks(const std::vector<std::string> &Sources) {
  std::string Out;
  for (const std::string &S : Sources)
    Out += (Out.empty() ? "" : ", ") + sourceLink(S);
  return Out.empty() ? "-" : Out;
}

//===--- Spelling numbers ----------------------------------------------===//

/// Whether `V` is a whole number a double holds exactly.
bool whole(double V) { return std::isfinite(V) && V == std::trunc(V) && std::fabs(V) < 0x1p53; }

/// `8,030,261,248 (8.03 B)`: the exact count, then three digits.
std::string count(int64_t V) {
  return withThousands(V) + " (" + humanCount(static_cast<double>(V)) + ")";
}

/// `131,072 (128 KiB)`: exact bytes where they are whole, with binary prefixes from 1 KiB.
std::string bytes(double V) {
  if (!whole(V))
    return humanBytes(V);
  std::string Exact = withThousands(static_cast<int64_t>(V));
  return std::fabs(V) < 1024 ? Exact : Exact + " (" + humanBytes(V) + ")";
}

/// `4,089,184,256 (4.09 G)`: exact where whole, with SI prefixes from 1,000.
std::string exactSI(double V) {
  if (!whole(V))
    return humanSI(V);
  std::string Exact = withThousands(static_cast<int64_t>(V));
  return std::fabs(V) < 1000 ? Exact : Exact + " (" + humanSI(V) + ")";
}

std::string shape(const std::vector<int64_t> &D) {
  std::string S;
  for (size_t I = 0; I < D.size(); ++I)
    S += (I ? "x" : "") + std::to_string(D[I]);
  return S;
}

//===--- Tables and headings ---------------------------------------------===//

/// A Markdown table; cells are Markdown already.
struct Table {
  std::vector<std::string> Head;
  std::vector<bool> Right;
  std::vector<std::vector<std::string>> Rows;
  void print(llvm::raw_ostream &OS) const {
    auto Row = [&](const std::vector<std::string> &Cells) {
      OS << "|";
      for (const std::string &C : Cells)
        OS << " " << (C.empty() ? "-" : C) << " |";
      OS << "\n";
    };
    Row(Head);
    OS << "|";
    for (size_t I = 0; I < Head.size(); ++I)
      OS << (Right[I] ? "---:|" : "---|");
    OS << "\n";
    for (const auto &R : Rows)
      Row(R);
  }
};

/// Headings of one page: `Base` is the level of the page's title (1 for a page of its own, 2 in
/// the single document).
struct Headings {
  int Base;
  void print(llvm::raw_ostream &OS, int Depth, llvm::StringRef Title) const {
    OS << std::string(static_cast<size_t>(Base + Depth), '#') << " " << Title << "\n\n";
  }
};

//===--- What the pages hold ---------------------------------------------===//

std::string categoryOf(const ModelRecord &R) {
  if (const FieldValue *F = R.field("category"))
    return F->V.S;
  return R.Stats.PerInput ? "vision" : "language";
}

std::string heading(const std::string &C) {
  if (C == "language")
    return "Language models";
  if (C == "vision")
    return "Vision";
  if (C == "tinyml")
    return "TinyML";
  if (C == "generative")
    return "Generative";
  return text(C);
}

std::string classHeading(const std::string &C) {
  if (C == "gpu")
    return "GPUs";
  if (C == "tpu")
    return "TPUs";
  if (C == "npu")
    return "NPUs";
  if (C == "cpu")
    return "CPUs";
  if (C == "mcu")
    return "Microcontrollers";
  return text(C);
}

struct Category {
  std::string Key, Title, File;
  std::vector<const ModelRecord *> Models;
  std::vector<const PipelineRecord *> Pipelines;
};

/// The categories in page order, each with its models (sorted by name), the pipelines whose
/// denoiser (else decoder, else encoder) belongs to it, and a file name of its own: the category
/// in lower case, other characters than letters and digits made `-`, never another page's name.
std::vector<Category> categories(const Module &M) {
  std::vector<Category> Cs;
  auto Find = [&](const std::string &Key) -> Category & {
    for (Category &C : Cs)
      if (C.Key == Key)
        return C;
    Cs.push_back({Key, heading(Key), "", {}, {}});
    return Cs.back();
  };
  for (const char *K : {"language", "vision", "tinyml", "generative"})
    Find(K);
  for (const ModelRecord *R : sortedModels(M))
    Find(categoryOf(*R)).Models.push_back(R);
  std::vector<const PipelineRecord *> Ps;
  for (const auto &P : M.Pipelines)
    Ps.push_back(P.get());
  std::stable_sort(Ps.begin(), Ps.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
  for (const PipelineRecord *P : Ps) {
    const ModelRecord *Part = P->Denoiser                ? P->Denoiser
                              : P->Decoder               ? P->Decoder
                              : !P->Encoders.empty()     ? P->Encoders.front()
                                                         : nullptr;
    Find(Part ? categoryOf(*Part) : "generative").Pipelines.push_back(P);
  }
  Cs.erase(
      std::remove_if(Cs.begin(), Cs.end(),
                     [](const Category &C) { return C.Models.empty() && C.Pipelines.empty(); }),
      Cs.end());
  std::vector<std::string> Taken = {"readme", "hardware", "scenarios", "training"};
  for (Category &C : Cs) {
    std::string Base;
    for (char Ch : C.Key) {
      if (llvm::isAlnum(Ch))
        Base += llvm::toLower(Ch);
      else if (!Base.empty() && Base.back() != '-')
        Base += '-';
    }
    while (!Base.empty() && Base.back() == '-')
      Base.pop_back();
    if (Base.empty())
      Base = "category";
    std::string Name = Base;
    for (int K = 2; llvm::is_contained(Taken, Name); ++K)
      Name = Base + "-" + std::to_string(K);
    Taken.push_back(Name);
    C.File = Name + ".md";
  }
  return Cs;
}

std::string pointText(const AnalysisPoint &P) {
  return fmt::format(
      "context {}, prompt {}, output {}, batch {}; weights {}, KV cache and state {}", P.Context,
      P.Prompt, P.Output, P.Batch, text(P.Weights), text(P.KV));
}

std::optional<Value> metric(const ModelRecord &R, MetricKind K, llvm::StringRef Prec = "") {
  const MetricResult *X = R.evaluated(K, Prec);
  return X ? X->V : std::nullopt;
}

std::string contextOf(const ModelRecord &R) {
  const FieldValue *C = R.field("context");
  return C && whole(C->V.asDouble()) ? withThousands(static_cast<int64_t>(C->V.asDouble()))
         : C                         ? text(C->V.str())
                                     : "-";
}

/// Models without an input: figures per token at the analysis point.
void tokenTable(llvm::raw_ostream &OS, const Module &M,
                const std::vector<const ModelRecord *> &Models) {
  const AnalysisPoint &P = M.Point;
  Table T{{"Model", "Architecture", "Parameters", "Active parameters", "Inference FLOPs",
           "KV cache / token (bytes, " + text(P.KV) + ")",
           "State / sequence (bytes, " + text(P.KV) + ")", "Context (tokens)", "Layers", "Source"},
          {false, false, true, true, true, true, true, true, true, false},
          {}};
  bool AnyBeyond = false;
  for (const ModelRecord *R : Models) {
    std::string Flops = "-";
    if (auto V = metric(*R, MetricKind::flops_per_token))
      Flops = humanSI(V->asDouble()) + "FLOP / token at " + std::to_string(P.Context) + " context";
    auto Bytes = [&](MetricKind K) {
      auto V = metric(*R, K);
      return V ? bytes(V->asDouble()) : std::string("-");
    };
    AnyBeyond |= R->BeyondContext;
    T.Rows.push_back({text(R->Name) + (R->BeyondContext ? " \\*" : ""), text(R->Arch->Name),
                      count(R->Stats.Params), count(R->Stats.ActiveParams), Flops,
                      Bytes(MetricKind::kv_bytes_per_token), Bytes(MetricKind::state_bytes),
                      contextOf(*R), std::to_string(R->Stats.Layers), sourceLinks(R->Sources)});
  }
  T.print(OS);
  if (AnyBeyond)
    OS << "\n\\* the analysis point (context " << P.Context << ", or prompt " << P.Prompt
       << " + output " << P.Output
       << ") goes beyond the model's declared context: its figures there are extrapolated "
          "(`beyond_context` in JSON).\n";
}

/// Models with an input: figures per input (an image).
void inputTable(llvm::raw_ostream &OS, const Module &M,
                const std::vector<const ModelRecord *> &Models) {
  const AnalysisPoint &P = M.Point;
  Table T{{"Model", "Architecture", "Parameters", "Input", "MACs / input", "Inference FLOPs",
           "Weights (bytes, " + text(P.Weights) + ")",
           "Peak activations (bytes, " + text(P.KV) + ", batch " + std::to_string(P.Batch) + ")",
           "Layers", "Source"},
          {false, false, true, false, true, true, true, true, true, false},
          {}};
  for (const ModelRecord *R : Models) {
    auto Get = [&](MetricKind K, llvm::StringRef Prec, auto Spell) {
      auto V = metric(*R, K, Prec);
      return V ? Spell(V->asDouble()) : std::string("-");
    };
    std::string Flops = Get(MetricKind::flops_per_image, "", [&](double V) {
      return humanSI(V) + "FLOP / input " + shape(R->Stats.InputShape);
    });
    T.Rows.push_back({text(R->Name), text(R->Arch->Name), count(R->Stats.Params),
                      shape(R->Stats.InputShape), Get(MetricKind::macs_per_image, "", exactSI),
                      Flops, Get(MetricKind::weight_bytes, P.Weights, bytes),
                      Get(MetricKind::activation_bytes, "", bytes), std::to_string(R->Stats.Layers),
                      sourceLinks(R->Sources)});
  }
  T.print(OS);
}

void pipelineTable(llvm::raw_ostream &OS, const std::vector<const PipelineRecord *> &Ps) {
  Table T{{"Pipeline", "Encoder", "Denoiser", "Decoder", "Steps", "Parameters", "FLOPs / image"},
          {false, false, false, false, true, true, true},
          {}};
  auto Name = [](const ModelRecord *R) { return R ? text(R->Name) : std::string("-"); };
  for (const PipelineRecord *P : Ps) {
    std::string Encoders;
    for (const ModelRecord *E : P->Encoders)
      Encoders += (Encoders.empty() ? "" : " + ") + Name(E);
    T.Rows.push_back({text(P->Name), Encoders.empty() ? std::string("-") : Encoders,
                      Name(P->Denoiser), Name(P->Decoder),
                      std::to_string(P->Steps) + (P->Guidance ? " x2 (guidance)" : ""),
                      count(P->Params), humanSI(2 * static_cast<double>(P->Macs)) + "FLOP"});
  }
  T.print(OS);
}

const char *FlopsNote = "FLOPs count 2 per multiply-accumulate of matrix work (convolutions, "
                        "linears, attention); elementwise work is not included.";

/// What follows a page's title: the banner and the links of a page of its own, or nothing.
using Intro = llvm::function_ref<void()>;

void categoryPage(llvm::raw_ostream &OS, const Module &M, const Category &C, Headings H,
                  Intro AfterTitle) {
  H.print(OS, 0, C.Title);
  AfterTitle();
  std::vector<const ModelRecord *> Tokens, Inputs;
  for (const ModelRecord *R : C.Models)
    (R->Stats.PerInput ? Inputs : Tokens).push_back(R);
  int Parts = !Tokens.empty() + !Inputs.empty() + !C.Pipelines.empty();
  if (!Tokens.empty()) {
    if (Parts > 1)
      H.print(OS, 1, "Per token");
    tokenTable(OS, M, Tokens);
    OS << "\n";
  }
  if (!Inputs.empty()) {
    if (Parts > 1)
      H.print(OS, 1, "Per input");
    inputTable(OS, M, Inputs);
    OS << "\n";
  }
  if (!C.Pipelines.empty()) {
    if (Parts > 1)
      H.print(OS, 1, "Pipelines");
    OS << "A generator's cost per image: the encoder once (twice with guidance), the denoiser "
          "`steps` times (a doubled batch with guidance), the decoder once.\n\n";
    pipelineTable(OS, C.Pipelines);
    OS << "\n";
  }
  OS << FlopsNote;
  if (!Tokens.empty())
    OS << " Active parameters: what one token uses (top-k experts, one row of each lookup "
          "table). KV cache / token: what one token adds, all layers, before window caps; state: "
          "the recurrent and convolution state of one sequence, whatever its length.";
  if (!Inputs.empty())
    OS << " Peak activations: the largest set of tensors live at once.";
  OS << "\n";
}

//===--- Hardware ---------------------------------------------------------===//

/// Precision names ordered for columns: widest first, then by name; names that are no precision
/// record last.
std::vector<std::string> precisionColumns(const Module &M, std::vector<std::string> Names) {
  auto Bits = [&](const std::string &N) {
    const PrecisionRecord *P = M.findPrecision(N);
    return P ? P->Bits : -1;
  };
  std::sort(Names.begin(), Names.end(), [&](const std::string &A, const std::string &B) {
    return std::make_pair(-Bits(A), A) < std::make_pair(-Bits(B), B);
  });
  Names.erase(std::unique(Names.begin(), Names.end()), Names.end());
  return Names;
}

void hardwarePage(llvm::raw_ostream &OS, const Module &M, Headings H, Intro AfterTitle) {
  H.print(OS, 0, "Hardware");
  AfterTitle();
  auto Hw = sortedHardware(M);
  if (Hw.empty()) {
    OS << "No hardware records.\n";
    return;
  }
  OS << "Dense peaks per precision (the `compute` section), main memory and its bandwidth, as "
        "each record states them. Achievable: the fractions of the datasheet figures that "
        "measurements reach, each with its source, where the registry has them; analyses "
        "multiply the peaks by them (docs/formulas.md). Clock: the boost clock, which a "
        "runtime's `op_cycles` count on. Links: each interconnect's bandwidth, "
        "both directions together, its ports and, where they are divided among a fixed set of "
        "devices (a full mesh, a bridge), how many; tensor parallelism over fewer reaches only "
        "their share. Checked: the published measurements made on the device among the inputs, "
        "held out and calibration (docs/validation.md); `none` marks a device whose predictions "
        "no measurement has checked.\n\n";
  std::vector<std::string> Classes;
  for (const char *C : {"gpu", "tpu", "npu", "cpu", "mcu"})
    Classes.push_back(C);
  for (const HardwareRecord *R : Hw)
    if (!llvm::is_contained(Classes, R->Class))
      Classes.push_back(R->Class);
  std::vector<std::string> Defaults;
  for (const std::string &Class : Classes) {
    std::vector<const HardwareRecord *> In;
    for (const HardwareRecord *R : Hw)
      if (R->Class == Class)
        In.push_back(R);
    if (In.empty())
      continue;
    H.print(OS, 1, classHeading(Class));
    std::vector<std::string> Precs;
    for (const HardwareRecord *R : In)
      for (const Section &S : R->Sections)
        if (S.Kind == "compute")
          for (const FieldValue &F : S.Fields)
            if (F.Name != "source")
              Precs.push_back(F.Name);
    Precs = precisionColumns(M, Precs);
    Table T{{"Hardware", "Vendor", "Memory", "Bandwidth"}, {false, false, true, true}, {}};
    for (const std::string &P : Precs) {
      T.Head.push_back(text(P));
      T.Right.push_back(true);
    }
    for (const char *X : {"TDP", "Clock", "Links", "Achievable", "Checked", "Source"}) {
      T.Head.push_back(X);
      T.Right.push_back(std::string(X) == "TDP" || std::string(X) == "Clock");
    }
    for (const HardwareRecord *R : In) {
      const FieldValue *Vendor = R->field("vendor"), *Tdp = R->field("tdp");
      std::string Capacity, Bandwidth;
      const Section *Dense = nullptr, *Eff = nullptr;
      size_t Tiers = 0;
      for (const Section &S : R->Sections)
        Tiers += S.Kind == "memory";
      for (const Section &S : R->Sections) {
        if (S.Kind == "memory") {
          // The tier's name with its capacity; with its bandwidth too where there are several.
          const FieldValue *C = S.field("capacity"), *B = S.field("bandwidth"),
                           *V = S.field("visible");
          std::string Tier = S.Name.empty() ? "" : text(S.Name) + " ";
          Capacity += (Capacity.empty() ? "" : "; ") + Tier + (C ? text(C->V.str()) : "-") +
                      (V ? " (" + text(V->V.str()) + " visible" +
                               (V->Source.empty() ? "" : ", " + sourceLink(V->Source)) + ")"
                         : "");
          Bandwidth += (Bandwidth.empty() ? "" : "; ") + (Tiers > 1 ? Tier : "") +
                       (B ? text(B->V.str()) : "-");
        }
        if (S.Kind == "compute" && !Dense)
          Dense = &S;
        if (S.Kind == "efficiency" && !Eff)
          Eff = &S;
      }
      if (const FieldValue *Cache = R->field("cache"))
        Capacity += "; on-chip cache " + valueWithSource(*Cache);
      std::vector<std::string> Row = {text(R->Name), Vendor ? text(Vendor->V.S) : "-", Capacity,
                                      Bandwidth};
      for (const std::string &P : Precs) {
        const FieldValue *F = Dense ? Dense->field(P) : nullptr;
        Row.push_back(F ? text(F->V.str()) : "-");
      }
      std::string Achievable;
      if (Eff)
        for (const FieldValue &F : Eff->Fields)
          if (F.Name != "source")
            Achievable +=
                (Achievable.empty() ? "" : ", ") + text(F.Name) + " " + valueWithSource(F);
      // A measured all-reduce: its bus bandwidth at 1 MiB, 16 MiB and its largest size.
      for (const Section &S : R->Sections) {
        if (S.Kind != "all_reduce")
          continue;
        const auto Points = allReducePoints(S);
        std::string Curve;
        for (size_t I = 0; I < Points.size(); ++I)
          if (Points[I].first == 1048576.0 || Points[I].first == 16777216.0 ||
              I + 1 == Points.size()) {
            // `at_16MiB` reads "16 MiB".
            std::string Size = Points[I].second->Name.substr(3);
            Size.insert(Size.find_first_not_of("0123456789"), " ");
            Curve +=
                (Curve.empty() ? "" : ", ") + text(Points[I].second->V.str()) + " at " + text(Size);
          }
        const FieldValue *Devices = S.field("devices"), *Src = S.field("source");
        Achievable += (Achievable.empty() ? "" : "; ") + std::string("all-reduce bus bandwidth ") +
                      Curve + " on " + (Devices ? text(Devices->V.str()) : "?") + " devices" +
                      (Src ? " (" + sourceLink(Src->V.S) + ")" : "");
      }
      Row.push_back(Tdp ? text(Tdp->V.str()) : "-");
      // The clock a runtime's op_cycles count on, with its source where the field has one.
      const FieldValue *Clock = R->field("clock");
      Row.push_back(Clock ? valueWithSource(*Clock) : "-");
      // Each link: `nvlink 900 GB/s, 18 ports`; `roce 1050 GB/s, 21 ports to 7 peers`.
      std::string Links;
      for (const Section &S : R->Sections) {
        if (S.Kind != "link")
          continue;
        const FieldValue *B = S.field("bandwidth"), *Count = S.field("count"),
                         *Peers = S.field("peers");
        std::string Ports =
            Count ? fmt::format("{} port{}", Count->V.I, Count->V.I == 1 ? "" : "s") : "";
        if (Peers)
          Ports += fmt::format("{}to {} peer{}", Ports.empty() ? "" : " ", Peers->V.I,
                               Peers->V.I == 1 ? "" : "s");
        Links += (Links.empty() ? "" : "; ") + text(S.Name) + " " + (B ? text(B->V.str()) : "-") +
                 (Ports.empty() ? "" : ", " + Ports);
      }
      Row.push_back(Links.empty() ? "-" : Links);
      Row.push_back(Achievable.empty() ? "-" : Achievable);
      // The published measurements made on it among the inputs (docs/validation.md).
      const Module::DeviceMeasurements D = M.measurementsOn(R);
      Row.push_back(D.HeldOut || D.Calibration
                        ? fmt::format("{} held out{}", D.HeldOut,
                                      D.Calibration ? fmt::format(", {} calibration", D.Calibration)
                                                    : std::string())
                        : std::string("none"));
      Row.push_back(sourceLinks(R->Sources));
      T.Rows.push_back(std::move(Row));
    }
    T.print(OS);
    OS << "\n";
    // The class's defaults, used by records that give no fraction of their own.
    if (const HardwareRecord *R = In.front(); R->ClassEfficiency) {
      std::string D;
      for (const FieldValue &F : R->ClassEfficiency->Fields)
        if (F.Name != "source")
          D += (D.empty() ? "" : ", ") + text(F.Name) + " " + text(F.V.str());
      if (!D.empty())
        OS << "Where a record gives no achievable fraction, analyses take its class's: " << D
           << ".\n\n";
    }
    // The runtime an analysis that names none takes on these devices, where it is not the
    // default: the class's (a runtime's `default_for`), and a device's own (`default_runtime`).
    const RuntimeRecord *Plain = M.defaultRuntime();
    const bool OwnDefaults =
        llvm::any_of(In, [](const HardwareRecord *R) { return R->DefaultRuntime != nullptr; });
    for (const auto &Rt : M.Runtimes)
      if (Rt->DefaultFor == Class && Rt.get() != Plain)
        OS << "Where an analysis names no runtime, these devices take `" << text(Rt->Name)
           << "` (its `default_for` is this class)"
           << (OwnDefaults ? ", but for those whose record names its own" : "") << ".\n\n";
    for (const auto &Rt : M.Runtimes) {
      std::vector<std::string> Devices;
      for (const HardwareRecord *R : In)
        if (R->DefaultRuntime == Rt.get())
          Devices.push_back(text(R->Name));
      if (!Devices.empty())
        OS << "Where an analysis names no runtime, " << listInProse(Devices) << " take"
           << (Devices.size() == 1 ? "s" : "") << " `" << text(Rt->Name) << "` ("
           << (Devices.size() == 1 ? "its record's" : "their records'")
           << " `default_runtime`).\n\n";
    }
  }
  OS << "Peaks are dense (no structured sparsity), in operations per second of the precision's "
        "arithmetic; bandwidth is the datasheet's. Memory is the datasheet's capacity; \"visible\" "
        "is what the driver reports to programs, which analyses take with "
        "--device-memory-visible; the on-chip cache is what a model with an input keeps there.\n";
}

//===--- Scenarios --------------------------------------------------------===//

std::string precisions(const Module &M, const ScenarioRecord &S, bool Vision) {
  auto N = [](const PrecisionRecord *P) { return P ? text(P->Name) : std::string("-"); };
  std::string Out = "weights " + N(S.Weights);
  if (!Vision && S.Weights) // embedding tables and output head kept at 16 bits
    if (const PrecisionRecord &T = tablePrecision(S); &T != S.Weights)
      Out += " (tables " + N(&T) + ")";
  if (!Vision && S.ExpertWeights)
    Out += " (experts " + N(S.ExpertWeights) + ")";
  if (!Vision)
    Out += ", KV " + N(S.KV);
  const PrecisionRecord *C = computeOf(M, S), *E = expertComputeOf(M, S);
  Out += ", compute " + N(C);
  if (!Vision && E != C)
    Out += " (experts " + N(E) + ")";
  return Out;
}

void scenariosPage(llvm::raw_ostream &OS, const Module &M, Headings H, Intro AfterTitle) {
  H.print(OS, 0, "Scenarios");
  AfterTitle();
  auto All = sortedScenarios(M);
  std::vector<const ScenarioRecord *> Tokens, Inputs;
  for (const ScenarioRecord *S : All)
    (S->Model && S->Model->Stats.PerInput ? Inputs : Tokens).push_back(S);
  if (All.empty()) {
    OS << "No scenarios.\n";
    return;
  }
  OS << "Each scenario: a model on hardware and a runtime at one point. Expected "
        "figures are on the runtime shown, with the ideal roofline (datasheet peaks, no fixed "
        "cost) in parentheses; `zooc --emit=analysis` gives every factor and its origin.\n\n";
  auto Hardware = [](const ScenarioRecord *S) {
    return std::to_string(S->Devices) + " x " + (S->Hw ? text(S->Hw->Name) : "-") +
           (S->AttentionDP ? " (attention data parallel)" : "");
  };
  auto Fits = [](const ScenarioRecord *S) {
    const Value *F = S->result(ScenarioMetric::fits);
    if (!F)
      return std::string("-");
    std::string Out = humanResult(*F);
    if (const Value *D = S->result(ScenarioMetric::devices_needed);
        D && F->T.K == Type::Bool && !F->B)
      Out += " (needs " + humanResult(*D) + ")";
    return Out;
  };
  auto R = [](const ScenarioRecord *S, ScenarioMetric K) {
    const Value *V = S->result(K);
    return V ? humanResult(*V) : std::string("-");
  };
  auto E = [](const ScenarioRecord *S, ScenarioMetric K) { return expectedAndIdeal(*S, K); };
  auto Runtime = [](const ScenarioRecord *S) {
    return S->UsedRuntime ? text(S->UsedRuntime->Name) : std::string("none (ideal)");
  };
  if (!Tokens.empty()) {
    H.print(OS, 1, "Language models");
    Table T{{"Scenario", "Model", "Hardware", "Runtime", "Point", "Time to first token",
             "Time per output token", "Throughput (batch)", "Memory / device", "Fits"},
            {false, false, false, false, false, true, true, true, true, false},
            {}};
    for (const ScenarioRecord *S : Tokens)
      T.Rows.push_back({text(S->Name), S->Model ? text(S->modelName()) : "-", Hardware(S),
                        Runtime(S),
                        fmt::format("batch {}, prompt {}, output {}; {}", S->Batch, S->Prompt,
                                    S->Output, precisions(M, *S, false)),
                        E(S, ScenarioMetric::prefill_time), E(S, ScenarioMetric::decode_time),
                        E(S, ScenarioMetric::aggregate_tokens_per_s),
                        R(S, ScenarioMetric::memory_per_device), Fits(S)});
    T.print(OS);
    OS << "\nTime to first token: the prefill of the batch's prompts. Time per output token: "
          "the mean decode step over the generation. Throughput: decoded tokens per second for "
          "the whole batch.\n\n";
  }
  if (!Inputs.empty()) {
    H.print(OS, 1, "Models with an input");
    Table T{{"Scenario", "Model", "Hardware", "Runtime", "Point", "Time per batch",
             "Throughput (inputs/s)", "Memory / device", "Fits"},
            {false, false, false, false, false, true, true, true, false},
            {}};
    for (const ScenarioRecord *S : Inputs)
      T.Rows.push_back({text(S->Name), S->Model ? text(S->modelName()) : "-", Hardware(S),
                        Runtime(S), fmt::format("batch {}; {}", S->Batch, precisions(M, *S, true)),
                        E(S, ScenarioMetric::batch_time), E(S, ScenarioMetric::images_per_s),
                        R(S, ScenarioMetric::memory_per_device), Fits(S)});
    T.print(OS);
    OS << "\n";
  }
  // What the analysis could not model, each note once with the scenarios it concerns.
  std::vector<std::pair<std::string, std::vector<std::string>>> Notes;
  for (const ScenarioRecord *S : All)
    for (const std::string &N : S->Notes) {
      auto It = std::find_if(Notes.begin(), Notes.end(), [&](auto &X) { return X.first == N; });
      if (It == Notes.end())
        It = Notes.insert(Notes.end(), {N, {}});
      It->second.push_back(text(S->Name));
    }
  if (!Notes.empty()) {
    OS << "Not modelled:\n\n";
    for (const auto &[Note, Names] : Notes)
      OS << "- " << prose(Note) << " (" << llvm::join(Names, ", ") << ")\n";
    OS << "\n";
  }
  OS << "Memory / device: weights, KV cache and workspace (activations for models with an "
        "input) over the devices; fits: in the main memory of one device.\n";
}

/// Systems and training records: what each system is made of, and each training run's layout,
/// step (expected and ideal), MFU, memory and its measurement against the prediction.
void trainingPage(llvm::raw_ostream &OS, const Module &M, Headings H, Intro AfterTitle) {
  H.print(OS, 0, "Training");
  AfterTitle();
  auto GBs = [](double BytesPerS) { return fmt::format("{:g} GB/s", BytesPerS / 1e9); };
  std::vector<const SystemRecord *> Ss;
  for (const auto &S : M.Systems)
    Ss.push_back(S.get());
  std::sort(Ss.begin(), Ss.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
  H.print(OS, 1, "Systems");
  if (Ss.empty()) {
    OS << "No systems.\n\n";
  } else {
    OS << "Bandwidths per device (fabric) or per NIC (network), each direction.\n\n";
    Table T{{"System", "Devices", "Fabric", "Network", "Power"},
            {false, true, false, false, true},
            {}};
    for (const SystemRecord *S : Ss) {
      std::string Fabric = text(S->Fabric.Name) + ", " + GBs(S->Fabric.Bandwidth) +
                           (S->Fabric.Topology.empty() ? "" : ", " + text(S->Fabric.Topology));
      std::string Net = "-";
      if (S->Network)
        Net = fmt::format("{} x {}, {}", S->Network->Nics, text(S->Network->Name),
                          GBs(S->Network->Bandwidth)) +
              (S->Network->Topology.empty() ? "" : ", " + text(S->Network->Topology));
      T.Rows.push_back({text(S->Name),
                        fmt::format("{} x {}", S->Devices, S->Hw ? text(S->Hw->Name) : "-"),
                        Fabric, Net,
                        S->NodePower > 0 ? fmt::format("{:g} kW", S->NodePower / 1e3) : "-"});
    }
    T.print(OS);
    OS << "\n";
  }
  std::vector<const TrainingRecord *> Ts;
  for (const auto &T : M.Trainings)
    Ts.push_back(T.get());
  std::sort(Ts.begin(), Ts.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
  H.print(OS, 1, "Training runs");
  if (Ts.empty()) {
    OS << "No training records.\n";
    return;
  }
  OS << "Expected figures on the record's runtime, the ideal bound (datasheet peaks and link "
        "bandwidths) in parentheses; `zooc --emit=training` gives every term. Layout: tensor x "
        "pipeline x context x data parallel; `plan` marks a layout the planner chose.\n\n";
  auto E = [](const TrainingRecord *T, TrainingMetric K) {
    const Value *V = T->result(K), *I = T->ideal(K);
    if (!V)
      return std::string("-");
    std::string Out = humanResult(*V);
    if (I && humanResult(*I) != Out)
      Out += " (" + humanResult(*I) + ")";
    return Out;
  };
  Table Tb{{"Training", "Model", "Devices", "Layout", "Step", "MFU", "Memory / device",
            "Measured", "Error"},
           {false, false, false, false, true, true, true, false, true},
           {}};
  for (const TrainingRecord *T : Ts) {
    std::string Measured = "-", Error = "-";
    if (!T->Measured.empty() && !T->Results.empty()) {
      const TrainingMeasurement &X = T->Measured.front();
      Measured = text(trainingMetricName(X.Metric).str()) + " " + humanResult(X.Measured);
      if (const Value *P = T->result(X.Metric))
        Error = fmt::format("{:+.1f}%", (P->asDouble() / X.Measured.asDouble() - 1) * 100) +
                (T->Calibration ? " (calibration)" : "");
    }
    Tb.Rows.push_back(
        {text(T->Name), T->Model ? text(T->Model->Name) : "-",
         fmt::format("{} x {}", T->Devices,
                     T->System && T->System->Hw ? text(T->System->Hw->Name) : "-"),
         fmt::format("{} x {} x {} x {}{}{}", T->TP, T->PP, T->CP, T->DP,
                     T->Interleave > 1 ? fmt::format(", v {}", T->Interleave) : "",
                     T->Plan ? " (plan)" : ""),
         E(T, TrainingMetric::step_time), E(T, TrainingMetric::mfu),
         E(T, TrainingMetric::memory_per_device), Measured, Error});
  }
  Tb.print(OS);
}
} // namespace

//===--- The emitter ------------------------------------------------------===//

void MarkdownEmitter::banner(llvm::raw_ostream &OS) const {
  std::string From;
  for (const std::string &I : Inputs)
    From += (From.empty() ? "" : ", ") + code(I);
  OS << "Generated by `zooc --emit=markdown`" << (From.empty() ? "" : " from " + From)
     << "; do not edit.\n\n";
}

std::vector<MarkdownEmitter::Page> MarkdownEmitter::pages() const {
  std::vector<Page> Pages;
  auto Cs = std::make_shared<std::vector<Category>>(categories(M));
  auto Links = [this](llvm::raw_ostream &OS, bool Point) {
    return [this, &OS, Point] {
      banner(OS);
      if (Point)
        OS << "Figures at the analysis point: " << pointText(M.Point) << ". ";
      OS << "[All pages](README.md).\n\n";
    };
  };
  for (size_t I = 0; I < Cs->size(); ++I)
    Pages.push_back({(*Cs)[I].File, [this, Cs, I, Links](llvm::raw_ostream &OS) {
                       categoryPage(OS, M, (*Cs)[I], Headings{1}, Links(OS, true));
                     }});
  Pages.push_back({"hardware.md", [this, Links](llvm::raw_ostream &OS) {
                     hardwarePage(OS, M, Headings{1}, Links(OS, false));
                   }});
  Pages.push_back({"scenarios.md", [this, Links](llvm::raw_ostream &OS) {
                     scenariosPage(OS, M, Headings{1}, Links(OS, false));
                   }});
  Pages.push_back({"training.md", [this, Links](llvm::raw_ostream &OS) {
                     trainingPage(OS, M, Headings{1}, Links(OS, false));
                   }});
  Pages.push_back({"README.md", [this, Cs](llvm::raw_ostream &OS) {
                     OS << "# Model Zoo\n\n";
                     banner(OS);
                     OS << "Model figures are derived from each architecture by zooc, and "
                           "every `expect` of the records held when these pages were generated; "
                           "hardware figures are the records' own, with their sources. "
                           "Regenerate the pages with `zooc --emit=markdown -o DIR/` and the same "
                           "inputs, DIR being this directory.\n\n";
                     for (const Category &C : *Cs) {
                       size_t N = C.Models.size();
                       OS << "- [" << C.Title << "](" << C.File << "): " << N
                          << (N == 1 ? " model" : " models");
                       if (!C.Pipelines.empty())
                         OS << ", " << C.Pipelines.size()
                            << (C.Pipelines.size() == 1 ? " pipeline" : " pipelines");
                       OS << "\n";
                     }
                     size_t Hw = M.Hardware.size(), Sc = M.Scenarios.size();
                     OS << "- [Hardware](hardware.md): " << Hw << (Hw == 1 ? " device" : " devices")
                        << "\n- [Scenarios](scenarios.md): " << Sc
                        << (Sc == 1 ? " scenario" : " scenarios")
                        << "\n- [Training](training.md): " << M.Systems.size()
                        << (M.Systems.size() == 1 ? " system, " : " systems, ")
                        << M.Trainings.size()
                        << (M.Trainings.size() == 1 ? " training run" : " training runs")
                        << "\n\n";
                     OS << "Models' figures are at the analysis point: " << pointText(M.Point)
                        << ".\n";
                   }});
  return Pages;
}

void MarkdownEmitter::run(llvm::raw_ostream &OS) {
  OS << "# Model Zoo\n\n";
  banner(OS);
  OS << "Model figures are derived from each architecture by zooc, and every `expect` of the "
        "records held when this page was generated; hardware figures are the records' own, with "
        "their sources. Models' figures are at the analysis point: "
     << pointText(M.Point) << ".\n";
  auto None = [] {};
  for (const Category &C : categories(M)) {
    OS << "\n";
    categoryPage(OS, M, C, Headings{2}, None);
  }
  if (!M.Hardware.empty()) {
    OS << "\n";
    hardwarePage(OS, M, Headings{2}, None);
  }
  if (!M.Scenarios.empty()) {
    OS << "\n";
    scenariosPage(OS, M, Headings{2}, None);
  }
  if (!M.Trainings.empty() || !M.Systems.empty()) {
    OS << "\n";
    trainingPage(OS, M, Headings{2}, None);
  }
}
