//===- Records.cpp - models, hardware and precisions ----------------------===//
//
// Builds the records of the Module from their declarations, against fixed schemas:
//   - a model binds its architecture's arguments (a `with` model starts from its base's explicit
//     arguments, so defaults are recomputed), inherits the base's fields (not its sources or
//     expectations), checks its own fields, sources and expectations, and expands its
//     architecture into a LayerNode tree;
//   - hardware has a class (a `class` declaration that lists what it requires and what analyses
//     need), top-level fields, named `memory`
//     and `link` sections and unnamed `compute` (dense) and `sparse` sections keyed by precision;
//   - a precision has storage bits and optional block-scale bits per group.
// Efficiency sections and power modes are checked in Runtimes.cpp.
// Values are checked for type, dimension and sign; sparse peaks may not be below dense ones.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"
#include "llvm/ADT/StringSet.h"

using namespace zoo;
using llvm::dyn_cast;

namespace {
const std::vector<FieldSpec> &modelFields() {
  static const std::vector<FieldSpec> F = {
      {"family", Type::of(Type::String), false, false},
      {"category", Type::of(Type::String), false, false},
      {"organization", Type::of(Type::String), false, false},
      {"summary", Type::of(Type::String), false, false},
      {"license", Type::of(Type::String), false, false},
      {"year", Type::of(Type::Int), false, true},
      {"context", dimType(BaseDim::Token), false, true},
  };
  return F;
}

const std::vector<FieldSpec> &hardwareFields() {
  static const std::vector<FieldSpec> F = {
      {"vendor", Type::of(Type::String), false, false},
      {"summary", Type::of(Type::String), false, false},
      {"year", Type::of(Type::Int), false, true},
      {"tdp", dimType(BaseDim::Joule, BaseDim::Second), false, true},
      {"power_min", dimType(BaseDim::Joule, BaseDim::Second), false, true},
      {"power_max", dimType(BaseDim::Joule, BaseDim::Second), false, true},
      {"price_usd", Type::of(Type::Real), false, true},
      {"clock", Type::quantity(Dim() / Dim::of(BaseDim::Second)), false, true},
      {"form_factor", Type::of(Type::String), false, false},
      {"cache", dimType(BaseDim::Byte), false, true},
  };
  return F;
}

const std::vector<FieldSpec> &memoryFields() {
  static const std::vector<FieldSpec> F = {
      {"capacity", dimType(BaseDim::Byte), true, true},
      {"bandwidth", dimType(BaseDim::Byte, BaseDim::Second), true, true},
      {"visible", dimType(BaseDim::Byte), false, true},
  };
  return F;
}

const std::vector<FieldSpec> &linkFields() {
  static const std::vector<FieldSpec> F = {
      {"bandwidth", dimType(BaseDim::Byte, BaseDim::Second), true, true},
      {"count", Type::of(Type::Int), false, true},
      {"peers", Type::of(Type::Int), false, true},
  };
  return F;
}

const std::vector<FieldSpec> &powerModeFields() {
  static const std::vector<FieldSpec> F = {
      {"power", dimType(BaseDim::Joule, BaseDim::Second), true, true},
      {"clock", Type::quantity(Dim() / Dim::of(BaseDim::Second)), true, true},
  };
  return F;
}

const std::vector<FieldSpec> &precisionFields() {
  static const std::vector<FieldSpec> F = {
      {"bits", Type::of(Type::Int), true, true},
      {"scale_bits", Type::of(Type::Int), false, true},
      {"group", Type::of(Type::Int), false, true},
  };
  return F;
}

std::vector<std::string> namesOf(const std::vector<FieldSpec> &Specs) {
  std::vector<std::string> N;
  for (const FieldSpec &S : Specs)
    N.push_back(S.Name);
  return N;
}
} // namespace

