//===- Serving.cpp - the serving simulation per serving record ------------===//
//
// For each serving record Sema accepted: its replica's machine and prepared language model (the
// roofline pass's, at the workload's mean prompt and output), the KV budget the analysis leaves
// the cache, and the simulation of the workload (Analysis/Serving); with a price record, what the
// replica costs an hour and a million tokens; with a grid record, its energy and carbon a token.
// With `plan = auto` (when --emit=serving asks for it): every price record's hardware x tensor-
// parallel size x weight precision x batch cap, each with the fewest replicas whose share of the
// rate meets the targets, ranked by cost per million output tokens, with the Pareto frontier of
// tokens a second per user against tokens a second per device.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Economics.h"
#include "zoo/Analysis/Serving.h"
#include "zoo/Analysis/Training.h"
#include "zoo/Passes/Pass.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <thread>
#include <tuple>

using namespace zoo;

namespace {

/// What a replica adds to its devices: speculative decoding with a draft model, a
/// disaggregated prefill pool.
struct ReplicaOptions {
  const ModelRecord *Draft = nullptr;
  int64_t Speculate = 0;
  double Acceptance = 0;
  int64_t PrefillDevices = 0;
  double KVBandwidth = 0;
  int64_t PP = 1;
  Dispatch Batcher; ///< a dispatcher in front of the replicas (none by default)
};

ReplicaOptions optionsOf(const ServingRecord &Sv) {
  ReplicaOptions O;
  if (!Sv.SpeculationOff) {
    O.Draft = Sv.Draft;
    O.Speculate = Sv.Speculate;
    O.Acceptance = Sv.Acceptance;
  }
  O.PrefillDevices = Sv.PrefillDevices;
  O.KVBandwidth = Sv.KVBandwidth;
  O.PP = Sv.PP;
  O.Batcher = {Sv.DispatchBatch, Sv.DispatchWait, Sv.Replicas};
  return O;
}

/// Simulates `W` at `Rate` on replica `S`: its requests (replicaRequests), at most `Cap`. False
/// with `Why` when it cannot.
/// `Ideal`: on the ideal roofline (datasheet figures, every factor 1, all the memory).
/// `Runtime` and `Overrides`: priced on that runtime with those slots (the calibration's fit),
/// else on the replica's runtime as recorded. `CheckOnly`: every check, but no simulation.
bool simulateReplica(const Module &M, ScenarioRecord &S, const WorkloadRecord &W, double Rate,
                     int64_t Cap, const ServiceLevel &SLA, bool Describe, ServingStats &Out,
                     std::string &Why, const ReplicaOptions &Opt = {}, bool Ideal = false,
                     bool TokenGaps = true, const RuntimeRecord *Runtime = nullptr,
                     llvm::ArrayRef<SlotOverride> Overrides = {}, bool CheckOnly = false,
                     bool StopAtMiss = false) {
  const ReplicaOptions *Spec = &Opt;
  S.Prompt = W.Input.Mean;
  S.Output = W.Output.Mean;
  S.Batch = 1;
  const RuntimeRecord *R = Runtime ? Runtime : runtimeOf(M, S);
  S.UsedRuntime = R;
  auto Build = [&](const ScenarioRecord &Sc, bool Desc) {
    Machine X = makeMachine(M, Sc, R, Overrides, Desc);
    return Ideal ? X.ideal() : X;
  };
  Machine X = Build(S, Describe);
  if (Describe)
    S.Factors = X.Uses;
  PreparedLM P(S, X);
  // Pipeline stages: each of PP micro-batches in flight runs every layer, one stage after the
  // other, each stage on `devices`: a decode step takes what it takes on one group of `devices`
  // holding the whole model, and the replica is PP such engines sharing the memory of all
  // PP x devices (vLLM's virtual engines). The budget comes from all of them.
  std::unique_ptr<ScenarioRecord> All;
  std::unique_ptr<Machine> AllX;
  std::unique_ptr<PreparedLM> AllP;
  const PreparedLM *Mem = &P;
  if (Opt.PP > 1) {
    All = std::make_unique<ScenarioRecord>(S.Name + "/stages", S.Range);
    *All = S;
    All->Devices = S.Devices * Opt.PP;
    AllX = std::make_unique<Machine>(Build(*All, false));
    AllP = std::make_unique<PreparedLM>(*All, *AllX);
    Mem = AllP.get();
  }
  LMFigures F = Mem->evaluate(LMPoint{1, S.Prompt, S.Output});
  if (!(F.Free > 0)) {
    bool Weights = !(Mem->evaluate(LMPoint{1, 1, 1}).Free > 0);
    Why = Weights ? "the weights leave no memory for the KV cache on this replica"
                  : "a request of the workload needs more KV cache than the replica has";
    return false;
  }
  WorkloadRecord Load = W;
  Load.Rate = Rate / static_cast<double>(Opt.PP);
  // (With pipeline stages each of the PP engines simulated takes its share of the arrivals.)
  Load.Requests = std::min(Cap, replicaRequests(W, Load.Rate, Opt.Batcher.Wait > 0
                                                                   ? Opt.Batcher.Replicas
                                                                   : 1));
  if (Load.Concurrency > 0)
    Load.Concurrency = (Load.Concurrency + Opt.PP - 1) / Opt.PP;
  // Speculative decoding: the draft runs on the same devices; its weights come out of the
  // cache's budget.
  double Budget = F.Free / static_cast<double>(Opt.PP);
  Speculation Sp;
  std::unique_ptr<ScenarioRecord> DS;
  std::unique_ptr<Machine> DX;
  std::unique_ptr<PreparedLM> DP;
  if (Spec->Draft && Spec->Draft->Root) {
    DS = std::make_unique<ScenarioRecord>(S.Name + "/draft", S.Range);
    *DS = S;
    DS->Model = Spec->Draft;
    DX = std::make_unique<Machine>(Build(*DS, false));
    DP = std::make_unique<PreparedLM>(*DS, *DX);
    Budget -= DP->evaluate(LMPoint{1, 1, 1}).WeightBytes;
    if (!(Budget > 0)) {
      Why = "the target's and the draft's weights leave no memory for the KV cache";
      return false;
    }
    Sp = {DP.get(), Spec->Speculate, Spec->Acceptance};
  }
  // Disaggregated prefill: the prefill pool's own machine and model, the cache sent over the
  // given bandwidth or one direction of the hardware's link (on a full mesh, the ports to one
  // peer).
  Disaggregation Split;
  std::unique_ptr<ScenarioRecord> PS;
  std::unique_ptr<Machine> PX;
  std::unique_ptr<PreparedLM> PP;
  if (Spec->PrefillDevices > 0) {
    if (W.Concurrency > 0) {
      Why = "disaggregated prefill under a closed-loop workload is not modelled (give a `rate`)";
      return false;
    }
    PS = std::make_unique<ScenarioRecord>(S.Name + "/prefill", S.Range);
    *PS = S;
    PS->Devices = Spec->PrefillDevices;
    PX = std::make_unique<Machine>(Build(*PS, false));
    PP = std::make_unique<PreparedLM>(*PS, *PX);
    if (!(PP->evaluate(LMPoint{1, S.Prompt, 1}).Free > 0)) {
      Why = "the prefill pool's devices cannot hold the weights and a prompt's cache";
      return false;
    }
    double Bw = Spec->KVBandwidth > 0 ? Spec->KVBandwidth : X.PeerBandwidth;
    if (!(Bw > 0)) {
      Why = "disaggregated prefill needs `kv_bandwidth` (the hardware declares no link)";
      return false;
    }
    Split = {PP.get(), Bw};
  }
  Out = simulateServing(P, Budget, Load, SLA, Sp, Split, TokenGaps || SLA.TBT > 0, CheckOnly,
                        Opt.Batcher, StopAtMiss, M.ServingPageEvents);
  if (Out.Completed == -2) {
    Why = fmt::format("a prompt of the workload is longer than `prefill_chunk` ({} tokens), which "
                      "with `chunked_prefill = false` must hold a whole prompt",
                      S.PrefillChunk);
    return false;
  }
  if (Out.Completed < 0) {
    Why = "a request of the workload needs more KV cache than the replica has";
    return false;
  }
  if (Opt.PP > 1) { // the replica is PP engines like the one simulated
    const double N = static_cast<double>(Opt.PP);
    Out.RequestsPerS *= N;
    Out.OutputTokensPerS *= N;
    Out.Goodput *= N;
    Out.Concurrency *= N;
  }
  return true;
}

/// A simulation's figures as serving metrics: the replica's latencies, and rates, costs and energy
/// for all `Replicas` together.
std::vector<std::pair<ServingMetric, Value>> figures(const ServingRecord &Sv,
                                                     const ServingStats &St, int64_t Replicas) {
  std::vector<std::pair<ServingMetric, Value>> Results;
  const ScenarioRecord &S = *Sv.Replica;
  auto Q = [&](ServingMetric K, double V, const char *Unit) {
    Results.push_back({K, metricValue(servingMetricType(K), V, Unit)});
  };
  Q(ServingMetric::ttft_p50, St.TTFT[0], "ms");
  Q(ServingMetric::ttft_p90, St.TTFT[1], "ms");
  Q(ServingMetric::ttft_p99, St.TTFT[2], "ms");
  Q(ServingMetric::ttft_mean, St.TTFTMean, "ms");
  Q(ServingMetric::tpot_p50, St.TPOT[0], "ms");
  Q(ServingMetric::tpot_p90, St.TPOT[1], "ms");
  Q(ServingMetric::tpot_p99, St.TPOT[2], "ms");
  Q(ServingMetric::tpot_mean, St.TPOTMean, "ms");
  Q(ServingMetric::tbt_p50, St.TBT[0], "ms");
  Q(ServingMetric::tbt_p99, St.TBT[1], "ms");
  Q(ServingMetric::e2e_p50, St.E2E[0], "s");
  Q(ServingMetric::e2e_p99, St.E2E[1], "s");
  Q(ServingMetric::queue_wait_mean, St.QueueWaitMean, "s");
  double R = static_cast<double>(Replicas);
  Q(ServingMetric::requests_per_s, St.RequestsPerS * R, "Hz");
  Q(ServingMetric::output_tokens_per_s, St.OutputTokensPerS * R, "tokens/s");
  Q(ServingMetric::goodput, St.Goodput * R, "Hz");
  Q(ServingMetric::sla_met, St.SLAMet, "");
  Q(ServingMetric::mean_batch, St.MeanBatch, "");
  Q(ServingMetric::max_concurrency, St.Concurrency, "");
  if (St.Preempting)
    Q(ServingMetric::preemptions,
      St.Completed > 0 ? static_cast<double>(St.Preemptions) / static_cast<double>(St.Completed)
                       : 0,
      "");
  Q(ServingMetric::utilization, St.Utilization, "");
  if (std::isfinite(St.MMcWait)) {
    Q(ServingMetric::mmc_queue_wait, St.MMcWait, "s");
    // (A wait too small to divide by, a denormal, leaves the ratio out.)
    if (St.MMcWait > 0 && std::isfinite(St.QueueWaitMean / St.MMcWait))
      Q(ServingMetric::mmc_agreement, St.QueueWaitMean / St.MMcWait, "");
  }
  Q(ServingMetric::tokens_per_step, St.TokensPerStep, "");
  Q(ServingMetric::replicas, R, "");
  const WorkloadRecord &W = *Sv.Load;
  double OutTokens = St.OutputTokensPerS * R;
  double AllTokens = OutTokens * static_cast<double>(W.Input.Mean + W.Output.Mean) /
                     static_cast<double>(W.Output.Mean);
  const PriceRecord *P = Sv.usedPrice();
  const double Devices = static_cast<double>(Sv.devicesPerReplica());
  if (P && OutTokens > 0)
    if (auto PerDevice = deviceCostPerSecond(*P, Sv.Term, Sv.Energy)) {
      double PerHour = *PerDevice * Devices * R; // USD a second
      Q(ServingMetric::cost_per_hour, PerHour, "USD/h");
      Q(ServingMetric::cost_per_million_output_tokens, PerHour / OutTokens * 1e6, "USD");
      Q(ServingMetric::cost_per_million_tokens, PerHour / AllTokens * 1e6, "USD");
    }
  if (P && Sv.TCOYears > 0)
    if (auto F = fleetCost(*P, Sv.Term, Sv.Energy, Devices * R, Sv.TCOYears * SecondsPerYear)) {
      Q(ServingMetric::fleet_tco, F->Total, "USD");
      if (P->owned()) {
        Q(ServingMetric::fleet_capital, F->Capital, "USD");
        Q(ServingMetric::fleet_energy_cost, F->Energy, "USD");
      }
    }
  if (Sv.Energy && OutTokens > 0 && S.Hw) {
    // (A rental states no power: its devices' TDP.)
    double Watts = deviceWatts(*S.Hw, P) * Devices * R * Sv.Energy->PUE;
    if (Watts > 0) {
      double J = Watts / OutTokens;
      Q(ServingMetric::energy_per_output_token, J, "J");
      Q(ServingMetric::carbon_per_output_token, J * Sv.Energy->Carbon, "gCO2e");
    }
  }
  return Results;
}

} // namespace

