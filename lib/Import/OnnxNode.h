//===- OnnxNode.h - One ONNX node being imported ----------------*- C++ -*-===//
//
// What the importer's files share (lib/Import): ONNX element types as
// dtypes, TensorProtos as host tensors, and `Node`, the view of one node
// the op importers read their inputs and attributes through. Internal to
// lib/Import.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_IMPORT_ONNXNODE_H
#define KILN_LIB_IMPORT_ONNXNODE_H

#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Tensor.h"

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <vector>

namespace kiln::onnx_import {

/// "FLOAT", "INT64", ... for an ONNX element type.
std::string onnxTypeName(int type);
/// The dtype of an ONNX element type, or nothing for one Kiln lacks.
std::optional<DType> dtypeOf(int type);
/// A host tensor holding `proto`'s elements. `what` names it in errors.
Tensor toTensor(const onnx::TensorProto &proto, const std::string &what);

/// One node being imported: its inputs (absent optional ones are undefined
/// tensors), attributes and the error context.
class Node {
public:
  Node(const onnx::NodeProto &proto, std::vector<Tensor> inputs, int opset)
      : proto_(proto), inputs_(std::move(inputs)), opset_(opset) {}

  const std::string &type() const { return proto_.op_type(); }
  int opset() const { return opset_; }
  size_t inputCount() const { return inputs_.size(); }
  int outputCount() const { return proto_.output_size(); }
  /// Whether output `i` is used (present and named).
  bool hasOutput(int i) const {
    return i < proto_.output_size() && !proto_.output(i).empty();
  }

  const Tensor &input(size_t i) const {
    if (i >= inputs_.size() || !inputs_[i].defined())
      fail("input " + std::to_string(i) + " is missing");
    return inputs_[i];
  }
  bool hasInput(size_t i) const {
    return i < inputs_.size() && inputs_[i].defined();
  }
  /// An input that must be known at import time (a shape, axes, pads).
  std::vector<int64_t> constantInts(size_t i) const {
    return constantInput(i).to_vector<int64_t>();
  }
  /// Input `i` as a host tensor; an error if it is computed at run time.
  const Tensor &constantInput(size_t i) const {
    const Tensor &t = input(i);
    if (t.is_traced())
      fail("input " + std::to_string(i) + " ('" +
           proto_.input(static_cast<int>(i)) +
           "') is computed at run time, which is not supported: its values "
           "decide a shape, so they must be known at import time (an "
           "initializer, a Constant node, or a graph input bound to a value "
           "with --bind)");
    return t;
  }

  const onnx::AttributeProto *attribute(const std::string &name) const {
    for (const onnx::AttributeProto &a : proto_.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t intAttr(const std::string &name, int64_t otherwise) const {
    const onnx::AttributeProto *a = attribute(name);
    return a ? a->i() : otherwise;
  }
  double floatAttr(const std::string &name, double otherwise) const {
    const onnx::AttributeProto *a = attribute(name);
    return a ? a->f() : otherwise;
  }
  std::optional<std::vector<int64_t>> intsAttr(const std::string &name) const {
    const onnx::AttributeProto *a = attribute(name);
    if (!a)
      return std::nullopt;
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  }
  std::optional<std::vector<float>> floatsAttr(const std::string &name) const {
    const onnx::AttributeProto *a = attribute(name);
    if (!a)
      return std::nullopt;
    return std::vector<float>(a->floats().begin(), a->floats().end());
  }
  std::string stringAttr(const std::string &name,
                         const std::string &otherwise) const {
    const onnx::AttributeProto *a = attribute(name);
    return a ? a->s() : otherwise;
  }

  [[noreturn]] void fail(const std::string &what) const {
    throw Error(describe() + ": " + what);
  }
  /// "node 'add_1' (Add, opset 13)".
  std::string describe() const {
    return "node '" + proto_.name() + "' (" + type() + ", opset " +
           std::to_string(opset_) + ")";
  }

private:
  const onnx::NodeProto &proto_;
  std::vector<Tensor> inputs_;
  int opset_;
};

using Outputs = std::vector<Tensor>;

/// The results of one node, by op type (OnnxOps.cpp); nothing for an op
/// type Kiln does not have.
std::optional<Outputs> importNode(const Node &node);
/// Trilu, OneHot, the gathers and scatters, TopK and Einsum
/// (OnnxIndexing.cpp).
std::optional<Outputs> importIndexingNode(const Node &node);
/// Convolution, pooling, normalization, resizing and losses (OnnxNN.cpp).
std::optional<Outputs> importNNNode(const Node &node);
/// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger
/// and QLinearMatMul (OnnxQuantize.cpp).
std::optional<Outputs> importQuantizeNode(const Node &node);

/// `axes` of ONNX (negative counting from the end) for rank `rank`.
std::vector<int64_t> normalized(std::vector<int64_t> axes, int64_t rank);

/// An int64 constant of shape [1, ..., n, ..., 1] (rank `rank`, n at
/// `axis`) counting 0 to n - 1.
Tensor iotaAlong(int64_t n, int64_t axis, int64_t rank);

} // namespace kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNXNODE_H