namespace zoo {
/// Checks `Items` (fields only) against `Specs`; appends to `Out`. `What` names the record for
/// messages (`model `X``). Sections, sources and expectations are left to the caller.
void checkFields(SemaImpl &S, const std::vector<Item> &Items, const std::vector<FieldSpec> &Specs,
                 const std::string &What, std::vector<FieldValue> &Out, bool Inherited,
                 llvm::ArrayRef<llvm::StringRef> Skip) {
  llvm::StringSet<> Seen;
  for (const Item &I : Items) {
    if (I.K != Item::Field || llvm::is_contained(Skip, I.Name))
      continue;
    const FieldSpec *Spec = nullptr;
    for (const FieldSpec &F : Specs)
      if (I.Name == F.Name)
        Spec = &F;
    if (!Spec) {
      S.Diags.report(I.NameRange, diag::err_unknown_field, What, I.Name);
      S.Diags.suggest(I.NameRange, I.Name, namesOf(Specs));
      continue;
    }
    if (!Seen.insert(I.Name).second) {
      S.Diags.report(I.NameRange, diag::err_duplicate_field, I.Name);
      continue;
    }
    std::optional<Value> V = S.itemValue(I, Spec->T);
    if (!V)
      continue;
    // `!(x > 0)`, not `x <= 0`: a value that is not a number must fail (the evaluator admits
    // none, but a positivity check must never be what lets one through).
    if (Spec->Positive && !(V->asDouble() > 0)) {
      S.Diags.report(I.Value->range(), diag::err_field_value, I.Name,
                     "must be positive, found " + V->str());
      continue;
    }
    FieldValue FV{I.Name, *V, I.Range, I.Text};
    bool Replaced = false;
    if (Inherited)
      for (FieldValue &Old : Out)
        if (Old.Name == I.Name) {
          Old = FV;
          Replaced = true;
        }
    if (!Replaced)
      Out.push_back(std::move(FV));
  }
}

bool requireFields(SemaImpl &S, const std::vector<Item> &Have, const std::vector<FieldSpec> &Specs,
                   llvm::StringRef Kind, llvm::StringRef Name, llvm::SMRange At) {
  bool All = true;
  for (const FieldSpec &F : Specs) {
    if (!F.Required)
      continue;
    bool Found = false;
    for (const Item &I : Have)
      Found |= I.K == Item::Field && I.Name == F.Name;
    if (!Found) {
      S.Diags.report(At, diag::err_missing_field, Kind, Name, F.Name);
      All = false;
    }
  }
  return All;
}
} // namespace zoo

namespace {
/// Reports (and drops) a model `context` that is not a whole number of tokens within 2^40.
void checkContextField(DiagnosticEngine &Diags, ModelRecord &R) {
  // The declared context is a count of tokens (backends print it as an integer): whole, and
  // within the analysis's limit on token counts.
  auto It = std::find_if(R.Fields.begin(), R.Fields.end(),
                         [](const FieldValue &F) { return F.Name == "context"; });
  if (It == R.Fields.end())
    return;
  const char *Problem = !(It->V.R <= scenarioLimit("prompt"))
                            ? "must be at most 2^40 (1,099,511,627,776) tokens, found "
                        : !isInt64(It->V.R) ? "must be a whole number of tokens, found "
                                            : nullptr;
  if (!Problem)
    return;
  Diags.report(It->Range, diag::err_field_value, "context", Problem + It->V.str());
  R.Fields.erase(It);
}
} // namespace

void SemaImpl::buildModels() {
  for (const auto &F : M.Files)
    for (const DeclPtr &D : F->Decls) {
      if (Diags.tooManyErrors())
        return;
      if (auto *MD = dyn_cast<ModelDecl>(D.get()))
        buildModel(*MD);
    }
}

