//===- Serving.cpp - workloads and serving records ------------------------===//
//
// A workload: Poisson arrivals at `rate`, `requests` of them, input and output lengths (fixed,
// uniform between a minimum and a maximum, or exponential about a mean), a seed. A serving
// record: a replica (a scenario's fields: model, hardware, devices, precisions, runtime,
// max_batch, prefill_chunk) under a workload, with SLA targets at the 99th percentile, `expect`
// and `measured` on the serving metrics. The simulation is the serving pass's.
//
//===----------------------------------------------------------------------===//
#include "SemaImpl.h"
#include "zoo/Sema/ImportLoader.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"
#include <cmath>
#include <optional>

using namespace zoo;

namespace {
Type enumOf(const Module &M, llvm::StringRef Name) {
  return Type::enumeration(llvm::dyn_cast_or_null<EnumDecl>(M.Decls.lookup(Name)));
}

std::vector<FieldSpec> workloadFields(const Module &M) {
  Type Tokens = dimType(BaseDim::Token);
  return {
      {"rate", Type::quantity(Dim() / Dim::of(BaseDim::Second)), false, true},
      {"concurrency", Type::of(Type::Int), false, true},
      {"requests", Type::of(Type::Int), false, true},
      {"duration", dimType(BaseDim::Second), false, true},
      {"seed", Type::of(Type::Int), false, false},
      {"trace", Type::of(Type::String), false, false},
      {"lengths", Type::of(Type::String), false, false},
      {"lengths_in_order", Type::of(Type::Bool), false, false},
      {"input", Tokens, false, true},
      {"input_min", Tokens, false, true},
      {"input_max", Tokens, false, true},
      {"input_dist", enumOf(M, "length_dist"), false, false},
      {"output", Tokens, false, true},
      {"output_min", Tokens, false, true},
      {"output_max", Tokens, false, true},
      {"output_dist", enumOf(M, "length_dist"), false, false},
      {"prefix_hit", Type::of(Type::Real), false, false},
      {"summary", Type::of(Type::String), false, false},
  };
}
constexpr int64_t MaxRequests = WorkloadRecord::MaxRequests, MaxLength = int64_t(1) << 24;

/// What is wrong with a `duration` (a workload's or a serving record's), or nothing.
std::string durationError(const Value &V) {
  if (V.R > 0 && V.R <= WorkloadRecord::MaxDuration)
    return {};
  static_assert(WorkloadRecord::MaxDuration == 1e8, "the message below spells the limit");
  return "must be above 0 and at most 1e8 s, found " + V.str();
}

/// Days from 1970-01-01 to the civil date Y-M-D (proleptic Gregorian; Howard Hinnant's
/// days_from_civil).
int64_t daysFromCivil(int64_t Y, int64_t M, int64_t D) {
  Y -= M <= 2;
  const int64_t Era = (Y >= 0 ? Y : Y - 399) / 400;
  const int64_t YoE = Y - Era * 400;
  const int64_t DoY = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
  const int64_t DoE = YoE * 365 + YoE / 4 - YoE / 100 + DoY;
  return Era * 146097 + DoE - 719468;
}

/// `YYYY-MM-DD HH:MM:SS[.fraction]` as seconds since 1970 (no time zone: only differences are
/// used), or nullopt.
std::optional<double> parseTimestamp(llvm::StringRef T) {
  int64_t Y, Mo, D, H, Mi;
  if (T.size() < 19 || T[4] != '-' || T[7] != '-' || T[10] != ' ' || T[13] != ':' ||
      T[16] != ':' || T.substr(0, 4).getAsInteger(10, Y) || T.substr(5, 2).getAsInteger(10, Mo) ||
      T.substr(8, 2).getAsInteger(10, D) || T.substr(11, 2).getAsInteger(10, H) ||
      T.substr(14, 2).getAsInteger(10, Mi))
    return std::nullopt;
  double Sec;
  if (T.substr(17).getAsDouble(Sec) || !(Sec >= 0 && Sec < 61) || Mo < 1 || Mo > 12 || D < 1 ||
      D > 31 || H > 23 || Mi > 59)
    return std::nullopt;
  return static_cast<double>(daysFromCivil(Y, Mo, D) * 86400 + H * 3600 + Mi * 60) + Sec;
}

/// Reads a request trace: a header `TIMESTAMP,ContextTokens,GeneratedTokens` (Azure's LLM
/// inference traces: one row a request, `YYYY-MM-DD HH:MM:SS.fffffff`) or
/// `arrival_s,input_tokens,output_tokens` (seconds), then one row a request in arrival order.
/// Arrivals are made relative to the first. Empty, with `Why` (and its line), when it cannot.
std::vector<WorkloadRecord::TraceRequest> parseTrace(llvm::StringRef Text, std::string &Why) {
  std::vector<WorkloadRecord::TraceRequest> Out;
  llvm::SmallVector<llvm::StringRef, 0> Lines;
  Text.split(Lines, '\n');
  bool Azure = false;
  size_t LineNo = 0;
  double First = 0, Last = 0;
  for (llvm::StringRef L : Lines) {
    ++LineNo;
    L = L.trim();
    if (L.empty())
      continue;
    if (LineNo == 1) {
      if (L == "TIMESTAMP,ContextTokens,GeneratedTokens")
        Azure = true;
      else if (L != "arrival_s,input_tokens,output_tokens") {
        Why = "line 1: the header must be `TIMESTAMP,ContextTokens,GeneratedTokens` or "
              "`arrival_s,input_tokens,output_tokens`";
        return {};
      }
      continue;
    }
    llvm::SmallVector<llvm::StringRef, 3> F;
    L.split(F, ',');
    int64_t In, OutTok;
    std::optional<double> T;
    if (F.size() == 3) {
      if (Azure) {
        T = parseTimestamp(F[0].trim());
      } else if (double X; !F[0].trim().getAsDouble(X) && std::isfinite(X)) {
        T = X;
      }
    }
    if (F.size() != 3 || !T || F[1].trim().getAsInteger(10, In) ||
        F[2].trim().getAsInteger(10, OutTok) || In < 0 || OutTok < 0 || In > MaxLength ||
        OutTok > MaxLength) {
      Why = fmt::format("line {}: expected a time and two whole token counts from 0 to 2^24, "
                        "found `{}`",
                        LineNo, L.take_front(80));
      return {};
    }
    if (Out.empty())
      First = *T;
    else if (*T < Last) {
      Why = fmt::format("line {}: the arrival goes back in time (the trace must be in arrival "
                        "order)",
                        LineNo);
      return {};
    }
    Last = *T;
    if (static_cast<int64_t>(Out.size()) >= MaxRequests) {
      Why = fmt::format("more than {} requests", MaxRequests);
      return {};
    }
    Out.push_back({*T - First, In, OutTok});
  }
  if (Out.size() < 2 || !(Out.back().Arrival > 0))
    Why = "it needs at least two requests at different times";
  return Out;
}

/// Reads a table of lengths: a header of two column names (`input_tokens,output_tokens`, or a
/// dataset's own, such as `input_length,output_length`), then one row a request, its input and
/// output lengths in whole tokens. Empty, with `Why` (and its line), when it cannot.
std::vector<std::pair<int64_t, int64_t>> parseLengths(llvm::StringRef Text, std::string &Why) {
  std::vector<std::pair<int64_t, int64_t>> Out;
  llvm::SmallVector<llvm::StringRef, 0> Lines;
  Text.split(Lines, '\n');
  size_t LineNo = 0;
  for (llvm::StringRef L : Lines) {
    ++LineNo;
    L = L.trim();
    if (L.empty())
      continue;
    llvm::SmallVector<llvm::StringRef, 2> F;
    L.split(F, ',');
    if (LineNo == 1) {
      int64_t Ignored;
      if (F.size() != 2 || F[0].trim().empty() || F[1].trim().empty() ||
          !F[0].trim().getAsInteger(10, Ignored) || !F[1].trim().getAsInteger(10, Ignored)) {
        Why = "line 1: the header must name the two columns, input then output (such as "
              "`input_tokens,output_tokens`)";
        return {};
      }
      continue;
    }
    int64_t In, OutTok;
    if (F.size() != 2 || F[0].trim().getAsInteger(10, In) || F[1].trim().getAsInteger(10, OutTok) ||
        In < 1 || OutTok < 1 || In > MaxLength || OutTok > MaxLength) {
      Why = fmt::format("line {}: expected two whole token counts from 1 to 2^24, found `{}`",
                        LineNo, L.take_front(80));
      return {};
    }
    if (static_cast<int64_t>(Out.size()) >= MaxRequests) {
      Why = fmt::format("more than {} rows", MaxRequests);
      return {};
    }
    Out.push_back({In, OutTok});
  }
  if (Out.empty())
    Why = "it holds no rows";
  return Out;
}
} // namespace

