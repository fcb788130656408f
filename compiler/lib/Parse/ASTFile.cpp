//===- ASTFile.cpp - syntax trees as bytes, and back ----------------------===//
//
// The encoding, field by field in the order of AST.h: unsigned integers as LEB128, signed ones
// zigzagged, reals as their 8 bytes, strings as a length and bytes, a range as two offsets into
// the text plus one (0 for an invalid location), a list as a count and its elements, a node as
// its kind and fields. Decoding checks, besides the framing:
//   - kinds are known and every child the parser always makes is there (a call's arguments, a
//     field's value), so Sema never meets a tree it could not get from the parser;
//   - offsets lie within the text; names are identifiers (a type or unit: identifiers joined by
//     `/`), operators are operators, strings are UTF-8;
//   - counts cannot exceed the bytes left (no allocation larger than the input), and nodes nest
//     at most as deep as the parser lets them (MaxNesting brackets plus MaxExprOperators
//     operators), so recursion here and in Sema stays within the stack.
//
//===----------------------------------------------------------------------===//
#include "zoo/Parse/ASTFile.h"
#include "zoo/Parse/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include <algorithm>
#include <cstring>

using namespace zoo;

namespace {

// ---- Encoding ---------------------------------------------------------------------------------

class Encoder {
public:
  Encoder(const char *Begin, size_t Size, std::string &Out) : Begin(Begin), Size(Size), Out(Out) {}

  void file(const FileUnit &F) {
    count(F.Imports.size());
    for (const Import &I : F.Imports) {
      str(I.Path);
      range(I.Range);
    }
    count(F.Decls.size());
    for (const DeclPtr &D : F.Decls)
      decl(*D);
  }

private:
  const char *Begin;
  size_t Size;
  std::string &Out;

  void u(uint64_t V) {
    do {
      uint8_t B = V & 0x7f;
      V >>= 7;
      Out.push_back(static_cast<char>(B | (V ? 0x80 : 0)));
    } while (V);
  }
  void s(int64_t V) { u((static_cast<uint64_t>(V) << 1) ^ static_cast<uint64_t>(V >> 63)); }
  void count(size_t N) { u(N); }
  void flag(bool B) { Out.push_back(B ? 1 : 0); }
  void real(double D) {
    char B[8];
    std::memcpy(B, &D, 8);
    Out.append(B, 8);
  }
  void str(llvm::StringRef S) {
    u(S.size());
    Out.append(S.data(), S.size());
  }
  void loc(llvm::SMLoc L) {
    const char *P = L.getPointer();
    u(P && P >= Begin && P <= Begin + Size ? static_cast<uint64_t>(P - Begin) + 1 : 0);
  }
  void range(llvm::SMRange R) {
    loc(R.Start);
    loc(R.End);
  }

  void expr(const Expr &E) {
    Out.push_back(static_cast<char>(E.getKind()));
    range(E.range());
    switch (E.getKind()) {
    case Expr::Number: {
      auto &N = llvm::cast<NumberExpr>(E);
      flag(N.IsInt);
      s(N.IntValue);
      real(N.RealValue);
      str(N.UnitText);
      for (int8_t X : N.UnitDim.Exp)
        s(X);
      return;
    }
    case Expr::String:
      str(llvm::cast<StringExpr>(E).Value);
      return;
    case Expr::Bool:
      flag(llvm::cast<BoolExpr>(E).Value);
      return;
    case Expr::Name: {
      auto &N = llvm::cast<NameExpr>(E);
      count(N.Path.size());
      for (const std::string &P : N.Path)
        str(P);
      return;
    }
    case Expr::Unary: {
      auto &U = llvm::cast<UnaryExpr>(E);
      str(U.Op);
      expr(*U.Operand);
      return;
    }
    case Expr::Binary: {
      auto &B = llvm::cast<BinaryExpr>(E);
      str(B.Op);
      expr(*B.LHS);
      expr(*B.RHS);
      return;
    }
    case Expr::Cond: {
      auto &C = llvm::cast<CondExpr>(E);
      expr(*C.C);
      expr(*C.T);
      expr(*C.F);
      return;
    }
    case Expr::Call: {
      auto &C = llvm::cast<CallExpr>(E);
      str(C.Callee);
      range(C.CalleeRange);
      count(C.Args.size());
      for (const ExprPtr &A : C.Args)
        expr(*A);
      return;
    }
    }
  }
  void optExpr(const ExprPtr &E) {
    flag(E != nullptr);
    if (E)
      expr(*E);
  }

