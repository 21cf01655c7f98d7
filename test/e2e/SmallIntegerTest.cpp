//===- SmallIntegerTest.cpp - int8, int16, uint8 and uint16, three ways ---===//
//
// Every kind of op on the 8- and 16-bit integers, traced, JIT-compiled and
// interpreted against eager mode: the arithmetic that wraps in their width,
// comparisons and divisions in their signedness, casts that saturate or
// wrap, reductions, data movement, sorting and a loop carrying them.
// Compiled code computes them in i32 as eager mode does, and keeps uint8 and
// uint16 in signless i8 and i16, so every result must be bit-equal.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <cmath>

namespace kiln::e2e {
namespace {

const DType kSmall[] = {DType::I8, DType::I16, DType::U8, DType::U16};

/// Values over most of `dtype`'s range.
Tensor wide(const Shape &shape, uint64_t seed, DType dtype) {
  double lo = isUnsigned(dtype) ? 0 : dtype == DType::I8 ? -128 : -32768;
  double hi = dtype == DType::U8    ? 256
              : dtype == DType::I8  ? 128
              : dtype == DType::U16 ? 65536
                                    : 32768;
  return uniform(shape, seed, lo, hi, dtype);
}

TEST(SmallIntegerE2E, ArithmeticAndComparisons) {
  for (DType dtype : kSmall) {
    SCOPED_TRACE(str(dtype));
    Tensor a = wide({6, 7}, 1, dtype), b = wide({6, 7}, 2, dtype);
    runThreeWays(
        [](const Tensor &a, const Tensor &b) {
          return std::vector<Tensor>{a + b,  a - b,         a * b,
                                     a / b,  maximum(a, b), minimum(a, b),
                                     neg(a), abs(a),        sign(a)};
        },
        kExact, a, b);
    runThreeWays(
        [](const Tensor &a, const Tensor &b) {
          return std::vector<Tensor>{a < b, a >= b, a == b,
                                     select(a > b, a, b)};
        },
        kExact, a, b);
    Tensor small = uniform({5}, 3, 0, 4, dtype);
    runThreeWays([](const Tensor &a, const Tensor &e) { return pow(a, e); },
                 kExact, wide({5}, 4, dtype), small);
    // Weak scalars take the tensor's dtype.
    runThreeWays([](const Tensor &a) { return a * 3 + 7; }, kExact, a);
  }
  // Mixed signedness promotes: uint8 + int8 is int16.
  Tensor u = wide({9}, 5, DType::U8), i = wide({9}, 6, DType::I8);
  EXPECT_EQ((u + i).dtype(), DType::I16);
  runThreeWays(
      [](const Tensor &u, const Tensor &i) {
        return std::vector<Tensor>{u + i, u > i, u * cast(i, DType::U16)};
      },
      kExact, u, i);
}

TEST(SmallIntegerE2E, Casts) {
  Tensor f = constant({-1e6, -300.5, -1.5, -0.5, 0.0, 0.7, 127.9, 128.0, 255.5,
                       256.0, 40000.0, 70000.0, std::nan("")},
                      {13}, DType::F32);
  for (DType dtype : kSmall) {
    SCOPED_TRACE(str(dtype));
    runThreeWays(
        [dtype](const Tensor &f) {
          Tensor x = cast(f, dtype);
          return std::vector<Tensor>{x, cast(x, DType::F32),
                                     cast(x, DType::F16), cast(x, DType::I64),
                                     cast(x, DType::Bool)};
        },
        kExact, f);
    for (DType other : kSmall)
      runThreeWays([other](const Tensor &x) { return cast(x, other); }, kExact,
                   wide({16}, 7, dtype));
  }
  runThreeWays(
      [](const Tensor &x) {
        return std::vector<Tensor>{cast(x, DType::U8), cast(x, DType::I16)};
      },
      kExact, constant({70000, -70000, 255, -1, 0}, {5}, DType::I64));
}

TEST(SmallIntegerE2E, ReductionsAndMatmul) {
  for (DType dtype : kSmall) {
    SCOPED_TRACE(str(dtype));
    Tensor a = wide({4, 5, 6}, 8, dtype);
    runThreeWays(
        [](const Tensor &a) {
          return std::vector<Tensor>{reduce_sum(a, {1}), reduce_max(a, {0, 2}),
                                     reduce_min(a),      reduce_prod(a, {2}),
                                     argmax(a, 1),       argmin(a, -1),
                                     cumsum(a, 2),       reduce_mean(a, {1})};
        },
        {kExact, kExact, kExact, kExact, kExact, kExact, kExact,
         summationBound(5, 5 * 65536, DType::F32)},
        a);
    runThreeWays([](const Tensor &a, const Tensor &b) { return matmul(a, b); },
                 kExact, wide({3, 8}, 9, dtype), wide({8, 4}, 10, dtype));
  }
}

TEST(SmallIntegerE2E, DataMovementSortingAndLoops) {
  for (DType dtype : kSmall) {
    SCOPED_TRACE(str(dtype));
    Tensor a = wide({4, 6}, 11, dtype);
    Tensor idx = constant({3, 0, 2}, {3}, DType::I64);
    runThreeWays(
        [idx](const Tensor &a) {
          return std::vector<Tensor>{
              transpose(a),
              reshape(a, {3, 8}),
              slice(a, {1, 0}, {4, 6}, {2, 3}),
              concat({a, a}, 0),
              gather(a, idx, 1),
              broadcast_to(expand_dims(slice(a, {0, 0}, {1, 6}), 0), {2, 1, 6}),
              pad(a, {1, 0}, {0, 2}, 3),
              sort(a, 1),
              argsort(a, 0, true),
              scatter_nd(a, constant({1, 1}, {2, 1}, DType::I64),
                         slice(a, {0, 0}, {2, 6}), ScatterReduction::Add)};
        },
        kExact, a);
    runThreeWays(
        [](const Tensor &a) {
          return fori_loop(
              0, 3,
              [](const Tensor &, const Tensor &carry) { return carry * 3 + 1; },
              a);
        },
        kExact, a);
  }
}

TEST(SmallIntegerE2E, BitwiseOpsAndShifts) {
  // By their definition on a few values.
  Tensor u = constant({0xF0, 0x0F, 0xAA, 0x81}, {4}, DType::U8);
  Tensor v = constant({0x3C, 0xFF, 0x55, 0x01}, {4}, DType::U8);
  EXPECT_EQ(bitwise_and(u, v).toInt64Vector(),
            (std::vector<int64_t>{0x30, 0x0F, 0x00, 0x01}));
  EXPECT_EQ(bitwise_or(u, v).toInt64Vector(),
            (std::vector<int64_t>{0xFC, 0xFF, 0xFF, 0x81}));
  EXPECT_EQ(bitwise_xor(u, v).toInt64Vector(),
            (std::vector<int64_t>{0xCC, 0xF0, 0xFF, 0x80}));
  EXPECT_EQ(bitwise_not(u).toInt64Vector(),
            (std::vector<int64_t>{0x0F, 0xF0, 0x55, 0x7E}));
  Tensor amounts = constant({1, 4, 7, 8}, {4}, DType::U8);
  EXPECT_EQ(left_shift(u, amounts).toInt64Vector(),
            (std::vector<int64_t>{0xE0, 0xF0, 0x00, 0x00}));
  EXPECT_EQ(right_shift(u, amounts).toInt64Vector(),
            (std::vector<int64_t>{0x78, 0x00, 0x01, 0x00}));
  Tensor negative = constant({-16, -16, -16, 5}, {4}, DType::I8);
  Tensor by = constant({2, 7, 9, -1}, {4}, DType::I8);
  EXPECT_EQ(right_shift(negative, by).toInt64Vector(),
            (std::vector<int64_t>{-4, -1, -1, 0}));
  EXPECT_EQ(left_shift(constant({1, 1, 3}, {3}, DType::I64),
                       constant({62, 64, -3}, {3}, DType::I64))
                .toInt64Vector(),
            (std::vector<int64_t>{int64_t{1} << 62, 0, 0}));
  // Three ways, over every integer dtype and bool.
  for (DType dtype :
       {DType::I8, DType::I16, DType::I32, DType::I64, DType::U8, DType::U16}) {
    SCOPED_TRACE(str(dtype));
    Tensor a = uniform({5, 6}, 12, -100, 100, dtype);
    Tensor b = uniform({5, 6}, 13, -100, 100, dtype);
    Tensor s = uniform({6}, 14, -3, 70, dtype);
    runThreeWays(
        [](const Tensor &a, const Tensor &b, const Tensor &s) {
          return std::vector<Tensor>{bitwise_and(a, b), bitwise_or(a, b),
                                     bitwise_xor(a, b), bitwise_not(a),
                                     left_shift(a, s),  right_shift(a, s),
                                     left_shift(a, 3),  bitwise_and(a, 0x0F)};
        },
        kExact, a, b, s);
  }
  Tensor p = constant({1, 0, 1, 0}, {4}, DType::Bool);
  Tensor q = constant({1, 1, 0, 0}, {4}, DType::Bool);
  runThreeWays(
      [](const Tensor &p, const Tensor &q) {
        return std::vector<Tensor>{bitwise_and(p, q), bitwise_or(p, q),
                                   bitwise_xor(p, q), bitwise_not(p)};
      },
      kExact, p, q);
  EXPECT_EQ(bitwise_xor(p, q).toInt64Vector(),
            (std::vector<int64_t>{0, 1, 1, 0}));
}

TEST(SmallIntegerE2E, BitwiseErrors) {
  Tensor f = zeros({2});
  Tensor i = zeros({2}, DType::I32);
  Tensor b = zeros({2}, DType::Bool);
  auto message = [](const auto &fn) {
    try {
      fn();
    } catch (const Error &error) {
      return std::string(error.what());
    }
    return std::string();
  };
  EXPECT_NE(message([&] {
              bitwise_and(f, i);
            }).find("bitwise_and: takes integer or bool operands"),
            std::string::npos);
  EXPECT_NE(message([&] {
              left_shift(b, b);
            }).find("left_shift: shifts take integer operands"),
            std::string::npos);
  EXPECT_NE(message([&] { bitwise_not(f); }).find("bitwise_not: takes integer"),
            std::string::npos);
}

} // namespace
} // namespace kiln::e2e
