//===- Shapes.cpp - shape inference for models with an input --------------===//
//
// While a model that declares `input(...)` is expanded, a tensor shape flows through its layers:
// (channels, height, width), (tokens, dim) or (features). flowShape applies one primitive:
//   1. it checks that the primitive fits the shape (channels, groups, a spatial size above zero,
//      the features a linear expects, a matching saved tensor for a skip);
//   2. it records the sizes the primitive takes from the shape as arguments (input channels,
//      features, positions), so that the cost model reads them like any other argument;
//   3. it computes the output shape (PyTorch's convolution and pooling arithmetic; `same`
//      padding gives ceil(size / stride)) in 128 bits, and checks it: every size at least 1 and
//      at most 2^63 - 1 elements in all (an input too), so that every count over it is exact.
// Containers (residual, shortcut, branch) are handled by the walk in BlockWalker.cpp.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"

using namespace zoo;

std::string zoo::shapeText(const std::vector<int64_t> &D) {
  std::string S = "(";
  for (size_t I = 0; I < D.size(); ++I)
    S += (I ? ", " : "") + std::to_string(D[I]);
  return S + ")";
}

std::optional<int64_t> zoo::numel(const std::vector<int64_t> &D) {
  std::optional<int64_t> N = 1;
  for (int64_t X : D)
    if (N)
      N = checkedMul(*N, X);
  return N;
}

namespace {
std::string wideText(Wide V) {
  if (fitsInt64(V))
    return std::to_string(static_cast<int64_t>(V));
  std::string S;
  bool Neg = V < 0;
  unsigned __int128 U = Neg ? -static_cast<unsigned __int128>(V) : V;
  for (; U; U /= 10)
    S.insert(S.begin(), static_cast<char>('0' + static_cast<int>(U % 10)));
  return Neg ? "-" + S : S;
}

std::string wideShapeText(const std::vector<Wide> &D) {
  std::string S = "(";
  for (size_t I = 0; I < D.size(); ++I)
    S += (I ? ", " : "") + wideText(D[I]);
  return S + ")";
}

void setArg(LayerNode &N, llvm::StringRef Name, int64_t V) {
  std::vector<Binding> Args = N.Args.vec();
  auto It =
      std::find_if(Args.begin(), Args.end(), [&](const Binding &B) { return B.first == Name; });
  if (It != Args.end())
    It->second = Value::ofInt(V);
  else
    Args.push_back({Name, Value::ofInt(V)});
  N.Args = ArgList(std::move(Args));
}
} // namespace

