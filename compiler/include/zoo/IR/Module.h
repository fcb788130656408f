//===- Module.h - the checked IR: records of models, hardware, precisions -*- C++ -*-===//
//
// The Module owns every parsed file and every checked record, like TableGen's RecordKeeper.
// Records form an LLVM-RTTI hierarchy. A ModelRecord holds its bound arguments and its expanded
// layer tree (LayerNode), whose leaves are primitives with constant arguments. Passes write
// metrics into ModelStats; backends only read.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_IR_MODULE_H
#define ZOO_IR_MODULE_H

#include "zoo/Basic/Checked.h"
#include "zoo/IR/AST.h"
#include "zoo/IR/Value.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace zoo {

enum class PrimitiveKind {
#define PRIMITIVE(NAME, PARAMS, BODY) NAME,
#include "zoo/IR/Primitives.def"
};
/// The primitive named `Name`, if the compiler has one.
std::optional<PrimitiveKind> lookupPrimitive(llvm::StringRef Name);
llvm::StringRef primitiveParams(PrimitiveKind K);
/// Whether the primitive wraps a body (`experts(8, 2) { ... }`).
bool primitiveHasBody(PrimitiveKind K);

enum class MetricKind {
#define METRIC(NAME, PARAMS, UNIT, DESC) NAME,
#include "zoo/IR/Metrics.def"
};
constexpr int NumMetrics = 0
#define METRIC(NAME, PARAMS, UNIT, DESC) +1
#include "zoo/IR/Metrics.def"
    ;
std::optional<MetricKind> lookupMetric(llvm::StringRef Name);
llvm::StringRef metricName(MetricKind K);
/// The metric's parameters, e.g. `precision, context`.
llvm::StringRef metricParams(MetricKind K);
llvm::StringRef metricUnit(MetricKind K);
std::vector<std::string> metricNames();

class PrecisionRecord;
class RuntimeRecord;

/// The arguments of a metric (see Metrics.def); unused ones stay at their defaults.
struct MetricArgs {
  const PrecisionRecord *Precision = nullptr, *Weights = nullptr, *KV = nullptr;
  int64_t Context = 0, Tokens = 0, Prompt = 0, Output = 0, Batch = 1;
};

/// An argument bound by name (names are atoms: a model binds thousands, a few dozen distinct).
using Binding = std::pair<Atom, Value>;

/// The bound arguments of a layer node, stored once for each distinct list in the process (hash-
/// consed, as LLVM uniques its constants): the stdlib's blocks call the same primitives with the
/// same sizes in layer after layer and model after model, and a list is about fifty bytes a
/// binding. Read like a const vector; a node's list is replaced, never changed in place. Lists are
/// never freed.
class ArgList {
public:
  ArgList() : P(&emptyList()) {}
  explicit ArgList(std::vector<Binding> V) : P(&intern(std::move(V))) {}

  const std::vector<Binding> &vec() const { return *P; }
  operator const std::vector<Binding> &() const { return *P; }
  std::vector<Binding>::const_iterator begin() const { return P->begin(); }
  std::vector<Binding>::const_iterator end() const { return P->end(); }
  size_t size() const { return P->size(); }
  bool empty() const { return P->empty(); }
  const Binding &front() const { return P->front(); }
  const Binding &operator[](size_t I) const { return (*P)[I]; }

private:
  static const std::vector<Binding> &emptyList();
  static const std::vector<Binding> &intern(std::vector<Binding> V);
  const std::vector<Binding> *P;
};

/// One node of a model's expanded architecture. A model has thousands, so the node is kept small:
/// names are atoms, and what only the layer table reads sits behind a pointer.
struct LayerNode {
  enum Kind : uint8_t { Primitive, Block, Repeat, For, Iteration };
  /// Filled by the cost model when a layer table is wanted: one execution of this node
  /// (children included; a repeat node counts every repetition).
  struct Cost {
    __int128 Params = 0, Macs = 0;
  };
  Atom Name;                       ///< instance name, or the callee's name
  const BlockDecl *Decl = nullptr; ///< Primitive and Block nodes
  ArgList Args;                    ///< Primitive/Block: all arguments; Iteration: the index
  int64_t Count = 1;               ///< Repeat: how many times the children repeat
  std::vector<std::unique_ptr<LayerNode>> Children;
  llvm::SMRange Range; ///< the statement that made this node
  /// Tensor shapes of models with an `input`: (C, H, W), (tokens, dim) or (features).
  std::vector<int64_t> InShape, OutShape;
  std::unique_ptr<Cost> Counted; ///< the layer table's counts; null until the cost model sets them
  Kind K;
  PrimitiveKind Prim{}; ///< Primitive nodes

  Wide params() const { return Counted ? Counted->Params : 0; }
  Wide macs() const { return Counted ? Counted->Macs : 0; }

  const Value *arg(llvm::StringRef Name) const;
};

struct FieldValue {
  std::string Name;
  Value V;
  llvm::SMRange Range;
  std::string Source;
};

/// The message size in bytes that a key of a hardware record's `all_reduce` section names
/// (`at_16MiB`: 16 x 2^20; B, KiB, MiB or GiB), or 0 when the key names none.
double allReduceKeyBytes(llvm::StringRef Key);
struct Section;
/// The sizes an `all_reduce` section measures, ascending: (bytes, its field).
std::vector<std::pair<double, const FieldValue *>> allReducePoints(const Section &S);

struct Section {
  std::string Kind, Name;
  llvm::SMRange Range;
  std::vector<FieldValue> Fields;
  const FieldValue *field(llvm::StringRef N) const;
};

struct Expectation {
  MetricKind Metric;
  MetricArgs Args;
  std::string ArgsText; ///< `(bf16, context: 32768)` as written, for messages
  bool Near = false;
  Value Expected;
  double TolerancePercent = 0;
  llvm::SMRange Range;
};

/// Attention of one kind (same window, chunk, top-k and causality), summed over every layer that
/// has it. Per token at position c it costs MacsCoef * seen(c) MACs, where seen(c) is c, min(c,
/// Window) with a window, min(c, TopK) with top-k sparse attention, or (c - 1) mod Chunk + 1 with
/// chunks (the token's own chunk up to itself); each token adds KVValues values to the cache,
/// which holds min(c, Window) or min(c, Chunk) positions (a chunk's positions are released when
/// the next chunk starts), or all c with top-k (any of them may be chosen later).
struct AttentionTerm {
  int64_t Window = 0;
  int64_t Chunk = 0; ///< chunked attention (causal, no window); 0: none
  int64_t TopK = 0;  ///< top-k sparse attention (causal, no window or chunk); 0: none
  /// The positions a token reads at most: the window, or top-k's k (0: no cap; chunks aside).
  int64_t reach() const { return Window > 0 ? Window : TopK; }
  bool Causal = true;
  Wide MacsCoef = 0;   ///< sum of heads * (head_dim + v_head_dim)
  /// MacsCoef as engines run a decode step: heads * (cache + latent) where `latent` is given
  /// (multi-head latent attention with the up-projections absorbed), else the same.
  Wide DecodeMacsCoef = 0;
  Wide ScoresCoef = 0; ///< sum of heads: softmax elements per visible position
  Wide KVValues = 0;   ///< cache values per token (kv_heads * (head_dim + v_head_dim), or cache)
  /// KVValues by the pieces a token's cache splits into over tensor-parallel ranks: its
  /// key-value heads, or 1 for a `cache` every rank keeps whole (a latent). Ranks beyond the
  /// pieces hold copies (LanguageModel.h, kvReplication).
  std::vector<std::pair<int64_t, Wide>> KVShards;
};

