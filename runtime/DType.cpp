//===- DType.cpp - Kiln element types and type promotion ------------------===//

#include "kiln/Runtime/DType.h"

namespace kiln {

std::string_view dtypeName(DType type) {
  switch (type) {
  case DType::Bool:
    return "bool";
  case DType::I32:
    return "int32";
  case DType::I64:
    return "int64";
  case DType::F16:
    return "float16";
  case DType::BF16:
    return "bfloat16";
  case DType::F32:
    return "float32";
  case DType::F64:
    return "float64";
  }
  return "unknown";
}

std::optional<DType> parseDType(std::string_view name) {
  for (DType t : {DType::Bool, DType::I32, DType::I64, DType::F16, DType::BF16,
                  DType::F32, DType::F64})
    if (dtypeName(t) == name)
      return t;
  return std::nullopt;
}

size_t dtypeSize(DType type) {
  switch (type) {
  case DType::Bool:
    return 1;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I32:
  case DType::F32:
    return 4;
  case DType::I64:
  case DType::F64:
    return 8;
  }
  return 0;
}

DType promoteTypes(DType a, DType b) {
  if (a == b)
    return a;
  // The two 16-bit float formats have no common 16-bit supertype.
  if ((a == DType::F16 && b == DType::BF16) ||
      (a == DType::BF16 && b == DType::F16))
    return DType::F32;
  // Otherwise the enum order is the lattice order: bool < i32 < i64 <
  // {f16, bf16} < f32 < f64, and an integer meeting a float takes the float.
  return a > b ? a : b;
}

} // namespace kiln
