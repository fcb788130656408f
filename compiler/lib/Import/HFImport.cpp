//===- HFImport.cpp - a Zoo model from a Hugging Face config.json ---------===//
//
// One mapper per architecture family turns the config's fields into the arguments of a stdlib
// block (llama, sandwich_llama, parallel_decoder, mixtral, deepseek, gpt2, bert, mamba, mamba2)
// or, where the family adds layers no stdlib block has (per-head query and key norms, a gated
// shared expert, MLA without a query bottleneck), into a small block of the model's own built
// from the stdlib's layers (attention, gated_mlp, moe_mlp, norm). Every field that changes a
// count is read; every other field is ignored. The first error stops the import.
//
//===----------------------------------------------------------------------===//
#include "zoo/Import/HFImport.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <cmath>
#include <cstdint>

using namespace zoo;
using llvm::Optional;
using llvm::StringRef;
namespace json = llvm::json;

namespace {

/// A JSON value as written in a message: compact, at most 48 characters.
std::string show(const json::Value &V) {
  // The parser saturates an integer literal past the 64-bit range at the range's ends.
  if (Optional<int64_t> I = V.getAsInteger(); I && (*I == INT64_MAX || *I == INT64_MIN))
    return *I > 0 ? "(a number of at least 2^63 - 1)" : "(a number of at most -2^63)";
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << V;
  OS.flush();
  if (S.size() > 48)
    S = S.substr(0, 45) + "...";
  return S;
}

/// A * B == C, without overflow (sizes are at most 2^40, so a product may not fit).
bool productIs(int64_t A, int64_t B, int64_t C) {
  int64_t R;
  return !__builtin_mul_overflow(A, B, &R) && R == C;
}

/// Digits grouped by `_`, as the registry writes counts.
std::string grouped(int64_t N) {
  std::string D = std::to_string(N), Out;
  for (size_t I = 0; I < D.size(); ++I) {
    if (I && (D.size() - I) % 3 == 0)
      Out += '_';
    Out += D[I];
  }
  return Out;
}

/// A path or name as it may appear in a `//` comment or a message: control characters become
/// `?`, and it is cut at 200 bytes.
std::string printable(StringRef S) {
  std::string Out;
  for (char C : S.take_front(200))
    Out += (static_cast<unsigned char>(C) < 0x20 || C == 0x7f) ? '?' : C;
  return Out;
}

/// Reads a regular file of at most `Limit` bytes (checked on its status first, so a FIFO or a
/// device is never opened).
bool readFile(StringRef Path, uint64_t Limit, std::string &Text, std::string &Error) {
  namespace fs = llvm::sys::fs;
  const std::string Name = printable(Path);
  fs::file_status St;
  if (std::error_code EC = fs::status(Path, St)) {
    Error = "cannot read '" + Name + "': " + EC.message();
    return false;
  }
  if (St.type() != fs::file_type::regular_file) {
    Error = "'" + Name + "' is not a regular file";
    return false;
  }
  if (St.getSize() > Limit) {
    Error = "'" + Name + "' is " + std::to_string(St.getSize()) + " bytes; at most " +
            std::to_string(Limit) + " are read";
    return false;
  }
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!Buf) {
    Error = "cannot read '" + Name + "': " + Buf.getError().message();
    return false;
  }
  if ((*Buf)->getBufferSize() > Limit) { // grew since the check
    Error = "'" + Name + "' is over " + std::to_string(Limit) + " bytes";
    return false;
  }
  Text = std::string((*Buf)->getBuffer());
  return true;
}

/// llvm::json::parse recurses once per nesting level: the text is scanned first, outside
/// strings, and nesting deeper than MaxJSONNesting is an error at the bracket that goes past.
/// Python's json module writes NaN, Infinity and -Infinity (transformers configs hold them, e.g.
/// `"time_step_limit": [0.0, Infinity]`); outside strings they become `null` (no field that
/// changes a count takes them), Infinity keeping its width.
/// `Widened` gets the line and column of each NaN (one byte longer as `null`), so that a parse
/// error's column can be given in the original text.
bool checkNesting(std::string &Text, StringRef Name, std::string &Error,
                  std::vector<std::pair<unsigned, unsigned>> &Widened) {
  unsigned Depth = 0, Line = 1, Col = 1;
  bool InString = false, Escape = false;
  for (size_t I = 0; I < Text.size(); ++I) {
    if (!InString && (Text[I] == 'N' || Text[I] == 'I' || Text[I] == '-')) {
      StringRef Rest = StringRef(Text).drop_front(I);
      for (StringRef Word : {"-Infinity", "Infinity", "NaN"})
        if (Rest.startswith(Word)) {
          if (Word == "NaN")
            Widened.emplace_back(Line, Col);
          std::string Null = "null" + std::string(Word.size() > 4 ? Word.size() - 4 : 0, ' ');
          Text.replace(I, Word.size(), Null);
          break;
        }
    }
    const char C = Text[I];
    if (InString) {
      if (Escape)
        Escape = false;
      else if (C == '\\')
        Escape = true;
      else if (C == '"')
        InString = false;
    } else if (C == '"') {
      InString = true;
    } else if (C == '[' || C == '{') {
      if (++Depth > MaxJSONNesting) {
        Error = Name.str() + ":" + std::to_string(Line) + ":" + std::to_string(Col) +
                ": JSON nested more than " + std::to_string(MaxJSONNesting) + " levels deep";
        return false;
      }
    } else if ((C == ']' || C == '}') && Depth) {
      --Depth;
    }
    if (C == '\n') {
      ++Line;
      Col = 1;
    } else if ((static_cast<unsigned char>(C) & 0xC0) != 0x80) {
      ++Col; // columns count characters, not UTF-8 continuation bytes
    }
  }
  return true;
}

/// Reads and parses a JSON file whose root must be an object. A parse error is reported as
/// `FILE:LINE:COL: malformed JSON: MESSAGE`.
bool loadJSON(StringRef Path, uint64_t Limit, json::Value &Out, std::string &Error) {
  std::string Text;
  if (!readFile(Path, Limit, Text, Error))
    return false;
  const std::string Name = printable(Path);
  std::vector<std::pair<unsigned, unsigned>> Widened;
  if (!checkNesting(Text, Name, Error, Widened))
    return false;
  llvm::Expected<json::Value> V = json::parse(Text);
  if (!V) {
    std::string Msg = llvm::toString(V.takeError());
    // ParseError logs as "[LINE:COL, byte=N]: MESSAGE".
    StringRef M(Msg);
    std::string Where;
    if (M.consume_front("[")) {
      auto [Pos, Rest] = M.split(", byte=");
      auto [L, C] = Pos.split(':');
      unsigned Line = 1, Col = 1;
      L.getAsInteger(10, Line);
      C.getAsInteger(10, Col);
      for (auto [WL, WC] : Widened) // each NaN before the column made the text one longer
        if (WL == Line && WC < Col && Col > 1)
          --Col;
      Where = std::to_string(Line) + ":" + std::to_string(std::max(Col, 1u));
      M = Rest.split("]: ").second;
    }
    std::string Lower = M.str();
    if (!Lower.empty())
      Lower[0] = llvm::toLower(Lower[0]);
    Error = Name + ":" + (Where.empty() ? std::string("1:1") : Where) +
            ": malformed JSON: " + Lower;
    return false;
  }
  if (!V->getAsObject()) {
    Error = Name + ": the top level is not a JSON object";
    return false;
  }
  Out = std::move(*V);
  return true;
}

/// The fields of one JSON object, read with validation. The first error is kept in `Error`;
/// later reads return harmless defaults, and the caller checks `failed()` before using values.
class Fields {
public:
  Fields(const json::Object &O, std::string File, std::string &Error)
      : O(O), File(std::move(File)), Error(Error) {}

  bool failed() const { return !Error.empty(); }
  const std::string &file() const { return File; }

  /// The value of the first of `Keys` present and not null, and which key that was.
  const json::Value *find(std::initializer_list<StringRef> Keys, StringRef &Key) const {
    for (StringRef K : Keys)
      if (const json::Value *V = O.get(K); V && V->kind() != json::Value::Null) {
        Key = K;
        return V;
      }
    Key = *Keys.begin();
    return nullptr;
  }
  bool has(StringRef K) const {
    StringRef Key;
    return find({K}, Key) != nullptr;
  }
  const json::Value *raw(StringRef K) const {
    StringRef Key;
    return find({K}, Key);
  }

  /// A whole number in [Min, Max]; a missing or null field is `Default` when one is given, an
  /// error otherwise.
  int64_t num(std::initializer_list<StringRef> Keys, Optional<int64_t> Default = llvm::None,
              int64_t Min = 1, int64_t Max = MaxImportDim) {
    StringRef Key;
    const json::Value *V = find(Keys, Key);
    if (!V) {
      if (!Default)
        fail("required field `" + Key.str() + "` is " + (O.get(Key) ? "null" : "missing"));
      return Default ? *Default : Min;
    }
    return check(Key, *V, Min, Max);
  }
  int64_t num(StringRef Key, Optional<int64_t> Default = llvm::None, int64_t Min = 1,
              int64_t Max = MaxImportDim) {
    return num({Key}, Default, Min, Max);
  }
  /// Like num(), but None when the field is missing or null.
  Optional<int64_t> optNum(StringRef Key, int64_t Min = 1, int64_t Max = MaxImportDim) {
    const json::Value *V = raw(Key);
    if (!V)
      return llvm::None;
    return check(Key, *V, Min, Max);
  }
  int64_t check(StringRef Key, const json::Value &V, int64_t Min, int64_t Max) {
    if (V.kind() != json::Value::Number) {
      fail("field `" + Key.str() + "` = " + show(V) + " is not a number");
      return Min;
    }
    Optional<int64_t> I = V.getAsInteger();
    if (!I) {
      Optional<double> D = V.getAsNumber();
      double Whole;
      if (D && std::modf(*D, &Whole) != 0.0)
        fail("field `" + Key.str() + "` = " + show(V) + " is not a whole number");
      else
        fail("field `" + Key.str() + "` = " + show(V) + " is out of range (" +
             std::to_string(Min) + " to " + std::to_string(Max) + ")");
      return Min;
    }
    if (*I < Min || *I > Max || *I == INT64_MAX || *I == INT64_MIN) {
      fail("field `" + Key.str() + "` = " + show(V) + " is out of range (" +
           std::to_string(Min) + " to " + std::to_string(Max) + ")");
      return Min;
    }
    return *I;
  }
  bool flag(StringRef Key, bool Default) {
    const json::Value *V = raw(Key);
    if (!V)
      return Default;
    if (Optional<bool> B = V->getAsBoolean())
      return *B;
    fail("field `" + Key.str() + "` = " + show(*V) + " is not true or false");
    return Default;
  }
  Optional<std::string> str(StringRef Key) {
    const json::Value *V = raw(Key);
    if (!V)
      return llvm::None;
    if (Optional<StringRef> S = V->getAsString())
      return S->str();
    fail("field `" + Key.str() + "` = " + show(*V) + " is not a string");
    return llvm::None;
  }
  /// A nested object (`text_config`), or null (an error when present and not an object).
  const json::Object *object(StringRef Key) {
    const json::Value *V = raw(Key);
    if (!V)
      return nullptr;
    if (const json::Object *Sub = V->getAsObject())
      return Sub;
    fail("field `" + Key.str() + "` = " + show(*V) + " is not an object");
    return nullptr;
  }
  /// The fields of the nested object `Sub` (named `Key` in messages), sharing this one's error.
  Fields nested(const json::Object &Sub, StringRef Key) const {
    return Fields(Sub, File + " (" + Key.str() + ")", Error);
  }
  /// The field cannot be expressed with `Block`.
  void cannot(StringRef Key, StringRef Block, StringRef Why = "") {
    const json::Value *V = raw(Key);
    fail("field `" + Key.str() + "` = " + (V ? show(*V) : std::string("(absent)")) +
         " cannot be expressed with the stdlib's " +
         (Block.empty() ? std::string("blocks") : "`" + Block.str() + "` block") +
         (Why.empty() ? "" : " (" + Why.str() + ")"));
  }
  void fail(const std::string &Msg) {
    if (Error.empty())
      Error = File + ": " + Msg;
  }

private:
  const json::Object &O;
  std::string File;
  std::string &Error;
};

