//===- Training.cpp - systems, optimizers and training records ------------===//
//
// Builds the records of training analyses:
//   - a system: the node a cluster is made of (hardware, devices per node, the fabric inside:
//     bandwidth per device and direction, latency, topology) and the network between nodes
//     (NICs per node, bandwidth per NIC and direction, latency, topology, oversubscription);
//   - an optimizer: the bytes it keeps per parameter beside the weights and gradients;
//   - a training record: a model on a system with a parallel layout, a batch, a sequence
//     length, recomputation, ZeRO, a token budget, `expect`s and `measured` figures.
// Every count of the layout is checked against the others (tp x pp x cp x dp = devices, the
// batch divides into micro-batches); the analysis is the training pass's.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"

using namespace zoo;

namespace {
Type enumType(const Module &M, llvm::StringRef Name) {
  return Type::enumeration(llvm::dyn_cast_or_null<EnumDecl>(M.Decls.lookup(Name)));
}

const std::vector<FieldSpec> &systemFields() {
  static const std::vector<FieldSpec> F = {
      {"devices", Type::of(Type::Int), true, true},
      {"max_nodes", Type::of(Type::Int), false, true},
      {"power", dimType(BaseDim::Joule, BaseDim::Second), false, true},
      {"vendor", Type::of(Type::String), false, false},
      {"year", Type::of(Type::Int), false, true},
      {"summary", Type::of(Type::String), false, false},
  };
  return F;
}

std::vector<FieldSpec> linkFields(const Module &M, bool Network) {
  std::vector<FieldSpec> F = {
      {"bandwidth", dimType(BaseDim::Byte, BaseDim::Second), true, true},
      {"latency", dimType(BaseDim::Second), false, false},
      {"topology", enumType(M, "topology"), false, false},
  };
  if (Network) {
    F.push_back({"nics", Type::of(Type::Int), true, true});
    F.push_back({"oversubscription", Type::of(Type::Real), false, true});
  } else {
    F.push_back({"dims", Type::of(Type::Int), false, true});
  }
  return F;
}

const std::vector<FieldSpec> &optimizerFields() {
  static const std::vector<FieldSpec> F = {
      {"master", dimType(BaseDim::Byte), true, false},
      {"states", dimType(BaseDim::Byte), true, false},
      {"summary", Type::of(Type::String), false, false},
  };
  return F;
}

std::vector<FieldSpec> trainingFields(const Module &M) {
  return {
      {"devices", Type::of(Type::Int), true, true},
      {"tp", Type::of(Type::Int), false, true},
      {"pp", Type::of(Type::Int), false, true},
      {"dp", Type::of(Type::Int), false, true},
      {"ep", Type::of(Type::Int), false, true},
      {"cp", Type::of(Type::Int), false, true},
      {"interleave", Type::of(Type::Int), false, true},
      {"micro_batch", Type::of(Type::Int), false, true},
      {"global_batch", Type::of(Type::Int), true, true},
      {"sequence", dimType(BaseDim::Token), false, true},
      {"recompute", enumType(M, "recompute_kind"), false, false},
      {"sequence_parallel", Type::of(Type::Bool), false, false},
      {"dropout", Type::of(Type::Bool), false, false},
      {"flash_attention", Type::of(Type::Bool), false, false},
      {"overlap_grad", Type::of(Type::Bool), false, false},
      {"uneven_stages", Type::of(Type::Bool), false, false},
      {"plan", enumType(M, "plan_kind"), false, false},
      {"zero", Type::of(Type::Int), false, false},
      {"tokens", dimType(BaseDim::Token), false, true},
      {"calibration", Type::of(Type::Bool), false, false},
      {"regime", Type::of(Type::String), false, false},
      {"summary", Type::of(Type::String), false, false},
  };
}

constexpr int64_t MaxDevices = int64_t(1) << 24;
constexpr int64_t MaxCount = int64_t(1) << 40;
} // namespace

