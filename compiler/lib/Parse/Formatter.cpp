//===- Formatter.cpp - the canonical layout of a .zoo file ----------------===//
//
// `zooc --format`, in five steps:
//   1. the front end parses the file (parseBuffer): a file it rejects is reported as a
//      compilation reports it, and is not formatted;
//   2. the file is lexed again with every token, comments and spaces included, and parsed whole
//      into an ANTLR parse tree (the front end has already bounded its nesting);
//   3. the tree is walked into a document in the style of Wadler's "prettier printer": text,
//      groups printed on one line when they fit, indentation, alignment, and fills that wrap a
//      list where the next element would not fit. Every token of the file goes in once, in order.
//      A comment goes in beside the token it was written after (on the same line: it stays at the
//      end of that line) or before (on a line of its own: it keeps a line of its own), and blank
//      lines between declarations, statements and fields are kept, one at most. Where the source
//      broke a list or a record body, the layout keeps the break; where the source kept a body
//      on one line, the layout keeps it there when it fits;
//   4. the document is printed within FormatColumnLimit columns, and the comments that end
//      consecutive lines are aligned;
//   5. the output is lexed and its tokens and comments compared with the input's (less the
//      trailing commas the layout drops): a formatter bug becomes an error, never a changed
//      program or a lost comment.
//
// The layout rules themselves are listed in docs/format.md. Nothing here reads or writes files.
//
//===----------------------------------------------------------------------===//
#include "zoo/Parse/Formatter.h"
#include "ZooLexer.h"
#include "ZooParser.h"
#include "antlr4-runtime.h"
#include "zoo/Parse/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>

using namespace zoo;
using namespace zoo::gen;

namespace {

constexpr unsigned IndentWidth = 2; ///< a body's indentation, and a continued line's, per level
constexpr unsigned TrailingGap = 3; ///< spaces between code and the comment that ends its line

/// The width of UTF-8 text in columns: one per code point.
unsigned widthOf(llvm::StringRef S) {
  unsigned W = 0;
  for (char C : S)
    W += (static_cast<unsigned char>(C) & 0xC0) != 0x80;
  return W;
}

// ---- Documents ----------------------------------------------------------------------------------

enum class DK : uint8_t {
  Text,         ///< text; only a block comment may hold line breaks
  Concat,       ///< its children in order
  Group,        ///< its child on one line when it fits and nothing forces a break
  Indent,       ///< its child's lines IndentWidth deeper
  Align,        ///< its child's line breaks continue at the column where it starts
  Fill,         ///< content, separator, content, ...: a separator breaks when what follows
                ///< would not fit
  Line,         ///< a space on a line that is kept whole, else a line break
  Hard,         ///< a line break
  Space,        ///< a space (never two in a row, never at the start of a line)
  CommentSpace, ///< a space, or when a line comment waits, the comment and a line break
  Comment,      ///< a block comment after a token: text, or when a line comment waits, the
                ///< next in line (comments keep their order)
  LineSuffix,   ///< a line comment: it waits for the end of the line
  Flush,        ///< the comments that wait, here (the first ends the line, others get lines)
  LineStart,    ///< a line break unless at the start of a line
  NeedBreak,    ///< what comes next starts a new line
  Blank,        ///< an empty line before what comes next
};

/// A Comment's spacing, in DocNode::Width.
constexpr unsigned SpaceBefore = 1, SpaceAfter = 2;

struct DocNode {
  DK K;
  bool Break = false; ///< a Group that must break (it holds a forced line break)
  unsigned Width = 0; ///< an Indent's columns; a Comment's spacing
  std::string Str;
  std::vector<unsigned> Kids; ///< children are always created before their parent
};

// ---- Step 3: parse tree -> document -------------------------------------------------------------

using PT = antlr4::tree::ParseTree;
using TN = antlr4::tree::TerminalNode;
using Ctx = antlr4::ParserRuleContext;

class TreeFormatter {
public:
  explicit TreeFormatter(std::vector<antlr4::Token *> Toks)
      : All(std::move(Toks)), PrevSig(All.size(), -1), LeadDone(All.size(), false),
        Newlines(All.size(), 0), NewlinesBefore(All.size() + 1, 0),
        CommentsBefore(All.size() + 1, 0) {
    long Last = -1;
    for (size_t I = 0; I < All.size(); ++I) {
      PrevSig[I] = Last;
      if (significant(I))
        Last = static_cast<long>(I);
      if (isWS(I)) {
        std::string S = All[I]->getText();
        Newlines[I] = static_cast<unsigned>(std::count(S.begin(), S.end(), '\n'));
      }
      NewlinesBefore[I + 1] = NewlinesBefore[I] + Newlines[I];
      CommentsBefore[I + 1] = CommentsBefore[I] + (!significant(I) && !isWS(I));
    }
  }

  std::vector<DocNode> Nodes;
  std::vector<size_t> Dropped; ///< token indices left out (trailing commas)
  size_t Emitted = 0;          ///< significant tokens placed, EOF included

  /// The whole file; returns the root.
  unsigned run(ZooParser::FileContext *C) {
    std::vector<unsigned> Kids = collect([&] { file(C); });
    unsigned Root = node(DK::Concat);
    Nodes[Root].Kids = std::move(Kids);
    // Children come before parents, so one pass marks every group that holds a forced break.
    // A line comment that ends a group (nothing of the group after it) waits for the end of the
    // line wherever the group breaks or not, so it does not break that group: else a comment
    // written before a statement's `;` would break the statement, and once printed after the
    // `;` would not, and formatting twice would differ.
    std::vector<bool> Forced(Nodes.size(), false), AtEnd(Nodes.size(), false);
    for (size_t N = 0; N < Nodes.size(); ++N) {
      DocNode &D = Nodes[N];
      switch (D.K) {
      case DK::LineSuffix:
        Forced[N] = AtEnd[N] = true;
        break;
      case DK::Hard:
      case DK::LineStart:
      case DK::NeedBreak:
      case DK::Blank:
        Forced[N] = true;
        break;
      case DK::Text:
      case DK::Comment:
        Forced[N] = D.Str.find('\n') != std::string::npos;
        break;
      default: {
        bool Inside = false; // forced by something other than a comment at the end
        for (size_t I = 0; I < D.Kids.size(); ++I) {
          unsigned K = D.Kids[I];
          Forced[N] = Forced[N] || Forced[K];
          Inside = Inside || (Forced[K] && !(I + 1 == D.Kids.size() && AtEnd[K]));
        }
        AtEnd[N] = Forced[N] && !Inside;
        if (D.K == DK::Group && Inside)
          D.Break = true;
        break;
      }
      }
    }
    return Root;
  }

