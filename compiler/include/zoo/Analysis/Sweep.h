//===- Sweep.h - many points of one model on one machine ----------*- C++ -*-===//
//
// The sweep engine behind `zooc --sweep`: a grid of (batch, prompt, output) points of language-
// model scenarios, each point analysed in full (every figure of the expected analysis, the same
// numbers `--emit=analysis` gives for that point) with everything that does not depend on the
// point made once: the prepared scenario (LanguageModel.h) per model x hardware x precisions x
// runtime x devices, the batch terms per batch value, the prompt terms per prompt value, and
// the serving figures per (serving batch, prompt, output). Threads split the point range.
// Also the check that the closed form equals the step-by-step reference (--check-closed-form).
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_SWEEP_H
#define ZOO_ANALYSIS_SWEEP_H

#include "zoo/Analysis/LanguageModel.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"
#include <functional>
#include <string>
#include <vector>

namespace zoo {

/// The values of each axis of a sweep.
struct SweepSpec {
  std::vector<int64_t> Batch, Prompt, Output;
  uint64_t points() const {
    return static_cast<uint64_t>(Batch.size()) * Prompt.size() * Output.size();
  }
};

/// The most points one `--sweep` evaluates, over all its models and hardware.
constexpr uint64_t MaxSweepPoints = 100'000'000;
/// The most scenarios (models x the scenario axes' values) one `--sweep` makes: each goes
/// through the passes like a declared scenario before the grid is evaluated.
constexpr uint64_t MaxSweepScenarios = 10'000;

/// Everything a `--sweep` varies: the grid of each scenario, and the axes that make scenarios
/// (an empty list: the axis is not swept, its option applies).
struct SweepAxes {
  SweepSpec Grid;
  std::vector<int64_t> Devices;
  std::vector<std::string> Hardware, Weights, KV, Runtime;
  /// Scenarios per model: the scenario axes' lengths multiplied (an axis not swept counts 1;
  /// `Hardware` counts as `HardwareGiven` where not swept).
  uint64_t scenariosPerModel(uint64_t HardwareGiven) const;
};

/// Parses the texts of every `--sweep`, e.g. `batch=1,2,4..256`, `context=1k..128k*2`,
/// `weights=bf16,fp8`: comma-separated `AXIS=VALUES`, where a part without `=` adds values to
/// the axis before it. The grid axes are `batch`, `prompt` (alias `context`) and `output`; the
/// scenario axes `devices` (counts, like the grid's) and `hardware`, `weights`, `kv`, `runtime`
/// (names, checked by the caller). A count is decimal, with an optional `k` (x1,024) or `M`
/// (x1,048,576); a value is `V`, `A..B` (continuing the progression of the values before it:
/// `1,2,4..256` doubles, `10,20..100` adds 10; step 1 without two values before it), `A..B+S` or
/// `A..B*F`. Each axis's values increase; each axis is named once. Every count is at least 1 and
/// at most `Limits`'s value of its axis (`DevicesLimit` for devices); a grid axis not named
/// keeps `Defaults`'s value. Returns the error, or "".
std::string parseSweepAxes(llvm::ArrayRef<std::string> Texts, const LMPoint &Defaults,
                           const LMPoint &Limits, int64_t DevicesLimit, SweepAxes &Out);

/// One scenario's grid, ready to evaluate: points are numbered with the batch varying fastest,
/// then the output, then the prompt.
class SweepEngine {
public:
  /// `S` on machine `X` (both outlive the engine): its model, hardware, precisions, runtime and
  /// device count; `S`'s own batch, prompt and output are not used.
  SweepEngine(const ScenarioRecord &S, const Machine &X, const SweepSpec &Spec);

  uint64_t size() const { return Spec.points(); }
  LMPoint point(uint64_t I) const;

  /// Calls `Visit(I, Point, Figures)` for every point I in [Begin, End), in order.
  template <typename VisitFn> void run(uint64_t Begin, uint64_t End, VisitFn Visit) const {
    if (Begin >= End)
      return;
    PreparedLM::ServingMemo Serving;
    std::vector<PreparedLM::BatchMemo> Memos(Spec.Batch.size());
    PreparedLM::Reuse R;
    R.Serving = &Serving;
    const size_t NB = Spec.Batch.size(), NO = Spec.Output.size();
    size_t B = Begin % NB, O = (Begin / NB) % NO, P = Begin / (NB * NO);
    LMPoint Pt;
    for (uint64_t I = Begin; I < End; ++I) {
      Pt.Batch = Spec.Batch[B];
      Pt.Prompt = Spec.Prompt[P];
      Pt.Output = Spec.Output[O];
      R.Prompt = &Prompts[P];
      R.Batch[0] = &Batches[B][0];
      R.Batch[1] = &Batches[B][1];
      R.Memo = &Memos[B];
      Visit(I, Pt, Prepared.evaluate(Pt, R));
      if (++B == NB) {
        B = 0;
        if (++O == NO) {
          O = 0;
          ++P;
        }
      }
    }
  }

  const PreparedLM &prepared() const { return Prepared; }

private:
  PreparedLM Prepared;
  SweepSpec Spec;
  std::vector<PreparedLM::PromptTerms> Prompts;
  /// Per batch value: weights in main memory, and from flash (where the machine has flash).
  std::vector<std::array<PreparedLM::BatchTerms, 2>> Batches;
};

struct SweepOptions {
  unsigned Threads = 0; ///< 0: one per core
  bool Summary = false; ///< a summary per scenario and the rate, not one row per point
  /// Whether the output has failed (a reader gone): the sweep stops early. May be empty.
  std::function<bool()> Failed;
};

/// Sweeps every language-model scenario of `Scenarios` over `Spec` on its expected machine:
/// CSV with a header and one row per point (scenario after scenario), or a summary.
void runSweep(const Module &M, llvm::ArrayRef<const ScenarioRecord *> Scenarios,
              const SweepSpec &Spec, const SweepOptions &Options, llvm::raw_ostream &OS);

/// The most points a `--sweep` of models with an input evaluates: each is a full analysis,
/// operation by operation (about 20 us for SDXL's pipeline), not a closed form.
constexpr uint64_t MaxInputSweepPoints = 1'000'000;

/// Sweeps every scenario of `Scenarios` of a model with an input (vision, a pipeline) over the
/// batch values `Batches` on its expected and its ideal machine, on `Options.Threads` threads
/// (0: one per core with at least 64 points each): CSV with a header and one row per batch
/// (scenario after scenario), each the full analysis of that batch, the same rows whatever the
/// number of threads; or, with `Options.Summary`, per scenario the points that fit, the highest
/// image rate and the shortest batch among them, then the rate of the evaluation.
void runInputSweep(const Module &M, llvm::ArrayRef<const ScenarioRecord *> Scenarios,
                   llvm::ArrayRef<int64_t> Batches, const SweepOptions &Options,
                   llvm::raw_ostream &OS);

/// The longest output --check-closed-form takes (the reference is a step-by-step sum).
constexpr int64_t MaxCheckedOutput = 10'000'000;

/// Compares the closed form with the step-by-step reference for every language-model scenario
/// of `M` (at its batch and prompt) at each output length of `Outputs`, on its expected and its
/// ideal machine, figure by figure: counts, bounds and flags must be equal, and every other
/// figure must print the same to the digits the reports print (four significant digits) and
/// differ by at most 1e-12 relative. Writes one line per scenario and length and a summary;
/// returns the number of figures that differ.
uint64_t checkClosedForm(const Module &M, llvm::ArrayRef<int64_t> Outputs, llvm::raw_ostream &OS);

} // namespace zoo

#endif
