//===- Collectives.h - alpha-beta cost of collectives -------------*- C++ -*-===//
//
// The time of a collective over a group of devices joined by links of a given bandwidth per
// direction: a fixed latency per call (alpha, the runtime's) plus the bytes each device must send
// over its link (beta). Ring algorithms, as NCCL and RCCL use for large messages; tensor
// parallelism calls them. Conventions and sources: docs/formulas.md.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_COLLECTIVES_H
#define ZOO_ANALYSIS_COLLECTIVES_H

namespace zoo {

/// All-reduce of `Bytes` (each device's buffer) over `Devices` devices: a ring sends
/// 2 (N - 1) / N x Bytes per device. Zero for one device.
double allReduceTime(double Bytes, double Devices, double LinkBandwidth, double Alpha);

} // namespace zoo

#endif
