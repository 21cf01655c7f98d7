//===- ConvTest.cpp - conv, conv_transpose and pooling, three ways --------===//
//
// The eager results are checked against direct loops written here, by the
// definition (a sum over every tap for conv, a scatter of every input
// element for conv_transpose, every window element for pooling); then the
// traced, JIT-compiled and interpreted results against the eager ones. The
// traced conv is one kiln.conv op, which compiled code runs on eager mode's
// kernel (the implicit GEMM, or the depthwise one), so the three modes agree
// bit for bit; the test checks that too.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include "kiln/Runtime/CAbi.h"

#include <algorithm>
#include <cmath>

namespace kiln::e2e {
namespace {

/// The values of a 2-D problem as doubles, NCHW.
struct Dims {
  int64_t n, c, h, w;
};

/// conv2d by definition, in double: out[n][m][y][x] = bias[m] + sum over
/// c in m's group, ky, kx of in[n][c][y*s - pad + ky*d][x*s - pad + kx*d] *
/// w[m][c'][ky][kx].
std::vector<double> referenceConv(const Tensor &x, const Tensor &w,
                                  const std::vector<double> &bias,
                                  const ConvOptions &o) {
  std::vector<double> xv = x.toDoubleVector(), wv = w.toDoubleVector();
  Dims in{x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]};
  int64_t m = w.shape()[0], cg = w.shape()[1], kh = w.shape()[2],
          kw = w.shape()[3];
  int64_t sh = o.strides[0], sw = o.strides[1], dh = o.dilations[0],
          dw = o.dilations[1];
  int64_t ph = o.pads_begin[0], pw = o.pads_begin[1];
  int64_t oh = (in.h + ph + o.pads_end[0] - (kh - 1) * dh - 1) / sh + 1;
  int64_t ow = (in.w + pw + o.pads_end[1] - (kw - 1) * dw - 1) / sw + 1;
  int64_t mg = m / o.groups;
  std::vector<double> out(in.n * m * oh * ow);
  for (int64_t b = 0; b < in.n; ++b)
    for (int64_t f = 0; f < m; ++f)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t z = 0; z < ow; ++z) {
          double sum = bias.empty() ? 0 : bias[f];
          int64_t group = f / mg;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t yy = y * sh - ph + i * dh, zz = z * sw - pw + j * dw;
                if (yy < 0 || yy >= in.h || zz < 0 || zz >= in.w)
                  continue;
                int64_t ci = group * cg + c;
                sum += xv[((b * in.c + ci) * in.h + yy) * in.w + zz] *
                       wv[((f * cg + c) * kh + i) * kw + j];
              }
          out[((b * m + f) * oh + y) * ow + z] = sum;
        }
  return out;
}

void expectNear(const Tensor &actual, const std::vector<double> &expected,
                double tolerance) {
  std::vector<double> a = actual.toDoubleVector();
  ASSERT_EQ(a.size(), expected.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], expected[i], tolerance) << "element " << i;
}

struct ConvCase {
  const char *name;
  Shape x, w;
  ConvOptions options;
  bool bias;
};

