//===- LoweringUtils.cpp - Helpers shared by the kiln-to-linalg patterns --===//

#include "LoweringUtils.h"

#include "kiln/Conversion/DynamicDims.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;

namespace kiln::lowering {

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

/// Float -> int rounding toward zero, saturating at the range of the signed
/// or unsigned integer, with NaN giving 0, as the eager `cast` does. A plain
/// `fptosi`/`fptoui` is poison for NaN and out-of-range inputs, so only
/// in-range values reach it.
static Value saturatingFPToInt(OpBuilder &b, Location loc, Value value,
                               IntegerType type, bool isUnsigned) {
  // 16-bit floats convert through f32, as eager does.
  if (value.getType().getIntOrFloatBitWidth() < 32)
    value = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
  Type from = value.getType();
  unsigned width = type.getWidth();
  APInt lowest =
      isUnsigned ? APInt::getMinValue(width) : APInt::getSignedMinValue(width);
  APInt highest =
      isUnsigned ? APInt::getMaxValue(width) : APInt::getSignedMaxValue(width);
  // The integer limits rounded to `from` (INT_MAX may round up to 2^31).
  Value lo = scalarConstant(
      b, loc, from,
      isUnsigned ? 0.0 : static_cast<double>(lowest.getSExtValue()));
  Value hi =
      scalarConstant(b, loc, from,
                     isUnsigned ? static_cast<double>(highest.getZExtValue())
                                : static_cast<double>(highest.getSExtValue()));
  Value atLeastHi =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, value, hi);
  Value atMostLo =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, value, lo);
  // Out of range or NaN: convert 0 instead (the result is replaced below).
  Value outside = arith::OrIOp::create(
      b, loc, arith::OrIOp::create(b, loc, atLeastHi, atMostLo),
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, value, value));
  Value safe = arith::SelectOp::create(b, loc, outside,
                                       scalarConstant(b, loc, from, 0), value);
  Value result = isUnsigned
                     ? Value(arith::FPToUIOp::create(b, loc, type, safe))
                     : Value(arith::FPToSIOp::create(b, loc, type, safe));
  result = arith::SelectOp::create(
      b, loc, atLeastHi, arith::ConstantIntOp::create(b, loc, type, highest),
      result);
  return arith::SelectOp::create(
      b, loc, atMostLo, arith::ConstantIntOp::create(b, loc, type, lowest),
      result);
}

/// f32 -> bf16 rounding to nearest even on the bits, NaN kept quiet, as
/// eager does (Float16.h). `arith.truncf` would become the AVX512-BF16
/// conversion instruction, which flushes subnormals to zero.
static Value truncateToBF16(OpBuilder &b, Location loc, Value value) {
  Type i32 = b.getI32Type(), i16 = b.getI16Type();
  auto constant = [&](int64_t v) { return scalarConstant(b, loc, i32, v); };
  Value bits = arith::BitcastOp::create(b, loc, i32, value);
  Value high = arith::ShRUIOp::create(b, loc, bits, constant(16));
  Value lsb = arith::AndIOp::create(b, loc, high, constant(1));
  Value rounded = arith::AddIOp::create(
      b, loc, bits, arith::AddIOp::create(b, loc, lsb, constant(0x7fff)));
  Value roundedHigh = arith::ShRUIOp::create(b, loc, rounded, constant(16));
  Value quietNaN = arith::OrIOp::create(b, loc, high, constant(0x40));
  Value isNaN =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, value, value);
  Value result = arith::SelectOp::create(b, loc, isNaN, quietNaN, roundedHigh);
  return arith::BitcastOp::create(b, loc, b.getBF16Type(),
                                  arith::TruncIOp::create(b, loc, i16, result));
}

Value convertScalar(OpBuilder &b, Location loc, Value value, Type type) {
  return convertScalar(b, loc, value, type, /*fromUnsigned=*/false,
                       /*toUnsigned=*/false);
}

