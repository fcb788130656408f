//===- Calibration.cpp - fitting runtime factors on marked measurements ---===//
//
// fitCalibration, for each runtime that calibration rows name, and for the default runtime over
// the rows of every runtime marked `serving = true`:
//   1. The free slots: each row's slot by its regime (calibratedSlot; a vision row at a batch of 8
//      or more takes the roof slot that dominates its predicted time with the runtime's factors
//      at 1), and op_overhead besides when batch-1 decode rows on one device fit the same
//      weight-read slot on two or more hardware records (a fixed cost per operation is what
//      separates a fast device from a slow one at the same kernel efficiency); where that slot
//      is bandwidth experts (a model with routed experts), expert_layer_overhead instead. A row
//      of a model with routed experts fits bandwidth experts at decode (at the expert weights'
//      precision where 8 bits or narrower), compute experts otherwise.
//   2. Every free slot starts at 1 (0 for fixed costs); the others keep their record values.
//   3. The free slots minimise the sum over the rows of (ln predicted - ln measured)^2: round
//      after round, each slot in turn by golden-section search over its range (fractions 0.02..1
//      on a log scale, fixed costs 0..500 us), until no slot moves by more than 1e-5 (relative)
//      or 60 rounds. With as many rows as slots this meets every row exactly where it can.
//   4. Then full-load serving rows (fullLoadCalibration: a serving record marked calibration
//      whose every request arrives at once, measuring output tokens a second) fit compute gemm
//      at their compute precision through the serving simulation (a long decode at a large batch
//      is bound by its GEMMs), or compute experts where the model has routed experts, with
//      bandwidth experts at the expert weights' precision tied to it (one value for both: a run
//      at full load is bound by either roof by turns, and one row cannot tell them apart; not
//      where scenario rows fit that bandwidth slot): that slot alone, by the same search,
//      over the scenario rows that inform it and the serving rows, the other slots as step 3
//      left them. A simulation costs milliseconds, so the fit is one slot, not a joint one, with
//      one exception: where one experts key's rows hold models whose experts differ in size,
//      expert_overhead is fitted first (0..50 us), each value tried with that key's factor fitted
//      anew, the value leaving those rows the least error kept.
//   5. Then light-load serving rows (lightLoadCalibration: a serving record marked calibration
//      whose requests arrive at a rate, an open loop) fit their own runtime's fixed costs through
//      the simulation: a mean or median time per output token (or the median time between
//      tokens) on one device step_overhead, on several collective_latency; a mean or median TTFT
//      request_overhead. Each slot alone, in
//      that order (a step's host time is in the TTFT too), over 0..50 ms (collective_latency
//      0..500 us); steps 4 and 5 are then repeated for the runtimes with such rows, as each
//      moves what the other fits, until their values settle (to 0.1%, at most four rounds: a
//      fit through a discrete simulation is not smooth, and one round could leave a value that
//      alternates between two).
// A row whose measurement no value in range reproduces keeps a residual, which --emit=calibration
// prints.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Calibration.h"
#include "zoo/Analysis/Inference.h"
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace zoo;

namespace {
std::optional<double> pick(const std::vector<std::pair<ScenarioMetric, Value>> &Rs,
                           ScenarioMetric K) {
  for (const auto &R : Rs)
    if (R.first == K)
      return R.second.asDouble();
  return std::nullopt;
}

/// Slot K as row S fits it on runtime R: keyed by the precision the slot is looked up at
/// (slotPrecision) where that is 8 bits or narrower, else `any`.
SlotKey keyed(const ScenarioRecord &S, Slot K, const RuntimeRecord *R) {
  const PrecisionRecord *P = slotPrecision(S, K, R);
  return SlotKey{K, P->Bits <= 8 ? P->Name : std::string("any")};
}

} // namespace