  void args(const std::vector<Arg> &As) {
    count(As.size());
    for (const Arg &A : As) {
      str(A.Name);
      range(A.NameRange);
      expr(*A.Value);
    }
  }

  void stmts(const StmtList &L) {
    count(L.size());
    for (const StmtPtr &S : L)
      stmt(*S);
  }
  void stmt(const Stmt &S) {
    Out.push_back(static_cast<char>(S.getKind()));
    range(S.range());
    switch (S.getKind()) {
    case Stmt::Call: {
      auto &C = llvm::cast<CallStmt>(S);
      str(C.Callee);
      str(C.Instance);
      range(C.CalleeRange);
      args(C.Args);
      flag(C.HasBody);
      stmts(C.Body);
      return;
    }
    case Stmt::Repeat: {
      auto &R = llvm::cast<RepeatStmt>(S);
      expr(*R.Count);
      stmts(R.Body);
      return;
    }
    case Stmt::For: {
      auto &F = llvm::cast<ForStmt>(S);
      str(F.Var);
      range(F.VarRange);
      expr(*F.Lo);
      expr(*F.Hi);
      stmts(F.Body);
      return;
    }
    case Stmt::If: {
      auto &I = llvm::cast<IfStmt>(S);
      expr(*I.Cond);
      stmts(I.Then);
      stmts(I.Else);
      return;
    }
    case Stmt::Require: {
      auto &Q = llvm::cast<RequireStmt>(S);
      expr(*Q.Cond);
      str(Q.Message);
      return;
    }
    }
  }

  void items(const std::vector<Item> &Is) {
    count(Is.size());
    for (const Item &I : Is) {
      Out.push_back(static_cast<char>(I.K));
      range(I.Range);
      str(I.Name);
      range(I.NameRange);
      optExpr(I.Value);
      str(I.Text);
      real(I.Tolerance);
      args(I.MetricArgs);
      str(I.SectionName);
      items(I.Items);
    }
  }

  void decl(const Decl &D) {
    Out.push_back(static_cast<char>(D.getKind()));
    range(D.range());
    str(D.Name);
    range(D.NameRange);
    switch (D.getKind()) {
    case Decl::Block: {
      auto &B = llvm::cast<BlockDecl>(D);
      flag(B.IsPrimitive);
      count(B.Params.size());
      for (const ParamDecl &P : B.Params) {
        str(P.Name);
        range(P.NameRange);
        str(P.TypeText);
        range(P.TypeRange);
        optExpr(P.Default);
      }
      // The body as one length-prefixed string, so that a decoder can keep it for later.
      if (!B.EncodedBody.empty()) {
        str(B.EncodedBody);
      } else {
        std::string Saved;
        std::swap(Saved, Out);
        stmts(B.Body);
        std::swap(Saved, Out);
        str(Saved);
      }
      return;
    }
    case Decl::Enum: {
      auto &E = llvm::cast<EnumDecl>(D);
      count(E.Members.size());
      for (const auto &[Name, R] : E.Members) {
        str(Name);
        range(R);
      }
      return;
    }
    case Decl::Model: {
      auto &M = llvm::cast<ModelDecl>(D);
      str(M.Target);
      range(M.TargetRange);
      flag(M.IsWith);
      args(M.Args);
      items(M.Items);
      return;
    }
    case Decl::Hardware: {
      auto &H = llvm::cast<HardwareDecl>(D);
      str(H.Class);
      range(H.ClassRange);
      items(H.Items);
      return;
    }
    case Decl::Precision:
      items(llvm::cast<PrecisionDecl>(D).Items);
      return;
    case Decl::Scenario:
      items(llvm::cast<ScenarioDecl>(D).Items);
      return;
    case Decl::Pipeline:
      items(llvm::cast<PipelineDecl>(D).Items);
      return;
    case Decl::Class:
      items(llvm::cast<ClassDecl>(D).Items);
      return;
    case Decl::Runtime:
      items(llvm::cast<RuntimeDecl>(D).Items);
      return;
    case Decl::System:
    case Decl::Optimizer:
    case Decl::Training:
    case Decl::Workload:
    case Decl::Serving:
    case Decl::Price:
    case Decl::Grid:
      items(llvm::cast<RecordDecl>(D).Items);
      return;
    }
  }
};

// ---- Decoding ---------------------------------------------------------------------------------

bool isIdentifier(llvm::StringRef S) {
  if (S.empty() || !(llvm::isAlpha(S[0]) || S[0] == '_'))
    return false;
  for (char C : S)
    if (!(llvm::isAlnum(C) || C == '_'))
      return false;
  return true;
}

/// Identifiers joined by `/` (a type or a unit as written, spaces removed).
bool isSlashedIdentifiers(llvm::StringRef S) {
  llvm::SmallVector<llvm::StringRef, 4> Parts;
  S.split(Parts, '/');
  for (llvm::StringRef P : Parts)
    if (!isIdentifier(P))
      return false;
  return true;
}

class Decoder {
public:
  Decoder(llvm::StringRef Bytes, const char *Begin, size_t Size)
      : P(Bytes.bytes_begin()), End(Bytes.bytes_end()), Begin(Begin), Size(Size) {}

