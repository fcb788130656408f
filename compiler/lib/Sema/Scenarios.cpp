//===- Scenarios.cpp - scenarios and pipelines ----------------------------===//
//
// Builds the records that combine others:
//   - a scenario names a model and hardware (and precisions), takes typed fields (batch, prompt,
//     output, devices, efficiencies, validation regime), checks that the hardware can be
//     analysed (its class's needs, a dense peak for the compute precision, a link for several
//     devices) and types its `expect`s and `measured` values by the scenario metric;
//   - a pipeline names an encoder, a denoiser and a decoder (models with an input) and a step
//     count, and takes `expect`s on params and per-image work.
// The analysis itself is the roofline pass's.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"

using namespace zoo;

namespace {
const char *analysisLimit(llvm::StringRef Field) {
  if (Field == "devices")
    return "2^20 (1,048,576)";
  return scenarioLimit(Field) > 0 ? "2^40 (1,099,511,627,776)" : nullptr;
}

const std::vector<FieldSpec> &scenarioFields() {
  static const std::vector<FieldSpec> F = {
      {"batch", Type::of(Type::Int), false, true},
      {"prompt", dimType(BaseDim::Token), false, true},
      {"output", dimType(BaseDim::Token), false, true},
      {"devices", Type::of(Type::Int), false, true},
      {"prefill_chunk", dimType(BaseDim::Token), false, true},
      {"max_batch", Type::of(Type::Int), false, true},
      {"kv_page", dimType(BaseDim::Token), false, true},
      {"kv_policy", Type::of(Type::String), false, false},
      {"mixed_prefill", Type::of(Type::Bool), false, false},
      {"chunked_prefill", Type::of(Type::Bool), false, false},
      {"async_scheduling", Type::of(Type::Bool), false, false},
      {"attention_dp", Type::of(Type::Bool), false, false},
      {"steps", Type::of(Type::Int), false, true},
      {"decoder_batch", Type::of(Type::Int), false, true},
      {"guidance", Type::of(Type::Bool), false, false},
      {"power_limit", dimType(BaseDim::Joule, BaseDim::Second), false, true},
      {"compute_efficiency", Type::of(Type::Real), false, true},
      {"memory_efficiency", Type::of(Type::Real), false, true},
      {"memory_fraction", Type::of(Type::Real), false, true},
      {"kv_fraction", Type::of(Type::Real), false, true},
      {"step_overhead", dimType(BaseDim::Second), false, false},
      {"request_overhead", dimType(BaseDim::Second), false, false},
      {"sequence_overhead", dimType(BaseDim::Second), false, false},
      {"regime", Type::of(Type::String), false, false},
      {"calibration", Type::of(Type::Bool), false, false},
      {"summary", Type::of(Type::String), false, false},
  };
  return F;
}

} // namespace

void SemaImpl::buildScenario(const ScenarioDecl &D) {
  if (auto Rec = scenarioFrom(D.Name, D.range(), D.NameRange, D.Items, /*Serving=*/false))
    M.Scenarios.push_back(std::move(Rec));
}