  bool significant(size_t I) const {
    return All[I]->getChannel() == antlr4::Token::DEFAULT_CHANNEL;
  }

private:
  std::vector<antlr4::Token *> All; ///< every token, hidden ones included, then EOF
  std::vector<long> PrevSig;        ///< the significant token before each, or -1
  std::vector<bool> LeadDone;       ///< its leading comments are placed
  std::vector<unsigned> Newlines;   ///< the line breaks of each (a space token's)
  // Line breaks and comments in the tokens before each: ranges are counted in constant time, so
  // nested bodies cost no more than the file.
  std::vector<size_t> NewlinesBefore, CommentsBefore;
  std::vector<unsigned> *Cur = nullptr;
  // The next token starts a declaration, statement or field: blank lines before it are kept
  // (when BlankOK: not the first of its list) and so are those among its leading comments.
  bool ListStart = false, BlankOK = false;
  // Set while the bodies of an if/else chain are placed: they share the chain's group (all on
  // one line, or all broken), and each says here whether it could be on one line.
  bool *Chain = nullptr;

  // -- Building --

  unsigned node(DK K, std::string S = {}) {
    Nodes.push_back({K, false, 0, std::move(S), {}});
    return static_cast<unsigned>(Nodes.size() - 1);
  }
  void put(DK K, std::string S = {}) { Cur->push_back(node(K, std::move(S))); }
  template <typename F> std::vector<unsigned> collect(F Body) {
    std::vector<unsigned> Kids, *Saved = Cur;
    Cur = &Kids;
    Body();
    Cur = Saved;
    return Kids;
  }
  /// A node of kind K over one Concat of what Body puts.
  template <typename F> unsigned wrap(DK K, F Body, bool Break = false) {
    std::vector<unsigned> Kids = collect(Body);
    unsigned C = node(DK::Concat);
    Nodes[C].Kids = std::move(Kids);
    unsigned W = node(K);
    Nodes[W].Kids = {C};
    Nodes[W].Break = Break;
    Nodes[W].Width = IndentWidth;
    Cur->push_back(W);
    return W;
  }
  /// A Fill whose parts are what Body puts: content() and separators in turn.
  template <typename F> void fill(F Body) {
    std::vector<unsigned> Parts = collect(Body);
    unsigned N = node(DK::Fill);
    Nodes[N].Kids = std::move(Parts);
    Cur->push_back(N);
  }
  template <typename F> void content(F Body) {
    std::vector<unsigned> Kids = collect(Body);
    unsigned C = node(DK::Concat);
    Nodes[C].Kids = std::move(Kids);
    Cur->push_back(C);
  }
  void sp() { put(DK::CommentSpace); }
  void space() { put(DK::Space); }

  // -- Tokens and comments --

  static TN *term(PT *P) { return dynamic_cast<TN *>(P); }
  /// Is `P` the punctuation or keyword `S`? (Identifiers, strings and numbers never are.)
  static bool isTok(PT *P, llvm::StringRef S) {
    TN *T = term(P);
    if (!T)
      return false;
    size_t Type = T->getSymbol()->getType();
    return Type != ZooLexer::ID && Type != ZooLexer::STRING && Type != ZooLexer::INT &&
           Type != ZooLexer::REAL && T->getSymbol()->getText() == S;
  }
  static size_t first(PT *P) {
    if (TN *T = term(P))
      return T->getSymbol()->getTokenIndex();
    return static_cast<Ctx *>(P)->getStart()->getTokenIndex();
  }
  static size_t last(PT *P) {
    if (TN *T = term(P))
      return T->getSymbol()->getTokenIndex();
    return static_cast<Ctx *>(P)->getStop()->getTokenIndex();
  }
  bool isWS(size_t I) const { return All[I]->getType() == ZooLexer::WS; }
  unsigned newlines(size_t I) const { return Newlines[I]; }
  /// Whether the source has a line break between tokens A and B.
  bool newlineBetween(size_t A, size_t B) const {
    return B > A + 1 && NewlinesBefore[B] != NewlinesBefore[A + 1];
  }
  /// Whether the source has a comment between tokens A and B.
  bool commentBetween(size_t A, size_t B) const {
    return B > A + 1 && CommentsBefore[B] != CommentsBefore[A + 1];
  }
  /// Whether a line comment follows token I on its line.
  bool lineCommentAfter(size_t I) const {
    for (size_t K = I + 1; K < All.size() && !significant(K); ++K) {
      if (All[K]->getType() == ZooLexer::LINE_COMMENT)
        return true;
      if (isWS(K) && newlines(K))
        return false;
    }
    return false;
  }
  /// The separator between two elements of a list: a line break where the source has one (or,
  /// with KeepBreaks false, only where a line comment ends the line), else a space or a line
  /// break as the width allows.
  DK separator(PT *Before, PT *After, bool KeepBreaks) const {
    bool Break =
        KeepBreaks ? newlineBetween(last(Before), first(After)) : lineCommentAfter(last(Before));
    return Break ? DK::Hard : DK::Line;
  }
  /// A comment as printed: a line comment without trailing blanks, a block comment with line
  /// feeds for its line ends.
  std::string commentText(size_t I) const {
    std::string S = All[I]->getText();
    if (All[I]->getType() == ZooLexer::LINE_COMMENT) {
      while (!S.empty() && (S.back() == ' ' || S.back() == '\t' || S.back() == '\f'))
        S.pop_back();
      return S;
    }
    std::string Out;
    for (size_t K = 0; K < S.size(); ++K)
      if (!(S[K] == '\r' && K + 1 < S.size() && S[K + 1] == '\n'))
        Out += S[K];
    return Out;
  }