/// One routed-expert layer kind, for the expected number of distinct experts a batch reads.
struct ExpertTerm {
  int64_t Count = 0, TopK = 0;
  Wide ExpertParams = 0; ///< parameters of one expert
  Wide ExpertMacs = 0;   ///< MACs of one expert per token
  Wide Layers = 0;       ///< how many layers have this kind
};

/// Weights that tensor parallelism splits into at most `Shards` pieces (`linear`'s `shards`),
/// summed over the layers that have them: tensor ranks beyond the pieces hold copies of them and
/// repeat their work (LanguageModel.h, weightCopies).
struct ShardedWeights {
  int64_t Shards = 0;
  Wide Params = 0; ///< parameters held (every pass reads them)
  Wide Macs = 0;   ///< MACs a token
};

/// One operation of a model with an input (per input; `Count` repetitions of it).
struct KernelCost {
  Wide Macs = 0, Params = 0, InElements = 0, OutElements = 0;
  int64_t Count = 1;
  bool Elementwise = false; ///< norms, activations, batch norm, residual adds: fusable
  bool Attention = false;   ///< an `attend`: scores and values, products of two activations
};

/// What the passes compute for a model. Every context- or batch-dependent metric is a closed form
/// over these fields, so evaluating it costs O(number of attention kinds), not O(layers).
struct ModelStats {
  int64_t Params = 0;
  /// Parameters that `shared` weights' later uses read again, per token (per input): stored
  /// once, in `Params`, read at every use.
  int64_t SharedReadParams = 0;
  int64_t ActiveParams = 0;
  /// Active parameters as model vendors count them: every embedding table in full.
  int64_t ActiveParamsWithEmbeddings = 0;
  int64_t EmbeddingParams = 0;
  int64_t Layers = 0;
  Wide MacsConst = 0;     ///< per-token MACs that do not depend on the context (active path)
  Wide ElementsConst = 0; ///< per-token elementwise elements that do not depend on the context
  Wide StateValues = 0;   ///< per-sequence recurrent/conv state and cross-attention cache values
  /// The part of StateValues a decode step reads and writes back: the recurrent and convolution
  /// state (a fixed cross-attention cache is only read).
  Wide RecurrentValues = 0;
  int64_t Width = 0;      ///< residual width (the embedding or output-head dimension)
  bool PerInput = false;  ///< the model declares an `input`: work is per input (image), not token
  std::vector<int64_t> InputShape;
  Wide ActivationsWritten = 0; ///< elements every layer writes for one input
  Wide ActivationsPeak = 0;    ///< largest set of elements live at once for one input
  int64_t MaxWidth = 0;        ///< widest activation a linear layer produces or reads, per token
  /// Lookup tables (`embedding`): their parameters, and what one token reads of them (a row each).
  Wide LookupParams = 0, LookupRowParams = 0;
  /// Tables that a tied output head multiplies by in full (read whole at every step).
  Wide TiedHeadParams = 0;
  Wide HeadMacs = 0; ///< per-token MACs of the output heads (`lm_head`)
  /// Per token (active path): the input and the output features of every `linear` it runs
  /// (times `positions`): what FP8 training casts (its inputs, and its output gradients).
  Wide LinearInConst = 0, LinearOutConst = 0;
  /// Dense products outside the experts, by (in, out) features: how many a token runs; linear
  /// siblings run one after another on the same input (query, key and value) count as one.
  std::vector<std::pair<std::pair<int64_t, int64_t>, Wide>> DenseLinears;
  /// Operations one forward pass runs per position (primitives, repeats counted; an expert set
  /// counts its body once): all of them, and those left when elementwise work (norms,
  /// activations, residual adds) fuses into the operation before it.
  int64_t Ops = 0, FusedOps = 0;
  /// Models with an input: one entry per operation of the forward pass, in order.
  std::vector<KernelCost> Kernels;
  std::vector<AttentionTerm> Attention;
  std::vector<ExpertTerm> Experts;
  /// Linear layers outside the experts and encoder sections with a `shards` limit, by limit.
  std::vector<ShardedWeights> Sharded;
  /// Parameters of `auxiliary` heads: in the checkpoint and in memory, never read by inference.
  int64_t AuxiliaryParams = 0;
  /// Encoder-decoders (`encoder` sections). The fields above are then the decoder's, per
  /// generated token; the sections' work runs over the source (the prompt) once per request.
  bool HasEncoder = false;
  int64_t EncoderParams = 0; ///< parameters inside the sections (decode steps do not read them)
  int64_t EncoderLayers = 0; ///< of `Layers`, the loops directly inside top-level sections
  /// Of the lookup tables, those inside the sections, and what one source token reads of them.
  Wide EncoderLookupParams = 0, EncoderLookupRowParams = 0;
  Wide EncoderMacsConst = 0, EncoderElementsConst = 0; ///< per source token, less attention
  Wide EncoderLinearInConst = 0, EncoderLinearOutConst = 0; ///< per source token, as above
  int64_t EncoderOps = 0, EncoderFusedOps = 0;         ///< per source position
  std::vector<AttentionTerm> EncoderAttention;         ///< bidirectional, over the source
  /// The decoder's cross-attention per source position: MACs and softmax elements per generated
  /// token, cache values per sequence; and the source length it declares (`cross_len`), at
  /// which the per-token metrics are evaluated.
  Wide CrossMacsCoef = 0, CrossScoresCoef = 0, CrossKVValues = 0;
  int64_t SourceLen = 0;
  bool hasBidirectional() const {
    for (const AttentionTerm &A : Attention)
      if (!A.Causal)
        return true;
    return false;
  }
};

/// One evaluated metric, as reports show it.
struct MetricResult {
  MetricKind Metric;
  MetricArgs Args;
  std::optional<Value> V; ///< empty where the metric is undefined for the model
};

/// The KV cache (or recurrent state) of one kind of layer at the analysis point.
struct KVKind {
  std::string Kind;  ///< `causal attention`, `causal attention, window 4096`, `recurrent state`
  Value PerToken;    ///< bytes one token adds (0 for fixed state)
  Value PerSequence; ///< bytes of one sequence at the analysis context
};

/// Where reports evaluate the context- and batch-dependent metrics (the driver's --context,
/// --prompt, --output, --batch, --weights and --kv).
struct AnalysisPoint {
  int64_t Context = 4096, Prompt = 2048, Output = 256, Batch = 1;
  std::string Weights = "bf16", KV = "bf16";
};

enum class ScenarioMetric {
#define SCENARIO_METRIC(NAME, TYPE, DESC) NAME,
#include "zoo/IR/ScenarioMetrics.def"
};
constexpr int NumScenarioMetrics = 0
#define SCENARIO_METRIC(NAME, TYPE, DESC) +1
#include "zoo/IR/ScenarioMetrics.def"
    ;
std::optional<ScenarioMetric> lookupScenarioMetric(llvm::StringRef Name);
llvm::StringRef scenarioMetricName(ScenarioMetric K);
/// `s`, `tokens/s`, `bytes`, `J`, `FLOP/bytes`, `bound`, `bool`, `int` or `real`.
llvm::StringRef scenarioMetricType(ScenarioMetric K);
std::vector<std::string> scenarioMetricNames();
/// A metric's value from a double in base units: `real`, or a quantity of the dimension `Type`
/// names (a TrainingMetrics.def or ServingMetrics.def type) shown in `Unit`.
Value metricValue(llvm::StringRef Type, double V, llvm::StringRef Unit);

