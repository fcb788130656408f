//===- Plots.h - the data behind the charts of --emit=html --------*- C++ -*-===//
//
// Everything the HTML report draws, computed here so that its emitter only draws: for each
// device setup (a hardware record with its precisions, device count and runtime) the datasheet
// roof, the achievable roof the performance model uses and each language model's prefill and
// decode point at the analysis point; each language model's KV cache and state against context;
// the expected and ideal latency and throughput of each model on each device against batch; each
// pipeline's time a batch and images a second on each device against batch. The figures are
// those of the performance model (LanguageModel.h, Inference.h) on the same scenario, so a point
// here is the point `--emit=analysis` reports. Pure functions; no printing.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_PLOTS_H
#define ZOO_ANALYSIS_PLOTS_H

#include "zoo/Analysis/Inference.h"
#include "zoo/Analysis/LanguageModel.h"
#include <string>
#include <vector>

namespace zoo {

/// One phase (the batch's prefill, or the decode step at the middle of the generation) as a
/// roofline point: its work, its expected time and bound, and its time at the ideal roofline.
struct RooflinePhase {
  double Flops = 0, Bytes = 0, Time = 0, IdealTime = 0;
  Bound Binds = Bound::Memory;
  double intensity() const { return Flops / Bytes; }
  double rate() const { return Flops / Time; }           ///< expected FLOP/s
  double idealRate() const { return Flops / IdealTime; } ///< FLOP/s at the ideal roofline
};

struct RooflinePoint {
  const ModelRecord *Model = nullptr;
  RooflinePhase Prefill, Decode;
  bool Fits = false;    ///< weights, KV cache and workspace fit the setup's memory
  bool Encoder = false; ///< bidirectional: one forward pass, no decode (Decode is not set)
};

/// A hardware record as the report places models on it.
struct DeviceSetup {
  const HardwareRecord *Hw = nullptr;
  /// Precisions, device count and runtime of every scenario on this hardware (its model unset);
  /// null when the hardware cannot be analysed.
  const ScenarioRecord *Template = nullptr;
  std::string Unavailable; ///< why it cannot be analysed, when Template is null
};

/// One device setup's roofline.
struct DeviceRoofline {
  const HardwareRecord *Hw = nullptr;
  std::string Unavailable; ///< why there is no roofline ("" when there is one)
  const PrecisionRecord *Compute = nullptr, *Weights = nullptr;
  const RuntimeRecord *Runtime = nullptr; ///< null: no runtime (factors 1)
  double Devices = 1;
  double Capacity = 0;            ///< first memory tier per device, bytes (0: none)
  double Peak = 0, Bandwidth = 0; ///< datasheet: dense FLOP/s, bytes/s, all devices
  /// The achievable roof of the performance model: the peak times the hardware's achievable
  /// fraction and the runtime's `compute gemm` factor; the bandwidth times the hardware's
  /// achievable fraction and the runtime's weight-read factor (WeightSlot).
  double ComputeRoof = 0, MemoryRoof = 0;
  double HwCompute = 1, HwBandwidth = 1, GemmFactor = 1, WeightFactor = 1;
  Slot WeightSlot = Slot::Gemv;
  double Ridge = 0; ///< `ridge_point` as the analysis reports it (hardware fractions only)
  std::vector<RooflinePoint> Points; ///< one per language model, by name
};

/// One sample of a latency and throughput curve: the expected figures and the ideal roofline's.
struct BatchSample {
  int64_t Batch = 1;
  double DecodeTime = 0, IdealDecodeTime = 0;   ///< mean time per output token (s)
  double PrefillTime = 0, IdealPrefillTime = 0; ///< time to first token: the batch's prefill
  double Rate = 0, IdealRate = 0;               ///< decode tokens/s of the whole batch
  bool Fits = false, IdealFits = false;         ///< the batch's memory fits (each machine's)
};

struct BatchCurve {
  const ModelRecord *Model = nullptr;
  const HardwareRecord *Hw = nullptr;
  std::vector<BatchSample> Samples; ///< by batch, ascending
};

/// One sample of a pipeline's curve against batch: the time of a batch of images and the images
/// a second, expected and at the ideal roofline (the `batch_time` and `images_per_s` metrics).
struct ImageSample {
  int64_t Batch = 1;
  double BatchTime = 0, IdealBatchTime = 0; ///< seconds a batch of images
  double Rate = 0, IdealRate = 0;           ///< images a second
  bool Fits = false, IdealFits = false;     ///< every part fits each machine's memory
};

struct ImageCurve {
  const PipelineRecord *Pipeline = nullptr;
  const HardwareRecord *Hw = nullptr;
  std::vector<ImageSample> Samples; ///< by batch, ascending
};

struct KVSample {
  int64_t Context = 0;
  Value Bytes; ///< exact where integral (the `kv_bytes` metric)
};

struct KVCurve {
  const ModelRecord *Model = nullptr;
  int64_t DeclaredContext = 0;   ///< the model's `context`, 0 where it declares none
  std::vector<KVSample> Samples; ///< by context, ascending; the analysis context among them
};

/// What the report asks for.
struct PlotRequest {
  std::vector<const ModelRecord *> Models; ///< shown models; language models get curves
  std::vector<const PipelineRecord *> Pipelines; ///< shown pipelines; each gets image curves
  std::vector<DeviceSetup> Devices;        ///< shown hardware
  LMPoint Point;                           ///< the analysis point's batch, prompt and output
  int64_t Context = 0;                     ///< the analysis point's context
  const PrecisionRecord *KV = nullptr;     ///< precision of the KV chart (the point's)
};

struct PlotData {
  std::vector<const ModelRecord *> LanguageModels; ///< by name
  /// Those of them with bidirectional attention (encoders): a prefill point only, no decode,
  /// no KV cache, no batch curves.
  std::vector<const ModelRecord *> Encoders;
  std::vector<DeviceRoofline> Devices; ///< by hardware name
  std::vector<KVCurve> KV;             ///< by model name: the language models with a cache or state
  std::vector<BatchCurve> Batch;       ///< by model name, then hardware name
  std::vector<const PipelineRecord *> Pipelines; ///< by name: those with a denoiser to price
  std::vector<ImageCurve> Images;                ///< by pipeline name, then hardware name
  std::vector<int64_t> Batches;        ///< the batch axis of every curve
  LMPoint Point;
  int64_t Context = 0;
  const PrecisionRecord *KVPrecision = nullptr;
};

/// The batch axis: powers of two from 1 to 256 (further, to the point's batch, where larger),
/// and the point's batch.
std::vector<int64_t> batchAxis(int64_t PointBatch);
/// The context axis of a model whose curve ends at `Limit`: powers of two from 128 (from 1
/// where `Limit` is below 128) below it, `Limit`, and `PointContext` where it is below `Limit`.
std::vector<int64_t> contextAxis(int64_t Limit, int64_t PointContext);

/// Computes every chart's data. Setups and models may come in any order; the result is sorted.
PlotData buildPlotData(const Module &M, const PlotRequest &R);

} // namespace zoo

#endif
