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

#include <utility>
#include <vector>

namespace zoo {

/// An all-reduce measured on one node (nccl-tests' all_reduce_perf, in place): the bus
/// bandwidth at each message size, sizes ascending (bytes, bytes/s). nccl-tests reports bus
/// bandwidth as the buffer over the time x 2 (N - 1) / N, so a ring of any N devices moving the
/// same bus bytes takes the same time at that bandwidth.
struct AllReduceCurve {
  std::vector<std::pair<double, double>> Points;
  double Devices = 0; ///< the devices it was measured on
  double Scale = 1;   ///< every bandwidth times this (what-ifs)
  bool empty() const { return Points.size() < 2; }
};

/// One level of a topology: bytes/s per device and direction, seconds per step; where the
/// devices are a full mesh, the peers each device's ports are divided among (0: switched, every
/// member reached at the whole bandwidth); and, where the devices of one node have one, their
/// measured all-reduce, which an all-reduce inside the node takes its bandwidth term from
/// (measuredAllReduce).
struct LinkLevel {
  double Bandwidth = 0;
  double Latency = 0;
  const AllReduceCurve *Measured = nullptr;
  double Peers = 0;
};

/// The share of a device's link that a group of `N` devices reaches. On a full mesh whose ports
/// are divided evenly among `Peers` devices, a member talks to its N - 1 fellows over their ports
/// only: min(N - 1, Peers) / Peers. On a switched link (`Peers` 0), and for one device, 1.
double meshShare(double N, double Peers);

/// Bytes/s from one device to one other over `L`: on a mesh the ports to that peer, else the
/// whole link (a pipeline stage's send, a cache's transfer).
inline double pointToPoint(const LinkLevel &L) {
  return L.Peers > 0 ? L.Bandwidth / L.Peers : L.Bandwidth;
}

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

/// The bandwidth term of an all-reduce of `Bytes` over `Devices` devices of one node from a
/// measured curve: 2 (N - 1) / N x Bytes at the curve's bus bandwidth for that size (interpolated
/// linearly in the logarithms of size and bandwidth; the last bandwidth beyond the largest size),
/// less the same at the curve's smallest size (its fixed cost, which the runtime's
/// `collective_latency` stands for); never less than the ring at `LinkBandwidth`. Zero for one
/// device. On a mesh, `LinkBandwidth` is the group's share of the link (meshShare), which bounds
/// a group of fewer devices than the curve's where its messages are large; the curve itself is
/// not scaled, since its small messages are latency, which a smaller group does not multiply.
double measuredAllReduce(const AllReduceCurve &C, double Bytes, double Devices,
                         double LinkBandwidth);

} // namespace zoo

#endif
