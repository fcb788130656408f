//===- LanguageModel.h - a language model's analysis, point by point -*- C++ -*-===//
//
// The performance model of a language model on one machine (Inference.h), split in two:
//   - PreparedLM: everything that depends only on the scenario's model, hardware, precisions,
//     runtime and device count (coefficients per attention and expert kind, the machine's rates,
//     exact byte counts of the weights and state), built once;
//   - the figures at one point (batch, prompt, output): every figure of the analysis in O(1) per
//     layer kind, whatever the lengths (the closed form), or the same figures step by step
//     (every decode step priced and summed, every prefill position's attention added, each count
//     searched by its definition): the reference the closed form is checked against. The
//     reference costs O(prompt + output) and serves tests and benchmarks only.
// Encoder-decoders (ModelStats::HasEncoder): a point's prompt is the source. The prefill is the
// `encoder` sections over it and the decoder's first position (the start token); decode steps run
// the decoder alone at decoder positions 2..output, each reading the cross-attention cache of the
// source beside its own. Decoder "contexts" below are then decoder positions.
// Sweeps go one level further: terms that depend on the batch alone (BatchTerms) or the prompt
// alone (PromptTerms) are made once per value and reused across the points that share it, and
// the serving figures once per (serving batch, prompt, output). Reusing a term never changes a
// bit of a figure: every figure is the same expression over the same operands either way.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_LANGUAGEMODEL_H
#define ZOO_ANALYSIS_LANGUAGEMODEL_H

#include "llvm/ADT/ArrayRef.h"
#include "zoo/Analysis/Inference.h"
#include "llvm/ADT/SmallVector.h"
#include <algorithm>
#include <cmath>
#include <limits>

