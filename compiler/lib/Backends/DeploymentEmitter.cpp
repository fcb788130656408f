//===- DeploymentEmitter.cpp - the devices and layout a model needs -------===//
//
// `zooc --plan-serving=...`: the fewest devices of a system that hold a model (weights and the
// batch's KV cache), the fastest layout there and on every device given, then every layout that
// fits, with its memory and decode step split into its parts.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include <fmt/format.h>

using namespace zoo;

namespace {
std::string gib(double Bytes) { return fmt::format("{:.1f} GiB", Bytes / (1ull << 30)); }
std::string ms(double S) { return fmt::format("{:.2f} ms", S * 1e3); }

std::string layout(const DeploymentLayout &D) {
  if (D.AttentionDP)
    return fmt::format("{} devices: attention data parallel", D.Devices);
  return fmt::format("{} devices: tp {} x pp {}{}", D.Devices, D.TP, D.PP,
                     D.EP > 1 ? fmt::format(", experts over {} ranks", D.EP) : "");
}
} // namespace

void DeploymentEmitter::run(llvm::raw_ostream &OS) {
  const DeploymentQuery &Q = Query;
  OS << fmt::format("Serving {} on {} ({} x {} a node, up to {}): weights {}, KV {}, "
                    "context {} tokens{}, batch {}{}\n",
                    Q.Model->Name, Q.System->Name, Q.System->Devices, Q.System->Hw->Name,
                    Q.Nodes == 1 ? std::string("1 node") : fmt::format("{} nodes", Q.Nodes),
                    Q.Weights->Name, Q.KV->Name, Q.Context,
                    Plan.Source > 0 ? fmt::format(", source {} tokens", Plan.Source)
                                    : std::string(),
                    Q.Batch, Q.Runtime ? ", runtime " + Q.Runtime->Name : std::string());
  for (const std::string &N : Plan.Notes)
    OS << "  note: " << N << "\n";
  if (!Plan.Fewest) {
    double Least = 0;
    for (const DeploymentLayout &D : Plan.Layouts)
      if (!Least || D.WeightBytes + D.KVBytes < Least)
        Least = D.WeightBytes + D.KVBytes;
    OS << fmt::format("  no layout fits: the least a device would hold is {}, and it offers {}\n",
                      gib(Least), Plan.Layouts.empty() ? "-" : gib(Plan.Layouts.front().Usable));
    return;
  }
  auto Line = [&](const char *What, const DeploymentLayout &D) {
    OS << fmt::format("  {}: {}; {} a device ({} weights + {} KV of {}), decode step {} "
                      "({:.1f} tokens/s a sequence)\n",
                      What, layout(D), gib(D.WeightBytes + D.KVBytes), gib(D.WeightBytes),
                      gib(D.KVBytes), gib(D.Usable), ms(D.Step), 1 / D.Step);
  };
  Line("fewest devices", *Plan.Fewest);
  Line("fastest", *Plan.Fastest);
  OS << "  every layout that fits (decode step: the decode analysis's without collectives; "
        "all-reduces; all-to-alls; stage sends):\n";
  for (const DeploymentLayout &D : Plan.Layouts)
    if (D.Fits)
      OS << fmt::format("    {:<40} {:>9} a device  step {:>9} = {} + {} tp + {} ep + {} pp\n",
                        layout(D), gib(D.WeightBytes + D.KVBytes), ms(D.Step), ms(D.Forward),
                        ms(D.TPComm), ms(D.EPComm), ms(D.PPComm));
}
