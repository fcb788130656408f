//===- ReportEmitter.cpp - the human-readable report ----------------------===//
//
// A fixed-width table per record kind, then the counting conventions the numbers follow.
//
//===----------------------------------------------------------------------===//
#include "zoo/Backends/Emitters.h"
#include "zoo/Basic/Checked.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Unicode.h"
#include <algorithm>
#include <fmt/format.h>

using namespace zoo;

namespace {
/// The columns a cell takes on a terminal: UTF-8 characters, not bytes (`DALL·E` is 6 wide, 7
/// bytes); bytes where the text is not printable UTF-8.
size_t displayWidth(const std::string &S) {
  int W = llvm::sys::unicode::columnWidthUTF8(S);
  return W >= 0 ? static_cast<size_t>(W) : S.size();
}

void table(llvm::raw_ostream &OS, const std::vector<std::string> &Head,
           const std::vector<std::vector<std::string>> &Rows, const std::vector<bool> &Right) {
  std::vector<size_t> W(Head.size());
  for (size_t I = 0; I < Head.size(); ++I) {
    W[I] = displayWidth(Head[I]);
    for (const auto &R : Rows)
      W[I] = std::max(W[I], displayWidth(R[I]));
  }
  auto Line = [&](const std::vector<std::string> &Cells) {
    std::string S;
    for (size_t I = 0; I < Cells.size(); ++I) {
      std::string Pad(W[I] - displayWidth(Cells[I]), ' ');
      S += (I ? "  " : "") + (Right[I] ? Pad + Cells[I] : Cells[I] + Pad);
    }
    while (!S.empty() && S.back() == ' ')
      S.pop_back();
    OS << S << "\n";
  };
  Line(Head);
  std::vector<std::string> Rule;
  for (size_t X : W)
    Rule.push_back(std::string(X, '-'));
  Line(Rule);
  for (const auto &R : Rows)
    Line(R);
}
} // namespace

