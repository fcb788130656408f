//===- Value.h - types and values of Zoo expressions --------------*- C++ -*-===//
//
// A Type is int, real, bool, string, an enumeration, or a quantity with a dimension. A Value is a
// constant of one of those types. Ints are exact 64-bit integers; quantities are doubles in base
// units that remember the unit they were written in, so `80 GB` prints as written. Strings and
// units are atoms (interned: a pointer each), as a model binds thousands of values.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_IR_VALUE_H
#define ZOO_IR_VALUE_H

#include "zoo/Basic/Atom.h"
#include "zoo/Basic/Units.h"
#include <cstdint>
#include <string>

namespace zoo {

class EnumDecl;

struct Type {
  enum Kind : uint8_t { Error, Int, Real, Bool, String, Enum, Quantity };
  const EnumDecl *E = nullptr; ///< Enum only
  Dim D;                       ///< Quantity only
  Kind K = Error;

  static Type error() { return {}; }
  static Type of(Kind K) {
    Type T;
    T.K = K;
    return T;
  }
  static Type quantity(Dim D) {
    if (D.isDimensionless())
      return of(Real);
    Type T;
    T.K = Quantity;
    T.D = D;
    return T;
  }
  static Type enumeration(const EnumDecl *E) {
    Type T;
    T.K = Enum;
    T.E = E;
    return T;
  }
  bool isError() const { return K == Error; }
  bool isNumeric() const { return K == Int || K == Real; }
  bool operator==(const Type &O) const;
  bool operator!=(const Type &O) const { return !(*this == O); }
  /// `int`, `real`, `bool`, `string`, the enum's name, or the dimension (`bytes/s`).
  std::string str() const;
};

struct Value {
  Type T;
  int64_t I = 0;  ///< Int
  double R = 0;   ///< Real, Quantity (base units)
  bool B = false; ///< Bool
  Atom S;         ///< String, Enum (the enumerator)
  Atom Unit;      ///< Quantity: the unit to display it in (`GB`), empty means base units

  static Value ofInt(int64_t V) {
    Value X;
    X.T = Type::of(Type::Int);
    X.I = V;
    return X;
  }
  static Value ofReal(double V) {
    Value X;
    X.T = Type::of(Type::Real);
    X.R = V;
    return X;
  }
  static Value ofBool(bool V) {
    Value X;
    X.T = Type::of(Type::Bool);
    X.B = V;
    return X;
  }
  static Value ofString(llvm::StringRef V) {
    Value X;
    X.T = Type::of(Type::String);
    X.S = V;
    return X;
  }
  /// A number as a double (Int, Real or Quantity in base units).
  double asDouble() const { return T.K == Type::Int ? static_cast<double>(I) : R; }
  /// Zoo spelling: `128256`, `0.5`, `true`, `"Llama 3"`, `rms`, `80 GB`.
  std::string str() const;
};

} // namespace zoo

#endif