std::unique_ptr<ScenarioRecord> SemaImpl::scenarioFrom(const std::string &Name, llvm::SMRange Range,
                                                       llvm::SMRange NameRange,
                                                       const std::vector<Item> &Items,
                                                       bool Serving) {
  // A serving record's replica: the scenario's fields, without its prompt (the workload's) and
  // without its expectations (the serving record's own metrics).
  struct {
    const std::string &Name;
    llvm::SMRange NameRange;
    const std::vector<Item> &Items;
    llvm::SMRange range() const { return R; }
    llvm::SMRange R;
  } D{Name, NameRange, Items, Range};
  auto Rec = std::make_unique<ScenarioRecord>(D.Name, D.range());
  std::string What = fmt::format("{} `{}`", Serving ? "serving" : "scenario", D.Name);
  // Reference fields name other records; the rest are ordinary typed fields.
  bool OK = true;
  auto Ref = [&](const Item &I, const char *Kind) -> std::string {
    auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
    if (!N || N->Path.size() != 1) {
      Diags.report(I.Value->range(), diag::err_not_a_kind, I.Value->text(), Kind);
      OK = false;
      return "";
    }
    return N->name();
  };
  // The names of the records of one list, gathered only for a suggestion: gathering them for
  // every scenario would make scenarios quadratic in the number of models.
  auto Unknown = [&](const Item &I, llvm::StringRef Name, const auto &Records) {
    Diags.report(I.Value->range(), diag::err_unknown_name, Name);
    std::vector<std::string> Cands;
    for (const auto &X : Records)
      Cands.push_back(X->Name);
    Diags.suggest(I.Value->range(), Name, Cands);
    OK = false;
  };
  const Item *RuntimeItem = nullptr;
  const Item *ComputeItem = nullptr, *ExpertComputeItem = nullptr, *EncoderItem = nullptr,
             *DecoderItem = nullptr;
  llvm::SMRange StepsRange, GuidanceRange, DecoderBatchRange;
  for (const Item &I : D.Items) {
    if (I.K != Item::Field) {
      continue;
    }
    if (I.Name == "model") {
      std::string N = Ref(I, "model");
      if (N.empty() || (Rec->Model = M.findModel(N)))
        continue;
      if (const PipelineRecord *P = M.findPipeline(N)) {
        // A generator: its parts are priced in turn (a serving record runs a language model).
        if (Serving) {
          Diags.report(
              I.Value->range(), diag::err_field_value, "model",
              fmt::format("names pipeline `{}`; a serving record runs a language model", N));
          OK = false;
        } else if (!P->Denoiser || !P->Denoiser->Root) {
          OK = false; // the pipeline's own error says why
        } else {
          Rec->Pipeline = P;
          Rec->Model = P->Denoiser;
        }
      } else {
        Unknown(I, N, M.Models);
      }
    } else if (I.Name == "hardware") {
      Rec->Hw = referenceField(
          I, "hardware", [&](llvm::StringRef N) { return M.findHardware(N); }, M.Hardware);
      OK &= Rec->Hw != nullptr;
    } else if (I.Name == "runtime") {
      Rec->Runtime = referenceField(
          I, "runtime", [&](llvm::StringRef N) { return M.findRuntime(N); }, M.Runtimes);
      OK &= Rec->Runtime != nullptr;
      RuntimeItem = &I;
    } else if (!Serving && (I.Name == "price" || I.Name == "grid" || I.Name == "term")) {
      OK &= economicsField(I, Rec->Cost, Rec->Energy, Rec->Term);
    } else if (!Serving && (I.Name == "encoder_precision" || I.Name == "decoder_precision")) {
      const PrecisionRecord *P = precisionField(I);
      OK &= P != nullptr;
      (I.Name == "encoder_precision" ? Rec->EncoderPrecision : Rec->DecoderPrecision) = P;
      (I.Name == "encoder_precision" ? EncoderItem : DecoderItem) = &I;
    } else if (I.Name == "weights" || I.Name == "kv" || I.Name == "compute" ||
               I.Name == "activations" || I.Name == "expert_weights" ||
               I.Name == "expert_compute") {
      const PrecisionRecord *P = precisionField(I);
      OK &= P != nullptr;
      (I.Name == "weights"          ? Rec->Weights
       : I.Name == "kv"             ? Rec->KV
       : I.Name == "activations"    ? Rec->Activations
       : I.Name == "expert_weights" ? Rec->ExpertWeights
       : I.Name == "expert_compute" ? Rec->ExpertCompute
                                    : Rec->Compute) = P;
      if (I.Name == "compute")
        ComputeItem = &I;
      if (I.Name == "expert_compute")
        ExpertComputeItem = &I;
      if (I.Name.rfind("expert_", 0) == 0 && !Rec->ExpertPrecisionRange.isValid())
        Rec->ExpertPrecisionRange = I.Range;
    }
  }
  std::vector<FieldValue> Fields;
  checkFields(*this, D.Items, scenarioFields(), What, Fields, false,
              Serving ? llvm::ArrayRef<llvm::StringRef>(ServingOwnFields)
                      : llvm::ArrayRef<llvm::StringRef>(
                            {"model", "hardware", "weights", "kv", "compute", "activations",
                             "expert_weights", "expert_compute", "encoder_precision",
                             "decoder_precision", "runtime", "price", "grid", "term"}));
  Rec->Fields = Fields;
  for (const FieldValue &F : Fields) {
    // Written so that a value that is not a number fails too (the evaluator admits none).
    if (const char *Limit = analysisLimit(F.Name);
        Limit && !(F.V.asDouble() <= scenarioLimit(F.Name))) {
      Diags.report(F.Range, diag::err_scenario_limit, "`" + F.Name + "`", D.Name, F.V.str(), Limit);
      OK = false;
      continue;
    }
    // Token counts are quantities (`2048 tokens`), so they may be written as reals: they must
    // be whole, never truncated.
    if (F.V.T.K == Type::Quantity && F.V.T.D == Dim::of(BaseDim::Token) && !isInt64(F.V.R)) {
      Diags.report(F.Range, diag::err_field_value, F.Name,
                   "must be a whole number of tokens, found " + F.V.str());
      OK = false;
      continue;
    }
    if (cacheField(F, Rec->KVPage, Rec->Policy, OK))
      continue;
    if (F.Name == "decoder_batch") {
      Rec->DecoderBatch = F.V.I;
      DecoderBatchRange = F.Range;
    } else if (F.Name == "steps" || F.Name == "guidance") {
      // A pipeline's own: checked below, once the model is known.
      if (F.Name == "steps")
        Rec->Steps = F.V.I;
      else
        Rec->Guidance = F.V.B;
      (F.Name == "steps" ? StepsRange : GuidanceRange) = F.Range;
    } else if (F.Name == "batch")
      Rec->Batch = F.V.I;
    else if (F.Name == "prompt")
      Rec->Prompt = static_cast<int64_t>(F.V.R);
    else if (F.Name == "output")
      Rec->Output = static_cast<int64_t>(F.V.R);
    else if (F.Name == "devices")
      Rec->Devices = F.V.I;
    else if (F.Name == "prefill_chunk")
      Rec->PrefillChunk = static_cast<int64_t>(F.V.R);
    else if (F.Name == "max_batch")
      Rec->MaxBatch = F.V.I;
    else if (F.Name == "mixed_prefill")
      Rec->MixedPrefill = F.V.B;
    else if (F.Name == "chunked_prefill")
      Rec->ChunkedPrefill = F.V.B;
    else if (F.Name == "async_scheduling")
      Rec->AsyncScheduling = F.V.B;
    else if (F.Name == "attention_dp") {
      Rec->AttentionDP = F.V.B;
      Rec->AttentionDPRange = F.Range;
    } else if (F.Name == "power_limit")
      Rec->PowerLimit = F.V.R;
    else if (F.Name == "step_overhead" || F.Name == "request_overhead" ||
             F.Name == "sequence_overhead") {
      // Host times: none is negative.
      if (!(F.V.R >= 0)) {
        Diags.report(F.Range, diag::err_field_value, F.Name,
                     "must not be negative, found " + F.V.str());
        OK = false;
      } else {
        (F.Name == "step_overhead"      ? Rec->StepOverhead
         : F.Name == "request_overhead" ? Rec->RequestOverhead
                                        : Rec->SequenceOverhead) = F.V.R;
      }
    } else if (F.Name == "regime")
      Rec->Regime = F.V.S;
    else if (F.Name == "calibration")
      Rec->Calibration = F.V.B;
    else if (F.Name == "compute_efficiency" || F.Name == "memory_efficiency" ||
             F.Name == "memory_fraction" || F.Name == "kv_fraction") {
      // Shares: positive (the field's spec) and at most 1.
      const bool Memory = F.Name == "memory_fraction", Cache = F.Name == "kv_fraction";
      if (!(F.V.R <= 1)) {
        Diags.report(F.Range, diag::err_field_value, F.Name,
                     fmt::format("must be at most 1{}, found {}",
                                 Memory  ? " (a share of each device's memory)"
                                 : Cache ? " (a share of the memory left for the cache)"
                                         : "",
                                 F.V.str()));
        OK = false;
      }
      if (Memory)
        Rec->MemoryFraction = F.V.R;
      else if (Cache)
        Rec->KVFraction = F.V.R;
      else
        (F.Name == "compute_efficiency" ? Rec->ComputeEfficiency : Rec->MemoryEfficiency) =
            F.V.R;
    }
  }
  // Calibration fits one factor per kernel kind and precision: a row whose parts compute at
  // several precisions would attribute the others' time to the denoiser's.
  if (Rec->Calibration && (EncoderItem || DecoderItem)) {
    const Item *At = EncoderItem ? EncoderItem : DecoderItem;
    Diags.report(At->Range, diag::err_field_value, At->Name,
                 "cannot be set on a calibration row: the fit gives each kernel kind one factor "
                 "per precision, and would count this part's time at the scenario's");
    OK = false;
  }
  // A decoder batch needs a pipeline with a decoder, and at most the batch.
  if (DecoderBatchRange.isValid() && Rec->Model) {
    const PipelineRecord *P = Rec->Pipeline;
    std::string Why =
        !P            ? fmt::format("needs a pipeline: `{}` is a model", Rec->Model->Name)
        : !P->Decoder ? fmt::format("is set, but pipeline `{}` has no decoder", P->Name)
        : Rec->DecoderBatch > Rec->Batch
            ? fmt::format("is {}, more than the batch of {}", Rec->DecoderBatch, Rec->Batch)
            : std::string();
    if (!Why.empty()) {
      Diags.report(DecoderBatchRange, diag::err_field_value, "decoder_batch", Why);
      OK = false;
    }
  }
  // Steps and guidance are a pipeline's.
  for (auto [Range, Name] : {std::pair{StepsRange, "steps"}, std::pair{GuidanceRange, "guidance"}})
    if (Range.isValid() && Rec->Model && !Rec->Pipeline) {
      Diags.report(Range, diag::err_field_value, Name,
                   fmt::format("needs a pipeline: `{}` is a model (only a pipeline has denoising "
                               "steps)",
                               Rec->Model->Name));
      OK = false;
    }
  // A part's own precision needs a pipeline with that part.
  for (auto [Item, Part] : {std::pair{EncoderItem, "encoder"}, std::pair{DecoderItem, "decoder"}}) {
    if (!Item || !Rec->Model)
      continue; // (an unknown model is its own error)
    const PipelineRecord *P = Rec->Pipeline;
    if (P && (llvm::StringRef(Part) == "encoder" ? !P->Encoders.empty() : P->Decoder != nullptr))
      continue;
    Diags.report(Item->Range, diag::err_field_value, Item->Name,
                 P ? fmt::format("is set, but pipeline `{}` has no {}", P->Name, Part)
                   : fmt::format("needs a pipeline: `{}` is a model (only a pipeline has "
                                 "encoders and a decoder)",
                                 Rec->Model->Name));
    OK = false;
  }
  bool Plans = false;
  for (const Item &I : D.Items)
    Plans |= Serving && I.K == Item::Field && I.Name == "plan";
  if (Rec->AttentionDP && Rec->Devices < 2 && !Plans) {
    Diags.report(Rec->AttentionDPRange, diag::err_field_value, "attention_dp",
                 "needs more than one device: each device runs attention for its own sequences");
    OK = false;
  }
  for (const char *Required : {"model", "hardware"}) {
    if (Plans && llvm::StringRef(Required) == "hardware")
      continue; // the plan chooses it
    bool Found = false;
    for (const Item &I : D.Items)
      Found |= I.K == Item::Field && I.Name == Required;
    if (!Found) {
      Diags.report(D.NameRange, diag::err_missing_field, Serving ? "serving" : "scenario",
                   D.Name, Required);
      OK = false;
    }
  }
  if (!Serving)
    OK &= checkEconomics(D.Items, Rec->Hw, Rec->Cost, Rec->Energy, Rec->Term, /*Plan=*/false);
  Rec->ComputeGiven = Rec->Compute != nullptr;
  if (Rec->Hw)
    applyPrecisionDefaults(M, *Rec->Hw, Rec->Weights, Rec->Activations, Rec->Compute, Rec->KV);
  if (!Rec->Weights)
    Rec->Weights = M.findPrecision("bf16");
  if (Rec->Hw && !Rec->Hw->MissingForAnalysis.empty()) {
    std::string Needs;
    for (const std::string &X : Rec->Hw->MissingForAnalysis)
      Needs += (Needs.empty() ? "`" : "` and `") + X;
    Diags.report(D.NameRange, diag::err_class_analysis, Rec->Hw->Name, Rec->Hw->Class, Needs + "`");
    OK = false;
  } else if (Rec->Hw && Rec->Compute) {
    const Section *Dense = nullptr;
    bool HasMemory = false;
    for (const Section &S : Rec->Hw->Sections) {
      if (S.Kind == "compute")
        Dense = &S;
      HasMemory |= S.Kind == "memory";
    }
    if (!HasMemory) {
      Diags.report(D.NameRange, diag::err_no_memory, Rec->Hw->Name);
      OK = false;
    }
    // The compute precision and the experts', the encoders' and the decoder's own must each have
    // a dense peak.
    for (auto [P, Item] :
         {std::pair{Rec->Compute, ComputeItem}, std::pair{Rec->ExpertCompute, ExpertComputeItem},
          std::pair{Rec->EncoderPrecision, EncoderItem},
          std::pair{Rec->DecoderPrecision, DecoderItem}}) {
      if (!P || (Dense && Dense->field(P->Name)))
        continue;
      llvm::SMRange At = Item ? Item->Value->range() : D.NameRange;
      Diags.report(At, diag::err_no_peak, Rec->Hw->Name, P->Name);
      std::string Have;
      if (Dense)
        for (const FieldValue &F : Dense->Fields)
          if (F.Name != "source")
            Have += (Have.empty() ? "" : ", ") + F.Name;
      Diags.report(Rec->Hw->Range, diag::note_has_peaks, Have.empty() ? "none" : Have);
      OK = false;
    }
    // A runtime that counts its cost an operation in cycles needs the clock they run at.
    if (Rec->Runtime && Rec->Runtime->cyclesUnpriced(*Rec->Hw)) {
      Diags.report(RuntimeItem ? RuntimeItem->Value->range() : D.NameRange,
                   diag::err_runtime_needs_clock, Rec->Runtime->Name, Rec->Runtime->OpCycles,
                   Rec->Hw->Name);
      OK = false;
    }
    bool HasLink = false;
    for (const Section &S : Rec->Hw->Sections)
      HasLink |= S.Kind == "link";
    if (Rec->Devices > 1 && !HasLink) {
      Diags.report(D.NameRange, diag::err_no_link, Rec->Hw->Name, Rec->Devices);
      OK = false;
    }
  }
  bool HasInput = false;
  if (Rec->Model && Rec->Model->Root)
    for (const auto &C : Rec->Model->Root->Children)
      HasInput |= C->K == LayerNode::Primitive && C->Prim == PrimitiveKind::input;
  if (Rec->Prompt < 1 && OK && !HasInput && !Serving) {
    bool Found = false;
    for (const Item &I : D.Items)
      Found |= I.K == Item::Field && I.Name == "prompt";
    if (!Found) {
      Diags.report(D.NameRange, diag::err_missing_field, "scenario", D.Name, "prompt");
      OK = false;
    }
  }
  // Expectations and measurements, typed by the metric (a serving record types its own).
  if (!Serving)
    metricItems(D.Items, What, Rec->Sources, lookupScenarioMetric, scenarioMetricNames,
                scenarioMetricType, /*TakesIdeal=*/true,
                [&](const Item &I, ScenarioMetric K, const Value &V, bool Ideal) {
                  if (I.K == Item::Measured)
                    Rec->Measured.push_back({K, V, I.Text, I.Range});
                  else
                    Rec->Expects.push_back(
                        {K, Ideal, I.K == Item::ExpectNear, V, I.Tolerance, I.Range});
                });
  if (!OK)
    Rec->Model = nullptr; // not analysed
  return Rec;
}

