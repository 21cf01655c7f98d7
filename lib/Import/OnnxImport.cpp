//===- OnnxImport.cpp - ONNX models to kiln graphs ------------------------===//
//
// An ONNX model is read with the generated classes of onnx.proto (Debian's
// libonnx) and ONNX's own shape inference runs on it. The graph is then
// *traced*: its inputs become the arguments of a GraphTracer, its
// initializers and Constant nodes host tensors, and each node calls the
// eager op (or the few eager ops) with ONNX's semantics, on traced tensors.
// So an imported graph has exactly the dtype, broadcasting and error rules
// of eager mode, nodes whose inputs are all constants are folded at import
// time, and every kiln op carries the node's name and op type as its
// location.
//
// An op type, attribute or dtype Kiln does not have is an error naming the
// node, its op type and the opset, never a crash.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/OnnxImport.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"
#include "kiln/Trace/GraphTracer.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>

namespace kiln {
namespace {

//===----------------------------------------------------------------------===//
// Types and tensors
//===----------------------------------------------------------------------===//

std::string onnxTypeName(int type) {
  return onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(type));
}

std::optional<DType> dtypeOf(int type) {
  switch (type) {
  case onnx::TensorProto_DataType_FLOAT:
    return DType::F32;
  case onnx::TensorProto_DataType_DOUBLE:
    return DType::F64;
  case onnx::TensorProto_DataType_FLOAT16:
    return DType::F16;
  case onnx::TensorProto_DataType_BFLOAT16:
    return DType::BF16;
  case onnx::TensorProto_DataType_INT32:
    return DType::I32;
  case onnx::TensorProto_DataType_INT64:
    return DType::I64;
  case onnx::TensorProto_DataType_BOOL:
    return DType::Bool;
  default:
    return std::nullopt;
  }
}

/// A host tensor holding `proto`'s elements. `what` names it in errors.
Tensor toTensor(const onnx::TensorProto &proto, const std::string &what) {
  std::optional<DType> dtype = dtypeOf(proto.data_type());
  if (!dtype)
    throw Error(what + ": element type " + onnxTypeName(proto.data_type()) +
                " is not supported");
  if (proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    throw Error(what + ": external data is not supported");
  Shape shape(proto.dims().begin(), proto.dims().end());
  Tensor t = Tensor::empty(shape, *dtype);
  size_t count = static_cast<size_t>(t.size());
  size_t bytes = count * dtypeSize(*dtype);
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytes)
      throw Error(what + ": raw_data holds " +
                  std::to_string(proto.raw_data().size()) + " bytes, " +
                  formatShape(shape) + " " + std::string(dtypeName(*dtype)) +
                  " needs " + std::to_string(bytes));
    std::memcpy(t.rawData(), proto.raw_data().data(), bytes);
    return t;
  }
  auto fill = [&](const auto &values, auto convert) {
    if (static_cast<size_t>(values.size()) != count)
      throw Error(what + ": " + std::to_string(values.size()) +
                  " values for shape " + formatShape(shape));
    for (size_t i = 0; i < count; ++i)
      convert(i, values.Get(static_cast<int>(i)));
  };
  switch (*dtype) {
  case DType::F32:
    fill(proto.float_data(),
         [&](size_t i, float v) { t.data<float>()[i] = v; });
    break;
  case DType::F64:
    fill(proto.double_data(),
         [&](size_t i, double v) { t.data<double>()[i] = v; });
    break;
  case DType::I64:
    fill(proto.int64_data(),
         [&](size_t i, int64_t v) { t.data<int64_t>()[i] = v; });
    break;
  case DType::I32:
    fill(proto.int32_data(),
         [&](size_t i, int32_t v) { t.data<int32_t>()[i] = v; });
    break;
  case DType::Bool:
    fill(proto.int32_data(),
         [&](size_t i, int32_t v) { t.data<bool>()[i] = v != 0; });
    break;
  case DType::F16:
  case DType::BF16: // the bits, in int32_data
    fill(proto.int32_data(), [&](size_t i, int32_t v) {
      uint16_t bits = static_cast<uint16_t>(v);
      std::memcpy(static_cast<char *>(t.rawData()) + 2 * i, &bits, 2);
    });
    break;
  }
  return t;
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

/// One node being imported: its inputs (absent optional ones are undefined
/// tensors), attributes and the error context.
class Node {
public:
  Node(const onnx::NodeProto &proto, std::vector<Tensor> inputs, int opset)
      : proto_(proto), inputs_(std::move(inputs)), opset_(opset) {}