namespace zoo {

/// One point of a language model's analysis.
struct LMPoint {
  int64_t Batch = 1, Prompt = 0, Output = 1;
};

/// A count with no bound (the cache stops growing; no number of devices suffices).
constexpr double UnboundedCount = -1;

/// How many times over `Ranks` tensor-parallel ranks hold a cache that splits into `Shards`
/// pieces (its key-value heads; 1 for a latent every rank keeps whole): each rank holds
/// ceil(Shards / Ranks) of them, so Ranks x ceil(Shards / Ranks) / Shards copies in all (1 where
/// the ranks divide the pieces; Ranks for a latent). The engines do so: vLLM replicates
/// key-value heads over ranks beyond them and keeps an MLA latent on every rank.
inline double kvReplication(int64_t Shards, int64_t Ranks) {
  if (Shards <= 0 || Ranks <= 1)
    return 1;
  return static_cast<double>(Ranks * ((Shards + Ranks - 1) / Ranks)) / static_cast<double>(Shards);
}

/// A model's cache values per token (attention kind `A`'s) as `Ranks` tensor-parallel ranks
/// hold them in all: kvReplication of each piece count.
inline double kvValuesHeld(const AttentionTerm &A, int64_t Ranks) {
  if (A.KVShards.empty() || Ranks <= 1)
    return static_cast<double>(A.KVValues);
  double V = 0;
  for (const auto &[Shards, Values] : A.KVShards)
    V += static_cast<double>(Values) * kvReplication(Shards, Ranks);
  return V;
}

/// The fewest and most copies above one that `Ranks` tensor-parallel ranks hold of any piece of
/// a model's cache (kvReplication); {1, 1} where none is copied.
inline std::pair<double, double> kvCopies(const ModelStats &St, int64_t Ranks) {
  double Fewest = 0, Most = 1;
  for (const AttentionTerm &A : St.Attention)
    for (const auto &[Shards, Values] : A.KVShards) {
      const double C = kvReplication(Shards, Ranks);
      if (C > 1)
        Fewest = Fewest ? std::min(Fewest, C) : C;
      Most = std::max(Most, C);
    }
  return {Fewest ? Fewest : 1, Most};
}

/// Parameters and MACs a token that `Ranks` tensor-parallel ranks hold and run beyond one copy
/// of the model: each ShardedWeights term (a `linear` with `shards`), kvReplication(S, Ranks) - 1
/// times over (a router on every one of 8 ranks: 7 copies).
struct WeightCopies {
  double Params = 0, Macs = 0;
  double Bytes = 0; ///< the parameters at the weights' precision (scenarioWeightCopies only)
};
inline WeightCopies weightCopies(const ModelStats &St, int64_t Ranks) {
  WeightCopies C;
  if (Ranks <= 1)
    return C;
  for (const ShardedWeights &W : St.Sharded) {
    const double Extra = kvReplication(W.Shards, Ranks) - 1;
    C.Params += static_cast<double>(W.Params) * Extra;
    C.Macs += static_cast<double>(W.Macs) * Extra;
  }
  return C;
}

/// The copies a scenario's devices hold (weightCopies over its tensor ranks, with their bytes at
/// its weights' precision); none on one device or under attention data parallelism, where every
/// device holds the layers outside the experts whole anyway.
WeightCopies scenarioWeightCopies(const ScenarioRecord &S);

/// Every figure of a language model's analysis at one point (docs/formulas.md). Counts are
/// doubles: whole numbers, UnboundedCount, or (for the driver to report as an error) a value that
/// is not finite or beyond 64 bits. PreparedLM makes one with a braced list in the order of the
/// fields below (so that no field is written twice): a field added or moved must be added or
/// moved there too.
struct LMFigures {
  PhaseCost Prefill;                      ///< the batch's prefill
  PhaseCost Mid;                          ///< the decode step at the middle of the generation
  double FirstDecode = 0, LastDecode = 0; ///< the first and last decode steps' times
  double DecodeSum = 0;                   ///< every decode step after the first token, summed
  double DecodeMean = 0; ///< DecodeSum over the steps (the first step where there are none)
  double Generation = 0; ///< prefill plus DecodeSum
  double WeightBytes = 0, KVFull = 0, Workspace = 0, Needed = 0, MemoryPerDevice = 0;
  double Free = 0; ///< bytes the cache may take
  bool FromFlash = false, Fits = false;
  double MaxBatch = 0, MaxContext = 0, Devices = 0, ServingBatch = 0, ServingRate = 0;
  double TokensPerS = 0, AggregateTokensPerS = 0, PrefillTokensPerS = 0;
  double PrefillIntensity = 0, DecodeIntensity = 0, RidgePoint = 0, MfuPrefill = 0, MbuDecode = 0;
  double InterconnectTime = 0, OverheadTime = 0;
  double EnergyPerToken = 0; ///< only where the machine has a power figure
};

/// What a phase of work is before a machine prices it.
struct Work {
  double LinearFlops = 0, AttentionFlops = 0, ExpertFlops = 0;
  double WeightBytes = 0, KVBytes = 0, ExpertWeightBytes = 0;
  double AllReduceBytes = 0, AllReduces = 0;
  double Ops = 0;
  double Sequences = 0; ///< sequences the forward carries (the host's time a sequence)
  /// Experts one device runs, summed over the expert layers (the expected distinct experts the
  /// tokens reach; a device's share of them under attention data parallelism): each costs the
  /// runtime's `expert_overhead`.
  double ExpertRuns = 0;
};

/// A language-model scenario on one machine with everything that does not depend on the point
/// hoisted. Refers to the scenario's records and to `X`, which must outlive it.
class PreparedLM {
public:
  PreparedLM(const ScenarioRecord &S, const Machine &X);

