//===- KilnControlFlow.cpp - kiln.if, kiln.for, kiln.while, kiln.scan -----===//
//
// The verifiers and canonicalizations of the control-flow ops: every region
// yields exactly the types its op promises (identical shapes and dtypes), and
// loop regions take the carry they are given. Canonicalization folds constant
// conditions and empty loops, hoists the ops of a loop body that do not
// depend on the loop, and turns a kiln.while that counts to a bound into a
// kiln.for.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace kiln;

namespace {

/// "tensor<4xf32>, tensor<i1>", for diagnostics.
std::string typeList(TypeRange types) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(types, os);
  return text;
}

/// Checks that `region`, named `name`, ends in a kiln.yield of `expected`.
LogicalResult verifyYield(Operation *op, Region &region, StringRef name,
                          TypeRange expected) {
  auto yield = dyn_cast<YieldOp>(region.front().getTerminator());
  if (!yield)
    return op->emitOpError()
           << "region '" << name << "' must end in kiln.yield";
  if (yield.getValues().getTypes() != expected)
    return op->emitOpError() << "region '" << name << "' yields ("
                             << typeList(yield.getValues().getTypes())
                             << "), expected (" << typeList(expected) << ")";
  return success();
}

/// Checks that the entry block of `region`, named `name`, takes `expected`.
LogicalResult verifyArguments(Operation *op, Region &region, StringRef name,
                              TypeRange expected) {
  TypeRange actual = region.front().getArgumentTypes();
  if (actual != expected)
    return op->emitOpError()
           << "region '" << name << "' takes (" << typeList(actual)
           << "), expected (" << typeList(expected) << ")";
  return success();
}

/// Checks that a loop's results have the types of its initial carry.
LogicalResult verifyCarry(Operation *op, ValueRange init) {
  if (op->getResultTypes() != init.getTypes())
    return op->emitOpError() << "results (" << typeList(op->getResultTypes())
                             << ") differ from the initial carry ("
                             << typeList(init.getTypes()) << ")";
  return success();
}

/// The value of a constant scalar tensor, if `value` is one.
std::optional<APInt> constantScalar(Value value) {
  DenseIntElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat())
    return std::nullopt;
  return attr.getSplatValue<APInt>();
}

/// Replaces `op` by the contents of `region` (a single block without
/// arguments), whose kiln.yield gives the replacement values.
void inlineRegion(PatternRewriter &rewriter, Operation *op, Region &region) {
  Block *block = &region.front();
  auto yield = cast<YieldOp>(block->getTerminator());
  SmallVector<Value> values(yield.getValues());
  rewriter.eraseOp(yield);
  rewriter.inlineBlockBefore(block, op);
  rewriter.replaceOp(op, values);
}

/// kiln.if on a constant condition is the region it chooses.
struct FoldConstantCondition : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IfOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<APInt> condition = constantScalar(op.getCondition());
    if (!condition)
      return failure();
    inlineRegion(rewriter, op,
                 condition->isZero() ? op.getElseRegion() : op.getThenRegion());
    return success();
  }
};

/// kiln.for whose constant bounds give no iteration is its initial carry.
struct FoldEmptyFor : OpRewritePattern<ForOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ForOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<APInt> lower = constantScalar(op.getLower());
    std::optional<APInt> upper = constantScalar(op.getUpper());
    if (!lower || !upper || upper->sgt(*lower))
      return failure();
    rewriter.replaceOp(op, op.getInit());
    return success();
  }
};

/// Whether `op`, in a region of `loop` that may run zero times, may run once
/// before the loop instead: a kiln op without regions or side effects whose
/// compiled code cannot report an error (no dynamic sizes to check, no gather
/// index to range-check), so that running it when the loop would not changes
/// nothing.
bool isHoistable(Operation *op, bool regionRunsAtLeastOnce) {
  if (!isa<KilnDialect>(op->getDialect()) || op->getNumRegions() ||
      op->hasTrait<OpTrait::IsTerminator>() || !isPure(op))
    return false;
  if (regionRunsAtLeastOnce)
    return true;
  auto isStatic = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return !shaped || shaped.hasStaticShape();
  };
  return !isa<GatherOp>(op) && llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