ModelRecord *SemaImpl::buildModel(const ModelDecl &D) {
  auto Done = ModelOf.find(&D);
  if (Done != ModelOf.end())
    return Done->second;
  if (InProgress.lookup(&D)) {
    Diags.report(D.NameRange, diag::err_model_cycle, D.Name);
    return nullptr;
  }
  InProgress[&D] = true;
  auto Finish = [&](ModelRecord *R) {
    InProgress[&D] = false;
    ModelOf[&D] = R;
    return R;
  };

  // The architecture, or the base model.
  const ModelRecord *Base = nullptr;
  const BlockDecl *Arch = nullptr;
  const Decl *Target = M.Decls.lookup(D.Target);
  if (!Target) {
    unknownDecl(
        D.Target, D.TargetRange, diag::err_unknown_name,
        D.IsWith ? +[](const Decl *X) { return llvm::isa<ModelDecl>(X); } : +[](const Decl *X) {
          auto *B = dyn_cast<BlockDecl>(X);
          return B && !B->IsPrimitive;
        });
    return Finish(nullptr);
  }
  if (D.IsWith) {
    auto *BD = dyn_cast<ModelDecl>(Target);
    if (!BD) {
      Diags.report(D.TargetRange, diag::err_not_a_model, D.Target, Target->kindName());
      return Finish(nullptr);
    }
    // A chain of `with` is bounded, in links (whatever the order of declarations) and so in the
    // recursion that builds it.
    if (WithNesting >= ExpansionLimits::MaxWithLinks) {
      Diags.report(D.TargetRange, diag::err_with_too_deep, D.Name, ExpansionLimits::MaxWithLinks);
      return Finish(nullptr);
    }
    ++WithNesting;
    Base = buildModel(*BD);
    --WithNesting;
    if (!Base)
      return Finish(nullptr);
    unsigned Links = WithLinks.lookup(BD) + 1;
    if (Links > ExpansionLimits::MaxWithLinks) {
      Diags.report(D.TargetRange, diag::err_with_too_deep, D.Name, ExpansionLimits::MaxWithLinks);
      return Finish(nullptr);
    }
    WithLinks[&D] = Links;
    Arch = Base->Arch;
  } else {
    Arch = dyn_cast<BlockDecl>(Target);
    if (!Arch || Arch->IsPrimitive) {
      Diags.report(D.TargetRange, diag::err_not_a_block, D.Target, Target->kindName());
      Diags.report(Target->NameRange, diag::note_declared_here, D.Target);
      return Finish(nullptr);
    }
  }

  auto Rec = std::make_unique<ModelRecord>(D.Name, D.range());
  Rec->Decl = &D;
  Rec->Arch = Arch;
  Rec->Base = Base;
  bool OK = true;
  if (D.IsWith)
    for (const Arg &A : D.Args)
      if (A.Name.empty()) {
        Diags.report(A.Value->range(), diag::err_with_positional);
        OK = false;
      }

  // Arguments.
  Scope Global, Inner;
  if (Base)
    Rec->ExplicitArgs = Base->ExplicitArgs;
  Expanding = Rec.get();
  CallStack.clear();
  Eval.OnValueError = [this, &D] {
    for (auto It = CallStack.rbegin(); It != CallStack.rend(); ++It)
      Diags.report(It->Range, diag::note_in_call, It->Callee);
    Diags.report(D.NameRange, diag::note_in_model, D.Name);
  };
  // `channels()` and `dim(i)` read the flowing tensor: none before the model's `input`.
  Shape.reset();
  Eval.Flowing = &Shape;
  if (OK)
    OK = bindCall(*Arch, D.Args, Global, D.range(), Inner, &Rec->Args,
                  Base ? &Base->ExplicitArgs : nullptr, &Rec->ExplicitArgs);

  // Fields, sources, expectations.
  if (Base)
    Rec->Fields = Base->Fields;
  std::string What = fmt::format("model `{}`", D.Name);
  checkFields(*this, D.Items, modelFields(), What, Rec->Fields, Base != nullptr);
  checkContextField(Diags, *Rec);
  for (const Item &I : D.Items) {
    if (I.K == Item::Source) {
      Rec->Sources.push_back(I.Text);
    } else if (I.K == Item::Section) {
      Diags.report(I.NameRange, diag::err_unknown_section, What, I.Name);
    } else if (I.K == Item::ExpectEq || I.K == Item::ExpectNear) {
      auto Metric = lookupMetric(I.Name);
      if (!Metric) {
        Diags.report(I.NameRange, diag::err_unknown_metric, I.Name);
        Diags.suggest(I.NameRange, I.Name, metricNames());
        continue;
      }
      Expectation X;
      X.Metric = *Metric;
      X.Near = I.K == Item::ExpectNear;
      X.TolerancePercent = I.Tolerance;
      X.Range = I.Range;
      if (!bindMetricArgs(*Metric, I, X))
        continue;
      EvalResult R = Eval.eval(*I.Value, Global);
      if (!R.ok() || !R.V)
        continue;
      if (!R.T.isNumeric()) {
        Diags.report(I.Value->range(), diag::err_type_mismatch, fmt::format("metric `{}`", I.Name),
                     "a number", R.T.str());
        continue;
      }
      if (!toleranceOK(I))
        continue;
      X.Expected = *R.V;
      Rec->Expects.push_back(std::move(X));
    }
  }

  // Expansion.
  if (OK) {
    NodeCount = 0;
    ExpansionFailed = false;
    Shape.reset();
    Residuals.clear();
    Saved.clear();
    SavedAt.clear();
    SavedId.clear();
    Spatial.clear();
    Unpadded.clear();
    PaddedAt.clear();
    Concats.clear();
    AuxiliaryDepth = 0;
    EncoderDepth = 0;
    ExpertsDepth = 0;
    SharedDepth = 0;
    auto Root = std::make_unique<LayerNode>();
    Root->K = LayerNode::Block;
    Root->Name = Arch->Name;
    Root->Decl = Arch;
    Root->Range = D.range();
    if (bodyReady(*Arch))
      walk(Arch->body(), Inner, Root.get());
    else
      ExpansionFailed = true;
    // A tensor saved and never joined is a mistake (a skip or a parallel path left out of the
    // count of the layer that should take it), not a silent no-op.
    if (!ExpansionFailed && !PaddedAt.empty()) {
      Diags.report(PaddedAt.back(), diag::err_pad_unused, Expanding->Name);
      ExpansionFailed = true;
    }
    if (!ExpansionFailed && !SavedAt.empty()) {
      Diags.report(SavedAt.back(), diag::err_save_unused, Expanding->Name);
      ExpansionFailed = true;
    }
    if (!ExpansionFailed)
      Rec->Root = std::move(Root);
  }
  Eval.OnValueError = nullptr;
  Eval.Flowing = nullptr;
  Expanding = nullptr;
  return Finish(M.add(std::move(Rec)));
}