TEST(ConvE2E, Conv2dMatchesTheDefinition) {
  auto opts = [](std::vector<int64_t> s, std::vector<int64_t> pb,
                 std::vector<int64_t> pe, std::vector<int64_t> d, int64_t g) {
    ConvOptions o;
    o.strides = s;
    o.pads_begin = pb;
    o.pads_end = pe;
    o.dilations = d;
    o.groups = g;
    return o;
  };
  const ConvCase cases[] = {
      {"plain",
       {2, 3, 7, 6},
       {4, 3, 3, 3},
       opts({1, 1}, {0, 0}, {0, 0}, {1, 1}, 1),
       true},
      {"strided and padded",
       {1, 3, 9, 8},
       {5, 3, 3, 2},
       opts({2, 3}, {1, 0}, {2, 1}, {1, 1}, 1),
       true},
      {"dilated",
       {1, 2, 9, 9},
       {3, 2, 3, 3},
       opts({1, 1}, {2, 2}, {2, 2}, {2, 2}, 1),
       false},
      {"grouped",
       {2, 4, 6, 6},
       {6, 2, 3, 3},
       opts({1, 1}, {1, 1}, {1, 1}, {1, 1}, 2),
       true},
      {"depthwise",
       {1, 5, 8, 7},
       {5, 1, 3, 3},
       opts({2, 1}, {1, 1}, {1, 1}, {1, 1}, 5),
       true},
      // Lines of 19 outputs: a block of 16 read two apart, then the rest.
      {"depthwise, strided",
       {1, 8, 11, 37},
       {8, 1, 3, 3},
       opts({2, 2}, {1, 1}, {1, 1}, {1, 1}, 8),
       true},
      // Unpadded (the kernel reads the input in place, so a line's last
      // block is summed one output at a time), a stride of 3 (no vector
      // shuffle), lines of 23, in a group of 4 and a group of 1.
      {"depthwise, unpadded, stride 3",
       {1, 3, 6, 70},
       {3, 1, 2, 3},
       opts({1, 3}, {0, 0}, {0, 0}, {1, 1}, 3),
       true},
      // Three lines of 37 at once: two blocks of 16, then a last one of 5
      // computed whole.
      {"depthwise, three lines",
       {1, 2, 3, 37},
       {2, 1, 3, 3},
       opts({1, 1}, {1, 1}, {1, 1}, {1, 1}, 2),
       false},
      {"1x1",
       {2, 8, 5, 5},
       {4, 8, 1, 1},
       opts({1, 1}, {0, 0}, {0, 0}, {1, 1}, 1),
       true},
      // Several of the GEMM's KC blocks (depth 360), column chunks (320
      // positions), row panels and row blocks (200 output channels).
      {"large",
       {2, 40, 20, 16},
       {200, 40, 3, 3},
       opts({1, 1}, {1, 1}, {1, 1}, {1, 1}, 1),
       true},
      {"large, strided and grouped",
       {1, 36, 23, 21},
       {48, 12, 3, 3},
       opts({2, 2}, {1, 0}, {0, 1}, {1, 1}, 3),
       false},
  };
  for (const ConvCase &c : cases)
    for (DType dtype : {DType::F32, DType::F64}) {
      SCOPED_TRACE(std::string(c.name) + " " + str(dtype));
      Tensor x = uniform(c.x, 1, -1, 1, dtype);
      Tensor w = uniform(c.w, 2, -1, 1, dtype);
      Tensor b = uniform({c.w[0]}, 3, -1, 1, dtype);
      std::vector<double> bias;
      if (c.bias)
        bias = b.toDoubleVector();
      std::optional<Tensor> maybeBias;
      if (c.bias)
        maybeBias = b;
      Tensor y = conv(x, w, maybeBias, c.options);
      // Sums of `terms` products of numbers in [-1, 1].
      int64_t terms = c.w[1] * c.w[2] * c.w[3] + 1;
      double tolerance = dtype == DType::F32
                             ? std::max(1e-5, 3e-7 * double(terms))
                             : std::max(1e-12, 1e-15 * double(terms));
      expectNear(y, referenceConv(x, w, bias, c.options), tolerance);
      // Compiled and interpreted: eager mode's kernel, so the same sums in
      // the same order.
      ConvOptions options = c.options;
      runThreeWays(
          [options, hasBias = c.bias](const Tensor &x, const Tensor &w,
                                      const Tensor &b) {
            return conv(x, w, hasBias ? std::optional<Tensor>(b) : std::nullopt,
                        options);
          },
          kExact, x, w, b);
    }
}

TEST(ConvE2E, ReadsInputAndWeightViewsThroughTheirStrides) {
  // An input that is a transposed view, a weight that is a slice of a
  // larger one: the kernel reads both through their strides.
  Tensor base = uniform({1, 18, 17, 10}, 21, -1, 1, DType::F32);
  Tensor x = transpose(base, {0, 3, 2, 1}); // [1, 10, 17, 18]
  Tensor wide = uniform({20, 10, 3, 5}, 22, -1, 1, DType::F32);
  Tensor w = slice(wide, {0, 0, 0, 1}, {20, 10, 3, 4}); // [20, 10, 3, 3]
  ASSERT_FALSE(x.is_contiguous());
  ASSERT_FALSE(w.is_contiguous());
  ConvOptions o;
  o.strides = {1, 1};
  o.pads_begin = {1, 1};
  o.pads_end = {1, 1};
  o.dilations = {1, 1};
  Tensor y = conv(x, w, std::nullopt, o);
  expectNear(y, referenceConv(x.contiguous(), w.contiguous(), {}, o), 3e-5);
  EXPECT_EQ(
      y.toDoubleVector(),
      conv(x.contiguous(), w.contiguous(), std::nullopt, o).toDoubleVector());
  runThreeWays(
      [o](const Tensor &x, const Tensor &w) {
        return conv(transpose(x, {0, 3, 2, 1}), w, std::nullopt, o);
      },
      kExact, base, w);
}

