//===- CostModel.cpp - parameters, work and state of every model ----------===//
//
// One walk over each expanded model fills ModelStats; every context- and batch-dependent metric is
// then a closed form over it (Metrics.cpp). Algorithm:
//   1. Walk the layer tree carrying two multiplicities: `Total` (how many copies of a node exist:
//      repeat counts times expert counts) and `Active` (how many run per token: repeat counts
//      times top-k). A `for` node sums its iterations.
//   2. Each primitive contributes by its formula (docs/formulas.md):
//        embedding(vocab, dim)   params vocab*dim (embedding), of which a token touches one row
//                                (dim); no MACs (a row lookup)
//        linear(in, out, bias, shards)  params in*out (+out); MACs in*out. With `shards` (outside
//                                experts, encoder sections and auxiliary heads) both are also
//                                summed by that limit, for the copies tensor ranks hold
//        frame_conv(in, out, k, f, bias)  params in*out*k (+out); MACs in*out*k*f
//        lm_head(vocab, dim, t)  params vocab*dim unless tied (embedding); MACs vocab*dim. A
//                                token uses the whole table: a tied head adds it to the active
//                                parameters less the row its embedding counted, and must share
//                                an embedding(vocab, dim) of the same model (else an error)
//        norm(dim, kind, bias)   params dim (+dim with bias), none for `plain`; dim elementwise
//        act(dim, kind)          dim elementwise
//        param(count)            params count
//        attend(...)             MACs heads*(head_dim+v_head_dim) per visible position; softmax
//                                heads per visible position; KV cache
//                                kv_heads*(head_dim+v_head_dim) values per token (or `cache`
//                                values), causal only; window caps both. With cross_len, a fixed
//                                cross_len context instead, cached per sequence
//        experts(count, top_k)   params count*body, active and work top_k*body
//        shared(id)              its body's params (and active) at the id's first use only; the
//                                body's work at every use, and its weights read again at every
//                                later use (SharedReadParams)
//        ssm(d_inner, d_state)   3*d_inner*d_state MACs per token; d_inner*d_state elementwise;
//                                d_inner*d_state state values per sequence
//        conv1d(ch, k, bias)     params ch*k (+ch); MACs ch*k; state ch*k values per sequence
//                                (the window the reference implementations keep)
//   3. Attention is grouped by (window, chunk, causal) into AttentionTerms, experts by their
//      shape into ExpertTerms. All arithmetic is checked: parameter counts must fit in 64 bits,
//      every other count (MACs, elements, state, activations) in 128; more is an error at the
//      model.
//   4. A pipeline sums its models' parameters (64 bits) and MACs per image (128 bits), checked.
//
//===----------------------------------------------------------------------===//
#include "zoo/Analysis/ClosedForm.h"
#include "zoo/Basic/Checked.h"
#include "zoo/Passes/Pass.h"
#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

using namespace zoo;

