//===- ReshapedResultsInPlace.cpp - Compute reshaped results in place -----===//
//
// A result that is a reshape of a computed value (an attention's context
// [b, s, h, d] returned as [b, s, h * d]) bufferizes to an allocation, a
// memref.collapse_shape or expand_shape of it, and, once results are output
// buffers, a copy of that view into the output:
//
//   %a = memref.alloc() : memref<8x128x8x64xf32>
//   ... writes %a ...
//   %v = memref.collapse_shape %a [[0], [1], [2, 3]] : ... into
//   memref<8x128x512xf32> memref.copy %v, %out
//
// (buffer-results-to-out-params replaces a returned allocation by the output
// buffer, but not one seen through a reshape). The values are computed in
// the output itself instead: %a becomes the inverse reshape of %out and the
// copy goes. This is sound when everything that uses %a comes before the
// copy and the copy is the only use of %out: then %a and %out hold the same
// elements at the copy, and nothing else reads or writes either. Output
// buffers never overlap the inputs (the JIT allocates them; call_into and the
// header of `kilnc compile` require it).
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln {
#define GEN_PASS_DEF_RESHAPEDRESULTSINPLACEPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Whether every use of `buffer`, and of the views of it, is in an op (or
/// nested in an op) of `block` that comes before `last`, or is `last`.
bool allUsesBefore(Value buffer, Operation *last, Block *block) {
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = block->findAncestorOpInBlock(*use.getOwner());
    if (!user || (user != last && !user->isBeforeInBlock(last)))
      return false;
    if (auto view = dyn_cast<ViewLikeOpInterface>(use.getOwner()))
      if (!allUsesBefore(view->getResult(0), last, block))
        return false;
  }
  return true;
}

bool isStaticIdentity(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// Computes the reshaped value copied into `out` in `out` itself, if that is
/// sound (see above).
void computeInPlace(memref::CopyOp copy, Block *entry) {
  auto out = dyn_cast<BlockArgument>(copy.getTarget());
  if (!out || out.getOwner() != entry || !out.hasOneUse())
    return;
  // The reshapes from an allocation to the copied value, last one first.
  SmallVector<Operation *> reshapes;
  Value source = copy.getSource();
  while (Operation *def = source.getDefiningOp()) {
    if (!isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(def) ||
        !isStaticIdentity(def->getResult(0).getType()))
      break;
    reshapes.push_back(def);
    source = def->getOperand(0);
  }
  auto alloc = source.getDefiningOp<memref::AllocOp>();
  if (reshapes.empty() || !alloc || alloc->getBlock() != entry ||
      !isStaticIdentity(alloc.getType()) || !allUsesBefore(alloc, copy, entry))
    return;

  // %a = the inverse reshapes of %out, in reverse order.
  OpBuilder builder(alloc);
  Value view = out;
  for (Operation *reshape : reshapes) {
    Type type = reshape->getOperand(0).getType();
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(reshape))
      view =
          memref::ExpandShapeOp::create(builder, reshape->getLoc(), type, view,
                                        collapse.getReassociationIndices());
    else
      view = memref::CollapseShapeOp::create(
          builder, reshape->getLoc(), type, view,
          cast<memref::ExpandShapeOp>(reshape).getReassociationIndices());
  }
  if (view.getType() != alloc.getType())
    return; // not reached: the reshapes invert exactly
  alloc.getResult().replaceAllUsesWith(view);
  copy.erase();
  for (Operation *reshape : reshapes)
    if (reshape->use_empty())
      reshape->erase();
  alloc.erase();
}

struct ReshapedResultsInPlacePass final
    : kiln::impl::ReshapedResultsInPlacePassBase<ReshapedResultsInPlacePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block *entry = &func.front();
    for (memref::CopyOp copy :
         llvm::make_early_inc_range(entry->getOps<memref::CopyOp>()))
      computeInPlace(copy, entry);
  }
};

} // namespace
