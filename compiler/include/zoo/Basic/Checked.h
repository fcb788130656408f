//===- Checked.h - overflow-checked integer arithmetic ------------*- C++ -*-===//
//
// Counts in Zoo are exact 64-bit integers; overflow is a diagnostic, never a wrap. These helpers
// return std::nullopt on overflow and leave the reporting to the caller. Work counts that grow
// with the context (a prefill of a million tokens) are 128-bit, and `BigCount` carries them through
// the closed forms: exact while they fit, a double beyond (such counts are reported as reals).
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_BASIC_CHECKED_H
#define ZOO_BASIC_CHECKED_H

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>

namespace zoo {

/// Exact wide integers for work counts (a prefill of a million tokens exceeds 64 bits).
using Wide = __int128;

inline std::optional<int64_t> checkedAdd(int64_t A, int64_t B) {
  int64_t R;
  if (__builtin_add_overflow(A, B, &R))
    return std::nullopt;
  return R;
}
inline std::optional<int64_t> checkedSub(int64_t A, int64_t B) {
  int64_t R;
  if (__builtin_sub_overflow(A, B, &R))
    return std::nullopt;
  return R;
}
inline std::optional<int64_t> checkedMul(int64_t A, int64_t B) {
  int64_t R;
  if (__builtin_mul_overflow(A, B, &R))
    return std::nullopt;
  return R;
}

/// Whether a wide count fits in 64 bits.
inline bool fitsInt64(Wide V) { return V >= INT64_MIN && V <= INT64_MAX; }

/// Whether the real `V` is a whole number that fits in 64 bits (NaN and infinities do not).
inline bool isInt64(double V) {
  return V >= -0x1p63 && V < 0x1p63 && static_cast<double>(static_cast<int64_t>(V)) == V;
}

/// A count: exact in 128 bits while every step fits, else approximate (a double, which cannot
/// overflow at the sizes the analysis admits). Arithmetic never wraps: an exact result that would
/// overflow becomes approximate instead.
class BigCount {
public:
  BigCount(Wide V = 0) : Exact(V), Approx(static_cast<double>(V)) {}
  static BigCount approximate(double V) {
    BigCount C;
    C.IsExact = false;
    C.Approx = V;
    return C;
  }
  bool isExact() const { return IsExact; }
  /// The exact value; only while isExact().
  Wide exact() const {
    assert(IsExact && "an approximate count has no exact value");
    return Exact;
  }
  /// The value as a double (rounded where it is exact).
  double approx() const { return Approx; }

  friend BigCount operator+(const BigCount &A, const BigCount &B) {
    Wide R;
    if (A.IsExact && B.IsExact && !__builtin_add_overflow(A.Exact, B.Exact, &R))
      return BigCount(R);
    return approximate(A.Approx + B.Approx);
  }
  friend BigCount operator-(const BigCount &A, const BigCount &B) {
    Wide R;
    if (A.IsExact && B.IsExact && !__builtin_sub_overflow(A.Exact, B.Exact, &R))
      return BigCount(R);
    return approximate(A.Approx - B.Approx);
  }
  friend BigCount operator*(const BigCount &A, const BigCount &B) {
    Wide R;
    if (A.IsExact && B.IsExact && !__builtin_mul_overflow(A.Exact, B.Exact, &R))
      return BigCount(R);
    return approximate(A.Approx * B.Approx);
  }
  BigCount &operator+=(const BigCount &B) { return *this = *this + B; }
  /// Half of an even count (n (n + 1) / 2).
  BigCount half() const {
    if (IsExact)
      return BigCount(Exact / 2);
    return approximate(Approx / 2);
  }

private:
  Wide Exact = 0;
  double Approx = 0;
  bool IsExact = true;
};

/// `8030261248` -> `8,030,261,248`.
std::string withThousands(int64_t V);
/// `8030261248` -> `8.03 B`; three significant digits with K, M, B, T suffixes.
std::string humanCount(double V);
/// `131072` -> `128 KiB`: binary prefixes, three significant digits.
std::string humanBytes(double V);
/// `1.6e10` -> `16.1 G`: SI prefixes up to E, three significant digits (append the unit).
std::string humanSI(double V);
/// Shortest round-tripping decimal spelling of a double, locale-free (`3.35e+12` -> `3.35e12`).
std::string formatReal(double V);

} // namespace zoo

#endif
