//===- Debug.cpp - kiln.print to a call of the runtime --------------------===//
//
// A kiln.print becomes a call of `kiln_rt_print_<type>(memref<*xT>, ptr)`
// (kiln/Runtime/CAbi.h) on a read-only buffer of the printed tensor, with
// the line's prefix (label and location) as a constant string. The call
// writes to the outside world, so nothing removes or reorders it; the
// printed tensor is the only value it keeps in memory, and the ops around it
// fuse as usual.
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/Debug.h"
#include "LoweringUtils.h"
#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

struct PrintLowering final : OpRewritePattern<kiln::PrintOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(kiln::PrintOp op,
                                PatternRewriter &rewriter) const override {
    auto module = op->getParentOfType<ModuleOp>();
    if (!module)
      return rewriter.notifyMatchFailure(
          op, "needs an enclosing module to declare the runtime's print");
    auto type = cast<RankedTensorType>(op.getInput().getType());
    Type element = type.getElementType();
    // uint8/uint16 tensors are i8/i16 here (prepareSmallIntegers).
    std::optional<StringRef> suffix =
        op->hasAttr("kiln.unsigned_input")
            ? runtimeTypeSuffix(IntegerType::get(
                  getContext(), element.getIntOrFloatBitWidth(),
                  IntegerType::Unsigned))
            : runtimeTypeSuffix(element);
    if (!suffix)
      return rewriter.notifyMatchFailure(op, "prints no tensor of this type");
    Location loc = op.getLoc();
    // Any layout: the runtime reads the descriptor's strides.
    Value unranked = unrankedBuffer(rewriter, loc, op.getInput());
    std::string name = ("kiln_rt_print_" + *suffix).str();
    Value text = constantString(
        rewriter, loc, module,
        kiln::detail::printPrefix(op.getLabel().str(), formatFileLine(loc)));
    callRuntime(rewriter, loc, module, name, ValueRange{unranked, text});
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void kiln::populateDebugLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<PrintLowering>(patterns.getContext());
}
