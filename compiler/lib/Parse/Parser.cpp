//===- Parser.cpp - ANTLR front end and AST builder -----------------------===//
//
// The only file that includes ANTLR headers. Steps:
//   1. reject invalid UTF-8 (the ANTLR runtime would throw on it);
//   2. lex the whole file once, reading the buffer in place (a byte order mark skipped), keeping
//      only the significant tokens in a compact array (12 bytes each), and scan them as they come:
//      error tokens (stray characters, unterminated strings and comments) become diagnostics, and
//      nesting depth (brackets, braces, `else if` links, prefix operators, `?:`) and expression
//      length are bounded so that neither ANTLR's recursive descent nor the builder, Sema or the
//      AST's destructors can exhaust the stack. The scan also splits the file into top-level
//      declarations: each ends at a `;` or a `}` outside brackets;
//   3. parse one top-level declaration at a time with SLL prediction and a bail-out strategy; a
//      declaration that fails is reparsed with full LL, then, if it really is wrong, with error
//      recovery that reports every syntax error through the engine. Only one declaration's parse
//      tree and tokens exist at a time, so memory follows the largest declaration, not the file;
//   4. walk each declaration's parse tree into AST nodes with byte-accurate source ranges. Long
//      operator chains are built iteratively. The builder's own diagnostics (literals, units) are
//      held back and reported only when the whole file parses, as a whole-file parse would.
//
//===----------------------------------------------------------------------===//
#include "zoo/Parse/Parser.h"
#include "ZooLexer.h"
#include "ZooParser.h"
#include "antlr4-runtime.h"
#include "llvm/Support/ConvertUTF.h"
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

using namespace zoo;
using namespace zoo::gen;

