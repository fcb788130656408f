//===- Training.cpp - memory and time of a training step on a cluster -----===//
//
// One device of the busiest pipeline stage, one optimizer step:
//   1. the work: model FLOPs are 3 x the forward pass (forward, and a backward of twice its
//      work); recomputation adds a forward (full) or the attention core's forward (selective);
//   2. each micro-batch on a stage costs its share of that work at the performance model's
//      rates (matrix products at `compute gemm`, attention at `compute attention`), plus the
//      tensor-, context- and expert-parallel collectives of its layers and the pipeline sends;
//   3. a step is (m + (p - 1) / v) micro-batch times (the 1F1B schedule and its interleaved
//      form; the bubble is (p - 1) / (m v + p - 1) of it), then the gradient reduction that the
//      last backward pass does not hide, then the optimizer update (a memory-bound pass over
//      weights, gradients and states);
//   4. memory: weights, gradients and optimizer states of the stage's parameters, sharded over
//      tensor and expert ranks and by ZeRO over data-parallel ranks; activations of the
//      micro-batches the first stage keeps in flight.
// Conventions and sources: docs/formulas.md, "Training".
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Training.h"
#include "zoo/Analysis/Calibration.h"
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Analysis/Collectives.h"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

using namespace zoo;

namespace {

struct Walker {
  ActivationProfile &A;
  bool Dropout;
  int64_t Width;
  bool PerInput;
  // Consecutive linears reading the same tensor (q, k and v; gate and up) keep it once.
  int64_t PrevIn = -1;
  bool AfterNorm = false;
  int InLayers = 0; ///< inside a `repeat` or `for`: a layer; outside: the stem and the head

  static int64_t arg(const LayerNode &N, llvm::StringRef Name, int64_t Or = 0) {
    const Value *V = N.arg(Name);
    return V && V->T.K == Type::Int ? V->I : Or;
  }
  void reset() {
    PrevIn = -1;
    AfterNorm = false;
  }
  static double numel(const std::vector<int64_t> &Shape) {
    double N = 1;
    for (int64_t D : Shape)
      N *= static_cast<double>(D);
    return Shape.empty() ? 0 : N;
  }

  void children(const LayerNode &N, double Mult) {
    for (const auto &C : N.Children)
      walk(*C, Mult);
  }

  void walk(const LayerNode &N, double Mult) {
    switch (N.K) {
    case LayerNode::Repeat:
    case LayerNode::For:
      ++InLayers;
      children(N, Mult * static_cast<double>(N.K == LayerNode::Repeat ? N.Count : 1));
      --InLayers;
      return;
    case LayerNode::Block:
    case LayerNode::Iteration:
      return children(N, Mult);
    case LayerNode::Primitive:
      break;
    }
    if (PerInput)
      return input(N, Mult);
    if (!InLayers && (N.Prim == PrimitiveKind::norm || N.Prim == PrimitiveKind::linear)) {
      // The stem's and the head's own tensors (a final norm): kept once, on the last stage.
      A.HeadValues += Mult * static_cast<double>(arg(N, N.Prim == PrimitiveKind::norm ? "dim" : "in"));
      return reset();
    }
    switch (N.Prim) {
    case PrimitiveKind::norm: {
      int64_t Dim = arg(N, "dim");
      (Dim == Width ? A.Replicated : A.Sharded) += Mult * static_cast<double>(Dim);
      PrevIn = -1;
      AfterNorm = Dim == Width;
      return;
    }
    case PrimitiveKind::linear: {
      int64_t In = arg(N, "in"), Out = arg(N, "out");
      if (In == PrevIn)
        return; // the same input as the linear before it
      bool Rep = AfterNorm && In == Width;
      (Rep ? A.Replicated : A.Sharded) += Mult * static_cast<double>(In);
      if (Dropout && !Rep && Out == Width)
        A.MaskBytes += Mult * static_cast<double>(Out); // dropout before the residual add
      PrevIn = In;
      AfterNorm = Rep;
      return;
    }
    case PrimitiveKind::act: {
      const Value *Kind = N.arg("kind");
      double Dim = static_cast<double>(arg(N, "dim"));
      A.Sharded += Mult * (Kind && Kind->S == "mul" ? 2 * Dim : Dim);
      return reset();
    }
    case PrimitiveKind::attend: {
      int64_t Heads = arg(N, "heads"), KV = arg(N, "kv_heads", Heads), HD = arg(N, "head_dim");
      int64_t VHD = arg(N, "v_head_dim", 0);
      if (VHD <= 0)
        VHD = HD;
      A.Sharded += Mult * static_cast<double>(Heads * HD + KV * HD + KV * VHD);
      if (std::find(A.Heads.begin(), A.Heads.end(), std::make_pair(Heads, KV)) == A.Heads.end())
        A.Heads.push_back({Heads, KV});
      // The scores a token keeps: its window, the chunk it attends within (each chunk's block
      // of scores, at most min(sequence, chunk) a token), or the top-k positions it reads.
      int64_t Window = arg(N, "chunk", 0) > 0    ? arg(N, "chunk", 0)
                       : arg(N, "window", 0) > 0 ? arg(N, "window", 0)
                                                 : arg(N, "topk", 0);
      bool Found = false;
      for (auto &[H, W] : A.Scores)
        if (W == Window) {
          H += Mult * static_cast<double>(Heads);
          Found = true;
        }
      if (!Found)
        A.Scores.push_back({Mult * static_cast<double>(Heads), Window});
      return reset();
    }
    case PrimitiveKind::lm_head:
      A.HeadValues += Mult * static_cast<double>(arg(N, "dim"));
      A.LogitBytes += Mult * 4 * static_cast<double>(arg(N, "vocab"));
      return reset();
    case PrimitiveKind::ssm:
      A.Sharded += Mult * static_cast<double>(2 * arg(N, "d_inner") + 2 * arg(N, "d_state"));
      return reset();
    case PrimitiveKind::conv1d:
      A.Sharded += Mult * static_cast<double>(arg(N, "channels"));
      return reset();
    case PrimitiveKind::experts: {
      reset();
      children(N, Mult * static_cast<double>(arg(N, "top_k", 1)));
      return reset();
    }
    default:
      if (!N.Children.empty()) {
        reset();
        children(N, Mult);
      }
      return reset();
    }
  }