class Record {
public:
  enum Kind {
    Model,
    Hardware,
    Precision,
    Scenario,
    Pipeline,
    Runtime,
    System,
    Optimizer,
    Training,
    Workload,
    Serving,
    Price,
    Grid
  };
  Record(Kind K, std::string Name, llvm::SMRange R) : Name(std::move(Name)), Range(R), TheKind(K) {}
  virtual ~Record() = default;
  Kind getKind() const { return TheKind; }
  std::string Name;
  llvm::SMRange Range;
  std::vector<FieldValue> Fields;
  std::vector<std::string> Sources;
  const FieldValue *field(llvm::StringRef N) const;

private:
  Kind TheKind;
};

class ModelRecord : public Record {
public:
  ModelRecord(std::string N, llvm::SMRange R) : Record(Model, std::move(N), R) {}
  const ModelDecl *Decl = nullptr;
  const BlockDecl *Arch = nullptr;
  const ModelRecord *Base = nullptr; ///< `model B = A with (...)`: A
  std::vector<Binding> ExplicitArgs; ///< as written, base's first
  std::vector<Binding> Args;         ///< every parameter of Arch, defaults applied
  std::vector<Expectation> Expects;
  std::unique_ptr<LayerNode> Root; ///< null when expansion failed
  ModelStats Stats;
  /// Metrics at the module's AnalysisPoint, then `weight_bytes` at every precision.
  std::vector<MetricResult> Evaluated;
  std::vector<KVKind> KVByKind; ///< at the analysis point's context and KV precision
  /// The analysis point asks for a longer context (or prompt + output) than the model declares.
  bool BeyondContext = false;
  /// The evaluated `K` (for weight_bytes: at precision `Prec`), or null.
  const MetricResult *evaluated(MetricKind K, llvm::StringRef Prec = "") const;
  static bool classof(const Record *R) { return R->getKind() == Model; }
};

class HardwareRecord : public Record {
public:
  HardwareRecord(std::string N, llvm::SMRange R) : Record(Hardware, std::move(N), R) {}
  std::string Class; ///< gpu, tpu, npu, cpu, mcu
  /// What the class says analyses need (fields or section kinds) and this record lacks.
  std::vector<std::string> MissingForAnalysis;
  std::vector<Section> Sections;
  /// The `efficiency` section of its class: defaults for the fractions the record omits.
  std::optional<Section> ClassEfficiency;
  /// The software stack an analysis on it takes where none is named (`default_runtime`: a device
  /// programmed through one vendor stack only, as AWS's Neuron chips are); null: its class's.
  const RuntimeRecord *DefaultRuntime = nullptr;
  static bool classof(const Record *R) { return R->getKind() == Hardware; }
};

class PrecisionRecord : public Record {
public:
  PrecisionRecord(std::string N, llvm::SMRange R) : Record(Precision, std::move(N), R) {}
  int64_t Bits = 0;      ///< storage bits per value
  int64_t ScaleBits = 0; ///< bits of one block scale (0: none)
  int64_t Group = 0;     ///< values sharing one scale
  double bitsPerValue() const {
    return static_cast<double>(Bits) +
           (Group ? static_cast<double>(ScaleBits) / static_cast<double>(Group) : 0.0);
  }
  static bool classof(const Record *R) { return R->getKind() == Precision; }
};

/// How a serving engine gives sequences their cache (`kv_policy`): `reserve` holds a request's
/// whole prompt and output from its admission (TensorRT-LLM's GUARANTEED_NO_EVICT); `preempt`
/// allocates pages as sequences grow and, when a step finds none free, preempts the sequence
/// admitted last, to be recomputed when it is admitted again (vLLM; TensorRT-LLM's
/// MAX_UTILIZATION). `Unset`: the runtime's, else reserve.
enum class KVPolicy { Unset, Reserve, Preempt };

/// A software stack: `runtime vLLM { ... }`. Its `compute KERNEL` and `bandwidth KERNEL`
/// sections give, per precision (or `any`), the fraction of the hardware's achievable rate its
/// kernels of that kind reach; its fields give fixed costs, fusion and the serving memory policy.
class RuntimeRecord : public Record {
public:
  RuntimeRecord(std::string N, llvm::SMRange R) : Record(Runtime, std::move(N), R) {}
  std::vector<Section> Sections;
  double OpOverhead = 0;        ///< seconds per operation launched
  /// Clock cycles each operation launched costs beside OpOverhead, on the hardware's `clock`
  /// (`op_cycles`; 0: none).
  double OpCycles = 0;
  double CollectiveLatency = 0; ///< seconds per collective (alpha)
  /// Share of the smaller of a matrix product's weight reads and arithmetic its kernels leave
  /// exposed beside the larger (0: fully hidden; language models' dense products).
  double GemmExposed = 0;
  bool FusesElementwise = true;
  bool LastTokenLogits = false; ///< prefill computes the output head for the last position only
  /// Weights narrower than the activations cover the embedding tables and untied output heads
  /// too (false: those stay at the activation precision, as FP8 checkpoints keep them).
  bool QuantizesTables = true;
  /// The precision its products run at where a language model's weights are block-scaled (a
  /// precision with a `group`: llama.cpp's CUDA kernels quantize the activations to 8 bits and
  /// multiply in int8) and the scenario names no compute precision of its own
  /// (`quantized_compute`; null: the usual default). Its factors are looked up at it; hardware
  /// that quotes no dense peak at it prices the products at the default precision's peak.
  const PrecisionRecord *QuantizedCompute = nullptr;
  /// The precision its products of fp16 activations run at (the scenario names no compute
  /// precision, and its weights are not block-scaled or the runtime has no `quantized_compute`):
  /// llama.cpp's cuBLAS products of F16 weights accumulate in fp16 (`fp16_compute`,
  /// `fp16_acc16`; null: the usual default). Hardware that quotes no dense peak at it prices them
  /// at the default precision's peak, as above.
  const PrecisionRecord *Fp16Compute = nullptr;
  /// The precision this runtime runs the products of weights `W` and activations `A` at, where
  /// they would otherwise run at `C`: QuantizedCompute for block-scaled weights, Fp16Compute for
  /// fp16 activations, else `C`.
  const PrecisionRecord *computeFor(const PrecisionRecord *W, const PrecisionRecord *A,
                                    const PrecisionRecord *C) const;
  double MemoryFraction = 1;    ///< share of device memory the engine uses (weights, KV, work)
  double KVFraction = 1;        ///< share of what is left after weights and work the cache takes
  double Workspace = 0;         ///< bytes per device the runtime holds for itself
  int64_t MaxBatch = 0;         ///< the engine's cap on concurrent sequences (0: none)
  int64_t KVPage = 0;           ///< tokens a page of the cache holds (0: not paged)
  KVPolicy Policy = KVPolicy::Unset;
  /// A chunked-prefill iteration also runs the running sequences' decode step (Sarathi-Serve;
  /// vLLM, TensorRT-LLM); false: a prefill iteration runs alone, and decoding waits while
  /// admitted prompts are pending (SGLang without --enable-mixed-chunk).
  bool MixedPrefill = true;
  /// A prompt may be split over iterations to fill an iteration's `prefill_chunk` tokens (vLLM,
  /// TensorRT-LLM with chunked context); false: an iteration takes whole prompts only, a prompt
  /// that does not fit what is left waiting for a later one (TensorRT-LLM without chunking).
  bool ChunkedPrefill = true;
  /// The engine chooses an iteration's batch as the one before starts, its host work beside that
  /// forward (vLLM's asynchronous scheduling): a request that arrives while one runs waits for
  /// the iteration after next, and an iteration takes the longer of its forward and its host time.
  bool AsyncScheduling = false;
  bool IsDefault = false;       ///< used by scenarios that name no runtime
  /// A hardware class (`mcu`) whose scenarios and analyses take this runtime when they name none,
  /// in place of the default (empty: none).
  std::string DefaultFor;
  bool Serving = false;         ///< a serving engine: the default runtime is fitted on its rows
  /// The factor of kernel `Kernel` in section kind `Kind` (`compute` or `bandwidth`) for
  /// precision `Prec` (else the section's `any`), or null.
  const FieldValue *factor(llvm::StringRef Kind, llvm::StringRef Kernel,
                           llvm::StringRef Prec) const;
  /// Whether this runtime counts cycles an operation that hardware `H` cannot price: it records
  /// no `clock` to count them on.
  bool cyclesUnpriced(const HardwareRecord &H) const { return OpCycles > 0 && !H.field("clock"); }
  static bool classof(const Record *R) { return R->getKind() == Runtime; }
};