namespace {

/// Maps ANTLR's code-point indices to byte pointers into the SourceMgr buffer (valid UTF-8).
class Locator {
public:
  Locator(const char *Buf, size_t Size) : Buf(Buf), CodePoints(Size) {
    bool Ascii = true;
    for (size_t I = 0; I < Size && Ascii; ++I)
      Ascii = static_cast<unsigned char>(Buf[I]) < 0x80;
    if (Ascii)
      return;
    for (size_t I = 0; I < Size; ++I)
      if ((static_cast<unsigned char>(Buf[I]) & 0xC0) != 0x80)
        Offsets.push_back(static_cast<uint32_t>(I));
    CodePoints = Offsets.size();
    Offsets.push_back(static_cast<uint32_t>(Size));
  }
  size_t size() const { return CodePoints; }
  /// Code point `K` (< size()).
  uint32_t codePoint(size_t K) const {
    const unsigned char *S = reinterpret_cast<const unsigned char *>(at(K));
    if (S[0] < 0x80)
      return S[0];
    if (S[0] < 0xE0)
      return (S[0] & 0x1Fu) << 6 | (S[1] & 0x3Fu);
    if (S[0] < 0xF0)
      return (S[0] & 0x0Fu) << 12 | (S[1] & 0x3Fu) << 6 | (S[2] & 0x3Fu);
    return (S[0] & 0x07u) << 18 | (S[1] & 0x3Fu) << 12 | (S[2] & 0x3Fu) << 6 | (S[3] & 0x3Fu);
  }
  const char *at(size_t CodePoint) const {
    if (Offsets.empty())
      return Buf + CodePoint;
    return Buf + Offsets[std::min(CodePoint, Offsets.size() - 1)];
  }
  llvm::SMLoc loc(const antlr4::Token *T) const {
    return llvm::SMLoc::getFromPointer(at(T->getStartIndex()));
  }
  llvm::SMRange range(const antlr4::Token *First, const antlr4::Token *Last) const {
    const char *B = at(First->getStartIndex());
    const char *E =
        Last && Last->getType() != antlr4::Token::EOF ? at(Last->getStopIndex() + 1) : B;
    if (E < B)
      E = B;
    return {llvm::SMLoc::getFromPointer(B), llvm::SMLoc::getFromPointer(E)};
  }
  llvm::SMRange range(const antlr4::Token *T) const { return range(T, T); }
  llvm::SMRange range(antlr4::ParserRuleContext *C) const {
    return range(C->getStart(), C->getStop());
  }
  /// The source bytes of code points [Start, Stop].
  llvm::StringRef text(size_t Start, size_t Stop) const {
    const char *B = at(Start), *E = at(Stop + 1);
    return {B, static_cast<size_t>(E > B ? E - B : 0)};
  }
  llvm::StringRef text(const antlr4::Token *T) const {
    return text(T->getStartIndex(), T->getStopIndex());
  }

private:
  const char *Buf;
  size_t CodePoints;
  std::vector<uint32_t> Offsets;
};

/// The character stream of the lexer: the code points of the buffer, read in place (ANTLR's own
/// stream would hold a UTF-32 copy, four bytes a character).
class SourceStream : public antlr4::CharStream {
public:
  explicit SourceStream(const Locator &Loc) : Loc(Loc) {}
  void consume() override {
    if (P >= Loc.size())
      throw antlr4::IllegalStateException("cannot consume EOF");
    ++P;
  }
  size_t LA(ssize_t I) override {
    if (I == 0)
      return 0;
    ssize_t At = static_cast<ssize_t>(P) + (I < 0 ? I : I - 1);
    if (At < 0 || At >= static_cast<ssize_t>(Loc.size()))
      return EOF;
    return Loc.codePoint(static_cast<size_t>(At));
  }
  ssize_t mark() override { return -1; }
  void release(ssize_t) override {}
  size_t index() override { return P; }
  void seek(size_t I) override { P = std::min(I, Loc.size()); }
  size_t size() override { return Loc.size(); }
  std::string getSourceName() const override { return UNKNOWN_SOURCE_NAME; }
  std::string getText(const antlr4::misc::Interval &I) override {
    if (I.a < 0 || I.b < I.a || static_cast<size_t>(I.a) >= Loc.size())
      return "";
    size_t Stop = std::min(static_cast<size_t>(I.b), Loc.size() - 1);
    return Loc.text(static_cast<size_t>(I.a), Stop).str();
  }
  std::string toString() const override { return Loc.text(0, Loc.size() - 1).str(); }

private:
  const Locator &Loc;
  size_t P = 0;
};

std::string tidyMessage(std::string Msg) {
  auto ReplaceAll = [&](const std::string &From, const std::string &To) {
    for (size_t P = Msg.find(From); P != std::string::npos; P = Msg.find(From, P + To.size()))
      Msg.replace(P, From.size(), To);
  };
  ReplaceAll("'<EOF>'", "end of file");
  ReplaceAll("<EOF>", "end of file");
  // ANTLR quotes with '...'; the house style is backticks.
  std::string Out;
  bool InQuote = false;
  for (size_t I = 0; I < Msg.size(); ++I) {
    char C = Msg[I];
    if (C == '\'' &&
        (InQuote || I == 0 || Msg[I - 1] == ' ' || Msg[I - 1] == '{' || Msg[I - 1] == ',')) {
      Out += '`';
      InQuote = !InQuote;
    } else {
      Out += C;
    }
  }
  Msg = Out;
  ReplaceAll("ID", "identifier");
  ReplaceAll("INT", "integer");
  ReplaceAll("REAL", "real");
  ReplaceAll("STRING", "string");
  // Keywords that may also stand for names are listed as `identifier` already.
  if (Msg.find("identifier}") != std::string::npos)
    for (const char *K : {"`in`, ", "`model`, ", "`measured`, ", "`hardware`, ", "`precision`, ",
                          "`scenario`, ", "`pipeline`, ", "`runtime`, ", "`system`, ",
                          "`optimizer`, ", "`training`, ", "`workload`, ", "`serving`, ", "`price`, ",
                          "`grid`, "})
      ReplaceAll(K, "");
  if (Msg.find("expecting {identifier}") != std::string::npos)
    ReplaceAll("expecting {identifier}", "expecting identifier");
  return Msg;
}

class SyntaxErrorListener : public antlr4::BaseErrorListener {
public:
  SyntaxErrorListener(DiagnosticEngine &D, const Locator &L, const char *BufEnd, size_t CodePoints)
      : Diags(D), Loc(L), BufEnd(BufEnd), CodePoints(CodePoints) {}
  void syntaxError(antlr4::Recognizer *, antlr4::Token *Offending, size_t, size_t,
                   const std::string &Msg, std::exception_ptr) override {
    // The end of a declaration's tokens is an EOF token placed at the next declaration's first
    // token (and named after it); only the end of the file points past the last byte.
    bool AtEnd = !Offending || (Offending->getType() == antlr4::Token::EOF &&
                                Offending->getStartIndex() >= CodePoints);
    llvm::SMLoc L = AtEnd ? llvm::SMLoc::getFromPointer(BufEnd) : Loc.loc(Offending);
    Diags.report(L, diag::err_syntax, tidyMessage(Msg));
    ++Reported;
    if (Diags.tooManyErrors())
      throw antlr4::ParseCancellationException();
  }

private:
  DiagnosticEngine &Diags;
  const Locator &Loc;
  const char *BufEnd;
  size_t CodePoints;

public:
  unsigned Reported = 0; ///< errors reported since last reset
};

/// What the scan needs to know about a token type.
enum class TokClass : uint8_t {
  Other,
  OpenParen,  ///< `(`
  OpenBrace,  ///< `{`
  CloseParen, ///< `)`
  CloseBrace, ///< `}`
  Semi,       ///< `;`
  Comma,      ///< `,`
  Import,     ///< `import`
  Operator,   ///< `+ - * / % ! ? && || == != < <= > >=`
  Bang,       ///< `!`, always a prefix operator
  Question,   ///< `?`
  Operand,    ///< ends an operand: a literal, a name, `)`
  Else,
  If,
  Hidden, ///< whitespace and comments
  ErrorChar,
  UnterminatedString,
  UnterminatedComment,
};

/// The class of every token type, from the vocabulary's literal names (`'('`), once.
const std::vector<TokClass> &tokenClasses(const antlr4::dfa::Vocabulary &V) {
  static const std::vector<TokClass> Classes = [&] {
    std::vector<TokClass> C(V.getMaxTokenType() + 1, TokClass::Other);
    for (size_t T = 1; T < C.size(); ++T) {
      std::string L = V.getLiteralName(T);
      if (L.size() >= 2 && L.front() == '\'' && L.back() == '\'')
        L = L.substr(1, L.size() - 2);
      if (L == "(")
        C[T] = TokClass::OpenParen;
      else if (L == "{")
        C[T] = TokClass::OpenBrace;
      else if (L == ")")
        C[T] = TokClass::CloseParen;
      else if (L == "}")
        C[T] = TokClass::CloseBrace;
      else if (L == ";")
        C[T] = TokClass::Semi;
      else if (L == ",")
        C[T] = TokClass::Comma;
      else if (L == "import")
        C[T] = TokClass::Import;
      else if (L == "!")
        C[T] = TokClass::Bang;
      else if (L == "?")
        C[T] = TokClass::Question;
      else if (L == "+" || L == "-" || L == "*" || L == "/" || L == "%" || L == "&&" || L == "||" ||
               L == "==" || L == "!=" || L == "<" || L == "<=" || L == ">" || L == ">=")
        C[T] = TokClass::Operator;
      else if (L == "else")
        C[T] = TokClass::Else;
      else if (L == "if")
        C[T] = TokClass::If;
      else if (L == "true" || L == "false" || L == "in" || L == "model" || L == "hardware" ||
               L == "precision" || L == "scenario" || L == "measured" || L == "pipeline" ||
               L == "runtime")
        C[T] = TokClass::Operand; // literals, and keywords that may be names
    }
    for (size_t T : {ZooLexer::INT, ZooLexer::REAL, ZooLexer::STRING, ZooLexer::ID})
      C[T] = TokClass::Operand;
    for (size_t T : {ZooLexer::WS, ZooLexer::LINE_COMMENT, ZooLexer::BLOCK_COMMENT})
      C[T] = TokClass::Hidden;
    C[ZooLexer::ERROR_CHAR] = TokClass::ErrorChar;
    C[ZooLexer::UNTERMINATED_STRING] = TokClass::UnterminatedString;
    C[ZooLexer::UNTERMINATED_COMMENT] = TokClass::UnterminatedComment;
    return C;
  }();
  return Classes;
}

/// ANTLR's lexer DFA, read without its locks and hash maps. The runtime (4.9) keeps a DFA state's
/// edges in an `std::unordered_map` behind a reader lock, so its match loop costs about 100 ns a
/// character; this mirror copies each edge it reads into a flat table, once, and follows the
/// table after that. It only ever reads edges the runtime has built: a token that needs an edge
/// not built yet (or a character beyond ASCII, which ANTLR never caches, or the end of the input)
/// is matched by the runtime itself, which builds its edges for the next time. The token types
/// are the runtime's: the mirror runs the same automaton, longest match first (execATN's rule).
/// It reads the runtime's edge maps without the runtime's lock, which is safe while one thread
/// lexes at a time (grammarLock).
class LexerMirror {
public:
  /// The type of the token at `Start` and one past its last code point in `End`, or 0 when the
  /// runtime must match it.
  size_t match(antlr4::atn::LexerATNSimulator &Sim, const Locator &Loc, size_t Start,
               size_t &End) {
    antlr4::dfa::DFAState *S0 = Sim.getDFA(0).s0;
    if (!S0)
      return 0;
    if (S0 != Root) { // set once by the runtime's first match
      Root = S0;
      RootId = id(S0);
    }
    int32_t S = RootId;
    size_t Type = 0, P = Start, N = Loc.size();
    if (States[S].Accept) {
      Type = States[S].Type;
      End = P;
    }
    while (P < N) {
      uint32_t C = Loc.codePoint(P);
      if (C >= Width)
        return 0;
      int32_t T = States[S].Next[C];
      if (T == Unknown) {
        antlr4::dfa::DFAState *D = States[S].D;
        auto It = D->edges.find(C);
        if (It == D->edges.end() || !It->second)
          return 0;
        T = It->second == antlr4::atn::ATNSimulator::ERROR.get() ? Error : id(It->second);
        States[S].Next[C] = T;
      }
      if (T == Error)
        return Type;
      ++P;
      S = T;
      if (States[S].Accept) {
        Type = States[S].Type;
        End = P;
      }
    }
    return 0; // the end of the input: the runtime decides
  }

private:
  static constexpr size_t Width = antlr4::atn::LexerATNSimulator::MAX_DFA_EDGE + 1;
  static constexpr int32_t Unknown = -2, Error = -1;
  struct State {
    antlr4::dfa::DFAState *D;
    bool Accept;
    size_t Type;
    std::array<int32_t, Width> Next;
  };
  std::vector<State> States;
  std::unordered_map<antlr4::dfa::DFAState *, int32_t> Ids;
  antlr4::dfa::DFAState *Root = nullptr;
  int32_t RootId = 0;

  int32_t id(antlr4::dfa::DFAState *D) {
    auto [It, New] = Ids.try_emplace(D, static_cast<int32_t>(States.size()));
    if (New) {
      State X{D, D->isAcceptState, D->prediction, {}};
      X.Next.fill(Unknown);
      States.push_back(X);
    }
    return It->second;
  }
};

/// A diagnostic of the builder, held until the whole file has parsed.
struct HeldDiag {
  llvm::SMRange Range;
  diag::Kind K;
  std::string Arg;
};

/// Parse tree -> AST, one top-level declaration at a time. Text comes straight from the source
/// buffer (never through ANTLR's UTF-32 copies). Chains of binary operators, prefix operators,
/// `?:` and `else if` are walked in loops, so the builder recurses only into brackets and braces,
/// whose depth the scan bounds.
class Builder {
public:
  Builder(const Locator &L, const std::vector<TokClass> &Classes, std::vector<HeldDiag> &Held)
      : Loc(L), Classes(Classes), Held(Held) {}

