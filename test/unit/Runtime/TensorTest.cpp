//===- TensorTest.cpp - Tensor storage, views, factories and access -------===//

#include "TestUtil.h"

#include <cmath>
#include <cstdint>
#include <limits>

using namespace kiln;
using namespace ktest;

namespace {

TEST(Tensor, ScalarLiteralsFollowTheSeed) {
  EXPECT_EQ(constant(2).dtype(), DType::I32);
  EXPECT_EQ(constant(2.0).dtype(), DType::F32); // double -> float32, as TF
  EXPECT_EQ(constant(2.0f).dtype(), DType::F32);
  EXPECT_EQ(constant(true).dtype(), DType::Bool);
  EXPECT_EQ(constant(int64_t{2}).dtype(), DType::I64);
  EXPECT_EQ(constant(2.5, DType::F64).dtype(), DType::F64);
  EXPECT_EQ(constant(7, DType::F16).item<float>(), 7.0f);
  EXPECT_EQ(constant(2).shape(), Shape{});
  EXPECT_EQ(constant(2).item<int>(), 2);
  EXPECT_EQ(constant(2.5).item<double>(), 2.5);
  EXPECT_EQ(constant(2.5).item<int>(), 2);
  EXPECT_TRUE(constant(true).item<bool>());
  int64_t big = (int64_t{1} << 62) + 1;
  EXPECT_EQ(constant(big).item<int64_t>(), big);
}

TEST(Tensor, ValuesAndShapes) {
  Tensor t = constant({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.dtype(), DType::I32);
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.strides(), (Shape{3, 1}));
  EXPECT_EQ(t.rank(), 2);
  EXPECT_EQ(t.size(), 6);
  EXPECT_EQ(t.dim(-1), 3);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(t.to_vector<int>(), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(constant({1.5f, 2.5f}).shape(), Shape{2});
  EXPECT_EQ(constant(std::vector<double>{1, 2}).dtype(), DType::F32);
  EXPECT_EQ(constant(std::vector<int64_t>{1, 2}).dtype(), DType::I64);
  EXPECT_EQ(constant({true, false}).dtype(), DType::Bool);
  Tensor d = constant({1, 2}, {2}, DType::F64);
  EXPECT_EQ(d.dtype(), DType::F64);
  EXPECT_EQ(d.data<double>()[1], 2.0);
  expectError(
      [] {
        constant({1, 2, 3}, {2, 2});
      },
      "constant: 3 values do not fill shape (2, 2) (4 elements)");
  expectError(
      [] {
        constant({1, 2}, {-1, -2});
      },
      "constant: invalid shape (-1, -2)");
}

TEST(Tensor, StorageIsAlignedAndShared) {
  for (DType t : allDTypes()) {
    Tensor x = zeros({3, 5}, t);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(x.rawData()) % 64, 0u);
    Tensor copy = x; // cheap: shares storage
    EXPECT_EQ(copy.rawData(), x.rawData());
    EXPECT_EQ(x.storage().use_count(), 2);
  }
}

TEST(Tensor, Factories) {
  for (DType t : allDTypes()) {
    expectValues(zeros({2, 2}, t), {2, 2}, t, {0, 0, 0, 0});
    expectValues(ones({3}, t), {3}, t, {1, 1, 1});
  }
  expectValues(full({2}, 7), {2}, DType::I32, {7, 7});
  expectValues(full({2}, 0.5), {2}, DType::F32, {0.5, 0.5});
  expectValues(full({2}, true), {2}, DType::Bool, {1, 1});
  expectValues(full({2}, 3, DType::F64), {2}, DType::F64, {3, 3});
  expectValues(arange(5), {5}, DType::I32, {0, 1, 2, 3, 4});
  expectValues(arange(2, 11, 3), {3}, DType::I32, {2, 5, 8});
  expectValues(arange(5, 0, -2), {3}, DType::I32, {5, 3, 1});
  expectValues(arange(0.0, 1.0, 0.25), {4}, DType::F32, {0, 0.25, 0.5, 0.75});
  expectValues(arange(0.0, 1.0, 0.5, DType::F64), {2}, DType::F64, {0, 0.5});
  expectValues(arange(3, 3), {0}, DType::I32, {});
  expectError([] { arange(0, 5, 0); }, "arange: invalid range");
  expectError([] { zeros({2, -3}); }, "invalid shape (2, -3)");
  // A byte size that overflows is an error, not a tiny buffer.
  int64_t huge = std::numeric_limits<int64_t>::max();
  expectError([&] { zeros({huge}, DType::BF16); },
              "empty: shape (9223372036854775807) of bfloat16 is too large");
  expectError(
      [&] {
        Tensor::empty({huge / 2, 4}, DType::F32);
      },
      "is too large to allocate");
  EXPECT_EQ(zeros({huge, huge, 0}).size(), 0);
  // The element count itself overflows int64 (undefined behaviour before).
  expectError([] { zeros({int64_t{1} << 40, int64_t{1} << 40}); },
              "is too large to allocate");
  expectError([&] { pad(zeros({0}), {huge / 2}, {huge / 2}); },
              "is too large to allocate");
}

TEST(Tensor, RandomIsDeterministicAndInRange) {
  Tensor a = random_uniform({1000}, 7), b = random_uniform({1000}, 7);
  Tensor c = random_uniform({1000}, 8);
  EXPECT_TRUE(all_equal(a, b));
  EXPECT_FALSE(all_equal(a, c));
  std::vector<float> v = a.to_vector<float>();
  double mean = 0;
  for (float x : v) {
    EXPECT_GE(x, 0.0f);
    EXPECT_LT(x, 1.0f);
    mean += x / v.size();
  }
  EXPECT_NEAR(mean, 0.5, 0.05);
  Tensor r = random_uniform({500}, 3, -2.0, 4.0, DType::F64);
  for (double x : r.to_vector<double>()) {
    EXPECT_GE(x, -2.0);
    EXPECT_LT(x, 4.0);
  }
  Tensor n = random_normal({20000}, 11, 1.0, 2.0);
  std::vector<double> nv = n.to_vector<double>();
  double m = 0, var = 0;
  for (double x : nv)
    m += x / nv.size();
  for (double x : nv)
    var += (x - m) * (x - m) / nv.size();
  EXPECT_NEAR(m, 1.0, 0.05);
  EXPECT_NEAR(std::sqrt(var), 2.0, 0.05);
  // Fixed values: the generator is part of the contract across machines.
  EXPECT_TRUE(all_equal(random_normal({3}, 11, 1.0, 2.0), slice(n, {0}, {3})));
  for (DType t : floatDTypes())
    EXPECT_EQ(random_normal({4}, 1, 0, 1, t).dtype(), t);
  expectError([] { random_uniform({2}, 1, 0, 1, DType::I32); },
              "random_uniform: dtype must be floating, got int32");
  expectError([] { random_normal({2}, 1, 0, 1, DType::Bool); },
              "random_normal: dtype must be floating, got bool");
}

TEST(Tensor, FromBlobWrapsWithoutCopy) {
  float host[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = from_blob(host, {2, 3}, DType::F32);
  EXPECT_EQ(t.data<float>(), host);
  t.data<float>()[0] = 10;
  EXPECT_EQ(host[0], 10);
  host[5] = 60;
  EXPECT_EQ(t.to_vector<float>().back(), 60);
  Tensor r = reduce_sum(t);
  EXPECT_EQ(r.item<float>(), 10 + 2 + 3 + 4 + 5 + 60);
  expectError([] { from_blob(nullptr, {2}, DType::F32); },
              "from_blob: null data pointer");
}

TEST(Tensor, DataAndItemChecks) {
  Tensor t = constant({1.0f, 2.0f, 3.0f, 4.0f}, {2, 2});
  expectErrorExactly([&] { t.data<double>(); },
                     "data: requested float64 elements of a (2, 2) float32 "
                     "tensor");
  Tensor tt = transpose(t);
  EXPECT_FALSE(tt.is_contiguous());
  expectErrorExactly(
      [&] { tt.data<float>(); },
      "data: the (2, 2) float32 tensor is a non-contiguous view; call "
      "contiguous() first");
  Tensor c = tt.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_NE(c.rawData(), t.rawData());
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{1, 3, 2, 4}));
  EXPECT_EQ(t.contiguous().rawData(), t.rawData()); // no copy when contiguous
  EXPECT_EQ(tt.to_vector<float>(), (std::vector<float>{1, 3, 2, 4}));
  expectErrorExactly([&] { t.item<float>(); },
                     "item: expected a tensor with one element, got (2, 2) "
                     "float32");
  EXPECT_EQ(constant({5}, {1, 1}).item<int>(), 5);
  Tensor undefined;
  EXPECT_FALSE(undefined.defined());
  expectError([&] { exp(undefined); }, "exp: operand is an undefined tensor");
  expectError([&] { undefined.item<int>(); }, "item: the tensor is undefined");
  expectError([&] { t.dim(2); }, "dim: axis 2 is out of range for rank 2");
}