void SemaImpl::buildSystem(const RecordDecl &D) {
  auto Rec = std::make_unique<SystemRecord>(D.Name, D.range());
  std::string What = fmt::format("system `{}`", D.Name);
  bool OK = true;
  for (const Item &I : D.Items)
    if (I.K == Item::Field && I.Name == "hardware") {
      auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
      if (!N || N->Path.size() != 1) {
        Diags.report(I.Value->range(), diag::err_not_a_kind, I.Value->text(), "hardware");
        OK = false;
      } else if (!(Rec->Hw = M.findHardware(N->name()))) {
        Diags.report(I.Value->range(), diag::err_unknown_name, N->name());
        OK = false;
      }
    }
  checkFields(*this, D.Items, systemFields(), What, Rec->Fields, false, {"hardware"});
  requireFields(*this, D.Items, systemFields(), "system", D.Name, D.NameRange);
  for (const FieldValue &F : Rec->Fields) {
    if (F.Name == "devices") {
      if (F.V.I > MaxDevices) {
        Diags.report(F.Range, diag::err_field_value, F.Name,
                     fmt::format("must be at most {}, found {}", MaxDevices, F.V.I));
        OK = false;
      }
      Rec->Devices = F.V.I;
    } else if (F.Name == "max_nodes") {
      Rec->MaxNodes = F.V.I;
    } else if (F.Name == "power") {
      Rec->NodePower = F.V.R;
    }
  }
  bool HasHardware = false, HasFabric = false;
  for (const Item &I : D.Items) {
    HasHardware |= I.K == Item::Field && I.Name == "hardware";
    if (I.K == Item::Source) {
      Rec->Sources.push_back(I.Text);
      continue;
    }
    if (I.K == Item::ExpectEq || I.K == Item::ExpectNear || I.K == Item::Measured) {
      Diags.report(I.Range, diag::err_expect_not_here, "systems");
      continue;
    }
    if (I.K != Item::Section)
      continue;
    bool Fabric = I.Name == "fabric", Network = I.Name == "network";
    if (!Fabric && !Network) {
      Diags.report(I.NameRange, diag::err_unknown_section, What, I.Name);
      Diags.suggest(I.NameRange, I.Name, {"fabric", "network"});
      continue;
    }
    if ((Fabric && HasFabric) || (Network && Rec->Network)) {
      Diags.report(I.NameRange, diag::err_duplicate_section, I.Name);
      continue;
    }
    std::vector<FieldValue> Fields;
    std::vector<FieldSpec> Specs = linkFields(M, Network);
    checkFields(*this, I.Items, Specs, fmt::format("{} `{}`", I.Name, I.SectionName), Fields);
    requireFields(*this, I.Items, Specs, I.Name, I.SectionName, I.NameRange);
    SystemLink L;
    L.Name = I.SectionName;
    for (const FieldValue &F : Fields) {
      if (F.Name == "bandwidth")
        L.Bandwidth = F.V.R;
      else if (F.Name == "latency") {
        if (!(F.V.R >= 0)) {
          Diags.report(F.Range, diag::err_field_value, F.Name,
                       "must not be negative, found " + F.V.str());
          OK = false;
        }
        L.Latency = F.V.R;
      } else if (F.Name == "topology")
        L.Topology = F.V.S;
      else if (F.Name == "nics")
        L.Nics = F.V.I;
      else if (F.Name == "oversubscription")
        L.Oversubscription = F.V.R;
    }
    if (Fabric) {
      Rec->Fabric = L;
      HasFabric = true;
    } else {
      Rec->Network = L;
    }
  }
  if (!HasHardware) {
    Diags.report(D.NameRange, diag::err_missing_field, "system", D.Name, "hardware");
    OK = false;
  }
  if (!HasFabric && Rec->Devices > 1) {
    Diags.report(D.NameRange, diag::err_missing_field, "system", D.Name, "fabric");
    OK = false;
  }
  if (!OK)
    Rec->Hw = nullptr; // not usable by a training record
  M.Systems.push_back(std::move(Rec));
}