  /// Appends the imports and declarations of `C` (parsed from `Tokens`) to `F`.
  void file(ZooParser::FileContext *C, antlr4::TokenStream &Tokens, FileUnit &F) {
    Stream = &Tokens;
    for (auto *Child : C->children) {
      if (auto *I = as<ZooParser::ImportDeclContext>(Child))
        F.Imports.push_back({unquote(tokenOf(I, ZooParser::STRING)), Loc.range(I)});
      else if (auto *D = as<ZooParser::DeclContext>(Child))
        if (DeclPtr X = decl(D))
          F.Decls.push_back(std::move(X));
    }
    Stream = nullptr;
  }

private:
  const Locator &Loc;
  const std::vector<TokClass> &Classes;
  std::vector<HeldDiag> &Held;
  antlr4::TokenStream *Stream = nullptr;

  /// The tree's nodes told apart without `dynamic_cast` (libstdc++ confirms every failing cast
  /// with a `strcmp` of mangled names; the casts were a tenth of a large compile's instructions):
  /// a node is a token or a rule context, and a rule context's class is its rule's (or, for a
  /// rule with labelled alternatives, one derived from it), so its rule number says whether it
  /// is a T.
  static bool isToken(antlr4::tree::ParseTree *X) {
    const std::type_info &T = typeid(*X);
    return T == typeid(PooledTerminal) || T == typeid(antlr4::tree::TerminalNodeImpl) ||
           T == typeid(antlr4::tree::ErrorNodeImpl);
  }
  /// The rule number of the rule context class T (a rule's own class, not an alternative's).
  template <typename T> static size_t ruleOf() {
    static const size_t R = T(nullptr, 0).getRuleIndex();
    return R;
  }
  /// `X` as a T (or a class derived from it, as dynamic_cast would give it), or null.
  template <typename T> static T *as(antlr4::tree::ParseTree *X) {
    if (isToken(X))
      return nullptr;
    auto *R = static_cast<antlr4::RuleContext *>(X);
    return R->getRuleIndex() == ruleOf<T>() ? static_cast<T *>(R) : nullptr;
  }
  /// The I-th child of `C` that is a T, as the generated accessors find it.
  template <typename T> static T *child(antlr4::ParserRuleContext *C, size_t I = 0) {
    for (antlr4::tree::ParseTree *X : C->children)
      if (auto *R = as<T>(X))
        if (I-- == 0)
          return R;
    return nullptr;
  }
  template <typename T> static std::vector<T *> childrenOf(antlr4::ParserRuleContext *C) {
    std::vector<T *> Out;
    for (antlr4::tree::ParseTree *X : C->children)
      if (auto *R = as<T>(X))
        Out.push_back(R);
    return Out;
  }
  /// `I` as the labelled alternative T of its rule (the generated classes of alternatives are
  /// leaves, so the exact type decides), or null.
  template <typename T, typename Rule> static T *alt(Rule *I) {
    return typeid(*I) == typeid(T) ? static_cast<T *>(I) : nullptr;
  }
  /// The first token of `Type` among `C`'s children (the generated `STRING()` and the like).
  static antlr4::Token *tokenOf(antlr4::ParserRuleContext *C, size_t Type) {
    for (antlr4::tree::ParseTree *X : C->children)
      if (isToken(X)) {
        antlr4::Token *T = static_cast<antlr4::tree::TerminalNode *>(X)->getSymbol();
        if (T->getType() == Type)
          return T;
      }
    return nullptr;
  }

  void report(llvm::SMRange R, diag::Kind K, llvm::StringRef Arg) {
    // More than the engine's limit would only be dropped.
    if (Held.size() <= DiagnosticEngine::ErrorLimit)
      Held.push_back({R, K, Arg.str()});
  }

  std::string name(ZooParser::IdentContext *C) const {
    return C ? Loc.text(C->getStart()).str() : "";
  }
  /// The tokens of `C` without what lies between them (`GB / s` is `GB/s`), as getText() gives.
  std::string joined(antlr4::ParserRuleContext *C) const {
    std::string Out;
    for (size_t I = C->getStart()->getTokenIndex(), E = C->getStop()->getTokenIndex(); I <= E; ++I)
      Out += Loc.text(Stream->get(I));
    return Out;
  }

  std::string unquote(antlr4::Token *T) {
    llvm::StringRef S = Loc.text(T);
    std::string Out;
    for (size_t I = 1; I + 1 < S.size(); ++I) {
      if (S[I] == '\\' && I + 2 < S.size()) {
        char N = S[++I];
        Out += N == 'n' ? '\n' : N == 't' ? '\t' : N;
      } else {
        Out += S[I];
      }
    }
    return Out;
  }

  DeclPtr decl(ZooParser::DeclContext *C) {
    if (auto *B = child<ZooParser::BlockDeclContext>(C)) {
      auto Body = B->stmt();
      return block(B->ident(), B->paramList(), &Body, B, false);
    }
    if (auto *P = child<ZooParser::PrimitiveDeclContext>(C))
      return block(P->ident(), P->paramList(), nullptr, P, true);
    if (auto *E = child<ZooParser::EnumDeclContext>(C)) {
      auto D = std::make_unique<EnumDecl>(Loc.range(E));
      auto Ids = E->ident();
      D->Name = name(Ids[0]);
      D->NameRange = Loc.range(Ids[0]);
      for (size_t I = 1; I < Ids.size(); ++I)
        D->Members.push_back({name(Ids[I]), Loc.range(Ids[I])});
      return D;
    }
    if (auto *M = child<ZooParser::ModelDeclContext>(C))
      return model(M);
    if (auto *H = child<ZooParser::HardwareDeclContext>(C)) {
      auto D = std::make_unique<HardwareDecl>(Loc.range(H));
      D->Name = name(H->name);
      D->NameRange = Loc.range(H->name);
      D->Class = name(H->cls);
      D->ClassRange = Loc.range(H->cls);
      D->Items = items(H->recordBody());
      return D;
    }
    if (auto *Cl = child<ZooParser::ClassDeclContext>(C)) {
      auto D = std::make_unique<ClassDecl>(Loc.range(Cl));
      D->Name = name(Cl->name);
      D->NameRange = Loc.range(Cl->name);
      D->Items = items(Cl->recordBody());
      return D;
    }
    if (auto *Pl = child<ZooParser::PipelineDeclContext>(C)) {
      auto D = std::make_unique<PipelineDecl>(Loc.range(Pl));
      D->Name = name(Pl->name);
      D->NameRange = Loc.range(Pl->name);
      D->Items = items(Pl->recordBody());
      return D;
    }
    if (auto *S = child<ZooParser::ScenarioDeclContext>(C)) {
      auto D = std::make_unique<ScenarioDecl>(Loc.range(S));
      D->Name = name(S->name);
      D->NameRange = Loc.range(S->name);
      D->Items = items(S->recordBody());
      return D;
    }
    if (auto *R = child<ZooParser::RuntimeDeclContext>(C)) {
      auto D = std::make_unique<RuntimeDecl>(Loc.range(R));
      D->Name = name(R->name);
      D->NameRange = Loc.range(R->name);
      D->Items = items(R->recordBody());
      return D;
    }
    using KindOf = std::pair<antlr4::ParserRuleContext *, Decl::Kind>;
    for (auto [Ctx, K] : {KindOf{child<ZooParser::SystemDeclContext>(C), Decl::System},
                          {child<ZooParser::OptimizerDeclContext>(C), Decl::Optimizer},
                          {child<ZooParser::TrainingDeclContext>(C), Decl::Training},
                          {child<ZooParser::WorkloadDeclContext>(C), Decl::Workload},
                          {child<ZooParser::ServingDeclContext>(C), Decl::Serving},
                          {child<ZooParser::PriceDeclContext>(C), Decl::Price},
                          {child<ZooParser::GridDeclContext>(C), Decl::Grid}}) {
      if (!Ctx)
        continue;
      auto *NameCtx = child<ZooParser::IdentContext>(Ctx);
      auto D = std::make_unique<RecordDecl>(K, Loc.range(Ctx));
      D->Name = name(NameCtx);
      D->NameRange = Loc.range(NameCtx);
      D->Items = items(child<ZooParser::RecordBodyContext>(Ctx));
      return D;
    }
    if (auto *P = child<ZooParser::PrecisionDeclContext>(C)) {
      auto D = std::make_unique<PrecisionDecl>(Loc.range(P));
      D->Name = name(P->name);
      D->NameRange = Loc.range(P->name);
      D->Items = items(P->recordBody());
      return D;
    }
    return nullptr;
  }

