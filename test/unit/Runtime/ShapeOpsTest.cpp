//===- ShapeOpsTest.cpp - Views, concat, pad and gather -------------------===//

#include "TestUtil.h"

using namespace kiln;
using namespace ktest;

namespace {

const char *base(const Tensor &t) {
  return static_cast<const char *>(t.storage().get());
}

TEST(ShapeOps, ReshapeIsAViewOfContiguousData) {
  Tensor x = arange(12);
  Tensor r = reshape(x, {3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 4}));
  EXPECT_EQ(r.rawData(), x.rawData()); // no copy
  expectValues(reshape(r, {2, 2, 3}), {2, 2, 3}, DType::I32,
               {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  // A non-contiguous operand is copied.
  Tensor t = transpose(r);
  Tensor rt = reshape(t, {12});
  EXPECT_NE(base(rt), base(x));
  expectValues(rt, {12}, DType::I32, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  expectValues(reshape(constant(5), {1, 1}), {1, 1}, DType::I32, {5});
  expectErrorExactly(
      [&] {
        reshape(x, {5, -1});
      },
      "reshape: cannot reshape (12) (12 elements) to [5, -1]; "
      "operand: (12) int32");
  expectError([&] { reshape(x, {-1, -1}); }, "has more than one -1");
}

TEST(ShapeOps, TransposeIsAView) {
  Tensor x = reshape(arange(24.0f, 48.0f, 1.0f), {2, 3, 4});
  Tensor t = transpose(x, {2, 0, 1});
  EXPECT_EQ(t.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(t.rawData(), x.rawData());
  EXPECT_EQ(t.strides(), (Shape{1, 12, 4}));
  std::vector<double> expected;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        expected.push_back(24 + i * 12 + j * 4 + k);
  expectValues(t, {4, 2, 3}, DType::F32, expected);
  EXPECT_EQ(transpose(x).shape(), (Shape{4, 3, 2}));
  expectError(
      [&] {
        transpose(x, {0, 1});
      },
      "transpose: permutation [0, 1] is not a permutation of the 3 "
      "dims of shape (2, 3, 4); operand: (2, 3, 4) float32");
}

TEST(ShapeOps, BroadcastToUsesZeroStrides) {
  Tensor x = constant({1, 2, 3});
  Tensor b = broadcast_to(x, {2, 3});
  EXPECT_EQ(b.rawData(), x.rawData());
  EXPECT_EQ(b.strides(), (Shape{0, 1}));
  expectValues(b, {2, 3}, DType::I32, {1, 2, 3, 1, 2, 3});
  expectValues(broadcast_to(constant(7), {2}), {2}, DType::I32, {7, 7});
  expectErrorExactly([&] { broadcast_to(x, {4}); },
                     "broadcast_to: shape (3) cannot be broadcast to (4); "
                     "operand: (3) int32");
}

TEST(ShapeOps, ExpandDimsAndSqueezeAreViews) {
  Tensor x = reshape(arange(6), {2, 3});
  Tensor e = expand_dims(x, 1);
  EXPECT_EQ(e.shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(e.rawData(), x.rawData());
  EXPECT_TRUE(e.is_contiguous());
  EXPECT_EQ(expand_dims(x, -1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(expand_dims(x, 0).shape(), (Shape{1, 2, 3}));
  Tensor s = squeeze(e);
  EXPECT_EQ(s.shape(), (Shape{2, 3}));
  EXPECT_EQ(s.rawData(), x.rawData());
  EXPECT_EQ(squeeze(zeros({1, 2, 1}), {0}).shape(), (Shape{2, 1}));
  expectValues(squeeze(e, {1}), {2, 3}, DType::I32, {0, 1, 2, 3, 4, 5});
  expectError([&] { expand_dims(x, 3); },
              "expand_dims: axis 3 is out of range for rank 3");
  expectError([&] { squeeze(x, {0}); },
              "squeeze: cannot squeeze axis 0 of size 2 in shape (2, 3); "
              "operand: (2, 3) int32");
}

TEST(ShapeOps, SliceIsAView) {
  Tensor x = reshape(arange(20), {4, 5});
  Tensor s = slice(x, {1, 0}, {4, 5}, {2, 2});
  EXPECT_EQ(base(s), base(x));
  expectValues(s, {2, 3}, DType::I32, {5, 7, 9, 15, 17, 19});
  Tensor s2 = slice(x, {0, 3}, {2, 5});
  expectValues(s2, {2, 2}, DType::I32, {3, 4, 8, 9});
  // A slice of a slice, and an empty slice.
  expectValues(slice(s, {1, 1}, {2, 3}), {1, 2}, DType::I32, {17, 19});
  expectValues(slice(x, {2, 2}, {2, 5}), {0, 3}, DType::I32, {});
  expectError(
      [&] {
        slice(x, {0, 0}, {5, 5});
      },
      "slice: slice [0:5:1] is invalid for dim 0 of shape (4, 5)");
  expectError([&] { slice(x, {0}, {1}); }, "must each have 2 values");
}

TEST(ShapeOps, Concat) {
  Tensor a = reshape(arange(4), {2, 2}), b = constant({9, 8}, {2, 1});
  expectValues(concat({a, b}, 1), {2, 3}, DType::I32, {0, 1, 9, 2, 3, 8});
  expectValues(concat({a, a}, 0), {4, 2}, DType::I32, {0, 1, 2, 3, 0, 1, 2, 3});
  Tensor f = concat({constant({1, 2}), constant({0.5f})}, 0); // promotes
  expectValues(f, {3}, DType::F32, {1, 2, 0.5});
  expectValues(concat({transpose(a), a}, -1), {2, 4}, DType::I32,
               {0, 2, 0, 1, 1, 3, 2, 3});
  expectErrorExactly(
      [&] {
        concat({a, constant({1, 2, 3}, {1, 3})}, 0);
      },
      "concat: shapes (2, 2) and (1, 3) differ outside the "
      "concatenation axis 0 (int32, int32)");
  expectError([] { concat({}, 0); }, "concat: needs at least one input");
  expectError([&] { concat({a}, 2); }, "concat: axis 2 is out of range");
}

TEST(ShapeOps, Pad) {
  Tensor x = constant({1, 2, 3, 4}, {2, 2});
  expectValues(pad(x, {1, 0}, {0, 1}), {3, 3}, DType::I32,
               {0, 0, 0, 1, 2, 0, 3, 4, 0});
  expectValues(pad(constant({1.5f}), {2}, {1}, -1), {4}, DType::F32,
               {-1, -1, 1.5, -1});
  expectError(
      [&] {
        pad(x, {-1, 0}, {0, 0});
      },
      "pad: padding low [-1, 0] and high [0, 0] must be "
      "non-negative; operand: (2, 2) int32");
}

TEST(ShapeOps, Gather) {
  Tensor x = reshape(arange(12), {3, 4});
  expectValues(gather(x, constant({2, 0}), 0), {2, 4}, DType::I32,
               {8, 9, 10, 11, 0, 1, 2, 3});
  expectValues(gather(x, constant({3, -1, 1}, {3}, DType::I64), 1), {3, 3},
               DType::I32, {3, 3, 1, 7, 7, 5, 11, 11, 9});
  expectValues(gather(x, constant({1, 2, 0, 0}, {2, 2}), 0), {2, 2, 4},
               DType::I32, {4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3});
  expectValues(gather(x, constant(1), 1), {3}, DType::I32, {1, 5, 9});
  expectErrorExactly([&] { gather(x, constant({3}), 0); },
                     "gather: index 3 is out of range for axis 0 of size 3; "
                     "operands: (3, 4) int32, (1) int32");
  expectError([&] { gather(x, constant({0.5f}), 0); },
              "gather: indices must be int32 or int64, got float32");
  expectError([&] { gather(x, constant({0}), 2); },
              "gather: axis 2 is out of range for rank 2");
}

} // namespace
