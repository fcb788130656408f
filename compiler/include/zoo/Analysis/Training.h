//===- Training.h - memory and time of a training step on a cluster --*- C++ -*-===//
//
// The training model of one `training` record: what each device holds (weights, gradients and
// optimizer states, sharded by tensor, pipeline, expert parallelism and ZeRO; activations per
// micro-batch with or without recomputation, times the micro-batches a pipeline stage keeps in
// flight) and how long a step takes (forward, backward and recomputed work at the performance
// model's rates; tensor-, context-, expert- and pipeline-parallel communication; the pipeline
// bubble; the data-parallel gradient reduction less what the backward pass hides; the optimizer
// update). Pure functions over checked records; formulas and sources: docs/formulas.md,
// "Training".
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_TRAINING_H
#define ZOO_ANALYSIS_TRAINING_H

#include "zoo/Analysis/Collectives.h"
#include "zoo/Analysis/Machine.h"

namespace zoo {

/// What a model keeps for its backward pass, per token (or per input for models with one), in
/// 16-bit activation values unless said otherwise (docs/formulas.md, "Activations kept for the
/// backward pass"). Korthikanti et al. (2022) give 34 h + 5 a s per token and layer for GPT:
/// this is their accounting, generalised to any layer the language builds.
struct ActivationProfile {
  double Replicated = 0; ///< values every tensor-parallel rank holds without sequence parallelism
  double Sharded = 0;    ///< values split over tensor-parallel ranks
  double MaskBytes = 0;  ///< residual dropout masks (1 byte a value), replicated
  /// Attention scores kept per token and per visible position: (heads summed over the layers,
  /// window; 0: none), kept only without flash attention and without recomputation.
  std::vector<std::pair<double, int64_t>> Scores;
  double LayerInputs = 0; ///< per token: the input of every layer (what full recomputation keeps)
  double HeadValues = 0;  ///< the output head's input, per token
  double LogitBytes = 0;  ///< the output head's fp32 logits, per token
  int64_t Layers = 0;     ///< layers the profile spreads over
  /// Every distinct (heads, kv_heads) of the model's attention: tensor parallelism splits them.
  std::vector<std::pair<int64_t, int64_t>> Heads;
};
ActivationProfile activationProfile(const ModelRecord &Model, bool Dropout);

/// The bandwidths of a system's links as a what-if changes them (1: as the system declares).
struct LinkScale {
  double Fabric = 1, Network = 1;
};

/// The breakdown of one training step on one device (the busiest pipeline stage).
struct TrainingCost {
  double ModelFlops = 0, HardwareFlops = 0; ///< per step, the whole job
  double Compute = 0, Bubble = 0, BubbleFraction = 0;
  double Casts = 0; ///< FP8 products' casts of their operands, per step on a device (in Compute)
  double TPComm = 0, CPComm = 0, EPComm = 0, PPComm = 0, DPComm = 0, DPExposed = 0;
  double Optimizer = 0, Step = 0;
  double Weights = 0, Grads = 0, States = 0, Activations = 0, Memory = 0, Capacity = 0;
  double Tokens = 0; ///< per step
};

/// Prices training record `T` on machine `X` (one device of the system, with its factors; the
/// ideal machine gives the ideal bound), its system's links scaled by `Scale`.
TrainingCost trainingCost(const Module &M, const TrainingRecord &T, const Machine &X,
                          const ActivationProfile &A, LinkScale Scale = {});

/// The machine of one device of `T`'s system: a scenario of its hardware at the training
/// precision, with the record's runtime (or none: the hardware's achievable fractions only);
/// `Describe` fills its factor lines.
Machine trainingMachine(const Module &M, const TrainingRecord &T, bool Describe);

/// The two levels a system's collectives run over: the fabric inside a node, and across nodes
/// each device's share of the node's NICs over the oversubscription (the fabric again when the
/// system declares no network: one domain, such as a torus). `Ideal`: no latency. `Measured`:
/// the node's measured all-reduce, which collectives inside the node take their bandwidth from
/// (Collectives.h; none when empty); `Scale`: a what-if's bandwidths.
std::pair<LinkLevel, LinkLevel> systemLinks(const SystemRecord &S, bool Ideal,
                                            const AllReduceCurve *Measured = nullptr,
                                            LinkScale Scale = {});

/// Why layout `T` cannot run model `T.Model` (its counts come from the cost model), or "".
std::string trainingLayoutProblem(const TrainingRecord &T, const ActivationProfile &A);

/// `plan = auto`: prices every layout of `T`'s devices that its fixed fields allow (tensor,
/// context, pipeline, expert and data parallelism, interleaving, micro-batch, recomputation,
/// ZeRO), keeps the fastest that fit (T.PlanRows, with why each runner-up loses to the first)
/// and sets `T`'s layout to the fastest. False when none fits (T.PlanLeastMemory says how close
/// the best came).
bool planTraining(const Module &M, TrainingRecord &T);
/// The memory of one device of `T`'s system, bytes.
double trainingDeviceMemory(const Module &M, const TrainingRecord &T);

/// Analyses `T`: fills its Results (expected), Ideal, Factors and Notes. Returns the metrics
/// whose value came out not finite.
std::vector<TrainingMetric> analyseTraining(const Module &M, TrainingRecord &T);

/// The factor of a training runtime's matrix products (`compute gemm` and `compute attention`,
/// one value) that minimises the squared log error of the calibration rows that name it.
struct TrainingFit {
  const RuntimeRecord *Runtime = nullptr;
  double Fitted = 0;    ///< the factor the rows ask for
  double InRecord = 0;  ///< what the runtime record says (`compute gemm`, `any`)
  int Rows = 0;
};
std::vector<TrainingFit> fitTrainingFactors(const Module &M);

} // namespace zoo

#endif
