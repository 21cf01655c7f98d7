//===- DynamicDims.cpp - Dynamic dimensions the host checks ---------------===//

#include "kiln/Conversion/DynamicDims.h"

#include "kiln/Conversion/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"

#include "llvm/ADT/DenseMap.h"

namespace kiln {
#define GEN_PASS_DEF_MARKCHECKEDDIMSPASS
#include "kiln/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

using Source = DimSource;

Source unknown() { return {}; }
Source staticSize(int64_t size) { return {-1, 0, size}; }

class Analysis {
public:
  explicit Analysis(func::FuncOp func) {
    for (BlockArgument arg : func.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!type)
        continue;
      SmallVector<Source> dims;
      for (int64_t d = 0; d < type.getRank(); ++d)
        dims.push_back(type.isDynamicDim(d) ? Source{arg.getArgNumber(), d, 0}
                                            : staticSize(type.getDimSize(d)));
      sources[arg] = dims;
    }
    func.walk([&](Operation *op) {
      if (op->getNumResults() == 1 &&
          isa<RankedTensorType>(op->getResult(0).getType()))
        visit(op);
    });
    func.walk([&](func::ReturnOp ret) {
      for (Value value : ret.getOperands()) {
        SmallVector<Source> dims;
        if (isa<RankedTensorType>(value.getType()))
          dims = of(value);
        result.resultDims.emplace_back(dims.begin(), dims.end());
      }
    });
  }

  DynamicDimChecks result;

private:
  /// The sources of `value`'s dimensions; static ones are always known.
  SmallVector<Source> of(Value value) {
    auto it = sources.find(value);
    if (it != sources.end())
      return it->second;
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<Source> dims;
    for (int64_t size : type.getShape())
      dims.push_back(ShapedType::isDynamic(size) ? unknown()
                                                 : staticSize(size));
    return dims;
  }

