//===- Emitters.h - the output formats of zooc --------------------*- C++ -*-===//
//
// Each emitter reads the annotated Module and writes one format to a stream. Emitters never open
// files, never compute a metric and are deterministic: records sorted by name, no timestamps,
// locale-free numbers.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_BACKENDS_EMITTERS_H
#define ZOO_BACKENDS_EMITTERS_H

#include "zoo/Analysis/Plots.h"
#include "zoo/Analysis/Deployment.h"
#include "zoo/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include <functional>
#include <string>
#include <vector>

namespace zoo {

/// `--emit=report`: a readable table of models (and hardware), with the conventions stated.
class ReportEmitter {
public:
  explicit ReportEmitter(const Module &M) : M(M) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
};

/// `--emit=json`: every record with its metrics; carries a `schema` version.
class JSONEmitter {
public:
  static constexpr const char *Schema = "zoo.report/2";
  explicit JSONEmitter(const Module &M) : M(M) {}
  /// Whether every real the document would hold is finite (JSON has no infinity or NaN); if not,
  /// an internal-error line on `Errs`. The driver asks before it writes anything, so that a
  /// failure never leaves a partial document.
  bool checkFinite(llvm::raw_ostream &Errs) const;
  /// Streams the document to `OS`: memory does not grow with the output.
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
};

/// `--emit=cpp-header`: a header-only C++17 registry of constexpr records.
class CppHeaderEmitter {
public:
  /// `Namespace` holds the records (`a::b` nests); the include guard follows from it, so headers
  /// of different namespaces can be included together.
  CppHeaderEmitter(const Module &M, std::vector<std::string> Inputs,
                   std::string Namespace = "zoo::registry")
      : M(M), Inputs(std::move(Inputs)), Namespace(std::move(Namespace)) {}
  void run(llvm::raw_ostream &OS);
  /// True when `NS` is a namespace the header can declare: identifiers joined by `::`, none a
  /// keyword, a reserved name or a standard macro.
  static bool validNamespace(llvm::StringRef NS);
  /// The include guard of the header of namespace `NS`: `zoo::registry` -> `ZOO_REGISTRY_H`.
  static std::string includeGuard(llvm::StringRef NS);

private:
  const Module &M;
  std::vector<std::string> Inputs;
  std::string Namespace;
};

/// `--emit=matrix`: devices each model needs on each hardware, per weight precision.
class MatrixEmitter {
public:
  explicit MatrixEmitter(const Module &M) : M(M) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
};

/// `--emit=html`: one self-contained HTML page (inline CSS and SVG, no script): a roofline per
/// device, KV cache against context, latency and throughput against batch, the fit heatmap.
/// `Plots` holds every curve (Analysis/Plots.h); the fit heatmap is the module's FitMatrix.
class HTMLEmitter {
public:
  HTMLEmitter(const Module &M, const PlotData &Plots) : M(M), Plots(Plots) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
  const PlotData &Plots;
};

/// `--emit=validation`: predictions against published measurements, with errors per regime.
class ValidationEmitter {
public:
  explicit ValidationEmitter(const Module &M) : M(M) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
};

/// `--emit=calibration`: the runtime factors the calibration rows give, beside the records.
class CalibrationEmitter {
public:
  explicit CalibrationEmitter(const Module &M) : M(M) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
};

/// `--emit=layers`: every model's layer tree with output shapes, parameters and MACs; nodes
/// deeper than `Depth` (0: no limit; 1: the top-level nodes) are left out, their counts in
/// their parent's.
class LayersEmitter {
public:
  explicit LayersEmitter(const Module &M, unsigned Depth = 0) : M(M), Depth(Depth) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
  unsigned Depth;
};

/// `--emit=csv --table=T` and `--emit=json --table=T`: one table. CSV: models, hardware,
/// scenarios, layers, matrix or validation; JSON: layers, matrix or validation (the report
/// document has the others).
class TableEmitter {
public:
  enum class Table { Models, Hardware, Scenarios, Layers, Matrix, Validation, Deployments };
  TableEmitter(const Module &M, Table T, bool JSON, unsigned LayersDepth = 0)
      : M(M), T(T), JSON(JSON), LayersDepth(LayersDepth) {}
  void run(llvm::raw_ostream &OS);
  static llvm::StringRef name(Table T);

private:
  void models(llvm::raw_ostream &OS);
  void deployments(llvm::raw_ostream &OS);
  void hardware(llvm::raw_ostream &OS);
  void scenarios(llvm::raw_ostream &OS);
  void layersCSV(llvm::raw_ostream &OS);
  void layersJSON(llvm::raw_ostream &OS);
  void matrixCSV(llvm::raw_ostream &OS);
  void matrixJSON(llvm::raw_ostream &OS);
  void validationCSV(llvm::raw_ostream &OS);
  void validationJSON(llvm::raw_ostream &OS);
  const Module &M;
  Table T;
  bool JSON;
  unsigned LayersDepth;
};

/// `--emit=markdown`: the Model Zoo pages. Models are grouped by category (the `category` field,
/// else language or vision by whether the model declares an input), one table per kind of model;
/// then the hardware and the declared scenarios.
class MarkdownEmitter {
public:
  /// One page of a zoo directory: its file name and what writes it. A page refers to the
  /// emitter, which must outlive it.
  struct Page {
    std::string FileName;
    std::function<void(llvm::raw_ostream &)> Write;
  };
  /// `Inputs` are named in each page's banner.
  MarkdownEmitter(const Module &M, std::vector<std::string> Inputs = {})
      : M(M), Inputs(std::move(Inputs)) {}
  /// The pages of a directory: one per category (`language.md`, `vision.md`, ...; a category's
  /// name in lower case, other characters than letters and digits as `-`), `hardware.md`,
  /// `scenarios.md`, and the index `README.md` that links them, in that order.
  std::vector<Page> pages() const;
  /// Every page in one document.
  void run(llvm::raw_ostream &OS);

private:
  void banner(llvm::raw_ostream &OS) const;
  const Module &M;
  std::vector<std::string> Inputs;
};

/// Models sorted by name.
std::vector<const ModelRecord *> sortedModels(const Module &M);
std::vector<const HardwareRecord *> sortedHardware(const Module &M);
std::vector<const ScenarioRecord *> sortedScenarios(const Module &M);

/// Spelling of a scenario result for people: `12.3 ms`, `208 tokens/s`, `memory`, `yes`.
std::string humanResult(const Value &V);
/// A fixed cost for people, to three digits: microseconds, from a millisecond on milliseconds
/// (`32.2 us`, `2.64 ms`).
std::string fixedCost(double Seconds);
/// Items for a sentence: `a`, `a and b`, `a, b and c`.
std::string listInProse(const std::vector<std::string> &Items);
/// An expected figure with the ideal roofline beside it: `1.23 ms (ideal 0.98 ms)`.
std::string expectedAndIdeal(const ScenarioRecord &S, ScenarioMetric K);

/// `--emit=analysis`: every scenario in full (the roofline, memory and energy of each phase).
class AnalysisEmitter {
public:
  explicit AnalysisEmitter(const Module &M) : M(M) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
};

/// `--emit=whatif`: each scenario's headline figures with each machine input changed by 10%.
class WhatIfEmitter {
public:
  explicit WhatIfEmitter(const Module &M) : M(M) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
};

/// `--emit=serving`: every serving record's simulation under its workload.
class ServingEmitter {
public:
  explicit ServingEmitter(const Module &M) : M(M) {}
  void run(llvm::raw_ostream &OS);

private:
  /// The published measurements against the simulation: held-out errors by kind.
  static void validation(llvm::raw_ostream &OS, llvm::ArrayRef<const ServingRecord *> Ss);
  const Module &M;
};

/// `zooc --plan-serving=...`: the devices and layout a model needs (Analysis/Deployment).
class DeploymentEmitter {
public:
  DeploymentEmitter(const DeploymentQuery &Q, const DeploymentPlan &P) : Query(Q), Plan(P) {}
  void run(llvm::raw_ostream &OS);

private:
  const DeploymentQuery &Query;
  const DeploymentPlan &Plan;
};

/// `--emit=training`: every training record in full (layout, step, time and memory breakdown,
/// measurements against predictions) and the validation summary.
class TrainingEmitter {
public:
  explicit TrainingEmitter(const Module &M) : M(M) {}
  void run(llvm::raw_ostream &OS);

private:
  const Module &M;
};

} // namespace zoo

#endif
