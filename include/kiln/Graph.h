//===- Graph.h - Graph files loaded by a host ------------------*- C++ -*-===//
//
// `kiln::load(path)` reads a graph file — what `Function::save` writes, or
// any module of kiln graphs — and gives back a callable that runs it with the
// JIT or with the graph interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_GRAPH_H
#define KILN_GRAPH_H

#include "kiln/Compiler/Stage.h"
#include "kiln/Runtime/Tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace kiln {

class GraphImpl;

/// One function of a graph file, compiled on first call.
class Graph {
public:
  explicit Graph(std::shared_ptr<GraphImpl> impl);

  /// Runs the graph with native code (compiled on the first call). Throws
  /// kiln::Error if the inputs do not match the graph's signature.
  std::vector<Tensor> operator()(const std::vector<Tensor> &inputs) const;
  template <typename... Ts>
  std::vector<Tensor> operator()(const Tensor &first, const Ts &...rest) const {
    return (*this)(std::vector<Tensor>{first, rest...});
  }

  /// Runs the graph op by op on the eager kernels.
  std::vector<Tensor> interpret(const std::vector<Tensor> &inputs) const;

  /// The text of `stage` (see Lowered::ir).
  std::string ir(Stage stage) const;

  /// The function's name.
  std::string name() const;

  /// The names of every function in the file.
  std::vector<std::string> functions() const;

  /// Another function of the same file. Throws kiln::Error if there is none.
  Graph function(const std::string &name) const;

private:
  std::shared_ptr<GraphImpl> impl_;
};

/// Reads the graph file at `path` and selects `function` (by default the
/// first function of the file). Throws kiln::Error for a missing, malformed
/// or ill-typed file, with the diagnostic's file:line:col. A path ending in
/// `.onnx` is an ONNX model, imported as `kilnc import` does (its function
/// is `main`); an op it cannot import is an error naming the node.
Graph load(const std::string &path, const std::string &function = "");

} // namespace kiln

#endif // KILN_GRAPH_H
