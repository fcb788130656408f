//===- Collectives.cpp - alpha-beta cost of collectives -------------------===//
//
// A ring all-reduce is a reduce-scatter then an all-gather: N - 1 steps each, every step moving
// 1/N of the buffer over each device's link, so 2 (N - 1) / N x bytes per device (Patarasuk and
// Yuan 2009; NCCL's performance notes). The runtime's `collective_latency` is the alpha of one
// call, whatever the device count: the custom one-shot kernels of serving engines and NCCL's
// small-message latency are flat over 2 to 8 devices of one node.
//
// Across nodes, a group of N = n x g devices (g per node) runs hierarchically: a reduce-scatter
// inside each node over the fabric, an all-reduce of 1/g of the buffer across the n nodes over
// the network, an all-gather inside the node. The latency term of a ring is one hop per step,
// 2 (N - 1) for an all-reduce; a tree (NCCL's double binary tree) takes 2 log2 N hops with the
// same bandwidth term for large messages: the shorter of the two is used.
//
// Where the devices of a node have a measured all-reduce (nccl-tests' bus bandwidth by message
// size), collectives inside the node take their bandwidth term from it: an all-reduce the curve
// at its buffer, and a reduce-scatter or an all-gather (alone, or as the inside passes of a
// collective that spans nodes) half of that, the pass of a ring all-reduce of the same buffer.
// That half is an approximation where NVLink SHARP reduces in the switch, which speeds the
// all-reduce and not the passes; no pass is priced faster than the ring at the link.
//
// On a full mesh (eight Gaudi or Instinct accelerators of one board: each device's ports divided
// evenly among its seven peers) a group of N devices reaches only the ports to its N - 1
// fellows, (N - 1) / peers of the link, and no pass runs faster than the ring at that share; a
// measured curve, taken on all of the node's devices, is not scaled: below its largest sizes it
// is latency, which a smaller group does not pay more of. A switch gives any group the whole link.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Collectives.h"
#include <algorithm>
#include <cmath>

namespace {
using namespace zoo;

/// Steps of a ring over `N` devices for `Passes` passes (1: reduce-scatter or all-gather, 2:
/// all-reduce), or of a tree when that is fewer.
double hops(double N, double Passes) {
  if (N < 2)
    return 0;
  return std::min(Passes * (N - 1), Passes * std::ceil(std::log2(N)));
}

/// One ring pass (reduce-scatter or all-gather) of `Bytes` over `N` devices of one level: half
/// an all-reduce of the same buffer, at the level's measured bus bandwidth where it has one.
double pass(double Bytes, double N, LinkLevel L) {
  if (N < 2 || L.Bandwidth <= 0)
    return 0;
  const double Bw = L.Bandwidth * meshShare(N, L.Peers);
  const double Beta =
      L.Measured ? measuredAllReduce(*L.Measured, Bytes, N, Bw) / 2 : (N - 1) / N * Bytes / Bw;
  return Beta + hops(N, 1) * L.Latency;
}

/// Members per node and nodes of a group.
std::pair<double, double> split(Group G) {
  double G1 = std::max(1.0, std::min(G.PerNode, G.Size));
  return {G1, std::max(1.0, G.Size / G1)};
}
} // namespace

double zoo::reduceScatter(double Bytes, Group G, LinkLevel Intra, LinkLevel Inter) {
  auto [In, Nodes] = split(G);
  // Inside the node first (the whole buffer), then across nodes on 1/In of it.
  return pass(Bytes, In, Intra) + pass(Bytes / In, Nodes, Inter);
}

double zoo::allGather(double Bytes, Group G, LinkLevel Intra, LinkLevel Inter) {
  auto [In, Nodes] = split(G);
  return pass(Bytes / In, Nodes, Inter) + pass(Bytes, In, Intra);
}

double zoo::allReduce(double Bytes, Group G, LinkLevel Intra, LinkLevel Inter) {
  auto [In, Nodes] = split(G);
  if (Nodes < 2) { // one node: a ring (or tree) over the fabric, or its measured all-reduce
    if (!(Intra.Bandwidth > 0) || In < 2)
      return 0;
    const double Bw = Intra.Bandwidth * meshShare(In, Intra.Peers);
    return (Intra.Measured ? measuredAllReduce(*Intra.Measured, Bytes, In, Bw)
                           : 2 * (In - 1) / In * Bytes / Bw) +
           hops(In, 2) * Intra.Latency;
  }
  double Across = Inter.Bandwidth > 0
                      ? 2 * (Nodes - 1) / Nodes * (Bytes / In) / Inter.Bandwidth +
                            hops(Nodes, 2) * Inter.Latency
                      : 0;
  return pass(Bytes, In, Intra) + Across + pass(Bytes, In, Intra);
}

double zoo::allToAll(double Bytes, Group G, LinkLevel Intra, LinkLevel Inter) {
  auto [In, Nodes] = split(G);
  double N = In * Nodes;
  if (N < 2)
    return 0;
  // Each device sends (In - 1) / N of its buffer inside its node and (N - In) / N across nodes,
  // over different links at once: the slower of the two, plus one latency per peer level.
  double Inside = Intra.Bandwidth > 0
                      ? (In - 1) / N * Bytes / (Intra.Bandwidth * meshShare(In, Intra.Peers))
                      : 0;
  double Across = Inter.Bandwidth > 0 ? (N - In) / N * Bytes / Inter.Bandwidth : 0;
  double Alpha = (In > 1 ? Intra.Latency : 0) + (Nodes > 1 ? Inter.Latency : 0);
  return std::max(Inside, Across) + Alpha;
}

namespace {
/// The curve's bus bandwidth at `Bytes`: log-log interpolation between the two sizes around it,
/// the last bandwidth beyond the largest, and below the smallest the bandwidth that keeps the
/// smallest size's time (a message too small to measure costs the fixed cost).
double busBandwidth(const AllReduceCurve &C, double Bytes) {
  const auto &P = C.Points;
  if (Bytes <= P.front().first)
    return P.front().second * Bytes / P.front().first;
  for (size_t I = 1; I < P.size(); ++I)
    if (Bytes <= P[I].first) {
      const double F = std::log(Bytes / P[I - 1].first) / std::log(P[I].first / P[I - 1].first);
      return std::exp(std::log(P[I - 1].second) +
                      F * (std::log(P[I].second) - std::log(P[I - 1].second)));
    }
  return P.back().second;
}
} // namespace

double zoo::meshShare(double N, double Peers) {
  if (!(Peers > 0) || N < 2)
    return 1;
  return std::min(N - 1, Peers) / Peers;
}

double zoo::measuredAllReduce(const AllReduceCurve &C, double Bytes, double Devices,
                              double LinkBandwidth) {
  if (Devices < 2 || !(Bytes > 0))
    return 0;
  const double Coef = 2 * (Devices - 1) / Devices;
  const double Ring = LinkBandwidth > 0 ? Coef * Bytes / LinkBandwidth : 0;
  if (C.empty())
    return Ring;
  const double Smallest = C.Points.front().first;
  const double Measured = Coef * Bytes / (C.Scale * busBandwidth(C, Bytes)) -
                          Coef * Smallest / (C.Scale * C.Points.front().second);
  return std::max(Ring, Measured);
}
