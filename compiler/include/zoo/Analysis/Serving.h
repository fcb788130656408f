//===- Serving.h - a serving replica under load, request by request --*- C++ -*-===//
//
// A discrete-event simulation of one serving replica (docs/formulas.md, "Serving under load"):
// requests arrive as a Poisson process (or from a closed loop of clients, each sending its next
// request when the last one finishes) with lengths drawn from the workload's distributions
// (a seeded generator of our own: the same requests on every machine); a continuous-batching
// scheduler admits waiting requests first come, first served, while the batch cap and the KV
// budget (each admitted request holds the cache of its whole prompt and output, or with
// preemption what it has so far) allow; each
// iteration either prefills the newly admitted prompts or runs one decode step of every running
// sequence, priced by the performance model (LanguageModel.h); with a prefill chunk, each
// iteration runs the decode step and up to one chunk of waiting prompt tokens together
// (Sarathi-Serve's stall-free batching): one forward over the chunk and the decode tokens, plus
// the decode tokens' attention over their caches. Requests hold their caches in whole pages of
// the machine's `KVPage` tokens; with `Preempt`, a request is admitted with its prompt's pages,
// takes more as it grows, and the sequence admitted last is preempted (and later prefilled
// again) when a step finds none free. Beside it, the M/M/c (Erlang C) queueing wait at the
// same arrival rate, concurrency and mean service time.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_SERVING_H
#define ZOO_ANALYSIS_SERVING_H

#include "zoo/Analysis/LanguageModel.h"

namespace zoo {

/// What the simulation reports (seconds, and per-second rates).
struct ServingStats {
  double TTFT[3] = {0, 0, 0}; ///< P50, P90, P99
  double TPOT[3] = {0, 0, 0};
  double TBT[2] = {0, 0};     ///< P50, P99 of the gaps between a sequence's output tokens
  double E2E[2] = {0, 0};     ///< P50, P99
  /// TTFT, TPOT and TBT at the targets' percentile.
  double TTFTAt = 0, TPOTAt = 0, TBTAt = 0;
  double TTFTMean = 0, TPOTMean = 0;
  double QueueWaitMean = 0;
  double RequestsPerS = 0, OutputTokensPerS = 0, Goodput = 0, SLAMet = 0;
  double MeanBatch = 0, Concurrency = 0, Utilization = 0, MMcWait = 0;
  double MeanService = 0; ///< admission to last token, mean
  double TokensPerStep = 1;
  int64_t Completed = 0, Iterations = 0;
  /// Sequences preempted for want of a page (`kv_policy = "preempt"`), each prefilled again.
  int64_t Preemptions = 0;
  bool Preempting = false; ///< the replica's policy preempts
  /// Whether the targets hold at their percentile.
  bool meets(const ServiceLevel &L) const {
    return (!L.TTFT || TTFTAt <= L.TTFT) && (!L.TPOT || TPOTAt <= L.TPOT) &&
           (!L.TBT || TBTAt <= L.TBT);
  }
};

/// Simulates `W` on the replica `P` (its scenario's max_batch and prefill_chunk), with the KV
/// budget `Budget` bytes; the targets `SLA` define goodput (a request meets its TTFT and TPOT
/// targets) and the percentiles the stats report them at.
/// Speculative decoding (Leviathan et al. 2023): the draft proposes `Tokens` a step, each
/// accepted with probability `Acceptance`; a step yields (1 - a^(k+1)) / (1 - a) tokens a
/// sequence on average, for k draft steps and one verification of k + 1 tokens by the target.
struct Speculation {
  const PreparedLM *Draft = nullptr;
  int64_t Tokens = 0;
  double Acceptance = 0;
  double expectedTokens() const;
};

/// Disaggregated serving (DistServe, Splitwise): prompts are prefilled on a separate pool
/// (`Prefill`, first come, first served, the waiting prompts together), their caches sent to the
/// decode replica at `Bandwidth` bytes/s; the decode replica only decodes.
struct Disaggregation {
  const PreparedLM *Prefill = nullptr;
  double Bandwidth = 0;
};

/// A dispatcher in front of `Replicas` identical replicas (a benchmark harness's batcher, as in
/// AMD's MLPerf v4.1 server): the requests of the whole system (Poisson at `Replicas` times the
/// replica's rate) are held until `Batch` of them wait (0: no such limit) or, at an arrival or at
/// a wake-up `Wait` seconds after the dispatcher's last event, `Wait` seconds have passed since
/// the last dispatch; each dispatch goes to the next replica in turn. The simulated replica gets
/// every `Replicas`-th dispatch; latencies count from each request's own arrival.
struct Dispatch {
  int64_t Batch = 0;
  double Wait = 0; ///< 0: no dispatcher
  int64_t Replicas = 1;
};

/// The requests a replica of `W` simulates at `ReplicaRate`: the workload's `requests`, or with
/// a `duration` its arrivals over it, round(rate x duration), at least 1 and, with `Drawn`
/// replicas' requests drawn together (a dispatcher), at most WorkloadRecord::MaxRequests / Drawn.
int64_t replicaRequests(const WorkloadRecord &W, double ReplicaRate, int64_t Drawn = 1);

/// `TokenGaps`: measure the time between tokens (TBT); a search that needs only TTFT and TPOT
/// leaves it out (it keeps every iteration's time). `CheckOnly`: draw the requests and say only
/// whether one needs more cache than `Budget` (Completed -1, as the simulation would find), the
/// other figures left at zero: what a compile that shows no serving figure needs.
/// `StopAtMiss` (a search that asks only whether the targets hold): the simulation stops once
/// more requests have finished past a TTFT or TPOT target than its percentile allows, with that
/// percentile infinite; the verdict of meets() is the whole run's, the other figures are not.
/// `PageEvents`: a preempting cache's pages one calendar event a page even where they could be
/// kept a class of sequences at a time (the same figures, slower; for tests).
ServingStats simulateServing(const PreparedLM &P, double Budget, const WorkloadRecord &W,
                             const ServiceLevel &SLA, Speculation Spec = {},
                             Disaggregation Split = {}, bool TokenGaps = true,
                             bool CheckOnly = false, Dispatch Batcher = {}, bool StopAtMiss = false,
                             bool PageEvents = false);

/// Erlang C: the mean wait in queue of an M/M/c system with arrival rate `Lambda`, `C` servers
/// and mean service time `Service` (infinite when the load reaches the servers).
double erlangCWait(double Lambda, double C, double Service);

/// An M/M/c queue simulated with the serving simulator's generator: the mean wait of `N`
/// customers (the check that the event loop agrees with the theory).
double simulateMMcWait(double Lambda, int64_t C, double Service, int64_t N, uint64_t Seed);

} // namespace zoo

#endif
