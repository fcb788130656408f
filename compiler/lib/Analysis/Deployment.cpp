//===- Deployment.cpp - the devices and layout a model needs to serve -----===//
//
// Per layout (tp ranks, filling a node before spanning nodes; pp stages, the busiest holding
// ceil(layers / stages); ep expert ranks over the tp ranks):
//   1. memory of one device of the busiest stage: its layers' dense weights over tp, their
//      experts over ep (else over tp), the embedding tables, the KV cache of the batch at the
//      context over the stages and over min(tp, key-value heads) (the heads are replicated
//      beyond that);
//   2. one decode step: each stage in turn reads its share of the weights the batch touches
//      (ClosedForm's expected distinct experts) and of the cache at the achievable bandwidth x
//      the runtime's gemv and attention factors, or does its work at the achievable peak when
//      that is slower; two all-reduces of the batch's activations a layer over the tp ranks,
//      two all-to-alls of its routed tokens an expert layer over the ep ranks, a send of the
//      activations between stages.
// An encoder-decoder (one stage: tensor parallelism only): every weight is held, the decoder's
// read by a decode step; each sequence holds its decoder's cache at the context and the
// cross-attention cache of its source; three all-reduces a decoder layer (self-attention,
// cross-attention, MLP).
// Collectives are Collectives.h's, placed as training places them.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/Deployment.h"
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Analysis/Collectives.h"
#include "zoo/Analysis/Training.h"
#include <algorithm>
#include <cmath>

using namespace zoo;

