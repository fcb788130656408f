//===- Sweep.cpp - many points of one model on one machine ----------------===//
//
// A sweep prepares each scenario once (LanguageModel.h), makes the prompt terms of every prompt
// value and the batch terms of every batch value before the first point, then evaluates the
// points in ranges, one range per thread, each thread with its own serving memo (the serving
// figures repeat across the batch axis: the serving batch depends on the prompt and output
// only). CSV rows are formatted by the threads into their own buffers and written in order, a
// block of points at a time, so memory does not grow with the sweep.
//
// The closed-form check evaluates each scenario both ways (PreparedLM::evaluate and
// evaluateStepByStep) and compares every figure.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Sweep.h"
#include "zoo/Analysis/Inference.h"
#include "zoo/Basic/Checked.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fmt/format.h>
#include <thread>

using namespace zoo;

namespace {
/// Parses a decimal count with an optional `k` (x1,024) or `M` (x1,048,576); false if it is not
/// one or is out of 64 bits.
bool parseCount(llvm::StringRef S, int64_t &V) {
  int64_t Scale = 1;
  if (S.endswith("k"))
    Scale = 1024;
  else if (S.endswith("M"))
    Scale = 1024 * 1024;
  if (Scale != 1)
    S = S.drop_back();
  return !S.empty() && S.find_first_not_of("0123456789") == llvm::StringRef::npos &&
         !S.getAsInteger(10, V) && !__builtin_mul_overflow(V, Scale, &V);
}

enum Axis {
  AxBatch,
  AxPrompt,
  AxOutput,
  AxDevices,
  AxHardware,
  AxWeights,
  AxKV,
  AxRuntime,
  AxNone
};
const char *const AxisNames[] = {"batch",    "prompt",  "output", "devices",
                                 "hardware", "weights", "kv",     "runtime"};
const char *const AxisList = "batch, prompt (or context), output, devices, hardware, weights, kv, "
                             "runtime";

Axis axisNamed(llvm::StringRef N) {
  if (N == "context")
    return AxPrompt;
  for (int A = 0; A < AxNone; ++A)
    if (N == AxisNames[A])
      return static_cast<Axis>(A);
  return AxNone;
}

/// Adds one value or range of a counted axis to `Values`; the error, or "".
std::string addCounts(llvm::StringRef Part, const char *Name, int64_t Limit,
                      std::vector<int64_t> &Values) {
  auto NotCount = [&](llvm::StringRef S) {
    return "'" + S.str() + "' in axis '" + Name + "' is not a count (decimal, with k or M)";
  };
  int64_t From, To, Step = 1;
  char Op = '+';
  auto [First, Rest] = Part.split("..");
  if (!parseCount(First, From))
    return NotCount(First);
  To = From;
  bool Stepped = false;
  if (Part.contains("..")) {
    size_t OpAt = Rest.find_first_of("+*");
    llvm::StringRef End = Rest.substr(0, OpAt);
    if (!parseCount(End, To))
      return NotCount(End);
    if (OpAt != llvm::StringRef::npos) {
      Stepped = true;
      Op = Rest[OpAt];
      llvm::StringRef S = Rest.substr(OpAt + 1);
      if (!parseCount(S, Step))
        return NotCount(S);
    }
  }
  for (int64_t V : {From, To})
    if (V < 1 || V > Limit)
      return "value " + std::to_string(V) + " of axis '" + Name + "' is out of range (1 to " +
             std::to_string(Limit) + ")";
  if (To < From)
    return "axis '" + std::string(Name) + "' ends (" + std::to_string(To) + ") before it starts (" +
           std::to_string(From) + ")";
  if (!Values.empty() && From <= Values.back())
    return "the values of axis '" + std::string(Name) + "' must increase (" +
           std::to_string(Values.back()) + " then " + std::to_string(From) + ")";
  if (Part.contains("..") && !Stepped && !Values.empty()) {
    // A range without a step continues the values before it: a ratio where the last two and
    // the start are in one (1,2,4..256), else the last difference (10,20..100).
    const size_t N = Values.size();
    const int64_t P1 = Values[N - 1];
    int64_t Continued;
    if (N >= 2 && Values[N - 2] * 2 <= P1 && P1 % Values[N - 2] == 0 &&
        !__builtin_mul_overflow(P1, P1 / Values[N - 2], &Continued) && From == Continued &&
        From - P1 != P1 - Values[N - 2]) {
      Op = '*';
      Step = P1 / Values[N - 2];
    } else {
      Step = From - P1;
    }
  }
  if (Op == '*' ? Step < 2 : Step < 1)
    return std::string("the step of axis '") + Name + "' must be at least " +
           (Op == '*' ? "2 (a factor)" : "1");
  // Counted before any is made: a long axis is an error, not a large allocation.
  const uint64_t Count = Op == '+' ? static_cast<uint64_t>(To - From) / Step + 1 : 64;
  if (Values.size() + Count > MaxSweepPoints)
    return "axis '" + std::string(Name) + "' has " + std::to_string(Values.size() + Count) +
           " values; at most " + std::to_string(MaxSweepPoints);
  for (int64_t V = From;;) {
    Values.push_back(V);
    // The next value, unless it would pass the end (or 64 bits).
    int64_t Next;
    if (Op == '*' ? __builtin_mul_overflow(V, Step, &Next) : __builtin_add_overflow(V, Step, &Next))
      break;
    if (Next > To)
      break;
    V = Next;
  }
  return "";
}
} // namespace