  DeclPtr block(ZooParser::IdentContext *Id, ZooParser::ParamListContext *PL,
                std::vector<ZooParser::StmtContext *> *Body, antlr4::ParserRuleContext *C,
                bool Primitive) {
    auto D = std::make_unique<BlockDecl>(Loc.range(C));
    D->Name = name(Id);
    D->NameRange = Loc.range(Id);
    D->IsPrimitive = Primitive;
    if (PL)
      for (auto *P : PL->param()) {
        ParamDecl PD;
        PD.Name = name(P->ident());
        PD.NameRange = Loc.range(P->ident());
        PD.TypeText = joined(P->typeRef());
        PD.TypeRange = Loc.range(P->typeRef());
        if (P->expr())
          PD.Default = expr(P->expr());
        D->Params.push_back(std::move(PD));
      }
    if (Body)
      D->Body = stmts(*Body);
    return D;
  }

  DeclPtr model(ZooParser::ModelDeclContext *C) {
    auto D = std::make_unique<ModelDecl>(Loc.range(C));
    D->Name = name(C->name);
    D->NameRange = Loc.range(C->name);
    D->IsWith = C->base != nullptr;
    auto *T = D->IsWith ? C->base : C->arch;
    D->Target = name(T);
    D->TargetRange = Loc.range(T);
    D->Args = args(child<ZooParser::ArgListContext>(C));
    if (auto *Body = child<ZooParser::RecordBodyContext>(C))
      D->Items = items(Body);
    return D;
  }

  std::vector<Arg> args(ZooParser::ArgListContext *C) {
    std::vector<Arg> Out;
    if (!C)
      return Out;
    for (auto *A : childrenOf<ZooParser::ArgContext>(C)) {
      Arg X;
      if (auto *Id = child<ZooParser::IdentContext>(A)) {
        X.Name = name(Id);
        X.NameRange = Loc.range(Id);
      }
      X.Value = expr(child<ZooParser::ExprContext>(A));
      Out.push_back(std::move(X));
    }
    return Out;
  }

  std::vector<Item> items(ZooParser::RecordBodyContext *C) {
    std::vector<Item> Out;
    for (auto *I : childrenOf<ZooParser::ItemContext>(C)) {
      Item X;
      X.Range = Loc.range(I);
      if (auto *F = alt<ZooParser::FieldItemContext>(I)) {
        X.K = Item::Field;
        auto *Id = child<ZooParser::IdentContext>(F);
        X.Name = name(Id);
        X.NameRange = Loc.range(Id);
        X.Value = expr(child<ZooParser::ExprContext>(F));
        if (auto *Tag = child<ZooParser::SourceTagContext>(F))
          X.Text = unquote(tokenOf(Tag, ZooParser::STRING));
      } else if (auto *S = alt<ZooParser::SourceItemContext>(I)) {
        X.K = Item::Source;
        X.Text = unquote(tokenOf(S, ZooParser::STRING));
      } else if (auto *E = alt<ZooParser::ExpectEqItemContext>(I)) {
        X.K = Item::ExpectEq;
        X.Name = name(E->metric);
        X.NameRange = Loc.range(E->metric);
        X.Value = expr(child<ZooParser::ExprContext>(E));
        if (auto *MA = child<ZooParser::MetricArgsContext>(E))
          X.MetricArgs = args(child<ZooParser::ArgListContext>(MA));
      } else if (auto *N = alt<ZooParser::ExpectNearItemContext>(I)) {
        X.K = Item::ExpectNear;
        X.Name = name(N->metric);
        X.NameRange = Loc.range(N->metric);
        X.Value = expr(N->expr());
        X.Tolerance = std::strtod(Loc.text(N->tol->getStart()).str().c_str(), nullptr);
        if (N->metricArgs())
          X.MetricArgs = args(N->metricArgs()->argList());
      } else if (auto *Me = alt<ZooParser::MeasuredItemContext>(I)) {
        X.K = Item::Measured;
        X.Name = name(Me->metric);
        X.NameRange = Loc.range(Me->metric);
        X.Value = expr(Me->expr());
        if (Me->sourceTag())
          X.Text = unquote(Me->sourceTag()->STRING()->getSymbol());
      } else if (auto *Sec = alt<ZooParser::SectionItemContext>(I)) {
        X.K = Item::Section;
        X.Name = name(Sec->kind);
        X.NameRange = Loc.range(Sec->kind);
        X.SectionName = name(Sec->name);
        X.Items = items(Sec->recordBody());
      } else {
        continue;
      }
      Out.push_back(std::move(X));
    }
    return Out;
  }

  StmtList stmts(const std::vector<ZooParser::StmtContext *> &Cs) {
    StmtList Out;
    for (auto *C : Cs)
      if (StmtPtr S = stmt(C))
        Out.push_back(std::move(S));
    return Out;
  }

  StmtPtr stmt(ZooParser::StmtContext *C) {
    if (auto *CS = alt<ZooParser::CallStmtContext>(C))
      return call(CS->call(), Loc.range(CS), nullptr);
    if (auto *CB = alt<ZooParser::CallBodyStmtContext>(C)) {
      auto Body = CB->stmt();
      return call(CB->call(), Loc.range(CB), &Body);
    }
    if (auto *R = alt<ZooParser::RepeatStmtContext>(C)) {
      auto S = std::make_unique<RepeatStmt>(Loc.range(R));
      S->Count = expr(R->expr());
      S->Body = stmts(R->stmt());
      return S;
    }
    if (auto *F = alt<ZooParser::ForStmtContext>(C)) {
      auto S = std::make_unique<ForStmt>(Loc.range(F));
      S->Var = name(F->ident());
      S->VarRange = Loc.range(F->ident());
      S->Lo = expr(F->expr(0));
      S->Hi = expr(F->expr(1));
      S->Body = stmts(F->stmt());
      return S;
    }
    if (auto *Q = alt<ZooParser::RequireStmtContext>(C)) {
      auto S = std::make_unique<RequireStmt>(Loc.range(Q));
      S->Cond = expr(Q->expr());
      if (Q->STRING())
        S->Message = unquote(Q->STRING()->getSymbol());
      return S;
    }
    if (auto *I = alt<ZooParser::IfStmtAltContext>(C))
      return ifStmt(I->ifStmt());
    return nullptr;
  }

  StmtPtr call(ZooParser::CallContext *Call, llvm::SMRange R,
               std::vector<ZooParser::StmtContext *> *Body) {
    auto S = std::make_unique<CallStmt>(R);
    S->Callee = name(Call->callee);
    S->CalleeRange = Loc.range(Call->callee);
    S->Instance = name(Call->instance);
    S->Args = args(Call->argList());
    if (Body) {
      S->HasBody = true;
      S->Body = stmts(*Body);
    }
    return S;
  }

