//===- Parser.cpp - ANTLR front end and AST builder -----------------------===//
//
// The only file that includes ANTLR headers. Steps:
//   1. reject invalid UTF-8 (the ANTLR runtime would throw on it);
//   2. lex everything, turning error tokens (stray characters, unterminated strings and comments)
//      into diagnostics, and bound nesting depth and expression length so that neither ANTLR's
//      recursive descent nor the builder can exhaust the stack;
//   3. parse with SLL prediction and a bail-out strategy, and reparse with full LL and error
//      recovery only when SLL fails, reporting every syntax error through the engine;
//   4. walk the parse tree into AST nodes with byte-accurate source ranges.
//
//===----------------------------------------------------------------------===//
#include "zoo/Parse/Parser.h"
#include "ZooLexer.h"
#include "ZooParser.h"
#include "antlr4-runtime.h"
#include "llvm/Support/ConvertUTF.h"
#include <cerrno>
#include <cmath>
#include <cstdlib>

using namespace zoo;
using namespace zoo::gen;

namespace {

/// Maps ANTLR's code-point indices to byte pointers into the SourceMgr buffer.
class Locator {
public:
  Locator(const char *Buf, size_t Size) : Buf(Buf) {
    bool Ascii = true;
    for (size_t I = 0; I < Size && Ascii; ++I)
      Ascii = static_cast<unsigned char>(Buf[I]) < 0x80;
    if (Ascii)
      return;
    for (size_t I = 0; I < Size; ++I)
      if ((static_cast<unsigned char>(Buf[I]) & 0xC0) != 0x80)
        Offsets.push_back(static_cast<uint32_t>(I));
    Offsets.push_back(static_cast<uint32_t>(Size));
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

private:
  const char *Buf;
  std::vector<uint32_t> Offsets;
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
                          "`scenario`, ", "`pipeline`, ", "`runtime`, "})
      ReplaceAll(K, "");
  if (Msg.find("expecting {identifier}") != std::string::npos)
    ReplaceAll("expecting {identifier}", "expecting identifier");
  return Msg;
}

class SyntaxErrorListener : public antlr4::BaseErrorListener {
public:
  SyntaxErrorListener(DiagnosticEngine &D, const Locator &L, const char *BufEnd)
      : Diags(D), Loc(L), BufEnd(BufEnd) {}
  void syntaxError(antlr4::Recognizer *, antlr4::Token *Offending, size_t, size_t,
                   const std::string &Msg, std::exception_ptr) override {
    llvm::SMLoc L = Offending && Offending->getType() != antlr4::Token::EOF
                        ? Loc.loc(Offending)
                        : llvm::SMLoc::getFromPointer(BufEnd);
    Diags.report(L, diag::err_syntax, tidyMessage(Msg));
    if (Diags.tooManyErrors())
      throw antlr4::ParseCancellationException();
  }

private:
  DiagnosticEngine &Diags;
  const Locator &Loc;
  const char *BufEnd;
};

/// Parse tree -> AST.
class Builder {
public:
  Builder(DiagnosticEngine &D, const Locator &L) : Diags(D), Loc(L) {}

  std::unique_ptr<FileUnit> file(ZooParser::FileContext *C) {
    auto F = std::make_unique<FileUnit>();
    for (auto *Child : C->children) {
      if (auto *I = dynamic_cast<ZooParser::ImportDeclContext *>(Child))
        F->Imports.push_back({unquote(I->STRING()->getSymbol()), Loc.range(I)});
      else if (auto *D = dynamic_cast<ZooParser::DeclContext *>(Child))
        if (DeclPtr X = decl(D))
          F->Decls.push_back(std::move(X));
    }
    return F;
  }

private:
  DiagnosticEngine &Diags;
  const Locator &Loc;

  static std::string name(ZooParser::IdentContext *C) { return C ? C->getText() : ""; }

