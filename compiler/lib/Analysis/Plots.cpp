//===- Plots.cpp - the data behind the charts of --emit=html --------------===//
//
// buildPlotData, in order:
//   1. The language models among the shown models (an expanded model without an input, with
//      something to analyse), by name.
//   2. For each device setup, by hardware name: its runtime (runtimeOf) and machine (makeMachine)
//      give the datasheet roof (peak, bandwidth) and the achievable roof (times the hardware's
//      achievable fractions and the runtime's `compute gemm` and weight-read factors). Then for
//      each language model, a scenario like the template with that model at the analysis point:
//      the closed form (PreparedLM) on the expected and the ideal machine gives the prefill and
//      the mid-generation decode step (work, time, bound) and, through the sweep engine over the
//      batch axis at the point's prompt and output, the latency and throughput curves.
//      A model with bidirectional attention (an encoder) has no generation: its prefill point
//      only.
//      Then for each pipeline (one with a denoiser), a scenario like the template running it
//      (each part at the scenario's precisions, the pipeline's steps and guidance) at each batch
//      of the axis, analysed in full (analyse) on the expected and the ideal machine: the time a
//      batch and the images a second, and whether every part fits.
//   3. For each language model but the encoders and those with neither cache nor state, its KV
//   cache and state of one sequence at the point's KV
//      precision over the context axis, exact (`kv_bytes`); the axis ends at the model's declared
//      context (the longest any shown model declares, where it declares none), or at the
//      analysis context where that is longer.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Plots.h"
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Analysis/Sweep.h"
#include <algorithm>

using namespace zoo;

std::vector<int64_t> zoo::batchAxis(int64_t PointBatch) {
  std::vector<int64_t> Out;
  const int64_t Top = std::max<int64_t>(256, PointBatch);
  for (int64_t B = 1; B <= Top; B *= 2) {
    Out.push_back(B);
    if (B > Top / 2)
      break;
  }
  if (!std::binary_search(Out.begin(), Out.end(), PointBatch))
    Out.insert(std::upper_bound(Out.begin(), Out.end(), PointBatch), PointBatch);
  return Out;
}

std::vector<int64_t> zoo::contextAxis(int64_t Limit, int64_t PointContext) {
  std::vector<int64_t> Out;
  for (int64_t C = Limit < 128 ? 1 : 128; C < Limit; C *= 2)
    Out.push_back(C);
  Out.push_back(Limit);
  if (PointContext <= Limit && !std::binary_search(Out.begin(), Out.end(), PointContext))
    Out.insert(std::upper_bound(Out.begin(), Out.end(), PointContext), PointContext);
  return Out;
}

namespace {
/// A phase's expected and ideal cost as a roofline point.
RooflinePhase phase(const PhaseCost &Expected, const PhaseCost &Ideal) {
  RooflinePhase P;
  P.Flops = Expected.Flops;
  P.Bytes = Expected.Bytes;
  P.Time = Expected.Time;
  P.IdealTime = Ideal.Time;
  P.Binds = Expected.Binds;
  return P;
}

/// Whether the performance model has anything to price for model `R` (the roofline pass's test;
/// an encoder-decoder's prompt is its source).
bool analysable(const ModelRecord &R) {
  const ModelStats &St = R.Stats;
  return R.Root && !St.PerInput &&
         !(St.Params == 0 && St.MacsConst == 0 && St.Attention.empty() && St.StateValues == 0);
}

int64_t declaredContext(const ModelRecord &R) {
  const FieldValue *C = R.field("context");
  if (!C)
    return 0;
  double V = C->V.asDouble();
  return V >= 1 && V < 0x1p62 ? static_cast<int64_t>(V) : 0;
}
} // namespace