uint64_t SweepAxes::scenariosPerModel(uint64_t HardwareGiven) const {
  auto Len = [](size_t N) { return static_cast<uint64_t>(std::max<size_t>(N, 1)); };
  return (Hardware.empty() ? HardwareGiven : Hardware.size()) * Len(Devices.size()) *
         Len(Weights.size()) * Len(KV.size()) * Len(Runtime.size());
}

std::string zoo::parseSweepAxes(llvm::ArrayRef<std::string> Texts, const LMPoint &Defaults,
                                const LMPoint &Limits, int64_t DevicesLimit, SweepAxes &Out) {
  Out = {};
  bool Seen[AxNone] = {};
  std::vector<int64_t> *Counts[] = {&Out.Grid.Batch, &Out.Grid.Prompt, &Out.Grid.Output,
                                    &Out.Devices};
  std::vector<std::string> *Names[] = {&Out.Hardware, &Out.Weights, &Out.KV, &Out.Runtime};
  const int64_t Default[3] = {Defaults.Batch, Defaults.Prompt, Defaults.Output};
  const int64_t Limit[4] = {Limits.Batch, Limits.Prompt, Limits.Output, DevicesLimit};
  bool Any = false;
  for (const std::string &Text : Texts) {
    if (llvm::StringRef(Text).trim().empty())
      continue;
    Any = true;
    llvm::SmallVector<llvm::StringRef, 8> Parts;
    llvm::StringRef(Text).split(Parts, ',');
    Axis Current = AxNone;
    for (llvm::StringRef Part : Parts) {
      llvm::StringRef Values = Part.trim();
      if (Part.contains('=')) {
        auto [Name, Rest] = Part.split('=');
        Name = Name.trim();
        Current = axisNamed(Name);
        if (Current == AxNone)
          return "unknown axis '" + Name.str() + "' (the axes are " + AxisList + ")";
        if (Seen[Current])
          return "axis '" + std::string(AxisNames[Current]) + "' given twice";
        Seen[Current] = true;
        Values = Rest.trim();
      } else if (Axis A = axisNamed(Values); A != AxNone || Current == AxNone) {
        if (A == AxNone)
          return "'" + Values.str() + "' names no axis (write AXIS=VALUES; the axes are " +
                 AxisList + ")";
        Current = A;
        Values = "";
      }
      const char *Name = AxisNames[Current];
      if (Values.empty())
        return "axis '" + std::string(Name) + "' has no values (write " + Name +
               (Current <= AxDevices ? "=V, =A..B, =A..B+S, =A..B*F or a list of them"
                                     : "=NAME or a list of names") +
               ")";
      if (Current <= AxDevices) {
        if (std::string E = addCounts(Values, Name, Limit[Current], *Counts[Current]); !E.empty())
          return E;
        continue;
      }
      std::vector<std::string> &List = *Names[Current - AxHardware];
      if (std::find(List.begin(), List.end(), Values.str()) != List.end())
        return "'" + Values.str() + "' given twice in axis '" + Name + "'";
      List.push_back(Values.str());
    }
  }
  if (!Any)
    return std::string("the sweep names no axis (") + AxisList + ")";
  for (int A = 0; A < 3; ++A)
    if (!Seen[A])
      Counts[A]->push_back(Default[A]);
  return "";
}

SweepEngine::SweepEngine(const ScenarioRecord &S, const Machine &X, const SweepSpec &Spec)
    : Prepared(S, X), Spec(Spec) {
  Prompts.reserve(Spec.Prompt.size());
  for (int64_t P : Spec.Prompt)
    Prompts.push_back(Prepared.promptTerms(P));
  Batches.resize(Spec.Batch.size());
  for (size_t I = 0; I < Spec.Batch.size(); ++I) {
    const double B = static_cast<double>(Spec.Batch[I]);
    Batches[I][0] = Prepared.batchTerms(B, false);
    if (Prepared.mayUseFlash())
      Batches[I][1] = Prepared.batchTerms(B, true);
  }
}