bool SemaImpl::bindMetricArgs(MetricKind K, const Item &I, Expectation &X) {
  llvm::SmallVector<llvm::StringRef, 4> Params;
  metricParams(K).split(Params, ", ", -1, /*KeepEmpty=*/false);
  std::vector<const Arg *> Given(Params.size(), nullptr);
  bool OK = true;
  size_t Positional = 0;
  for (const Arg &A : I.MetricArgs) {
    size_t Index = Params.size();
    if (A.Name.empty()) {
      Index = Positional++;
    } else {
      for (size_t P = 0; P < Params.size(); ++P)
        if (Params[P] == A.Name)
          Index = P;
      if (Index == Params.size()) {
        Diags.report(A.NameRange, diag::err_unknown_argument, I.Name, A.Name);
        Diags.suggest(A.NameRange, A.Name, std::vector<std::string>(Params.begin(), Params.end()));
        OK = false;
        continue;
      }
    }
    if (Index >= Params.size()) {
      Diags.report(A.Value->range(), diag::err_too_many_arguments, I.Name, Params.size(),
                   I.MetricArgs.size());
      return false;
    }
    if (Given[Index]) {
      Diags.report(A.Value->range(), diag::err_duplicate_argument, Params[Index]);
      OK = false;
      continue;
    }
    Given[Index] = &A;
  }
  if (!OK)
    return false;
  std::string Text;
  for (size_t P = 0; P < Params.size(); ++P) {
    llvm::StringRef Name = Params[P];
    const Arg *A = Given[P];
    if (!A) {
      if (Name == "batch")
        continue;
      Diags.report(I.NameRange, diag::err_missing_argument, Name, I.Name);
      OK = false;
      continue;
    }
    Text += (Text.empty() ? "" : ", ") + Name.str() + ": " + A->Value->text();
    if (Name == "precision" || Name == "weights" || Name == "kv") {
      auto *N = llvm::dyn_cast<NameExpr>(A->Value.get());
      const PrecisionRecord *Prec = N && N->Path.size() == 1 ? M.findPrecision(N->name()) : nullptr;
      if (!Prec) {
        std::string Got = A->Value->text();
        Diags.report(A->Value->range(), diag::err_unknown_name, Got);
        std::vector<std::string> Names;
        for (const auto &PR : M.Precisions)
          Names.push_back(PR->Name);
        Diags.suggest(A->Value->range(), Got, Names);
        OK = false;
        continue;
      }
      (Name == "precision" ? X.Args.Precision
       : Name == "weights" ? X.Args.Weights
                           : X.Args.KV) = Prec;
      continue;
    }
    Scope Global;
    EvalResult R = Eval.eval(*A->Value, Global);
    if (!Eval.convert(R, Type::of(Type::Int), A->Value->range(),
                      [&] { return fmt::format("argument `{}` of `{}`", Name, I.Name); }) ||
        !R.V) {
      OK = false;
      continue;
    }
    if (R.V->I < 1) {
      Diags.report(A->Value->range(), diag::err_metric_arg, Name, I.Name, R.V->I);
      OK = false;
      continue;
    }
    int64_t &Slot = Name == "context"  ? X.Args.Context
                    : Name == "tokens" ? X.Args.Tokens
                    : Name == "prompt" ? X.Args.Prompt
                    : Name == "output" ? X.Args.Output
                                       : X.Args.Batch;
    Slot = R.V->I;
  }
  X.ArgsText = Text.empty() ? "" : "(" + Text + ")";
  return OK;
}