void ReportEmitter::run(llvm::raw_ostream &OS) {
  auto Models = sortedModels(M);
  OS << "Models (" << Models.size() << ")\n\n";
  std::vector<std::vector<std::string>> Rows;
  for (const ModelRecord *R : Models) {
    std::string Params = withThousands(R->Stats.Params) + " (" +
                         humanCount(static_cast<double>(R->Stats.Params)) + ")";
    const FieldValue *Family = R->field("family");
    Rows.push_back({R->Name, R->Arch->Name, Family ? Family->V.S : "", Params,
                    std::to_string(R->Stats.Layers)});
  }
  table(OS, {"Model", "Architecture", "Family", "Parameters", "Layers"}, Rows,
        {false, false, false, true, true});

  if (!Models.empty()) {
    const AnalysisPoint &P = M.Point;
    OS << "\nMetrics at context " << P.Context << ", prompt " << P.Prompt << ", output " << P.Output
       << ", batch " << P.Batch << "; weights " << P.Weights << ", KV " << P.KV << "\n\n";
    Rows.clear();
    bool AnyBeyond = false;
    for (const ModelRecord *R : Models) {
      auto Get = [&](MetricKind K, llvm::StringRef Prec = "") -> std::optional<Value> {
        const MetricResult *X = R->evaluated(K, Prec);
        return X ? X->V : std::nullopt;
      };
      auto SI = [&](MetricKind K, const char *Unit) {
        auto V = Get(K);
        return V ? humanSI(V->asDouble()) + Unit : std::string("-");
      };
      auto Bytes = [&](MetricKind K, llvm::StringRef Prec = "") {
        auto V = Get(K, Prec);
        return V ? humanBytes(V->asDouble()) : std::string("-");
      };
      auto Ratio = [&](MetricKind K) {
        auto V = Get(K);
        return V ? fmt::format("{:.1f}", V->asDouble()) : std::string("-");
      };
      AnyBeyond |= R->BeyondContext;
      Rows.push_back(
          {R->Name + (R->BeyondContext ? " *" : ""),
           humanCount(static_cast<double>(R->Stats.ActiveParams)),
           SI(MetricKind::flops_per_token, "FLOP"), SI(MetricKind::prefill_flops, "FLOP"),
           SI(MetricKind::generation_flops, "FLOP"), Bytes(MetricKind::kv_bytes_per_token),
           Bytes(MetricKind::kv_bytes), Bytes(MetricKind::weight_bytes, P.Weights),
           Ratio(MetricKind::prefill_intensity), Ratio(MetricKind::decode_intensity)});
    }
    table(OS,
          {"Model", "Active", "FLOP/token", "Prefill", "Generation", "KV/token", "KV+state/seq",
           "Weights", "AI prefill", "AI decode"},
          Rows, {false, true, true, true, true, true, true, true, true, true});
    if (AnyBeyond)
      OS << "* the analysis point goes beyond the model's declared context\n";
  }

  if (!M.Pipelines.empty()) {
    OS << "\nPipelines (" << M.Pipelines.size() << ")\n\n";
    Rows.clear();
    for (const auto &P : M.Pipelines) {
      std::string Encoders;
      for (const ModelRecord *E : P->Encoders)
        Encoders += (Encoders.empty() ? "" : " + ") + E->Name;
      Rows.push_back({P->Name, Encoders.empty() ? "-" : Encoders,
                      P->Denoiser ? P->Denoiser->Name : "-", P->Decoder ? P->Decoder->Name : "-",
                      std::to_string(P->Steps) + (P->Guidance ? " x2 (guidance)" : ""),
                      withThousands(P->Params),
                      humanSI(2 * static_cast<double>(P->Macs)) + "FLOP"});
    }
    std::sort(Rows.begin(), Rows.end());
    table(OS, {"Pipeline", "Encoder", "Denoiser", "Decoder", "Steps", "Parameters", "FLOP/image"},
          Rows, {false, false, false, false, false, true, true});
  }

  auto Scenarios = sortedScenarios(M);
  if (!Scenarios.empty()) {
    OS << "\nScenarios (" << Scenarios.size() << ")\n\n";
    Rows.clear();
    for (const ScenarioRecord *S : Scenarios) {
      auto R = [&](ScenarioMetric K) {
        const Value *V = S->result(K);
        return V ? humanResult(*V) : std::string("-");
      };
      // Models with an input have one forward pass: its time and bound fill the first pair.
      bool Vision = S->Model && S->Model->Stats.PerInput;
      auto E = [&](ScenarioMetric K) {
        return S->result(K) ? expectedAndIdeal(*S, K) : std::string("-");
      };
      Rows.push_back({S->Name, S->Model ? S->modelName() : "-",
                      std::to_string(S->Devices) + " x " + (S->Hw ? S->Hw->Name : "-"),
                      S->UsedRuntime ? S->UsedRuntime->Name : "-", std::to_string(S->Batch),
                      E(Vision ? ScenarioMetric::batch_time : ScenarioMetric::prefill_time),
                      R(Vision ? ScenarioMetric::forward_bound : ScenarioMetric::prefill_bound),
                      Vision ? "-" : E(ScenarioMetric::decode_time),
                      Vision ? "-" : R(ScenarioMetric::decode_bound),
                      Vision ? E(ScenarioMetric::images_per_s) + " img/s"
                             : E(ScenarioMetric::aggregate_tokens_per_s),
                      R(ScenarioMetric::memory_per_device), R(ScenarioMetric::fits)});
    }
    table(OS,
          {"Scenario", "Model", "Hardware", "Runtime", "Batch", "TTFT/batch", "Prefill",
           "Decode step", "Decode", "Throughput (batch)", "Memory/device", "Fits"},
          Rows, {false, false, false, false, true, true, false, true, false, true, true, false});
  }

  std::vector<const TrainingRecord *> Trainings;
  for (const auto &T : M.Trainings)
    Trainings.push_back(T.get());
  std::sort(Trainings.begin(), Trainings.end(),
            [](auto *A, auto *B) { return A->Name < B->Name; });
  if (!Trainings.empty()) {
    OS << "\nTraining (" << Trainings.size() << ")\n\n";
    Rows.clear();
    for (const TrainingRecord *T : Trainings) {
      auto E = [&](TrainingMetric K) {
        const Value *V = T->result(K), *I = T->ideal(K);
        if (!V)
          return std::string("-");
        std::string Out = humanResult(*V);
        if (I && humanResult(*I) != Out)
          Out += " (" + humanResult(*I) + ")";
        return Out;
      };
      const Value *F = T->result(TrainingMetric::fits);
      const Value *Mem = T->result(TrainingMetric::memory_per_device);
      Rows.push_back(
          {T->Name, T->Model ? T->Model->Name : "-",
           std::to_string(T->Devices) + " x " +
               (T->System && T->System->Hw ? T->System->Hw->Name : "-"),
           fmt::format("{}x{}x{}x{}{}", T->TP, T->PP, T->CP, T->DP, T->Plan ? " (plan)" : ""),
           E(TrainingMetric::step_time), E(TrainingMetric::mfu),
           Mem ? humanResult(*Mem) : "-", F ? humanResult(*F) : "-"});
    }
    table(OS, {"Training", "Model", "Devices", "TPxPPxCPxDP", "Step", "MFU", "Memory/device", "Fits"},
          Rows, {false, false, false, false, true, true, true, false});
  }

  auto Hw = sortedHardware(M);
  if (!Hw.empty()) {
    OS << "\nHardware (" << Hw.size() << ")\n\n";
    Rows.clear();
    for (const HardwareRecord *H : Hw) {
      std::string Mem;
      for (const Section &S : H->Sections)
        if (S.Kind == "memory") {
          const FieldValue *C = S.field("capacity"), *B = S.field("bandwidth"),
                           *V = S.field("visible");
          Mem += (Mem.empty() ? "" : "; ") + S.Name + " " + (C ? C->V.str() : "") +
                 (V ? " (" + V->V.str() + " visible)" : "") + " at " + (B ? B->V.str() : "");
        }
      if (const FieldValue *Cache = H->field("cache"))
        Mem += "; on-chip cache " + Cache->V.str();
      Rows.push_back({H->Name, H->Class, Mem});
    }
    table(OS, {"Hardware", "Class", "Memory"}, Rows, {false, false, false});
  }

  OS << "\nParameters: learnable tensors only, exact; tied embeddings counted once. Active: what "
        "one\n"
        "  token uses (top-k experts, one row of each lookup table).\n"
        "Layers: iterations of the architecture's top-level repeat/for statements (and of its\n"
        "  top-level `encoder` sections).\n";
  if (!Scenarios.empty())
    OS << "Scenarios: expected figures on the runtime shown, the ideal roofline (datasheet peaks,\n"
          "  no fixed cost) in parentheses; --emit=analysis gives every factor and its origin.\n"
          "  Throughput: decode tokens (or inputs) a second of the whole batch; one sequence's is\n"
          "  a decode step's inverse.\n";
  if (!Trainings.empty())
    OS << "Training: one optimizer step on the record's runtime, the ideal bound in parentheses;\n"
          "  --emit=training gives the layout, every part of the step and the measurements.\n";
  if (!Models.empty())
    OS << "FLOP = 2 x MAC of matrix work (elementwise work is separate, in JSON). FLOP/token: one\n"
          "  token at the context. Prefill: the prompt, causal. Generation: prompt + output - 1\n"
          "  positions. KV/token: all layers, before window caps; KV+state/seq: one sequence at "
          "the\n"
          "  context. AI: arithmetic intensity in FLOP/byte (prefill: weights read once + KV "
          "written;\n"
          "  decode: weights read, experts as a batch touches them, + KV read).\n";
  if (std::any_of(Models.begin(), Models.end(), [](const auto *R) { return R->Stats.HasEncoder; }))
    OS << "Encoder-decoders (`encoder` sections): FLOP/token, KV and decode are the decoder's,\n"
          "  cross-attending to the source the model declares; prefill is the encoder over the\n"
          "  prompt and the first output position, generation adds output - 1 decoder positions.\n";
}