namespace {
/// Checked __int128 arithmetic: an overflow sets the flag and the result is meaningless.
/// `ParamsOverflow` is set by the parameter counts alone (their message names them).
struct Arith {
  bool Overflow = false, ParamsOverflow = false;
  Wide mul(Wide A, Wide B) {
    Wide R;
    Overflow |= __builtin_mul_overflow(A, B, &R);
    return R;
  }
  Wide add(Wide A, Wide B) {
    Wide R;
    Overflow |= __builtin_add_overflow(A, B, &R);
    return R;
  }
  Wide sub(Wide A, Wide B) {
    Wide R;
    Overflow |= __builtin_sub_overflow(A, B, &R);
    return R;
  }
  void acc(Wide &Into, Wide A, Wide Mult) { Into = add(Into, mul(A, Mult)); }
};

struct Totals {
  Wide Params = 0, Active = 0, Embedding = 0, Macs = 0, Elements = 0, State = 0;
  Wide Recurrent = 0; ///< the part of State a step rewrites (ssm and conv1d)
  Wide Lookup = 0, LookupRows = 0, TiedHead = 0, HeadMacs = 0;
  /// Per token: the features every `linear` it runs reads and writes.
  Wide LinearIn = 0, LinearOut = 0;
  /// Dense products outside the experts, by (in, out) features: how many run per token. Linear
  /// siblings run one after another on the same input are one product (walkChildren).
  std::map<std::pair<int64_t, int64_t>, Wide> DenseLinears;
  /// Active parameters a tied head adds beyond its embedding's row (vendor counts have them).
  Wide TiedActive = 0;
  std::vector<std::pair<int64_t, int64_t>> Tables;   ///< embedding (vocab, dim)
  std::vector<const LayerNode *> TiedHeads;          ///< tied lm_head nodes
  Wide Ops = 0, FusedOps = 0;
  int ExpertDepth = 0; ///< inside an expert body: operations are counted at the expert set
  int AuxDepth = 0;    ///< inside an `auxiliary` head: no attention kind of the model's
  std::vector<KernelCost> Kernels;
  bool KernelOverflow = false; ///< a kernel runs more than 2^63 - 1 times per input
  // Models with an input shape.
  bool PerInput = false;
  std::vector<int64_t> InputShape;
  Wide Written = 0, Peak = 0, Held = 0; ///< activation elements (Held: residual inputs kept)
  int64_t HeadWidth = 0, EmbeddingWidth = 0, MaxWidth = 0;
  /// By window, chunk, top-k and causality.
  std::map<std::tuple<int64_t, int64_t, int64_t, bool>, AttentionTerm> Attention;
  std::map<std::tuple<int64_t, int64_t, Wide>, ExpertTerm> Experts;
  std::map<int64_t, ShardedWeights> Sharded; ///< by `shards`
  // Cross-attention (`cross_len`): per position of the source it attends to, and at its length.
  Wide CrossMacs = 0, CrossElements = 0, CrossCache = 0;
  Wide CrossMacsAtLen = 0, CrossElementsAtLen = 0, CrossCacheAtLen = 0;
  int64_t CrossLen = 0;           ///< the first `cross_len`
  const LayerNode *OtherCrossLen = nullptr; ///< an attend with a different `cross_len`
  int64_t Chunk = 0;                        ///< the first `chunk` of a model's attention
  const LayerNode *OtherChunk = nullptr;    ///< an attend with a different `chunk`
  // `encoder` sections: their parameters, and their work per source token.
  Wide AuxParams = 0; ///< parameters inside `auxiliary` heads
  const LayerNode *Encoder = nullptr; ///< the first section
  Wide EncoderParams = 0, EncoderMacs = 0, EncoderElements = 0, EncoderOps = 0, EncoderFusedOps = 0,
       EncoderLookup = 0, EncoderLookupRows = 0, EncoderLinearIn = 0, EncoderLinearOut = 0;
  std::map<int64_t, AttentionTerm> EncoderAttention; ///< by window
  // `shared` weights: each id's parameters (one copy) and the node of its first use.
  std::map<int64_t, std::pair<Wide, const LayerNode *>> Shared;
  /// Inside a shared body: the copies and uses at the `shared` node (0 outside one), and whether
  /// this use stores the weights (an id's first). A parameter there counts Total / SharedCopies
  /// times if stored, else none; every use reads it.
  Wide SharedCopies = 0, SharedUses = 0;
  bool SharedStores = true;
  Wide SharedReads = 0; ///< parameters read again by later uses, per forward pass
  const LayerNode *SharedDiffers = nullptr; ///< a use holding other parameters than the first
  Wide SharedHere = 0;
};

class CostModelPass : public Pass {
public:
  llvm::StringRef getArgument() const override { return "cost-model"; }