  /// The comments on lines of their own before token I (those on the line of the token before
  /// belong to it). Blank lines before the first are kept when BlankBefore, between them when
  /// BlankBetween, and between the last and the token (or before the token, when there are none
  /// and BlankBefore) when BlankAfter.
  void leading(size_t I, bool BlankBefore, bool BlankBetween, bool BlankAfter) {
    if (LeadDone[I])
      return;
    LeadDone[I] = true;
    long P = PrevSig[I];
    bool OwnLine = P < 0; // at the start of the file every comment is on a line of its own
    unsigned NL = 0;
    bool First = true;
    for (size_t K = static_cast<size_t>(P + 1); K < I; ++K) {
      if (isWS(K)) {
        unsigned N = newlines(K);
        NL += N;
        OwnLine = OwnLine || N;
        continue;
      }
      if (!OwnLine) { // the previous token's trailing comment
        NL = 0;
        continue;
      }
      if (NL >= 2 && (First ? BlankBefore : BlankBetween))
        put(DK::Blank);
      if (First || NL) // else it goes on after the comment before it
        put(DK::LineStart);
      put(DK::Text, commentText(K));
      bool BreakAfter = All[K]->getType() == ZooLexer::LINE_COMMENT ||
                        (K + 1 < I && isWS(K + 1) && newlines(K + 1));
      put(BreakAfter ? DK::NeedBreak : DK::Space);
      First = false;
      NL = 0;
    }
    if (NL >= 2 && BlankAfter && (!First || BlankBefore))
      put(DK::Blank);
  }

  /// The comments after token I on its line.
  void trailing(size_t I) {
    for (size_t K = I + 1; K < All.size() && !significant(K); ++K) {
      if (isWS(K)) {
        if (newlines(K))
          break;
        continue;
      }
      if (All[K]->getType() == ZooLexer::LINE_COMMENT) {
        put(DK::LineSuffix, commentText(K));
        continue;
      }
      // A block comment: spaced from its neighbours as it was written.
      put(DK::Comment, commentText(K));
      Nodes[Cur->back()].Width =
          (isWS(K - 1) ? SpaceBefore : 0) | (K + 1 < All.size() && isWS(K + 1) ? SpaceAfter : 0);
    }
  }

  /// The comments on lines of their own before token I, as the next token placed (the first of
  /// a declaration, statement or field keeps the blank lines around them).
  void lead(size_t I) {
    bool Start = ListStart, OK = BlankOK;
    ListStart = BlankOK = false;
    leading(I, Start && OK, Start, Start);
  }

  /// Places token I (its text left out when Drop) with its comments (those after it on its line
  /// only when WithTrailing).
  void tokAt(size_t I, bool Drop = false, bool WithTrailing = true) {
    lead(I);
    if (Drop)
      Dropped.push_back(I);
    else if (All[I]->getType() != antlr4::Token::EOF)
      put(DK::Text, All[I]->getText());
    if (WithTrailing)
      trailing(I);
    ++Emitted;
  }
  void tok(PT *P, bool Drop = false, bool WithTrailing = true) {
    tokAt(term(P)->getSymbol()->getTokenIndex(), Drop, WithTrailing);
  }
  /// The next token begins a declaration, statement or field.
  void startElement(bool NotFirst) {
    ListStart = true;
    BlankOK = NotFirst;
  }

  // -- Lists and bodies --

  /// Elements separated by commas (a trailing comma is dropped), filled: an element goes on the
  /// line of the one before when it fits and (with KeepBreaks) the source did not break the line
  /// there.
  void commaFill(const std::vector<PT *> &Items, bool KeepBreaks = true) {
    std::vector<std::pair<PT *, PT *>> Elems; // element, the comma after it
    for (PT *K : Items) {
      if (isTok(K, ",") && !Elems.empty())
        Elems.back().second = K;
      else
        Elems.push_back({K, nullptr});
    }
    fill([&] {
      for (size_t I = 0; I < Elems.size(); ++I) {
        if (I) {
          PT *Before = Elems[I - 1].second ? Elems[I - 1].second : Elems[I - 1].first;
          put(separator(Before, Elems[I].first, KeepBreaks));
        }
        content([&] {
          visit(Elems[I].first);
          if (Elems[I].second)
            tok(Elems[I].second, /*Drop=*/I + 1 == Elems.size());
        });
      }
    });
  }

  /// `(` list `)` from child I of C (a list context, or elements and commas directly); returns
  /// the index after `)`. Continuation lines align after the `(`.
  size_t parens(Ctx *C, size_t I) {
    PT *Open = C->children[I++];
    std::vector<PT *> Items;
    while (!isTok(C->children[I], ")")) {
      PT *K = C->children[I++];
      if (dynamic_cast<ZooParser::ArgListContext *>(K) ||
          dynamic_cast<ZooParser::ParamListContext *>(K)) {
        auto &Kids = static_cast<Ctx *>(K)->children;
        Items.insert(Items.end(), Kids.begin(), Kids.end());
      } else {
        Items.push_back(K);
      }
    }
    PT *Close = C->children[I++];
    tok(Open);
    if (!Items.empty())
      wrap(DK::Align, [&] { commaFill(Items); });
    tok(Close);
    return I;
  }