DeploymentPlan zoo::planDeployment(const Module &M, const DeploymentQuery &Q) {
  DeploymentPlan Out;
  const ModelStats &St = Q.Model->Stats;
  const SystemRecord &Sys = *Q.System;
  ScenarioRecord S("deployment", {});
  S.Hw = Sys.Hw;
  S.Weights = Q.Weights;
  S.KV = Q.KV;
  S.Activations = S.Compute = Q.Weights->Bits >= 16 && !Q.Weights->Group ? Q.Weights
                                                                         : M.findPrecision("bf16");
  if (!S.Compute)
    S.Compute = Q.Weights;
  S.Runtime = Q.Runtime;
  S.Model = Q.Model;
  const Machine X = makeMachine(M, S, Q.Runtime, {}, /*Describe=*/false);
  Out.Notes = X.Notes;
  const ActivationProfile A = activationProfile(*Q.Model, false);
  const double L = double(std::max<int64_t>(1, St.Layers));
  const double WB = Q.Weights->bitsPerValue() / 8, KB = Q.KV->bitsPerValue() / 8;
  const double AB = S.Activations->bitsPerValue() / 8;
  // Embedding tables and untied heads: at the activations' width where the runtime keeps them.
  const double TB = tablePrecision(S, X.QuantizesTables).bitsPerValue() / 8;
  const double H = double(St.Width), B = double(Q.Batch);
  int64_t KVHeads = 0;
  for (const auto &[Heads, KV] : A.Heads)
    KVHeads = KVHeads ? std::min(KVHeads, KV) : KV;

  double TopK = 0, MoELayers = 0;
  for (const ExpertTerm &E : St.Experts) {
    TopK = std::max(TopK, double(E.TopK));
    MoELayers += double(E.Layers);
  }
  const double Experts = expertParamsAll(St).approx();
  const double Emb = double(St.EmbeddingParams);
  const double Dense = std::max(0.0, double(St.Params) - Emb - Experts);
  // Weights a decode step of the batch reads (experts: the expected distinct ones).
  const double Read = decodeWeightParams(St, B);

  const bool EncDec = St.HasEncoder;
  const int64_t Source = !EncDec        ? 0
                         : Q.Source > 0 ? Q.Source
                         : St.SourceLen ? St.SourceLen
                                        : Q.Context;
  Out.Source = Source;
  const double KVAll =
      BigCount(kvValuesAt(St, Wide(Q.Context), Wide(Source))).approx() * B * KB;
  const double Flops =
      2 * B * BigCount(macsPerTokenAt(St, Wide(Q.Context), Wide(Source))).approx();
  // What a decode step reads besides the experts: the decoder's dense weights and tables.
  const double EncoderLookup = static_cast<double>(St.EncoderLookupParams);
  const double DenseRead =
      std::max(0.0, Dense - (double(St.EncoderParams) - (EncDec ? EncoderLookup : 0)));
  const double EmbRead = Emb - (EncDec ? EncoderLookup : 0);
  const double ExpertsRead = std::max(0.0, Read - DenseRead - EmbRead);
  // All-reduces a step: two a layer (attention, MLP), three a decoder layer of an
  // encoder-decoder (its cross-attention besides); its encoder's layers do not run.
  const double AllReducesPerStep =
      EncDec ? 3 * double(std::max<int64_t>(1, St.Layers - St.EncoderLayers)) : 2 * L;

  const int64_t PerNode = Sys.Devices;
  const std::pair<LinkLevel, LinkLevel> Links = systemLinks(Sys, /*Ideal=*/false);
  const LinkLevel Intra = Links.first, Inter = Links.second;
  const double Alpha = X.f(Slot::CollectiveLatency);
  const double Usable = X.Capacity * X.MemoryFraction - X.Workspace;

  for (int64_t Nodes = 1; Nodes <= Q.Nodes; ++Nodes)
    for (int64_t TP = 1; TP <= Nodes * PerNode; TP *= 2) {
      bool HeadsSplit = true;
      for (const auto &[Heads, KV] : A.Heads)
        HeadsSplit &= Heads % TP == 0;
      if (!HeadsSplit)
        continue;
      for (int64_t PP = 1; PP * TP <= Nodes * PerNode && (PP == 1 || !EncDec); ++PP) {
        int64_t N = TP * PP;
        // Beyond one node, whole nodes only. Stages may be uneven: the busiest holds
        // ceil(layers / stages).
        if ((Nodes > 1 && N != Nodes * PerNode) || PP > St.Layers)
          continue;
        for (int64_t EP : {int64_t(1), TP}) {
          if (EP > 1 && (St.Experts.empty() || St.Experts.front().Count % EP))
            continue;
          if (EP == TP && TP == 1 && !Out.Layouts.empty() && Out.Layouts.back().TP == 1 &&
              Out.Layouts.back().PP == PP && Out.Layouts.back().Devices == N)
            continue; // the same layout twice
          DeploymentLayout D;
          D.Devices = N, D.TP = TP, D.PP = PP, D.EP = EP;
          double Stage = std::ceil(L / double(PP));
          double ExpertShare = EP > 1 ? double(EP) : double(TP);
          double EmbStage = PP > 1 && St.TiedHeadParams == 0 ? Emb / 2 : Emb;
          D.WeightBytes =
              (Stage * (Dense / L / TP + Experts / L / ExpertShare) + EmbStage / TP) * WB +
              EmbStage / TP * (TB - WB);
          double KVSplit = double(std::min<int64_t>(TP, std::max<int64_t>(1, KVHeads)));
          D.KVBytes = KVAll / double(PP) / KVSplit;
          D.Usable = Usable;
          D.Fits = D.WeightBytes + D.KVBytes <= Usable;
          // One decode step: every stage in turn.
          double ReadDev = (Stage * (DenseRead / L / TP + ExpertsRead / L / ExpertShare) +
                            (EncDec ? EmbRead : EmbStage) / TP) *
                               WB +
                           (EncDec ? EmbRead : EmbStage) / TP * (TB - WB);
          double BWw = X.bandwidth(X.weightSlot()), BWkv = X.bandwidth(Slot::AttentionBandwidth);
          double Rate = X.rate(Slot::Gemm);
          D.WeightTime = BWw > 0 ? ReadDev / BWw * PP : 0;
          D.KVTime = BWkv > 0 ? D.KVBytes / BWkv * PP : 0;
          D.ComputeTime = Rate > 0 ? Flops / Rate / double(N) * PP : 0;
          double Roof = std::max(D.WeightTime + D.KVTime, D.ComputeTime);
          // Tensor ranks fill a node first; a larger group spans nodes (hierarchical).
          Group TG{double(TP), double(std::min(TP, PerNode))};
          // Two all-reduces a layer (attention, MLP); an expert layer whose experts are spread
          // over the ranks combines by all-to-all instead of its MLP all-reduce.
          if (TP > 1)
            D.TPComm = (AllReducesPerStep - (EP > 1 ? MoELayers : 0)) *
                       (allReduce(B * H * AB, TG, Intra, Inter) + Alpha);
          if (EP > 1)
            D.EPComm = MoELayers * 2 *
                       (allToAll(B * TopK * H * AB, Group{double(EP), double(std::min(EP, PerNode))},
                                 Intra, Inter) +
                        Alpha);
          if (PP > 1) {
            // Stages of one node talk over the fabric, others over the network.
            bool Across = N > PerNode && TP < PerNode * Nodes;
            LinkLevel Lk = Across ? Inter : Intra;
            D.PPComm = double(PP - 1) * (Lk.Bandwidth > 0 ? B * H * AB / Lk.Bandwidth : 0) +
                       double(PP - 1) * Lk.Latency;
          }
          D.Step = Roof + D.TPComm + D.EPComm + D.PPComm;
          Out.Layouts.push_back(D);
        }
      }
    }
  std::stable_sort(Out.Layouts.begin(), Out.Layouts.end(),
                   [](const DeploymentLayout &A, const DeploymentLayout &B) {
                     return A.Devices != B.Devices ? A.Devices < B.Devices : A.Step < B.Step;
                   });
  for (const DeploymentLayout &D : Out.Layouts) {
    if (!D.Fits)
      continue;
    if (!Out.Fewest)
      Out.Fewest = &D;
    if (!Out.Fastest || D.Step < Out.Fastest->Step)
      Out.Fastest = &D;
  }
  return Out;
}
