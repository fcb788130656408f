//===- CppHeaderEmitter.cpp - the constexpr C++ registry ------------------===//
//
// Emits a self-contained C++17 header: one `inline constexpr` record per model, named after the
// model, and an array of all of them sorted by name. Each record's `name` is the Zoo name,
// unchanged; the C++ variable gets the same name when C++ allows it there, and otherwise a mangled
// one (see cppNames). Strings are escaped; paths in the banner comment are escaped so that they
// cannot end the comment or its line.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Inference.h"
#include "zoo/Analysis/Machine.h"
#include "zoo/Backends/Emitters.h"
#include "llvm/ADT/StringSet.h"
#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>

using namespace zoo;

namespace {

/// A C++ string literal. `?` after `?` is escaped, so no trigraph (which -Wtrigraphs reports)
/// can form.
std::string cppString(llvm::StringRef S) {
  std::string Out = "\"";
  char Prev = 0;
  for (unsigned char C : S) {
    if (C == '"' || C == '\\' || (C == '?' && Prev == '?'))
      Out += {'\\', static_cast<char>(C)};
    else if (C < 0x20 || C >= 0x7f)
      Out += fmt::format("\\{:03o}", C);
    else
      Out += static_cast<char>(C);
    Prev = static_cast<char>(C);
  }
  return Out + "\"";
}

/// User text (a path) inside a `//` comment: printable ASCII stays, a backslash is doubled, and
/// everything that could end the line or the comment, splice lines, form a trigraph or hide
/// bidirectional text (control characters, bytes over 0x7f, `*/`, `/*`, `??`) is escaped.
std::string commentText(llvm::StringRef S) {
  std::string Out;
  char Prev = 0;
  for (unsigned char C : S) {
    if (C == '\\')
      Out += "\\\\";
    else if (C == '\n')
      Out += "\\n";
    else if (C == '\r')
      Out += "\\r";
    else if (C == '\t')
      Out += "\\t";
    else if (C < 0x20 || C >= 0x7f)
      Out += fmt::format("\\x{:02x}", C);
    else if ((C == '/' && Prev == '*') || (C == '*' && Prev == '/') || (C == '?' && Prev == '?'))
      Out += {'\\', static_cast<char>(C)};
    else
      Out += static_cast<char>(C);
    Prev = static_cast<char>(C);
  }
  return Out;
}

/// Identifiers the header cannot declare at namespace scope: every C++20 keyword, alternative
/// token and identifier with a special meaning at the start of a line; GNU-mode keywords and
/// predefined macros; the object-like and function-like macros of the C and C++ standard
/// headers (<cstddef>, <cstdint>, <climits>, <cfloat>, <cstdio>, <cstdlib>, <cerrno>, <cassert>,
/// <csignal>, <clocale>, <cmath>, <ctime>, <cstdarg>, <csetjmp>, <cwchar>) that a program may
/// include before the header; and the header's own names and include guard.
const llvm::StringSet<> &unusableNames() {
  static const llvm::StringSet<> Names = [] {
    llvm::StringSet<> S;
    for (const char *N : {
             // C++20 keywords and alternative tokens.
             "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool",
             "break", "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class",
             "compl", "concept", "const", "consteval", "constexpr", "constinit", "const_cast",
             "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
             "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern",
             "false", "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable",
             "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
             "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
             "requires", "return", "short", "signed", "sizeof", "static", "static_assert",
             "static_cast", "struct", "switch", "template", "this", "thread_local", "throw",
             "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
             "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
             // Special at the start of a line (modules); GNU keywords and predefined macros.
             "import", "module", "typeof", "linux", "unix", "i386",
             // <cstddef>, <cstdio>, <cstdlib>, <cerrno>, <cassert>, <cstdarg>, <csetjmp>.
             "NULL", "offsetof", "EOF", "BUFSIZ", "FILENAME_MAX", "FOPEN_MAX", "L_tmpnam",
             "TMP_MAX", "SEEK_SET", "SEEK_CUR", "SEEK_END", "stdin", "stdout", "stderr",
             "EXIT_SUCCESS", "EXIT_FAILURE", "RAND_MAX", "MB_CUR_MAX", "errno", "EDOM", "ERANGE",
             "EILSEQ", "assert", "NDEBUG", "va_start", "va_arg", "va_copy", "va_end", "setjmp",
             // <csignal>, <clocale>, <ctime>, <cwchar>, <cmath>.
             "SIGABRT", "SIGFPE", "SIGILL", "SIGINT", "SIGSEGV", "SIGTERM", "SIG_DFL", "SIG_ERR",
             "SIG_IGN", "LC_ALL", "LC_COLLATE", "LC_CTYPE", "LC_MONETARY", "LC_NUMERIC",
             "LC_TIME", "CLOCKS_PER_SEC", "TIME_UTC", "WEOF", "HUGE_VAL", "HUGE_VALF",
             "HUGE_VALL", "INFINITY", "NAN", "FP_INFINITE", "FP_NAN", "FP_NORMAL",
             "FP_SUBNORMAL", "FP_ZERO", "FP_FAST_FMA", "FP_FAST_FMAF", "FP_FAST_FMAL",
             "FP_ILOGB0", "FP_ILOGBNAN", "MATH_ERRNO", "MATH_ERREXCEPT", "math_errhandling",
             // <cstdint> (beyond the sized families below) and <climits>.
             "INTMAX_MIN", "INTMAX_MAX", "UINTMAX_MAX", "INTMAX_C", "UINTMAX_C", "INTPTR_MIN",
             "INTPTR_MAX", "UINTPTR_MAX", "PTRDIFF_MIN", "PTRDIFF_MAX", "SIZE_MAX",
             "SIG_ATOMIC_MIN", "SIG_ATOMIC_MAX", "WCHAR_MIN", "WCHAR_MAX", "WINT_MIN",
             "WINT_MAX", "CHAR_BIT", "SCHAR_MIN", "SCHAR_MAX", "UCHAR_MAX", "CHAR_MIN",
             "CHAR_MAX", "MB_LEN_MAX", "SHRT_MIN", "SHRT_MAX", "USHRT_MAX", "INT_MIN", "INT_MAX",
             "UINT_MAX", "LONG_MIN", "LONG_MAX", "ULONG_MAX", "LLONG_MIN", "LLONG_MAX",
             "ULLONG_MAX",
             // <cfloat> (beyond the per-type families below).
             "FLT_RADIX", "FLT_ROUNDS", "FLT_EVAL_METHOD", "DECIMAL_DIG",
             // The header's own names (its include guard is checked apart: it follows the
             // namespace).
             "std", "Model", "models", "model_count", "find_model", "Hardware", "hardware",
             "hardware_count", "find_hardware", "Peak", "peaks", "peak_count", "Precision",
             "precisions", "precision_count", "find_precision", "detail", "WeightBytes",
             "weight_bytes", "weight_bytes_count", "analysis_context_tokens", "kv_precision",
             "Scenario", "scenarios", "scenario_count", "find_scenario", "Bound"})
      S.insert(N);
    for (const char *W : {"8", "16", "32", "64"})
      for (const char *F : {"INT%_MIN", "INT%_MAX", "UINT%_MAX", "INT_LEAST%_MIN",
                            "INT_LEAST%_MAX", "UINT_LEAST%_MAX", "INT_FAST%_MIN",
                            "INT_FAST%_MAX", "UINT_FAST%_MAX", "INT%_C", "UINT%_C"})
        S.insert(llvm::StringRef(F).str().replace(llvm::StringRef(F).find('%'), 1, W));
    for (const char *T : {"FLT", "DBL", "LDBL"})
      for (const char *F : {"MIN", "MAX", "EPSILON", "TRUE_MIN", "DIG", "MANT_DIG", "MIN_EXP",
                            "MAX_EXP", "MIN_10_EXP", "MAX_10_EXP", "DECIMAL_DIG", "HAS_SUBNORM"})
        S.insert(std::string(T) + "_" + F);
    return S;
  }();
  return Names;
}

/// True when `N` can name a variable of the header: not reserved (a leading underscore, which
/// covers underscore-capital, or a double underscore anywhere) and not in unusableNames().
bool usableName(llvm::StringRef N) {
  return !N.empty() && N[0] != '_' && !N.contains("__") && !unusableNames().count(N);
}

/// The C++ variable name of each model (in the order of `Models`): the Zoo name itself when it is
/// usable; otherwise the first free usable name among S, S_, S_2, S_3, ..., where S is the Zoo
/// name with each run of underscores made one and a leading underscore turned into `z_`. Usable
/// Zoo names are taken first, so no model's own name is ever given to another; the rest are
/// assigned in the (sorted) order of `Models`, so the result is deterministic.
std::vector<std::string> cppNames(llvm::ArrayRef<const ModelRecord *> Models,
                                  llvm::StringRef Guard) {
  auto Usable = [&](llvm::StringRef N) { return usableName(N) && N != Guard; };
  llvm::StringSet<> Taken;
  for (const ModelRecord *R : Models)
    if (Usable(R->Name))
      Taken.insert(R->Name);
  std::vector<std::string> Names;
  for (const ModelRecord *R : Models) {
    if (Usable(R->Name)) {
      Names.push_back(R->Name);
      continue;
    }
    std::string S;
    for (char C : R->Name)
      if (C != '_' || S.empty() || S.back() != '_')
        S += C;
    if (S[0] == '_')
      S = "z" + S;
    std::string Base = S.back() == '_' ? S : S + "_";
    std::string C = S;
    for (unsigned K = 1; !Usable(C) || !Taken.insert(C).second; ++K)
      C = K == 1 ? Base : Base + std::to_string(K);
    Names.push_back(C);
  }
  return Names;
}
} // namespace