/// One factor of the performance model as a scenario used it, and where it came from.
struct FactorUse {
  std::string Name; ///< `achievable bandwidth`, `gemm`, `op overhead`
  double Value = 1; ///< a fraction, or seconds for fixed costs
  bool Seconds = false;
  std::string Origin; ///< `hardware H100_SXM`, `runtime vLLM`, `class gpu`, `scenario`, ...
  std::string Source; ///< the field's or record's source, where it gives one
};

struct ScenarioExpectation {
  ScenarioMetric Metric;
  bool Ideal = false; ///< `expect decode_time(ideal) ...`: checks the ideal roofline
  bool Near = false;
  Value Expected;
  double TolerancePercent = 0;
  llvm::SMRange Range;
};

/// A published measurement the scenario reproduces (docs/validation.md).
struct Measurement {
  ScenarioMetric Metric;
  Value Measured;
  std::string Source;
  llvm::SMRange Range;
};

class PriceRecord;
class GridRecord;

/// Which of a rental price record's rates applies: on demand, or a one- or three-year
/// commitment (`term = reserved_3y`). Purchase records have no term.
enum class PriceTerm { OnDemand, Reserved1y, Reserved3y };
/// `on_demand`, `reserved_1y`, `reserved_3y`: the spelling of `term`.
inline const char *termName(PriceTerm T) {
  return T == PriceTerm::OnDemand     ? "on_demand"
         : T == PriceTerm::Reserved1y ? "reserved_1y"
                                      : "reserved_3y";
}
/// Seconds in a year as cloud prices and write-offs count it: 365 days, 8,760 hours (the `year`
/// unit).
constexpr double SecondsPerYear = 365.0 * 24 * 3600;

/// The figure `K` of a list of scenario results, or null where the list has none.
const Value *findResult(const std::vector<std::pair<ScenarioMetric, Value>> &Rs, ScenarioMetric K);

class PipelineRecord;

/// A model on hardware: `scenario NAME { model = ...; hardware = ...; ... }`, or one the driver
/// makes from --model/--hardware. The roofline pass fills Results.
class ScenarioRecord : public Record {
public:
  ScenarioRecord(std::string N, llvm::SMRange R) : Record(Scenario, std::move(N), R) {}
  /// The model analysed; for a pipeline's scenario, the pipeline's denoiser (the part that does
  /// most of the work: every check of a model with an input applies to it).
  const ModelRecord *Model = nullptr;
  /// A generator's scenario (`model` names a pipeline): each of its parts priced in turn for a
  /// batch of outputs (docs/formulas.md, "Pipelines"); null for a model's.
  const PipelineRecord *Pipeline = nullptr;
  /// A pipeline's encoders and decoder stored and computed at their own precision
  /// (`encoder_precision`, `decoder_precision`: text encoders and a VAE in fp16 beside an int8
  /// denoiser); null: the scenario's weights, activations and compute.
  const PrecisionRecord *EncoderPrecision = nullptr, *DecoderPrecision = nullptr;
  /// A pipeline's denoising steps and classifier-free guidance where the scenario sets its own
  /// (`steps`, `guidance`); unset: the pipeline's. Read them through steps() and guidance().
  std::optional<int64_t> Steps;
  std::optional<bool> Guidance;
  /// The images each device's decoder takes at once (`decoder_batch`: engines decode a large
  /// batch a few images at a time, a VAE at 1,024 x 1,024 being memory-hungry); 0: the batch.
  int64_t DecoderBatch = 0;
  int64_t steps() const;
  bool guidance() const;
  /// The name of what runs: the pipeline's, else the model's ("?" without either).
  const std::string &modelName() const;
  const HardwareRecord *Hw = nullptr;
  const PrecisionRecord *Weights = nullptr, *KV = nullptr, *Compute = nullptr;
  /// Precision of activations (all-reduce messages, workspace, vision traffic).
  const PrecisionRecord *Activations = nullptr;
  /// A language model's expert layers stored and computed at their own precisions
  /// (`expert_weights`, `expert_compute`: a checkpoint with MXFP4 experts beside BF16 attention);
  /// null: the weights' and the compute's. Read them through expertWeights() and expertCompute().
  const PrecisionRecord *ExpertWeights = nullptr, *ExpertCompute = nullptr;
  /// Whether the scenario (or the command line) named its compute precision; one it did not name
  /// follows the runtime's `quantized_compute` and `fp16_compute` (computeUnder).
  bool ComputeGiven = false;
  const PrecisionRecord *expertWeights() const { return ExpertWeights ? ExpertWeights : Weights; }
  const PrecisionRecord *expertCompute() const { return ExpertCompute ? ExpertCompute : Compute; }
  /// The precision the products run at under runtime `R` (null: none): Compute (the scenario's
  /// own, else the default), except that where the scenario names none, `R` may run them at a
  /// precision of its own (RuntimeRecord::computeFor: block-scaled weights at its
  /// `quantized_compute`, products of fp16 activations at its `fp16_compute`). (Hardware that
  /// quotes no peak at it prices them at Compute's peak: makeMachine.)
  const PrecisionRecord *computeUnder(const RuntimeRecord *R) const;
  /// The same for the expert layers: ExpertCompute where the scenario names it; else, where the
  /// experts have weights of their own and the scenario names no compute precision, the runtime's
  /// precision for those weights (computeFor); else computeUnder(R).
  const PrecisionRecord *expertComputeUnder(const RuntimeRecord *R) const;
  llvm::SMRange ExpertPrecisionRange; ///< the first of those fields (for its diagnostic)
  /// The software stack; null: the module's default runtime (or none: the ideal).
  const RuntimeRecord *Runtime = nullptr;
  int64_t Batch = 1, Prompt = 0, Output = 1, Devices = 1;
  int64_t PrefillChunk = 0;         ///< tokens prefilled at once; 0: one sequence's prompt
  int64_t MaxBatch = 0;             ///< serving: cap on concurrent sequences (0: the runtime's)
  int64_t KVPage = 0;               ///< serving: tokens a cache page holds (0: the runtime's)
  KVPolicy Policy = KVPolicy::Unset; ///< serving: the cache policy (Unset: the runtime's)
  std::optional<bool> MixedPrefill;  ///< serving: chunks beside decode (unset: the runtime's)
  std::optional<bool> ChunkedPrefill; ///< serving: prompts split over iterations (unset: runtime's)
  std::optional<bool> AsyncScheduling; ///< serving: batches chosen ahead (unset: the runtime's)
  /// Attention data parallelism (`attention_dp`): each device runs the dense layers whole for its
  /// own share of the sequences and holds 1/devices of each expert layer's experts (expert
  /// parallelism), tokens going to their experts and back by all-to-all; false: tensor parallel.
  bool AttentionDP = false;
  llvm::SMRange AttentionDPRange;   ///< the field (for its diagnostic)
  std::optional<double> PowerLimit; ///< watts per device
  std::optional<double> ComputeEfficiency, MemoryEfficiency; ///< scenario's own, if set
  /// Share of each device's memory the engine uses, where the deployment sets its own (vLLM's
  /// gpu_memory_utilization); 0: the runtime's.
  double MemoryFraction = 0;
  /// Share of the memory left after weights and work that the cache takes, where the deployment
  /// sets its own (TensorRT-LLM's kv_cache_free_gpu_mem_fraction); 0: the runtime's.
  double KVFraction = 0;
  /// The serving stack's host time an iteration, front-end time a request and host time a
  /// sequence an iteration, where the deployment sets its own (`step_overhead`,
  /// `request_overhead`, `sequence_overhead`); unset: the runtime's.
  std::optional<double> StepOverhead, RequestOverhead, SequenceOverhead;
  std::string Regime;       ///< `prefill`, `decode`, `vision`... for validation tables
  bool Calibration = false; ///< its measurements calibrate the efficiency factors
  /// What the devices cost (`price`, at `term`) and where their energy comes from (`grid`):
  /// cost and carbon per token or image. Null: none of those figures.
  const PriceRecord *Cost = nullptr;
  const GridRecord *Energy = nullptr;
  PriceTerm Term = PriceTerm::OnDemand;
  std::vector<ScenarioExpectation> Expects;
  std::vector<Measurement> Measured;
  bool AdHoc = false; ///< made by the driver, not declared
  // Filled by the roofline pass.
  const RuntimeRecord *UsedRuntime = nullptr;
  std::vector<FactorUse> Factors; ///< every factor of the expected figures, with its origin
  std::vector<std::string> Notes; ///< what the analysis could not model (a power limit...)
  std::vector<std::pair<ScenarioMetric, Value>> Results; ///< expected figures
  std::vector<std::pair<ScenarioMetric, Value>> Ideal;   ///< the ideal roofline of the same work
  const Value *result(ScenarioMetric K) const;
  const Value *ideal(ScenarioMetric K) const;
  static bool classof(const Record *R) { return R->getKind() == Scenario; }
};