void SemaImpl::buildWorkload(const RecordDecl &D) {
  auto Rec = std::make_unique<WorkloadRecord>(D.Name, D.range());
  std::string What = fmt::format("workload `{}`", D.Name);
  std::vector<FieldSpec> Specs = workloadFields(M);
  checkFields(*this, D.Items, Specs, What, Rec->Fields);
  requireFields(*this, D.Items, Specs, "workload", D.Name, D.NameRange);
  bool OK = true;
  auto Bad = [&](const FieldValue &F, const std::string &Why) {
    Diags.report(F.Range, diag::err_field_value, F.Name, Why);
    OK = false;
  };
  const FieldValue *InDist = nullptr, *OutDist = nullptr;
  for (const FieldValue &F : Rec->Fields) {
    if (F.V.T.K == Type::Quantity && F.V.T.D == Dim::of(BaseDim::Token)) {
      if (!isInt64(F.V.R) || F.V.R > double(MaxLength)) {
        Bad(F, fmt::format("must be a whole number of tokens up to 2^24, found {}", F.V.str()));
        continue;
      }
      int64_t N = static_cast<int64_t>(F.V.R);
      LengthDistribution &L = F.Name.rfind("input", 0) == 0 ? Rec->Input : Rec->Output;
      if (F.Name == "input" || F.Name == "output")
        L.Mean = N;
      else if (F.Name.size() > 4 && F.Name.substr(F.Name.size() - 4) == "_min")
        L.Min = N;
      else
        L.Max = N;
      continue;
    }
    if (F.Name == "rate") {
      if (!(F.V.R <= 1e9))
        Bad(F, "must be at most 1e9 requests/s, found " + F.V.str());
      Rec->Rate = F.V.R;
    } else if (F.Name == "concurrency") {
      if (F.V.I > MaxRequests)
        Bad(F, fmt::format("must be at most {} clients, found {}", MaxRequests, F.V.I));
      Rec->Concurrency = std::min<int64_t>(F.V.I, MaxRequests);
    } else if (F.Name == "requests") {
      if (F.V.I > MaxRequests)
        Bad(F, fmt::format("must be at most {}, found {}", MaxRequests, F.V.I));
      Rec->Requests = F.V.I;
    } else if (F.Name == "duration") {
      if (std::string Why = durationError(F.V); !Why.empty())
        Bad(F, Why);
      else
        Rec->Duration = F.V.R;
    } else if (F.Name == "seed") {
      if (F.V.I < 0)
        Bad(F, "must not be negative, found " + F.V.str());
      Rec->Seed = static_cast<uint64_t>(F.V.I);
    } else if (F.Name == "prefix_hit") {
      if (!(F.V.R >= 0 && F.V.R < 1))
        Bad(F, "must be at least 0 and below 1, found " + F.V.str());
      Rec->PrefixHit = F.V.R;
    } else if (F.Name == "lengths_in_order") {
      Rec->LengthsInOrder = F.V.B;
    } else if (F.Name == "input_dist") {
      InDist = &F;
    } else if (F.Name == "output_dist") {
      OutDist = &F;
    }
  }
  for (auto [Dist, L, Name] :
       {std::tuple{InDist, &Rec->Input, "input"}, std::tuple{OutDist, &Rec->Output, "output"}}) {
    llvm::StringRef K = Dist ? llvm::StringRef(Dist->V.S) : "fixed";
    L->K = K == "uniform"       ? LengthDistribution::Uniform
           : K == "exponential" ? LengthDistribution::Exponential
           : K == "quantiles"   ? LengthDistribution::Quantiles
                                : LengthDistribution::Fixed;
    // The quantile table: a section `input_quantiles { p0 = 48 tokens; ...; p100 = ...; }`.
    const Item *Table = nullptr;
    for (const Item &I : D.Items)
      if (I.K == Item::Section && I.Name == std::string(Name) + "_quantiles")
        Table = &I;
    if ((L->K == LengthDistribution::Quantiles) != (Table != nullptr)) {
      Diags.report(Table ? Table->NameRange : D.NameRange, diag::err_field_value,
                   std::string(Name) + "_dist",
                   Table ? fmt::format("must be `quantiles` with an `{}_quantiles` table", Name)
                         : fmt::format("is `quantiles`, which needs an `{}_quantiles {{ p0 = "
                                       "...; ...; p100 = ...; }}` table",
                                       Name));
      OK = false;
    } else if (Table) {
      for (const Item &Q : Table->Items) {
        if (Q.K != Item::Field) {
          Diags.report(Q.Range, diag::err_field_value, Table->Name,
                       "holds only quantiles `pNN = LENGTH tokens;`");
          OK = false;
          continue;
        }
        int64_t Pct = -1;
        if (Q.Name.size() >= 2 && Q.Name[0] == 'p' &&
            Q.Name.find_first_not_of("0123456789", 1) == std::string::npos &&
            Q.Name.size() <= 4)
          Pct = std::stoll(Q.Name.substr(1));
        if (Pct < 0 || Pct > 100) {
          Diags.report(Q.NameRange, diag::err_field_value, Q.Name,
                       "is not a quantile: write p0 to p100 (the percentage of requests at or "
                       "below the length)");
          OK = false;
          continue;
        }
        auto V = itemValue(Q, dimType(BaseDim::Token), "quantile");
        if (!V) {
          OK = false;
          continue;
        }
        if (!(V->R >= 1 && V->R <= double(MaxLength))) {
          Diags.report(Q.Value->range(), diag::err_field_value, Q.Name,
                       "must be from 1 to 2^24 tokens, found " + V->str());
          OK = false;
          continue;
        }
        L->Table.push_back({double(Pct) / 100, V->R});
      }
      std::sort(L->Table.begin(), L->Table.end());
      bool Ends = L->Table.size() >= 2 && L->Table.front().first == 0 &&
                  L->Table.back().first == 1;
      bool Rising = true;
      for (size_t I = 1; I < L->Table.size(); ++I)
        Rising &= L->Table[I].first > L->Table[I - 1].first &&
                  L->Table[I].second >= L->Table[I - 1].second;
      if (OK && (!Ends || !Rising)) {
        Diags.report(Table->NameRange, diag::err_field_value, Table->Name,
                     "must give p0 and p100, each quantile once, the lengths never falling as "
                     "the quantile rises");
        OK = false;
      }
      if (OK)
        L->indexTable();
    }
    bool HasMin = false, HasMax = false;
    for (const FieldValue &F : Rec->Fields) {
      HasMin |= F.Name == std::string(Name) + "_min";
      HasMax |= F.Name == std::string(Name) + "_max";
    }
    if (L->K == LengthDistribution::Uniform) {
      if (!HasMin || !HasMax) {
        Diags.report(D.NameRange, diag::err_missing_field, "workload", D.Name,
                     std::string(Name) + (HasMin ? "_max" : "_min"));
        OK = false;
      } else if (L->Min > L->Max || L->Mean < L->Min || L->Mean > L->Max) {
        Diags.report(D.NameRange, diag::err_field_value, std::string(Name) + "_min",
                     fmt::format("and `{}_max` must hold the mean: {} <= {} <= {} does not", Name,
                                 L->Min, L->Mean, L->Max));
        OK = false;
      }
    } else if (HasMin || HasMax) {
      Diags.report(D.NameRange, diag::err_field_value, std::string(Name) + "_min",
                   fmt::format("and `{}_max` need `{}_dist = uniform`", Name, Name));
      OK = false;
    }
  }
  bool HasRate = false, HasConcurrency = false;
  const Item *TraceItem = nullptr, *DurationItem = nullptr, *RequestsItem = nullptr,
             *LengthsItem = nullptr;
  for (const Item &I : D.Items) {
    HasRate |= I.K == Item::Field && I.Name == "rate";
    HasConcurrency |= I.K == Item::Field && I.Name == "concurrency";
    if (I.K == Item::Field && I.Name == "trace")
      TraceItem = &I;
    if (I.K == Item::Field && I.Name == "lengths")
      LengthsItem = &I;
    if (I.K == Item::Field && I.Name == "duration")
      DurationItem = &I;
    if (I.K == Item::Field && I.Name == "requests")
      RequestsItem = &I;
  }
  // `duration`: an open loop's arrivals for so long, instead of a number of requests.
  if (DurationItem && (RequestsItem || HasConcurrency || TraceItem)) {
    Diags.report(DurationItem->NameRange, diag::err_field_value, "duration",
                 RequestsItem     ? "and `requests` exclude each other: arrivals for a time, or "
                                    "so many requests"
                 : HasConcurrency ? "does not apply to a closed loop (`concurrency`), whose "
                                    "clients send requests as earlier ones finish: give "
                                    "`requests`"
                                  : "does not apply to a trace, which replays its own requests "
                                    "(`requests` replays the first so many)");
    OK = false;
  }
  if (!LengthsItem)
    for (const Item &I : D.Items)
      if (I.K == Item::Field && I.Name == "lengths_in_order") {
        Diags.report(I.NameRange, diag::err_field_value, I.Name,
                     "applies to a table of `lengths` only: it takes the table's rows in order");
        OK = false;
      }
  if (TraceItem && LengthsItem) {
    Diags.report(LengthsItem->NameRange, diag::err_field_value, "lengths",
                 "and `trace` exclude each other: a trace gives every request's lengths");
    OK = false;
  }
  // A data file named by `trace` or `lengths`, relative to the .zoo file that names it, like an
  // import; recorded for --depfile.
  auto ReadData = [&](const FieldValue &Path) -> std::unique_ptr<llvm::MemoryBuffer> {
    llvm::SourceMgr &SM = Diags.sourceMgr();
    unsigned Buffer = SM.FindBufferContainingLoc(Path.Range.Start);
    llvm::StringRef Importer =
        Buffer ? SM.getMemoryBuffer(Buffer)->getBufferIdentifier() : llvm::StringRef();
    llvm::SmallString<256> Full;
    if (!llvm::sys::path::is_absolute(Path.V.S.str()) && Importer != "<stdin>")
      Full = llvm::sys::path::parent_path(Importer);
    llvm::sys::path::append(Full, Path.V.S.str());
    auto Buf = readSourceFile(std::string(Full), Diags, Path.Range);
    if (Buf)
      M.DataFiles.push_back(std::string(Full));
    return Buf;
  };
  // A file's mean lengths, for the reports and the replica's analysis point.
  auto SetMeans = [&](double InSum, double OutSum, double Count) {
    Rec->Input = Rec->Output = LengthDistribution();
    Rec->Input.Mean = std::max<int64_t>(1, std::llround(InSum / Count));
    Rec->Output.Mean = std::max<int64_t>(1, std::llround(OutSum / Count));
  };
  if (LengthsItem && !TraceItem) {
    // A table gives every request's lengths: the fields that would draw them do not apply.
    for (const Item &I : D.Items)
      if ((I.K == Item::Field &&
           (I.Name.rfind("input", 0) == 0 || I.Name.rfind("output", 0) == 0)) ||
          (I.K == Item::Section && (I.Name == "input_quantiles" || I.Name == "output_quantiles"))) {
        Diags.report(I.NameRange, diag::err_field_value, I.Name,
                     "does not apply to a table of `lengths`, which gives every request's input "
                     "and output lengths");
        OK = false;
      }
    const FieldValue *Path = Rec->field("lengths");
    if (Path && OK) {
      if (auto Buf = ReadData(*Path)) {
        std::string Why;
        auto Rows = parseLengths(Buf->getBuffer(), Why);
        if (!Why.empty()) {
          Diags.report(Path->Range, diag::err_field_value, "lengths",
                       fmt::format("`{}` cannot be read as lengths: {}", Path->V.S, Why));
          OK = false;
        } else {
          double In = 0, Out = 0;
          for (const auto &[I, O] : Rows) {
            In += static_cast<double>(I);
            Out += static_cast<double>(O);
          }
          SetMeans(In, Out, static_cast<double>(Rows.size()));
          Rec->LengthsFile = Path->V.S;
          Rec->Lengths =
              std::make_shared<const std::vector<std::pair<int64_t, int64_t>>>(std::move(Rows));
        }
      } else {
        OK = false;
      }
    }
  }
  if (!TraceItem && !LengthsItem) {
    for (const char *Needed : {"input", "output"}) {
      bool Found = false;
      for (const Item &I : D.Items)
        Found |= I.K == Item::Field && I.Name == Needed;
      if (!Found) {
        Diags.report(D.NameRange, diag::err_missing_field, "workload", D.Name, Needed);
        OK = false;
      }
    }
  } else if (TraceItem) {
    // A trace brings its own arrivals and lengths: the fields that would draw them do not apply.
    for (const Item &I : D.Items)
      if (I.K == Item::Field &&
          (I.Name == "concurrency" || I.Name == "seed" || I.Name.rfind("input", 0) == 0 ||
           I.Name.rfind("output", 0) == 0)) {
        Diags.report(I.NameRange, diag::err_field_value, I.Name,
                     "does not apply to a trace, which gives every request's arrival and lengths "
                     "(`rate` replays it faster or slower)");
        OK = false;
      }
    for (const char *Section : {"input_quantiles", "output_quantiles"})
      for (const Item &I : D.Items)
        if (I.K == Item::Section && I.Name == Section) {
          Diags.report(I.NameRange, diag::err_field_value, I.Name,
                       "does not apply to a trace, which gives every request's lengths");
          OK = false;
        }
    const FieldValue *Path = Rec->field("trace");
    if (Path && OK) {
      if (auto Buf = ReadData(*Path)) {
        std::string Why;
        auto Rows = parseTrace(Buf->getBuffer(), Why);
        if (!Why.empty()) {
          Diags.report(Path->Range, diag::err_field_value, "trace",
                       fmt::format("`{}` cannot be replayed: {}", Path->V.S, Why));
          OK = false;
        } else {
          bool HasRequests = false;
          for (const FieldValue &F : Rec->Fields)
            HasRequests |= F.Name == "requests";
          const int64_t N = static_cast<int64_t>(Rows.size());
          if (HasRequests && Rec->Requests > N) {
            Diags.report(Path->Range, diag::err_field_value, "trace",
                         fmt::format("`{}` holds {} requests, fewer than `requests` = {}",
                                     Path->V.S, N, Rec->Requests));
            OK = false;
          }
          if (!HasRequests)
            Rec->Requests = N;
          Rows.resize(static_cast<size_t>(std::min(N, Rec->Requests)));
          // The trace's own mean rate over the requests replayed; its mean lengths for the
          // reports and the replica's analysis point.
          double In = 0, Out = 0;
          for (const auto &R : Rows) {
            In += static_cast<double>(R.Input);
            Out += static_cast<double>(R.Output);
          }
          const double Count = static_cast<double>(Rows.size());
          Rec->TraceRate = Rows.back().Arrival > 0 ? (Count - 1) / Rows.back().Arrival : 0;
          if (!(Rec->TraceRate > 0) || !(Rec->TraceRate <= 1e9)) {
            Diags.report(Path->Range, diag::err_field_value, "trace",
                         fmt::format("`{}`: the requests replayed arrive at a mean rate above "
                                     "1e9 a second",
                                     Path->V.S));
            OK = false;
          }
          if (!HasRate)
            Rec->Rate = Rec->TraceRate;
          SetMeans(In, Out, Count);
          Rec->TraceFile = Path->V.S;
          Rec->Trace = std::make_shared<const std::vector<WorkloadRecord::TraceRequest>>(
              std::move(Rows));
        }
      } else {
        OK = false;
      }
    }
  }
  if (TraceItem) {
    if (HasConcurrency)
      OK = false; // reported above
  } else if (HasRate == HasConcurrency) {
    if (HasRate)
      Diags.report(D.NameRange, diag::err_field_value, "rate",
                   "and `concurrency` exclude each other: an open loop at a rate, or a closed "
                   "loop of clients");
    else
      Diags.report(D.NameRange, diag::err_missing_field, "workload", D.Name,
                   "rate` or `concurrency");
    OK = false;
  }
  dataItems(D.Items, What, Rec->Sources, "workloads", {"input_quantiles", "output_quantiles"});
  if (!OK)
    Rec->Requests = 0; // not simulated
  M.Workloads.push_back(std::move(Rec));
}