LMPoint SweepEngine::point(uint64_t I) const {
  const size_t NB = Spec.Batch.size(), NO = Spec.Output.size();
  return {Spec.Batch[I % NB], Spec.Prompt[I / (NB * NO)], Spec.Output[(I / NB) % NO]};
}

namespace {
/// Runs Work(Thread, Begin, End) over [0, N) split into `Threads` contiguous ranges.
template <typename Fn> void parallel(uint64_t N, unsigned Threads, Fn Work) {
  if (Threads <= 1) {
    Work(0u, uint64_t(0), N);
    return;
  }
  std::vector<std::thread> Pool;
  for (unsigned T = 1; T < Threads; ++T)
    Pool.emplace_back(Work, T, N * T / Threads, N * (T + 1) / Threads);
  Work(0u, uint64_t(0), N / Threads);
  for (std::thread &Th : Pool)
    Th.join();
}

/// Writes rows for the points [0, N) to OS on `Threads` threads: each round, every thread formats
/// a block of at most `Block` points into its own buffer (Format(Begin, End, Buffer)), and
/// the blocks are written in order, so the output is the same whatever the number of threads and
/// memory does not grow with N. Stops early where `Failed` says the output has failed.
template <typename Fn>
void writeInBlocks(uint64_t N, unsigned Threads, uint64_t Block,
                   const std::function<bool()> &Failed, llvm::raw_ostream &OS, Fn Format) {
  std::vector<fmt::memory_buffer> Buffers(Threads);
  for (uint64_t Begin = 0; Begin < N && !(Failed && Failed()); Begin += Block * Threads) {
    const uint64_t End = std::min(N, Begin + Block * Threads);
    parallel(End - Begin, Threads, [&](unsigned T, uint64_t B, uint64_t E) {
      Buffers[T].clear();
      Format(Begin + B, Begin + E, Buffers[T]);
    });
    for (const fmt::memory_buffer &B : Buffers)
      OS.write(B.data(), B.size());
  }
}

/// CPU time of the calling thread, in seconds: on a machine whose cores are shared with other
/// work, the rate per CPU second is what the engine does per core, whatever it is given.
double threadCpuSeconds() {
  timespec T;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &T);
  return static_cast<double>(T.tv_sec) + static_cast<double>(T.tv_nsec) * 1e-9;
}

/// The threads asked for (at most one per point), else one per core where each gets at least
/// 4,096 points (fewer cost more to start than to evaluate).
unsigned threadsFor(uint64_t Points, unsigned Asked) {
  if (Asked)
    return static_cast<unsigned>(std::min<uint64_t>(Asked, std::max<uint64_t>(1, Points)));
  const unsigned Cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<uint64_t>(Cores, std::max<uint64_t>(1, Points / 4096)));
}

/// A count as the reports spell it: the whole number, `unbounded`, or nothing where it is not a
/// count (not finite, beyond 64 bits: the analysis of that point is an error).
template <typename Out> void count(Out &O, double V) {
  if (V == UnboundedCount)
    fmt::format_to(std::back_inserter(O), "unbounded");
  else if (V >= 0 && V < 0x1p63)
    fmt::format_to(std::back_inserter(O), "{}", static_cast<int64_t>(V));
}
/// A real in its shortest round-trip spelling; nothing where it is not finite.
template <typename Out> void real(Out &O, double V) {
  if (std::isfinite(V))
    fmt::format_to(std::back_inserter(O), "{}", V);
}

const char *CSVHeader =
    "model,hardware,devices,runtime,weights,kv,batch,prompt,output,prefill_time,decode_time,"
    "generation_time,tokens_per_s,aggregate_tokens_per_s,prefill_tokens_per_s,prefill_bound,"
    "decode_bound,kv_bytes,memory_per_device,fits,max_batch,max_context,devices_needed,"
    "serving_batch,serving_tokens_per_s,energy_per_token\n";