TEST(ConvE2E, Conv1dAnd3d) {
  Tensor x1 = uniform({2, 3, 11}, 4, -1, 1, DType::F64);
  Tensor w1 = uniform({4, 3, 3}, 5, -1, 1, DType::F64);
  ConvOptions o1;
  o1.strides = {2};
  o1.pads_begin = {1};
  o1.pads_end = {1};
  Tensor y1 = conv(x1, w1, std::nullopt, o1);
  // As a 2-D conv with a unit height.
  ConvOptions o2 = o1;
  o2.strides = {1, 2};
  o2.pads_begin = {0, 1};
  o2.pads_end = {0, 1};
  o2.dilations = {1, 1};
  Tensor y2 = conv(expand_dims(x1, 2), expand_dims(w1, 2), std::nullopt, o2);
  expectNear(y1, squeeze(y2, {2}).toDoubleVector(), 0);
  EXPECT_EQ(y1.shape(), (Shape{2, 4, 6}));

  Tensor x3 = uniform({1, 2, 5, 4, 4}, 6, -1, 1, DType::F32);
  Tensor w3 = uniform({3, 2, 2, 2, 2}, 7, -1, 1, DType::F32);
  Tensor y3 = conv(x3, w3);
  EXPECT_EQ(y3.shape(), (Shape{1, 3, 4, 3, 3}));
  runThreeWays([](const Tensor &x, const Tensor &w) { return conv(x, w); },
               kExact, x3, w3);

  // Depthwise in one and three dimensions: the same sums as the 2-D kernel
  // with a unit height.
  Tensor xd = uniform({2, 6, 13}, 8, -1, 1, DType::F32);
  Tensor wd = uniform({6, 1, 3}, 9, -1, 1, DType::F32);
  ConvOptions od;
  od.pads_begin = {2};
  od.pads_end = {1};
  od.dilations = {2};
  od.groups = 6;
  Tensor yd = conv(xd, wd, std::nullopt, od);
  ConvOptions od2 = od;
  od2.strides = {1, 1};
  od2.pads_begin = {0, 2};
  od2.pads_end = {0, 1};
  od2.dilations = {1, 2};
  expectNear(
      yd,
      squeeze(conv(expand_dims(xd, 2), expand_dims(wd, 2), std::nullopt, od2),
              {2})
          .toDoubleVector(),
      0);
  runThreeWays([od](const Tensor &x,
                    const Tensor &w) { return conv(x, w, std::nullopt, od); },
               kExact, xd, wd);
  Tensor x3d = uniform({1, 4, 5, 6, 5}, 10, -1, 1, DType::F64);
  Tensor w3d = uniform({4, 1, 3, 2, 3}, 11, -1, 1, DType::F64);
  ConvOptions o3d;
  o3d.strides = {2, 1, 2};
  o3d.pads_begin = {1, 0, 1};
  o3d.pads_end = {1, 0, 1};
  o3d.groups = 4;
  Tensor y3d = conv(x3d, w3d, std::nullopt, o3d);
  EXPECT_EQ(y3d.shape(), (Shape{1, 4, 3, 5, 3}));
  // Channel c by the GEMM: a one-channel conv with two output channels.
  ConvOptions one = o3d;
  one.groups = 1;
  for (int64_t c = 0; c < 4; ++c) {
    Tensor xc = slice(x3d, {0, c, 0, 0, 0}, {1, c + 1, 5, 6, 5});
    Tensor wc = slice(w3d, {c, 0, 0, 0, 0}, {c + 1, 1, 3, 2, 3});
    Tensor yc = conv(xc, concat({wc, wc}, 0), std::nullopt, one);
    expectNear(slice(y3d, {0, c, 0, 0, 0}, {1, c + 1, 3, 5, 3}),
               slice(yc, {0, 0, 0, 0, 0}, {1, 1, 3, 5, 3}).toDoubleVector(),
               1e-12);
  }
  runThreeWays([o3d](const Tensor &x,
                     const Tensor &w) { return conv(x, w, std::nullopt, o3d); },
               kExact, x3d, w3d);
}

