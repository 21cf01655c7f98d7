//===- traced_bench.cpp - Traced (JIT) mode against eager and references --===//
//
// Prints, for each workload of docs/design.md, the median time of the traced
// (JIT-compiled) function, of the same computation in eager mode, and of a
// hand-written C++ loop compiled in this binary, with the ratios between
// them, all measured in the same run, in turn (one run of each per
// repetition):
//
//   W1  relu(a * b + c) * sigmoid(d), 2^24 float32
//   W2  row softmax, 4096 x 1024 float32
//   W3  matmul 1024 x 1024 x 1024 float32
//   W4  layer_norm over the last axis, 4096 x 1024 float32
//   the matmul shapes of the models: 512^3, 1024x512x512, 1024x512x2048,
//       256x1024x10 (m x k x n; no hand-written reference)
//   MLP, MHA and ENC, the models of bench/Models.h (no hand-written
//       reference)
//   two loops, kiln::fori_loop of 1000 small steps and kiln::scan of an RNN
//       over a 128-step sequence (no hand-written reference)
//
// and W1, W2 and the MLP traced with a dynamic leading dimension against
// the static versions, and the JIT's fixed costs: the overhead of a cached call
// on scalars, and the first call of a new Function (trace + compile + run) of a
// 20-op elementwise function, MHA, ENC and the two loops, with the time of
// each compile step. Last, the cost of the debugging switches
// (kiln::set_check_numerics, kiln::set_shadow_check) on W1 and the MLP:
// calls with one switch on, interleaved with calls with all off.
//
// Run: kiln-bench-traced [repetitions (default 11)] [threads (default: all)]
//
//===----------------------------------------------------------------------===//

#include "Avx512References.h"
#include "Models.h"
#include "References.h"

#include "kiln/kiln.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

using namespace kiln;
using namespace kiln::bench;

namespace {

using Clock = std::chrono::steady_clock;

/// Median wall time of `fn` in milliseconds over `reps` runs (after one
/// warm-up run).
double medianMs(int reps, const std::function<void()> &fn) {
  fn();
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    auto start = Clock::now();
    fn();
    times.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// Median wall times (ms) of several functions measured in turn, one run of
/// each per repetition, so that slow drifts of the shared machine (clock
/// speed, neighbours) affect them alike. The order rotates from one
/// repetition to the next: a run pays for the caches its predecessor left
/// (the 1024³ GEMM on 2 threads was 5-10% slower after the single-threaded
/// reference than after the other GEMM, whichever GEMM came there).
std::vector<double>
interleavedMediansMs(int reps, const std::vector<std::function<void()>> &fns) {
  for (const auto &fn : fns)
    fn();
  std::vector<std::vector<double>> times(fns.size());
  for (int i = 0; i < reps; ++i)
    for (size_t j = 0; j < fns.size(); ++j) {
      size_t f = (i + j) % fns.size();
      auto start = Clock::now();
      fns[f]();
      times[f].push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start)
              .count());
    }
  std::vector<double> medians;
  for (std::vector<double> &t : times) {
    std::sort(t.begin(), t.end());
    medians.push_back(t[t.size() / 2]);
  }
  return medians;
}

/// The encoder layer with its weights as separate tensor arguments.
Tensor encoderLayer(Tensor x, Tensor p0, Tensor p1, Tensor p2, Tensor p3,
                    Tensor p4, Tensor p5, Tensor p6, Tensor p7, Tensor p8,
                    Tensor p9, Tensor p10, Tensor p11, Tensor p12, Tensor p13,
                    Tensor p14, Tensor p15) {
  return encoder(x, {p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13,
                     p14, p15});
}

/// Prints the median cold first call (trace + compile + run) of a new
/// Function, over `reps` runs of `firstCall`, and the median of each step of
/// its compile (Lowered::compile_times). `firstCall` makes the Function,
/// times its first call into `ms` and returns its Lowered; destroying the
/// Function afterwards is not timed.
void printCompileCost(const char *name, int reps,
                      const std::function<Lowered(double &ms)> &firstCall) {
  std::vector<double> totals;
  std::vector<std::vector<CompileStep>> runs;
  for (int i = 0; i < reps; ++i) {
    double ms = 0;
    Lowered lowered = firstCall(ms);
    totals.push_back(ms);
    runs.push_back(lowered.compile_times());
  }
  auto median = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  std::printf("%-28s %8.1f ms:", name, median(totals));
  for (size_t s = 0; s < runs[0].size(); ++s) {
    std::vector<double> values;
    for (const auto &run : runs)
      values.push_back(s < run.size() ? run[s].ms : 0);
    std::printf(" %s %.1f", runs[0][s].step.c_str(), median(values));
  }
  std::printf("\n");
}

