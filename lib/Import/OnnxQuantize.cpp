//===- OnnxQuantize.cpp - ONNX's quantization ops -------------------------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger
// and QLinearMatMul, composed of kiln ops on the int8/uint8 tensors they
// produce and read: integer products accumulate in int32, scales apply in
// float32, and quantizing rounds half to even and saturates (kiln::cast of
// a float saturates).
//
//===----------------------------------------------------------------------===//

#include "OnnxNode.h"

#include "kiln/Runtime/Ops.h"

using namespace kiln;
using namespace kiln::onnx_import;

namespace {

/// A per-tensor (scalar) or per-axis (1-D, along `axis` of a rank-`rank`
/// tensor) quantization parameter, shaped to broadcast.
Tensor alongAxis(const Node &node, const Tensor &parameter, int64_t rank) {
  if (parameter.rank() == 0 ||
      (parameter.rank() == 1 && parameter.shape()[0] == 1))
    return reshape(parameter, {});
  if (parameter.rank() != 1)
    node.fail("scale and zero point must be scalars or 1-D, got rank " +
              std::to_string(parameter.rank()));
  int64_t axis = node.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    node.fail("axis " + std::to_string(node.intAttr("axis", 1)) +
              " is out of range for rank " + std::to_string(rank));
  Shape shape(rank, 1);
  shape[axis] = parameter.shape()[0];
  return reshape(parameter, shape);
}

/// saturate(round(x / scale) + zero_point) in `dtype`.
Tensor quantize(const Tensor &x, const Tensor &scale, const Tensor &zeroPoint,
                DType dtype) {
  Tensor scaled = round(x / scale);
  return cast(scaled + cast(zeroPoint, x.dtype()), dtype);
}

Tensor quantizeLinear(const Node &node) {
  const Tensor &x = node.input(0);
  int64_t rank = x.rank();
  Tensor scale = alongAxis(node, node.input(1), rank);
  Tensor zeroPoint = node.hasInput(2) ? alongAxis(node, node.input(2), rank)
                                      : constant(Scalar(0), DType::U8);
  return quantize(cast(x, scale.dtype()), scale, zeroPoint, zeroPoint.dtype());
}

Tensor dequantizeLinear(const Node &node) {
  const Tensor &x = node.input(0);
  int64_t rank = x.rank();
  Tensor scale = alongAxis(node, node.input(1), rank);
  Tensor shifted = cast(x, DType::I32);
  if (node.hasInput(2))
    shifted = shifted - cast(alongAxis(node, node.input(2), rank), DType::I32);
  return cast(shifted, scale.dtype()) * scale;
}

/// y = saturate(round(x / scale) + zero_point) to uint8, with the scale and
/// zero point that map [min(0, min x), max(0, max x)] onto [0, 255].
Outputs dynamicQuantizeLinear(const Node &node) {
  const Tensor &x = node.input(0);
  Tensor low = minimum(reduce_min(x), 0.0f),
         high = maximum(reduce_max(x), 0.0f);
  Tensor scale = (high - low) / 255.0f;
  Tensor zeroPoint = cast(round(0.0f - low / scale), DType::U8);
  return {quantize(x, scale, zeroPoint, DType::U8), scale, zeroPoint};
}

/// (a - a_zero_point) @ (b - b_zero_point) in int32; a's zero point is per
/// row (or a scalar), b's per column.
Tensor integerProduct(const Tensor &a, const Tensor &b, const Tensor *aZero,
                      const Tensor *bZero) {
  Tensor a32 = cast(a, DType::I32), b32 = cast(b, DType::I32);
  if (aZero) {
    Tensor z = cast(*aZero, DType::I32);
    // A 1-D zero point of a is per row: [M] against a's [..., M, K].
    a32 = a32 - (z.rank() == 1 && z.shape()[0] != 1 ? expand_dims(z, 1)
                                                    : reshape(z, {}));
  }
  if (bZero) {
    Tensor z = cast(*bZero, DType::I32);
    b32 = b32 - (z.rank() == 1 && z.shape()[0] != 1 ? z : reshape(z, {}));
  }
  return matmul(a32, b32);
}

Tensor matMulInteger(const Node &node) {
  Tensor aZero, bZero;
  if (node.hasInput(2))
    aZero = node.input(2);
  if (node.hasInput(3))
    bZero = node.input(3);
  return integerProduct(node.input(0), node.input(1),
                        aZero.defined() ? &aZero : nullptr,
                        bZero.defined() ? &bZero : nullptr);
}

/// y = saturate(round(product * a_scale * b_scale / y_scale) + y_zp), the
/// product of the zero-point-shifted integers in int32.
Tensor qLinearMatMul(const Node &node) {
  const Tensor &aZero = node.input(2), &bZero = node.input(5),
               &yZero = node.input(7);
  Tensor product = integerProduct(node.input(0), node.input(3), &aZero, &bZero);
  Tensor scale = node.input(1) * node.input(4) / node.input(6);
  Tensor scaled = cast(product, scale.dtype()) * reshape(scale, {});
  return cast(round(scaled) + cast(yZero, scale.dtype()), yZero.dtype());
}

} // namespace

std::optional<Outputs> onnx_import::importQuantizeNode(const Node &node) {
  const std::string &type = node.type();
  auto one = [](Tensor t) { return std::optional<Outputs>(Outputs{t}); };
  if (type == "QuantizeLinear")
    return one(quantizeLinear(node));
  if (type == "DequantizeLinear")
    return one(dequantizeLinear(node));
  if (type == "DynamicQuantizeLinear")
    return dynamicQuantizeLinear(node);
  if (type == "MatMulInteger")
    return one(matMulInteger(node));
  if (type == "QLinearMatMul")
    return one(qLinearMatMul(node));
  return std::nullopt;
}