Value convertScalar(OpBuilder &b, Location loc, Value value, Type type,
                    bool fromUnsigned, bool toUnsigned) {
  Type from = value.getType();
  if (from == type)
    return value;
  if (isa<IndexType>(from) || isa<IndexType>(type))
    return arith::IndexCastOp::create(b, loc, type, value);
  auto fromInt = dyn_cast<IntegerType>(from);
  auto toInt = dyn_cast<IntegerType>(type);
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(type);
  // x -> bool tests for non-zero; NaN counts as non-zero, as in C and numpy.
  if (toInt && toInt.getWidth() == 1) {
    Value zero = scalarConstant(b, loc, from, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  // bool -> x gives 0 or 1.
  if (fromInt && fromInt.getWidth() == 1) {
    if (toFloat)
      return arith::UIToFPOp::create(b, loc, type, value);
    return arith::ExtUIOp::create(b, loc, type, value);
  }
  if (fromInt && toInt) {
    if (toInt.getWidth() > fromInt.getWidth())
      return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, type, value))
                          : Value(arith::ExtSIOp::create(b, loc, type, value));
    return arith::TruncIOp::create(b, loc, type, value);
  }
  if (fromInt && toFloat) {
    // Through f32 to a 16-bit float, as eager does.
    Type via = toFloat.getWidth() < 32 ? b.getF32Type() : type;
    Value converted = fromUnsigned
                          ? Value(arith::UIToFPOp::create(b, loc, via, value))
                          : Value(arith::SIToFPOp::create(b, loc, via, value));
    return via == type ? converted : convertScalar(b, loc, converted, type);
  }
  if (fromFloat && toInt)
    return saturatingFPToInt(b, loc, value, toInt, toUnsigned);
  assert(fromFloat && toFloat && "unexpected scalar conversion");
  unsigned fromWidth = fromFloat.getWidth(), toWidth = toFloat.getWidth();
  if (toWidth > fromWidth)
    return arith::ExtFOp::create(b, loc, type, value);
  // Narrowing to a 16-bit float rounds through f32, as eager does (this also
  // covers f16 <-> bf16, of the same width, and needs no f64 -> 16-bit
  // libcall, which the JIT cannot resolve).
  if (toWidth == 16 && fromWidth != 32)
    value = convertScalar(b, loc, value, b.getF32Type());
  if (toFloat.isBF16())
    return truncateToBF16(b, loc, value);
  return arith::TruncFOp::create(b, loc, type, value);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  if (isa<IndexType>(type))
    return arith::ConstantIndexOp::create(b, loc, static_cast<int64_t>(value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

static Value extremeValue(OpBuilder &b, Location loc, Type type, bool highest) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/!highest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt limit = highest ? APInt::getSignedMaxValue(width)
                        : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, limit));
}

Value lowestValue(OpBuilder &b, Location loc, Type type) {
  return extremeValue(b, loc, type, /*highest=*/false);
}

Value highestValue(OpBuilder &b, Location loc, Type type) {
  return extremeValue(b, loc, type, /*highest=*/true);
}

Type promoteElementTypes(TypeRange types) {
  std::optional<DType> promoted;
  for (Type type : types) {
    std::optional<DType> dtype = toDType(getElementTypeOrSelf(type));
    if (!dtype)
      return {};
    promoted = promoted ? promoteTypes(*promoted, *dtype) : *dtype;
  }
  return promoted ? toElementType(types.front().getContext(), *promoted)
                  : Type();
}

Type accumulatorType(Type elementType) {
  auto floatType = dyn_cast<FloatType>(elementType);
  if (floatType && floatType.getWidth() < 32)
    return Float32Type::get(elementType.getContext());
  return elementType;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

SmallVector<OpFoldResult> getSizes(OpBuilder &b, Location loc, Value value) {
  return tensor::getMixedSizes(b, loc, value);
}

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(getValueOrCreateConstantIndexOp(b, loc, sizes[d]));
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes, Value value) {
  Value empty = createEmpty(b, loc, type, sizes);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

Value castToType(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

SmallVector<ReassociationIndices>
unitDimReassociation(int64_t rank, ArrayRef<int64_t> unitDims) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(unitDims, d)) {
      // Leading unit dims join the first kept dim, the others the previous.
      if (groups.empty())
        pending.push_back(d);
      else
        groups.back().push_back(d);
      continue;
    }
    pending.push_back(d);
    groups.push_back(pending);
    pending.clear();
  }
  return groups;
}