  /// An `else if` chain, link by link: each link is an IfStmt alone in the Else of the last.
  StmtPtr ifStmt(ZooParser::IfStmtContext *C) {
    StmtPtr Head;
    StmtList *Into = nullptr;
    for (; C; C = C->elseIf) {
      auto S = std::make_unique<IfStmt>(Loc.range(C));
      S->Cond = expr(C->expr());
      S->Then = stmts(C->thenBody);
      if (!C->elseIf)
        S->Else = stmts(C->elseBody);
      IfStmt *Link = S.get();
      if (Into)
        Into->push_back(std::move(S));
      else
        Head = std::move(S);
      Into = &Link->Else;
    }
    return Head;
  }

  // A successful parse tells the alternatives of `expr` apart by their number of children:
  // primary (1), prefix `op expr` (2), binary `expr op expr` (3), `expr ? expr : expr` (5); and
  // those of `primary` by their first tokens. The builder relies on that rather than on a chain
  // of dynamic_casts per node.
  static ZooParser::ExprContext *exprAt(antlr4::ParserRuleContext *C, size_t I) {
    return static_cast<ZooParser::ExprContext *>(C->children[I]);
  }
  static antlr4::Token *symbolAt(antlr4::ParserRuleContext *C, size_t I) {
    return static_cast<antlr4::tree::TerminalNode *>(C->children[I])->getSymbol();
  }

  ExprPtr expr(ZooParser::ExprContext *C) {
    switch (C->children.size()) {
    case 1:
      return primary(static_cast<ZooParser::PrimaryContext *>(C->children[0]));
    case 2: {
      // `- - x`: the operators outside in, then the operand, then the nodes inside out.
      std::vector<ZooParser::ExprContext *> Chain;
      for (; C->children.size() == 2; C = exprAt(C, 1))
        Chain.push_back(C);
      ExprPtr E = expr(C);
      for (auto It = Chain.rbegin(); It != Chain.rend(); ++It)
        E = std::make_unique<UnaryExpr>(Loc.range(*It),
                                        operatorSpelling(Loc.text(symbolAt(*It, 0))), std::move(E));
      return E;
    }
    case 5: {
      // `a ? b : c ? d : e` nests to the right.
      std::vector<ZooParser::ExprContext *> Chain;
      for (; C->children.size() == 5; C = exprAt(C, 4))
        Chain.push_back(C);
      ExprPtr E = expr(C);
      for (auto It = Chain.rbegin(); It != Chain.rend(); ++It)
        E = std::make_unique<CondExpr>(Loc.range(*It), expr(exprAt(*It, 0)), expr(exprAt(*It, 2)),
                                       std::move(E));
      return E;
    }
    default: {
      // Left-associative operators make left-deep trees: walk down the left operands, build the
      // innermost one, then each operator with its right operand on the way back up.
      std::vector<ZooParser::ExprContext *> Spine;
      for (; C->children.size() == 3; C = exprAt(C, 0))
        Spine.push_back(C);
      ExprPtr E = expr(C);
      for (auto It = Spine.rbegin(); It != Spine.rend(); ++It)
        E = std::make_unique<BinaryExpr>(Loc.range(*It),
                                         operatorSpelling(Loc.text(symbolAt(*It, 1))), std::move(E),
                                         expr(exprAt(*It, 2)));
      return E;
    }
    }
  }

  ExprPtr primary(ZooParser::PrimaryContext *C) {
    llvm::SMRange R = Loc.range(C);
    antlr4::Token *First = C->getStart();
    size_t Type = First->getType();
    size_t N = C->children.size();
    if (Type == ZooLexer::INT || Type == ZooLexer::REAL)
      return number(C, R);
    if (Type == ZooLexer::STRING)
      return std::make_unique<StringExpr>(R, unquote(First));
    if (Classes[Type] == TokClass::OpenParen) // `( expr )`
      return expr(exprAt(C, 1));
    llvm::StringRef Text = Loc.text(First);
    if (Type != ZooLexer::ID && (Text == "true" || Text == "false"))
      return std::make_unique<BoolExpr>(R, Text == "true");
    auto *Id = static_cast<ZooParser::IdentContext *>(C->children[0]);
    if (N > 1 && Classes[symbolAt(C, 1)->getType()] == TokClass::OpenParen) {
      // ident ( (expr (, expr)*)? )
      auto E = std::make_unique<CallExpr>(R, name(Id), Loc.range(Id));
      for (size_t I = 2; I + 1 < N; I += 2)
        E->Args.push_back(expr(exprAt(C, I)));
      return E;
    }
    // ident (. ident)*
    std::vector<Atom> Path;
    for (size_t I = 0; I < N; I += 2)
      Path.push_back(name(static_cast<ZooParser::IdentContext *>(C->children[I])));
    return std::make_unique<NameExpr>(R, std::move(Path));
  }

  /// number unit?
  ExprPtr number(ZooParser::PrimaryContext *C, llvm::SMRange R) {
    auto E = std::make_unique<NumberExpr>(R);
    antlr4::Token *Num = C->getStart();
    std::string Written = Loc.text(Num).str(), Text;
    for (char Ch : Written)
      if (Ch != '_')
        Text += Ch;
    llvm::SMRange NumRange = Loc.range(Num);
    if (Num->getType() == ZooLexer::INT) {
      errno = 0;
      char *End = nullptr;
      unsigned long long V = std::strtoull(Text.c_str(), &End, 10);
      if (errno == ERANGE || V > static_cast<unsigned long long>(INT64_MAX)) {
        report(NumRange, diag::err_int_literal_too_large, Written);
        V = 0;
      }
      E->IntValue = static_cast<int64_t>(V);
      E->RealValue = static_cast<double>(V);
    } else {
      E->IsInt = false;
      E->RealValue = std::strtod(Text.c_str(), nullptr);
      if (!std::isfinite(E->RealValue)) {
        report(NumRange, diag::err_real_literal_invalid, Written);
        E->RealValue = 0;
      }
    }
    if (C->children.size() == 2) {
      auto *U = static_cast<ZooParser::UnitContext *>(C->children[1]);
      E->UnitText = joined(U);
      auto Info = lookupUnit(E->UnitText);
      if (!Info) {
        report(Loc.range(U), diag::err_unknown_unit, E->UnitText);
      } else {
        E->UnitDim = Info->D;
        E->RealValue *= Info->Scale;
      }
    }
    return E;
  }
};

/// A significant token: its type and its code points [Start, Stop] (source files are a few MiB at
/// most, so 32 bits hold any index).
struct Tok {
  uint32_t Type, Start, Stop;
};

/// Step 2: reports error tokens and bounds recursion, one significant token at a time, and marks
/// where each top-level declaration ends.
///
/// Depth counts what the parser (and after it the builder, Sema and the AST's destructors)
/// recurses on, with one rule per level: open brackets and braces, and within each bracket level
/// the `else if` links, prefix operators and `?` still open there. A chain `if a {} else if b {}
/// else if c {}` is `if a {} else { if b {} else { if c {} } }` with the braces left out, so each
/// `else if` opens a level that stays open until the chain ends (a `}` followed by anything but
/// `else`). A prefix operator stays open until its operand is complete (`- - f(x)` is two levels
/// around the call); a `?` until the end of its bracket level, statement or argument. Left-
/// associative operators do not nest in the parser, but Sema evaluates their chains by recursion,
/// so one statement has at most MaxExprOperators operators of any kind.
class Scanner {
public:
  Scanner(const Locator &Loc, DiagnosticEngine &Diags) : Loc(Loc), Diags(Diags) {
    Levels.emplace_back();
  }