  /// A decode step's terms at one batch that do not depend on the context, priced on the
  /// machine, with the coefficients of the attention sum over each stretch between windows.
  struct BatchTerms {
    double Batch = 0;
    /// The batch the attention and the layers outside the experts are priced at (busiest()).
    double AttentionBatch = 0;
    bool FromFlash = false;
    /// Encoder-decoders: the batch's cross-attention FLOPs and cache bytes a step over the source
    /// the terms were made for (0 for other models).
    double CrossFlops = 0, CrossBytes = 0;
    Work Base; ///< a decode step without its attention
    // The expected machine: the step's time is ((ExpertsAndLinear + attention) + Host) + Comm,
    // Host the step's fixed costs and its sequences' host time.
    double ExpertsAndLinear = 0, ComputeSide = 0, MemorySide = 0, Comm = 0, CommBandwidth = 0;
    double Host = 0;
    std::array<double, NumSlots> BySlot{};
    double FixedTime = 0;  ///< the step without attention (the expected machine)
    double WeightTime = 0; ///< the ideal machine: (weights + experts' weights) / bandwidth
    /// The ideal machine: the step's collectives, which its products and reads may hide (a
    /// step takes the larger); 0 on the expected machine, where they follow the products.
    double Floor = 0;
    double StateBytes = 0; ///< the batch's fixed state
    /// Per stretch between windows (stage s: the s smallest windows are full), the two lines
    /// whose maximum is the attention time of a step at context c: P0 + P1 c and Q0 + Q1 c,
    /// and where they cross, (Q0 - P0) / (P1 - Q1), made once (where P1 != Q1).
    struct Lines {
      double P0 = 0, P1 = 0, Q0 = 0, Q1 = 0, Cross = 0;
    };
    llvm::SmallVector<Lines, 4> Stage;
    /// Chunked attention kinds: the lines count their positions as c, and a step in the chunk
    /// of index k = (c - 1) div Chunk sees k Chunk fewer, PerPosition P and Q fewer each.
    struct ChunkLine {
      double Chunk = 0, P = 0, Q = 0;
    };
    llvm::SmallVector<ChunkLine, 1> Chunks;
  };
  /// A prefill's terms at one prompt length that do not depend on the batch.
  struct PromptTerms {
    int64_t Prompt = 0;
    double Attention = 0; ///< attention MACs of one sequence's prefill (exact, then rounded)
    double Linear = 0;    ///< the other MACs of one sequence's prefill, less the experts'
    double KVPrompt = 0;  ///< cache bytes of one sequence at the prompt
  };
  /// The last serving computation, reused by the next point with the same key; and the terms
  /// of the last serving batch and its prefill's time, which many (prompt, output) points share
  /// (the serving batch is often the runtime's cap).
  struct ServingMemo {
    double Batch = -1, Prompt = -1, Output = -1;
    bool FromFlash = false;
    double Time = 0;
    BatchTerms Terms; ///< of the serving batch (Terms.Batch is 0 until made)
    double PrefillBatch = -1;
    int64_t PrefillPrompt = -1;
    bool PrefillFlash = false;
    double PrefillTime = 0;
  };
  /// What the points of one batch value share in a sweep, kept from the last such point: the
  /// prefill (per prompt and placement) and the longest context (per free memory).
  struct BatchMemo {
    double Batch = -1;
    int64_t PrefillPrompt = -1;
    bool PrefillFlash = false;
    PhaseCost Prefill;
    double ContextFree = std::numeric_limits<double>::quiet_NaN(), Context = 0;
  };
  /// Terms a caller made earlier (a sweep); any may be null, and is then made on the spot.
  struct Reuse {
    const PromptTerms *Prompt = nullptr;
    const BatchTerms *Batch[2] = {nullptr, nullptr}; ///< weights in main memory, from flash
    ServingMemo *Serving = nullptr;
    BatchMemo *Memo = nullptr; ///< for the point's batch value
  };

  /// `Source`: an encoder-decoder's source length (0 for other models).
  BatchTerms batchTerms(double Batch, bool FromFlash, double Source = 0) const;
  PromptTerms promptTerms(int64_t Prompt) const;
  /// Whether weights stream from flash at this point (they do not fit the main tier).
  bool mayUseFlash() const { return HasFlash; }
  /// Whether the model is an encoder-decoder (its terms depend on the source length).
  bool encoderDecoder() const { return EncDec; }

  /// Every figure at `P` in closed form: O(1) per layer kind.
  LMFigures evaluate(const LMPoint &P) const;
  /// The same with terms made earlier (they must be this object's, at the point's values).
  LMFigures evaluate(const LMPoint &P, const Reuse &R) const;
  /// The same figures step by step: the reference. O(prompt + output) per point.
  LMFigures evaluateStepByStep(const LMPoint &P) const;

