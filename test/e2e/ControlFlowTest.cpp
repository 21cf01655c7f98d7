//===- ControlFlowTest.cpp - cond, while_loop, fori_loop, scan, four ways -===//
//
// Programs with control flow run eagerly (C++ control flow), traced into
// kiln.if / kiln.while / kiln.for / kiln.scan and JIT-compiled, and from
// their saved graph file through the interpreter and the JIT.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <gmock/gmock.h>

#include <tuple>

namespace kiln::e2e {
namespace {

using ::testing::HasSubstr;

// Newton's method for square roots: the number of steps depends on the
// data. Division, addition and multiplication by 0.5 are exact or correctly
// rounded on both sides, so the roots agree bit for bit, and the steps too.
TEST(ControlFlowE2E, NewtonSquareRootsWithADataDependentTripCount) {
  auto roots = [](Tensor a) {
    auto [x, steps] = while_loop(
        [&](const std::tuple<Tensor, Tensor> &carry) {
          const Tensor &x = std::get<0>(carry);
          return reduce_max(abs(x * x - a)) > 1e-9;
        },
        [&](const std::tuple<Tensor, Tensor> &carry) {
          const auto &[x, steps] = carry;
          return std::tuple{(x + a / x) * 0.5, steps + 1};
        },
        std::tuple{a, constant(0)});
    return std::tuple{x, steps};
  };
  runThreeWays(roots, {kExact},
               constant({2.0, 10.0, 0.25, 1e4}, {4}, DType::F64));
  runThreeWays(roots, {kExact}, constant({9.0}, {1}, DType::F64));
}

// A piecewise function with nested conds on reductions of the input.
TEST(ControlFlowE2E, PiecewiseFunctionWithNestedCond) {
  auto piecewise = [](Tensor x) {
    return cond(
        reduce_sum(x) > 0.0f,
        [](Tensor x) {
          return cond(
              reduce_max(x) > 1.0f, [](Tensor x) { return x * x; },
              [](Tensor x) { return x * 2.0f; }, x);
        },
        [](Tensor x) { return -x; }, x);
  };
  for (uint64_t seed = 1; seed <= 6; ++seed)
    runThreeWays(piecewise, {kExact}, normal({5}, seed, DType::F32));
  runThreeWays(piecewise, {kExact}, constant({0.5f, 0.25f}, {2}, DType::F32));
}

// 1000 steps of a recurrence with a matmul in the body: one kiln.for, not
// 1000 ops. Each step is a dot product of 8 terms, then tanh (a polynomial
// in compiled code, within 1e-6 of eager's); tanh and weights of 0.1
// contract the differences, so they stay within 1e-5.
TEST(ControlFlowE2E, ForiLoopOfAThousandMatmuls) {
  Tensor w = normal({8, 8}, 31, DType::F32) * 0.1f;
  auto recurrence = [w](Tensor h, Tensor b) {
    return fori_loop(
        0, 1000,
        [&](const Tensor &i, const Tensor &h) {
          Tensor step = cast(i, DType::F32) * 0.001f;
          return tanh(matmul(h, w) + b + step);
        },
        h);
  };
  runThreeWays(recurrence, {Bound{0, 0, 1e-5}}, normal({4, 8}, 32, DType::F32),
               normal({8}, 33, DType::F32));
}

// A carry of three tensors of different dtypes, and loops that run zero
// times (their result is the initial carry).
TEST(ControlFlowE2E, TupleCarriesAndLoopsThatNeverRun) {
  auto mixed = [](Tensor x, Tensor limit) {
    return while_loop(
        [&](const std::tuple<Tensor, Tensor, Tensor> &carry) {
          return std::get<1>(carry) < limit;
        },
        [](const std::tuple<Tensor, Tensor, Tensor> &carry) {
          const auto &[x, count, flag] = carry;
          return std::tuple{x * 1.5f, count + 1, logical_not(flag)};
        },
        std::tuple{x, constant(0), constant(false)});
  };
  runThreeWays(mixed, {kExact}, normal({3}, 41, DType::F32), constant(7));
  runThreeWays(mixed, {kExact}, normal({3}, 42, DType::F32), constant(0));
  auto never = [](Tensor x) {
    return fori_loop(
        5, 5, [](const Tensor &, const Tensor &x) { return x * x; }, x);
  };
  runThreeWays(never, {kExact}, normal({2, 2}, 43, DType::F32));
  // Bounds from tensors, and a vector carry.
  auto sums = [](Tensor n, Tensor x) {
    return fori_loop(
        constant(int64_t{0}), n,
        [](const Tensor &i, const std::vector<Tensor> &carry) {
          return std::vector<Tensor>{carry[0] + cast(i, DType::F32),
                                     carry[1] * 2};
        },
        std::vector<Tensor>{x, constant(1)});
  };
  runThreeWays(sums, {kExact}, constant(int64_t{6}),
               normal({3}, 44, DType::F32));
  runThreeWays(sums, {kExact}, constant(int64_t{-2}),
               normal({3}, 45, DType::F32));
}

// Errors name the types and the C++ call site, eagerly and traced.
TEST(ControlFlowE2E, MismatchedTypesAreErrorsWithTheCallSite) {
  auto mismatched = [](Tensor x) {
    return cond(
        reduce_sum(x) > 0.0f, [](Tensor x) { return x; },
        [](Tensor x) { return cast(x, DType::F64); }, x);
  };
  try {
    function(mismatched)(normal({4}, 51, DType::F32));
    FAIL() << "expected kiln::Error";
  } catch (const Error &error) {
    EXPECT_THAT(error.what(),
                HasSubstr("cond: the false branch returns [(4) float64], the "
                          "true branch [(4) float32] (at "));
    EXPECT_THAT(error.what(), HasSubstr("ControlFlowTest.cpp:"));
  }
  auto growing = [](Tensor x) {
    return while_loop([](const Tensor &x) { return reduce_sum(x) < 100.0f; },
                      [](const Tensor &x) {
                        return concat({x, x}, 0);
                      },
                      x);
  };
  for (bool traced : {false, true}) {
    SCOPED_TRACE(traced ? "traced" : "eager");
    try {
      Tensor x = ones({2}, DType::F32);
      traced ? function(growing)(x) : growing(x);
      FAIL() << "expected kiln::Error";
    } catch (const Error &error) {
      EXPECT_THAT(error.what(),
                  HasSubstr("while_loop: the body returns [(4) float32], the "
                            "carry is [(2) float32] (at "));
    }
  }
  auto notBool = [](Tensor x) {
    return cond(
        reduce_sum(x), [](Tensor x) { return x; }, [](Tensor x) { return x; },
        x);
  };
  EXPECT_THROW(
      {
        try {
          notBool(ones({2}, DType::F32));
        } catch (const Error &error) {
          EXPECT_THAT(error.what(), HasSubstr("cond: the predicate must be a "
                                              "bool scalar, got () float32"));
          throw;
        }
      },
      Error);
}

// A vanilla RNN over a 128-step sequence: h = tanh(x W + h U + b), every h
// stacked. Each step is dot products of 16 and 32 terms, then tanh (a
// polynomial in compiled code, within 1e-6 of eager's); tanh and weights of
// 0.1 contract the differences, so they stay within 1e-5.
TEST(ControlFlowE2E, VanillaRnnOverASequenceWithScan) {
  Tensor wx = normal({16, 32}, 61, DType::F32) * 0.1f;
  Tensor wh = normal({32, 32}, 62, DType::F32) * 0.1f;
  Tensor b = normal({32}, 63, DType::F32) * 0.1f;
  auto rnn = [=](Tensor h0, Tensor xs) {
    auto [h, hs] = scan(
        [&](const Tensor &h, const Tensor &x) {
          Tensor next = tanh(matmul(x, wx) + matmul(h, wh) + b);
          return std::pair{next, next};
        },
        h0, xs);
    return std::tuple{h, hs};
  };
  runThreeWays(rnn, {Bound{0, 0, 1e-5}}, normal({4, 32}, 64, DType::F32),
               normal({128, 4, 16}, 65, DType::F32));
}

// A GRU cell over a 128-step sequence, the output of each step projected:
// two sigmoid gates, a tanh candidate and a blend per step, all in one
// kiln.scan. Gates and blend are convex combinations, so the per-step
// differences of tanh and sigmoid (within 1e-6) do not grow.
TEST(ControlFlowE2E, GruCellOverASequenceWithScan) {
  uint64_t seed = 70;
  auto weight = [&](Shape shape) {
    return normal(std::move(shape), seed++, DType::F32) * 0.2f;
  };
  Tensor wz = weight({8, 24}), uz = weight({24, 24}), bz = weight({24});
  Tensor wr = weight({8, 24}), ur = weight({24, 24}), br = weight({24});
  Tensor wn = weight({8, 24}), un = weight({24, 24}), bn = weight({24});
  Tensor wo = weight({24, 4});
  auto gru = [=](Tensor h0, Tensor xs) {
    auto [h, ys] = scan(
        [&](const Tensor &h, const Tensor &x) {
          Tensor z = sigmoid(matmul(x, wz) + matmul(h, uz) + bz);
          Tensor r = sigmoid(matmul(x, wr) + matmul(h, ur) + br);
          Tensor n = tanh(matmul(x, wn) + matmul(r * h, un) + bn);
          Tensor next = (1.0f - z) * n + z * h;
          return std::pair{next, matmul(next, wo)};
        },
        h0, xs);
    return std::tuple{h, ys};
  };
  runThreeWays(gru, {Bound{0, 0, 1e-5}}, normal({2, 24}, 80, DType::F32),
               normal({128, 2, 8}, 81, DType::F32));
}

// Several tensors scanned together and several outputs of other dtypes
// (exact integer prefix sums), a scan with no carry, and one of no step
// (the last carry is the initial one, the outputs are empty).
TEST(ControlFlowE2E, ScansOfTuplesAndEmptyScans) {
  auto prefix = [](Tensor start, Tensor counts, Tensor values) {
    auto [total, outputs] = scan(
        [](const Tensor &sum, const std::tuple<Tensor, Tensor> &x) {
          const auto &[count, value] = x;
          Tensor next = sum + count;
          return std::pair{next, std::tuple{next, value * 2.0, count > 2}};
        },
        start, std::tuple{counts, values});
    const auto &[sums, doubled, large] = outputs;
    return std::tuple{total, sums, doubled, large};
  };
  Tensor counts =
      constant(std::vector<int64_t>{1, 2, 3, 4, 5, 6}, {6, 1}, DType::I32);
  runThreeWays(prefix, {kExact},
               constant(std::vector<int64_t>{10}, {1}, DType::I32), counts,
               normal({6, 2, 2}, 82, DType::F64));
  runThreeWays(prefix, {kExact},
               constant(std::vector<int64_t>{10}, {1}, DType::I32),
               zeros({0, 1}, DType::I32), zeros({0, 2, 2}, DType::F64));
  auto squares = [](Tensor xs) {
    return scan(
               [](const std::vector<Tensor> &, const Tensor &x) {
                 return std::pair{std::vector<Tensor>{}, x * x};
               },
               std::vector<Tensor>{}, xs)
        .second;
  };
  runThreeWays(squares, {kExact}, normal({5, 3}, 83, DType::F32));
}

// A scan whose number of steps is a dynamic dimension: one compiled
// function for sequences of any length.
TEST(ControlFlowE2E, ScanOverADynamicNumberOfSteps) {
  auto running = [](Tensor xs) {
    return scan(
               [](const Tensor &m, const Tensor &x) {
                 Tensor next = maximum(m, x);
                 return std::pair{next, next};
               },
               constant({-1e30f, -1e30f}, {2}), xs)
        .second;
  };
  auto compiled = function(
      running, FunctionOptions{"running_max", {TensorSpec({kDynamic, 2})}});
  for (int64_t steps : {0, 1, 7, 30}) {
    SCOPED_TRACE(steps);
    Tensor xs = normal({steps, 2}, 84 + steps, DType::F32);
    Tensor expected = running(xs);
    Tensor actual = compiled(xs);
    EXPECT_EQ(actual.shape(), expected.shape());
    EXPECT_TRUE(all_equal(actual, expected));
  }
}

// Scan errors name the types and the call site, eagerly and traced.
TEST(ControlFlowE2E, ScanErrorsNameTheTypesAndTheCallSite) {
  auto uneven = [](Tensor a, Tensor b) {
    return scan(
               [](const Tensor &c, const std::pair<Tensor, Tensor> &x) {
                 return std::pair{c, x.first + x.second};
               },
               constant(0.0f), std::pair{a, b})
        .second;
  };
  auto widening = [](Tensor xs) {
    return scan(
               [](const Tensor &c, const Tensor &x) {
                 return std::pair{cast(c + x, DType::F64), x};
               },
               constant(0.0f), xs)
        .first;
  };
  for (bool traced : {false, true}) {
    SCOPED_TRACE(traced ? "traced" : "eager");
    try {
      Tensor a = ones({3}, DType::F32), b = ones({4}, DType::F32);
      traced ? function(uneven)(a, b) : uneven(a, b);
      FAIL() << "expected kiln::Error";
    } catch (const Error &error) {
      EXPECT_THAT(
          error.what(),
          HasSubstr("scan: the tensors it scans over differ in their "
                    "first dimension: [(3) float32, (4) float32] (at "));
      EXPECT_THAT(error.what(), HasSubstr("ControlFlowTest.cpp:"));
    }
    try {
      Tensor xs = ones({3}, DType::F32);
      traced ? function(widening)(xs) : widening(xs);
      FAIL() << "expected kiln::Error";
    } catch (const Error &error) {
      EXPECT_THAT(error.what(),
                  HasSubstr("scan: fn returns the carry [() float64], the "
                            "carry is [() float32] (at "));
    }
    try {
      Tensor s = ones({}, DType::F32);
      traced ? function(widening)(s) : widening(s);
      FAIL() << "expected kiln::Error";
    } catch (const Error &error) {
      EXPECT_THAT(error.what(), HasSubstr("scan: scans over tensors of rank 1 "
                                          "or more, got () float32"));
    }
  }
}

// A tensor made inside a branch cannot be used after it.
TEST(ControlFlowE2E, TensorsOfABranchDoNotEscapeIt) {
  auto escaping = [](Tensor x) {
    Tensor inner;
    Tensor y = cond(
        reduce_sum(x) > 0.0f,
        [&](Tensor x) {
          inner = x * 2.0f;
          return inner;
        },
        [](Tensor x) { return x; }, x);
    return y + inner;
  };
  try {
    function(escaping)(ones({2}, DType::F32));
    FAIL() << "expected kiln::Error";
  } catch (const Error &error) {
    EXPECT_THAT(error.what(),
                HasSubstr("a tensor made inside a branch of kiln::cond or a "
                          "loop body was used outside it"));
  }
}

// A loop whose carry starts as an argument leaves the argument alone:
// compiled code never writes its caller's tensors (kiln-read-only-arguments
// makes bufferization copy an argument it would update in place; its lit
// test shows such an update).
TEST(ControlFlowE2E, LoopsNeverWriteTheirArguments) {
  auto doubling = function([](Tensor x) {
    return fori_loop(
        0, 3, [](const Tensor &, const Tensor &c) { return c * 2.0f; }, x);
  });
  Tensor x = constant({1.0f, 2.0f}, {2});
  Tensor y = doubling(x);
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{8.0f, 16.0f}));
}

} // namespace
} // namespace kiln::e2e
