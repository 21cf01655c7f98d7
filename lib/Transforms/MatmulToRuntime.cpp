//===- MatmulToRuntime.cpp - Call the runtime's GEMM for matmuls ----------===//
//
// linalg.matmul / linalg.batch_matmul on f32 or f64 buffers become calls to
// the runtime's GEMM (kiln/Runtime/CAbi.h). The runtime kernel packs its
// operands and runs a register-blocked AVX-512 micro-kernel on the thread
// pool; naive loops reach a small fraction of that.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_MATMULTORUNTIMEPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The runtime function for `op`, or an empty name if it cannot be called.
std::string runtimeFunctionFor(linalg::LinalgOp op, int64_t rank) {
  if (!op.hasPureBufferSemantics())
    return "";
  Type elementType;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || type.getRank() != rank)
      return "";
    if (elementType && type.getElementType() != elementType)
      return "";
    elementType = type.getElementType();
  }
  if (!elementType.isF32() && !elementType.isF64())
    return "";
  // The runtime writes rows of the output contiguously.
  auto output = cast<MemRefType>(op.getDpsInits()[0].getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(output.getStridesAndOffset(strides, offset)) ||
      strides.back() != 1)
    return "";
  std::string name = rank == 2 ? "kiln_rt_matmul_" : "kiln_rt_batch_matmul_";
  return name + (elementType.isF32() ? "f32" : "f64");
}

/// Whether `fill` writes zero to its whole output buffer.
bool isZeroFill(linalg::FillOp fill) {
  if (!fill || !fill.hasPureBufferSemantics())
    return false;
  Attribute value;
  if (!matchPattern(fill.getInputs()[0], m_Constant(&value)))
    return false;
  auto zero = dyn_cast<FloatAttr>(value);
  return zero && zero.getValue().isZero();
}

/// The zero fill of `buffer` if it is a buffer that only that fill writes:
/// an allocation whose other users are copies out of it and its dealloc.
/// (CSE merges the zero-filled inits of several matmuls into one, which
/// bufferization then copies into each matmul's output.)
linalg::FillOp zeroBufferFill(Value buffer) {
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return {};
  linalg::FillOp fill;
  for (Operation *user : buffer.getUsers()) {
    if (auto f = dyn_cast<linalg::FillOp>(user);
        f && f.getDpsInits()[0] == buffer && !fill && isZeroFill(f)) {
      fill = f;
      continue;
    }
    auto copy = dyn_cast<memref::CopyOp>(user);
    if (copy && copy.getSource() == buffer)
      continue;
    if (isa<memref::DeallocOp>(user))
      continue;
    return {};
  }
  return fill;
}

/// The op that zeroes `op`'s output right before `op` (stepping over ops
/// without memory effects), if there is one: then `op` may overwrite its
/// output instead of accumulating, and that op can go. It is a zero
/// `linalg.fill` of the output, or a copy into it from a buffer that only a
/// zero fill writes.
Operation *zeroingJustBefore(linalg::LinalgOp op) {
  Value output = op.getDpsInits()[0];
  Operation *prev = op->getPrevNode();
  while (prev && isMemoryEffectFree(prev))
    prev = prev->getPrevNode();
  if (auto fill = dyn_cast_if_present<linalg::FillOp>(prev))
    return fill.getDpsInits()[0] == output && isZeroFill(fill) ? prev : nullptr;
  auto copy = dyn_cast_if_present<memref::CopyOp>(prev);
  if (!copy || copy.getTarget() != output)
    return nullptr;
  linalg::FillOp fill = zeroBufferFill(copy.getSource());
  if (!fill || fill->getBlock() != copy->getBlock() ||
      !fill->isBeforeInBlock(copy))
    return nullptr;
  return copy;
}

/// Erases `buffer`, its zero fill and its dealloc once nothing copies out
/// of it any more.
void eraseIfOnlyFilled(Value buffer) {
  linalg::FillOp fill = zeroBufferFill(buffer);
  if (!fill || llvm::any_of(buffer.getUsers(), [](Operation *user) {
        return isa<memref::CopyOp>(user);
      }))
    return;
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
    user->erase();
  buffer.getDefiningOp()->erase();
}

/// A memref type of `rank` and `elementType` with every size, stride and the
/// offset dynamic: the parameter type of the runtime functions.
MemRefType dynamicMemRef(Type elementType, int64_t rank) {
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  SmallVector<int64_t> strides(rank, ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(elementType.getContext(),
                                       ShapedType::kDynamic, strides);
  return MemRefType::get(shape, elementType, layout);
}

struct MatmulToRuntimePass final
    : kiln::impl::MatmulToRuntimePassBase<MatmulToRuntimePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<linalg::LinalgOp, int64_t>> matmuls;
    module.walk([&](linalg::MatmulOp op) {
      if (!op.hasUserDefinedMaps() ||
          isa<linalg::MatmulTransposeBOp>(op.getOperation()))
        matmuls.push_back({op, 2});
    });
    module.walk([&](linalg::BatchMatmulOp op) {
      if (!op.hasUserDefinedMaps() ||
          isa<linalg::BatchMatmulTransposeBOp>(op.getOperation()))
        matmuls.push_back({op, 3});
    });

    OpBuilder builder(module.getContext());
    for (auto [op, rank] : matmuls) {
      std::string name = runtimeFunctionFor(op, rank);
      if (name.empty())
        continue;
      // fill(0, C); C += A * B -> C = A * B: one pass over C fewer.
      if (Operation *zeroing = zeroingJustBefore(op)) {
        Value source;
        if (auto copy = dyn_cast<memref::CopyOp>(zeroing))
          source = copy.getSource();
        zeroing->erase();
        if (source)
          eraseIfOnlyFilled(source);
        name.insert(name.rfind('_') + 1, "set_");
      }
      Type elementType = getElementTypeOrSelf(op.getDpsInits()[0].getType());
      MemRefType paramType = dynamicMemRef(elementType, rank);
      auto callee = declare(module, name, paramType);
      builder.setInsertionPoint(op);
      SmallVector<Value> args;
      for (OpOperand &operand : op->getOpOperands()) {
        Value value = operand.get();
        // A rhs read as B[n, k] is passed as a transposed (strided) view.
        if (operand.getOperandNumber() == 1 && op.hasUserDefinedMaps()) {
          SmallVector<unsigned> perm = llvm::to_vector(
              llvm::seq<unsigned>(0, static_cast<unsigned>(rank)));
          std::swap(perm[rank - 2], perm[rank - 1]);
          value = memref::TransposeOp::create(
              builder, op->getLoc(), value,
              AffineMapAttr::get(
                  AffineMap::getPermutationMap(perm, builder.getContext())));
        }
        args.push_back(
            memref::CastOp::create(builder, op->getLoc(), paramType, value));
      }
      func::CallOp::create(builder, op->getLoc(), callee, args);
      op->erase();
    }
  }

  /// The declaration of runtime function `name`, created on first use.
  func::FuncOp declare(ModuleOp module, StringRef name, MemRefType paramType) {
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
    auto type = builder.getFunctionType({paramType, paramType, paramType}, {});
    auto func = func::FuncOp::create(builder, module.getLoc(), name, type);
    func.setPrivate();
    func->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
    return func;
  }
};

} // namespace
