//===- Units.h - physical dimensions and unit spellings ------------*- C++ -*-===//
//
// A Dim is a vector of exponents over the base dimensions Zoo knows (bytes, FLOP, OP, seconds,
// joules, tokens). A unit spelling such as `TB/s` resolves to a Dim and a scale to base units.
// SI prefixes are powers of ten, IEC prefixes (Ki, Mi, Gi, Ti, Pi) powers of two, and IEC prefixes
// apply only to bytes and bits. This file knows nothing about values or the IR.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_BASIC_UNITS_H
#define ZOO_BASIC_UNITS_H

#include "llvm/ADT/StringRef.h"
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace zoo {

enum class BaseDim : unsigned { Byte, Flop, Op, Second, Joule, Token, Money, Carbon, Count };

struct Dim {
  std::array<int8_t, static_cast<unsigned>(BaseDim::Count)> Exp{};

  static Dim of(BaseDim B, int8_t E = 1) {
    Dim D;
    D.Exp[static_cast<unsigned>(B)] = E;
    return D;
  }
  bool isDimensionless() const {
    for (int8_t E : Exp)
      if (E)
        return false;
    return true;
  }
  /// The product and quotient; exponents must stay within int8_t (see combines()).
  Dim operator*(const Dim &O) const;
  Dim operator/(const Dim &O) const;
  /// Whether every exponent of `*this * O` (or `*this / O` when `Divide`) fits in int8_t.
  bool combines(const Dim &O, bool Divide) const;
  bool operator==(const Dim &O) const { return Exp == O.Exp; }
  bool operator!=(const Dim &O) const { return !(*this == O); }
  /// Human spelling in base units: `bytes`, `bytes/s`, `FLOP/s`, `W`, `FLOP/bytes`.
  std::string str() const;
};

struct UnitInfo {
  Dim D;
  double Scale; ///< multiply a number in this unit by Scale to get base units
};

/// Resolves a unit spelling (`GB`, `GiB`, `TB/s`, `TFLOP/s`, `W`, `ms`, `tokens`, `Gbit/s`).
std::optional<UnitInfo> lookupUnit(llvm::StringRef Spelling);

/// Resolves a dimension name used as a type (`bytes`, `bytes/s`, `FLOP/s`, `W`, `tokens`).
std::optional<Dim> lookupDimension(llvm::StringRef Spelling);

} // namespace zoo

#endif