/// What the model declaration is made of.
struct Emission {
  std::string Block;                                      ///< the architecture block called
  std::vector<std::pair<std::string, std::string>> Args; ///< its named arguments
  std::string LocalBlock; ///< the text of a block of the model's own, when the stdlib has none
  std::string Family;
  Optional<int64_t> Context;
  std::vector<std::string> Notes; ///< comment lines after the header
  int64_t MTPLayers = 0;          ///< multi-token-prediction layers the model leaves out
  std::string MTPKey = "num_nextn_predict_layers"; ///< the config field that counts them
  int64_t WideParams = 0; ///< parameters stored in float32 in a checkpoint of a narrower dtype
  std::string LeftOut;    ///< a part of the checkpoint the model leaves out (refuses --index)

  void arg(StringRef Name, int64_t V) { Args.emplace_back(Name.str(), std::to_string(V)); }
  /// `Name: V`, unless V is the block's default for it.
  void argUnlessDefault(StringRef Name, int64_t V, int64_t Default) {
    if (V != Default)
      arg(Name, V);
  }
  void arg(StringRef Name, bool V) { Args.emplace_back(Name.str(), V ? "true" : "false"); }
  void arg(StringRef Name, StringRef V) { Args.emplace_back(Name.str(), V.str()); }
};

/// Head counts and the head dimension, shared by the attention families. `HeadDimBlock` is the
/// block that must be told an explicit head_dim that differs from hidden / heads (empty when the
/// block takes one).
struct Heads {
  int64_t Hidden = 0, Heads = 0, KV = 0, HeadDim = 0;
  bool ExplicitHeadDim = false;
};

Heads readHeads(Fields &F, std::initializer_list<StringRef> HiddenKeys = {"hidden_size"},
                std::initializer_list<StringRef> HeadKeys = {"num_attention_heads"},
                std::initializer_list<StringRef> KVKeys = {"num_key_value_heads"}) {
  Heads H;
  H.Hidden = F.num(HiddenKeys);
  H.Heads = F.num(HeadKeys);
  H.KV = F.num(KVKeys, H.Heads);
  if (F.failed())
    return H;
  StringRef KVKey;
  F.find(KVKeys, KVKey);
  if (H.KV > H.Heads || H.Heads % H.KV != 0) {
    F.fail("field `" + KVKey.str() + "` = " + std::to_string(H.KV) +
           " does not divide the number of attention heads (" + std::to_string(H.Heads) + ")");
    return H;
  }
  if (Optional<int64_t> D = F.optNum("head_dim")) {
    H.HeadDim = *D;
    H.ExplicitHeadDim = true;
  } else if (H.Hidden % H.Heads != 0) {
    StringRef HK;
    F.find(HiddenKeys, HK);
    F.fail("field `head_dim` is missing and `" + HK.str() + "` = " + std::to_string(H.Hidden) +
           " is not a multiple of the number of attention heads (" + std::to_string(H.Heads) +
           ")");
  } else {
    H.HeadDim = H.Hidden / H.Heads;
  }
  return H;
}

/// A block that derives head_dim = hidden / heads cannot take another one.
void requireDerivedHeadDim(Fields &F, const Heads &H, StringRef Block) {
  if (!F.failed() && H.ExplicitHeadDim && !productIs(H.HeadDim, H.Heads, H.Hidden))
    F.cannot("head_dim", Block, "it derives head_dim = hidden_size / num_attention_heads");
}

/// Which layers attend globally, from the `layer_types` list of newer configs
/// ("full_attention" or "sliding_attention" per layer): layer i is global when
/// i % Every == Offset; Every 1: all global, Every 0: none. None when the field is absent; a
/// list in no such pattern is an error.
struct LayerPattern {
  int64_t Every = 1, Offset = 0;
};
Optional<LayerPattern> readLayerTypes(Fields &F, int64_t Layers, StringRef Block) {
  const json::Value *V = F.raw("layer_types");
  if (!V || F.failed())
    return llvm::None;
  const json::Array *A = V->getAsArray();
  if (!A || A->size() != static_cast<size_t>(Layers)) {
    F.fail("field `layer_types` = " + show(*V) + " is not a list of " + std::to_string(Layers) +
           " layer types (num_hidden_layers)");
    return llvm::None;
  }
  std::vector<int64_t> Global;
  for (size_t I = 0; I < A->size(); ++I) {
    Optional<StringRef> S = (*A)[I].getAsString();
    if (S && *S == "full_attention") {
      Global.push_back(static_cast<int64_t>(I));
    } else if (!S || *S != "sliding_attention") {
      F.cannot("layer_types", Block,
               "layer " + std::to_string(I) + " is " + show((*A)[I]) +
                   ", not \"full_attention\" or \"sliding_attention\"");
      return llvm::None;
    }
  }
  LayerPattern P;
  if (Global.size() == A->size())
    return P;
  if (Global.empty()) {
    P.Every = 0;
    return P;
  }
  P.Offset = Global[0];
  P.Every = Global.size() > 1 ? Global[1] - Global[0] : Layers;
  if (P.Offset >= P.Every) {
    F.cannot("layer_types", Block, "global layers in no regular pattern");
    return llvm::None;
  }
  for (int64_t I = 0; I < Layers; ++I)
    if ((I % P.Every == P.Offset) != llvm::is_contained(Global, I)) {
      F.cannot("layer_types", Block, "global layers in no regular pattern");
      return llvm::None;
    }
  return P;
}

/// The sliding window of a Mistral-style config (`sliding_window`, null or absent: none), on
/// every layer unless `layer_types` says otherwise; the block windows every layer or none.
int64_t readWindow(Fields &F, int64_t Layers, StringRef Block) {
  int64_t Window = F.optNum("sliding_window").getValueOr(0);
  if (Optional<LayerPattern> P = readLayerTypes(F, Layers, Block)) {
    if (P->Every == 1)
      return 0;
    if (P->Every != 0)
      F.cannot("layer_types", Block, "a window on some layers only");
  }
  return Window;
}

/// Qwen2/Qwen3: a window only with `use_sliding_window`, and then on layers from
/// `max_window_layers` on (or as `layer_types` says); the blocks window every layer or none.
int64_t readQwenWindow(Fields &F, int64_t Layers, StringRef Block) {
  if (F.raw("layer_types"))
    return readWindow(F, Layers, Block);
  if (!F.flag("use_sliding_window", false))
    return 0;
  int64_t From = F.num("max_window_layers", 0, 0, MaxImportLayers);
  if (From != 0 && From < Layers) {
    F.cannot("max_window_layers", Block, "a window on some layers only");
    return 0;
  }
  return From == 0 ? F.num("sliding_window") : 0;
}

void requireFalse(Fields &F, StringRef Key, StringRef Block, StringRef Why = "") {
  if (F.flag(Key, false))
    F.cannot(Key, Block, Why);
}

void readCommon(Fields &F, Emission &E, StringRef ContextKey = "max_position_embeddings") {
  E.Context = F.optNum(ContextKey, 1, MaxImportDim);
}

// ---- A decoder block of the model's own ---------------------------------------------------

/// The layers of a decoder the stdlib's blocks do not cover exactly, written as a block of the
/// model's own with literal sizes, from the stdlib's attention, gated_mlp, moe_mlp and norm.
struct Decoder {
  int64_t Vocab = 0, Hidden = 0, Layers = 0;
  Heads H;
  int64_t Ffn = 0;
  bool QKVBias = false, QKNorm = false, Sandwich = false, Tie = false;
  bool QKNormWhole = false; ///< query/key norms over the whole projections (MiniMax-M2)
  std::string Act; ///< gated_mlp kind, empty for the default (silu)
  int64_t Window = 0, GlobalEvery = 0, GlobalOffset = 0; ///< GlobalEvery 0: window everywhere
  // Mixture of experts on layers from DenseLayers on (Experts 0: dense everywhere).
  int64_t Experts = 0, TopK = 0, MoeFfn = 0, Shared = 0, SharedFfn = 0, DenseLayers = 0;
  bool SharedGate = false, RouterBias = false;
  // Multi-head latent attention without a query bottleneck (DeepSeek-V2-Lite).
  bool MLA = false;
  int64_t KVLora = 0, Nope = 0, Rope = 0, VHead = 0;

  std::string text(StringRef Name) const {
    std::string S;
    llvm::raw_string_ostream OS(S);
    OS << "block " << Name << "() {\n";
    OS << "  embedding embed_tokens(" << Vocab << ", " << Hidden << ");\n";
    if (Experts && DenseLayers) {
      OS << "  repeat " << DenseLayers << " {\n";
      layer(OS, /*MoE=*/false, /*Loop=*/false);
      OS << "  }\n";
      OS << "  repeat " << Layers - DenseLayers << " {\n";
      layer(OS, true, false);
      OS << "  }\n";
    } else if (GlobalEvery > 1) {
      OS << "  for i in 0.." << Layers << " {\n";
      layer(OS, Experts > 0, true);
      OS << "  }\n";
    } else {
      OS << "  repeat " << Layers << " {\n";
      layer(OS, Experts > 0, false);
      OS << "  }\n";
    }
    OS << "  norm final_norm(" << Hidden << ", kind: rms);\n";
    OS << "  lm_head(" << Vocab << ", " << Hidden << ", tied: " << (Tie ? "true" : "false")
       << ");\n}\n";
    OS.flush();
    return S;
  }

private:
  void attention(llvm::raw_ostream &OS, const char *Indent, bool Windowed) const {
    OS << Indent << "attention self_attn(" << Hidden << ", " << H.Heads << ", " << H.KV << ", "
       << H.HeadDim;
    if (QKVBias)
      OS << ", qkv_bias: true";
    if (Windowed && Window)
      OS << ", window: " << Window;
    OS << ");\n";
  }
  void layer(llvm::raw_ostream &OS, bool MoE, bool Loop) const {
    OS << "    norm input_layernorm(" << Hidden << ", kind: rms);\n";
    if (MLA) {
      int64_t QK = Nope + Rope;
      OS << "    linear q_proj(" << Hidden << ", " << H.Heads << " * " << QK << ");\n";
      OS << "    linear kv_a_proj_with_mqa(" << Hidden << ", " << KVLora + Rope << ");\n";
      OS << "    norm kv_a_layernorm(" << KVLora << ", kind: rms);\n";
      OS << "    linear kv_b_proj(" << KVLora << ", " << H.Heads << " * " << Nope + VHead
         << ");\n";
      OS << "    attend(heads: " << H.Heads << ", head_dim: " << QK << ", v_head_dim: " << VHead
         << ", cache: " << KVLora + Rope << ", latent: " << KVLora << ");\n";
      OS << "    linear o_proj(" << H.Heads << " * " << VHead << ", " << Hidden << ");\n";
    } else if (Loop && GlobalEvery > 1) {
      OS << "    if i % " << GlobalEvery << " == " << GlobalOffset << " {\n";
      attention(OS, "      ", false);
      OS << "    } else {\n";
      attention(OS, "      ", true);
      OS << "    }\n";
    } else {
      attention(OS, "    ", true);
    }
    if (QKNorm && QKNormWhole) {
      OS << "    norm q_norm(" << H.Heads << " * " << H.HeadDim << ", kind: rms);\n";
      OS << "    norm k_norm(" << H.KV << " * " << H.HeadDim << ", kind: rms);\n";
    } else if (QKNorm) {
      OS << "    norm q_norm(" << H.HeadDim << ", kind: rms);\n";
      OS << "    norm k_norm(" << H.HeadDim << ", kind: rms);\n";
    }
    OS << "    norm post_attention_layernorm(" << Hidden << ", kind: rms);\n";
    if (Sandwich)
      OS << "    norm pre_feedforward_layernorm(" << Hidden << ", kind: rms);\n";
    std::string Kind = Act.empty() ? "" : ", kind: " + Act;
    if (!MoE) {
      OS << "    gated_mlp mlp(" << Hidden << ", " << Ffn << Kind << ");\n";
    } else if (SharedGate) {
      OS << "    linear gate(" << Hidden << ", " << Experts << ");\n";
      OS << "    experts(" << Experts << ", " << TopK << ") {\n";
      OS << "      gated_mlp expert(" << Hidden << ", " << MoeFfn << ");\n";
      OS << "    }\n";
      OS << "    gated_mlp shared_expert(" << Hidden << ", " << SharedFfn << ");\n";
      OS << "    linear shared_expert_gate(" << Hidden << ", 1);\n";
    } else {
      OS << "    moe_mlp mlp(" << Hidden << ", " << MoeFfn << ", " << Experts << ", " << TopK;
      if (Shared)
        OS << ", " << Shared;
      if (RouterBias)
        OS << ", router_bias: true";
      OS << ");\n";
    }
    if (Sandwich)
      OS << "    norm post_feedforward_layernorm(" << Hidden << ", kind: rms);\n";
  }
};

// ---- The families -------------------------------------------------------------------------