  std::string unquote(antlr4::Token *T) {
    std::string S = T->getText(), Out;
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
    if (auto *B = C->blockDecl()) {
      auto Body = B->stmt();
      return block(B->ident(), B->paramList(), &Body, B, false);
    }
    if (auto *P = C->primitiveDecl())
      return block(P->ident(), P->paramList(), nullptr, P, true);
    if (auto *E = C->enumDecl()) {
      auto D = std::make_unique<EnumDecl>(Loc.range(E));
      auto Ids = E->ident();
      D->Name = name(Ids[0]);
      D->NameRange = Loc.range(Ids[0]);
      for (size_t I = 1; I < Ids.size(); ++I)
        D->Members.push_back({name(Ids[I]), Loc.range(Ids[I])});
      return D;
    }
    if (auto *M = C->modelDecl())
      return model(M);
    if (auto *H = C->hardwareDecl()) {
      auto D = std::make_unique<HardwareDecl>(Loc.range(H));
      D->Name = name(H->name);
      D->NameRange = Loc.range(H->name);
      D->Class = name(H->cls);
      D->ClassRange = Loc.range(H->cls);
      D->Items = items(H->recordBody());
      return D;
    }
    if (auto *Cl = C->classDecl()) {
      auto D = std::make_unique<ClassDecl>(Loc.range(Cl));
      D->Name = name(Cl->name);
      D->NameRange = Loc.range(Cl->name);
      D->Items = items(Cl->recordBody());
      return D;
    }
    if (auto *Pl = C->pipelineDecl()) {
      auto D = std::make_unique<PipelineDecl>(Loc.range(Pl));
      D->Name = name(Pl->name);
      D->NameRange = Loc.range(Pl->name);
      D->Items = items(Pl->recordBody());
      return D;
    }
    if (auto *S = C->scenarioDecl()) {
      auto D = std::make_unique<ScenarioDecl>(Loc.range(S));
      D->Name = name(S->name);
      D->NameRange = Loc.range(S->name);
      D->Items = items(S->recordBody());
      return D;
    }
    if (auto *R = C->runtimeDecl()) {
      auto D = std::make_unique<RuntimeDecl>(Loc.range(R));
      D->Name = name(R->name);
      D->NameRange = Loc.range(R->name);
      D->Items = items(R->recordBody());
      return D;
    }
    if (auto *P = C->precisionDecl()) {
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
        PD.TypeText = P->typeRef()->getText();
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
    D->Args = args(C->argList());
    if (C->recordBody())
      D->Items = items(C->recordBody());
    return D;
  }

  std::vector<Arg> args(ZooParser::ArgListContext *C) {
    std::vector<Arg> Out;
    if (!C)
      return Out;
    for (auto *A : C->arg()) {
      Arg X;
      if (A->ident()) {
        X.Name = name(A->ident());
        X.NameRange = Loc.range(A->ident());
      }
      X.Value = expr(A->expr());
      Out.push_back(std::move(X));
    }
    return Out;
  }

  std::vector<Item> items(ZooParser::RecordBodyContext *C) {
    std::vector<Item> Out;
    for (auto *I : C->item()) {
      Item X;
      X.Range = Loc.range(I);
      if (auto *F = dynamic_cast<ZooParser::FieldItemContext *>(I)) {
        X.K = Item::Field;
        X.Name = name(F->ident());
        X.NameRange = Loc.range(F->ident());
        X.Value = expr(F->expr());
        if (F->sourceTag())
          X.Text = unquote(F->sourceTag()->STRING()->getSymbol());
      } else if (auto *S = dynamic_cast<ZooParser::SourceItemContext *>(I)) {
        X.K = Item::Source;
        X.Text = unquote(S->STRING()->getSymbol());
      } else if (auto *E = dynamic_cast<ZooParser::ExpectEqItemContext *>(I)) {
        X.K = Item::ExpectEq;
        X.Name = name(E->metric);
        X.NameRange = Loc.range(E->metric);
        X.Value = expr(E->expr());
        if (E->metricArgs())
          X.MetricArgs = args(E->metricArgs()->argList());
      } else if (auto *N = dynamic_cast<ZooParser::ExpectNearItemContext *>(I)) {
        X.K = Item::ExpectNear;
        X.Name = name(N->metric);
        X.NameRange = Loc.range(N->metric);
        X.Value = expr(N->expr());
        X.Tolerance = std::strtod(N->tol->getText().c_str(), nullptr);
        if (N->metricArgs())
          X.MetricArgs = args(N->metricArgs()->argList());
      } else if (auto *Me = dynamic_cast<ZooParser::MeasuredItemContext *>(I)) {
        X.K = Item::Measured;
        X.Name = name(Me->metric);
        X.NameRange = Loc.range(Me->metric);
        X.Value = expr(Me->expr());
        if (Me->sourceTag())
          X.Text = unquote(Me->sourceTag()->STRING()->getSymbol());
      } else if (auto *Sec = dynamic_cast<ZooParser::SectionItemContext *>(I)) {
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
    if (auto *CS = dynamic_cast<ZooParser::CallStmtContext *>(C))
      return call(CS->call(), Loc.range(CS), nullptr);
    if (auto *CB = dynamic_cast<ZooParser::CallBodyStmtContext *>(C)) {
      auto Body = CB->stmt();
      return call(CB->call(), Loc.range(CB), &Body);
    }
    if (auto *R = dynamic_cast<ZooParser::RepeatStmtContext *>(C)) {
      auto S = std::make_unique<RepeatStmt>(Loc.range(R));
      S->Count = expr(R->expr());
      S->Body = stmts(R->stmt());
      return S;
    }
    if (auto *F = dynamic_cast<ZooParser::ForStmtContext *>(C)) {
      auto S = std::make_unique<ForStmt>(Loc.range(F));
      S->Var = name(F->ident());
      S->VarRange = Loc.range(F->ident());
      S->Lo = expr(F->expr(0));
      S->Hi = expr(F->expr(1));
      S->Body = stmts(F->stmt());
      return S;
    }
    if (auto *I = dynamic_cast<ZooParser::IfStmtAltContext *>(C))
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

  StmtPtr ifStmt(ZooParser::IfStmtContext *C) {
    auto S = std::make_unique<IfStmt>(Loc.range(C));
    S->Cond = expr(C->expr());
    S->Then = stmts(C->thenBody);
    if (C->elseIf)
      S->Else.push_back(ifStmt(C->elseIf));
    else
      S->Else = stmts(C->elseBody);
    return S;
  }

  ExprPtr expr(ZooParser::ExprContext *C) {
    llvm::SMRange R = Loc.range(C);
    if (auto *P = dynamic_cast<ZooParser::PrimaryExprContext *>(C))
      return primary(P->primary());
    if (auto *U = dynamic_cast<ZooParser::UnaryExprContext *>(C))
      return std::make_unique<UnaryExpr>(R, U->op->getText(), expr(U->expr()));
    if (auto *K = dynamic_cast<ZooParser::CondExprContext *>(C))
      return std::make_unique<CondExpr>(R, expr(K->expr(0)), expr(K->expr(1)), expr(K->expr(2)));
    // Every other alternative is binary: expr op expr.
    auto Es = C->children;
    auto *L = dynamic_cast<ZooParser::ExprContext *>(Es.front());
    auto *Rt = dynamic_cast<ZooParser::ExprContext *>(Es.back());
    std::string Op = Es.size() == 3 ? Es[1]->getText() : "?";
    return std::make_unique<BinaryExpr>(R, Op, expr(L), expr(Rt));
  }

  ExprPtr primary(ZooParser::PrimaryContext *C) {
    llvm::SMRange R = Loc.range(C);
    if (auto *N = dynamic_cast<ZooParser::NumberLitContext *>(C))
      return number(N, R);
    if (auto *S = dynamic_cast<ZooParser::StringLitContext *>(C))
      return std::make_unique<StringExpr>(R, unquote(S->STRING()->getSymbol()));
    if (dynamic_cast<ZooParser::BoolLitContext *>(C))
      return std::make_unique<BoolExpr>(R, C->getText() == "true");
    if (auto *B = dynamic_cast<ZooParser::BuiltinCallContext *>(C)) {
      auto E = std::make_unique<CallExpr>(R, name(B->ident()), Loc.range(B->ident()));
      for (auto *A : B->expr())
        E->Args.push_back(expr(A));
      return E;
    }
    if (auto *N = dynamic_cast<ZooParser::NameRefContext *>(C)) {
      std::vector<std::string> Path;
      for (auto *I : N->ident())
        Path.push_back(name(I));
      return std::make_unique<NameExpr>(R, std::move(Path));
    }
    auto *P = dynamic_cast<ZooParser::ParenExprContext *>(C);
    ExprPtr Inner = expr(P->expr());
    return Inner;
  }

  ExprPtr number(ZooParser::NumberLitContext *C, llvm::SMRange R) {
    auto E = std::make_unique<NumberExpr>(R);
    std::string Text;
    for (char Ch : C->number()->getText())
      if (Ch != '_')
        Text += Ch;
    llvm::SMRange NumRange = Loc.range(C->number());
    if (C->number()->INT()) {
      errno = 0;
      char *End = nullptr;
      unsigned long long V = std::strtoull(Text.c_str(), &End, 10);
      if (errno == ERANGE || V > static_cast<unsigned long long>(INT64_MAX)) {
        Diags.report(NumRange, diag::err_int_literal_too_large, C->number()->getText());
        V = 0;
      }
      E->IntValue = static_cast<int64_t>(V);
      E->RealValue = static_cast<double>(V);
    } else {
      E->IsInt = false;
      E->RealValue = std::strtod(Text.c_str(), nullptr);
      if (!std::isfinite(E->RealValue)) {
        Diags.report(NumRange, diag::err_real_literal_invalid, C->number()->getText());
        E->RealValue = 0;
      }
    }
    if (auto *U = C->unit()) {
      E->UnitText = U->getText();
      auto Info = lookupUnit(E->UnitText);
      if (!Info) {
        Diags.report(Loc.range(U), diag::err_unknown_unit, E->UnitText);
      } else {
        E->UnitDim = Info->D;
        E->RealValue *= Info->Scale;
      }
    }
    return E;
  }
};

/// Step 2: error tokens and recursion bounds. Returns false when the file must not be parsed.
bool prescan(antlr4::CommonTokenStream &Tokens, const Locator &Loc, DiagnosticEngine &Diags) {
  bool OK = true;
  unsigned Depth = 0, Operators = 0, Run = 0, Questions = 0;
  bool PrevOperator = true;
  for (antlr4::Token *T : Tokens.getTokens()) {
    if (Diags.tooManyErrors())
      return false;
    switch (T->getType()) {
    case ZooLexer::ERROR_CHAR: {
      std::string Text = T->getText();
      if (Text.size() == 1 && !std::isprint(static_cast<unsigned char>(Text[0])))
        Text = fmt::format("\\x{:02x}", static_cast<unsigned char>(Text[0]));
      Diags.report(Loc.range(T), diag::err_unexpected_char, Text);
      OK = false;
      continue;
    }
    case ZooLexer::UNTERMINATED_STRING:
      Diags.report(Loc.loc(T), diag::err_unterminated_string);
      OK = false;
      continue;
    case ZooLexer::UNTERMINATED_COMMENT:
      Diags.report(Loc.loc(T), diag::err_unterminated_comment);
      OK = false;
      continue;
    default:
      break;
    }
    std::string Text = T->getText();
    if (Text == "(" || Text == "{") {
      if (++Depth == MaxNesting + 1) {
        Diags.report(Loc.loc(T), diag::err_nesting_too_deep, MaxNesting);
        return false;
      }
    } else if ((Text == ")" || Text == "}") && Depth) {
      --Depth;
    }
    bool IsOperator = Text == "+" || Text == "-" || Text == "*" || Text == "/" || Text == "%" ||
                      Text == "!" || Text == "?" || Text == "&&" || Text == "||" || Text == "==" ||
                      Text == "!=" || Text == "<" || Text == "<=" || Text == ">" || Text == ">=";
    // Prefix operators and `?:` nest (the parser and the evaluator recurse on them): a run of
    // operators with nothing between them, and the `?`s of one statement, count as nesting.
    bool Prefix = IsOperator && (PrevOperator || Text == "!");
    Run = Prefix ? Run + 1 : 0;
    if (Text == "?")
      ++Questions;
    if (Run == MaxNesting + 1 || Questions == MaxNesting + 1) {
      Diags.report(Loc.loc(T), diag::err_nesting_too_deep, MaxNesting);
      return false;
    }
    PrevOperator = IsOperator || Text == "(" || Text == "," || Text == ":" || Text == "=";
    if (Text == ";" || Text == "{" || Text == "}") {
      Operators = 0;
      Questions = 0;
    } else if (IsOperator && ++Operators == MaxExprOperators + 1) {
      Diags.report(Loc.loc(T), diag::err_expr_too_long, MaxExprOperators);
      return false;
    }
  }
  return OK;
}

} // namespace

std::unique_ptr<FileUnit> zoo::parseBuffer(unsigned BufferID, DiagnosticEngine &Diags,
                                           PredictionMode Mode) {
  const llvm::MemoryBuffer *MB = Diags.sourceMgr().getMemoryBuffer(BufferID);
  const char *Begin = MB->getBufferStart();
  size_t Size = MB->getBufferSize();

  // 1. UTF-8.
  const llvm::UTF8 *P = reinterpret_cast<const llvm::UTF8 *>(Begin);
  if (!llvm::isLegalUTF8String(&P, reinterpret_cast<const llvm::UTF8 *>(Begin + Size))) {
    Diags.report(llvm::SMLoc::getFromPointer(reinterpret_cast<const char *>(P)),
                 diag::err_invalid_utf8);
    return nullptr;
  }

  // 2. Lex.
  Locator Loc(Begin, Size);
  antlr4::ANTLRInputStream Input(Begin, Size);
  ZooLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  antlr4::CommonTokenStream Tokens(&Lexer);
  Tokens.fill();
  if (!prescan(Tokens, Loc, Diags))
    return nullptr;

  // 3. Parse: SLL with bail-out, then LL with recovery and reporting.
  ZooParser Parser(&Tokens);
  Parser.removeErrorListeners();
  Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  Parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  ZooParser::FileContext *Tree = nullptr;
  if (Mode == PredictionMode::SLLThenLL) {
    try {
      Tree = Parser.file();
    } catch (antlr4::ParseCancellationException &) {
      Tree = nullptr;
    }
  }
  if (!Tree) {
    Tokens.seek(0);
    Parser.reset();
    Parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    Parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    SyntaxErrorListener Listener(Diags, Loc, Begin + Size);
    Parser.addErrorListener(&Listener);
    unsigned Before = Diags.errorCount();
    try {
      Tree = Parser.file();
    } catch (antlr4::ParseCancellationException &) {
    }
    Parser.removeErrorListeners();
    if (Diags.errorCount() != Before || !Tree)
      return nullptr;
  }

  // 4. Build.
  unsigned Before = Diags.errorCount();
  Builder B(Diags, Loc);
  auto Unit = B.file(Tree);
  Unit->BufferID = BufferID;
  if (Diags.errorCount() != Before)
    return nullptr;
  return Unit;
}