/// Moves the ops of `region` (a region of `loop`) that use no value defined
/// inside `loop` to just before it, in order, so chains of them move
/// together. Returns whether any moved.
bool hoistLoopInvariants(PatternRewriter &rewriter, Operation *loop,
                         Region &region, bool regionRunsAtLeastOnce) {
  auto definedOutside = [&](Value value) {
    return !loop->isAncestor(value.getParentRegion()->getParentOp());
  };
  bool moved = false;
  for (Operation &op : llvm::make_early_inc_range(region.front())) {
    if (!isHoistable(&op, regionRunsAtLeastOnce) ||
        !llvm::all_of(op.getOperands(), definedOutside))
      continue;
    rewriter.moveOpBefore(&op, loop);
    moved = true;
  }
  return moved;
}

/// Loop-invariant code motion for the loops of the dialect.
template <typename LoopOp>
struct HoistLoopInvariants : OpRewritePattern<LoopOp> {
  using OpRewritePattern<LoopOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(LoopOp op,
                                PatternRewriter &rewriter) const override {
    bool moved = false;
    if constexpr (std::is_same_v<LoopOp, WhileOp>) {
      // The condition always runs at least once.
      moved |= hoistLoopInvariants(rewriter, op, op.getCondRegion(),
                                   /*regionRunsAtLeastOnce=*/true);
    }
    moved |= hoistLoopInvariants(rewriter, op, op.getBody(),
                                 /*regionRunsAtLeastOnce=*/false);
    return success(moved);
  }
};

/// Whether `value` is the constant scalar 1.
bool isConstantOne(Value value) {
  std::optional<APInt> constant = constantScalar(value);
  return constant && constant->isOne();
}

/// A kiln.while that counts a carried int64 scalar up by one to a bound it
/// does not change,
///
///   cond { ^bb0(..., %i, ...): %p = kiln.lt %i, %n; kiln.yield %p }
///   do { ^bb0(..., %i, ...): ...; %j = kiln.add %i, 1; kiln.yield ..., %j }
///
/// (or `kiln.gt %n, %i`), runs a known number of times: it is the kiln.for
/// from the counter's initial value to %n, whose body keeps the counter in
/// the carry as before.
struct CountingWhileToFor : OpRewritePattern<WhileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WhileOp op,
                                PatternRewriter &rewriter) const override {
    Block &cond = op.getCondRegion().front();
    if (cond.getOperations().size() != 2)
      return failure();
    auto yield = cast<YieldOp>(cond.getTerminator());
    Operation *compare = yield.getValues()[0].getDefiningOp();
    if (!compare || compare->getBlock() != &cond)
      return failure();
    Value counter, bound;
    if (isa<LtOp>(compare)) {
      counter = compare->getOperand(0);
      bound = compare->getOperand(1);
    } else if (isa<GtOp>(compare)) {
      counter = compare->getOperand(1);
      bound = compare->getOperand(0);
    } else {
      return failure();
    }
    auto counterArg = dyn_cast<BlockArgument>(counter);
    Type i64Scalar = RankedTensorType::get({}, rewriter.getI64Type());
    if (!counterArg || counterArg.getOwner() != &cond ||
        counter.getType() != i64Scalar || bound.getType() != i64Scalar ||
        op->isAncestor(bound.getParentRegion()->getParentOp()))
      return failure();
    unsigned position = counterArg.getArgNumber();
    Block &body = op.getBody().front();
    auto bodyYield = cast<YieldOp>(body.getTerminator());
    auto increment = bodyYield.getValues()[position].getDefiningOp<AddOp>();
    Value bodyCounter = body.getArgument(position);
    if (!increment || !((increment.getLhs() == bodyCounter &&
                         isConstantOne(increment.getRhs())) ||
                        (increment.getRhs() == bodyCounter &&
                         isConstantOne(increment.getLhs()))))
      return failure();

    auto loop = ForOp::create(rewriter, op.getLoc(), op.getResultTypes(),
                              op.getInit()[position], bound, op.getInit());
    Region &loopBody = loop.getBody();
    rewriter.inlineRegionBefore(op.getBody(), loopBody, loopBody.end());
    // The for's index comes first; the counter stays in the carry.
    loopBody.front().insertArgument(0u, i64Scalar, op.getLoc());
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

/// The slice type of one step of a scan over `xs`: its type without the
/// first dimension.
RankedTensorType sliceType(Type xs) {
  auto type = cast<RankedTensorType>(xs);
  return RankedTensorType::get(type.getShape().drop_front(),
                               type.getElementType());
}

} // namespace