/// conv_transpose by definition: every input element scatters its weighted
/// kernel into the output.
TEST(ConvE2E, ConvTransposeMatchesTheDefinition) {
  for (int64_t groups : {1, 2}) {
    SCOPED_TRACE("groups " + std::to_string(groups));
    Tensor x = uniform({1, 4, 4, 3}, 8, -1, 1, DType::F64);
    Tensor w = uniform({4, 3, 3, 2}, 9, -1, 1, DType::F64); // C x M/g x K
    ConvOptions o;
    o.strides = {2, 3};
    o.pads_begin = {1, 0};
    o.pads_end = {0, 1};
    o.output_padding = {1, 0};
    o.groups = groups;
    Tensor y = conv_transpose(x, w, std::nullopt, o);
    int64_t m = 3 * groups, cg = 4 / groups;
    int64_t full_h = 2 * (4 - 1) + 1 + 3, full_w = 3 * (3 - 1) + 0 + 2;
    int64_t oh = full_h - 1, ow = full_w - 1;
    ASSERT_EQ(y.shape(), (Shape{1, m, oh, ow}));
    std::vector<double> xv = x.toDoubleVector(), wv = w.toDoubleVector();
    std::vector<double> full(m * full_h * full_w, 0.0);
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 3; ++j)
          for (int64_t f = 0; f < 3; ++f)
            for (int64_t a = 0; a < 3; ++a)
              for (int64_t b = 0; b < 2; ++b) {
                int64_t out = (c / cg) * 3 + f;
                full[(out * full_h + i * 2 + a) * full_w + j * 3 + b] +=
                    xv[(c * 4 + i) * 3 + j] * wv[((c * 3 + f) * 3 + a) * 2 + b];
              }
    // Crop pads_begin at the start and pads_end at the end.
    std::vector<double> expected;
    for (int64_t f = 0; f < m; ++f)
      for (int64_t i = 1; i < 1 + oh; ++i)
        for (int64_t j = 0; j < ow; ++j)
          expected.push_back(full[(f * full_h + i) * full_w + j]);
    expectNear(y, expected, 1e-12);
    runThreeWays(
        [o](const Tensor &x, const Tensor &w) {
          return conv_transpose(x, w, std::nullopt, o);
        },
        kExact, x, w);
  }
}

TEST(ConvE2E, PoolingMatchesTheDefinition) {
  Tensor x = uniform({2, 3, 7, 8}, 10, -2, 2, DType::F32);
  for (bool ceil : {false, true})
    for (bool includePad : {false, true}) {
      SCOPED_TRACE(std::string(ceil ? "ceil " : "floor ") +
                   (includePad ? "counting pads" : "not counting pads"));
      PoolOptions o;
      o.window = {3, 2};
      o.strides = {2, 3};
      o.pads_begin = {1, 0};
      o.pads_end = {1, 1};
      o.ceil_mode = ceil;
      o.count_include_pad = includePad;
      Tensor mx = max_pool(x, o), av = avg_pool(x, o);
      int64_t oh = ceil ? 4 : 4, ow = ceil ? 3 : 3;
      // (7 + 2 - 3) / 2 + 1 = 4 either way; (8 + 1 - 2) / 3 + 1 = 3, ceil 4
      // but the 4th window would start at 9 > 8: dropped.
      ASSERT_EQ(mx.shape(), (Shape{2, 3, oh, ow}));
      std::vector<double> xv = x.toDoubleVector(), mxv, avv;
      for (int64_t p = 0; p < 6; ++p)
        for (int64_t y = 0; y < oh; ++y)
          for (int64_t z = 0; z < ow; ++z) {
            double best = -INFINITY, sum = 0;
            int64_t count = 0;
            for (int64_t i = 0; i < 3; ++i)
              for (int64_t j = 0; j < 2; ++j) {
                int64_t yy = y * 2 - 1 + i, zz = z * 3 + j;
                bool inside = yy >= 0 && yy < 7 && zz >= 0 && zz < 8;
                bool inPad = yy >= -1 && yy < 8 && zz >= 0 && zz < 9;
                if (inside) {
                  double v = xv[(p * 7 + yy) * 8 + zz];
                  best = std::max(best, v);
                  sum += v;
                }
                count += includePad ? inPad : inside;
              }
            mxv.push_back(best);
            avv.push_back(sum / count);
          }
      expectNear(mx, mxv, 0);
      expectNear(av, avv, 1e-6);
      runThreeWays([o](const Tensor &x) { return max_pool(x, o); }, kExact, x);
      runThreeWays([o](const Tensor &x) { return avg_pool(x, o); },
                   Bound{0, 1e-6, 1e-6}, x);
    }
}