  /// One decode step of `B`'s batch whose sequences see `MeanContext` positions on average
  /// (attention is linear in the context between windows), on the expected machine; an
  /// encoder-decoder's sequences cross-attend to sources of `MeanSource` tokens on average
  /// beside `B`'s own source (linear in it too).
  /// Chunked attention is priced as if every sequence saw min(MeanContext, chunk) positions,
  /// as a window of the chunk's size: a bound (a sequence sees its chunk up to itself).
  double decodeStepTime(const BatchTerms &B, double MeanContext, double MeanSource = 0) const {
    return stepTime(B, MeanContext, MeanSource, /*Mean=*/true);
  }
  /// The context of a request's first decode step: its prompt and first output token (an
  /// encoder-decoder's decoder: the start token and the first output token).
  double firstDecodeContext(double Prompt) const { return (EncDec ? 1 : Prompt) + 1; }
  /// Bytes of the cache one request of `In` prompt and `Out` output tokens holds at its end
  /// (an encoder-decoder's: its decoder's beside the cross-attention cache of its source), in
  /// whole pages of the machine's `KVPage` tokens; with `Out` the output tokens so far, what it
  /// holds then.
  double requestCacheBytes(double In, double Out) const {
    return EncDec ? pagedKVBytes(1 + Out, In) : pagedKVBytes(In + Out);
  }
  /// The same without the copies tensor ranks beyond a kind's key-value heads hold: what a
  /// request's cache is, and what a disaggregated prefill sends.
  double requestCacheBytesOnce(double In, double Out) const {
    return EncDec ? pagedKVBytes(1 + Out, In, true) : pagedKVBytes(In + Out, 0, true);
  }
  /// Bytes of one sequence's cache at context C (an encoder-decoder's decoder positions, beside
  /// the cross-attention cache of its `Source`), as the devices hold it: copies included.
  double sequenceCacheBytes(double C, double Source = 0) const { return kvBytes(C, Source); }
  /// The positions a request's growing cache holds with `Out` output tokens (the decoder's for
  /// an encoder-decoder): pages turn over as this crosses multiples of the page.
  double cachePositions(double In, double Out) const { return (EncDec ? 1 : In) + Out; }
  /// Tokens a cache page holds (1: not paged).
  double pageTokens() const { return Page; }
  /// Bytes one more page adds to any request's cache, where that is the same for every page
  /// of every request and every byte count of the cache is exact in double arithmetic (a
  /// decoder whose attention is neither windowed nor chunked, with whole values a position and
  /// a state, at most 2^40 bytes a page); 0 otherwise. Where it is not 0, sums of such counts
  /// below 2^50 do not depend on the order they are added in.
  double uniformPageBytes() const;
  /// The prefill of `Batch` prompts of `T`'s length, whole (no chunking).
  double prefillTime(double Batch, const PromptTerms &T, bool FromFlash) const {
    return price(prefillWork(Batch, T), FromFlash).Time;
  }
  /// The prefill of prompts of different lengths in one forward (an engine that batches the
  /// prompts it admits): their products and attention each as its own, the weights read once,
  /// the experts as the prompts' tokens together route, one set of collectives and launches.
  /// `Terms`: each prompt's (not an encoder-decoder's).
  double prefillTimeTogether(llvm::ArrayRef<const PromptTerms *> Terms) const;
  /// The engine's host time inside one forward that carries `Sequences` sequences, as price()
  /// charges it: step_overhead and sequence_overhead for each (0 on the ideal machine; kernel
  /// launches, op_overhead, are the device's).
  double hostTime(double Sequences) const {
    return X->f(Slot::StepOverhead) + Sequences * SequenceHost;
  }
  /// Bytes every device offers the cache once the weights and workspace are placed.
  double cacheBudget() const { return Usable; }
  const ScenarioRecord &scenario() const { return *S; }
  const Machine &machine() const { return *X; }

private:
  /// An attention kind's terms as doubles (`Term` holds the exact ones).
  struct Kind {
    /// Cache values per token as the tensor ranks hold them (with copies), and once.
    double KVValues = 0, KVOnce = 0, MacsCoef = 0;
    double Chunk = 0; ///< chunked attention's chunk (0: none)
    double Reach = 0; ///< the window or top-k's k: the positions read at most (0: no cap)
    /// The positions the cache holds at most: the window or the chunk (0: it grows).
    double Held = 0;
    int64_t HeldI = 0;
    bool Causal = true;
    const AttentionTerm *Term = nullptr;
    /// Positions a token at context C sees (chunks: its own chunk up to itself); with `Mean`,
    /// a chunk counts as a window (min(C, Chunk)), for a batch's mean context.
    double seen(double C, bool Mean = false) const {
      if (Chunk > 0 && !Mean)
        return std::fmod(C - 1, Chunk) + 1;
      const double Cap = HeldI > 0 ? Held : Reach;
      return Cap > 0 ? std::min(C, Cap) : C;
    }
  };
  struct Expert {
    double N = 0, K = 0, Params = 0, Layers = 0;
    double Base = 0;     ///< 1 - K / N: the chance a token does not route to a given expert
    double Log2Base = 0; ///< log2(Base) (-inf where Base is 0)
  };
  /// One stretch of contexts over which the cache grows linearly: values a + b c up to `To`.
  struct Segment {
    double A = 0, B = 0, To = 0, InvB = 0;
  };

