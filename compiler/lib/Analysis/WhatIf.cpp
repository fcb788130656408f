//===- WhatIf.cpp - which input binds a scenario's headline figures -------===//
#include "zoo/Analysis/WhatIf.h"
#include "zoo/Analysis/Training.h"
#include <algorithm>
#include <cmath>

using namespace zoo;

WhatIf zoo::whatIf(const Module &M, const ScenarioRecord &S) {
  WhatIf Out;
  const RuntimeRecord *R = runtimeOf(M, S);
  const Machine X = makeMachine(M, S, R, {}, /*Describe=*/false);
  const bool Vision = S.Model && S.Model->Stats.PerInput;
  // Figures where more is better (rates) and where less is (times).
  struct Headline {
    ScenarioMetric K;
    bool Rate;
  };
  std::vector<Headline> Hs =
      Vision ? std::vector<Headline>{{ScenarioMetric::batch_time, false},
                                     {ScenarioMetric::images_per_s, true}}
             : std::vector<Headline>{{ScenarioMetric::prefill_time, false},
                                     {ScenarioMetric::tokens_per_s, true},
                                     {ScenarioMetric::serving_tokens_per_s, true}};
  auto Figures = [&](const Machine &Y) {
    InferenceResult IR = analyse(M, S, Y);
    std::vector<double> V;
    for (const Headline &H : Hs) {
      double X = NAN;
      for (const auto &[K, Val] : IR.Results)
        if (K == H.K)
          X = Val.asDouble();
      V.push_back(X);
    }
    return V;
  };
  for (const Headline &H : Hs)
    Out.Headlines.push_back(H.K);
  Out.Base = Figures(X);
  auto Try = [&](const char *Change, auto Edit) {
    Machine Y = X;
    Edit(Y);
    std::vector<double> V = Figures(Y);
    WhatIfRow Row{Change, {}, -INFINITY};
    for (size_t I = 0; I < Hs.size(); ++I) {
      double B = Out.Base[I], N = V[I];
      double Gain = !(B > 0) || !std::isfinite(N) ? 0
                    : Hs[I].Rate                   ? (N / B - 1) * 100
                                                   : (B / N - 1) * 100;
      Row.Gains.push_back(Gain);
      Row.Best = std::max(Row.Best, Gain);
    }
    Out.Rows.push_back(Row);
  };
  Try("compute +10%", [](Machine &Y) { Y.scaleCompute(1.1); });
  Try("memory bandwidth +10%", [](Machine &Y) {
    Y.Bandwidth *= 1.1;
    Y.FlashBandwidth *= 1.1;
  });
  Try("memory capacity +10%", [](Machine &Y) { Y.Capacity *= 1.1; });
  if (Vision && X.Cache > 0)
    Try("on-chip cache +10%", [](Machine &Y) { Y.Cache *= 1.1; });
  if (X.Devices > 1)
    Try("interconnect bandwidth +10%", [](Machine &Y) { Y.scaleInterconnect(1.1); });
  if (X.f(Slot::OpOverhead) > 0)
    Try("per-operation overhead -10%",
        [](Machine &Y) { Y.F[static_cast<int>(Slot::OpOverhead)] *= 0.9; });
  if (X.Devices > 1 && X.f(Slot::CollectiveLatency) > 0)
    Try("collective latency -10%",
        [](Machine &Y) { Y.F[static_cast<int>(Slot::CollectiveLatency)] *= 0.9; });
  if (X.f(Slot::StepOverhead) > 0)
    Try("host time per iteration -10%",
        [](Machine &Y) { Y.F[static_cast<int>(Slot::StepOverhead)] *= 0.9; });
  if (X.f(Slot::SequenceOverhead) > 0)
    Try("host time per sequence -10%",
        [](Machine &Y) { Y.F[static_cast<int>(Slot::SequenceOverhead)] *= 0.9; });
  if (X.f(Slot::ExpertOverhead) > 0)
    Try("time per expert run -10%",
        [](Machine &Y) { Y.F[static_cast<int>(Slot::ExpertOverhead)] *= 0.9; });
  if (X.f(Slot::ExpertLayerOverhead) > 0)
    Try("time per expert layer -10%",
        [](Machine &Y) { Y.F[static_cast<int>(Slot::ExpertLayerOverhead)] *= 0.9; });
  std::stable_sort(Out.Rows.begin(), Out.Rows.end(),
                   [](const WhatIfRow &A, const WhatIfRow &B) { return A.Best > B.Best; });
  return Out;
}

WhatIf zoo::trainingWhatIf(const Module &M, const TrainingRecord &T) {
  WhatIf Out;
  const Machine X = trainingMachine(M, T, /*Describe=*/false);
  const ActivationProfile A = activationProfile(*T.Model, T.Dropout);
  const double Base = trainingCost(M, T, X, A).Step;
  Out.Base = {Base};
  auto Try = [&](const char *Change, const Machine &Y, LinkScale L) {
    const double Step = trainingCost(M, T, Y, A, L).Step;
    const double Gain = Base > 0 && Step > 0 && std::isfinite(Step) ? (Base / Step - 1) * 100 : 0;
    Out.Rows.push_back({Change, {Gain}, Gain});
  };
  Machine Y = X;
  Y.scaleCompute(1.1);
  Try("compute +10%", Y, {});
  Y = X;
  Y.Bandwidth *= 1.1;
  Try("memory bandwidth +10%", Y, {});
  const SystemRecord &S = *T.System;
  if (T.Devices > 1 && (S.Devices > 1 || !S.Network)) {
    Y = X;
    Y.scaleInterconnect(1.1); // the measured curve with the fabric
    Try("fabric bandwidth +10%", Y, {1.1, 1});
  }
  if (T.Devices > S.Devices && S.Network)
    Try("network bandwidth +10%", X, {1, 1.1});
  if (T.Devices > 1 && X.f(Slot::CollectiveLatency) > 0) {
    Y = X;
    Y.F[static_cast<int>(Slot::CollectiveLatency)] *= 0.9;
    Try("collective latency -10%", Y, {});
  }
  std::stable_sort(Out.Rows.begin(), Out.Rows.end(),
                   [](const WhatIfRow &A, const WhatIfRow &B) { return A.Best > B.Best; });
  return Out;
}
