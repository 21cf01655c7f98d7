//===- PrintTest.cpp - The printed form of tensors ------------------------===//
//
// Expected strings are numpy's str() of the same arrays with newlines
// replaced by single spaces, inside `kiln.Tensor(..., shape=, dtype=)`.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <cmath>
#include <sstream>

using namespace kiln;
using namespace ktest;

namespace {

std::string str(const Tensor &t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

TEST(Print, SeedExample) {
  Tensor a = constant(2), b = constant(3);
  EXPECT_EQ(str(a + b), "kiln.Tensor(5, shape=(), dtype=int32)");
  EXPECT_EQ(str(constant({1.f, 2.f, 3.f, 4.f}, {2, 2})),
            "kiln.Tensor([[1. 2.] [3. 4.]], shape=(2, 2), dtype=float32)");
}

TEST(Print, Scalars) {
  EXPECT_EQ(str(constant(2.0)), "kiln.Tensor(2.0, shape=(), dtype=float32)");
  EXPECT_EQ(str(constant(0.1)), "kiln.Tensor(0.1, shape=(), dtype=float32)");
  EXPECT_EQ(str(constant(-1.5, DType::F64)),
            "kiln.Tensor(-1.5, shape=(), dtype=float64)");
  EXPECT_EQ(str(constant(1e20)), "kiln.Tensor(1e+20, shape=(), dtype=float32)");
  EXPECT_EQ(str(constant(1.5e-5, DType::F64)),
            "kiln.Tensor(1.5e-05, shape=(), dtype=float64)");
  EXPECT_EQ(str(constant(true)), "kiln.Tensor(True, shape=(), dtype=bool)");
  EXPECT_EQ(str(constant(int64_t{-9007199254740993})),
            "kiln.Tensor(-9007199254740993, shape=(), dtype=int64)");
  EXPECT_EQ(str(constant(NAN)), "kiln.Tensor(nan, shape=(), dtype=float32)");
  EXPECT_EQ(str(constant(-INFINITY)),
            "kiln.Tensor(-inf, shape=(), dtype=float32)");
  EXPECT_EQ(str(constant(1.0f / 3)),
            "kiln.Tensor(0.33333334, shape=(), dtype=float32)");
  EXPECT_EQ(str(constant(1.0 / 3, DType::F64)),
            "kiln.Tensor(0.3333333333333333, shape=(), dtype=float64)");
  EXPECT_EQ(str(constant(0.1, DType::F16)),
            "kiln.Tensor(0.1, shape=(), dtype=float16)");
  EXPECT_EQ(str(constant(3.14159, DType::BF16)),
            "kiln.Tensor(3.14, shape=(), dtype=bfloat16)");
}

TEST(Print, Arrays) {
  EXPECT_EQ(str(constant({1.0, 2.5})),
            "kiln.Tensor([1.  2.5], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(constant({1, 10, -3})),
            "kiln.Tensor([ 1 10 -3], shape=(3,), dtype=int32)");
  EXPECT_EQ(str(constant({true, false})),
            "kiln.Tensor([ True False], shape=(2,), dtype=bool)");
  EXPECT_EQ(str(constant({-0.5f, 0.25f})),
            "kiln.Tensor([-0.5   0.25], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(constant({1.0f / 3, 2.0f})),
            "kiln.Tensor([0.33333334 2.        ], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(reshape(arange(8), {2, 2, 2})),
            "kiln.Tensor([[[0 1] [2 3]] [[4 5] [6 7]]], shape=(2, 2, 2), "
            "dtype=int32)");
  EXPECT_EQ(str(zeros({0})), "kiln.Tensor([], shape=(0,), dtype=float32)");
  EXPECT_EQ(str(zeros({2, 0})),
            "kiln.Tensor([], shape=(2, 0), dtype=float32)"); // as numpy
  EXPECT_EQ(str(constant({1, 2}, {2}, DType::I64)),
            "kiln.Tensor([1 2], shape=(2,), dtype=int64)");
  EXPECT_EQ(str(cast(constant({0.1f, 1.0f / 3}), DType::F16)),
            "kiln.Tensor([0.1    0.3333], shape=(2,), dtype=float16)");
}

TEST(Print, ScientificNotation) {
  EXPECT_EQ(str(constant({1.5e10f, 1.0f})),
            "kiln.Tensor([1.5e+10 1.0e+00], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(constant({1e-5f, 1.0f})),
            "kiln.Tensor([1.e-05 1.e+00], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(constant({1e8f})),
            "kiln.Tensor([1.e+08], shape=(1,), dtype=float32)");
  EXPECT_EQ(str(constant({1e-5f, NAN, -INFINITY})),
            "kiln.Tensor([1.e-05    nan   -inf], shape=(3,), dtype=float32)");
  EXPECT_EQ(str(constant({1e200, -1.0}, {2}, DType::F64)),
            "kiln.Tensor([ 1.e+200 -1.e+000], shape=(2,), dtype=float64)");
}

TEST(Print, NonFinite) {
  EXPECT_EQ(str(constant({1.0f, NAN})),
            "kiln.Tensor([ 1. nan], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(constant({NAN, INFINITY})),
            "kiln.Tensor([nan inf], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(constant({NAN, -INFINITY})),
            "kiln.Tensor([ nan -inf], shape=(2,), dtype=float32)");
}

TEST(Print, Summarized) {
  EXPECT_EQ(str(arange(2000)), "kiln.Tensor([   0    1    2 ... 1997 1998 "
                               "1999], shape=(2000,), dtype=int32)");
  EXPECT_EQ(str(arange(1000)).substr(0, 40),
            "kiln.Tensor([  0   1   2   3   4   5   6"); // 1000: not summarized
  EXPECT_EQ(str(reshape(arange(2000), {40, 50})),
            "kiln.Tensor([[   0    1    2 ...   47   48   49] [  50   51   52 "
            "...   97   98   99] [ 100  101  102 ...  147  148  149] ... "
            "[1850 1851 1852 ... 1897 1898 1899] [1900 1901 1902 ... 1947 1948 "
            "1949] [1950 1951 1952 ... 1997 1998 1999]], shape=(40, 50), "
            "dtype=int32)");
}

TEST(Print, ViewsPrintTheirElements) {
  Tensor t = reshape(arange(6), {2, 3});
  EXPECT_EQ(str(transpose(t)),
            "kiln.Tensor([[0 3] [1 4] [2 5]], shape=(3, 2), dtype=int32)");
  EXPECT_EQ(str(broadcast_to(constant({1, 2}), {2, 2})),
            "kiln.Tensor([[1 2] [1 2]], shape=(2, 2), dtype=int32)");
  EXPECT_EQ(toString(Tensor()), "kiln.Tensor(<undefined>)");
  EXPECT_EQ(formatValues(constant({1, 2})), "[1 2]");
  EXPECT_EQ(formatShapeTuple({}), "()");
  EXPECT_EQ(formatShapeTuple({3}), "(3,)");
  EXPECT_EQ(formatShapeTuple({2, 3}), "(2, 3)");
}

} // namespace