std::optional<SlotKey> zoo::calibratedSlot(const ScenarioRecord &S, const RuntimeRecord *R) {
  // A decode step of a model with routed experts reads the experts its tokens route to; a prompt
  // multiplies them.
  if (!S.Model->Stats.Experts.empty() && S.Regime != "vision")
    return keyed(S, S.Regime == "decode" ? Slot::ExpertReads : Slot::Experts, R);
  if (S.Regime == "decode") {
    if (S.Devices > 1)
      return SlotKey{Slot::CollectiveLatency, "any"};
    if (dequantising(S, R))
      return SlotKey{Slot::DequantGemv, S.Weights->Name};
    return SlotKey{Slot::Gemv, "any"};
  }
  if (S.Regime == "prefill")
    return keyed(S, Slot::Gemm, R);
  if (S.Regime == "serving")
    return SlotKey{Slot::AttentionBandwidth, "any"};
  if (S.Regime == "tinyml") // a microcontroller's layers run one after another, compute-bound
    return keyed(S, Slot::Gemm, R);
  if (S.Regime == "vision")
    return S.Batch >= 8 ? keyed(S, Slot::Gemm, R) : SlotKey{Slot::OpOverhead, "any"};
  return std::nullopt;
}

std::optional<double> zoo::predict(const Module &M, const ScenarioRecord &S, ScenarioMetric Metric,
                                   const RuntimeRecord *R, llvm::ArrayRef<SlotOverride> Overrides) {
  Machine X = makeMachine(M, S, R, Overrides, /*Describe=*/false);
  return pick(analyse(M, S, X).Results, Metric);
}

std::optional<double> zoo::predictIdeal(const Module &M, const ScenarioRecord &S,
                                        ScenarioMetric Metric) {
  Machine X = makeMachine(M, S, nullptr, {}, /*Describe=*/false).ideal();
  return pick(analyse(M, S, X).Results, Metric);
}

std::optional<double> zoo::recordValue(const RuntimeRecord &R, const SlotKey &K) {
  if (slotIsFixedCost(K.K)) {
    const FieldValue *F = R.field(slotSpelling(K.K).Kernel);
    return F ? std::optional<double>(F->V.R) : std::nullopt;
  }
  for (const Section &Sec : R.Sections)
    if (Sec.Kind == slotSpelling(K.K).Kind && Sec.Name == slotSpelling(K.K).Kernel)
      if (const FieldValue *F = Sec.field(K.Key))
        return F->V.asDouble();
  return std::nullopt;
}

