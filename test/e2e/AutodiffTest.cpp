//===- AutodiffTest.cpp - Gradients against finite differences, e2e -------===//
//
// Every differentiable op, and programs made of them, differentiated two
// ways -- eagerly on a GradientTape, and traced and compiled (a tape inside
// kiln::function) -- and checked in float64 against central finite
// differences along random directions (as torch.autograd.gradcheck and
// jax.test_util.check_grads do): for a direction v of each input,
//
//   (f(x + h v) - f(x - h v)) / 2h  ~  <grad f(x), v>,   h = 1e-6,
//
// within 1e-6 of the larger of the two sides and 1 (the truncation error is
// O(h^2 f''') and the rounding error O(eps f / h), both far below). The
// tape and the compiled gradients must agree within 1e-9 relative.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <gmock/gmock.h>

#include <cmath>
#include <functional>

namespace kiln::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

using Program = std::function<Tensor(const std::vector<Tensor> &)>;

/// The sum of the elements of `a * b` as a double.
double dot(const Tensor &a, const Tensor &b) {
  return reduce_sum(cast(a, DType::F64) * cast(b, DType::F64)).item<double>();
}

/// The loss whose gradient is checked: `f`'s result weighted by fixed
/// random weights and summed (so that every element's cotangent differs).
Program weighted(Program f, const std::vector<Tensor> &probe) {
  Tensor out = f(probe);
  Tensor weights = normal(out.shape(), 99, DType::F64);
  return [f = std::move(f), weights](const std::vector<Tensor> &args) {
    return reduce_sum(cast(f(args), DType::F64) * weights);
  };
}

/// The gradient of `loss` with respect to every input, on a tape.
std::vector<Tensor> tapeGradient(const Program &loss,
                                 const std::vector<Tensor> &inputs) {
  GradientTape tape;
  tape.watch(inputs);
  Tensor value = loss(inputs);
  return tape.gradient(value, inputs);
}

/// The loss and its gradient with respect to every input, from one traced
/// and compiled graph (a tape inside kiln::function).
std::vector<Tensor> compiledGradients(const Program &loss,
                                      const std::vector<Tensor> &in) {
  auto body = [&loss](const std::vector<Tensor> &args) {
    GradientTape tape;
    tape.watch(args);
    Tensor value = loss(args);
    std::vector<Tensor> result = tape.gradient(value, args);
    result.insert(result.begin(), value);
    return result;
  };
  switch (in.size()) {
  case 1:
    return function([&](Tensor a) { return body({a}); })(in[0]);
  case 2:
    return function([&](Tensor a, Tensor b) {
      return body({a, b});
    })(in[0], in[1]);
  case 3:
    return function([&](Tensor a, Tensor b, Tensor c) {
      return body({a, b, c});
    })(in[0], in[1], in[2]);
  case 4:
    return function([&](Tensor a, Tensor b, Tensor c, Tensor d) {
      return body({a, b, c, d});
    })(in[0], in[1], in[2], in[3]);
  default:
    ADD_FAILURE() << "no compiled check for " << in.size() << " inputs";
    return {};
  }
}