  const ScenarioRecord *S;
  const Machine *X;
  const ModelStats *St;
  double N, Act, WBits, EBits, KVBits; ///< EBits: the experts' weights (`expert_weights`)
  /// Attention data parallelism (`attention_dp` on more than one device): the parameters outside
  /// the expert layers that a pass reads (each device reads them whole), and the equivalent
  /// all-reduce bytes a token adds to an expert layer's all-to-all.
  bool DP = false;
  bool Copies = false; ///< tensor ranks hold copies of some kind's cache (Kind::KVOnce)
  double NonExpert = 0, AllToAllPerToken = 0;
  /// Bits of the embedding tables and untied output heads (tablePrecision), and those heads'
  /// parameters: a step reads them at TBits, the rest of its weights at WBits.
  double TBits, UntiedHead;
  /// WeightBytesAll: the weights as the devices hold them, tensor ranks' copies included
  /// (weightCopies); WeightBytesOnce without the copies.
  double StateValues, StateBytes, WeightBytesAll, WeightBytesOnce;
  /// What a step moves of a sequence's state: all of it read, the recurrent part written back.
  double StepStateValues = 0, StepStateBytes = 0;
  double MacsConst, LinearPerToken, HeadMacs, ExpertMacs, Params, Lookup, LookupRow, TiedHead;
  double Width, MaxWidth, Ops, AllReduces, PrefillChunk;
  double Page = 1; ///< tokens a cache page holds
  /// Encoder-decoders (0 and false otherwise): parameters a decode step may read (Params less
  /// the sections'), the decoder's cross-attention MACs a token and cache values a sequence per
  /// source position, the sections' non-attention MACs per source token, their operations (as
  /// fused where the runtime fuses) and all-reduces.
  /// `Lookup` and `LookupRow` are then the decoder's tables; `EncoderLookup` and
  /// `EncoderLookupRow` the sections' (read a row per source token).
  bool EncDec = false;
  double DecodeParams, CrossMacs = 0, CrossKV = 0, EncoderLinear = 0, EncoderOps = 0,
                       EncoderAllReduces = 0, EncoderLookup = 0, EncoderLookupRow = 0;
  llvm::SmallVector<Kind, 4> Kinds;
  llvm::SmallVector<Expert, 2> Experts;
  double ExpertLayers = 0; ///< the expert layers of a forward (each costs expert_layer_overhead)
  llvm::SmallVector<double, 4> Windows;   ///< distinct positive windows, ascending
  llvm::SmallVector<Segment, 4> Segments; ///< the cache per sequence, piecewise linear
  bool Grows = false;                     ///< some cache grows without a window
  int64_t Plateau = 1;                    ///< the largest window of a cache that has one
  // The machine.
  bool Ideal, HasFlash;
  double Exposed = 0; ///< X->GemmExposed
  /// What a forward's dense products cost beyond their rows' arithmetic for filling the devices
  /// (the runtime's `fill gemm`, X->GemmFill): 2 C sum over the devices of each product's input
  /// features on that device, as FLOPs at the gemm rate; 0 without a fill.
  double FillFlops = 0;
  /// The compute side of a forward's dense products of `LinearFlops`: their arithmetic and, for a
  /// forward that runs any, the fill, at the gemm rate.
  double linearCompute(double LinearFlops) const {
    return (LinearFlops + (LinearFlops > 0 ? FillFlops : 0)) / RateGemm;
  }
  double RateGemm, RateAttention, BandwidthAttention, GemmExperts, Alpha, Overhead, CommCoef;
  double RateGemmExperts = 0;  ///< the experts' gemm rate before their factor (X->ExpertGemmRate)
  double IdealExpertExtra = 0; ///< Peak / ExpertPeak - 1 with `expert_compute` (0 without)
  /// Peak / AttentionPeak - 1 where attention runs at its own precision (0 otherwise).
  double IdealAttentionExtra = 0;
  double SequenceHost; ///< host time a sequence an iteration (the runtime's sequence_overhead)
  double WeightBw[2], WeightBwExperts[2];
  /// The attention part of a step with no attention: max(0 / rate, 0 / bandwidth).
  double NoAttention;
  /// Whether the experts' part is +0 whatever the work (no experts, positive rates), by placement.
  bool NoExpertTime[2];
  /// 8 / bits of the cache's precision, and 1 / b of each segment: guesses only.
  double BytesToValues;
  double Usable, PerDeviceUsable, WorkspaceN, PowerN, Ridge;