bool SemaImpl::flowShape(LayerNode &N, const CallStmt &C) {
  auto I = [&](llvm::StringRef Name) -> int64_t {
    const Value *V = N.arg(Name);
    return V ? V->I : 0;
  };
  auto Fail = [&](const std::string &Msg) {
    Diags.report(C.range(), diag::err_shape, N.Decl->Name, Msg);
    return false;
  };
  // A new shape: every size at least 1, and at most 2^63 - 1 elements in all, so that the cost
  // model's products over it stay exact. Sizes are computed in 128 bits and checked here.
  auto Settle = [&](const std::vector<Wide> &W, const char *What) -> bool {
    std::vector<int64_t> Out;
    for (Wide X : W) {
      if (X < 1)
        return Fail(fmt::format("{} {} has an empty dimension", What, wideShapeText(W)));
      if (!fitsInt64(X))
        break;
      Out.push_back(static_cast<int64_t>(X));
    }
    if (Out.size() != W.size() || !numel(Out))
      return Fail(fmt::format("{} {} has more than 2^63 - 1 elements", What, wideShapeText(W)));
    Shape = Out;
    return true;
  };
  if (N.Prim == PrimitiveKind::input) {
    std::vector<Wide> D = {I("channels")};
    for (const char *X : {"height", "width"})
      if (I(X))
        D.push_back(I(X));
    if (D[0] <= 0)
      return Fail("the input needs at least one channel");
    if (!Settle(D, "the input"))
      return false;
    N.InShape = *Shape;
    return true;
  }
  if (!Shape) {
    switch (N.Prim) {
    case PrimitiveKind::conv2d:
    case PrimitiveKind::conv_transpose2d:
    case PrimitiveKind::batchnorm:
    case PrimitiveKind::pool2d:
    case PrimitiveKind::adaptive_pool:
    case PrimitiveKind::flatten:
    case PrimitiveKind::tokens:
    case PrimitiveKind::add_tokens:
    case PrimitiveKind::first_token:
    case PrimitiveKind::context_tokens:
    case PrimitiveKind::drop_tokens:
    case PrimitiveKind::upsample:
    case PrimitiveKind::save:
    case PrimitiveKind::concat_saved:
    case PrimitiveKind::side_input:
    case PrimitiveKind::untokens:
    case PrimitiveKind::take_channels:
    case PrimitiveKind::window_pad:
    case PrimitiveKind::window_unpad:
    case PrimitiveKind::patch_merge:
      return Fail("the model declares no `input`, so there is no shape to work on");
    case PrimitiveKind::linear:
      if (I("in") <= 0)
        return Fail("`in` must be given when the model declares no `input`");
      return true;
    case PrimitiveKind::act:
      if (I("dim") <= 0)
        return Fail("`dim` must be given when the model declares no `input`");
      return true;
    default:
      return true;
    }
  }
  const std::vector<int64_t> D = *Shape;
  const char *Output = "its output";
  // Whether the tensor is the (tokens, channels) of the open `tokens()`'s grid.
  auto OnGrid = [&] {
    return D.size() == 2 && !Spatial.empty() &&
           Wide(Spatial.back().first) * Spatial.back().second == D[0];
  };
  // The last dimension split into value and gate halves (`glu()`, the gated activations).
  auto HalveLast = [&] {
    std::vector<int64_t> Next = D;
    Next.back() /= 2;
    Shape = Next;
  };
  // PyTorch's output size, in 128 bits (padding and dilation may be as large as any int);
  // `same` padding gives ceil(In / St).
  auto OutSize = [&](int64_t In, int64_t K, int64_t St, int64_t P, int64_t Dil, bool Same,
                     bool Ceil) -> Wide {
    if (Same)
      return Wide(In) / St + (In % St != 0);
    Wide Num = Wide(In) + 2 * Wide(P) - Wide(Dil) * (Wide(K) - 1) - 1;
    if (Num < 0)
      return 0;
    return (Ceil ? (Num + St - 1) / St : Num / St) + 1;
  };
  switch (N.Prim) {
  case PrimitiveKind::conv2d: {
    if (D.size() != 3)
      return Fail("it needs a (channels, height, width) input, found " + shapeText(D));
    int64_t Cin = D[0], Out = I("out"), G = I("groups");
    if (G <= 0 || Cin % G || Out % G)
      return Fail(fmt::format("groups ({}) must divide the input channels ({}) and the output "
                              "channels ({})",
                              G, Cin, Out));
    int64_t Kh = I("kernel"), Kw = I("kernel_w"), Sh = I("stride"), Sw = I("stride_w");
    if (Kh <= 0 || Kw <= 0 || Sh <= 0 || Sw <= 0 || I("dilation") <= 0)
      return Fail("kernel, stride and dilation must be positive");
    bool Same = N.arg("same")->B;
    Wide H = OutSize(D[1], Kh, Sh, I("padding"), I("dilation"), Same, false);
    Wide W = OutSize(D[2], Kw, Sw, I("padding_w"), I("dilation"), Same, false);
    if (H <= 0 || W <= 0)
      return Fail(
          fmt::format("a {}x{} input leaves a {}x{} output", D[1], D[2], wideText(H), wideText(W)));
    if (!Settle({Out, H, W}, Output))
      return false;
    setArg(N, "in_channels", Cin);
    return true;
  }
  case PrimitiveKind::conv_transpose2d: {
    if (D.size() != 3)
      return Fail("it needs a (channels, height, width) input, found " + shapeText(D));
    int64_t K = I("kernel"), St = I("stride"), P = I("padding");
    if (K <= 0 || St <= 0 || P < 0)
      return Fail("kernel and stride must be positive, padding not negative");
    // PyTorch's output size: (in - 1) x stride - 2 x padding + kernel (no output padding).
    Wide H = (Wide(D[1]) - 1) * St - 2 * Wide(P) + K;
    Wide W = (Wide(D[2]) - 1) * St - 2 * Wide(P) + K;
    if (H <= 0 || W <= 0)
      return Fail(
          fmt::format("a {}x{} input leaves a {}x{} output", D[1], D[2], wideText(H), wideText(W)));
    if (!Settle({I("out"), H, W}, Output))
      return false;
    setArg(N, "in_channels", D[0]);
    return true;
  }
  case PrimitiveKind::batchnorm:
    setArg(N, "channels", D[0]);
    return true;
  case PrimitiveKind::pool2d: {
    if (D.size() != 3)
      return Fail("it needs a (channels, height, width) input, found " + shapeText(D));
    int64_t K = I("kernel"), St = I("stride") ? I("stride") : K;
    if (K <= 0 || St <= 0)
      return Fail("kernel and stride must be positive");
    // PyTorch pads at most half the kernel (more would make windows of padding alone).
    if (I("padding") < 0 || Wide(I("padding")) * 2 > K)
      return Fail(fmt::format("padding ({}) must be at most half the kernel ({}), as in PyTorch",
                              I("padding"), K));
    bool Ceil = N.arg("ceil_mode")->B;
    // With ceil_mode, PyTorch drops a last window that would start in the right or bottom
    // padding: every window starts inside the input or its left/top padding.
    auto PoolSize = [&](int64_t In) {
      Wide Out = OutSize(In, K, St, I("padding"), 1, false, Ceil);
      if (Ceil && Out > 0 && (Out - 1) * St >= Wide(In) + I("padding"))
        --Out;
      return Out;
    };
    Wide H = PoolSize(D[1]);
    Wide W = PoolSize(D[2]);
    if (H <= 0 || W <= 0)
      return Fail(
          fmt::format("a {}x{} input leaves a {}x{} output", D[1], D[2], wideText(H), wideText(W)));
    return Settle({D[0], H, W}, Output);
  }
  case PrimitiveKind::adaptive_pool:
    if (D.size() != 3)
      return Fail("it needs a (channels, height, width) input, found " + shapeText(D));
    return Settle({D[0], I("height"), I("width")}, Output);
  case PrimitiveKind::flatten:
    return Settle({*numel(D)}, Output); // a settled shape's elements fit
  case PrimitiveKind::tokens:
    if (D.size() != 3)
      return Fail("it needs a (channels, height, width) input, found " + shapeText(D));
    Spatial.push_back({D[1], D[2]});
    return Settle({Wide(D[1]) * D[2], D[0]}, Output);
  case PrimitiveKind::window_pad: {
    // Swin: the grid of the open `tokens()` padded at its end to multiples of the window.
    int64_t W = I("window");
    if (W <= 0)
      return Fail("`window` must be positive");
    if (!OnGrid())
      return Fail("it needs the (tokens, channels) output of a `tokens()`, found " + shapeText(D));
    auto [H, Wd] = Spatial.back();
    Wide Hp = (Wide(H) + W - 1) / W * W, Wp = (Wide(Wd) + W - 1) / W * W;
    if (!fitsInt64(Hp) || !fitsInt64(Wp))
      return Fail("the padded grid is beyond 2^63 - 1");
    if (!Settle({Hp * Wp, D[1]}, Output))
      return false;
    Unpadded.push_back({H, Wd});
    PaddedAt.push_back(C.range());
    Spatial.back() = {static_cast<int64_t>(Hp), static_cast<int64_t>(Wp)};
    return true;
  }
  case PrimitiveKind::window_unpad: {
    if (Unpadded.empty() || Spatial.empty() || D.size() != 2)
      return Fail("it needs an earlier `window_pad()` on the tokens it crops");
    auto [H, Wd] = Unpadded.back();
    Unpadded.pop_back();
    PaddedAt.pop_back();
    Spatial.back() = {H, Wd};
    return Settle({Wide(H) * Wd, D[1]}, Output);
  }
  case PrimitiveKind::patch_merge: {
    // Swin's patch merging: the grid padded to even sizes, each 2 x 2 patch's channels joined.
    if (!OnGrid())
      return Fail("it needs the (tokens, channels) output of a `tokens()`, found " + shapeText(D));
    auto [H, Wd] = Spatial.back();
    int64_t Hh = H / 2 + H % 2, Wh = Wd / 2 + Wd % 2;
    if (!Settle({Wide(Hh) * Wh, Wide(D[1]) * 4}, Output))
      return false;
    Spatial.back() = {Hh, Wh};
    return true;
  }
  case PrimitiveKind::untokens: {
    if (!OnGrid())
      return Fail("it needs the (tokens, channels) output of a matching `tokens()`, found " +
                  shapeText(D));
    auto [H, W] = Spatial.back();
    Spatial.pop_back();
    return Settle({D[1], H, W}, Output);
  }
  case PrimitiveKind::add_tokens:
    if (D.size() != 2)
      return Fail("it needs a (tokens, dim) input, found " + shapeText(D));
    setArg(N, "dim", D[1]);
    return Settle({Wide(D[0]) + I("count"), D[1]}, Output);
  case PrimitiveKind::first_token:
    if (D.size() != 2)
      return Fail("it needs a (tokens, dim) input, found " + shapeText(D));
    return Settle({D[1]}, Output);
  case PrimitiveKind::context_tokens:
    if (D.size() != 2 || I("count") <= 0)
      return Fail("it needs a (tokens, dim) input and a positive count, found " + shapeText(D));
    return Settle({Wide(D[0]) + I("count"), D[1]}, Output);
  case PrimitiveKind::drop_tokens:
    if (D.size() != 2 || I("count") <= 0 || I("count") >= D[0])
      return Fail(fmt::format("cannot drop {} of the tokens of {}", I("count"), shapeText(D)));
    return Settle({Wide(D[0]) - I("count"), D[1]}, Output);
  case PrimitiveKind::linear: {
    int64_t F = D.back();
    if (I("in") == 0)
      setArg(N, "in", F);
    else if (I("in") != F)
      return Fail(fmt::format("`in` is {} but the input has {} features", I("in"), F));
    setArg(N, "positions", *numel(D) / F);
    std::vector<Wide> Next(D.begin(), D.end());
    Next.back() = I("out");
    return Settle(Next, Output);
  }
  case PrimitiveKind::norm:
    if (I("dim") != D.back() && I("dim") != D[0])
      return Fail(fmt::format("`dim` is {} but the input is {}", I("dim"), shapeText(D)));
    setArg(N, "positions", *numel(D) / I("dim"));
    return true;
  case PrimitiveKind::act: {
    // The gated kinds split the last dimension into value and gate halves, as `glu()` does; `dim`
    // counts the output elements.
    const Value *K = N.arg("kind");
    if (K && (K->S == "swiglu" || K->S == "geglu")) {
      if (D.back() % 2)
        return Fail(fmt::format("`{}` needs an even last dimension, found {}", K->S, D.back()));
      HalveLast();
      if (I("dim") == 0)
        setArg(N, "dim", *numel(*Shape));
      return true;
    }
    if (I("dim") == 0)
      setArg(N, "dim", *numel(D));
    return true;
  }
  case PrimitiveKind::side_input:
    if (I("dim") <= 0)
      return Fail("`dim` must be positive");
    if (I("tokens"))
      return Settle({I("tokens"), I("dim")}, Output);
    return Settle({I("dim")}, Output);
  case PrimitiveKind::take_channels:
    if (I("count") <= 0 || I("count") > D[0])
      return Fail(fmt::format("cannot take {} of {} channels", I("count"), D[0]));
    {
      std::vector<int64_t> Next = D;
      Next[0] = I("count");
      Shape = Next;
    }
    return true;
  case PrimitiveKind::glu: {
    if (D.back() % 2)
      return Fail("the last dimension (" + std::to_string(D.back()) + ") must be even");
    HalveLast();
    return true;
  }
  case PrimitiveKind::upsample:
    if (D.size() != 3 || I("factor") <= 0)
      return Fail("it needs a (channels, height, width) input and a positive factor");
    return Settle({D[0], Wide(D[1]) * I("factor"), Wide(D[2]) * I("factor")}, Output);
  case PrimitiveKind::save:
    Saved.push_back(D);
    SavedAt.push_back(C.range());
    SavedId.push_back(I("id"));
    return true;
  case PrimitiveKind::concat_saved: {
    // The last tensor saved, or with an id the last one saved with that id.
    const int64_t Id = I("id");
    size_t At = Saved.size();
    while (At > 0 && Id != 0 && SavedId[At - 1] != Id)
      --At;
    if (At == 0)
      return Fail(Id == 0 ? std::string("nothing was saved: `concat_saved()` needs an earlier "
                                        "`save()`")
                          : fmt::format("nothing was saved with id {}: `concat_saved(id: {})` "
                                        "needs an earlier `save(id: {})`",
                                        Id, Id, Id));
    std::vector<int64_t> Skip = std::move(Saved[At - 1]);
    Saved.erase(Saved.begin() + static_cast<std::ptrdiff_t>(At - 1));
    SavedAt.erase(SavedAt.begin() + static_cast<std::ptrdiff_t>(At - 1));
    SavedId.erase(SavedId.begin() + static_cast<std::ptrdiff_t>(At - 1));
    if (Skip.size() < 2 || !sameOutsideChannels(Skip, D))
      return Fail("the saved tensor " + shapeText(Skip) + " does not match " + shapeText(D) +
                  " outside the channels");
    std::vector<Wide> Next(D.begin(), D.end());
    Next[channelAxis(D)] += Skip[channelAxis(D)];
    return Settle(Next, Output);
  }
  case PrimitiveKind::attend: {
    // Over a (tokens, fused q/k/v features) tensor; the output is heads x v_head_dim per token.
    if (D.size() != 2)
      return Fail("it needs a (tokens, dim) input, found " + shapeText(D));
    // A window over an input's tokens: for causal attention the last `window` tokens; for
    // bidirectional attention Swin's square windows over the `tokens()` grid.
    if (I("window") && !N.arg("causal")->B && !I("cross_len")) {
      // Bidirectional: square windows of window x window tokens over the open `tokens()`'s grid
      // (Swin), which must be tiled exactly (`window_pad` pads it).
      int64_t W = I("window");
      if (!OnGrid())
        return Fail("a bidirectional `window` is a square window over the grid of a `tokens()`, "
                    "and these tokens have none");
      auto [H, Wd] = Spatial.back();
      if (H % W || Wd % W)
        return Fail(fmt::format("the {} x {} grid is not tiled by {} x {} windows: pad it with "
                                "`window_pad({})` first",
                                H, Wd, W, W, W));
    }
    if (I("window") && I("cross_len"))
      return Fail("cross-attention (`cross_len`) sees the whole context: it takes no `window`");
    setArg(N, "positions", D[0]);
    return Settle({D[0], Wide(I("heads")) * I("v_head_dim")}, Output);
  }
  case PrimitiveKind::frame_conv:
    return Fail("a front-end convolution over frames belongs to a language model (no `input`); "
                "a model with an input uses `conv2d`");
  // (cross-attention in a model with an input attends to `cross_len` context tokens)
  default:
    return true;
  }
}