/// Checks the gradients of `f` (any result shape; a weighted sum is
/// differentiated) at `inputs` (float64) against finite differences, on
/// the tape and compiled.
void checkGradients(const std::string &what, Program f,
                    const std::vector<Tensor> &inputs,
                    double tolerance = 1e-6) {
  SCOPED_TRACE(what);
  Program loss = weighted(f, inputs);
  std::vector<Tensor> eager = tapeGradient(loss, inputs);
  ASSERT_EQ(eager.size(), inputs.size());

  // Compiled: one traced graph computes the loss and its gradients.
  std::vector<Tensor> compiled = compiledGradients(loss, inputs);
  ASSERT_EQ(compiled.size(), inputs.size() + 1);

  for (size_t i = 0; i < inputs.size(); ++i) {
    SCOPED_TRACE("input " + std::to_string(i));
    EXPECT_EQ(eager[i].shape(), inputs[i].shape());
    EXPECT_EQ(eager[i].dtype(), inputs[i].dtype());
    EXPECT_TRUE(allClose(compiled[i + 1], eager[i], {0, 1e-9, 1e-12}));
    for (uint64_t seed = 1; seed <= 2; ++seed) {
      Tensor v = normal(inputs[i].shape(), 1000 + seed, DType::F64);
      const double h = 1e-6;
      std::vector<Tensor> plus = inputs, minus = inputs;
      plus[i] = inputs[i] + v * h;
      minus[i] = inputs[i] - v * h;
      double numeric =
          (loss(plus).item<double>() - loss(minus).item<double>()) / (2 * h);
      double analytic = dot(eager[i], v);
      double scale = std::max({std::fabs(numeric), std::fabs(analytic), 1.0});
      EXPECT_NEAR(analytic, numeric, tolerance * scale) << "direction " << seed;
    }
  }
}

Tensor f64(const Shape &shape, uint64_t seed) {
  return normal(shape, seed, DType::F64);
}

/// Uniform in [lo, hi): inputs kept inside an op's domain.
Tensor inRange(const Shape &shape, uint64_t seed, double lo, double hi) {
  return random_uniform(shape, seed, lo, hi, DType::F64);
}

//===----------------------------------------------------------------------===//
// Every differentiable op
//===----------------------------------------------------------------------===//

TEST(AutodiffE2E, ElementwiseUnaryOps) {
  struct Case {
    const char *name;
    Tensor (*op)(const Tensor &, SourceLoc);
    double lo, hi;
  };
  const Case cases[] = {
      {"neg", neg, -2, 2},         {"abs", abs, 0.1, 2},
      {"relu", relu, 0.1, 2},      {"exp", exp, -2, 2},
      {"log", log, 0.2, 3},        {"sqrt", sqrt, 0.2, 3},
      {"rsqrt", rsqrt, 0.2, 3},    {"tanh", tanh, -2, 2},
      {"sigmoid", sigmoid, -3, 3}, {"erf", erf, -2, 2},
      {"sin", sin, -3, 3},         {"cos", cos, -3, 3},
      {"tan", tan, -1, 1},         {"asin", asin, -0.8, 0.8},
      {"acos", acos, -0.8, 0.8},   {"atan", atan, -3, 3},
      {"sinh", sinh, -2, 2},       {"cosh", cosh, -2, 2},
      {"asinh", asinh, -3, 3},     {"acosh", acosh, 1.2, 3},
      {"atanh", atanh, -0.8, 0.8}, {"reciprocal", reciprocal, 0.5, 2},
  };
  for (const Case &c : cases) {
    auto op = c.op;
    checkGradients(c.name,
                   [op](const std::vector<Tensor> &a) {
                     return op(a[0], SourceLoc::current());
                   },
                   {inRange({3, 4}, 7, c.lo, c.hi)});
  }
  // abs and relu on negative numbers.
  checkGradients("abs<0", [](auto &a) { return abs(a[0]); },
                 {inRange({5}, 3, -2, -0.1)});
  checkGradients("relu<0", [](auto &a) { return relu(a[0]) + a[0]; },
                 {inRange({5}, 3, -2, -0.1)});
}

TEST(AutodiffE2E, ElementwiseBinaryOpsWithBroadcasting) {
  Tensor a = f64({3, 4}, 1), b = f64({4}, 2), c = f64({3, 1}, 3);
  checkGradients("add", [](auto &x) { return x[0] + x[1]; }, {a, b});
  checkGradients("sub", [](auto &x) { return x[0] - x[1]; }, {a, c});
  checkGradients("mul", [](auto &x) { return x[0] * x[1]; }, {a, b});
  checkGradients("div", [](auto &x) { return x[0] / x[1]; },
                 {a, inRange({4}, 4, 0.5, 2)});
  checkGradients("pow", [](auto &x) { return pow(x[0], x[1]); },
                 {inRange({3, 4}, 5, 0.5, 2), inRange({4}, 6, -1, 2)});
  checkGradients("maximum", [](auto &x) { return maximum(x[0], x[1]); },
                 {a, b});
  checkGradients("minimum", [](auto &x) { return minimum(x[0], x[1]); },
                 {a, c});
  checkGradients("scalars", [](auto &x) { return 3.0 - x[0] * 2.0 / 5.0; },
                 {a});
  checkGradients(
      "select",
      [](auto &x) { return select(x[0] > 0.0, x[0] * x[1], x[1] - x[0]); },
      {a, b});
}

