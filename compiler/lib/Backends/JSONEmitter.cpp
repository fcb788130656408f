//===- JSONEmitter.cpp - machine-readable output --------------------------===//
//
// Built with llvm::json, which prints object keys sorted; arrays are sorted by record name.
// Quantities are objects {value (base units), unit (base dimension), written (as in the source)}.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include "llvm/Support/JSON.h"

using namespace zoo;
namespace json = llvm::json;

namespace {
json::Value toJSON(const Value &V) {
  switch (V.T.K) {
  case Type::Int:
    return V.I;
  case Type::Real:
    return V.R;
  case Type::Bool:
    return V.B;
  case Type::String:
  case Type::Enum:
    return V.S;
  case Type::Quantity:
    return json::Object{{"value", V.R}, {"unit", V.T.D.str()}, {"written", V.str()}};
  case Type::Error:
    break;
  }
  return nullptr;
}

json::Object fieldsOf(const std::vector<FieldValue> &Fs) {
  json::Object O;
  for (const FieldValue &F : Fs)
    O[F.Name] = toJSON(F.V);
  return O;
}

json::Array strings(const std::vector<std::string> &S) {
  json::Array A;
  for (const std::string &X : S)
    A.push_back(X);
  return A;
}
} // namespace

void JSONEmitter::run(llvm::raw_ostream &OS) {
  json::Array Models;
  for (const ModelRecord *R : sortedModels(M)) {
    json::Object Args;
    for (const Binding &B : R->Args)
      Args[B.first] = toJSON(B.second);
    json::Array Expects;
    for (const Expectation &E : R->Expects) {
      json::Object X{{"metric", metricName(E.Metric).str()},
                     {"op", E.Near ? "~=" : "=="},
                     {"value", toJSON(E.Expected)}};
      if (E.Near)
        X["within_percent"] = E.TolerancePercent;
      Expects.push_back(std::move(X));
    }
    Models.push_back(json::Object{
        {"name", R->Name},
        {"architecture", R->Arch->Name},
        {"base", R->Base ? json::Value(R->Base->Name) : json::Value(nullptr)},
        {"args", std::move(Args)},
        {"fields", fieldsOf(R->Fields)},
        {"sources", strings(R->Sources)},
        {"expects", std::move(Expects)},
        {"params", json::Object{{"total", R->Stats.Params}}},
        {"layers", R->Stats.Layers},
    });
  }
  json::Array Hardware;
  for (const HardwareRecord *H : sortedHardware(M)) {
    json::Array Sections;
    for (const Section &S : H->Sections)
      Sections.push_back(
          json::Object{{"kind", S.Kind}, {"name", S.Name}, {"fields", fieldsOf(S.Fields)}});
    Hardware.push_back(json::Object{{"name", H->Name},
                                    {"class", H->Class},
                                    {"fields", fieldsOf(H->Fields)},
                                    {"sections", std::move(Sections)},
                                    {"sources", strings(H->Sources)}});
  }
  json::Array Precisions;
  std::vector<const PrecisionRecord *> Ps;
  for (const auto &P : M.Precisions)
    Ps.push_back(P.get());
  std::sort(Ps.begin(), Ps.end(), [](auto *A, auto *B) { return A->Name < B->Name; });
  for (const PrecisionRecord *P : Ps)
    Precisions.push_back(json::Object{{"name", P->Name},
                                      {"bits", P->Bits},
                                      {"scale_bits", P->ScaleBits},
                                      {"group", P->Group},
                                      {"bits_per_value", P->bitsPerValue()}});
  json::Object Root{{"schema", Schema},
                    {"models", std::move(Models)},
                    {"hardware", std::move(Hardware)},
                    {"precisions", std::move(Precisions)}};
  OS << llvm::formatv("{0:2}", json::Value(std::move(Root))) << "\n";
}