void row(fmt::memory_buffer &B, const std::string &Prefix, const LMPoint &P, const LMFigures &F,
         bool Energy) {
  B.append(Prefix);
  fmt::format_to(std::back_inserter(B), "{},{},{},", P.Batch, P.Prompt, P.Output);
  for (double V : {F.Prefill.Time, F.DecodeMean, F.Generation, F.TokensPerS, F.AggregateTokensPerS,
                   F.PrefillTokensPerS}) {
    real(B, V);
    B.push_back(',');
  }
  fmt::format_to(std::back_inserter(B), "{},{},", boundName(F.Prefill.Binds),
                 boundName(F.Mid.Binds));
  // Byte figures in whole bytes, rounded up, as the analysis reports them.
  real(B, std::ceil(F.KVFull));
  B.push_back(',');
  real(B, std::ceil(F.MemoryPerDevice));
  fmt::format_to(std::back_inserter(B), ",{},", F.Fits ? "true" : "false");
  for (double V : {F.MaxBatch, F.MaxContext, F.Devices, F.ServingBatch}) {
    count(B, V);
    B.push_back(',');
  }
  real(B, F.ServingRate);
  B.push_back(',');
  if (Energy)
    real(B, F.EnergyPerToken);
  B.push_back('\n');
}

/// A summary's last line: the points evaluated, on how many threads, in how long, and the rates
/// (in millions where `Millions`).
void writeRate(llvm::raw_ostream &OS, uint64_t Total, unsigned Threads, double Seconds, double Cpu,
               bool Millions) {
  const double Scale = Millions ? 1e6 : 1, Rate = Seconds > 0 ? Total / Seconds / Scale : 0;
  const char *M = Millions ? "M " : "";
  OS << fmt::format("evaluated {} points on {} thread{} in {:.3g} s: {:.3g} {}points/s, {:.3g} "
                    "{}points/s per thread, {:.3g} {}points per CPU second\n",
                    withThousands(static_cast<int64_t>(Total)), Threads, Threads == 1 ? "" : "s",
                    Seconds, Rate, M, Rate / Threads, M, Cpu > 0 ? Total / Cpu / Scale : 0.0, M);
}

/// What a summary keeps of a range of points.
struct Tally {
  uint64_t Points = 0, Fitting = 0;
  double BestAggregate = -1, BestServing = -1;
  uint64_t BestAggregateAt = 0, BestServingAt = 0;
  double ServingBatchAtBest = 0;
  double LeastDevices = INFINITY; ///< the fewest devices any point needs
  double Cpu = 0; ///< CPU seconds of the threads that evaluated the points
  void add(uint64_t I, const LMFigures &F) {
    ++Points;
    LeastDevices = std::min(LeastDevices, F.Devices);
    if (F.Fits) {
      ++Fitting;
      if (F.AggregateTokensPerS > BestAggregate) {
        BestAggregate = F.AggregateTokensPerS;
        BestAggregateAt = I;
      }
    }
    if (F.ServingRate > BestServing) {
      BestServing = F.ServingRate;
      BestServingAt = I;
      ServingBatchAtBest = F.ServingBatch;
    }
  }
  /// Merges a later range: ties keep the earlier point, whatever the number of threads.
  void merge(const Tally &T) {
    Points += T.Points;
    Fitting += T.Fitting;
    LeastDevices = std::min(LeastDevices, T.LeastDevices);
    Cpu += T.Cpu;
    if (T.BestAggregate > BestAggregate) {
      BestAggregate = T.BestAggregate;
      BestAggregateAt = T.BestAggregateAt;
    }
    if (T.BestServing > BestServing) {
      BestServing = T.BestServing;
      BestServingAt = T.BestServingAt;
      ServingBatchAtBest = T.ServingBatchAtBest;
    }
  }
};
} // namespace