/// Llama, Mistral, Qwen2, Phi-3, Gemma: the stdlib's `llama`.
void mapLlama(Fields &F, Emission &E, StringRef Type) {
  const bool Qwen2 = Type == "qwen2", Gemma = Type == "gemma";
  E.Block = "llama";
  int64_t Vocab = F.num("vocab_size");
  Heads H = readHeads(F);
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t Ffn = F.num("intermediate_size");
  bool Tie = F.flag("tie_word_embeddings", Gemma);
  // Llama's attention_bias puts a bias on q, k, v and o; the block has q, k, v only.
  requireFalse(F, "attention_bias", "llama", "biases on q, k, v and o");
  requireFalse(F, "mlp_bias", "llama");
  int64_t Window = Qwen2 ? readQwenWindow(F, Layers, "llama") : readWindow(F, Layers, "llama");
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", H.Hidden);
  E.arg("layers", Layers);
  E.arg("heads", H.Heads);
  E.arg("kv_heads", H.KV);
  E.arg("ffn", Ffn);
  if (!productIs(H.HeadDim, H.Heads, H.Hidden))
    E.arg("head_dim", H.HeadDim);
  if (Qwen2)
    E.arg("qkv_bias", true);
  if (Window)
    E.arg("window", Window);
  if (Tie)
    E.arg("tie_embeddings", true);
  if (Gemma)
    E.Notes.push_back("Gemma's MLP is GELU-gated; the llama block's SiLU gate has the same "
                      "counts.");
}

/// Qwen3 (dense and MoE) and Qwen2-MoE: per-head query/key norms or a gated shared expert, which
/// no stdlib block has: a block of the model's own.
void mapQwenLocal(Fields &F, Emission &E, StringRef Type, Decoder &D) {
  const bool Qwen3 = Type.startswith("qwen3"), MoE = Type.endswith("_moe");
  D.Vocab = F.num("vocab_size");
  D.H = readHeads(F);
  D.Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  D.Ffn = F.num("intermediate_size");
  D.Tie = F.flag("tie_word_embeddings", false);
  D.QKNorm = Qwen3;
  D.QKVBias = !Qwen3;
  if (Qwen3)
    requireFalse(F, "attention_bias", "attention", "biases on q, k, v and o");
  D.Window = readQwenWindow(F, D.Layers, "attention");
  if (MoE) {
    D.Experts = F.num("num_experts");
    D.TopK = F.num("num_experts_per_tok", llvm::None, 1, D.Experts);
    D.MoeFfn = F.num("moe_intermediate_size");
    if (F.num("decoder_sparse_step", 1) != 1)
      F.cannot("decoder_sparse_step", "moe_mlp", "experts on every n-th layer only");
    if (const json::Value *V = F.raw("mlp_only_layers")) {
      const json::Array *A = V->getAsArray();
      if (!A)
        F.fail("field `mlp_only_layers` = " + show(*V) + " is not an array");
      else if (!A->empty())
        F.cannot("mlp_only_layers", "moe_mlp", "dense layers at chosen indices");
    }
    if (!Qwen3) {
      D.SharedFfn = F.num("shared_expert_intermediate_size");
      D.SharedGate = true;
    }
  }
  readCommon(F, E);
  E.Notes.push_back(Qwen3 ? "Qwen3 normalizes each head's queries and keys (q_norm, k_norm), "
                            "which the stdlib's llama block has not: the layers are written out."
                          : "Qwen2-MoE has a sigmoid-gated shared expert of its own width, which "
                            "the stdlib's moe_mlp has not: the layers are written out.");
}

/// Gemma 2: the stdlib's `sandwich_llama`, local and global attention alternating (layer 0
/// local).
void mapGemma2(Fields &F, Emission &E) {
  E.Block = "sandwich_llama";
  int64_t Vocab = F.num("vocab_size");
  Heads H = readHeads(F);
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t Ffn = F.num("intermediate_size");
  bool Tie = F.flag("tie_word_embeddings", true);
  requireFalse(F, "attention_bias", "sandwich_llama", "biases on q, k, v and o");
  int64_t Window = F.optNum("sliding_window").getValueOr(0);
  // Without `layer_types`, even layers are local and odd ones global.
  LayerPattern P = readLayerTypes(F, Layers, "sandwich_llama").getValueOr(LayerPattern{2, 1});
  if (P.Every == 1)
    Window = 0;
  else if (P.Every == 0) // no global layer: a period longer than the stack
    P = LayerPattern{Layers + 1, Layers};
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", H.Hidden);
  E.arg("layers", Layers);
  E.arg("heads", H.Heads);
  E.arg("kv_heads", H.KV);
  E.arg("ffn", Ffn);
  if (!productIs(H.HeadDim, H.Heads, H.Hidden))
    E.arg("head_dim", H.HeadDim);
  if (Window) {
    E.arg("window", Window);
    E.arg("global_every", P.Every);
    E.arg("global_offset", P.Offset);
  }
  if (!Tie)
    E.arg("tie_embeddings", false);
}

/// Gemma 3 (text): Gemma 2's sandwich norms plus per-head query/key norms, five local layers to
/// one global: a block of the model's own.
void mapGemma3(Fields &F, Emission &E, Decoder &D) {
  D.Vocab = F.num("vocab_size");
  D.H = readHeads(F);
  D.Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  D.Ffn = F.num("intermediate_size");
  D.Tie = F.flag("tie_word_embeddings", true);
  D.QKNorm = D.Sandwich = true;
  D.Act = "gelu";
  requireFalse(F, "attention_bias", "attention", "biases on q, k, v and o");
  D.Window = F.optNum("sliding_window").getValueOr(0);
  // Without `layer_types`, layer i is global when (i + 1) % sliding_window_pattern == 0.
  int64_t Pattern = F.num("sliding_window_pattern", 6, 1, MaxImportLayers);
  LayerPattern P = readLayerTypes(F, D.Layers, "attention")
                       .getValueOr(LayerPattern{Pattern, Pattern - 1});
  if (P.Every == 1)
    D.Window = 0;
  else if (P.Every > 1) {
    D.GlobalEvery = P.Every;
    D.GlobalOffset = P.Offset;
  }
  readCommon(F, E);
  E.Notes.push_back("Gemma 3 normalizes each head's queries and keys (q_norm, k_norm), which the "
                    "stdlib's sandwich_llama has not: the layers are written out.");
}

void mapMixtral(Fields &F, Emission &E) {
  E.Block = "mixtral";
  int64_t Vocab = F.num("vocab_size");
  Heads H = readHeads(F);
  requireDerivedHeadDim(F, H, "mixtral");
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t Ffn = F.num("intermediate_size");
  int64_t Experts = F.num("num_local_experts");
  int64_t TopK = F.num("num_experts_per_tok", llvm::None, 1, Experts);
  bool Tie = F.flag("tie_word_embeddings", false);
  int64_t Window = readWindow(F, Layers, "mixtral");
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", H.Hidden);
  E.arg("layers", Layers);
  E.arg("heads", H.Heads);
  E.arg("kv_heads", H.KV);
  E.arg("ffn", Ffn);
  E.arg("experts", Experts);
  E.arg("top_k", TopK);
  if (Window)
    E.arg("window", Window);
  if (Tie)
    E.arg("tie_embeddings", true);
}

/// DeepSeek-V2/V3: the stdlib's `deepseek`; without a query bottleneck (q_lora_rank null, as in
/// V2-Lite), a block of the model's own.
void mapDeepSeek(Fields &F, Emission &E, Decoder &D, bool Sparse) {
  int64_t Vocab = F.num("vocab_size");
  int64_t Hidden = F.num("hidden_size");
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t Heads = F.num("num_attention_heads");
  Optional<int64_t> QLora = F.optNum("q_lora_rank");
  int64_t KVLora = F.num("kv_lora_rank");
  int64_t Nope = F.num("qk_nope_head_dim");
  int64_t Rope = F.num("qk_rope_head_dim");
  int64_t VHead = F.num("v_head_dim");
  int64_t Ffn = F.num("intermediate_size");
  int64_t MoeFfn = F.num("moe_intermediate_size");
  int64_t Experts = F.num("n_routed_experts");
  int64_t TopK = F.num("num_experts_per_tok", llvm::None, 1, Experts);
  int64_t Shared = F.num("n_shared_experts", 0, 0);
  int64_t Dense = F.num("first_k_dense_replace", 0, 0, Layers);
  if (F.num("moe_layer_freq", 1) != 1)
    F.cannot("moe_layer_freq", "deepseek", "experts on every n-th layer only");
  requireFalse(F, "attention_bias", "deepseek");
  bool Tie = F.flag("tie_word_embeddings", false);
  Optional<std::string> TopKMethod = F.str("topk_method");
  // noaux_tc routing adds a per-expert score-correction bias (e_score_correction_bias).
  bool RouterBias = TopKMethod && *TopKMethod == "noaux_tc";
  E.MTPLayers = F.num("num_nextn_predict_layers", 0, 0, MaxImportLayers);
  // DeepSeek-V3.2's sparse attention: a lightning indexer in every layer.
  int64_t IndexHeads = Sparse ? F.num("index_n_heads") : 0;
  int64_t IndexDim = Sparse ? F.num("index_head_dim", 128) : 128;
  int64_t IndexTopK = Sparse ? F.num("index_topk", 2048) : 2048;
  if (Sparse && !QLora && !F.failed())
    F.cannot("q_lora_rank", "deepseek", "its indexer reads the query latent");
  readCommon(F, E);
  if (F.failed())
    return;
  if (E.MTPLayers)
    E.Notes.push_back("The checkpoint's " + std::to_string(E.MTPLayers) +
                      " multi-token-prediction layer(s) (num_nextn_predict_layers) are not part "
                      "of the model.");
  if (!QLora) {
    D.Vocab = Vocab;
    D.Hidden = Hidden;
    D.Layers = Layers;
    D.H.Hidden = Hidden;
    D.H.Heads = D.H.KV = Heads;
    D.MLA = true;
    D.KVLora = KVLora;
    D.Nope = Nope;
    D.Rope = Rope;
    D.VHead = VHead;
    D.Ffn = Ffn;
    D.MoeFfn = MoeFfn;
    D.Experts = Experts;
    D.TopK = TopK;
    D.Shared = Shared;
    D.DenseLayers = Dense;
    D.RouterBias = RouterBias;
    D.Tie = Tie;
    E.Notes.push_back("No query bottleneck (q_lora_rank is null), which the stdlib's "
                      "mla_attention has: the layers are written out.");
    return;
  }
  E.Block = "deepseek";
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("layers", Layers);
  E.arg("heads", Heads);
  E.arg("q_lora_rank", *QLora);
  E.arg("kv_lora_rank", KVLora);
  E.arg("nope_dim", Nope);
  E.arg("rope_dim", Rope);
  E.arg("v_head_dim", VHead);
  E.arg("ffn", Ffn);
  E.arg("moe_ffn", MoeFfn);
  E.arg("experts", Experts);
  E.arg("top_k", TopK);
  E.arg("shared", Shared);
  E.arg("dense_layers", Dense);
  if (!RouterBias)
    E.arg("router_bias", false);
  if (Tie)
    E.arg("tie_embeddings", true);
  if (Sparse) {
    E.arg("index_heads", IndexHeads);
    E.argUnlessDefault("index_dim", IndexDim, 128);
    E.argUnlessDefault("index_topk", IndexTopK, 2048);
  }
}

void mapGPT2(Fields &F, Emission &E) {
  E.Block = "gpt2";
  int64_t Vocab = F.num("vocab_size");
  int64_t Positions = F.num({"n_positions", "n_ctx"});
  Heads H = readHeads(F, {"n_embd", "hidden_size"}, {"n_head", "num_attention_heads"},
                      {"n_head", "num_attention_heads"});
  requireDerivedHeadDim(F, H, "gpt2");
  int64_t Layers = F.num({"n_layer", "num_hidden_layers"}, llvm::None, 1, MaxImportLayers);
  Optional<int64_t> Inner = F.optNum("n_inner");
  if (!F.flag("tie_word_embeddings", true))
    F.cannot("tie_word_embeddings", "gpt2", "its head is tied");
  requireFalse(F, "add_cross_attention", "gpt2");
  if (F.failed())
    return;
  E.Context = Positions;
  E.arg("vocab", Vocab);
  E.arg("positions", Positions);
  E.arg("hidden", H.Hidden);
  E.arg("layers", Layers);
  E.arg("heads", H.Heads);
  if (Inner && *Inner != 4 * H.Hidden)
    E.arg("ffn", *Inner);
}