  LogicalResult run(Module &M, DiagnosticEngine &Diags) override {
    bool OK = true;
    for (auto &R : M.Models) {
      if (!R->Root)
        continue;
      Arith A;
      Totals T;
      walk(*R->Root, 1, 1, T, A);
      ModelStats &S = R->Stats;
      auto Fits = [](Wide X) { return fitsInt64(X); };
      bool Tied = true;
      for (const LayerNode *H : T.TiedHeads) {
        std::pair<int64_t, int64_t> Shape{I(*H, "vocab"), I(*H, "dim")};
        if (std::find(T.Tables.begin(), T.Tables.end(), Shape) != T.Tables.end())
          continue;
        Diags.report(R->Decl->NameRange, diag::err_tied_head_no_table, R->Name, Shape.first,
                     Shape.second, Shape.first, Shape.second);
        Diags.report(H->Range, diag::note_tied_head);
        Tied = false;
      }
      if (!Tied) {
        OK = false;
        continue;
      }
      // Vendors count every embedding table in full; a tied table is already in full.
      const Wide WithTables =
          A.add(A.add(T.Active, A.sub(T.Lookup, T.LookupRows)), -T.TiedActive);
      if (A.ParamsOverflow || !Fits(T.Params) || !Fits(T.Active) || !Fits(T.Embedding) ||
          !Fits(WithTables) || !Fits(T.SharedReads)) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow, "the parameter count", "model",
                     R->Name, 64);
        OK = false;
        continue;
      }
      if (A.Overflow) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow,
                     "a count of repetitions, MACs, elements or activations", "model", R->Name, 128);
        OK = false;
        continue;
      }
      // Operations run per position (and the repetitions of each kernel of a model with an
      // input) are 64-bit counts: never clamped.
      if (!Fits(T.Ops) || !Fits(T.FusedOps) || T.KernelOverflow) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow, "the operation count", "model",
                     R->Name, 64);
        OK = false;
        continue;
      }
      if (T.SharedDiffers && !Fits(T.SharedHere)) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow, "the parameter count", "model",
                     R->Name, 64);
        OK = false;
        continue;
      }
      if (const LayerNode *D = T.SharedDiffers) {
        // (The first use's parameters are within the model's, which fit in 64 bits here.)
        const int64_t Id = I(*D, "id");
        const auto &First = T.Shared.at(Id);
        Diags.report(D->Range, diag::err_shared_differs, Id, static_cast<int64_t>(T.SharedHere),
                     static_cast<int64_t>(First.first), R->Name);
        Diags.report(First.second->Range, diag::note_shared_first, Id);
        OK = false;
        continue;
      }
      if (T.OtherChunk) {
        // The decode sum's closed form takes the chunks of one size (LanguageModel.cpp).
        Diags.report(T.OtherChunk->Range, diag::err_chunk_sizes, R->Name,
                     I(*T.OtherChunk, "chunk"), T.Chunk);
        OK = false;
        continue;
      }
      if (T.Encoder && (T.PerInput || T.OtherCrossLen)) {
        // Sema rejects a section after an `input`; one before it lands here.
        if (T.PerInput)
          Diags.report(T.Encoder->Range, diag::err_encoder_with_input, R->Name);
        else
          Diags.report(T.OtherCrossLen->Range, diag::err_cross_len_differs, R->Name,
                       I(*T.OtherCrossLen, "cross_len"), T.CrossLen);
        OK = false;
        continue;
      }
      if (!T.Encoder) {
        // Without an encoder section, cross-attention sees a fixed context of `cross_len`.
        A.acc(T.Macs, T.CrossMacsAtLen, 1);
        A.acc(T.Elements, T.CrossElementsAtLen, 1);
        A.acc(T.State, T.CrossCacheAtLen, 1);
      }
      if (A.Overflow || !Fits(T.EncoderParams) || !Fits(T.EncoderOps) ||
          !Fits(T.EncoderFusedOps)) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow,
                     "a count of repetitions, MACs, elements or activations", "model", R->Name, 128);
        OK = false;
        continue;
      }
      if (!Fits(T.AuxParams)) {
        Diags.report(R->Decl->NameRange, diag::err_count_overflow, "the parameter count", "model",
                     R->Name, 64);
        OK = false;
        continue;
      }
      S.AuxiliaryParams = static_cast<int64_t>(T.AuxParams);
      S.HasEncoder = T.Encoder != nullptr;
      S.EncoderParams = static_cast<int64_t>(T.EncoderParams);
      S.EncoderLookupParams = T.EncoderLookup;
      S.EncoderLookupRowParams = T.EncoderLookupRows;
      S.EncoderMacsConst = T.EncoderMacs;
      S.EncoderElementsConst = T.EncoderElements;
      S.EncoderLinearInConst = T.EncoderLinearIn;
      S.EncoderLinearOutConst = T.EncoderLinearOut;
      S.EncoderOps = static_cast<int64_t>(T.EncoderOps);
      S.EncoderFusedOps = static_cast<int64_t>(T.EncoderFusedOps);
      S.EncoderAttention.clear();
      for (auto &KV : T.EncoderAttention)
        S.EncoderAttention.push_back(KV.second);
      S.CrossMacsCoef = S.HasEncoder ? T.CrossMacs : 0;
      S.CrossScoresCoef = S.HasEncoder ? T.CrossElements : 0;
      S.CrossKVValues = S.HasEncoder ? T.CrossCache : 0;
      S.SourceLen = S.HasEncoder ? T.CrossLen : 0;
      S.Params = static_cast<int64_t>(T.Params);
      S.SharedReadParams = static_cast<int64_t>(T.SharedReads);
      S.ActiveParams = static_cast<int64_t>(T.Active);
      S.ActiveParamsWithEmbeddings = static_cast<int64_t>(WithTables);
      S.EmbeddingParams = static_cast<int64_t>(T.Embedding);
      S.MacsConst = T.Macs;
      S.ElementsConst = T.Elements;
      S.StateValues = T.State;
      S.RecurrentValues = T.Recurrent;
      S.PerInput = T.PerInput;
      S.InputShape = T.InputShape;
      S.ActivationsWritten = T.Written;
      S.ActivationsPeak = T.Peak;
      S.MaxWidth = T.MaxWidth;
      S.LookupParams = T.Lookup;
      S.LookupRowParams = T.LookupRows;
      S.TiedHeadParams = T.TiedHead;
      S.HeadMacs = T.HeadMacs;
      S.LinearInConst = T.LinearIn;
      S.LinearOutConst = T.LinearOut;
      S.DenseLinears.assign(T.DenseLinears.begin(), T.DenseLinears.end());
      S.Ops = static_cast<int64_t>(T.Ops);
      S.FusedOps = static_cast<int64_t>(T.FusedOps);
      S.Kernels = std::move(T.Kernels);
      S.Width = T.HeadWidth ? T.HeadWidth : T.EmbeddingWidth ? T.EmbeddingWidth : T.MaxWidth;
      S.Attention.clear();
      for (auto &KV : T.Attention)
        S.Attention.push_back(KV.second);
      S.Experts.clear();
      for (auto &KV : T.Experts)
        S.Experts.push_back(KV.second);
      S.Sharded.clear();
      for (auto &KV : T.Sharded)
        S.Sharded.push_back(KV.second);
      if (M.WantLayers)
        annotate(*R->Root);
    }
    // Pipelines: the sum of their models, run as a generator runs them for one output.
    for (auto &P : M.Pipelines) {
      if (!P->Denoiser || !P->Denoiser->Root)
        continue;
      Wide Copies = P->Guidance ? 2 : 1;
      std::vector<const ModelRecord *> Parts = P->Encoders;
      for (const ModelRecord *X : {P->Denoiser, P->Decoder})
        if (X && std::find(Parts.begin(), Parts.end(), X) == Parts.end())
          Parts.push_back(X);
      std::optional<int64_t> Params = 0;
      for (const ModelRecord *X : Parts)
        if (Params)
          Params = checkedAdd(*Params, X->Stats.Params);
      if (!Params) {
        Diags.report(P->Range, diag::err_count_overflow, "the parameter count", "pipeline", P->Name,
                     64);
        OK = false;
        continue;
      }
      P->Params = *Params;
      Arith A;
      Wide Macs = A.mul(A.mul(Copies, P->Steps), P->Denoiser->Stats.MacsConst);
      for (const ModelRecord *E : P->Encoders)
        A.acc(Macs, A.mul(Copies, E->Stats.MacsConst), 1);
      if (P->Decoder)
        A.acc(Macs, P->Decoder->Stats.MacsConst, 1);
      if (A.Overflow) {
        Diags.report(P->Range, diag::err_count_overflow, "the MAC count", "pipeline", P->Name, 128);
        OK = false;
        continue;
      }
      P->Macs = Macs;
    }
    return success(OK);
  }