PlotData zoo::buildPlotData(const Module &M, const PlotRequest &Req) {
  PlotData D;
  D.Point = Req.Point;
  D.Context = Req.Context;
  D.KVPrecision = Req.KV;
  D.Batches = batchAxis(Req.Point.Batch);
  auto ByName = [](const auto *A, const auto *B) { return A->Name < B->Name; };

  // 1. Language models.
  for (const ModelRecord *R : Req.Models)
    if (analysable(*R))
      D.LanguageModels.push_back(R);
  std::stable_sort(D.LanguageModels.begin(), D.LanguageModels.end(), ByName);
  for (const ModelRecord *R : D.LanguageModels)
    if (R->Stats.hasBidirectional())
      D.Encoders.push_back(R);
  auto IsEncoder = [&](const ModelRecord *R) {
    return std::find(D.Encoders.begin(), D.Encoders.end(), R) != D.Encoders.end();
  };

  for (const PipelineRecord *P : Req.Pipelines)
    if (P->Denoiser && P->Denoiser->Root)
      D.Pipelines.push_back(P);
  std::stable_sort(D.Pipelines.begin(), D.Pipelines.end(), ByName);

  // 2. Device setups.
  std::vector<const DeviceSetup *> Setups;
  for (const DeviceSetup &S : Req.Devices)
    Setups.push_back(&S);
  std::stable_sort(Setups.begin(), Setups.end(), [](const DeviceSetup *A, const DeviceSetup *B) {
    return A->Hw->Name < B->Hw->Name;
  });
  SweepSpec Spec;
  Spec.Batch = D.Batches;
  Spec.Prompt = {Req.Point.Prompt};
  Spec.Output = {Req.Point.Output};
  for (const DeviceSetup *Setup : Setups) {
    DeviceRoofline Roof;
    Roof.Hw = Setup->Hw;
    // The first tier, as the machine takes it.
    Roof.Capacity = deviceMemory(*Setup->Hw, M.VisibleMemory);
    if (!Setup->Template) {
      Roof.Unavailable = Setup->Unavailable;
      D.Devices.push_back(std::move(Roof));
      continue;
    }
    const ScenarioRecord &T = *Setup->Template;
    const RuntimeRecord *Runtime = runtimeOf(M, T);
    const Machine X = makeMachine(M, T, Runtime, {}, /*Describe=*/false);
    Roof.Compute = X.PeakPrecision;
    Roof.Weights = T.Weights;
    Roof.Runtime = Runtime;
    Roof.Devices = X.Devices;
    Roof.Peak = X.Peak;
    Roof.Bandwidth = X.Bandwidth;
    Roof.WeightSlot = X.weightSlot();
    Roof.ComputeRoof = X.rate(Slot::Gemm);
    Roof.MemoryRoof = X.bandwidth(Roof.WeightSlot);
    Roof.HwCompute = X.HwCompute;
    Roof.HwBandwidth = X.HwBandwidth;
    Roof.GemmFactor = X.f(Slot::Gemm);
    Roof.WeightFactor = X.f(Roof.WeightSlot);
    Roof.Ridge = X.Peak * X.HwCompute / (X.Bandwidth * X.HwBandwidth); // as PreparedLM's
    // A scenario like the template's, named as an ad hoc one, of `Model` (a pipeline's denoiser
    // for a pipeline).
    auto LikeTemplate = [&](const std::string &Name, const ModelRecord *Model) {
      ScenarioRecord S(Name + "@" + T.Hw->Name, llvm::SMRange());
      S.AdHoc = true;
      S.Model = Model;
      S.Hw = T.Hw;
      S.Weights = T.Weights;
      S.KV = T.KV;
      S.Compute = T.Compute;
      S.ComputeGiven = T.ComputeGiven;
      S.Activations = T.Activations;
      S.Runtime = T.Runtime;
      S.Devices = T.Devices;
      return S;
    };
    for (const ModelRecord *Model : D.LanguageModels) {
      ScenarioRecord S = LikeTemplate(Model->Name, Model);
      S.Batch = Req.Point.Batch;
      S.Prompt = Req.Point.Prompt;
      S.Output = Req.Point.Output;
      const Machine Expected = makeMachine(M, S, Runtime, {}, /*Describe=*/false);
      const Machine Ideal = Expected.ideal();
      const LMFigures F = PreparedLM(S, Expected).evaluate(Req.Point);
      const LMFigures FI = PreparedLM(S, Ideal).evaluate(Req.Point);
      RooflinePoint P;
      P.Model = Model;
      P.Prefill = phase(F.Prefill, FI.Prefill);
      P.Fits = F.Fits;
      P.Encoder = IsEncoder(Model);
      if (!P.Encoder)
        P.Decode = phase(F.Mid, FI.Mid);
      Roof.Points.push_back(P);
      if (P.Encoder)
        continue;

      BatchCurve C;
      C.Model = Model;
      C.Hw = T.Hw;
      C.Samples.resize(D.Batches.size());
      SweepEngine E(S, Expected, Spec), EI(S, Ideal, Spec);
      E.run(0, E.size(), [&](uint64_t I, const LMPoint &Pt, const LMFigures &G) {
        BatchSample &B = C.Samples[I];
        B.Batch = Pt.Batch;
        B.DecodeTime = G.DecodeMean;
        B.PrefillTime = G.Prefill.Time;
        B.Rate = G.AggregateTokensPerS;
        B.Fits = G.Fits;
      });
      EI.run(0, EI.size(), [&](uint64_t I, const LMPoint &, const LMFigures &G) {
        BatchSample &B = C.Samples[I];
        B.IdealDecodeTime = G.DecodeMean;
        B.IdealPrefillTime = G.Prefill.Time;
        B.IdealRate = G.AggregateTokensPerS;
        B.IdealFits = G.Fits;
      });
      D.Batch.push_back(std::move(C));
    }
    for (const PipelineRecord *P : D.Pipelines) {
      ScenarioRecord S = LikeTemplate(P->Name, P->Denoiser);
      S.Pipeline = P;
      const Machine Expected = makeMachine(M, S, Runtime, {}, /*Describe=*/false);
      const Machine Ideal = Expected.ideal();
      ImageCurve C;
      C.Pipeline = P;
      C.Hw = T.Hw;
      for (int64_t B : D.Batches) {
        S.Batch = B;
        const InferenceResult E = analyse(M, S, Expected), I = analyse(M, S, Ideal);
        ImageSample X;
        X.Batch = B;
        X.BatchTime = E.number(ScenarioMetric::batch_time);
        X.IdealBatchTime = I.number(ScenarioMetric::batch_time);
        X.Rate = E.number(ScenarioMetric::images_per_s);
        X.IdealRate = I.number(ScenarioMetric::images_per_s);
        X.Fits = E.fits();
        X.IdealFits = I.fits();
        C.Samples.push_back(X);
      }
      D.Images.push_back(std::move(C));
    }
    D.Devices.push_back(std::move(Roof));
  }
  std::stable_sort(D.Images.begin(), D.Images.end(), [](const ImageCurve &A, const ImageCurve &B) {
    return A.Pipeline->Name != B.Pipeline->Name ? A.Pipeline->Name < B.Pipeline->Name
                                                : A.Hw->Name < B.Hw->Name;
  });
  std::stable_sort(D.Batch.begin(), D.Batch.end(), [](const BatchCurve &A, const BatchCurve &B) {
    return A.Model->Name != B.Model->Name ? A.Model->Name < B.Model->Name : A.Hw->Name < B.Hw->Name;
  });

  // 3. KV cache against context.
  if (Req.KV) {
    int64_t Longest = 0;
    for (const ModelRecord *R : D.LanguageModels)
      Longest = std::max(Longest, declaredContext(*R));
    for (const ModelRecord *R : D.LanguageModels) {
      if (IsEncoder(R) || kvValues(R->Stats, 1).approx() == 0)
        continue; // no cache and no state to draw
      KVCurve C;
      C.Model = R;
      C.DeclaredContext = declaredContext(*R);
      int64_t Limit = std::max(C.DeclaredContext ? C.DeclaredContext : Longest, Req.Context);
      for (int64_t Ctx : contextAxis(Limit, Req.Context))
        C.Samples.push_back({Ctx, bytesAt(kvValues(R->Stats, Ctx), *Req.KV)});
      D.KV.push_back(std::move(C));
    }
  }
  return D;
}