  /// `Source`: an encoder-decoder's source length, whose cross-attention cache is added.
  /// `Once`: without the copies tensor ranks beyond a kind's key-value heads hold.
  double kvBytes(double C, double Source = 0, bool Once = false) const;
  /// kvBytes with each kind's positions (and the source's) in whole pages of `Page` tokens.
  /// `Once`: without the copies tensor ranks hold.
  double pagedKVBytes(double C, double Source = 0, bool Once = false) const;
  /// Cache bytes a step at context C reads (kvBytes but for chunks: the positions seen).
  double kvReadBytes(double C, double Source = 0) const;
  double attentionMacs(double C) const;
  /// attentionMacs(C) and kvReadBytes(C) in one pass (`Mean`: Kind::seen's).
  void attentionAndCache(double C, double &Macs, double &Bytes, bool Mean = false) const;
  /// pow(Base, Tokens) of each expert kind, as the formulas use it.
  double expertPow(const Expert &E, double Tokens) const;
  double expertParams(double Tokens, double &Runs) const;
  double expertTime(const Work &W, bool FromFlash, double &ComputeSide, double &MemorySide,
                    std::array<double, NumSlots> &BySlot) const;
  void expertReads(double Batch, double &Dense, double &Routed, double &Runs) const;
  double allReduceTime(double Bytes) const;
  Work prefillWork(double Batch, const PromptTerms &T) const;
  /// Bytes of a pass's weight reads: `Rest` parameters besides the lookup tables and experts at
  /// WBits, and `TablesRead` of the tables with the untied heads at TBits.
  double weightReadBytes(double Rest, double TablesRead) const {
    return (Rest + TablesRead) * WBits / 8 + (TablesRead + UntiedHead) * (TBits - WBits) / 8;
  }
  Work stepWork(double Batch, double C, double Source = 0) const;
  /// Under attention data parallelism each sequence runs on one device and the busiest holds
  /// ceil(Batch / N) of them: the batch the machine's N devices price the layers outside the
  /// experts at, ceil(Batch / N) x N (Batch otherwise, and for fractions of one).
  double busiest(double Batch) const { return DP && Batch >= 1 ? std::ceil(Batch / N) * N : Batch; }
  /// A prefill's work of `Batch` whole prompts with its layers outside the experts, attention,
  /// cache and all-to-alls those of the busiest device's prompts (busiest()).
  Work onBusiest(Work W, double Batch) const;
  PhaseCost price(const Work &W, bool FromFlash) const;
  /// A decode step at context C from its batch terms (the same figures as price(stepWork)).
  PhaseCost step(const BatchTerms &B, double C) const;
  /// Its time alone, with `Source` more source tokens a sequence than `B` was made for.
  double stepTime(const BatchTerms &B, double C, double Source = 0, bool Mean = false) const;
  double decodeSum(const BatchTerms &B, double Prompt, double Output) const;
  /// The attention part of decode steps From..To within one stretch between windows, with a
  /// chunked kind: bounded work whatever the length. Each step takes at least `R` (the ideal
  /// machine's collectives; 0: no floor).
  static double chunkedSum(const BatchTerms::ChunkLine &K, const BatchTerms::Lines &L, double From,
                           double To, double R = 0);
  double decodeSumStepByStep(double Batch, bool FromFlash, double Prompt, double Output,
                             double Source = 0) const;
  /// The longest context whose cache fits `Free` at `Batch`: (the whole number, or a sentinel).
  double maxContext(double Batch, double Free, bool Search, double Source = 0) const;
  LMFigures figures(const LMPoint &P, const Reuse &R, bool StepByStep) const;
};

} // namespace zoo

#endif