void SemaImpl::buildOptimizer(const RecordDecl &D) {
  auto Rec = std::make_unique<OptimizerRecord>(D.Name, D.range());
  std::string What = fmt::format("optimizer `{}`", D.Name);
  checkFields(*this, D.Items, optimizerFields(), What, Rec->Fields);
  requireFields(*this, D.Items, optimizerFields(), "optimizer", D.Name, D.NameRange);
  for (const FieldValue &F : Rec->Fields) {
    if ((F.Name == "master" || F.Name == "states") && !(F.V.R >= 0 && F.V.R <= 1024)) {
      Diags.report(F.Range, diag::err_field_value, F.Name,
                   "must be from 0 to 1024 bytes a parameter, found " + F.V.str());
      continue;
    }
    if (F.Name == "master")
      Rec->MasterBytes = F.V.R;
    else if (F.Name == "states")
      Rec->StateBytes = F.V.R;
  }
  dataItems(D.Items, What, Rec->Sources, "optimizers");
  M.Optimizers.push_back(std::move(Rec));
}

void SemaImpl::buildTraining(const RecordDecl &D) {
  auto Rec = std::make_unique<TrainingRecord>(D.Name, D.range());
  std::string What = fmt::format("training `{}`", D.Name);
  bool OK = true;
  // A name `Find` looks up among `All` (Sema's referenceField).
  auto Named = [&](const Item &I, const char *Kind, auto Find, const auto &All) {
    auto *R = referenceField(I, Kind, Find, All);
    OK &= R != nullptr;
    return R;
  };
  auto ByName = [](const auto &All) {
    return [&All](llvm::StringRef N) -> decltype(All.front().get()) {
      for (const auto &X : All)
        if (X->Name == N)
          return X.get();
      return nullptr;
    };
  };
  for (const Item &I : D.Items) {
    if (I.K != Item::Field)
      continue;
    if (I.Name == "model") {
      Rec->Model = Named(
          I, "model", [&](llvm::StringRef N) { return M.findModel(N); }, M.Models);
    } else if (I.Name == "system") {
      Rec->System = Named(I, "system", ByName(M.Systems), M.Systems);
    } else if (I.Name == "optimizer") {
      Rec->Opt = Named(I, "optimizer", ByName(M.Optimizers), M.Optimizers);
    } else if (I.Name == "runtime") {
      Rec->Runtime = Named(
          I, "runtime", [&](llvm::StringRef N) { return M.findRuntime(N); }, M.Runtimes);
    } else if (I.Name == "precision" || I.Name == "grads" || I.Name == "compute") {
      const PrecisionRecord *P = precisionField(I);
      OK &= P != nullptr;
      (I.Name == "precision" ? Rec->Precision
       : I.Name == "grads"   ? Rec->Grads
                             : Rec->Compute) = P;
    }
  }
  std::vector<FieldSpec> Specs = trainingFields(M);
  // A field refused here (a count that is not positive, `devices = 0`) is left out of the record,
  // so its count keeps a default the layout checks below cannot divide by: none of them runs.
  const unsigned ErrorsBefore = Diags.errorCount();
  checkFields(*this, D.Items, Specs, What, Rec->Fields, false,
              {"model", "system", "optimizer", "runtime", "precision", "grads", "compute"});
  if (Diags.errorCount() != ErrorsBefore)
    OK = false;
  bool HasDP = false;
  const FieldValue *Sequence = nullptr;
  for (const FieldValue &F : Rec->Fields) {
    if (F.V.T.K == Type::Int && F.Name != "zero" && F.V.I > MaxCount) {
      Diags.report(F.Range, diag::err_field_value, F.Name,
                   fmt::format("must be at most 2^40, found {}", F.V.I));
      OK = false;
      continue;
    }
    if (F.V.T.K == Type::Quantity && F.V.T.D == Dim::of(BaseDim::Token) &&
        (!isInt64(F.V.R) || F.V.R > double(MaxCount) * 1e6)) {
      Diags.report(F.Range, diag::err_field_value, F.Name,
                   "must be a whole number of tokens below 2^60, found " + F.V.str());
      OK = false;
      continue;
    }
    for (const char *L : {"tp", "pp", "cp", "dp", "ep", "interleave", "micro_batch", "recompute",
                          "zero", "sequence_parallel"})
      if (F.Name == L)
        Rec->Fixed.push_back(L);
    if (F.Name == "plan")
      Rec->Plan = F.V.S == "auto";
    else if (F.Name == "devices")
      Rec->Devices = F.V.I;
    else if (F.Name == "tp")
      Rec->TP = F.V.I;
    else if (F.Name == "pp")
      Rec->PP = F.V.I;
    else if (F.Name == "dp") {
      Rec->DP = F.V.I;
      HasDP = true;
    } else if (F.Name == "ep")
      Rec->EP = F.V.I;
    else if (F.Name == "cp")
      Rec->CP = F.V.I;
    else if (F.Name == "interleave")
      Rec->Interleave = F.V.I;
    else if (F.Name == "micro_batch")
      Rec->MicroBatch = F.V.I;
    else if (F.Name == "global_batch")
      Rec->GlobalBatch = F.V.I;
    else if (F.Name == "sequence") {
      Rec->Sequence = static_cast<int64_t>(F.V.R);
      Sequence = &F;
    } else if (F.Name == "recompute")
      Rec->Recomp = F.V.S == "full"        ? Recompute::Full
                    : F.V.S == "selective" ? Recompute::Selective
                                           : Recompute::None;
    else if (F.Name == "sequence_parallel")
      Rec->SequenceParallel = F.V.B;
    else if (F.Name == "dropout")
      Rec->Dropout = F.V.B;
    else if (F.Name == "flash_attention")
      Rec->FlashAttention = F.V.B;
    else if (F.Name == "overlap_grad")
      Rec->OverlapGrad = F.V.B;
    else if (F.Name == "uneven_stages")
      Rec->UnevenStages = F.V.B;
    else if (F.Name == "zero") {
      if (F.V.I < 0 || F.V.I > 3) {
        Diags.report(F.Range, diag::err_field_value, F.Name,
                     fmt::format("must be 0, 1, 2 or 3, found {}", F.V.I));
        OK = false;
      }
      Rec->Zero = F.V.I;
    } else if (F.Name == "tokens")
      Rec->Tokens = F.V.R;
    else if (F.Name == "calibration")
      Rec->Calibration = F.V.B;
    else if (F.Name == "regime")
      Rec->Regime = F.V.S;
  }
  // (A missing count, `devices` among them, leaves the layout checks below nothing to divide.)
  if (!requireFields(*this, D.Items, Specs, "training", D.Name, D.NameRange))
    OK = false;
  for (const char *Required : {"model", "system"}) {
    bool Found = false;
    for (const Item &I : D.Items)
      Found |= I.K == Item::Field && I.Name == Required;
    if (!Found) {
      Diags.report(D.NameRange, diag::err_missing_field, "training", D.Name, Required);
      OK = false;
    }
  }
  if (!Rec->Precision)
    Rec->Precision = M.findPrecision("bf16");
  if (!Rec->Grads)
    Rec->Grads = Rec->Precision;
  if (!Rec->Compute)
    Rec->Compute = Rec->Precision;
  if (!Rec->Opt)
    for (const auto &O : M.Optimizers)
      if (O->Name == "adam")
        Rec->Opt = O.get();
  if (!Rec->Opt) {
    Diags.report(D.NameRange, diag::err_missing_field, "training", D.Name, "optimizer");
    OK = false;
  }
  // Models with an input (the cost model's Stats come later): their work is per input, with no
  // sequence.
  bool PerInput = false;
  if (Rec->Model && Rec->Model->Root)
    for (const auto &C : Rec->Model->Root->Children)
      PerInput |= C->K == LayerNode::Primitive && C->Prim == PrimitiveKind::input;
  if (Rec->Model && !PerInput && !Sequence) {
    Diags.report(D.NameRange, diag::err_missing_field, "training", D.Name, "sequence");
    OK = false;
  }
  if (Rec->Model && !Rec->Model->Root)
    OK = false; // its expansion failed and was reported
  // The layout: every count divides the ones it must.
  auto Layout = [&](const std::string &Why) {
    Diags.report(D.NameRange, diag::err_training_layout, D.Name, Why);
    OK = false;
  };
  if (Rec->Plan) {
    // The planner checks every layout it tries; what the record fixes must still agree.
    if (OK && HasDP && Rec->Devices % Rec->DP)
      Layout(fmt::format("dp ({}) does not divide the {} devices", Rec->DP, Rec->Devices));
  } else if (OK && Rec->Devices > 0) {
    int64_t Inner = Rec->TP * Rec->PP * Rec->CP;
    if (!HasDP) {
      if (Rec->Devices % Inner)
        Layout(fmt::format("devices ({}) are not a multiple of tp x pp x cp ({})", Rec->Devices,
                           Inner));
      else
        Rec->DP = Rec->Devices / Inner;
    } else if (Inner * Rec->DP != Rec->Devices) {
      Layout(fmt::format("tp x pp x cp x dp is {}, not the {} devices", Inner * Rec->DP,
                         Rec->Devices));
    }
  }
  if (OK && !Rec->Plan && Rec->DP % Rec->EP)
    Layout(fmt::format("ep ({}) does not divide dp ({}): expert ranks are data-parallel ranks",
                       Rec->EP, Rec->DP));
  if (OK && !Rec->Plan && Rec->GlobalBatch % (Rec->DP * Rec->MicroBatch))
    Layout(fmt::format("global_batch ({}) is not a multiple of dp x micro_batch ({})",
                       Rec->GlobalBatch, Rec->DP * Rec->MicroBatch));
  if (OK && !Rec->Plan && Rec->Sequence % Rec->CP)
    Layout(fmt::format("the sequence ({} tokens) does not split into cp ({}) equal parts",
                       Rec->Sequence, Rec->CP));
  if (OK && Rec->Interleave > 1 && Rec->PP == 1)
    Layout("interleave needs pipeline parallelism (pp > 1)");
  if (OK && Rec->System) {
    if (!Rec->System->Hw) {
      OK = false; // the system was reported
    } else {
      const HardwareRecord &H = *Rec->System->Hw;
      const Section *Dense = nullptr;
      bool HasMemory = false;
      for (const Section &S : H.Sections) {
        if (S.Kind == "compute")
          Dense = &S;
        HasMemory |= S.Kind == "memory";
      }
      if (!HasMemory) {
        Diags.report(D.NameRange, diag::err_no_memory, H.Name);
        OK = false;
      }
      for (const PrecisionRecord *P : {Rec->Precision, Rec->Compute})
        if (P && (!Dense || !Dense->field(P->Name))) {
          Diags.report(D.NameRange, diag::err_no_peak, H.Name, P->Name);
          OK = false;
          break;
        }
      int64_t Nodes = (Rec->Devices + Rec->System->Devices - 1) / Rec->System->Devices;
      if (Rec->System->MaxNodes && Nodes > Rec->System->MaxNodes) {
        Diags.report(D.NameRange, diag::err_training_layout, D.Name,
                     fmt::format("{} devices need {} nodes of `{}`, which has at most {}",
                                 Rec->Devices, Nodes, Rec->System->Name, Rec->System->MaxNodes));
        OK = false;
      }
      if (Nodes > 1 && !Rec->System->Network && Rec->Devices > Rec->System->Devices) {
        Diags.report(D.NameRange, diag::err_training_layout, D.Name,
                     fmt::format("{} devices span {} nodes of `{}`, which declares no network",
                                 Rec->Devices, Nodes, Rec->System->Name));
        OK = false;
      }
    }
  }
  // Expectations and measurements, typed by the metric.
  metricItems(D.Items, What, Rec->Sources, lookupTrainingMetric, trainingMetricNames,
              trainingMetricType, /*TakesIdeal=*/true,
              [&](const Item &I, TrainingMetric K, const Value &V, bool Ideal) {
                if (I.K == Item::Measured)
                  Rec->Measured.push_back({K, V, I.Text, I.Range});
                else
                  Rec->Expects.push_back(
                      {K, Ideal, I.K == Item::ExpectNear, V, I.Tolerance, I.Range});
              });
  if (!OK)
    Rec->Model = nullptr; // not analysed
  M.Trainings.push_back(std::move(Rec));
}