void SemaImpl::buildServing(const RecordDecl &D) {
  auto Rec = std::make_unique<ServingRecord>(D.Name, D.range());
  std::string What = fmt::format("serving `{}`", D.Name);
  bool OK = true;
  Rec->Replica = scenarioFrom(D.Name, D.range(), D.NameRange, D.Items, /*Serving=*/true);
  auto Bad = [&](const Item &I, const std::string &Why) {
    Diags.report(I.Value->range(), diag::err_field_value, I.Name, Why);
    OK = false;
  };
  // (`rate` and `concurrency` are read once the workload is known, below.)
  for (const Item &I : D.Items) {
    if (I.K != Item::Field)
      continue;
    if (I.Name == "workload") {
      auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
      if (!N || N->Path.size() != 1) {
        Diags.report(I.Value->range(), diag::err_not_a_kind, I.Value->text(), "workload");
        OK = false;
        continue;
      }
      for (const auto &W : M.Workloads)
        if (W->Name == N->name())
          Rec->Load = W.get();
      if (!Rec->Load) {
        Diags.report(I.Value->range(), diag::err_unknown_name, N->name());
        std::vector<std::string> Cands;
        for (const auto &W : M.Workloads)
          Cands.push_back(W->Name);
        Diags.suggest(I.Value->range(), N->name(), Cands);
        OK = false;
      }
    } else if (I.Name == "price" || I.Name == "grid" || I.Name == "term") {
      OK &= economicsField(I, Rec->Cost, Rec->Energy, Rec->Term);
    } else if (I.Name == "pp") {
      if (auto V = itemValue(I, Type::of(Type::Int))) {
        if (V->I < 1 || V->I > 64)
          Bad(I, "must be from 1 to 64 pipeline stages, found " + V->str());
        else
          Rec->PP = V->I;
      }
    } else if (I.Name == "buy") {
      if (auto V = itemValue(I, Type::of(Type::Bool)))
        Rec->Buy = V->B;
    } else if (I.Name == "tco_period") {
      if (auto V = itemValue(I, dimType(BaseDim::Second))) {
        if (!(V->R >= 86400) || V->R > 100 * SecondsPerYear)
          Bad(I, "must be from 1 day to 100 years, found " + V->str());
        else
          Rec->TCOYears = V->R / SecondsPerYear;
      }
    } else if (I.Name == "draft") {
      auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
      if (!N || N->Path.size() != 1 || !(Rec->Draft = M.findModel(N->name()))) {
        Diags.report(I.Value->range(), diag::err_unknown_name, I.Value->text());
        OK = false;
      }
    } else if (I.Name == "speculate") {
      if (auto V = itemValue(I, Type::of(Type::Int))) {
        if (V->I < 1 || V->I > 64)
          Bad(I, "must be from 1 to 64 tokens, found " + V->str());
        Rec->Speculate = V->I;
      }
    } else if (I.Name == "acceptance") {
      if (auto V = itemValue(I, Type::of(Type::Real))) {
        if (!(V->R > 0 && V->R < 1))
          Bad(I, "must be above 0 and below 1, found " + V->str());
        Rec->Acceptance = V->R;
      }
    } else if (I.Name == "replicas") {
      if (auto V = itemValue(I, Type::of(Type::Int))) {
        if (V->I < 1 || V->I > 4096)
          Bad(I, "must be from 1 to 4096, found " + V->str());
        else
          Rec->Replicas = V->I;
      }
    } else if (I.Name == "prefill_devices" || I.Name == "kv_bandwidth") {
      bool Devices = I.Name == "prefill_devices";
      if (auto V = itemValue(I, Devices ? Type::of(Type::Int)
                                        : dimType(BaseDim::Byte, BaseDim::Second))) {
        if (!(V->asDouble() > 0) || V->asDouble() > 1e15)
          Bad(I, "must be positive, found " + V->str());
        else if (Devices)
          Rec->PrefillDevices = std::min<int64_t>(V->I, 1 << 20);
        else
          Rec->KVBandwidth = V->R;
      }
    } else if (I.Name == "dispatch_batch") {
      if (auto V = itemValue(I, Type::of(Type::Int))) {
        if (V->I < 1 || V->I > (int64_t(1) << 20))
          Bad(I, "must be from 1 to 2^20 requests, found " + V->str());
        else
          Rec->DispatchBatch = V->I;
      }
    } else if (I.Name == "dispatch_wait") {
      if (auto V = itemValue(I, dimType(BaseDim::Second))) {
        if (!(V->R > 0) || !(V->R <= 3600))
          Bad(I, "must be above 0 and at most 1 hour, found " + V->str());
        else
          Rec->DispatchWait = V->R;
      }
    } else if (I.Name == "plan") {
      auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
      if (!N || N->Path.size() != 1 || (N->name() != "auto" && N->name() != "manual")) {
        Bad(I, "must be `auto` or `manual`, found " + I.Value->text());
        continue;
      }
      Rec->Plan = N->name() == "auto";
    } else if (I.Name == "ttft_target" || I.Name == "tpot_target" || I.Name == "tbt_target") {
      auto V = itemValue(I, dimType(BaseDim::Second));
      if (!V)
        continue;
      if (!(V->R > 0) || !(V->R <= 1e6)) {
        // (Reported; the record is still simulated without the target.)
        Diags.report(I.Value->range(), diag::err_field_value, I.Name,
                     "must be positive and at most 1e6 s, found " + V->str());
        continue;
      }
      (I.Name == "ttft_target"   ? Rec->SLA.TTFT
       : I.Name == "tpot_target" ? Rec->SLA.TPOT
                                 : Rec->SLA.TBT) = V->R;
    } else if (I.Name == "sla_percentile") {
      if (auto V = itemValue(I, Type::of(Type::Real))) {
        if (!(V->R >= 0.5 && V->R < 1))
          Bad(I, "must be at least 0.5 and below 1, found " + V->str());
        else
          Rec->SLA.Percentile = V->R;
      }
    }
  }
  bool HasWorkload = false;
  for (const Item &I : D.Items)
    HasWorkload |= I.K == Item::Field && I.Name == "workload";
  if (!HasWorkload) {
    Diags.report(D.NameRange, diag::err_missing_field, "serving", D.Name, "workload");
    OK = false;
  }
  if (Rec->Replica) {
    Rec->Regime = Rec->Replica->Regime;
    Rec->Calibration = Rec->Replica->Calibration;
  }
  metricItems(D.Items, What, Rec->Sources, lookupServingMetric, servingMetricNames,
              servingMetricType, /*TakesIdeal=*/false,
              [&](const Item &I, ServingMetric K, const Value &V, bool) {
                if (I.K == Item::Measured)
                  Rec->Measured.push_back({K, V, I.Text, I.Range});
                else
                  Rec->Expects.push_back({K, I.K == Item::ExpectNear, V, I.Tolerance, I.Range});
              });
  if (OK && ((Rec->Draft != nullptr) != (Rec->Speculate > 0) ||
             (Rec->Speculate > 0) != (Rec->Acceptance > 0))) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 "`draft`, `speculate` and `acceptance` go together: speculative decoding needs "
                 "all three");
    OK = false;
  }
  if (Rec->Plan && !Rec->SLA.any()) {
    Diags.report(D.NameRange, diag::err_missing_field, "serving", D.Name,
                 "ttft_target`, `tpot_target` or `tbt_target");
    OK = false;
  }
  if (Rec->Plan && Rec->Replicas > 1) {
    Diags.report(D.NameRange, diag::err_field_value, "replicas",
                 "is chosen by `plan = auto` (the fewest that meet the targets); leave it out");
    OK = false;
  }
  if (Rec->Replica)
    OK &= checkEconomics(D.Items, Rec->Replica->Hw, Rec->Cost, Rec->Energy, Rec->Term, Rec->Plan);
  if (Rec->PP > 1 && (Rec->Draft || Rec->PrefillDevices > 0)) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 "pipeline stages (`pp`) with speculative decoding or a disaggregated prefill "
                 "pool are not modelled");
    OK = false;
  }
  if (Rec->Plan && Rec->PP > 1) {
    Diags.report(D.NameRange, diag::err_field_value, "pp",
                 "is chosen by `plan = auto` (one stage or two); leave it out");
    OK = false;
  }
  if (Rec->DispatchBatch > 0 && !(Rec->DispatchWait > 0)) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 "`dispatch_batch` needs `dispatch_wait` (the longest a request is held before "
                 "its batch is sent)");
    OK = false;
  }
  if (Rec->DispatchWait > 0 && (Rec->Plan || Rec->PP > 1 || Rec->PrefillDevices > 0)) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 "a dispatcher (`dispatch_wait`) with `plan = auto`, pipeline stages or a "
                 "disaggregated prefill pool is not modelled");
    OK = false;
  }
  if (Rec->Buy && !Rec->Plan) {
    Diags.report(D.NameRange, diag::err_field_value, "buy",
                 "lets `plan = auto` try purchase records; a record without a plan names its "
                 "`price`");
    OK = false;
  }
  if (Rec->Plan && Rec->PrefillDevices > 0) {
    Diags.report(D.NameRange, diag::err_field_value, "prefill_devices",
                 "is chosen by `plan = auto` (no prefill pool, or one as large as the decode "
                 "group); leave it out");
    OK = false;
  }
  if (Rec->PP > 1 && Rec->Replica && Rec->Replica->AttentionDP) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 "pipeline stages (`pp`) with attention data parallelism (`attention_dp`) are not "
                 "modelled");
    OK = false;
  }
  if (Rec->Plan && Rec->Replica && Rec->Replica->AttentionDP) {
    Diags.report(D.NameRange, diag::err_field_value, "attention_dp",
                 "is chosen by `plan = auto` (tensor parallelism, or for a mixture of experts "
                 "attention data parallelism, over each size it tries); leave it out");
    OK = false;
  }
  if (Rec->Plan && Rec->Replica && (Rec->Replica->ExpertWeights || Rec->Replica->ExpertCompute)) {
    Diags.report(D.NameRange, diag::err_field_value,
                 Rec->Replica->ExpertWeights ? "expert_weights" : "expert_compute",
                 "is not searched: `plan = auto` chooses one precision for the whole model; "
                 "leave it out");
    OK = false;
  }
  if (Rec->Plan && Rec->Cost) {
    Diags.report(D.NameRange, diag::err_field_value, "price",
                 "is chosen by `plan = auto` (among every price record); leave it out");
    OK = false;
  }
  // `rate` or `concurrency`: the workload's requests at the record's own load.
  {
    const Item *RateItem = nullptr, *ClientsItem = nullptr;
    for (const Item &I : D.Items) {
      if (I.K == Item::Field && I.Name == "rate")
        RateItem = &I;
      if (I.K == Item::Field && I.Name == "concurrency")
        ClientsItem = &I;
    }
    if (RateItem && ClientsItem) {
      Diags.report(ClientsItem->NameRange, diag::err_field_value, "concurrency",
                   "and `rate` exclude each other: an open loop at a rate, or a closed loop of "
                   "clients");
      OK = false;
    }
  }
  for (const Item &I : D.Items) {
    if (I.K != Item::Field || (I.Name != "rate" && I.Name != "concurrency"))
      continue;
    bool Rate = I.Name == "rate";
    auto V = itemValue(I, Rate ? Type::quantity(Dim() / Dim::of(BaseDim::Second))
                               : Type::of(Type::Int));
    if (!V) {
      OK = false;
      continue;
    }
    if (!(V->asDouble() > 0) || V->asDouble() > (Rate ? 1e9 : 1e7)) {
      Bad(I, fmt::format("must be positive and at most {}, found {}",
                         Rate ? "1e9 requests/s" : "10000000 clients", V->str()));
      continue;
    }
    if (!Rec->Load)
      continue;
    if (!Rate && Rec->Load->Trace) {
      Bad(I, "does not apply to a trace workload, which replays its own arrivals (`rate` replays "
             "it faster or slower)");
      continue;
    }
    if (!Rec->OwnLoad) {
      Rec->OwnLoad = std::make_unique<WorkloadRecord>(*Rec->Load);
      Rec->Load = Rec->OwnLoad.get();
    }
    if (Rate) {
      Rec->OwnLoad->Rate = V->R;
      Rec->OwnLoad->Concurrency = 0;
    } else {
      Rec->OwnLoad->Concurrency = V->I;
    }
  }
  // `duration`: the record's own run length (arrivals for so long at its rate).
  for (const Item &I : D.Items) {
    if (I.K != Item::Field || I.Name != "duration")
      continue;
    auto V = itemValue(I, dimType(BaseDim::Second));
    if (!V) {
      OK = false;
      continue;
    }
    if (std::string Why = durationError(*V); !Why.empty()) {
      Bad(I, Why);
      continue;
    }
    if (!Rec->Load)
      continue;
    if (Rec->Load->Concurrency > 0 || Rec->Load->Trace) {
      Bad(I, Rec->Load->Trace
                 ? "does not apply to a trace workload, which replays its own requests"
                 : "does not apply to a closed loop (`concurrency`), whose clients send requests "
                   "as earlier ones finish");
      continue;
    }
    if (!Rec->OwnLoad) {
      Rec->OwnLoad = std::make_unique<WorkloadRecord>(*Rec->Load);
      Rec->Load = Rec->OwnLoad.get();
    }
    Rec->OwnLoad->Duration = V->R;
  }
  // (A record's `concurrency` makes a closed loop of a workload that runs for a time.)
  if (OK && Rec->Load && Rec->Load->Duration > 0 && Rec->Load->Concurrency > 0) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 fmt::format("a closed loop (`concurrency`) of workload `{}`, which runs for a "
                             "`duration`: a closed loop needs a number of `requests`",
                             Rec->Load->Name));
    OK = false;
  }
  // Arrivals for a duration: every replica's together at most MaxRequests.
  if (OK && Rec->Load && Rec->Load->Duration > 0 && Rec->Load->Concurrency == 0 &&
      !Rec->Load->Trace && Rec->Load->Rate * Rec->Load->Duration > double(MaxRequests)) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 fmt::format("its workload's arrivals over `duration` ({:g} requests/s for {:g} "
                             "s) are more than {} requests",
                             Rec->Load->Rate, Rec->Load->Duration, MaxRequests));
    OK = false;
  }
  if (OK && Rec->DispatchWait > 0 && Rec->Load &&
      (Rec->Load->Concurrency > 0 || Rec->Load->Trace)) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 "a dispatcher (`dispatch_wait`) batches Poisson arrivals: a closed loop or a "
                 "replayed trace with it is not modelled");
    OK = false;
  }
  if (OK && Rec->DispatchWait > 0 && Rec->Load && !(Rec->Load->Duration > 0) &&
      Rec->Load->Requests * Rec->Replicas > MaxRequests) {
    Diags.report(D.NameRange, diag::err_serving, D.Name,
                 fmt::format("a dispatcher draws every replica's requests: the workload's "
                             "requests times `replicas` must be at most {}, found {}",
                             MaxRequests, Rec->Load->Requests * Rec->Replicas));
    OK = false;
  }
  if (!OK || !Rec->Replica || !Rec->Replica->Model || !Rec->Load || !Rec->Load->Requests)
    Rec->Load = nullptr; // not simulated
  M.Servings.push_back(std::move(Rec));
}