void SemaImpl::buildPrecision(const PrecisionDecl &D) {
  auto Rec = std::make_unique<PrecisionRecord>(D.Name, D.range());
  std::string What = fmt::format("precision `{}`", D.Name);
  checkFields(*this, D.Items, precisionFields(), What, Rec->Fields);
  dataItems(D.Items, What, Rec->Sources, "precisions");
  requireFields(*this, D.Items, precisionFields(), "precision", D.Name, D.NameRange);
  if (auto *F = Rec->field("bits"))
    Rec->Bits = F->V.I;
  auto *SB = Rec->field("scale_bits"), *G = Rec->field("group");
  if ((SB == nullptr) != (G == nullptr))
    Diags.report(D.NameRange, diag::err_missing_field, "precision", D.Name,
                 SB ? "group" : "scale_bits");
  if (SB && G) {
    Rec->ScaleBits = SB->V.I;
    Rec->Group = G->V.I;
  }
  M.add(std::move(Rec));
}

bool SemaImpl::checkAllReduceSection(const Item &I, llvm::StringRef Hardware, Section &Sec) {
  bool OK = true, Devices = false, Sourced = false;
  llvm::StringSet<> Seen;
  std::vector<std::pair<double, const Item *>> Points;
  const std::string SecWhat = "section `all_reduce`";
  for (const Item &F : I.Items) {
    if (F.K == Item::Source) {
      Sec.Fields.push_back({"source", Value::ofString(F.Text), F.Range, F.Text});
      Sourced = true;
      continue;
    }
    const double Bytes = F.K == Item::Field ? allReduceKeyBytes(F.Name) : 0;
    if (F.K != Item::Field || (F.Name != "devices" && !Bytes)) {
      Diags.report(F.K == Item::Field ? F.NameRange : F.Range, diag::err_unknown_field, SecWhat,
                   F.Name);
      if (F.K == Item::Field)
        Diags.report(F.NameRange, diag::note_all_reduce_fields);
      OK = false;
      continue;
    }
    const Type Want =
        F.Name == "devices" ? Type::of(Type::Int) : dimType(BaseDim::Byte, BaseDim::Second);
    EvalResult R = sectionField(F, Want, Seen);
    if (!R.V) {
      OK = false;
      continue;
    }
    if (F.Name == "devices") {
      if (R.V->I < 2) {
        Diags.report(F.Value->range(), diag::err_field_value, F.Name,
                     "must be at least 2 (the devices the all-reduce ran over), found " +
                         R.V->str());
        OK = false;
        continue;
      }
      Devices = true;
    } else if (!(R.V->R > 0)) {
      Diags.report(F.Value->range(), diag::err_field_value, F.Name,
                   "must be a positive bus bandwidth, found " + R.V->str());
      OK = false;
      continue;
    } else if (auto Same = std::find_if(Points.begin(), Points.end(),
                                        [&](const auto &P) { return P.first == Bytes; });
               Same != Points.end()) {
      // Two spellings of one size (`at_1MiB`, `at_1024KiB`): the curve needs one bandwidth a size.
      Diags.report(F.NameRange, diag::err_field_value, F.Name,
                   "names the same message size as `" + Same->second->Name + "`");
      OK = false;
      continue;
    } else {
      Points.push_back({Bytes, &F});
    }
    Sec.Fields.push_back({F.Name, *R.V, F.Range, F.Text});
  }
  if (!OK)
    return false;
  if (!Devices || Points.size() < 2 || !Sourced) {
    Diags.report(I.NameRange, diag::err_all_reduce_section, Hardware,
                 !Devices ? "needs `devices`, the number of devices the all-reduce ran over"
                 : !Sourced
                     ? "needs a `source`: the measurement it transcribes"
                     : "needs the bus bandwidth at two message sizes at least (`at_1MiB = 43.7 "
                       "GB/s;`)");
    return false;
  }
  return true;
}