namespace {
/// The roof slot that dominates a vision row's time on runtime R with its slots at 1.
Slot visionRoof(const Module &M, const ScenarioRecord &S, const RuntimeRecord *R) {
  std::vector<SlotOverride> Ones;
  for (Slot K : {Slot::Gemm, Slot::Gemv, Slot::DequantGemv, Slot::Activations})
    Ones.push_back({K, 1});
  Ones.push_back({Slot::OpOverhead, 0});
  Ones.push_back({Slot::OpCycles, 0});
  InferenceResult Res = analyse(M, S, makeMachine(M, S, R, Ones, /*Describe=*/false));
  Slot Best = Slot::Gemm;
  for (Slot K : {Slot::Gemm, Slot::Gemv, Slot::DequantGemv, Slot::Activations})
    if (Res.Prefill.BySlot[static_cast<int>(K)] > Res.Prefill.BySlot[static_cast<int>(Best)])
      Best = K;
  return Best;
}

/// The slot a runtime's cost an operation is fitted in: op_cycles where its record counts the
/// cost in cycles, else op_overhead.
Slot opCostSlot(const RuntimeRecord &R) {
  return R.field("op_cycles") ? Slot::OpCycles : Slot::OpOverhead;
}

/// A serving row of a fit: the record, its measured figure and which one (output tokens a second
/// at full load; a TTFT or TPOT at a light load).
struct ServingRow {
  const ServingRecord *Sv;
  double Measured;
  ServingMetric Metric = ServingMetric::output_tokens_per_s;
};

struct Fit {
  const RuntimeRecord *Runtime;
  std::vector<std::pair<const ScenarioRecord *, const Measurement *>> Rows;
  std::vector<SlotKey> Free;
  std::vector<double> Value;
  std::map<SlotKey, std::vector<const ScenarioRecord *>> Informs;
  std::map<SlotKey, std::vector<ServingRow>> ServingInforms;
};

/// The overrides of `F`'s free slots that apply to row S (dequant slots by weight precision):
/// a slot's key for the row's precision where the fit has one, else its `any` key, as a
/// runtime record's lookup takes them (the order of the free slots does not matter).
std::vector<SlotOverride> overrides(const Fit &F, const ScenarioRecord &S) {
  std::vector<SlotOverride> O;
  auto Exact = [&](size_t I) {
    const PrecisionRecord *P = slotPrecision(S, F.Free[I].K, F.Runtime);
    return P && P->Name == F.Free[I].Key;
  };
  for (size_t I = 0; I < F.Free.size(); ++I) {
    bool Applies = Exact(I);
    if (!Applies && F.Free[I].Key == "any") {
      Applies = true;
      for (size_t J = 0; J < F.Free.size(); ++J)
        Applies &= !(J != I && F.Free[J].K == F.Free[I].K && Exact(J));
    }
    if (Applies)
      O.push_back({F.Free[I].K, F.Value[I]});
  }
  return O;
}

/// A row's squared log error (a large penalty where the prediction is missing or not positive).
double squaredLogError(double Predicted, double Measured) {
  double E = std::log(Predicted / Measured);
  return std::isfinite(E) ? E * E : 1e6;
}

/// The sum over F's scenario rows (those `Only` names, when given) of the squared log error.
double objective(const Module &M, const Fit &F,
                 const std::vector<const ScenarioRecord *> *Only = nullptr) {
  double Sum = 0;
  for (const auto &[S, X] : F.Rows) {
    if (Only && std::find(Only->begin(), Only->end(), S) == Only->end())
      continue;
    double P = predict(M, *S, X->Metric, F.Runtime, overrides(F, *S)).value_or(NAN);
    Sum += squaredLogError(P, X->Measured.asDouble());
  }
  return Sum;
}

/// Where `At` is least on [Lo, Hi]: golden-section search, the ends of the range candidates too
/// (a slot at its bound).
double minimise(double Lo, double Hi, llvm::function_ref<double(double)> At) {
  double Best = goldenSection(Lo, Hi, 30, At), FBest = At(Best);
  for (double U : {Lo, Hi})
    if (double FU = At(U); FU < FBest) {
      Best = U;
      FBest = FU;
    }
  return Best;
}

void solve(const Module &M, Fit &F) {
  F.Value.clear();
  for (const SlotKey &K : F.Free)
    F.Value.push_back(slotIsFixedCost(K.K) ? 0 : 1);
  for (int Round = 0; Round < 60; ++Round) {
    double Moved = 0;
    for (size_t I = 0; I < F.Free.size(); ++I) {
      bool Fixed = slotIsFixedCost(F.Free[I].K);
      // Fractions on a log scale; fixed costs linear (cycles up to 500 us at 3 GHz).
      double Lo = Fixed ? 0 : std::log(0.02), Hi = !Fixed                          ? 0
                                                   : F.Free[I].K == Slot::OpCycles ? 1.5e6
                                                                                   : 500e-6;
      auto At = [&](double U) {
        F.Value[I] = Fixed ? U : std::exp(U);
        return objective(M, F);
      };
      double Old = F.Value[I];
      double Best = minimise(Lo, Hi, At);
      F.Value[I] = Fixed ? Best : std::exp(Best);
      Moved = std::max(Moved, std::fabs(F.Value[I] - Old) / std::max(std::fabs(Old), 1e-6));
    }
    if (Moved < 1e-5)
      break;
  }
}
} // namespace

