//===- ReductionsToLoops.cpp - Reductions with register accumulators ------===//
//
// Upstream's linalg-to-loops lowering reads and writes the accumulator in
// memory at every iteration of a reduction (`out[i] = out[i] + x[i, j]`). LLVM
// cannot keep it in a register when the output might alias an input, so the
// loop neither promotes nor vectorizes. This pass lowers a `linalg.generic`
// on buffers whose reduction loops are innermost itself: the parallel loops
// become an `scf.parallel`, the reduction loops an `scf.for` nest carrying the
// accumulators in `iter_args`, loaded once before and stored once after. With
// the `reassoc` flag the kiln lowering puts on the combiner, LLVM's loop
// vectorizer then turns the inner loop into vector partial sums.
//
// Reading the output only before and writing it only after the reduction is
// what linalg means as long as the output does not alias an input, which
// bufferization guarantees for the buffers it creates.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_REDUCTIONSTOLOOPSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The indices `map` selects from the loop induction variables `ivs`.
SmallVector<Value> indicesOf(OpBuilder &b, Location loc, AffineMap map,
                             ValueRange ivs) {
  SmallVector<Value> indices;
  for (unsigned r = 0; r < map.getNumResults(); ++r) {
    AffineExpr expr = map.getResult(r);
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      indices.push_back(ivs[dim.getPosition()]);
      continue;
    }
    if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
      indices.push_back(
          arith::ConstantIndexOp::create(b, loc, constant.getValue()));
      continue;
    }
    indices.push_back(
        affine::AffineApplyOp::create(b, loc, map.getSubMap({r}), ivs));
  }
  return indices;
}

/// The scalar of `operand` at iteration `ivs`: a load for a memref, the value
/// itself for a scalar operand.
Value readOperand(OpBuilder &b, Location loc, linalg::GenericOp op,
                  OpOperand &operand, ValueRange ivs) {
  Value value = operand.get();
  if (!isa<MemRefType>(value.getType()))
    return value;
  AffineMap map = op.getMatchingIndexingMap(&operand);
  return memref::LoadOp::create(b, loc, value, indicesOf(b, loc, map, ivs));
}

/// The combiners of `op` when every one is a float sum `acc + x` (an
/// `arith.addf` with the `reassoc` flag whose only use of the accumulator is
/// that add), in the order of the outputs; nullopt otherwise.
std::optional<SmallVector<arith::AddFOp>> getFloatSums(linalg::GenericOp op) {
  SmallVector<arith::AddFOp> sums;
  Operation *yield = op.getBlock()->getTerminator();
  for (OpOperand &init : op.getDpsInitsMutable()) {
    BlockArgument acc = op.getMatchingBlockArgument(&init);
    auto add = yield->getOperand(init.getOperandNumber() - op.getNumDpsInputs())
                   .getDefiningOp<arith::AddFOp>();
    if (!add || !acc.hasOneUse() || *acc.getUsers().begin() != add ||
        !arith::bitEnumContainsAll(add.getFastmath(),
                                   arith::FastMathFlags::reassoc))
      return std::nullopt;
    sums.push_back(add);
  }
  return sums;
}

using BodyBuilder = llvm::function_ref<scf::ValueVector(
    OpBuilder &, Location, Value iv, ValueRange partialSums)>;

/// The innermost reduction loop of float sums, in blocks of `blockSize`
/// iterations: each block sums into fresh partial sums starting at -0.0 (the
/// identity of addition), which are then added to `accs`. A long reduction
/// then rounds like eager mode's chunked sums instead of accumulating
/// millions of terms into a few vector lanes (whose error grows with the
/// length); LLVM still vectorizes each block.
scf::ValueVector emitBlockedSums(OpBuilder &b, Location loc,
                                 MutableArrayRef<arith::AddFOp> sums, Value lb,
                                 Value ub, Value step, int64_t blockSize,
                                 ValueRange accs, BodyBuilder body) {
  Value blockStep = arith::MulIOp::create(
      b, loc, step, arith::ConstantIndexOp::create(b, loc, blockSize));
  auto blocks = scf::ForOp::create(
      b, loc, lb, ub, blockStep, accs,
      [&](OpBuilder &b, Location loc, Value blockStart, ValueRange accs) {
        Value blockEnd = arith::MinSIOp::create(
            b, loc, arith::AddIOp::create(b, loc, blockStart, blockStep), ub);
        SmallVector<Value> zeros;
        for (Value acc : accs)
          zeros.push_back(arith::ConstantOp::create(
              b, loc,
              b.getFloatAttr(
                  acc.getType(),
                  APFloat::getZero(
                      cast<FloatType>(acc.getType()).getFloatSemantics(),
                      /*Negative=*/true))));
        auto block = scf::ForOp::create(
            b, loc, blockStart, blockEnd, step, zeros,
            [&](OpBuilder &b, Location loc, Value iv, ValueRange partial) {
              scf::YieldOp::create(b, loc, body(b, loc, iv, partial));
            });
        SmallVector<Value> next;
        for (auto [acc, partial, sum] :
             llvm::zip(accs, block.getResults(), sums))
          next.push_back(
              arith::AddFOp::create(b, loc, acc, partial, sum.getFastmath()));
        scf::YieldOp::create(b, loc, next);
      });
  return scf::ValueVector(blocks.getResults().begin(),
                          blocks.getResults().end());
}