  /// `{ elements }`, in one of three ways:
  ///   - packed, for fields and enum members that start on the line of the `{` and end on the
  ///     line of the `}`: `{ a = 1; b = 2; }`, filled, the lines continuing after the `{ `;
  ///   - on one line, for a statement alone in a body written on one line, when it fits;
  ///   - otherwise a block: `{`, the elements one level deeper (a statement a line; fields on
  ///     the source's lines, filled), `}` on a line of its own.
  void body(PT *Open, const std::vector<PT *> &Elems, PT *Close, bool Statements, bool Commas) {
    size_t O = first(Open), Cl = first(Close);
    if (Elems.empty() && !commentBetween(O, Cl)) {
      tok(Open);
      tok(Close);
      return;
    }
    bool Packed = !Statements && !Elems.empty() && !newlineBetween(O, first(Elems.front())) &&
                  !newlineBetween(last(Elems.back()), Cl);
    auto Elements = [&] {
      if (Commas) {
        startElement(false);
        commaFill(Elems, /*KeepBreaks=*/!Packed);
        return;
      }
      fill([&] {
        for (size_t I = 0; I < Elems.size(); ++I) {
          if (I)
            put(Statements ? DK::Hard : separator(Elems[I - 1], Elems[I], !Packed));
          content([&] {
            startElement(I > 0);
            visit(Elems[I]);
          });
        }
      });
    };
    if (Packed) {
      tok(Open);
      space();
      wrap(DK::Align, Elements);
      space();
      tok(Close);
      return;
    }
    bool OneLine = Statements && !newlineBetween(O, Cl) && Elems.size() <= 1;
    bool *InChain = Chain;
    Chain = nullptr; // the statements inside have chains of their own
    auto Lines = [&] {
      tok(Open);
      wrap(DK::Indent, [&] {
        if (!Elems.empty())
          put(DK::Line);
        Elements();
        put(DK::Flush); // at this depth, as comments before the `}` would be
        leading(Cl, /*BlankBefore=*/!Elems.empty(), true, false);
      });
      put(DK::Line);
      tok(Close, false, /*WithTrailing=*/false);
    };
    if (InChain) {
      Lines();
      *InChain = *InChain && OneLine;
    } else {
      lead(O); // outside the group: a comment on the line before the `{` does not break it
      wrap(DK::Group, Lines, !OneLine);
    }
    trailing(first(Close)); // outside the group: a comment after the `}` does not break it
    Chain = InChain;
  }

  /// `{ stmt* }` from child I of C; returns the index after `}`.
  size_t stmtBody(Ctx *C, size_t I) {
    PT *Open = C->children[I++];
    std::vector<PT *> Stmts;
    while (!isTok(C->children[I], "}"))
      Stmts.push_back(C->children[I++]);
    PT *Close = C->children[I++];
    body(Open, Stmts, Close, /*Statements=*/true, /*Commas=*/false);
    return I;
  }

  /// The children of C in order, a comment-aware space between two unless the second is `;`,
  /// `%`, or the argument list of a metric. A `source` tag written on a line of its own stays
  /// there, one level deeper.
  void spaced(Ctx *C) {
    for (size_t I = 0; I < C->children.size(); ++I) {
      PT *K = C->children[I];
      if (I && dynamic_cast<ZooParser::SourceTagContext *>(K)) {
        // In an Indent either way: a line comment before the tag breaks the line there too.
        bool Break = newlineBetween(last(C->children[I - 1]), first(K));
        wrap(DK::Indent, [&] {
          put(Break ? DK::Hard : DK::CommentSpace);
          visit(K);
        });
        continue;
      }
      if (I && !isTok(K, ";") && !isTok(K, "%") && !dynamic_cast<ZooParser::MetricArgsContext *>(K))
        sp();
      visit(K);
    }
  }
  /// The children of C with nothing between them (`GB/s`, `a.b`, `bytes/s`).
  void abutting(Ctx *C) {
    for (PT *K : C->children)
      visit(K);
  }

  // -- The grammar, rule by rule --

  void file(ZooParser::FileContext *C) {
    std::vector<PT *> Elems;
    PT *Eof = nullptr;
    for (PT *K : C->children) {
      if (term(K))
        Eof = K;
      else
        Elems.push_back(K);
    }
    for (size_t I = 0; I < Elems.size(); ++I) {
      if (I)
        put(DK::Hard);
      startElement(I > 0);
      visit(Elems[I]);
    }
    // Comments after the last declaration.
    size_t E = first(Eof);
    leading(E, /*BlankBefore=*/!Elems.empty(), true, false);
    tokAt(E);
  }

