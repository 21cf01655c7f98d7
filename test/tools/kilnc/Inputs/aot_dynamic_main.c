// Calls @dense of dynamic-aot.mlir, compiled by `kilnc compile`, on batches
// of two sizes, after checking the buffers' sizes with the header's
// kiln_check_dense; then shows what the check says of a wrong size.
#include "dynamic_graph.h"

#include <stdio.h>

static int run(int64_t n) {
  float x[8][3], w[3][2] = {{1, 0}, {0, 1}, {1, 1}}, r[8][2], y[8][2], s[8];
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k)
      x[i][k] = (float)(i + k);
    r[i][0] = 100;
    r[i][1] = 200;
  }
  KilnMemRef_f32_2d xd = {&x[0][0], &x[0][0], 0, {n, 3}, {3, 1}};
  KilnMemRef_f32_2d wd = {&w[0][0], &w[0][0], 0, {3, 2}, {2, 1}};
  KilnMemRef_f32_2d rd = {&r[0][0], &r[0][0], 0, {n, 2}, {2, 1}};
  KilnMemRef_f32_2d yd = {&y[0][0], &y[0][0], 0, {n, 2}, {2, 1}};
  KilnMemRef_f32_1d sd = {s, s, 0, {n}, {1}};
  const char *problem = kiln_check_dense(&xd, &wd, &rd, &yd, &sd);
  if (problem) {
    printf("error: %s\n", problem);
    return 1;
  }
  _mlir_ciface_dense(&xd, &wd, &rd, &yd, &sd);
  printf("n=%lld:", (long long)n);
  for (int64_t i = 0; i < n; ++i)
    printf(" [%g %g %g]", y[i][0], y[i][1], s[i]);
  printf("\n");
  return 0;
}

int main(void) {
  if (run(2) || run(5))
    return 1;
  float x[4][3] = {{0}}, w[3][2] = {{0}}, r[3][2] = {{0}}, y[4][2], s[4];
  KilnMemRef_f32_2d xd = {&x[0][0], &x[0][0], 0, {4, 3}, {3, 1}};
  KilnMemRef_f32_2d wd = {&w[0][0], &w[0][0], 0, {3, 2}, {2, 1}};
  KilnMemRef_f32_2d rd = {&r[0][0], &r[0][0], 0, {3, 2}, {2, 1}};
  KilnMemRef_f32_2d yd = {&y[0][0], &y[0][0], 0, {4, 2}, {2, 1}};
  KilnMemRef_f32_1d sd = {s, s, 0, {4}, {1}};
  printf("mismatch: %s\n", kiln_check_dense(&xd, &wd, &rd, &yd, &sd));
  return 0;
}