bool SemaImpl::economicsField(const Item &I, const PriceRecord *&Price, const GridRecord *&Grid,
                              PriceTerm &Term) {
  auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
  if (!N || N->Path.size() != 1) {
    Diags.report(I.Value->range(), diag::err_not_a_kind, I.Value->text(), I.Name);
    return false;
  }
  if (I.Name == "term") {
    for (PriceTerm T : {PriceTerm::OnDemand, PriceTerm::Reserved1y, PriceTerm::Reserved3y})
      if (N->name() == termName(T)) {
        Term = T;
        return true;
      }
    Diags.report(I.Value->range(), diag::err_field_value, "term",
                 "must be `on_demand`, `reserved_1y` or `reserved_3y`, found " + N->name());
    return false;
  }
  std::vector<std::string> Cands;
  if (I.Name == "price") {
    for (const auto &P : M.Prices) {
      if (P->Name == N->name())
        Price = P.get();
      Cands.push_back(P->Name);
    }
  } else {
    for (const auto &G : M.Grids) {
      if (G->Name == N->name())
        Grid = G.get();
      Cands.push_back(G->Name);
    }
  }
  if (I.Name == "price" ? !Price : !Grid) {
    Diags.report(I.Value->range(), diag::err_unknown_name, N->name());
    Diags.suggest(I.Value->range(), N->name(), Cands);
    return false;
  }
  return true;
}