double zoo::scenarioLimit(llvm::StringRef Field) {
  if (Field == "devices")
    return double(1 << 20);
  if (Field == "batch" || Field == "prompt" || Field == "output" || Field == "prefill_chunk" ||
      Field == "max_batch" || Field == "steps" || Field == "decoder_batch")
    return double(int64_t(1) << 40);
  return 0;
}

void zoo::applyPrecisionDefaults(const Module &M, const HardwareRecord &H,
                                 const PrecisionRecord *&Weights, const PrecisionRecord *&Act,
                                 const PrecisionRecord *&Compute, const PrecisionRecord *&KV) {
  const Section *Dense = nullptr;
  for (const Section &S : H.Sections)
    if (S.Kind == "compute")
      Dense = &S;
  // The 16-bit float the hardware computes in: bf16, or fp16 where it has no bf16 peak.
  const PrecisionRecord *Half = !Dense || Dense->field("bf16") || !Dense->field("fp16")
                                    ? M.findPrecision("bf16")
                                    : M.findPrecision("fp16");
  if (!Weights)
    Weights = Act ? Act : Half;
  if (!Weights)
    return; // a stdlib without bf16: the caller reports it
  if (!Act) {
    // 16-bit and wider unscaled weights are the activations' format; narrower or block-scaled
    // weights are dequantised to bf16 (fp16 where the hardware has no bf16 peak).
    if (Weights->Bits >= 16 && !Weights->Group)
      Act = Weights;
    else
      Act = Half ? Half : Weights;
  }
  if (!Compute) {
    Compute = Act;
    // Hardware without a 16-bit float peak (Apple's GPUs: their records give FP32 only) runs
    // 16-bit activations' products in fp32.
    if (Dense && Act->Bits == 16 && !Dense->field("bf16") && !Dense->field("fp16") &&
        Dense->field("fp32"))
      if (const PrecisionRecord *F = M.findPrecision("fp32"))
        Compute = F;
  }
  if (!KV)
    KV = Act;
}