  /// False when the file must not be parsed any further (a limit was exceeded).
  bool scan(TokClass K, const Tok &T) {
    Level &L = Levels.back();
    if (AfterClose && K != TokClass::Else)
      close(L.Chains);
    AfterClose = false;
    bool AfterElse = PrevElse;
    PrevElse = K == TokClass::Else;
    if (PrevElse)
      ElseTok = T;
    // After an operand, anything but a call's `(` or more of a unit (`GB / s`) completes it.
    if (PrevOperand && K != TokClass::OpenParen && K != TokClass::Operand)
      close(L.Prefix);

    bool IsOperator = K == TokClass::Operator || K == TokClass::Bang || K == TokClass::Question;
    switch (K) {
    case TokClass::OpenBrace:
      Operators = 0;
      close(L.Conds);
      [[fallthrough]];
    case TokClass::OpenParen:
      Levels.emplace_back();
      if (!deeper(T))
        return false;
      break;
    case TokClass::CloseBrace:
      AfterClose = true;
      Operators = 0;
      [[fallthrough]];
    case TokClass::CloseParen:
      if (Levels.size() > 1) {
        Depth -= L.Chains + L.Prefix + L.Conds + 1;
        Levels.pop_back();
      }
      DeclEnds = K == TokClass::CloseBrace && Levels.size() == 1;
      break;
    case TokClass::Semi:
      Operators = 0;
      close(L.Conds);
      DeclEnds = Levels.size() == 1;
      break;
    case TokClass::Comma:
      close(L.Conds);
      break;
    case TokClass::If:
      if (AfterElse) {
        ++L.Chains;
        if (!deeper(ElseTok))
          return false;
      }
      break;
    case TokClass::Question:
      ++L.Conds;
      if (!deeper(T))
        return false;
      break;
    default:
      if (IsOperator && (K == TokClass::Bang || !PrevOperand)) {
        ++L.Prefix;
        if (!deeper(T))
          return false;
      }
      break;
    }
    if (IsOperator && ++Operators == MaxExprOperators + 1) {
      Diags.report(llvm::SMLoc::getFromPointer(Loc.at(T.Start)), diag::err_expr_too_long,
                   MaxExprOperators);
      return false;
    }
    PrevOperand = K == TokClass::Operand || K == TokClass::CloseParen;
    return true;
  }

  /// True right after the token that ends a top-level declaration.
  bool declEnds() {
    bool E = DeclEnds;
    DeclEnds = false;
    return E;
  }

private:
  struct Level {
    unsigned Chains = 0, Prefix = 0, Conds = 0; ///< open `else if`s, prefix operators, `?`s
  };
  const Locator &Loc;
  DiagnosticEngine &Diags;
  unsigned Depth = 0;        ///< the sum over Levels, plus one per bracket
  std::vector<Level> Levels; ///< one per open bracket, and the file's
  unsigned Operators = 0;    ///< of the current statement
  bool PrevOperand = false, PrevElse = false, AfterClose = false, DeclEnds = false;
  Tok ElseTok{};

  bool deeper(const Tok &At) {
    if (++Depth <= MaxNesting)
      return true;
    Diags.report(llvm::SMLoc::getFromPointer(Loc.at(At.Start)), diag::err_nesting_too_deep,
                 MaxNesting);
    return false;
  }
  void close(unsigned &Open) {
    Depth -= Open;
    Open = 0;
  }
};

/// Feeds the parser the tokens [Begin, End) of the file, then an EOF. Before the last
/// declaration the EOF stands in for the next token (its place and text), so that a message about
/// it reads as a whole-file parse's would. With a prefix, `import "";` comes first: parsing it
/// puts the parser where a whole-file parse is after a declaration (the `file` loop goes on,
/// rather than starts), which its error recovery tells apart.
class SliceSource : public antlr4::TokenSource {
public:
  /// A token of the slice: 32 bytes in the source's arena (the token stream's delete runs its
  /// destructor and frees nothing), its text read from the source buffer when asked for.
  class LightToken : public antlr4::WritableToken {
  public:
    LightToken(SliceSource &Src, const Tok &T)
        : Src(Src), Type(T.Type), Start(T.Start), Stop(T.Stop) {}
    static void *operator new(size_t, void *Where) { return Where; }
    static void operator delete(void *) {}
    std::string getText() const override { return Src.Loc.text(Start, Stop).str(); }
    size_t getType() const override { return Type; }
    size_t getLine() const override { return 0; }
    size_t getCharPositionInLine() const override { return 0; }
    size_t getChannel() const override { return DEFAULT_CHANNEL; }
    size_t getTokenIndex() const override { return Index; }
    size_t getStartIndex() const override { return Start; }
    size_t getStopIndex() const override { return Stop; }
    antlr4::TokenSource *getTokenSource() const override { return &Src; }
    antlr4::CharStream *getInputStream() const override { return &Src.In; }
    std::string toString() const override { return getText(); }
    void setText(const std::string &) override {}
    void setType(size_t T) override { Type = static_cast<uint32_t>(T); }
    void setLine(size_t) override {}
    void setCharPositionInLine(size_t) override {}
    void setChannel(size_t) override {}
    void setTokenIndex(size_t I) override { Index = static_cast<uint32_t>(I); }

  private:
    SliceSource &Src;
    uint32_t Type, Start, Stop, Index = 0;
  };

  SliceSource(antlr4::CharStream &In, const std::vector<Tok> &Toks, const Locator &Loc,
              size_t Begin, size_t End, size_t CodePoints)
      : In(In), Toks(Toks), Loc(Loc), Pos(Begin), End(End), CodePoints(CodePoints) {}

  /// The number of prefix tokens.
  static constexpr size_t PrefixSize = 3;
  void addPrefix(const std::vector<TokClass> &Classes) {
    size_t Import = 0, Semi = 0;
    for (size_t T = 0; T < Classes.size(); ++T) {
      if (Classes[T] == TokClass::Import)
        Import = T;
      if (Classes[T] == TokClass::Semi)
        Semi = T;
    }
    uint32_t At = static_cast<uint32_t>(Pos < Toks.size() ? Toks[Pos].Start : CodePoints);
    Prefix = {Tok{static_cast<uint32_t>(Import), At, At}, Tok{ZooLexer::STRING, At, At},
              Tok{static_cast<uint32_t>(Semi), At, At}};
  }