  /// A block body (a statement list) and nothing after it.
  bool body(StmtList &Out) {
    Out = stmts();
    return OK && P == End;
  }

  bool file(FileUnit &F) {
    size_t N = count();
    for (size_t I = 0; I < N && OK; ++I) {
      Import Imp;
      Imp.Path = str();
      Imp.Range = range();
      F.Imports.push_back(std::move(Imp));
    }
    N = count();
    for (size_t I = 0; I < N && OK; ++I)
      if (DeclPtr D = decl())
        F.Decls.push_back(std::move(D));
    return OK && P == End;
  }

private:
  const uint8_t *P, *End;
  const char *Begin;
  size_t Size;
  bool OK = true;
  unsigned Depth = 0;
  /// As deep as a parsed tree can be: brackets, braces, `else if`, prefix operators and `?` up
  /// to MaxNesting, plus a left-deep chain of MaxExprOperators binary operators, plus the few
  /// levels of a declaration around them.
  static constexpr unsigned MaxDepth = MaxNesting + MaxExprOperators + 16;

  /// Fails the decoding; returns a neutral value for the caller to return.
  template <typename T = int> T fail() {
    OK = false;
    P = End;
    return T();
  }
  bool check(bool C) {
    if (!C)
      fail();
    return OK;
  }