/// The sizes BERT and ALBERT share: the vocabulary, width and heads, layers, MLP, absolute
/// positions and token types.
struct EncoderSizes {
  int64_t Vocab, Layers, Ffn, Positions, Types;
  Heads H;
};
EncoderSizes readEncoderSizes(Fields &F, StringRef Block, Optional<int64_t> DefaultVocab) {
  EncoderSizes S;
  S.Vocab = F.num("vocab_size", DefaultVocab);
  S.H = readHeads(F, {"hidden_size"}, {"num_attention_heads"}, {"num_attention_heads"});
  requireDerivedHeadDim(F, S.H, Block);
  S.Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  S.Ffn = F.num("intermediate_size");
  S.Positions = F.num("max_position_embeddings", 512);
  S.Types = F.num("type_vocab_size", 2);
  if (Optional<std::string> P = F.str("position_embedding_type"); P && *P != "absolute")
    F.cannot("position_embedding_type", Block, "absolute positions only");
  return S;
}
/// The width, layers, heads and MLP of an encoder.
void emitEncoderSizes(Emission &E, const EncoderSizes &S) {
  E.arg("hidden", S.H.Hidden);
  E.arg("layers", S.Layers);
  E.arg("heads", S.H.Heads);
  if (S.Ffn != 4 * S.H.Hidden)
    E.arg("ffn", S.Ffn);
}
/// Its positions and token types, the context, and what the import leaves out.
void emitEncoderInputs(Emission &E, const EncoderSizes &S, StringRef Model) {
  E.Context = S.Positions;
  E.argUnlessDefault("positions", S.Positions, 512);
  E.argUnlessDefault("type_vocab", S.Types, 2);
  E.Notes.push_back("The encoder with its pooler (" + Model.str() +
                    "); a task head named in `architectures` is not included.");
}

void mapBERT(Fields &F, Emission &E) {
  E.Block = "bert";
  EncoderSizes S = readEncoderSizes(F, "bert", llvm::None);
  if (F.failed())
    return;
  E.arg("vocab", S.Vocab);
  emitEncoderSizes(E, S);
  emitEncoderInputs(E, S, "BertModel");
}

/// T5 and its 1.1 / Flan-T5 variants (model_type `t5`): the stdlib's `t5` block.
void mapT5(Fields &F, Emission &E) {
  E.Block = "t5";
  int64_t Vocab = F.num("vocab_size");
  int64_t Hidden = F.num("d_model");
  int64_t HeadDim = F.num("d_kv");
  int64_t Ffn = F.num("d_ff");
  int64_t Heads = F.num("num_heads");
  int64_t Layers = F.num("num_layers", llvm::None, 1, MaxImportLayers);
  int64_t Decoder = F.num("num_decoder_layers", Layers, 1, MaxImportLayers);
  int64_t Buckets = F.num("relative_attention_num_buckets", 32);
  Optional<int64_t> Positions = F.optNum("n_positions");
  bool Tie = F.flag("tie_word_embeddings", true);
  bool Gated = false;
  if (Optional<std::string> P = F.str("feed_forward_proj")) {
    if (*P == "gated-gelu" || *P == "gated-gelu_new")
      Gated = true;
    else if (*P != "relu")
      F.cannot("feed_forward_proj", "t5", "its MLP is `relu` or `gated-gelu`");
  }
  if (!F.flag("is_encoder_decoder", true))
    F.cannot("is_encoder_decoder", "t5", "an encoder with a decoder");
  if (F.failed())
    return;
  E.Context = Positions ? *Positions : 512;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("layers", Layers);
  E.argUnlessDefault("decoder_layers", Decoder, Layers);
  E.arg("heads", Heads);
  if (Hidden % Heads != 0 || Hidden / Heads != HeadDim)
    E.arg("head_dim", HeadDim);
  E.arg("ffn", Ffn);
  E.argUnlessDefault("buckets", Buckets, 32);
  if (Gated)
    E.arg("gated", true);
  if (!Tie)
    E.arg("tie_embeddings", false);
  E.Notes.push_back("T5ForConditionalGeneration: the shared token table, both stacks and the "
                    "output head; the decoder's cross-attention reads `source_len` (512) encoder "
                    "outputs.");
}

/// Mamba in the Hugging Face layout (model_type `mamba`).
void mapMamba(Fields &F, Emission &E) {
  E.Block = "mamba";
  int64_t Vocab = F.num("vocab_size");
  int64_t Hidden = F.num("hidden_size");
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t State = F.num("state_size", 16);
  int64_t Conv = F.num("conv_kernel", 4);
  int64_t Expand = F.num("expand", 2);
  if (!F.failed()) {
    if (Optional<int64_t> I = F.optNum("intermediate_size"); I && !productIs(Expand, Hidden, *I))
      F.cannot("intermediate_size", "mamba", "it is expand * hidden_size");
  }
  if (const json::Value *R = F.raw("time_step_rank");
      R && !(R->getAsString() && *R->getAsString() == "auto")) {
    int64_t Rank = F.check("time_step_rank", *R, 1, MaxImportDim);
    if (!F.failed() && Rank != (Hidden + 15) / 16)
      F.cannot("time_step_rank", "mamba", "it is ceil(hidden_size / 16)");
  }
  requireFalse(F, "use_bias", "mamba");
  if (!F.flag("use_conv_bias", true))
    F.cannot("use_conv_bias", "mamba");
  bool Tie = F.flag("tie_word_embeddings", true);
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("layers", Layers);
  E.argUnlessDefault("d_state", State, 16);
  E.argUnlessDefault("d_conv", Conv, 4);
  E.argUnlessDefault("expand", Expand, 2);
  if (!Tie)
    E.arg("tie_embeddings", false);
}

void mapMamba2(Fields &F, Emission &E) {
  E.Block = "mamba2";
  int64_t Vocab = F.num("vocab_size");
  int64_t Hidden = F.num("hidden_size");
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t State = F.num("state_size", 128);
  int64_t Conv = F.num("conv_kernel", 4);
  int64_t Expand = F.num("expand", 2);
  int64_t HeadDim = F.num("head_dim", 64);
  int64_t Groups = F.num("n_groups", 1);
  if (!F.failed()) {
    Optional<int64_t> Heads = F.optNum("num_heads");
    int64_t Inner, HeadsTimesDim;
    if (__builtin_mul_overflow(Expand, Hidden, &Inner) || Inner % HeadDim != 0 ||
        (Heads && (__builtin_mul_overflow(*Heads, HeadDim, &HeadsTimesDim) ||
                   HeadsTimesDim != Inner)))
      F.cannot("num_heads", "mamba2", "it is expand * hidden_size / head_dim");
  }
  requireFalse(F, "use_bias", "mamba2");
  if (!F.flag("use_conv_bias", true))
    F.cannot("use_conv_bias", "mamba2");
  if (!F.flag("rmsnorm", true))
    F.cannot("rmsnorm", "mamba2", "its mixer has the gated RMSNorm");
  bool Tie = F.flag("tie_word_embeddings", true);
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("layers", Layers);
  E.argUnlessDefault("d_state", State, 128);
  E.argUnlessDefault("d_conv", Conv, 4);
  E.argUnlessDefault("expand", Expand, 2);
  E.argUnlessDefault("head_dim", HeadDim, 64);
  E.argUnlessDefault("ngroups", Groups, 1);
  if (!Tie)
    E.arg("tie_embeddings", false);
}

/// The reference implementation's own config.json (state-spaces/mamba: d_model, n_layer,
/// ssm_cfg), whose vocabulary is padded to pad_vocab_size_multiple.
void mapMambaSSM(Fields &F, Emission &E, std::string &Error) {
  int64_t Hidden = F.num("d_model");
  int64_t Layers = F.num("n_layer", llvm::None, 1, MaxImportLayers);
  int64_t Vocab = F.num("vocab_size");
  int64_t Pad = F.num("pad_vocab_size_multiple", 8, 1, 1 << 20);
  bool Tie = F.flag("tie_embeddings", true);
  if (!F.flag("rms_norm", true))
    F.cannot("rms_norm", "mamba", "its norms are RMSNorm");
  if (const json::Value *A = F.raw("attn_layer_idx")) {
    const json::Array *Arr = A->getAsArray();
    if (!Arr || !Arr->empty())
      F.cannot("attn_layer_idx", "mamba", "attention layers");
  }
  std::string Layer = "Mamba1";
  int64_t State = 0, Conv = 4, Expand = 2, HeadDim = 64, Groups = 1;
  if (const json::Value *C = F.raw("ssm_cfg")) {
    const json::Object *O = C->getAsObject();
    if (!O) {
      F.fail("field `ssm_cfg` = " + show(*C) + " is not an object");
    } else if (!F.failed()) {
      Fields S(*O, F.file() + ": ssm_cfg", Error);
      if (Optional<std::string> L = S.str("layer"))
        Layer = *L;
      if (Layer != "Mamba1" && Layer != "Mamba2")
        S.cannot("layer", "mamba");
      State = S.num("d_state", Layer == "Mamba2" ? 128 : 16);
      Conv = S.num("d_conv", 4);
      Expand = S.num("expand", 2);
      HeadDim = S.num("headdim", 64);
      Groups = S.num("ngroups", 1);
      if (Optional<int64_t> R = S.optNum("dt_rank"); R && *R != (Hidden + 15) / 16)
        S.cannot("dt_rank", "mamba", "it is ceil(d_model / 16)");
      requireFalse(S, "bias", "mamba");
      if (!S.flag("conv_bias", true))
        S.cannot("conv_bias", "mamba");
    }
  }
  if (F.failed())
    return;
  if (!State)
    State = 16;
  if (Vocab % Pad)
    Vocab += Pad - Vocab % Pad;
  if (Vocab > MaxImportDim) {
    F.fail("the padded vocabulary is too large");
    return;
  }
  const bool Two = Layer == "Mamba2";
  E.Block = Two ? "mamba2" : "mamba";
  E.Family = Two ? "Mamba-2" : "Mamba";
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("layers", Layers);
  if (State != (Two ? 128 : 16))
    E.arg("d_state", State);
  E.argUnlessDefault("d_conv", Conv, 4);
  E.argUnlessDefault("expand", Expand, 2);
  if (Two && HeadDim != 64)
    E.arg("head_dim", HeadDim);
  if (Two && Groups != 1)
    E.arg("ngroups", Groups);
  if (!Tie)
    E.arg("tie_embeddings", false);
  E.Notes.push_back("The reference implementation's config: vocab_size padded to a multiple of " +
                    std::to_string(Pad) + " (pad_vocab_size_multiple).");
}

/// Falcon (and the older RefinedWeb configs): the stdlib's `parallel_decoder`.
void mapFalcon(Fields &F, Emission &E) {
  E.Block = "parallel_decoder";
  int64_t Vocab = F.num("vocab_size");
  const bool NewDecoder = F.flag("new_decoder_architecture", false);
  // The new decoder architecture (Falcon-40B, 180B): grouped KV heads and, unless
  // num_ln_in_parallel_attn says 1, a norm for attention and one for the MLP.
  bool TwoNorms = false;
  if (NewDecoder) {
    int64_t Norms = F.num("num_ln_in_parallel_attn", 2, 1, 2);
    TwoNorms = Norms == 2;
  }
  if (!F.flag("parallel_attn", true))
    F.cannot("parallel_attn", "parallel_decoder");
  requireFalse(F, "apply_residual_connection_post_layernorm", "parallel_decoder");
  int64_t Hidden = F.num({"hidden_size", "n_embed"});
  int64_t Heads = F.num({"num_attention_heads", "n_head"});
  int64_t Layers = F.num({"num_hidden_layers", "n_layer"}, llvm::None, 1, MaxImportLayers);
  bool MQA = F.flag("multi_query", true);
  int64_t KV = NewDecoder ? F.num("num_kv_heads", Heads) : MQA ? 1 : Heads;
  if (!F.failed() && Hidden % Heads != 0)
    F.fail("field `hidden_size` = " + std::to_string(Hidden) +
           " is not a multiple of the number of attention heads (" + std::to_string(Heads) + ")");
  int64_t Ffn = F.num("ffn_hidden_size", 4 * Hidden);
  bool Bias = F.flag("bias", false);
  bool Tie = F.flag("tie_word_embeddings", true);
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("layers", Layers);
  E.arg("heads", Heads);
  E.arg("kv_heads", KV);
  if (Ffn != 4 * Hidden)
    E.arg("ffn", Ffn);
  if (Bias)
    E.arg("bias", true);
  if (Tie)
    E.arg("tie_embeddings", true);
  if (TwoNorms)
    E.arg("two_norms", true);
}

