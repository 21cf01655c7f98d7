//===- FusionGraph.cpp - The graph and its fusion groups as DOT -----------===//
//
// Fusion happens on linalg ops, but a person reads the kiln graph. Linalg ops
// carry the location of the kiln op they were lowered from, and a fused op
// the location of its consumer, so joining the locations of every fused
// producer-consumer pair (union-find) groups the kiln ops whose code ended up
// in one kernel. The ops of a control-flow op's regions are drawn inside
// nested clusters, one per region, and fuse among themselves. The picture
// is of the Kiln stage (the graph after folding and CSE), so that the data
// path is the one that runs, and each node names the op's C++ call site or
// its line in the graph file.
//
//===----------------------------------------------------------------------===//

#include "Quote.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Driver/Emit.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>

using namespace kiln;
using namespace kiln::driver;

namespace {

std::string typeText(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

/// A region's name in the picture: "then", "cond", "body"...
std::string regionName(mlir::Operation *op, unsigned index) {
  if (mlir::isa<IfOp>(op))
    return index == 0 ? "then" : "else";
  if (mlir::isa<WhileOp>(op))
    return index == 0 ? "cond" : "do";
  return op->getNumRegions() == 1 ? "body" : "region " + std::to_string(index);
}

/// The name of argument `index` of the entry block of `region` of `op`.
std::string argumentName(mlir::Operation *op, unsigned index) {
  if (mlir::isa<ForOp>(op))
    return index == 0 ? "i" : "carry " + std::to_string(index - 1);
  if (auto scan = mlir::dyn_cast<ScanOp>(op)) {
    unsigned carry = scan.getInit().size();
    return index < carry ? "carry " + std::to_string(index)
                         : "x " + std::to_string(index - carry);
  }
  if (mlir::isa<WhileOp>(op))
    return "carry " + std::to_string(index);
  return "arg " + std::to_string(index);
}

/// Writes the kiln ops of one function as DOT: a node per op, fused ops in
/// clusters of their fusion group, and each region of a control-flow op as
/// a cluster nested in the op's own, holding the region's ops.
class DotWriter {
public:
  using LocKey = const void *;

  DotWriter(llvm::raw_ostream &os, const Emission &emission, std::string prefix)
      : os_(os), prefix_(std::move(prefix)) {
    for (const FusionDecision &decision : emission.fusions)
      if (decision.fused)
        groups_.unionSets(key(decision.producerLoc), key(decision.consumerLoc));
    for (mlir::Location loc : emission.linalgStageLocs)
      lowered_.insert(key(loc));
  }

  void writeFunction(mlir::func::FuncOp func) {
    os_ << "  subgraph cluster_" << prefix_ << " {\n    label=\"@"
        << escapeQuoted(func.getSymName()) << "\";\n    style=solid;\n";
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      std::string id = prefix_ + "arg" + std::to_string(i);
      nodeOf_[arg] = id;
      os_ << "    " << id << " [shape=ellipse, label=\"arg" << i << "\\n"
          << escapeQuoted(typeText(arg.getType())) << "\"];\n";
    }
    writeBlock(func.getBody().front(), "    ");
    for (const std::string &edge : edges_)
      os_ << "    " << edge << ";\n";
    os_ << "  }\n";
  }

private:
  static LocKey key(mlir::Location loc) { return loc.getAsOpaquePointer(); }

  /// The node of `op` with the edges from its operands.
  std::string node(mlir::Operation &op, const std::string &id) {
    for (mlir::Value result : op.getResults())
      nodeOf_[result] = id;
    for (mlir::Value operand : op.getOperands())
      if (nodeOf_.count(operand))
        edges_.insert(nodeOf_[operand] + " -> " + id);
    llvm::StringRef name = op.getName().getStringRef();
    name.consume_front("kiln.");
    std::string label = name.str();
    if (op.getNumResults() == 1)
      label += "\\n" + escapeQuoted(typeText(op.getResult(0).getType()));
    // Where the op came from: the C++ call site of a traced op, or its
    // line in the graph file (the file's name only; the tooltip has all).
    bool isTerminator = op.hasTrait<mlir::OpTrait::IsTerminator>();
    std::string where;
    auto file = mlir::dyn_cast<mlir::FileLineColLoc>(op.getLoc());
    if (file && !isTerminator) {
      label += "\\n" + escapeQuoted(
                           llvm::sys::path::filename(file.getFilename()).str() +
                           ":" + std::to_string(file.getLine()));
      where = escapeQuoted(formatLocation(file));
    }
    // Left at the Linalg stage as no op of its own: a kiln op whose lowering
    // made nothing (a reshape of a view).
    bool vanished = !isTerminator && !lowered_.count(key(op.getLoc())) &&
                    !groups_.contains(key(op.getLoc()));
    std::string tooltip = where;
    if (vanished)
      tooltip += (tooltip.empty() ? "" : "; ") +
                 std::string("no code of its own after lowering");
    return id + " [label=\"" + label + "\"" +
           (isTerminator ? ", shape=ellipse" : "") +
           (vanished ? ", style=\"rounded,dashed\"" : "") +
           (tooltip.empty() ? "" : ", tooltip=\"" + tooltip + "\"") + "];";
  }

  void writeBlock(mlir::Block &block, const std::string &indent) {
    // Ops without regions, by fusion group (the leader of their location's
    // class); control-flow ops as clusters, in order.
    std::map<LocKey, std::vector<std::string>> members;
    for (mlir::Operation &op : block) {
      std::string id = prefix_ + "op" + std::to_string(nextOp_++);
      if (op.getNumRegions() == 0) {
        LocKey loc = key(op.getLoc());
        LocKey leader =
            op.hasTrait<mlir::OpTrait::IsTerminator>() || !groups_.contains(loc)
                ? nullptr
                : groups_.getLeaderValue(loc);
        members[leader].push_back(node(op, id));
        continue;
      }
      llvm::StringRef name = op.getName().getStringRef();
      os_ << indent << "subgraph cluster_" << id << " {\n"
          << indent << "  label=\"" << escapeQuoted(name)
          << "\"; style=\"rounded,dashed\";\n"
          << indent << "  " << node(op, id) << "\n";
      for (auto [r, region] : llvm::enumerate(op.getRegions())) {
        std::string inner = indent + "    ";
        os_ << indent << "  subgraph cluster_" << id << "_r" << r << " {\n"
            << indent << "    label=\"" << regionName(&op, r)
            << "\"; style=rounded;\n";
        for (auto [a, arg] : llvm::enumerate(region.front().getArguments())) {
          std::string argId =
              id + "_r" + std::to_string(r) + "_a" + std::to_string(a);
          nodeOf_[arg] = argId;
          os_ << inner << argId << " [shape=ellipse, label=\""
              << argumentName(&op, a) << "\\n"
              << escapeQuoted(typeText(arg.getType())) << "\"];\n";
        }
        writeBlock(region.front(), inner);
        os_ << indent << "  }\n";
      }
      os_ << indent << "}\n";
    }
    for (auto &[leader, nodes] : members) {
      auto locations = groups_.members(leader);
      bool fusedGroup =
          leader && std::distance(locations.begin(), locations.end()) > 1;
      if (fusedGroup)
        os_ << indent << "subgraph cluster_" << prefix_ << "group"
            << nextGroup_++ << " {\n"
            << indent
            << "  label=\"fused kernel\"; style=filled; "
               "fillcolor=\"#fff3d6\";\n";
      for (const std::string &n : nodes)
        os_ << indent << (fusedGroup ? "  " : "") << n << "\n";
      if (fusedGroup)
        os_ << indent << "}\n";
    }
  }

  llvm::raw_ostream &os_;
  std::string prefix_;
  llvm::EquivalenceClasses<LocKey> groups_;
  llvm::DenseSet<LocKey> lowered_;
  llvm::DenseMap<mlir::Value, std::string> nodeOf_;
  // A value used twice by one op is one edge.
  llvm::SetVector<std::string, std::vector<std::string>, std::set<std::string>>
      edges_;
  int nextOp_ = 0;
  int nextGroup_ = 0;
};

} // namespace

std::string driver::fusionDot(const GraphFile &file, const Emission &emission) {
  std::string dot;
  llvm::raw_string_ostream os(dot);
  os << "digraph kiln {\n"
     << "  // Clusters are fusion groups: kiln ops compiled into one kernel;\n"
     << "  // dashed ones are control-flow ops, with a cluster per region.\n"
     << "  rankdir=TB;\n  node [shape=box, style=rounded, "
        "fontname=\"monospace\"];\n";
  // The Kiln stage's graph: ops folded away are gone from the data path,
  // and the edges join what runs.
  mlir::OwningOpRef<mlir::ModuleOp> simplified(
      mlir::cast<mlir::ModuleOp>(file.module()->clone()));
  lowerModule(*simplified, Stage::Kiln, Stage::Kiln);
  int next = 0;
  for (auto func : simplified->getOps<mlir::func::FuncOp>()) {
    if (func.isExternal())
      continue;
    DotWriter(os, emission, "f" + std::to_string(next++) + "_")
        .writeFunction(func);
  }
  os << "}\n";
  return dot;
}