TEST(AutodiffE2E, ShapeOps) {
  Tensor a = f64({2, 3, 4}, 1);
  checkGradients("reshape", [](auto &x) { return reshape(x[0], {6, 4}); }, {a});
  checkGradients("transpose",
                 [](auto &x) {
                   return transpose(x[0], {2, 0, 1}) * 1.5;
                 },
                 {a});
  checkGradients("broadcast_to",
                 [](auto &x) {
                   return broadcast_to(x[0], {5, 3, 4});
                 },
                 {f64({3, 1}, 2)});
  checkGradients("expand_dims and squeeze",
                 [](auto &x) { return squeeze(expand_dims(x[0], 1), {1}); },
                 {a});
  checkGradients("concat",
                 [](auto &x) {
                   return concat({x[0], x[1], x[0]}, 1);
                 },
                 {f64({2, 3}, 3), f64({2, 5}, 4)});
  checkGradients("slice",
                 [](auto &x) {
                   return slice(x[0], {0, 1, 1}, {2, 3, 4});
                 },
                 {a});
  checkGradients("strided slice",
                 [](auto &x) {
                   return slice(x[0], {1, 0, 0}, {7, 4, 5}, {2, 3, 2});
                 },
                 {f64({8, 4, 5}, 5)});
  checkGradients("pad",
                 [](auto &x) {
                   return pad(x[0], {1, 0}, {2, 3});
                 },
                 {f64({2, 3}, 6)});
  Tensor indices = constant({2, 0, 2, -1}, {2, 2}, DType::I64);
  checkGradients("gather",
                 [indices](auto &x) { return gather(x[0], indices, 1); },
                 {f64({3, 4, 2}, 7)});
}

TEST(AutodiffE2E, Reductions) {
  Tensor a = f64({3, 4, 5}, 1);
  checkGradients("reduce_sum", [](auto &x) { return reduce_sum(x[0], {1}); },
                 {a});
  checkGradients("reduce_sum all", [](auto &x) { return reduce_sum(x[0]); },
                 {a});
  checkGradients("reduce_mean",
                 [](auto &x) {
                   return reduce_mean(x[0], {0, 2}, true);
                 },
                 {a});
  checkGradients("reduce_max", [](auto &x) { return reduce_max(x[0], {-1}); },
                 {a});
  checkGradients("reduce_min", [](auto &x) { return reduce_min(x[0], {0}); },
                 {a});
  checkGradients("reduce_prod", [](auto &x) { return reduce_prod(x[0], {2}); },
                 {inRange({3, 4, 5}, 2, 0.5, 1.5)});
}

TEST(AutodiffE2E, Cumsum) {
  Tensor x = f64({3, 5}, 19);
  for (bool exclusive : {false, true})
    for (bool reverse : {false, true})
      checkGradients(
          "cumsum",
          [=](auto &a) { return cumsum(a[0], 1, exclusive, reverse); }, {x});
  checkGradients("cumsum axis 0", [](auto &a) { return cumsum(a[0], 0); }, {x});
}

