//===- Float16.h - Storage types for float16 and bfloat16 ------*- C++ -*-===//
//
// IEEE binary16 and bfloat16 as 16-bit storage types with exact conversions
// to and from float (round to nearest even). Kiln stores tensors of these
// types but computes on them in float32: every eager kernel converts its
// f16/bf16 operands to float32, runs the float32 kernel and rounds the result
// back, so each op rounds once, as PyTorch does on CPU.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_FLOAT16_H
#define KILN_RUNTIME_FLOAT16_H

#include <cstdint>
#include <cstring>

namespace kiln {

/// Converts binary16 bits to float (exact).
inline float halfBitsToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13); // inf or nan
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {
    // Subnormal: normalize the mantissa.
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while (!(mant & 0x400));
    bits = sign | (uint32_t(112 - e) << 23) | ((mant & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// Converts float to binary16 bits, rounding to nearest even.
inline uint16_t floatToHalfBits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = uint16_t((x >> 16) & 0x8000);
  uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u) // inf or nan (keep nan quiet)
    return sign | 0x7c00 | (absx > 0x7f800000u ? 0x200 : 0);
  if (absx >= 0x477ff000u) // rounds to >= 65520: overflow to inf
    return sign | 0x7c00;
  if (absx < 0x38800000u) { // below the smallest normal: subnormal or zero
    if (absx < 0x33000000u) // below half the smallest subnormal
      return sign;
    uint32_t mant = (absx & 0x7fffff) | 0x800000;
    int shift = 126 - int(absx >> 23);
    uint32_t half = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1)))
      ++half;
    return sign | uint16_t(half);
  }
  uint32_t rounded = absx + 0xfff + ((absx >> 13) & 1);
  return sign | uint16_t((rounded - 0x38000000u) >> 13);
}

/// Converts bfloat16 bits to float (exact).
inline float bfloatBitsToFloat(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// Converts float to bfloat16 bits, rounding to nearest even.
inline uint16_t floatToBfloatBits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) // nan: keep it a quiet nan
    return uint16_t((x >> 16) | 0x40);
  return uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

/// IEEE binary16 storage type.
struct float16 {
  uint16_t bits = 0;
  float16() = default;
  explicit float16(float f) : bits(floatToHalfBits(f)) {}
  operator float() const { return halfBitsToFloat(bits); }
  static float16 fromBits(uint16_t b) {
    float16 h;
    h.bits = b;
    return h;
  }
};

/// bfloat16 storage type.
struct bfloat16 {
  uint16_t bits = 0;
  bfloat16() = default;
  explicit bfloat16(float f) : bits(floatToBfloatBits(f)) {}
  operator float() const { return bfloatBitsToFloat(bits); }
  static bfloat16 fromBits(uint16_t b) {
    bfloat16 h;
    h.bits = b;
    return h;
  }
};

} // namespace kiln

#endif // KILN_RUNTIME_FLOAT16_H