  void visit(PT *P) {
    if (TN *T = term(P))
      return tok(T);
    if (auto *C = dynamic_cast<ZooParser::ExprContext *>(P))
      return expr(C);
    if (auto *C = dynamic_cast<ZooParser::PrimaryContext *>(P))
      return primary(C);
    if (auto *C = dynamic_cast<ZooParser::StmtContext *>(P))
      return stmt(C);
    if (auto *C = dynamic_cast<ZooParser::ItemContext *>(P))
      return item(C);
    if (auto *C = dynamic_cast<ZooParser::RecordBodyContext *>(P)) {
      std::vector<PT *> Items(C->children.begin() + 1, C->children.end() - 1);
      return body(C->children.front(), Items, C->children.back(), false, false);
    }
    if (auto *C = dynamic_cast<ZooParser::CallContext *>(P)) {
      // callee instance? ( args )
      visit(C->children[0]);
      size_t I = 1;
      if (dynamic_cast<ZooParser::IdentContext *>(C->children[1])) {
        sp();
        visit(C->children[I++]);
      }
      parens(C, I);
      return;
    }
    if (auto *C = dynamic_cast<ZooParser::ArgContext *>(P))
      return param(C);
    if (auto *C = dynamic_cast<ZooParser::ParamContext *>(P))
      return param(C);
    if (auto *C = dynamic_cast<ZooParser::MetricArgsContext *>(P)) {
      parens(C, 0);
      return;
    }
    if (dynamic_cast<ZooParser::TypeRefContext *>(P) || dynamic_cast<ZooParser::UnitContext *>(P) ||
        dynamic_cast<ZooParser::IdentContext *>(P) || dynamic_cast<ZooParser::NumberContext *>(P))
      return abutting(static_cast<Ctx *>(P));
    if (auto *C = dynamic_cast<ZooParser::DeclContext *>(P))
      return visit(C->children[0]);
    if (auto *C = dynamic_cast<ZooParser::BlockDeclContext *>(P)) {
      tok(C->children[0]);
      sp();
      visit(C->children[1]);
      size_t I = parens(C, 2);
      space();
      stmtBody(C, I);
      return;
    }
    if (auto *C = dynamic_cast<ZooParser::PrimitiveDeclContext *>(P)) {
      tok(C->children[0]);
      sp();
      visit(C->children[1]);
      size_t I = parens(C, 2);
      tok(C->children[I]);
      return;
    }
    if (auto *C = dynamic_cast<ZooParser::EnumDeclContext *>(P)) {
      // enum name { a, b, c }
      tok(C->children[0]);
      sp();
      visit(C->children[1]);
      space();
      std::vector<PT *> Members(C->children.begin() + 3, C->children.end() - 1);
      body(C->children[2], Members, C->children.back(), false, /*Commas=*/true);
      return;
    }
    if (auto *C = dynamic_cast<ZooParser::ModelDeclContext *>(P)) {
      // model name = arch(args) body-or-;   model name = base with (args) body-or-;
      tok(C->children[0]);
      sp();
      visit(C->children[1]);
      sp();
      tok(C->children[2]);
      sp();
      visit(C->children[3]);
      size_t I = 4;
      if (isTok(C->children[I], "with")) {
        sp();
        tok(C->children[I++]);
        sp();
      }
      I = parens(C, I);
      if (!isTok(C->children[I], ";"))
        space();
      visit(C->children[I]);
      return;
    }
    if (auto *C = dynamic_cast<ZooParser::HardwareDeclContext *>(P)) {
      // hardware name : class body
      for (size_t I = 0; I + 1 < C->children.size(); ++I) {
        if (I)
          sp();
        visit(C->children[I]);
      }
      space();
      visit(C->children.back());
      return;
    }
    if (dynamic_cast<ZooParser::PrecisionDeclContext *>(P) ||
        dynamic_cast<ZooParser::ScenarioDeclContext *>(P) ||
        dynamic_cast<ZooParser::PipelineDeclContext *>(P) ||
        dynamic_cast<ZooParser::ClassDeclContext *>(P) ||
        dynamic_cast<ZooParser::RuntimeDeclContext *>(P) ||
        dynamic_cast<ZooParser::SystemDeclContext *>(P) ||
        dynamic_cast<ZooParser::OptimizerDeclContext *>(P) ||
        dynamic_cast<ZooParser::TrainingDeclContext *>(P) ||
        dynamic_cast<ZooParser::WorkloadDeclContext *>(P) ||
        dynamic_cast<ZooParser::ServingDeclContext *>(P) ||
        dynamic_cast<ZooParser::PriceDeclContext *>(P) ||
        dynamic_cast<ZooParser::GridDeclContext *>(P)) {
      // keyword name body
      auto *C = static_cast<Ctx *>(P);
      tok(C->children[0]);
      sp();
      visit(C->children[1]);
      space();
      visit(C->children[2]);
      return;
    }
    // importDecl, sourceTag, ifStmt are handled here or below; anything else is spaced.
    if (auto *C = dynamic_cast<ZooParser::IfStmtContext *>(P))
      return ifStmt(C);
    spaced(static_cast<Ctx *>(P));
  }

  /// `name: value` (an argument) or `name: type = default` (a parameter).
  void param(Ctx *C) {
    for (size_t I = 0; I < C->children.size(); ++I) {
      PT *K = C->children[I];
      if (I && !isTok(K, ":"))
        sp();
      visit(K);
    }
  }

  void stmt(ZooParser::StmtContext *C) {
    if (dynamic_cast<ZooParser::CallStmtContext *>(C)) { // call ;
      visit(C->children[0]);
      tok(C->children[1]);
    } else if (dynamic_cast<ZooParser::CallBodyStmtContext *>(C)) { // call { stmt* }
      visit(C->children[0]);
      space();
      stmtBody(C, 1);
    } else if (dynamic_cast<ZooParser::RepeatStmtContext *>(C)) { // repeat n { stmt* }
      tok(C->children[0]);
      sp();
      visit(C->children[1]);
      space();
      stmtBody(C, 2);
    } else if (dynamic_cast<ZooParser::ForStmtContext *>(C)) { // for i in a..b { stmt* }
      tok(C->children[0]);
      sp();
      visit(C->children[1]);
      sp();
      tok(C->children[2]);
      sp();
      visit(C->children[3]);
      tok(C->children[4]);
      visit(C->children[5]);
      space();
      stmtBody(C, 6);
    } else if (dynamic_cast<ZooParser::RequireStmtContext *>(C)) { // require c, "why";
      // The message goes under the condition when the statement does not fit on one line.
      tok(C->children[0]);
      sp();
      wrap(DK::Group, [&] {
        wrap(DK::Align, [&] {
          visit(C->children[1]);
          for (size_t I = 2; I + 1 < C->children.size(); ++I) {
            visit(C->children[I]);
            if (isTok(C->children[I], ","))
              put(DK::Line);
          }
        });
      });
      tok(C->children.back());
    } else {
      visit(C->children[0]); // an ifStmt
    }
  }

  /// if c { ... } else if d { ... } else { ... }: the bodies of a chain are all on one line
  /// (each written so, alone in its body, and the whole fits) or all broken.
  void ifStmt(ZooParser::IfStmtContext *C) {
    bool OneLine = true, *Saved = Chain;
    Chain = &OneLine;
    lead(first(C)); // comments before the chain do not break it
    unsigned G = wrap(DK::Group, [&] { ifLink(C); });
    Chain = Saved;
    Nodes[G].Break = !OneLine;
  }
  /// One link of a chain, then the rest (the front end bounds how many links nest).
  void ifLink(ZooParser::IfStmtContext *C) {
    tok(C->children[0]);
    sp();
    visit(C->children[1]);
    space();
    size_t I = stmtBody(C, 2);
    if (I == C->children.size())
      return;
    space();
    tok(C->children[I++]); // else
    space();
    if (auto *Next = dynamic_cast<ZooParser::IfStmtContext *>(C->children[I]))
      ifLink(Next);
    else
      stmtBody(C, I);
  }

  void item(ZooParser::ItemContext *C) {
    if (dynamic_cast<ZooParser::SectionItemContext *>(C)) { // kind name? { items }
      for (size_t I = 0; I + 1 < C->children.size(); ++I) {
        if (I)
          sp();
        visit(C->children[I]);
      }
      space();
      visit(C->children.back());
      return;
    }
    spaced(C); // fields, sources, expectations, measurements
  }

