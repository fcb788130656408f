//===- Machine.h - effective peaks: hardware x runtime x power x devices -*- C++ -*-===//
//
// The machine a scenario runs on, as the performance model sees it: the datasheet figures of its
// devices (which give the ideal roofline) and the factors that turn them into expected figures,
// each with where it came from. Pure functions over checked records; no printing.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_MACHINE_H
#define ZOO_ANALYSIS_MACHINE_H

#include "zoo/Analysis/Collectives.h"
#include "zoo/IR/Module.h"
#include <array>
#include <string>
#include <vector>

namespace zoo {

/// What a runtime sets for each kind of work (docs/formulas.md, "Performance model").
enum class Slot {
  Gemm,                ///< compute gemm: matrix products at the compute precision
  AttentionCompute,    ///< compute attention: attention's matrix products
  Experts,             ///< compute experts: expert layers' products (routing, grouping)
  Gemv,                ///< bandwidth gemv: weight reads of a memory-bound product
  DequantGemv,         ///< bandwidth dequant_gemv: weight-only quantised reads
  AttentionBandwidth,  ///< bandwidth attention: KV-cache reads and writes
  Activations,         ///< bandwidth activations: activations written and read between kernels
  ExpertReads,         ///< bandwidth experts: expert layers' weight reads
  OpOverhead,          ///< seconds per operation launched
  CollectiveLatency,   ///< seconds per collective (alpha)
  StepOverhead,        ///< seconds of host time per engine iteration (one forward)
  RequestOverhead,     ///< seconds a request spends outside the engine (the serving front end)
  SequenceOverhead,    ///< seconds of host time per sequence an engine iteration carries
  ExpertOverhead,      ///< seconds per expert a device runs in one expert layer of a forward
  ExpertLayerOverhead, ///< seconds per expert layer of a forward, beyond its experts
  OpCycles,            ///< clock cycles per operation launched, on the hardware's clock
  Count
};
constexpr int NumSlots = static_cast<int>(Slot::Count);
/// Where a runtime record keeps a slot: a section kind (`compute`, `bandwidth`) and kernel
/// (`gemm`, ...), or, for fixed costs, no kind and the field's name.
struct SlotSpelling {
  const char *Kind, *Kernel;
};
SlotSpelling slotSpelling(Slot K);
/// `compute gemm`, `bandwidth gemv`, ..., `op_overhead`, `collective_latency`, `step_overhead`,
/// `request_overhead`, `sequence_overhead`, `expert_overhead`, `expert_layer_overhead`,
/// `op_cycles`.
std::string slotName(Slot K);
/// Fixed costs are seconds, except op_cycles (clock cycles); the other slots are fractions.
inline bool slotIsSeconds(Slot K) {
  return K == Slot::OpOverhead || K == Slot::CollectiveLatency || K == Slot::StepOverhead ||
         K == Slot::RequestOverhead || K == Slot::SequenceOverhead || K == Slot::ExpertOverhead ||
         K == Slot::ExpertLayerOverhead;
}
/// A fixed cost (0 where a runtime leaves it out), in seconds or in clock cycles.
inline bool slotIsFixedCost(Slot K) { return slotIsSeconds(K) || K == Slot::OpCycles; }
/// Every slot as a runtime that sets none leaves it: each fraction 1, each fixed cost 0.
inline std::array<double, NumSlots> unsetFactors() {
  std::array<double, NumSlots> F{};
  for (int I = 0; I < NumSlots; ++I)
    F[I] = slotIsFixedCost(static_cast<Slot>(I)) ? 0 : 1;
  return F;
}

/// A value for one slot of one runtime that replaces what its record says (calibration).
struct SlotOverride {
  Slot K;
  double Value;
};

struct Machine {
  double Devices = 1;
  // Datasheet figures, all devices together (peak after any power-limit scaling).
  double Peak = 0;           ///< dense FLOP/s (or OP/s) of the compute precision
  /// The precision Peak is quoted at: the compute precision, or where the hardware quotes no peak
  /// at a runtime's own precision (`quantized_compute`, `fp16_compute`), the one the scenario
  /// would otherwise compute in.
  const PrecisionRecord *PeakPrecision = nullptr;
  double Bandwidth = 0;      ///< main memory, bytes/s
  double FlashBandwidth = 0; ///< a `flash` tier's bytes/s (0: none)
  double Capacity = 0;       ///< main memory per device, bytes (deviceMemory)
  /// The larger of the datasheet's capacity and what the driver gives programs (the record's
  /// `visible` size): the ideal machine's, which no engine's cache can exceed.
  double MostCapacity = 0;
  double FlashCapacity = 0;  ///< flash per device, bytes
  double Cache = 0;          ///< on-chip cache per device, bytes (the record's `cache`; 0: none)
  /// Per device and direction, what the tensor-parallel group of `Devices` reaches of the link
  /// it runs over: half the quoted aggregate, times the group's share on a full mesh
  /// (meshShare: a link with `peers`).
  double LinkBandwidth = 0;
  /// One direction from one device to one other over that link (on a mesh, the ports to that
  /// peer): a disaggregated cache's transfer.
  double PeerBandwidth = 0;
  /// The devices that link's ports are divided among (a full mesh; 0: switched).
  double LinkPeers = 0;
  /// The hardware's measured all-reduce (`all_reduce` section): bus bandwidth by message size,
  /// ascending, each bandwidth times its `Scale` (what-ifs). Empty where the record has none and
  /// on the ideal machine; then an all-reduce runs at `LinkBandwidth`.
  AllReduceCurve AllReduce;
  double Power = 0;          ///< watts per device, for energy (TDP, or a lower power limit)
  /// The clock the devices run at, Hz: the record's `clock` (the one its peaks are quoted at),
  /// or the clock of the power mode a power limit selects; 0 where the record gives none. A
  /// runtime's `op_cycles` are counted on it.
  double Clock = 0;
  // Factors of the expected figures: the hardware's achievable fractions, then the runtime's.
  double HwCompute = 1, HwBandwidth = 1;
  std::array<double, NumSlots> F = unsetFactors();
  bool Dequantising = false; ///< weights are narrower than the compute format: dequant_gemv
  bool Fuses = true;
  /// Share of the smaller of a dense product's weight reads and arithmetic left exposed beside
  /// the larger (the runtime's `gemm_exposed`; 0: the two overlap fully).
  double GemmExposed = 0;
  /// Output elements a dense product needs on one device to keep all of its cores busy: the
  /// runtime's `fill gemm` at the compute precision (0: none). A product of M rows and N output
  /// columns a device costs as one of M + GemmFill / N rows (docs/formulas.md).
  double GemmFill = 0;
  bool LastTokenLogits = false;
  bool QuantizesTables = true; ///< the runtime's `quantizes_tables`
  double MemoryFraction = 1; ///< share of each device's memory the engine uses
  double KVFraction = 1;     ///< share of the memory left after weights and work for the cache
  double Workspace = 0;      ///< bytes per device the runtime keeps for itself
  int64_t MaxBatch = 0;      ///< cap on concurrent sequences (0: none)
  int64_t KVPage = 1;        ///< tokens a cache page holds (1: whole tokens, not paged)
  bool Preempt = false;      ///< KVPolicy::Preempt: pages as sequences grow, preemption
  bool MixedPrefill = true;  ///< a prefill chunk shares its iteration with the decode step
  bool ChunkedPrefill = true;   ///< prompts may be split over iterations (else whole prompts only)
  bool AsyncScheduling = false; ///< batches chosen an iteration ahead, host time beside forwards
  bool Ideal = false;        ///< the ideal roofline: every factor 1, no fixed cost
  std::vector<FactorUse> Uses;
  std::vector<std::string> Notes;

