//===- analysis_speed.cpp - how fast a full analysis and a sweep run ------===//
//
// Loads the bundled zoo through the compiler's libraries, then times, for a few scenarios and
// output lengths of 32, 256, 16,384 and 1,000,000 tokens:
//   - analyseScenario: what the roofline pass does per scenario (the machine with its described
//     factors, the expected and the ideal analysis, 28 results each as Values);
//   - the closed form alone: every figure of one machine's analysis at one point
//     (PreparedLM::evaluate), with the scenario prepared once, and prepared each time;
//   - the step-by-step reference at the same point (every decode step priced and summed);
// then the sweep engine's points per second on one thread and on two. Times per call are the
// measuring thread's CPU time (the machine may be shared with other work); the sweep reports
// wall-clock rates and the rate per CPU second of its busiest thread.
// Built against a tree without LanguageModel.h (an older commit) it times analyseScenario only,
// so that one source compares the two in one session.
// Usage: bench_analysis [--only=SCENARIO] STDLIB_DIR ZOO_FILE...
//
//===----------------------------------------------------------------------===//
#include "zoo/Passes/Pass.h"
#include "zoo/Sema/ImportLoader.h"
#include "zoo/Sema/Sema.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>
#if __has_include("zoo/Analysis/Sweep.h")
#include "zoo/Analysis/Sweep.h"
#define ZOO_HAS_CLOSED_FORM 1
#else
#include "zoo/Analysis/Inference.h"
#endif

using namespace zoo;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point T0) {
  return std::chrono::duration<double>(Clock::now() - T0).count();
}

/// CPU time of the calling thread, in seconds.
double threadCpu() {
  timespec T;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &T);
  return T.tv_sec + T.tv_nsec * 1e-9;
}

/// Runs `F` in rounds until at least `Budget` seconds of this thread's CPU time have passed; the
/// best round's CPU seconds per call. CPU time, not wall-clock time: the machine may be shared,
/// and time spent waiting for a core is not the analysis's; the best round is the least
/// disturbed.
template <typename Fn> double perCall(Fn F, double Budget = 0.3) {
  int64_t N = 1;
  double Best = 1e300, Spent = 0;
  while (Spent < Budget) {
    const double T0 = threadCpu();
    for (int64_t I = 0; I < N; ++I)
      F();
    const double T = threadCpu() - T0;
    Spent += T;
    if (T < 0.02) {
      N *= 4;
      continue;
    }
    Best = std::min(Best, T / N);
  }
  return Best == 1e300 ? Spent / N : Best;
}

volatile double Sink;
} // namespace

int main(int argc, char **argv) {
  // --only=SCENARIO: that scenario's analysis table alone (bench/peers/compare.py uses it).
  const char *Only = nullptr;
  if (argc > 1 && std::strncmp(argv[1], "--only=", 7) == 0) {
    Only = argv[1] + 7;
    ++argv;
    --argc;
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s [--only=SCENARIO] STDLIB_DIR ZOO_FILE...\n", argv[0]);
    return 2;
  }
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM, llvm::errs());
  Module M;
  LoadOptions Opts;
  Opts.StdlibDir = argv[1];
  std::vector<std::string> Files(argv + 2, argv + argc);
  if (!loadFiles(M, Diags, Files, Opts) || !runSema(M, Diags) || failed(runPipeline(M, Diags)))
    return 1;
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  std::vector<const char *> Names = {"Llama3_8B_on_H100", "Mistral_7B_32k_batch64",
                                     "Mixtral_8x7B_batch32_on_2xH100",
                                     "AMD_8xH100_Llama3_405B_fp8_b1"};
  if (Only)
    Names = {Only};
  const int64_t Outputs[] = {32, 256, 16384, 1000000};

  std::printf("| scenario | output | analyseScenario ns |");
#ifdef ZOO_HAS_CLOSED_FORM
  std::printf(" closed form ns (prepared once) | closed form ns (prepared each time) | step by "
              "step ns |");
#endif
  std::printf("\n|---|---:|---:|");
#ifdef ZOO_HAS_CLOSED_FORM
  std::printf("---:|---:|---:|");