/// One cell group of the model x hardware fit matrix: how many devices one model needs on each
/// device at one weight precision (0: the device declares no memory).
struct FitRow {
  const ModelRecord *Model;
  const PrecisionRecord *Weights;
  std::vector<int64_t> Devices; ///< parallel to FitMatrix::Hardware
};
struct FitMatrix {
  std::vector<const HardwareRecord *> Hardware;
  std::vector<FitRow> Rows;
  int64_t Context = 0;
};

/// A generator as a sequence of models run for one output (`pipeline`): its encoders once each
/// (twice with guidance), a denoiser `Steps` times (a doubled batch with guidance), a decoder
/// once.
class PipelineRecord : public Record {
public:
  PipelineRecord(std::string N, llvm::SMRange R) : Record(Pipeline, std::move(N), R) {}
  std::vector<const ModelRecord *> Encoders; ///< in the order declared (FLUX.1: CLIP, T5)
  const ModelRecord *Denoiser = nullptr, *Decoder = nullptr;
  int64_t Steps = 1;
  bool Guidance = false;
  std::vector<Expectation> Expects;
  // Filled by the cost model.
  int64_t Params = 0;
  Wide Macs = 0; ///< per output (image)
  static bool classof(const Record *R) { return R->getKind() == Pipeline; }
};

enum class TrainingMetric {
#define TRAINING_METRIC(NAME, TYPE, DESC) NAME,
#include "zoo/IR/TrainingMetrics.def"
};
constexpr int NumTrainingMetrics = 0
#define TRAINING_METRIC(NAME, TYPE, DESC) +1
#include "zoo/IR/TrainingMetrics.def"
    ;
std::optional<TrainingMetric> lookupTrainingMetric(llvm::StringRef Name);
llvm::StringRef trainingMetricName(TrainingMetric K);
llvm::StringRef trainingMetricType(TrainingMetric K);
llvm::StringRef trainingMetricDescription(TrainingMetric K);
std::vector<std::string> trainingMetricNames();

/// A link layer of a system: the fabric inside a node or the network between nodes.
struct SystemLink {
  std::string Name;         ///< `nvlink4`, `infiniband`, `ici`
  double Bandwidth = 0;     ///< bytes/s per device (fabric) or per NIC (network), each direction
  double Latency = 0;       ///< seconds per message hop (alpha); 0 where none is published
  int64_t Nics = 0;         ///< network: NICs per node
  std::string Topology;     ///< fabric: switch, mesh, torus; network: fat_tree, rail, torus
  double Oversubscription = 1; ///< network: bandwidth ratio down / up at the first tier (1: none)
};

/// `system DGX_H100 { hardware = H100_SXM; devices = 8; fabric ... { } network ... { } }`: the
/// node a cluster is built of, and how nodes connect.
class SystemRecord : public Record {
public:
  SystemRecord(std::string N, llvm::SMRange R) : Record(System, std::move(N), R) {}
  const HardwareRecord *Hw = nullptr;
  int64_t Devices = 1;    ///< accelerators per node (one fabric domain)
  int64_t MaxNodes = 0;   ///< largest configuration the vendor sells (0: not stated)
  SystemLink Fabric;
  std::optional<SystemLink> Network;
  double NodePower = 0;   ///< watts per node at the wall or at maximum (0: the devices' TDP)
  static bool classof(const Record *R) { return R->getKind() == System; }
};

/// `optimizer adam { master = 4 bytes; states = 8 bytes; }`: per parameter, beside the weights
/// and gradients.
class OptimizerRecord : public Record {
public:
  OptimizerRecord(std::string N, llvm::SMRange R) : Record(Optimizer, std::move(N), R) {}
  double MasterBytes = 0; ///< a full-precision copy of the weights (0: none)
  double StateBytes = 0;  ///< moments and other states
  static bool classof(const Record *R) { return R->getKind() == Optimizer; }
};

enum class Recompute { None, Selective, Full };

struct TrainingExpectation {
  TrainingMetric Metric;
  bool Ideal = false;
  bool Near = false;
  Value Expected;
  double TolerancePercent = 0;
  llvm::SMRange Range;
};
struct TrainingMeasurement {
  TrainingMetric Metric;
  Value Measured;
  std::string Source;
  llvm::SMRange Range;
};