/// Nemotron-H (model_type `nemotron_h`): the stdlib's `nemotron_h`, its layers in the order of
/// `hybrid_override_pattern` (M: Mamba-2, *: attention, -: a squared-ReLU MLP, E: Nemotron 3's
/// experts beside a shared expert).
void mapNemotronH(Fields &F, Emission &E) {
  E.Block = "nemotron_h";
  int64_t Vocab = F.num("vocab_size");
  int64_t Hidden = F.num("hidden_size");
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t Heads = F.num("num_attention_heads");
  int64_t KV = F.num("num_key_value_heads", Heads);
  int64_t HeadDim = F.num("head_dim", 128);
  int64_t Ffn = F.num("intermediate_size");
  int64_t MambaHeads = F.num("mamba_num_heads");
  int64_t MambaHeadDim = F.num("mamba_head_dim");
  int64_t State = F.num("ssm_state_size", 128);
  int64_t Groups = F.num({"n_groups", "mamba_num_groups"}, 8);
  int64_t Conv = F.num("conv_kernel", 4);
  Optional<std::string> Pattern = F.str("hybrid_override_pattern");
  requireFalse(F, "attention_bias", "nemotron_h");
  requireFalse(F, "mlp_bias", "nemotron_h");
  requireFalse(F, "use_bias", "nemotron_h");
  if (!F.flag("use_conv_bias", true))
    F.cannot("use_conv_bias", "nemotron_h");
  if (Optional<std::string> Act = F.str("mlp_hidden_act"); Act && *Act != "relu2")
    F.cannot("mlp_hidden_act", "nemotron_h", "its MLP is a squared ReLU");
  if (F.flag("tie_word_embeddings", false))
    F.cannot("tie_word_embeddings", "nemotron_h", "its head is untied");
  if (F.failed())
    return;
  if (!Pattern) {
    F.fail("required field `hybrid_override_pattern` is missing");
    return;
  }
  if (static_cast<int64_t>(Pattern->size()) != Layers ||
      Pattern->find_first_not_of("M*-E") != std::string::npos)
    F.cannot("hybrid_override_pattern", "nemotron_h",
             "one of `M`, `*`, `-` or `E` for each of the num_hidden_layers layers");
  // Experts (`E` layers): a sigmoid router with a score-correction bias, squared-ReLU experts
  // and one ungated shared expert of n_shared_experts x its width (vLLM's nemotron_h.py).
  int64_t Experts = 0, TopK = 0, MoeFfn = 0, SharedFfn = 0;
  if (!F.failed() && Pattern->find('E') != std::string::npos) {
    Experts = F.num("n_routed_experts");
    TopK = F.num("num_experts_per_tok", llvm::None, 1, Experts);
    MoeFfn = F.num("moe_intermediate_size");
    int64_t Shared = F.num("n_shared_experts", 0, 0, Experts);
    int64_t SharedWidth = Shared ? F.num("moe_shared_expert_intermediate_size") : 0;
    if (Shared && SharedWidth > MaxImportDim / Shared)
      F.fail("`n_shared_experts` x `moe_shared_expert_intermediate_size` (" +
             std::to_string(Shared) + " x " + std::to_string(SharedWidth) + ") is over " +
             std::to_string(MaxImportDim));
    else
      SharedFfn = Shared * SharedWidth;
  }
  if (Heads % KV != 0)
    F.fail("`num_attention_heads` (" + std::to_string(Heads) +
           ") is not a multiple of `num_key_value_heads` (" + std::to_string(KV) + ")");
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.Args.emplace_back("pattern", "\"" + *Pattern + "\"");
  E.arg("heads", Heads);
  E.arg("kv_heads", KV);
  E.argUnlessDefault("head_dim", HeadDim, 128);
  E.arg("ffn", Ffn);
  E.arg("mamba_heads", MambaHeads);
  E.arg("mamba_head_dim", MambaHeadDim);
  E.argUnlessDefault("d_state", State, 128);
  E.argUnlessDefault("ngroups", Groups, 8);
  E.argUnlessDefault("d_conv", Conv, 4);
  if (Experts) {
    E.arg("experts", Experts);
    E.arg("top_k", TopK);
    E.arg("moe_ffn", MoeFfn);
    if (SharedFfn)
      E.arg("shared_ffn", SharedFfn);
  }
}

/// The 0-based layers a list of 1-based layer numbers names (Kimi Linear's `kda_layers` and
/// `full_attn_layers`), each marked `Mark` in `Pattern`; a number out of range, repeated, or
/// already marked is an error.
void markLayers(Fields &F, StringRef Key, char Mark, std::string &Pattern) {
  const json::Value *V = F.raw(Key);
  const json::Array *A = V ? V->getAsArray() : nullptr;
  if (!A) {
    F.fail("field `" + Key.str() + "` = " + (V ? show(*V) : std::string("(absent)")) +
           " is not a list of layer numbers");
    return;
  }
  for (const json::Value &E : *A) {
    Optional<int64_t> I = E.getAsInteger();
    if (!I || *I < 1 || *I > static_cast<int64_t>(Pattern.size()) || Pattern[*I - 1] != '?') {
      F.fail("field `" + Key.str() + "` holds " + show(E) + ": not a layer number from 1 to " +
             std::to_string(Pattern.size()) + " that no other entry names");
      return;
    }
    Pattern[*I - 1] = Mark;
  }
}

/// Qwen3-Next (model_type `qwen3_next`) and Qwen3.5's text models (`qwen3_5_text`,
/// `qwen3_5_moe_text`): the stdlib's `qwen3_next`, Gated DeltaNet layers with gated attention as
/// the last of every `full_attention_interval`.
void mapQwen3Next(Fields &F, Emission &E, StringRef Type, bool TieDefault = false) {
  const bool Next = Type == "qwen3_next", Dense = Type == "qwen3_5_text";
  E.Block = "qwen3_next";
  int64_t Vocab = F.num("vocab_size");
  int64_t Hidden = F.num("hidden_size");
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t Heads = F.num("num_attention_heads");
  int64_t KV = F.num("num_key_value_heads", Heads);
  int64_t HeadDim = F.num("head_dim", 256);
  int64_t KHeads = F.num("linear_num_key_heads");
  int64_t VHeads = F.num("linear_num_value_heads");
  int64_t KDim = F.num("linear_key_head_dim", 128);
  int64_t VDim = F.num("linear_value_head_dim", 128);
  int64_t Conv = F.num("linear_conv_kernel_dim", 4);
  int64_t Every = F.num("full_attention_interval", 4, 1, MaxImportLayers);
  bool Tie = F.flag("tie_word_embeddings", TieDefault);
  requireFalse(F, "attention_bias", "qwen3_next", "biases on q, k, v and o");
  if (!F.flag("attn_output_gate", true))
    F.cannot("attn_output_gate", "qwen3_next", "its attention is gated");
  // Qwen3-Next's checkpoints store one multi-token-prediction layer, which its config does not
  // name (vLLM's default is 1); Qwen3.5's configs name theirs, whose layout is not modelled.
  int64_t MTP = Next ? F.num("num_nextn_predict_layers", 1, 0, MaxImportLayers)
                     : F.num("mtp_num_hidden_layers", 0, 0, MaxImportLayers);
  int64_t Ffn = 0, Experts = 0, TopK = 0, MoeFfn = 0, SharedFfn = 0;
  if (Dense) {
    Ffn = F.num("intermediate_size");
  } else {
    Experts = F.num("num_experts");
    TopK = F.num("num_experts_per_tok", llvm::None, 1, Experts);
    MoeFfn = F.num("moe_intermediate_size");
    SharedFfn = F.num("shared_expert_intermediate_size", 0, 0);
    if (F.num("decoder_sparse_step", 1) != 1)
      F.cannot("decoder_sparse_step", "qwen3_next", "experts on every n-th layer only");
    if (const json::Value *V = F.raw("mlp_only_layers")) {
      const json::Array *A = V->getAsArray();
      if (!A)
        F.fail("field `mlp_only_layers` = " + show(*V) + " is not an array");
      else if (!A->empty())
        F.cannot("mlp_only_layers", "qwen3_next", "dense layers at chosen indices");
    }
  }
  if (const json::Value *V = F.raw("layer_types"); V && !F.failed()) {
    const json::Array *A = V->getAsArray();
    bool Ok = A && A->size() == static_cast<size_t>(Layers);
    for (size_t I = 0; Ok && I < A->size(); ++I) {
      Optional<StringRef> S = (*A)[I].getAsString();
      StringRef Want = (I + 1) % Every == 0 ? "full_attention" : "linear_attention";
      Ok = S && *S == Want;
    }
    if (!Ok)
      F.cannot("layer_types", "qwen3_next",
               "full attention as the last of every `full_attention_interval` layers, linear "
               "attention elsewhere, one entry a layer");
  }
  if (KHeads && VHeads % KHeads)
    F.fail("`linear_num_value_heads` (" + std::to_string(VHeads) +
           ") is not a multiple of `linear_num_key_heads` (" + std::to_string(KHeads) + ")");
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("layers", Layers);
  E.arg("heads", Heads);
  E.arg("kv_heads", KV);
  E.argUnlessDefault("head_dim", HeadDim, 256);
  E.arg("linear_k_heads", KHeads);
  E.arg("linear_v_heads", VHeads);
  E.argUnlessDefault("linear_k_dim", KDim, 128);
  E.argUnlessDefault("linear_v_dim", VDim, 128);
  E.argUnlessDefault("d_conv", Conv, 4);
  E.argUnlessDefault("attn_every", Every, 4);
  if (Dense) {
    E.arg("ffn", Ffn);
  } else {
    E.arg("moe_ffn", MoeFfn);
    E.arg("experts", Experts);
    E.arg("top_k", TopK);
    if (SharedFfn)
      E.arg("shared_ffn", SharedFfn);
  }
  if (!Next)
    E.arg("split_proj", true);
  if (Next && MTP)
    E.arg("mtp_layers", MTP);
  if (!Next && MTP) {
    E.MTPLayers = MTP;
    E.MTPKey = "mtp_num_hidden_layers";
    E.Notes.push_back("The checkpoint's " + std::to_string(MTP) +
                      " multi-token-prediction layer(s) are left out: their layout is not "
                      "modelled for Qwen3.5.");
  }
  if (Tie)
    E.arg("tie_embeddings", true);
}

/// MiniMax-M2 (model_type `minimax_m2`): grouped-query attention with RMS norms over the whole
/// query and key projections (`qk_norm_type` "per_layer"), and in every layer a router with a
/// score-correction bias over `num_local_experts` experts of `intermediate_size`: a block of the
/// model's own.
void mapMiniMaxM2(Fields &F, Emission &E, Decoder &D) {
  D.Vocab = F.num("vocab_size");
  D.H = readHeads(F);
  D.Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  D.Experts = F.num("num_local_experts");
  D.TopK = F.num("num_experts_per_tok", llvm::None, 1, D.Experts);
  D.MoeFfn = F.num("intermediate_size");
  D.RouterBias = F.flag("use_routing_bias", false);
  D.Tie = F.flag("tie_word_embeddings", false);
  D.QKNorm = F.flag("use_qk_norm", false);
  if (Optional<std::string> T = F.str("qk_norm_type"); T && D.QKNorm) {
    if (*T == "per_layer")
      D.QKNormWhole = true;
    else if (*T != "per_head")
      F.cannot("qk_norm_type", "attention", "\"per_layer\" or \"per_head\"");
  }
  if (F.num("shared_intermediate_size", 0, 0) != 0)
    F.cannot("shared_intermediate_size", "moe_mlp", "a shared expert of its own width");
  if (F.optNum("sliding_window"))
    F.cannot("sliding_window", "attention", "a window on some layers");
  if (const json::Value *V = F.raw("attn_type_list")) {
    const json::Array *A = V->getAsArray();
    if (!A || llvm::any_of(*A, [](const json::Value &X) {
          Optional<int64_t> I = X.getAsInteger();
          return !I || *I != 1;
        }))
      F.cannot("attn_type_list", "attention", "full attention (1) in every layer");
  }
  requireFalse(F, "attention_bias", "attention", "biases on q, k, v and o");
  int64_t MTP = F.flag("use_mtp", false) ? F.num("num_mtp_modules", 0, 0, MaxImportLayers) : 0;
  readCommon(F, E);
  if (F.failed())
    return;
  if (MTP)
    E.Notes.push_back("The config's " + std::to_string(MTP) +
                      " multi-token-prediction module(s) (use_mtp) are not part of the model.");
  E.Notes.push_back("MiniMax-M2 normalizes its queries and keys and biases its router, which no "
                    "stdlib block has together: the layers are written out.");
}

