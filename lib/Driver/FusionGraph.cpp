//===- FusionGraph.cpp - The graph and its fusion groups as DOT -----------===//
//
// Fusion happens on linalg ops, but a person reads the kiln graph. Linalg ops
// carry the location of the kiln op they were lowered from, and a fused op
// the location of its consumer, so joining the locations of every fused
// producer-consumer pair (union-find) groups the kiln ops whose code ended up
// in one kernel.
//
//===----------------------------------------------------------------------===//

#include "Quote.h"
#include "kiln/Driver/Emit.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace kiln;
using namespace kiln::driver;

namespace {

std::string typeText(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

} // namespace

std::string driver::fusionDot(const GraphFile &file, const Emission &emission) {
  using LocKey = const void *;
  auto key = [](mlir::Location loc) -> LocKey {
    return loc.getAsOpaquePointer();
  };
  llvm::EquivalenceClasses<LocKey> groups;
  for (const FusionDecision &decision : emission.fusions)
    if (decision.fused)
      groups.unionSets(key(decision.producerLoc), key(decision.consumerLoc));
  llvm::DenseSet<LocKey> lowered;
  for (mlir::Location loc : emission.linalgStageLocs)
    lowered.insert(key(loc));

  std::string dot;
  llvm::raw_string_ostream os(dot);
  os << "digraph kiln {\n"
     << "  // Clusters are fusion groups: kiln ops compiled into one kernel.\n"
     << "  rankdir=TB;\n  node [shape=box, style=rounded, "
        "fontname=\"monospace\"];\n";
  int next = 0;
  for (auto func : file.module().getOps<mlir::func::FuncOp>()) {
    if (func.isExternal())
      continue;
    llvm::DenseMap<mlir::Value, std::string> nodeOf;
    std::string prefix = "f" + std::to_string(next++) + "_";
    os << "  subgraph cluster_" << prefix << " {\n    label=\"@"
       << escapeQuoted(func.getSymName()) << "\";\n    style=solid;\n";
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      std::string id = prefix + "arg" + std::to_string(i);
      nodeOf[arg] = id;
      os << "    " << id << " [shape=ellipse, label=\"arg" << i << "\\n"
         << escapeQuoted(typeText(arg.getType())) << "\"];\n";
    }
    // Kiln ops, by fusion group (the leader of their location's class).
    std::map<LocKey, std::vector<std::string>> members;
    std::vector<std::string> edges;
    int opIndex = 0;
    for (mlir::Operation &op : func.getBody().front()) {
      std::string id = prefix + "op" + std::to_string(opIndex++);
      for (mlir::Value result : op.getResults())
        nodeOf[result] = id;
      for (mlir::Value operand : op.getOperands())
        if (nodeOf.count(operand))
          edges.push_back(nodeOf[operand] + " -> " + id);
      llvm::StringRef name = op.getName().getStringRef();
      name.consume_front("kiln.");
      std::string label = name.str();
      if (op.getNumResults() == 1)
        label += "\\n" + escapeQuoted(typeText(op.getResult(0).getType()));
      bool isReturn = op.hasTrait<mlir::OpTrait::IsTerminator>();
      bool folded = !isReturn && !lowered.count(key(op.getLoc())) &&
                    !groups.contains(key(op.getLoc()));
      std::string node = id + " [label=\"" + label + "\"" +
                         (isReturn ? ", shape=ellipse" : "") +
                         (folded ? ", style=\"rounded,dashed\", "
                                   "tooltip=\"folded before lowering\""
                                 : "") +
                         "];";
      LocKey loc = key(op.getLoc());
      LocKey leader =
          groups.contains(loc) ? groups.getLeaderValue(loc) : nullptr;
      members[isReturn ? nullptr : leader].push_back(node);
    }
    int cluster = 0;
    for (auto &[leader, nodes] : members) {
      auto locations = groups.members(leader);
      bool fusedGroup =
          leader && std::distance(locations.begin(), locations.end()) > 1;
      if (fusedGroup)
        os << "    subgraph cluster_" << prefix << "group" << cluster++
           << " {\n      label=\"fused kernel\"; style=filled; "
              "fillcolor=\"#fff3d6\";\n";
      for (const std::string &node : nodes)
        os << (fusedGroup ? "      " : "    ") << node << "\n";
      if (fusedGroup)
        os << "    }\n";
    }
    for (const std::string &edge : edges)
      os << "    " << edge << ";\n";
    os << "  }\n";
  }
  os << "}\n";
  return dot;
}