TEST(ConvE2E, TracesToOneConvOpThatCallsTheRuntimesKernel) {
  auto f = function(
      [](const Tensor &x, const Tensor &w, const Tensor &b) {
        ConvOptions o;
        o.pads_begin = {1, 1};
        o.pads_end = {1, 1};
        return relu(conv(x, w, b, o));
      },
      "conv_relu");
  Tensor x = uniform({1, 8, 10, 10}, 13, -1, 1, DType::F32);
  Tensor w = uniform({16, 8, 3, 3}, 14, -1, 1, DType::F32);
  Tensor b = uniform({16}, 15, -1, 1, DType::F32);
  Lowered lowered = f.lower(x, w, b);
  std::string kiln = lowered.ir(Stage::Kiln),
              linalg = lowered.ir(Stage::Linalg);
  EXPECT_NE(kiln.find("kiln.conv %arg0, %arg1 bias %arg2 strides = [1, 1] "
                      "pads_begin = [1, 1] pads_end = [1, 1] dilations = [1, "
                      "1] groups = 1"),
            std::string::npos)
      << kiln;
  // The conv is a call of the runtime's kernel, the relu a generic.
  EXPECT_NE(linalg.find("call @kiln_rt_conv_f32"), std::string::npos) << linalg;
  EXPECT_EQ(linalg.find("linalg.matmul"), std::string::npos) << linalg;
  EXPECT_EQ(linalg.find("kiln.conv"), std::string::npos) << linalg;
}

TEST(ConvE2E, TheResidualAndTheReluRunInTheKernel) {
  // A ResNet block's tail, relu(conv(x) + shortcut): compiled, the add and
  // the relu are the conv kernel's epilogue, with the rounding of the
  // separate ops, so the three modes agree bit for bit.
  ConvOptions o;
  o.pads_begin = {1, 1};
  o.pads_end = {1, 1};
  auto block = [o](const Tensor &x, const Tensor &w, const Tensor &b,
                   const Tensor &shortcut) {
    return relu(conv(x, w, b, o) + shortcut);
  };
  Tensor x = uniform({1, 16, 12, 12}, 31, -1, 1, DType::F32);
  Tensor w = uniform({24, 16, 3, 3}, 32, -1, 1, DType::F32);
  Tensor b = uniform({24}, 33, -1, 1, DType::F32);
  Tensor shortcut = uniform({1, 24, 12, 12}, 34, -1, 1, DType::F32);
  runThreeWays(block, kExact, x, w, b, shortcut);
  std::string linalg =
      function(block, "block").lower(x, w, b, shortcut).ir(Stage::Linalg);
  EXPECT_NE(linalg.find("call @kiln_rt_conv_f32"), std::string::npos) << linalg;
  EXPECT_EQ(linalg.find("linalg.generic"), std::string::npos) << linalg;
  // Some elements are negative before the relu: the epilogue's relu ran.
  std::vector<double> pre = (conv(x, w, b, o) + shortcut).toDoubleVector();
  EXPECT_TRUE(
      std::any_of(pre.begin(), pre.end(), [](double v) { return v < 0; }));
}