private:
  static int64_t I(const LayerNode &N, llvm::StringRef Name) { return N.arg(Name)->I; }

  /// Per-node parameters and MACs for the layer table: each node costed on its own.
  static void annotate(LayerNode &N) {
    for (auto &C : N.Children)
      annotate(*C);
    Totals T;
    Arith A;
    walk(N, 1, 1, T, A);
    N.Counted = std::make_unique<LayerNode::Cost>();
    N.Counted->Params = T.Params;
    // Per token: an encoder section's per source token, a cross-attention's at its `cross_len`.
    N.Counted->Macs = A.add(A.add(T.Macs, T.EncoderMacs), T.CrossMacsAtLen);
  }
  static int64_t IOr(const LayerNode &N, llvm::StringRef Name, int64_t Default) {
    const Value *V = N.arg(Name);
    return V ? V->I : Default;
  }
  /// Elements of a shape (Sema keeps each shape's count within 64 bits; checked all the same).
  static Wide numel(const std::vector<int64_t> &D, Arith &A) {
    Wide X = 1;
    for (int64_t V : D)
      X = A.mul(X, V);
    return X;
  }

  /// Activation memory of one input: every layer that computes writes its output; the live set
  /// at a layer is its input and output plus the residual inputs held for a later add.
  static void activations(const LayerNode &N, Wide Active, Totals &T, Arith &A) {
    // Views and containers (whose children are counted) write nothing of their own; a channel
    // slice and a parameter tensor count as written, as they always have.
    if (!launches(N.Prim) && N.Prim != PrimitiveKind::take_channels &&
        N.Prim != PrimitiveKind::param)
      return;
    if (Active == 0) // an auxiliary head, which does not run
      return;
    Wide In = numel(N.InShape, A), Out = numel(N.OutShape, A);
    A.acc(T.Written, Out, Active);
    T.Peak = std::max(T.Peak, A.add(A.add(In, Out), T.Held));
  }
  static bool B(const LayerNode &N, llvm::StringRef Name) { return N.arg(Name)->B; }

  /// Elementwise operations: fused into the operation before them by engines that fuse.
  static bool elementwise(PrimitiveKind K) {
    switch (K) {
    case PrimitiveKind::norm:
    case PrimitiveKind::act:
    case PrimitiveKind::batchnorm:
    case PrimitiveKind::upsample:
    case PrimitiveKind::glu:
    case PrimitiveKind::add_tokens:
    case PrimitiveKind::context_tokens:
    case PrimitiveKind::concat_saved:
    case PrimitiveKind::patch_merge:
      return true;
    default:
      return false;
    }
  }
  /// Operations a forward pass launches (views and containers launch none of their own).
  static bool launches(PrimitiveKind K) {
    switch (K) {
    case PrimitiveKind::input:
    case PrimitiveKind::flatten:
    case PrimitiveKind::tokens:
    case PrimitiveKind::untokens:
    case PrimitiveKind::first_token:
    case PrimitiveKind::drop_tokens:
    case PrimitiveKind::side_input:
    case PrimitiveKind::save:
    case PrimitiveKind::take_channels:
    case PrimitiveKind::param:
    case PrimitiveKind::residual:
    case PrimitiveKind::shortcut:
    case PrimitiveKind::branch:
    case PrimitiveKind::experts:
    case PrimitiveKind::concat:
    case PrimitiveKind::path:
    case PrimitiveKind::auxiliary:
    case PrimitiveKind::encoder:
    case PrimitiveKind::shared:
    case PrimitiveKind::window_pad:
    case PrimitiveKind::window_unpad:
      return false;
    default:
      return true;
    }
  }

  static void walk(const LayerNode &N, Wide Total, Wide Active, Totals &T, Arith &A) {
    if (N.K == LayerNode::Repeat) {
      Total = A.mul(Total, N.Count);
      Active = A.mul(Active, N.Count);
    }
    if (N.K != LayerNode::Primitive) {
      walkChildren(N, Total, Active, T, A);
      return;
    }
    const Wide Params0 = A.add(T.Params, T.SharedReads), Macs0 = T.Macs;
    primitive(N, Total, Active, T, A);
    if (!launches(N.Prim))
      return;
    if (!T.ExpertDepth) {
      A.acc(T.Ops, 1, Active);
      if (!elementwise(N.Prim))
        A.acc(T.FusedOps, 1, Active);
    }
    // Models with an input: each operation is a kernel of the forward pass.
    if (!N.OutShape.empty() && Active > INT64_MAX)
      T.KernelOverflow = true;
    else if (!N.OutShape.empty() && Active > 0 && Total > 0)
      T.Kernels.push_back({(T.Macs - Macs0) / Active, (T.Params + T.SharedReads - Params0) / Total,
                           numel(N.InShape, A), numel(N.OutShape, A), static_cast<int64_t>(Active),
                           elementwise(N.Prim), N.Prim == PrimitiveKind::attend});
  }

  /// Walks a container's children in order. A run of `linear` children with the same input
  /// features and nothing between them is one product of their outputs together (engines fuse
  /// query, key and value, and gate and up): DenseLinears counts it once, as (in, the run's
  /// outputs), outside the experts.
  static void walkChildren(const LayerNode &N, Wide Total, Wide Active, Totals &T, Arith &A) {
    int64_t RunIn = -1, RunOut = 0; // the run of linears just walked (-1: none)
    Wide RunTimes = 0;              // how many times a token runs it
    auto Flush = [&] {
      if (RunIn >= 0 && RunTimes > 0 && !T.ExpertDepth) {
        Wide &D = T.DenseLinears[{RunIn, RunOut}];
        D = A.add(D, RunTimes);
      }
      RunIn = -1;
      RunOut = 0;
    };
    for (const auto &C : N.Children) {
      if (C->K == LayerNode::Primitive && C->Prim == PrimitiveKind::linear) {
        const int64_t In = I(*C, "in");
        if (In != RunIn)
          Flush();
        if (RunIn < 0)
          RunTimes = A.mul(IOr(*C, "positions", 1), Active);
        RunIn = In;
        RunOut += I(*C, "out");
      } else {
        Flush();
      }
      walk(*C, Total, Active, T, A);
    }
    Flush();
  }
  /// Walks a container's children with its input held live for what follows them (a residual
  /// add, a concatenation).
  static void walkHoldingInput(const LayerNode &N, Wide Total, Wide Active, Totals &T, Arith &A) {
    Wide Kept = numel(N.InShape, A);
    T.Held = A.add(T.Held, Kept);
    walkChildren(N, Total, Active, T, A);
    T.Held -= Kept;
  }
  /// The one elementwise launch after a container's children, reading `Read` elements and
  /// writing the container's output.
  static void joinLaunch(const LayerNode &N, Wide Read, Wide Active, Totals &T, Arith &A) {
    if (!T.ExpertDepth)
      A.acc(T.Ops, 1, Active);
    Wide Out = numel(N.OutShape, A);
    if (!N.OutShape.empty() && Active > INT64_MAX)
      T.KernelOverflow = true;
    else if (!N.OutShape.empty() && Active > 0)
      T.Kernels.push_back({0, 0, Read, Out, static_cast<int64_t>(Active), true});
    A.acc(T.Written, Out, Active);
  }

  static void primitive(const LayerNode &N, Wide Total, Wide Active, Totals &T, Arith &A) {
    if (!N.OutShape.empty())
      activations(N, Active, T, A);
    // `Touched` is what one token uses: all of a weight matrix, but one row of a lookup table.
    auto Params = [&](Wide P, bool Embedding = false, std::optional<Wide> Touched = {}) {
      bool Before = A.Overflow;
      Wide Stored = Total, Used = Active;
      if (T.SharedCopies) { // in a `shared` body: stored at the id's first use, read at each
        Stored = T.SharedStores ? Total / T.SharedCopies : 0;
        Used = T.SharedStores && T.SharedUses ? Active / T.SharedUses : 0;
        A.acc(T.SharedReads, P, Active - Used);
      }
      A.acc(T.Params, P, Stored);
      A.acc(T.Active, Touched ? *Touched : P, Used);
      if (Embedding)
        A.acc(T.Embedding, P, Stored);
      A.ParamsOverflow |= A.Overflow && !Before;
    };
    switch (N.Prim) {
    case PrimitiveKind::embedding:
      if (!T.EmbeddingWidth)
        T.EmbeddingWidth = I(N, "dim");
      Params(A.mul(I(N, "vocab"), I(N, "dim")), /*Embedding=*/true, Wide(I(N, "dim")));
      // (A table of an auxiliary head is never looked up: no lookup, not even a vendor's.)
      if (Active > 0)
        A.acc(T.Lookup, A.mul(I(N, "vocab"), I(N, "dim")), Total);
      T.Tables.push_back({I(N, "vocab"), I(N, "dim")});
      A.acc(T.LookupRows, I(N, "dim"), Active);
      return;
    case PrimitiveKind::linear: {
      T.MaxWidth = std::max({T.MaxWidth, I(N, "in"), I(N, "out")});
      Wide W = A.mul(I(N, "in"), I(N, "out"));
      const Wide Params0 = T.Params, Macs0 = T.Macs;
      Params(B(N, "bias") ? A.add(W, I(N, "out")) : W);
      A.acc(T.Macs, A.mul(W, IOr(N, "positions", 1)), Active);
      A.acc(T.LinearIn, A.mul(I(N, "in"), IOr(N, "positions", 1)), Active);
      A.acc(T.LinearOut, A.mul(I(N, "out"), IOr(N, "positions", 1)), Active);
      // A limit on the pieces tensor ranks split it into (experts are spread whole).
      if (const int64_t Shards = I(N, "shards"); Shards > 0 && !T.ExpertDepth && !T.AuxDepth) {
        ShardedWeights &G = T.Sharded[Shards];
        G.Shards = Shards;
        G.Params = A.add(G.Params, T.Params - Params0);
        G.Macs = A.add(G.Macs, T.Macs - Macs0);
      }
      return;
    }
    case PrimitiveKind::frame_conv: {
      T.MaxWidth = std::max({T.MaxWidth, I(N, "in"), I(N, "out")});
      Wide W = A.mul(A.mul(I(N, "in"), I(N, "out")), I(N, "kernel"));
      Params(B(N, "bias") ? A.add(W, I(N, "out")) : W);
      A.acc(T.Macs, A.mul(W, I(N, "frames")), Active);
      return;
    }
    case PrimitiveKind::lm_head: {
      T.HeadWidth = I(N, "dim");
      Wide W = A.mul(I(N, "vocab"), I(N, "dim"));
      if (!B(N, "tied")) {
        Params(W, /*Embedding=*/true);
      } else {
        A.acc(T.TiedHead, W, Total);
        // The whole shared table is read; its embedding counted one row of it.
        Wide Extra = W - I(N, "dim");
        A.acc(T.Active, Extra, Active);
        A.acc(T.TiedActive, Extra, Active);
        T.TiedHeads.push_back(&N);
      }
      A.acc(T.Macs, W, Active);
      A.acc(T.HeadMacs, W, Active);
      return;
    }
    case PrimitiveKind::norm:
      if (N.arg("kind")->S != "plain")
        Params(B(N, "bias") ? A.mul(I(N, "dim"), 2) : Wide(I(N, "dim")));
      A.acc(T.Elements, A.mul(I(N, "dim"), IOr(N, "positions", 1)), Active);
      return;
    case PrimitiveKind::act:
      A.acc(T.Elements, I(N, "dim"), Active);
      return;
    case PrimitiveKind::param:
      Params(I(N, "count"));
      return;
    case PrimitiveKind::attend: {
      Wide Heads = I(N, "heads");
      Wide PerPos = A.mul(Heads, A.add(I(N, "head_dim"), I(N, "v_head_dim")));
      Wide Cache = I(N, "cache")
                       ? Wide(I(N, "cache"))
                       : A.mul(I(N, "kv_heads"), A.add(I(N, "head_dim"), I(N, "v_head_dim")));
      if (int64_t Positions = IOr(N, "positions", 0)) {
        // Over a whole input of `Positions` tokens (vision): the `cross_len` tokens of an
        // external context (cross-attention); else every token sees every token, or, causal,
        // the tokens up to itself, at most `window` of them: sum over i of min(i, window).
        Wide Pairs;
        if (I(N, "cross_len")) {
          Pairs = A.mul(Positions, I(N, "cross_len"));
        } else if (B(N, "causal")) {
          // Token i sees min(i, window) tokens, or its chunk up to itself (ClosedForm.h).
          AttentionTerm Kind;
          Kind.Window = I(N, "window");
          Kind.Chunk = I(N, "chunk");
          Kind.TopK = I(N, "topk");
          BigCount Seen = sumSeen(Kind, Positions);
          A.Overflow |= !Seen.isExact();
          Pairs = Seen.isExact() ? Seen.exact() : 0;
        } else if (int64_t W = I(N, "window")) {
          // Square windows of W x W tokens tiling the grid: each token sees its window.
          Pairs = A.mul(Positions, A.mul(W, W));
        } else {
          Pairs = A.mul(Positions, Positions);
        }
        A.acc(T.Macs, A.mul(PerPos, Pairs), Active);
        A.acc(T.Elements, A.mul(Heads, Pairs), Active);
        return;
      }
      if (T.AuxDepth) // an auxiliary head never runs: its attention is no kind of the model's
        return;
      if (int64_t Cross = I(N, "cross_len")) {
        // Per source position (an encoder-decoder's source is the prompt), and at `cross_len`
        // (a fixed context otherwise); the pass keeps one or the other.
        A.acc(T.CrossMacs, PerPos, Active);
        A.acc(T.CrossElements, Heads, Active);
        A.acc(T.CrossCache, Cache, Active);
        A.acc(T.CrossMacsAtLen, A.mul(PerPos, Cross), Active);
        A.acc(T.CrossElementsAtLen, A.mul(Heads, Cross), Active);
        A.acc(T.CrossCacheAtLen, A.mul(Cache, Cross), Active);
        if (!T.CrossLen)
          T.CrossLen = Cross;
        else if (Cross != T.CrossLen && !T.OtherCrossLen)
          T.OtherCrossLen = &N;
        return;
      }
      if (int64_t Chunk = I(N, "chunk")) {
        if (!T.Chunk)
          T.Chunk = Chunk;
        else if (Chunk != T.Chunk && !T.OtherChunk)
          T.OtherChunk = &N;
      }
      AttentionTerm &Term =
          T.Attention[{I(N, "window"), I(N, "chunk"), I(N, "topk"), B(N, "causal")}];
      Term.Window = I(N, "window");
      Term.Chunk = I(N, "chunk");
      Term.TopK = I(N, "topk");
      Term.Causal = B(N, "causal");
      A.acc(Term.MacsCoef, PerPos, Active);
      // A decode step over a latent attends in it (the up-projections absorbed): each head's
      // scores over the whole `cache`, its values over `latent` of it.
      A.acc(Term.DecodeMacsCoef,
            I(N, "latent") ? A.mul(Heads, A.add(I(N, "cache"), I(N, "latent"))) : PerPos, Active);
      A.acc(Term.ScoresCoef, Heads, Active);
      if (Term.Causal) { // an encoder recomputes keys and values; nothing is cached
        A.acc(Term.KVValues, Cache, Active);
        // A given `cache` (a latent) is one piece every tensor rank keeps; heads split.
        const int64_t Shards = I(N, "cache") ? 1 : std::max<int64_t>(1, I(N, "kv_heads"));
        auto It = std::find_if(Term.KVShards.begin(), Term.KVShards.end(),
                               [&](const auto &P) { return P.first == Shards; });
        if (It == Term.KVShards.end())
          It = Term.KVShards.insert(Term.KVShards.end(), {Shards, 0});
        A.acc(It->second, Cache, Active);
      }
      return;
    }
    case PrimitiveKind::experts: {
      int64_t Count = I(N, "count"), TopK = I(N, "top_k");
      Totals One;
      Arith OneA;
      for (const auto &C : N.Children)
        walk(*C, 1, 1, One, OneA);
      A.Overflow |= OneA.Overflow;
      ExpertTerm &E = T.Experts[{Count, TopK, One.Params}];
      E.Count = Count;
      E.TopK = TopK;
      E.ExpertParams = One.Params;
      E.ExpertMacs = One.Macs;
      E.Layers = A.add(E.Layers, Total);
      // One launch per operation of the body for the whole set (grouped expert kernels).
      A.acc(T.Ops, One.Ops, Active);
      A.acc(T.FusedOps, One.FusedOps, Active);
      ++T.ExpertDepth;
      for (const auto &C : N.Children)
        walk(*C, A.mul(Total, Count), A.mul(Active, TopK), T, A);
      --T.ExpertDepth;
      return;
    }
    case PrimitiveKind::ssm: {
      Wide Elems = A.mul(I(N, "d_inner"), I(N, "d_state"));
      A.acc(T.Macs, A.mul(Elems, 3), Active);
      A.acc(T.Elements, Elems, Active);
      A.acc(T.State, Elems, Active);
      A.acc(T.Recurrent, Elems, Active);
      return;
    }
    case PrimitiveKind::input:
      T.PerInput = true;
      T.InputShape = N.OutShape;
      return;
    case PrimitiveKind::conv2d: {
      int64_t G = I(N, "groups");
      Wide PerOut = A.mul(A.mul(I(N, "in_channels") / G, I(N, "kernel")), I(N, "kernel_w"));
      Wide W = A.mul(I(N, "out"), PerOut);
      Params(B(N, "bias") ? A.add(W, I(N, "out")) : W);
      A.acc(T.Macs, A.mul(numel(N.OutShape, A), PerOut), Active);
      return;
    }
    case PrimitiveKind::conv_transpose2d: {
      // Each input position of each input channel spreads over kernel^2 outputs of each
      // output channel.
      Wide PerIn = A.mul(A.mul(I(N, "out"), I(N, "kernel")), I(N, "kernel"));
      Wide W = A.mul(I(N, "in_channels"), PerIn);
      Params(B(N, "bias") ? A.add(W, I(N, "out")) : W);
      A.acc(T.Macs, A.mul(numel(N.InShape, A), PerIn), Active);
      return;
    }
    case PrimitiveKind::batchnorm:
      if (!B(N, "frozen"))
        Params(A.mul(I(N, "channels"), 2));
      A.acc(T.Elements, numel(N.InShape, A), Active);
      return;
    case PrimitiveKind::pool2d:
      A.acc(T.Elements, A.mul(numel(N.OutShape, A), A.mul(I(N, "kernel"), I(N, "kernel"))), Active);
      return;
    case PrimitiveKind::adaptive_pool:
      A.acc(T.Elements, numel(N.InShape, A), Active);
      return;
    case PrimitiveKind::add_tokens:
      Params(A.mul(I(N, "count"), I(N, "dim")));
      return;
    case PrimitiveKind::flatten:
    case PrimitiveKind::tokens:
    case PrimitiveKind::first_token:
    case PrimitiveKind::context_tokens:
    case PrimitiveKind::drop_tokens:
    case PrimitiveKind::side_input:
    case PrimitiveKind::save:
    case PrimitiveKind::concat_saved:
    case PrimitiveKind::untokens:
    case PrimitiveKind::take_channels:
    case PrimitiveKind::window_pad:
    case PrimitiveKind::window_unpad:
    case PrimitiveKind::patch_merge:
      return;
    case PrimitiveKind::upsample:
    case PrimitiveKind::glu:
      A.acc(T.Elements, numel(N.OutShape, A), Active);
      return;
    case PrimitiveKind::residual: {
      walkHoldingInput(N, Total, Active, T, A);
      Wide Out = numel(N.OutShape, A);
      A.acc(T.Elements, Out, Active); // the add
      joinLaunch(N, A.mul(2, Out), Active, T, A);
      return;
    }
    case PrimitiveKind::shortcut:
    case PrimitiveKind::branch:
    case PrimitiveKind::path:
      walkChildren(N, Total, Active, T, A);
      return;
    case PrimitiveKind::auxiliary: {
      // Its parameters are the model's; it does no work at inference and reads none of them.
      const Wide Before = T.Params;
      ++T.AuxDepth;
      for (const auto &C : N.Children)
        walk(*C, Total, 0, T, A);
      --T.AuxDepth;
      T.AuxParams = A.add(T.AuxParams, A.sub(T.Params, Before));
      return;
    }
    case PrimitiveKind::encoder: {
      // Its parameters are the model's; its work runs over the source, per source token.
      Totals E;
      for (const auto &C : N.Children)
        walk(*C, Total, Active, E, A);
      if (!T.Encoder)
        T.Encoder = &N;
      bool Before = A.Overflow;
      T.Params = A.add(T.Params, E.Params);
      T.Active = A.add(T.Active, E.Active);
      T.Embedding = A.add(T.Embedding, E.Embedding);
      A.ParamsOverflow |= A.Overflow && !Before;
      T.Lookup = A.add(T.Lookup, E.Lookup);
      T.LookupRows = A.add(T.LookupRows, E.LookupRows);
      T.Tables.insert(T.Tables.end(), E.Tables.begin(), E.Tables.end());
      if (!T.EmbeddingWidth)
        T.EmbeddingWidth = E.EmbeddingWidth;
      T.MaxWidth = std::max(T.MaxWidth, E.MaxWidth);
      T.EncoderParams = A.add(T.EncoderParams, E.Params);
      T.EncoderLookup = A.add(T.EncoderLookup, E.Lookup);
      T.EncoderLookupRows = A.add(T.EncoderLookupRows, E.LookupRows);
      T.EncoderMacs = A.add(T.EncoderMacs, E.Macs);
      T.EncoderElements = A.add(T.EncoderElements, E.Elements);
      T.EncoderLinearIn = A.add(T.EncoderLinearIn, E.LinearIn);
      T.EncoderLinearOut = A.add(T.EncoderLinearOut, E.LinearOut);
      T.EncoderOps = A.add(T.EncoderOps, E.Ops);
      T.EncoderFusedOps = A.add(T.EncoderFusedOps, E.FusedOps);
      for (const auto &[Key, Term] : E.Attention) {
        AttentionTerm &X = T.EncoderAttention[std::get<0>(Key)];
        X.Window = Term.Window;
        X.Causal = false;
        X.MacsCoef = A.add(X.MacsCoef, Term.MacsCoef);
        X.ScoresCoef = A.add(X.ScoresCoef, Term.ScoresCoef);
      }
      return;
    }
    case PrimitiveKind::shared: {
      // One copy of the body's parameters, kept for the id's first use (a later use must hold as
      // many); the work of every use, and the weights read again by the later ones. A use
      // repeated no times stores and runs nothing, and is no id's first use.
      if (Total == 0) {
        for (const auto &C : N.Children)
          walk(*C, Total, Active, T, A);
        return;
      }
      Totals One;
      Arith OneA;
      for (const auto &C : N.Children)
        walk(*C, 1, 1, One, OneA);
      A.Overflow |= OneA.Overflow;
      auto [It, First] = T.Shared.try_emplace(I(N, "id"), One.Params, &N);
      if (!First && It->second.first != One.Params && !T.SharedDiffers) {
        T.SharedDiffers = &N;
        T.SharedHere = One.Params;
      }
      T.SharedCopies = Total;
      T.SharedUses = Active;
      T.SharedStores = First;
      for (const auto &C : N.Children)
        walk(*C, Total, Active, T, A);
      T.SharedCopies = T.SharedUses = 0;
      T.SharedStores = true;
      return;
    }
    case PrimitiveKind::concat: {
      // The join copies the paths' outputs into one tensor (one launch, written like
      // `concat_saved`).
      walkHoldingInput(N, Total, Active, T, A);
      if (Active == 0)
        return;
      Wide Out = numel(N.OutShape, A);
      joinLaunch(N, Out, Active, T, A);
      T.Peak = std::max(T.Peak, A.add(A.mul(Out, 2), T.Held));
      return;
    }
    case PrimitiveKind::conv1d: {
      Wide W = A.mul(I(N, "channels"), I(N, "kernel"));
      Params(B(N, "bias") ? A.add(W, I(N, "channels")) : W);
      A.acc(T.Macs, W, Active);
      // Mamba's reference code and Hugging Face's cache keep `kernel` columns per channel
      // (one more than the convolution strictly needs): what runs is what is counted.
      A.acc(T.State, W, Active);
      A.acc(T.Recurrent, W, Active);
      return;
    }
    }
    llvm_unreachable("unknown primitive");
  }
};
} // namespace

std::unique_ptr<Pass> zoo::createCostModelPass() { return std::make_unique<CostModelPass>(); }