std::optional<double> zoo::fullLoadCalibration(const ServingRecord &Sv) {
  if (!Sv.Calibration || !Sv.Load || Sv.Plan || !Sv.Replica || !Sv.Replica->Compute ||
      Sv.Load->Concurrency <= 0 || Sv.Load->Concurrency < Sv.Load->Requests)
    return std::nullopt;
  for (const ServingMeasurement &X : Sv.Measured)
    if (X.Metric == ServingMetric::output_tokens_per_s)
      return X.Measured.asDouble();
  return std::nullopt;
}

namespace {
/// Parameters of the largest expert of the model of `S` (0 without experts).
int64_t largestExpert(const ScenarioRecord &S) {
  int64_t Most = 0;
  for (const ExpertTerm &E : S.Model->Stats.Experts)
    Most = std::max(Most, static_cast<int64_t>(E.ExpertParams));
  return Most;
}

/// Where slot K is among F's free slots, after adding it (at 0 for a fixed cost, else 1).
size_t freeSlot(Fit &F, const SlotKey &K) {
  auto Found = std::find(F.Free.begin(), F.Free.end(), K);
  if (Found != F.Free.end())
    return static_cast<size_t>(Found - F.Free.begin());
  F.Free.push_back(K);
  F.Value.push_back(slotIsSeconds(K.K) ? 0 : 1);
  return F.Free.size() - 1;
}

/// Fits slot K of F alone over the scenario rows that inform it and the serving `Rows` (through
/// the simulation), the other slots as they are; K joins F's free slots where it is not one.
/// A fraction is searched on a log scale from 0.02 to 1, a fixed cost from 0 to `MostSeconds`.
/// `Tied`, where given, takes K's value throughout (a second slot the rows cannot tell apart).
void fitThroughSimulation(const Module &M, const ServingPredictor &Serve, Fit &F, const SlotKey &K,
                          const std::vector<ServingRow> &Rows, double MostSeconds = 0,
                          const std::optional<SlotKey> &Tied = std::nullopt) {
  const bool Seconds = slotIsSeconds(K.K);
  const size_t I = freeSlot(F, K);
  const std::optional<size_t> J = Tied ? std::optional<size_t>(freeSlot(F, *Tied)) : std::nullopt;
  auto At = [&](double U) {
    F.Value[I] = Seconds ? U : std::exp(U);
    if (J)
      F.Value[*J] = F.Value[I];
    double Sum = objective(M, F, &F.Informs[K]);
    for (const ServingRow &Row : Rows)
      Sum += squaredLogError(
          Serve(*Row.Sv, F.Runtime, overrides(F, *Row.Sv->Replica), Row.Metric).value_or(NAN),
          Row.Measured);
    return Sum;
  };
  const double Best = Seconds ? minimise(0, MostSeconds, At) : minimise(std::log(0.02), 0, At);
  F.Value[I] = Seconds ? Best : std::exp(Best);
  F.ServingInforms[K] = Rows;
  if (J) {
    F.Value[*J] = F.Value[I];
    F.ServingInforms[*Tied] = Rows;
  }
}

/// Step 4: each runtime's full-load serving rows fit compute gemm at their compute precision
/// (compute experts for a model with routed experts, and bandwidth experts at their expert
/// weights' precision tied to it: the steps of a run at full load are bound now by one roof, now
/// by the other, and one fraction is what its rows can tell; not where scenario rows fit that
/// bandwidth slot), that slot alone (the others as stage 1 left them), with the scenario rows
/// that inform it.
/// `Only`: the runtimes to refit (empty: all).
void fitServingRows(const Module &M, const ServingPredictor &Serve,
                    std::map<std::string, Fit> &Fits, const std::set<std::string> &Only = {}) {
  const RuntimeRecord *Default = M.defaultRuntime();
  // The rows of each runtime and slot, and the slot tied to it (the first row's).
  struct Group {
    std::vector<ServingRow> Rows;
    std::optional<SlotKey> Tied;
  };
  std::map<std::pair<std::string, SlotKey>, Group> ByRuntime;
  for (const auto &Sv : M.Servings) {
    std::optional<double> Measured = fullLoadCalibration(*Sv);
    if (!Measured)
      continue;
    const ScenarioRecord &S = *Sv->Replica;
    const bool Experts = !S.Model->Stats.Experts.empty();
    std::vector<const RuntimeRecord *> Runtimes;
    if (S.Runtime)
      Runtimes.push_back(S.Runtime);
    if (Default && Default != S.Runtime && S.Runtime && S.Runtime->Serving)
      Runtimes.push_back(Default);
    for (const RuntimeRecord *R : Runtimes) {
      Fit &F = Fits[R->Name];
      F.Runtime = R;
      Group &G = ByRuntime[{R->Name, keyed(S, Experts ? Slot::Experts : Slot::Gemm, R)}];
      G.Rows.push_back({Sv.get(), *Measured});
      if (const SlotKey Reads = keyed(S, Slot::ExpertReads, R);
          Experts && !G.Tied && !F.Informs.count(Reads))
        G.Tied = Reads;
    }
  }
  // expert_overhead first, where a runtime's rows of one experts key hold models whose experts
  // differ in size: for each value tried, that key's factor fitted anew, and the value that leaves
  // those rows' least error kept (a fixed cost an expert is what separates small experts from
  // large at the same kernel efficiency).
  for (const auto &Entry : ByRuntime) {
    const SlotKey &K = Entry.first.second;
    const Group &G = Entry.second; // (named: a lambda below takes it)
    const std::vector<ServingRow> &Rows = G.Rows;
    if (K.K != Slot::Experts || (!Only.empty() && !Only.count(Entry.first.first)))
      continue;
    std::set<int64_t> Sizes;
    for (const ServingRow &Row : Rows)
      Sizes.insert(largestExpert(*Row.Sv->Replica));
    Fit &F = Fits[Entry.first.first];
    const SlotKey Overhead{Slot::ExpertOverhead, "any"};
    if (Sizes.size() < 2 || std::count(F.Free.begin(), F.Free.end(), Overhead))
      continue; // (the first such key of a runtime fits it)
    const size_t I = freeSlot(F, Overhead);
    auto Error = [&](double T) {
      F.Value[I] = T;
      fitThroughSimulation(M, Serve, F, K, Rows, 0, G.Tied);
      double Sum = 0;
      for (const ServingRow &Row : Rows)
        Sum += squaredLogError(
            Serve(*Row.Sv, F.Runtime, overrides(F, *Row.Sv->Replica), Row.Metric).value_or(NAN),
            Row.Measured);
      return Sum;
    };
    F.Value[I] = minimise(0, 50e-6, Error);
    F.ServingInforms[Overhead] = Rows;
  }
  for (const auto &[Key, G] : ByRuntime)
    if (Only.empty() || Only.count(Key.first))
      fitThroughSimulation(M, Serve, Fits[Key.first], Key.second, G.Rows, 0, G.Tied);
}

/// A light-load row's metrics: a decode step's (a time per output token, or the median time
/// between tokens), which fit a step's host time or an all-reduce's latency, and the first
/// token's, which fit the front end's time a request.
bool stepMetric(ServingMetric M) {
  return M == ServingMetric::tpot_mean || M == ServingMetric::tpot_p50 ||
         M == ServingMetric::tbt_p50;
}
bool firstTokenMetric(ServingMetric M) {
  return M == ServingMetric::ttft_mean || M == ServingMetric::ttft_p50;
}

/// Step 5: each runtime's light-load serving rows fit its fixed costs (the file comment). Returns
/// the runtimes it fitted.
std::set<std::string> fitLightRows(const Module &M, const ServingPredictor &Serve,
                                   std::map<std::string, Fit> &Fits) {
  std::map<std::pair<std::string, SlotKey>, std::vector<ServingRow>> ByRuntime;
  for (const auto &Sv : M.Servings) {
    const ScenarioRecord *S = Sv->Replica.get();
    if (!S || !S->Runtime)
      continue;
    for (const auto &[Metric, Measured] : lightLoadCalibration(*Sv)) {
      Slot K = !stepMetric(Metric) ? Slot::RequestOverhead
               : S->Devices > 1    ? Slot::CollectiveLatency
                                   : Slot::StepOverhead;
      Fits[S->Runtime->Name].Runtime = S->Runtime;
      ByRuntime[{S->Runtime->Name, SlotKey{K, "any"}}].push_back({Sv.get(), Measured, Metric});
    }
  }
  // In the order the file comment gives: the slots' enum order would put collective_latency
  // first, so the order is explicit.
  for (Slot Order : {Slot::StepOverhead, Slot::CollectiveLatency, Slot::RequestOverhead})
    for (const auto &[Key, Rows] : ByRuntime)
      if (Key.second.K == Order)
        fitThroughSimulation(M, Serve, Fits[Key.first], Key.second, Rows,
                             Order == Slot::CollectiveLatency ? 500e-6 : 50e-3);
  std::set<std::string> Fitted;
  for (const auto &Entry : ByRuntime)
    Fitted.insert(Entry.first.first);
  return Fitted;
}
} // namespace

