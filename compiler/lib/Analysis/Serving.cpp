//===- Serving.cpp - a serving replica under load, request by request -----===//
//
// The event loop keeps the replica's state in sums, so an iteration costs O(sequences finishing
// or admitted), not O(batch): the decode step's time needs only the batch and the mean context
// (attention is linear in the context between windows), and the running sequences' contexts grow
// by one each step together. With preemption, each sequence's next page is an event at a step
// known in advance, so pages cost O(1) each (a calendar of steps), not a pass over the batch
// every step; where every page adds the same bytes, a sequence's turns after its first are kept
// a class at a time (the sequences whose turns fall on one step modulo the page), so a step
// costs O(1) for its turns unless they do not all fit.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Serving.h"
#include "llvm/ADT/DenseMap.h"
#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <queue>

using namespace zoo;

namespace {

/// splitmix64 (Steele, Lea and Flood 2014): a small generator whose stream depends on the seed
/// alone, so that a workload is the same requests on every machine.
struct Generator {
  uint64_t S;
  uint64_t next() {
    uint64_t Z = (S += 0x9E3779B97F4A7C15ull);
    Z = (Z ^ (Z >> 30)) * 0xBF58476D1CE4E5B9ull;
    Z = (Z ^ (Z >> 27)) * 0x94D049BB133111EBull;
    return Z ^ (Z >> 31);
  }
  /// Uniform on [0, 1), 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }
  double exponential(double Mean) { return -Mean * std::log1p(-uniform()); }
};

int64_t draw(Generator &G, const LengthDistribution &D) {
  switch (D.K) {
  case LengthDistribution::Fixed:
    return D.Mean;
  case LengthDistribution::Uniform:
    return D.Min + static_cast<int64_t>(G.uniform() * static_cast<double>(D.Max - D.Min + 1));
  case LengthDistribution::Quantiles: {
    // The first row from the second whose quantile is U or more (the last if none), searched
    // from where U's slice of [0, 1) begins (tables hold up to every percentile).
    double U = G.uniform();
    const auto &T = D.Table;
    size_t I = D.From.empty()
                   ? 1
                   : D.From[std::min(
                         LengthDistribution::Slices - 1,
                         static_cast<size_t>(U * static_cast<double>(LengthDistribution::Slices)))];
    while (I + 1 < T.size() && T[I].first < U)
      ++I;
    const auto &[Q0, L0] = T[I - 1];
    const auto &[Q1, L1] = T[I];
    double L = Q1 > Q0 ? L0 + (L1 - L0) * (U - Q0) / (Q1 - Q0) : L1;
    return static_cast<int64_t>(std::llround(L));
  }
  case LengthDistribution::Exponential:
    // Geometric on 1, 2, ... with mean D.Mean: the whole-token form of the exponential.
    if (D.Mean <= 1)
      return 1;
    return 1 + static_cast<int64_t>(std::floor(
                   std::log1p(-G.uniform()) / std::log1p(-1.0 / static_cast<double>(D.Mean))));
  }
  return D.Mean;
}

/// Bins per unit of log(seconds) in the histogram of gaps between tokens: 0.1% wide.
constexpr double GapBins = 1000;

/// Requests keyed by a global step, taken out in (step, request) order: a calendar of one
/// bucket per step for the next `Span` steps after the last taken (a page turn is at most a
/// page's tokens ahead), and a heap for the rest. The same order as one heap of (step, request)
/// pairs, at O(1) a push where a heap costs O(log n).
class StepQueue {
public:
  void push(int64_t At, int64_t I) {
    if (At >= Base && At - Base < Span)
      Ring[static_cast<size_t>(At & (Span - 1))].push_back(I);
    else
      Far.push({At, I});
  }
  /// Every entry due by `Step`, in (step, request) order, into `Due` (emptied first).
  void takeDue(int64_t Step, std::vector<std::pair<int64_t, int64_t>> &Due) {
    Due.clear();
    while (!Far.empty() && Far.top().first <= Step) {
      Due.push_back(Far.top());
      Far.pop();
    }
    const int64_t Last = std::min(Step, Base + Span - 1);
    for (int64_t S = Base; S <= Last; ++S) {
      std::vector<int64_t> &B = Ring[static_cast<size_t>(S & (Span - 1))];
      for (int64_t I : B)
        Due.push_back({S, I});
      B.clear();
    }
    Base = std::max(Base, Step + 1);
    std::sort(Due.begin(), Due.end());
  }

private:
  static constexpr int64_t Span = 1024;
  std::vector<std::vector<int64_t>> Ring = std::vector<std::vector<int64_t>>(Span);
  std::priority_queue<std::pair<int64_t, int64_t>, std::vector<std::pair<int64_t, int64_t>>,
                      std::greater<>>
      Far;
  int64_t Base = 0; ///< the first step not yet taken
};

double percentile(std::vector<double> &V, double Q) {
  if (V.empty())
    return 0;
  // The nearest-rank percentile: the smallest value with at least Q of the values at or below.
  size_t K = static_cast<size_t>(std::ceil(Q * static_cast<double>(V.size())));
  K = std::clamp<size_t>(K, 1, V.size()) - 1;
  std::nth_element(V.begin(), V.begin() + static_cast<std::ptrdiff_t>(K), V.end());
  return V[K];
}

} // namespace

double zoo::erlangCWait(double Lambda, double C, double Service) {
  double A = Lambda * Service; // offered load, erlangs
  if (!(A < C) || C < 1)
    return INFINITY;
  // Erlang B by its recurrence (stable for large C), then C from B.
  double B = 1;
  for (int64_t K = 1; K <= static_cast<int64_t>(C); ++K)
    B = A * B / (static_cast<double>(K) + A * B);
  double Rho = A / C;
  double PWait = B / (1 - Rho + Rho * B);
  return PWait * Service / (C - A);
}

