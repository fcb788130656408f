//===- Runtimes.cpp - runtimes, efficiency sections, power modes ----------===//
//
// Builds what turns datasheet figures into expected ones:
//   - a runtime (a software stack): fields for fixed costs (per operation, per collective),
//     fusion, the output head in prefill, the serving memory policy and whether it is the
//     default (or a hardware class's: `default_for`); `compute KERNEL` sections (gemm,
//     attention, experts) and `bandwidth KERNEL` sections (gemv, dequant_gemv, attention,
//     activations, experts)
//     whose fields, keyed by precision or `any`, are the
//     fractions of the hardware's achievable rate its kernels of that kind reach, and a
//     `fill gemm` section whose fields are the output elements its dense products need on a
//     device to keep every core busy;
//   - an `efficiency` section of a hardware record or a hardware class: the fractions of the
//     datasheet that well-tuned kernels reach, `memory`, `compute` (every precision) or one
//     precision;
//   - `power_mode NAME { power; clock; }` sections of a hardware record: the sustained clock the
//     vendor publishes at a power limit.
// Every fraction is in (0, 1]; every field may carry its own `source`.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace zoo;

namespace {
const std::vector<FieldSpec> &runtimeFields() {
  static const std::vector<FieldSpec> F = {
      {"summary", Type::of(Type::String), false, false},
      {"version", Type::of(Type::String), false, false},
      {"op_overhead", dimType(BaseDim::Second), false, false},
      {"collective_latency", dimType(BaseDim::Second), false, false},
      {"step_overhead", dimType(BaseDim::Second), false, false},
      {"request_overhead", dimType(BaseDim::Second), false, false},
      {"sequence_overhead", dimType(BaseDim::Second), false, false},
      {"expert_overhead", dimType(BaseDim::Second), false, false},
      {"expert_layer_overhead", dimType(BaseDim::Second), false, false},
      {"op_cycles", Type::of(Type::Real), false, false},
      {"gemm_exposed", Type::of(Type::Real), false, false},
      {"fuses_elementwise", Type::of(Type::Bool), false, false},
      {"last_token_logits", Type::of(Type::Bool), false, false},
      {"quantizes_tables", Type::of(Type::Bool), false, false},
      {"memory_fraction", Type::of(Type::Real), false, true},
      {"kv_fraction", Type::of(Type::Real), false, true},
      {"workspace", dimType(BaseDim::Byte), false, false},
      {"max_batch", Type::of(Type::Int), false, true},
      {"kv_page", dimType(BaseDim::Token), false, true},
      {"kv_policy", Type::of(Type::String), false, false},
      {"mixed_prefill", Type::of(Type::Bool), false, false},
      {"chunked_prefill", Type::of(Type::Bool), false, false},
      {"async_scheduling", Type::of(Type::Bool), false, false},
      {"default", Type::of(Type::Bool), false, false},
      {"default_for", Type::of(Type::String), false, false},
      {"serving", Type::of(Type::Bool), false, false},
  };
  return F;
}

} // namespace

bool SemaImpl::cacheField(const FieldValue &F, int64_t &Page, KVPolicy &Policy, bool &OK) {
  if (F.Name == "kv_page") {
    // A whole number of tokens (positive by the field's spec), as engines' page sizes are.
    if (!isInt64(F.V.R) || !(F.V.R <= double(1 << 20))) {
      Diags.report(F.Range, diag::err_field_value, F.Name,
                   "must be a whole number of tokens from 1 to 2^20, found " + F.V.str());
      OK = false;
    } else {
      Page = static_cast<int64_t>(F.V.R);
    }
    return true;
  }
  if (F.Name == "kv_policy") {
    if (F.V.S == "reserve" || F.V.S == "preempt") {
      Policy = F.V.S == "reserve" ? KVPolicy::Reserve : KVPolicy::Preempt;
    } else {
      Diags.report(F.Range, diag::err_field_value, F.Name,
                   "must be \"reserve\" (a request's whole cache held from its admission) or "
                   "\"preempt\" (pages as sequences grow; the sequence admitted last preempted "
                   "when none is free), found \"" + F.V.S + "\"");
      OK = false;
    }
    return true;
  }
  return false;
}

namespace {
const std::vector<std::string> ComputeKernels = {"gemm", "attention", "experts"};
const std::vector<std::string> BandwidthKernels = {"gemv", "dequant_gemv", "attention",
                                                   "activations", "experts"};
const std::vector<std::string> FillKernels = {"gemm"};
} // namespace

