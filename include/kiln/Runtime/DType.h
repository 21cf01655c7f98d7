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

/// Element type of a tensor. The order is the promotion lattice order within
/// each kind (bool < integers < floats); see `promoteTypes`.
enum class DType : uint8_t { Bool, I32, I64, F16, BF16, F32, F64 };

/// The numpy-style name: "bool", "int32", "int64", "float16", "bfloat16",
/// "float32", "float64".
std::string_view dtypeName(DType type);

/// Parses a name produced by `dtypeName`.
std::optional<DType> parseDType(std::string_view name);

/// Size in bytes of one element (bool is stored as one byte).
size_t dtypeSize(DType type);

inline bool isFloating(DType type) {
  return type == DType::F16 || type == DType::BF16 || type == DType::F32 ||
         type == DType::F64;
}
inline bool isInteger(DType type) {
  return type == DType::I32 || type == DType::I64;
}
inline bool isBool(DType type) { return type == DType::Bool; }

/// The result type of an elementwise op on operands of types `a` and `b`:
///
///   |        | bool | i32 | i64 | f16  | bf16 | f32 | f64 |
///   |--------|------|-----|-----|------|------|-----|-----|
///   | bool   | bool | i32 | i64 | f16  | bf16 | f32 | f64 |
///   | i32    | i32  | i32 | i64 | f16  | bf16 | f32 | f64 |
///   | i64    | i64  | i64 | i64 | f16  | bf16 | f32 | f64 |
///   | f16    | f16  | f16 | f16 | f16  | f32  | f32 | f64 |
///   | bf16   | bf16 | bf16| bf16| f32  | bf16 | f32 | f64 |
///   | f32    | f32  | f32 | f32 | f32  | f32  | f32 | f64 |
///   | f64    | f64  | f64 | f64 | f64  | f64  | f64 | f64 |
///
/// Integers meeting floats take the float type (as in JAX and PyTorch, so
/// `int32 + float32` stays `float32` rather than numpy's `float64`);
/// f16 meeting bf16 widens to f32.
DType promoteTypes(DType a, DType b);

} // namespace kiln

#endif // KILN_RUNTIME_DTYPE_H
