//===- KilnControlFlow.cpp - kiln.if, kiln.for, kiln.while ----------------===//
//
// The verifiers and canonicalizations of the control-flow ops: every region
// yields exactly the types its op promises (identical shapes and dtypes), and
// loop regions take the carry they are given.
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

} // namespace

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
  patterns.add<FoldEmptyFor>(context);
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