TEST(AutodiffE2E, SortingGatheringAndScattering) {
  Tensor x = f64({4, 5}, 21);
  checkGradients("sort", [](auto &a) { return sort(a[0], 1); }, {x});
  checkGradients("sort descending along axis 0",
                 [](auto &a) { return sort(a[0], 0, true); }, {x});
  checkGradients("topk values", [](auto &a) { return topk(a[0], 2, 1).first; },
                 {x});
  Tensor picks = constant({2, 0, -1, 1, 4, 4, 0, 3}, {4, 2}, DType::I64);
  checkGradients("take_along_axis",
                 [picks](auto &a) { return take_along_axis(a[0], picks, 1); },
                 {x});
  Tensor vectors = constant({1, 2, 3, 4, 1, 2}, {3, 2}, DType::I64);
  checkGradients("gather_nd",
                 [vectors](auto &a) { return gather_nd(a[0], vectors); }, {x});
  Tensor u = f64({3, 5}, 22);
  Tensor distinct = constant({1, 3, -4}, {3, 1}, DType::I64);
  checkGradients(
      "scatter_nd",
      [distinct](auto &a) { return scatter_nd(a[0], distinct, a[1]); }, {x, u});
  Tensor repeated = constant({1, 3, 1}, {3, 1}, DType::I64);
  checkGradients("scatter_nd add",
                 [repeated](auto &a) {
                   return scatter_nd(a[0], repeated, a[1],
                                     ScatterReduction::Add);
                 },
                 {x, u});
  Tensor where = constant({3, 0, 1, 1, 2, -1}, {2, 3}, DType::I64);
  checkGradients("scatter_elements add",
                 [where](auto &a) {
                   return scatter_elements(a[0], where, a[1], 0,
                                           ScatterReduction::Add);
                 },
                 {x, f64({2, 3}, 23)});
  GradientTape tape;
  tape.watch(x);
  Tensor y = scatter_nd(x, distinct, u, ScatterReduction::Mul);
  EXPECT_THAT([&] { tape.gradient(reduce_sum(y), {x}); },
              ThrowsMessage<Error>(HasSubstr("reduction \"mul\" has no "
                                             "gradient rule")));
}

TEST(AutodiffE2E, MatmulInEveryRank) {
  auto mm = [](auto &x) { return matmul(x[0], x[1]); };
  checkGradients("2-D", mm, {f64({3, 4}, 1), f64({4, 5}, 2)});
  checkGradients("batch", mm, {f64({2, 3, 4}, 3), f64({2, 4, 5}, 4)});
  checkGradients("broadcast batch", mm, {f64({2, 3, 4}, 5), f64({4, 5}, 6)});
  checkGradients("1-D x 2-D", mm, {f64({4}, 7), f64({4, 5}, 8)});
  checkGradients("2-D x 1-D", mm, {f64({3, 4}, 9), f64({4}, 10)});
  checkGradients("1-D x 1-D", mm, {f64({4}, 11), f64({4}, 12)});
}

TEST(AutodiffE2E, NeuralNetworkOps) {
  Tensor a = f64({4, 6}, 1);
  checkGradients("softmax", [](auto &x) { return softmax(x[0], -1); }, {a});
  checkGradients("softmax axis 0", [](auto &x) { return softmax(x[0], 0); },
                 {a});
  checkGradients("log_softmax", [](auto &x) { return log_softmax(x[0], 1); },
                 {a});
  checkGradients("layer_norm",
                 [](auto &x) { return layer_norm(x[0], {-1}, 1e-5); }, {a});
  checkGradients(
      "layer_norm with scale and bias",
      [](auto &x) { return layer_norm(x[0], {-1}, 1e-5, x[1], x[2]); },
      {f64({2, 3, 6}, 2), f64({6}, 3), f64({6}, 4)});
  checkGradients("layer_norm over two axes",
                 [](auto &x) {
                   return layer_norm(x[0], {1, 2}, 1e-3);
                 },
                 {f64({2, 3, 4}, 5)});
}