bool SemaImpl::checkEconomics(const std::vector<Item> &Items, const HardwareRecord *Hw,
                              const PriceRecord *Price, const GridRecord *Grid, PriceTerm Term,
                              bool Plan) {
  const Item *PriceItem = nullptr, *TermItem = nullptr;
  for (const Item &I : Items)
    if (I.K == Item::Field && I.Name == "price")
      PriceItem = &I;
    else if (I.K == Item::Field && I.Name == "term")
      TermItem = &I;
  if (TermItem && !PriceItem && !Plan) {
    Diags.report(TermItem->NameRange, diag::err_field_value, "term",
                 "chooses a price record's rate: it needs `price`");
    return false;
  }
  if (!Price || !PriceItem)
    return true;
  if (Hw && Price->Hw && Price->Hw != Hw) {
    Diags.report(PriceItem->Value->range(), diag::err_field_value, "price",
                 fmt::format("prices {} devices, but the record runs on {}", Price->Hw->Name,
                             Hw->Name));
    return false;
  }
  if (Price->owned() && TermItem) {
    Diags.report(TermItem->NameRange, diag::err_field_value, "term",
                 fmt::format("chooses a rental's rate; price `{}` is a purchase", Price->Name));
    return false;
  }
  if (std::string Why = Price->unusable(Term, Grid); !Why.empty()) {
    Diags.report(PriceItem->Value->range(), diag::err_field_value, "price", "cannot be used: " + Why);
    return false;
  }
  return true;
}