void SemaImpl::buildPipeline(const PipelineDecl &D) {
  auto Rec = std::make_unique<PipelineRecord>(D.Name, D.range());
  std::string What = fmt::format("pipeline `{}`", D.Name);
  static const std::vector<FieldSpec> Specs = {
      {"steps", Type::of(Type::Int), false, true},
      {"guidance", Type::of(Type::Bool), false, false},
      {"family", Type::of(Type::String), false, false},
      {"summary", Type::of(Type::String), false, false},
      {"organization", Type::of(Type::String), false, false},
      {"year", Type::of(Type::Int), false, true},
  };
  checkFields(*this, D.Items, Specs, What, Rec->Fields, false, {"encoder", "denoiser", "decoder"});
  if (const FieldValue *F = Rec->field("steps"))
    Rec->Steps = F->V.I;
  if (const FieldValue *F = Rec->field("guidance"))
    Rec->Guidance = F->V.B;
  for (const Item &I : D.Items) {
    if (I.K == Item::Source) {
      Rec->Sources.push_back(I.Text);
      continue;
    }
    if (I.K == Item::Field &&
        (I.Name == "encoder" || I.Name == "denoiser" || I.Name == "decoder")) {
      auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
      const ModelRecord *Model = N && N->Path.size() == 1 ? M.findModel(N->name()) : nullptr;
      if (!Model) {
        Diags.report(I.Value->range(), diag::err_unknown_name, I.Value->text());
        std::vector<std::string> ModelNames; // only for a suggestion (see buildScenario)
        for (const auto &X : M.Models)
          ModelNames.push_back(X->Name);
        Diags.suggest(I.Value->range(), I.Value->text(), ModelNames);
        continue;
      }
      bool HasInput = false;
      if (Model->Root)
        for (const auto &C : Model->Root->Children)
          HasInput |= C->K == LayerNode::Primitive && C->Prim == PrimitiveKind::input;
      if (!HasInput) {
        Diags.report(
            I.Value->range(), diag::err_field_value, I.Name,
            fmt::format("must name a model with an `input` (`{}` works per token)", Model->Name));
        continue;
      }
      // Each `encoder` adds one (FLUX.1 and SDXL have two text encoders); the denoiser and the
      // decoder are one each.
      if (I.Name == "encoder") {
        if (llvm::is_contained(Rec->Encoders, Model)) {
          Diags.report(I.Value->range(), diag::err_field_value, I.Name,
                       fmt::format("names `{}` twice", Model->Name));
          continue;
        }
        Rec->Encoders.push_back(Model);
        continue;
      }
      const ModelRecord *&Slot = I.Name == "denoiser" ? Rec->Denoiser : Rec->Decoder;
      if (Slot) {
        Diags.report(I.NameRange, diag::err_duplicate_field, I.Name);
        continue;
      }
      Slot = Model;
      continue;
    }
    if (I.K != Item::ExpectEq && I.K != Item::ExpectNear)
      continue;
    auto K = lookupMetric(I.Name);
    if (!K || (*K != MetricKind::params && *K != MetricKind::macs_per_image &&
               *K != MetricKind::flops_per_image)) {
      Diags.report(I.NameRange, diag::err_unknown_metric, I.Name);
      Diags.report(I.NameRange, diag::note_did_you_mean,
                   "params`, `macs_per_image` or `flops_per_image");
      continue;
    }
    Scope Global;
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
    Expectation X;
    X.Metric = *K;
    X.Near = I.K == Item::ExpectNear;
    X.TolerancePercent = I.Tolerance;
    X.Range = I.Range;
    X.Expected = *R.V;
    Rec->Expects.push_back(std::move(X));
  }
  bool HasDenoiser = false;
  for (const Item &I : D.Items)
    HasDenoiser |= I.K == Item::Field && I.Name == "denoiser";
  if (!HasDenoiser)
    Diags.report(D.NameRange, diag::err_missing_field, "pipeline", D.Name, "denoiser");
  M.add(std::move(Rec));
}