TEST(AutodiffE2E, Convolutions) {
  ConvOptions strided;
  strided.strides = {2, 1};
  strided.pads_begin = {1, 0};
  strided.pads_end = {0, 2};
  strided.dilations = {1, 2};
  checkGradients("conv with bias, strided, padded and dilated",
                 [strided](auto &x) { return conv(x[0], x[1], x[2], strided); },
                 {f64({2, 3, 6, 5}, 6), f64({4, 3, 3, 2}, 7), f64({4}, 8)});
  ConvOptions grouped;
  grouped.groups = 2;
  grouped.pads_begin = {1, 1};
  grouped.pads_end = {1, 1};
  checkGradients(
      "grouped conv",
      [grouped](auto &x) { return conv(x[0], x[1], std::nullopt, grouped); },
      {f64({1, 4, 5, 5}, 9), f64({6, 2, 3, 3}, 10)});
  ConvOptions depthwise;
  depthwise.groups = 3;
  checkGradients(
      "depthwise conv",
      [depthwise](auto &x) { return conv(x[0], x[1], x[2], depthwise); },
      {f64({2, 3, 5, 4}, 11), f64({3, 1, 2, 2}, 12), f64({3}, 13)});
  checkGradients("conv1d", [](auto &x) { return conv(x[0], x[1]); },
                 {f64({2, 2, 7}, 14), f64({3, 2, 3}, 15)});
  ConvOptions up;
  up.strides = {2, 2};
  up.pads_begin = {1, 0};
  up.pads_end = {0, 1};
  up.output_padding = {1, 0};
  checkGradients(
      "conv_transpose",
      [up](auto &x) { return conv_transpose(x[0], x[1], std::nullopt, up); },
      {f64({1, 3, 3, 3}, 16), f64({3, 2, 3, 2}, 17)});
  PoolOptions pool;
  pool.window = {2, 2};
  pool.strides = {2, 1};
  checkGradients("avg_pool", [pool](auto &x) { return avg_pool(x[0], pool); },
                 {f64({1, 2, 4, 5}, 18)});
}

//===----------------------------------------------------------------------===//
// Programs
//===----------------------------------------------------------------------===//

TEST(AutodiffE2E, MlpAttentionAndLayerNormChains) {
  checkGradients(
      "mlp",
      [](auto &x) {
        Tensor h = relu(matmul(x[0], x[1]) + x[2]);
        return log_softmax(matmul(h, x[3]), -1);
      },
      {f64({8, 5}, 1), f64({5, 16}, 2), f64({16}, 3), f64({16, 3}, 4)});
  checkGradients(
      "attention",
      [](auto &x) {
        Tensor scores = matmul(x[0], transpose(x[1], {0, 2, 1})) * 0.5;
        return matmul(softmax(scores, -1), x[2]);
      },
      {f64({2, 4, 3}, 5), f64({2, 6, 3}, 6), f64({2, 6, 2}, 7)});
  checkGradients("layer_norm chain",
                 [](auto &x) {
                   Tensor y = layer_norm(x[0] * x[1], {-1}, 1e-5);
                   return tanh(layer_norm(y + x[0], {-1}, 1e-5)) * erf(x[1]);
                 },
                 {f64({3, 5}, 8), f64({5}, 9)});
}

//===----------------------------------------------------------------------===//
// The API
//===----------------------------------------------------------------------===//

Tensor squaredError(Tensor x, Tensor w, Tensor y) {
  Tensor e = matmul(x, w) - y;
  return reduce_mean(e * e);
}