  /// Expert layers' products: the dense peak of their compute precision (all devices) and their
  /// expected gemm rate before the experts factor (that peak x the hardware's achievable fraction
  /// x the runtime's `compute gemm` at that precision; the peak on the ideal machine). The
  /// compute precision's (rate(Slot::Gemm)) unless the scenario sets `expert_compute`.
  double ExpertPeak = 0, ExpertGemmRate = 0;
  bool OwnExpertCompute = false; ///< the two above are the expert precision's, not the compute's
  /// A language model's attention products at their own precision (attentionPrecision, where it
  /// is not the compute's): its dense peak (all devices) and the hardware's achievable fraction
  /// of it (1 on the ideal machine, as for the expert layers' own precision).
  double AttentionPeak = 0, AttentionHw = 1;
  bool OwnAttention = false;
  /// A model with an input (or a pipeline's denoiser) runs its attention's products as products
  /// at their own precision: the runtime's `compute gemm` factor at that precision times its
  /// peak and the hardware's fraction (the precision's gemm rate; its peak on the ideal machine;
  /// with OwnAttention only).
  double AttentionGemmRate = 0;
  /// A pipeline's encoders ([0]) and decoder ([1]) at their own precision (`encoder_precision`,
  /// `decoder_precision`), as the experts above: its dense peak (all devices) and expected gemm
  /// rate. `Own` false: the compute precision's (Peak and rate(Slot::Gemm)).
  struct PartCompute {
    double Peak = 0, GemmRate = 0;
    bool Own = false;
  };
  std::array<PartCompute, 2> Parts{};
  /// The dense peak and expected gemm rate of a pipeline's part: `Part` 0 the encoders, 1 the
  /// decoder, anything else the denoiser (the compute precision's).
  double partPeak(int Part) const {
    return Part >= 0 && Part < 2 && Parts[Part].Own ? Parts[Part].Peak : Peak;
  }
  double partGemmRate(int Part) const {
    return Part >= 0 && Part < 2 && Parts[Part].Own ? Parts[Part].GemmRate
           : Ideal                                  ? Peak
                                                    : rate(Slot::Gemm);
  }
  /// The rate of a model with an input's attention products in a pipeline's part (as
  /// partGemmRate; the default: the model itself, or the denoiser): a part at its own precision
  /// runs them with its other products; else, where they run at a precision of their own
  /// (OwnAttention: 16-bit activations beside narrower products), that precision's gemm rate.
  double partAttentionRate(int Part = -1) const {
    const bool OwnPart = Part >= 0 && Part < 2 && Parts[Part].Own;
    return OwnAttention && !OwnPart ? AttentionGemmRate : partGemmRate(Part);
  }