SmallVector<Region *> ForOp::getLoopRegions() { return {&getBody()}; }

SmallVector<Region *> WhileOp::getLoopRegions() {
  return {&getCondRegion(), &getBody()};
}

SmallVector<Region *> ScanOp::getLoopRegions() { return {&getBody()}; }

LogicalResult IfOp::verify() {
  if (failed(verifyYield(*this, getThenRegion(), "then", getResultTypes())))
    return failure();
  return verifyYield(*this, getElseRegion(), "else", getResultTypes());
}

void IfOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                       MLIRContext *context) {
  patterns.add<FoldConstantCondition>(context);
}

LogicalResult ForOp::verify() {
  if (failed(verifyCarry(*this, getInit())))
    return failure();
  SmallVector<Type> arguments = {getLower().getType()};
  llvm::append_range(arguments, getInit().getTypes());
  if (failed(verifyArguments(*this, getBody(), "body", arguments)))
    return failure();
  return verifyYield(*this, getBody(), "body", getInit().getTypes());
}

void ForOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<FoldEmptyFor, HoistLoopInvariants<ForOp>>(context);
}

LogicalResult WhileOp::verify() {
  if (failed(verifyCarry(*this, getInit())))
    return failure();
  TypeRange carry = getInit().getTypes();
  if (failed(verifyArguments(*this, getCondRegion(), "cond", carry)) ||
      failed(verifyArguments(*this, getBody(), "do", carry)))
    return failure();
  Type predicate = RankedTensorType::get({}, IntegerType::get(getContext(), 1));
  if (failed(verifyYield(*this, getCondRegion(), "cond", predicate)))
    return failure();
  return verifyYield(*this, getBody(), "do", carry);
}

void WhileOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                          MLIRContext *context) {
  patterns.add<CountingWhileToFor, HoistLoopInvariants<WhileOp>>(context);
}

LogicalResult ScanOp::verify() {
  if (getXs().empty())
    return emitOpError() << "needs at least one tensor to scan over";
  std::optional<int64_t> length;
  SmallVector<Type> arguments(getInit().getTypes());
  for (Type type : getXs().getTypes()) {
    auto tensor = cast<RankedTensorType>(type);
    if (tensor.getRank() == 0)
      return emitOpError() << "scans over tensors of rank 1 or more, got "
                           << type;
    int64_t size = tensor.getDimSize(0);
    if (!ShapedType::isDynamic(size)) {
      if (length && *length != size)
        return emitOpError() << "scans over tensors whose first dimensions "
                                "differ: "
                             << *length << " and " << size;
      length = size;
    }
    arguments.push_back(sliceType(type));
  }
  size_t carryCount = getInit().size();
  if (getNumResults() < carryCount ||
      TypeRange(getCarryResults().getTypes()) != getInit().getTypes())
    return emitOpError() << "results (" << typeList(getResultTypes())
                         << ") must begin with the initial carry ("
                         << typeList(getInit().getTypes()) << ")";
  if (failed(verifyArguments(*this, getBody(), "body", arguments)))
    return failure();
  // The body yields the carry, then one slice of each stacked result.
  SmallVector<Type> yielded(getInit().getTypes());
  for (Type stacked : getStackedResults().getTypes()) {
    auto type = cast<RankedTensorType>(stacked);
    int64_t size = type.getRank() ? type.getDimSize(0) : 0;
    if (type.getRank() == 0 || size != length.value_or(ShapedType::kDynamic))
      return emitOpError() << "stacked result " << stacked
                           << " must have a first dimension of "
                           << (length ? std::to_string(*length) : "?")
                           << ", the number of steps";
    yielded.push_back(sliceType(type));
  }
  return verifyYield(*this, getBody(), "body", yielded);
}

void ScanOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<HoistLoopInvariants<ScanOp>>(context);
}