/// linalg.generic {parallel..., reduction...} on buffers ->
///   scf.parallel (parallel ivs) {
///     acc = load out; acc = scf.for (reduction ivs) iter_args(acc) {body};
///     store acc
///   }
struct InnerReductionToLoops : OpRewritePattern<linalg::GenericOp> {
  InnerReductionToLoops(MLIRContext *context, bool parallel, int64_t blockSize)
      : OpRewritePattern(context), parallel(parallel), blockSize(blockSize) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return rewriter.notifyMatchFailure(op, "expects buffer semantics");
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    unsigned numParallel = 0;
    while (numParallel < iterators.size() &&
           iterators[numParallel] == utils::IteratorType::parallel)
      ++numParallel;
    if (numParallel == iterators.size())
      return rewriter.notifyMatchFailure(op, "has no reduction loop");
    for (unsigned d = numParallel; d < iterators.size(); ++d)
      if (iterators[d] != utils::IteratorType::reduction)
        return rewriter.notifyMatchFailure(
            op, "reduction loops are not all innermost");
    // Each output element is read before and written after its reduction.
    for (OpOperand &init : op.getDpsInitsMutable()) {
      AffineMap map = op.getMatchingIndexingMap(&init);
      for (unsigned d = numParallel; d < iterators.size(); ++d)
        if (map.isFunctionOfDim(d))
          return rewriter.notifyMatchFailure(
              op, "an output is indexed by a reduction loop");
    }

    Location loc = op.getLoc();
    SmallVector<Range> ranges = cast<linalg::LinalgOp>(op.getOperation())
                                    .createLoopRanges(rewriter, loc);
    SmallVector<Value> lbs, ubs, steps;
    for (Range range : ranges) {
      lbs.push_back(
          getValueOrCreateConstantIndexOp(rewriter, loc, range.offset));
      ubs.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, range.size));
      steps.push_back(
          getValueOrCreateConstantIndexOp(rewriter, loc, range.stride));
    }
    auto first = [&](ArrayRef<Value> values) {
      return ValueRange(values).take_front(numParallel);
    };
    auto rest = [&](ArrayRef<Value> values) {
      return ValueRange(values).drop_front(numParallel);
    };

    // The payload at iteration `ivs` with accumulators `accs`.
    auto emitBody = [&](OpBuilder &b, Location loc, ValueRange ivs,
                        ValueRange accs) -> scf::ValueVector {
      IRMapping mapping;
      Block *body = op.getBlock();
      for (OpOperand *input : op.getDpsInputOperands())
        mapping.map(body->getArgument(input->getOperandNumber()),
                    readOperand(b, loc, op, *input, ivs));
      for (auto [i, acc] : llvm::enumerate(accs))
        mapping.map(body->getArgument(op.getNumDpsInputs() + i), acc);
      for (Operation &nested : body->without_terminator()) {
        if (auto index = dyn_cast<linalg::IndexOp>(nested)) {
          mapping.map(index.getResult(), ivs[index.getDim()]);
          continue;
        }
        b.clone(nested, mapping);
      }
      return llvm::map_to_vector(
          body->getTerminator()->getOperands(),
          [&](Value v) { return mapping.lookupOrDefault(v); });
    };
    // Float sums are blocked, unless their innermost loop fits one block.
    std::optional<int64_t> innermostSize =
        getConstantIntValue(ranges.back().size);
    std::optional<SmallVector<arith::AddFOp>> sums;
    if (!innermostSize || *innermostSize > blockSize)
      sums = getFloatSums(op);

    auto buildReduction = [&](OpBuilder &b, Location loc,
                              ValueRange parallelIvs) {
      SmallVector<Value> accumulators;
      for (OpOperand &init : op.getDpsInitsMutable())
        accumulators.push_back(readOperand(b, loc, op, init, parallelIvs));
      // Blocked sums build the innermost reduction loop themselves.
      size_t nestDepth = iterators.size() - numParallel - (sums ? 1 : 0);
      auto nested = [&](ArrayRef<Value> values) {
        return rest(values).take_front(nestDepth);
      };
      scf::LoopNest nest = scf::buildLoopNest(
          b, loc, nested(lbs), nested(ubs), nested(steps), accumulators,
          [&](OpBuilder &b, Location loc, ValueRange reductionIvs,
              ValueRange accs) -> scf::ValueVector {
            SmallVector<Value> ivs(parallelIvs);
            ivs.append(reductionIvs.begin(), reductionIvs.end());
            if (!sums)
              return emitBody(b, loc, ivs, accs);
            return emitBlockedSums(
                b, loc, *sums, lbs.back(), ubs.back(), steps.back(), blockSize,
                accs,
                [&](OpBuilder &b, Location loc, Value iv, ValueRange partial) {
                  SmallVector<Value> all(ivs);
                  all.push_back(iv);
                  return emitBody(b, loc, all, partial);
                });
          });
      for (auto [init, result] :
           llvm::zip(op.getDpsInitsMutable(), nest.results)) {
        AffineMap map = op.getMatchingIndexingMap(&init);
        memref::StoreOp::create(b, loc, result, init.get(),
                                indicesOf(b, loc, map, parallelIvs));
      }
    };

    if (numParallel == 0) {
      buildReduction(rewriter, loc, {});
    } else if (parallel) {
      scf::ParallelOp::create(rewriter, loc, first(lbs), first(ubs),
                              first(steps), buildReduction);
    } else {
      scf::buildLoopNest(rewriter, loc, first(lbs), first(ubs), first(steps),
                         buildReduction);
    }
    rewriter.eraseOp(op);
    return success();
  }

  bool parallel;
  int64_t blockSize;
};

struct ReductionsToLoopsPass final
    : kiln::impl::ReductionsToLoopsPassBase<ReductionsToLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<InnerReductionToLoops>(&getContext(), parallel, sumBlock);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
