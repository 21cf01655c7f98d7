//===- FastMath.h - Vectorizable float32 exp --------------------*- C++ -*-===//
//
// std::exp is an opaque libm call, so loops using it do not vectorize. This
// branch-free expf (Cody-Waite range reduction and a degree-6 polynomial, as
// in Cephes) is written with selects and integer bit tricks only, so that
// softmax, sigmoid and exp loops vectorize. Max error about 1 ulp over the
// whole range, including subnormal results; inf and nan are handled.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_FASTMATH_H
#define KILN_RUNTIME_FASTMATH_H

#include <cstdint>
#include <cstring>

namespace kiln::detail {

[[gnu::always_inline]] inline float bitsToFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// exp(x) for float, vectorizable.
[[gnu::always_inline]] inline float expf(float x) {
  const float log2e = 1.44269504088896341f;
  const float ln2Hi = 0.693359375f, ln2Lo = -2.12194440e-4f;
  // Results overflow above ~88.72 and are 0 below ~-103.97.
  // NaN takes the lower clamp (converting it to int below would be UB) and
  // is returned unchanged at the end.
  float cx = x > 88.8f ? 88.8f : (x >= -104.0f ? x : -104.0f);
  // Round x*log2(e) to nearest with the 1.5*2^23 trick (no libm call).
  const float magic = 12582912.0f;
  float n = (cx * log2e + magic) - magic;
  float r = cx - n * ln2Hi;
  r = r - n * ln2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // Scale by 2^n in two steps so that n in [-150, 128] never leaves the
  // exponent range of either factor.
  int32_t ni = static_cast<int32_t>(n);
  int32_t n1 = ni >> 1, n2 = ni - n1;
  float s1 = bitsToFloat(static_cast<uint32_t>(n1 + 127) << 23);
  float s2 = bitsToFloat(static_cast<uint32_t>(n2 + 127) << 23);
  float result = p * s1 * s2;
  result = x > 88.72283935546875f ? __builtin_inff() : result;
  return x != x ? x : result;
}

} // namespace kiln::detail

#endif // KILN_RUNTIME_FASTMATH_H