void SemaImpl::reportUnknownClass(llvm::SMRange Range, const std::string &Name) {
  Diags.report(Range, diag::err_unknown_hardware_class, Name);
  std::vector<std::string> Names;
  for (const auto &KV : M.Decls)
    if (llvm::isa<ClassDecl>(KV.second))
      Names.push_back(KV.getKey().str());
  Diags.suggest(Range, Name, Names);
}

const PrecisionRecord *SemaImpl::precisionField(const Item &I) {
  return referenceField(
      I, "precision", [&](llvm::StringRef N) { return M.findPrecision(N); }, M.Precisions);
}

void SemaImpl::resolveDefaultRuntimes() {
  // The runtime an analysis on a device takes where none is named: a runtime's name, once.
  for (auto &[Rec, I] : PendingDefaultRuntimes) {
    if (Rec->DefaultRuntime) {
      Diags.report(I->NameRange, diag::err_duplicate_field, I->Name);
      continue;
    }
    Rec->DefaultRuntime = referenceField(
        *I, "runtime", [&](llvm::StringRef N) { return M.findRuntime(N); }, M.Runtimes);
    if (Rec->DefaultRuntime) // listed with the other fields (reports, JSON), by its name
      Rec->Fields.push_back(
          {I->Name, Value::ofString(Rec->DefaultRuntime->Name), I->Range, I->Text});
  }
  PendingDefaultRuntimes.clear();
}