  /// Models with an input: every operation with weights or a nonlinearity keeps its input.
  void input(const LayerNode &N, double Mult) {
    switch (N.Prim) {
    case PrimitiveKind::conv2d:
    case PrimitiveKind::conv_transpose2d:
    case PrimitiveKind::linear:
    case PrimitiveKind::norm:
    case PrimitiveKind::batchnorm:
    case PrimitiveKind::act:
    case PrimitiveKind::pool2d:
    case PrimitiveKind::adaptive_pool:
    case PrimitiveKind::attend:
    case PrimitiveKind::lm_head:
      A.Sharded += Mult * numel(N.InShape);
      break;
    default:
      break;
    }
    children(N, Mult);
  }
};

double toD(const BigCount &C) { return C.approx(); }

} // namespace

ActivationProfile zoo::activationProfile(const ModelRecord &Model, bool Dropout) {
  ActivationProfile A;
  const ModelStats &S = Model.Stats;
  A.Layers = std::max<int64_t>(1, S.Layers);
  if (!Model.Root)
    return A;
  Walker W{A, Dropout, S.Width, S.PerInput};
  W.walk(*Model.Root, 1);
  A.LayerInputs = static_cast<double>(S.Width) * static_cast<double>(A.Layers);
  return A;
}

std::pair<LinkLevel, LinkLevel> zoo::systemLinks(const SystemRecord &S, bool Ideal,
                                                 const AllReduceCurve *Measured, LinkScale Scale) {
  LinkLevel Intra{S.Fabric.Bandwidth * Scale.Fabric, Ideal ? 0 : S.Fabric.Latency}, Inter;
  // A full mesh: each device's fabric bandwidth divided among the node's other devices.
  if (S.Fabric.Topology == "mesh")
    Intra.Peers = double(std::max<int64_t>(1, S.Devices - 1));
  Inter = {Intra.Bandwidth, Intra.Latency};
  if (S.Network)
    Inter = {double(S.Network->Nics) * S.Network->Bandwidth * Scale.Network / double(S.Devices) /
                 std::max(1.0, S.Network->Oversubscription),
             Ideal ? 0 : S.Network->Latency};
  if (Measured && !Measured->empty())
    Intra.Measured = Measured;
  return {Intra, Inter};
}

std::string zoo::trainingLayoutProblem(const TrainingRecord &T, const ActivationProfile &A) {
  const ModelStats &St = T.Model->Stats;
  int64_t L = std::max<int64_t>(1, St.Layers);
  int64_t Stages = T.PP * T.Interleave;
  // Stages of unequal depth may also give the first and the last model chunk no layer of their
  // own, only the embedding or the output head (Llama 3 405B's pipeline: one layer fewer on the
  // first and the last stage, each chunk one layer).
  const int64_t Slots = L + (T.UnevenStages ? 2 : 0);
  if (Stages > Slots)
    return fmt::format("pp x interleave ({}) exceeds the model's {} layers{}", Stages, L,
                       T.UnevenStages ? " and the two chunks of only the embedding and the head"
                                      : "");
  if (L % Stages && !T.UnevenStages)
    return fmt::format("pp x interleave ({}) does not divide the model's {} layers (say "
                       "`uneven_stages = true` for stages of unequal depth)",
                       Stages, L);
  if (T.EP > 1 && St.Experts.empty())
    return "ep > 1 needs a model with expert layers";
  for (const ExpertTerm &E : St.Experts)
    if (T.EP > 1 && E.Count % T.EP)
      return fmt::format("ep ({}) does not divide the {} experts of a layer", T.EP, E.Count);
  for (const auto &[Heads, KV] : A.Heads) {
    if (Heads % T.TP)
      return fmt::format("tp ({}) does not divide the {} attention heads", T.TP, Heads);
    // Key-value heads split over the tensor ranks, or each is replicated over a whole number of
    // them (multi-query and grouped-query attention with tp above the groups).
    if (KV % T.TP && T.TP % KV)
      return fmt::format("tp ({}) neither divides nor is a multiple of the {} key-value heads",
                         T.TP, KV);
  }
  return "";
}