/// Qwen3.5's multimodal configs (model_type `qwen3_5`, `qwen3_5_moe`): the text model from
/// `text_config` (its head tied as the top level says where the text config does not); the vision
/// tower is left out.
void mapQwen35(Fields &F, Emission &E, StringRef Type) {
  const json::Object *Text = F.object("text_config");
  if (!Text) {
    if (!F.failed())
      F.fail("required field `text_config` is missing");
    return;
  }
  Fields T = F.nested(*Text, "text_config");
  mapQwen3Next(T, E, Type == "qwen3_5" ? "qwen3_5_text" : "qwen3_5_moe_text",
               F.flag("tie_word_embeddings", false));
  E.LeftOut = "a vision tower (`vision_config`)";
  E.Notes.push_back("The text model of a multimodal checkpoint: its vision tower is left out.");
}

/// Kimi Linear (model_type `kimi_linear`): the stdlib's `kimi_linear`, its layers in the order
/// of `linear_attn_config`'s kda_layers and full_attn_layers (1-based).
void mapKimiLinear(Fields &F, Emission &E) {
  E.Block = "kimi_linear";
  int64_t Vocab = F.num("vocab_size");
  int64_t Hidden = F.num("hidden_size");
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t Heads = F.num("num_attention_heads");
  int64_t KVLora = F.num("kv_lora_rank");
  int64_t Nope = F.num("qk_nope_head_dim");
  int64_t Rope = F.num("qk_rope_head_dim");
  int64_t VHead = F.num("v_head_dim");
  int64_t Ffn = F.num("intermediate_size");
  int64_t MoeFfn = F.num("moe_intermediate_size");
  int64_t Experts = F.num("num_experts");
  int64_t TopK = F.num("num_experts_per_token", llvm::None, 1, Experts);
  int64_t Shared = F.num("num_shared_experts", 0, 0, Experts);
  int64_t Dense = F.num("first_k_dense_replace", 0, 0, Layers);
  if (F.num("moe_layer_freq", 1) != 1)
    F.cannot("moe_layer_freq", "kimi_linear", "experts on every n-th layer only");
  if (F.has("q_lora_rank"))
    F.cannot("q_lora_rank", "kimi_linear", "its latent attention has no query bottleneck");
  if (F.flag("tie_word_embeddings", false))
    F.cannot("tie_word_embeddings", "kimi_linear", "its head is untied");
  int64_t MTP = F.num("num_nextn_predict_layers", 0, 0, MaxImportLayers);
  if (F.failed())
    return;
  const json::Object *L = F.object("linear_attn_config");
  if (!L) {
    if (!F.failed())
      F.fail("required object `linear_attn_config` is missing");
    return;
  }
  Fields C = F.nested(*L, "linear_attn_config");
  int64_t LHeads = C.num("num_heads");
  int64_t LDim = C.num("head_dim", 128);
  int64_t Conv = C.num("short_conv_kernel_size", 4);
  std::string Pattern(static_cast<size_t>(Layers), '?');
  markLayers(C, "kda_layers", 'K', Pattern);
  if (!C.failed())
    markLayers(C, "full_attn_layers", 'A', Pattern);
  if (!C.failed() && Pattern.find('?') != std::string::npos)
    C.fail("layer " + std::to_string(Pattern.find('?') + 1) +
           " is in neither `kda_layers` nor `full_attn_layers`");
  readCommon(F, E, F.has("model_max_length") ? "model_max_length" : "max_position_embeddings");
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("pattern", "\"" + Pattern + "\"");
  E.arg("heads", Heads);
  E.arg("kv_lora_rank", KVLora);
  E.arg("nope_dim", Nope);
  E.arg("rope_dim", Rope);
  E.arg("v_head_dim", VHead);
  E.arg("linear_heads", LHeads);
  E.argUnlessDefault("linear_head_dim", LDim, 128);
  E.argUnlessDefault("d_conv", Conv, 4);
  E.arg("ffn", Ffn);
  E.arg("moe_ffn", MoeFfn);
  E.arg("experts", Experts);
  E.arg("top_k", TopK);
  E.argUnlessDefault("shared", Shared, 1);
  E.argUnlessDefault("dense_layers", Dense, 1);
  E.MTPLayers = MTP;
  // modeling_kimi.py declares each KDA layer's A_log (a value a head) and dt_bias (a value a
  // channel) in float32, whatever the checkpoint's dtype. (Sizes up to 2^40 and 100,000 layers
  // can pass 2^63: such a count is refused.)
  const __int128 Float32 = static_cast<__int128>(std::count(Pattern.begin(), Pattern.end(), 'K')) *
                        (static_cast<__int128>(LHeads) + static_cast<__int128>(LHeads) * LDim);
  if (Float32 > (static_cast<__int128>(1) << 61)) {
    C.fail("`num_heads` x `head_dim` over the KDA layers (" + std::to_string(LHeads) + " x " +
           std::to_string(LDim) + ") is too large to count");
    return;
  }
  E.WideParams = static_cast<int64_t>(Float32);
}

/// Zamba2 (model_type `zamba2`): the stdlib's `zamba2`, its layers in the order of
/// `layers_block_type` ("mamba" or "hybrid"), the hybrid layers taking the `num_mem_blocks` shared
/// blocks in turn (transformers' Zamba2Config and Zamba2Model).
void mapZamba2(Fields &F, Emission &E) {
  E.Block = "zamba2";
  int64_t Vocab = F.num("vocab_size", 32000);
  int64_t Hidden = F.num("hidden_size", 2560);
  int64_t Layers = F.num("num_hidden_layers", 54, 1, MaxImportLayers);
  int64_t Heads = F.num("num_attention_heads", 32);
  int64_t KV = F.num("num_key_value_heads", Heads);
  int64_t Ffn = F.num("intermediate_size", 4 * Hidden);
  int64_t State = F.num("mamba_d_state", 64);
  int64_t Conv = F.num("mamba_d_conv", 4);
  int64_t Expand = F.num("mamba_expand", 2);
  int64_t Groups = F.num("mamba_ngroups", 1);
  int64_t MambaHeads = F.num("n_mamba_heads", 8);
  int64_t Blocks = F.num("num_mem_blocks", 1);
  int64_t Rank = F.num("adapter_rank", 128);
  bool AttnAdapters = F.flag("use_shared_attention_adapter", false);
  requireFalse(F, "add_bias_linear", "zamba2");
  if (!F.flag("use_conv_bias", true))
    F.cannot("use_conv_bias", "zamba2");
  if (!F.flag("tie_word_embeddings", true))
    F.cannot("tie_word_embeddings", "zamba2", "its head is tied to the embeddings");
  if (Optional<std::string> Act = F.str("hidden_act"); Act && *Act != "gelu")
    F.cannot("hidden_act", "zamba2", "its MLP is a gated GELU");
  if (F.failed())
    return;
  if (Blocks > 2)
    F.cannot("num_mem_blocks", "zamba2", "one or two shared blocks");
  int64_t Inner = 0;
  if (__builtin_mul_overflow(Expand, Hidden, &Inner) || Inner % MambaHeads != 0)
    F.cannot("n_mamba_heads", "zamba2", "it divides mamba_expand * hidden_size");
  if ((2 * Hidden) % Heads != 0 || Heads % KV != 0)
    F.cannot("num_attention_heads", "zamba2",
             "it divides 2 * hidden_size, and num_key_value_heads divides it");
  // The layer types; without them, transformers' default layout of 54 layers.
  std::string Pattern;
  int64_t Hybrid = 0;
  if (const json::Value *T = F.raw("layers_block_type")) {
    const json::Array *A = T->getAsArray();
    if (!A || static_cast<int64_t>(A->size()) != Layers) {
      F.cannot("layers_block_type", "zamba2", "a list of num_hidden_layers types");
      return;
    }
    for (const json::Value &V : *A) {
      Optional<StringRef> Kind = V.getAsString();
      if (!Kind || (*Kind != "mamba" && *Kind != "hybrid")) {
        F.cannot("layers_block_type", "zamba2", "each type is \"mamba\" or \"hybrid\"");
        return;
      }
      Pattern += *Kind == "mamba" ? 'M' : (Hybrid++ % Blocks == 0 ? 'A' : 'B');
    }
  } else if (Layers == 54) {
    for (int64_t I = 0; I < Layers; ++I) {
      bool IsHybrid = (I >= 1 && I <= 42 && I % 6 == 0) || I == 47 || I == 51;
      Pattern += !IsHybrid ? 'M' : (Hybrid++ % Blocks == 0 ? 'A' : 'B');
    }
  } else {
    F.fail("required field `layers_block_type` is missing (transformers' default layout has 54 "
           "layers, not " + std::to_string(Layers) + ")");
  }
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.Args.emplace_back("pattern", "\"" + Pattern + "\"");
  E.arg("heads", Heads);
  if (KV != Heads)
    E.arg("kv_heads", KV);
  E.arg("ffn", Ffn);
  E.argUnlessDefault("d_state", State, 64);
  E.argUnlessDefault("d_conv", Conv, 4);
  E.argUnlessDefault("expand", Expand, 2);
  E.argUnlessDefault("mamba_head_dim", Inner / MambaHeads, 64);
  E.argUnlessDefault("ngroups", Groups, 1);
  E.argUnlessDefault("adapter_rank", Rank, 128);
  if (AttnAdapters)
    E.arg("attention_adapters", true);
  E.Notes.push_back("Each hybrid layer's MLP adapter is counted, as transformers builds one "
                    "whatever `use_shared_mlp_adapter` says; a checkpoint in Zyphra's original "
                    "layout stores more adapters than run (the block's `unused_adapters`).");
}

/// ALBERT (model_type `albert`): the stdlib's `albert`, one layer shared by all.
void mapALBERT(Fields &F, Emission &E) {
  E.Block = "albert";
  EncoderSizes S = readEncoderSizes(F, "albert", 30000);
  int64_t Embedding = F.num("embedding_size", 128);
  if (F.num("num_hidden_groups", 1) != 1)
    F.cannot("num_hidden_groups", "albert", "one group of layers, shared by all");
  if (F.num("inner_group_num", 1) != 1)
    F.cannot("inner_group_num", "albert", "one layer in the group");
  if (F.failed())
    return;
  E.argUnlessDefault("vocab", S.Vocab, 30000);
  emitEncoderSizes(E, S);
  E.argUnlessDefault("embedding_size", Embedding, 128);
  emitEncoderInputs(E, S, "AlbertModel");
}

