//===- DType.h - Kiln element types and type promotion ---------*- C++ -*-===//
//
// The element types a Kiln tensor can hold and the promotion rule that decides
// the result type of a mixed-type elementwise op. Eager kernels, the dialect's
// type inference and the lowering all use this one table.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_DTYPE_H
#define KILN_RUNTIME_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kiln {

/// Element type of a tensor. The values are stable (the 8- and 16-bit
/// integers came last); promotion follows `promoteTypes`, not this order.
enum class DType : uint8_t {
  Bool,
  I32,
  I64,
  F16,
  BF16,
  F32,
  F64,
  I8,
  I16,
  U8,
  U16,
};

/// Every dtype, in the order of the promotion table below.
inline constexpr DType kAllDTypes[] = {
    DType::Bool, DType::I8,  DType::I16,  DType::I32, DType::I64, DType::U8,
    DType::U16,  DType::F16, DType::BF16, DType::F32, DType::F64};

/// The numpy-style name: "bool", "int8", "int16", "int32", "int64",
/// "uint8", "uint16", "float16", "bfloat16", "float32", "float64".
std::string_view dtypeName(DType type);

/// Parses a name produced by `dtypeName`.
std::optional<DType> parseDType(std::string_view name);

/// Size in bytes of one element (bool is stored as one byte).
size_t dtypeSize(DType type);

inline bool isFloating(DType type) {
  return type == DType::F16 || type == DType::BF16 || type == DType::F32 ||
         type == DType::F64;
}
inline bool isUnsigned(DType type) {
  return type == DType::U8 || type == DType::U16;
}
/// Signed or unsigned integers (not bool).
inline bool isInteger(DType type) {
  return type == DType::I8 || type == DType::I16 || type == DType::I32 ||
         type == DType::I64 || isUnsigned(type);
}
/// The dtypes of indices, seeds and loop bounds: int32 and int64.
inline bool isIndexDType(DType type) {
  return type == DType::I32 || type == DType::I64;
}
inline bool isBool(DType type) { return type == DType::Bool; }

/// The result type of an elementwise op on operands of types `a` and `b`
/// (as JAX's promotion lattice, without its weak types):
///
/// - bool meets any type: that type;
/// - integers of one signedness: the wider;
/// - a signed and an unsigned integer: the signed one if it is wider, else
///   the signed integer of twice the unsigned one's width (u8 + i8 = i16,
///   u16 + i16 = i32, u8 + i32 = i32);
/// - an integer meets a float: the float (as in JAX and PyTorch, so
///   `int32 + float32` stays `float32` rather than numpy's `float64`);
/// - floats: the wider; f16 meeting bf16 widens to f32.
///
///   |      | bool | i32 | i64 | f16  | bf16 | f32 | f64 |
///   |------|------|-----|-----|------|------|-----|-----|
///   | bool | bool | i32 | i64 | f16  | bf16 | f32 | f64 |
///   | i32  | i32  | i32 | i64 | f16  | bf16 | f32 | f64 |
///   | i64  | i64  | i64 | i64 | f16  | bf16 | f32 | f64 |
///   | f16  | f16  | f16 | f16 | f16  | f32  | f32 | f64 |
///   | bf16 | bf16 | bf16| bf16| f32  | bf16 | f32 | f64 |
///   | f32  | f32  | f32 | f32 | f32  | f32  | f32 | f64 |
///   | f64  | f64  | f64 | f64 | f64  | f64  | f64 | f64 |
DType promoteTypes(DType a, DType b);

} // namespace kiln

#endif // KILN_RUNTIME_DTYPE_H