void SemaImpl::buildHardware(const HardwareDecl &D) {
  auto Rec = std::make_unique<HardwareRecord>(D.Name, D.range());
  std::string What = fmt::format("hardware `{}`", D.Name);
  auto *Cls = llvm::dyn_cast_or_null<ClassDecl>(M.Decls.lookup(D.Class));
  if (!Cls)
    reportUnknownClass(D.ClassRange, D.Class);
  Rec->Class = D.Class;
  checkFields(*this, D.Items, hardwareFields(), What, Rec->Fields, false, {"default_runtime"});
  for (const Item &I : D.Items)
    if (I.K == Item::Field && I.Name == "default_runtime")
      PendingDefaultRuntimes.push_back({Rec.get(), &I});

  std::vector<std::string> PrecisionNames;
  for (const auto &P : M.Precisions)
    PrecisionNames.push_back(P->Name);
  const Type FlopRate = dimType(BaseDim::Flop, BaseDim::Second);
  const Type OpRate = dimType(BaseDim::Op, BaseDim::Second);

  for (const Item &I : D.Items) {
    if (I.K == Item::Source) {
      Rec->Sources.push_back(I.Text);
      continue;
    }
    if (I.K == Item::ExpectEq || I.K == Item::ExpectNear) {
      Diags.report(I.Range, diag::err_expect_not_here, "hardware");
      continue;
    }
    if (I.K != Item::Section)
      continue;
    Section Sec{I.Name, I.SectionName, I.Range, {}};
    bool Named = I.Name == "memory" || I.Name == "link";
    bool Peaks = I.Name == "compute" || I.Name == "sparse";
    if (I.Name == "efficiency") {
      if (!I.SectionName.empty()) {
        Diags.report(I.NameRange, diag::err_section_takes_no_name, I.Name);
        continue;
      }
      checkFractionSection(I, {"memory", "compute"}, Sec);
      Rec->Sections.push_back(std::move(Sec));
      continue;
    }
    if (I.Name == "all_reduce") {
      if (!I.SectionName.empty()) {
        Diags.report(I.NameRange, diag::err_section_takes_no_name, I.Name);
        continue;
      }
      if (std::any_of(Rec->Sections.begin(), Rec->Sections.end(),
                      [](const Section &P) { return P.Kind == "all_reduce"; })) {
        Diags.report(I.NameRange, diag::err_duplicate_section, I.Name);
        continue;
      }
      if (checkAllReduceSection(I, D.Name, Sec))
        Rec->Sections.push_back(std::move(Sec));
      continue;
    }
    if (I.Name == "power_mode") {
      if (I.SectionName.empty()) {
        Diags.report(I.NameRange, diag::err_section_needs_name, I.Name, I.Name);
        continue;
      }
      checkFields(*this, I.Items, powerModeFields(), "section `power_mode`", Sec.Fields);
      requireFields(*this, I.Items, powerModeFields(), I.Name, I.SectionName, I.NameRange);
      for (const Item &P : I.Items)
        if (P.K == Item::Source)
          Sec.Fields.push_back({"source", Value::ofString(P.Text), P.Range, P.Text});
      if (!Rec->field("clock"))
        Diags.report(I.NameRange, diag::err_power_mode_clock, D.Name);
      Rec->Sections.push_back(std::move(Sec));
      continue;
    }
    if (!Named && !Peaks) {
      Diags.report(I.NameRange, diag::err_unknown_section, What, I.Name);
      Diags.suggest(
          I.NameRange, I.Name,
          {"memory", "link", "compute", "sparse", "efficiency", "power_mode", "all_reduce"});
      continue;
    }
    if (Named && I.SectionName.empty()) {
      Diags.report(I.NameRange, diag::err_section_needs_name, I.Name, I.Name);
      continue;
    }
    if (Peaks && !I.SectionName.empty()) {
      Diags.report(I.NameRange, diag::err_section_takes_no_name, I.Name);
      continue;
    }
    std::string Label = I.SectionName.empty() ? I.Name : I.Name + " " + I.SectionName;
    bool Dup = false;
    for (const Section &Prev : Rec->Sections)
      Dup |= Prev.Kind == I.Name && Prev.Name == I.SectionName;
    if (Dup) {
      Diags.report(I.NameRange, diag::err_duplicate_section, Label);
      continue;
    }
    std::string SecWhat = fmt::format("section `{}`", I.Name);
    if (Named) {
      const auto &Specs = I.Name == "memory" ? memoryFields() : linkFields();
      checkFields(*this, I.Items, Specs, SecWhat, Sec.Fields);
      requireFields(*this, I.Items, Specs, I.Name, I.SectionName, I.NameRange);
      // A mesh link's ports are divided among its peers: one port reaches one peer at most.
      const FieldValue *Peers = Sec.field("peers"), *Count = Sec.field("count");
      if (Peers && Count && Peers->V.I > Count->V.I)
        Diags.report(Peers->Range, diag::err_field_value, "peers",
                     fmt::format("must not exceed `count` ({}): a port reaches one peer, found {}",
                                 Count->V.I, Peers->V.I));
      // What the driver reports differs from the datasheet's round figure by a few percent
      // (binary against decimal sizes, reserved memory, ECC); a factor of two is a wrong unit.
      const FieldValue *Visible = Sec.field("visible"), *Capacity = Sec.field("capacity");
      bool Main = std::none_of(Rec->Sections.begin(), Rec->Sections.end(),
                               [](const Section &P) { return P.Kind == "memory"; });
      if (Visible && !Main)
        Diags.report(Visible->Range, diag::err_field_value, "visible",
                     "is the main memory's, the first `memory` section; the machine reads no "
                     "other tier's");
      else if (Visible && Capacity &&
               !(Visible->V.R >= Capacity->V.R / 2 && Visible->V.R <= Capacity->V.R * 2))
        Diags.report(Visible->Range, diag::err_field_value, "visible",
                     fmt::format("must be within a factor of 2 of the capacity {}, found {}",
                                 Capacity->V.str(), Visible->V.str()));
    } else {
      llvm::StringSet<> Seen;
      for (const Item &P : I.Items) {
        if (P.K == Item::Source)
          continue;
        if (P.K != Item::Field) {
          Diags.report(P.Range, diag::err_unknown_field, SecWhat, P.Name);
          continue;
        }
        if (!M.findPrecision(P.Name)) {
          Diags.report(P.NameRange, diag::err_unknown_name, P.Name);
          Diags.suggest(P.NameRange, P.Name, PrecisionNames);
          continue;
        }
        if (!Seen.insert(P.Name).second) {
          Diags.report(P.NameRange, diag::err_duplicate_field, P.Name);
          continue;
        }
        Scope Global;
        EvalResult R = Eval.eval(*P.Value, Global);
        if (!R.ok() || !R.V)
          continue;
        if (R.T != FlopRate && R.T != OpRate) {
          if (R.T.K == Type::Quantity)
            Diags.report(P.Value->range(), diag::err_dimension_mismatch, "FLOP/s or OP/s",
                         R.T.str());
          else
            Diags.report(P.Value->range(), diag::err_type_mismatch,
                         fmt::format("peak `{}`", P.Name), "FLOP/s or OP/s", R.T.str());
          continue;
        }
        if (!(R.V->R > 0)) {
          Diags.report(P.Value->range(), diag::err_field_value, P.Name,
                       "must be positive, found " + R.V->str());
          continue;
        }
        Sec.Fields.push_back({P.Name, *R.V, P.Range, P.Text});
      }
    }
    for (const Item &P : I.Items)
      if (P.K == Item::Source)
        Sec.Fields.push_back({"source", Value::ofString(P.Text), P.Range, P.Text});
    Rec->Sections.push_back(std::move(Sec));
  }

  // Sparse peaks are a separate figure and may not be below the dense one.
  const Section *Dense = nullptr, *Sparse = nullptr;
  for (const Section &S : Rec->Sections) {
    if (S.Kind == "compute")
      Dense = &S;
    if (S.Kind == "sparse")
      Sparse = &S;
  }
  if (Dense && Sparse)
    for (const FieldValue &SP : Sparse->Fields)
      if (const FieldValue *DP = Dense->field(SP.Name))
        if (SP.V.R < DP->V.R)
          Diags.report(
              SP.Range, diag::err_field_value, SP.Name,
              fmt::format("sparse peak {} is below the dense peak {}", SP.V.str(), DP->V.str()));
  // The class's needs: `required` items must be declared; `analysis` items are recorded so that
  // scenarios on this hardware can say what is missing.
  if (Cls) {
    auto Defaults = ClassEfficiency.find(Cls->Name);
    if (Defaults != ClassEfficiency.end())
      Rec->ClassEfficiency = Defaults->second;
  }
  if (Cls)
    for (const Item &I : Cls->Items) {
      if (I.K != Item::Field)
        continue;
      auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
      bool Has = Rec->field(I.Name) != nullptr;
      for (const Section &S : Rec->Sections)
        Has |= S.Kind == I.Name;
      if (Has || !N)
        continue;
      if (N->name() == "required")
        Diags.report(D.NameRange, diag::err_class_requires, D.Name, D.Class, I.Name);
      else
        Rec->MissingForAnalysis.push_back(I.Name);
    }
  M.add(std::move(Rec));
}

void SemaImpl::checkClass(const ClassDecl &D) {
  for (const Item &I : D.Items) {
    auto *N = I.Value ? llvm::dyn_cast<NameExpr>(I.Value.get()) : nullptr;
    if (I.K == Item::Source)
      continue;
    if (I.K == Item::Section && I.Name == "efficiency")
      continue; // checked once precisions exist (buildClassDefaults)
    if (I.K != Item::Field || !N || (N->name() != "required" && N->name() != "analysis"))
      Diags.report(I.Range, diag::err_class_item);
  }
}
