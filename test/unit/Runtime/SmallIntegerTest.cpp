//===- SmallIntegerTest.cpp - int8, int16, uint8 and uint16 ---------------===//
//
// The 8- and 16-bit integers: their promotion, their arithmetic (computed in
// int32 and wrapped back to their width), comparisons in their own
// signedness, casts (float to integer saturates, integer to integer wraps),
// reductions, scalars, printing and the errors.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <cmath>
#include <limits>

using namespace kiln;
using namespace ktest;

namespace {

TEST(SmallIntegers, Promotion) {
  EXPECT_EQ(promoteTypes(DType::U8, DType::I8), DType::I16);
  EXPECT_EQ(promoteTypes(DType::U16, DType::I16), DType::I32);
  EXPECT_EQ(promoteTypes(DType::U16, DType::I8), DType::I32);
  EXPECT_EQ(promoteTypes(DType::U8, DType::I16), DType::I16);
  EXPECT_EQ(promoteTypes(DType::U8, DType::I32), DType::I32);
  EXPECT_EQ(promoteTypes(DType::U16, DType::I64), DType::I64);
  EXPECT_EQ(promoteTypes(DType::U8, DType::U16), DType::U16);
  EXPECT_EQ(promoteTypes(DType::I8, DType::I64), DType::I64);
  EXPECT_EQ(promoteTypes(DType::Bool, DType::U8), DType::U8);
  EXPECT_EQ(promoteTypes(DType::U16, DType::F16), DType::F16);
  EXPECT_EQ(promoteTypes(DType::BF16, DType::I8), DType::BF16);
  // The table is symmetric, and every type promotes with itself to itself.
  for (DType a : kAllDTypes) {
    EXPECT_EQ(promoteTypes(a, a), a);
    for (DType b : kAllDTypes)
      EXPECT_EQ(promoteTypes(a, b), promoteTypes(b, a))
          << dtypeName(a) << " " << dtypeName(b);
  }
  for (DType t : kAllDTypes)
    EXPECT_EQ(parseDType(dtypeName(t)), t);
}

TEST(SmallIntegers, ArithmeticWrapsInItsWidth) {
  Tensor u = constant({200, 100, 0, 255}, {4}, DType::U8);
  Tensor v = constant({100, 200, 1, 255}, {4}, DType::U8);
  expectValues(u + v, {4}, DType::U8, {44, 44, 1, 254});
  expectValues(u - v, {4}, DType::U8, {100, 156, 255, 0});
  expectValues(u * v, {4}, DType::U8, {32, 32, 0, 1});
  expectValues(u / v, {4}, DType::U8, {2, 0, 0, 1});
  expectValues(neg(v), {4}, DType::U8, {156, 56, 255, 1});
  Tensor i = constant({-128, 100, -7, 127}, {4}, DType::I8);
  Tensor j = constant({-1, 100, 2, 1}, {4}, DType::I8);
  expectValues(i + j, {4}, DType::I8, {127, -56, -5, -128});
  expectValues(i / j, {4}, DType::I8, {-128, 1, -4, 127});
  expectValues(i * j, {4}, DType::I8, {-128, 16, -14, 127});
  Tensor w = constant({60000, 5}, {2}, DType::U16);
  expectValues(w * w, {2}, DType::U16, {0xA400, 25});
  expectValues(pow(constant({3, 2}, {2}, DType::I16), 15), {2}, DType::I16,
               {-3477, -32768});
}

TEST(SmallIntegers, ComparisonsAndMixedSignedness) {
  Tensor u = constant({200, 1}, {2}, DType::U8);
  Tensor i = constant({-1, 1}, {2}, DType::I8);
  expectValues(u > i, {2}, DType::Bool, {1, 0});
  expectValues(u + i, {2}, DType::I16, {199, 2});
  expectValues(maximum(u, constant({100, 100}, {2}, DType::U8)), {2}, DType::U8,
               {200, 100});
  expectValues(reduce_max(u), {}, DType::U8, {200});
  expectValues(argmax(u, 0), {}, DType::I64, {0});
  expectValues(sign(u), {2}, DType::U8, {1, 1});
  expectValues(u + 50, {2}, DType::U8, {250, 51});
  expectValues(u * 2.5f, {2}, DType::F32, {500, 2.5});
  expectError([&] { u + 256; }, "the scalar 256 does not fit uint8");
  expectError([&] { u + (-1); }, "the scalar -1 does not fit uint8");
}

TEST(SmallIntegers, Casts) {
  Tensor f =
      constant({-5.0, 300.0, 3.9, std::nan(""), 70000.0}, {5}, DType::F32);
  expectValues(cast(f, DType::U8), {5}, DType::U8, {0, 255, 3, 0, 255});
  expectValues(cast(f, DType::I8), {5}, DType::I8, {-5, 127, 3, 0, 127});
  expectValues(cast(f, DType::U16), {5}, DType::U16, {0, 300, 3, 0, 65535});
  expectValues(cast(f, DType::I16), {5}, DType::I16, {-5, 300, 3, 0, 32767});
  Tensor wide = constant({300, -1, 65536}, {3}, DType::I32);
  expectValues(cast(wide, DType::U8), {3}, DType::U8, {44, 255, 0});
  expectValues(cast(wide, DType::I16), {3}, DType::I16, {300, -1, 0});
  expectValues(cast(constant({255, 0}, {2}, DType::U8), DType::F32), {2},
               DType::F32, {255, 0});
  expectValues(cast(constant({255, 0}, {2}, DType::U8), DType::I8), {2},
               DType::I8, {-1, 0});
  expectValues(cast(constant({-1, 2}, {2}, DType::I8), DType::U16), {2},
               DType::U16, {65535, 2});
}

TEST(SmallIntegers, ReductionsMatmulAndFloatingMath) {
  Tensor u = constant({200, 100, 7, 1}, {2, 2}, DType::U8);
  expectValues(reduce_sum(u), {}, DType::U8, {52});
  expectValues(reduce_sum(u, {1}), {2}, DType::U8, {44, 8});
  expectValues(reduce_mean(u), {}, DType::F32, {77});
  expectValues(cumsum(u, 0), {2, 2}, DType::U8, {200, 100, 207, 101});
  expectValues(matmul(u, u), {2, 2}, DType::U8,
               {(200 * 200 + 100 * 7) % 256, (200 * 100 + 100 * 1) % 256,
                (7 * 200 + 1 * 7) % 256, (7 * 100 + 1 * 1) % 256});
  expectValues(sqrt(constant({16, 9}, {2}, DType::U16)), {2}, DType::F32,
               {4, 3});
  expectValues(gather(u, constant({1}, {1}, DType::I64), 0), {1, 2}, DType::U8,
               {7, 1});
  expectValues(argsort(constant({255, 0, 128}, {3}, DType::U8)), {3},
               DType::I64, {1, 2, 0});
}

TEST(SmallIntegers, ElementsAndPrinting) {
  Tensor u = constant({250, 3}, {2}, DType::U8);
  EXPECT_EQ(u.to_vector<int>(), (std::vector<int>{250, 3}));
  EXPECT_EQ(u.data<uint8_t>()[0], 250);
  EXPECT_EQ(toString(u), "kiln.Tensor([250   3], shape=(2,), dtype=uint8)");
  EXPECT_EQ(toString(constant({-7, 12}, {2}, DType::I16)),
            "kiln.Tensor([-7 12], shape=(2,), dtype=int16)");
  expectError([&] { u.data<int8_t>(); }, "int8");
}

} // namespace
