//===- Sema.h - semantic analysis: from files to checked records --*- C++ -*-===//
//
// Declares every name, checks every block once (names, argument lists, types, units), then builds
// the records: each model's arguments are bound and its architecture expanded into a LayerNode
// tree; hardware and precisions are checked against their schemas. Metrics are the passes' job.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_SEMA_SEMA_H
#define ZOO_SEMA_SEMA_H

#include "zoo/Basic/Diagnostic.h"
#include "zoo/IR/Module.h"

namespace zoo {

/// Limits on expansion; exceeding one is a diagnostic, given before the work it bounds. Real
/// models stay far below them (all of zoo/ together expands to about 3,500 layer nodes in about
/// 23,000 steps, nesting at most 9 deep); they keep any input fast (well under a second), small
/// (under 100 MB) and within the stack.
struct ExpansionLimits {
  static constexpr int64_t MaxRepeat = 1'000'000;      ///< one `repeat` count
  static constexpr int64_t MaxForIterations = 100'000; ///< one `for` range
  static constexpr int64_t MaxNodes = 100'000;         ///< layer nodes per model
  static constexpr int64_t MaxTotalNodes = 200'000;    ///< layer nodes of all models together
  /// Statements expanded plus the expression nodes they evaluate, all models together.
  static constexpr uint64_t MaxSteps = 1'000'000;
  static constexpr unsigned MaxDepth = 64;     ///< nested block calls
  static constexpr unsigned MaxWithLinks = 64; ///< `with` links from a model to its block
  /// Nested bodies while expanding (block calls, loops, branches, bodies of primitives).
  static constexpr unsigned MaxNesting = 256;
};

/// Runs semantic analysis over the loaded files of `M`. Returns false on any error.
bool runSema(Module &M, DiagnosticEngine &Diags);

/// Scenario precisions the user left out (null on entry), from the hardware: weights default to
/// the activations if given, else to the hardware's 16-bit float (bf16, or fp16 where it has a
/// dense fp16 peak and no bf16 one); activations are the weights' format when it is 16 bits or
/// wider and unscaled, else that 16-bit float; compute and the KV cache default to the
/// activations. Declared scenarios and the driver's ad hoc ones share it.
void applyPrecisionDefaults(const Module &M, const HardwareRecord &H,
                            const PrecisionRecord *&Weights, const PrecisionRecord *&Act,
                            const PrecisionRecord *&Compute, const PrecisionRecord *&KV);

/// The most a scenario's batch, prompt, output or devices may be (see docs/language.md): every
/// product the analysis forms from them stays exact. Returns 0 for other fields.
double scenarioLimit(llvm::StringRef Field);

} // namespace zoo

#endif
