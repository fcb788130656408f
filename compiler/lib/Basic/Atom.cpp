//===- Atom.cpp - interned, immutable strings -----------------------------===//

#include "zoo/Basic/Atom.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"
#include <deque>
#include <mutex>

using namespace zoo;

const std::string &Atom::emptyString() {
  static const std::string Empty;
  return Empty;
}

const std::string &Atom::intern(llvm::StringRef S) {
  // The strings live in a deque (stable addresses); the map finds them by their text.
  struct Pool {
    std::mutex M;
    llvm::StringMap<const std::string *> Index;
    std::deque<std::string> Texts;
  };
  static Pool *P = new Pool; // never destroyed: atoms may be read during static destruction
  std::lock_guard<std::mutex> Lock(P->M);
  auto [It, New] = P->Index.try_emplace(S, nullptr);
  if (New) {
    P->Texts.emplace_back(S.str());
    It->second = &P->Texts.back();
  }
  return *It->second;
}

llvm::raw_ostream &zoo::operator<<(llvm::raw_ostream &OS, Atom A) { return OS << A.ref(); }
