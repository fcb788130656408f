//===- Sorting.cpp - deterministic record order for every backend ---------===//
#include "zoo/Backends/Emitters.h"
#include <algorithm>

using namespace zoo;

template <typename T>
static std::vector<const T *> sortedByName(const std::vector<std::unique_ptr<T>> &Rs) {
  std::vector<const T *> Out;
  for (const auto &R : Rs)
    Out.push_back(R.get());
  std::stable_sort(Out.begin(), Out.end(),
                   [](const T *A, const T *B) { return A->Name < B->Name; });
  return Out;
}

std::vector<const ModelRecord *> zoo::sortedModels(const Module &M) {
  return sortedByName(M.Models);
}
std::vector<const HardwareRecord *> zoo::sortedHardware(const Module &M) {
  return sortedByName(M.Hardware);
}
std::vector<const ScenarioRecord *> zoo::sortedScenarios(const Module &M) {
  return sortedByName(M.Scenarios);
}
