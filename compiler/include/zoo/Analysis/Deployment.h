//===- Deployment.h - the devices and layout a model needs to serve ----*- C++ -*-===//
//
// For a language model on a system: every layout of tensor parallelism (filling a node, then
// across nodes), pipeline stages and, for models with expert layers, expert parallelism over the tensor
// ranks, on 1 to `Nodes` nodes, and attention data parallelism over one node's devices; for each,
// the memory of one device (weights and the KV cache of the batch at the context) and the decode
// step (the decode analysis's, LanguageModel.h, less its collectives; then the tensor-parallel
// all-reduces, expert all-to-alls and pipeline sends on the same collectives as training). The
// fewest devices that hold the model, and the fastest layout there and on all the devices given.
// Formulas: docs/formulas.md, "Serving layouts".
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_DEPLOYMENT_H
#define ZOO_ANALYSIS_DEPLOYMENT_H

#include "zoo/Analysis/Machine.h"

namespace zoo {

struct DeploymentQuery {
  const ModelRecord *Model = nullptr;
  const SystemRecord *System = nullptr;
  const PrecisionRecord *Weights = nullptr, *KV = nullptr;
  const RuntimeRecord *Runtime = nullptr;
  int64_t Nodes = 1, Context = 4096, Batch = 1;
  /// An encoder-decoder's source (its encoder's input, which the decoder cross-attends to):
  /// tokens; 0: the length the model declares (`cross_len`), else the context.
  int64_t Source = 0;
};

struct DeploymentLayout {
  int64_t Devices = 0, TP = 1, PP = 1, EP = 1;
  /// Attention data parallel over the devices (TP 1, PP 1; EP the devices): each holds the
  /// layers outside the experts whole and runs them for its own share of the batch.
  bool AttentionDP = false;
  double WeightBytes = 0, KVBytes = 0; ///< per device, the busiest stage
  double Usable = 0;                   ///< bytes a device offers (capacity x the runtime's share)
  bool Fits = false;
  double Step = 0; ///< one decode step of the batch
  /// The step less its collectives: the decode analysis's on one group of the tp ranks holding
  /// the whole model (docs/formulas.md, "Serving layouts").
  double Forward = 0;
  double TPComm = 0, EPComm = 0, PPComm = 0;
};

struct DeploymentPlan {
  std::vector<DeploymentLayout> Layouts; ///< every layout priced, in order of devices then step
  const DeploymentLayout *Fewest = nullptr; ///< the fastest on the fewest devices that hold it
  const DeploymentLayout *Fastest = nullptr; ///< the fastest that fits on any device count
  std::vector<std::string> Notes;
  int64_t Source = 0; ///< an encoder-decoder's source, as priced (0: not one)
};

DeploymentPlan planDeployment(const Module &M, const DeploymentQuery &Q);

} // namespace zoo

#endif