void SemaImpl::buildPrice(const RecordDecl &D) {
  auto Rec = std::make_unique<PriceRecord>(D.Name, D.range());
  std::string What = fmt::format("price `{}`", D.Name);
  Type PerHour = Type::quantity(Dim::of(BaseDim::Money) / Dim::of(BaseDim::Second));
  const std::vector<FieldSpec> Specs = {
      {"devices", Type::of(Type::Int), true, true},
      {"hourly", PerHour, false, true},
      {"reserved_1y", PerHour, false, true},
      {"reserved_3y", PerHour, false, true},
      {"purchase", Type::quantity(Dim::of(BaseDim::Money)), false, true},
      {"lifetime", dimType(BaseDim::Second), false, true},
      {"power", dimType(BaseDim::Joule, BaseDim::Second), false, true},
      {"provider", Type::of(Type::String), true, false},
      {"instance", Type::of(Type::String), false, false},
      {"region", Type::of(Type::String), false, false},
      {"date", Type::of(Type::String), true, false},
      {"summary", Type::of(Type::String), false, false},
  };
  bool HasHardware = false;
  for (const Item &I : D.Items)
    if (I.K == Item::Field && I.Name == "hardware") {
      HasHardware = true;
      auto *N = llvm::dyn_cast<NameExpr>(I.Value.get());
      if (!N || N->Path.size() != 1)
        Diags.report(I.Value->range(), diag::err_not_a_kind, I.Value->text(), "hardware");
      else if (!(Rec->Hw = M.findHardware(N->name())))
        Diags.report(I.Value->range(), diag::err_unknown_name, N->name());
    }
  if (!HasHardware)
    Diags.report(D.NameRange, diag::err_missing_field, "price", D.Name, "hardware");
  checkFields(*this, D.Items, Specs, What, Rec->Fields, false, {"hardware"});
  requireFields(*this, D.Items, Specs, "price", D.Name, D.NameRange);
  for (const FieldValue &F : Rec->Fields) {
    if (F.Name == "devices")
      Rec->Devices = std::min<int64_t>(F.V.I, 1 << 20);
    else if (F.Name == "hourly")
      Rec->Hourly = F.V.R;
    else if (F.Name == "reserved_1y")
      Rec->Reserved1y = F.V.R;
    else if (F.Name == "reserved_3y")
      Rec->Reserved3y = F.V.R;
    else if (F.Name == "purchase")
      Rec->Purchase = F.V.R;
    else if (F.Name == "lifetime")
      Rec->Lifetime = F.V.R;
    else if (F.Name == "power")
      Rec->Power = F.V.R;
    else if (F.Name == "provider")
      Rec->Provider = F.V.S;
    else if (F.Name == "instance")
      Rec->Instance = F.V.S;
    else if (F.Name == "region")
      Rec->Region = F.V.S;
    else if (F.Name == "date")
      Rec->Date = F.V.S;
  }
  // A rental (`hourly`, optional commitment rates) or a purchase (`purchase` written off over
  // `lifetime`, optional `power` at the wall): one or the other.
  auto Has = [&](llvm::StringRef N) {
    for (const Item &I : D.Items)
      if (I.K == Item::Field && I.Name == N)
        return &I;
    return static_cast<const Item *>(nullptr);
  };
  const Item *Hourly = Has("hourly"), *Purchase = Has("purchase");
  if (!Hourly && !Purchase) {
    Diags.report(D.NameRange, diag::err_missing_field, "price", D.Name, "hourly` or `purchase");
  } else if (Hourly && Purchase) {
    Diags.report(Purchase->NameRange, diag::err_field_value, "purchase",
                 "and `hourly` exclude each other: a price record is a rental or a purchase");
  } else if (Purchase) {
    for (const char *Rental : {"reserved_1y", "reserved_3y"})
      if (const Item *I = Has(Rental))
        Diags.report(I->NameRange, diag::err_field_value, Rental,
                     "is a rental's rate; a purchase has `purchase`, `lifetime` and `power`");
    if (!Has("lifetime"))
      Diags.report(D.NameRange, diag::err_missing_field, "price", D.Name, "lifetime");
    else if (!(Rec->Lifetime >= 86400) || Rec->Lifetime > 100 * SecondsPerYear)
      Diags.report(Has("lifetime")->Value->range(), diag::err_field_value, "lifetime",
                   "must be from 1 day to 100 years, found " +
                       fmt::format("{:g} s", Rec->Lifetime));
  } else {
    for (const char *Owned : {"lifetime", "power"})
      if (const Item *I = Has(Owned))
        Diags.report(I->NameRange, diag::err_field_value, Owned,
                     "belongs to a purchase (`purchase`); a rental's energy is in its rate");
  }
  dataItems(D.Items, What, Rec->Sources, "prices");
  M.Prices.push_back(std::move(Rec));
}