  double f(Slot K) const { return F[static_cast<int>(K)]; }
  /// Expected rate of a compute slot (FLOP/s) and of a bandwidth slot (bytes/s).
  double rate(Slot K) const {
    return K == Slot::AttentionCompute && OwnAttention ? AttentionPeak * AttentionHw * f(K)
                                                       : Peak * HwCompute * f(K);
  }
  /// Expected rate of the expert layers' products: the experts factor on their gemm rate.
  double expertRate() const { return ExpertGemmRate * f(Slot::Experts); }
  /// Every compute peak `K` times as fast (a what-if).
  void scaleCompute(double K) {
    Peak *= K;
    AttentionPeak *= K;
    AttentionGemmRate *= K;
    ExpertPeak = OwnExpertCompute ? ExpertPeak * K : Peak;
    ExpertGemmRate = OwnExpertCompute ? ExpertGemmRate * K : Ideal ? Peak : rate(Slot::Gemm);
    for (PartCompute &P : Parts) {
      P.Peak *= K;
      P.GemmRate *= K;
    }
  }
  double bandwidth(Slot K) const { return Bandwidth * HwBandwidth * f(K); }
  /// The link, and the measured all-reduce with it, `K` times as fast (a what-if).
  void scaleInterconnect(double K) {
    LinkBandwidth *= K;
    PeerBandwidth *= K;
    AllReduce.Scale *= K;
  }
  /// The slot weight reads use: dequant_gemv for weight-only quantisation, else gemv.
  Slot weightSlot() const { return Dequantising ? Slot::DequantGemv : Slot::Gemv; }
  /// The same machine at the ideal roofline: datasheet figures, no fixed cost, every byte of
  /// memory usable.
  Machine ideal() const;
};

/// The `link` section a group of `N` devices of `H` runs its collectives over: the first that
/// reaches every member directly (switched, or a mesh of at least N - 1 peers), else the first;
/// null when `H` has none.
const Section *groupLink(const HardwareRecord &H, double N);
/// Bytes/s one direction from one device of such a group to one other over that link: half its
/// `bandwidth`, on a mesh (`peers`) the ports to that one peer; 0 without a link.
double peerLinkBandwidth(const HardwareRecord &H, double N);
/// The first `memory` section of `H` (its main memory), or null.
const Section *mainMemory(const HardwareRecord &H);
/// Main memory of one device of `H`, bytes: the first memory tier's datasheet `capacity`, or,
/// with `Visible` (--device-memory-visible), its `visible` size (what the driver reports) where
/// the record gives one; 0 when it has no memory tier.
double deviceMemory(const HardwareRecord &H, bool Visible);

/// The precision of `S`'s embedding tables and untied output heads: the activations' where the
/// runtime does not quantize tables (`QuantizesTables` false: `quantizes_tables = false`) and the
/// weights are narrower, else the weights'.
const PrecisionRecord &tablePrecision(const ScenarioRecord &S, bool QuantizesTables);
/// The same for the runtime `S` ran on (its UsedRuntime; none quantizes tables).
const PrecisionRecord &tablePrecision(const ScenarioRecord &S);

/// The runtime a scenario runs on: its own, else --runtime, else the default (may be null).
const RuntimeRecord *runtimeOf(const Module &M, const ScenarioRecord &S);

/// The tokens a cache page holds for scenario `S` on runtime `R` (may be null): the scenario's,
/// else the runtime's, else 1 (not paged).
int64_t cachePage(const ScenarioRecord &S, const RuntimeRecord *R);
/// Whether `S` on `R` grows caches by pages and preempts (`kv_policy = "preempt"`): the
/// scenario's policy, else the runtime's, else not (reserve).
bool preemptsCache(const ScenarioRecord &S, const RuntimeRecord *R);
/// Whether `S` on `R` runs a prefill chunk beside the decode step (`mixed_prefill`): the
/// scenario's, else the runtime's, else yes.
bool mixesPrefill(const ScenarioRecord &S, const RuntimeRecord *R);
/// Whether `S` on `R` may split a prompt over iterations to fill an iteration's tokens
/// (`chunked_prefill`): the scenario's, else the runtime's, else yes.
bool chunksPrompts(const ScenarioRecord &S, const RuntimeRecord *R);
/// Whether `S` on `R` chooses each iteration's batch as the one before starts
/// (`async_scheduling`): the scenario's, else the runtime's, else no.
bool schedulesAhead(const ScenarioRecord &S, const RuntimeRecord *R);
/// The deployment's own value of a host-time slot (`step_overhead`, `request_overhead` or
/// `sequence_overhead` set on the scenario or serving record `S`); none for another slot or where
/// the record leaves it to the runtime.
std::optional<double> ownHostTime(const ScenarioRecord &S, Slot K);

/// Builds the machine of scenario `S` on runtime `R` (null: factors 1), with `Overrides`
/// replacing the runtime's slots. `Describe` fills Uses and Notes (reports want them; the fit,
/// which builds machines by the thousand, does not).
Machine makeMachine(const Module &M, const ScenarioRecord &S, const RuntimeRecord *R,
                    llvm::ArrayRef<SlotOverride> Overrides = {}, bool Describe = true);

/// Adds to `X.Uses` the line that says its collectives take the hardware's measured all-reduce
/// (the largest size's bus bandwidth over the link's), where `H` has one.
void describeAllReduce(Machine &X, const HardwareRecord &H);

/// Where `S` gives its experts their own precisions (`expert_weights`, `expert_compute`) and its
/// model has no expert layers to give them to: what the model has instead ("no expert layers",
/// or, for a model with an input, "an input: it is not a language model"); null otherwise.
const char *expertPrecisionProblem(const ScenarioRecord &S);

/// Where `S` sets `attention_dp` on a model it does not apply to: what the model has ("an
/// encoder: ...", "an input: ..."); null otherwise.
const char *attentionDPProblem(const ScenarioRecord &S);

/// The precision key a slot is looked up by in scenario `S` under runtime `R` (compute, weights,
/// KV or activations; the compute precisions as computeUnder gives them; attention's products at
/// attentionPrecision; expert products of 16 bits or wider over narrower weights at the expert
/// weights', a weight-only product being another kernel).
const PrecisionRecord *slotPrecision(const ScenarioRecord &S, Slot K, const RuntimeRecord *R);

/// The precision a language model's attention products (scores and values) run at in `S` under
/// runtime `R`: the KV cache's where it is wider than the compute precision (an FP4 model with an
/// FP8 cache runs its attention at FP8), else the compute's.
const PrecisionRecord *attentionPrecision(const ScenarioRecord &S, const RuntimeRecord *R);

/// Whether `S` on `R` reads weights narrower than its products run (weight-only quantisation:
/// dequantising kernels, the `dequant_gemv` slot at the weights' precision).
bool dequantising(const ScenarioRecord &S, const RuntimeRecord *R);

/// The precision scenario `S`'s products, and its expert layers', run at under the runtime it
/// runs (runtimeOf): what reports and tables show.
const PrecisionRecord *computeOf(const Module &M, const ScenarioRecord &S);
const PrecisionRecord *expertComputeOf(const Module &M, const ScenarioRecord &S);

} // namespace zoo

#endif
