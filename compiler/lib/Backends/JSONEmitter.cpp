//===- JSONEmitter.cpp - machine-readable output --------------------------===//
//
// Streams through JSONWriter (llvm::json::OStream's bytes, written faster) into the driver's
// buffered output, so memory stays flat however many records there are.
// Keys are written in sorted order by construction (record fields, arguments and sections are
// sorted here), arrays are sorted by record name. Quantities are objects
// {unit (base dimension), value (base units), written (as in the source)}.
// JSON has no infinity or NaN: every real goes through `real()`, which treats one as an internal
// error (Sema and the passes report any non-finite value at its source first), so the output is
// never `inf` or `nan`.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Machine.h"
#include "zoo/Backends/Emitters.h"
#include "zoo/Backends/JSONWriter.h"
#include "zoo/Passes/Pass.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cmath>
#include <cstdlib>

using namespace zoo;
namespace json = llvm::json;

namespace {
/// The place of each metric among the metrics sorted by name (one string sort per process, not
/// one per model).
const std::vector<int> &metricRanks() {
  static const std::vector<int> Rank = [] {
    std::vector<int> ByName(NumMetrics), R(NumMetrics);
    for (int I = 0; I < NumMetrics; ++I)
      ByName[I] = I;
    std::stable_sort(ByName.begin(), ByName.end(), [](int A, int B) {
      return metricName(static_cast<MetricKind>(A)) < metricName(static_cast<MetricKind>(B));
    });
    for (int I = 0; I < NumMetrics; ++I)
      R[ByName[I]] = I;
    return R;
  }();
  return Rank;
}

/// `Xs` stably sorted by `Rank(X)`, a place in [0, N): each result put straight at its place
/// when no two share one (a model's metrics, one result per kind or per precision), sorted
/// otherwise.
template <typename RankOf>
void placeByRank(std::vector<const MetricResult *> &Xs, size_t N, RankOf Rank) {
  std::vector<const MetricResult *> At(N, nullptr);
  bool Unique = true;
  for (const MetricResult *X : Xs) {
    size_t I = Rank(X);
    if (I >= N || At[I]) {
      Unique = false;
      break;
    }
    At[I] = X;
  }
  if (!Unique) {
    std::stable_sort(Xs.begin(), Xs.end(), [&](const MetricResult *A, const MetricResult *B) {
      return Rank(A) < Rank(B);
    });
    return;
  }
  Xs.clear();
  for (const MetricResult *X : At)
    if (X)
      Xs.push_back(X);
}

void nonFinite(llvm::raw_ostream &Errs, double V) {
  Errs << "zooc: internal error: the JSON output would hold the non-finite number "
       << (std::isnan(V) ? "nan"
           : V > 0       ? "inf"
                         : "-inf")
       << ", which the passes should have reported\n";
}

/// A real as JSON: finite, or an internal error that ends the process with exit code 1
/// (`llvm::report_fatal_error` would abort instead). The driver runs checkFinite() before it
/// writes anything, so this is a last resort for other callers.
double real(double V) {
  if (!std::isfinite(V)) {
    nonFinite(llvm::errs(), V);
    std::exit(1);
  }
  return V;
}

void value(JSONWriter &J, const Value &V) {
  switch (V.T.K) {
  case Type::Int:
    J.value(V.I);
    return;
  case Type::Real:
    J.value(real(V.R));
    return;
  case Type::Bool:
    J.value(V.B);
    return;
  case Type::String:
  case Type::Enum:
    J.value(V.S.str());
    return;
  case Type::Quantity:
    J.object([&] {
      J.attribute("unit", V.T.D.str());
      J.attribute("value", real(V.R));
      J.attribute("written", V.str());
    });
    return;
  case Type::Error:
    break;
  }
  J.value(nullptr);
}

/// An object of (name, value) pairs, sorted by name.
template <typename Pairs, typename NameOf, typename ValueOf>
void sortedObject(JSONWriter &J, const Pairs &Ps, NameOf Name, ValueOf Val) {
  std::vector<const typename Pairs::value_type *> Sorted;
  for (const auto &P : Ps)
    Sorted.push_back(&P);
  std::stable_sort(Sorted.begin(), Sorted.end(),
                   [&](auto *A, auto *B) { return Name(*A) < Name(*B); });
  J.object([&] {
    for (auto *P : Sorted) {
      J.attributeBegin(Name(*P));
      value(J, Val(*P));
      J.attributeEnd();
    }
  });
}

void fields(JSONWriter &J, const std::vector<FieldValue> &Fs) {
  sortedObject(
      J, Fs, [](const FieldValue &F) -> const std::string & { return F.Name; },
      [](const FieldValue &F) -> const Value & { return F.V; });
}

/// Scenario results, sorted by metric name.
void results(JSONWriter &J, const std::vector<std::pair<ScenarioMetric, Value>> &Rs) {
  std::vector<const std::pair<ScenarioMetric, Value> *> Sorted;
  for (const auto &R : Rs)
    Sorted.push_back(&R);
  std::stable_sort(Sorted.begin(), Sorted.end(), [](auto *A, auto *B) {
    return scenarioMetricName(A->first) < scenarioMetricName(B->first);
  });
  J.object([&] {
    for (auto *R : Sorted) {
      J.attributeBegin(scenarioMetricName(R->first));
      value(J, R->second);
      J.attributeEnd();
    }
  });
}

void trainingResults(JSONWriter &J, const std::vector<std::pair<TrainingMetric, Value>> &Rs) {
  std::vector<const std::pair<TrainingMetric, Value> *> Sorted;
  for (const auto &R : Rs)
    Sorted.push_back(&R);
  std::stable_sort(Sorted.begin(), Sorted.end(), [](auto *A, auto *B) {
    return trainingMetricName(A->first) < trainingMetricName(B->first);
  });
  J.object([&] {
    for (auto *R : Sorted) {
      J.attributeBegin(trainingMetricName(R->first));
      value(J, R->second);
      J.attributeEnd();
    }
  });
}

void strings(JSONWriter &J, const std::vector<std::string> &S) {
  J.array([&] {
    for (const std::string &X : S)
      J.value(X);
  });
}

/// A model's metrics: kept by the evaluate-metrics pass, or, with DeferMetrics, evaluated into
/// `Scratch` now (one model's at a time in memory).
const std::vector<MetricResult> &metricsOf(const Module &M, const ModelRecord &R,
                                           std::vector<MetricResult> &Scratch) {
  if (!M.DeferMetrics)
    return R.Evaluated;
  evaluateMetrics(M, R, Scratch);
  return Scratch;
}

/// Each precision's place in the sorted list `Ps` (an unknown one goes last).
struct PrecisionRanks {
  explicit PrecisionRanks(const std::vector<const PrecisionRecord *> &Ps) {
    for (size_t I = 0; I < Ps.size(); ++I)
      Rank.try_emplace(Ps[I], I);
  }
  size_t size() const { return Rank.size() + 1; }
  size_t operator()(const PrecisionRecord *P) const {
    auto It = Rank.find(P);
    return It == Rank.end() ? Rank.size() : It->second;
  }
  llvm::DenseMap<const PrecisionRecord *, size_t> Rank;
};

void model(JSONWriter &J, const Module &M, const ModelRecord &R, const PrecisionRanks &PRank,
           std::vector<MetricResult> &Scratch) {
  const std::vector<MetricResult> &Evaluated = metricsOf(M, R, Scratch);
  J.object([&] {
    J.attribute("architecture", R.Arch->Name);
    J.attributeBegin("args");
    sortedObject(
        J, R.Args, [](const Binding &B) -> const std::string & { return B.first; },
        [](const Binding &B) -> const Value & { return B.second; });
    J.attributeEnd();
    J.attribute("base", R.Base ? json::Value(R.Base->Name) : json::Value(nullptr));
    J.attribute("beyond_context", R.BeyondContext);
    J.attributeArray("expects", [&] {
      for (const Expectation &E : R.Expects)
        J.object([&] {
          J.attribute("metric", metricName(E.Metric));
          J.attribute("op", E.Near ? "~=" : "==");
          J.attributeBegin("value");
          value(J, E.Expected);
          J.attributeEnd();
          if (E.Near)
            J.attribute("within_percent", real(E.TolerancePercent));
        });
    });
    J.attributeBegin("fields");
    fields(J, R.Fields);
    J.attributeEnd();
    J.attributeArray("kv_by_layer_kind", [&] {
      for (const KVKind &K : R.KVByKind)
        J.object([&] {
          J.attribute("kind", K.Kind);
          J.attributeBegin("per_sequence");
          value(J, K.PerSequence);
          J.attributeEnd();
          J.attributeBegin("per_token");
          value(J, K.PerToken);
          J.attributeEnd();
        });
    });
    J.attribute("layers", R.Stats.Layers);
    J.attributeObject("metrics", [&] {
      std::vector<const MetricResult *> Rs;
      for (const MetricResult &X : Evaluated)
        if (X.Metric != MetricKind::weight_bytes)
          Rs.push_back(&X);
      const std::vector<int> &Ranks = metricRanks();
      placeByRank(Rs, NumMetrics, [&](const MetricResult *X) {
        return static_cast<size_t>(Ranks[static_cast<int>(X->Metric)]);
      });
      for (const MetricResult *X : Rs) {
        J.attributeBegin(metricName(X->Metric));
        if (X->V)
          value(J, *X->V);
        else
          J.value(nullptr);
        J.attributeEnd();
      }
      J.attributeObject("weight_bytes", [&] {
        std::vector<const MetricResult *> Ws;
        for (const MetricResult &X : Evaluated)
          if (X.Metric == MetricKind::weight_bytes)
            Ws.push_back(&X);
        // By precision name, as the precisions are listed.
        placeByRank(Ws, PRank.size(),
                    [&](const MetricResult *X) { return PRank(X->Args.Precision); });
        for (const MetricResult *X : Ws) {
          J.attributeBegin(X->Args.Precision->Name);
          value(J, *X->V);
          J.attributeEnd();
        }
      });
    });
    J.attribute("name", R.Name);
    J.attributeObject("params", [&] {
      J.attribute("active", R.Stats.ActiveParams);
      J.attribute("embedding", R.Stats.EmbeddingParams);
      J.attribute("non_embedding", R.Stats.Params - R.Stats.EmbeddingParams);
      J.attribute("total", R.Stats.Params);
    });
    J.attributeBegin("sources");
    strings(J, R.Sources);
    J.attributeEnd();
  });
}

/// A record with fields, sections and sources (hardware, runtimes); `Extra` writes the attributes
/// that sort before `fields`.
template <typename ExtraFn>
void sectioned(JSONWriter &J, const Record &R, const std::vector<Section> &Sections,
               ExtraFn Extra) {
  J.object([&] {
    Extra();
    J.attributeBegin("fields");
    fields(J, R.Fields);
    J.attributeEnd();
    J.attribute("name", R.Name);
    J.attributeArray("sections", [&] {
      for (const Section &S : Sections)
        J.object([&] {
          J.attributeBegin("fields");
          fields(J, S.Fields);
          J.attributeEnd();
          J.attribute("kind", S.Kind);
          J.attribute("name", S.Name);
        });
    });
    J.attributeBegin("sources");
    strings(J, R.Sources);
    J.attributeEnd();
  });
}

void hardware(JSONWriter &J, const Module &M, const HardwareRecord &H) {
  sectioned(J, H, H.Sections, [&] {
    // The published measurements among the inputs made on it (`checked:` of --emit=analysis).
    const Module::DeviceMeasurements D = M.measurementsOn(&H);
    J.attributeObject("checked", [&] {
      J.attribute("calibration", static_cast<int64_t>(D.Calibration));
      J.attribute("held_out", static_cast<int64_t>(D.HeldOut));
    });
    J.attribute("class", H.Class);
  });
}
} // namespace

