//===- ParallelTest.cpp - e2e: shapes large enough for threads
//-------------===//
//
// Compiled loops above a work threshold (kiln-parallel-to-runtime's
// `min-work`, 32768 innermost iterations) run on the runtime's thread pool,
// and matmuls on the runtime's GEMM. The other e2e cases are below that
// size; these run the threaded and runtime paths, with one and with two
// threads, against eager mode.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <tuple>

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// Runs `body` with 1 thread and with 2, restoring the default.
template <typename F> void withThreadCounts(F body) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    set_num_threads(threads);
    body();
  }
  set_num_threads(0);
}

// These shapes do reach the thread pool and the GEMM.
TEST(ParallelE2E, ShapesReachTheRuntime) {
  Tensor x = random_normal({256, 1024}, 11);
  auto f = function([](Tensor x) { return sigmoid(x) * x; });
  EXPECT_NE(f.lower(x).ir(Stage::LLVM).find("kiln_rt_parallel_for"),
            std::string::npos);
  auto g = function([](Tensor a, Tensor b) { return matmul(a, b); });
  EXPECT_NE(g.lower(random_normal({192, 256}, 9), random_normal({256, 160}, 10))
                .ir(Stage::LLVM)
                .find("kiln_rt_matmul_set_f32"),
            std::string::npos);
}

TEST(ParallelE2E, ElementwiseChain) {
  withThreadCounts([] {
    Shape shape = {256, 1024};
    runThreeWays([](Tensor a, Tensor b, Tensor c,
                    Tensor d) { return relu(a * b + c) * sigmoid(d); },
                 Bound{0, 2e-6, 0}, random_normal(shape, 1),
                 random_normal(shape, 2), random_normal(shape, 3),
                 random_normal(shape, 4));
    // Integers are exact whatever the split across threads.
    Tensor i = cast(random_uniform({512, 512}, 5, -1000, 1000), DType::I32);
    Tensor j = cast(random_uniform({512}, 6, 1, 50), DType::I32);
    runThreeWays([](Tensor i, Tensor j) { return i / j + i * j; }, kExact, i,
                 j);
  });
}

TEST(ParallelE2E, RowReductionsSoftmaxLayerNorm) {
  withThreadCounts([] {
    Tensor x = random_normal({512, 1024}, 7);
    // Row sums of 1024 standard normal terms: Higham's bound with
    // sum|x| <= 1024 * 5 per row.
    Bound sum = summationBound(1024, 1024 * 5.0, DType::F32);
    runThreeWays(
        [](Tensor x) {
          return std::make_tuple(reduce_sum(x, {1}), reduce_max(x, {1}),
                                 argmax(x, 1));
        },
        std::vector<Bound>{sum, kExact, kExact}, x);
    // As in LinearAlgebraNNTest: softmax 2e-6 relative plus a small absolute
    // term; layer_norm 64 eps absolute.
    runThreeWays([](Tensor x) { return softmax(x, -1); }, Bound{0, 2e-6, 1e-9},
                 x);
    runThreeWays([](Tensor x) { return layer_norm(x, {-1}); },
                 Bound{2, 0, 64 * epsilonOf(DType::F32)}, x);
  });
}

TEST(ParallelE2E, ColumnReductionsAndMatmul) {
  withThreadCounts([] {
    Tensor x = random_normal({64, 65536}, 8);
    runThreeWays([](Tensor x) { return reduce_max(x, {0}); }, kExact, x);
    // A runtime GEMM (f32) of 256 terms per dot product.
    Tensor a = random_normal({192, 256}, 9), b = random_normal({256, 160}, 10);
    runThreeWays([](Tensor a, Tensor b) { return matmul(a, b); },
                 summationBound(256, 256 * 16.0, DType::F32), a, b);
  });
}

} // namespace