  std::unique_ptr<antlr4::Token> nextToken() override {
    if (Emitted < Prefix.size())
      return make(Prefix[Emitted++]);
    if (Pos < End)
      return make(Toks[Pos++]);
    if (End == Toks.size())
      return std::make_unique<antlr4::CommonToken>(std::make_pair(this, &In), antlr4::Token::EOF,
                                                   antlr4::Token::DEFAULT_CHANNEL, CodePoints,
                                                   CodePoints - 1);
    const Tok &Next = Toks[End];
    auto T = std::make_unique<antlr4::CommonToken>(std::make_pair(this, &In), antlr4::Token::EOF,
                                                   antlr4::Token::DEFAULT_CHANNEL, Next.Start,
                                                   Next.Stop);
    T->setText(Loc.text(Next.Start, Next.Stop).str());
    return T;
  }
  size_t getLine() const override { return 0; }
  size_t getCharPositionInLine() override { return 0; }
  antlr4::CharStream *getInputStream() override { return &In; }
  std::string getSourceName() override { return In.getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken> *getTokenFactory() override {
    return antlr4::CommonTokenFactory::DEFAULT.get();
  }

private:
  antlr4::CharStream &In;
  const std::vector<Tok> &Toks;
  const Locator &Loc;
  size_t Pos, End, CodePoints;
  std::vector<Tok> Prefix;
  size_t Emitted = 0;
  /// Storage of the LightTokens, in blocks that never move. It outlives them: the token stream
  /// that owns them is made after this source, so it is destroyed before.
  static constexpr size_t BlockTokens = 1024;
  std::vector<std::unique_ptr<char[]>> Blocks;
  size_t Used = 0, Capacity = 0; ///< of the last block

  std::unique_ptr<antlr4::Token> make(const Tok &T) {
    if (Used == Capacity) {
      // As many as the slice has left (a declaration is usually a few dozen tokens), uninitialised.
      Capacity = std::min(BlockTokens, Prefix.size() - std::min(Emitted, Prefix.size()) +
                                           (End > Pos ? End - Pos : 0) + 1);
      Blocks.push_back(std::unique_ptr<char[]>(new char[Capacity * sizeof(LightToken)]));
      Used = 0;
    }
    void *Where = Blocks.back().get() + Used++ * sizeof(LightToken);
    return std::unique_ptr<antlr4::Token>(new (Where) LightToken(*this, T));
  }
};

/// A token stream whose text of a token range is the source between them, comments and spaces
/// included, as it was when those were tokens of the stream ("no viable alternative at input
/// `linear(x, x) }`").
class SourceTokenStream : public antlr4::CommonTokenStream {
public:
  SourceTokenStream(SliceSource *Source, const Locator &Loc, size_t CodePoints)
      : CommonTokenStream(Source), Loc(Loc), CodePoints(CodePoints) {}
  void reserve(size_t N) { _tokens.reserve(N); }
  std::string getText(antlr4::Token *Start, antlr4::Token *Stop) override {
    if (!Start || !Stop)
      return "";
    size_t B = Start->getStartIndex(), E = Stop->getStopIndex();
    if (Stop->getType() == antlr4::Token::EOF && Stop->getStartIndex() >= CodePoints) {
      // The end of the file adds no text: stop at the token before it.
      size_t I = Stop->getTokenIndex();
      if (I == 0 || Start->getType() == antlr4::Token::EOF)
        return "";
      E = get(I - 1)->getStopIndex();
    }
    return E + 1 > B ? Loc.text(B, E).str() : "";
  }

protected:
  /// BufferedTokenStream::fetch without its `dynamic_cast` per token: a slice's tokens are all
  /// writable (LightTokens and the CommonToken of its EOF).
  size_t fetch(size_t N) override {
    if (_fetchedEOF)
      return 0;
    for (size_t I = 0; I < N; ++I) {
      std::unique_ptr<antlr4::Token> T = _tokenSource->nextToken();
      static_cast<antlr4::WritableToken *>(T.get())->setTokenIndex(_tokens.size());
      bool End = T->getType() == antlr4::Token::EOF;
      _tokens.push_back(std::move(T));
      if (End) {
        _fetchedEOF = true;
        return I + 1;
      }
    }
    return N;
  }

private:
  const Locator &Loc;
  size_t CodePoints;
};

/// Error recovery over the rest of the file from a declaration that does not parse, as a parse
/// of the whole file would do it, until the parser is back between two declarations (in the
/// `file` loop, at a declaration boundary) with its recovery over and nothing of it left: from
/// there on a whole-file parse and a fresh parse are the same, so the caller goes back to parsing
/// one declaration at a time. That keeps the tokens and contexts of a recovery to the stretch
/// that needs it, yet gives the diagnostics of a whole-file parse.
class ResyncStrategy : public antlr4::DefaultErrorStrategy {
public:
  /// Stream index I is token Base + I of the file.
  ResyncStrategy(const std::vector<size_t> &DeclEnds, ptrdiff_t Base, const unsigned &Reported)
      : DeclEnds(DeclEnds), Base(Base), Reported(Reported) {}
  /// Where parsing resumed one declaration at a time; 0 when the recovery went to the end.
  size_t ResumeAt = 0;

  void sync(antlr4::Parser *P) override {
    if (!errorRecoveryMode && lastErrorIndex < 0 && P->getContext() &&
        P->getContext()->getRuleIndex() == ZooParser::RuleFile) {
      ptrdiff_t I = Base + static_cast<ptrdiff_t>(P->getInputStream()->index());
      if (Reported && I > 0 &&
          std::binary_search(DeclEnds.begin(), DeclEnds.end(), static_cast<size_t>(I))) {
        ResumeAt = I;
        throw antlr4::ParseCancellationException();
      }
    }
    DefaultErrorStrategy::sync(P);
  }

private:
  const std::vector<size_t> &DeclEnds;
  ptrdiff_t Base;
  const unsigned &Reported;
};

/// The runtime's prediction, first tried on the DFA it has built so far. A decision whose DFA
/// already holds the path of the coming tokens to an accepting state (nearly every decision of
/// a large file, after its first declarations) is predicted by following those edges, without
/// the runtime's per-prediction closure object (a `std::function` on the heap each time) or its
/// lock per edge; anything else (an edge not built yet, a conflict that needs full context,
/// predicates, the error state, the end of the input) is left to the runtime, which builds the
/// edges for the next time. The tokens are read ahead with
/// LA(k) rather than consumed and rewound, which on a token stream without hidden tokens reads the
/// same ones. It reads the edge maps without the runtime's lock, as the lexer's mirror does: one
/// thread parses at a time (grammarLock).
class LeanPrediction : public antlr4::atn::ParserATNSimulator {
public:
  LeanPrediction(antlr4::Parser *P, antlr4::atn::ParserATNSimulator &Runtime)
      : ParserATNSimulator(P, Runtime.atn, Runtime.decisionToDFA,
                           Runtime.getSharedContextCache()) {}

