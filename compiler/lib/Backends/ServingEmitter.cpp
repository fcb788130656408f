//===- ServingEmitter.cpp - every serving record's simulation -------------===//
//
// `--emit=serving`: per serving record, the replica, the workload, the latency percentiles, the
// throughput and goodput, the concurrency and load, the simulated queueing wait beside the M/M/c
// one, and each published measurement against the simulation.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Economics.h"
#include "zoo/Backends/Emitters.h"
#include "zoo/Analysis/Calibration.h"
#include "zoo/Analysis/Machine.h"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

using namespace zoo;

namespace {
std::string lengths(const LengthDistribution &L) {
  switch (L.K) {
  case LengthDistribution::Fixed:
    return fmt::format("{}", L.Mean);
  case LengthDistribution::Uniform:
    return fmt::format("{} (uniform {}..{})", L.Mean, L.Min, L.Max);
  case LengthDistribution::Exponential:
    return fmt::format("{} (exponential)", L.Mean);
  case LengthDistribution::Quantiles:
    return fmt::format("{} ({} quantiles, {:g}..{:g})", L.Mean, L.Table.size(),
                       L.Table.front().second, L.Table.back().second);
  }
  return "";
}
} // namespace

void ServingEmitter::run(llvm::raw_ostream &OS) {
  std::vector<const ServingRecord *> Ss;
  for (const auto &S : M.Servings)
    Ss.push_back(S.get());
  std::sort(Ss.begin(), Ss.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
  if (Ss.empty()) {
    OS << "No serving records: declare `workload` and `serving` records (docs/language.md, "
          "\"Serving under load\").\n";
    return;
  }
  for (const ServingRecord *Sv : Ss) {
    const ScenarioRecord *S = Sv->Replica.get();
    OS << "Serving " << Sv->Name << ": "
       << (S && S->Model ? S->Model->Name : "?") << " on " << (S ? S->Devices * Sv->PP : 0)
       << " x " << (S && S->Hw ? S->Hw->Name : "?");
    if (Sv->PP > 1 && S)
      OS << " (" << Sv->PP << " pipeline stages of " << S->Devices << ")";
    if (S && S->AttentionDP)
      OS << " (attention data parallel)";
    if (S && S->UsedRuntime)
      OS << ", runtime " << S->UsedRuntime->Name;
    OS << "\n";
    if (Sv->Results.empty()) {
      OS << "  not simulated (see the errors above)\n\n";
      continue;
    }
    if (Sv->Plan && !Sv->Candidates.empty()) {
      OS << fmt::format("  plan: {} deployments meet the targets of {} tried; cheapest first "
                        "(* on the frontier of tokens/s per user against tokens/s per device):\n",
                        Sv->Candidates.size(), Sv->CandidatesTried);
      size_t Shown = 0;
      for (const ServingRecord::Candidate &K : Sv->Candidates) {
        if (Shown++ >= 8 && !K.Pareto)
          continue;
        OS << fmt::format(
            "   {} {:>3} x {}{}{} devices of {} ({} {}){}, {}, max batch {}{}: {:.2f} USD/h, "
            "{:.3f} USD per million output tokens; P99 TTFT {:.0f} ms, TPOT {:.1f} ms; {:.1f} "
            "tokens/s per user, {:.0f} per device\n",
            K.Pareto ? "*" : " ", K.Replicas, K.Devices * K.PP,
            K.PP > 1 ? fmt::format(" ({} stages)", K.PP) : std::string(),
            K.PrefillDevices ? fmt::format(" + {} prefill", K.PrefillDevices) : std::string(),
            K.Price->Hw->Name, K.Price->Provider,
            K.Price->Instance.empty() ? K.Price->Name : K.Price->Instance,
            K.AttentionDP ? ", attention data parallel" : "", K.Weights->Name, K.MaxBatch,
            K.Speculative ? ", speculative" : "", K.CostPerHour * 3600, K.CostPerMillion,
            K.TTFT99 * 1e3, K.TPOT99 * 1e3, K.TokensPerSPerUser, K.TokensPerSPerDevice);
      }
      for (const std::string &Why : Sv->NotTried)
        OS << "  not tried: " << Why << "\n";
      if (Sv->Candidates.size() > 1) {
        const auto &A = Sv->Candidates[0], &B = Sv->Candidates[1];
        auto Name = [](const ServingRecord::Candidate &K) {
          return fmt::format(
              "{} x {}{}{} {}{}{}{}", K.Replicas, K.Devices * K.PP,
              K.PP > 1 ? fmt::format(" ({} stages)", K.PP) : std::string(),
              K.PrefillDevices ? fmt::format(" + {} prefill", K.PrefillDevices) : std::string(),
              K.Price->Hw->Name, K.Weights != nullptr ? " " + K.Weights->Name : "",
              K.AttentionDP ? " attention data parallel" : "", K.Speculative ? " speculative" : "");
        };
        if (A.CostPerHour < B.CostPerHour * (1 - 1e-9))
          OS << fmt::format("  the cheapest wins on price per device-hour x devices needed: {:.2f} "
                            "against {:.2f} USD/h for the runner-up ({})\n",
                            A.CostPerHour * 3600, B.CostPerHour * 3600, Name(B));
        else
          OS << fmt::format(
              "  the cheapest ties the runner-up ({}) at {:.2f} USD/h and is preferred: {}\n",
              Name(B), A.CostPerHour * 3600,
              A.Speculative != B.Speculative ? std::string("it needs no draft model")
              : A.PrefillDevices != B.PrefillDevices
                  ? std::string("it needs no prefill pool")
              : A.PP != B.PP
                  ? std::string("it needs no pipeline stages")
                  : fmt::format("faster per user, {:.1f} against {:.1f} tokens/s",
                                A.TokensPerSPerUser, B.TokensPerSPerUser));
      }
    }
    const WorkloadRecord &W = *Sv->Load;
    if (W.Trace)
      OS << fmt::format("  workload {}: trace {}, {} requests replayed at {:.3g} requests/s (its "
                        "own {:.3g}), input {}, output {} tokens (means)\n",
                        W.Name, W.TraceFile, W.Requests, W.Rate, W.TraceRate, W.Input.Mean,
                        W.Output.Mean);
    else {
      std::string Arrivals = W.Concurrency > 0
                                 ? fmt::format("{} client{} in a closed loop", W.Concurrency,
                                               W.Concurrency == 1 ? "" : "s")
                                 : fmt::format("{:g} requests/s", W.Rate);
      std::string Span =
          W.Duration > 0 && W.Concurrency == 0
              ? fmt::format("for {:g} s ({} requests a replica)", W.Duration, Sv->SimulatedRequests)
              : fmt::format("{} request{}", W.Requests, W.Requests == 1 ? "" : "s");
      std::string Sizes =
          W.Lengths
              ? fmt::format("lengths from {} ({} row{}, {}; means input {}, output {} tokens)",
                            W.LengthsFile, W.Lengths->size(), W.Lengths->size() == 1 ? "" : "s",
                            W.LengthsInOrder ? "taken in order" : "one drawn a request",
                            W.Input.Mean, W.Output.Mean)
              : fmt::format("input {}, output {} tokens", lengths(W.Input), lengths(W.Output));
      OS << fmt::format("  workload {}: {}, {}, {}, seed {}\n", W.Name, Arrivals, Span, Sizes,
                        W.Seed);
    }
    if (Sv->PP > 1)
      OS << fmt::format("  pipeline: {} micro-batches in flight, each through every stage (a "
                        "decode step as on {} device{} holding the whole model; the KV cache of "
                        "all {} devices shared among them; sends between stages not priced)\n",
                        Sv->PP, S->Devices, S->Devices > 1 ? "s" : "", S->Devices * Sv->PP);
    const PrecisionRecord &Tables = tablePrecision(*S);
    const bool Mixes = mixesPrefill(*S, S->UsedRuntime);
    const std::string Prefill =
        !S->PrefillChunk ? std::string("whole prompts")
        : chunksPrompts(*S, S->UsedRuntime)
            ? fmt::format("in chunks of {} tokens{}", S->PrefillChunk,
                          Mixes ? "" : ", each chunk alone (decoding waits)")
            : fmt::format("of whole prompts, {} tokens an iteration{}", S->PrefillChunk,
                          Mixes ? " with its decode tokens" : ", each alone (decoding waits)");
    OS << fmt::format(
        "  replica: weights {}{}{}, KV {}, max batch {}, prefill {}\n", S->Weights->Name,
        &Tables == S->Weights ? std::string()
                              : " (embedding tables and output head " + Tables.Name + ")",
        S->ExpertWeights || S->ExpertCompute
            ? fmt::format(" (experts {}, computed in {})", S->expertWeights()->Name,
                          expertComputeOf(M, *S)->Name)
            : std::string(),
        S->KV->Name,
        S->MaxBatch ? std::to_string(S->MaxBatch)
        : S->UsedRuntime && S->UsedRuntime->field("max_batch")
            ? fmt::format("{} (the runtime's)", S->UsedRuntime->field("max_batch")->V.str())
            : std::string("no cap"),
        Prefill);
    const Section *Main = mainMemory(*S->Hw);
    const FieldValue *Visible = M.VisibleMemory && Main ? Main->field("visible") : nullptr;
    if (Visible)
      OS << fmt::format("  memory: {} a device as the driver reports it (the datasheet's {}){}\n",
                        Visible->V.str(), Main->field("capacity")->V.str(),
                        S->MemoryFraction > 0
                            ? fmt::format("; the engine takes {:g} of it", S->MemoryFraction)
                            : std::string());
    else if (S->MemoryFraction > 0)
      OS << fmt::format("  memory: the engine takes {:g} of each device's memory\n",
                        S->MemoryFraction);
    if (S->KVFraction > 0)
      OS << fmt::format("  memory: the cache takes {:g} of what the weights and work leave\n",
                        S->KVFraction);
    if (const int64_t Page = cachePage(*S, S->UsedRuntime);
        Page > 1 || preemptsCache(*S, S->UsedRuntime))
      OS << fmt::format(
          "  cache: {}; {}\n",
          Page > 1 ? fmt::format("pages of {} tokens{}", Page, S->KVPage ? "" : " (the runtime's)")
                   : std::string("whole tokens"),
          preemptsCache(*S, S->UsedRuntime)
              ? "pages as sequences grow, the sequence admitted last preempted (and "
                "prefilled again) when none is free"
              : "each request's whole prompt and output reserved at admission");
    // The serving stack's host time as the replica's machine took it, the record's own or its
    // runtime's (docs/formulas.md).
    {
      // (A time that is 0 is left out: a stack may have any without the others.)
      std::vector<std::string> Parts;
      for (auto [K, What] : std::initializer_list<std::pair<Slot, const char *>>{
               {Slot::StepOverhead, "of host time an iteration"},
               {Slot::SequenceOverhead, "of host time for each sequence an iteration carries"},
               {Slot::RequestOverhead, "a request outside the engine"}}) {
        double V = 0;
        for (const FactorUse &U : S->Factors)
          if (U.Name == slotName(K))
            V = U.Value;
        if (V > 0)
          Parts.push_back(fmt::format("{} {} ({})", fixedCost(V), What,
                                      ownHostTime(*S, K) ? "this record's" : "the runtime's"));
      }
      if (!Parts.empty())
        OS << fmt::format("  serving stack: {}\n", fmt::join(Parts, ", "));
    }
    if (schedulesAhead(*S, S->UsedRuntime))
      OS << fmt::format("  scheduling: each iteration's batch chosen as the one before starts, "
                        "its host time beside that forward (asynchronous; {})\n",
                        S->AsyncScheduling ? "this record's" : "the runtime's");
    if (Sv->DispatchWait > 0)
      OS << fmt::format("  dispatcher: requests held until {}{} has passed since the last batch "
                        "was sent, each batch to the next of {} replica{}\n",
                        Sv->DispatchBatch > 0
                            ? fmt::format("{} wait or ", Sv->DispatchBatch)
                            : std::string(),
                        Sv->DispatchWait >= 1
                            ? fmt::format("{:g} s", Sv->DispatchWait)
                            : fmt::format("{:g} ms", Sv->DispatchWait * 1e3),
                        Sv->Replicas, Sv->Replicas > 1 ? "s" : "");
    auto R = [&](ServingMetric K) {
      const Value *V = Sv->result(K);
      return V ? humanResult(*V) : std::string("-");
    };
    OS << "  TTFT: P50 " << R(ServingMetric::ttft_p50) << ", P90 " << R(ServingMetric::ttft_p90)
       << ", P99 " << R(ServingMetric::ttft_p99) << "\n";
    if (Sv->Draft && Sv->SpeculationOff)
      OS << fmt::format("  speculative decoding with {} tried, not chosen\n", Sv->Draft->Name);
    else if (Sv->Draft)
      OS << fmt::format("  speculative decoding: draft {}, {} tokens a step at acceptance {:g}: "
                        "{} tokens a step\n",
                        Sv->Draft->Name, Sv->Speculate, Sv->Acceptance,
                        R(ServingMetric::tokens_per_step));
    if (Sv->PrefillDevices > 0) {
      // On a full mesh a device sends its cache over the ports to one peer.
      std::string Link = "the link's bandwidth";
      const Section *L = groupLink(*S->Hw, double(S->Devices));
      if (L && L->field("peers"))
        Link += fmt::format(" to one peer, {:g} GB/s",
                            peerLinkBandwidth(*S->Hw, double(S->Devices)) / 1e9);
      OS << fmt::format("  disaggregated: prompts prefilled on {} more {}, caches sent at {}\n",
                        Sv->PrefillDevices, S->Hw->Name,
                        Sv->KVBandwidth > 0 ? fmt::format("{:g} GB/s", Sv->KVBandwidth / 1e9)
                                            : Link);
    }
    if (Sv->Load->PrefixHit > 0)
      OS << fmt::format("  prefix cache: {:g} of each prompt already cached\n",
                        Sv->Load->PrefixHit);
    OS << "  TPOT: P50 " << R(ServingMetric::tpot_p50) << ", P90 " << R(ServingMetric::tpot_p90)
       << ", P99 " << R(ServingMetric::tpot_p99) << "\n";
    OS << "  time between tokens: P50 " << R(ServingMetric::tbt_p50) << ", P99 "
       << R(ServingMetric::tbt_p99) << "\n";
    OS << "  end to end: P50 " << R(ServingMetric::e2e_p50) << ", P99 "
       << R(ServingMetric::e2e_p99) << "\n";
    auto Rate = [&](ServingMetric K) {
      const Value *V = Sv->result(K);
      return V ? fmt::format("{:.3g}", V->R) : std::string("-");
    };
    OS << "  throughput: " << Rate(ServingMetric::requests_per_s) << " requests/s, "
       << R(ServingMetric::output_tokens_per_s) << " output; goodput "
       << Rate(ServingMetric::goodput) << " requests/s";
    if (Sv->SLA.TTFT || Sv->SLA.TPOT)
      OS << fmt::format(" ({} of requests meet{}{})", R(ServingMetric::sla_met),
                        Sv->SLA.TTFT ? fmt::format(" TTFT <= {:g} ms", Sv->SLA.TTFT * 1e3) : "",
                        Sv->SLA.TPOT ? fmt::format(" TPOT <= {:g} ms", Sv->SLA.TPOT * 1e3) : "");
    OS << "\n";
    if (const Value *Max = Sv->result(ServingMetric::sla_rate)) {
      std::vector<std::string> Ts;
      if (Sv->SLA.TTFT)
        Ts.push_back(fmt::format("TTFT <= {:g} ms", Sv->SLA.TTFT * 1e3));
      if (Sv->SLA.TPOT)
        Ts.push_back(fmt::format("TPOT <= {:g} ms", Sv->SLA.TPOT * 1e3));
      if (Sv->SLA.TBT)
        Ts.push_back(fmt::format("TBT <= {:g} ms", Sv->SLA.TBT * 1e3));
      OS << fmt::format("  highest rate meeting {} at P{:g}: {:.3g} requests/s, {}; there TTFT "
                        "P50 {}, TPOT P50 {}\n",
                        fmt::join(Ts, ", "), Sv->SLA.Percentile * 100, Max->R,
                        R(ServingMetric::sla_output_tokens_per_s), R(ServingMetric::sla_ttft_p50),
                        R(ServingMetric::sla_tpot_p50));
      // Within 10% of that rate a latency at the fixed rate sits on the steep part of the
      // queue's curve: a capacity error of one or two percent moves its medians by tens of
      // percent (docs/validation.md, "Serving under load"). Say so beside the figures.
      const double Ratio = W.Concurrency == 0 && Max->R > 0 ? W.Rate / Max->R : 0;
      if (Ratio >= 0.9 && Ratio <= 1.1)
        OS << fmt::format("  near capacity: the rate is {:.1f}% {} that highest rate; this close "
                          "to it a median latency at a fixed rate moves steeply with an error of "
                          "a few percent in the capacity (the medians at the highest rate are "
                          "the steadier figures)\n",
                          std::abs(Ratio - 1) * 100, Ratio < 1 ? "below" : "above");
    }
    OS << "  load: mean decode batch " << R(ServingMetric::mean_batch) << " of "
       << R(ServingMetric::max_concurrency) << " concurrent; utilization "
       << R(ServingMetric::utilization) << "; queueing wait " << R(ServingMetric::queue_wait_mean)
       << " (M/M/c: ";
    // Erlang C's wait falls off as a power of the load: far below a microsecond it is a number
    // like 1e-298 s (or underflows to 0), which says only that the theory queues nothing. The
    // JSON keeps the value. The ratio means something only where that wait is not negligible.
    const Value *MMc = Sv->result(ServingMetric::mmc_queue_wait);
    OS << (MMc && MMc->R < 1e-6 ? std::string("under 1 us") : R(ServingMetric::mmc_queue_wait));
    if (MMc && MMc->R > 1e-3)
      OS << ", ratio " << R(ServingMetric::mmc_agreement);
    OS << ")";
    if (Sv->result(ServingMetric::preemptions))
      OS << "; preemptions per request " << R(ServingMetric::preemptions);
    OS << "\n";
    if (Sv->result(ServingMetric::cost_per_hour)) {
      const PriceRecord *P = Sv->usedPrice();
      OS << fmt::format("  cost: {:.2f} USD/h for {} replica(s) ({}{}), {:.3f} USD per "
                        "million output tokens, {:.3f} per million tokens in and out\n",
                        Sv->result(ServingMetric::cost_per_hour)->R * 3600,
                        Sv->result(ServingMetric::replicas)->R, describePrice(*P, Sv->Term),
                        P->owned() ? fmt::format(", plus electricity at grid {}", Sv->Energy->Name)
                                   : std::string(),
                        Sv->result(ServingMetric::cost_per_million_output_tokens)->R,
                        Sv->result(ServingMetric::cost_per_million_tokens)->R);
    }
    auto Dollars = [](double X) { return withThousands(std::llround(X)); };
    if (const Value *T = Sv->result(ServingMetric::fleet_tco)) {
      const PriceRecord *P = Sv->usedPrice();
      // The units and purchases the fleet figure counted (Economics.h).
      const FleetCost F =
          *fleetCost(*P, Sv->Term, Sv->Energy,
                     static_cast<double>(Sv->devicesPerReplica()) *
                         Sv->result(ServingMetric::replicas)->R,
                     Sv->TCOYears * SecondsPerYear);
      const int64_t Units = F.Units;
      std::string Unit = P->Instance.empty() ? P->Name : P->Instance;
      if (P->owned())
        OS << fmt::format(
            "  fleet over {:g} years: {} x {} ({} devices) bought {} time(s), {} USD, and "
            "powered at {:g} kW each x PUE {:g} every hour, {} USD: {} USD in all\n",
            Sv->TCOYears, Units, Unit, P->Devices, F.Purchases,
            Dollars(Sv->result(ServingMetric::fleet_capital)->R),
            deviceWatts(*P->Hw, P) * static_cast<double>(P->Devices) / 1e3, Sv->Energy->PUE,
            Dollars(Sv->result(ServingMetric::fleet_energy_cost)->R), Dollars(T->R));
      else
        OS << fmt::format("  fleet over {:g} years: {} x {} ({} devices) rented {}: {} USD\n",
                          Sv->TCOYears, Units, Unit, P->Devices,
                          Sv->Term == PriceTerm::OnDemand ? "on demand"
                          : Sv->Term == PriceTerm::Reserved1y ? "on 1-year commitments"
                                                              : "on 3-year commitments",
                          Dollars(T->R));
    }
    if (const Value *E = Sv->result(ServingMetric::energy_per_output_token)) {
      const PriceRecord *P = Sv->usedPrice();
      OS << fmt::format("  energy: {:.3g} J and {:.3g} gCO2e per output token (grid {}: {} x "
                        "PUE {:g})\n",
                        E->R, Sv->result(ServingMetric::carbon_per_output_token)->R,
                        Sv->Energy->Name,
                        wallPowerStated(P)
                            ? fmt::format("the wall power of {}", P->Name)
                            : std::string("TDP"),
                        Sv->Energy->PUE);
    }
    for (const ServingMeasurement &X : Sv->Measured)
      if (const Value *E = Sv->result(X.Metric)) {
        const Value *I = Sv->ideal(X.Metric);
        OS << fmt::format("  measured {} {}: simulated {} ({:+.1f}%), ideal {}{}\n",
                          servingMetricName(X.Metric), X.Measured.str(), humanResult(*E),
                          (E->asDouble() / X.Measured.asDouble() - 1) * 100,
                          I ? fmt::format("{} ({:+.1f}%)", humanResult(*I),
                                          (I->asDouble() / X.Measured.asDouble() - 1) * 100)
                            : std::string("-"),
                          Sv->Calibration ? " [calibration]" : "");
      }
    OS << "\n";
  }
  validation(OS, Ss);
}

void ServingEmitter::validation(llvm::raw_ostream &OS,
                                llvm::ArrayRef<const ServingRecord *> Ss) {
  // Held-out rows by kind: latency at a load, and throughput (the most a replica serves within
  // the targets, or at a load).
  struct Kind {
    const char *Name;
    std::vector<double> Errors, Ideal;
    double Worst = 0;
    std::string WorstRow;
  } Kinds[2] = {{"latency at a load (TTFT, TPOT, TBT, end to end)", {}, {}, 0, ""},
                {"throughput (under the targets, or at a load)", {}, {}, 0, ""}};
  int Calibration = 0, Rows = 0;
  for (const ServingRecord *Sv : Ss)
    for (const ServingMeasurement &X : Sv->Measured) {
      const Value *E = Sv->result(X.Metric);
      if (!E)
        continue;
      ++Rows;
      if (Sv->Calibration) {
        ++Calibration;
        continue;
      }
      llvm::StringRef N = servingMetricName(X.Metric);
      Kind &K = Kinds[N.startswith("ttft") || N.startswith("tpot") || N.startswith("tbt") ||
                              N.startswith("e2e")
                          ? 0
                          : 1];
      double Err = std::fabs(E->asDouble() / X.Measured.asDouble() - 1);
      K.Errors.push_back(Err);
      if (const Value *I = Sv->ideal(X.Metric))
        K.Ideal.push_back(std::fabs(I->asDouble() / X.Measured.asDouble() - 1));
      if (Err >= K.Worst)
        K.Worst = Err, K.WorstRow = Sv->Name + " " + N.str();
    }
  if (!Rows)
    return;
  OS << fmt::format("Validation: {} published serving measurements, {} of them calibration "
                    "(not counted below)\n",
                    Rows, Calibration);
  for (const Kind &K : Kinds) {
    if (K.Errors.empty())
      continue;
    OS << fmt::format("  {}: {} held out, median |error| {:.1f}% (ideal roofline {:.1f}%), "
                      "worst {:.1f}% ({})\n",
                      K.Name, K.Errors.size(), median(K.Errors) * 100, median(K.Ideal) * 100,
                      K.Worst * 100, K.WorstRow);
  }
}