  uint64_t u() {
    uint64_t V = 0;
    for (unsigned Shift = 0; Shift < 64; Shift += 7) {
      if (P == End)
        return fail<uint64_t>();
      uint8_t B = *P++;
      V |= static_cast<uint64_t>(B & 0x7f) << Shift;
      if (!(B & 0x80))
        return V;
    }
    return fail<uint64_t>();
  }
  int64_t s() {
    uint64_t V = u();
    return static_cast<int64_t>((V >> 1) ^ (~(V & 1) + 1));
  }
  uint8_t byte() { return P == End ? fail<uint8_t>() : *P++; }
  bool flag() {
    uint8_t B = byte();
    check(B <= 1);
    return B == 1;
  }
  /// A count of elements that take at least one byte each.
  size_t count() {
    uint64_t N = u();
    return check(N <= static_cast<uint64_t>(End - P)) ? static_cast<size_t>(N) : 0;
  }
  double real() {
    if (End - P < 8)
      return fail<double>();
    double D;
    std::memcpy(&D, P, 8);
    P += 8;
    return D;
  }
  llvm::StringRef bytes() {
    uint64_t N = u();
    if (!check(N <= static_cast<uint64_t>(End - P)))
      return "";
    llvm::StringRef S(reinterpret_cast<const char *>(P), static_cast<size_t>(N));
    P += N;
    return S;
  }
  std::string str() {
    llvm::StringRef S = bytes();
    const llvm::UTF8 *Q = S.bytes_begin();
    check(llvm::isLegalUTF8String(&Q, S.bytes_end()));
    return S.str();
  }
  /// An identifier (ASCII, so UTF-8).
  std::string ident() {
    llvm::StringRef S = bytes();
    check(isIdentifier(S));
    return S.str();
  }
  /// An identifier, or nothing (a positional argument's name, an instance name).
  std::string optIdent() {
    llvm::StringRef S = bytes();
    check(S.empty() || isIdentifier(S));
    return S.str();
  }
  llvm::SMLoc loc() {
    uint64_t V = u();
    if (V == 0)
      return llvm::SMLoc();
    if (!check(V - 1 <= Size))
      return llvm::SMLoc();
    return llvm::SMLoc::getFromPointer(Begin + (V - 1));
  }
  /// Both ends in the text, in order, or both none (a range with one end is malformed, and
  /// llvm::SMRange asserts against it).
  llvm::SMRange range() {
    llvm::SMLoc S = loc(), E = loc();
    if (!check(S.isValid() == E.isValid() && (!S.isValid() || S.getPointer() <= E.getPointer())))
      return llvm::SMRange();
    return {S, E};
  }

  struct Deeper {
    Decoder &D;
    explicit Deeper(Decoder &D) : D(D) { D.check(++D.Depth <= MaxDepth); }
    ~Deeper() { --D.Depth; }
  };

  ExprPtr expr() {
    Deeper G(*this);
    uint8_t K = byte();
    llvm::SMRange R = range();
    if (!OK)
      return nullptr;
    switch (K) {
    case Expr::Number: {
      auto N = std::make_unique<NumberExpr>(R);
      N->IsInt = flag();
      N->IntValue = s();
      N->RealValue = real();
      llvm::StringRef Unit = bytes();
      for (int8_t &X : N->UnitDim.Exp) {
        int64_t V = s();
        check(V >= INT8_MIN && V <= INT8_MAX);
        X = static_cast<int8_t>(V);
      }
      // A unit is one the parser knows, with its dimension; an int literal is not negative.
      if (!Unit.empty()) {
        auto Info = lookupUnit(Unit);
        check(isSlashedIdentifiers(Unit) && Info && Info->D == N->UnitDim);
      } else {
        check(N->UnitDim == Dim());
      }
      check(N->IntValue >= 0);
      N->UnitText = Unit.str();
      return OK ? std::move(N) : nullptr;
    }
    case Expr::String: {
      auto S = std::make_unique<StringExpr>(R, str());
      return OK ? std::move(S) : nullptr;
    }
    case Expr::Bool:
      return std::make_unique<BoolExpr>(R, flag());
    case Expr::Name: {
      size_t N = count();
      check(N > 0);
      std::vector<Atom> Path;
      Path.reserve(std::min<size_t>(N, 8));
      for (size_t I = 0; I < N && OK; ++I)
        Path.push_back(ident());
      return OK ? std::make_unique<NameExpr>(R, std::move(Path)) : nullptr;
    }
    case Expr::Unary: {
      llvm::StringRef Op = operatorSpelling(bytes());
      check(Op == "-" || Op == "!" || Op == "+");
      ExprPtr X = expr();
      return OK ? std::make_unique<UnaryExpr>(R, Op, std::move(X)) : nullptr;
    }
    case Expr::Binary: {
      llvm::StringRef Op = operatorSpelling(bytes());
      check(!Op.empty() && Op != "!");
      ExprPtr L = expr();
      ExprPtr Rhs = expr();
      return OK ? std::make_unique<BinaryExpr>(R, Op, std::move(L), std::move(Rhs)) : nullptr;
    }
    case Expr::Cond: {
      ExprPtr C = expr();
      ExprPtr T = expr();
      ExprPtr F = expr();
      return OK ? std::make_unique<CondExpr>(R, std::move(C), std::move(T), std::move(F)) : nullptr;
    }
    case Expr::Call: {
      std::string Callee = ident();
      llvm::SMRange CR = range();
      auto C = std::make_unique<CallExpr>(R, std::move(Callee), CR);
      size_t N = count();
      C->Args.reserve(std::min<size_t>(N, 16));
      for (size_t I = 0; I < N && OK; ++I)
        C->Args.push_back(expr());
      return OK ? std::move(C) : nullptr;
    }
    default:
      return fail<ExprPtr>();
    }
  }
  ExprPtr optExpr() { return flag() ? expr() : nullptr; }

