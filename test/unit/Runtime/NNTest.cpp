//===- NNTest.cpp - softmax, log_softmax and layer_norm -------------------===//

#include "TestUtil.h"

#include <cmath>

using namespace kiln;
using namespace ktest;

namespace {

std::vector<double> refSoftmax(const std::vector<double> &row, bool log) {
  double m = -INFINITY, s = 0;
  for (double v : row)
    m = std::max(m, v);
  for (double v : row)
    s += std::exp(v - m);
  std::vector<double> out;
  for (double v : row)
    out.push_back(log ? v - m - std::log(s) : std::exp(v - m) / s);
  return out;
}

TEST(NN, SoftmaxRowsAndColumns) {
  std::vector<double> v = {1, 2, 3, -1, 0, 1000};
  for (DType t : floatDTypes()) {
    Tensor x = constant(v, {2, 3}, t);
    std::vector<double> stored = x.to_vector<double>();
    std::vector<double> r0(stored.begin(), stored.begin() + 3),
        r1(stored.begin() + 3, stored.end());
    for (bool log : {false, true}) {
      std::vector<double> expected = refSoftmax(r0, log);
      for (double e : refSoftmax(r1, log))
        expected.push_back(e);
      Tensor y = log ? log_softmax(x, -1) : softmax(x);
      expectValues(y, {2, 3}, t, expected, 2 * tolFor(t));
      // Axis 0 equals the transposed problem.
      Tensor y0 = log ? log_softmax(transpose(x), 0) : softmax(transpose(x), 0);
      expectValues(transpose(y0).contiguous(), {2, 3}, t, expected,
                   2 * tolFor(t));
    }
  }
  expectValues(softmax(constant({1, 1})), {2}, DType::F32, {0.5, 0.5}, 1e-7);
  expectValues(softmax(constant({NAN, 1.0f})), {2}, DType::F32, {NAN, NAN});
  expectValues(softmax(zeros({2, 0})), {2, 0}, DType::F32, {});
  expectErrorExactly(
      [] {
        softmax(zeros({2, 3}), 2);
      },
      "softmax: axis 2 is out of range for rank 2 (expected -2 "
      "<= axis < 2); operand: (2, 3) float32");
  expectError([] { log_softmax(constant(1.0f)); },
              "log_softmax: axis -1 is out of range for a scalar");
}

TEST(NN, LayerNorm) {
  std::vector<double> v = {1, 2, 3, 4, 2, 2, 2, 6};
  auto ref = [&](int r0, int len, double eps) {
    double m = 0, var = 0;
    for (int i = 0; i < len; ++i)
      m += v[r0 + i] / len;
    for (int i = 0; i < len; ++i)
      var += (v[r0 + i] - m) * (v[r0 + i] - m) / len;
    std::vector<double> out;
    for (int i = 0; i < len; ++i)
      out.push_back((v[r0 + i] - m) / std::sqrt(var + eps));
    return out;
  };
  std::vector<double> expected = ref(0, 4, 1e-5);
  for (double e : ref(4, 4, 1e-5))
    expected.push_back(e);
  for (DType t : floatDTypes()) {
    Tensor x = constant(v, {2, 4}, t);
    expectValues(layer_norm(x, {-1}), {2, 4}, t, expected, 4 * tolFor(t));
  }
  Tensor x = constant(v, {2, 4}, DType::F64);
  // Scale and bias over the normalized dim (fused) ...
  Tensor scale = constant({1, 2, 3, 4}, {4}, DType::F64);
  Tensor bias = constant({0.5, 0.5, 0.5, 0.5}, {4}, DType::F64);
  std::vector<double> sb;
  for (int i = 0; i < 8; ++i)
    sb.push_back(expected[i] * (i % 4 + 1) + 0.5);
  expectValues(layer_norm(x, {1}, 1e-5, scale, bias), {2, 4}, DType::F64, sb,
               1e-9);
  // ... and per-row (not fused).
  Tensor rowScale = constant({2, 3}, {2, 1}, DType::F64);
  std::vector<double> rs;
  for (int i = 0; i < 8; ++i)
    rs.push_back(expected[i] * (i < 4 ? 2 : 3));
  expectValues(layer_norm(x, {1}, 1e-5, rowScale), {2, 4}, DType::F64, rs,
               1e-9);
  // Over all axes, and over a leading axis.
  std::vector<double> all = ref(0, 8, 0.0);
  expectValues(layer_norm(x, {0, 1}, 0.0), {2, 4}, DType::F64, all, 1e-9);
  Tensor col = layer_norm(transpose(x), {0});
  expectValues(transpose(col).contiguous(), {2, 4}, DType::F64, expected, 1e-9);
  EXPECT_EQ(layer_norm(constant({1, 2}), {0}).dtype(), DType::F32);
  expectError([&] { layer_norm(x, {2}); },
              "layer_norm: axis 2 is out of range for rank 2");
  expectError([&] { layer_norm(x, {}); },
              "layer_norm: needs at least one axis to normalize over");
  expectError(
      [&] {
        layer_norm(x, {1}, 1e-5, constant({1.0, 2.0}));
      },
      "layer_norm: scale and bias must broadcast to the input shape: "
      "shape (2) cannot be broadcast to (2, 4); operands: (2, 4) "
      "float64, (2) float32");
}

} // namespace
