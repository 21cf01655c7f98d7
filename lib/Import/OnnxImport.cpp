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

#include "OnnxNode.h"

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

using namespace onnx_import;

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
  OnnxImportOptions options;
  options.function = name;
  return importOnnx(context, path, options);
}

mlir::OwningOpRef<mlir::ModuleOp> importOnnx(mlir::MLIRContext &context,
                                             const std::string &path,
                                             const OnnxImportOptions &options) {
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
  if (opset < 1 || opset > 17)
    throw Error(path + ": opset " + std::to_string(opset) +
                " is not supported (1 to 17)");
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
  std::map<std::string, Tensor> unusedBindings = options.bindings;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    auto bound = options.bindings.find(input.name());
    if (bound != options.bindings.end()) {
      TensorSpec spec = specOf(input, path + ": input");
      const Tensor &value = bound->second;
      bool shapeFits = value.rank() == static_cast<int64_t>(spec.shape.size());
      for (size_t d = 0; shapeFits && d < spec.shape.size(); ++d)
        shapeFits =
            isDynamic(spec.shape[d]) || spec.shape[d] == value.shape()[d];
      if (value.dtype() != spec.dtype || !shapeFits)
        throw Error(
            path + ": input '" + input.name() + "' is " +
            formatShape(spec.shape) + " " + std::string(dtypeName(spec.dtype)) +
            ", but the value bound to it is " + formatShape(value.shape()) +
            " " + std::string(dtypeName(value.dtype())));
      values[input.name()] = value;
      unusedBindings.erase(input.name());
      continue;
    }
    if (values.count(input.name()))
      continue; // an initializer listed as an input too: a constant
    arguments.push_back(specOf(input, path + ": input"));
    argumentNames.push_back(input.name());
  }

  if (!unusedBindings.empty())
    throw Error(path + ": a value is bound to '" +
                unusedBindings.begin()->first +
                "', which is not an input of the graph");

  GraphTracer tracer(
      *module, options.function.empty() ? "main" : options.function, arguments);
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