std::optional<double> zoo::simulatedServing(const Module &M, const ServingRecord &Sv,
                                            const RuntimeRecord *R,
                                            llvm::ArrayRef<SlotOverride> Overrides,
                                            ServingMetric Metric) {
  if (!Sv.Replica || !Sv.Load || Sv.Plan || !Sv.Replica->Hw || !Sv.Replica->Model)
    return std::nullopt;
  ScenarioRecord S = *Sv.Replica;
  ServingStats St;
  std::string Why;
  const double Replicas = static_cast<double>(Sv.Replicas);
  if (!simulateReplica(M, S, *Sv.Load, Sv.Load->Rate / Replicas, WorkloadRecord::MaxRequests, Sv.SLA,
                       false, St, Why, optionsOf(Sv), false, true, R, Overrides))
    return std::nullopt;
  for (const auto &[K, V] : figures(Sv, St, Sv.Replicas))
    if (K == Metric)
      return V.asDouble();
  return std::nullopt;
}

namespace {
/// The highest Poisson rate at which replica `S` meets the record's targets: from `Start`,
/// doubled or halved until the answer changes, then bisected to 0.5%. False when no rate down
/// to 2^-12 of `Start` meets them. `At` is the simulation at the rate. `First`: the record's own
/// simulation at `Start` on the same machine, where one ran: the first trial's answer (a trial
/// that stops early stops only where the whole run misses, and the gaps between tokens, which a
/// trial leaves out unless a target names them, are not in what it returns).
bool slaRate(const Module &M, ScenarioRecord &S, const ServingRecord &Sv, bool Ideal, double Start,
             double &Rate, ServingStats &At, const ServingStats *First) {
  const WorkloadRecord &W = *Sv.Load;
  auto Meets = [&](double R, ServingStats &St) {
    std::string Why;
    return simulateReplica(M, S, W, R, WorkloadRecord::MaxRequests, Sv.SLA, false, St, Why,
                           optionsOf(Sv), Ideal, /*TokenGaps=*/false, nullptr, {}, false,
                           /*StopAtMiss=*/true) &&
           St.meets(Sv.SLA);
  };
  ServingStats St;
  double Lo = 0, Hi = 0, R = Start;
  if (First ? (St = *First).meets(Sv.SLA) : Meets(R, St)) {
    Lo = R, At = St;
    for (int I = 0; I < 40 && !Hi; ++I) {
      R *= 2;
      if (Meets(R, St))
        Lo = R, At = St;
      else
        Hi = R;
    }
    if (!Hi)
      return false;
  } else {
    Hi = R;
    for (int I = 0; I < 12 && !Lo; ++I) {
      R /= 2;
      if (Meets(R, St))
        Lo = R, At = St;
      else
        Hi = R;
    }
    if (!Lo)
      return false;
  }
  while (Hi > Lo * 1.005) {
    double Mid = std::sqrt(Lo * Hi);
    if (Meets(Mid, St))
      Lo = Mid, At = St;
    else
      Hi = Mid;
  }
  Rate = Lo;
  return true;
}

/// Whether an output shows the record's figures: the serving report or the whole JSON report,
/// and the record not left out by --model or --hardware.
bool showsFigures(const Module &M, const ServingRecord &Sv) {
  return M.WantServingFigures && Sv.Shown;
}

/// The highest rate is searched for a fixed open-loop record with targets (a few dozen
/// simulations) when a report shows it or an expectation or a measurement names it.
bool wantsSLARate(const Module &M, const ServingRecord &Sv) {
  if (!Sv.SLA.any() || Sv.Load->Concurrency > 0 || Sv.Plan)
    return false;
  auto Names = [](ServingMetric K) {
    return K == ServingMetric::sla_rate || K == ServingMetric::sla_output_tokens_per_s ||
           K == ServingMetric::sla_ttft_p50 || K == ServingMetric::sla_tpot_p50;
  };
  return showsFigures(M, Sv) ||
         llvm::any_of(Sv.Expects, [&](const auto &X) { return Names(X.Metric); }) ||
         llvm::any_of(Sv.Measured, [&](const auto &X) { return Names(X.Metric); });
}

class ServingPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "serving"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    // Each record's work is its own (its replica, search and figures, written to it alone):
    // the records run on threads, and their errors are reported afterwards in their order, so
    // the output is the same whatever the number of threads.
    const size_t N = M.Servings.size();
    std::vector<std::vector<std::string>> Errors(N);
    bool OK = true;
    std::vector<bool> Skip(N, false);
    for (size_t I = 0; I < N; ++I)
      if (const ScenarioRecord *S = M.Servings[I]->Replica.get();
          S && !checkModelFields(*S, Diags)) {
        Skip[I] = true;
        OK = false;
      }
    const bool Split = M.ServingThreads != 1;
    // The threads take the records that look longest first, so that the last to finish is a
    // short one: a plan's search first, then by the requests simulated, times the searches and
    // the ideal roofline's runs a record adds (a guess of the cost; the results do not depend
    // on the order).
    std::vector<std::pair<double, size_t>> Order;
    for (size_t I = 0; I < N; ++I) {
      const ServingRecord &Sv = *M.Servings[I];
      double Cost = 0;
      if (Sv.Plan)
        Cost = INFINITY;
      else if (Sv.Load && Sv.Replicas > 0)
        Cost = static_cast<double>(replicaRequests(*Sv.Load, Sv.Load->Rate / double(Sv.Replicas))) *
               (Sv.Measured.empty() ? 1 : 2) * (Sv.SLA.any() ? 8 : 1);
      Order.push_back({-Cost, I});
    }
    std::stable_sort(Order.begin(), Order.end(),
                     [](const auto &A, const auto &B) { return A.first < B.first; });
    forEachRecord(N, M.ServingThreads, [&](size_t K) {
      const size_t I = Order[K].second;
      if (!Skip[I])
        runOne(M, *M.Servings[I], Errors[I], Split);
    });
    for (size_t I = 0; I < N; ++I)
      for (const std::string &E : Errors[I]) {
        Diags.report(M.Servings[I]->Range, diag::err_serving, M.Servings[I]->Name, E);
        OK = false;
      }
    return success(OK);
  }