TEST(ConvE2E, PackedConstantWeightsGiveTheSameBits) {
  // A constant weight of a conv of one group whose output channels fill
  // panels (32 float32 or 16 float64 channels) is packed at compile time,
  // and the compiled code runs the GEMM the other way round on it (output
  // positions by output channels, runtime/ConvGemm.cpp: runPacked). Eager
  // mode and the interpreter run the unpacked weights: the three modes must
  // still agree bit for bit. The cases cover several depth blocks (depth
  // 360 > 256), position counts that fill neither the 6 or 7 rows of a tile
  // nor the 16 of a transposed block, several position blocks and channel
  // panels, strides, dilations, uneven padding, 1-D and 3-D, no bias, and
  // several images.
  struct Case {
    const char *name;
    Shape x, w;
    ConvOptions options;
    bool bias;
    DType dtype;
  };
  auto opts = [](std::vector<int64_t> s, std::vector<int64_t> pb,
                 std::vector<int64_t> pe, std::vector<int64_t> d) {
    ConvOptions o;
    o.strides = std::move(s);
    o.pads_begin = std::move(pb);
    o.pads_end = std::move(pe);
    o.dilations = std::move(d);
    return o;
  };
  std::vector<Case> cases = {
      {"two depth blocks, 99 positions, two images",
       {2, 40, 9, 11},
       {64, 40, 3, 3},
       opts({1, 1}, {1, 1}, {1, 1}, {1, 1}),
       true,
       DType::F32},
      {"strided, dilated, uneven padding, no bias",
       {1, 8, 13, 12},
       {32, 8, 3, 2},
       opts({2, 1}, {2, 1}, {1, 2}, {2, 2}),
       false,
       DType::F32},
      {"several position blocks and channel panels",
       {1, 16, 40, 40},
       {96, 16, 3, 3},
       opts({1, 1}, {1, 1}, {1, 1}, {1, 1}),
       true,
       DType::F32},
      {"1x1, stride 2",
       {1, 24, 15, 15},
       {32, 24, 1, 1},
       opts({2, 2}, {0, 0}, {0, 0}, {1, 1}),
       true,
       DType::F32},
      {"1-D",
       {3, 5, 37},
       {32, 5, 4},
       opts({3}, {2}, {1}, {1}),
       true,
       DType::F32},
      {"3-D",
       {1, 4, 5, 6, 7},
       {32, 4, 2, 3, 2},
       opts({1, 1, 1}, {1, 0, 1}, {0, 1, 1}, {1, 1, 2}),
       true,
       DType::F32},
      {"float64, one panel",
       {1, 6, 7, 7},
       {16, 6, 3, 3},
       opts({1, 1}, {1, 1}, {1, 1}, {1, 1}),
       true,
       DType::F64},
      {"float64, three panels, two depth blocks",
       {2, 30, 6, 5},
       {48, 30, 3, 3},
       opts({1, 1}, {1, 1}, {1, 1}, {1, 1}),
       false,
       DType::F64},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    Tensor x = uniform(c.x, 41, -1, 1, c.dtype);
    Tensor w = uniform(c.w, 42, -1, 1, c.dtype);
    std::optional<Tensor> b;
    if (c.bias)
      b = uniform({c.w[0]}, 43, -1, 1, c.dtype);
    // The weights and bias are captured: constants of the traced graph.
    auto f = [w, b, o = c.options](const Tensor &x) {
      return conv(x, w, b, o);
    };
    runThreeWays(f, kExact, x);
    std::string linalg = function(f, "packed").lower(x).ir(Stage::Linalg);
    EXPECT_NE(linalg.find("call @kiln_rt_conv_f"), std::string::npos) << linalg;
    EXPECT_EQ(linalg.find("tensor.collapse_shape"), std::string::npos)
        << "the weights were not packed:\n"
        << linalg;
  }

  // The fused epilogue on packed weights: relu(conv(x) + shortcut).
  Tensor x = uniform({1, 16, 12, 10}, 44, -1, 1, DType::F32);
  Tensor w = uniform({32, 16, 3, 3}, 45, -1, 1, DType::F32);
  Tensor b = uniform({32}, 46, -1, 1, DType::F32);
  Tensor shortcut = uniform({1, 32, 12, 10}, 47, -1, 1, DType::F32);
  ConvOptions o = opts({1, 1}, {1, 1}, {1, 1}, {1, 1});
  runThreeWays(
      [w, b, o](const Tensor &x, const Tensor &shortcut) {
        return relu(conv(x, w, b, o) + shortcut);
      },
      kExact, x, shortcut);
}