namespace {
/// A C++ double literal that reads back as exactly `V` (finite: the passes refuse the others).
std::string cppDouble(double V) {
  std::string T = fmt::format("{}", V);
  if (T.find_first_of(".e") == std::string::npos)
    T += ".0";
  return T;
}

/// `constexpr const TYPE *FN(const char *name)`: the entry of `ARRAY` named `name`, or nullptr.
void lookup(llvm::raw_ostream &OS, llvm::StringRef Type, llvm::StringRef Fn, llvm::StringRef Array,
            bool Empty, llvm::StringRef What) {
  OS << "\n/// The " << What << " whose Zoo name is `name`, or nullptr; usable in constant "
     << "expressions.\nconstexpr const " << Type << " *" << Fn << "(const char *name) {\n";
  if (Empty)
    OS << "  (void)name;\n";
  else
    OS << "  for (const " << Type << " &r : " << Array << ")\n"
       << "    if (detail::same_name(r.name, name))\n"
       << "      return &r;\n";
  OS << "  return nullptr;\n}\n";
}
} // namespace

namespace {
/// How the header spells one scenario metric of ScenarioMetrics.def: its member (the unit last
/// in the name, where it has one), the C++ type, and a comment.
struct ScenarioMember {
  ScenarioMetric K;
  std::string Member; ///< `prefill_time_s`; the ideal figure is `ideal_` + Member
  enum { Real, Count, Flag, Roof } Kind;
  const char *Description;
};

std::vector<ScenarioMember> scenarioMembers() {
  std::vector<ScenarioMember> Ms;
  auto Add = [&](ScenarioMetric K, llvm::StringRef Name, llvm::StringRef Type, const char *D) {
    std::string Unit = Type == "s"          ? "_s"
                       : Type == "tokens/s" ? "_tokens_per_s"
                       : Type == "bytes"    ? "_bytes"
                       : Type == "J"        ? "_joules"
                       : Type == "USD"      ? "_usd"
                       : Type == "gCO2e"    ? "_gco2e"
                       : Type == "FLOP/bytes" ? "_flop_per_byte"
                       : Name == "max_context" ? "_tokens" // a count of tokens
                                                 : "";
    // A name that already ends in its unit (`kv_bytes`, `tokens_per_s`) keeps it once.
    std::string Member = Name.str();
    if (!Unit.empty() && !Name.endswith(Unit) && Name != llvm::StringRef(Unit).drop_front())
      Member += Unit;
    auto Kind = Type == "int"     ? ScenarioMember::Count
                : Type == "bool"  ? ScenarioMember::Flag
                : Type == "bound" ? ScenarioMember::Roof
                                  : ScenarioMember::Real;
    Ms.push_back({K, Member, Kind, D});
  };
#define SCENARIO_METRIC(NAME, TYPE, DESC) Add(ScenarioMetric::NAME, #NAME, TYPE, DESC);
#include "zoo/IR/ScenarioMetrics.def"
  return Ms;
}

constexpr Bound AllBounds[] = {Bound::Compute, Bound::Memory, Bound::Overhead,
                               Bound::Interconnect};

/// One figure as a C++ initializer: absent (`V` null) is -1, `Bound::none` or false; a count
/// that is unbounded is INT64_MAX, as the analysis holds it.
std::string scenarioValue(const ScenarioMember &X, const Value *V) {
  switch (X.Kind) {
  case ScenarioMember::Flag:
    return V && V->T.K == Type::Bool && V->B ? "true" : "false";
  case ScenarioMember::Roof:
    if (V)
      for (Bound B : AllBounds)
        if (V->S == boundName(B))
          return std::string("Bound::") + boundName(B);
    return "Bound::none";
  case ScenarioMember::Count:
    if (V && V->T.K == Type::Int)
      return std::to_string(V->I);
    if (V && std::isfinite(V->asDouble()) && std::fabs(V->asDouble()) < 0x1p63)
      return std::to_string(static_cast<int64_t>(V->asDouble()));
    return "-1";
  case ScenarioMember::Real:
    // The passes refuse a figure that is not finite (an error at the scenario); one that
    // reached the header would read as absent.
    return V && std::isfinite(V->asDouble()) ? cppDouble(V->asDouble()) : "-1.0";
  }
  llvm_unreachable("every kind of member is spelt above");
}
} // namespace

