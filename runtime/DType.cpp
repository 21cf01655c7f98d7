//===- DType.cpp - Kiln element types and type promotion ------------------===//

#include "kiln/Runtime/DType.h"

namespace kiln {

std::string_view dtypeName(DType type) {
  switch (type) {
  case DType::Bool:
    return "bool";
  case DType::I8:
    return "int8";
  case DType::I16:
    return "int16";
  case DType::I32:
    return "int32";
  case DType::I64:
    return "int64";
  case DType::U8:
    return "uint8";
  case DType::U16:
    return "uint16";
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
  for (DType t : kAllDTypes)
    if (dtypeName(t) == name)
      return t;
  return std::nullopt;
}

size_t dtypeSize(DType type) {
  switch (type) {
  case DType::Bool:
  case DType::I8:
  case DType::U8:
    return 1;
  case DType::I16:
  case DType::U16:
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

namespace {

/// The rank of a float in its chain (f16 and bf16 share one).
int floatRank(DType type) {
  switch (type) {
  case DType::F16:
  case DType::BF16:
    return 0;
  case DType::F32:
    return 1;
  default:
    return 2;
  }
}

/// The signed integer of `bytes` bytes (at most 8).
DType signedOfSize(size_t bytes) {
  switch (bytes) {
  case 1:
    return DType::I8;
  case 2:
    return DType::I16;
  case 4:
    return DType::I32;
  default:
    return DType::I64;
  }
}

} // namespace

DType promoteTypes(DType a, DType b) {
  if (a == b || isBool(b))
    return a;
  if (isBool(a))
    return b;
  if (isFloating(a) || isFloating(b)) {
    if (!isFloating(a))
      return b;
    if (!isFloating(b))
      return a;
    // The two 16-bit float formats have no common 16-bit supertype.
    if (floatRank(a) == 0 && floatRank(b) == 0)
      return DType::F32;
    return floatRank(a) > floatRank(b) ? a : b;
  }
  size_t sa = dtypeSize(a), sb = dtypeSize(b);
  if (isUnsigned(a) == isUnsigned(b))
    return sa > sb ? a : b;
  DType s = isUnsigned(a) ? b : a, u = isUnsigned(a) ? a : b;
  if (dtypeSize(s) > dtypeSize(u))
    return s;
  return signedOfSize(2 * dtypeSize(u));
}

} // namespace kiln
