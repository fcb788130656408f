//===- Atom.h - interned, immutable strings -----------------------*- C++ -*-===//
//
// An Atom is a string stored once for the whole process and referred to by one pointer: copying
// one copies a pointer, comparing two compares pointers, and it reads as a `const std::string &`.
// The checked IR holds millions of argument names, enumerators and units, a few hundred of them
// distinct, so each as an Atom is 8 bytes where a std::string is 32 (and a heap block when long).
// The empty string is the null pointer, so a default Atom costs nothing to make.
// Interning is thread-safe; atoms are never freed.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_BASIC_ATOM_H
#define ZOO_BASIC_ATOM_H

#include "llvm/ADT/StringRef.h"
#include <fmt/format.h>
#include <string>

namespace llvm {
class raw_ostream;
}

namespace zoo {

class Atom {
public:
  Atom() = default;
  Atom(llvm::StringRef S) : P(S.empty() ? nullptr : &intern(S)) {}
  Atom(const std::string &S) : Atom(llvm::StringRef(S)) {}
  Atom(const char *S) : Atom(llvm::StringRef(S)) {}

  const std::string &str() const { return P ? *P : emptyString(); }
  operator const std::string &() const { return str(); }
  operator llvm::StringRef() const { return str(); }
  llvm::StringRef ref() const { return str(); }
  bool empty() const { return !P; }
  size_t size() const { return str().size(); }
  const char *data() const { return str().data(); }
  const char *c_str() const { return str().c_str(); }

  friend bool operator==(Atom A, Atom B) { return A.P == B.P; }
  friend bool operator!=(Atom A, Atom B) { return A.P != B.P; }
  friend bool operator==(Atom A, llvm::StringRef B) { return A.ref() == B; }
  friend bool operator!=(Atom A, llvm::StringRef B) { return A.ref() != B; }
  friend bool operator==(llvm::StringRef A, Atom B) { return B == A; }
  friend bool operator!=(llvm::StringRef A, Atom B) { return B != A; }
  friend bool operator==(Atom A, const std::string &B) { return A.str() == B; }
  friend bool operator!=(Atom A, const std::string &B) { return A.str() != B; }
  friend bool operator==(const std::string &A, Atom B) { return B == A; }
  friend bool operator!=(const std::string &A, Atom B) { return B != A; }
  friend bool operator==(Atom A, const char *B) { return A.str() == B; }
  friend bool operator!=(Atom A, const char *B) { return A.str() != B; }
  /// Ordered by the text, as std::string orders.
  friend bool operator<(Atom A, Atom B) { return A.str() < B.str(); }
  friend std::string operator+(Atom A, const std::string &B) { return A.str() + B; }
  friend std::string operator+(const std::string &A, Atom B) { return A + B.str(); }
  friend std::string operator+(Atom A, const char *B) { return A.str() + B; }
  friend std::string operator+(const char *A, Atom B) { return A + B.str(); }

private:
  static const std::string &emptyString();
  static const std::string &intern(llvm::StringRef S);
  const std::string *P = nullptr; ///< null: the empty string
};

llvm::raw_ostream &operator<<(llvm::raw_ostream &OS, Atom A);

} // namespace zoo

template <> struct fmt::formatter<zoo::Atom> : fmt::formatter<fmt::string_view> {
  template <typename Ctx> auto format(const zoo::Atom &A, Ctx &C) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(A.data(), A.size()), C);
  }
};

#endif
