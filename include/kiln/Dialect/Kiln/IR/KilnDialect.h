//===- KilnDialect.h - The kiln dialect ------------------------*- C++ -*-===//
//
// Declares the `kiln` dialect and its ops, and the bridge between IR types and
// the runtime's shapes and dtypes that the ops' type inference uses.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNDIALECT_H
#define KILN_DIALECT_KILN_IR_KILNDIALECT_H

#include "kiln/Runtime/DType.h"
#include "kiln/Runtime/Shape.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <optional>

namespace kiln {

/// The runtime dtype of an IR element type, if Kiln supports it.
std::optional<DType> toDType(mlir::Type elementType);

/// The IR element type of a runtime dtype.
mlir::Type toElementType(mlir::MLIRContext *context, DType type);

/// The shape of a ranked tensor type (dynamic dims are `kDynamic`, which is
/// `mlir::ShapedType::kDynamic`).
inline Shape toShape(mlir::RankedTensorType type) {
  return Shape(type.getShape().begin(), type.getShape().end());
}

namespace detail {

/// Result types written in the IR are compatible with the inferred ones when
/// element types match and shapes agree wherever both are static.
bool areCompatibleReturnTypes(mlir::TypeRange inferred, mlir::TypeRange actual);

/// Type inference of a broadcasting elementwise op: the operands' shapes
/// broadcast, and the result element type is `resultElementType` if given or
/// else the promotion of the operands' element types.
llvm::LogicalResult
inferBroadcastResult(llvm::StringRef opName,
                     std::optional<mlir::Location> location,
                     mlir::ValueRange operands, mlir::Type resultElementType,
                     llvm::SmallVectorImpl<mlir::Type> &inferredReturnTypes);

} // namespace detail
} // namespace kiln

#include "kiln/Dialect/Kiln/IR/KilnOpsDialect.h.inc"

namespace kiln::detail {
/// Adds the fold interface that folds kiln ops on small constants with the
/// eager kernels (ConstantFold.cpp).
void addConstantFolder(KilnDialect &dialect);
} // namespace kiln::detail

#define GET_OP_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnOps.h.inc"

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_H
