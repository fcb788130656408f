//===- metric_eval.cpp - how fast closed-form metrics evaluate ------------===//
//
// Loads the bundled zoo through the compiler's libraries, then evaluates context- and
// batch-dependent metrics of a few models at 1,000,000 (batch, context) points each and reports
// nanoseconds per evaluation. Also checks the closed forms against brute-force sums over
// positions at a few points, and times a 10-token generation against a 1,000,000-token one.
// Usage: bench_metric_eval STDLIB_DIR ZOO_FILE...
//
//===----------------------------------------------------------------------===//
#include "zoo/Passes/Pass.h"
#include "zoo/Sema/ImportLoader.h"
#include "zoo/Sema/Sema.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <cstdio>

using namespace zoo;
using Clock = std::chrono::steady_clock;

static double seconds(Clock::time_point A, Clock::time_point B) {
  return std::chrono::duration<double>(B - A).count();
}

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s STDLIB_DIR ZOO_FILE...\n", argv[0]);
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
  const PrecisionRecord *BF16 = M.findPrecision("bf16"), *FP8 = M.findPrecision("fp8");

  std::printf(
      "| model | metric | evaluations | total ms | ns / evaluation |\n|---|---|---:|---:|---:|\n");
  const char *Names[] = {"Llama3_8B", "Mistral_7B", "DeepSeek_V3", "Mixtral_8x7B", "Mamba_2_8B"};
  double Sink = 0;
  for (const char *Name : Names) {
    const ModelRecord *R = M.findModel(Name);
    if (!R)
      continue;
    for (MetricKind K : {MetricKind::kv_bytes, MetricKind::macs_per_token,
                         MetricKind::generation_flops, MetricKind::decode_intensity}) {
      constexpr int N = 1'000'000;
      auto T0 = Clock::now();
      for (int I = 0; I < N; ++I) {
        MetricArgs A;
        A.Precision = A.KV = FP8;
        A.Weights = BF16;
        A.Batch = 1 + I % 256;
        A.Context = A.Prompt = 1 + (static_cast<int64_t>(I) * 7919) % 1'000'000;
        A.Output = 1 + I % 4096;
        std::string Why;
        Sink += metricValue(*R, K, A, Why)->asDouble();
      }
      auto T1 = Clock::now();
      std::printf("| %s | %s | %d | %.1f | %.1f |\n", Name, metricName(K).str().c_str(), N,
                  seconds(T0, T1) * 1e3, seconds(T0, T1) * 1e9 / N);
    }
  }

  // Closed form against brute force: generation_flops = sum over positions of flops_per_token.
  const ModelRecord *Mistral = M.findModel("Mistral_7B");
  for (int64_t Total : {10, 5000, 100000}) {
    MetricArgs A;
    A.Prompt = Total / 2;
    A.Output = Total - A.Prompt + 1;
    std::string Why;
    double Closed = metricValue(*Mistral, MetricKind::generation_flops, A, Why)->asDouble();
    double Brute = 0;
    for (int64_t C = 1; C <= Total; ++C) {
      MetricArgs P;
      P.Context = C;
      Brute += metricValue(*Mistral, MetricKind::flops_per_token, P, Why)->asDouble();
    }
    std::printf("\nMistral_7B generation over %lld positions: closed form %.6e, brute force "
                "%.6e, equal: %s",
                static_cast<long long>(Total), Closed, Brute, Closed == Brute ? "yes" : "NO");
  }
  std::printf("\n\n| generation length | ns / evaluation |\n|---:|---:|\n");
  const ModelRecord *Llama = M.findModel("Llama3_8B");
  for (int64_t G : {10, 1'000'000}) {
    constexpr int N = 1'000'000;
    auto T0 = Clock::now();
    for (int I = 0; I < N; ++I) {
      MetricArgs A;
      A.Prompt = 1 + I % 7;
      A.Output = G;
      std::string Why;
      Sink += metricValue(*Llama, MetricKind::generation_flops, A, Why)->asDouble();
    }
    std::printf("| %lld | %.1f |\n", static_cast<long long>(G),
                seconds(T0, Clock::now()) * 1e9 / N);
  }
  std::printf("\n(checksum %g)\n", Sink);
  return 0;
}
