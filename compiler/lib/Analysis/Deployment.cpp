//===- Deployment.cpp - the devices and layout a model needs to serve -----===//
//
// Per layout (tp ranks, filling a node before spanning nodes; pp stages, the busiest holding
// ceil(layers / stages); ep expert ranks over the tp ranks):
//   1. memory of one device of the busiest stage: its layers' dense weights over tp (with the
//      copies of linear layers that ranks beyond their `shards` hold: LanguageModel.h,
//      weightCopies), their experts over ep (else over tp), the embedding tables, the KV cache of
//      the batch at the context over the stages and the tp ranks, with the copies ranks beyond a
//      kind's key-value heads hold (an MLA latent is on every rank: LanguageModel.h,
//      kvReplication);
//   2. one decode step: the stages in turn run every layer once, so the decode analysis's step
//      (LanguageModel.h: every factor and fixed cost of the runtime) on one group of the tp
//      ranks holding the whole model, less its collectives; experts spread over the ranks run
//      whole, each on one, so a rank pays the cost an expert for 1 / ep of them. Then the
//      plan's collectives over the system's links: two all-reduces of the batch's activations
//      a layer over the tp ranks, two all-to-alls of its routed tokens an expert layer over the
//      ep ranks, a send of the activations between stages.
// A mixture of experts is also laid out attention data parallel over a power of two of one
// node's devices: each holds the layers outside the experts whole and the cache of its
// ceil(batch / N) sequences; the analysis's step under attention data parallelism, and two
// all-to-alls an expert layer of those sequences' routed tokens.
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
#include "zoo/Analysis/LanguageModel.h"
#include "zoo/Analysis/Training.h"
#include <algorithm>
#include <cmath>
#include <map>

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
  S.ComputeGiven = true; // the plan's
  S.Runtime = Q.Runtime;
  S.Model = Q.Model;
  const Machine X = makeMachine(M, S, Q.Runtime, {}, /*Describe=*/false);
  Out.Notes = X.Notes;
  const ActivationProfile A = activationProfile(*Q.Model, false);
  const double L = double(std::max<int64_t>(1, St.Layers));
  const double WB = Q.Weights->bitsPerValue() / 8;
  const double AB = S.Activations->bitsPerValue() / 8;
  // Embedding tables and untied heads: at the activations' width where the runtime keeps them.
  const double TB = tablePrecision(S, X.QuantizesTables).bitsPerValue() / 8;
  const double H = double(St.Width), B = double(Q.Batch);

  double TopK = 0, MoELayers = 0;
  for (const ExpertTerm &E : St.Experts) {
    TopK = std::max(TopK, double(E.TopK));
    MoELayers += double(E.Layers);
  }
  const double Experts = expertParamsAll(St).approx();
  const double Emb = double(St.EmbeddingParams);
  const double Dense = std::max(0.0, double(St.Params) - Emb - Experts);

  const bool EncDec = St.HasEncoder;
  const int64_t Source = !EncDec        ? 0
                         : Q.Source > 0 ? Q.Source
                         : St.SourceLen ? St.SourceLen
                                        : Q.Context;
  Out.Source = Source;
  // All-reduces a step: two a layer (attention, MLP), three a decoder layer of an
  // encoder-decoder (its cross-attention besides); its encoder's layers do not run.
  const double AllReducesPerStep =
      EncDec ? 3 * double(std::max<int64_t>(1, St.Layers - St.EncoderLayers)) : 2 * L;

  const int64_t PerNode = Sys.Devices;
  // Collectives inside a node at the hardware's measured bus bandwidth where it has one.
  const auto [Intra, Inter] = systemLinks(Sys, /*Ideal=*/false, &X.AllReduce);
  const double Alpha = X.f(Slot::CollectiveLatency);
  const double Usable = X.Capacity * X.MemoryFraction - X.Workspace;

  // The decode analysis's step (LanguageModel.h) of the batch at the context on `Devices` of the
  // system's hardware, tensor-parallel or attention data parallel, less its collectives (the
  // plan prices those over the system's links); the seconds of it that are the cost an expert
  // (`expert_overhead`); and a sequence's cache at the context as those devices hold it in all
  // (the analysis's: copies where ranks outnumber a kind's key-value heads, a latent on every
  // rank; under attention data parallelism, once).
  struct Forward {
    double Time = 0, ExpertOverhead = 0, KVSequence = 0;
  };
  std::map<std::pair<int64_t, bool>, Forward> Forwards;
  auto ForwardAt = [&](int64_t Devices, bool DP) -> const Forward & {
    auto [It, New] = Forwards.try_emplace({Devices, DP});
    if (New) {
      ScenarioRecord SD(S.Name, {});
      SD = S;
      SD.Devices = Devices;
      SD.AttentionDP = DP;
      const Machine XD = makeMachine(M, SD, Q.Runtime, {}, /*Describe=*/false);
      const PreparedLM P(SD, XD);
      const PreparedLM::BatchTerms T = P.batchTerms(B, /*FromFlash=*/false, double(Source));
      It->second.Time = P.decodeStepTime(T, double(Q.Context)) - T.Comm;
      It->second.ExpertOverhead = T.BySlot[static_cast<int>(Slot::ExpertOverhead)];
      It->second.KVSequence = P.sequenceCacheBytes(double(Q.Context), double(Source));
    }
    return It->second;
  };
  const bool MoE = !St.Experts.empty() && !EncDec;

  for (int64_t Nodes = 1; Nodes <= Q.Nodes; ++Nodes)
    for (int64_t TP = 1; TP <= Nodes * PerNode; TP *= 2) {
      bool HeadsSplit = true;
      for (const auto &[Heads, KV] : A.Heads)
        HeadsSplit &= Heads % TP == 0;
      // Attention data parallelism over the node's devices (one stage): each holds the layers
      // outside the experts whole for its own sequences, and a share of the experts.
      if (Nodes == 1 && TP > 1 && MoE && St.Experts.front().Count % TP == 0) {
        DeploymentLayout D;
        D.Devices = TP, D.EP = TP, D.AttentionDP = true;
        D.WeightBytes = Dense * WB + Emb * TB + Experts / double(TP) * WB;
        const Forward &Fw = ForwardAt(TP, true);
        D.KVBytes = std::ceil(B / double(TP)) * Fw.KVSequence;
        D.Usable = Usable;
        D.Fits = D.WeightBytes + D.KVBytes <= Usable;
        D.Forward = Fw.Time;
        // Two all-to-alls an expert layer: each device's tokens (the busiest's, ceil(B / N)),
        // top_k rows each, to their experts' devices and back; nothing elsewhere.
        D.EPComm = MoELayers * 2 *
                   (allToAll(std::ceil(B / double(TP)) * TopK * H * AB,
                             Group{double(TP), double(TP)}, Intra, Inter) +
                    Alpha);
        D.Step = D.Forward + D.EPComm;
        Out.Layouts.push_back(D);
      }
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
          // A rank's share, and its copies of the linear layers it cannot split (weightCopies:
          // a router, a latent's down-projection, key-value heads fewer than the ranks).
          D.WeightBytes = (Stage * (Dense / L / TP + Experts / L / ExpertShare +
                                    weightCopies(St, TP).Params / L / TP) +
                           EmbStage / TP) *
                              WB +
                          EmbStage / TP * (TB - WB);
          // One decode step: the stages in turn run every layer once, as one group of the tp
          // ranks holding the whole model does; experts spread over the ranks run whole, each
          // on one of them, so a rank pays the cost an expert for 1 / ep of them.
          const Forward &Fw = ForwardAt(TP, false);
          D.KVBytes = B * Fw.KVSequence / double(TP) / double(PP);
          D.Usable = Usable;
          D.Fits = D.WeightBytes + D.KVBytes <= Usable;
          D.Forward = Fw.Time - (EP > 1 ? Fw.ExpertOverhead * (1 - 1 / double(EP)) : 0);
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
            D.PPComm = double(PP - 1) * (Lk.Bandwidth > 0 ? B * H * AB / pointToPoint(Lk) : 0) +
                       double(PP - 1) * Lk.Latency;
          }
          D.Step = D.Forward + D.TPComm + D.EPComm + D.PPComm;
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