//===----------------------------------------------------------------------===//
// Broadcasting elementwise generics
//===----------------------------------------------------------------------===//

FailureOr<Value> buildElementwise(PatternRewriter &rewriter, Operation *op,
                                  ValueRange operands, TypeRange operandTypes,
                                  RankedTensorType resultType,
                                  ScalarBuilder body) {
  MLIRContext *context = rewriter.getContext();
  int64_t rank = resultType.getRank();
  bool checked = op->hasAttr(kCheckedDimsAttr);
  auto shapeOf = [&](unsigned i) {
    return cast<RankedTensorType>(operands[i].getType()).getShape();
  };
  // The dimension of operand `i` aligned with result dim `d`, if it has one.
  auto alignedDim = [&](unsigned i, int64_t d) -> std::optional<int64_t> {
    int64_t offset = rank - static_cast<int64_t>(shapeOf(i).size());
    if (d < offset)
      return std::nullopt;
    return shapeOf(i)[d - offset];
  };

  SmallVector<AffineMap> maps;
  for (unsigned i = 0; i < operands.size(); ++i) {
    ArrayRef<int64_t> shape = shapeOf(i);
    int64_t offset = rank - static_cast<int64_t>(shape.size());
    if (offset < 0)
      return rewriter.notifyMatchFailure(op,
                                         "operand rank exceeds the result's");
    SmallVector<AffineExpr> exprs;
    for (auto [j, dim] : llvm::enumerate(shape)) {
      int64_t d = offset + j;
      int64_t resultDim = resultType.getDimSize(d);
      // A static size-1 dim broadcasts: it is always read at index 0.
      if (dim == 1 && resultDim != 1) {
        exprs.push_back(getAffineConstantExpr(0, context));
        continue;
      }
      exprs.push_back(getAffineDimExpr(d, context));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, context));
  }
  maps.push_back(rewriter.getMultiDimIdentityMap(rank));

  // Dynamic sizes never broadcast (kiln/Conversion/DynamicDims.h): every
  // operand size that is not a static 1 must equal the others and the
  // result's. The host checks those that come from the arguments (the op is
  // then `kiln.checked_dims`); the others are checked here, at run time.
  Location loc = op->getLoc();
  SmallVector<SizeCheck> checks;
  for (int64_t d = 0; !checked && d < rank; ++d) {
    SmallVector<std::pair<unsigned, int64_t>> paired;
    for (unsigned i = 0; i < operands.size(); ++i)
      if (std::optional<int64_t> dim = alignedDim(i, d); dim && *dim != 1)
        paired.push_back({i, *dim});
    bool dynamic = llvm::any_of(
        paired, [](auto p) { return ShapedType::isDynamic(p.second); });
    // A dynamic size alone (against static 1s) is the result's.
    if (!dynamic || (paired.size() == 1 && resultType.isDynamicDim(d)))
      continue;
    auto sizeOf = [&](unsigned i) -> Value {
      int64_t offset = rank - static_cast<int64_t>(shapeOf(i).size());
      return tensor::DimOp::create(rewriter, loc, operands[i], d - offset);
    };
    Value reference = resultType.isDynamicDim(d)
                          ? sizeOf(paired.front().first)
                          : arith::ConstantIndexOp::create(
                                rewriter, loc, resultType.getDimSize(d));
    for (auto [i, dim] : llvm::drop_begin(paired, resultType.isDynamicDim(d)))
      if (ShapedType::isDynamic(dim) || resultType.isDynamicDim(d))
        checks.push_back(
            {sizeOf(i), reference, "dimension " + std::to_string(d)});
  }

  // The result's dynamic sizes come from the one operand that is not 1 there.
  SmallVector<OpFoldResult> sizes(rank, rewriter.getIndexAttr(1));
  for (int64_t d = 0; d < rank; ++d) {
    if (!resultType.isDynamicDim(d))
      continue;
    for (unsigned i = 0; i < operands.size(); ++i) {
      std::optional<int64_t> dim = alignedDim(i, d);
      if (!dim || *dim == 1)
        continue;
      int64_t offset = rank - static_cast<int64_t>(shapeOf(i).size());
      sizes[d] = ShapedType::isDynamic(*dim)
                     ? OpFoldResult(tensor::DimOp::create(
                                        rewriter, loc, operands[i], d - offset)
                                        .getResult())
                     : OpFoldResult(rewriter.getIndexAttr(*dim));
      break;
    }
  }
  auto build = [&]() -> Value {
    Value empty = createEmpty(rewriter, loc, resultType, sizes);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, operands, ValueRange{empty}, maps,
        iterators, [&](OpBuilder &b, Location loc, ValueRange args) {
          SmallVector<Value> scalars;
          for (unsigned i = 0; i < operands.size(); ++i) {
            Type type = i < operandTypes.size() ? operandTypes[i] : Type();
            scalars.push_back(type ? convertScalar(b, loc, args[i], type)
                                   : args[i]);
          }
          Value result = body(b, loc, scalars);
          linalg::YieldOp::create(
              b, loc,
              convertScalar(b, loc, result, resultType.getElementType()));
        });
    return generic.getResult(0);
  };
  if (checks.empty())
    return build();
  return buildIfSizesEqual(rewriter, op, checks, resultType, sizes, build);
}