double zoo::simulateMMcWait(double Lambda, int64_t C, double Service, int64_t N, uint64_t Seed) {
  Generator G{Seed};
  std::priority_queue<double, std::vector<double>, std::greater<double>> Free;
  for (int64_t I = 0; I < C; ++I)
    Free.push(0);
  double T = 0, Wait = 0;
  for (int64_t I = 0; I < N; ++I) {
    T += G.exponential(1 / Lambda);
    double Start = std::max(T, Free.top());
    Free.pop();
    Wait += Start - T;
    Free.push(Start + G.exponential(Service));
  }
  return N ? Wait / static_cast<double>(N) : 0;
}

double Speculation::expectedTokens() const {
  if (!Draft || Tokens < 1)
    return 1;
  double A = Acceptance;
  return (1 - std::pow(A, static_cast<double>(Tokens + 1))) / (1 - A);
}

int64_t zoo::replicaRequests(const WorkloadRecord &W, double ReplicaRate, int64_t Drawn) {
  if (!(W.Duration > 0) || W.Concurrency > 0 || W.Trace)
    return W.Requests;
  const double Most =
      static_cast<double>(WorkloadRecord::MaxRequests / std::max<int64_t>(1, Drawn));
  const double N = std::round(ReplicaRate * W.Duration);
  return static_cast<int64_t>(std::max(1.0, std::min(N, Most)));
}