EvalResult SemaImpl::sectionField(const Item &F, const Type &Want, llvm::StringSet<> &Seen) {
  if (!Seen.insert(F.Name).second) {
    Diags.report(F.NameRange, diag::err_duplicate_field, F.Name);
    return {};
  }
  Scope Global;
  EvalResult R = Eval.eval(*F.Value, Global);
  if (!Eval.convert(R, Want, F.Value->range(), [&] { return fmt::format("field `{}`", F.Name); }))
    return {};
  return R;
}

bool SemaImpl::checkFractionSection(const Item &I, llvm::ArrayRef<std::string> Extra, Section &Sec,
                                    bool Count) {
  std::vector<std::string> Names(Extra.begin(), Extra.end());
  for (const auto &P : M.Precisions)
    Names.push_back(P->Name);
  llvm::StringSet<> Seen;
  bool OK = true;
  std::string SecWhat = fmt::format("section `{}`", I.Name);
  for (const Item &F : I.Items) {
    if (F.K == Item::Source) {
      Sec.Fields.push_back({"source", Value::ofString(F.Text), F.Range, F.Text});
      continue;
    }
    if (F.K != Item::Field) {
      Diags.report(F.Range, diag::err_unknown_field, SecWhat, F.Name);
      OK = false;
      continue;
    }
    if (!llvm::is_contained(Names, F.Name)) {
      Diags.report(F.NameRange, diag::err_unknown_field, SecWhat, F.Name);
      Diags.suggest(F.NameRange, F.Name, Names);
      OK = false;
      continue;
    }
    EvalResult R = sectionField(F, Type::of(Type::Real), Seen);
    if (!R.V) {
      OK = false;
      continue;
    }
    const double Most = Count ? 1e15 : 1; // (a count: the bound catches a mistyped exponent)
    if (!(R.V->R > 0 && R.V->R <= Most)) {
      Diags.report(F.Value->range(), diag::err_field_value, F.Name,
                   (Count ? "must be a positive number of elements up to 1e15, found "
                          : "must be a fraction in (0, 1], found ") +
                       R.V->str());
      OK = false;
      continue;
    }
    Sec.Fields.push_back({F.Name, *R.V, F.Range, F.Text});
  }
  return OK;
}

void SemaImpl::buildClassDefaults(const ClassDecl &D) {
  for (const Item &I : D.Items) {
    if (I.K != Item::Section)
      continue;
    Section Sec{I.Name, I.SectionName, I.Range, {}};
    if (!I.SectionName.empty()) {
      Diags.report(I.NameRange, diag::err_section_takes_no_name, I.Name);
      continue;
    }
    if (checkFractionSection(I, {"memory", "compute"}, Sec))
      ClassEfficiency[D.Name] = std::move(Sec);
  }
}