void SemaImpl::buildGrid(const RecordDecl &D) {
  auto Rec = std::make_unique<GridRecord>(D.Name, D.range());
  std::string What = fmt::format("grid `{}`", D.Name);
  const std::vector<FieldSpec> Specs = {
      {"carbon", Type::quantity(Dim::of(BaseDim::Carbon) / Dim::of(BaseDim::Joule)), true, false},
      {"electricity", Type::quantity(Dim::of(BaseDim::Money) / Dim::of(BaseDim::Joule)), false,
       true},
      {"pue", Type::of(Type::Real), false, true},
      {"region", Type::of(Type::String), false, false},
      {"year", Type::of(Type::Int), false, true},
      {"summary", Type::of(Type::String), false, false},
  };
  checkFields(*this, D.Items, Specs, What, Rec->Fields);
  requireFields(*this, D.Items, Specs, "grid", D.Name, D.NameRange);
  for (const FieldValue &F : Rec->Fields) {
    if (F.Name == "carbon") {
      if (!(F.V.R >= 0))
        Diags.report(F.Range, diag::err_field_value, F.Name,
                     "must not be negative, found " + F.V.str());
      Rec->Carbon = F.V.R;
    } else if (F.Name == "electricity") {
      Rec->Electricity = F.V.R;
    } else if (F.Name == "pue") {
      if (!(F.V.R >= 1 && F.V.R <= 10))
        Diags.report(F.Range, diag::err_field_value, F.Name,
                     "must be from 1 to 10, found " + F.V.str());
      Rec->PUE = F.V.R;
    }
  }
  dataItems(D.Items, What, Rec->Sources, "grids");
  M.Grids.push_back(std::move(Rec));
}
