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
/// 23,000 steps, nesting at most 9 deep); they keep any input fast, small and within the stack:
/// a small input under about half a second and 100 MB, a large one in proportion to its size.
struct ExpansionLimits {
  static constexpr int64_t MaxRepeat = 1'000'000;      ///< one `repeat` count
  static constexpr int64_t MaxForIterations = 100'000; ///< one `for` range
  static constexpr int64_t MaxNodes = 100'000;         ///< layer nodes per model
  /// Layer nodes of all models together: MaxTotalNodes, or one for every SourceBytesPerNode
  /// bytes of source read (every file, the stdlib included) if that is more.
  static constexpr int64_t MaxTotalNodes = 200'000;
  static constexpr int64_t SourceBytesPerNode = 2;
  /// Statements expanded plus the expression nodes they evaluate, all models together: MaxSteps,
  /// or StepsPerSourceByte for every byte of source read if that is more.
  static constexpr uint64_t MaxSteps = 1'000'000;
  static constexpr uint64_t StepsPerSourceByte = 8;
  // The per-byte allowances are about 4x and 10x what generated registries of Llama-, GPT-2- and
  // `with`-style models use (0.13 nodes and 0.8 steps per byte; the bundled zoo 0.02 and 0.1), so
  // a registry of any size compiles while the cost of any input stays bounded per byte.
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
