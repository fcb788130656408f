//===- ShapeRules.h - rules about tensor shapes shared by Sema's parts ---*- C++ -*-===//
//
// The few facts about a (channels, height, width), (tokens, dim) or (features) shape that the
// shape inference (Shapes.cpp), the containers of the walk (BlockWalker.cpp) and the
// expression evaluator (`channels()`) all use, written once.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_SEMA_SHAPERULES_H
#define ZOO_SEMA_SHAPERULES_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zoo {

/// `(3, 224, 224)`.
std::string shapeText(const std::vector<int64_t> &D);

/// The elements of a shape, checked: nullopt beyond 2^63 - 1.
std::optional<int64_t> numel(const std::vector<int64_t> &D);

/// The dimension that holds the channels: the first of (channels, height, width) or (features),
/// the last of (tokens, dim). Concatenations join along it.
inline size_t channelAxis(const std::vector<int64_t> &D) { return D.size() == 2 ? 1 : 0; }

/// Whether `A` and `B` have the same rank and agree on every dimension but the channels (so
/// they can be concatenated).
inline bool sameOutsideChannels(const std::vector<int64_t> &A, const std::vector<int64_t> &B) {
  if (A.size() != B.size())
    return false;
  for (size_t I = 0; I < A.size(); ++I)
    if (I != channelAxis(A) && A[I] != B[I])
      return false;
  return true;
}

} // namespace zoo

#endif
