//===- TableEmitter.cpp - one table as CSV or JSON (--emit=csv|json --table) ===//
//
// The tables a spreadsheet, pandas or a plotting script reads: models (with every metric at the
// analysis point), hardware, scenarios (every figure, expected and ideal), layers (the expanded
// tree, to a depth), the fit matrix and the validation rows. CSV follows RFC 4180 (a header
// line, cells quoted only where they hold a comma, a quote or a line break); numbers are in base
// units (seconds, bytes, FLOP, tokens/s) in their shortest round-trip spelling, an absent or
// undefined value is an empty cell. JSON documents of the layers, matrix and validation tables
// carry their own `schema` (docs/json.md).
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Inference.h"
#include "zoo/Backends/Emitters.h"
#include "zoo/Passes/Pass.h"
#include "llvm/Support/JSON.h"
#include <cmath>
#include <fmt/format.h>
#include <functional>

using namespace zoo;
namespace json = llvm::json;

namespace {
/// One CSV cell, quoted where it must be.
std::string cell(llvm::StringRef S) {
  if (S.find_first_of(",\"\r\n") == llvm::StringRef::npos)
    return S.str();
  std::string Q = "\"";
  for (char C : S) {
    if (C == '"')
      Q += '"';
    Q += C;
  }
  return Q + "\"";
}

std::string real(double V) { return std::isfinite(V) ? fmt::format("{}", V) : ""; }

std::string wide(Wide V) {
  if (V >= INT64_MIN && V <= INT64_MAX)
    return std::to_string(static_cast<int64_t>(V));
  return real(static_cast<double>(V));
}

/// A value in base units: a number, `true`/`false`, or the text of a string or enum.
std::string plain(const Value &V) {
  switch (V.T.K) {
  case Type::Int:
    return std::to_string(V.I);
  case Type::Bool:
    return V.B ? "true" : "false";
  case Type::String:
  case Type::Enum:
    return V.S;
  default:
    return real(V.R);
  }
}

void line(llvm::raw_ostream &OS, const std::vector<std::string> &Cells) {
  for (size_t I = 0; I < Cells.size(); ++I)
    OS << (I ? "," : "") << cell(Cells[I]);
  OS << "\n";
}

std::string source(const Record &R) { return R.Sources.empty() ? "" : R.Sources.front(); }

/// A JSON number of a wide count: an integer while it fits in 64 bits, else a real.
void wideJSON(json::OStream &J, Wide V) {
  if (V >= INT64_MIN && V <= INT64_MAX)
    J.value(static_cast<int64_t>(V));
  else
    J.value(static_cast<double>(V));
}

/// A real as JSON, or null where it is not finite (a prediction that could not be made).
void realJSON(json::OStream &J, double V) {
  if (std::isfinite(V))
    J.value(V);
  else
    J.value(nullptr);
}

/// `"Key": V` in the object being written, V as realJSON writes it.
void realKey(json::OStream &J, llvm::StringRef Key, double V) {
  J.attributeBegin(Key);
  realJSON(J, V);
  J.attributeEnd();
}

std::string layerLabel(const LayerNode &N) {
  switch (N.K) {
  case LayerNode::Primitive:
  case LayerNode::Block:
    return N.Name;
  case LayerNode::Repeat:
    return "repeat";
  case LayerNode::For:
    return N.Name;
  case LayerNode::Iteration:
    return N.Name + " = " + N.Args.front().second.str();
  }
  return N.Name;
}

const char *layerKind(const LayerNode &N) {
  switch (N.K) {
  case LayerNode::Primitive:
    return "primitive";
  case LayerNode::Block:
    return "block";
  case LayerNode::Repeat:
    return "repeat";
  case LayerNode::For:
    return "for";
  case LayerNode::Iteration:
    return "iteration";
  }
  return "";
}

std::string shapeText(const std::vector<int64_t> &D) {
  std::string S;
  for (size_t I = 0; I < D.size(); ++I)
    S += (I ? "x" : "") + std::to_string(D[I]);
  return S;
}

/// The shape a node leaves behind: its own, or its last child's.
const std::vector<int64_t> &lastShape(const LayerNode &N) {
  if (!N.OutShape.empty() || N.Children.empty())
    return N.OutShape;
  return lastShape(*N.Children.back());
}
} // namespace