private:
  /// Runs `F(0)` ... `F(N - 1)` on `Threads` threads (0: one per core), each taking the next
  /// index when it is free (one record may take most of the time).
  template <typename Fn> static void forEachRecord(size_t N, unsigned Threads, Fn F) {
    unsigned T = Threads ? Threads : std::max(1u, std::thread::hardware_concurrency());
    T = static_cast<unsigned>(std::min<size_t>(T, N));
    if (T <= 1) {
      for (size_t I = 0; I < N; ++I)
        F(I);
      return;
    }
    std::atomic<size_t> Next{0};
    auto Loop = [&] {
      for (size_t I; (I = Next.fetch_add(1)) < N;)
        F(I);
    };
    struct Pool {
      std::vector<std::thread> Threads;
      ~Pool() { // (joined on every way out)
        for (std::thread &Th : Threads)
          if (Th.joinable())
            Th.join();
      }
    } P;
    for (unsigned K = 1; K < T; ++K)
      P.Threads.emplace_back(Loop);
    Loop();
  }

  /// One record: its checks, search, simulation and figures; its errors in `Errors`. `Split`:
  /// the ideal roofline's figures are worked out on a thread of their own beside the record's
  /// (the longest record sets the time of the whole pass).
  static void runOne(const Module &M, ServingRecord &Sv, std::vector<std::string> &Errors,
                     bool Split) {
    if (!Sv.Load || !Sv.Replica || !Sv.Replica->Model || !Sv.Replica->Model->Root)
      return;
    ScenarioRecord &S = *Sv.Replica;
    if (S.Model->Stats.HasEncoder) {
      // An encoder-decoder's prompt is its encoder's source: encoded whole (no chunk), with no
      // prefix to reuse (the encoder's attention is bidirectional); a draft model is not
      // modelled beside one.
      const char *Why =
          S.PrefillChunk > 0 ? "`prefill_chunk` does not apply (an encoder reads its whole source)"
          : Sv.Load->PrefixHit > 0
              ? "a prefix hit rate does not apply (an encoder's bidirectional attention leaves "
                "no prefix of the source to reuse)"
          : Sv.Draft ? "speculative decoding (`draft`) is not modelled for one"
                     : nullptr;
      if (Why) {
        Errors.push_back(fmt::format("model `{}` is an encoder-decoder: {}", S.Model->Name, Why));
        return;
      }
    }
    if (S.Model->Stats.PerInput || S.Model->Stats.hasBidirectional()) {
      Errors.push_back("its model does not generate text (an input, or bidirectional attention)");
      return;
    }
    if (Sv.Plan) {
      // The search runs for the outputs that show it, and wherever the record's
      // expectations need its figures (every compile checks them).
      const bool Search = (M.WantServingPlans && Sv.Shown) || !Sv.Expects.empty();
      if (Search && !plan(M, Sv))
        Errors.push_back(fmt::format("no deployment of the {} price records meets the targets "
                                     "({} tried)",
                                     M.Prices.size(), Sv.CandidatesTried));
      if (Sv.Candidates.empty())
        return;
    }
    if (!S.Hw)
      return;
    ServingStats St;
    std::string Why;
    int64_t Replicas = Sv.Plan ? Sv.Candidates.front().Replicas : Sv.Replicas;
    // Only the serving report, JSON and expectations read the figures; a compile that shows
    // none still checks that the record can run (every request fits the replica's cache).
    const bool Figures = showsFigures(M, Sv) || !Sv.Expects.empty();
    if (!simulateReplica(M, S, *Sv.Load, Sv.Load->Rate / double(Replicas),
                         WorkloadRecord::MaxRequests, Sv.SLA, true, St, Why, optionsOf(Sv), false,
                         true, nullptr, {}, /*CheckOnly=*/!Figures)) {
      Errors.push_back(Why);
      return;
    }
    if (!Figures)
      return;
    Sv.SimulatedRequests = St.Completed * Sv.PP; // (each of PP engines simulated its share)
    Sv.Results = figures(Sv, St, Replicas);
    // The highest rate within the targets, on the record's machine or the ideal roofline.
    const bool SLARate = wantsSLARate(M, Sv);
    auto Highest = [&](bool Ideal, std::vector<std::pair<ServingMetric, Value>> &Into,
                       const ServingStats *First) {
      ScenarioRecord C = S;
      double Rate = 0;
      ServingStats At;
      if (!slaRate(M, C, Sv, Ideal, Sv.Load->Rate / double(Replicas), Rate, At, First))
        return;
      // (Rates are the replicas' together; the medians are a replica's at its share.)
      for (auto [K, V] : {std::pair{ServingMetric::sla_rate, Rate * double(Replicas)},
                          std::pair{ServingMetric::sla_output_tokens_per_s,
                                    At.OutputTokensPerS * double(Replicas)},
                          std::pair{ServingMetric::sla_ttft_p50, At.TTFT[0]},
                          std::pair{ServingMetric::sla_tpot_p50, At.TPOT[0]}})
        Into.push_back({K, metricValue(servingMetricType(K), V, servingMetricType(K))});
    };
    // Published measurements are compared with the ideal roofline's simulation too (only
    // the serving report and JSON show the comparison). The ideal figures go to Sv.Ideal and
    // the record's to Sv.Results: the two may be worked out at once (each simulation on its
    // own copy of the replica).
    const bool WantsIdeal = !Sv.Measured.empty() && showsFigures(M, Sv);
    auto IdealFigures = [&] {
      ScenarioRecord I = S;
      ServingStats IS;
      std::string IdealWhy;
      const bool Ran =
          simulateReplica(M, I, *Sv.Load, Sv.Load->Rate / double(Replicas),
                          WorkloadRecord::MaxRequests, Sv.SLA, false, IS, IdealWhy, optionsOf(Sv),
                          /*Ideal=*/true);
      if (Ran)
        Sv.Ideal = figures(Sv, IS, Replicas);
      if (SLARate)
        Highest(true, Sv.Ideal, Ran ? &IS : nullptr);
    };
    // (Joined on every way out of this block.)
    struct Joined {
      std::thread T;
      ~Joined() {
        if (T.joinable())
          T.join();
      }
    } Beside;
    if (WantsIdeal && Split)
      Beside.T = std::thread(IdealFigures);
    else if (WantsIdeal)
      IdealFigures();
    if (SLARate)
      Highest(false, Sv.Results, &St);
    if (Beside.T.joinable())
      Beside.T.join();
    for (const auto &[K, V] : Sv.Results)
      if ((V.T.K == Type::Real || V.T.K == Type::Quantity) && !std::isfinite(V.R)) {
        Errors.push_back("its figures are out of range (`" + servingMetricName(K).str() + "`)");
        Sv.Results.clear();
        break;
      }
  }

  /// The search of `plan = auto`: candidates meeting the targets, cheapest first; the replica
  /// becomes the cheapest one. False when none meets them.
  static bool plan(const Module &M, ServingRecord &Sv) {
    const WorkloadRecord &W = *Sv.Load;
    const ActivationProfile A = activationProfile(*Sv.Replica->Model, false);
    const int64_t Requests = 1000; // at most, a candidate
    Sv.Candidates.clear();
    Sv.NotTried.clear();
    Sv.CandidatesTried = 0;
    // The fewest replicas for one hardware, tensor-parallel size, precision, batch cap, prefill
    // pool and speculation, with the simulation there: the same for every price record of that
    // hardware.
    struct Found {
      bool Meets = false;
      int64_t Replicas = 0;
      ServingStats St;
    };
    std::map<std::tuple<const HardwareRecord *, int64_t, const PrecisionRecord *, int64_t, int64_t,
                        bool, int64_t, bool>,
             Found>
        Done;
    // Attention data parallelism is tried for a mixture of experts it applies to.
    ScenarioRecord Probe = *Sv.Replica;
    Probe.AttentionDP = true;
    const bool MayDP = !Probe.Model->Stats.Experts.empty() && !attentionDPProblem(Probe);
    for (const auto &P : M.Prices) {
      if (!P->Hw || (P->owned() && !Sv.Buy))
        continue;
      if (std::string Why = P->unusable(Sv.Term, Sv.Energy); !Why.empty()) {
        Sv.NotTried.push_back(Why);
        continue;
      }
      const double PerDevice = *deviceCostPerSecond(*P, Sv.Term, Sv.Energy);
      const Section *Dense = nullptr;
      bool HasMemory = false;
      for (const Section &X : P->Hw->Sections) {
        if (X.Kind == "compute")
          Dense = &X;
        HasMemory |= X.Kind == "memory";
      }
      if (!Dense || !HasMemory || !P->Hw->MissingForAnalysis.empty())
        continue;
      bool HasLink = false;
      for (const Section &X : P->Hw->Sections)
        HasLink |= X.Kind == "link";
      // Each size tensor-parallel and, for a mixture of experts on more than one device,
      // attention data parallel: tensor parallelism splits every layer's heads, attention data
      // parallelism keeps them whole on each device.
      std::vector<std::pair<int64_t, bool>> Layouts;
      for (int64_t TP = 1; TP <= P->Devices; TP *= 2)
        for (bool DP : {false, true})
          Layouts.push_back({TP, DP});
      for (const auto &[TP, DP] : Layouts) {
        bool Splits = true;
        for (const auto &[Heads, KV] : A.Heads)
          Splits &= Heads % TP == 0;
        if (DP ? !MayDP || TP == 1 || !HasLink : !Splits || (TP > 1 && !HasLink))
          continue;
        for (const char *Prec : {"bf16", "fp8"}) {
          const PrecisionRecord *WP = M.findPrecision(Prec);
          if (!WP || !Dense->field(Prec))
            continue;
          for (int64_t Cap : {32, 64, 128, 256}) {
            ScenarioRecord C = *Sv.Replica;
            C.Hw = P->Hw;
            C.Devices = TP;
            C.AttentionDP = DP;
            C.MaxBatch = Cap;
            C.Weights = C.Compute = WP;
            C.ComputeGiven = true; // the plan's precision, whatever the runtime's own
            C.Activations = M.findPrecision("bf16");
            C.KV = WP->Bits >= 16 ? WP : M.findPrecision("bf16");
            if (!C.Activations || !C.KV)
              continue;
            // Disaggregation: none, or a prefill pool as large as the decode group, in the same
            // instance (its cache sent over the link) unless the record gives `kv_bandwidth`;
            // open loops only (the simulation does not model it under a closed loop).
            // Speculation: none, or the record's draft.
            // Pipeline stages: one, or two of TP devices each in the same instance (neither a
            // prefill pool, a draft nor attention data parallelism with them: not modelled
            // together).
            for (int64_t Stages : {int64_t(1), int64_t(2)})
            for (int64_t PD : {int64_t(0), TP}) {
              if (Stages > 1 && (PD > 0 || DP || TP * Stages > P->Devices))
                continue;
              if (PD > 0 && (W.Concurrency > 0 ||
                             (TP + PD > P->Devices && !(Sv.KVBandwidth > 0))))
                continue;
              for (bool Spec : {false, true}) {
                if (Spec && (!Sv.Draft || Stages > 1))
                  continue;
                ReplicaOptions Opt;
                Opt.PP = Stages;
                Opt.PrefillDevices = PD;
                Opt.KVBandwidth = Sv.KVBandwidth;
                if (Spec) {
                  Opt.Draft = Sv.Draft;
                  Opt.Speculate = Sv.Speculate;
                  Opt.Acceptance = Sv.Acceptance;
                }
                ++Sv.CandidatesTried;
                auto [It, New] = Done.try_emplace({P->Hw, TP, WP, Cap, PD, Spec, Stages, DP});
                Found &X = It->second;
                if (New) {
                  // The fewest replicas whose share of the rate meets the targets: doubling,
                  // then bisection (more replicas never make a replica slower).
                  auto Meets = [&](int64_t R, ServingStats &St) {
                    std::string Why;
                    return simulateReplica(M, C, W, W.Rate / double(R), Requests, Sv.SLA, false,
                                           St, Why, Opt, false, /*TokenGaps=*/false, nullptr,
                                           {}, false, /*StopAtMiss=*/true) &&
                           St.meets(Sv.SLA);
                  };
                  int64_t Hi = 1;
                  while (Hi <= 4096 && !Meets(Hi, X.St))
                    Hi *= 2;
                  if (Hi <= 4096) {
                    int64_t Lo = Hi / 2; // fails (or 0)
                    while (Hi - Lo > 1) {
                      int64_t Mid = (Lo + Hi) / 2;
                      ServingStats T;
                      (Meets(Mid, T) ? Hi : Lo) = Mid;
                    }
                    Meets(Hi, X.St);
                    X.Meets = true;
                    X.Replicas = Hi;
                  }
                }
                if (!X.Meets)
                  continue;
                const int64_t Hi = X.Replicas;
                const ServingStats &St = X.St;
                ServingRecord::Candidate K;
                K.Price = P.get();
                K.Devices = TP;
                K.PrefillDevices = PD;
                K.PP = Stages;
                K.Speculative = Spec;
                K.AttentionDP = DP;
                K.MaxBatch = Cap;
                K.Replicas = Hi;
                K.Weights = WP;
                const double Used = double(TP * Stages + PD) * double(Hi);
                K.CostPerHour = PerDevice * Used;
                double Tokens = St.OutputTokensPerS * double(Hi);
                K.CostPerMillion = Tokens > 0 ? K.CostPerHour / Tokens * 1e6 : INFINITY;
                K.TTFT99 = St.TTFTAt;
                K.TPOT99 = St.TPOTAt;
                K.TokensPerSPerUser = St.TPOT[0] > 0 ? 1 / St.TPOT[0] : 0;
                K.TokensPerSPerDevice = Tokens / Used;
                Sv.Candidates.push_back(K);
              }
            }
          }
        }
      }
    }
    if (Sv.Candidates.empty())
      return false;
    // Every candidate serves the offered load, so the cost an hour ranks them by the cost of a
    // token served (the simulated throughput differs from the load only by where the run ends).
    // At the same price: without a draft model, then without a prefill pool, then the fastest
    // per user.
    std::stable_sort(Sv.Candidates.begin(), Sv.Candidates.end(), [](auto &A, auto &B) {
      if (A.CostPerHour != B.CostPerHour)
        return A.CostPerHour < B.CostPerHour;
      if (A.Speculative != B.Speculative)
        return !A.Speculative;
      if (A.PrefillDevices != B.PrefillDevices)
        return A.PrefillDevices < B.PrefillDevices;
      if (A.PP != B.PP)
        return A.PP < B.PP;
      return A.TokensPerSPerUser > B.TokensPerSPerUser;
    });
    // A larger batch cap that changes nothing (the same replicas) is the same deployment: keep
    // the smallest cap.
    std::vector<ServingRecord::Candidate> Kept;
    for (const auto &K : Sv.Candidates) {
      bool Same = false;
      for (const auto &O : Kept)
        Same |= O.Price == K.Price && O.Devices == K.Devices && O.Weights == K.Weights &&
                O.Replicas == K.Replicas && O.PrefillDevices == K.PrefillDevices &&
                O.Speculative == K.Speculative && O.PP == K.PP && O.AttentionDP == K.AttentionDP;
      if (!Same)
        Kept.push_back(K);
    }
    Sv.Candidates = std::move(Kept);
    // The frontier: no other candidate is at least as good on both speeds and better on one.
    for (auto &K : Sv.Candidates) {
      K.Pareto = true;
      for (const auto &O : Sv.Candidates)
        if (&O != &K && O.TokensPerSPerUser >= K.TokensPerSPerUser &&
            O.TokensPerSPerDevice >= K.TokensPerSPerDevice &&
            (O.TokensPerSPerUser > K.TokensPerSPerUser ||
             O.TokensPerSPerDevice > K.TokensPerSPerDevice))
          K.Pareto = false;
    }
    const auto &Best = Sv.Candidates.front();
    ScenarioRecord &S = *Sv.Replica;
    S.Hw = Best.Price->Hw;
    S.Devices = Best.Devices;
    S.AttentionDP = Best.AttentionDP;
    S.MaxBatch = Best.MaxBatch;
    S.Weights = S.Compute = Best.Weights;
    S.ComputeGiven = true;
    S.Activations = M.findPrecision("bf16");
    S.KV = Best.Weights->Bits >= 16 ? Best.Weights : M.findPrecision("bf16");
    Sv.PrefillDevices = Best.PrefillDevices;
    Sv.PP = Best.PP;
    Sv.SpeculationOff = Sv.Draft && !Best.Speculative;
    return true;
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createServingPass() { return std::make_unique<ServingPass>(); }
