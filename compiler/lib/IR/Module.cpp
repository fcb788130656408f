//===- Module.cpp - lookups over the checked IR ---------------------------===//
//
// Tables of primitives, metrics and scenario metrics, and lookups of records by name: a hash
// index kept by Module::add(), so that looking up every scenario's model is linear, not
// quadratic, in the number of records.
//
#include "zoo/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include <algorithm>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <mutex>

using namespace zoo;

std::optional<PrimitiveKind> zoo::lookupPrimitive(llvm::StringRef Name) {
#define PRIMITIVE(NAME, PARAMS, BODY)                                                              \
  if (Name == #NAME)                                                                               \
    return PrimitiveKind::NAME;
#include "zoo/IR/Primitives.def"
  return std::nullopt;
}

llvm::StringRef zoo::primitiveParams(PrimitiveKind K) {
  switch (K) {
#define PRIMITIVE(NAME, PARAMS, BODY)                                                              \
  case PrimitiveKind::NAME:                                                                        \
    return PARAMS;
#include "zoo/IR/Primitives.def"
  }
  llvm_unreachable("unknown primitive");
}

bool zoo::primitiveHasBody(PrimitiveKind K) {
  switch (K) {
#define PRIMITIVE(NAME, PARAMS, BODY)                                                              \
  case PrimitiveKind::NAME:                                                                        \
    return BODY;
#include "zoo/IR/Primitives.def"
  }
  llvm_unreachable("unknown primitive");
}

std::optional<MetricKind> zoo::lookupMetric(llvm::StringRef Name) {
#define METRIC(NAME, PARAMS, UNIT, DESC)                                                           \
  if (Name == #NAME)                                                                               \
    return MetricKind::NAME;
#include "zoo/IR/Metrics.def"
  return std::nullopt;
}

namespace {
struct MetricInfo {
  const char *Name, *Params, *Unit;
};
constexpr MetricInfo MetricInfos[] = {
#define METRIC(NAME, PARAMS, UNIT, DESC) {#NAME, PARAMS, UNIT},
#include "zoo/IR/Metrics.def"
};
} // namespace

llvm::StringRef zoo::metricName(MetricKind K) { return MetricInfos[static_cast<int>(K)].Name; }
llvm::StringRef zoo::metricParams(MetricKind K) { return MetricInfos[static_cast<int>(K)].Params; }
llvm::StringRef zoo::metricUnit(MetricKind K) { return MetricInfos[static_cast<int>(K)].Unit; }

std::vector<std::string> zoo::metricNames() {
  std::vector<std::string> N;
  for (const MetricInfo &I : MetricInfos)
    N.push_back(I.Name);
  return N;
}

const std::vector<Binding> &ArgList::emptyList() {
  static const std::vector<Binding> Empty;
  return Empty;
}

namespace {
/// Bitwise identity of two values: the same type, fields and spelling (a real's bits, so -0.0 and
/// 0.0 stay apart).
bool sameValue(const Value &A, const Value &B) {
  uint64_t RA, RB;
  std::memcpy(&RA, &A.R, sizeof RA);
  std::memcpy(&RB, &B.R, sizeof RB);
  return A.T.K == B.T.K && A.T.D.Exp == B.T.D.Exp && A.T.E == B.T.E && A.I == B.I && RA == RB &&
         A.B == B.B && A.S == B.S && A.Unit == B.Unit;
}

uint64_t hashList(const std::vector<Binding> &L) {
  uint64_t H = 1469598103934665603ull;
  auto Mix = [&H](uint64_t X) { H = (H ^ X) * 1099511628211ull; };
  for (const Binding &B : L) {
    const Value &V = B.second;
    uint64_t R;
    std::memcpy(&R, &V.R, sizeof R);
    Mix(reinterpret_cast<uintptr_t>(B.first.data()));
    Mix(static_cast<uint64_t>(V.T.K));
    Mix(static_cast<uint64_t>(V.I));
    Mix(R);
    Mix(reinterpret_cast<uintptr_t>(V.S.data()));
  }
  return H ^ (H >> 29); // the low bits pick the slot
}

bool sameList(const Binding *A, size_t N, const std::vector<Binding> &B) {
  if (N != B.size())
    return false;
  for (size_t I = 0; I < N; ++I)
    if (A[I].first != B[I].first || !sameValue(A[I].second, B[I].second))
      return false;
  return true;
}

/// The process's argument lists, each stored once, found by an open-addressing table whose slots
/// hold the hash and the elements' address: a lookup touches the slot and, when the hash agrees,
/// the elements (a node-based set touched a bucket, a node and the vector before the elements,
/// each a cache miss in a large registry).
class ListPool {
public:
  const std::vector<Binding> &intern(std::vector<Binding> V) {
    std::lock_guard<std::mutex> Lock(M);
    uint64_t H = hashList(V);
    if (2 * (Used + 1) > Slots.size())
      grow();
    size_t Mask = Slots.size() - 1;
    for (size_t I = H & Mask;; I = (I + 1) & Mask) {
      Slot &S = Slots[I];
      if (!S.List) {
        V.shrink_to_fit();
        Lists.push_back(std::move(V));
        S = {H, Lists.back().data(), Lists.back().size(), &Lists.back()};
        ++Used;
        return Lists.back();
      }
      if (S.Hash == H && sameList(S.Data, S.Size, V))
        return *S.List;
    }
  }

private:
  struct Slot {
    uint64_t Hash = 0;
    const Binding *Data = nullptr;
    size_t Size = 0;
    const std::vector<Binding> *List = nullptr; ///< null: empty
  };
  std::mutex M;
  std::vector<Slot> Slots = std::vector<Slot>(1024);
  size_t Used = 0;
  std::deque<std::vector<Binding>> Lists; ///< never moved: the slots point into them

  void grow() {
    std::vector<Slot> Old(Slots.size() * 2);
    Old.swap(Slots);
    size_t Mask = Slots.size() - 1;
    for (const Slot &S : Old)
      if (S.List) {
        size_t I = S.Hash & Mask;
        while (Slots[I].List)
          I = (I + 1) & Mask;
        Slots[I] = S;
      }
  }
};
} // namespace

const std::vector<Binding> &ArgList::intern(std::vector<Binding> V) {
  if (V.empty())
    return emptyList();
  static ListPool *P = new ListPool; // never destroyed: lists may be read during static destruction
  return P->intern(std::move(V));
}

const Value *LayerNode::arg(llvm::StringRef N) const {
  // The passes ask by short literal names, many times a node: compared in line, byte by byte
  // (a call of memcmp costs more than these names).
  for (const Binding &B : Args) {
    llvm::StringRef K = B.first.ref();
    if (K.size() != N.size())
      continue;
    size_t I = 0;
    while (I < N.size() && K[I] == N[I])
      ++I;
    if (I == N.size())
      return &B.second;
  }
  return nullptr;
}

static const FieldValue *findField(const std::vector<FieldValue> &Fs, llvm::StringRef N) {
  for (const FieldValue &F : Fs)
    if (F.Name == N)
      return &F;
  return nullptr;
}

const FieldValue *Section::field(llvm::StringRef N) const { return findField(Fields, N); }

std::vector<std::pair<double, const FieldValue *>> zoo::allReducePoints(const Section &S) {
  std::vector<std::pair<double, const FieldValue *>> Points;
  for (const FieldValue &F : S.Fields)
    if (const double Bytes = allReduceKeyBytes(F.Name))
      Points.push_back({Bytes, &F});
  std::sort(Points.begin(), Points.end(),
            [](const auto &A, const auto &B) { return A.first < B.first; });
  return Points;
}

double zoo::allReduceKeyBytes(llvm::StringRef Key) {
  if (!Key.consume_front("at_"))
    return 0;
  double Unit = 0;
  for (auto [Suffix, Scale] : {std::pair<const char *, double>{"GiB", 1073741824.0},
                               {"MiB", 1048576.0},
                               {"KiB", 1024.0},
                               {"B", 1.0}})
    if (Key.consume_back(Suffix)) {
      Unit = Scale;
      break;
    }
  uint64_t N = 0;
  if (!Unit || Key.empty() || Key.getAsInteger(10, N) || N == 0 || N > (1u << 30))
    return 0;
  return static_cast<double>(N) * Unit;
}
const FieldValue *Record::field(llvm::StringRef N) const { return findField(Fields, N); }

const MetricResult *ModelRecord::evaluated(MetricKind K, llvm::StringRef Prec) const {
  for (const MetricResult &R : Evaluated)
    if (R.Metric == K && (Prec.empty() || (R.Args.Precision && R.Args.Precision->Name == Prec)))
      return &R;
  return nullptr;
}

template <typename R>
const R *Module::NameIndex<R>::find(const std::vector<std::unique_ptr<R>> &List,
                                    llvm::StringRef Name) const {
  if (Size == List.size())
    return Map.lookup(Name);
  for (const auto &X : List)
    if (X->Name == Name)
      return X.get();
  return nullptr;
}

template <typename R> void Module::NameIndex<R>::add(const R *X) {
  Map.try_emplace(X->Name, X);
  ++Size;
}

template <typename R>
void Module::NameIndex<R>::rebuild(const std::vector<std::unique_ptr<R>> &List) {
  Map.clear();
  Size = 0;
  for (const auto &X : List)
    add(X.get());
}

template <typename R>
R *Module::NameIndex<R>::append(std::vector<std::unique_ptr<R>> &List, std::unique_ptr<R> X) {
  // A list that grew or shrank behind the index's back is indexed anew first.
  if (Size != List.size())
    rebuild(List);
  add(X.get());
  List.push_back(std::move(X));
  return List.back().get();
}

ModelRecord *Module::add(std::unique_ptr<ModelRecord> R) {
  return ModelIndex.append(Models, std::move(R));
}
HardwareRecord *Module::add(std::unique_ptr<HardwareRecord> R) {
  return HardwareIndex.append(Hardware, std::move(R));
}
PrecisionRecord *Module::add(std::unique_ptr<PrecisionRecord> R) {
  return PrecisionIndex.append(Precisions, std::move(R));
}
RuntimeRecord *Module::add(std::unique_ptr<RuntimeRecord> R) {
  return RuntimeIndex.append(Runtimes, std::move(R));
}

PipelineRecord *Module::add(std::unique_ptr<PipelineRecord> R) {
  return PipelineIndex.append(Pipelines, std::move(R));
}

void Module::reindex() {
  ModelIndex.rebuild(Models);
  PipelineIndex.rebuild(Pipelines);
  HardwareIndex.rebuild(Hardware);
  PrecisionIndex.rebuild(Precisions);
  RuntimeIndex.rebuild(Runtimes);
}

const ModelRecord *Module::findModel(llvm::StringRef Name) const {
  return ModelIndex.find(Models, Name);
}

const PipelineRecord *Module::findPipeline(llvm::StringRef Name) const {
  return PipelineIndex.find(Pipelines, Name);
}

const PrecisionRecord *Module::findPrecision(llvm::StringRef Name) const {
  return PrecisionIndex.find(Precisions, Name);
}

const FileUnit *Module::fileOf(llvm::SMLoc Loc, const llvm::SourceMgr &SM) const {
  unsigned ID = SM.FindBufferContainingLoc(Loc);
  for (const auto &F : Files)
    if (F->BufferID == ID)
      return F.get();
  return nullptr;
}

namespace {
struct ScenarioMetricInfo {
  const char *Name, *Type;
};
constexpr ScenarioMetricInfo ScenarioInfos[] = {
#define SCENARIO_METRIC(NAME, TYPE, DESC) {#NAME, TYPE},
#include "zoo/IR/ScenarioMetrics.def"
};
} // namespace

std::optional<ScenarioMetric> zoo::lookupScenarioMetric(llvm::StringRef Name) {
  for (int I = 0; I < NumScenarioMetrics; ++I)
    if (Name == ScenarioInfos[I].Name)
      return static_cast<ScenarioMetric>(I);
  return std::nullopt;
}
llvm::StringRef zoo::scenarioMetricName(ScenarioMetric K) {
  return ScenarioInfos[static_cast<int>(K)].Name;
}
llvm::StringRef zoo::scenarioMetricType(ScenarioMetric K) {
  return ScenarioInfos[static_cast<int>(K)].Type;
}
std::vector<std::string> zoo::scenarioMetricNames() {
  std::vector<std::string> N;
  for (const auto &I : ScenarioInfos)
    N.push_back(I.Name);
  return N;
}

const Value *zoo::findResult(const std::vector<std::pair<ScenarioMetric, Value>> &Rs,
                             ScenarioMetric K) {
  for (const auto &R : Rs)
    if (R.first == K)
      return &R.second;
  return nullptr;
}
const Value *ScenarioRecord::result(ScenarioMetric K) const { return findResult(Results, K); }
const Value *ScenarioRecord::ideal(ScenarioMetric K) const { return findResult(Ideal, K); }

int64_t ScenarioRecord::steps() const { return Steps ? *Steps : Pipeline ? Pipeline->Steps : 0; }

bool ScenarioRecord::guidance() const {
  return Guidance ? *Guidance : Pipeline && Pipeline->Guidance;
}

const PrecisionRecord *ScenarioRecord::computeUnder(const RuntimeRecord *R) const {
  return ComputeGiven || !R ? Compute : R->computeFor(Weights, Activations, Compute);
}

const PrecisionRecord *ScenarioRecord::expertComputeUnder(const RuntimeRecord *R) const {
  if (ExpertCompute)
    return ExpertCompute;
  if (ComputeGiven || !ExpertWeights || !R)
    return computeUnder(R);
  return R->computeFor(ExpertWeights, Activations, Compute);
}

const std::string &ScenarioRecord::modelName() const {
  static const std::string Unknown = "?";
  return Pipeline ? Pipeline->Name : Model ? Model->Name : Unknown;
}

const PrecisionRecord *RuntimeRecord::computeFor(const PrecisionRecord *W, const PrecisionRecord *A,
                                                 const PrecisionRecord *C) const {
  if (QuantizedCompute && W && W->Group)
    return QuantizedCompute;
  if (Fp16Compute && A && A->Name == "fp16")
    return Fp16Compute;
  return C;
}

const FieldValue *RuntimeRecord::factor(llvm::StringRef Kind, llvm::StringRef Kernel,
                                        llvm::StringRef Prec) const {
  for (const Section &S : Sections)
    if (S.Kind == Kind && S.Name == Kernel) {
      if (const FieldValue *F = S.field(Prec))
        return F;
      return S.field("any");
    }
  return nullptr;
}

const RuntimeRecord *Module::findRuntime(llvm::StringRef Name) const {
  return RuntimeIndex.find(Runtimes, Name);
}

const RuntimeRecord *Module::defaultRuntime() const {
  for (const auto &R : Runtimes)
    if (R->IsDefault)
      return R.get();
  return nullptr;
}

const RuntimeRecord *Module::defaultRuntime(const HardwareRecord *Hw) const {
  if (Hw && Hw->DefaultRuntime)
    return Hw->DefaultRuntime;
  if (Hw)
    for (const auto &R : Runtimes)
      if (!R->DefaultFor.empty() && R->DefaultFor == Hw->Class)
        return R.get();
  return defaultRuntime();
}

const HardwareRecord *Module::findHardware(llvm::StringRef Name) const {
  return HardwareIndex.find(Hardware, Name);
}

Module::DeviceMeasurements Module::measurementsOn(const HardwareRecord *Hw) const {
  DeviceMeasurements D;
  auto Count = [&](bool Calibration, size_t N) {
    (Calibration ? D.Calibration : D.HeldOut) += static_cast<int>(N);
  };
  for (const auto *List : {&Scenarios, &HiddenScenarios})
    for (const auto &S : *List)
      if (S->Hw == Hw)
        Count(S->Calibration, S->Measured.size());
  for (const auto *List : {&Servings, &HiddenServings})
    for (const auto &S : *List)
      if (S->Replica && S->Replica->Hw == Hw)
        Count(S->Calibration, S->Measured.size());
  for (const auto *List : {&Trainings, &HiddenTrainings})
    for (const auto &T : *List)
      if (T->System && T->System->Hw == Hw)
        Count(T->Calibration, T->Measured.size());
  return D;
}

namespace {
struct TrainingMetricInfo {
  const char *Name, *Type, *Description;
};
constexpr TrainingMetricInfo TrainingInfos[] = {
#define TRAINING_METRIC(NAME, TYPE, DESC) {#NAME, TYPE, DESC},
#include "zoo/IR/TrainingMetrics.def"
};

const Value *findTrainingResult(const std::vector<std::pair<TrainingMetric, Value>> &Rs,
                                TrainingMetric K) {
  for (const auto &R : Rs)
    if (R.first == K)
      return &R.second;
  return nullptr;
}
} // namespace

std::optional<TrainingMetric> zoo::lookupTrainingMetric(llvm::StringRef Name) {
  for (int I = 0; I < NumTrainingMetrics; ++I)
    if (Name == TrainingInfos[I].Name)
      return static_cast<TrainingMetric>(I);
  return std::nullopt;
}
llvm::StringRef zoo::trainingMetricName(TrainingMetric K) {
  return TrainingInfos[static_cast<int>(K)].Name;
}
llvm::StringRef zoo::trainingMetricType(TrainingMetric K) {
  return TrainingInfos[static_cast<int>(K)].Type;
}
llvm::StringRef zoo::trainingMetricDescription(TrainingMetric K) {
  return TrainingInfos[static_cast<int>(K)].Description;
}
std::vector<std::string> zoo::trainingMetricNames() {
  std::vector<std::string> N;
  for (const auto &I : TrainingInfos)
    N.push_back(I.Name);
  return N;
}
const Value *TrainingRecord::result(TrainingMetric K) const {
  return findTrainingResult(Results, K);
}
const Value *TrainingRecord::ideal(TrainingMetric K) const { return findTrainingResult(Ideal, K); }

namespace {
struct ServingMetricInfo {
  const char *Name, *Type;
};
constexpr ServingMetricInfo ServingInfos[] = {
#define SERVING_METRIC(NAME, TYPE, DESC) {#NAME, TYPE},
#include "zoo/IR/ServingMetrics.def"
};
} // namespace

std::optional<ServingMetric> zoo::lookupServingMetric(llvm::StringRef Name) {
  for (int I = 0; I < NumServingMetrics; ++I)
    if (Name == ServingInfos[I].Name)
      return static_cast<ServingMetric>(I);
  return std::nullopt;
}
llvm::StringRef zoo::servingMetricName(ServingMetric K) {
  return ServingInfos[static_cast<int>(K)].Name;
}
llvm::StringRef zoo::servingMetricType(ServingMetric K) {
  return ServingInfos[static_cast<int>(K)].Type;
}
std::vector<std::string> zoo::servingMetricNames() {
  std::vector<std::string> N;
  for (const auto &I : ServingInfos)
    N.push_back(I.Name);
  return N;
}
Value zoo::metricValue(llvm::StringRef Type, double V, llvm::StringRef Unit) {
  if (Type == "real")
    return Value::ofReal(V);
  Value X;
  X.T = Type::quantity(*lookupDimension(Type));
  X.R = V;
  X.Unit = Unit.str();
  return X;
}

const Value *ServingRecord::result(ServingMetric K) const {
  for (const auto &R : Results)
    if (R.first == K)
      return &R.second;
  return nullptr;
}
const Value *ServingRecord::ideal(ServingMetric K) const {
  for (const auto &R : Ideal)
    if (R.first == K)
      return &R.second;
  return nullptr;
}

std::string PriceRecord::unusable(PriceTerm T, const GridRecord *G) const {
  if (!Hw)
    return fmt::format("price `{}` names no known hardware", Name);
  if (!owned()) {
    double Rate = T == PriceTerm::OnDemand     ? Hourly
                  : T == PriceTerm::Reserved1y ? Reserved1y
                                               : Reserved3y;
    return Rate > 0 ? "" : fmt::format("price `{}` states no `{}` rate", Name, termName(T));
  }
  if (!G || !(G->Electricity > 0))
    return fmt::format("price `{}` is a purchase: its running cost needs a `grid` record that "
                       "states `electricity`",
                       Name);
  if (!(Power > 0) && !(Hw && Hw->field("tdp")))
    return fmt::format("price `{}` is a purchase: it states no `power` and its hardware no `tdp`",
                       Name);
  return "";
}
