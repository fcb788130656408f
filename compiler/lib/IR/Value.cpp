//===- Value.cpp - spelling of types and values ---------------------------===//
//
// Locale-free, deterministic spellings used by diagnostics and every backend.
//
//===----------------------------------------------------------------------===//
#include "zoo/IR/Value.h"
#include "zoo/Basic/Checked.h"
#include "zoo/IR/AST.h"
#include <cmath>

using namespace zoo;

bool Type::operator==(const Type &O) const {
  if (K != O.K)
    return false;
  if (K == Quantity)
    return D == O.D;
  if (K == Enum)
    return E == O.E;
  return true;
}

std::string Type::str() const {
  switch (K) {
  case Error:
    return "<error>";
  case Int:
    return "int";
  case Real:
    return "real";
  case Bool:
    return "bool";
  case String:
    return "string";
  case Enum:
    return E ? E->Name : "enum";
  case Quantity:
    return D.str();
  }
  return "<error>";
}

std::string Value::str() const {
  switch (T.K) {
  case Type::Error:
    return "<error>";
  case Type::Int:
    return std::to_string(I);
  case Type::Real:
    return formatReal(R);
  case Type::Bool:
    return B ? "true" : "false";
  case Type::String: {
    std::string Out = "\"";
    for (char C : S.str()) {
      if (C == '"' || C == '\\')
        Out += '\\';
      Out += C;
    }
    return Out + "\"";
  }
  case Type::Enum:
    return S;
  case Type::Quantity: {
    // In the unit it was written in, unless that unit's scale would take it out of range
    // (`1e300 ns * 1e15` is finite in seconds, not in nanoseconds).
    if (!Unit.empty())
      if (auto U = lookupUnit(Unit); U && std::isfinite(R / U->Scale))
        return formatReal(R / U->Scale) + " " + Unit;
    return formatReal(R) + " " + T.D.str();
  }
  }
  return "<error>";
}
