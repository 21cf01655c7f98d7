//===- dnnl_matmul.cpp - oneDNN's matmul on the benchmark's shapes --------===//
//
// Measures oneDNN's matmul primitive (float32, row-major [M,K] x [K,N], no
// bias), created once per shape and executed repeatedly on fixed-seed random
// inputs, as a framework would use it; prints the median wall time of an
// execution (including the stream wait) as one machine-readable line per
// shape:
//
//   RESULT dnnl matmul_<M>x<K>x<N> <threads> <median_ms>
//
// oneDNN here uses OpenMP: OMP_NUM_THREADS sets the thread count, and
// <threads> is its value (all cores when unset). scripts/bench.sh runs it; by
// hand:
//
//   OMP_NUM_THREADS=1 build/bin/kiln-bench-dnnl-matmul [reps (default 11)]
//       [shapes, e.g. 1024x1024x1024,256x1024x10 (default: all)]
//
// Built only when oneDNN (Debian's libdnnl-dev) is installed; see
// scripts/bench-peers.sh.
//
//===----------------------------------------------------------------------===//

#include "oneapi/dnnl/dnnl.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Shape {
  int64_t m, k, n;
};

const std::vector<Shape> kShapes = {{1024, 1024, 1024},
                                    {512, 512, 512},
                                    {1024, 512, 512},
                                    {1024, 512, 2048},
                                    {256, 1024, 10}};

std::vector<float> randomNormal(size_t count, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist;
  std::vector<float> v(count);
  for (float &x : v)
    x = dist(gen);
  return v;
}

double medianMs(int reps, int warmup, const auto &fn) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < warmup; ++i)
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

/// The shapes named in "MxKxN,MxKxN,..."; all of kShapes when empty.
std::vector<Shape> parseShapes(const std::string &list) {
  if (list.empty())
    return kShapes;
  std::vector<Shape> shapes;
  std::stringstream items(list);
  std::string item;
  while (std::getline(items, item, ',')) {
    Shape s;
    if (std::sscanf(item.c_str(), "%ldx%ldx%ld", &s.m, &s.k, &s.n) != 3) {
      std::fprintf(stderr, "bad shape '%s' (want MxKxN)\n", item.c_str());
      std::exit(2);
    }
    shapes.push_back(s);
  }
  return shapes;
}

} // namespace

int main(int argc, char **argv) {
  using namespace dnnl;
  int reps = argc > 1 ? std::atoi(argv[1]) : 11;
  std::vector<Shape> shapes = parseShapes(argc > 2 ? argv[2] : "");
  const char *ompThreads = std::getenv("OMP_NUM_THREADS");
  int threads = ompThreads ? std::atoi(ompThreads)
                           : int(std::thread::hardware_concurrency());
  const dnnl_version_t *version = dnnl_version();
  std::printf("INFO dnnl version=%d.%d.%d\n", version->major, version->minor,
              version->patch);

  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  for (const Shape &s : shapes) {
    using tag = memory::format_tag;
    using dt = memory::data_type;
    memory::desc aDesc({s.m, s.k}, dt::f32, tag::ab);
    memory::desc bDesc({s.k, s.n}, dt::f32, tag::ab);
    memory::desc cDesc({s.m, s.n}, dt::f32, tag::ab);
    matmul::primitive_desc pd(matmul::desc(aDesc, bDesc, cDesc), eng);
    matmul prim(pd);

    std::vector<float> a = randomNormal(s.m * s.k, 1),
                       b = randomNormal(s.k * s.n, 2), c(s.m * s.n);
    memory aMem(aDesc, eng, a.data()), bMem(bDesc, eng, b.data()),
        cMem(cDesc, eng, c.data());
    double ms = medianMs(reps, 3, [&] {
      prim.execute(strm, {{DNNL_ARG_SRC, aMem},
                          {DNNL_ARG_WEIGHTS, bMem},
                          {DNNL_ARG_DST, cMem}});
      strm.wait();
    });
    std::printf("RESULT dnnl matmul_%ldx%ldx%ld %d %.4f\n", s.m, s.k, s.n,
                threads, ms);
    std::fflush(stdout);
  }
  return 0;
}
