//===- Models.h - The model workloads of the benchmarks ----------*- C++
//-*-===//
//
// The three models of the benchmark table, written once with Kiln's ops so
// that the same C++ runs eagerly and traced (float32, inference):
//
//   MLP  x[256,1024] -> Linear(1024,1024)+ReLU -> Linear(1024,1024)+ReLU
//        -> Linear(1024,10) -> softmax
//   ENC  one post-LN BERT encoder layer on x[8,128,512]: 8 heads of 64,
//        separate q/k/v projections with bias, scores * 1/8, softmax,
//        out-projection, residual, LayerNorm(1e-5), FFN 512->2048->512 with
//        exact GELU, residual, LayerNorm
//   MHA  the attention part of ENC alone: q, k, v [8,8,128,64] -> the
//        context [8,128,512]
//
// Weights are random (fixed seeds) and passed as arguments, as a model's
// parameters are.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_MODELS_H
#define KILN_BENCH_MODELS_H

#include "kiln/kiln.h"

#include <cmath>
#include <vector>

namespace kiln::bench {

/// x @ w + b.
inline Tensor linear(const Tensor &x, const Tensor &w, const Tensor &b) {
  return matmul(x, w) + b;
}

/// GELU with erf (PyTorch's default, "exact").
inline Tensor gelu(const Tensor &x) {
  return x * 0.5f * (erf(x * float(1.0 / std::sqrt(2.0))) + 1.0f);
}

//===--- MLP --------------------------------------------------------------===//

struct MlpWeights {
  Tensor w1, b1, w2, b2, w3, b3;
};

inline MlpWeights mlpWeights() {
  return {
      random_normal({1024, 1024}, 11) * 0.03f, random_normal({1024}, 12) * 0.1f,
      random_normal({1024, 1024}, 13) * 0.03f, random_normal({1024}, 14) * 0.1f,
      random_normal({1024, 10}, 15) * 0.03f,   random_normal({10}, 16) * 0.1f};
}

inline Tensor mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2,
                  Tensor w3, Tensor b3) {
  Tensor h = relu(linear(x, w1, b1));
  h = relu(linear(h, w2, b2));
  return softmax(linear(h, w3, b3), -1);
}

//===--- MHA --------------------------------------------------------------===//

/// softmax(q k^T / sqrt(d)) v for q, k, v [batch, heads, seq, d], the heads
/// then concatenated: [batch, seq, heads * d].
inline Tensor attention(Tensor q, Tensor k, Tensor v) {
  int64_t batch = q.shape()[0], heads = q.shape()[1], seq = q.shape()[2],
          d = q.shape()[3];
  Tensor scores =
      matmul(q, transpose(k, {0, 1, 3, 2})) * float(1.0 / std::sqrt(double(d)));
  Tensor context = matmul(softmax(scores, -1), v);
  return reshape(transpose(context, {0, 2, 1, 3}), {batch, seq, heads * d});
}

//===--- ENC --------------------------------------------------------------===//

struct EncoderWeights {
  Tensor wq, bq, wk, bk, wv, bv, wo, bo, ln1g, ln1b, w1, b1, w2, b2, ln2g, ln2b;

  std::vector<Tensor> list() const {
    return {wq,   bq,   wk, bk, wv, bv, wo,   bo,
            ln1g, ln1b, w1, b1, w2, b2, ln2g, ln2b};
  }
};

inline EncoderWeights encoderWeights() {
  auto w = [](int64_t rows, int64_t cols, uint64_t seed) {
    return random_normal({rows, cols}, seed) * float(1.0 / std::sqrt(rows));
  };
  auto b = [](int64_t n, uint64_t seed) {
    return random_normal({n}, seed) * 0.02f;
  };
  return {w(512, 512, 21),  b(512, 22),   w(512, 512, 23),  b(512, 24),
          w(512, 512, 25),  b(512, 26),   w(512, 512, 27),  b(512, 28),
          ones({512}),      zeros({512}), w(512, 2048, 29), b(2048, 30),
          w(2048, 512, 31), b(512, 32),   ones({512}),      zeros({512})};
}

/// One post-LN encoder layer; `p` holds EncoderWeights::list()'s tensors.
inline Tensor encoder(const Tensor &x, const std::vector<Tensor> &p) {
  const int64_t heads = 8;
  int64_t batch = x.shape()[0], seq = x.shape()[1], model = x.shape()[2],
          d = model / heads;
  auto split = [&](const Tensor &t) { // [b, s, h*d] -> [b, h, s, d]
    return transpose(reshape(t, {batch, seq, heads, d}), {0, 2, 1, 3});
  };
  Tensor q = split(linear(x, p[0], p[1]));
  Tensor k = split(linear(x, p[2], p[3]));
  Tensor v = split(linear(x, p[4], p[5]));
  Tensor attended = linear(attention(q, k, v), p[6], p[7]);
  Tensor h = layer_norm(x + attended, {-1}, 1e-5, p[8], p[9]);
  Tensor ffn = linear(gelu(linear(h, p[10], p[11])), p[12], p[13]);
  return layer_norm(h + ffn, {-1}, 1e-5, p[14], p[15]);
}

} // namespace kiln::bench

#endif // KILN_BENCH_MODELS_H