bool JSONEmitter::checkFinite(llvm::raw_ostream &Errs) const {
  // Every real that run() writes, record by record, in the same places.
  double Bad = 0;
  bool OK = true;
  std::vector<MetricResult> Scratch;
  auto Real = [&](double V) {
    if (OK && !std::isfinite(V)) {
      OK = false;
      Bad = V;
    }
  };
  auto Val = [&](const Value &V) {
    if (V.T.K == Type::Real || V.T.K == Type::Quantity)
      Real(V.R);
  };
  auto Fields = [&](const std::vector<FieldValue> &Fs) {
    for (const FieldValue &F : Fs)
      Val(F.V);
  };
  auto Sectioned = [&](const Record &R, const std::vector<Section> &Sections) {
    Fields(R.Fields);
    for (const Section &S : Sections)
      Fields(S.Fields);
  };
  for (const auto &H : M.Hardware)
    Sectioned(*H, H->Sections);
  for (const auto &R : M.Models) {
    for (const Binding &B : R->Args)
      Val(B.second);
    for (const Expectation &E : R->Expects) {
      Val(E.Expected);
      if (E.Near)
        Real(E.TolerancePercent);
    }
    Fields(R->Fields);
    for (const KVKind &K : R->KVByKind) {
      Val(K.PerSequence);
      Val(K.PerToken);
    }
    for (const MetricResult &X : metricsOf(M, *R, Scratch))
      if (X.V)
        Val(*X.V);
  }
  for (const auto &P : M.Precisions)
    Real(P->bitsPerValue());
  for (const auto &P : M.Pipelines)
    Real(static_cast<double>(P->Macs));
  for (const auto &R : M.Runtimes)
    Sectioned(*R, R->Sections);
  for (const auto &S : M.Scenarios) {
    for (const FactorUse &F : S->Factors)
      Real(F.Value);
    for (const auto &X : S->Ideal)
      Val(X.second);
    for (const Measurement &X : S->Measured)
      Val(X.Measured);
    for (const auto &X : S->Results)
      Val(X.second);
  }
  if (!OK)
    nonFinite(Errs, Bad);
  return OK;
}