  const std::string &type() const { return proto_.op_type(); }
  int opset() const { return opset_; }
  size_t inputCount() const { return inputs_.size(); }

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
    const Tensor &t = input(i);
    if (t.is_traced())
      fail("input " + std::to_string(i) +
           " is computed at run time, which is not supported (it must be a "
           "constant: an initializer or a Constant node)");
    return t.to_vector<int64_t>();
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

Tensor foldInputs(const Node &node,
                  Tensor (*op)(const Tensor &, const Tensor &, SourceLoc)) {
  Tensor result = node.input(0);
  for (size_t i = 1; i < node.inputCount(); ++i)
    result = op(result, node.input(i), SourceLoc::current());
  return result;
}

/// `axes` of ONNX (negative counting from the end) for rank `rank`.
std::vector<int64_t> normalized(std::vector<int64_t> axes, int64_t rank) {
  for (int64_t &axis : axes)
    if (axis < 0)
      axis += rank;
  return axes;
}

/// The reduction axes of a Reduce* node: the `axes` attribute, or (ReduceSum
/// from opset 13) the second input; none means all axes unless
/// noop_with_empty_axes.
std::optional<std::vector<int64_t>> reductionAxes(const Node &node) {
  std::vector<int64_t> axes;
  if (node.hasInput(1))
    axes = node.constantInts(1);
  else if (auto attr = node.intsAttr("axes"))
    axes = *attr;
  if (axes.empty() && node.intAttr("noop_with_empty_axes", 0))
    return std::nullopt;
  return axes;
}

Tensor reduce(const Node &node,
              Tensor (*op)(const Tensor &, const std::vector<int64_t> &, bool,
                           SourceLoc)) {
  std::optional<std::vector<int64_t>> axes = reductionAxes(node);
  if (!axes)
    return node.input(0);
  return op(node.input(0), *axes, node.intAttr("keepdims", 1) != 0,
            SourceLoc::current());
}

/// `x` as a matrix: the dimensions before `axis` (negative counts from the
/// end) make the rows, the others the columns (Flatten, and Softmax before
/// opset 13).
Tensor flattenAt(const Tensor &x, int64_t axis) {
  if (axis < 0)
    axis += x.rank();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < x.rank(); ++d)
    (d < axis ? outer : inner) *= x.shape()[d];
  return reshape(x, {outer, inner});
}

/// Softmax and LogSoftmax: one axis from opset 13; before, the input is
/// flattened to 2-D at `axis` (default 1) and normalized over the second.
Tensor softmaxLike(const Node &node, bool logarithm) {
  const Tensor &x = node.input(0);
  auto apply = [&](const Tensor &t, int64_t axis) {
    return logarithm ? log_softmax(t, axis) : softmax(t, axis);
  };
  if (node.opset() >= 13)
    return apply(x, node.intAttr("axis", -1));
  return reshape(apply(flattenAt(x, node.intAttr("axis", 1)), 1), x.shape());
}

Tensor slice(const Node &node) {
  const Tensor &x = node.input(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (node.opset() < 10) {
    starts = node.intsAttr("starts").value_or(std::vector<int64_t>{});
    ends = node.intsAttr("ends").value_or(std::vector<int64_t>{});
    axes = node.intsAttr("axes").value_or(std::vector<int64_t>{});
  } else {
    starts = node.constantInts(1);
    ends = node.constantInts(2);
    if (node.hasInput(3))
      axes = node.constantInts(3);
    if (node.hasInput(4))
      steps = node.constantInts(4);
  }
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  axes = normalized(axes, x.rank());
  std::vector<int64_t> begin(x.rank(), 0), end(x.shape()), stride(x.rank(), 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i], size = x.shape()[axis];
    int64_t step = steps.empty() ? 1 : steps[i];
    if (step <= 0)
      node.fail("negative or zero steps are not supported");
    auto clamp = [&](int64_t v) {
      if (v < 0)
        v += size;
      return std::clamp<int64_t>(v, 0, size);
    };
    begin[axis] = clamp(starts[i]);
    end[axis] = std::max(begin[axis], clamp(ends[i]));
    stride[axis] = step;
  }
  return kiln::slice(x, begin, end, stride);
}

/// The result of one node, by op type. Returns nothing for an op type Kiln
/// does not have.
std::optional<Outputs> importNode(const Node &node) {
  const std::string &type = node.type();
  auto in = [&](size_t i) { return node.input(i); };
  auto one = [](Tensor t) { return std::optional<Outputs>(Outputs{t}); };
  using Binary = Tensor (*)(const Tensor &, const Tensor &, SourceLoc);
  using Unary = Tensor (*)(const Tensor &, SourceLoc);
  static const std::map<std::string, Binary> binaries = {
      {"Add", add},      {"Sub", sub},           {"Mul", mul},
      {"Equal", eq},     {"Less", lt},           {"LessOrEqual", le},
      {"Greater", gt},   {"GreaterOrEqual", ge}, {"And", logical_and},
      {"Or", logical_or}};
  static const std::map<std::string, Unary> unaries = {
      {"Neg", neg},        {"Abs", abs},
      {"Relu", relu},      {"Sign", sign},
      {"Exp", exp},        {"Log", log},
      {"Sqrt", sqrt},      {"Reciprocal", reciprocal},
      {"Tanh", tanh},      {"Sigmoid", sigmoid},
      {"Erf", erf},        {"Sin", sin},
      {"Cos", cos},        {"Floor", floor},
      {"Ceil", ceil},      {"Round", round},
      {"Not", logical_not}};
  if (auto it = binaries.find(type); it != binaries.end())
    return one(it->second(in(0), in(1), SourceLoc::current()));
  if (auto it = unaries.find(type); it != unaries.end())
    return one(it->second(in(0), SourceLoc::current()));

  if (type == "Pow") {
    // ONNX's result has the base's type; eager pow promotes.
    Tensor result = pow(in(0), in(1));
    return one(result.dtype() == in(0).dtype() ? result
                                               : cast(result, in(0).dtype()));
  }
  if (type == "Div") {
    // ONNX's integer division truncates toward zero; Kiln's floors, as
    // numpy's. They differ on operands of different signs.
    if (!isFloating(in(0).dtype()) && !isFloating(in(1).dtype()))
      node.fail("integer division is not supported (ONNX truncates toward "
                "zero, Kiln floors)");
    return one(div(in(0), in(1)));
  }
  if (type == "Max")
    return one(foldInputs(node, maximum));
  if (type == "Min")
    return one(foldInputs(node, minimum));
  if (type == "Sum")
    return one(foldInputs(node, add));
  if (type == "Mean")
    return one(foldInputs(node, add) / static_cast<double>(node.inputCount()));
  if (type == "Where")
    return one(select(in(0), in(1), in(2)));
  if (type == "Identity" || type == "Dropout") {
    if (type == "Dropout" && node.hasInput(2))
      node.fail("training-mode dropout is not supported");
    return one(in(0));
  }
  if (type == "Cast") {
    std::optional<DType> to = dtypeOf(static_cast<int>(node.intAttr("to", 0)));
    if (!to)
      node.fail("cast to " +
                onnxTypeName(static_cast<int>(node.intAttr("to", 0))) +
                " is not supported");
    return one(cast(in(0), *to));
  }
  if (type == "Reshape") {
    std::vector<int64_t> shape = node.opset() < 5
                                     ? node.intsAttr("shape").value()
                                     : node.constantInts(1);
    bool allowZero = node.intAttr("allowzero", 0) != 0;
    for (size_t d = 0; d < shape.size(); ++d)
      if (shape[d] == 0 && !allowZero)
        shape[d] = in(0).shape().at(d);
    return one(reshape(in(0), shape));
  }
  if (type == "Flatten")
    return one(flattenAt(in(0), node.intAttr("axis", 1)));
  if (type == "Transpose") {
    std::vector<int64_t> perm(in(0).rank());
    std::iota(perm.rbegin(), perm.rend(), 0);
    return one(transpose(in(0), node.intsAttr("perm").value_or(perm)));
  }
  if (type == "Expand") {
    // Bidirectional: the result is the broadcast of both shapes.
    std::vector<int64_t> shape = node.constantInts(1);
    Shape target = in(0).shape();
    size_t rank = std::max(target.size(), shape.size());
    Shape result(rank, 1);
    for (size_t d = 0; d < rank; ++d) {
      int64_t a =
          d + target.size() >= rank ? target[d + target.size() - rank] : 1;
      int64_t b = d + shape.size() >= rank ? shape[d + shape.size() - rank] : 1;
      result[d] = a == 1 ? b : a;
    }
    return one(broadcast_to(in(0), result));
  }
  if (type == "Unsqueeze") {
    std::vector<int64_t> axes = node.opset() >= 13
                                    ? node.constantInts(1)
                                    : node.intsAttr("axes").value();
    int64_t rank = in(0).rank() + static_cast<int64_t>(axes.size());
    axes = normalized(axes, rank);
    std::sort(axes.begin(), axes.end());
    Tensor x = in(0);
    for (int64_t axis : axes)
      x = expand_dims(x, axis);
    return one(x);
  }
  if (type == "Squeeze") {
    std::vector<int64_t> axes;
    if (node.opset() >= 13 && node.hasInput(1))
      axes = node.constantInts(1);
    else if (auto attr = node.intsAttr("axes"))
      axes = *attr;
    return one(squeeze(in(0), axes));
  }
  if (type == "Concat") {
    std::vector<Tensor> xs;
    for (size_t i = 0; i < node.inputCount(); ++i)
      xs.push_back(in(i));
    return one(concat(xs, node.intAttr("axis", 0)));
  }
  if (type == "Slice")
    return one(slice(node));
  if (type == "Pad") {
    if (node.stringAttr("mode", "constant") != "constant")
      node.fail("pad mode '" + node.stringAttr("mode", "") +
                "' is not supported");
    std::vector<int64_t> pads = node.opset() >= 11
                                    ? node.constantInts(1)
                                    : node.intsAttr("pads").value();
    if (node.opset() >= 18 || node.hasInput(3))
      node.fail("pads along a subset of axes are not supported");
    size_t rank = pads.size() / 2;
    std::vector<int64_t> low(pads.begin(), pads.begin() + rank),
        high(pads.begin() + rank, pads.end());
    for (int64_t p : pads)
      if (p < 0)
        node.fail("negative pads are not supported");
    double value = node.opset() >= 11
                       ? (node.hasInput(2) ? in(2).item<double>() : 0.0)
                       : node.floatAttr("value", 0.0);
    Scalar fill = isFloating(in(0).dtype())
                      ? Scalar(value)
                      : Scalar(static_cast<int64_t>(value));
    return one(pad(in(0), low, high, fill));
  }
  if (type == "Gather")
    return one(gather(in(0), in(1), node.intAttr("axis", 0)));
  if (type == "ReduceSum")
    return one(reduce(node, reduce_sum));
  if (type == "ReduceMean")
    return one(reduce(node, reduce_mean));
  if (type == "ReduceMax")
    return one(reduce(node, reduce_max));
  if (type == "ReduceMin")
    return one(reduce(node, reduce_min));
  if (type == "ReduceProd")
    return one(reduce(node, reduce_prod));
  if (type == "ArgMax" || type == "ArgMin") {
    if (node.intAttr("select_last_index", 0))
      node.fail("select_last_index is not supported");
    bool keep = node.intAttr("keepdims", 1) != 0;
    int64_t axis = node.intAttr("axis", 0);
    return one(type == "ArgMax" ? argmax(in(0), axis, keep)
                                : argmin(in(0), axis, keep));
  }
  if (type == "MatMul")
    return one(matmul(in(0), in(1)));
  if (type == "Gemm") {
    Tensor a = node.intAttr("transA", 0) ? transpose(in(0)) : in(0);
    Tensor b = node.intAttr("transB", 0) ? transpose(in(1)) : in(1);
    double alpha = node.floatAttr("alpha", 1.0),
           beta = node.floatAttr("beta", 1.0);
    Tensor y = matmul(a, b);
    if (alpha != 1.0)
      y = y * alpha;
    if (node.hasInput(2))
      y = y + (beta != 1.0 ? in(2) * beta : in(2));
    return one(y);
  }
  if (type == "Softmax")
    return one(softmaxLike(node, false));
  if (type == "LogSoftmax")
    return one(softmaxLike(node, true));
  if (type == "LayerNormalization") {
    const Tensor &x = in(0);
    int64_t axis = node.intAttr("axis", -1);
    if (axis < 0)
      axis += x.rank();
    std::vector<int64_t> axes;
    for (int64_t d = axis; d < x.rank(); ++d)
      axes.push_back(d);
    std::optional<Tensor> bias;
    if (node.hasInput(2))
      bias = in(2);
    double epsilon = node.floatAttr("epsilon", 1e-5);
    Tensor y = layer_norm(x, axes, epsilon, in(1), bias);
    // The optional Mean and InvStdDev outputs, in the stash type (float32
    // unless stash_type says otherwise), with the normalized axes kept.
    int64_t stash = node.intAttr("stash_type", 1);
    std::optional<DType> stashType = dtypeOf(static_cast<int>(stash));
    if (!stashType || !isFloating(*stashType))
      node.fail("stash_type " + std::to_string(stash) + " is not supported");
    Tensor xs = x.dtype() == *stashType ? x : cast(x, *stashType);
    Tensor mean = reduce_mean(xs, axes, /*keepdims=*/true);
    Tensor centered = xs - mean;
    Tensor invStdDev =
        rsqrt(reduce_mean(centered * centered, axes, true) + epsilon);
    return Outputs{y, mean, invStdDev};
  }
  if (type == "ConstantOfShape") {
    std::vector<int64_t> shape = node.constantInts(0);
    Tensor value = constant(Scalar(0.0), DType::F32);
    if (const onnx::AttributeProto *a = node.attribute("value"))
      value = reshape(toTensor(a->t(), node.describe()), {});
    return one(broadcast_to(value, shape).contiguous());
  }
  if (type == "LeakyRelu") {
    double alpha = node.floatAttr("alpha", 0.01);
    return one(select(in(0) >= 0.0, in(0), in(0) * alpha));
  }
  if (type == "Shape") {
    // Static shapes: a constant.
    Shape shape = in(0).shape();
    for (int64_t d : shape)
      if (isDynamic(d))
        node.fail("the shape of a tensor with dynamic dimensions is not "
                  "supported");
    int64_t rank = static_cast<int64_t>(shape.size());
    int64_t start = node.intAttr("start", 0), end = node.intAttr("end", rank);
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    std::vector<int64_t> dims(shape.begin() + start, shape.begin() + end);
    return one(constant(dims, {static_cast<int64_t>(dims.size())}));
  }
  if (type == "Size")
    return one(constant(Scalar(in(0).size()), DType::I64));
  return std::nullopt;
}

/// The value of a Constant node: a tensor, or a float or int (list).
Tensor constantValue(const Node &node, const std::string &path) {
  if (const onnx::AttributeProto *a = node.attribute("value"))
    return toTensor(a->t(), path + ": " + node.describe());
  if (const onnx::AttributeProto *a = node.attribute("value_float"))
    return constant(Scalar(static_cast<double>(a->f())), DType::F32);
  if (const onnx::AttributeProto *a = node.attribute("value_int"))
    return constant(Scalar(a->i()), DType::I64);
  if (const onnx::AttributeProto *a = node.attribute("value_floats")) {
    std::vector<double> values(a->floats().begin(), a->floats().end());
    return constant(values, {static_cast<int64_t>(values.size())}, DType::F32);
  }
  if (const onnx::AttributeProto *a = node.attribute("value_ints")) {
    std::vector<int64_t> values(a->ints().begin(), a->ints().end());
    return constant(values, {static_cast<int64_t>(values.size())}, DType::I64);
  }
  node.fail("a sparse or string value is not supported");
}

//===----------------------------------------------------------------------===//
// Graphs
//===----------------------------------------------------------------------===//

/// The shape and dtype of a graph input or output; `?` for a symbolic or
/// unknown dimension.
TensorSpec specOf(const onnx::ValueInfoProto &info, const std::string &what) {
  if (!info.type().has_tensor_type())
    throw Error(what + " '" + info.name() +
                "' is not a tensor (a sequence, a map or an optional), which "
                "is not supported");
  const onnx::TypeProto_Tensor &tensor = info.type().tensor_type();
  std::optional<DType> dtype = dtypeOf(tensor.elem_type());
  if (!dtype)
    throw Error(what + " '" + info.name() + "': element type " +
                onnxTypeName(tensor.elem_type()) + " is not supported");
  if (!tensor.has_shape())
    throw Error(what + " '" + info.name() + "' has no shape");
  Shape shape;
  for (const onnx::TensorShapeProto_Dimension &dim : tensor.shape().dim())
    shape.push_back(dim.has_dim_value() ? dim.dim_value() : kDynamic);
  return {shape, *dtype};
}

} // namespace

