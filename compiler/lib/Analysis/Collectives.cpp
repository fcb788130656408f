//===- Collectives.cpp - alpha-beta cost of collectives -------------------===//
//
// A ring all-reduce is a reduce-scatter then an all-gather: N - 1 steps each, every step moving
// 1/N of the buffer over each device's link, so 2 (N - 1) / N x bytes per device (Patarasuk and
// Yuan 2009; NCCL's performance notes). The runtime's `collective_latency` is the alpha of one
// call, whatever the device count: the custom one-shot kernels of serving engines and NCCL's
// small-message latency are flat over 2 to 8 devices of one node.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Collectives.h"

double zoo::allReduceTime(double Bytes, double Devices, double LinkBandwidth, double Alpha) {
  if (Devices < 2 || LinkBandwidth <= 0)
    return 0;
  return Alpha + 2 * (Devices - 1) / Devices * Bytes / LinkBandwidth;
}