void JSONEmitter::run(llvm::raw_ostream &OS) {
  std::vector<const PrecisionRecord *> Ps;
  for (const auto &P : M.Precisions)
    Ps.push_back(P.get());
  std::stable_sort(Ps.begin(), Ps.end(), [](auto *A, auto *B) { return A->Name < B->Name; });

  JSONWriter J(OS, /*IndentSize=*/2);
  J.object([&] {
    J.attributeArray("hardware", [&] {
      for (const HardwareRecord *H : sortedHardware(M))
        hardware(J, M, *H);
    });
    J.attributeArray("models", [&] {
      std::vector<MetricResult> Scratch;
      PrecisionRanks PRank(Ps);
      for (const ModelRecord *R : sortedModels(M))
        model(J, M, *R, PRank, Scratch);
    });
    J.attributeArray("precisions", [&] {
      for (const PrecisionRecord *P : Ps)
        J.object([&] {
          J.attribute("bits", P->Bits);
          J.attribute("bits_per_value", real(P->bitsPerValue()));
          J.attribute("group", P->Group);
          J.attribute("name", P->Name);
          J.attribute("scale_bits", P->ScaleBits);
        });
    });
    J.attributeArray("pipelines", [&] {
      std::vector<const PipelineRecord *> Ps;
      for (const auto &X : M.Pipelines)
        Ps.push_back(X.get());
      std::stable_sort(Ps.begin(), Ps.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
      for (const PipelineRecord *X : Ps)
        J.object([&] {
          J.attribute("decoder", X->Decoder ? X->Decoder->Name : "");
          J.attribute("denoiser", X->Denoiser ? X->Denoiser->Name : "");
          J.attribute("encoder", X->Encoders.empty() ? "" : X->Encoders.front()->Name);
          J.attributeArray("encoders", [&] {
            for (const ModelRecord *E : X->Encoders)
              J.value(E->Name);
          });
          J.attribute("guidance", X->Guidance);
          J.attribute("macs_per_image", real(static_cast<double>(X->Macs)));
          J.attribute("name", X->Name);
          J.attribute("params", X->Params);
          J.attribute("steps", X->Steps);
        });
    });
    const AnalysisPoint &P = M.Point;
    J.attributeObject("point", [&] {
      J.attribute("batch", P.Batch);
      J.attribute("context", P.Context);
      J.attribute("kv", P.KV);
      J.attribute("output", P.Output);
      J.attribute("prompt", P.Prompt);
      J.attribute("weights", P.Weights);
    });
    J.attributeArray("runtimes", [&] {
      std::vector<const RuntimeRecord *> Rs;
      for (const auto &X : M.Runtimes)
        Rs.push_back(X.get());
      std::stable_sort(Rs.begin(), Rs.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
      for (const RuntimeRecord *R : Rs)
        sectioned(J, *R, R->Sections, [&] { J.attribute("default", R->IsDefault); });
    });
    J.attribute("schema", Schema);
    J.attributeArray("systems", [&] {
      std::vector<const SystemRecord *> Ss;
      for (const auto &X : M.Systems)
        Ss.push_back(X.get());
      std::stable_sort(Ss.begin(), Ss.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
      auto Link = [&](const SystemLink &L, bool Network) {
        J.object([&] {
          J.attribute("bandwidth", real(L.Bandwidth));
          J.attribute("latency", real(L.Latency));
          J.attribute("name", L.Name);
          if (Network) {
            J.attribute("nics", L.Nics);
            J.attribute("oversubscription", real(L.Oversubscription));
          }
          J.attribute("topology", L.Topology);
        });
      };
      for (const SystemRecord *S : Ss)
        J.object([&] {
          J.attribute("devices", S->Devices);
          J.attributeBegin("fabric");
          Link(S->Fabric, false);
          J.attributeEnd();
          J.attribute("hardware", S->Hw ? S->Hw->Name : "");
          J.attribute("name", S->Name);
          J.attributeBegin("network");
          if (S->Network)
            Link(*S->Network, true);
          else
            J.value(nullptr);
          J.attributeEnd();
          J.attribute("power", real(S->NodePower));
          J.attributeBegin("sources");
          strings(J, S->Sources);
          J.attributeEnd();
        });
    });
    J.attributeArray("training", [&] {
      std::vector<const TrainingRecord *> Ts;
      for (const auto &X : M.Trainings)
        Ts.push_back(X.get());
      std::stable_sort(Ts.begin(), Ts.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
      for (const TrainingRecord *T : Ts)
        J.object([&] {
          J.attribute("calibration", T->Calibration);
          J.attribute("compute", T->Compute ? T->Compute->Name : "");
          J.attribute("cp", T->CP);
          J.attribute("devices", T->Devices);
          J.attribute("dp", T->DP);
          J.attribute("ep", T->EP);
          J.attribute("global_batch", T->GlobalBatch);
          J.attributeBegin("ideal");
          trainingResults(J, T->Ideal);
          J.attributeEnd();
          J.attribute("interleave", T->Interleave);
          J.attributeArray("measured", [&] {
            for (const TrainingMeasurement &X : T->Measured)
              J.object([&] {
                J.attribute("metric", trainingMetricName(X.Metric));
                J.attribute("source", X.Source);
                J.attributeBegin("value");
                value(J, X.Measured);
                J.attributeEnd();
              });
          });
          J.attribute("micro_batch", T->MicroBatch);
          J.attribute("model", T->Model ? T->Model->Name : "");
          J.attribute("name", T->Name);
          J.attribute("optimizer", T->Opt ? T->Opt->Name : "");
          J.attribute("pp", T->PP);
          J.attribute("precision", T->Precision ? T->Precision->Name : "");
          J.attribute("recompute", T->Recomp == Recompute::Full        ? "full"
                                   : T->Recomp == Recompute::Selective ? "selective"
                                                                       : "none");
          J.attribute("regime", T->Regime);
          J.attributeBegin("results");
          trainingResults(J, T->Results);
          J.attributeEnd();
          J.attribute("runtime", T->Runtime ? T->Runtime->Name : "");
          J.attribute("sequence", T->Sequence);
          J.attribute("sequence_parallel", T->SequenceParallel);
          J.attribute("system", T->System ? T->System->Name : "");
          J.attribute("tp", T->TP);
          J.attribute("zero", T->Zero);
        });
    });
    J.attributeArray("serving", [&] {
      std::vector<const ServingRecord *> Ss;
      for (const auto &X : M.Servings)
        Ss.push_back(X.get());
      std::stable_sort(Ss.begin(), Ss.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
      for (const ServingRecord *S : Ss)
        J.object([&] {
          // The replica's precisions and runtime, as a scenario's are written and the report
          // names them (a record with `plan = auto` runs none of its own: empty, `runtime` null).
          const ScenarioRecord *Rp = S->Replica && S->Replica->Hw ? S->Replica.get() : nullptr;
          const RuntimeRecord *Rt = Rp ? Rp->UsedRuntime : nullptr;
          const PrecisionRecord *C = Rp && Rp->Compute ? computeOf(M, *Rp) : nullptr;
          J.attribute("activations", Rp && Rp->Activations ? Rp->Activations->Name : "");
          if (S->Replica && S->Replica->AttentionDP)
            J.attribute("attention_dp", true);
          J.attribute("buy", S->Buy);
          J.attribute("calibration", S->Calibration);
          J.attribute("compute", C ? C->Name : "");
          J.attributeArray("deployments", [&] {
            for (const ServingRecord::Candidate &K : S->Candidates)
              J.object([&] {
                J.attribute("attention_dp", K.AttentionDP);
                J.attribute("devices_per_replica", K.Devices);
                J.attribute("frontier", K.Pareto);
                J.attribute("hardware", K.Price->Hw->Name);
                J.attribute("max_batch", K.MaxBatch);
                J.attribute("pipeline_stages", K.PP);
                J.attribute("prefill_devices_per_replica", K.PrefillDevices);
                J.attribute("price", K.Price->Name);
                J.attribute("replicas", K.Replicas);
                J.attribute("speculative", K.Speculative);
                J.attribute("tokens_per_s_per_device", real(K.TokensPerSPerDevice));
                J.attribute("tokens_per_s_per_user", real(K.TokensPerSPerUser));
                J.attribute("tpot_p99_s", real(K.TPOT99));
                J.attribute("ttft_p99_s", real(K.TTFT99));
                J.attribute("usd_per_hour", real(K.CostPerHour * 3600));
                J.attribute("usd_per_million_output_tokens", real(K.CostPerMillion));
                J.attribute("weights", K.Weights->Name);
              });
          });
          J.attribute("devices", S->Replica ? S->Replica->Devices : 0);
          if (S->Replica && S->Replica->ExpertCompute)
            J.attribute("expert_compute", S->Replica->ExpertCompute->Name);
          if (S->Replica && S->Replica->ExpertWeights)
            J.attribute("expert_weights", S->Replica->ExpertWeights->Name);
          J.attribute("grid", S->Energy ? S->Energy->Name : "");
          J.attribute("hardware", S->Replica && S->Replica->Hw ? S->Replica->Hw->Name : "");
          auto Results = [&](const std::vector<std::pair<ServingMetric, Value>> &From) {
            J.object([&] {
              std::vector<const std::pair<ServingMetric, Value> *> Rs;
              for (const auto &R : From)
                Rs.push_back(&R);
              std::stable_sort(Rs.begin(), Rs.end(), [](auto *A, auto *B) {
                return servingMetricName(A->first) < servingMetricName(B->first);
              });
              for (auto *R : Rs) {
                J.attributeBegin(servingMetricName(R->first));
                value(J, R->second);
                J.attributeEnd();
              }
            });
          };
          J.attributeBegin("ideal");
          Results(S->Ideal);
          J.attributeEnd();
          J.attribute("kv", Rp && Rp->KV ? Rp->KV->Name : "");
          J.attributeArray("measured", [&] {
            for (const ServingMeasurement &X : S->Measured)
              J.object([&] {
                J.attribute("metric", servingMetricName(X.Metric));
                J.attribute("source", X.Source);
                J.attributeBegin("value");
                value(J, X.Measured);
                J.attributeEnd();
              });
          });
          J.attribute("model",
                      S->Replica && S->Replica->Model ? S->Replica->Model->Name : "");
          J.attribute("name", S->Name);
          J.attribute("pipeline_stages", S->PP);
          J.attribute("plan", S->Plan);
          J.attribute("price", S->Cost ? S->Cost->Name : "");
          J.attribute("regime", S->Regime);
          J.attributeBegin("results");
          Results(S->Results);
          J.attributeEnd();
          J.attribute("runtime", Rt ? json::Value(Rt->Name) : json::Value(nullptr));
          J.attribute("sla_percentile", real(S->SLA.Percentile));
          J.attributeBegin("sources");
          strings(J, S->Sources);
          J.attributeEnd();
          J.attribute("tbt_target_s", real(S->SLA.TBT));
          J.attribute("tco_period_years", real(S->TCOYears));
          J.attribute("term", termName(S->Term));
          J.attribute("tpot_target_s", real(S->SLA.TPOT));
          J.attribute("ttft_target_s", real(S->SLA.TTFT));
          J.attribute("weights", Rp && Rp->Weights ? Rp->Weights->Name : "");
          J.attribute("workload", S->Load ? S->Load->Name : "");
        });
    });
    J.attributeArray("scenarios", [&] {
      for (const ScenarioRecord *S : sortedScenarios(M))
        J.object([&] {
          J.attribute("activations", S->Activations ? S->Activations->Name : "");
          if (S->AttentionDP) // where the scenario sets it
            J.attribute("attention_dp", true);
          J.attribute("batch", S->Batch);
          const PrecisionRecord *C = S->Compute ? computeOf(M, *S) : nullptr;
          J.attribute("compute", C ? C->Name : "");
          if (S->DecoderBatch) // a pipeline's decoder batch, where set
            J.attribute("decoder_batch", S->DecoderBatch);
          if (S->DecoderPrecision) // a pipeline's parts at their own precision, where set
            J.attribute("decoder_precision", S->DecoderPrecision->Name);
          J.attribute("devices", S->Devices);
          if (S->EncoderPrecision)
            J.attribute("encoder_precision", S->EncoderPrecision->Name);
          // Experts at their own precision, where the scenario or its runtime says so.
          if (const PrecisionRecord *E = C ? expertComputeOf(M, *S) : nullptr; E && E != C)
            J.attribute("expert_compute", E->Name);
          if (S->ExpertWeights)
            J.attribute("expert_weights", S->ExpertWeights->Name);
          J.attributeArray("factors", [&] {
            for (const FactorUse &F : S->Factors)
              J.object([&] {
                J.attribute("name", F.Name);
                J.attribute("origin", F.Origin);
                J.attribute("source", F.Source);
                J.attribute("unit", F.Seconds ? "s" : "");
                J.attribute("value", real(F.Value));
              });
          });
          J.attribute("grid", S->Energy ? S->Energy->Name : "");
          if (S->Pipeline) // a pipeline's: the guidance and the steps it runs
            J.attribute("guidance", S->guidance());
          J.attribute("hardware", S->Hw ? S->Hw->Name : "");
          J.attributeBegin("ideal");
          results(J, S->Ideal);
          J.attributeEnd();
          J.attribute("kv", S->KV ? S->KV->Name : "");
          J.attributeArray("measured", [&] {
            for (const Measurement &X : S->Measured)
              J.object([&] {
                J.attribute("metric", scenarioMetricName(X.Metric));
                J.attribute("source", X.Source);
                J.attributeBegin("value");
                value(J, X.Measured);
                J.attributeEnd();
              });
          });
          J.attribute("model", S->Model ? S->modelName() : "");
          J.attribute("name", S->Name);
          J.attributeArray("notes", [&] {
            for (const std::string &N : S->Notes)
              J.value(N);
          });
          J.attribute("output", S->Output);
          if (S->Pipeline) // a generator's scenario: `model` is the pipeline
            J.attribute("pipeline", true);
          J.attribute("price", S->Cost ? S->Cost->Name : "");
          J.attribute("prompt", S->Prompt);
          J.attributeBegin("results");
          results(J, S->Results);
          J.attributeEnd();
          J.attribute("runtime",
                      S->UsedRuntime ? json::Value(S->UsedRuntime->Name) : json::Value(nullptr));
          if (S->Pipeline)
            J.attribute("steps", S->steps());
          J.attribute("term", termName(S->Term));
          J.attribute("weights", S->Weights ? S->Weights->Name : "");
        });
    });
  });
  OS << "\n";
}