void zoo::runSweep(const Module &M, llvm::ArrayRef<const ScenarioRecord *> Scenarios,
                   const SweepSpec &Spec, const SweepOptions &Options, llvm::raw_ostream &OS) {
  using Clock = std::chrono::steady_clock;
  const uint64_t N = Spec.points();
  const unsigned Threads = threadsFor(N, Options.Threads);
  if (!Options.Summary)
    OS << CSVHeader;
  double Seconds = 0, Cpu = 0;
  uint64_t Total = 0;
  for (const ScenarioRecord *S : Scenarios) {
    if (!S->Model || S->Model->Stats.PerInput)
      continue;
    const RuntimeRecord *R = runtimeOf(M, *S);
    const Machine X = makeMachine(M, *S, R, {}, /*Describe=*/false);
    const auto T0 = Clock::now();
    const SweepEngine E(*S, X, Spec);
    if (Options.Summary) {
      std::vector<Tally> Tallies(Threads);
      parallel(N, Threads, [&](unsigned T, uint64_t Begin, uint64_t End) {
        // Counted on this thread's own stack and stored once: adjacent tallies share a cache
        // line, and counting into them point by point kept two cores writing the same line.
        Tally Local;
        const double C0 = threadCpuSeconds();
        E.run(Begin, End,
              [&](uint64_t I, const LMPoint &, const LMFigures &F) { Local.add(I, F); });
        Local.Cpu = threadCpuSeconds() - C0;
        Tallies[T] = Local;
      });
      Seconds += std::chrono::duration<double>(Clock::now() - T0).count();
      Total += N;
      for (unsigned T = 1; T < Threads; ++T)
        Tallies[0].merge(Tallies[T]);
      const Tally &All = Tallies[0];
      Cpu += All.Cpu;
      OS << fmt::format("{}: {} on {} x {}, runtime {}, weights {}, KV {}: {} points "
                        "(batch {} values, prompt {}, output {})\n",
                        S->Name, S->Model->Name, S->Devices, S->Hw->Name, R ? R->Name : "none",
                        S->Weights->Name, S->KV->Name, withThousands(static_cast<int64_t>(N)),
                        Spec.Batch.size(), Spec.Prompt.size(), Spec.Output.size());
      OS << "  fit in memory: " << withThousands(static_cast<int64_t>(All.Fitting));
      if (All.Fitting == 0 && All.Points > 0 && std::isfinite(All.LeastDevices))
        OS << fmt::format(" (every point needs {} devices or more)",
                          withThousands(static_cast<int64_t>(All.LeastDevices)));
      OS << "\n";
      if (All.BestAggregate >= 0) {
        LMPoint P = E.point(All.BestAggregateAt);
        OS << fmt::format("  highest decode rate that fits: {:.4g} tok/s for the batch at batch "
                          "{}, prompt {}, output {}\n",
                          All.BestAggregate, P.Batch, P.Prompt, P.Output);
      }
      if (All.BestServing > 0) {
        LMPoint P = E.point(All.BestServingAt);
        OS << fmt::format("  highest serving rate: {:.4g} tok/s at prompt {}, output {} "
                          "(serving batch {})\n",
                          All.BestServing, P.Prompt, P.Output,
                          withThousands(static_cast<int64_t>(All.ServingBatchAtBest)));
      }
      continue;
    }
    const std::string Prefix =
        fmt::format("{},{},{},{},{},{},", S->Model->Name, S->Hw->Name, S->Devices, R ? R->Name : "",
                    S->Weights->Name, S->KV->Name);
    const bool Energy = X.Power > 0;
    writeInBlocks(N, Threads, 16384, Options.Failed, OS,
                  [&](uint64_t Begin, uint64_t End, fmt::memory_buffer &Out) {
                    E.run(Begin, End, [&](uint64_t, const LMPoint &P, const LMFigures &F) {
                      row(Out, Prefix, P, F, Energy);
                    });
                  });
  }
  if (Options.Summary && Total) {
    writeRate(OS, Total, Threads, Seconds, Cpu, /*Millions=*/true);
  }
}

namespace {
/// What a summary of a model with an input keeps of a range of batches.
struct ImageTally {
  uint64_t Fitting = 0;
  double LeastDevices = INFINITY; ///< the fewest devices any point needs
  double BestRate = -1, BestRateIdeal = 0, BestRateTime = 0;
  double Shortest = INFINITY, ShortestIdeal = 0;
  int64_t BestRateAt = 0, ShortestAt = 0;
  double Cpu = 0; ///< CPU seconds of the threads that evaluated the points
  /// Merges a later range of batches: ties keep the earlier (smaller) batch, whatever the number
  /// of threads.
  void merge(const ImageTally &T) {
    Fitting += T.Fitting;
    LeastDevices = std::min(LeastDevices, T.LeastDevices);
    Cpu += T.Cpu;
    if (T.BestRate > BestRate) {
      BestRate = T.BestRate;
      BestRateIdeal = T.BestRateIdeal;
      BestRateTime = T.BestRateTime;
      BestRateAt = T.BestRateAt;
    }
    if (T.Shortest < Shortest) {
      Shortest = T.Shortest;
      ShortestIdeal = T.ShortestIdeal;
      ShortestAt = T.ShortestAt;
    }
  }
};

/// The threads asked for (at most one per point), else one per core where each gets at least 64
/// points: a point of a model with an input is a full analysis, microseconds, not nanoseconds.
unsigned inputThreadsFor(uint64_t Points, unsigned Asked) {
  if (Asked)
    return static_cast<unsigned>(std::min<uint64_t>(Asked, std::max<uint64_t>(1, Points)));
  const unsigned Cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<uint64_t>(Cores, std::max<uint64_t>(1, Points / 64)));
}
} // namespace

