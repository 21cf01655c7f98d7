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

/// The `linalg.fill` with zero of `op`'s output buffer right before `op`, if
/// there is one: then `op` may overwrite its output instead of accumulating.
linalg::FillOp zeroFillJustBefore(linalg::LinalgOp op) {
  auto fill = dyn_cast_if_present<linalg::FillOp>(op->getPrevNode());
  if (!fill || !fill.hasPureBufferSemantics() ||
      fill.getDpsInits()[0] != op.getDpsInits()[0])
    return {};
  Attribute value;
  if (!matchPattern(fill.getInputs()[0], m_Constant(&value)))
    return {};
  auto zero = dyn_cast<FloatAttr>(value);
  return zero && zero.getValue().isZero() ? fill : linalg::FillOp();
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
      if (!op.hasUserDefinedMaps())
        matmuls.push_back({op, 2});
    });
    module.walk([&](linalg::BatchMatmulOp op) {
      if (!op.hasUserDefinedMaps())
        matmuls.push_back({op, 3});
    });

    OpBuilder builder(module.getContext());
    for (auto [op, rank] : matmuls) {
      std::string name = runtimeFunctionFor(op, rank);
      if (name.empty())
        continue;
      // fill(0, C); C += A * B -> C = A * B: one pass over C fewer.
      if (linalg::FillOp fill = zeroFillJustBefore(op)) {
        fill->erase();
        name.insert(name.rfind('_') + 1, "set_");
      }
      Type elementType = getElementTypeOrSelf(op.getDpsInits()[0].getType());
      MemRefType paramType = dynamicMemRef(elementType, rank);
      auto callee = declare(module, name, paramType);
      builder.setInsertionPoint(op);
      SmallVector<Value> args;
      for (Value operand : op->getOperands())
        args.push_back(
            memref::CastOp::create(builder, op->getLoc(), paramType, operand));
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