  /// Records `dims` as the sources of `op`'s result; its type's static
  /// dimensions override them.
  void setResult(Operation *op, SmallVector<Source> dims) {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    if (dims.size() != static_cast<size_t>(type.getRank()))
      return;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!type.isDynamicDim(d))
        dims[d] = staticSize(type.getDimSize(d));
    sources[op->getResult(0)] = dims;
  }

  /// Requires two sizes at the same position to be equal at run time (or,
  /// if they `broadcast`, one of them to be a static 1). Returns false if
  /// that cannot be checked on the arguments.
  bool require(Operation *op, Source a, Source b, bool broadcasts = true) {
    if (a.isStatic() && b.isStatic())
      return true; // the verifier checked them
    dynamicPair = true;
    if (!a.known() || !b.known())
      return false;
    if (a.isStatic())
      std::swap(a, b);
    if (broadcasts && b.isStatic() && b.size == 1)
      return true; // a static 1 broadcasts
    if (!b.isStatic() && a.argument == b.argument && a.dim == b.dim)
      return true;
    DimCheck check;
    check.argument = a.argument;
    check.dim = a.dim;
    check.otherArgument = b.isStatic() ? -1 : b.argument;
    check.otherDim = b.dim;
    check.size = b.size;
    check.op = "'" + op->getName().getStringRef().str() + "' at " +
               formatLocation(op->getLoc());
    pending.push_back(check);
    return true;
  }

  /// Numpy broadcasting of `operands` aligned at their last dimension.
  /// Returns false if a dynamic pair cannot be checked.
  bool broadcast(Operation *op, ValueRange operands, int64_t rank,
                 SmallVector<Source> &dims) {
    dims.assign(rank, staticSize(1));
    bool ok = true;
    for (Value operand : operands) {
      SmallVector<Source> operandDims = of(operand);
      int64_t offset = rank - static_cast<int64_t>(operandDims.size());
      if (offset < 0)
        return false;
      for (auto [j, source] : llvm::enumerate(operandDims))
        ok &= join(op, dims[offset + j], source);
    }
    return ok;
  }

  /// Joins one operand's dimension `source` into the broadcast result's
  /// `into`: a static 1 on either side takes the other; two other sizes
  /// must be equal (`require`). Returns false if that cannot be checked.
  bool join(Operation *op, Source &into, Source source) {
    if (source.isStatic() && source.size == 1)
      return true;
    if (into.isStatic() && into.size == 1) {
      into = source;
      return true;
    }
    bool ok = require(op, into, source);
    // Sizes that cannot be checked on the arguments are checked by the
    // compiled code itself, which leaves the result unwritten, of one of
    // their sizes, when they differ: the result's size is then not known to
    // be an argument's, and the ops that pair it check it themselves too.
    if (!ok)
      into = unknown();
    else if ((into.isStatic() || !into.known()) && source.known())
      into = source;
    return ok;
  }

  void visit(Operation *op) {
    pending.clear();
    dynamicPair = false;
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    int64_t rank = resultType.getRank();
    bool needsCheck = false, ok = true;
    SmallVector<Source> dims;
    if (isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaximumOp, MinimumOp, EqOp, NeOp,
            LtOp, LeOp, GtOp, GeOp, AndOp, OrOp, SelectOp, BitwiseAndOp,
            BitwiseOrOp, BitwiseXorOp, LeftShiftOp, RightShiftOp>(op)) {
      ok = broadcast(op, op->getOperands(), rank, dims);
      needsCheck = true;
    } else if (isa<CastOp, NegOp, AbsOp, ReluOp, SignOp, ExpOp, LogOp, SqrtOp,
                   RsqrtOp, TanhOp, SigmoidOp, ErfOp, SinOp, CosOp, TanOp,
                   AsinOp, AcosOp, AtanOp, SinhOp, CoshOp, AsinhOp, AcoshOp,
                   AtanhOp, FloorOp, CeilOp, RoundOp, ReciprocalOp,
                   StopGradientOp, NotOp, SoftmaxOp, LogSoftmaxOp, LayerNormOp,
                   CumsumOp, ArgsortOp, ScatterNdOp, BitwiseNotOp>(op)) {
      dims = of(op->getOperand(0));
    } else if (auto broadcastTo = dyn_cast<BroadcastToOp>(op)) {
      // The target shape is static: a dynamic input dimension must have its
      // size (it never broadcasts, even from 1).
      needsCheck = true;
      SmallVector<Source> input = of(broadcastTo.getInput());
      int64_t offset = rank - static_cast<int64_t>(input.size());
      for (auto [j, source] : llvm::enumerate(input))
        if (offset >= 0 && !source.isStatic())
          ok &=
              require(op, source, staticSize(resultType.getDimSize(offset + j)),
                      /*broadcasts=*/false);
      dims.assign(rank, unknown());
    } else if (auto transpose = dyn_cast<TransposeOp>(op)) {
      SmallVector<Source> input = of(transpose.getInput());
      for (int64_t p : transpose.getPerm())
        dims.push_back(p >= 0 && p < static_cast<int64_t>(input.size())
                           ? input[p]
                           : unknown());
    } else if (op->hasAttr("axes") || op->hasAttr("axis")) {
      // Reductions and arg-reductions: the kept dimensions in order (with
      // `keepdims`, the reduced ones as 1).
      if (isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp,
              ArgmaxOp, ArgminOp>(op)) {
        SmallVector<Source> input = of(op->getOperand(0));
        int64_t inputRank = static_cast<int64_t>(input.size());
        SmallVector<bool> reduced(inputRank, false);
        if (auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes")) {
          if (axes.empty())
            reduced.assign(inputRank, true);
          for (int64_t axis : axes.asArrayRef())
            reduced[(axis % inputRank + inputRank) % inputRank] = true;
        } else if (auto axis = op->getAttrOfType<IntegerAttr>("axis")) {
          int64_t a = axis.getInt();
          reduced[(a % inputRank + inputRank) % inputRank] = true;
        }
        bool keep = op->hasAttr("keepdims");
        for (int64_t d = 0; d < inputRank; ++d)
          if (!reduced[d])
            dims.push_back(input[d]);
          else if (keep)
            dims.push_back(staticSize(1));
      }
    } else if (auto matmul = dyn_cast<MatmulOp>(op)) {
      SmallVector<Source> lhs = of(matmul.getLhs()), rhs = of(matmul.getRhs());
      if (lhs.size() >= 2 && rhs.size() >= 2) {
        needsCheck = true;
        ok &= require(op, lhs.back(), rhs[rhs.size() - 2],
                      /*broadcasts=*/false);
        // Batch dimensions broadcast as elementwise operands do.
        int64_t batch = rank - 2;
        dims.assign(batch, staticSize(1));
        for (const SmallVector<Source> *operand : {&lhs, &rhs}) {
          int64_t operandBatch = static_cast<int64_t>(operand->size()) - 2;
          for (int64_t j = 0; j < operandBatch; ++j)
            ok &= join(op, dims[batch - operandBatch + j], (*operand)[j]);
        }
        dims.push_back(lhs[lhs.size() - 2]);
        dims.push_back(rhs.back());
      }
    }
    if (!dims.empty() || rank == 0)
      setResult(op, dims);
    if (needsCheck && dynamicPair && ok) {
      result.checkedOps.insert(op);
      result.checks.insert(result.checks.end(), pending.begin(), pending.end());
    }
  }

  llvm::DenseMap<Value, SmallVector<Source>> sources;
  std::vector<DimCheck> pending;
  /// The op being visited pairs a dynamic size with another size.
  bool dynamicPair = false;
};

struct MarkCheckedDimsPass final
    : kiln::impl::MarkCheckedDimsPassBase<MarkCheckedDimsPass> {
  void runOnOperation() override {
    getOperation()->walk([](func::FuncOp func) {
      DynamicDimChecks checks = analyzeDynamicDims(func);
      for (Operation *op : checks.checkedOps)
        op->setAttr(kCheckedDimsAttr, UnitAttr::get(op->getContext()));
    });
  }
};

} // namespace

DynamicDimChecks kiln::analyzeDynamicDims(func::FuncOp func) {
  return Analysis(func).result;
}