void zoo::runInputSweep(const Module &M, llvm::ArrayRef<const ScenarioRecord *> Scenarios,
                        llvm::ArrayRef<int64_t> Batches, const SweepOptions &Options,
                        llvm::raw_ostream &OS) {
  using Clock = std::chrono::steady_clock;
  if (!Options.Summary)
    OS << "model,hardware,devices,runtime,weights,compute,batch,batch_time,ideal_batch_time,"
          "images_per_s,ideal_images_per_s,forward_bound,memory_per_device,fits,devices_needed,"
          "energy_per_image\n";
  const uint64_t N = Batches.size();
  const unsigned Threads = inputThreadsFor(N, Options.Threads);
  double Seconds = 0, Cpu = 0;
  uint64_t Total = 0;
  for (const ScenarioRecord *S : Scenarios) {
    if (!S->Model || !S->Model->Stats.PerInput)
      continue;
    const RuntimeRecord *R = runtimeOf(M, *S);
    const auto T0 = Clock::now();
    const Machine X = makeMachine(M, *S, R, {}, /*Describe=*/false), Ideal = X.ideal();
    // The analysis of batch J on the expected and the ideal machine (each thread its own copy of
    // the scenario; the module and the machines are only read).
    auto Analyse = [&](ScenarioRecord &P, uint64_t J, InferenceResult &E, InferenceResult &I) {
      P.Batch = Batches[J];
      E = analyse(M, P, X);
      I = analyse(M, P, Ideal);
    };
    if (Options.Summary) {
      std::vector<ImageTally> Tallies(Threads);
      parallel(N, Threads, [&](unsigned T, uint64_t Begin, uint64_t End) {
        ImageTally L;
        const double C0 = threadCpuSeconds();
        ScenarioRecord P = *S;
        InferenceResult E, I;
        for (uint64_t J = Begin; J < End; ++J) {
          Analyse(P, J, E, I);
          if (const Value *V = E.find(ScenarioMetric::devices_needed))
            L.LeastDevices =
                std::min(L.LeastDevices, V->I == INT64_MAX ? INFINITY : static_cast<double>(V->I));
          if (!E.fits())
            continue;
          ++L.Fitting;
          const double Rate = E.number(ScenarioMetric::images_per_s),
                       Time = E.number(ScenarioMetric::batch_time);
          if (Rate > L.BestRate) {
            L.BestRate = Rate;
            L.BestRateAt = Batches[J];
            L.BestRateTime = Time;
            L.BestRateIdeal = I.number(ScenarioMetric::images_per_s);
          }
          if (Time < L.Shortest) {
            L.Shortest = Time;
            L.ShortestAt = Batches[J];
            L.ShortestIdeal = I.number(ScenarioMetric::batch_time);
          }
        }
        L.Cpu = threadCpuSeconds() - C0;
        Tallies[T] = L;
      });
      for (unsigned T = 1; T < Threads; ++T)
        Tallies[0].merge(Tallies[T]);
      const ImageTally &All = Tallies[0];
      Seconds += std::chrono::duration<double>(Clock::now() - T0).count();
      Cpu += All.Cpu;
      Total += N;
      OS << fmt::format("{}: {} on {} x {}, runtime {}, weights {}, compute {}: {} points (batch "
                        "{} values)\n",
                        S->Name, S->modelName(), S->Devices, S->Hw->Name, R ? R->Name : "none",
                        S->Weights->Name, S->computeUnder(R)->Name,
                        withThousands(static_cast<int64_t>(N)), N);
      OS << "  fit in memory: " << withThousands(static_cast<int64_t>(All.Fitting));
      if (All.Fitting == 0 && N && std::isfinite(All.LeastDevices))
        OS << fmt::format(" (every point needs {} devices or more)",
                          withThousands(static_cast<int64_t>(All.LeastDevices)));
      OS << "\n";
      if (All.BestRate >= 0) {
        OS << fmt::format("  highest image rate that fits: {:.4g} images/s (ideal {:.4g}) at batch "
                          "{}, {:.4g} s a batch\n",
                          All.BestRate, All.BestRateIdeal, withThousands(All.BestRateAt),
                          All.BestRateTime);
        OS << fmt::format("  shortest batch that fits: {:.4g} s (ideal {:.4g} s) at batch {}\n",
                          All.Shortest, All.ShortestIdeal, withThousands(All.ShortestAt));
      }
      continue;
    }
    const std::string Prefix =
        fmt::format("{},{},{},{},{},{},", S->modelName(), S->Hw->Name, S->Devices, R ? R->Name : "",
                    S->Weights->Name, S->computeUnder(R)->Name);
    writeInBlocks(N, Threads, 1024, Options.Failed, OS,
                  [&](uint64_t Begin, uint64_t End, fmt::memory_buffer &B) {
                    ScenarioRecord P = *S;
                    InferenceResult E, I;
                    auto Real = [&](const InferenceResult &IR, ScenarioMetric K) {
                      if (const Value *V = IR.find(K))
                        real(B, V->asDouble());
                      B.push_back(',');
                    };
                    for (uint64_t J = Begin; J < End; ++J) {
                      Analyse(P, J, E, I);
                      B.append(Prefix.data(), Prefix.data() + Prefix.size());
                      fmt::format_to(std::back_inserter(B), "{},", Batches[J]);
                      Real(E, ScenarioMetric::batch_time);
                      Real(I, ScenarioMetric::batch_time);
                      Real(E, ScenarioMetric::images_per_s);
                      Real(I, ScenarioMetric::images_per_s);
                      fmt::format_to(std::back_inserter(B), "{},", boundName(E.Prefill.Binds));
                      Real(E, ScenarioMetric::memory_per_device);
                      fmt::format_to(std::back_inserter(B), "{},", E.fits() ? "true" : "false");
                      if (const Value *V = E.find(ScenarioMetric::devices_needed))
                        count(B, V->I == INT64_MAX ? UnboundedCount : static_cast<double>(V->I));
                      B.push_back(',');
                      if (const Value *V = E.find(ScenarioMetric::energy_per_image))
                        real(B, V->asDouble());
                      B.push_back('\n');
                    }
                  });
  }
  if (Options.Summary && Total) {
    writeRate(OS, Total, Threads, Seconds, Cpu, /*Millions=*/false);
  }
}

