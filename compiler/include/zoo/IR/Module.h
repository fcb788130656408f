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

#include "zoo/IR/AST.h"
#include "zoo/IR/Value.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"
#include <memory>
#include <optional>
#include <vector>

namespace zoo {

enum class PrimitiveKind {
#define PRIMITIVE(NAME, PARAMS) NAME,
#include "zoo/IR/Primitives.def"
};
/// The primitive named `Name`, if the compiler has one.
std::optional<PrimitiveKind> lookupPrimitive(llvm::StringRef Name);
llvm::StringRef primitiveParams(PrimitiveKind K);

enum class MetricKind {
#define METRIC(NAME, TYPE, DESC) NAME,
#include "zoo/IR/Metrics.def"
};
std::optional<MetricKind> lookupMetric(llvm::StringRef Name);
llvm::StringRef metricName(MetricKind K);
Type::Kind metricType(MetricKind K);
std::vector<std::string> metricNames();

using Binding = std::pair<std::string, Value>;

/// One node of a model's expanded architecture.
struct LayerNode {
  enum Kind { Primitive, Block, Repeat, For, Iteration };
  Kind K;
  std::string Name;                ///< instance name, or the callee's name
  const BlockDecl *Decl = nullptr; ///< Primitive and Block nodes
  PrimitiveKind Prim{};            ///< Primitive nodes
  std::vector<Binding> Args;       ///< Primitive/Block: all arguments; Iteration: the index
  int64_t Count = 1;               ///< Repeat: how many times the children repeat
  std::vector<std::unique_ptr<LayerNode>> Children;
  llvm::SMRange Range; ///< the statement that made this node

  const Value *arg(llvm::StringRef Name) const;
};

struct FieldValue {
  std::string Name;
  Value V;
  llvm::SMRange Range;
  std::string Source;
};

struct Section {
  std::string Kind, Name;
  llvm::SMRange Range;
  std::vector<FieldValue> Fields;
  const FieldValue *field(llvm::StringRef N) const;
};

struct Expectation {
  MetricKind Metric;
  bool Near = false;
  Value Expected;
  double TolerancePercent = 0;
  llvm::SMRange Range;
};

/// What the passes compute for a model.
struct ModelStats {
  int64_t Params = 0;
  int64_t Layers = 0;
};

class Record {
public:
  enum Kind { Model, Hardware, Precision };
  Record(Kind K, std::string Name, llvm::SMRange R)
      : Name(std::move(Name)), Range(R), TheKind(K) {}
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
  const ModelRecord *Base = nullptr;   ///< `model B = A with (...)`: A
  std::vector<std::pair<std::string, Value>> ExplicitArgs; ///< as written, base's first
  std::vector<Binding> Args;           ///< every parameter of Arch, defaults applied
  std::vector<Expectation> Expects;
  std::unique_ptr<LayerNode> Root;     ///< null when expansion failed
  ModelStats Stats;
  static bool classof(const Record *R) { return R->getKind() == Model; }
};

class HardwareRecord : public Record {
public:
  HardwareRecord(std::string N, llvm::SMRange R) : Record(Hardware, std::move(N), R) {}
  std::string Class; ///< gpu, tpu, npu, cpu, mcu
  std::vector<Section> Sections;
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

class Module {
public:
  std::vector<std::unique_ptr<FileUnit>> Files;
  /// Every named declaration of every file: blocks, primitives, enums, models, hardware,
  /// precisions share one namespace.
  llvm::StringMap<const Decl *> Decls;
  /// Enumerators are global names: `rms`, `gpu`.
  llvm::StringMap<std::pair<const EnumDecl *, llvm::SMRange>> Enumerators;

  std::vector<std::unique_ptr<ModelRecord>> Models;
  std::vector<std::unique_ptr<HardwareRecord>> Hardware;
  std::vector<std::unique_ptr<PrecisionRecord>> Precisions;

  const ModelRecord *findModel(llvm::StringRef Name) const;
  const PrecisionRecord *findPrecision(llvm::StringRef Name) const;
  /// The file a source location belongs to.
  const FileUnit *fileOf(llvm::SMLoc Loc, const llvm::SourceMgr &SM) const;
};

} // namespace zoo

#endif
