//===- ParserBase.h - the generated parser's base class -----------*- C++ -*-===//
//
// The grammar names this class as the generated parser's superclass (`superClass` in Zoo.g4).
// It is antlr4::Parser with the bookkeeping of entering an alternative and entering and leaving
// a rule done as the 4.9 runtime does it, minus the runtime's `dynamic_cast` of the current
// context's parent on every rule: a rule context's parent is always a rule context. libstdc++
// confirms each of those casts by comparing mangled type names; they were a twentieth of a large
// file's compile. `exitRule` is not virtual in the runtime: the generated rules call this one,
// which hides it. Listeners are notified as the runtime notifies them. The tree's nodes (rule
// contexts, through `contextSuperClass`, and token nodes) come from a pool of their own.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_PARSE_PARSERBASE_H
#define ZOO_PARSE_PARSERBASE_H

#include "antlr4-runtime.h"
#include <memory>
#include <vector>

// Sanitizers see each node as its own allocation only if it is one.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ZOO_POOLED_NODES 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                     \
    __has_feature(memory_sanitizer)
#define ZOO_POOLED_NODES 0
#endif
#endif
#ifndef ZOO_POOLED_NODES
#define ZOO_POOLED_NODES 1
#endif

namespace zoo {

/// Storage of parse tree nodes: a declaration's tree is made of a few dozen small objects, all
/// freed when the next declaration is parsed, so a freed node goes onto a list of its size (in
/// 16-byte steps) for the next tree to take, in O(1) with no locking. Per thread; a tree is made
/// and freed on one thread. Nodes over 512 bytes go to the heap.
class NodePool {
public:
  static void *allocate(size_t N) { return get().take(N); }
  static void deallocate(void *P, size_t N) { get().give(P, N); }

private:
  static constexpr size_t Granule = 16, Classes = 32, ChunkBytes = 64 * 1024;
  struct FreeNode {
    FreeNode *Next;
  };
  FreeNode *Free[Classes] = {};
  char *Cursor = nullptr, *End = nullptr;
  std::vector<std::unique_ptr<char[]>> Chunks;

  static NodePool &get() {
    thread_local NodePool Pool;
    return Pool;
  }
  void *take(size_t N) {
    size_t C = (N + Granule - 1) / Granule;
    if (C >= Classes)
      return ::operator new(N);
    if (FreeNode *F = Free[C]) {
      Free[C] = F->Next;
      return F;
    }
    size_t Bytes = C * Granule;
    if (static_cast<size_t>(End - Cursor) < Bytes) {
      Chunks.emplace_back(new char[ChunkBytes]);
      Cursor = Chunks.back().get();
      End = Cursor + ChunkBytes;
    }
    void *P = Cursor;
    Cursor += Bytes;
    return P;
  }
  void give(void *P, size_t N) {
    size_t C = (N + Granule - 1) / Granule;
    if (C >= Classes) {
      ::operator delete(P);
      return;
    }
    auto *F = static_cast<FreeNode *>(P);
    F->Next = Free[C];
    Free[C] = F;
  }
};

/// The base of every generated rule context (`contextSuperClass` in Zoo.g4): allocated from the
/// NodePool.
class PooledContext : public antlr4::ParserRuleContext {
public:
  using antlr4::ParserRuleContext::ParserRuleContext;
  PooledContext() = default;
#if ZOO_POOLED_NODES
  static void *operator new(size_t N) { return NodePool::allocate(N); }
  static void operator delete(void *P, size_t N) { NodePool::deallocate(P, N); }
#endif
};

/// A token's node in the tree, allocated from the NodePool.
class PooledTerminal : public antlr4::tree::TerminalNodeImpl {
public:
  explicit PooledTerminal(antlr4::Token *T) : antlr4::tree::TerminalNodeImpl(T) {}
#if ZOO_POOLED_NODES
  static void *operator new(size_t N) { return NodePool::allocate(N); }
  static void operator delete(void *P, size_t N) { NodePool::deallocate(P, N); }
#endif
};

class ParserBase : public antlr4::Parser {
public:
  explicit ParserBase(antlr4::TokenStream *Input) : antlr4::Parser(Input) {}

  void enterRule(antlr4::ParserRuleContext *Local, size_t State, size_t) override {
    setState(State);
    // Room for a rule's usual children at once (its vector would otherwise grow 1, 2, 4).
    Local->children.reserve(4);
    _ctx = Local;
    _ctx->start = _input->LT(1);
    if (_buildParseTrees)
      addContextToParseTree();
    if (!_parseListeners.empty())
      triggerEnterRuleEvent();
  }

  void exitRule() {
    // Once EOF is matched, LT(1) is the EOF token; otherwise the rule stops at what it matched.
    _ctx->stop = _matchedEOF ? _input->LT(1) : _input->LT(-1);
    if (!_parseListeners.empty())
      triggerExitRuleEvent();
    setState(_ctx->invokingState);
    _ctx = parentOf(_ctx);
  }

  void enterOuterAlt(antlr4::ParserRuleContext *Local, size_t Alt) override {
    Local->setAltNumber(Alt);
    // A new context for the alternative replaces the rule's in its parent's children.
    if (_buildParseTrees && _ctx != Local)
      if (antlr4::ParserRuleContext *Parent = parentOf(_ctx)) {
        Parent->removeLastChild();
        Parent->addChild(Local);
      }
    _ctx = Local;
  }

  /// Parser::consume, with the token's node a PooledTerminal; error recovery and listeners take
  /// the runtime's own path.
  antlr4::Token *consume() override {
    if (!_buildParseTrees || !_parseListeners.empty() || _errHandler->inErrorRecoveryMode(this))
      return antlr4::Parser::consume();
    antlr4::Token *T = getCurrentToken();
    if (T->getType() != antlr4::Token::EOF)
      getInputStream()->consume();
    _ctx->addChild(static_cast<antlr4::tree::TerminalNode *>(
        _tracker.createInstance<PooledTerminal>(T)));
    return T;
  }

protected:
  void addContextToParseTree() override {
    if (antlr4::ParserRuleContext *Parent = parentOf(_ctx))
      Parent->addChild(_ctx);
  }

private:
  static antlr4::ParserRuleContext *parentOf(antlr4::ParserRuleContext *C) {
    return static_cast<antlr4::ParserRuleContext *>(C->parent);
  }
};

} // namespace zoo

#endif