namespace {
struct Figure {
  const char *Name;
  enum Kind { Real, Count, Flag } K;
  double (*Get)(const LMFigures &);
};
#define ZOO_REAL(NAME, EXPR)                                                                       \
  {                                                                                                \
    NAME, Figure::Real, [](const LMFigures &F) { return EXPR; }                                    \
  }
#define ZOO_COUNT(NAME, EXPR)                                                                      \
  {                                                                                                \
    NAME, Figure::Count, [](const LMFigures &F) { return EXPR; }                                   \
  }
#define ZOO_FLAG(NAME, EXPR)                                                                       \
  {                                                                                                \
    NAME, Figure::Flag,                                                                            \
        [](const LMFigures &F) { return static_cast<double>(static_cast<int>(EXPR)); }             \
  }
const Figure Figures[] = {
    ZOO_REAL("prefill_time", F.Prefill.Time),
    ZOO_REAL("prefill_flops", F.Prefill.Flops),
    ZOO_REAL("prefill_bytes", F.Prefill.Bytes),
    ZOO_FLAG("prefill_bound", F.Prefill.Binds),
    ZOO_REAL("first_decode_time", F.FirstDecode),
    ZOO_REAL("last_decode_time", F.LastDecode),
    ZOO_REAL("decode_sum", F.DecodeSum),
    ZOO_REAL("decode_time", F.DecodeMean),
    ZOO_REAL("mid_decode_time", F.Mid.Time),
    ZOO_REAL("mid_decode_flops", F.Mid.Flops),
    ZOO_REAL("mid_decode_bytes", F.Mid.Bytes),
    ZOO_FLAG("decode_bound", F.Mid.Binds),
    ZOO_REAL("generation_time", F.Generation),
    ZOO_REAL("tokens_per_s", F.TokensPerS),
    ZOO_REAL("aggregate_tokens_per_s", F.AggregateTokensPerS),
    ZOO_REAL("prefill_tokens_per_s", F.PrefillTokensPerS),
    ZOO_REAL("prefill_intensity", F.PrefillIntensity),
    ZOO_REAL("decode_intensity", F.DecodeIntensity),
    ZOO_REAL("ridge_point", F.RidgePoint),
    ZOO_REAL("mfu_prefill", F.MfuPrefill),
    ZOO_REAL("mbu_decode", F.MbuDecode),
    ZOO_REAL("interconnect_time", F.InterconnectTime),
    ZOO_REAL("overhead_time", F.OverheadTime),
    ZOO_REAL("weight_bytes", F.WeightBytes),
    ZOO_REAL("kv_bytes", F.KVFull),
    ZOO_REAL("workspace_bytes", F.Workspace),
    ZOO_REAL("memory_per_device", F.MemoryPerDevice),
    ZOO_REAL("free_bytes", F.Free),
    ZOO_FLAG("from_flash", F.FromFlash),
    ZOO_FLAG("fits", F.Fits),
    ZOO_COUNT("max_batch", F.MaxBatch),
    ZOO_COUNT("max_context", F.MaxContext),
    ZOO_COUNT("devices_needed", F.Devices),
    ZOO_COUNT("serving_batch", F.ServingBatch),
    ZOO_REAL("serving_tokens_per_s", F.ServingRate),
    ZOO_REAL("energy_per_token", F.EnergyPerToken),
};
#undef ZOO_REAL
#undef ZOO_COUNT
#undef ZOO_FLAG

/// How a count compares: the whole number, or what stands in its place.
std::string countText(double V) {
  if (V == UnboundedCount)
    return "unbounded";
  if (V >= 0 && V < 0x1p63)
    return std::to_string(static_cast<int64_t>(V));
  return std::isnan(V) ? "not a number" : "out of range";
}
std::string realText(double V) { return fmt::format("{:.4g}", V); }
} // namespace

