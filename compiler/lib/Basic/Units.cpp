//===- Units.cpp - unit spellings, prefixes and dimension names -----------===//
//
// The tables of base units and prefixes. A spelling is `num` or `num/den`, where each side is a
// base unit with an optional prefix. Plural and singular forms are both accepted where natural.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Units.h"
#include "llvm/ADT/ArrayRef.h"

using namespace zoo;

Dim Dim::operator*(const Dim &O) const {
  Dim R;
  for (unsigned I = 0; I < Exp.size(); ++I)
    R.Exp[I] = static_cast<int8_t>(Exp[I] + O.Exp[I]);
  return R;
}

Dim Dim::operator/(const Dim &O) const {
  Dim R;
  for (unsigned I = 0; I < Exp.size(); ++I)
    R.Exp[I] = static_cast<int8_t>(Exp[I] - O.Exp[I]);
  return R;
}

bool Dim::combines(const Dim &O, bool Divide) const {
  for (unsigned I = 0; I < Exp.size(); ++I) {
    int E = Divide ? Exp[I] - O.Exp[I] : Exp[I] + O.Exp[I];
    if (E < INT8_MIN || E > INT8_MAX)
      return false;
  }
  return true;
}

std::string Dim::str() const {
  static const char *Names[] = {"bytes", "FLOP", "OP", "s", "J", "tokens", "USD", "gCO2e"};
  if (isDimensionless())
    return "a plain number";
  Dim Watt = Dim::of(BaseDim::Joule) / Dim::of(BaseDim::Second);
  if (*this == Watt)
    return "W";
  if (*this == Dim() / Dim::of(BaseDim::Second))
    return "Hz";
  std::string Num, Den;
  for (unsigned I = 0; I < Exp.size(); ++I) {
    int E = Exp[I];
    if (!E)
      continue;
    std::string &Side = E > 0 ? Num : Den;
    if (!Side.empty())
      Side += "*";
    Side += Names[I];
    int A = E > 0 ? E : -E;
    if (A > 1)
      Side += "^" + std::to_string(A);
  }
  if (Num.empty())
    Num = "1";
  return Den.empty() ? Num : Num + "/" + Den;
}

namespace {
struct BaseUnit {
  const char *Name;
  Dim D;
  double Scale;
  bool SIPrefix;  ///< k, M, G, T, P, E
  bool SubPrefix; ///< m, u, n (time, power, energy)
  bool IECPrefix; ///< Ki, Mi, Gi, Ti, Pi
};

const BaseUnit *findBase(llvm::StringRef S) {
  static const Dim Byte = Dim::of(BaseDim::Byte), Flop = Dim::of(BaseDim::Flop),
                   Op = Dim::of(BaseDim::Op), Sec = Dim::of(BaseDim::Second),
                   Joule = Dim::of(BaseDim::Joule), Token = Dim::of(BaseDim::Token),
                   Money = Dim::of(BaseDim::Money), Carbon = Dim::of(BaseDim::Carbon);
  static const BaseUnit Units[] = {
      {"B", Byte, 1, true, false, true},
      {"byte", Byte, 1, false, false, false},
      {"bytes", Byte, 1, false, false, false},
      {"bit", Byte, 0.125, true, false, true},
      {"bits", Byte, 0.125, false, false, false},
      {"FLOP", Flop, 1, true, false, false},
      {"FLOPs", Flop, 1, false, false, false},
      {"OP", Op, 1, true, false, false},
      {"OPs", Op, 1, false, false, false},
      {"s", Sec, 1, false, true, false},
      {"min", Sec, 60, false, false, false},
      {"h", Sec, 3600, false, false, false},
      // Days, and years of 365 days (8,760 hours), as cloud prices and write-offs count them.
      {"day", Sec, 86400, false, false, false},
      {"days", Sec, 86400, false, false, false},
      {"year", Sec, 31536000, false, false, false},
      {"years", Sec, 31536000, false, false, false},
      {"J", Joule, 1, true, true, false},
      {"W", Joule / Sec, 1, true, true, false},
      {"Hz", Dim() / Sec, 1, true, false, false},
      {"token", Token, 1, false, false, false},
      {"tokens", Token, 1, true, false, false},
      // A count of requests: a plain number, so that `10 requests/s` is a rate in Hz.
      {"request", Dim(), 1, false, false, false},
      {"requests", Dim(), 1, false, false, false},
      // A count of clock cycles (a runtime's `op_cycles`): a plain number, `12 kcycles` allowed.
      {"cycle", Dim(), 1, false, false, false},
      {"cycles", Dim(), 1, true, false, false},
      // Energy as the grid bills it (kWh, MWh), money (US dollars; cents), carbon dioxide
      // equivalent (g, kg, t).
      {"Wh", Joule, 3600, true, false, false},
      {"USD", Money, 1, false, false, false},
      {"cents", Money, 0.01, false, false, false},
      {"gCO2e", Carbon, 1, false, false, false},
      {"kgCO2e", Carbon, 1e3, false, false, false},
      {"tCO2e", Carbon, 1e6, false, false, false},
  };
  for (const BaseUnit &U : Units)
    if (S == U.Name)
      return &U;
  return nullptr;
}

std::optional<UnitInfo> lookupSimple(llvm::StringRef S) {
  if (const BaseUnit *U = findBase(S))
    return UnitInfo{U->D, U->Scale};
  struct Prefix {
    const char *P;
    double F;
    int Kind; // 0 SI, 1 sub-unit, 2 IEC
  };
  static const Prefix Prefixes[] = {
      {"Ki", 1024.0, 2},
      {"Mi", 1048576.0, 2},
      {"Gi", 1073741824.0, 2},
      {"Ti", 1099511627776.0, 2},
      {"Pi", 1125899906842624.0, 2},
      {"k", 1e3, 0},
      {"K", 1e3, 0},
      {"M", 1e6, 0},
      {"G", 1e9, 0},
      {"T", 1e12, 0},
      {"P", 1e15, 0},
      {"E", 1e18, 0},
      {"m", 1e-3, 1},
      {"u", 1e-6, 1},
      {"n", 1e-9, 1},
  };
  for (const Prefix &P : Prefixes) {
    if (!S.startswith(P.P))
      continue;
    const BaseUnit *U = findBase(S.drop_front(llvm::StringRef(P.P).size()));
    if (!U)
      continue;
    bool OK = (P.Kind == 0 && U->SIPrefix) || (P.Kind == 1 && U->SubPrefix) ||
              (P.Kind == 2 && U->IECPrefix);
    if (OK)
      return UnitInfo{U->D, U->Scale * P.F};
  }
  return std::nullopt;
}
} // namespace

std::optional<UnitInfo> zoo::lookupUnit(llvm::StringRef Spelling) {
  auto [Num, Den] = Spelling.split('/');
  auto N = lookupSimple(Num.trim());
  if (!N)
    return std::nullopt;
  if (Den.empty())
    return N;
  auto D = lookupSimple(Den.trim());
  if (!D)
    return std::nullopt;
  return UnitInfo{N->D / D->D, N->Scale / D->Scale};
}

std::optional<Dim> zoo::lookupDimension(llvm::StringRef Spelling) {
  // Only unprefixed base units name a dimension: `bytes/s` is a type, `GB/s` is not.
  auto [Num, Den] = Spelling.split('/');
  const BaseUnit *N = findBase(Num.trim());
  if (!N || N->Scale != 1)
    return std::nullopt;
  if (Den.empty())
    return N->D;
  const BaseUnit *D = findBase(Den.trim());
  if (!D || D->Scale != 1)
    return std::nullopt;
  return N->D / D->D;
}