TEST(AutodiffE2E, GradAndValueAndGradEagerAndTraced) {
  Tensor x = f64({6, 3}, 1), w = f64({3, 2}, 2), y = f64({6, 2}, 3);
  // d/dw mean((xw - y)^2) = 2 x^T (xw - y) / n.
  Tensor expected = matmul(transpose(x), matmul(x, w) - y) * (2.0 / 12.0);

  Tensor dw = grad(squaredError, {1})(x, w, y)[0];
  EXPECT_TRUE(allClose(dw, expected, {0, 1e-12, 1e-14}));
  Tensor dx = grad(squaredError)(x, w, y);
  EXPECT_EQ(dx.shape(), x.shape());

  auto [value, grads] = value_and_grad(squaredError, {1, 2})(x, w, y);
  EXPECT_TRUE(allClose(value, squaredError(x, w, y), kExact));
  ASSERT_EQ(grads.size(), 2u);
  EXPECT_TRUE(allClose(grads[0], expected, {0, 1e-12, 1e-14}));
  EXPECT_TRUE(allClose(grads[1], -(matmul(x, w) - y) * (2.0 / 12.0),
                       {0, 1e-12, 1e-14}));

  // One compiled graph for the loss and both gradients.
  auto step = function(value_and_grad(squaredError, {1, 2}), "step");
  auto [tracedValue, tracedGrads] = step(x, w, y);
  EXPECT_TRUE(allClose(tracedValue, value, {0, 1e-12, 1e-14}));
  EXPECT_TRUE(allClose(tracedGrads[0], grads[0], {0, 1e-12, 1e-14}));
  EXPECT_TRUE(allClose(tracedGrads[1], grads[1], {0, 1e-12, 1e-14}));
  Tensor compiledDw = function(grad(squaredError, {1}))(x, w, y)[0];
  EXPECT_TRUE(allClose(compiledDw, expected, {0, 1e-12, 1e-14}));

  // grad of a Function: eagerly the tape records its ops.
  auto lossFn = function(squaredError);
  EXPECT_TRUE(
      allClose(grad(lossFn, {1})(x, w, y)[0], expected, {0, 1e-12, 1e-14}));
}

TEST(AutodiffE2E, TapeSemantics) {
  Tensor x = constant({1.0, 2.0, 3.0}, {3}, DType::F64);
  {
    // A non-scalar target: the gradient of its sum.
    GradientTape tape;
    tape.watch(x);
    Tensor y = x * x;
    EXPECT_TRUE(allClose(tape.gradient(y, x), x * 2.0, kExact));
    EXPECT_THAT(
        [&] {
          try {
            tape.gradient(y, x);
          } catch (const Error &e) {
            return std::string(e.what());
          }
          return std::string();
        }(),
        HasSubstr("a tape that is not persistent computes one gradient"));
  }
  {
    GradientTape tape(/*persistent=*/true);
    tape.watch(x);
    Tensor y = reduce_sum(exp(x));
    Tensor z = reduce_sum(x * 3.0);
    EXPECT_TRUE(allClose(tape.gradient(y, x), exp(x), kExact));
    EXPECT_TRUE(
        allClose(tape.gradient(z, x), full({3}, 3.0, DType::F64), kExact));
    // An intermediate is a source too.
    Tensor e = exp(x);
    Tensor w = reduce_sum(e * e);
    EXPECT_TRUE(allClose(tape.gradient(w, e), e * 2.0, kExact));
  }
  {
    // stop_gradient, unwatched and integer values carry no gradient.
    GradientTape tape;
    Tensor u = constant({5.0, 6.0, 7.0}, {3}, DType::F64);
    tape.watch(x);
    Tensor y = reduce_sum(x * stop_gradient(x) + u * x +
                          cast(cast(x, DType::I64), DType::F64));
    EXPECT_TRUE(allClose(tape.gradient(y, x), x + u, kExact));
  }
  {
    // A float32 input promoted to float64 gets a float32 gradient.
    Tensor x32 = constant({1.0f, 2.0f}, {2});
    Tensor w = constant({0.25, 3.0}, {2}, DType::F64);
    GradientTape tape;
    tape.watch(x32);
    Tensor g = tape.gradient(reduce_sum(x32 * w), x32);
    EXPECT_TRUE(allClose(g, cast(w, DType::F32), kExact));
  }
  {
    // A target that does not depend on the source: zeros.
    GradientTape tape;
    tape.watch(x);
    Tensor y = reduce_sum(constant({1.0}, {1}, DType::F64));
    EXPECT_TRUE(allClose(tape.gradient(y, x), zeros({3}, DType::F64), kExact));
  }
}