/// The wall time of `call()` in milliseconds.
template <typename Call> double timeMs(Call &&call) {
  auto start = Clock::now();
  call();
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

/// The RNN's h [8, 64], xs [128, 8, 32], wx, wh and b.
std::vector<Tensor> rnnInputs() {
  return {random_normal({8, 64}, 25), random_normal({128, 8, 32}, 26),
          random_normal({32, 64}, 22) * 0.1f,
          random_normal({64, 64}, 23) * 0.1f, random_normal({64}, 24)};
}

/// 1000 small steps of a kiln::fori_loop.
Tensor thousandSteps(Tensor x) {
  return fori_loop(
      0, 1000,
      [](const Tensor &, const Tensor &c) { return c * 0.999f + 0.001f; }, x);
}

/// An RNN over the sequence `xs` with kiln::scan: h = tanh(x wx + h wh + b)
/// per step; returns the last h and every h stacked.
std::tuple<Tensor, Tensor> rnnScan(Tensor h, Tensor xs, Tensor wx, Tensor wh,
                                   Tensor b) {
  auto [last, hs] = scan(
      [&](const Tensor &h, const Tensor &x) {
        Tensor next = tanh(matmul(x, wx) + matmul(h, wh) + b);
        return std::pair{next, next};
      },
      h, xs);
  return std::tuple{last, hs};
}

void printRow(const char *name, double traced, double eager, double reference) {
  std::printf("%-28s %10.3f %10.3f %10.3f %12.2fx %12.2fx\n", name, traced,
              eager, reference, eager / traced, reference / traced);
}

} // namespace