/// `training NAME { model = ...; system = ...; devices = ...; tp = ...; ... }`: a model trained
/// on a cluster of one system with a parallel layout. The training pass fills Results.
class TrainingRecord : public Record {
public:
  TrainingRecord(std::string N, llvm::SMRange R) : Record(Training, std::move(N), R) {}
  const ModelRecord *Model = nullptr;
  const SystemRecord *System = nullptr;
  const OptimizerRecord *Opt = nullptr;
  const PrecisionRecord *Precision = nullptr; ///< weights, activations and compute
  const PrecisionRecord *Grads = nullptr;     ///< gradients (and their reduction)
  /// The matrix products' format (FP8 training: fp8 products of bf16 weights); the attention
  /// core stays in `Precision`.
  const PrecisionRecord *Compute = nullptr;
  const RuntimeRecord *Runtime = nullptr;
  int64_t Devices = 0, TP = 1, PP = 1, DP = 0, EP = 1, CP = 1, Interleave = 1;
  int64_t MicroBatch = 1, GlobalBatch = 0, Sequence = 0;
  Recompute Recomp = Recompute::None;
  bool SequenceParallel = false, Dropout = false, FlashAttention = true, OverlapGrad = true;
  bool UnevenStages = false; ///< stages of unequal depth (the busiest has ceil(L / pp) layers)
  /// `plan = auto`: the training pass chooses the layout fields the record does not fix.
  bool Plan = false;
  bool AdHoc = false; ///< made from --train: the training report shows only these
  llvm::SmallVector<std::string, 4> Fixed; ///< layout fields the record writes
  /// Filled by the planner: the layouts it priced, fastest first (those that fit), and why
  /// those that did not fit failed.
  struct PlanRow {
    int64_t TP, PP, CP, DP, EP, Interleave, MicroBatch, Zero;
    Recompute Recomp;
    bool SequenceParallel;
    double Step = 0, Memory = 0;
    bool Fits = false;
    std::string Why; ///< runner-up: what it loses on against the best
  };
  std::vector<PlanRow> PlanRows;
  int64_t PlanConsidered = 0, PlanFitting = 0;
  double PlanLeastMemory = 0; ///< the least memory any layout needs (when none fits)
  int64_t Zero = 0;
  double Tokens = 0; ///< the token budget (0: none)
  bool Calibration = false;
  std::string Regime;
  std::vector<TrainingExpectation> Expects;
  std::vector<TrainingMeasurement> Measured;
  // Filled by the training pass.
  std::vector<FactorUse> Factors;
  std::vector<std::string> Notes;
  std::vector<std::pair<TrainingMetric, Value>> Results, Ideal;
  const Value *result(TrainingMetric K) const;
  const Value *ideal(TrainingMetric K) const;
  static bool classof(const Record *R) { return R->getKind() == Training; }
};

enum class ServingMetric {
#define SERVING_METRIC(NAME, TYPE, DESC) NAME,
#include "zoo/IR/ServingMetrics.def"
};
constexpr int NumServingMetrics = 0
#define SERVING_METRIC(NAME, TYPE, DESC) +1
#include "zoo/IR/ServingMetrics.def"
    ;
std::optional<ServingMetric> lookupServingMetric(llvm::StringRef Name);
llvm::StringRef servingMetricName(ServingMetric K);
llvm::StringRef servingMetricType(ServingMetric K);
std::vector<std::string> servingMetricNames();

/// A length distribution of a workload: fixed, uniform on [Min, Max], or exponential (geometric
/// on whole tokens) with mean Mean, at least 1.
struct LengthDistribution {
  enum Kind { Fixed, Uniform, Exponential, Quantiles } K = Fixed;
  int64_t Mean = 1, Min = 1, Max = 1;
  /// Quantiles: (cumulative share, tokens) from (0, shortest) to (1, longest), increasing;
  /// lengths are drawn by linear interpolation between them.
  std::vector<std::pair<double, double>> Table;
  /// Quantiles: for each of `Slices` equal slices of [0, 1), the first row from the second
  /// whose share reaches the slice's start (the last row if none), where a draw's search for its
  /// row may begin; empty until indexTable().
  static constexpr size_t Slices = 256;
  std::vector<uint32_t> From;
  void indexTable() {
    From.assign(Slices, 1);
    size_t I = 1;
    for (size_t B = 0; B < Slices && Table.size() >= 2; ++B) {
      while (I + 1 < Table.size() && Table[I].first < double(B) / double(Slices))
        ++I;
      From[B] = static_cast<uint32_t>(I);
    }
  }
};

/// `workload NAME { rate = 10 requests/s; input = 2000 tokens; output = 200 tokens; ... }`:
/// Poisson arrivals (or a closed loop of `concurrency` clients) and request lengths, simulated
/// with a seed.
class WorkloadRecord : public Record {
public:
  WorkloadRecord(std::string N, llvm::SMRange R) : Record(Workload, std::move(N), R) {}
  /// The most requests (or clients) a workload gives one simulation, every replica's drawn
  /// together with a dispatcher.
  static constexpr int64_t MaxRequests = 10'000'000;
  /// The longest `duration` a workload or serving record may give, in seconds.
  static constexpr double MaxDuration = 1e8;
  double Rate = 1; ///< requests a second (open loop)
  /// Closed loop: this many clients, each sending its next request when the last one finishes
  /// (0: open loop at `Rate`).
  int64_t Concurrency = 0;
  double PrefixHit = 0; ///< share of each prompt already in the prefix cache (not prefilled)
  int64_t Requests = 10000;
  /// Open loop: arrivals for this many seconds (0: `Requests` of them). A replica at rate r
  /// simulates round(r x Duration) requests, as a benchmark that sends queries at a scheduled
  /// rate for a minimum duration (MLPerf's loadgen) does.
  double Duration = 0;
  uint64_t Seed = 1;
  LengthDistribution Input, Output;
  /// A replayed trace (`trace = "file.csv"`): each request's arrival in seconds from the first
  /// and its lengths, in arrival order (null: arrivals and lengths are drawn). `TraceRate` is its
  /// own mean rate; a workload or record `rate` replays it faster or slower by Rate / TraceRate.
  struct TraceRequest {
    double Arrival;
    int64_t Input, Output;
  };
  std::shared_ptr<const std::vector<TraceRequest>> Trace;
  std::string TraceFile; ///< as written in the record
  double TraceRate = 0;
  /// A table of lengths (`lengths = "file.csv"`): each request draws one row at random, its input
  /// and output lengths together, keeping a dataset's pairing of the two (null: they are drawn
  /// from `Input` and `Output`, each on its own). `Input` and `Output` then hold its means.
  std::shared_ptr<const std::vector<std::pair<int64_t, int64_t>>> Lengths;
  std::string LengthsFile; ///< as written in the record
  /// `lengths_in_order = true`: request i takes row i of the table (wrapping around), as a
  /// benchmark that sends a fixed sample of a dataset in its order does, instead of a row drawn
  /// at random.
  bool LengthsInOrder = false;
  static bool classof(const Record *R) { return R->getKind() == Workload; }
};

/// `price NAME { hardware = H100_SXM; devices = 8; hourly = 55.04 USD/h; ... }`: what an
/// instance of `devices` accelerators costs an hour from a provider, on demand and reserved.
class PriceRecord : public Record {
public:
  PriceRecord(std::string N, llvm::SMRange R) : Record(Price, std::move(N), R) {}
  const HardwareRecord *Hw = nullptr;
  int64_t Devices = 1;
  double Hourly = 0;           ///< USD a second (base units) for the instance, on demand
  double Reserved1y = 0, Reserved3y = 0; ///< the same, with a commitment (0: not stated)
  /// A purchase instead of a rental: USD for the `devices` accelerators with their server,
  /// written off over `Lifetime` seconds; `Power` the unit's power at the wall in watts (0: not
  /// stated, the accelerators' TDP is used).
  double Purchase = 0, Lifetime = 0, Power = 0;
  std::string Provider, Instance, Region, Date;
  bool owned() const { return Purchase > 0; }
  /// Why the record cannot price its devices at term `T` with grid `G` (a rental rate it does
  /// not state, a purchase without a grid that prices electricity or without a power figure);
  /// empty when it can. A purchase has no term: `T` applies to rentals only.
  std::string unusable(PriceTerm T, const GridRecord *G) const;
  static bool classof(const Record *R) { return R->getKind() == Price; }
};