// JAX's conventions at ties: maximum and minimum split the gradient, relu
// and abs have gradient 0 at 0, reduce_max shares it among ties.
TEST(AutodiffE2E, TiesFollowJax) {
  Tensor a = constant({1.0, 2.0, 0.0}, {3}, DType::F64);
  Tensor b = constant({1.0, 1.0, 3.0}, {3}, DType::F64);
  auto grads =
      grad([](Tensor a, Tensor b) { return reduce_sum(maximum(a, b)); },
           {0, 1})(a, b);
  EXPECT_EQ(grads[0].to_vector<double>(), (std::vector<double>{0.5, 1, 0}));
  EXPECT_EQ(grads[1].to_vector<double>(), (std::vector<double>{0.5, 0, 1}));
  Tensor zero = constant({0.0, -1.0, 2.0}, {3}, DType::F64);
  EXPECT_EQ(grad([](Tensor x) { return reduce_sum(relu(x) + abs(x)); })(zero)
                .to_vector<double>(),
            (std::vector<double>{0, -1, 2}));
  Tensor tied = constant({3.0, 1.0, 3.0}, {3}, DType::F64);
  EXPECT_EQ(
      grad([](Tensor x) { return reduce_max(x); })(tied).to_vector<double>(),
      (std::vector<double>{0.5, 0, 0.5}));
}

