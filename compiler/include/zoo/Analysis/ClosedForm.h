//===- ClosedForm.h - the closed forms behind every metric --------*- C++ -*-===//
//
// Sums over a model's attention and expert kinds (ModelStats), shared by the metric evaluator
// and the roofline analysis. Each costs O(number of kinds). Conventions: docs/formulas.md.
// Counts are BigCounts: exact in 128 bits while they fit, approximate (a double) beyond, never
// wrapped, whatever the context or token count.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_ANALYSIS_CLOSEDFORM_H
#define ZOO_ANALYSIS_CLOSEDFORM_H

#include "zoo/IR/Module.h"

namespace zoo {

/// Positions a token at context `C` sees under a window `Window` (0: no window): min(C, Window).
Wide visible(Wide C, int64_t Window);
/// Positions a token at position `C` of attention kind `A` sees: C, min(C, Window), or with
/// chunks its own chunk up to itself, (C - 1) mod Chunk + 1.
Wide seen(const AttentionTerm &A, Wide C);
/// Positions of kind `A` a sequence's cache holds at context `C`: C, min(C, Window) or
/// min(C, Chunk) (a chunk's keys and values are kept until the chunk is full).
Wide held(const AttentionTerm &A, Wide C);
/// sum over positions p = 1..N of seen(A, p): a causal kind's attention over N positions.
BigCount sumSeen(const AttentionTerm &A, Wide N);
/// MACs of one token that sees `C` positions (an encoder-decoder's decoder token, its
/// cross-attention over the source length the model declares).
BigCount macsPerToken(const ModelStats &S, Wide C);
/// The same over a source of `Source` tokens (other models: macsPerToken).
BigCount macsPerTokenAt(const ModelStats &S, Wide C, Wide Source);
/// MACs of a forward pass over `N` tokens (causal: positions 1..N). An encoder-decoder's: the
/// encoder over a source of `N` tokens and the decoder's first position.
BigCount prefillMacs(const ModelStats &S, Wide N);
/// MACs of generating `Output` tokens after a prompt of `Prompt`: positions 1..Prompt+Output-1;
/// an encoder-decoder's, the encoder over the prompt and decoder positions 1..Output.
BigCount generationMacs(const ModelStats &S, Wide Prompt, Wide Output);
/// MACs of a training forward pass over sequences of `N` tokens (an encoder-decoder's: a source
/// and a target of `N` tokens each).
BigCount trainingMacs(const ModelStats &S, Wide N);
/// An encoder-decoder's encoder sections over a source of `Source` tokens (0 for other models).
BigCount encoderMacs(const ModelStats &S, Wide Source);
/// KV cache and state values of one sequence at context `C` (an encoder-decoder's: its decoder at
/// `C`, its cross-attention cache over the source length it declares).
BigCount kvValues(const ModelStats &S, Wide C);
/// The same over a source of `Source` tokens (other models: kvValues).
BigCount kvValuesAt(const ModelStats &S, Wide C, Wide Source);
/// The cache values one decode step at context C moves for a sequence: the positions each
/// attention kind reads (seen), the state and cross-attention cache read, and the recurrent and
/// convolution state written back.
BigCount stepCacheValues(const ModelStats &S, Wide C);
/// Bytes of `Values` values at precision `P` (exact where integral).
Value bytesAt(const BigCount &Values, const PrecisionRecord &P);
/// Parameters a decode step of `Batch` tokens reads: dense weights plus the expected distinct
/// experts of each expert layer under uniform routing.
double decodeWeightParams(const ModelStats &S, double Batch);
/// Parameters of every expert of every expert layer (all of them, routed to or not).
BigCount expertParamsAll(const ModelStats &S);
/// Weight parameters a forward pass over `Tokens` positions moves from memory: `Params` (the
/// dense weights, or what decodeWeightParams leaves) less the lookup tables, plus the rows the
/// tokens look up (at most the tables) and the tables a tied output head multiplies by.
double weightParamsRead(const ModelStats &S, double Params, double Tokens);
/// An exact count as an int where it fits in 64 bits, else a real.
Value wideValue(const BigCount &W);

} // namespace zoo

#endif
