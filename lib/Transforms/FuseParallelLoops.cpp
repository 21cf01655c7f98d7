//===- FuseParallelLoops.cpp - Fuse sibling scf.parallel loops by rows ----===//
//
// A softmax lowers to four loops over the rows (fill, row max, row sum of
// exp, normalization), each reading the whole tensor: four passes through
// memory where the hand-written loop makes one. Each loop only touches row i
// of what another loop writes, so the loops fuse into one loop over rows,
// and the row stays in cache between the passes.
//
// Upstream's scf-parallel-loop-fusion needs equal iteration spaces and no
// nested parallel loops; here only the outermost dimension has to match, and
// the dependence test looks at first indices only.
//
//===----------------------------------------------------------------------===//

#include "BufferRoots.h"

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_FUSEPARALLELLOOPSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// One memref.load or memref.store of a loop body.
struct Access {
  Value memref;
  Value firstIndex;
  bool isStore;
};

bool isAllocation(Value root) {
  return root.getDefiningOp<memref::AllocOp>() ||
         root.getDefiningOp<memref::AllocaOp>();
}

/// Whether two buffers may overlap: allocations overlap nothing else, and
/// distinct function arguments are assumed not to alias, as one-shot
/// bufferization assumes of function boundaries.
bool mayAlias(Value a, Value b) {
  Value rootA = kiln::rootBuffer(a), rootB = kiln::rootBuffer(b);
  if (rootA == rootB)
    return true;
  if (isAllocation(rootA) || isAllocation(rootB))
    return false;
  auto isArgument = [](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  };
  return !(isArgument(rootA) && isArgument(rootB));
}

/// The memory accesses of `loop`'s body, or failure if it has other memory
/// effects than loads and stores (copies, calls, allocations).
FailureOr<SmallVector<Access>> collectAccesses(scf::ParallelOp loop) {
  SmallVector<Access> accesses;
  WalkResult result = loop.getBody()->walk([&](Operation *op) {
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      Value index = load.getIndices().empty() ? Value() : load.getIndices()[0];
      accesses.push_back({load.getMemRef(), index, false});
      return WalkResult::advance();
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      Value index =
          store.getIndices().empty() ? Value() : store.getIndices()[0];
      accesses.push_back({store.getMemRef(), index, true});
      return WalkResult::advance();
    }
    if (isMemoryEffectFree(op) ||
        op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    return WalkResult::interrupt();
  });
  if (result.wasInterrupted())
    return failure();
  return accesses;
}

bool sameValue(Value a, Value b) {
  if (a == b)
    return true;
  APInt x, y;
  return matchPattern(a, m_ConstantInt(&x)) &&
         matchPattern(b, m_ConstantInt(&y)) && x == y;
}

/// Whether iteration i of `second` may run right after iteration i of
/// `first`, for every i: each conflicting pair of accesses addresses row i
/// of one identity-layout buffer.
bool canFuse(scf::ParallelOp first, scf::ParallelOp second) {
  if (first.getNumReductions() || second.getNumReductions())
    return false;
  if (!sameValue(first.getLowerBound()[0], second.getLowerBound()[0]) ||
      !sameValue(first.getUpperBound()[0], second.getUpperBound()[0]) ||
      !sameValue(first.getStep()[0], second.getStep()[0]))
    return false;
  FailureOr<SmallVector<Access>> firstAccesses = collectAccesses(first);
  FailureOr<SmallVector<Access>> secondAccesses = collectAccesses(second);
  if (failed(firstAccesses) || failed(secondAccesses))
    return false;
  Value firstIv = first.getInductionVars()[0];
  Value secondIv = second.getInductionVars()[0];
  // Row i of a buffer with the identity layout (possibly a reshaped view of
  // another one: rows of different i are still disjoint) is touched by
  // iteration i alone.
  auto onRow = [](const Access &access, Value iv) {
    auto type = cast<MemRefType>(access.memref.getType());
    return access.firstIndex == iv && type.getLayout().isIdentity();
  };
  for (const Access &a : *firstAccesses)
    for (const Access &b : *secondAccesses) {
      if (!a.isStore && !b.isStore)
        continue;
      if (!mayAlias(a.memref, b.memref))
        continue;
      if (a.memref != b.memref || !onRow(a, firstIv) || !onRow(b, secondIv))
        return false;
    }
  return true;
}

/// `loop` as an outer scf.parallel over its first dimension around an
/// scf.parallel over the others (the loop itself if it has one dimension).
scf::ParallelOp splitOuterDimension(OpBuilder &b, scf::ParallelOp loop) {
  if (loop.getNumLoops() == 1)
    return loop;
  b.setInsertionPoint(loop);
  Location loc = loop.getLoc();
  auto outer = scf::ParallelOp::create(
      b, loc, loop.getLowerBound().take_front(1),
      loop.getUpperBound().take_front(1), loop.getStep().take_front(1),
      [&](OpBuilder &b, Location loc, ValueRange outerIvs) {
        auto inner = scf::ParallelOp::create(
            b, loc, loop.getLowerBound().drop_front(1),
            loop.getUpperBound().drop_front(1), loop.getStep().drop_front(1));
        Block *innerBody = inner.getBody();
        // Move the body over, replacing the induction variables.
        Block *body = loop.getBody();
        body->getArgument(0).replaceAllUsesWith(outerIvs[0]);
        for (auto [old, iv] : llvm::zip(body->getArguments().drop_front(1),
                                        innerBody->getArguments()))
          old.replaceAllUsesWith(iv);
        innerBody->getTerminator()->erase();
        innerBody->getOperations().splice(innerBody->end(),
                                          body->getOperations());
      });
  loop.erase();
  return outer;
}

/// Moves the body of `first` to the start of `second`'s (both one-dimensional).
void fuseInto(scf::ParallelOp first, scf::ParallelOp second) {
  Block *body = first.getBody();
  body->getArgument(0).replaceAllUsesWith(second.getInductionVars()[0]);
  body->getTerminator()->erase();
  Block *target = second.getBody();
  target->getOperations().splice(target->begin(), body->getOperations());
  first.erase();
}

/// Whether `op`, between two loops, lets the first loop move past it.
bool isTransparent(Operation &op) {
  if (op.getNumRegions())
    return false;
  if (isMemoryEffectFree(&op))
    return true;
  // An allocation touches no memory the loops use.
  return isa<memref::AllocOp, memref::AllocaOp>(op);
}

void fuseInBlock(Block &block) {
  OpBuilder builder(block.getParentOp()->getContext());
  scf::ParallelOp previous;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    auto loop = dyn_cast<scf::ParallelOp>(op);
    if (!loop) {
      if (!isTransparent(op))
        previous = nullptr;
      continue;
    }
    if (previous && canFuse(previous, loop)) {
      scf::ParallelOp first = splitOuterDimension(builder, previous);
      scf::ParallelOp second = splitOuterDimension(builder, loop);
      fuseInto(first, second);
      loop = second;
    }
    previous = loop;
  }
}

struct FuseParallelLoopsPass final
    : kiln::impl::FuseParallelLoopsPassBase<FuseParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Outermost loops only: blocks not inside an scf.parallel.
    SmallVector<Block *> blocks;
    getOperation()->walk([&](Block *block) {
      if (!block->getParentOp()->getParentOfType<scf::ParallelOp>() &&
          !isa<scf::ParallelOp>(block->getParentOp()))
        blocks.push_back(block);
    });
    for (Block *block : blocks)
      fuseInBlock(*block);
  }
};

} // namespace