TrainingCost zoo::trainingCost(const Module &M, const TrainingRecord &T, const Machine &X,
                               const ActivationProfile &A, LinkScale Scale) {
  (void)M;
  TrainingCost C;
  const ModelStats &St = T.Model->Stats;
  const SystemRecord &Sys = *T.System;
  const double t = double(T.TP), p = double(T.PP), d = double(T.DP), e = double(T.EP),
               c = double(T.CP), v = double(T.Interleave), b = double(T.MicroBatch);
  const double s = St.PerInput ? 1 : double(T.Sequence);
  const double G = double(T.GlobalBatch);
  const double m = G / (d * b); // micro-batches per step in each pipeline
  const double L = double(A.Layers);
  const double LStage = std::ceil(L / p);
  const double a = T.Precision->bitsPerValue() / 8; // bytes per activation value
  const double WB = T.Precision->bitsPerValue() / 8, GB = T.Grads->bitsPerValue() / 8;
  const double H = double(St.Width);
  const bool Ideal = X.Ideal;
  C.Tokens = G * s;

  // 1. Work per step.
  double Fwd, Att;
  if (St.PerInput) {
    Fwd = toD(BigCount(St.MacsConst)) * 2; // FLOPs of one input
    Att = 0;
  } else {
    // One sequence's forward pass (ClosedForm.h's trainingMacs: an encoder-decoder's source and
    // target of `sequence` tokens each, the encoder over the source and the decoder over the
    // target cross-attending to it); its attention, all but the per-token products.
    double Pre = toD(trainingMacs(St, Wide(T.Sequence)));
    Fwd = 2 * Pre;
    Att = 2 * (Pre - s * toD(BigCount(St.MacsConst) + BigCount(St.EncoderMacsConst)));
  }
  C.ModelFlops = 3 * Fwd * G;
  double Extra = T.Recomp == Recompute::Full        ? Fwd
                 : T.Recomp == Recompute::Selective ? Att
                                                    : 0;
  C.HardwareFlops = C.ModelFlops + Extra * G;
  const double Ranks = t * p * d * c;
  double AttFlops = (3 * Att + (T.Recomp != Recompute::None ? Att : 0)) * G;
  double GemmFlops = C.HardwareFlops - AttFlops;
  double GemmRate = X.rate(Slot::Gemm), AttRate = X.rate(Slot::AttentionCompute);
  // Products in a narrower format than the weights' (FP8 through Transformer Engine).
  const bool NarrowProducts = T.Compute->bitsPerValue() < T.Precision->bitsPerValue();
  double HeadFlops = 0, HeadRate = GemmRate, CastBytes = 0;
  if (T.Compute != T.Precision) {
    // The attention core stays in the 16-bit format: the machine's attention precision, as its
    // keys and values are activations of the training precision. So does the output head, at
    // its datasheet peak's share of the products' rate (the same achievable fraction).
    auto Peak = [&](const PrecisionRecord *P) {
      for (const Section &S : T.System->Hw->Sections)
        if (S.Kind == "compute")
          if (const FieldValue *F = S.field(P->Name))
            return F->V.asDouble();
      return 0.0;
    };
    double Narrow = Peak(T.Compute);
    if (Narrow > 0)
      HeadRate = GemmRate * Peak(T.Precision) / Narrow;
    if (NarrowProducts && !St.PerInput) {
      // So does the output head: Megatron's output layer is its own ColumnParallelLinear, not
      // a Transformer Engine module (forward, two backward products, again when recomputed).
      HeadFlops = 2 * toD(BigCount(St.HeadMacs)) * s * (3 + (T.Recomp == Recompute::Full)) * G;
      GemmFlops -= HeadFlops;
      // Every other product casts its 16-bit operands first: its input in the forward pass
      // (again when the forward is recomputed) and its output gradient in the backward, each
      // read at 16 bits and written at 8 twice, as is and transposed (Transformer Engine's
      // cast-transpose): 4 bytes a value. The weights are cast once a step and cached over
      // the micro-batches, under 0.1% of a step: left out.
      const double In = toD(BigCount(St.LinearInConst) + BigCount(St.EncoderLinearInConst));
      const double Out = toD(BigCount(St.LinearOutConst) + BigCount(St.EncoderLinearOutConst));
      CastBytes = 4 * (In * (1 + (T.Recomp == Recompute::Full)) + Out) * s * G;
    }
  }
  double PerDevice = 0;
  // The ideal bound's two roofs for one device's step: arithmetic at the peak, traffic at the
  // bandwidth (a schedule may overlap the two, and the collectives, entirely).
  double FlopTime = 0, ByteTime = 0;
  if (St.PerInput && !St.Kernels.empty()) {
    // Models with an input, operation by operation (as their inference is): each at the slower
    // of its roofs, forward once and backward twice (its input's and its weights' gradients);
    // elementwise operations (norms, activations, batch norm) are priced as memory traffic,
    // since training frameworks keep their inputs for the backward pass rather than fuse them.
    // Attention's products at the activations' precision where the products run narrower (FP8
    // training keeps its attention at 16 bits, as a language model's does).
    double BW = X.bandwidth(Slot::Activations);
    double Images = b / (t * p * c); // one micro-batch's inputs on one device
    for (const KernelCost &K : St.Kernels) {
      double Flops = 2 * toD(BigCount(K.Macs)) * Images;
      double Bytes = toD(BigCount(K.InElements + K.OutElements)) * a * Images +
                     toD(BigCount(K.Params)) * WB;
      const double Rate = K.Attention ? X.partAttentionRate() : GemmRate;
      const double F = Rate > 0 ? Flops / Rate : 0, B = BW > 0 ? Bytes / BW : 0;
      const double Passes = double(K.Count) * (3 + (T.Recomp == Recompute::Full ? 1 : 0));
      PerDevice += Passes * std::max(F, B);
      FlopTime += Passes * F;
      ByteTime += Passes * B;
    }
    // Every micro-batch of the step.
    PerDevice *= m;
    FlopTime *= m;
    ByteTime *= m;
  } else {
    PerDevice = (GemmRate > 0 ? GemmFlops / GemmRate : 0) + (AttRate > 0 ? AttFlops / AttRate : 0) +
                (HeadRate > 0 ? HeadFlops / HeadRate : 0);
    PerDevice /= Ranks;
    FlopTime = PerDevice;
    const double CastBW = X.bandwidth(Slot::Activations);
    C.Casts = CastBW > 0 ? CastBytes / Ranks / CastBW : 0;
    PerDevice += C.Casts;
    ByteTime = C.Casts;
    if (!X.Fuses) {
      // Elementwise work not fused into the products: written and read once per pass (forward,
      // twice backward, once more when recomputed).
      double Passes = 3 + (T.Recomp == Recompute::Full ? 1 : 0);
      double Bytes = toD(BigCount(St.ElementsConst) + BigCount(St.EncoderElementsConst)) *
                     C.Tokens * a * 2 * Passes / Ranks;
      double BW = X.bandwidth(Slot::Activations);
      if (BW > 0) {
        PerDevice += Bytes / BW;
        ByteTime += Bytes / BW;
      }
    }
  }
  const double ComputeMB = PerDevice / m; // one micro-batch on one stage

  // 2. Communication per micro-batch on one stage.
  const double PerNode = double(Sys.Devices);
  // Inside a node at the hardware's measured bus bandwidth where its record has one (none on
  // the ideal roofline), as inference's tensor-parallel all-reduces are.
  const auto [Intra, Inter] = systemLinks(Sys, Ideal, &X.AllReduce, Scale);
  const double Alpha = X.f(Slot::CollectiveLatency);
  auto Place = [&](double Size, double Inner) {
    // Megatron's order: tensor ranks innermost, then context, expert and data ranks; pipeline
    // stages outermost. A group of Size whose neighbours are Inner apart has PerNode / Inner
    // members in a node (at least one, at most the group).
    return Group{Size, std::clamp(PerNode / Inner, 1.0, Size)};
  };
  const double TokensMB = s / c * b;
  const double Recompute = T.Recomp == Recompute::Full ? 1 : 0;
  double TPMB = 0, CPMB = 0, EPMB = 0, PPMB = 0;
  if (t > 1 && !St.PerInput) {
    Group TG = Place(t, 1);
    double Bytes = TokensMB * H * a;
    double One = T.SequenceParallel
                     ? allGather(Bytes, TG, Intra, Inter) + reduceScatter(Bytes, TG, Intra, Inter) +
                           2 * Alpha
                     : allReduce(Bytes, TG, Intra, Inter) + Alpha;
    // Two per layer forward (attention, MLP), two backward, two more when recomputed.
    TPMB = LStage * (2 + 2 + 2 * Recompute) * One;
  }
  if (c > 1 && !St.PerInput) {
    Group CG = Place(c, t);
    Wide KV = 0;
    for (const AttentionTerm &Term : St.Attention)
      KV += Term.KVValues;
    double Bytes = TokensMB * c * double(KV) / L * a; // keys and values of the whole sequence
    CPMB = LStage * ((1 + Recompute) * (allGather(Bytes, CG, Intra, Inter) + Alpha) +
                     reduceScatter(Bytes, CG, Intra, Inter) + Alpha);
  }
  if (e > 1 && !St.Experts.empty()) {
    Group EG = Place(e, t * c);
    double MoELayers = 0, TopK = 0;
    for (const ExpertTerm &Term : St.Experts) {
      MoELayers += double(Term.Layers);
      TopK = std::max(TopK, double(Term.TopK));
    }
    double Bytes = TokensMB * TopK * H * a / t;
    // Dispatch and combine forward, both again backward (and in a recomputed forward).
    EPMB = std::ceil(MoELayers / p) * (4 + 2 * Recompute) * (allToAll(Bytes, EG, Intra, Inter) + Alpha);
  }
  if (p > 1) {
    double Bytes = TokensMB * H * a / (T.SequenceParallel ? t : 1);
    bool Across = t * c * d >= PerNode; // the next stage is in another node
    LinkLevel Lk = Across ? Inter : Intra;
    if (Lk.Bandwidth > 0)
      PPMB = 2 * v * (Bytes / pointToPoint(Lk) + Lk.Latency);
  }
  const double MB = ComputeMB + TPMB + CPMB + EPMB + PPMB;

  // 3. The step.
  const double Slots = m + (p - 1) / v;
  C.Compute = ComputeMB * m;
  C.TPComm = TPMB * m;
  C.CPComm = CPMB * m;
  C.EPComm = EPMB * m;
  C.PPComm = PPMB * m;
  C.Bubble = (p - 1) / v * MB;
  C.BubbleFraction = (p - 1) / (m * v + p - 1);

  // Parameters of one device on the busiest stage.
  const double Emb = double(St.EmbeddingParams), Experts = toD(expertParamsAll(St));
  const double Dense = std::max(0.0, double(St.Params) - Emb - Experts);
  const bool Tied = St.TiedHeadParams != 0;
  const double EmbStage = p > 1 && !Tied ? Emb / 2 : Emb; // first stage: the input table
  const double P = LStage * (Dense / L / t + Experts / L / (e * t)) + EmbStage / t;

  Group DG = Place(d, t * c);
  if (d > 1) {
    double Grads = P * GB, Weights = P * WB;
    if (T.Zero == 0)
      C.DPComm = allReduce(Grads, DG, Intra, Inter) + Alpha;
    else
      C.DPComm = reduceScatter(Grads, DG, Intra, Inter) + allGather(Weights, DG, Intra, Inter) +
                 2 * Alpha;
    if (T.Zero == 3) // weights gathered before each forward and backward of every micro-batch
      C.DPComm += m * 2 * (allGather(Weights, DG, Intra, Inter) + Alpha);
  }
  // The backward pass of the last micro-batch hides the reduction that overlaps it.
  double Hidden = T.OverlapGrad ? ComputeMB * 2 / 3 : 0;
  C.DPExposed = std::max(0.0, C.DPComm - Hidden);

  const double Shard = T.Zero >= 1 ? d : 1;
  const double OptBytes = P / Shard * (2 * (T.Opt->MasterBytes + T.Opt->StateBytes) + GB + WB);
  const double BW = X.Bandwidth * X.HwBandwidth;
  C.Optimizer = BW > 0 ? OptBytes / BW : 0;
  C.Step = Slots * MB + C.DPExposed + C.Optimizer;
  if (Ideal) {
    // A bound on every schedule, not this one's: no pipeline bubble (zero-bubble schedules), the
    // data-parallel reduction and every other collective beside the arithmetic, each no faster
    // than its own traffic over its link, and the traffic (casts, unfused elementwise work, the
    // optimizer's update) at the bandwidth beside the arithmetic at the peak.
    C.Bubble = C.BubbleFraction = C.DPExposed = 0;
    C.Step = std::max(
        {FlopTime, ByteTime + C.Optimizer, C.TPComm, C.CPComm, C.EPComm, C.PPComm, C.DPComm});
  }

  // 4. Memory of one device.
  C.Weights = P * WB / (T.Zero >= 3 ? d : 1);
  C.Grads = P * GB / (T.Zero >= 2 ? d : 1);
  C.States = P * (T.Opt->MasterBytes + T.Opt->StateBytes) / Shard;
  double Rep = A.Replicated / L * a + A.MaskBytes / L;
  double Shd = A.Sharded / L * a;
  // Scores exist only without flash attention; selective and full recomputation recompute them
  // (they are in the working set of the layer being recomputed).
  double Scores = 0;
  if (!T.FlashAttention && !St.PerInput)
    for (const auto &[Heads, Window] : A.Scores)
      Scores += Heads / L * double(toD(BigCount(visible(Wide(T.Sequence), Window)))) *
                (T.Dropout ? 2 * a + 1 : a);
  auto PerToken = [&](double Sc) {
    return T.SequenceParallel ? (Rep + Shd + Sc) / t : Rep + (Shd + Sc) / t;
  };
  double LayerMB = TokensMB * PerToken(Scores); // one layer, one micro-batch, everything
  double StoredMB = TokensMB * PerToken(T.Recomp == Recompute::None ? Scores : 0);
  double KeptMB = StoredMB;
  if (T.Recomp == Recompute::Full)
    KeptMB = TokensMB * H * a / (T.SequenceParallel ? t : 1);
  double InFlight = std::min(m, p) * (v > 1 ? 1 + (p - 1) / (p * v) : 1);
  double First = LStage * InFlight * KeptMB;
  double Last = LStage * KeptMB + TokensMB * (A.HeadValues * a + A.LogitBytes) / t;
  if (p == 1)
    First = Last = LStage * std::min(m, 1.0) * KeptMB +
                   TokensMB * (A.HeadValues * a + A.LogitBytes) / t;
  C.Activations = std::max(First, Last);
  if (T.Recomp == Recompute::Full)
    C.Activations += LayerMB; // the layer being recomputed
  C.Memory = C.Weights + C.Grads + C.States + C.Activations;
  C.Capacity = X.Capacity;
  return C;
}

