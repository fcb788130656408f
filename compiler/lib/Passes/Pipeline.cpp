//===- Pipeline.cpp - the one list of passes ------------------------------===//
#include "zoo/Passes/Pass.h"

using namespace zoo;

std::vector<std::unique_ptr<Pass>> zoo::createDefaultPipeline() {
  std::vector<std::unique_ptr<Pass>> P;
  P.push_back(createCostModelPass());
  P.push_back(createCountLayersPass());
  P.push_back(createRooflinePass());
  P.push_back(createTrainingPass());
  P.push_back(createServingPass());
  P.push_back(createVerifyExpectsPass());
  P.push_back(createEvaluateMetricsPass());
  P.push_back(createFitMatrixPass());
  P.push_back(createValidationPass());
  return P;
}

LogicalResult zoo::runPipeline(Module &M, DiagnosticEngine &Diags) {
  for (auto &P : createDefaultPipeline())
    if (failed(P->run(M, Diags)))
      return failure();
  return success();
}