/// `grid NAME { carbon = 323 gCO2e/kWh; electricity = 8.95 cents/kWh; pue = 1.1; ... }`: where
/// the energy comes from.
class GridRecord : public Record {
public:
  GridRecord(std::string N, llvm::SMRange R) : Record(Grid, std::move(N), R) {}
  double Carbon = 0;      ///< gCO2e a joule at the wall
  double Electricity = 0; ///< USD a joule at the wall (0: not stated)
  double PUE = 1;         ///< facility energy over IT energy
  static bool classof(const Record *R) { return R->getKind() == Grid; }
};

/// Service-level targets: each a time at `Percentile` of the requests (TTFT, TPOT) or of the
/// gaps between output tokens (TBT); 0: none.
struct ServiceLevel {
  double TTFT = 0, TPOT = 0, TBT = 0;
  double Percentile = 0.99;
  bool any() const { return TTFT > 0 || TPOT > 0 || TBT > 0; }
};

struct ServingExpectation {
  ServingMetric Metric;
  bool Near = false;
  Value Expected;
  double TolerancePercent = 0;
  llvm::SMRange Range;
};
struct ServingMeasurement {
  ServingMetric Metric;
  Value Measured;
  std::string Source;
  llvm::SMRange Range;
};

/// `serving NAME { model = ...; hardware = ...; workload = ...; ... }`: a model served on one
/// replica of devices under a workload, with SLA targets. The serving pass fills Results.
class ServingRecord : public Record {
public:
  ServingRecord(std::string N, llvm::SMRange R) : Record(Serving, std::move(N), R) {}
  /// The replica as a scenario (model, hardware, devices, precisions, runtime, max_batch,
  /// prefill_chunk); its prompt and output are the workload's means.
  std::unique_ptr<ScenarioRecord> Replica;
  const WorkloadRecord *Load = nullptr;
  /// The workload at the record's own `rate` or `concurrency` (Load points at it).
  std::unique_ptr<WorkloadRecord> OwnLoad;
  const PriceRecord *Cost = nullptr; ///< what the replica's devices cost (null: no cost figures)
  const GridRecord *Energy = nullptr; ///< where its power comes from (null: no carbon figures)
  PriceTerm Term = PriceTerm::OnDemand; ///< which rental rate (`term`)
  bool Buy = false;    ///< `buy = true`: `plan = auto` tries purchase records too
  double TCOYears = 0; ///< `tco_period` in years: the fleet's total cost over it (0: none)
  ServiceLevel SLA; ///< the targets (`ttft_target`, `tpot_target`, `tbt_target`, `sla_percentile`)
  /// Speculative decoding: a draft model proposes `Speculate` tokens a step, each accepted with
  /// probability `Acceptance` (0 speculate: none).
  const ModelRecord *Draft = nullptr;
  int64_t Speculate = 0;
  double Acceptance = 0;
  /// Disaggregated prefill: a pool of `PrefillDevices` of the same hardware prefills, and sends
  /// each cache at `KVBandwidth` bytes/s (0: the hardware's link, one direction).
  int64_t PrefillDevices = 0;
  double KVBandwidth = 0;
  /// A dispatcher in front of the replicas (a harness's batcher): arriving requests are held
  /// until `DispatchBatch` of them wait (0: no such limit) or `DispatchWait` seconds have passed
  /// since the last dispatch, then sent together to the next replica in turn. 0: none.
  int64_t DispatchBatch = 0;
  double DispatchWait = 0;
  /// Set by `plan = auto` when the cheapest deployment does not speculate (the draft stays
  /// named: the search tried it).
  bool SpeculationOff = false;
  /// Pipeline stages (`pp`): the model's layers over PP groups of `devices`, PP micro-batches in
  /// flight (vLLM's virtual engines); 1: none.
  int64_t PP = 1;
  /// Identical replicas sharing the workload (its rate split evenly); `plan = auto` chooses.
  int64_t Replicas = 1;
  /// The requests one replica's simulation drew (the serving pass's; 0: not simulated).
  int64_t SimulatedRequests = 0;
  /// False when --model or --hardware leaves the record out of every output: the serving pass
  /// then only checks that it runs (and its expectations, which hold whatever is shown).
  bool Shown = true;
  /// `plan = auto`: the pass searches every price record's hardware, tensor-parallel size (or,
  /// for a mixture of experts, attention data parallelism over as many devices), weight
  /// precision, batch cap, pipeline stages, a disaggregated prefill pool or none, and speculative
  /// decoding or none (with a draft) for the cheapest deployment that meets the targets.
  bool Plan = false;
  struct Candidate {
    const PriceRecord *Price = nullptr;
    int64_t Devices = 1, MaxBatch = 0, Replicas = 0;
    int64_t PrefillDevices = 0; ///< a disaggregated prefill pool per replica (0: none)
    int64_t PP = 1;             ///< pipeline stages, each of `Devices`
    bool Speculative = false;   ///< with the record's draft model
    bool AttentionDP = false;   ///< the replica's devices attention data parallel
    const PrecisionRecord *Weights = nullptr;
    double CostPerHour = 0, CostPerMillion = 0, TTFT99 = 0, TPOT99 = 0;
    double TokensPerSPerUser = 0, TokensPerSPerDevice = 0;
    bool Pareto = false;
  };
  std::vector<Candidate> Candidates; ///< those that meet the targets, cheapest first
  int64_t CandidatesTried = 0;
  std::vector<std::string> NotTried; ///< why each price record left out of the search was
                                     ///< (a rate the term needs, a purchase without a grid)
  std::string Regime;
  bool Calibration = false;
  std::vector<ServingExpectation> Expects;
  std::vector<ServingMeasurement> Measured;
  std::vector<std::pair<ServingMetric, Value>> Results;
  /// The same simulation on the ideal roofline, for records with measurements.
  std::vector<std::pair<ServingMetric, Value>> Ideal;
  const Value *result(ServingMetric K) const;
  const Value *ideal(ServingMetric K) const;
  /// The price the figures use: the record's, or the cheapest deployment's under a plan.
  const PriceRecord *usedPrice() const {
    return Plan && !Candidates.empty() ? Candidates.front().Price : Cost;
  }
  /// Devices of one replica: every pipeline stage's and the prefill pool's.
  int64_t devicesPerReplica() const {
    return Replica ? Replica->Devices * PP + PrefillDevices : 0;
  }
  static bool classof(const Record *R) { return R->getKind() == Serving; }
};

class Module {
public:
  /// Every file, in load order. A file is shared when it comes from a prepared stdlib (read,
  /// parsed and checked once per process, reused by every compilation).
  std::vector<std::shared_ptr<const FileUnit>> Files;
  /// Files that were checked without error, with everything they import, in a module of their
  /// own: Sema declares their names but does not check their declarations again.
  llvm::SmallPtrSet<const FileUnit *, 16> VerifiedFiles;
  /// Set when a block body kept encoded by the stdlib cache did not decode (a damaged cache).
  bool CachedBodyDamaged = false;
  /// Every named declaration of every file: blocks, primitives, enums, models, hardware,
  /// precisions share one namespace.
  llvm::StringMap<const Decl *> Decls;
  /// Enumerators are global names: `rms`, `gpu`.
  llvm::StringMap<std::pair<const EnumDecl *, llvm::SMRange>> Enumerators;