//===----------------------------------------------------------------------===//
// Sizes checked at run time
//===----------------------------------------------------------------------===//

/// The runtime function compiled code reports unequal sizes to
/// (kiln/Runtime/CAbi.h).
constexpr StringLiteral kReportSizeError = "kiln_rt_report_size_error";

/// The declaration of `kiln_rt_report_size_error(ptr what, i64 size, i64
/// other)` in `module`, created on first use.
static func::FuncOp declareReportSizeError(OpBuilder &b, ModuleOp module) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(kReportSizeError))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  Type i64 = b.getI64Type();
  auto declaration = func::FuncOp::create(
      b, module.getLoc(), kReportSizeError,
      b.getFunctionType({LLVM::LLVMPointerType::get(b.getContext()), i64, i64},
                        {}));
  declaration.setPrivate();
  return declaration;
}

Value constantString(OpBuilder &b, Location loc, ModuleOp module,
                     StringRef text) {
  std::string contents = (text + Twine('\0')).str();
  std::string name =
      "__kiln_op_" + llvm::utohexstr(llvm::xxh3_64bits(contents));
  auto global = module.lookupSymbol<LLVM::GlobalOp>(name);
  if (!global) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto type = LLVM::LLVMArrayType::get(b.getI8Type(), contents.size());
    global = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                    LLVM::Linkage::Internal, name,
                                    b.getStringAttr(contents));
  }
  return LLVM::AddressOfOp::create(b, loc, global);
}

std::optional<StringRef> runtimeTypeSuffix(Type element) {
  if (element.isInteger(1))
    return StringRef("bool");
  if (element.isInteger(32))
    return StringRef("i32");
  if (element.isInteger(64))
    return StringRef("i64");
  if (element.isSignlessInteger(8))
    return StringRef("i8");
  if (element.isSignlessInteger(16))
    return StringRef("i16");
  if (element.isUnsignedInteger(8))
    return StringRef("ui8");
  if (element.isUnsignedInteger(16))
    return StringRef("ui16");
  if (element.isF16())
    return StringRef("f16");
  if (element.isBF16())
    return StringRef("bf16");
  if (element.isF32())
    return StringRef("f32");
  if (element.isF64())
    return StringRef("f64");
  return std::nullopt;
}

void callRuntime(OpBuilder &b, Location loc, ModuleOp module, StringRef name,
                 ValueRange operands) {
  auto callee = module.lookupSymbol<func::FuncOp>(name);
  if (!callee) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    callee = func::FuncOp::create(
        b, module.getLoc(), name,
        b.getFunctionType(TypeRange(operands.getTypes()), {}));
    callee.setPrivate();
  }
  func::CallOp::create(b, loc, callee, operands);
}