  std::vector<Arg> args() {
    std::vector<Arg> Out;
    size_t N = count();
    Out.reserve(std::min<size_t>(N, 256)); // bounded: a forged count must not reserve gigabytes
    for (size_t I = 0; I < N && OK; ++I) {
      Arg A;
      A.Name = optIdent();
      A.NameRange = range();
      A.Value = expr();
      Out.push_back(std::move(A));
    }
    return Out;
  }

  StmtList stmts() {
    StmtList Out;
    size_t N = count();
    Out.reserve(std::min<size_t>(N, 256)); // bounded: a forged count must not reserve gigabytes
    for (size_t I = 0; I < N && OK; ++I)
      if (StmtPtr S = stmt())
        Out.push_back(std::move(S));
    return Out;
  }
  StmtPtr stmt() {
    Deeper G(*this);
    uint8_t K = byte();
    llvm::SMRange R = range();
    if (!OK)
      return nullptr;
    switch (K) {
    case Stmt::Call: {
      auto C = std::make_unique<CallStmt>(R);
      C->Callee = ident();
      C->Instance = optIdent();
      C->CalleeRange = range();
      C->Args = args();
      C->HasBody = flag();
      C->Body = stmts();
      check(C->HasBody || C->Body.empty());
      return OK ? std::move(C) : nullptr;
    }
    case Stmt::Repeat: {
      auto S = std::make_unique<RepeatStmt>(R);
      S->Count = expr();
      S->Body = stmts();
      return OK ? std::move(S) : nullptr;
    }
    case Stmt::For: {
      auto F = std::make_unique<ForStmt>(R);
      F->Var = ident();
      F->VarRange = range();
      F->Lo = expr();
      F->Hi = expr();
      F->Body = stmts();
      return OK ? std::move(F) : nullptr;
    }
    case Stmt::If: {
      auto I = std::make_unique<IfStmt>(R);
      I->Cond = expr();
      I->Then = stmts();
      I->Else = stmts();
      return OK ? std::move(I) : nullptr;
    }
    case Stmt::Require: {
      auto Q = std::make_unique<RequireStmt>(R);
      Q->Cond = expr();
      Q->Message = str();
      return OK ? std::move(Q) : nullptr;
    }
    default:
      return fail<StmtPtr>();
    }
  }

  /// A record declaration: nothing but its items.
  template <typename RecordDecl> std::unique_ptr<RecordDecl> record(llvm::SMRange R) {
    auto X = std::make_unique<RecordDecl>(R);
    X->Items = items();
    return X;
  }

  std::vector<Item> items() {
    Deeper G(*this);
    std::vector<Item> Out;
    size_t N = count();
    for (size_t I = 0; I < N && OK; ++I) {
      Item X;
      uint8_t K = byte();
      if (!check(K <= Item::Section))
        break; // not an Item::Kind: no value of the enumeration may hold it
      X.K = static_cast<Item::Kind>(K);
      X.Range = range();
      X.Name = X.K == Item::Source ? str() : ident();
      X.NameRange = range();
      X.Value = optExpr();
      X.Text = str();
      X.Tolerance = real();
      X.MetricArgs = args();
      X.SectionName = optIdent();
      X.Items = items();
      // The shape the parser gives each kind: a value where Sema reads one, nested items only
      // in a section.
      bool WantsValue = X.K != Item::Source && X.K != Item::Section;
      check((X.Value != nullptr) == WantsValue && (X.K == Item::Section || X.Items.empty()) &&
            (X.K != Item::Source || X.Name.empty()));
      Out.push_back(std::move(X));
    }
    return Out;
  }

