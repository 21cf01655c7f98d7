//===- SmallIntegers.cpp - int8, int16, uint8 and uint16 for the lowering -===//
//
// Eager mode computes the 8- and 16-bit integers in int32 and converts the
// result back to their width (runtime/Internal.h: computeType). Compiled
// code does the same, so that the two agree bit for bit, and so that the
// patterns of kiln-to-linalg see these types in few places:
//
// 1. Every op that computes on their values (arithmetic, comparisons,
//    reductions, matmul, pad, argsort, scatter_nd, ...) takes kiln.casts of
//    its small-integer operands to i32 and its small-integer results are
//    cast back from i32. Casts, constants, prints, control flow and the ops
//    that only move data (reshape, transpose, broadcast_to, expand_dims,
//    squeeze, concat, slice, gather, select, stop_gradient) keep them.
// 2. arith wants signless integers, so uint8 and uint16 values are retyped
//    as i8 and i16 (the same bits). The casts and prints that read or write
//    them are marked first (`kiln.unsigned_input`, `kiln.unsigned_result`),
//    the only ops whose lowering still depends on the signedness.
//
//===----------------------------------------------------------------------===//

#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace kiln;

namespace {

Type elementTypeOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor ? tensor.getElementType() : Type();
}

bool isSmallInteger(Type type) {
  auto integer = dyn_cast_if_present<IntegerType>(elementTypeOf(type));
  return integer && (integer.getWidth() == 8 || integer.getWidth() == 16);
}

bool isUnsignedTensor(Type type) {
  auto integer = dyn_cast_if_present<IntegerType>(elementTypeOf(type));
  return integer && integer.isUnsigned();
}

/// Ops that keep their small-integer operands: they move or select bits, or
/// their lowering reads the signedness from the marks of step 2.
bool keepsSmallIntegers(Operation *op) {
  return isa<CastOp, ConstantOp, PrintOp, YieldOp, IfOp, ForOp, WhileOp, ScanOp,
             ReshapeOp, TransposeOp, BroadcastToOp, ExpandDimsOp, SqueezeOp,
             ConcatOp, SliceOp, GatherOp, SelectOp, StopGradientOp>(op);
}

/// Step 1 for `op`.
void widen(Operation *op) {
  OpBuilder b(op);
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = cast<RankedTensorType>(operand.get().getType());
    if (isSmallInteger(type))
      operand.set(CastOp::create(b, op->getLoc(), type.clone(b.getI32Type()),
                                 operand.get()));
  }
  b.setInsertionPointAfter(op);
  for (OpResult result : op->getResults()) {
    auto type = cast<RankedTensorType>(result.getType());
    if (!isSmallInteger(type))
      continue;
    result.setType(type.clone(b.getI32Type()));
    auto narrowed = CastOp::create(b, op->getLoc(), type, result);
    result.replaceAllUsesExcept(narrowed, narrowed);
  }
}

/// The signless type of the same bits as `type`.
Type signless(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !isUnsignedTensor(tensor))
    return type;
  auto integer = cast<IntegerType>(tensor.getElementType());
  return tensor.clone(IntegerType::get(type.getContext(), integer.getWidth()));
}

} // namespace

void kiln::prepareSmallIntegers(Operation *root) {
  SmallVector<Operation *> toWiden;
  root->walk([&](Operation *op) {
    if (!isa<KilnDialect>(op->getDialect()) || keepsSmallIntegers(op))
      return;
    auto small = [](Type t) { return isSmallInteger(t); };
    if (llvm::any_of(op->getOperandTypes(), small) ||
        llvm::any_of(op->getResultTypes(), small))
      toWiden.push_back(op);
  });
  for (Operation *op : toWiden)
    widen(op);

  // Step 2: mark every op first (a retyped operand no longer tells), then
  // retype.
  Builder b(root->getContext());
  root->walk([&](Operation *op) {
    if (!isa<CastOp, PrintOp>(op))
      return;
    if (isUnsignedTensor(op->getOperand(0).getType()))
      op->setAttr("kiln.unsigned_input", b.getUnitAttr());
    if (op->getNumResults() == 1 &&
        isUnsignedTensor(op->getResult(0).getType()))
      op->setAttr("kiln.unsigned_result", b.getUnitAttr());
  });
  root->walk([&](Operation *op) {
    if (auto constant = dyn_cast<ConstantOp>(op))
      if (isUnsignedTensor(constant.getType()))
        constant.setValueAttr(
            cast<DenseElementsAttr>(constant.getValue())
                .bitcast(cast<RankedTensorType>(signless(constant.getType()))
                             .getElementType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(signless(arg.getType()));
    for (OpResult result : op->getResults())
      result.setType(signless(result.getType()));
  });
  root->walk([&](func::FuncOp func) {
    FunctionType type = func.getFunctionType();
    auto convert = [](TypeRange types) {
      return llvm::map_to_vector(types, [](Type t) { return signless(t); });
    };
    func.setFunctionType(FunctionType::get(func.getContext(),
                                           convert(type.getInputs()),
                                           convert(type.getResults())));
  });
}