Value unrankedBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t d = ShapedType::kDynamic;
  auto bufferType = MemRefType::get(
      type.getShape(), type.getElementType(),
      StridedLayoutAttr::get(b.getContext(), d,
                             SmallVector<int64_t>(type.getRank(), d)));
  Value buffer = bufferization::ToBufferOp::create(b, loc, bufferType, tensor,
                                                   /*read_only=*/true);
  return memref::CastOp::create(
      b, loc, UnrankedMemRefType::get(type.getElementType(), 0), buffer);
}

Value callKernel(OpBuilder &rewriter, Operation *op, StringRef name,
                 RankedTensorType resultType, Value like,
                 ArrayRef<Value> arguments, ArrayRef<Value> trailing) {
  Location loc = op->getLoc();
  auto module = op->getParentOfType<ModuleOp>();
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < resultType.getRank(); ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, like, d));
  auto bufferType =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  Value buffer = memref::AllocOp::create(
      rewriter, loc, bufferType, dynamicSizes, rewriter.getI64IntegerAttr(64));
  SmallVector<Value> operands(arguments);
  operands.push_back(memref::CastOp::create(
      rewriter, loc, UnrankedMemRefType::get(resultType.getElementType(), 0),
      buffer));
  llvm::append_range(operands, trailing);
  callRuntime(rewriter, loc, module, name, operands);
  return bufferization::ToTensorOp::create(rewriter, loc, resultType, buffer,
                                           /*restrict=*/rewriter.getUnitAttr(),
                                           /*writable=*/rewriter.getUnitAttr());
}

/// Whether every pair of `checks` is equal (an i1).
static Value allSizesEqual(OpBuilder &b, Location loc,
                           ArrayRef<SizeCheck> checks) {
  Value equal;
  for (const SizeCheck &check : checks) {
    Value same = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       check.size, check.other);
    equal = equal ? arith::AndIOp::create(b, loc, equal, same) : same;
  }
  return equal;
}

/// Reports each unequal pair of `checks` to the runtime, naming `op`.
static void reportUnequalSizes(OpBuilder &b, Operation *op, ModuleOp module,
                               ArrayRef<SizeCheck> checks) {
  Location loc = op->getLoc();
  func::FuncOp report = declareReportSizeError(b, module);
  std::string description =
      "'" + op->getName().getStringRef().str() + "' at " + formatLocation(loc);
  Type i64 = b.getI64Type();
  for (const SizeCheck &check : checks) {
    Value differs = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                          check.size, check.other);
    auto ifDiffers = scf::IfOp::create(b, loc, differs);
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(ifDiffers.thenBlock());
    Value what =
        constantString(b, loc, module, description + ", " + check.what);
    func::CallOp::create(
        b, loc, report,
        ValueRange{what, arith::IndexCastOp::create(b, loc, i64, check.size),
                   arith::IndexCastOp::create(b, loc, i64, check.other)});
  }
}

FailureOr<Value> buildIfSizesEqual(PatternRewriter &rewriter, Operation *op,
                                   ArrayRef<SizeCheck> checks,
                                   RankedTensorType resultType,
                                   ArrayRef<OpFoldResult> sizes,
                                   function_ref<Value()> build) {
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return rewriter.notifyMatchFailure(
        op, "needs an enclosing module to check its sizes at run time");
  Location loc = op->getLoc();
  auto guard = scf::IfOp::create(rewriter, loc, TypeRange{resultType},
                                 allSizesEqual(rewriter, loc, checks),
                                 /*addThenBlock=*/true, /*addElseBlock=*/true);
  OpBuilder::InsertionGuard insertion(rewriter);
  rewriter.setInsertionPointToStart(guard.thenBlock());
  scf::YieldOp::create(rewriter, loc, build());

  // Unequal sizes: the first unequal pair goes to the runtime (the host
  // throws it as a kiln::Error after the call) and the result is left
  // unwritten; nothing reads out of bounds.
  rewriter.setInsertionPointToStart(guard.elseBlock());
  reportUnequalSizes(rewriter, op, module, checks);
  scf::YieldOp::create(rewriter, loc,
                       createEmpty(rewriter, loc, resultType, sizes));
  return guard.getResult(0);
}

