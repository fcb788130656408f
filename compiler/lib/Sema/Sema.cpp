//===- Sema.cpp - declarations, blocks, and the order of checks -----------===//
//
// Algorithm:
//   1. declare every named declaration of every file in one namespace (and enumerators as global
//      names), reporting redefinitions;
//   2. check each enum, primitive and block once: parameter types, defaults (which may use
//      earlier parameters), and the body with parameters known by type only;
//   3. build precisions, then the defaults of hardware classes, hardware and runtimes (which
//      name precisions), then models (Records.cpp), then scenarios and pipelines.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"
#include <cmath>
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace zoo;
using llvm::dyn_cast;

bool zoo::runSema(Module &M, DiagnosticEngine &Diags) {
  SemaImpl S(M, Diags);
  return S.run();
}

bool SemaImpl::run() {
  unsigned Before = Diags.errorCount();
  // The total expansion budgets grow with the source read (see ExpansionLimits).
  const llvm::SourceMgr &SM = Diags.sourceMgr();
  for (const auto &F : M.Files)
    if (F->BufferID >= 1 && F->BufferID <= SM.getNumBuffers())
      SourceBytes += SM.getMemoryBuffer(F->BufferID)->getBufferSize();
  StepLimit =
      std::max(ExpansionLimits::MaxSteps, ExpansionLimits::StepsPerSourceByte * SourceBytes);
  TotalNodeLimit =
      std::max<int64_t>(ExpansionLimits::MaxTotalNodes,
                        static_cast<int64_t>(SourceBytes / ExpansionLimits::SourceBytesPerNode));
  for (const auto &F : M.Files) {
    if (F->IsStdlib)
      StdlibBuffers.insert(F->BufferID);
    for (const DeclPtr &D : F->Decls)
      declare(*D, F->IsStdlib);
  }
  // Step 2 is skipped for verified files: their names resolved, without error, to their own
  // declarations, and any later declaration of the same name is a redefinition.
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls) {
      if (Diags.tooManyErrors())
        return false;
      if (M.VerifiedFiles.count(F.get()))
        break;
      if (auto *E = dyn_cast<EnumDecl>(D.get()))
        checkEnum(*E);
      else if (auto *C = dyn_cast<ClassDecl>(D.get()))
        checkClass(*C);
    }
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls) {
      if (Diags.tooManyErrors())
        return false;
      // A verified file's primitives are still checked against the compiler's formulas: a
      // primitive that fails is never expanded (BadPrimitives), whatever the file's origin.
      auto *B = dyn_cast<BlockDecl>(D.get());
      if (B && (B->IsPrimitive || !M.VerifiedFiles.count(F.get())))
        checkBlock(*B);
    }
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls)
      if (auto *P = dyn_cast<PrecisionDecl>(D.get()))
        buildPrecision(*P);
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls)
      if (auto *C = dyn_cast<ClassDecl>(D.get()))
        buildClassDefaults(*C);
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls)
      if (auto *H = dyn_cast<HardwareDecl>(D.get()))
        buildHardware(*H);
      else if (auto *R = dyn_cast<RuntimeDecl>(D.get()))
        buildRuntime(*R);
  resolveDefaultRuntimes();
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls)
      if (D->getKind() == Decl::System)
        buildSystem(*llvm::cast<RecordDecl>(D.get()));
      else if (D->getKind() == Decl::Optimizer)
        buildOptimizer(*llvm::cast<RecordDecl>(D.get()));
      else if (D->getKind() == Decl::Workload)
        buildWorkload(*llvm::cast<RecordDecl>(D.get()));
      else if (D->getKind() == Decl::Price)
        buildPrice(*llvm::cast<RecordDecl>(D.get()));
      else if (D->getKind() == Decl::Grid)
        buildGrid(*llvm::cast<RecordDecl>(D.get()));
  buildModels();
  // Pipelines before the records that name them (a scenario may run one).
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls)
      if (auto *P = dyn_cast<PipelineDecl>(D.get()))
        buildPipeline(*P);
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls)
      if (auto *S = dyn_cast<ScenarioDecl>(D.get()))
        buildScenario(*S);
      else if (D->getKind() == Decl::Training)
        buildTraining(*llvm::cast<RecordDecl>(D.get()));
      else if (D->getKind() == Decl::Serving)
        buildServing(*llvm::cast<RecordDecl>(D.get()));
  return Diags.errorCount() == Before;
}

bool SemaImpl::inStdlib(llvm::SMLoc L) const {
  unsigned Buffer = Diags.sourceMgr().FindBufferContainingLoc(L);
  return Buffer && StdlibBuffers.count(Buffer);
}