mlir::OwningOpRef<mlir::ModuleOp> importOnnx(mlir::MLIRContext &context,
                                             const std::string &path,
                                             const std::string &name) {
  onnx::ModelProto model;
  {
    std::ifstream file(path, std::ios::binary);
    if (!file)
      throw Error(path + ": cannot open the file");
    if (!model.ParseFromIstream(&file))
      throw Error(path + ": not an ONNX model (the protobuf does not parse)");
  }
  int opset = 0;
  for (const onnx::OperatorSetIdProto &import : model.opset_import())
    if (import.domain().empty() || import.domain() == "ai.onnx")
      opset = static_cast<int>(import.version());
    else
      throw Error(path + ": operator set '" + import.domain() +
                  "' is not supported (only the default ONNX domain)");
  if (opset < 7 || opset > 17)
    throw Error(path + ": opset " + std::to_string(opset) +
                " is not supported (7 to 17)");
  try {
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception &error) {
    throw Error(path + ": ONNX shape inference failed: " + error.what());
  }
  const onnx::GraphProto &graph = model.graph();

  context.loadDialect<KilnDialect, mlir::func::FuncDialect>();
  mlir::OpBuilder builder(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ModuleOp::create(mlir::FileLineColLoc::get(&context, path, 0, 0));

  std::map<std::string, Tensor> values;
  for (const onnx::TensorProto &initializer : graph.initializer())
    values[initializer.name()] = toTensor(
        initializer, path + ": initializer '" + initializer.name() + "'");
  std::vector<std::string> argumentNames;
  std::vector<TensorSpec> arguments;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (values.count(input.name()))
      continue; // an initializer listed as an input too: a constant
    arguments.push_back(specOf(input, path + ": input"));
    argumentNames.push_back(input.name());
  }

  GraphTracer tracer(*module, name.empty() ? "main" : name, arguments);
  trace::ScopedRecorder scope(&tracer);
  for (size_t i = 0; i < argumentNames.size(); ++i)
    values[argumentNames[i]] = tracer.arguments()[i];

  for (const onnx::NodeProto &proto : graph.node()) {
    if (!proto.domain().empty() && proto.domain() != "ai.onnx")
      throw Error(path + ": node '" + proto.name() + "' (" + proto.op_type() +
                  ") is in domain '" + proto.domain() +
                  "', which is not supported");
    std::vector<Tensor> inputs;
    for (const std::string &input : proto.input()) {
      if (input.empty()) {
        inputs.emplace_back(); // an absent optional input
        continue;
      }
      auto it = values.find(input);
      if (it == values.end())
        throw Error(path + ": node '" + proto.name() + "' (" + proto.op_type() +
                    ") reads '" + input + "', which no node or input defines");
      inputs.push_back(it->second);
    }
    Node node(proto, std::move(inputs), opset);
    tracer.setLocationOverride(mlir::NameLoc::get(
        builder.getStringAttr(proto.name() + " (" + proto.op_type() + ")"),
        mlir::FileLineColLoc::get(&context, path, 0, 0)));
    std::optional<Outputs> outputs;
    try {
      if (proto.op_type() == "Constant") {
        outputs = Outputs{constantValue(node, path)};
      } else {
        outputs = importNode(node);
      }
    } catch (const Error &error) {
      std::string message = error.what();
      if (message.rfind("node '", 0) == 0)
        throw Error(path + ": " + message);
      throw Error(path + ": " + node.describe() + ": " + message);
    }
    if (!outputs)
      throw Error(path + ": " + node.describe() +
                  ": this op type is not supported");
    for (size_t o = 0; o < outputs->size() && o < size_t(proto.output_size());
         ++o)
      values[proto.output(static_cast<int>(o))] = (*outputs)[o];
    for (int o = static_cast<int>(outputs->size()); o < proto.output_size();
         ++o)
      if (!proto.output(o).empty())
        throw Error(path + ": " + node.describe() + ": output " +
                    std::to_string(o) + " is not supported");
  }
  tracer.setLocationOverride(std::nullopt);

  std::vector<Tensor> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end())
      throw Error(path + ": output '" + output.name() +
                  "' is not computed by the graph");
    results.push_back(it->second);
  }
  tracer.finish(results);
  return module;
}

bool isOnnxFile(const std::string &path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
}

} // namespace kiln