FailureOr<Value> checkSizesEqual(PatternRewriter &rewriter, Operation *op,
                                 ArrayRef<SizeCheck> checks) {
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return rewriter.notifyMatchFailure(
        op, "needs an enclosing module to check its sizes at run time");
  Location loc = op->getLoc();
  Value equal = allSizesEqual(rewriter, loc, checks);
  Value differ = arith::XOrIOp::create(
      rewriter, loc, equal,
      arith::ConstantIntOp::create(rewriter, loc, /*value=*/1, /*width=*/1));
  auto ifDiffer = scf::IfOp::create(rewriter, loc, differ);
  OpBuilder::InsertionGuard insertion(rewriter);
  rewriter.setInsertionPointToStart(ifDiffer.thenBlock());
  reportUnequalSizes(rewriter, op, module, checks);
  return equal;
}

Value convertElements(OpBuilder &b, Location loc, Value value,
                      Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == elementType)
    return value;
  auto resultType = type.clone(elementType);
  Value empty = createEmpty(b, loc, resultType, getSizes(b, loc, value));
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, value, ValueRange{empty}, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        linalg::YieldOp::create(
            nested, loc, convertScalar(nested, loc, args[0], elementType));
      });
  return generic.getResult(0);
}

AffineMap reducedMap(MLIRContext *context, int64_t rank,
                     ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

SmallVector<Value> buildReduction(
    OpBuilder &b, Location loc, ValueRange inputs, ValueRange broadcastInputs,
    ArrayRef<int64_t> axes, ValueRange inits,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  auto inputType = cast<RankedTensorType>(inputs.front().getType());
  int64_t rank = inputType.getRank();
  MLIRContext *context = b.getContext();
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, inputs.front());
  SmallVector<OpFoldResult> reducedSizes;
  SmallVector<int64_t> reducedShape;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d))
      continue;
    reducedSizes.push_back(sizes[d]);
    reducedShape.push_back(inputType.getDimSize(d));
  }
  SmallVector<Value> outputs;
  SmallVector<Type> outputTypes;
  for (Value init : inits) {
    auto type = RankedTensorType::get(reducedShape, init.getType());
    outputs.push_back(createFilled(b, loc, type, reducedSizes, init));
    outputTypes.push_back(type);
  }
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  AffineMap reduced = reducedMap(context, rank, axes);
  SmallVector<AffineMap> maps(inputs.size(), identity);
  maps.append(broadcastInputs.size(), reduced);
  maps.append(inits.size(), reduced);
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d)
    iterators.push_back(llvm::is_contained(axes, d)
                            ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  SmallVector<Value> allInputs(inputs);
  allInputs.append(broadcastInputs.begin(), broadcastInputs.end());
  auto generic = linalg::GenericOp::create(
      b, loc, outputTypes, allInputs, outputs, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        linalg::YieldOp::create(nested, loc, body(nested, loc, args));
      });
  return SmallVector<Value>(generic.getResults());
}

Value reductionCount(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, Type floatType) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t staticCount = 1;
  Value dynamicCount;
  for (int64_t axis : axes) {
    if (!type.isDynamicDim(axis)) {
      staticCount *= type.getDimSize(axis);
      continue;
    }
    Value dim = tensor::DimOp::create(b, loc, input, axis);
    dynamicCount =
        dynamicCount ? arith::MulIOp::create(b, loc, dynamicCount, dim) : dim;
  }
  if (!dynamicCount)
    return scalarConstant(b, loc, floatType, static_cast<double>(staticCount));
  Value count = arith::MulIOp::create(
      b, loc, dynamicCount,
      arith::ConstantIndexOp::create(b, loc, staticCount));
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  return arith::SIToFPOp::create(b, loc, floatType, asInt);
}

FailureOr<SmallVector<int64_t>>
normalizeAxes(PatternRewriter &rewriter, Operation *op, ArrayRef<int64_t> axes,
              int64_t rank, bool emptyMeansAll) {
  AxesResult rule =
      kiln::normalizeAxes(std::vector<int64_t>(axes.begin(), axes.end()), rank);
  if (!rule)
    return rewriter.notifyMatchFailure(op, rule.error());
  SmallVector<int64_t> normalized(rule->begin(), rule->end());
  if (normalized.empty() && emptyMeansAll)
    normalized = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  return normalized;
}

} // namespace kiln::lowering