  void expr(ZooParser::ExprContext *C) {
    size_t N = C->children.size();
    if (N == 1) // primary
      return visit(C->children[0]);
    if (N == 2) { // prefix operator
      tok(C->children[0]);
      visit(C->children[1]);
      return;
    }
    if (dynamic_cast<ZooParser::OrExprContext *>(C) || dynamic_cast<ZooParser::AndExprContext *>(C))
      return chain(C);
    // a op b, c ? a : b
    for (size_t I = 0; I < N; ++I) {
      if (I)
        sp();
      visit(C->children[I]);
    }
  }

  /// a || b || c (or &&): the operands of one operator, left to right, filled from the column
  /// where the chain starts, each operator ending its line when the next operand would not fit.
  void chain(ZooParser::ExprContext *C) {
    const bool Or = dynamic_cast<ZooParser::OrExprContext *>(C) != nullptr;
    auto Same = [&](PT *P) {
      return Or ? dynamic_cast<ZooParser::OrExprContext *>(P) != nullptr
                : dynamic_cast<ZooParser::AndExprContext *>(P) != nullptr;
    };
    // The operators are left-associative: the chain descends through the left operands.
    std::vector<PT *> Operands, Ops;
    PT *P = C;
    while (Same(P)) {
      Operands.push_back(P->children[2]);
      Ops.push_back(P->children[1]);
      P = P->children[0];
    }
    Operands.push_back(P);
    std::reverse(Operands.begin(), Operands.end());
    std::reverse(Ops.begin(), Ops.end());
    wrap(DK::Align, [&] {
      fill([&] {
        for (size_t I = 0; I < Operands.size(); ++I) {
          if (I)
            put(separator(Ops[I - 1], Operands[I], /*KeepBreaks=*/false));
          content([&] {
            visit(Operands[I]);
            if (I < Ops.size()) {
              sp();
              tok(Ops[I]);
            }
          });
        }
      });
    });
  }

  void primary(ZooParser::PrimaryContext *C) {
    if (dynamic_cast<ZooParser::NumberLitContext *>(C)) { // number unit?
      visit(C->children[0]);
      if (C->children.size() == 2) {
        sp();
        visit(C->children[1]);
      }
    } else if (dynamic_cast<ZooParser::BuiltinCallContext *>(C)) { // name(a, b)
      visit(C->children[0]);
      parens(C, 1);
    } else { // strings, booleans, a.b.c, (e)
      abutting(C);
    }
  }
};

// ---- Step 4: document -> text -------------------------------------------------------------------

class Printer {
public:
  explicit Printer(const std::vector<DocNode> &Nodes) : Nodes(Nodes) {}

  std::string print(unsigned Root) {
    Stack.push_back({0, false, Root, 0});
    while (!Stack.empty()) {
      Cmd C = Stack.back();
      Stack.pop_back();
      const DocNode &N = Nodes[C.Node];
      switch (N.K) {
      case DK::Text:
        text(N.Str, C.Ind);
        break;
      case DK::Concat:
        for (auto It = N.Kids.rbegin(); It != N.Kids.rend(); ++It)
          Stack.push_back({C.Ind, C.Flat, *It, 0});
        break;
      case DK::Indent:
        Stack.push_back({C.Ind + N.Width, C.Flat, N.Kids[0], 0});
        break;
      case DK::Align:
        Stack.push_back({Pos, C.Flat, N.Kids[0], 0});
        break;
      case DK::Group: {
        // Never flat while a line comment waits for the end of the line.
        bool Flat = !N.Break && Suffix.empty() &&
                    (C.Flat || fits({{true, N.Kids[0]}}, true, room(Pos), false));
        Stack.push_back({C.Ind, Flat, N.Kids[0], 0});
        break;
      }
      case DK::Fill:
        fill(C, N);
        break;
      case DK::Line:
        if (C.Flat)
          space();
        else
          newline(C.Ind);
        break;
      case DK::Hard:
        newline(C.Ind);
        break;
      case DK::Space:
        space();
        break;
      case DK::CommentSpace:
        if (Suffix.empty())
          space();
        else
          newline(C.Ind);
        break;
      case DK::Comment:
        if (!Suffix.empty()) {
          Suffix.push_back(N.Str);
          break;
        }
        if (N.Width & SpaceBefore)
          space();
        text(N.Str, C.Ind);
        if (N.Width & SpaceAfter)
          space();
        break;
      case DK::LineSuffix:
        Suffix.push_back(N.Str);
        break;
      case DK::Flush:
        if (!Suffix.empty()) {
          flushSuffix(C.Ind);
          MustBreak = true;
        }
        break;
      case DK::LineStart:
        if (LineHasContent)
          newline(C.Ind);
        break;
      case DK::NeedBreak:
        MustBreak = true;
        break;
      case DK::Blank:
        blank(C.Ind);
        break;
      }
    }
    flushSuffix(0);
    trim();
    if (Out.find_first_not_of(" \n") == std::string::npos)
      return "";
    Out += '\n';
    alignTrailingComments();
    return std::move(Out);
  }

private:
  struct Cmd {
    unsigned Ind; ///< the column a line break goes to
    bool Flat;    ///< inside a group printed on one line
    unsigned Node;
    size_t FillAt; ///< a Fill under way: its next separator (0: not started)
  };
  /// A line that ends with a comment: its code is CodeBytes long and CodeCols wide.
  struct Trailing {
    size_t Line, CodeBytes;
    unsigned CodeCols, CommentCols;
  };

  const std::vector<DocNode> &Nodes;
  std::vector<Cmd> Stack;
  std::string Out;
  size_t Lines = 0, LineBegin = 0; ///< the current line's number and offset
  unsigned Pos = 0;                ///< its column
  bool LineHasContent = false, MustBreak = false;
  std::vector<std::string> Suffix; ///< line comments waiting for the end of the line
  std::vector<Trailing> Trailings;

  int room(unsigned Col) const {
    return static_cast<int>(FormatColumnLimit) - static_cast<int>(Col);
  }

