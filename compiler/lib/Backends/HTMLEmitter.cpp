//===- HTMLEmitter.cpp - one self-contained HTML page with charts (--emit=html) ===//
//
// A page with inline CSS and inline SVG, no script and no external resource: a header with the
// analysis point and the conventions, then (1) a roofline per device setup with each language
// model's prefill and decode point, (2) KV cache and state against context, (3) time per output
// token, time to first token and decode throughput against batch, expected beside ideal, and
// (4) the model x device fit heatmap per weight precision. Every value comes from PlotData
// (Analysis/Plots.h) or the fit matrix; this file only places and labels them. Colours follow
// the model (or device) through the page; every mark has a tooltip with its values.
//
//===----------------------------------------------------------------------===//
#include "SVGChart.h"
#include "zoo/Backends/Emitters.h"
#include "zoo/Basic/Checked.h"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

using namespace zoo;
using svg::escape;

namespace {
/// Where no --runtime is given: the hardware classes and devices with a default runtime of their
/// own (`default_for`, `default_runtime`), which their figures use, as "; mcu_engine on mcu
/// hardware; neuronx on Inferentia2, Trainium2".
std::string classDefaults(const Module &M) {
  std::string Out;
  if (M.CommandLineRuntime)
    return Out;
  for (const auto &R : M.Runtimes) {
    if (!R->DefaultFor.empty())
      Out += "; " + escape(R->Name) + " on " + escape(R->DefaultFor) + " hardware";
    std::string Devices;
    for (const auto &H : M.Hardware)
      if (H->DefaultRuntime == R.get())
        Devices += (Devices.empty() ? "" : ", ") + escape(H->Name);
    if (!Devices.empty())
      Out += "; " + escape(R->Name) + " on " + Devices;
  }
  return Out;
}

std::string human(double V, Dim D) {
  Value X;
  X.T = Type::quantity(D);
  X.R = V;
  return humanResult(X);
}
std::string seconds(double V) { return human(V, Dim::of(BaseDim::Second)); }
std::string tokensPerS(double V) {
  return human(V, Dim::of(BaseDim::Token) / Dim::of(BaseDim::Second));
}
std::string intensity(double V) {
  return human(V, Dim::of(BaseDim::Flop) / Dim::of(BaseDim::Byte));
}
/// `989 TFLOP/s`: SI prefixes; `OP/s` for integer compute precisions.
std::string rate(double V, bool Ops) { return humanSI(V) + (Ops ? "OP/s" : "FLOP/s"); }
std::string bandwidth(double V) { return humanSI(V) + "B/s"; }
/// `1 KiB`-style labels for a bytes axis.
std::string bytesTick(double V) { return humanBytes(V); }
/// A token or batch count on an axis: `512`, `4K` (K = 1024), `1M` (M = 1024 K).
std::string countTick(double V) {
  auto N = static_cast<int64_t>(std::llround(V));
  if (N >= (1 << 20) && N % (1 << 20) == 0)
    return std::to_string(N >> 20) + "M";
  if (N >= 1024 && N % 1024 == 0)
    return std::to_string(N >> 10) + "K";
  return std::to_string(N);
}
/// Tick labels of a decimal quantity: `100 m`, `1`, `10 k`, with the unit appended.
std::function<std::string(double)> siTick(std::string Unit) {
  return [Unit](double V) {
    if (V == 0)
      return "0" + (Unit.empty() ? "" : " " + Unit);
    if (std::fabs(V) < 1) {
      static const char *Small[] = {"m", "u", "n", "p"};
      int U = -1;
      while (std::fabs(V) < 1 && U < 3) {
        V *= 1000;
        ++U;
      }
      return fmt::format("{:g} {}{}", std::round(V * 1000) / 1000, Small[U], Unit);
    }
    std::string S = humanSI(V); // `1.00 k`: three digits
    // Drop the padding zeros of a round tick: `1.00 k` -> `1 k`.
    size_t Dot = S.find('.');
    if (Dot != std::string::npos) {
      size_t End = S.find(' ');
      std::string Digits = S.substr(0, End);
      while (!Digits.empty() && Digits.back() == '0')
        Digits.pop_back();
      if (!Digits.empty() && Digits.back() == '.')
        Digits.pop_back();
      S = Digits + S.substr(End);
    }
    if (!S.empty() && S.back() == ' ')
      S.pop_back();
    return S + (Unit.empty() ? "" : (S.back() >= '0' && S.back() <= '9' ? " " : "") + Unit);
  };
}
/// Seconds ticks: `10 ms`, `1 s`.
std::string secondsTick(double V) {
  if (V >= 1)
    return fmt::format("{:g} s", V);
  if (V >= 1e-3)
    return fmt::format("{:g} ms", std::round(V * 1e6) / 1e3);
  return fmt::format("{:g} us", std::round(V * 1e9) / 1e3);
}

std::string names(const std::vector<const ModelRecord *> &Rs) {
  std::string Out;
  for (const ModelRecord *R : Rs)
    Out += (Out.empty() ? "" : ", ") + R->Name;
  return Out;
}

bool integerCompute(const PrecisionRecord *P) {
  return P && llvm::StringRef(P->Name).startswith("int");
}

std::string family(const ModelRecord &R) {
  const FieldValue *F = R.field("family");
  return F && F->V.T.K == Type::String ? F->V.S : "";
}
std::string withFamily(const ModelRecord &R) {
  std::string F = family(R);
  return F.empty() ? R.Name : R.Name + " (" + F + ")";
}

/// The colour of series I of N: Tableau 10 for up to ten, else hues a golden angle apart.
std::string colour(size_t I, size_t N) {
  static const char *Ten[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                              "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  if (N <= 10)
    return Ten[I];
  int Hue = static_cast<int>(std::fmod(static_cast<double>(I) * 137.508, 360.0));
  return fmt::format("hsl({},{}%,{}%)", Hue, I % 2 ? 55 : 70, I % 3 == 2 ? 52 : 40);
}

/// The y axis of a chart of one figure against batch, expected beside ideal, over the samples that
/// fit their machine: logarithmic when the values span more than 20x, else linear from 0.
template <typename Curve, typename Sample>
svg::Axis figureAxis(const std::vector<const Curve *> &Curves, double Sample::*Expected,
                     double Sample::*Ideal, const char *Name, bool Seconds) {
  double Lo = INFINITY, Hi = 0;
  for (const Curve *C : Curves)
    for (const Sample &S : C->Samples)
      for (auto [V, Fits] : {std::pair{S.*Expected, S.Fits}, std::pair{S.*Ideal, S.IdealFits}})
        if (Fits && std::isfinite(V) && V > 0) {
          Lo = std::min(Lo, V);
          Hi = std::max(Hi, V);
        }
  const bool Log = !(Hi / Lo < 20);
  auto TickFormat = Seconds ? std::function<std::string(double)>(secondsTick) : siTick("");
  return Log ? svg::Axis::log(Lo, Hi * 1.05, 10, Name, TickFormat)
             : svg::Axis::linear(0, Hi * 1.05, Name, TickFormat);
}

/// One curve against batch: the ideal's line (dashed) and the expected's (solid), each over the
/// samples that fit its machine, and a mark on each expected sample with the tooltip Tip(sample).
template <typename Sample, typename TipFn>
void drawFigure(svg::Chart &C, const std::vector<Sample> &Samples, double Sample::*Expected,
                double Sample::*Ideal, TipFn Tip) {
  std::vector<svg::Point> E, I;
  for (const Sample &S : Samples) {
    const double B = static_cast<double>(S.Batch);
    if (S.Fits)
      E.push_back({B, S.*Expected});
    if (S.IdealFits)
      I.push_back({B, S.*Ideal});
  }
  C.line(I, "ln id");
  C.line(E, "ln");
  for (const Sample &S : Samples)
    if (S.Fits)
      C.marker(static_cast<double>(S.Batch), S.*Expected, 2.4, false, "mk", Tip(S));
}

const char *Style =
    R"(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1500px;padding:0 20px 40px;color:#222;background:#fff}
h1{font-size:1.6em;margin:18px 0 4px}h2{margin-top:34px;border-bottom:1px solid #ccc}h3{margin:22px 0 4px;font-size:1.05em}
p{max-width:1100px}.note{color:#555;font-size:.92em}code{font-size:.95em}
nav a{margin-right:14px}dl.point{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0}dt{color:#555}dd{margin:0}
.grid{display:flex;flex-wrap:wrap;gap:10px 18px}figure{margin:0}figcaption{font-size:.85em;color:#333;max-width:380px}
.scroll{overflow-x:auto}
ul.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:2px 14px;font-size:.85em}
.sw{display:inline-block;width:10px;height:10px;margin-right:4px;background:var(--c)}.sw.dash{height:0;width:16px;border-top:2px dashed #333;background:none;vertical-align:middle}.sw.solid{height:0;width:16px;border-top:2px solid #333;background:none;vertical-align:middle}
svg.chart{background:#fff;font-size:10px}svg text{fill:#333}
.grid line{stroke:#e6e6e6}.frame{fill:none;stroke:#999}.tick text{fill:#555}text.axis{font-size:11px;fill:#222}text.rl{font-size:9px;fill:#444}
.roof{fill:none;stroke:#222;stroke-width:2}.roof.ach{stroke:#888;stroke-dasharray:6 3}
.ln{fill:none;stroke:var(--c);stroke-width:1.6}.ln.id{stroke-dasharray:4 3;stroke-width:1.2;opacity:.8}
.mk{fill:var(--c);stroke:#fff;stroke-width:.6}.mk.dec{fill:#fff;stroke:var(--c);stroke-width:1.6}.nf{opacity:.35}
.ref{stroke:#999;stroke-dasharray:2 3}.at{stroke:#c33;stroke-dasharray:3 3}
svg.heat text{font-size:9px}.heat .cell text{text-anchor:middle;fill:#222}.heat .hd{fill:#333}
.pt0{fill:#4e79a7}.pt1{fill:#a0cbe8}.pt2{fill:#bab0ac}.pt3{fill:#f28e2b}.pt4{fill:#ffbe7d}.pt5{fill:#59a14f}.pt6{fill:#8cd17d}.pt7{fill:#e15759}.pt8{fill:#b07aa1}.idl{stroke:#222;stroke-width:1.5;stroke-dasharray:3 2}
.f0 rect,rect.f0{fill:#eee}.f1 rect,rect.f1{fill:#59a14f}.f2 rect,rect.f2{fill:#a0cf6a}.f3 rect,rect.f3{fill:#edc948}.f4 rect,rect.f4{fill:#f28e2b}.f5 rect,rect.f5{fill:#e15759}.f6 rect,rect.f6{fill:#9d2530}.f6 text{fill:#fff}
)";

class Page {
public:
  Page(const Module &M, const PlotData &D, llvm::raw_ostream &OS) : M(M), D(D), OS(OS) {}
  void run();

private:
  const Module &M;
  const PlotData &D;
  llvm::raw_ostream &OS;
  int NextId = 0;

  std::string id() { return "c" + std::to_string(NextId++); }
  size_t modelIndex(const ModelRecord *R) const {
    return static_cast<size_t>(std::find(D.LanguageModels.begin(), D.LanguageModels.end(), R) -
                               D.LanguageModels.begin());
  }
  size_t deviceIndex(const HardwareRecord *H) const {
    for (size_t I = 0; I < D.Devices.size(); ++I)
      if (D.Devices[I].Hw == H)
        return I;
    return 0;
  }
  void header();
  void rooflines();
  void roofline(const DeviceRoofline &R);
  void kvCache();
  void batches();
  void batchGroup(const std::string &Title, const std::vector<const BatchCurve *> &Curves,
                  bool SeriesAreDevices, const std::string &Missing);
  void fitMatrix();
  void training();
  void pipelines();
  void legendOfModels();
};

void Page::header() {
  const AnalysisPoint &P = M.Point;
  OS << "<header><h1>Zoo report</h1>\n<p>" << M.Models.size() << " models ("
     << D.LanguageModels.size() << " language models) and " << M.Hardware.size()
     << " hardware records. Expected figures come from zooc's performance model; the ideal "
        "roofline (datasheet peaks and bandwidth, no fixed cost) is drawn beside each as a "
        "bound.</p>\n";
  const RuntimeRecord *R = M.CommandLineRuntime ? M.CommandLineRuntime : M.defaultRuntime();
  OS << "<dl class=\"point\"><dt>context</dt><dd>" << withThousands(P.Context)
     << " tokens (KV cache chart: the analysis point)</dd><dt>prompt</dt><dd>"
     << withThousands(P.Prompt) << " tokens</dd><dt>output</dt><dd>" << withThousands(P.Output)
     << " tokens</dd><dt>batch</dt><dd>" << withThousands(P.Batch) << "</dd><dt>weights</dt><dd>"
     << escape(P.Weights) << "</dd><dt>KV cache</dt><dd>" << escape(P.KV)
     << "</dd><dt>runtime</dt><dd>"
     << (R ? escape(R->Name) + (M.CommandLineRuntime ? "" : " (the default)")
           : std::string("none (factors 1)"))
     << classDefaults(M) << "</dd>";
  if (!D.Devices.empty()) {
    double Devices = 1;
    for (const DeviceRoofline &X : D.Devices)
      if (X.Unavailable.empty())
        Devices = X.Devices;
    OS << "<dt>devices</dt><dd>" << fmt::format("{:g}", Devices)
       << " per model (tensor parallel)</dd>";
  }
  OS << "</dl>\n<p class=\"note\">Conventions: FLOPs = 2 &#215; MACs. Bytes use binary prefixes "
        "(1 KiB = 1024 B, 1 GiB = 2<sup>30</sup> B = 1.074 GB), as everywhere in zooc; rates "
        "use decimal SI prefixes (1 TFLOP/s = 10<sup>12</sup> FLOP/s, 1 TB/s = "
        "10<sup>12</sup> B/s). Token counts on axes: K = 1024. Expected = datasheet &#215; the "
        "hardware's achievable fractions &#215; the runtime's kernel factors, plus fixed costs "
        "per operation and collective (docs/formulas.md). Hover over a mark for its values.</p>\n"
        "<nav><a href=\"#roofline\">1. Roofline</a><a href=\"#kv\">2. KV cache</a>"
        "<a href=\"#batch\">3. Latency and throughput</a><a href=\"#fit\">4. Fit</a>"
        "<a href=\"#training\">5. Training</a><a href=\"#images\">6. Pipelines</a></nav>"
        "</header>\n";
}

void Page::legendOfModels() {
  OS << "<ul class=\"legend\">";
  for (size_t I = 0; I < D.LanguageModels.size(); ++I)
    OS << "<li class=\"m" << I << "\" title=\"" << escape(withFamily(*D.LanguageModels[I]))
       << "\"><span class=\"sw\"></span>" << escape(D.LanguageModels[I]->Name) << "</li>";
  OS << "</ul>\n";
}

void Page::rooflines() {
  OS << "<section id=\"roofline\"><h2>1. Roofline per device</h2>\n<p>Attainable "
        "FLOP/s against arithmetic intensity (FLOPs per byte moved), log-log. Solid: the "
        "datasheet roof (dense peak of the compute precision; memory bandwidth). Dashed: the "
        "achievable roof the performance model uses (the hardware's measured achievable "
        "fractions times the runtime's <code>compute gemm</code> and weight-read factors). "
        "Marks: each language model at the analysis point, &#9679; the batch's prefill, "
        "&#9633; the decode step at the middle of the generation, placed at its expected "
        "FLOP/s; faded where the model does not fit the device's memory.</p>\n";
  if (D.LanguageModels.empty())
    OS << "<p class=\"note\">No language model is shown: the roofs alone.</p>\n";
  else if (!D.Encoders.empty())
    OS << "<p class=\"note\">Encoders (bidirectional attention: " << escape(names(D.Encoders))
       << ") generate nothing: their forward pass (&#9679;) only.</p>\n";
  legendOfModels();
  OS << "<div class=\"grid\">\n";
  std::vector<std::string> Unavailable;
  for (const DeviceRoofline &R : D.Devices) {
    if (!R.Unavailable.empty()) {
      Unavailable.push_back("<li>" + escape(R.Hw->Name) + ": " + escape(R.Unavailable) + "</li>");
      continue;
    }
    roofline(R);
  }
  OS << "</div>\n";
  if (!Unavailable.empty()) {
    OS << "<p class=\"note\">Not drawn (cannot be analysed at this point):</p><ul class=\"note\">";
    for (const std::string &U : Unavailable)
      OS << U;
    OS << "</ul>\n";
  }
  OS << "</section>\n";
}

void Page::roofline(const DeviceRoofline &R) {
  const bool Ops = integerCompute(R.Compute);
  const double RidgeIdeal = R.Peak / R.Bandwidth, RidgeAch = R.ComputeRoof / R.MemoryRoof;
  double XLo = std::min(RidgeIdeal, RidgeAch), XHi = std::max(RidgeIdeal, RidgeAch);
  double YLo = R.ComputeRoof, YHi = R.Peak;
  for (const RooflinePoint &P : R.Points)
    for (const RooflinePhase *Ph : {&P.Prefill, &P.Decode}) {
      double I = Ph->intensity(), F = Ph->rate();
      if (std::isfinite(I) && I > 0 && std::isfinite(F) && F > 0) {
        XLo = std::min(XLo, I);
        XHi = std::max(XHi, I);
        YLo = std::min(YLo, F);
      }
    }
  XLo /= 3;
  XHi *= 3;
  YLo = std::max(std::min(YLo, R.MemoryRoof * XLo) / 2, R.Peak * 1e-8);
  svg::Chart C(
      id(), 380, 270, svg::Axis::log(XLo, XHi, 10, "arithmetic intensity (FLOP/byte)", siTick("")),
      svg::Axis::log(YLo, YHi * 1.2, 10,
                     Ops ? "attainable performance (OP/s)" : "attainable performance (FLOP/s)",
                     siTick("")));
  const double X0 = XLo / 10, X1 = XHi * 10; // the roofs run past the plot on both sides
  const std::string Device = R.Hw->Name + (R.Devices > 1 ? fmt::format(" x {:g}", R.Devices) : "");
  std::string IdealTip =
      fmt::format("{}: datasheet roof, {} dense {}, memory {}; ridge {}", Device, R.Compute->Name,
                  rate(R.Peak, Ops), bandwidth(R.Bandwidth), intensity(RidgeIdeal));
  std::string RuntimeName = R.Runtime ? "runtime " + R.Runtime->Name : "no runtime";
  std::string AchTip = fmt::format(
      "{}: achievable roof, {} = peak x {:g} (hardware) x {:g} ({}, compute gemm); memory {} = "
      "bandwidth x {:g} (hardware) x {:g} ({}, {}); ridge {} (the analysis's ridge_point counts "
      "the hardware fractions only: {})",
      Device, rate(R.ComputeRoof, Ops), R.HwCompute, R.GemmFactor, RuntimeName,
      bandwidth(R.MemoryRoof), R.HwBandwidth, R.WeightFactor, RuntimeName, slotName(R.WeightSlot),
      intensity(RidgeAch), intensity(R.Ridge));
  C.beginGroup("roof", IdealTip);
  C.line({{X0, R.Bandwidth * X0}, {RidgeIdeal, R.Peak}, {X1, R.Peak}}, "roof");
  C.endGroup();
  C.beginGroup("roof ach", AchTip);
  C.line({{X0, R.MemoryRoof * X0}, {RidgeAch, R.ComputeRoof}, {X1, R.ComputeRoof}}, "roof ach");
  C.endGroup();
  const double Right = C.xAxis().Hi;
  C.label(Right, R.Peak, -4, -4, "rl", "datasheet " + rate(R.Peak, Ops), /*End=*/true);
  C.label(Right, R.ComputeRoof, -4, 11, "rl", "achievable " + rate(R.ComputeRoof, Ops),
          /*End=*/true);
  const LMPoint &Pt = D.Point;
  for (const RooflinePoint &P : R.Points) {
    std::string Cls = "m" + std::to_string(modelIndex(P.Model)) + (P.Fits ? "" : " nf");
    C.beginGroup(Cls, withFamily(*P.Model) + " on " + Device +
                          (P.Fits ? "" : ": does not fit the device's memory"));
    auto Tip = [&](const char *What, const RooflinePhase &Ph, const std::string &Work) {
      return fmt::format("{} {} on {} ({}): intensity {}; {} expected (ideal {}); {} (ideal {}), "
                         "{}-bound{}",
                         P.Model->Name, What, Device, Work, intensity(Ph.intensity()),
                         rate(Ph.rate(), Ops), rate(Ph.idealRate(), Ops), seconds(Ph.Time),
                         seconds(Ph.IdealTime), boundName(Ph.Binds),
                         P.Fits ? "" : "; does not fit");
    };
    C.marker(P.Prefill.intensity(), P.Prefill.rate(), 3.5, false, "mk",
             Tip("prefill", P.Prefill,
                 fmt::format("batch {} x {} tokens", Pt.Batch, withThousands(Pt.Prompt))));
    if (!P.Encoder)
      C.marker(P.Decode.intensity(), P.Decode.rate(), 3, true, "mk dec",
               Tip("decode step", P.Decode,
                   fmt::format("batch {}, context {}", Pt.Batch,
                               withThousands(Pt.Prompt + std::max<int64_t>(Pt.Output / 2, 1)))));
    C.endGroup();
  }
  OS << "<figure>";
  C.write(OS, "Roofline of " + Device);
  OS << "<figcaption><b>" << escape(Device) << "</b>: " << escape(R.Compute->Name) << " "
     << escape(rate(R.Peak, Ops)) << ", " << escape(bandwidth(R.Bandwidth)) << ", "
     << escape(humanBytes(R.Capacity)) << " per device; achievable "
     << escape(rate(R.ComputeRoof, Ops)) << ", " << escape(bandwidth(R.MemoryRoof)) << " ("
     << escape(RuntimeName) << ", weights " << escape(R.Weights->Name)
     << ")</figcaption></figure>\n";
}

void Page::kvCache() {
  OS << "<section id=\"kv\"><h2>2. KV cache and state against context</h2>\n";
  std::vector<const ModelRecord *> NoCache;
  for (const ModelRecord *R : D.LanguageModels)
    if (std::none_of(D.KV.begin(), D.KV.end(), [&](const KVCurve &K) { return K.Model == R; }))
      NoCache.push_back(R);
  if (!NoCache.empty())
    OS << "<p class=\"note\">No KV cache or state (encoders, or no attention or recurrence): "
       << escape(names(NoCache)) << ".</p>\n";
  if (D.KV.empty()) {
    OS << "<p class=\"note\">No language model with a KV cache or state is shown.</p></section>\n";
    return;
  }
  const std::string KV = D.KVPrecision ? D.KVPrecision->Name : "?";
  OS << "<p>Bytes of one sequence's KV cache and recurrent state at " << escape(KV)
     << " (<code>kv_bytes</code>) against its context, log-log; each line ends at the model's "
        "declared context (or at the analysis context, where that is longer). Sliding windows "
        "and recurrent state make lines flatten. Grey lines: the memory of one device of each "
        "shown hardware, where the caches reach it; red: the analysis context.</p>\n";
  legendOfModels();
  double XLo = INFINITY, XHi = 0, YLo = INFINITY, YHi = 0;
  for (const KVCurve &K : D.KV)
    for (const KVSample &S : K.Samples) {
      double B = S.Bytes.asDouble();
      XLo = std::min(XLo, static_cast<double>(S.Context));
      XHi = std::max(XHi, static_cast<double>(S.Context));
      if (B > 0) {
        YLo = std::min(YLo, B);
        YHi = std::max(YHi, B);
      }
    }
  const svg::Axis YA = svg::Axis::log(
      YLo, YHi * 1.5, 2, "KV cache + state of one sequence (bytes, " + KV + ")", bytesTick);
  svg::Chart C(id(), 760, 400, svg::Axis::log(XLo, XHi, 2, "context (tokens; K = 1024)", countTick),
               YA);
  // Memory of one device of each shown hardware, one line per capacity.
  std::vector<std::pair<double, std::string>> Caps;
  for (const DeviceRoofline &R : D.Devices)
    if (R.Capacity > 0)
      Caps.push_back({R.Capacity, R.Hw->Name});
  std::stable_sort(Caps.begin(), Caps.end(),
                   [](const auto &A, const auto &B) { return A.first < B.first; });
  double LastLabel = INFINITY;
  for (size_t I = 0; I < Caps.size();) {
    size_t J = I;
    std::string Names;
    for (; J < Caps.size() && Caps[J].first == Caps[I].first; ++J)
      Names += (J > I ? ", " : "") + Caps[J].second;
    const double Y = C.y(Caps[I].first);
    const bool Shown = Caps[I].first >= YA.Lo && Caps[I].first <= YA.Hi;
    const bool Room = Shown && LastLabel - Y >= 11; // labels of close lines would overlap
    std::string Label = humanBytes(Caps[I].first) + ": " +
                        (J - I == 1 ? Caps[I].second : std::to_string(J - I) + " devices");
    C.hline(Caps[I].first, "ref", Room ? Label : "",
            humanBytes(Caps[I].first) + " per device: " + Names);
    if (Room)
      LastLabel = Y;
    I = J;
  }
  C.vline(static_cast<double>(D.Context), "at", "context " + withThousands(D.Context),
          "the analysis context, " + withThousands(D.Context) + " tokens");
  for (const KVCurve &K : D.KV) {
    size_t I = modelIndex(K.Model);
    std::vector<svg::Point> Pts;
    for (const KVSample &S : K.Samples)
      Pts.push_back({static_cast<double>(S.Context), S.Bytes.asDouble()});
    C.beginGroup("m" + std::to_string(I),
                 withFamily(*K.Model) + ": KV cache + state of one sequence" +
                     (K.DeclaredContext
                          ? ", declared context " + withThousands(K.DeclaredContext) + " tokens"
                          : ", no declared context"));
    C.line(Pts, "ln");
    for (const KVSample &S : K.Samples)
      if (S.Context == D.Context) {
        double B = S.Bytes.asDouble();
        std::string Exact = S.Bytes.T.K == Type::Int ? withThousands(S.Bytes.I) + " bytes"
                                                     : fmt::format("{:.6g} bytes", B);
        C.marker(static_cast<double>(S.Context), B, 3, false, "mk",
                 fmt::format("{} at context {}: {} ({}) per sequence, KV {}", K.Model->Name,
                             withThousands(S.Context), humanBytes(B), Exact, KV));
      }
    C.endGroup();
  }
  OS << "<figure class=\"scroll\">";
  C.write(OS, "KV cache and state of one sequence against context");
  OS << "</figure>\n</section>\n";
}

void Page::batches() {
  OS << "<section id=\"batch\"><h2>3. Latency and throughput against batch</h2>\n<p>At the "
        "analysis point's prompt ("
     << withThousands(D.Point.Prompt) << " tokens) and output (" << withThousands(D.Point.Output)
     << " tokens), for each batch size: the mean time per output token (a decode step), the "
        "time to first token (the batch's prefill) and the decode throughput of the whole batch "
        "(tokens/s). Solid lines with marks: expected; dashed: the ideal roofline, a bound. A "
        "line ends where the batch no longer fits the memory (expected: the runtime's share of "
        "it; ideal: all of it). Red: the analysis batch.</p>\n";
  size_t Devices = 0;
  for (const DeviceRoofline &R : D.Devices)
    Devices += R.Unavailable.empty();
  if (D.Batch.empty()) {
    OS << "<p class=\"note\">No language model on an analysable device is shown.</p></section>\n";
    return;
  }
  // Small multiples along whichever of models and devices has fewer members, one line per
  // member of the other.
  if (!D.Encoders.empty())
    OS << "<p class=\"note\">Encoders generate nothing and are left out: "
       << escape(names(D.Encoders)) << ".</p>\n";
  const bool ByModel = D.LanguageModels.size() - D.Encoders.size() <= Devices;
  if (ByModel)
    OS << "<p class=\"note\">One row per model; one line per device.</p>\n";
  else
    OS << "<p class=\"note\">One row per device; one line per model.</p>\n";
  std::vector<const BatchCurve *> Group;
  auto Flush = [&] {
    if (Group.empty())
      return;
    std::string Missing;
    std::vector<const BatchCurve *> Drawn;
    for (const BatchCurve *C : Group) {
      bool Any = false;
      for (const BatchSample &S : C->Samples)
        Any |= S.Fits || S.IdealFits;
      if (Any)
        Drawn.push_back(C);
      else
        Missing += (Missing.empty() ? "" : ", ") + (ByModel ? C->Hw->Name : C->Model->Name);
    }
    std::string Title;
    if (ByModel)
      Title = withFamily(*Group.front()->Model);
    else {
      const DeviceRoofline &R = D.Devices[deviceIndex(Group.front()->Hw)];
      Title = R.Hw->Name + (R.Devices > 1 ? fmt::format(" x {:g}", R.Devices) : "");
    }
    batchGroup(Title, Drawn, ByModel, Missing);
    Group.clear();
  };
  if (ByModel) {
    for (const BatchCurve &C : D.Batch) {
      if (!Group.empty() && Group.front()->Model != C.Model)
        Flush();
      Group.push_back(&C);
    }
    Flush();
  } else {
    for (const DeviceRoofline &R : D.Devices) {
      for (const BatchCurve &C : D.Batch)
        if (C.Hw == R.Hw)
          Group.push_back(&C);
      Flush();
    }
  }
  OS << "</section>\n";
}

void Page::batchGroup(const std::string &Title, const std::vector<const BatchCurve *> &Curves,
                      bool SeriesAreDevices, const std::string &Missing) {
  OS << "<h3>" << escape(Title) << "</h3>\n";
  if (Curves.empty()) {
    OS << "<p class=\"note\">Does not fit at batch 1 on any of: " << escape(Missing) << ".</p>\n";
    return;
  }
  struct Metric {
    const char *Name, *Axis;
    double BatchSample::*Expected, BatchSample::*Ideal;
    std::string (*Format)(double);
    const char *Per;
  };
  const Metric Metrics[] = {
      {"time per output token", "time per output token (s)", &BatchSample::DecodeTime,
       &BatchSample::IdealDecodeTime, seconds, "per output token"},
      {"time to first token", "time to first token (s)", &BatchSample::PrefillTime,
       &BatchSample::IdealPrefillTime, seconds, "to first token"},
      {"decode throughput", "decode tokens/s, whole batch", &BatchSample::Rate,
       &BatchSample::IdealRate, tokensPerS, "for the batch"},
  };
  OS << "<div class=\"grid\">";
  for (const Metric &K : Metrics) {
    double BLo = static_cast<double>(D.Batches.front()),
           BHi = static_cast<double>(D.Batches.back());
    svg::Axis Y = figureAxis(Curves, K.Expected, K.Ideal, K.Axis, K.Format == seconds);
    svg::Chart C(id(), 340, 230, svg::Axis::log(BLo, BHi, 2, "batch (sequences)", countTick), Y);
    C.vline(static_cast<double>(D.Point.Batch), "at", "",
            "the analysis batch, " + withThousands(D.Point.Batch));
    for (const BatchCurve *Curve : Curves) {
      std::string Cls = SeriesAreDevices ? "d" + std::to_string(deviceIndex(Curve->Hw))
                                         : "m" + std::to_string(modelIndex(Curve->Model));
      std::string Pair = Curve->Model->Name + " on " + Curve->Hw->Name;
      C.beginGroup(Cls, Pair + ": " + K.Name);
      drawFigure(C, Curve->Samples, K.Expected, K.Ideal, [&](const BatchSample &S) {
        return fmt::format("{}, batch {}: {} {} (ideal {})", Pair, S.Batch, K.Format(S.*K.Expected),
                           K.Per, K.Format(S.*K.Ideal));
      });
      C.endGroup();
    }
    OS << "<figure>";
    C.write(OS, Title + ": " + K.Name + " against batch");
    OS << "</figure>";
  }
  OS << "</div>\n<ul class=\"legend\"><li><span class=\"sw solid\"></span>expected</li>"
        "<li><span class=\"sw dash\"></span>ideal</li>";
  for (const BatchCurve *Curve : Curves) {
    if (SeriesAreDevices)
      OS << "<li class=\"d" << deviceIndex(Curve->Hw) << "\"><span class=\"sw\"></span>"
         << escape(Curve->Hw->Name) << "</li>";
    else
      OS << "<li class=\"m" << modelIndex(Curve->Model) << "\" title=\""
         << escape(withFamily(*Curve->Model)) << "\"><span class=\"sw\"></span>"
         << escape(Curve->Model->Name) << "</li>";
  }
  OS << "</ul>\n";
  if (!Missing.empty())
    OS << "<p class=\"note\">Does not fit at batch 1 on: " << escape(Missing) << ".</p>\n";
}

void Page::fitMatrix() {
  const FitMatrix &X = M.Matrix;
  OS << "<section id=\"fit\"><h2>4. Fit: devices each model needs</h2>\n<p>The fewest devices "
        "whose first memory tier holds the weights plus one sequence's KV cache at context "
     << withThousands(X.Context) << " (KV " << escape(M.Point.KV)
     << "), tensor parallel, per weight precision (<code>--emit=matrix</code>). 1: fits on one "
        "device; &#8211;: the hardware declares no memory tier.</p>\n<ul class=\"legend\">"
        "<li class=\"f1\"><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/>"
        "</svg> 1</li><li class=\"f2\"><svg width=\"10\" height=\"10\"><rect width=\"10\" "
        "height=\"10\"/></svg> 2</li><li class=\"f3\"><svg width=\"10\" height=\"10\"><rect "
        "width=\"10\" height=\"10\"/></svg> 3&#8211;4</li><li class=\"f4\"><svg width=\"10\" "
        "height=\"10\"><rect width=\"10\" height=\"10\"/></svg> 5&#8211;8</li><li "
        "class=\"f5\"><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg> "
        "9&#8211;64</li><li class=\"f6\"><svg width=\"10\" height=\"10\"><rect width=\"10\" "
        "height=\"10\"/></svg> more than 64</li><li class=\"f0\"><svg width=\"10\" "
        "height=\"10\"><rect width=\"10\" height=\"10\"/></svg> no memory tier</li></ul>\n";
  if (X.Rows.empty() || X.Hardware.empty()) {
    OS << "<p class=\"note\">Nothing to place.</p></section>\n";
    return;
  }
  size_t NameW = 0, HwW = 0;
  for (const FitRow &R : X.Rows)
    NameW = std::max(NameW, R.Model->Name.size());
  for (const HardwareRecord *H : X.Hardware)
    HwW = std::max(HwW, H->Name.size());
  const double CellW = 24, CellH = 16, Left = 8 + 6.2 * static_cast<double>(NameW),
               Top = 10 + 5.4 * static_cast<double>(HwW);
  for (size_t Begin = 0; Begin < X.Rows.size();) {
    size_t End = Begin;
    while (End < X.Rows.size() && X.Rows[End].Weights == X.Rows[Begin].Weights)
      ++End;
    const std::string W = X.Rows[Begin].Weights->Name;
    // Room on the right for the last column's slanted label.
    const double Width =
        Left + CellW * static_cast<double>(X.Hardware.size()) + 6 + 2.8 * static_cast<double>(HwW);
    const double Height = Top + CellH * static_cast<double>(End - Begin) + 4;
    OS << "<h3>Weights " << escape(W) << "</h3>\n<div class=\"scroll\">"
       << "<svg class=\"heat\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << svg::coord(Width)
       << "\" height=\"" << svg::coord(Height) << "\" viewBox=\"0 0 " << svg::coord(Width) << " "
       << svg::coord(Height) << "\" role=\"img\" aria-label=\""
       << "Devices needed, weights " << escape(W) << "\"><title>Devices needed, weights "
       << escape(W) << "</title>";
    for (size_t H = 0; H < X.Hardware.size(); ++H) {
      double CX = Left + CellW * (static_cast<double>(H) + 0.5);
      OS << "<text class=\"hd\" transform=\"translate(" << svg::coord(CX + 3) << ","
         << svg::coord(Top - 4) << ") rotate(-60)\">" << escape(X.Hardware[H]->Name) << "</text>";
    }
    for (size_t Row = Begin; Row < End; ++Row) {
      const FitRow &R = X.Rows[Row];
      OS << "<g transform=\"translate(0,"
         << svg::coord(Top + CellH * static_cast<double>(Row - Begin))
         << ")\"><text class=\"hd\" x=\"" << svg::coord(Left - 4) << "\" y=\""
         << svg::coord(CellH - 4) << "\" text-anchor=\"end\"><title>"
         << escape(withFamily(*R.Model)) << "</title>" << escape(R.Model->Name) << "</text>";
      for (size_t H = 0; H < X.Hardware.size(); ++H) {
        int64_t N = R.Devices[H];
        int Cls = N == 0 ? 0 : N == 1 ? 1 : N == 2 ? 2 : N <= 4 ? 3 : N <= 8 ? 4 : N <= 64 ? 5 : 6;
        std::string Cell = N == 0 ? "-" : N > 999 ? "1k+" : std::to_string(N);
        std::string Tip = R.Model->Name + " on " + X.Hardware[H]->Name + ", " + W + " weights: " +
                          (N == 0 ? std::string("no memory tier")
                                  : withThousands(N) + (N == 1 ? " device" : " devices"));
        double CX = Left + CellW * static_cast<double>(H);
        OS << "<g class=\"cell f" << Cls << "\"><title>" << escape(Tip) << "</title><rect x=\""
           << svg::coord(CX + 0.5) << "\" y=\".5\" width=\"" << svg::coord(CellW - 1)
           << "\" height=\"" << svg::coord(CellH - 1) << "\"/><text x=\""
           << svg::coord(CX + CellW / 2) << "\" y=\"" << svg::coord(CellH - 4.5) << "\">"
           << escape(Cell) << "</text></g>";
      }
      OS << "</g>";
    }
    OS << "</svg></div>\n";
    Begin = End;
  }
  OS << "</section>\n";
}

/// Where each training record's step goes: a bar per record, the step's parts as shares of it
/// (the parts sum to the step: docs/formulas.md, "Training"), the ideal step as a dashed tick.
void Page::training() {
  std::vector<const TrainingRecord *> Ts;
  for (const auto &T : M.Trainings)
    if (T->result(TrainingMetric::step_time) && T->Model)
      Ts.push_back(T.get());
  std::sort(Ts.begin(), Ts.end(),
            [](const TrainingRecord *A, const TrainingRecord *B) { return A->Name < B->Name; });
  struct Part {
    const char *Name;
    TrainingMetric K;
  };
  // Compute is shown less its FP8 casts, which follow it.
  const Part Parts[] = {{"compute", TrainingMetric::compute_time},
                        {"FP8 casts", TrainingMetric::cast_time},
                        {"pipeline bubble", TrainingMetric::bubble_time},
                        {"tensor parallel", TrainingMetric::tp_comm_time},
                        {"context parallel", TrainingMetric::cp_comm_time},
                        {"expert parallel", TrainingMetric::ep_comm_time},
                        {"pipeline sends", TrainingMetric::pp_comm_time},
                        {"exposed gradient reduction", TrainingMetric::dp_exposed_time},
                        {"optimizer", TrainingMetric::optimizer_time}};
  OS << "<section id=\"training\"><h2>5. Training: where a step goes</h2>\n<p>One bar per "
        "training record (<code>--emit=training</code>): its expected step split into its parts, "
        "each as a share of the step (they add up to it), the step at the right with the ideal "
        "bound beside it, and the ideal step as a dashed tick. Hover over a part for its "
        "time.</p>\n";
  if (Ts.empty()) {
    OS << "<p class=\"note\">No training records.</p></section>\n";
    return;
  }
  OS << "<ul class=\"legend\">";
  for (size_t I = 0; I < std::size(Parts); ++I)
    OS << "<li><svg width=\"10\" height=\"10\"><rect class=\"pt" << I
       << "\" width=\"10\" height=\"10\"/></svg> " << Parts[I].Name << "</li>";
  OS << "<li><span class=\"sw dash\"></span>ideal step</li></ul>\n";
  size_t NameW = 0;
  for (const TrainingRecord *T : Ts)
    NameW = std::max(NameW, T->Name.size());
  const double Left = 8 + 6.2 * static_cast<double>(NameW), BarW = 560, RowH = 18, Top = 4;
  const double Width = Left + BarW + 230, Height = Top + RowH * static_cast<double>(Ts.size()) + 4;
  OS << "<div class=\"scroll\"><svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
        "width=\""
     << svg::coord(Width) << "\" height=\"" << svg::coord(Height) << "\" viewBox=\"0 0 "
     << svg::coord(Width) << " " << svg::coord(Height)
     << "\" role=\"img\" aria-label=\"Training steps by part\"><title>Training steps by "
        "part</title>";
  for (size_t Row = 0; Row < Ts.size(); ++Row) {
    const TrainingRecord &T = *Ts[Row];
    const double Step = T.result(TrainingMetric::step_time)->asDouble();
    const double Y = Top + RowH * static_cast<double>(Row);
    OS << "<g transform=\"translate(0," << svg::coord(Y) << ")\"><text x=\"" << svg::coord(Left - 4)
       << "\" y=\"" << svg::coord(RowH - 5) << "\" text-anchor=\"end\"><title>"
       << escape(fmt::format("{} on {} x {}, layout tp {} x pp {} x cp {} x dp {}", T.Model->Name,
                             T.Devices, T.System && T.System->Hw ? T.System->Hw->Name : "-", T.TP,
                             T.PP, T.CP, T.DP))
       << "</title>" << escape(T.Name) << "</text>";
    double X = Left;
    const double Casts =
        T.result(TrainingMetric::cast_time) ? T.result(TrainingMetric::cast_time)->asDouble() : 0;
    for (size_t I = 0; I < std::size(Parts); ++I) {
      const Value *V = T.result(Parts[I].K);
      double Secs = V ? V->asDouble() : 0;
      if (Parts[I].K == TrainingMetric::compute_time)
        Secs -= Casts;
      if (!(Secs > 0) || !(Step > 0))
        continue;
      const double W = BarW * Secs / Step;
      OS << "<rect class=\"pt" << I << "\" x=\"" << svg::coord(X) << "\" y=\"2\" width=\""
         << svg::coord(W) << "\" height=\"" << svg::coord(RowH - 4) << "\"><title>"
         << escape(fmt::format("{}: {} {}, {:.1f}% of the step", T.Name, Parts[I].Name,
                               seconds(Secs), 100 * Secs / Step))
         << "</title></rect>";
      X += W;
    }
    const Value *Ideal = T.ideal(TrainingMetric::step_time);
    std::string Label = seconds(Step);
    if (Ideal && Ideal->asDouble() > 0 && Step > 0) {
      const double IX = Left + BarW * std::min(1.0, Ideal->asDouble() / Step);
      OS << "<line class=\"idl\" x1=\"" << svg::coord(IX) << "\" x2=\"" << svg::coord(IX)
         << "\" y1=\"0\" y2=\"" << svg::coord(RowH) << "\"><title>"
         << escape(T.Name + ": ideal step " + seconds(Ideal->asDouble())) << "</title></line>";
      Label += " (ideal " + seconds(Ideal->asDouble()) + ")";
    }
    OS << "<text x=\"" << svg::coord(Left + BarW + 6) << "\" y=\"" << svg::coord(RowH - 5) << "\">"
       << escape(Label) << "</text></g>";
  }
  OS << "</svg></div></section>\n";
}

void Page::pipelines() {
  OS << "<section id=\"images\"><h2>6. Text-to-image pipelines against batch</h2>\n<p>For "
        "each pipeline, at each batch of images: the time of the whole batch (its encoders, every "
        "denoising step, at twice the batch where the pipeline guides, and its decoder: "
        "docs/formulas.md, \"Pipelines\") and the images a second, every part at the analysis "
        "point's precisions on the devices of section 1. Solid lines with marks: expected; "
        "dashed: the ideal roofline, a bound. A line ends where the batch no longer fits: each "
        "device holds every part and its share of the batch. One row per pipeline; one line per "
        "device.</p>\n";
  if (D.Images.empty()) {
    OS << "<p class=\"note\">No pipeline on an analysable device is shown.</p></section>\n";
    return;
  }
  struct Metric {
    const char *Name, *Axis;
    double ImageSample::*Expected, ImageSample::*Ideal;
    std::string (*Format)(double);
    const char *Per;
  };
  auto Images = [](double V) { return humanSI(V) + "images/s"; };
  const Metric Metrics[] = {
      {"time a batch", "time a batch of images (s)", &ImageSample::BatchTime,
       &ImageSample::IdealBatchTime, seconds, "a batch"},
      {"images a second", "images/s", &ImageSample::Rate, &ImageSample::IdealRate, +Images, ""},
  };
  const double BLo = static_cast<double>(D.Batches.front()),
               BHi = static_cast<double>(D.Batches.back());
  for (const PipelineRecord *P : D.Pipelines) {
    std::vector<const ImageCurve *> Curves;
    std::string Missing;
    for (const ImageCurve &C : D.Images) {
      if (C.Pipeline != P)
        continue;
      bool Any = false;
      for (const ImageSample &S : C.Samples)
        Any |= S.Fits || S.IdealFits;
      if (Any)
        Curves.push_back(&C);
      else
        Missing += (Missing.empty() ? "" : ", ") + C.Hw->Name;
    }
    const int64_t Steps = P->Steps;
    OS << "<h3>" << escape(P->Name) << "</h3>\n<p class=\"note\">Denoiser "
       << escape(P->Denoiser->Name) << ", " << withThousands(Steps) << " step"
       << (Steps == 1 ? "" : "s") << (P->Guidance ? " at twice the batch (guidance)" : "")
       << (P->Decoder ? "; decoder " + escape(P->Decoder->Name) : std::string()) << ".</p>\n";
    if (Curves.empty()) {
      OS << "<p class=\"note\">Does not fit at batch 1 on any of: " << escape(Missing) << ".</p>\n";
      continue;
    }
    OS << "<div class=\"grid\">";
    for (const Metric &K : Metrics) {
      svg::Axis Y = figureAxis(Curves, K.Expected, K.Ideal, K.Axis, K.Format == seconds);
      svg::Chart C(id(), 340, 230, svg::Axis::log(BLo, BHi, 2, "batch (images)", countTick), Y);
      for (const ImageCurve *Curve : Curves) {
        const std::string Pair = P->Name + " on " + Curve->Hw->Name;
        C.beginGroup("d" + std::to_string(deviceIndex(Curve->Hw)), Pair + ": " + K.Name);
        drawFigure(C, Curve->Samples, K.Expected, K.Ideal, [&](const ImageSample &S) {
          return fmt::format("{}, batch {}: {}{} (ideal {})", Pair, S.Batch,
                             K.Format(S.*K.Expected), *K.Per ? std::string(" ") + K.Per : "",
                             K.Format(S.*K.Ideal));
        });
        C.endGroup();
      }
      OS << "<figure>";
      C.write(OS, P->Name + ": " + K.Name + " against batch");
      OS << "</figure>";
    }
    OS << "</div>\n<ul class=\"legend\"><li><span class=\"sw solid\"></span>expected</li>"
          "<li><span class=\"sw dash\"></span>ideal</li>";
    for (const ImageCurve *Curve : Curves)
      OS << "<li class=\"d" << deviceIndex(Curve->Hw) << "\"><span class=\"sw\"></span>"
         << escape(Curve->Hw->Name) << "</li>";
    OS << "</ul>\n";
    if (!Missing.empty())
      OS << "<p class=\"note\">Does not fit at batch 1 on: " << escape(Missing) << ".</p>\n";
  }
  OS << "</section>\n";
}

void Page::run() {
  OS << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta "
        "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta "
        "name=\"generator\" content=\"zooc --emit=html\">\n<title>Zoo report</title>\n<style>\n"
     << Style;
  for (size_t I = 0; I < D.LanguageModels.size(); ++I)
    OS << ".m" << I << "{--c:" << colour(I, D.LanguageModels.size()) << "}";
  OS << "\n";
  for (size_t I = 0; I < D.Devices.size(); ++I)
    OS << ".d" << I << "{--c:" << colour(I, D.Devices.size()) << "}";
  OS << "\n</style>\n</head>\n<body>\n";
  header();
  rooflines();
  kvCache();
  batches();
  fitMatrix();
  training();
  pipelines();
  OS << "<footer class=\"note\"><p>Generated by zooc --emit=html: one self-contained file, no "
        "script, no external resource.</p></footer>\n</body>\n</html>\n";
}
} // namespace

void HTMLEmitter::run(llvm::raw_ostream &OS) { Page(M, Plots, OS).run(); }
