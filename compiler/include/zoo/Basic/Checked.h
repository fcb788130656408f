//===- Checked.h - overflow-checked 64-bit integer arithmetic -----*- C++ -*-===//
//
// Counts in Zoo are exact 64-bit integers; overflow is a diagnostic, never a wrap. These helpers
// return std::nullopt on overflow and leave the reporting to the caller.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_BASIC_CHECKED_H
#define ZOO_BASIC_CHECKED_H

#include <cstdint>
#include <optional>
#include <string>

namespace zoo {

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
