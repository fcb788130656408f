//===- Collectives.h - alpha-beta cost of collectives -------------*- C++ -*-===//
//
// The time of a collective over a group of devices: a latency per step of the algorithm (alpha)
// plus the bytes each device must send over its link (beta). Ring algorithms, as NCCL and RCCL
// use for large messages, and a tree for the latency term when that is shorter; a group that
// spans nodes runs hierarchically (inside each node, across nodes, inside again). Tensor
// parallelism in inference and every parallelism of training call these. Conventions and
// sources: docs/formulas.md, "Collectives".
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_COLLECTIVES_H
#define ZOO_ANALYSIS_COLLECTIVES_H

namespace zoo {

/// All-reduce of `Bytes` (each device's buffer) over `Devices` devices: a ring sends
/// 2 (N - 1) / N x Bytes per device. Zero for one device. `Alpha` is paid once per call.
double allReduceTime(double Bytes, double Devices, double LinkBandwidth, double Alpha);

/// One level of a topology: bytes/s per device and direction, seconds per step.
struct LinkLevel {
  double Bandwidth = 0;
  double Latency = 0;
};

/// A communication group: `Size` devices, `PerNode` of them in each node (1 when every member
/// is in another node; Size when the group is inside one node).
struct Group {
  double Size = 1;
  double PerNode = 1;
};

/// Collectives of a group whose members inside a node talk over `Intra` and across nodes over
/// `Inter` (per device: its share of the node's network). `Bytes` is each device's whole buffer
/// (all-reduce, the reduce-scatter input, the all-gather output; all-to-all: what it sends).
double allReduce(double Bytes, Group G, LinkLevel Intra, LinkLevel Inter);
double reduceScatter(double Bytes, Group G, LinkLevel Intra, LinkLevel Inter);
double allGather(double Bytes, Group G, LinkLevel Intra, LinkLevel Inter);
double allToAll(double Bytes, Group G, LinkLevel Intra, LinkLevel Inter);

} // namespace zoo

#endif