  size_t adaptivePredict(antlr4::TokenStream *Input, size_t Decision,
                         antlr4::ParserRuleContext *Outer) override {
    antlr4::dfa::DFA &Dfa = decisionToDFA[Decision];
    antlr4::dfa::DFAState *S = Dfa.isPrecedenceDfa()
                                   ? Dfa.getPrecedenceStartState(parser->getPrecedence())
                                   : Dfa.s0;
    if (S) {
      size_t Alt = antlr4::atn::ATN::INVALID_ALT_NUMBER;
      bool Full = getPredictionMode() != antlr4::atn::PredictionMode::SLL;
      for (ssize_t K = 1;; ++K) {
        size_t T = Input->LA(K);
        auto It = S->edges.find(T);
        if (It == S->edges.end())
          break;
        S = It->second;
        if (S == ERROR.get() || (S->requiresFullContext && Full))
          break;
        if (S->isAcceptState) {
          if (S->predicates.empty())
            Alt = S->prediction;
          break;
        }
        if (T == antlr4::Token::EOF)
          break;
      }
      if (Alt != antlr4::atn::ATN::INVALID_ALT_NUMBER)
        return Alt;
    }
    return ParserATNSimulator::adaptivePredict(Input, Decision, Outer);
  }
};

/// Where [P, E) stops being UTF-8 (the start of the first ill-formed sequence), or null: what
/// llvm::isLegalUTF8String finds, with ASCII (nearly all of a .zoo file) skipped eight bytes at a
/// time rather than checked one by one.
const char *firstInvalidUTF8(const char *P, const char *E) {
  while (P < E) {
    while (E - P >= 8) {
      uint64_t W;
      std::memcpy(&W, P, sizeof W);
      if (W & 0x8080808080808080ULL)
        break;
      P += 8;
    }
    while (P < E && static_cast<unsigned char>(*P) < 0x80)
      ++P;
    if (P == E)
      break;
    auto *Q = reinterpret_cast<const llvm::UTF8 *>(P);
    unsigned N = llvm::getNumBytesForUTF8(*Q);
    if (N > static_cast<size_t>(E - P) || !llvm::isLegalUTF8Sequence(Q, Q + N))
      return P;
    P += N;
  }
  return nullptr;
}

} // namespace

std::mutex &zoo::grammarLock() {
  static std::mutex M;
  return M;
}

std::unique_ptr<FileUnit> zoo::parseBuffer(unsigned BufferID, DiagnosticEngine &Diags,
                                           PredictionMode Mode) {
  std::lock_guard<std::mutex> Lock(grammarLock());
  const llvm::MemoryBuffer *MB = Diags.sourceMgr().getMemoryBuffer(BufferID);
  const char *Begin = MB->getBufferStart();
  size_t Size = MB->getBufferSize();

  // 1. UTF-8.
  if (const char *Bad = firstInvalidUTF8(Begin, Begin + Size)) {
    Diags.report(llvm::SMLoc::getFromPointer(Bad), diag::err_invalid_utf8);
    return nullptr;
  }

  // 2. Lex and scan. A byte order mark is not part of the text (columns still count its bytes).
  if (llvm::StringRef(Begin, Size).startswith("\xEF\xBB\xBF")) {
    Begin += 3;
    Size -= 3;
  }
  Locator Loc(Begin, Size);
  SourceStream Input(Loc);
  ZooLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  const std::vector<TokClass> &Classes = tokenClasses(Lexer.getVocabulary());
  Scanner Scan(Loc, Diags);
  std::vector<Tok> Toks;
  std::vector<size_t> DeclEnds; // one past the last token of each top-level declaration
  bool LexOK = true;
  // Lexer::nextToken's loop without its token object per token: the grammar's lexer has no
  // modes, no `more` and no `skip` (only channel actions, which the classes below ignore), so a
  // token is exactly what one match() reads.
  auto *LexSim = Lexer.getInterpreter<antlr4::atn::LexerATNSimulator>();
  thread_local LexerMirror Mirror; // the DFA is the runtime's, shared by its lexers
  for (;;) {
    if (Input.LA(1) == antlr4::Token::EOF)
      break;
    size_t StartIndex = Input.index();
    Lexer.type = antlr4::Token::INVALID_TYPE;
    Lexer.channel = antlr4::Token::DEFAULT_CHANNEL;
    Lexer.tokenStartCharIndex = StartIndex;
    size_t Type, End = 0;
    if ((Type = Mirror.match(*LexSim, Loc, StartIndex, End))) {
      Input.seek(End);
    } else {
      try {
        Type = LexSim->match(&Input, Lexer.mode);
      } catch (antlr4::LexerNoViableAltException &E) {
        Lexer.recover(E); // as nextToken: skip a character (never reached: ERROR_CHAR matches any)
        continue;
      }
    }
    if (Type == antlr4::Token::EOF)
      break;
    TokClass K = Type < Classes.size() ? Classes[Type] : TokClass::Other;
    Tok X{static_cast<uint32_t>(Type), static_cast<uint32_t>(StartIndex),
          static_cast<uint32_t>(Input.index() - 1)};
    // A token object only for a diagnostic's location.
    auto T = [&X]() {
      auto Token = std::make_unique<antlr4::CommonToken>(X.Type);
      Token->setStartIndex(X.Start);
      Token->setStopIndex(X.Stop);
      return Token;
    };
    switch (K) {
    case TokClass::Hidden:
      continue;
    case TokClass::ErrorChar: {
      std::string Text = Loc.text(X.Start, X.Stop).str();
      if (Text.size() == 1 && !std::isprint(static_cast<unsigned char>(Text[0])))
        Text = fmt::format("\\x{:02x}", static_cast<unsigned char>(Text[0]));
      Diags.report(Loc.range(T().get()), diag::err_unexpected_char, Text);
      LexOK = false;
      break;
    }
    case TokClass::UnterminatedString:
      Diags.report(Loc.loc(T().get()), diag::err_unterminated_string);
      LexOK = false;
      break;
    case TokClass::UnterminatedComment:
      Diags.report(Loc.loc(T().get()), diag::err_unterminated_comment);
      LexOK = false;
      break;
    default:
      if (!Scan.scan(K, X))
        return nullptr;
      if (LexOK) {
        Toks.push_back(X);
        if (Scan.declEnds())
          DeclEnds.push_back(Toks.size());
      }
      break;
    }
    if (Diags.tooManyErrors())
      return nullptr;
  }
  if (!LexOK)
    return nullptr;
  if (DeclEnds.empty() || DeclEnds.back() != Toks.size())
    DeclEnds.push_back(Toks.size());
  Toks.shrink_to_fit();

  // 3 and 4. Parse and build one declaration at a time.
  size_t CodePoints = Input.size();
  auto Unit = std::make_unique<FileUnit>();
  Unit->BufferID = BufferID;
  std::vector<HeldDiag> Held;
  Builder B(Loc, Classes, Held);
  ZooParser Parser(nullptr);
  {
    auto *Runtime = Parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
    // The runtime's setInterpreter deletes the simulator it replaces; the parser deletes ours.
    Parser.setInterpreter(new LeanPrediction(&Parser, *Runtime));
  }
  Parser.removeErrorListeners();
  auto Bail = std::make_shared<antlr4::BailErrorStrategy>();
  SyntaxErrorListener Listener(Diags, Loc, Begin + Size, CodePoints);
  auto *Sim = Parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  bool SyntaxOK = true;
  // Declaration D spans tokens [First, DeclEnds[D]).
  size_t First = 0;
  for (size_t D = 0; D < DeclEnds.size() && !Diags.tooManyErrors();) {
    size_t Last = DeclEnds[D];
    ZooParser::FileContext *Tree = nullptr;
    {
      SliceSource Source(Input, Toks, Loc, First, Last, CodePoints);
      SourceTokenStream Tokens(&Source, Loc, CodePoints);
      Tokens.reserve(Last - First + 1);
      // SLL with bail-out; on failure full LL with bail-out (SLL can fail on valid input).
      for (auto PM : {antlr4::atn::PredictionMode::SLL, antlr4::atn::PredictionMode::LL}) {
        if (PM == antlr4::atn::PredictionMode::SLL && Mode == PredictionMode::LL)
          continue;
        Tokens.seek(0);
        Parser.setTokenStream(&Tokens);
        Sim->setPredictionMode(PM);
        Parser.setErrorHandler(Bail);
        try {
          Tree = Parser.file();
          break;
        } catch (antlr4::ParseCancellationException &) {
          Parser.getTreeTracker().reset();
        }
      }
      if (Tree && SyntaxOK)
        B.file(Tree, Tokens, *Unit);
      Parser.getTreeTracker().reset();
      Parser.setTokenStream(nullptr);
    }
    if (Tree) {
      First = Last;
      ++D;
      continue;
    }

    // The declaration is wrong: recover from it on, reporting every syntax error, without a tree.
    SyntaxOK = false;
    SliceSource Source(Input, Toks, Loc, First, Toks.size(), CodePoints);
    ptrdiff_t Base = static_cast<ptrdiff_t>(First);
    if (First) {
      Source.addPrefix(Classes);
      Base -= SliceSource::PrefixSize;
    }
    SourceTokenStream Tokens(&Source, Loc, CodePoints);
    Listener.Reported = 0;
    auto Recover = std::make_shared<ResyncStrategy>(DeclEnds, Base, Listener.Reported);
    Parser.setTokenStream(&Tokens);
    Parser.setErrorHandler(Recover);
    Parser.setBuildParseTree(false);
    Parser.addErrorListener(&Listener);
    try {
      Parser.file();
    } catch (antlr4::ParseCancellationException &) {
    }
    Parser.removeErrorListeners();
    Parser.setBuildParseTree(true);
    Parser.getTreeTracker().reset();
    Parser.setTokenStream(nullptr);
    if (!Recover->ResumeAt)
      break;
    First = Recover->ResumeAt;
    D = std::lower_bound(DeclEnds.begin(), DeclEnds.end(), First) - DeclEnds.begin() + 1;
  }
  if (!SyntaxOK || Diags.tooManyErrors())
    return nullptr;
  for (const HeldDiag &H : Held)
    Diags.report(H.Range, H.K, H.Arg);
  if (!Held.empty())
    return nullptr;
  return Unit;
}
