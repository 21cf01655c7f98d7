//===- OnnxImportTest.cpp - The importer on models built here -------------===//
//
// Models the ONNX backend tests do not cover, built with the generated
// classes of onnx.proto: semantics of old opsets Kiln must refuse rather
// than import with today's meaning.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/OnnxImport.h"
#include "kiln/Runtime/Error.h"

#include "mlir/IR/MLIRContext.h"

#include <onnx/onnx_pb.h>

#include "gtest/gtest.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {

/// A model of one `Add` node at `opset` of x [2, 3] and y [3], with
/// `attributes` (name, value) set on the node; written to a temporary file.
std::string addModel(int opset,
                     std::vector<std::pair<std::string, int64_t>> attributes) {
  onnx::ModelProto model;
  model.set_ir_version(3);
  model.add_opset_import()->set_version(opset);
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name("g");
  auto input = [&](const char *name, std::vector<int64_t> dims,
                   onnx::ValueInfoProto *info) {
    info->set_name(name);
    auto *tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : dims)
      tensor->mutable_shape()->add_dim()->set_dim_value(d);
  };
  input("x", {2, 3}, graph->add_input());
  input("y", {3}, graph->add_input());
  input("z", {2, 3}, graph->add_output());
  onnx::NodeProto *node = graph->add_node();
  node->set_op_type("Add");
  node->set_name("add");
  node->add_input("x");
  node->add_input("y");
  node->add_output("z");
  for (const auto &[name, value] : attributes) {
    onnx::AttributeProto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(value);
  }
  std::string path = (std::filesystem::temp_directory_path() /
                      ("kiln-onnx-import-test-" + std::to_string(opset) + "-" +
                       std::to_string(attributes.size()) + ".onnx"))
                         .string();
  std::ofstream file(path, std::ios::binary);
  model.SerializeToOstream(&file);
  return path;
}

TEST(OnnxImport, LegacyBroadcastingWithAnAxisIsRefused) {
  // Opset 6: broadcast=1 with axis=1 aligns y with x's dimension 1 (here it
  // would agree with numpy, but not in general): refused.
  std::string path = addModel(6, {{"broadcast", 1}, {"axis", 1}});
  mlir::MLIRContext context;
  try {
    kiln::importOnnx(context, path);
    FAIL() << "imported";
  } catch (const kiln::Error &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "node 'add' (Add, opset 6): broadcasting along an axis "
                  "(broadcast and axis, before opset 7) is not supported"),
              std::string::npos)
        << e.what();
  }
  std::remove(path.c_str());
}

TEST(OnnxImport, LegacyBroadcastingOfTrailingDimensionsIsNumpys) {
  // Without an axis the second operand aligns with the trailing dimensions,
  // as numpy's rule does: imported.
  std::string path = addModel(6, {{"broadcast", 1}});
  mlir::MLIRContext context;
  EXPECT_TRUE(static_cast<bool>(kiln::importOnnx(context, path)));
  std::remove(path.c_str());
}

} // namespace