TEST(Tensor, Float16Conversions) {
  // Exact values, rounding to nearest even, subnormals, overflow, nan.
  EXPECT_EQ(float16(1.0f).bits, 0x3c00);
  EXPECT_EQ(float16(-2.0f).bits, 0xc000);
  EXPECT_EQ(float16(65504.0f).bits, 0x7bff);
  EXPECT_EQ(float16(65520.0f).bits, 0x7c00);           // rounds to inf
  EXPECT_EQ(float16(1.0f + 1.0f / 2048).bits, 0x3c00); // tie -> even
  EXPECT_EQ(float16(1.0f + 3.0f / 2048).bits, 0x3c02); // tie -> even
  EXPECT_EQ(float16(std::ldexp(1.0f, -24)).bits, 0x0001);
  EXPECT_EQ(float16(std::ldexp(1.0f, -25)).bits, 0x0000); // tie -> even
  EXPECT_EQ(float(float16::fromBits(0x0001)), std::ldexp(1.0f, -24));
  EXPECT_EQ(float(float16::fromBits(0x03ff)), std::ldexp(1023.0f, -24));
  EXPECT_TRUE(std::isnan(float(float16(NAN))));
  EXPECT_TRUE(std::isinf(float(float16(INFINITY))));
  for (int b = 0; b < 0x7c00; b += 7) // round trip of every 7th finite half
    EXPECT_EQ(float16(float(float16::fromBits(b))).bits, b);
  EXPECT_EQ(bfloat16(1.0f).bits, 0x3f80);
  EXPECT_EQ(float(bfloat16::fromBits(0x4049)), 3.140625f);
  EXPECT_EQ(bfloat16(1.0f + 1.0f / 256).bits, 0x3f80); // tie -> even
  EXPECT_TRUE(std::isnan(float(bfloat16(NAN))));
  expectValues(constant({0.5, 1.5, 1000.0}, {3}, DType::F16), {3}, DType::F16,
               {0.5, 1.5, 1000});
  expectValues(constant({0.1}, {1}, DType::BF16), {1}, DType::BF16,
               {0.10009765625});
}

} // namespace
