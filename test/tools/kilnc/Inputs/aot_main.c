// Calls graphs compiled by `kilnc compile` through the generated header
// (kiln_graph.h for add.mlir, demo_graph.h for samples/demo.mlir).
#include <stdio.h>

#ifdef DEMO
#include "demo_graph.h"

int main(void) {
  static float x[4][8], w[8][16], b[16], out[4][16];
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k < 8; ++k)
      x[i][k] = 1.0f;
  for (int k = 0; k < 8; ++k)
    for (int j = 0; j < 16; ++j)
      w[k][j] = 0.5f;
  KilnMemRef_f32_2d xd = {&x[0][0], &x[0][0], 0, {4, 8}, {8, 1}};
  KilnMemRef_f32_2d wd = {&w[0][0], &w[0][0], 0, {8, 16}, {16, 1}};
  KilnMemRef_f32_1d bd = {b, b, 0, {16}, {1}};
  KilnMemRef_f32_2d od = {&out[0][0], &out[0][0], 0, {4, 16}, {16, 1}};
  _mlir_ciface_dense_gelu(&xd, &wd, &bd, &od);
  printf("dense_gelu: %.4f %.4f\n", out[0][0], out[3][15]);
  return 0;
}
#else
#include "kiln_graph.h"

int main(void) {
  float x[2][3] = {{1, 2, 3}, {4, 5, 6}};
  float w[2][3] = {{1, 1, 1}, {2, 2, 2}};
  float y[2][3] = {{0}};
  KilnMemRef_f32_2d xd = {&x[0][0], &x[0][0], 0, {2, 3}, {3, 1}};
  KilnMemRef_f32_2d wd = {&w[0][0], &w[0][0], 0, {2, 3}, {3, 1}};
  KilnMemRef_f32_2d yd = {&y[0][0], &y[0][0], 0, {2, 3}, {3, 1}};
  _mlir_ciface_muladd(&xd, &wd, &yd);
  printf("muladd:");
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      printf(" %g", y[i][j]);
  printf("\n");

  int64_t a[4] = {1, -2, 3, 40}, s[4] = {0};
  KilnMemRef_i64_1d ad = {a, a, 0, {4}, {1}};
  KilnMemRef_i64_1d sd = {s, s, 0, {4}, {1}};
  _mlir_ciface_sum_i64(&ad, &sd);
  printf("sum_i64: %lld %lld %lld %lld\n", (long long)s[0], (long long)s[1],
         (long long)s[2], (long long)s[3]);
  return 0;
}
#endif