void SemaImpl::declare(const Decl &D, bool InStdlib) {
  auto [It, New] = M.Decls.try_emplace(D.Name, &D);
  if (InStdlib)
    StdlibDecls.insert(&D);
  // A user block may take the name of a stdlib block: the user's files see theirs, the stdlib's
  // files keep their own.
  auto IsBlock = [](const Decl *X) {
    auto *B = dyn_cast<BlockDecl>(X);
    return B && !B->IsPrimitive;
  };
  if (!New && IsBlock(&D) && IsBlock(It->second) && !StdlibOwn.count(D.Name) &&
      InStdlib != (StdlibDecls.count(It->second) > 0)) {
    if (InStdlib) {
      StdlibOwn[D.Name] = &D;
    } else {
      StdlibOwn[D.Name] = It->second;
      It->second = &D;
    }
    return;
  }
  if (!New) {
    Diags.report(D.NameRange, diag::err_redefinition, D.Name);
    Diags.report(It->second->NameRange, diag::note_previous_definition);
    return;
  }
  if (auto *E = dyn_cast<EnumDecl>(&D))
    for (const auto &[Name, Range] : E->Members) {
      auto [EIt, ENew] = M.Enumerators.try_emplace(Name, E, Range);
      if (!ENew && EIt->second.first != E) {
        Diags.report(Range, diag::err_redefinition, Name);
        Diags.report(EIt->second.second, diag::note_previous_definition);
      }
    }
}

void SemaImpl::checkEnum(const EnumDecl &E) {
  llvm::StringSet<> Seen;
  for (const auto &[Name, Range] : E.Members)
    if (!Seen.insert(Name).second)
      Diags.report(Range, diag::err_duplicate_enum_member, Name);
}

std::optional<Type> SemaImpl::paramType(const ParamDecl &P) {
  // Resolved once per parameter: every call binds every parameter, every time.
  auto [It, New] = ParamTypes.try_emplace(&P);
  if (New)
    It->second = Eval.resolveType(P.TypeText, P.TypeRange);
  return It->second;
}

const std::vector<std::optional<Type>> &SemaImpl::paramTypes(const BlockDecl &B) {
  std::unique_ptr<std::vector<std::optional<Type>>> &Types = BlockParamTypes[&B];
  if (!Types) {
    auto New = std::make_unique<std::vector<std::optional<Type>>>();
    for (const ParamDecl &P : B.Params)
      New->push_back(paramType(P));
    Types = std::move(New);
  }
  return *Types;
}

void SemaImpl::checkBlock(const BlockDecl &B) {
  if (B.IsPrimitive) {
    auto K = lookupPrimitive(B.Name);
    if (!K) {
      Diags.report(B.NameRange, diag::err_unknown_primitive, B.Name);
      BadPrimitives.insert(&B);
      return;
    }
    llvm::SmallVector<llvm::StringRef, 4> Want;
    primitiveParams(*K).split(Want, ", ", -1, /*KeepEmpty=*/false);
    bool Match = Want.size() == B.Params.size();
    for (size_t I = 0; Match && I < Want.size(); ++I)
      Match = B.Params[I].Name == Want[I];
    if (!Match) {
      Diags.report(B.NameRange, diag::err_primitive_signature, B.Name, primitiveParams(*K));
      BadPrimitives.insert(&B);
    }
  }
  Scope S;
  llvm::StringSet<> Seen;
  for (const ParamDecl &P : B.Params) {
    if (!Seen.insert(P.Name).second)
      Diags.report(P.NameRange, diag::err_duplicate_parameter, P.Name);
    auto T = paramType(P);
    if (!T) {
      S.bind(P.Name, EvalResult{}, P.NameRange); // known to be broken: no cascade
      continue;
    }
    EvalResult R{*T, std::nullopt};
    if (P.Default) {
      EvalResult D = Eval.eval(*P.Default, S);
      Eval.convert(D, *T, P.Default->range(),
                   [&] { return fmt::format("the default of `{}`", P.Name); });
    }
    S.bind(P.Name, R, P.NameRange);
  }
  if (!bodyReady(B))
    return;
  walk(B.body(), S, nullptr);
}

bool SemaImpl::toleranceOK(const Item &I) {
  if (I.K != Item::ExpectNear || (I.Tolerance > 0 && std::isfinite(I.Tolerance)))
    return true;
  Diags.report(I.Range, diag::err_bad_tolerance, I.Tolerance);
  return false;
}

bool SemaImpl::bodyReady(const BlockDecl &B) {
  B.body();
  if (!B.bodyDamaged())
    return true;
  Diags.report(B.NameRange, diag::err_cached_body_damaged, B.Name);
  M.CachedBodyDamaged = true;
  return false;
}

void SemaImpl::unknownDecl(llvm::StringRef Name, llvm::SMRange Where, diag::Kind K,
                           bool (*Filter)(const Decl *)) {
  Diags.report(Where, K, Name);
  std::vector<std::string> Cands;
  for (const auto &KV : M.Decls)
    if (Filter(KV.second))
      Cands.push_back(KV.getKey().str());
  std::sort(Cands.begin(), Cands.end());
  std::string Best = closestMatch(Name, Cands);
  if (!Best.empty())
    Diags.report(M.Decls.lookup(Best)->NameRange, diag::note_did_you_mean, Best);
}