TEST(ConvE2E, PackedWeightsGiveTheSameBitsOnAnyThreadCount) {
  // On several threads each thread pads the part of the input its tiles
  // read into a buffer of its own (runtime/ConvGemm.cpp: runPacked): ranges
  // of tiles that start or end inside an image, span several images, share
  // a block of positions (channel chunks) or read an input view that is not
  // contiguous must all give eager mode's bits.
  struct Case {
    const char *name;
    Shape x, w;
    std::vector<int64_t> strides, pads;
    bool transposedInput;
  };
  std::vector<Case> cases = {
      {"three images, many position blocks",
       {3, 8, 23, 19},
       {64, 8, 3, 3},
       {1, 1},
       {1, 1},
       false},
      {"one image, channel chunks",
       {1, 16, 7, 7},
       {128, 16, 3, 3},
       {1, 1},
       {1, 1},
       false},
      {"strided, wide padding",
       {2, 4, 30, 17},
       {32, 4, 5, 3},
       {2, 3},
       {2, 1},
       false},
      {"transposed input view",
       {2, 8, 12, 15},
       {32, 8, 3, 3},
       {1, 1},
       {1, 1},
       true},
      {"no padding, transposed input view",
       {2, 8, 12, 15},
       {32, 8, 1, 1},
       {1, 1},
       {0, 0},
       true},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    Tensor x = uniform(c.x, 51, -1, 1, DType::F32);
    if (c.transposedInput)
      x = transpose(
          uniform({c.x[0], c.x[1], c.x[3], c.x[2]}, 51, -1, 1, DType::F32),
          {0, 1, 3, 2});
    Tensor w = uniform(c.w, 52, -1, 1, DType::F32);
    Tensor b = uniform({c.w[0]}, 53, -1, 1, DType::F32);
    ConvOptions o;
    o.strides = c.strides;
    o.pads_begin = c.pads;
    o.pads_end = c.pads;
    auto f = [w, b, o](const Tensor &x) { return conv(x, w, b, o); };
    set_num_threads(1);
    Tensor expected = f(x);
    auto compiled = function(f, "packed_threads");
    std::string linalg = compiled.lower(x).ir(Stage::Linalg);
    EXPECT_EQ(linalg.find("tensor.collapse_shape"), std::string::npos)
        << "the weights were not packed:\n"
        << linalg;
    for (int threads : {1, 2, 3, 4}) {
      set_num_threads(threads);
      for (int call = 0; call < 2; ++call)
        EXPECT_TRUE(all_equal(compiled(x), expected))
            << threads << " threads, call " << call;
    }
    set_num_threads(0);
  }
}

TEST(ConvE2E, PackingWeightsChecksThem) {
  // packConvWeights: [M / 32 * C * K, 32] for float32, panels of 32
  // channels: element (q * C*K + k, j) is w[32 q + j] at tap k.
  Tensor w = uniform({64, 2, 1, 3}, 48, -1, 1, DType::F32);
  Tensor packed = packConvWeights(w);
  ASSERT_EQ(packed.shape(), (Shape{12, 32}));
  std::vector<double> wv = w.toDoubleVector(), pv = packed.toDoubleVector();
  for (int64_t q = 0; q < 2; ++q)
    for (int64_t k = 0; k < 6; ++k)
      for (int64_t j = 0; j < 32; ++j)
        ASSERT_EQ(pv[(q * 6 + k) * 32 + j], wv[(q * 32 + j) * 6 + k]);
  try {
    packConvWeights(uniform({24, 2, 3}, 49, -1, 1, DType::F32));
    FAIL() << "24 channels do not fill a panel of 32";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("a multiple of 32, got (24, 2, 3)"),
              std::string::npos)
        << e.what();
  }
}

TEST(ConvE2E, ErrorsNameTheOpAndTheOperands) {
  Tensor x = uniform({1, 3, 5, 5}, 11, -1, 1, DType::F32);
  Tensor w = uniform({4, 2, 3, 3}, 12, -1, 1, DType::F32);
  try {
    conv(x, w);
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(),
                 "conv: the weight must be M x C/groups x K..., with C and M "
                 "multiples of groups (1), got shapes (1, 3, 5, 5) and (4, 2, "
                 "3, 3); operands: (1, 3, 5, 5) float32, (4, 2, 3, 3) "
                 "float32");
  }
  PoolOptions big;
  big.window = {7, 7};
  try {
    max_pool(x, big);
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(), "max_pool: the window (extent 7) is larger than "
                           "spatial dimension 0 with its padding (5); "
                           "operand: (1, 3, 5, 5) float32");
  }
}

} // namespace
} // namespace kiln::e2e