std::vector<std::pair<ServingMetric, double>> zoo::lightLoadCalibration(const ServingRecord &Sv) {
  std::vector<std::pair<ServingMetric, double>> Out;
  if (!Sv.Calibration || !Sv.Load || Sv.Plan || !Sv.Replica || Sv.Load->Concurrency > 0)
    return Out;
  for (const ServingMeasurement &X : Sv.Measured)
    if (stepMetric(X.Metric) || firstTokenMetric(X.Metric))
      Out.push_back({X.Metric, X.Measured.asDouble()});
  return Out;
}

std::vector<FittedSlot> zoo::fitCalibration(const Module &M, const ServingPredictor &Serve) {
  const RuntimeRecord *Default = M.defaultRuntime();
  std::map<std::string, Fit> Fits; // by runtime name: a deterministic order
  for (const auto &S : M.Scenarios) {
    if (!S->Calibration || S->Results.empty() || S->Measured.empty() ||
        !calibratedSlot(*S, S->Runtime))
      continue;
    std::vector<const RuntimeRecord *> Runtimes;
    if (S->Runtime)
      Runtimes.push_back(S->Runtime);
    if (Default && Default != S->Runtime && S->Runtime && S->Runtime->Serving)
      Runtimes.push_back(Default);
    for (const RuntimeRecord *R : Runtimes) {
      Fit &F = Fits[R->Name];
      F.Runtime = R;
      SlotKey K = *calibratedSlot(*S, R);
      if (S->Regime == "vision" && K.K == Slot::Gemm) {
        K.K = visionRoof(M, *S, R);
        if (K.K != Slot::Gemm)
          K.Key = "any";
      }
      if (K.K == Slot::OpOverhead)
        K.K = opCostSlot(*R);
      if (std::find(F.Free.begin(), F.Free.end(), K) == F.Free.end())
        F.Free.push_back(K);
      F.Informs[K].push_back(S.get());
      for (const Measurement &X : S->Measured)
        F.Rows.push_back({S.get(), &X});
    }
  }
  for (auto &[Name, F] : Fits) {
    // op_overhead (op_cycles, where the runtime counts it so) is free where batch-1 decode rows on
    // one device fit the same weight-read slot on two or more hardware records;
    // expert_layer_overhead instead where that slot is bandwidth experts (rows of a model with
    // routed experts: a fixed cost a token for each expert layer is what separates their fast
    // device from their slow one).
    std::map<SlotKey, std::set<const HardwareRecord *>> Devices;
    std::map<SlotKey, std::vector<const ScenarioRecord *>> Decode;
    for (const auto &[S, X] : F.Rows)
      if (S->Regime == "decode" && S->Devices == 1 && S->Batch == 1) {
        SlotKey K = *calibratedSlot(*S, F.Runtime);
        Devices[K].insert(S->Hw);
        Decode[K].push_back(S);
      }
    for (const auto &[K, Hws] : Devices)
      if (Hws.size() >= 2) {
        const SlotKey Overhead{
            K.K == Slot::ExpertReads ? Slot::ExpertLayerOverhead : opCostSlot(*F.Runtime), "any"};
        if (std::find(F.Free.begin(), F.Free.end(), Overhead) == F.Free.end())
          F.Free.push_back(Overhead);
        for (const ScenarioRecord *S : Decode[K])
          F.Informs[Overhead].push_back(S);
      }
    std::sort(F.Free.begin(), F.Free.end());
    solve(M, F);
  }
  if (Serve) {
    fitServingRows(M, Serve, Fits);
    // The runtimes with light-load rows once more, as each stage moves what the other fits.
    if (std::set<std::string> Light = fitLightRows(M, Serve, Fits); !Light.empty()) {
      // Steps 4 and 5 again, until the fixed costs settle (to 0.1%; at most four rounds): each
      // moves what the other fits, and the first step 4 ran at the records' fixed costs.
      for (int Round = 0; Round < 4; ++Round) {
        std::map<std::string, std::vector<double>> Before;
        for (const std::string &Name : Light)
          Before[Name] = Fits[Name].Value;
        fitServingRows(M, Serve, Fits, Light);
        fitLightRows(M, Serve, Fits);
        bool Settled = true;
        for (const std::string &Name : Light)
          for (size_t I = 0; I < Fits[Name].Value.size() && I < Before[Name].size(); ++I)
            Settled &= std::fabs(Fits[Name].Value[I] - Before[Name][I]) <=
                       1e-3 * std::fabs(Before[Name][I]);
        if (Settled)
          break;
      }
    }
  }
  std::vector<FittedSlot> Out;
  for (auto &[Name, F] : Fits)
    for (size_t I = 0; I < F.Free.size(); ++I) {
      FittedSlot X;
      X.Runtime = F.Runtime;
      X.Slot = F.Free[I];
      X.Value = F.Value[I];
      for (const ScenarioRecord *S : F.Informs[F.Free[I]])
        for (const Measurement &Me : S->Measured) {
          double P = predict(M, *S, Me.Metric, F.Runtime, overrides(F, *S)).value_or(NAN);
          X.Rows.push_back(
              {S->Name, 100 * (P - Me.Measured.asDouble()) / Me.Measured.asDouble()});
        }
      for (const auto &Row : F.ServingInforms[F.Free[I]]) {
        double P =
            Serve(*Row.Sv, F.Runtime, overrides(F, *Row.Sv->Replica), Row.Metric).value_or(NAN);
        X.Rows.push_back({Row.Sv->Name, 100 * (P - Row.Measured) / Row.Measured});
      }
      Out.push_back(std::move(X));
    }
  return Out;
}

double zoo::median(std::vector<double> V) {
  if (V.empty())
    return 0;
  std::sort(V.begin(), V.end());
  size_t N = V.size();
  return N % 2 ? V[N / 2] : (V[N / 2 - 1] + V[N / 2]) / 2;
}

double zoo::goldenSection(double Lo, double Hi, int Iterations,
                          llvm::function_ref<double(double)> F) {
  const double Golden = (std::sqrt(5.0) - 1) / 2;
  double A = Lo, B = Hi;
  double C = B - Golden * (B - A), D = A + Golden * (B - A);
  double FC = F(C), FD = F(D);
  for (int It = 0; It < Iterations; ++It) {
    if (FC < FD) {
      B = D;
      D = C;
      FD = FC;
      C = B - Golden * (B - A);
      FC = F(C);
    } else {
      A = C;
      C = D;
      FC = FD;
      D = A + Golden * (B - A);
      FD = F(D);
    }
  }
  return (A + B) / 2;
}
