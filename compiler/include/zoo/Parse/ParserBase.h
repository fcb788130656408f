//===- ParserBase.h - the generated parser's base class -----------*- C++ -*-===//
//
// The grammar names this class as the generated parser's superclass (`superClass` in Zoo.g4).
// It is antlr4::Parser with the bookkeeping of entering an alternative and entering and leaving
// a rule done as the 4.9 runtime does it, minus the runtime's `dynamic_cast` of the current
// context's parent on every rule: a rule context's parent is always a rule context. libstdc++
// confirms each of those casts by comparing mangled type names; they were a twentieth of a large
// file's compile. `exitRule` is not virtual in the runtime: the generated rules call this one,
// which hides it. Listeners are notified as the runtime notifies them.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_PARSE_PARSERBASE_H
#define ZOO_PARSE_PARSERBASE_H

#include "antlr4-runtime.h"

namespace zoo {

class ParserBase : public antlr4::Parser {
public:
  explicit ParserBase(antlr4::TokenStream *Input) : antlr4::Parser(Input) {}

  void enterRule(antlr4::ParserRuleContext *Local, size_t State, size_t) override {
    setState(State);
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