TEST(AutodiffE2E, ErrorsNameTheProblem) {
  Tensor x = constant({1.0, 2.0}, {2}, DType::F64);
  auto message = [](auto &&call) {
    try {
      call();
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_THAT(message([&] { grad([](Tensor x) { return x * 2.0; })(x); }),
              HasSubstr("grad: the function returns (2) float64; it must "
                        "return a floating-point scalar"));
  EXPECT_THAT(message([&] {
                grad([](Tensor x, int) { return reduce_sum(x); }, {1})(x, 3);
              }),
              HasSubstr("grad: argument 1 is not a kiln::Tensor"));
  EXPECT_THAT(message([&] {
                GradientTape tape;
                Tensor y = reduce_sum(x * x);
                tape.gradient(y, x);
              }),
              HasSubstr("source 0 is not on the tape"));
  // A loop on the path: the error names it (gradients of control flow come
  // later).
  auto looped = [](Tensor x) {
    return reduce_sum(fori_loop(
        0, 3, [](Tensor, Tensor c) { return c * 2.0; }, x));
  };
  EXPECT_THAT(message([&] { function(grad(looped))(x); }),
              HasSubstr("'kiln.for' at"));
  EXPECT_THAT(message([&] { function(grad(looped))(x); }),
              HasSubstr("gradients of control-flow ops are not supported yet"));
}

// The differentiated MLP is one graph whose Linalg stage fuses forward and
// backward ops: fewer kernels than kiln ops.
TEST(AutodiffE2E, TheDifferentiatedMlpFuses) {
  auto loss = [](Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor labels) {
    Tensor h = relu(matmul(x, w1) + b1);
    Tensor logp = log_softmax(matmul(h, w2), -1);
    return -reduce_mean(reduce_sum(logp * labels, {1}));
  };
  Tensor x = normal({16, 8}, 1, DType::F32);
  Tensor w1 = normal({8, 32}, 2, DType::F32);
  Tensor b1 = normal({32}, 3, DType::F32);
  Tensor w2 = normal({32, 4}, 4, DType::F32);
  std::vector<float> oneHot(16 * 4, 0.0f);
  for (int i = 0; i < 16; ++i)
    oneHot[i * 4 + i % 4] = 1.0f;
  Tensor labels = constant(oneHot, {16, 4});
  auto step = function(value_and_grad(loss, {1, 2, 3}));
  Lowered lowered = step.lower(x, w1, b1, w2, labels);
  std::string kiln = lowered.ir(Stage::Kiln),
              linalg = lowered.ir(Stage::Linalg);
  auto count = [](const std::string &text, const std::string &what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos;
         at = text.find(what, at + 1))
      ++n;
    return n;
  };
  size_t ops = count(kiln, "= kiln.");
  size_t kernels =
      count(linalg, "linalg.generic") + count(linalg, "linalg.matmul");
  EXPECT_LT(kernels, ops) << linalg;
  auto [value, grads] = step(x, w1, b1, w2, labels);
  auto [eagerValue, eagerGrads] =
      value_and_grad(loss, {1, 2, 3})(x, w1, b1, w2, labels);
  EXPECT_TRUE(allClose(value, eagerValue, {0, 1e-5, 1e-6}));
  for (size_t i = 0; i < grads.size(); ++i)
    EXPECT_TRUE(allClose(grads[i], eagerGrads[i], {0, 1e-4, 1e-6}));
}

//===----------------------------------------------------------------------===//
// Optimizers
//===----------------------------------------------------------------------===//

TEST(OptimE2E, OneStepMatchesTheFormulas) {
  Tensor p = constant({1.0, -2.0}, {2}, DType::F64);
  Tensor g = constant({0.5, 0.25}, {2}, DType::F64);
  auto [sgdParams, sgdState] =
      optim::sgd({p}, {g}, optim::sgd_init({p}), {0.1, 0.9});
  EXPECT_TRUE(allClose(sgdParams[0], p - g * 0.1, kExact));
  auto [again, _] = optim::sgd(sgdParams, {g}, sgdState, {0.1, 0.9});
  EXPECT_TRUE(
      allClose(again[0], sgdParams[0] - (g * 0.9 + g) * 0.1, {0, 1e-15, 0}));

  // Adam's first step moves every parameter by about the learning rate.
  auto [adamParams, adamState] = optim::adam({p}, {g}, optim::adam_init({p}));
  EXPECT_EQ(adamState.step.item<double>(), 1.0);
  EXPECT_TRUE(allClose(adamParams[0], p - 1e-3, {0, 1e-7, 0}));
}

// Adam minimizes a quadratic, eagerly and in a traced step alike.
TEST(OptimE2E, AdamMinimizesAQuadraticEagerlyAndTraced) {
  auto loss = [](Tensor w, Tensor target) {
    Tensor d = w - target;
    return reduce_sum(d * d);
  };
  Tensor target = constant({3.0f, -1.0f, 0.5f}, {3});
  auto run = [&](bool traced) {
    std::vector<Tensor> params = {zeros({3})};
    optim::AdamState state = optim::adam_init(params);
    auto step = function([&](Tensor w, Tensor t, Tensor m, Tensor v) {
      auto [value, g] = value_and_grad(loss)(w, target);
      auto [next, s] = optim::adam({w}, {g}, {t, {m}, {v}}, {0.1});
      return std::vector<Tensor>{next[0], s.step, s.m[0], s.v[0]};
    });
    for (int i = 0; i < 300; ++i) {
      if (traced) {
        auto out = step(params[0], state.step, state.m[0], state.v[0]);
        params = {out[0]};
        state = {out[1], {out[2]}, {out[3]}};
      } else {
        auto [value, g] = value_and_grad(loss)(params[0], target);
        std::tie(params, state) = optim::adam(params, {g}, state, {0.1});
      }
    }
    return params[0];
  };
  Tensor eager = run(false), traced = run(true);
  EXPECT_TRUE(allClose(eager, target, {0, 0, 1e-3}));
  EXPECT_TRUE(allClose(traced, eager, {0, 1e-4, 1e-5}));
}

TEST(OptimE2E, MismatchesAreErrors) {
  Tensor p = zeros({2});
  EXPECT_THROW(optim::sgd({p}, {}, {}), Error);
  EXPECT_THROW(optim::adam({p}, {zeros({3})}, optim::adam_init({p})), Error);
}

} // namespace
} // namespace kiln::e2e