/// Llama 4 (model_type `llama4`, with `text_config` and `vision_config`, or `llama4_text`): the
/// stdlib's `llama4`, the vision encoder as its auxiliary part.
void mapLlama4(Fields &Top, Emission &E, bool Text) {
  E.Block = "llama4";
  const json::Object *TextObj = Text ? nullptr : Top.object("text_config");
  if (!Text && !TextObj) {
    if (!Top.failed())
      Top.fail("required field `text_config` is missing");
    return;
  }
  Fields F = Text ? Top : Top.nested(*TextObj, "text_config");
  int64_t Vocab = F.num("vocab_size");
  int64_t Hidden = F.num("hidden_size");
  int64_t Layers = F.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t Heads = F.num("num_attention_heads");
  int64_t KV = F.num("num_key_value_heads", Heads);
  int64_t HeadDim = F.num("head_dim", 128);
  int64_t Ffn = F.num("intermediate_size");
  int64_t DenseFfn = F.num("intermediate_size_mlp", 0, 0);
  int64_t Experts = F.num("num_local_experts");
  int64_t TopK = F.num("num_experts_per_tok", 1, 1, Experts);
  int64_t MoeEvery = F.num("interleave_moe_layer_step", 1, 1, MaxImportLayers);
  int64_t NopeEvery = F.num("no_rope_layer_interval", 4, 1, MaxImportLayers);
  int64_t Chunk = F.num("attention_chunk_size", 8192);
  bool QKNorm = F.flag("use_qk_norm", true);
  requireFalse(F, "attention_bias", "llama4");
  if (F.flag("tie_word_embeddings", false))
    F.cannot("tie_word_embeddings", "llama4", "its head is untied");
  if (F.failed())
    return;
  if (Heads % KV != 0)
    F.fail("`num_attention_heads` (" + std::to_string(Heads) +
           ") is not a multiple of `num_key_value_heads` (" + std::to_string(KV) + ")");
  if (MoeEvery > 1 && DenseFfn == 0)
    F.fail("required field `intermediate_size_mlp` is missing (the layers without experts)");
  // Explicit layer lists must be the patterns the intervals give.
  auto Pattern = [&](StringRef Key, auto Expected) {
    const json::Value *V = F.raw(Key);
    if (!V || F.failed())
      return;
    const json::Array *A = V->getAsArray();
    bool Same = A != nullptr;
    if (A && !A->empty()) { // an empty list is the default
      std::vector<int64_t> Want = Expected();
      Same = A->size() == Want.size();
      for (size_t I = 0; Same && I < Want.size(); ++I)
        Same = (*A)[I].getAsInteger() == Want[I];
    }
    if (!Same)
      F.cannot(Key, "llama4", "layers other than every n-th");
  };
  Pattern("moe_layers", [&] {
    std::vector<int64_t> W;
    for (int64_t I = MoeEvery - 1; I < Layers; I += MoeEvery)
      W.push_back(I);
    return W;
  });
  Pattern("no_rope_layers", [&] {
    std::vector<int64_t> W;
    for (int64_t I = 0; I < Layers; ++I)
      W.push_back((I + 1) % NopeEvery != 0);
    return W;
  });
  if (const json::Value *V = F.raw("layer_types"); V && !F.failed()) {
    const json::Array *A = V->getAsArray();
    bool Same = A && A->size() == static_cast<size_t>(Layers);
    for (int64_t I = 0; Same && I < Layers; ++I)
      Same = (*A)[I].getAsString() ==
             Optional<StringRef>((I + 1) % NopeEvery == 0 ? "full_attention" : "chunked_attention");
    if (!Same)
      F.cannot("layer_types", "llama4", "chunked attention on layers other than three in four");
  }
  readCommon(F, E);
  if (F.failed())
    return;
  E.arg("vocab", Vocab);
  E.arg("hidden", Hidden);
  E.arg("layers", Layers);
  E.arg("heads", Heads);
  E.arg("kv_heads", KV);
  E.argUnlessDefault("head_dim", HeadDim, 128);
  E.arg("ffn", Ffn);
  if (MoeEvery > 1)
    E.arg("dense_ffn", DenseFfn);
  E.arg("experts", Experts);
  E.argUnlessDefault("top_k", TopK, 1);
  E.argUnlessDefault("moe_every", MoeEvery, 1);
  E.argUnlessDefault("nope_every", NopeEvery, 4);
  E.argUnlessDefault("chunk", Chunk, 8192);
  if (!QKNorm)
    E.arg("qk_norm", false);
  if (Text)
    return;
  const json::Object *VisionObj = Top.object("vision_config");
  if (!VisionObj) {
    if (!Top.failed())
      E.Notes.push_back("No `vision_config`: the text model only.");
    return;
  }
  Fields V = Top.nested(*VisionObj, "vision_config");
  int64_t VLayers = V.num("num_hidden_layers", llvm::None, 1, MaxImportLayers);
  int64_t VHidden = V.num("hidden_size");
  int64_t VHeads = V.num("num_attention_heads");
  int64_t VFfn = V.num("intermediate_size");
  int64_t Patch = V.num("patch_size");
  int64_t Resolution = V.num("image_size");
  int64_t ProjIn = V.num("projector_input_dim");
  int64_t ProjOut = V.num("projector_output_dim", ProjIn);
  int64_t VisionOut = V.num("vision_output_dim", ProjOut);
  if (V.num("num_channels", 3) != 3)
    V.cannot("num_channels", "llama4_vision", "RGB patches");
  if (const json::Value *R = V.raw("pixel_shuffle_ratio"); R && R->getAsNumber() != 0.5)
    V.cannot("pixel_shuffle_ratio", "llama4_vision", "2 x 2 patches joined");
  requireFalse(V, "multi_modal_projector_bias", "llama4_vision");
  if (V.failed())
    return;
  if (VHidden % VHeads != 0)
    V.fail("`hidden_size` (" + std::to_string(VHidden) +
           ") is not a multiple of `num_attention_heads` (" + std::to_string(VHeads) + ")");
  else if (ProjOut != ProjIn || VisionOut != ProjOut)
    V.cannot("projector_output_dim", "llama4_vision",
             "a projector whose input, output and vision output widths are one");
  else if (VFfn != 4 * VHidden)
    V.cannot("intermediate_size", "llama4_vision",
             "the adapter's first layer reads the 4 x hidden_size values of 2 x 2 patches");
  if (V.failed())
    return;
  E.arg("vision_layers", VLayers);
  E.argUnlessDefault("vision_hidden", VHidden, 1408);
  E.argUnlessDefault("vision_heads", VHeads, 16);
  E.argUnlessDefault("vision_ffn", VFfn, 5632);
  E.argUnlessDefault("vision_patch", Patch, 14);
  E.argUnlessDefault("vision_resolution", Resolution, 336);
  E.argUnlessDefault("projector", ProjIn, 4096);
}

/// model_type for a config that names only its `architectures`.
StringRef typeOfArchitecture(StringRef A) {
  static const std::pair<const char *, const char *> Table[] = {
      {"LlamaForCausalLM", "llama"},         {"MistralForCausalLM", "mistral"},
      {"MixtralForCausalLM", "mixtral"},     {"Qwen2ForCausalLM", "qwen2"},
      {"Qwen2MoeForCausalLM", "qwen2_moe"},  {"Qwen3ForCausalLM", "qwen3"},
      {"Qwen3MoeForCausalLM", "qwen3_moe"},  {"GemmaForCausalLM", "gemma"},
      {"Gemma2ForCausalLM", "gemma2"},       {"Gemma3ForCausalLM", "gemma3_text"},
      {"Phi3ForCausalLM", "phi3"},           {"DeepseekV2ForCausalLM", "deepseek_v2"},
      {"DeepseekV3ForCausalLM", "deepseek_v3"}, {"GPT2LMHeadModel", "gpt2"},
      {"GPT2Model", "gpt2"},                 {"BertModel", "bert"},
      {"BertForMaskedLM", "bert"},           {"BertForPreTraining", "bert"},
      {"MambaForCausalLM", "mamba"},         {"Mamba2ForCausalLM", "mamba2"},
      {"FalconForCausalLM", "falcon"},       {"RWForCausalLM", "falcon"},
      {"T5ForConditionalGeneration", "t5"},  {"T5Model", "t5"},
      {"Llama4ForConditionalGeneration", "llama4"}, {"Llama4ForCausalLM", "llama4_text"},
      {"NemotronHForCausalLM", "nemotron_h"}, {"Zamba2ForCausalLM", "zamba2"},
      {"AlbertModel", "albert"},             {"AlbertForMaskedLM", "albert"},
      {"AlbertForPreTraining", "albert"},    {"Qwen3NextForCausalLM", "qwen3_next"},
      {"KimiLinearForCausalLM", "kimi_linear"}, {"DeepseekV32ForCausalLM", "deepseek_v32"},
      {"MiniMaxM2ForCausalLM", "minimax_m2"}};
  for (auto &[Arch, Type] : Table)
    if (A == Arch)
      return Type;
  return "";
}

const char *const KnownTypes =
    "llama, mistral, mixtral, qwen2, qwen2_moe, qwen3, qwen3_moe, gemma, gemma2, gemma3_text, "
    "phi3, deepseek_v2, deepseek_v3, gpt2, bert, t5, mamba, mamba2, falcon, llama4, llama4_text, "
    "nemotron_h, zamba2, albert, qwen3_next, qwen3_5_text, qwen3_5_moe_text, kimi_linear, "
    "deepseek_v32, minimax_m2, qwen3_5, qwen3_5_moe";

const char *familyOf(StringRef T) {
  static const std::pair<const char *, const char *> Table[] = {
      {"llama", "Llama"},         {"mistral", "Mistral"},      {"mixtral", "Mixtral"},
      {"qwen2", "Qwen2"},         {"qwen2_moe", "Qwen2-MoE"},  {"qwen3", "Qwen3"},
      {"qwen3_moe", "Qwen3-MoE"}, {"gemma", "Gemma"},          {"gemma2", "Gemma 2"},
      {"gemma3_text", "Gemma 3"}, {"phi3", "Phi-3"},           {"deepseek_v2", "DeepSeek-V2"},
      {"deepseek_v3", "DeepSeek-V3"}, {"gpt2", "GPT-2"},       {"bert", "BERT"},
      {"mamba", "Mamba"},         {"mamba2", "Mamba-2"},       {"falcon", "Falcon"},
      {"t5", "T5"},               {"llama4", "Llama 4"},       {"llama4_text", "Llama 4"},
      {"nemotron_h", "Nemotron-H"}, {"zamba2", "Zamba2"}, {"albert", "ALBERT"},
      {"qwen3_next", "Qwen3-Next"}, {"qwen3_5_text", "Qwen3.5"}, {"qwen3_5_moe_text", "Qwen3.5"},
      {"qwen3_5", "Qwen3.5"}, {"qwen3_5_moe", "Qwen3.5"},
      {"kimi_linear", "Kimi Linear"}, {"deepseek_v32", "DeepSeek-V3.2"},
      {"minimax_m2", "MiniMax-M2"}};
  for (auto &[Type, Family] : Table)
    if (T == Type)
      return Family;
  return "";
}

bool isIdentifier(StringRef S) {
  if (S.empty() || S.size() > 128 || !(llvm::isAlpha(S[0]) || S[0] == '_'))
    return false;
  return llvm::all_of(S, [](char C) { return llvm::isAlnum(C) || C == '_'; });
}

bool isKeyword(StringRef S) {
  static const char *const Words[] = {
      "block",     "class",   "else",     "enum",    "expect",   "false",  "for",
      "hardware",  "if",      "import",   "in",      "measured", "model",  "pipeline",
      "precision", "primitive", "repeat", "runtime", "scenario", "source", "true",
      "with",      "within"};
  return llvm::is_contained(Words, S);
}

/// A model name from `_name_or_path`, or the config's directory or file name: letters, digits
/// and `_`, starting with a capital (the stdlib's blocks are lower-case).
std::string deriveName(const json::Object &Root, StringRef ConfigPath) {
  std::string From;
  if (const json::Value *V = Root.get("_name_or_path"))
    if (Optional<StringRef> S = V->getAsString())
      From = llvm::sys::path::filename(S->rtrim("/")).str();
  if (From.empty()) {
    StringRef Stem = llvm::sys::path::stem(ConfigPath);
    if (Stem == "config") {
      llvm::SmallString<256> Abs(ConfigPath);
      llvm::sys::fs::make_absolute(Abs);
      From = llvm::sys::path::filename(llvm::sys::path::parent_path(Abs)).str();
    } else {
      From = Stem.str();
    }
  }
  std::string Name;
  for (char C : From) {
    bool Keep = llvm::isAlnum(C);
    if (Keep)
      Name += C;
    else if (!Name.empty() && Name.back() != '_')
      Name += '_';
    if (Name.size() >= 100)
      break;
  }
  while (!Name.empty() && Name.back() == '_')
    Name.pop_back();
  if (Name.empty())
    Name = "Imported";
  if (llvm::isDigit(Name[0]))
    Name = "M_" + Name;
  Name[0] = llvm::toUpper(Name[0]);
  return Name;
}

/// Bytes per parameter of a dtype, by its short name or the config's torch_dtype.
int bytesOf(StringRef D) {
  if (D == "bf16" || D == "bfloat16" || D == "f16" || D == "float16")
    return 2;
  if (D == "f32" || D == "float32")
    return 4;
  if (D == "fp8" || D == "float8_e4m3fn" || D == "float8_e5m2")
    return 1;
  return 0;
}

