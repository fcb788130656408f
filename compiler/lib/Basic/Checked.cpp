//===- Checked.cpp - number formatting for exact counts -------------------===//
//
// Locale-free formatting used by every backend: thousands separators, humanized counts and
// shortest round-trip reals.
//
//===----------------------------------------------------------------------===//
#include "zoo/Basic/Checked.h"
#include <cmath>
#include <fmt/format.h>

std::string zoo::withThousands(int64_t V) {
  uint64_t Mag = V < 0 ? 0 - static_cast<uint64_t>(V) : static_cast<uint64_t>(V);
  std::string Digits = std::to_string(Mag);
  std::string Out;
  int N = static_cast<int>(Digits.size());
  for (int I = 0; I < N; ++I) {
    if (I && (N - I) % 3 == 0)
      Out += ',';
    Out += Digits[I];
  }
  return V < 0 ? "-" + Out : Out;
}

std::string zoo::humanCount(double V) {
  if (!std::isfinite(V)) // never reached (the passes report such values); never undefined
    return formatReal(V);
  static const struct {
    double F;
    const char *S;
  } Scales[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
  for (const auto &Sc : Scales) {
    if (std::fabs(V) >= Sc.F) {
      double X = V / Sc.F;
      int Decimals = std::fabs(X) >= 100 ? 0 : std::fabs(X) >= 10 ? 1 : 2;
      return fmt::format("{:.{}f} {}", X, Decimals, Sc.S);
    }
  }
  return fmt::format("{}", static_cast<int64_t>(V));
}

std::string zoo::formatReal(double V) {
  std::string S = fmt::format("{}", V);
  // fmt prints 1e+12; prefer the Zoo spelling 1e12.
  auto P = S.find("e+");
  if (P != std::string::npos)
    S.erase(P + 1, 1);
  return S;
}

namespace {
std::string threeDigits(double X) {
  int Decimals = std::fabs(X) >= 100 ? 0 : std::fabs(X) >= 10 ? 1 : 2;
  return fmt::format("{:.{}f}", X, Decimals);
}
} // namespace

std::string zoo::humanBytes(double V) {
  if (!std::isfinite(V))
    return formatReal(V) + " B";
  static const char *Units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int U = 0;
  while (std::fabs(V) >= 1024 && U < 6) {
    V /= 1024;
    ++U;
  }
  return U == 0 ? fmt::format("{} B", static_cast<int64_t>(V)) : threeDigits(V) + " " + Units[U];
}

std::string zoo::humanSI(double V) {
  static const char *Units[] = {"", "k", "M", "G", "T", "P", "E", "Z"};
  int U = 0;
  while (std::fabs(V) >= 1000 && U < 7) {
    V /= 1000;
    ++U;
  }
  return threeDigits(V) + " " + Units[U];
}
