//===- CollapseParallelDims.cpp - Merge leading parallel loops ------------===//
//
// A linalg.generic on [b, s, n] whose operands keep (b, s) together becomes
// one on [b * s, n]: row-wise ops then share one loop over rows, and the
// consumer of a matmul lowered on flattened rows reads it directly.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_COLLAPSEPARALLELDIMSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The leading parallel loops of `op` to merge into one: the longest prefix
/// (of at least two loops, leaving the innermost loop alone) that every
/// indexing map keeps contiguous and in order; none if there is no such.
SmallVector<ReassociationIndices> leadingParallelDims(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp>(op) || !op.hasPureTensorSemantics())
    return {};
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps,
                    [](AffineMap map) { return map.isProjectedPermutation(); }))
    return {};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t loops = iterators.size();
  int64_t leading = 0;
  while (leading < loops - 1 &&
         iterators[leading] == utils::IteratorType::parallel)
    ++leading;
  for (; leading >= 2; --leading) {
    ReassociationIndices dims = llvm::to_vector(llvm::seq<int64_t>(0, leading));
    if (linalg::areDimSequencesPreserved(maps, {dims}))
      return {dims};
  }
  return {};
}

struct CollapseParallelDimsPass final
    : kiln::impl::CollapseParallelDimsPassBase<CollapseParallelDimsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateCollapseDimensions(patterns, leadingParallelDims);
    tensor::populateReassociativeReshapeFoldingPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