  DeclPtr decl() {
    uint8_t K = byte();
    llvm::SMRange R = range();
    std::string Name = ident();
    llvm::SMRange NameRange = range();
    if (!OK)
      return nullptr;
    DeclPtr D;
    switch (K) {
    case Decl::Block: {
      auto B = std::make_unique<BlockDecl>(R);
      B->IsPrimitive = flag();
      size_t N = count();
      B->Params.reserve(std::min<size_t>(N, 64));
      for (size_t I = 0; I < N && OK; ++I) {
        ParamDecl PD;
        PD.Name = ident();
        PD.NameRange = range();
        PD.TypeText = str();
        check(isSlashedIdentifiers(PD.TypeText));
        PD.TypeRange = range();
        PD.Default = optExpr();
        B->Params.push_back(std::move(PD));
      }
      // Kept encoded until first use (BlockDecl::body()); a primitive's is the empty list.
      llvm::StringRef Body = bytes();
      check(!Body.empty() && (!B->IsPrimitive || Body == llvm::StringRef("\0", 1)));
      if (Body != llvm::StringRef("\0", 1))
        B->EncodedBody = Body.str();
      B->SourceBegin = Begin;
      B->SourceSize = Size;
      D = std::move(B);
      break;
    }
    case Decl::Enum: {
      auto E = std::make_unique<EnumDecl>(R);
      size_t N = count();
      check(N > 0);
      for (size_t I = 0; I < N && OK; ++I) {
        std::string M = ident();
        E->Members.push_back({std::move(M), range()});
      }
      D = std::move(E);
      break;
    }
    case Decl::Model: {
      auto M = std::make_unique<ModelDecl>(R);
      M->Target = ident();
      M->TargetRange = range();
      M->IsWith = flag();
      M->Args = args();
      M->Items = items();
      D = std::move(M);
      break;
    }
    case Decl::Hardware: {
      auto H = std::make_unique<HardwareDecl>(R);
      H->Class = ident();
      H->ClassRange = range();
      H->Items = items();
      D = std::move(H);
      break;
    }
    case Decl::Precision:
      D = record<PrecisionDecl>(R);
      break;
    case Decl::Scenario:
      D = record<ScenarioDecl>(R);
      break;
    case Decl::Pipeline:
      D = record<PipelineDecl>(R);
      break;
    case Decl::Class:
      D = record<ClassDecl>(R);
      break;
    case Decl::Runtime:
      D = record<RuntimeDecl>(R);
      break;
    case Decl::System:
    case Decl::Optimizer:
    case Decl::Training:
    case Decl::Workload:
    case Decl::Serving:
    case Decl::Price:
    case Decl::Grid: {
      auto X = std::make_unique<zoo::RecordDecl>(static_cast<Decl::Kind>(K), R);
      X->Items = items();
      D = std::move(X);
      break;
    }
    default:
      return fail<DeclPtr>();
    }
    D->Name = std::move(Name);
    D->NameRange = NameRange;
    return OK ? std::move(D) : nullptr;
  }
};

} // namespace

void zoo::encodeAST(const FileUnit &F, const char *Begin, size_t Size, std::string &Out) {
  Encoder(Begin, Size, Out).file(F);
}

void BlockDecl::decodeBody() const {
  std::string Bytes;
  std::swap(Bytes, EncodedBody);
  if (!Decoder(Bytes, SourceBegin, SourceSize).body(Body)) {
    Body.clear();
    BodyDamaged = true;
  }
}

std::unique_ptr<FileUnit> zoo::decodeAST(llvm::StringRef Bytes, const char *Begin, size_t Size,
                                         unsigned BufferID) {
  auto F = std::make_unique<FileUnit>();
  F->BufferID = BufferID;
  if (!Decoder(Bytes, Begin, Size).file(*F))
    return nullptr;
  return F;
}