ServingStats zoo::simulateServing(const PreparedLM &P, double Budget, const WorkloadRecord &W,
                                  const ServiceLevel &SLA, Speculation Spec, Disaggregation Split,
                                  bool TokenGaps, bool CheckOnly, Dispatch Batcher, bool StopAtMiss,
                                  bool PageEvents) {
  ServingStats Out;
  const ScenarioRecord &S = P.scenario();
  const int64_t N = W.Requests;
  // Three streams of the seed: arrivals, input lengths and output lengths, so that a change to
  // one distribution leaves the others' draws as they were.
  Generator G{W.Seed}, GIn{W.Seed ^ 0x5DEECE66Dull}, GOut{W.Seed ^ 0xB5AD4ECEDA1CE2A9ull};
  std::vector<double> Arrival(static_cast<size_t>(N));
  std::vector<int64_t> In(static_cast<size_t>(N)), OutLen(static_cast<size_t>(N));
  // Open loop: Poisson arrivals, all known in advance. Closed loop: the first `Concurrency`
  // requests arrive at 0, each later one when an earlier one finishes (Issued so far).
  const bool Closed = W.Concurrency > 0;
  int64_t Issued = Closed ? std::min(N, W.Concurrency) : N;
  // The serving front end's time a request (`request_overhead`): before the engine sees it and
  // in its latencies. Arrival is when the engine sees a request: an open loop's arrivals all
  // move by the same time, which changes nothing inside the engine, so they are kept as drawn
  // and the latencies add it; a closed loop's client sends its next request at the last one's
  // finish, and the engine sees it that much later.
  const double Front = P.machine().f(Slot::RequestOverhead);
  double T = 0;
  if (W.Trace) {
    // A replayed trace, stretched or compressed to the rate asked of this replica.
    const double Scale = W.TraceRate / W.Rate;
    const int64_t Rows = std::min<int64_t>(N, static_cast<int64_t>(W.Trace->size()));
    for (int64_t I = 0; I < Rows; ++I) {
      const WorkloadRecord::TraceRequest &R = (*W.Trace)[static_cast<size_t>(I)];
      Arrival[I] = R.Arrival * Scale;
      In[I] = std::max<int64_t>(1, R.Input);
      OutLen[I] = std::max<int64_t>(1, R.Output);
    }
    for (int64_t I = Rows; I < N; ++I) { // (Requests never exceeds the trace; kept safe)
      Arrival[I] = Arrival[Rows - 1];
      In[I] = In[Rows - 1];
      OutLen[I] = OutLen[Rows - 1];
    }
  } else {
    for (int64_t I = 0; I < N; ++I) {
      if (!Closed && !(Batcher.Wait > 0))
        T += G.exponential(1 / W.Rate);
      Arrival[I] = T;
      if (W.Lengths) {
        // One row of the table, its two lengths together: the next in order, or one at random.
        const auto &Rows = *W.Lengths;
        const size_t Row =
            W.LengthsInOrder
                ? static_cast<size_t>(I) % Rows.size()
                : std::min(Rows.size() - 1,
                           static_cast<size_t>(GIn.uniform() * static_cast<double>(Rows.size())));
        In[I] = Rows[Row].first;
        OutLen[I] = Rows[Row].second;
        continue;
      }
      In[I] = std::max<int64_t>(1, draw(GIn, W.Input));
      OutLen[I] = std::max<int64_t>(1, draw(GOut, W.Output));
    }
  }
  // When each request reaches the replica: on arrival, or with a dispatcher when its batch is
  // sent (then Arrival is drawn here, for the whole system, and kept for the latencies).
  std::vector<double> Dispatched;
  if (Batcher.Wait > 0 && !Closed && !W.Trace && N > 0) {
    Dispatched.resize(static_cast<size_t>(N));
    const int64_t R = std::max<int64_t>(1, Batcher.Replicas);
    const double Tau = Batcher.Wait;
    std::deque<double> Held; // arrivals not yet dispatched
    int64_t Kept = 0, Batches = 0;
    double Last = 0, Wake = 0; // the last dispatch; the dispatcher's last event
    auto Send = [&](double At) {
      size_t Count = Held.size();
      if (Batcher.Batch > 0)
        Count = std::min(Count, static_cast<size_t>(Batcher.Batch));
      for (size_t K = 0; K < Count; ++K) {
        if (Batches % R == 0 && Kept < N) {
          Arrival[Kept] = Held.front();
          Dispatched[static_cast<size_t>(Kept++)] = At;
        }
        Held.pop_front();
      }
      ++Batches;
      Last = At;
    };
    double A = 0;
    bool Started = false;
    while (Kept < N) {
      A += G.exponential(1 / (W.Rate * static_cast<double>(R)));
      // While nothing arrives the dispatcher wakes Wait after its last event and sends what it
      // holds (by then Wait has passed since the last dispatch, no later than that event).
      while (!Held.empty() && A - Wake > Tau) {
        Wake += Tau;
        Send(Wake);
      }
      Held.push_back(A);
      Wake = A;
      if (!Started)
        Started = true, Last = A; // its clock starts at the first request
      if ((Batcher.Batch > 0 && static_cast<int64_t>(Held.size()) >= Batcher.Batch) ||
          A - Last >= Tau)
        Send(A);
    }
  }
  auto Reach = [&](int64_t I) {
    return Dispatched.empty() ? Arrival[I] : Dispatched[static_cast<size_t>(I)];
  };
  // The simulation stops with Completed -1 exactly when some request's whole cache exceeds the
  // budget (it can never be admitted, or never finish when its pages come as it grows); every
  // other request is admitted in time. With whole prompts only (`chunked_prefill = false`), -2
  // when a prompt is longer than an iteration's tokens (the engine refuses it; a replica whose
  // prompts are prefilled by a pool of their own does not see them).
  const bool WholePrompts =
      S.PrefillChunk > 0 && !P.machine().ChunkedPrefill && !P.encoderDecoder();
  for (int64_t I = 0; I < N; ++I) {
    if (P.requestCacheBytes(static_cast<double>(In[I]), static_cast<double>(OutLen[I])) >
        Budget) {
      Out.Completed = -1;
      return Out;
    }
    if (WholePrompts && !Split.Prefill && In[I] > S.PrefillChunk) {
      Out.Completed = -2;
      return Out;
    }
  }
  if (CheckOnly)
    return Out;
  // Disaggregated: the prefill pool's first-come, first-served batches, then each cache's
  // transfer; a request reaches the decode replica at Ready, its first token already made. On
  // the ideal machine a cache may leave layer by layer as its prefill makes it (the link free
  // from the batch's start, not its end): it arrives at the later of the two.
  std::vector<double> Ready;
  const bool Stream = P.machine().Ideal;
  if (Split.Prefill) {
    Ready.resize(static_cast<size_t>(N));
    double Free = 0, Link = 0;
    llvm::DenseMap<int64_t, double> Cost;
    for (int64_t I = 0; I < N;) {
      double Start = std::max(Free, Arrival[I]);
      int64_t J = I;
      double Time = 0;
      while (J < N && Arrival[J] <= Start) {
        int64_t Tokens = std::max<int64_t>(
            1, static_cast<int64_t>(
                   std::llround(static_cast<double>(In[J]) * (1 - W.PrefixHit))));
        auto It = Cost.find(Tokens);
        double C = It != Cost.end()
                       ? It->second
                       : (Cost[Tokens] =
                              Split.Prefill->prefillTime(1, Split.Prefill->promptTerms(Tokens),
                                                         false));
        Time += C;
        ++J;
      }
      Free = Start + Time;
      for (int64_t K = I; K < J; ++K) {
        double Bytes = P.requestCacheBytesOnce(static_cast<double>(In[K]), 0);
        Link = std::max(Link, Stream ? Start : Free) +
               (Split.Bandwidth > 0 ? Bytes / Split.Bandwidth : 0);
        Ready[K] = std::max(Link, Free);
      }
      I = J;
    }
  }
  // The batch cap: the record's, else the runtime's (the machine's), else none.
  const int64_t Cap = S.MaxBatch > 0           ? S.MaxBatch
                      : P.machine().MaxBatch > 0 ? P.machine().MaxBatch
                                                 : int64_t(1) << 20;
  const int64_t Chunk = S.PrefillChunk;
  // Chunked prefill beside the decode step in one iteration (Sarathi-Serve), or alone, the decode
  // step waiting while admitted prompts are pending (the runtime's `mixed_prefill = false`).
  const bool Mixed = P.machine().MixedPrefill;
  // The host's time a sequence an iteration (`sequence_overhead`): in every forward's price, for
  // the sequences it carries; a chunk's forward is priced as one sequence's, and adds the rest.
  const double SequenceHost = P.machine().f(Slot::SequenceOverhead);
  // Asynchronous scheduling (`async_scheduling`, vLLM's): an iteration's batch is chosen as the
  // iteration before starts, from the requests that had come by then, and its host time
  // (P.hostTime of each forward it runs) runs beside that forward: an iteration takes the longer
  // of the two. While the engine runs, a request that arrives during an iteration waits for the
  // one after next; an engine left with nothing to run chooses when the next request comes.
  const bool Ahead = P.machine().AsyncScheduling;
  double Seen = 0; // requests that had come by then are the next iteration's to choose from
  // Prefill and decode costs, made once per distinct length and batch.
  // (An encoder-decoder's sequences also cross-attend to their sources: a term linear in the
  // batch's mean source, 0 for other models.)
  std::vector<PreparedLM::BatchTerms> Terms;
  auto TargetStep = [&](int64_t B, double MeanContext, double MeanSource = 0) {
    while (static_cast<int64_t>(Terms.size()) < B)
      Terms.push_back(P.batchTerms(static_cast<double>(Terms.size() + 1), false));
    return P.decodeStepTime(Terms[static_cast<size_t>(B - 1)], MeanContext, MeanSource);
  };
  // Speculative decoding: each step, k draft steps and the target's verification of k + 1
  // tokens a sequence (its weights read once: a step of B (k + 1) tokens), advancing each
  // sequence by the expected accepted tokens.
  const double Adv = Spec.expectedTokens();
  const int64_t Verify = Spec.Draft ? Spec.Tokens + 1 : 1;
  std::vector<PreparedLM::BatchTerms> DraftTerms;
  auto StepTime = [&](int64_t B, double MeanContext, double MeanSource) {
    double T = TargetStep(B * Verify, MeanContext, MeanSource);
    if (Spec.Draft) {
      while (static_cast<int64_t>(DraftTerms.size()) < B)
        DraftTerms.push_back(
            Spec.Draft->batchTerms(static_cast<double>(DraftTerms.size() + 1), false));
      T += static_cast<double>(Spec.Tokens) *
           Spec.Draft->decodeStepTime(DraftTerms[static_cast<size_t>(B - 1)], MeanContext);
    }
    return T;
  };
  // Output tokens a request has made (a preempted one keeps them: vLLM's recompute prefills
  // its prompt and them again when it is admitted again).
  const bool Preempt = P.machine().Preempt;
  std::vector<double> Made(static_cast<size_t>(N), 0);
  // Prompt tokens to compute: what the prefix cache does not hold (and a preempted request's
  // output so far).
  auto Work = [&](int64_t I) {
    return std::max<int64_t>(
               1, static_cast<int64_t>(
                      std::llround(static_cast<double>(In[I]) * (1 - W.PrefixHit)))) +
           static_cast<int64_t>(std::llround(Made[static_cast<size_t>(I)]));
  };
  llvm::DenseMap<int64_t, double> PrefillCache;
  auto Prefill = [&](int64_t Tokens) {
    auto It = PrefillCache.find(Tokens);
    if (It != PrefillCache.end())
      return It->second;
    double Time = P.prefillTime(1, P.promptTerms(Tokens), false);
    PrefillCache[Tokens] = Time;
    return Time;
  };
  // What a request holds when admitted: its whole prompt and output (reserve), or its prompt
  // and output so far in whole pages (preempt: more pages as it grows).
  auto Reserve = [&](int64_t I) {
    return P.requestCacheBytes(static_cast<double>(In[I]),
                               Preempt ? Made[static_cast<size_t>(I)]
                                       : static_cast<double>(OutLen[I]));
  };
  // Each prompt length's prefill terms (node-stable: the forward over several keeps pointers).
  std::map<int64_t, PreparedLM::PromptTerms> Terms1;
  std::vector<const PreparedLM::PromptTerms *> Together;
  const bool Sources = P.encoderDecoder();

  std::vector<double> First(static_cast<size_t>(N), -1), Finish(static_cast<size_t>(N), -1),
      Admitted(static_cast<size_t>(N), -1);
  // The cache each request holds now; the context its decoding started from (its first decode
  // step's); when it finishes; whether it is decoding (or prefilling).
  std::vector<double> Held(static_cast<size_t>(N), 0), Context0(static_cast<size_t>(N), 0);
  std::vector<int64_t> EndStep(static_cast<size_t>(N), -1);
  enum : uint8_t { Outside, InPrefill, Decoding };
  std::vector<uint8_t> State(static_cast<size_t>(N), Outside);
  // Preempt: when each decoding sequence next needs a page (the global step it must have it
  // by), those steps in order, and the admissions in order (the last one is preempted first;
  // an entry whose count is not its request's latest is stale).
  std::vector<int64_t> GrowAt(static_cast<size_t>(N), -1), Admissions(static_cast<size_t>(N), 0);
  StepQueue Grows;
  std::vector<std::pair<int64_t, int64_t>> Order, Due;
  const double Page = P.pageTokens();
  // Preempt, where every page adds the same exact bytes and a sequence advances one token a
  // step (no speculation): after its first page turn, a decoding sequence turns a page every
  // `Page` steps until its last, at steps of one residue modulo the page. Its turns are then
  // kept lazily: the sequences of each residue are a class, and a step's turns add the page's
  // bytes times its class's size to Used at once, where they fit the budget (exact sums: the
  // order of the additions does not matter), without touching the sequences; a sequence's own
  // Held catches up (Sync) when it is read. A step whose turns do not fit is replayed one turn
  // at a time in (step, request) order, as the calendar's events are, preempting as they go.
  // The same Used, admissions and preemptions as one event a page; far fewer events. (Not
  // with a disaggregated, chunked and mixed replica: there a decode step can pass without the
  // growth that precedes one; nor with pages of more than 4,096 tokens, whose turns are few and
  // whose classes would be many.)
  const double PageBytes = !PageEvents && Preempt && Adv == 1 && Budget < 0x1p50 &&
                                   Page <= 4096 &&
                                   !(Split.Prefill && Chunk > 0 && Mixed)
                               ? P.uniformPageBytes()
                               : 0;
  const bool Lazy = PageBytes > 0;
  const int64_t PageSteps = static_cast<int64_t>(Page);
  // A sequence's next page turn not yet in its Held, its last (-1: none), and its place in its
  // class (-1: in none); the classes; the steps after each sequence's last turn; the last step
  // whose turns are in Used.
  std::vector<int64_t> NextTurn, LastTurn, InClass;
  std::vector<std::vector<int64_t>> Classes;
  StepQueue Leaves;
  int64_t Grown = -1;
  if (Lazy) {
    NextTurn.assign(static_cast<size_t>(N), -1);
    LastTurn.assign(static_cast<size_t>(N), -1);
    InClass.assign(static_cast<size_t>(N), -1);
    Classes.resize(static_cast<size_t>(PageSteps));
  }
  // Brings Held[I] up to the turns of steps up to Grown.
  auto Sync = [&](int64_t I) {
    const int64_t Through = std::min(Grown, LastTurn[I]);
    if (NextTurn[I] < 0 || Through < NextTurn[I])
      return;
    const int64_t Turns = (Through - NextTurn[I]) / PageSteps + 1;
    Held[I] += PageBytes * static_cast<double>(Turns);
    NextTurn[I] += Turns * PageSteps;
  };
  auto Join = [&](int64_t I, int64_t From, int64_t Last) {
    NextTurn[I] = From;
    LastTurn[I] = Last;
    std::vector<int64_t> &C = Classes[static_cast<size_t>(From % PageSteps)];
    InClass[I] = static_cast<int64_t>(C.size());
    C.push_back(I);
    Leaves.push(Last + 1, I);
  };
  auto Leave = [&](int64_t I) {
    if (InClass[I] < 0)
      return;
    std::vector<int64_t> &C = Classes[static_cast<size_t>(LastTurn[I] % PageSteps)];
    const int64_t J = C.back();
    C[static_cast<size_t>(InClass[I])] = J;
    InClass[J] = InClass[I];
    C.pop_back();
    InClass[I] = -1;
  };
  // A sequence that finishes or is preempted: its Held as it stands, and no more turns.
  auto Drop = [&](int64_t I) {
    if (!Lazy)
      return;
    Sync(I);
    Leave(I);
    NextTurn[I] = LastTurn[I] = -1;
  };
  // Running sequences (decoding), by when they finish: (finishing step, request).
  std::priority_queue<std::pair<int64_t, int64_t>, std::vector<std::pair<int64_t, int64_t>>,
                      std::greater<>>
      Ends;
  std::deque<int64_t> Waiting, Prefilling; // admitted, prompt not done (chunked: in order)
  std::vector<int64_t> Done(static_cast<size_t>(N), 0); // prompt tokens prefilled (chunked)
  std::vector<int64_t> StartStep(static_cast<size_t>(N), 0);
  int64_t Next = 0, Running = 0, Step = 0;
  double Now = 0, Used = 0, SumContext = 0, SumSource = 0, BatchSteps = 0, Steps = 0;
  // The gaps between output tokens: each decode iteration's time (plus the prefill-only
  // iterations that stalled the batch before it), weighted by the sequences it advanced, in a
  // histogram of 0.1%-wide bins (memory independent of the run's length).
  llvm::DenseMap<int32_t, double> Gaps;
  double Stall = 0;
  // A search's early stop: the requests a target may miss while its percentile still holds
  // (nearest rank: the value at rank ceil(p N) must be within it), and those that have missed.
  const int64_t Allowed =
      N - std::clamp<int64_t>(
              static_cast<int64_t>(std::ceil(SLA.Percentile * static_cast<double>(N))), 1,
              std::max<int64_t>(N, 1));
  const bool Stops = StopAtMiss && !(SLA.TBT > 0) && (SLA.TTFT > 0 || SLA.TPOT > 0);
  int64_t MissedTTFT = 0, MissedTPOT = 0;
  auto Finished = [&](int64_t I, double At) {
    Finish[I] = At;
    if (Stops) {
      // (The same expressions as the percentiles' below.)
      MissedTTFT += SLA.TTFT > 0 && First[I] - Arrival[I] + Front > SLA.TTFT;
      MissedTPOT += SLA.TPOT > 0 && OutLen[I] > 1 &&
                    (Finish[I] - First[I]) / static_cast<double>(OutLen[I] - 1) > SLA.TPOT;
    }
    State[I] = Outside;
    Drop(I);
    Used -= Held[I];
    Held[I] = 0;
    if (Closed && Issued < N)
      Arrival[Issued++] = At + Front;
  };
  // Preempt: the decode step j (1, 2, ... since the sequence started decoding) before which it
  // needs the positions of its prompt and Made + (j - 1) x Adv output tokens, those of `T` held
  // now: the first step that passes the page they end in, as a global step (at least `After`);
  // -1 where its last page is in hand. `Left`: the positions its last token needs beyond the
  // page `T` ends in.
  auto NextGrowth = [&](int64_t I, double T, int64_t After, double &Left) -> int64_t {
    const double In0 = static_cast<double>(In[I]);
    const double Limit = std::ceil(P.cachePositions(In0, T) / Page) * Page;
    Left = P.cachePositions(In0, static_cast<double>(OutLen[I])) - Limit;
    if (Left <= 0)
      return -1;
    const double X = (Limit - P.cachePositions(In0, Made[I])) / Adv;
    const int64_t J = static_cast<int64_t>(std::floor(X)) + 2;
    return std::max(After, StartStep[I] + J - 1);
  };
  auto ScheduleGrowth = [&](int64_t I, double T, int64_t After) {
    double Left;
    if (const int64_t At = NextGrowth(I, T, After, Left); At >= 0) {
      GrowAt[I] = At;
      Grows.push(At, I);
    }
  };
  // Sequences that finish at a step: their context and reservation leave the sums.
  // (A preempted sequence, prefilled again, goes on from the tokens it had made.)
  auto StartDecoding = [&](int64_t I, double At) {
    if (First[I] < 0)
      First[I] = At;
    const double HeldT = Made[I]; // the output tokens its cache was admitted with
    Made[I] = std::max(Made[I], 1.0);
    if (static_cast<double>(OutLen[I]) - Made[I] <= 0) {
      Finished(I, At);
      return;
    }
    ++Running;
    State[I] = Decoding;
    Context0[I] = P.firstDecodeContext(static_cast<double>(In[I])) + Made[I] - 1;
    SumContext += Context0[I] - static_cast<double>(Step) * Adv;
    if (Sources)
      SumSource += static_cast<double>(In[I]);
    StartStep[I] = Step;
    EndStep[I] =
        Step + static_cast<int64_t>(std::ceil((static_cast<double>(OutLen[I]) - Made[I]) / Adv));
    Ends.push({EndStep[I], I});
    if (Preempt)
      ScheduleGrowth(I, HeldT, Step);
  };
  // The output tokens a decoding sequence has made by this step.
  auto MadeNow = [&](int64_t I) {
    return std::min(static_cast<double>(OutLen[I]),
                    Made[I] + static_cast<double>(Step - StartStep[I]) * Adv);
  };
  // Leaves the running sums: at its end, or preempted.
  auto StopDecoding = [&](int64_t I) {
    --Running;
    SumContext -= Context0[I] - static_cast<double>(StartStep[I]) * Adv;
    if (Sources)
      SumSource -= static_cast<double>(In[I]);
  };
  // Preempts the sequence admitted last (decoding or prefilling): its pages are freed and it
  // waits first in line, to prefill its prompt and output so far again (vLLM's recompute).
  auto PreemptLast = [&]() {
    while (!Order.empty()) {
      auto [I, Count] = Order.back();
      Order.pop_back();
      if (Count != Admissions[I] || State[I] == Outside)
        continue;
      if (State[I] == Decoding) {
        Made[I] = MadeNow(I);
        StopDecoding(I);
      } else {
        // (A prompt admitted but not yet prefilled is in Prefilling until its iteration.)
        if (auto It = std::find(Prefilling.begin(), Prefilling.end(), I); It != Prefilling.end())
          Prefilling.erase(It);
        Done[I] = 0;
      }
      State[I] = Outside;
      GrowAt[I] = -1;
      Drop(I);
      Used -= Held[I];
      Held[I] = 0;
      Waiting.push_front(I);
      ++Out.Preemptions;
      return I;
    }
    return int64_t(-1);
  };
  // A sequence's cache grows to `Need` bytes, preempting the sequences admitted last while it
  // does not fit; false where it was preempted itself.
  auto TakePages = [&](int64_t I, double Need) {
    while (Used + Need - Held[I] > Budget && State[I] == Decoding && PreemptLast() >= 0) {
    }
    if (State[I] != Decoding)
      return false;
    Used += Need - Held[I];
    Held[I] = Need;
    return true;
  };
  // Lazy: a sequence's first page turn after it starts decoding (a calendar event, as below),
  // which makes it a member of its class for the turns after: where ScheduleGrowth would put
  // the next, then one a page's steps after another until the page its last token ends in.
  auto FirstTurn = [&](int64_t At, int64_t I) {
    if (State[I] != Decoding || GrowAt[I] != At)
      return;
    const double T = MadeNow(I);
    if (!TakePages(I, P.requestCacheBytes(static_cast<double>(In[I]), T)))
      return;
    GrowAt[I] = -1;
    double Left;
    if (const int64_t From = NextGrowth(I, T, Step + 1, Left); From >= 0)
      Join(I, From, From + (static_cast<int64_t>(std::ceil(Left / Page)) - 1) * PageSteps);
  };
  // A class member's turn at step At, one at a time (a step whose turns do not all fit).
  auto MemberTurn = [&](int64_t At, int64_t I) {
    if (State[I] != Decoding || InClass[I] < 0)
      return; // preempted by an earlier turn of this step
    Sync(I);
    if (!TakePages(I, Held[I] + PageBytes))
      return;
    NextTurn[I] = At + PageSteps;
    if (NextTurn[I] > LastTurn[I])
      Leave(I);
  };
  std::vector<std::pair<int64_t, int64_t>> Left;
  std::vector<std::pair<int64_t, bool>> OneByOne; // (request, a class member's turn)
  auto GrowLazy = [&]() {
    Grows.takeDue(Step, Due);
    size_t K = 0; // Due's next
    for (int64_t At = Grown + 1; At <= Step; ++At) {
      while (K < Due.size() && Due[K].first < At) {
        FirstTurn(Due[K].first, Due[K].second);
        ++K;
      }
      Leaves.takeDue(At, Left);
      for (auto [When, I] : Left)
        if (InClass[I] >= 0 && LastTurn[I] + 1 == When)
          Leave(I);
      const std::vector<int64_t> &C = Classes[static_cast<size_t>(At % PageSteps)];
      size_t End = K;
      double Add = PageBytes * static_cast<double>(C.size());
      for (; End < Due.size() && Due[End].first == At; ++End) {
        const int64_t I = Due[End].second;
        if (State[I] == Decoding && GrowAt[I] == At)
          Add += P.requestCacheBytes(static_cast<double>(In[I]), MadeNow(I)) - Held[I];
      }
      if (Used + Add <= Budget) {
        // Every turn fits: none preempts, so their order does not matter.
        Used += PageBytes * static_cast<double>(C.size());
        for (; K < End; ++K)
          FirstTurn(Due[K].first, Due[K].second);
      } else {
        OneByOne.clear();
        for (int64_t I : C)
          OneByOne.push_back({I, true});
        for (; K < End; ++K)
          OneByOne.push_back({Due[K].second, false});
        std::sort(OneByOne.begin(), OneByOne.end());
        for (auto [I, Member] : OneByOne)
          Member ? MemberTurn(At, I) : FirstTurn(At, I);
      }
      Grown = At;
    }
    for (; K < Due.size(); ++K)
      FirstTurn(Due[K].first, Due[K].second);
  };
  // Preempt: before a decode step, each sequence whose positions pass into a new page takes
  // one, preempting the sequences admitted last while none is free (itself, if it is last):
  // as vLLM schedules, the running sequences' pages before any waiting prompt's.
  auto Grow = [&]() {
    if (Lazy) {
      GrowLazy();
      return;
    }
    Grows.takeDue(Step, Due);
    for (auto [At, I] : Due) {
      if (State[I] != Decoding || GrowAt[I] != At)
        continue;
      const double T = MadeNow(I);
      if (TakePages(I, P.requestCacheBytes(static_cast<double>(In[I]), T)))
        ScheduleGrowth(I, T, Step + 1);
    }
  };
  while (Next < N || !Waiting.empty() || !Prefilling.empty() || Running > 0) {
    if (Stops && (MissedTTFT > Allowed || MissedTPOT > Allowed)) {
      Out.Completed = N;
      Out.TTFTAt = MissedTTFT > Allowed ? INFINITY : 0;
      Out.TPOTAt = MissedTPOT > Allowed ? INFINITY : 0;
      return Out;
    }
    // (Disaggregated: requests come to the decode replica when their cache has arrived, in the
    // order the prefill pool finished them, which is arrival order.)
    while (Next < Issued && (Split.Prefill ? Ready[Next] : Reach(Next)) <= (Ahead ? Seen : Now))
      Waiting.push_back(Next++);
    // (Chunked prefill beside decode: every iteration decodes, and the running sequences grow
    // first.)
    if (Preempt && Chunk > 0 && Mixed && Running > 0)
      Grow();
    // Admission: first come, first served, under the cap and the KV budget.
    while (!Waiting.empty() && Running + static_cast<int64_t>(Prefilling.size()) < Cap &&
           Used + Reserve(Waiting.front()) <= Budget) {
      int64_t I = Waiting.front();
      Waiting.pop_front();
      Held[I] = Reserve(I);
      Used += Held[I];
      if (Admitted[I] < 0)
        Admitted[I] = Now;
      State[I] = InPrefill;
      if (Preempt)
        Order.push_back({I, ++Admissions[I]});
      if (Split.Prefill && Made[I] == 0) {
        // Prefilled elsewhere: its first token was made when the prefill pool finished.
        StartDecoding(I, Ready[I]);
        First[I] = std::min(First[I], Ready[I]);
      } else {
        Prefilling.push_back(I);
      }
    }
    if (Running == 0 && Prefilling.empty()) {
      if (!Waiting.empty()) {
        // One request alone exceeds the budget: it can never run.
        Out.Completed = -1;
        return Out;
      }
      if (Next >= Issued)
        break; // (a closed loop always has a request in flight: not reached)
      Now = Seen = std::max(Now, Split.Prefill ? Ready[Next] : Reach(Next));
      continue;
    }
    if (Preempt && (Chunk == 0 || !Mixed) && Prefilling.empty())
      Grow();
    if (Running == 0 && Prefilling.empty())
      continue; // (all preempted: admitted again, first in line)
    double Time = 0, Host = 0; // (Host: what of Time is the host's, with Ahead)
    bool Fused = false;
    std::vector<int64_t> Prefilled;
    int64_t Tokens = 0; // prompt tokens this iteration prefills (chunked)
    if (Chunk > 0) {
      // One iteration of up to `Chunk` tokens: beside the decode step of the running sequences
      // (mixed), whose tokens count first (vLLM's max_num_batched_tokens and TensorRT-LLM's
      // max_num_tokens cap the sum), the prompts' tokens in what is left; or prompts alone. With
      // whole prompts only, a prompt that does not fit waits for a later iteration (one alone in
      // an empty iteration runs whole: a preempted sequence's prompt and output may exceed it).
      int64_t Budgeted = Chunk - (Mixed ? Running * Verify : 0), Pieces = 0;
      while (!Prefilling.empty() && Budgeted > 0) {
        int64_t I = Prefilling.front();
        if (WholePrompts && Work(I) - Done[I] > Budgeted && (Pieces > 0 || Running > 0))
          break;
        int64_t Take = WholePrompts ? Work(I) - Done[I] : std::min(Budgeted, Work(I) - Done[I]);
        Done[I] += Take;
        Budgeted -= Take;
        Tokens += Take;
        ++Pieces;
        if (Done[I] == Work(I)) {
          Prefilled.push_back(I);
          Prefilling.pop_front();
        }
      }
      if (Tokens > 0 && Running > 0 && Mixed) {
        // One forward over the chunk's prompt tokens and the batch's decode tokens (the weights
        // read once), plus the decode tokens' attention over their caches.
        double B = static_cast<double>(Running);
        double Mean = SumContext / B + static_cast<double>(Step) * Adv;
        // (The forward is priced as one sequence's: the host's time for the others is added.)
        Time +=
            Prefill(Tokens + Running * Verify) +
            std::max(0.0, TargetStep(Running * Verify, Mean) - TargetStep(Running * Verify, 1)) +
            static_cast<double>(Pieces - 1 + Running * Verify) * SequenceHost;
        Host += P.hostTime(static_cast<double>(Pieces + Running * Verify));
        if (Spec.Draft)
          Time += StepTime(Running, Mean, 0) - TargetStep(Running * Verify, Mean);
        BatchSteps += B;
        Steps += 1;
        Fused = true;
      } else if (Tokens > 0) {
        Time += Prefill(Tokens) + static_cast<double>(Pieces - 1) * SequenceHost;
        Host += P.hostTime(static_cast<double>(Pieces));
      }
    } else if (!Prefilling.empty()) {
      // Whole prompts first: the decode step waits for the admitted prompts' prefill, one
      // forward over all of them (an encoder-decoder's: one after the other).
      Together.clear();
      for (int64_t I : Prefilling) {
        if (Sources) {
          Time += Prefill(Work(I));
          Host += P.hostTime(1);
        } else {
          auto It = Terms1.find(Work(I));
          if (It == Terms1.end())
            It = Terms1.try_emplace(Work(I), P.promptTerms(Work(I))).first;
          Together.push_back(&It->second);
        }
        Prefilled.push_back(I);
      }
      if (Together.size() == 1)
        Time += Prefill(Together.front()->Prompt);
      else if (!Together.empty())
        Time += P.prefillTimeTogether(Together);
      if (!Together.empty())
        Host += P.hostTime(static_cast<double>(Together.size()));
      Prefilling.clear();
    }
    bool Decodes = Running > 0 && (Chunk > 0 ? Mixed || Tokens == 0 : Prefilled.empty());
    if (Decodes && !Fused) {
      double B = static_cast<double>(Running);
      double Mean = SumContext / B + static_cast<double>(Step) * Adv;
      Time += StepTime(Running, Mean, SumSource / B);
      Host += P.hostTime(static_cast<double>(Running * Verify));
      BatchSteps += B;
      Steps += 1;
    }
    // (Ahead: the forward without its host time, or the host time if longer; the next batch was
    // chosen as this iteration started, unless nothing is left to run after it.)
    if (Ahead)
      Time = std::max(Time - Host, Host);
    const double Started = Now;
    Now += Time;
    ++Out.Iterations;
    if (Decodes) {
      if (TokenGaps && Stall + Time > 0)
        Gaps[static_cast<int32_t>(std::llround(std::log((Stall + Time) / Adv) * GapBins))] +=
            static_cast<double>(Running);
      Stall = 0;
      ++Step;
      while (!Ends.empty() && Ends.top().first <= Step) {
        auto [End, I] = Ends.top();
        Ends.pop();
        if (State[I] != Decoding || EndStep[I] != End)
          continue; // preempted since
        StopDecoding(I);
        Finished(I, Now);
      }
    }
    else if (Running > 0)
      Stall += Time;
    for (int64_t I : Prefilled)
      StartDecoding(I, Now);
    Seen = Ahead && (Running > 0 || !Prefilling.empty() || !Waiting.empty()) ? Started : Now;
  }

  std::vector<double> TTFT, TPOT, E2E;
  TTFT.reserve(static_cast<size_t>(N));
  double Wait = 0, Service = 0;
  int64_t Good = 0;
  for (int64_t I = 0; I < N; ++I) {
    double Ttft = First[I] - Arrival[I] + Front;
    double Tpot = OutLen[I] > 1 ? (Finish[I] - First[I]) / static_cast<double>(OutLen[I] - 1) : 0;
    TTFT.push_back(Ttft);
    TPOT.push_back(Tpot);
    E2E.push_back(Finish[I] - Arrival[I] + Front);
    Wait += Admitted[I] - Arrival[I];
    Service += Finish[I] - Admitted[I];
    Good += (!SLA.TTFT || Ttft <= SLA.TTFT) && (!SLA.TPOT || Tpot <= SLA.TPOT);
  }
  // From the first request's sending to the last one's finish.
  const double Span = Now - (N ? Arrival[0] : 0) + Front;
  double Tokens = 0;
  for (int64_t L : OutLen)
    Tokens += static_cast<double>(L);
  Out.Completed = N;
  Out.Preempting = Preempt;
  Out.TokensPerStep = Adv;
  Out.TTFT[0] = percentile(TTFT, 0.5), Out.TTFT[1] = percentile(TTFT, 0.9);
  Out.TTFT[2] = percentile(TTFT, 0.99);
  Out.TPOT[0] = percentile(TPOT, 0.5), Out.TPOT[1] = percentile(TPOT, 0.9);
  Out.TPOT[2] = percentile(TPOT, 0.99);
  Out.E2E[0] = percentile(E2E, 0.5), Out.E2E[1] = percentile(E2E, 0.99);
  for (int64_t I = 0; I < N; ++I)
    Out.TTFTMean += TTFT[I], Out.TPOTMean += TPOT[I];
  Out.TTFTMean /= N ? double(N) : 1, Out.TPOTMean /= N ? double(N) : 1;
  Out.TTFTAt = percentile(TTFT, SLA.Percentile);
  Out.TPOTAt = percentile(TPOT, SLA.Percentile);
  // The gaps' weighted percentiles: the centre of the first bin by which at least Q of the tokens
  // had come (within 0.05% of the gap itself).
  std::vector<std::pair<int32_t, double>> Bins(Gaps.begin(), Gaps.end());
  std::sort(Bins.begin(), Bins.end());
  double Weight = 0;
  for (const auto &B : Bins)
    Weight += B.second;
  auto GapAt = [&](double Q) {
    double Sum = 0;
    for (const auto &B : Bins)
      if ((Sum += B.second) >= Q * Weight)
        return std::exp(B.first / GapBins);
    return Bins.empty() ? 0.0 : std::exp(Bins.back().first / GapBins);
  };
  Out.TBT[0] = GapAt(0.5), Out.TBT[1] = GapAt(0.99);
  Out.TBTAt = GapAt(SLA.Percentile);
  Out.QueueWaitMean = N ? Wait / double(N) : 0;
  Out.MeanService = N ? Service / double(N) : 0;
  Out.RequestsPerS = Span > 0 ? double(N) / Span : 0;
  Out.OutputTokensPerS = Span > 0 ? Tokens / Span : 0;
  Out.Goodput = Span > 0 ? double(Good) / Span : 0;
  Out.SLAMet = N ? double(Good) / double(N) : 0;
  Out.MeanBatch = Steps > 0 ? BatchSteps / Steps : 0;
  // Concurrency: what the cap and the budget admit of requests of mean length.
  double MeanReserve = P.requestCacheBytes(static_cast<double>(W.Input.Mean),
                                           static_cast<double>(W.Output.Mean));
  Out.Concurrency = std::min(static_cast<double>(Cap),
                             MeanReserve > 0 ? std::floor(Budget / MeanReserve) : double(Cap));
  // (A closed loop's rate is what it completes; it has no open-loop queue to compare.)
  const double Rate = Closed ? Out.RequestsPerS : W.Rate;
  Out.Utilization = Out.Concurrency > 0 ? Rate * Out.MeanService / Out.Concurrency : 0;
  Out.MMcWait = Closed ? INFINITY : erlangCWait(W.Rate, Out.Concurrency, Out.MeanService);
  return Out;
}