int main(int argc, char **argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 11;
  if (argc > 2)
    set_num_threads(std::atoi(argv[2]));
  std::printf("kiln traced benchmarks: median of %d runs, %d threads\n\n", reps,
              get_num_threads());

  //===--- Fixed costs
  //-----------------------------------------------------===//
  {
    Tensor x = random_normal({64}, 1), y = random_normal({64}, 2);
    auto twentyOps = [](Tensor a, Tensor b) {
      Tensor t = a;
      for (int i = 0; i < 5; ++i)
        t = relu(t * b + a) - sigmoid(t);
      return t;
    };
    auto add = function([](Tensor a, Tensor b) { return a + b; });
    Tensor a = constant(2.0f), b = constant(3.0f);
    const int calls = 20000;
    double cachedMs = medianMs(reps, [&] {
      for (int i = 0; i < calls; ++i)
        add(a, b);
    });
    double eagerMs = medianMs(reps, [&] {
      for (int i = 0; i < calls; ++i)
        kiln::add(a, b);
    });
    std::printf("cached traced call on scalars: %.0f ns (eager add: %.0f ns)"
                "\n\n",
                cachedMs * 1e6 / calls, eagerMs * 1e6 / calls);

    std::printf("first call of a new Function (trace + compile + run), "
                "median, and its compile steps (ms):\n");
    printCompileCost("20-op elementwise [64]", reps, [&](double &ms) {
      auto f = function(twentyOps);
      ms = timeMs([&] { f(x, y); });
      return f.lower(x, y);
    });
    Tensor q = random_normal({8, 8, 128, 64}, 17);
    printCompileCost("MHA [8,8,128,64]", reps, [&](double &ms) {
      auto f = function(attention);
      ms = timeMs([&] { f(q, q, q); });
      return f.lower(q, q, q);
    });
    Tensor e = random_normal({8, 128, 512}, 20);
    std::vector<Tensor> p = encoderWeights().list();
    printCompileCost("ENC [8,128,512]", reps, [&](double &ms) {
      auto f = function(encoderLayer);
      ms = timeMs([&] {
        f(e, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10],
          p[11], p[12], p[13], p[14], p[15]);
      });
      return f.lower(e, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8],
                     p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
    });
    Tensor l = random_normal({16}, 21);
    printCompileCost("fori_loop 1000 x [16]", reps, [&](double &ms) {
      auto f = function(thousandSteps);
      ms = timeMs([&] { f(l); });
      return f.lower(l);
    });
    std::vector<Tensor> r = rnnInputs();
    printCompileCost("RNN scan 128 x [8,32->64]", reps, [&](double &ms) {
      auto f = function(rnnScan);
      ms = timeMs([&] { f(r[0], r[1], r[2], r[3], r[4]); });
      return f.lower(r[0], r[1], r[2], r[3], r[4]);
    });
    std::printf("\n");
  }

  const bool avx512 = avx512::hasAvx512();
  std::printf("reference: %s; W3: the i-k-j loop on 1 thread\n\n",
              avx512 ? "W1, W2, W4 hand-written AVX-512 (bench/"
                       "Avx512References.h) on the same threads"
                     : "W1, W2, W4 plain loops on 1 thread (no AVX-512 here)");
  std::printf("%-28s %10s %10s %10s %13s %13s\n", "workload (ms)", "traced",
              "eager", "reference", "eager/traced", "ref/traced");

  //===--- W1
  //---------------------------------------------------------------===//
  {
    const int64_t n = int64_t(1) << 24;
    Tensor a = random_normal({n}, 1), b = random_normal({n}, 2),
           c = random_normal({n}, 3), d = random_normal({n}, 4);
    auto w1 = [](Tensor a, Tensor b, Tensor c, Tensor d) {
      return relu(a * b + c) * sigmoid(d);
    };
    auto f = function(w1);
    std::vector<float> out(n);
    auto m = interleavedMediansMs(
        reps, {[&] { f(a, b, c, d); }, [&] { w1(a, b, c, d); },
               [&] {
                 if (avx512)
                   avx512::w1(a.data<float>(), b.data<float>(), c.data<float>(),
                              d.data<float>(), out.data(), n);
                 else
                   referenceW1(a.data<float>(), b.data<float>(),
                               c.data<float>(), d.data<float>(), out.data(), n);
               }});
    printRow("W1 relu(a*b+c)*sigmoid(d)", m[0], m[1], m[2]);
  }

  //===--- W2
  //---------------------------------------------------------------===//
  {
    Tensor x = random_normal({4096, 1024}, 5);
    auto f = function([](Tensor x) { return softmax(x, -1); });
    std::vector<float> out(x.size());
    auto m = interleavedMediansMs(
        reps, {[&] { f(x); }, [&] { softmax(x, -1); },
               [&] {
                 if (avx512)
                   avx512::softmax(x.data<float>(), out.data(), 4096, 1024);
                 else
                   referenceSoftmax(x.data<float>(), out.data(), 4096, 1024);
               }});
    printRow("W2 softmax 4096x1024", m[0], m[1], m[2]);
  }

  //===--- W3
  //---------------------------------------------------------------===//
  {
    const int64_t n = 1024;
    Tensor a = random_normal({n, n}, 6), b = random_normal({n, n}, 7);
    auto f = function([](Tensor a, Tensor b) { return matmul(a, b); });
    std::vector<float> out(n * n);
    int matmulReps = std::max(3, reps / 3);
    auto m = interleavedMediansMs(
        matmulReps, {[&] { f(a, b); }, [&] { matmul(a, b); },
                     [&] {
                       referenceMatmul(a.data<float>(), b.data<float>(),
                                       out.data(), n);
                     }});
    printRow("W3 matmul 1024^3", m[0], m[1], m[2]);
  }

  //===--- W4
  //---------------------------------------------------------------===//
  {
    Tensor x = random_normal({4096, 1024}, 8);
    auto f = function([](Tensor x) { return layer_norm(x, {-1}); });
    std::vector<float> out(x.size());
    auto m = interleavedMediansMs(
        reps, {[&] { f(x); }, [&] { layer_norm(x, {-1}); },
               [&] {
                 if (avx512)
                   avx512::layerNorm(x.data<float>(), out.data(), 4096, 1024);
                 else
                   referenceLayerNorm(x.data<float>(), out.data(), 4096, 1024);
               }});
    printRow("W4 layer_norm 4096x1024", m[0], m[1], m[2]);
  }

  //===--- The matmul shapes of the models (m x k x n)
  for (auto [m, k, n] : {std::array<int64_t, 3>{512, 512, 512},
                         std::array<int64_t, 3>{1024, 512, 512},
                         std::array<int64_t, 3>{1024, 512, 2048},
                         std::array<int64_t, 3>{256, 1024, 10}}) {
    Tensor a = random_normal({m, k}, 6), b = random_normal({k, n}, 7);
    auto f = function([](Tensor a, Tensor b) { return matmul(a, b); });
    auto t =
        interleavedMediansMs(reps, {[&] { f(a, b); }, [&] { matmul(a, b); }});
    std::string name = m == k && k == n
                           ? "matmul " + std::to_string(m) + "^3"
                           : "matmul " + std::to_string(m) + "x" +
                                 std::to_string(k) + "x" + std::to_string(n);
    printRow(name.c_str(), t[0], t[1], std::nan(""));
  }

  //===--- Models (bench/Models.h)
  //-----------------------------------------===//
  const double none = std::nan("");
  {
    Tensor x = random_normal({256, 1024}, 10);
    MlpWeights w = mlpWeights();
    auto f = function(mlp);
    auto m = interleavedMediansMs(
        reps, {[&] { f(x, w.w1, w.b1, w.w2, w.b2, w.w3, w.b3); },
               [&] { mlp(x, w.w1, w.b1, w.w2, w.b2, w.w3, w.b3); }});
    printRow("MLP 256x1024", m[0], m[1], none);
  }
  {
    Tensor q = random_normal({8, 8, 128, 64}, 17),
           k = random_normal({8, 8, 128, 64}, 18),
           v = random_normal({8, 8, 128, 64}, 19);
    auto f = function(attention);
    auto m = interleavedMediansMs(
        reps, {[&] { f(q, k, v); }, [&] { attention(q, k, v); }});
    printRow("MHA [8,8,128,64]", m[0], m[1], none);
  }
  {
    Tensor x = random_normal({8, 128, 512}, 20);
    std::vector<Tensor> p = encoderWeights().list();
    auto f = function(encoderLayer);
    auto m = interleavedMediansMs(
        reps, {[&] {
                 f(x, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8],
                   p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
               },
               [&] { encoder(x, p); }});
    printRow("ENC [8,128,512]", m[0], m[1], none);
  }

  //===--- Loops (kiln::fori_loop, kiln::scan): one kiln.for or kiln.scan
  // traced, C++ eagerly, with no dispatch per iteration when compiled.
  {
    Tensor x = random_normal({16}, 21);
    auto f = function(thousandSteps);
    auto m =
        interleavedMediansMs(reps, {[&] { f(x); }, [&] { thousandSteps(x); }});
    printRow("fori_loop 1000 x [16]", m[0], m[1], none);
  }
  {
    std::vector<Tensor> r = rnnInputs();
    auto f = function(rnnScan);
    auto m = interleavedMediansMs(
        reps, {[&] { f(r[0], r[1], r[2], r[3], r[4]); },
               [&] { rnnScan(r[0], r[1], r[2], r[3], r[4]); }});
    printRow("RNN scan 128 x [8,32->64]", m[0], m[1], none);
  }

  //===--- Dynamic shapes: the same functions traced with a dynamic leading
  // dimension (FunctionOptions::input_signature), against the static ones.
  std::printf("\n%-28s %10s %10s %15s\n", "dynamic leading dim (ms)", "static",
              "dynamic", "dynamic/static");
  auto printDynamic = [](const char *name, double fixed, double dynamic) {
    std::printf("%-28s %10.3f %10.3f %14.2fx\n", name, fixed, dynamic,
                dynamic / fixed);
  };
  {
    const int64_t n = int64_t(1) << 24;
    Tensor a = random_normal({n}, 1), b = random_normal({n}, 2),
           c = random_normal({n}, 3), d = random_normal({n}, 4);
    auto w1 = [](Tensor a, Tensor b, Tensor c, Tensor d) {
      return relu(a * b + c) * sigmoid(d);
    };
    TensorSpec any({kDynamic});
    auto fixed = function(w1);
    auto dynamic = function(w1, FunctionOptions{"w1", {any, any, any, any}});
    auto m = interleavedMediansMs(
        reps, {[&] { fixed(a, b, c, d); }, [&] { dynamic(a, b, c, d); }});
    printDynamic("W1 [?]", m[0], m[1]);
  }
  {
    Tensor x = random_normal({4096, 1024}, 5);
    auto w2 = [](Tensor x) { return softmax(x, -1); };
    auto fixed = function(w2);
    auto dynamic =
        function(w2, FunctionOptions{"w2", {TensorSpec({kDynamic, 1024})}});
    auto m =
        interleavedMediansMs(reps, {[&] { fixed(x); }, [&] { dynamic(x); }});
    printDynamic("W2 [?, 1024]", m[0], m[1]);
  }
  {
    Tensor x = random_normal({256, 1024}, 10);
    MlpWeights w = mlpWeights();
    auto fixed = function(mlp);
    TensorSpec weight({1024, 1024}), bias({1024});
    auto dynamic = function(
        mlp,
        FunctionOptions{"mlp",
                        {TensorSpec({kDynamic, 1024}), weight, bias, weight,
                         bias, TensorSpec({1024, 10}), TensorSpec({10})}});
    auto m = interleavedMediansMs(
        reps, {[&] { fixed(x, w.w1, w.b1, w.w2, w.b2, w.w3, w.b3); },
               [&] { dynamic(x, w.w1, w.b1, w.w2, w.b2, w.w3, w.b3); }});
    printDynamic("MLP [?, 1024]", m[0], m[1]);
  }

  //===--- The debugging switches (docs/debugging.md): each call of one
  // column runs with that switch on, interleaved with calls with all off.
  std::printf("\n%-28s %10s %15s %15s\n", "debugging switches (ms)", "off",
              "check_numerics", "shadow_check");
  auto printSwitches = [](const char *name, const std::vector<double> &m,
                          bool shadow) {
    std::printf("%-28s %10.3f %9.3f %4.2fx", name, m[0], m[1], m[1] / m[0]);
    if (shadow)
      std::printf(" %9.3f %4.2fx", m[2], m[2] / m[0]);
    std::printf("\n");
  };
  auto withNumerics = [](const std::function<void()> &call) {
    return [call] {
      set_check_numerics(true);
      call();
      set_check_numerics(false);
    };
  };
  auto withShadow = [](const std::function<void()> &call) {
    return [call] {
      set_shadow_check(true);
      call();
      set_shadow_check(false);
    };
  };
  {
    const int64_t n = int64_t(1) << 24;
    Tensor a = random_normal({n}, 1), b = random_normal({n}, 2),
           c = random_normal({n}, 3), d = random_normal({n}, 4);
    auto w1 = [](Tensor a, Tensor b, Tensor c, Tensor d) {
      return relu(a * b + c) * sigmoid(d);
    };
    auto f = function(w1);
    std::function<void()> traced = [&] { f(a, b, c, d); };
    std::function<void()> eager = [&] { w1(a, b, c, d); };
    printSwitches("W1 traced",
                  interleavedMediansMs(
                      reps, {traced, withNumerics(traced), withShadow(traced)}),
                  true);
    printSwitches("W1 eager",
                  interleavedMediansMs(reps, {eager, withNumerics(eager)}),
                  false);
  }
  {
    Tensor x = random_normal({256, 1024}, 10);
    MlpWeights w = mlpWeights();
    auto f = function(mlp);
    std::function<void()> traced = [&] {
      f(x, w.w1, w.b1, w.w2, w.b2, w.w3, w.b3);
    };
    std::function<void()> eager = [&] {
      mlp(x, w.w1, w.b1, w.w2, w.b2, w.w3, w.b3);
    };
    printSwitches("MLP 256x1024 traced",
                  interleavedMediansMs(
                      reps, {traced, withNumerics(traced), withShadow(traced)}),
                  true);
    printSwitches("MLP 256x1024 eager",
                  interleavedMediansMs(reps, {eager, withNumerics(eager)}),
                  false);
  }
  return 0;
}