  void trim() {
    while (Out.size() > LineBegin && Out.back() == ' ') {
      Out.pop_back();
      --Pos;
    }
  }
  void text(const std::string &S, unsigned Ind) {
    if (MustBreak)
      newline(Ind);
    Out += S;
    size_t NL = S.rfind('\n');
    if (NL == std::string::npos) {
      Pos += widthOf(S);
    } else {
      Lines += static_cast<size_t>(std::count(S.begin(), S.end(), '\n'));
      LineBegin = Out.size() - (S.size() - NL - 1);
      Pos = widthOf(llvm::StringRef(S).substr(NL + 1));
    }
    LineHasContent = true;
  }
  void space() {
    if (LineHasContent && !MustBreak && Out.back() != ' ') {
      Out += ' ';
      ++Pos;
    }
  }
  void startLine(unsigned Ind) {
    trim();
    Out += '\n';
    ++Lines;
    LineBegin = Out.size();
    Out.append(Ind, ' ');
    Pos = Ind;
    LineHasContent = false;
    MustBreak = false;
  }
  void newline(unsigned Ind) {
    flushSuffix(Ind);
    startLine(Ind);
  }
  /// The waiting comments: the first (a line comment) ends the current line, each other gets a
  /// line of its own.
  void flushSuffix(unsigned Ind) {
    std::vector<std::string> Waiting;
    Waiting.swap(Suffix);
    for (size_t I = 0; I < Waiting.size(); ++I) {
      if (LineHasContent && I == 0) {
        trim();
        Trailings.push_back({Lines, Out.size() - LineBegin, Pos, widthOf(Waiting[0])});
        Out.append(TrailingGap, ' ');
        Pos += TrailingGap;
      } else if (LineHasContent) {
        startLine(Ind);
      }
      MustBreak = false;
      text(Waiting[I], Ind);
    }
  }
  void blank(unsigned Ind) {
    if (LineHasContent)
      newline(Ind);
    if (Lines == 0 || (LineBegin >= 2 && Out[LineBegin - 2] == '\n'))
      return; // the top of the file, or an empty line already
    newline(Ind);
  }

  /// Whether the items of `Work` (a stack: the last is printed first) fit in `Width` columns,
  /// up to the first line break; with `Rest`, what follows on the stack counts too. With
  /// `MustBeFlat`, a group that must break does not fit; without `BreakEnds`, neither does a
  /// forced line break (what holds one is never printed flat).
  bool fits(std::vector<std::pair<bool, unsigned>> Work, bool Rest, int Width, bool MustBeFlat,
            bool BreakEnds = true) {
    size_t RestAt = Stack.size();
    bool InRest = false;
    bool Waiting =
        !Suffix.empty(); // a line comment waits: the next break opportunity ends the line
    while (Width >= 0) {
      if (Work.empty()) {
        if (!Rest || RestAt == 0)
          return true;
        const Cmd &C = Stack[--RestAt];
        if (C.FillAt) { // the rest of a fill under way: a separator, which may break
          if (C.FillAt + 1 >= Nodes[C.Node].Kids.size())
            continue;
          return true;
        }
        Work.push_back({C.Flat, C.Node});
        InRest = true;
        continue;
      }
      auto [Flat, N] = Work.back();
      Work.pop_back();
      const DocNode &D = Nodes[N];
      switch (D.K) {
      case DK::Text:
        if (D.Str.find('\n') != std::string::npos)
          return InRest || BreakEnds;
        Width -= static_cast<int>(widthOf(D.Str));
        break;
      case DK::Concat:
      case DK::Fill:
        for (auto It = D.Kids.rbegin(); It != D.Kids.rend(); ++It)
          Work.push_back({Flat, *It});
        break;
      case DK::Indent:
      case DK::Align:
        Work.push_back({Flat, D.Kids[0]});
        break;
      case DK::Group:
        if (MustBeFlat && !InRest && D.Break)
          return false;
        Work.push_back({Flat && !D.Break, D.Kids[0]});
        break;
      case DK::Line:
        if (!Flat)
          return true;
        if (Waiting)
          return InRest || BreakEnds;
        Width -= 1;
        break;
      case DK::Space:
        Width -= 1;
        break;
      case DK::CommentSpace:
        if (Waiting)
          return InRest || BreakEnds;
        Width -= 1;
        break;
      case DK::Comment:
        if (Waiting)
          break; // it waits too
        if (D.Str.find('\n') != std::string::npos)
          return InRest || BreakEnds;
        Width -=
            static_cast<int>(widthOf(D.Str)) + !!(D.Width & SpaceBefore) + !!(D.Width & SpaceAfter);
        break;
      case DK::Hard:
      case DK::LineStart:
      case DK::NeedBreak:
      case DK::Blank:
        return InRest || BreakEnds;
      case DK::LineSuffix:
        Waiting = true; // comments do not count
        break;
      case DK::Flush:
        if (Waiting)
          return InRest || BreakEnds;
        break;
      }
    }
    return false;
  }

  /// A fill: the first content, then each separator with the content after it.
  void fill(const Cmd &C, const DocNode &N) {
    const std::vector<unsigned> &P = N.Kids;
    if (P.empty())
      return;
    if (C.Flat) {
      for (auto It = P.rbegin(); It != P.rend(); ++It)
        Stack.push_back({C.Ind, true, *It, 0});
      return;
    }
    if (C.FillAt == 0) {
      bool Flat = fits({{true, P[0]}}, false, room(Pos), true, false);
      Stack.push_back({C.Ind, false, C.Node, 1});
      Stack.push_back({C.Ind, Flat, P[0], 0});
      return;
    }
    size_t At = C.FillAt;
    if (At + 1 >= P.size())
      return;
    unsigned Sep = P[At], Next = P[At + 1];
    bool Last = At + 2 >= P.size();
    // The separator breaks when the next content (with what follows the list, after the last)
    // does not fit on this line, or holds a line break, unless it would not fit on a line of
    // its own either while the content alone does fit here (the rest is too long whatever the
    // list does).
    bool SepFlat = false;
    if (Nodes[Sep].K != DK::Hard && Suffix.empty()) // a waiting line comment ends the line here
      SepFlat = fits({{true, Next}, {true, Sep}}, Last, room(Pos), true, false) ||
                (Last && fits({{true, Next}, {true, Sep}}, false, room(Pos), true, false) &&
                 !fits({{true, Next}}, true, room(C.Ind), true, false));
    bool NextFlat = fits({{true, Next}}, false, room(SepFlat ? Pos + 1 : C.Ind), true, false);
    Stack.push_back({C.Ind, false, C.Node, At + 2});
    Stack.push_back({C.Ind, NextFlat, Next, 0});
    Stack.push_back({C.Ind, SepFlat, Sep, 0});
  }

