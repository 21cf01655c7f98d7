//===- eager_bench.cpp - Eager-mode benchmarks ----------------------------===//
//
// Dispatch overhead of eager ops on tiny tensors (ns per op), and the
// workloads W1-W4 of docs/design.md run eagerly, each next to a hand-written
// single-threaded reference loop in the same binary so ratios can be read off
// directly:
//
//   W1  relu(a * b + c) * sigmoid(d), 2^24 float32
//   W2  row softmax, 4096 x 1024 float32
//   W3  matmul 1024 x 1024 x 1024 float32
//   W4  layer_norm over the last axis, 4096 x 1024 float32
//
// Run: kiln-bench-eager --benchmark_repetitions=5
//      --benchmark_report_aggregates_only=true
//
//===----------------------------------------------------------------------===//

#include "References.h"

#include "kiln/Runtime/Runtime.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

using namespace kiln;
using namespace kiln::bench;

namespace {

//===----------------------------------------------------------------------===//
// Dispatch overhead
//===----------------------------------------------------------------------===//

void BM_DispatchAddScalar(benchmark::State &state) {
  Tensor a = constant(2), b = constant(3);
  for (auto _ : state)
    benchmark::DoNotOptimize(add(a, b));
}
BENCHMARK(BM_DispatchAddScalar);

void BM_DispatchMulTiny(benchmark::State &state) {
  Tensor a = random_uniform({4}, 1), b = random_uniform({4}, 2);
  for (auto _ : state)
    benchmark::DoNotOptimize(mul(a, b));
}
BENCHMARK(BM_DispatchMulTiny);

void BM_DispatchExpTiny(benchmark::State &state) {
  Tensor a = random_uniform({4}, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(exp(a));
}
BENCHMARK(BM_DispatchExpTiny);

void BM_DispatchScalarOperand(benchmark::State &state) {
  Tensor a = random_uniform({4}, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(a * 2.0f);
}
BENCHMARK(BM_DispatchScalarOperand);

void BM_DispatchReduceSumTiny(benchmark::State &state) {
  Tensor a = random_uniform({2, 2}, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(reduce_sum(a, {1}));
}
BENCHMARK(BM_DispatchReduceSumTiny);

void BM_DispatchMatmulTiny(benchmark::State &state) {
  Tensor a = random_uniform({2, 2}, 1), b = random_uniform({2, 2}, 2);
  for (auto _ : state)
    benchmark::DoNotOptimize(matmul(a, b));
}
BENCHMARK(BM_DispatchMatmulTiny);

void BM_DispatchTransposeView(benchmark::State &state) {
  Tensor a = random_uniform({2, 3}, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(transpose(a));
}
BENCHMARK(BM_DispatchTransposeView);

//===----------------------------------------------------------------------===//
// W1: relu(a * b + c) * sigmoid(d), 2^24 float32
//===----------------------------------------------------------------------===//

constexpr int64_t kW1 = int64_t(1) << 24;

void BM_W1_Eager(benchmark::State &state) {
  Tensor a = random_uniform({kW1}, 1), b = random_uniform({kW1}, 2),
         c = random_uniform({kW1}, 3), d = random_uniform({kW1}, 4);
  for (auto _ : state)
    benchmark::DoNotOptimize(relu(a * b + c) * sigmoid(d));
}
BENCHMARK(BM_W1_Eager)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W1_Reference(benchmark::State &state) {
  std::vector<float> a(kW1), b(kW1), c(kW1), d(kW1), out(kW1);
  for (int64_t i = 0; i < kW1; ++i) {
    a[i] = (i % 13) * 0.1f - 0.6f;
    b[i] = (i % 7) * 0.2f;
    c[i] = (i % 5) * 0.1f - 0.2f;
    d[i] = (i % 11) * 0.3f - 1.5f;
  }
  for (auto _ : state) {
    referenceW1(a.data(), b.data(), c.data(), d.data(), out.data(), kW1);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_W1_Reference)->Unit(benchmark::kMillisecond)->UseRealTime();

//===----------------------------------------------------------------------===//
// W2: row softmax 4096 x 1024
//===----------------------------------------------------------------------===//

constexpr int64_t kRows = 4096, kCols = 1024;

void BM_W2_Eager(benchmark::State &state) {
  Tensor x = random_normal({kRows, kCols}, 5);
  for (auto _ : state)
    benchmark::DoNotOptimize(softmax(x, -1));
}
BENCHMARK(BM_W2_Eager)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W2_Reference(benchmark::State &state) {
  Tensor xt = random_normal({kRows, kCols}, 5);
  const float *x = xt.data<float>();
  std::vector<float> out(kRows * kCols);
  for (auto _ : state) {
    referenceSoftmax(x, out.data(), kRows, kCols);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_W2_Reference)->Unit(benchmark::kMillisecond)->UseRealTime();

//===----------------------------------------------------------------------===//
// W3: matmul 1024^3
//===----------------------------------------------------------------------===//

constexpr int64_t kN = 1024;

void BM_W3_Eager(benchmark::State &state) {
  Tensor a = random_uniform({kN, kN}, 6), b = random_uniform({kN, kN}, 7);
  for (auto _ : state)
    benchmark::DoNotOptimize(matmul(a, b));
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * kN * kN * kN, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}
BENCHMARK(BM_W3_Eager)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The textbook i-k-j loop, single-threaded.
void BM_W3_Reference(benchmark::State &state) {
  Tensor at = random_uniform({kN, kN}, 6), bt = random_uniform({kN, kN}, 7);
  const float *a = at.data<float>(), *b = bt.data<float>();
  std::vector<float> c(kN * kN);
  for (auto _ : state) {
    referenceMatmul(a, b, c.data(), kN);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * kN * kN * kN, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}
BENCHMARK(BM_W3_Reference)->Unit(benchmark::kMillisecond)->UseRealTime();

//===----------------------------------------------------------------------===//
// W4: layer_norm 4096 x 1024
//===----------------------------------------------------------------------===//

void BM_W4_Eager(benchmark::State &state) {
  Tensor x = random_normal({kRows, kCols}, 8);
  Tensor scale = random_uniform({kCols}, 9), bias = random_uniform({kCols}, 10);
  for (auto _ : state)
    benchmark::DoNotOptimize(layer_norm(x, {-1}, 1e-5, scale, bias));
}
BENCHMARK(BM_W4_Eager)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_W4_Reference(benchmark::State &state) {
  Tensor xt = random_normal({kRows, kCols}, 8);
  Tensor st = random_uniform({kCols}, 9), bt = random_uniform({kCols}, 10);
  const float *x = xt.data<float>(), *scale = st.data<float>(),
              *bias = bt.data<float>();
  std::vector<float> out(kRows * kCols);
  for (auto _ : state) {
    referenceLayerNorm(x, out.data(), kRows, kCols, scale, bias);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_W4_Reference)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