#endif
  std::printf("\n");
  for (const char *Name : Names) {
    ScenarioRecord *S = nullptr;
    for (auto &SP : M.Scenarios)
      if (SP->Name == Name)
        S = SP.get();
    if (!S)
      continue;
    const int64_t Output = S->Output;
    for (int64_t G : Outputs) {
      S->Output = G;
      double Full = perCall([&] {
        analyseScenario(M, *S);
        Sink = S->Results.front().second.R;
      });
      std::printf("| %s | %lld | %.0f |", Name, static_cast<long long>(G), Full * 1e9);
#ifdef ZOO_HAS_CLOSED_FORM
      const Machine X = makeMachine(M, *S, runtimeOf(M, *S), {}, /*Describe=*/false);
      const PreparedLM P(*S, X);
      const LMPoint Pt{S->Batch, S->Prompt, G};
      double Closed = perCall([&] { Sink = P.evaluate(Pt).Generation; });
      double Prepared = perCall([&] { Sink = PreparedLM(*S, X).evaluate(Pt).Generation; });
      double Steps = perCall([&] { Sink = P.evaluateStepByStep(Pt).Generation; }, 0.5);
      std::printf(" %.1f | %.1f | %.0f |", Closed * 1e9, Prepared * 1e9, Steps * 1e9);
#endif
      std::printf("\n");
    }
    S->Output = Output;
  }

  if (Only)
    return 0;
#ifdef ZOO_HAS_CLOSED_FORM
  // The sweep engine: batch 1..256 x2 (9), prompt 128..8192 x2 (7), output 1..1,000,000 in
  // 4,000 steps of 250 (4,000): 252,000 points of each model on its hardware.
  SweepSpec Spec;
  for (int64_t B = 1; B <= 256; B *= 2)
    Spec.Batch.push_back(B);
  for (int64_t P = 128; P <= 8192; P *= 2)
    Spec.Prompt.push_back(P);
  for (int64_t G = 1; G <= 1000000; G += 250)
    Spec.Output.push_back(G);
  std::printf("\n| scenario | points | threads | M points/s | M points/s per thread | M points "
              "per CPU second per thread |\n"
              "|---|---:|---:|---:|---:|---:|\n");
  for (const char *Name : Names) {
    const ScenarioRecord *S = nullptr;
    for (auto &SP : M.Scenarios)
      if (SP->Name == Name)
        S = SP.get();
    if (!S)
      continue;
    const Machine X = makeMachine(M, *S, runtimeOf(M, *S), {}, /*Describe=*/false);
    const SweepEngine E(*S, X, Spec);
    const uint64_t N = E.size();
    for (unsigned Threads : {1u, 2u}) {
      double Best = 1e300, BestCpu = 1e300;
      for (int Round = 0; Round < 5; ++Round) {
        // Each slot on its own cache line: the threads write them once, at the end.
        struct alignas(64) Slot {
          double Sum = 0, Cpu = 0;
        };
        std::vector<Slot> Slots(Threads);
        auto T0 = Clock::now();
        std::vector<std::thread> Pool;
        for (unsigned T = 0; T < Threads; ++T)
          Pool.emplace_back([&, T] {
            const double C0 = threadCpu();
            double Sum = 0;
            E.run(N * T / Threads, N * (T + 1) / Threads,
                  [&](uint64_t, const LMPoint &, const LMFigures &F) { Sum += F.Generation; });
            Slots[T].Cpu = threadCpu() - C0;
            Slots[T].Sum = Sum;
          });
        for (std::thread &Th : Pool)
          Th.join();
        Best = std::min(Best, since(T0));
        double Cpu = 0;
        for (const Slot &Sl : Slots)
          Cpu = std::max(Cpu, Sl.Cpu);
        BestCpu = std::min(BestCpu, Cpu);
        Sink = Slots[0].Sum;
      }
      // Wall-clock rates, and the rate per thread in the CPU time the busiest thread got: on a
      // shared machine the first may fall short of the cores while the second shows whether the
      // threads slow each other down.
      std::printf("| %s | %llu | %u | %.2f | %.2f | %.2f |\n", Name,
                  static_cast<unsigned long long>(N), Threads, N / Best / 1e6,
                  N / Best / 1e6 / Threads, N / BestCpu / 1e6 / Threads);
    }
  }
#endif
  return 0;
}