  /// The comments that end consecutive lines start in one column, TrailingGap after the
  /// longest code among those lines, as long as every one of them still ends within the column
  /// limit (a line that would take a comment past it starts a new run).
  void alignTrailingComments() {
    if (Trailings.empty())
      return;
    std::vector<size_t> Starts{0};
    for (size_t I = 0; I < Out.size(); ++I)
      if (Out[I] == '\n')
        Starts.push_back(I + 1);
    std::string New;
    size_t Copied = 0;
    for (size_t R = 0; R < Trailings.size();) {
      size_t E = R + 1;
      unsigned Widest = Trailings[R].CodeCols, Longest = Trailings[R].CommentCols;
      for (; E < Trailings.size() && Trailings[E].Line == Trailings[E - 1].Line + 1; ++E) {
        unsigned W = std::max(Widest, Trailings[E].CodeCols);
        unsigned L = std::max(Longest, Trailings[E].CommentCols);
        if (W + TrailingGap + L > FormatColumnLimit)
          break;
        Widest = W;
        Longest = L;
      }
      for (; R < E; ++R) {
        const Trailing &T = Trailings[R];
        size_t Code = Starts[T.Line] + T.CodeBytes;
        New.append(Out, Copied, Code - Copied);
        New.append(Widest - T.CodeCols + TrailingGap, ' ');
        Copied = Code + TrailingGap;
      }
    }
    New.append(Out, Copied, std::string::npos);
    Out = std::move(New);
  }
};

// ---- Steps 2 and 5: lexing and parsing ----------------------------------------------------------

/// A file lexed with every token, and (when asked) parsed whole.
struct Parsed {
  explicit Parsed(llvm::StringRef Text)
      : Input(Text.str()), Lexer(&Input), Tokens(&Lexer), Parser(&Tokens) {
    Lexer.removeErrorListeners();
    Parser.removeErrorListeners();
    Tokens.fill();
  }
  ZooParser::FileContext *parse() {
    auto Bail = std::make_shared<antlr4::BailErrorStrategy>();
    auto *Sim = Parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
    for (auto PM : {antlr4::atn::PredictionMode::SLL, antlr4::atn::PredictionMode::LL}) {
      Tokens.seek(0);
      Parser.reset();
      Sim->setPredictionMode(PM);
      Parser.setErrorHandler(Bail);
      try {
        return Parser.file();
      } catch (antlr4::ParseCancellationException &) {
      }
    }
    return nullptr;
  }
  /// The texts of the significant tokens (EOF and the tokens at `Skip` left out) and of the
  /// comments, as the formatter prints them.
  void summary(std::vector<std::string> &Toks, std::vector<std::string> &Comments,
               const std::vector<size_t> &Skip = {}) {
    std::vector<bool> Skipped(Tokens.size(), false);
    for (size_t I : Skip)
      Skipped[I] = true;
    for (size_t I = 0; I < Tokens.size(); ++I) {
      antlr4::Token *T = Tokens.get(I);
      size_t Type = T->getType();
      if (Type == antlr4::Token::EOF || Type == ZooLexer::WS || Skipped[I])
        continue;
      std::string S = T->getText();
      if (Type == ZooLexer::LINE_COMMENT) {
        while (!S.empty() && (S.back() == ' ' || S.back() == '\t' || S.back() == '\f'))
          S.pop_back();
        Comments.push_back(S);
      } else if (Type == ZooLexer::BLOCK_COMMENT) {
        std::string N;
        for (size_t K = 0; K < S.size(); ++K)
          if (!(S[K] == '\r' && K + 1 < S.size() && S[K + 1] == '\n'))
            N += S[K];
        Comments.push_back(N);
      } else {
        Toks.push_back(S);
      }
    }
  }

  antlr4::ANTLRInputStream Input;
  ZooLexer Lexer;
  antlr4::CommonTokenStream Tokens;
  ZooParser Parser;
};

} // namespace

bool zoo::formatBuffer(unsigned BufferID, DiagnosticEngine &Diags, std::string &Out) {
  // 1. The front end's checks and diagnostics.
  if (!parseBuffer(BufferID, Diags))
    return false;
  llvm::StringRef Text = Diags.sourceMgr().getMemoryBuffer(BufferID)->getBuffer();
  llvm::SMLoc Start = llvm::SMLoc::getFromPointer(Text.data());
  llvm::StringRef BOM;
  if (Text.startswith("\xEF\xBB\xBF")) {
    BOM = Text.take_front(3);
    Text = Text.drop_front(3);
  }

  // 2. Every token, and the tree.
  std::lock_guard<std::mutex> Lock(grammarLock());
  Parsed In(Text);
  ZooParser::FileContext *Tree = In.parse();
  if (!Tree) {
    Diags.report(Start, diag::err_format_internal,
                 "the file parses for the compiler but not whole");
    return false;
  }

  // 3 and 4.
  TreeFormatter F(In.Tokens.getTokens());
  unsigned Root = F.run(Tree);
  size_t Significant = 0;
  for (size_t I = 0; I < In.Tokens.size(); ++I)
    Significant += F.significant(I);
  if (F.Emitted != Significant) {
    Diags.report(Start, diag::err_format_internal, "the layout does not place every token");
    return false;
  }
  std::string Result = Printer(F.Nodes).print(Root);

  // 5. Same tokens (less dropped trailing commas), same comments, in the same order.
  std::vector<std::string> Toks, Comments, NewToks, NewComments;
  In.summary(Toks, Comments, F.Dropped);
  Parsed Check(Result);
  Check.summary(NewToks, NewComments);
  if (Toks != NewToks || Comments != NewComments) {
    Diags.report(Start, diag::err_format_internal,
                 Toks != NewToks ? "the layout changes the tokens" : "the layout changes comments");
    return false;
  }
  Out = BOM.str() + Result;
  return true;
}