/// `expect params == N;` from the index's metadata.total_size.
bool indexParams(const HFImportOptions &Opts, Fields &Config, const Emission &E, int64_t &Params,
                 std::string &Dtype, std::string &Error) {
  if (Config.raw("quantization_config")) {
    Config.fail("the checkpoint is quantized (`quantization_config`): its total_size mixes "
                "quantized weights and their scales, so it gives no parameter count; drop "
                "--index");
    return false;
  }
  if (!E.LeftOut.empty()) {
    Config.fail("the checkpoint holds " + E.LeftOut +
                " that the model leaves out, so total_size does not give its parameter count; "
                "drop --index");
    return false;
  }
  if (E.MTPLayers) {
    Config.fail("the checkpoint holds " + std::to_string(E.MTPLayers) +
                " multi-token-prediction layer(s) (`" + E.MTPKey + "`) that the model "
                "leaves out, so total_size does not give its parameter count; drop --index");
    return false;
  }
  Dtype = Opts.DType;
  if (Dtype.empty()) {
    Optional<std::string> T = Config.str("torch_dtype");
    if (!T && !Config.failed())
      T = Config.str("dtype");
    if (Config.failed())
      return false;
    if (!T) {
      Config.fail("no `torch_dtype` to divide the index's total_size by; give --dtype=");
      return false;
    }
    if (!bytesOf(*T)) {
      Config.fail("field `torch_dtype` = \"" + printable(*T) +
                  "\" is not bfloat16, float16, float32 or float8_e4m3fn; give --dtype=");
      return false;
    }
    Dtype = *T;
  }
  json::Value Index(nullptr);
  if (!loadJSON(Opts.Index, MaxIndexBytes, Index, Error))
    return false;
  const std::string Name = printable(Opts.Index);
  const json::Object *Meta = Index.getAsObject()->getObject("metadata");
  if (!Meta) {
    Error = Name + ": required object `metadata` is missing";
    return false;
  }
  Fields M(*Meta, Name + ": metadata", Error);
  int64_t Total = M.num("total_size", llvm::None, 1, INT64_MAX - 1);
  if (M.failed())
    return false;
  int Bytes = bytesOf(Dtype);
  // Tensors the model's code keeps in float32 take 4 - Bytes more bytes a value.
  if (E.WideParams && Bytes < 4) {
    int64_t Extra = E.WideParams * (4 - Bytes);
    if (Total <= Extra) {
      Error = Name + ": metadata.total_size = " + std::to_string(Total) + " is smaller than the " +
              std::to_string(E.WideParams) + " float32 parameters the model keeps";
      return false;
    }
    Total -= Extra;
  }
  if (Total % Bytes) {
    Error = Name + ": metadata.total_size = " + std::to_string(Total) +
            " is not a multiple of " + std::to_string(Bytes) + " bytes per " + Dtype +
            " parameter: the checkpoint mixes dtypes (some tensors are stored wider or "
            "narrower than " +
            Dtype + ") or the dtype is wrong; give --dtype= or drop --index";
    return false;
  }
  Params = Total / Bytes;
  return true;
}

} // namespace

bool zoo::importHFConfig(const HFImportOptions &Opts, std::string &Text, std::string &Error) {
  const std::string File = printable(Opts.Config);
  if (!Opts.Name.empty() && (!isIdentifier(Opts.Name) || isKeyword(Opts.Name))) {
    Error = "--name: '" + printable(Opts.Name) +
            "' is not a model name (letters, digits and `_`, not starting with a digit, at "
            "most 128, not a keyword)";
    return false;
  }
  if (llvm::any_of(Opts.Source, [](char C) {
        return C == '"' || C == '\\' || static_cast<unsigned char>(C) < 0x20 || C == 0x7f;
      }) ||
      Opts.Source.size() > 2000) {
    Error = "--source: a source may not hold quotes, backslashes or control characters, and is "
            "at most 2000 bytes";
    return false;
  }
  if (!Opts.DType.empty() && Opts.DType != "bf16" && Opts.DType != "f16" &&
      Opts.DType != "f32" && Opts.DType != "fp8") {
    Error = "--dtype: '" + printable(Opts.DType) + "' is not bf16, f16, f32 or fp8";
    return false;
  }
  if (!Opts.DType.empty() && Opts.Index.empty()) {
    Error = "--dtype needs --index";
    return false;
  }
  json::Value Root(nullptr);
  if (!loadJSON(Opts.Config, MaxConfigBytes, Root, Error))
    return false;
  const json::Object &Obj = *Root.getAsObject();
  Fields F(Obj, File, Error);

  std::string Type;
  std::string Archs;
  if (const json::Value *A = F.raw("architectures")) {
    const json::Array *Arr = A->getAsArray();
    if (!Arr || llvm::any_of(*Arr, [](const json::Value &V) { return !V.getAsString(); })) {
      F.fail("field `architectures` = " + show(*A) + " is not an array of strings");
      return false;
    }
    for (const json::Value &V : *Arr)
      Archs += (Archs.empty() ? "" : ", ") + printable(*V.getAsString());
  }
  if (Optional<std::string> T = F.str("model_type"))
    Type = *T;
  else if (F.failed())
    return false;
  else if (const json::Value *A = F.raw("architectures"); A && !A->getAsArray()->empty())
    Type = typeOfArchitecture(*(*A->getAsArray())[0].getAsString()).str();
  // The reference Mamba implementation's config has neither.
  const bool MambaSSM = Type.empty() && F.has("d_model") && F.has("n_layer") && F.has("ssm_cfg");
  if (Type.empty() && !MambaSSM) {
    if (const json::Value *A = F.raw("architectures"))
      F.fail("field `architectures` = " + show(*A) +
             " names no architecture this importer maps, and `model_type` is missing");
    else
      F.fail("required field `model_type` is missing");
    return false;
  }
  if (Type == "RefinedWeb" || Type == "RefinedWebModel")
    Type = "falcon";
  if (Type == "mistral" && F.has("num_local_experts"))
    Type = "mixtral";

  Emission E;
  Decoder D;
  E.Family = familyOf(Type);
  if (MambaSSM)
    mapMambaSSM(F, E, Error);
  else if (Type == "llama" || Type == "mistral" || Type == "qwen2" || Type == "phi3" ||
           Type == "gemma")
    mapLlama(F, E, Type);
  else if (Type == "qwen3" || Type == "qwen3_moe" || Type == "qwen2_moe")
    mapQwenLocal(F, E, Type, D);
  else if (Type == "gemma2")
    mapGemma2(F, E);
  else if (Type == "gemma3_text")
    mapGemma3(F, E, D);
  else if (Type == "mixtral")
    mapMixtral(F, E);
  else if (Type == "deepseek_v2" || Type == "deepseek_v3" || Type == "deepseek_v32")
    mapDeepSeek(F, E, D, Type == "deepseek_v32");
  else if (Type == "gpt2")
    mapGPT2(F, E);
  else if (Type == "bert")
    mapBERT(F, E);
  else if (Type == "mamba")
    mapMamba(F, E);
  else if (Type == "mamba2")
    mapMamba2(F, E);
  else if (Type == "falcon")
    mapFalcon(F, E);
  else if (Type == "gemma3")
    F.cannot(F.raw("vision_config") ? "vision_config" : "model_type", "",
             "no SigLIP vision tower; import the text model, model_type `gemma3_text`");
  else if (Type == "t5")
    mapT5(F, E);
  else if (Type == "llama4" || Type == "llama4_text")
    mapLlama4(F, E, Type == "llama4_text");
  else if (Type == "nemotron_h")
    mapNemotronH(F, E);
  else if (Type == "qwen3_next" || Type == "qwen3_5_text" || Type == "qwen3_5_moe_text")
    mapQwen3Next(F, E, Type);
  else if (Type == "qwen3_5" || Type == "qwen3_5_moe")
    mapQwen35(F, E, Type);
  else if (Type == "kimi_linear")
    mapKimiLinear(F, E);
  else if (Type == "minimax_m2")
    mapMiniMaxM2(F, E, D);
  else if (Type == "zamba2")
    mapZamba2(F, E);
  else if (Type == "albert")
    mapALBERT(F, E);
  else
    F.fail("field `model_type` = \"" + printable(Type).substr(0, 40) +
           "\" is not a family this importer maps (" + KnownTypes + ")");
  if (F.failed())
    return false;

  std::string Name = Opts.Name.empty() ? deriveName(Obj, Opts.Config) : Opts.Name;
  if (isKeyword(Name))
    Name += "_model";
  if (E.Block.empty()) {
    E.Block = Name + "_arch";
    if (D.Vocab == 0 || D.H.Heads == 0) { // filled by the family's mapper
      Error = File + ": internal: no architecture";
      return false;
    }
    if (D.Hidden == 0)
      D.Hidden = D.H.Hidden;
    E.LocalBlock = D.text(E.Block);
  }

  int64_t Params = 0;
  std::string Dtype;
  if (!Opts.Index.empty() && !indexParams(Opts, F, E, Params, Dtype, Error))
    return false;

  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << "// Imported by `zooc import-hf` from " << File << " (model_type `"
     << (MambaSSM ? "mamba_ssm" : printable(Type)) << "`"
     << (Archs.empty() ? "" : ", " + Archs) << ").\n";
  if (!Opts.Index.empty())
    OS << "// Parameter count: metadata.total_size of " << printable(Opts.Index) << " / "
       << bytesOf(Dtype) << " bytes per " << Dtype << " parameter.\n";
  if (!Opts.Index.empty() && E.WideParams && bytesOf(Dtype) < 4)
    OS << "// The model keeps " << E.WideParams << " parameters in float32, "
       << 4 - bytesOf(Dtype) << " bytes more each: taken off total_size first.\n";
  for (const std::string &N : E.Notes) { // wrapped at 98 columns
    std::string Line = "//";
    for (StringRef Rest = N; !Rest.empty();) {
      auto [Word, Tail] = Rest.split(' ');
      if (Line.size() > 2 && Line.size() + 1 + Word.size() > 98) {
        OS << Line << "\n";
        Line = "//";
      }
      Line += " " + Word.str();
      Rest = Tail;
    }
    OS << Line << "\n";
  }
  if (!E.LocalBlock.empty())
    OS << E.LocalBlock;
  std::string Head = "model " + Name + " = " + E.Block + "(";
  OS << Head;
  size_t Col = Head.size();
  const std::string Indent(std::min<size_t>(Head.size(), 40), ' ');
  if (Head.size() > 40)
    Col = 100; // a very long name: the arguments start on the next line
  for (size_t I = 0; I < E.Args.size(); ++I) {
    std::string A = E.Args[I].first + ": " + E.Args[I].second;
    A += I + 1 < E.Args.size() ? "," : ")";
    if (I && Col + 1 + A.size() > 98) {
      OS << "\n" << Indent;
      Col = Indent.size();
    } else if (I) {
      OS << " ";
      ++Col;
    }
    OS << A;
    Col += A.size();
  }
  if (E.Args.empty())
    OS << ")";
  OS << " {\n";
  if (!E.Family.empty())
    OS << "  family = \"" << E.Family << "\";\n";
  if (E.Context)
    OS << "  context = " << *E.Context << " tokens;\n";
  if (!Opts.Source.empty())
    OS << "  source \"" << Opts.Source << "\";\n";
  if (!Opts.Index.empty())
    OS << "  expect params == " << grouped(Params) << ";\n";
  OS << "}\n";
  OS.flush();
  Text = std::move(S);
  return true;
}

int zoo::runImportHF(llvm::ArrayRef<const char *> Args, llvm::raw_ostream &Err,
                     llvm::function_ref<bool(StringRef, StringRef)> Write) {
  auto Usage = [&](const std::string &Msg) {
    Err << "zooc: error: import-hf: " << Msg << "\n";
    return 1;
  };
  HFImportOptions O;
  std::string Output = "-";
  std::vector<std::string> Positional;
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    auto Value = [&](StringRef Flag, std::string &To) {
      if (!A.startswith(Flag) || A.size() == Flag.size() || A[Flag.size()] != '=')
        return false;
      To = A.drop_front(Flag.size() + 1).str();
      return true;
    };
    if (A == "-h" || A == "--help" || A == "-help") {
      llvm::outs()
          << "USAGE: zooc import-hf CONFIG.json [--index=model.safetensors.index.json]\n"
             "                       [--dtype=bf16|f16|f32|fp8] [--name=NAME] [--source=URL]\n"
             "                       [-o FILE|-]\n\n"
             "  Writes a .zoo model declaration from a Hugging Face config.json. With --index,\n"
             "  metadata.total_size / bytes per parameter gives `expect params == N;`.\n"
             "  See docs/import.md.\n";
      return 0;
    }
    if (A == "-o") {
      if (++I == Args.size())
        return Usage("-o needs a file name");
      Output = Args[I];
    } else if (A.startswith("-o") && !A.startswith("--")) {
      Output = A.drop_front(2).str();
      if (!Output.empty() && Output[0] == '=')
        Output.erase(0, 1);
    } else if (Value("--index", O.Index) || Value("--name", O.Name) ||
               Value("--source", O.Source) || Value("--dtype", O.DType)) {
      if (A.endswith("="))
        return Usage("'" + printable(A) + "' needs a value");
    } else if (A.startswith("-") && A != "-") {
      return Usage("unknown option '" + printable(A) +
                   "' (--index=, --dtype=, --name=, --source=, -o)");
    } else {
      Positional.push_back(A.str());
    }
  }
  if (Positional.size() != 1)
    return Usage(Positional.empty() ? "no config.json given"
                                    : "one config.json at a time (" +
                                          std::to_string(Positional.size()) + " given)");
  if (Output.empty())
    return Usage("-o needs a file name");
  O.Config = Positional[0];
  std::string Text, Error;
  if (!importHFConfig(O, Text, Error))
    return Usage(Error);
  return Write(Output, Text) ? 0 : 1;
}