Machine zoo::trainingMachine(const Module &M, const TrainingRecord &T, bool Describe) {
  ScenarioRecord S(T.Name, T.Range);
  S.Hw = T.System->Hw;
  S.Weights = S.Activations = S.KV = T.Precision;
  S.Compute = T.Compute;
  S.ComputeGiven = true; // the training record's
  S.Runtime = T.Runtime;
  S.Model = T.Model;
  Machine X = makeMachine(M, S, T.Runtime, {}, Describe);
  // Collectives inside a node (a node of more than one device, a run of more than one).
  if (Describe && T.Devices > 1 && T.System->Devices > 1)
    describeAllReduce(X, *T.System->Hw);
  return X;
}

namespace {
std::vector<int64_t> powersOfTwo(int64_t Max) {
  std::vector<int64_t> V;
  for (int64_t X = 1; X <= Max; X *= 2)
    V.push_back(X);
  return V;
}
} // namespace

double zoo::trainingDeviceMemory(const Module &M, const TrainingRecord &T) {
  return trainingMachine(M, T, /*Describe=*/false).Capacity;
}

bool zoo::planTraining(const Module &M, TrainingRecord &T) {
  const Machine X = trainingMachine(M, T, /*Describe=*/false);
  const ActivationProfile A = activationProfile(*T.Model, T.Dropout);
  const ModelStats &St = T.Model->Stats;
  auto Fixed = [&](const char *N) { return llvm::is_contained(T.Fixed, N); };
  const int64_t D = T.Devices, L = std::max<int64_t>(1, St.Layers);
  const int64_t Node = std::min(D, T.System->Devices);
  std::vector<int64_t> TPs = Fixed("tp") ? std::vector<int64_t>{T.TP} : powersOfTwo(Node);
  // (Context parallelism splits a causal stack's sequence; an encoder-decoder's source and
  // cross-attention are not modelled split: it keeps the record's cp, 1 unless given.)
  std::vector<int64_t> CPs = Fixed("cp") || St.PerInput || St.HasEncoder
                                 ? std::vector<int64_t>{T.CP}
                                 : powersOfTwo(std::min<int64_t>(D, 16));
  std::vector<int64_t> PPs;
  if (Fixed("pp"))
    PPs = {T.PP};
  else
    for (int64_t P = 1; P <= std::min(L, D); ++P)
      if (L % P == 0 && P <= 128)
        PPs.push_back(P);
  std::vector<int64_t> Vs = Fixed("interleave") ? std::vector<int64_t>{T.Interleave}
                                                : std::vector<int64_t>{1, 2, 3, 4, 6, 8, 12};
  std::vector<int64_t> MBs = Fixed("micro_batch") ? std::vector<int64_t>{T.MicroBatch}
                                                  : std::vector<int64_t>{1, 2, 4, 8};
  std::vector<int64_t> EPs{T.EP};
  if (!Fixed("ep") && !St.Experts.empty())
    EPs = powersOfTwo(std::min<int64_t>(D, St.Experts.front().Count));
  std::vector<Recompute> Rs = Fixed("recompute")
                                  ? std::vector<Recompute>{T.Recomp}
                                  : std::vector<Recompute>{Recompute::None, Recompute::Selective,
                                                           Recompute::Full};
  std::vector<int64_t> Zs = Fixed("zero") ? std::vector<int64_t>{T.Zero}
                                          : std::vector<int64_t>{0, 1, 2, 3};
  struct Tried {
    TrainingRecord::PlanRow Row;
    TrainingCost C;
  };
  std::vector<Tried> Fit;
  T.PlanConsidered = 0;
  T.PlanLeastMemory = INFINITY;
  TrainingRecord C = T;
  for (int64_t TP : TPs)
    for (int64_t CP : CPs)
      for (int64_t PP : PPs) {
        if (D % (TP * CP * PP))
          continue;
        int64_t DP = D / (TP * CP * PP);
        if (Fixed("dp") && DP != T.DP)
          continue;
        for (int64_t V : Vs) {
          if ((PP == 1 && V > 1) || (L % (PP * V) && !(T.UnevenStages && V == 1)))
            continue;
          for (int64_t MB : MBs) {
            if (T.GlobalBatch % (DP * MB) || (!St.PerInput && T.Sequence % CP))
              continue;
            for (int64_t EP : EPs) {
              if (DP % EP)
                continue;
              for (Recompute R : Rs)
                for (int64_t Z : Zs) {
                  if (Z > 0 && DP == 1 && !Fixed("zero"))
                    continue; // the same layout as ZeRO 0
                  C.TP = TP, C.CP = CP, C.PP = PP, C.DP = DP, C.Interleave = V, C.MicroBatch = MB;
                  C.EP = EP, C.Recomp = R, C.Zero = Z;
                  C.SequenceParallel = Fixed("sequence_parallel") ? T.SequenceParallel : TP > 1;
                  if (!trainingLayoutProblem(C, A).empty())
                    continue;
                  TrainingCost Cost = trainingCost(M, C, X, A);
                  ++T.PlanConsidered;
                  T.PlanLeastMemory = std::min(T.PlanLeastMemory, Cost.Memory);
                  bool Fits = Cost.Memory <= Cost.Capacity || Cost.Capacity <= 0;
                  if (!Fits || !std::isfinite(Cost.Step))
                    continue;
                  Fit.push_back({{TP, PP, CP, DP, EP, V, MB, Z, R, C.SequenceParallel, Cost.Step,
                                  Cost.Memory, true, ""},
                                 Cost});
                }
            }
          }
        }
      }
  T.PlanFitting = static_cast<int64_t>(Fit.size());
  T.PlanRows.clear();
  if (Fit.empty())
    return false;
  std::stable_sort(Fit.begin(), Fit.end(), [](const Tried &A, const Tried &B) {
    return A.Row.Step != B.Row.Step ? A.Row.Step < B.Row.Step : A.Row.Memory < B.Row.Memory;
  });
  const TrainingCost &Best = Fit.front().C;
  for (size_t I = 0; I < Fit.size() && I < 6; ++I) {
    TrainingRecord::PlanRow Row = Fit[I].Row;
    if (I) {
      // What the runner-up spends most beyond the best.
      const TrainingCost &C2 = Fit[I].C;
      std::pair<double, const char *> Parts[] = {
          {C2.Compute - Best.Compute, "compute (recomputation, smaller products)"},
          {C2.Bubble - Best.Bubble, "pipeline bubble"},
          {C2.TPComm - Best.TPComm, "tensor-parallel communication"},
          {C2.CPComm - Best.CPComm, "context-parallel communication"},
          {C2.EPComm - Best.EPComm, "expert-parallel communication"},
          {C2.PPComm - Best.PPComm, "pipeline sends"},
          {C2.DPExposed - Best.DPExposed, "exposed gradient reduction"},
          {C2.Optimizer - Best.Optimizer, "optimizer update"}};
      auto *Worst = std::max_element(std::begin(Parts), std::end(Parts),
                                     [](auto &A, auto &B) { return A.first < B.first; });
      if (Worst->first <= 1e-9 * Best.Step)
        Row.Why = "ties on time, needs more memory";
      else
        Row.Why = fmt::format("loses on {} +{:.3g} s", Worst->second, Worst->first);
    }
    T.PlanRows.push_back(Row);
  }
  const TrainingRecord::PlanRow &B = Fit.front().Row;
  T.TP = B.TP, T.PP = B.PP, T.CP = B.CP, T.DP = B.DP, T.EP = B.EP, T.Interleave = B.Interleave;
  T.MicroBatch = B.MicroBatch, T.Zero = B.Zero, T.Recomp = B.Recomp;
  T.SequenceParallel = B.SequenceParallel;
  return true;
}