uint64_t zoo::checkClosedForm(const Module &M, llvm::ArrayRef<int64_t> Outputs,
                              llvm::raw_ostream &OS) {
  uint64_t Compared = 0, Differ = 0, Scenarios = 0, Skipped = 0;
  double Worst = 0;
  std::string WorstAt = "none";
  OS << "closed form | step by step, at the scenario's batch and prompt:\n";
  for (const auto &SP : M.Scenarios) {
    const ScenarioRecord &S = *SP;
    if (!S.Model || !S.Hw || S.Model->Stats.PerInput || S.Results.empty())
      continue;
    if (S.Prompt > MaxCheckedOutput) {
      OS << S.Name << ": skipped (a prompt of more than " << withThousands(MaxCheckedOutput)
         << " tokens)\n";
      ++Skipped;
      continue;
    }
    ++Scenarios;
    const Machine Expected = makeMachine(M, S, runtimeOf(M, S), {}, /*Describe=*/false);
    const Machine Ideal = Expected.ideal();
    for (int64_t G : Outputs) {
      const LMPoint P{S.Batch, S.Prompt, G};
      LMFigures Closed, Reference; // of the expected machine
      for (const Machine *X : {&Expected, &Ideal}) {
        const PreparedLM Prep(S, *X);
        const LMFigures C = Prep.evaluate(P), B = Prep.evaluateStepByStep(P);
        if (X == &Expected)
          Closed = C, Reference = B;
        for (const Figure &F : Figures) {
          const double A = F.Get(C), R = F.Get(B);
          ++Compared;
          bool Same;
          if (F.K == Figure::Real) {
            const double Rel = A == R || (std::isnan(A) && std::isnan(R))
                                   ? 0
                                   : std::fabs(A - R) / std::max(std::fabs(A), std::fabs(R));
            Same = realText(A) == realText(R) && Rel <= 1e-12;
            if (Rel > Worst || std::isnan(Rel)) {
              Worst = std::isnan(Rel) ? INFINITY : Rel;
              WorstAt = fmt::format("{} of {} at output {} ({})", F.Name, S.Name, G,
                                    X == &Ideal ? "ideal" : "expected");
            }
          } else if (F.K == Figure::Count) {
            Same = countText(A) == countText(R);
          } else {
            Same = A == R;
          }
          if (!Same) {
            ++Differ;
            OS << fmt::format("DIFFERS: {} at output {} ({}): {} {} | {}\n", S.Name, G,
                              X == &Ideal ? "ideal" : "expected", F.Name,
                              F.K == Figure::Count ? countText(A) : fmt::format("{}", A),
                              F.K == Figure::Count ? countText(R) : fmt::format("{}", R));
          }
        }
      }
      // The headline figures of the expected machine, closed form | step by step.
      const LMFigures &C = Closed, &B = Reference;
      OS << fmt::format("{} output {}: generation {} | {} s; serving {} | {} tok/s at batch {} | "
                        "{}; longest sequence {} | {}\n",
                        S.Name, G, realText(C.Generation), realText(B.Generation),
                        realText(C.ServingRate), realText(B.ServingRate), countText(C.ServingBatch),
                        countText(B.ServingBatch), countText(C.MaxContext),
                        countText(B.MaxContext));
    }
  }
  OS << fmt::format("{} language-model scenarios{} x {} output lengths x 2 machines (expected, "
                    "ideal): {} figures compared, {} differ\n",
                    Scenarios, Skipped ? fmt::format(" ({} skipped)", Skipped) : "", Outputs.size(),
                    Compared, Differ);
  OS << fmt::format("largest relative difference: {:.2g} ({})\n", Worst, WorstAt);
  return Differ;
}
