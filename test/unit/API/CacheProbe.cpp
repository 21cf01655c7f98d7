//===- CacheProbe.cpp - One process of the compile cache tests ------------===//
//
// kiln-cache-probe DIR [GRAPHS]: traces and runs GRAPHS (default 1) small
// functions with the compile cache in DIR, then prints what the cache did
// and a checksum of the results:
//
//   compiles=1 hits=0 rejected=0 writes=1 checksum=1234.5678
//
// CompileCacheTest runs it as separate processes.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"

#include <cstdio>
#include <cstdlib>

using namespace kiln;

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kiln-cache-probe DIR [GRAPHS]\n");
    return 2;
  }
  set_compile_cache_dir(argv[1]);
  int graphs = argc > 2 ? std::atoi(argv[2]) : 1;
  double checksum = 0;
  Tensor a = random_normal({1000}, 1), b = random_normal({1000}, 2);
  for (int i = 0; i < graphs; ++i) {
    auto f = function([](Tensor a, Tensor b,
                         float scale) { return exp(a * scale) * b + 1.0f; },
                      "probe");
    for (float value : f(a, b, 0.5f + i).to_vector<float>())
      checksum += value;
  }
  CompileCacheStats stats = compile_cache_stats();
  std::printf("compiles=%llu hits=%llu rejected=%llu writes=%llu "
              "checksum=%.9g\n",
              static_cast<unsigned long long>(stats.compiles),
              static_cast<unsigned long long>(stats.hits),
              static_cast<unsigned long long>(stats.rejected),
              static_cast<unsigned long long>(stats.writes), checksum);
  return 0;
}
