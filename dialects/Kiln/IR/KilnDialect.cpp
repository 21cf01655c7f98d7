//===- KilnDialect.cpp - The kiln dialect ---------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

#include "kiln/Dialect/Kiln/IR/KilnOpsDialect.cpp.inc"

void kiln::KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kiln/Dialect/Kiln/IR/KilnOps.cpp.inc"
      >();
  detail::addConstantFolder(*this);
}

Operation *kiln::KilnDialect::materializeConstant(OpBuilder &builder,
                                                  Attribute value, Type type,
                                                  Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

//===----------------------------------------------------------------------===//
// IR types <-> runtime dtypes
//===----------------------------------------------------------------------===//

std::optional<kiln::DType> kiln::toDType(Type type) {
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (type.isSignlessInteger(1))
    return DType::Bool;
  if (type.isSignlessInteger(32))
    return DType::I32;
  if (type.isSignlessInteger(64))
    return DType::I64;
  if (type.isSignlessInteger(8))
    return DType::I8;
  if (type.isSignlessInteger(16))
    return DType::I16;
  if (type.isUnsignedInteger(8))
    return DType::U8;
  if (type.isUnsignedInteger(16))
    return DType::U16;
  return std::nullopt;
}

Type kiln::toElementType(MLIRContext *context, DType type) {
  Builder b(context);
  switch (type) {
  case DType::Bool:
    return b.getI1Type();
  case DType::I32:
    return b.getI32Type();
  case DType::I64:
    return b.getI64Type();
  case DType::I8:
    return b.getI8Type();
  case DType::I16:
    return b.getI16Type();
  case DType::U8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case DType::U16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case DType::F16:
    return b.getF16Type();
  case DType::BF16:
    return b.getBF16Type();
  case DType::F32:
    return b.getF32Type();
  case DType::F64:
    return b.getF64Type();
  }
  return {};
}