llvm::StringRef TableEmitter::name(Table T) {
  switch (T) {
  case Table::Models:
    return "models";
  case Table::Hardware:
    return "hardware";
  case Table::Scenarios:
    return "scenarios";
  case Table::Layers:
    return "layers";
  case Table::Matrix:
    return "matrix";
  case Table::Validation:
    return "validation";
  case Table::Deployments:
    return "deployments";
  }
  return "";
}

void TableEmitter::run(llvm::raw_ostream &OS) {
  switch (T) {
  case Table::Models:
    return models(OS);
  case Table::Hardware:
    return hardware(OS);
  case Table::Scenarios:
    return scenarios(OS);
  case Table::Layers:
    return JSON ? layersJSON(OS) : layersCSV(OS);
  case Table::Matrix:
    return JSON ? matrixJSON(OS) : matrixCSV(OS);
  case Table::Validation:
    return JSON ? validationJSON(OS) : validationCSV(OS);
  case Table::Deployments:
    return deployments(OS);
  }
}

/// Every deployment a `plan = auto` serving record found to meet its targets, cheapest first.
void TableEmitter::deployments(llvm::raw_ostream &OS) {
  // clang-format off
  line(OS, {"serving", "rank", "hardware", "provider", "instance", "region", "price_date",
            "devices_per_replica", "pipeline_stages", "prefill_devices_per_replica",
            "speculative", "attention_dp", "replicas", "weights", "max_batch", "usd_per_hour",
            "usd_per_million_output_tokens", "ttft_p99_s", "tpot_p99_s", "tokens_per_s_per_user",
            "tokens_per_s_per_device", "frontier"});
  // clang-format on
  std::vector<const ServingRecord *> Ss;
  for (const auto &S : M.Servings)
    Ss.push_back(S.get());
  std::sort(Ss.begin(), Ss.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
  auto Num = [](double X) { return fmt::format("{:.6g}", X); };
  for (const ServingRecord *S : Ss) {
    int Rank = 0;
    for (const ServingRecord::Candidate &K : S->Candidates)
      // clang-format off
      line(OS, {S->Name, std::to_string(++Rank), K.Price->Hw->Name, K.Price->Provider,
                K.Price->Instance, K.Price->Region, K.Price->Date, std::to_string(K.Devices),
                std::to_string(K.PP), std::to_string(K.PrefillDevices),
                K.Speculative ? "true" : "false", K.AttentionDP ? "true" : "false",
                std::to_string(K.Replicas), K.Weights->Name, std::to_string(K.MaxBatch),
                Num(K.CostPerHour * 3600), Num(K.CostPerMillion), Num(K.TTFT99), Num(K.TPOT99),
                Num(K.TokensPerSPerUser), Num(K.TokensPerSPerDevice), K.Pareto ? "true" : "false"});
      // clang-format on
  }
}

void TableEmitter::models(llvm::raw_ostream &OS) {
  const AnalysisPoint &P = M.Point;
  std::vector<std::string> Head = {"model",   "architecture",   "family",     "category",
                                   "context", "beyond_context", "input_shape"};
  for (int K = 0; K < NumMetrics; ++K)
    Head.push_back(metricName(static_cast<MetricKind>(K)).str());
  Head.push_back("source");
  line(OS, Head);
  for (const ModelRecord *R : sortedModels(M)) {
    auto Field = [&](llvm::StringRef N) {
      const FieldValue *F = R->field(N);
      return F ? plain(F->V) : std::string();
    };
    std::vector<std::string> Row = {R->Name,
                                    R->Arch ? R->Arch->Name : "",
                                    Field("family"),
                                    Field("category"),
                                    Field("context"),
                                    R->BeyondContext ? "true" : "false",
                                    shapeText(R->Stats.InputShape)};
    for (int K = 0; K < NumMetrics; ++K) {
      auto Kind = static_cast<MetricKind>(K);
      const MetricResult *X =
          R->evaluated(Kind, Kind == MetricKind::weight_bytes ? llvm::StringRef(P.Weights) : "");
      Row.push_back(X && X->V ? plain(*X->V) : "");
    }
    Row.push_back(source(*R));
    line(OS, Row);
  }
}

void TableEmitter::hardware(llvm::raw_ostream &OS) {
  auto Hw = sortedHardware(M);
  // One column per precision that any dense compute section names, in name order.
  std::vector<std::string> Precs;
  for (const HardwareRecord *H : Hw)
    for (const Section &S : H->Sections)
      if (S.Kind == "compute" && S.Name != "sparse")
        for (const FieldValue &F : S.Fields)
          if (F.V.T.K == Type::Quantity && M.findPrecision(F.Name) &&
              std::find(Precs.begin(), Precs.end(), F.Name) == Precs.end())
            Precs.push_back(F.Name);
  std::sort(Precs.begin(), Precs.end());
  std::vector<std::string> Head = {
      "hardware",    "class", "memory", "memory_capacity_bytes", "memory_bandwidth_bytes_per_s",
      "cache_bytes", "tdp_w"};
  for (const std::string &P : Precs)
    Head.push_back("peak_" + P + "_per_s");
  Head.push_back("source");
  line(OS, Head);
  for (const HardwareRecord *H : Hw) {
    const Section *Dense = nullptr, *Memory = nullptr;
    for (const Section &S : H->Sections) {
      if (S.Kind == "compute" && S.Name != "sparse" && !Dense)
        Dense = &S;
      if (S.Kind == "memory" && !Memory)
        Memory = &S;
    }
    auto Num = [](const Section *S, llvm::StringRef N) {
      const FieldValue *F = S ? S->field(N) : nullptr;
      return F ? plain(F->V) : std::string();
    };
    const FieldValue *TDP = H->field("tdp"), *Cache = H->field("cache");
    std::vector<std::string> Row = {H->Name,
                                    H->Class,
                                    Memory ? Memory->Name : "",
                                    Num(Memory, "capacity"),
                                    Num(Memory, "bandwidth"),
                                    Cache ? plain(Cache->V) : "",
                                    TDP ? plain(TDP->V) : ""};
    for (const std::string &P : Precs)
      Row.push_back(Num(Dense, P));
    Row.push_back(source(*H));
    line(OS, Row);
  }
}

void TableEmitter::scenarios(llvm::raw_ostream &OS) {
  std::vector<std::string> Head = {"scenario", "model",   "hardware", "devices",
                                   "runtime",  "weights", "kv",       "batch",
                                   "prompt",   "output",  "regime",   "calibration"};
  for (int K = 0; K < NumScenarioMetrics; ++K)
    Head.push_back(scenarioMetricName(static_cast<ScenarioMetric>(K)).str());
  for (int K = 0; K < NumScenarioMetrics; ++K)
    Head.push_back("ideal_" + scenarioMetricName(static_cast<ScenarioMetric>(K)).str());
  line(OS, Head);
  for (const ScenarioRecord *S : sortedScenarios(M)) {
    std::vector<std::string> Row = {S->Name,
                                    S->Model ? S->modelName() : "",
                                    S->Hw ? S->Hw->Name : "",
                                    std::to_string(S->Devices),
                                    S->UsedRuntime ? S->UsedRuntime->Name : "",
                                    S->Weights ? S->Weights->Name : "",
                                    S->KV ? S->KV->Name : "",
                                    std::to_string(S->Batch),
                                    std::to_string(S->Prompt),
                                    std::to_string(S->Output),
                                    S->Regime,
                                    S->Calibration ? "true" : "false"};
    for (bool Ideal : {false, true})
      for (int K = 0; K < NumScenarioMetrics; ++K) {
        const Value *V = Ideal ? S->ideal(static_cast<ScenarioMetric>(K))
                               : S->result(static_cast<ScenarioMetric>(K));
        Row.push_back(V ? plain(*V) : "");
      }
    line(OS, Row);
  }
}

namespace {
/// Visits `N`'s subtree to `MaxDepth` (0: no limit): Visit(Node, Depth, Path, Cut) where Cut
/// says the node's children were left out by the limit.
template <typename Fn>
void walk(const LayerNode &N, unsigned Depth, unsigned MaxDepth, const std::string &Path,
          Fn &Visit) {
  const bool Cut = MaxDepth && Depth >= MaxDepth && !N.Children.empty();
  const std::string Here = Path.empty() ? layerLabel(N) : Path + "/" + layerLabel(N);
  Visit(N, Depth, Here, Cut);
  if (!Cut)
    for (const auto &C : N.Children)
      walk(*C, Depth + 1, MaxDepth, Here, Visit);
}
} // namespace

void TableEmitter::layersCSV(llvm::raw_ostream &OS) {
  line(OS, {"model", "depth", "path", "kind", "block", "count", "output_shape", "params", "macs",
            "children_left_out"});
  for (const ModelRecord *R : sortedModels(M)) {
    if (!R->Root)
      continue;
    auto Visit = [&](const LayerNode &N, unsigned Depth, const std::string &Path, bool Cut) {
      line(OS, {R->Name, std::to_string(Depth), Path, layerKind(N),
                N.Decl ? N.Decl->Name : std::string(),
                N.K == LayerNode::Repeat || N.K == LayerNode::For ? std::to_string(N.Count) : "",
                shapeText(lastShape(N)), wide(N.params()), wide(N.macs()), Cut ? "true" : "false"});
    };
    for (const auto &C : R->Root->Children)
      walk(*C, 1, LayersDepth, "", Visit);
  }
}

void TableEmitter::layersJSON(llvm::raw_ostream &OS) {
  json::OStream J(OS, 1);
  J.object([&] {
    if (LayersDepth)
      J.attribute("depth", static_cast<int64_t>(LayersDepth));
    else
      J.attribute("depth", nullptr);
    J.attributeBegin("models");
    J.array([&] {
      for (const ModelRecord *R : sortedModels(M)) {
        if (!R->Root)
          continue;
        std::function<void(const LayerNode &, unsigned)> Node = [&](const LayerNode &N,
                                                                    unsigned Depth) {
          const bool Cut = LayersDepth && Depth >= LayersDepth && !N.Children.empty();
          J.object([&] {
            if (N.Decl)
              J.attribute("block", N.Decl->Name);
            if (!Cut && !N.Children.empty()) {
              J.attributeBegin("children");
              J.array([&] {
                for (const auto &C : N.Children)
                  Node(*C, Depth + 1);
              });
              J.attributeEnd();
            }
            if (Cut)
              J.attribute("children_left_out", static_cast<int64_t>(N.Children.size()));
            if (N.K == LayerNode::Repeat || N.K == LayerNode::For)
              J.attribute("count", N.Count);
            J.attribute("kind", layerKind(N));
            J.attributeBegin("macs");
            wideJSON(J, N.macs());
            J.attributeEnd();
            J.attribute("name", layerLabel(N));
            if (!lastShape(N).empty()) {
              J.attributeBegin("output_shape");
              J.array([&] {
                for (int64_t D : lastShape(N))
                  J.value(D);
              });
              J.attributeEnd();
            }
            J.attributeBegin("params");
            wideJSON(J, N.params());
            J.attributeEnd();
          });
        };
        J.object([&] {
          J.attributeBegin("layers");
          J.array([&] {
            for (const auto &C : R->Root->Children)
              Node(*C, 1);
          });
          J.attributeEnd();
          J.attributeBegin("macs");
          wideJSON(J, R->Stats.MacsConst);
          J.attributeEnd();
          J.attribute("macs_per", R->Stats.PerInput ? "input" : "token");
          J.attribute("name", R->Name);
          J.attribute("params", R->Stats.Params);
        });
      }
    });
    J.attributeEnd();
    J.attribute("schema", "zoo.layers/1");
  });
  OS << "\n";
}

void TableEmitter::matrixCSV(llvm::raw_ostream &OS) {
  const FitMatrix &X = M.Matrix;
  line(OS, {"model", "weights", "hardware", "devices_needed", "context", "kv"});
  for (const FitRow &R : X.Rows)
    for (size_t H = 0; H < X.Hardware.size(); ++H)
      line(OS, {R.Model->Name, R.Weights->Name, X.Hardware[H]->Name,
                R.Devices[H] ? std::to_string(R.Devices[H]) : "", std::to_string(X.Context),
                M.Point.KV});
}

void TableEmitter::matrixJSON(llvm::raw_ostream &OS) {
  const FitMatrix &X = M.Matrix;
  json::OStream J(OS, 1);
  J.object([&] {
    J.attribute("context", X.Context);
    J.attributeBegin("hardware");
    J.array([&] {
      for (const HardwareRecord *H : X.Hardware)
        J.value(H->Name);
    });
    J.attributeEnd();
    J.attribute("kv", M.Point.KV);
    J.attributeBegin("rows");
    J.array([&] {
      for (const FitRow &R : X.Rows)
        J.object([&] {
          J.attributeBegin("devices_needed");
          J.array([&] {
            for (int64_t D : R.Devices)
              D ? J.value(D) : J.value(nullptr);
          });
          J.attributeEnd();
          J.attribute("model", R.Model->Name);
          J.attribute("weights", R.Weights->Name);
        });
    });
    J.attributeEnd();
    J.attribute("schema", "zoo.matrix/1");
  });
  OS << "\n";
}

void TableEmitter::validationCSV(llvm::raw_ostream &OS) {
  line(OS, {"scenario", "regime", "runtime", "metric", "unit", "measured", "ideal", "expected",
            "error_percent", "default_runtime", "default_expected", "default_error_percent",
            "ideal_error_percent", "role", "source"});
  for (const Module::ValidationRow &R : M.Validation)
    line(OS,
         {R.Scenario->Name, R.Scenario->Regime,
          R.Scenario->Runtime ? R.Scenario->Runtime->Name : "",
          scenarioMetricName(R.M->Metric).str(), scenarioMetricType(R.M->Metric).str(),
          plain(R.M->Measured), real(R.Ideal), real(R.Named), real(R.NamedError),
          R.DefaultRuntime ? R.DefaultRuntime->Name : "", real(R.Default), real(R.DefaultError),
          real(R.IdealError), R.Scenario->Calibration ? "calibration" : "held out", R.M->Source});
}

void TableEmitter::validationJSON(llvm::raw_ostream &OS) {
  const RuntimeRecord *Default = M.defaultRuntime();
  json::OStream J(OS, 1);
  J.object([&] {
    J.attribute("calibration_rows", static_cast<int64_t>(M.CalibrationRows));
    if (Default)
      J.attribute("default_runtime", Default->Name);
    else
      J.attribute("default_runtime", nullptr);
    J.attribute("measurements", static_cast<int64_t>(M.MeasuredRows));
    J.attributeBegin("rows");
    J.array([&] {
      for (const Module::ValidationRow &R : M.Validation)
        J.object([&] {
          realKey(J, "default_error_percent", R.DefaultError);
          realKey(J, "default_expected", R.Default);
          if (R.DefaultRuntime)
            J.attribute("default_runtime", R.DefaultRuntime->Name);
          else
            J.attribute("default_runtime", nullptr);
          realKey(J, "error_percent", R.NamedError);
          realKey(J, "expected", R.Named);
          realKey(J, "ideal", R.Ideal);
          realKey(J, "ideal_error_percent", R.IdealError);
          realKey(J, "measured",
                  R.M->Measured.T.K == Type::Int ? static_cast<double>(R.M->Measured.I)
                                                 : R.M->Measured.R);
          J.attribute("metric", scenarioMetricName(R.M->Metric));
          J.attribute("regime", R.Scenario->Regime);
          J.attribute("role", R.Scenario->Calibration ? "calibration" : "held out");
          if (R.Scenario->Runtime)
            J.attribute("runtime", R.Scenario->Runtime->Name);
          else
            J.attribute("runtime", nullptr);
          J.attribute("scenario", R.Scenario->Name);
          J.attribute("source", R.M->Source);
          J.attribute("unit", scenarioMetricType(R.M->Metric));
        });
    });
    J.attributeEnd();
    J.attribute("schema", "zoo.validation/1");
    J.attributeBegin("summaries");
    J.array([&] {
      for (const Module::ValidationSummary &S : M.ValidationSummaries)
        J.object([&] {
          J.attribute("count", static_cast<int64_t>(S.Count));
          realKey(J, "default_median_abs_error_percent", S.DefaultMedian);
          realKey(J, "default_worst_error_percent", S.DefaultWorst);
          J.attribute("group", S.Group);
          realKey(J, "ideal_median_abs_error_percent", S.IdealMedian);
          realKey(J, "median_abs_error_percent", S.NamedMedian);
          realKey(J, "worst_error_percent", S.NamedWorst);
        });
    });
    J.attributeEnd();
  });
  OS << "\n";
}