std::vector<TrainingMetric> zoo::analyseTraining(const Module &M, TrainingRecord &T) {
  Machine X = trainingMachine(M, T, /*Describe=*/true);
  T.Factors = X.Uses;
  T.Notes = X.Notes;
  ActivationProfile A = activationProfile(*T.Model, T.Dropout);
  if (T.Model->Stats.PerInput && T.Recomp == Recompute::Full)
    T.Notes.push_back("full recomputation of a model with an input is priced as no "
                      "recomputation for memory: its layers' inputs are not told apart");

  std::vector<TrainingMetric> Bad;
  auto Fill = [&](const Machine &Mc, std::vector<std::pair<TrainingMetric, Value>> &Out) {
    TrainingCost C = trainingCost(M, T, Mc, A);
    double Devices = double(T.Devices);
    double Peak = Mc.Peak; // one device's dense peak at the precision
    auto Q = [&](TrainingMetric K, double V, const char *Unit) {
      if (!std::isfinite(V)) {
        Bad.push_back(K);
        return;
      }
      Out.push_back({K, metricValue(trainingMetricType(K), V, Unit)});
    };
    double TPS = C.Tokens / C.Step;
    Q(TrainingMetric::step_time, C.Step, "s");
    Q(TrainingMetric::tokens_per_s, TPS, "tokens/s");
    Q(TrainingMetric::tokens_per_s_per_device, TPS / Devices, "tokens/s");
    if (T.Model->Stats.PerInput)
      Q(TrainingMetric::images_per_s, TPS, "");
    Q(TrainingMetric::mfu, C.ModelFlops / C.Step / Devices / Peak, "");
    Q(TrainingMetric::hfu, C.HardwareFlops / C.Step / Devices / Peak, "");
    Q(TrainingMetric::model_flops_per_device, C.ModelFlops / C.Step / Devices, "TFLOP/s");
    Q(TrainingMetric::hardware_flops_per_device, C.HardwareFlops / C.Step / Devices, "TFLOP/s");
    Q(TrainingMetric::compute_time, C.Compute, "s");
    Q(TrainingMetric::cast_time, C.Casts, "s");
    Q(TrainingMetric::bubble_time, C.Bubble, "s");
    Q(TrainingMetric::bubble_fraction, C.BubbleFraction, "");
    Q(TrainingMetric::tp_comm_time, C.TPComm, "s");
    Q(TrainingMetric::cp_comm_time, C.CPComm, "s");
    Q(TrainingMetric::ep_comm_time, C.EPComm, "s");
    Q(TrainingMetric::pp_comm_time, C.PPComm, "s");
    Q(TrainingMetric::dp_comm_time, C.DPComm, "s");
    Q(TrainingMetric::dp_exposed_time, C.DPExposed, "s");
    Q(TrainingMetric::optimizer_time, C.Optimizer, "s");
    Q(TrainingMetric::weight_memory, C.Weights, "GB");
    Q(TrainingMetric::gradient_memory, C.Grads, "GB");
    Q(TrainingMetric::optimizer_memory, C.States, "GB");
    Q(TrainingMetric::activation_memory, C.Activations, "GB");
    Q(TrainingMetric::memory_per_device, C.Memory, "GB");
    Out.push_back({TrainingMetric::fits, Value::ofBool(C.Capacity <= 0 || C.Memory <= C.Capacity)});
    if (T.Tokens > 0) {
      double Time = T.Tokens / TPS;
      Q(TrainingMetric::time_to_train, Time, "s");
      Q(TrainingMetric::device_hours, Devices * Time / 3600, "");
      double Nodes = Devices / double(T.System->Devices);
      double Power = T.System->NodePower > 0 ? T.System->NodePower * Nodes : Mc.Power * Devices;
      if (Power > 0)
        Q(TrainingMetric::energy, Power * Time, "J");
    }
  };
  T.Results.clear();
  T.Ideal.clear();
  Fill(X, T.Results);
  Fill(X.ideal(), T.Ideal);
  return Bad;
}