  std::vector<std::unique_ptr<ModelRecord>> Models;
  std::vector<std::unique_ptr<HardwareRecord>> Hardware;
  std::vector<std::unique_ptr<PrecisionRecord>> Precisions;
  std::vector<std::unique_ptr<ScenarioRecord>> Scenarios;
  std::vector<std::unique_ptr<PipelineRecord>> Pipelines;
  std::vector<std::unique_ptr<RuntimeRecord>> Runtimes;
  std::vector<std::unique_ptr<SystemRecord>> Systems;
  std::vector<std::unique_ptr<OptimizerRecord>> Optimizers;
  std::vector<std::unique_ptr<TrainingRecord>> Trainings;
  std::vector<std::unique_ptr<WorkloadRecord>> Workloads;
  std::vector<std::unique_ptr<ServingRecord>> Servings;
  std::vector<std::unique_ptr<PriceRecord>> Prices;
  std::vector<std::unique_ptr<GridRecord>> Grids;
  /// Data files the records read (request traces), for --depfile.
  std::vector<std::string> DataFiles;
  bool WantServingPlans = false; ///< --emit=serving: run the `plan = auto` searches
  /// Threads the serving pass runs its records on (0: one per core; --serving-threads).
  unsigned ServingThreads = 0;
  /// --serving-page-events: a preempting cache's pages one event a page (simulateServing's
  /// `PageEvents`), for the test that the faster way gives the same output.
  bool ServingPageEvents = false;
  /// --emit=serving or json: the serving figures only those show (the highest rate within the
  /// targets, the ideal roofline's simulation beside measurements).
  bool WantServingFigures = false;
  /// Records that --model left out of the output; kept alive because others refer to them.
  std::vector<std::unique_ptr<ModelRecord>> HiddenModels;
  std::vector<std::unique_ptr<ScenarioRecord>> HiddenScenarios;
  std::vector<std::unique_ptr<HardwareRecord>> HiddenHardware;
  std::vector<std::unique_ptr<PipelineRecord>> HiddenPipelines;
  std::vector<std::unique_ptr<TrainingRecord>> HiddenTrainings;
  std::vector<std::unique_ptr<ServingRecord>> HiddenServings;
  AnalysisPoint Point;
  /// --compute-efficiency and --memory-efficiency: replace every device's achievable fractions.
  std::optional<double> OverrideComputeEfficiency, OverrideMemoryEfficiency;
  /// --runtime: the runtime of ad hoc scenarios and of scenarios that name none.
  const RuntimeRecord *CommandLineRuntime = nullptr;
  /// --device-memory-visible: analyses take a memory tier's `visible` size where given.
  bool VisibleMemory = false;
  const HardwareRecord *findHardware(llvm::StringRef Name) const;
  /// The published measurements among the loaded records (scenarios, serving and training
  /// records, those --model left out of the output included) made on a device: held out, and
  /// marked calibration.
  struct DeviceMeasurements {
    int HeldOut = 0, Calibration = 0;
  };
  DeviceMeasurements measurementsOn(const HardwareRecord *Hw) const;
  const RuntimeRecord *findRuntime(llvm::StringRef Name) const;
  /// The runtime marked `default = true`, if any.
  const RuntimeRecord *defaultRuntime() const;
  /// What an analysis on `Hw` that names no runtime takes: Hw's own `default_runtime`, else the
  /// runtime whose `default_for` is Hw's class, else the default.
  const RuntimeRecord *defaultRuntime(const HardwareRecord *Hw) const;
  /// Filled by the validation pass when WantValidation or WantCalibration is set.
  bool WantValidation = false, WantCalibration = false;
  struct ValidationRow {
    const ScenarioRecord *Scenario;
    const Measurement *M;
    /// Predictions: the ideal roofline, the expected figure with the runtime the row names, and
    /// with the default runtime (what a user who names none gets: the default, or its hardware
    /// class's own); signed errors in percent.
    const RuntimeRecord *DefaultRuntime = nullptr;
    double Ideal = 0, Named = 0, Default = 0;
    double NamedError = 0, DefaultError = 0, IdealError = 0;
  };
  struct ValidationSummary {
    std::string Group; ///< a regime, a coverage tag (`tensor parallel`, `int4 weights`), `all`
    int Count = 0;
    double NamedMedian = 0, NamedWorst = 0, DefaultMedian = 0, DefaultWorst = 0, IdealMedian = 0;
  };
  /// One fitted factor: the runtime's slot, the value the fit gives, the value the record holds.
  struct FittedFactor {
    const RuntimeRecord *Runtime;
    std::string Slot;  ///< `bandwidth gemv`, `compute gemm`, `bandwidth dequant_gemv int4`, ...
    double Fitted = 0; ///< median over its rows
    std::optional<double> InRecord;
    bool Seconds = false;
    bool Cycles = false;                              ///< op_cycles: clock cycles
    std::vector<std::pair<std::string, double>> Rows; ///< rows (by name) and their error, %
  };
  std::vector<ValidationRow> Validation;
  std::vector<ValidationSummary> ValidationSummaries;
  std::vector<FittedFactor> Fitted;
  int CalibrationRows = 0, MeasuredRows = 0;
  /// Filled by the fit-matrix pass when WantMatrix is set (--emit=matrix).
  bool WantMatrix = false;
  bool WantLayers = false; ///< --emit=layers: per-node costs
  /// The JSON backend evaluates each model's metrics as it writes the model, so the
  /// evaluate-metrics pass keeps none (ModelRecord::Evaluated stays empty): a large registry's
  /// metrics are then never all in memory at once.
  bool DeferMetrics = false;
  /// Sema keeps the arguments of a block call on its layer node (every primitive's are kept: the
  /// passes read them); only `--emit=ir` prints them, so a compile keeps them for it alone.
  bool KeepBlockArgs = false;
  FitMatrix Matrix;

  /// Lookups by name: the first record of that name, or null. A hash lookup for records added
  /// with add() (Sema's), a scan otherwise (records pushed or removed directly, until reindex()).
  const ModelRecord *findModel(llvm::StringRef Name) const;
  const PipelineRecord *findPipeline(llvm::StringRef Name) const;
  const PrecisionRecord *findPrecision(llvm::StringRef Name) const;
  /// The file a source location belongs to.
  const FileUnit *fileOf(llvm::SMLoc Loc, const llvm::SourceMgr &SM) const;

  /// Appends a record to its list and to the name index of the find functions.
  ModelRecord *add(std::unique_ptr<ModelRecord> R);
  HardwareRecord *add(std::unique_ptr<HardwareRecord> R);
  PrecisionRecord *add(std::unique_ptr<PrecisionRecord> R);
  RuntimeRecord *add(std::unique_ptr<RuntimeRecord> R);
  PipelineRecord *add(std::unique_ptr<PipelineRecord> R);
  /// Rebuilds the name indexes from the lists, after records were removed from them.
  void reindex();

private:
  /// Names of the records of one list, first of each name. Valid while it has indexed as many
  /// records as the list holds (records are only ever appended through add(), or removed).
  template <typename R> struct NameIndex {
    llvm::StringMap<const R *> Map;
    size_t Size = 0;
    const R *find(const std::vector<std::unique_ptr<R>> &List, llvm::StringRef Name) const;
    void add(const R *X);
    void rebuild(const std::vector<std::unique_ptr<R>> &List);
    /// Appends `X` to `List` and indexes it (indexing `List` anew first if it changed behind the
    /// index's back).
    R *append(std::vector<std::unique_ptr<R>> &List, std::unique_ptr<R> X);
  };
  NameIndex<ModelRecord> ModelIndex;
  NameIndex<HardwareRecord> HardwareIndex;
  NameIndex<PrecisionRecord> PrecisionIndex;
  NameIndex<RuntimeRecord> RuntimeIndex;
  NameIndex<PipelineRecord> PipelineIndex;
};

} // namespace zoo

#endif