void SemaImpl::buildRuntime(const RuntimeDecl &D) {
  auto Rec = std::make_unique<RuntimeRecord>(D.Name, D.range());
  std::string What = fmt::format("runtime `{}`", D.Name);
  checkFields(*this, D.Items, runtimeFields(), What, Rec->Fields, false,
              {"quantized_compute", "fp16_compute"});
  // The precisions block-scaled weights' products and fp16 products run at: a precision's name,
  // as a scenario's `compute` is.
  for (const Item &I : D.Items) {
    const PrecisionRecord **P = nullptr;
    if (I.K == Item::Field && I.Name == "quantized_compute")
      P = &Rec->QuantizedCompute;
    else if (I.K == Item::Field && I.Name == "fp16_compute")
      P = &Rec->Fp16Compute;
    if (!P)
      continue;
    if (*P) {
      Diags.report(I.NameRange, diag::err_duplicate_field, I.Name);
      continue;
    }
    if ((*P = precisionField(I)))
      // Listed with the other fields (reports, JSON), by the precision's name.
      Rec->Fields.push_back({I.Name, Value::ofString((*P)->Name), I.Range, I.Text});
  }
  for (const FieldValue &F : Rec->Fields) {
    bool Negative = (F.V.T.K == Type::Quantity || F.Name == "op_cycles") && !(F.V.R >= 0);
    if (Negative) {
      Diags.report(F.Range, diag::err_field_value, F.Name,
                   "must not be negative, found " + F.V.str());
      continue;
    }
    bool CacheOK = true;
    if (cacheField(F, Rec->KVPage, Rec->Policy, CacheOK))
      continue;
    if (F.Name == "op_overhead")
      Rec->OpOverhead = F.V.R;
    else if (F.Name == "op_cycles")
      Rec->OpCycles = F.V.R;
    else if (F.Name == "collective_latency")
      Rec->CollectiveLatency = F.V.R;
    else if (F.Name == "fuses_elementwise")
      Rec->FusesElementwise = F.V.B;
    else if (F.Name == "last_token_logits")
      Rec->LastTokenLogits = F.V.B;
    else if (F.Name == "quantizes_tables")
      Rec->QuantizesTables = F.V.B;
    else if (F.Name == "workspace")
      Rec->Workspace = F.V.R;
    else if (F.Name == "max_batch")
      Rec->MaxBatch = F.V.I;
    else if (F.Name == "mixed_prefill")
      Rec->MixedPrefill = F.V.B;
    else if (F.Name == "chunked_prefill")
      Rec->ChunkedPrefill = F.V.B;
    else if (F.Name == "async_scheduling")
      Rec->AsyncScheduling = F.V.B;
    else if (F.Name == "default")
      Rec->IsDefault = F.V.B;
    else if (F.Name == "serving")
      Rec->Serving = F.V.B;
    else if (F.Name == "default_for") {
      // A hardware class, and one runtime a class.
      if (!llvm::isa_and_nonnull<ClassDecl>(M.Decls.lookup(F.V.S))) {
        reportUnknownClass(F.Range, F.V.S);
        continue;
      }
      const RuntimeRecord *Other = nullptr;
      for (const auto &R : M.Runtimes)
        if (R->DefaultFor == F.V.S)
          Other = R.get();
      if (Other) {
        Diags.report(F.Range, diag::err_two_class_runtimes, D.Name, Other->Name, F.V.S);
        Diags.report(Other->Range, diag::note_declared_here, Other->Name);
        continue;
      }
      Rec->DefaultFor = F.V.S;
    } else if (F.Name == "gemm_exposed") {
      if (!(F.V.R >= 0 && F.V.R <= 1))
        Diags.report(F.Range, diag::err_field_value, F.Name,
                     "must be a share from 0 (hidden) to 1 (no overlap), found " + F.V.str());
      else
        Rec->GemmExposed = F.V.R;
    } else if (F.Name == "memory_fraction" || F.Name == "kv_fraction") {
      if (!(F.V.R <= 1))
        Diags.report(F.Range, diag::err_field_value, F.Name,
                     "must be at most 1, found " + F.V.str());
      (F.Name == "kv_fraction" ? Rec->KVFraction : Rec->MemoryFraction) = F.V.R;
    }
  }
  for (const Item &I : D.Items) {
    if (I.K == Item::Source) {
      Rec->Sources.push_back(I.Text);
      continue;
    }
    if (I.K == Item::ExpectEq || I.K == Item::ExpectNear || I.K == Item::Measured) {
      Diags.report(I.Range, diag::err_expect_not_here, "runtimes");
      continue;
    }
    if (I.K != Item::Section)
      continue;
    bool Compute = I.Name == "compute", Bandwidth = I.Name == "bandwidth", Fill = I.Name == "fill";
    if (!Compute && !Bandwidth && !Fill) {
      Diags.report(I.NameRange, diag::err_unknown_section, What, I.Name);
      Diags.suggest(I.NameRange, I.Name, {"compute", "bandwidth", "fill"});
      continue;
    }
    const std::vector<std::string> &Kernels = Compute     ? ComputeKernels
                                              : Bandwidth ? BandwidthKernels
                                                          : FillKernels;
    if (I.SectionName.empty() || !llvm::is_contained(Kernels, I.SectionName)) {
      Diags.report(I.SectionName.empty() ? I.NameRange : I.Range, diag::err_unknown_kernel, I.Name,
                   I.SectionName, llvm::join(Kernels, "`, `"));
      continue;
    }
    bool Dup = false;
    for (const Section &Prev : Rec->Sections)
      Dup |= Prev.Kind == I.Name && Prev.Name == I.SectionName;
    if (Dup) {
      Diags.report(I.NameRange, diag::err_duplicate_section, I.Name + " " + I.SectionName);
      continue;
    }
    Section Sec{I.Name, I.SectionName, I.Range, {}};
    checkFractionSection(I, {"any"}, Sec, Fill);
    Rec->Sections.push_back(std::move(Sec));
  }
  if (Rec->IsDefault)
    for (const auto &Other : M.Runtimes)
      if (Other->IsDefault) {
        Diags.report(D.NameRange, diag::err_two_default_runtimes, D.Name, Other->Name);
        Diags.report(Other->Range, diag::note_declared_here, Other->Name);
        Rec->IsDefault = false;
      }
  M.add(std::move(Rec));
}