std::optional<Value> SemaImpl::itemValue(const Item &I, Type Want, llvm::StringRef Role) {
  Scope Global;
  EvalResult R = Eval.eval(*I.Value, Global);
  if (!Eval.convert(R, Want, I.Value->range(),
                    [&] { return fmt::format("{} `{}`", Role, I.Name); }) ||
      !R.V)
    return std::nullopt;
  return R.V;
}

std::optional<Value> SemaImpl::metricItemValue(const Item &I, llvm::StringRef TypeName) {
  Scope Global;
  EvalResult R = Eval.eval(*I.Value, Global);
  Type Want = TypeName == "bool"   ? Type::of(Type::Bool)
              : TypeName == "int"  ? Type::of(Type::Int)
              : TypeName == "real" ? Type::of(Type::Real)
              : TypeName == "bound"
                  ? Type::enumeration(llvm::dyn_cast_or_null<EnumDecl>(M.Decls.lookup("bound")))
                  : Type::quantity(*lookupDimension(TypeName));
  if (I.K == Item::ExpectNear && Want.K == Type::Int)
    Want = Type::of(Type::Real);
  if (!Eval.convert(R, Want, I.Value->range(),
                    [&] { return fmt::format("metric `{}`", I.Name); }) ||
      !R.V)
    return std::nullopt;
  if (I.K == Item::Measured) {
    // Validation divides by the measurement: it must be a positive (finite) number.
    bool Number = R.V->T.isNumeric() || R.V->T.K == Type::Quantity;
    if (!Number || !(R.V->asDouble() > 0)) {
      Diags.report(I.Value->range(), diag::err_measured_value, I.Name, R.V->str());
      return std::nullopt;
    }
    return R.V;
  }
  if (!toleranceOK(I))
    return std::nullopt;
  return R.V;
}

bool SemaImpl::idealArgument(const Item &I) {
  bool Ideal = false;
  for (const Arg &A : I.MetricArgs) {
    auto *N = llvm::dyn_cast<NameExpr>(A.Value.get());
    if (A.Name.empty() && N && N->Path.size() == 1 && N->name() == "ideal" &&
        I.MetricArgs.size() == 1) {
      Ideal = true;
      continue;
    }
    Diags.report(A.Value->range(), diag::err_scenario_metric_arg, I.Name);
  }
  return Ideal;
}

void SemaImpl::dataItems(const std::vector<Item> &Items, const std::string &What,
                         std::vector<std::string> &Sources, llvm::StringRef Kinds,
                         llvm::ArrayRef<llvm::StringRef> Sections) {
  for (const Item &I : Items) {
    if (I.K == Item::Source)
      Sources.push_back(I.Text);
    else if (I.K == Item::Section && !llvm::is_contained(Sections, I.Name))
      Diags.report(I.NameRange, diag::err_unknown_section, What, I.Name);
    else if (I.K == Item::ExpectEq || I.K == Item::ExpectNear || I.K == Item::Measured)
      Diags.report(I.Range, diag::err_expect_not_here, Kinds);
  }
}