bool CppHeaderEmitter::validNamespace(llvm::StringRef NS) {
  llvm::SmallVector<llvm::StringRef, 4> Parts;
  NS.split(Parts, "::");
  for (llvm::StringRef P : Parts) {
    // The header's own member names may name a namespace; `std` may not.
    bool OwnName = P == "Model" || P == "models" || P == "model_count";
    if ((!usableName(P) && !OwnName) || !std::isalpha(static_cast<unsigned char>(P[0])))
      return false;
    for (char C : P)
      if (!std::isalnum(static_cast<unsigned char>(C)) && C != '_')
        return false;
  }
  return true;
}

std::string CppHeaderEmitter::includeGuard(llvm::StringRef NS) {
  std::string G;
  for (char C : NS.str() + "_H")
    G += C == ':' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(C)));
  std::string Collapsed; // `::` gives one underscore
  for (char C : G)
    if (!(C == '_' && !Collapsed.empty() && Collapsed.back() == '_'))
      Collapsed += C;
  return Collapsed;
}

void CppHeaderEmitter::run(llvm::raw_ostream &OS) {
  const std::string IncludeGuard = includeGuard(Namespace);
  std::string From;
  for (const std::string &I : Inputs)
    From += (From.empty() ? "" : ", ") + commentText(I);
  OS << "// Generated by zooc from " << From << "; do not edit.\n"
     << "// The Zoo model registry: one constexpr record per model, checked against its sources\n"
     << "// when it was generated. A record's C++ name is its model's name, or, where C++ does "
        "not\n"
     << "// allow that name, a variant of it; `name` always holds the model's name. Then "
        "hardware,\n"
     << "// precisions and the declared scenarios with their results, each with a lookup by name.\n"
     << "#ifndef " << IncludeGuard << "\n#define " << IncludeGuard << "\n\n"
     << "#include <cstddef>\n#include <cstdint>\n\n"
     << "namespace " << Namespace << " {\n\n"
     << "struct Model {\n"
     << "  const char *name;\n"
     << "  const char *architecture;\n"
     << "  const char *family;\n"
     << "  std::int64_t params;          // learnable parameters, exact\n"
     << "  std::int64_t active_params;   // used by one token: top-k experts, one embedding row\n"
     << "  std::int64_t layers;\n"
     << "  std::int64_t context_tokens;  // 0 when not declared\n"
     << "  const char *source;           // first source, \"\" when none\n"
     << "  double flops_per_token;       // at analysis_context_tokens; 0 for models with an "
        "input\n"
     << "  double kv_bytes_per_token;    // all layers, at kv_precision; 0 when none\n"
     << "  double flops_per_input;       // models with an input (an image); 0 for the others\n"
     << "};\n\n"
     << "struct WeightBytes {\n"
     << "  const char *model;                 // the model, or the pipeline it runs\n"
     << "  const char *precision;\n"
     << "  double bytes;                 // every parameter stored at `precision`, scales "
        "included\n"
     << "};\n\n"
     << "// The analysis point the per-token figures are taken at.\n"
     << "inline constexpr std::int64_t analysis_context_tokens = " << M.Point.Context << ";\n"
     << "inline constexpr const char *kv_precision = " << cppString(M.Point.KV) << ";\n\n";
  OS << "namespace detail {\n"
     << "constexpr bool same_name(const char *a, const char *b) {\n"
     << "  while (*a != '\\0' && *a == *b) {\n"
     << "    ++a;\n"
     << "    ++b;\n"
     << "  }\n"
     << "  return *a == *b;\n"
     << "}\n"
     << "} // namespace detail\n\n";
  auto Models = sortedModels(M);
  auto Metric = [](const ModelRecord *R, MetricKind K, llvm::StringRef Prec = "") {
    const MetricResult *X = R->evaluated(K, Prec);
    return X && X->V ? X->V->asDouble() : 0.0;
  };
  std::vector<std::string> Names = cppNames(Models, IncludeGuard);
  for (size_t I = 0; I < Models.size(); ++I) {
    const ModelRecord *R = Models[I];
    const FieldValue *Family = R->field("family"), *Ctx = R->field("context");
    OS << "inline constexpr Model " << Names[I] << " = {" << cppString(R->Name) << ", "
       << cppString(R->Arch->Name) << ", " << cppString(Family ? Family->V.S : "") << ", "
       << R->Stats.Params << ", " << R->Stats.ActiveParams << ", " << R->Stats.Layers << ", "
       << (Ctx ? static_cast<int64_t>(Ctx->V.R) : 0) << ", "
       << cppString(R->Sources.empty() ? "" : R->Sources.front()) << ", "
       << cppDouble(Metric(R, MetricKind::flops_per_token)) << ", "
       << cppDouble(Metric(R, MetricKind::kv_bytes_per_token)) << ", "
       << cppDouble(Metric(R, MetricKind::flops_per_image)) << "};\n";
  }
  OS << "\ninline constexpr std::size_t model_count = " << Models.size() << ";\n";
  if (!Models.empty()) {
    OS << "inline constexpr Model models[] = {";
    for (size_t I = 0; I < Models.size(); ++I)
      OS << (I ? ", " : "") << Names[I];
    OS << "};\n";
  }
  lookup(OS, "Model", "find_model", "models", Models.empty(), "model");
  std::vector<std::string> Weights;
  for (const ModelRecord *R : Models)
    for (const auto &P : M.Precisions)
      if (const MetricResult *X = R->evaluated(MetricKind::weight_bytes, P->Name); X && X->V)
        Weights.push_back("{" + cppString(R->Name) + ", " + cppString(P->Name) + ", " +
                          cppDouble(X->V->asDouble()) + "}");
  OS << "\ninline constexpr std::size_t weight_bytes_count = " << Weights.size() << ";\n";
  if (!Weights.empty()) {
    OS << "inline constexpr WeightBytes weight_bytes[] = {\n";
    for (const std::string &W : Weights)
      OS << "    " << W << ",\n";
    OS << "};\n";
  }

  // Hardware: one entry per record, memory and power in base units (bytes, bytes/s, watts), and
  // each dense compute peak per precision in operations per second.
  auto Hw = sortedHardware(M);
  OS << "\nstruct Hardware {\n"
     << "  const char *name;\n"
     << "  const char *vendor;\n"
     << "  const char *kind;                  // its class: gpu, tpu, npu, cpu, mcu, ...\n"
     << "  double memory_bytes;               // the first memory section; 0 when none\n"
     << "  double memory_bytes_per_second;\n"
     << "  double cache_bytes;                // the on-chip cache; 0 when not declared\n"
     << "  double tdp_watts;                  // 0 when not declared\n"
     << "  const char *source;                // first source, \"\" when none\n"
     << "};\n\n"
     << "struct Peak {\n"
     << "  const char *hardware;\n"
     << "  const char *precision;\n"
     << "  double ops_per_second;             // dense peak of the `compute` section\n"
     << "};\n\n"
     << "inline constexpr std::size_t hardware_count = " << Hw.size() << ";\n";
  std::vector<std::string> Peaks;
  if (!Hw.empty()) {
    OS << "inline constexpr Hardware hardware[] = {\n";
    for (const HardwareRecord *H : Hw) {
      const Section *Mem = nullptr, *Dense = nullptr;
      for (const Section &S : H->Sections) {
        if (S.Kind == "memory" && !Mem)
          Mem = &S;
        if (S.Kind == "compute" && !Dense)
          Dense = &S;
      }
      auto Real = [](const FieldValue *F) { return F ? F->V.R : 0.0; };
      const FieldValue *Vendor = H->field("vendor");
      OS << "    {" << cppString(H->Name) << ", " << cppString(Vendor ? Vendor->V.S : "") << ", "
         << cppString(H->Class) << ", " << cppDouble(Mem ? Real(Mem->field("capacity")) : 0.0)
         << ", " << cppDouble(Mem ? Real(Mem->field("bandwidth")) : 0.0) << ", "
         << cppDouble(Real(H->field("cache"))) << ", " << cppDouble(Real(H->field("tdp"))) << ", "
         << cppString(H->Sources.empty() ? "" : H->Sources.front()) << "},\n";
      if (Dense)
        for (const FieldValue &F : Dense->Fields)
          if (F.Name != "source")
            Peaks.push_back("{" + cppString(H->Name) + ", " + cppString(F.Name) + ", " +
                            cppDouble(F.V.R) + "}");
    }
    OS << "};\n";
  }
  OS << "inline constexpr std::size_t peak_count = " << Peaks.size() << ";\n";
  if (!Peaks.empty()) {
    OS << "inline constexpr Peak peaks[] = {\n";
    for (const std::string &P : Peaks)
      OS << "    " << P << ",\n";
    OS << "};\n";
  }
  lookup(OS, "Hardware", "find_hardware", "hardware", Hw.empty(), "hardware");

  // Precisions: storage bits, and bits per value with any block scale.
  std::vector<const PrecisionRecord *> Ps;
  for (const auto &P : M.Precisions)
    Ps.push_back(P.get());
  std::sort(Ps.begin(), Ps.end(),
            [](const PrecisionRecord *A, const PrecisionRecord *B) { return A->Name < B->Name; });
  OS << "\nstruct Precision {\n"
     << "  const char *name;\n"
     << "  std::int64_t bits;                 // storage bits per value\n"
     << "  double bits_per_value;             // with the block scale, if any\n"
     << "};\n\n"
     << "inline constexpr std::size_t precision_count = " << Ps.size() << ";\n";
  if (!Ps.empty()) {
    OS << "inline constexpr Precision precisions[] = {\n";
    for (const PrecisionRecord *P : Ps)
      OS << "    {" << cppString(P->Name) << ", " << P->Bits << ", "
         << cppDouble(P->bitsPerValue()) << "},\n";
    OS << "};\n";
  }
  lookup(OS, "Precision", "find_precision", "precisions", Ps.empty(), "precision");

  // Scenarios: the point of each, and every figure of ScenarioMetrics.def twice, the expected
  // one and, beside it, the ideal roofline.
  auto Scenarios = sortedScenarios(M);
  auto Members = scenarioMembers();
  OS << "\n/// Which roof binds a phase; `none` where the scenario has no such phase.\n"
     << "enum class Bound { none";
  for (Bound B : AllBounds)
    OS << ", " << boundName(B);
  OS << " };\n\n"
     << "// A declared scenario: a model on hardware and a runtime at one point, and every figure\n"
     << "// the analysis gives for it, the expected one (on the runtime's and the hardware's\n"
     << "// factors) and its ideal roofline (`ideal_`: datasheet peaks, no fixed cost) beside it.\n"
     << "// Units are in the names. A figure the scenario does not have (a decode time of a model\n"
     << "// with an input, an energy without a power figure) is -1, or Bound::none; a count with\n"
     << "// no bound (max_context of a model without a KV cache) is INT64_MAX.\n"
     << "struct Scenario {\n"
     << "  const char *name;\n"
     << "  const char *model;                 // the model, or the pipeline it runs\n"
     << "  const char *hardware;\n"
     << "  const char *runtime;               // \"\" when none: the ideal roofline only\n"
     << "  bool per_input;                    // the model takes an input: the figures are per "
        "batch of\n"
     << "                                     // inputs (batch_time_s, images_per_s, ...)\n"
     << "  std::int64_t batch;\n"
     << "  std::int64_t prompt_tokens;\n"
     << "  std::int64_t output_tokens;\n"
     << "  std::int64_t context_tokens;       // prompt + output: the length the KV cache holds\n"
     << "  std::int64_t prefill_chunk_tokens; // 0: each sequence's prompt at once\n"
     << "  std::int64_t devices;\n"
     << "  const char *weights;               // precisions\n"
     << "  const char *kv;\n"
     << "  const char *activations;\n"
     << "  const char *compute;\n";
  for (const ScenarioMember &X : Members) {
    const char *Type = X.Kind == ScenarioMember::Count  ? "std::int64_t"
                       : X.Kind == ScenarioMember::Flag ? "bool"
                       : X.Kind == ScenarioMember::Roof ? "Bound"
                                                        : "double";
    OS << "  " << Type << " " << X.Member << ", ideal_" << X.Member << "; // "
       << X.Description << "\n";
  }
  OS << "};\n\n"
     << "inline constexpr std::size_t scenario_count = " << Scenarios.size() << ";\n";
  if (!Scenarios.empty()) {
    OS << "inline constexpr Scenario scenarios[] = {\n";
    auto Name = [](const Record *R) { return cppString(R ? R->Name : ""); };
    for (const ScenarioRecord *S : Scenarios) {
      OS << "    {" << cppString(S->Name) << ", " << cppString(S->Model ? S->modelName() : "")
         << ", " << Name(S->Hw) << ", " << Name(S->UsedRuntime) << ", "
         << (S->Model && S->Model->Stats.PerInput ? "true" : "false") << ",\n     " << S->Batch
         << ", " << S->Prompt << ", " << S->Output << ", " << S->Prompt + S->Output << ", "
         << S->PrefillChunk << ", " << S->Devices << ", " << Name(S->Weights) << ", " << Name(S->KV)
         << ", " << Name(S->Activations) << ", " << Name(computeOf(M, *S)) << ",\n";
      for (size_t I = 0; I < Members.size(); ++I) {
        const ScenarioMember &X = Members[I];
        OS << "     " << scenarioValue(X, S->result(X.K)) << ", "
           << scenarioValue(X, S->ideal(X.K)) << (I + 1 < Members.size() ? "," : "") << " // "
           << X.Member << "\n";
      }
      OS << "    },\n";
    }
    OS << "};\n";
  }
  lookup(OS, "Scenario", "find_scenario", "scenarios", Scenarios.empty(), "scenario");
  OS << "\n} // namespace " << Namespace << "\n\n#endif // " << IncludeGuard << "\n";
}