std::vector<TrainingFit> zoo::fitTrainingFactors(const Module &M) {
  std::vector<TrainingFit> Out;
  std::vector<const RuntimeRecord *> Runtimes;
  for (const auto &T : M.Trainings)
    if (T->Calibration && T->Runtime && !T->Results.empty() &&
        std::find(Runtimes.begin(), Runtimes.end(), T->Runtime) == Runtimes.end())
      Runtimes.push_back(T->Runtime);
  for (const RuntimeRecord *R : Runtimes) {
    struct Row {
      const TrainingRecord *T;
      Machine X;
      ActivationProfile A;
      TrainingMetric K;
      double Measured;
    };
    std::vector<Row> Rows;
    for (const auto &T : M.Trainings) {
      if (!T->Calibration || T->Runtime != R || T->Results.empty())
        continue;
      ScenarioRecord S(T->Name, T->Range);
      S.Hw = T->System->Hw;
      S.Weights = S.Activations = S.KV = T->Precision;
      S.Compute = T->Compute;
      S.ComputeGiven = true;
      S.Runtime = R;
      S.Model = T->Model;
      Machine X = makeMachine(M, S, R, {}, /*Describe=*/false);
      for (const TrainingMeasurement &Me : T->Measured)
        Rows.push_back({T.get(), X, activationProfile(*T->Model, T->Dropout), Me.Metric,
                        Me.Measured.asDouble()});
    }
    auto Loss = [&](double F) {
      double L = 0;
      for (Row &W : Rows) {
        Machine X = W.X;
        X.F[static_cast<int>(Slot::Gemm)] = X.F[static_cast<int>(Slot::AttentionCompute)] = F;
        TrainingCost C = trainingCost(M, *W.T, X, W.A);
        double Devices = double(W.T->Devices);
        double P = W.K == TrainingMetric::step_time ? C.Step
                   : W.K == TrainingMetric::mfu     ? C.ModelFlops / C.Step / Devices / X.Peak
                   : W.K == TrainingMetric::tokens_per_s || W.K == TrainingMetric::images_per_s
                       ? C.Tokens / C.Step
                                                         : NAN;
        if (std::isfinite(P) && P > 0)
          L += std::pow(std::log(P / W.Measured), 2);
      }
      return L;
    };
    // The loss is unimodal in the factor: golden-section search on (0.05, 1.5].
    const double Fitted = goldenSection(0.05, 1.5, 80, Loss);
    TrainingFit F;
    F.Runtime = R;
    F.Fitted = Fitted;
    const FieldValue *Rec = R->factor("compute", "gemm", "bf16");
    F.InRecord = Rec ? Rec->V.asDouble() : 1;
    F.Rows = static_cast<int>(Rows.size());
    Out.push_back(F);
  }
  return Out;
}
