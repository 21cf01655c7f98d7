//===- OnnxNN.cpp - ONNX's neural-network ops -----------------------------===//
//
// Convolution, pooling, normalization, resizing and the losses of ONNX,
// decomposed into kiln ops at import time where ONNX defines them as
// compositions.
//
//===----------------------------------------------------------------------===//

#include "OnnxNode.h"

#include "kiln/Runtime/Ops.h"

using namespace kiln;
using namespace kiln::onnx_import;

std::optional<Outputs> onnx_import::importNNNode(const Node &node) {
  (void)node;
  return std::nullopt;
}
