//===- KilnOps.cpp - Type inference and verification of kiln ops ----------===//
//
// Every shape rule comes from the runtime (kiln/Runtime/Shape.h): this file
// only translates between IR types and runtime shapes, and turns a rule's
// error into a diagnostic on the op.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Runtime/Ops.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

/// Emits "'<op>' op <message>" at `location`, as a verifier would, and fails.
LogicalResult inferError(std::optional<Location> location, StringRef opName,
                         const Twine &message) {
  return emitOptionalError(location, "'", opName, "' op ", message.str());
}

/// Appends `shape` with `elementType` as the inferred result, or reports the
/// rule's error.
LogicalResult inferFromRule(std::optional<Location> location, StringRef opName,
                            const ShapeResult &rule, Type elementType,
                            SmallVectorImpl<Type> &inferred) {
  if (!rule)
    return inferError(location, opName, rule.error());
  inferred.push_back(RankedTensorType::get(*rule, elementType));
  return success();
}

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

std::vector<int64_t> toVector(ArrayRef<int64_t> values) {
  return std::vector<int64_t>(values.begin(), values.end());
}

std::string typeName(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

} // namespace

bool kiln::detail::areCompatibleReturnTypes(TypeRange inferred,
                                            TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [a, b] : llvm::zip(inferred, actual)) {
    if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b) ||
        failed(verifyCompatibleShape(a, b)))
      return false;
  }
  return true;
}

LogicalResult kiln::detail::inferBroadcastResult(
    StringRef opName, std::optional<Location> location, ValueRange operands,
    Type resultElementType, SmallVectorImpl<Type> &inferredReturnTypes) {
  if (operands.empty())
    return inferError(location, opName, "expects at least one operand");
  std::vector<Shape> shapes;
  std::optional<DType> promoted;
  for (Value operand : operands) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type)
      return inferError(location, opName,
                        "expects ranked tensor operands, got " +
                            typeName(operand.getType()));
    shapes.push_back(toShape(type));
    std::optional<DType> dtype = toDType(type.getElementType());
    if (!dtype)
      return inferError(location, opName,
                        "unsupported element type " +
                            typeName(type.getElementType()));
    promoted = promoted ? promoteTypes(*promoted, *dtype) : *dtype;
  }
  MLIRContext *context = operands.front().getContext();
  Type elementType =
      resultElementType ? resultElementType : toElementType(context, *promoted);
  return inferFromRule(location, opName, broadcastShapes(shapes), elementType,
                       inferredReturnTypes);
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

LogicalResult CastOp::verify() {
  if (failed(verifyCompatibleShape(getInput().getType(), getType())))
    return emitOpError("operand shape ")
           << formatShape(toShape(getInput().getType())) << " and result shape "
           << formatShape(toShape(getType())) << " differ";
  return success();
}

//===----------------------------------------------------------------------===//
// SelectOp
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  Type a = getElementTypeOrSelf(operands[1].getType());
  Type b = getElementTypeOrSelf(operands[2].getType());
  std::optional<DType> da = toDType(a), db = toDType(b);
  if (!da || !db)
    return inferError(location, getOperationName(),
                      "unsupported element types " + typeName(a) + " and " +
                          typeName(b));
  return detail::inferBroadcastResult(
      getOperationName(), location, operands,
      toElementType(context, promoteTypes(*da, *db)), inferredReturnTypes);
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  Shape target = toVector(adaptor.getShape());
  // The rule reads kDynamic as an unknown dimension, but the IR has no
  // spelling for it: here it is only the most negative integer.
  if (llvm::any_of(target, isDynamic))
    return inferError(location, getOperationName(),
                      "target shape " + formatList(target) +
                          " has a negative dimension");
  return inferFromRule(location, getOperationName(),
                       reshapeShape(toShape(type), target),
                       type.getElementType(), inferred);
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  return inferFromRule(
      location, getOperationName(),
      transposeShape(toShape(type), toVector(adaptor.getPerm())),
      type.getElementType(), inferred);
}

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  Shape target = toVector(adaptor.getShape());
  for (int64_t dim : target)
    if (dim < 0)
      return inferError(location, getOperationName(),
                        "target shape " + formatList(target) +
                            " has a negative dimension");
  return inferFromRule(location, getOperationName(),
                       broadcastToShape(toShape(type), target),
                       type.getElementType(), inferred);
}

LogicalResult ExpandDimsOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location> location,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  return inferFromRule(
      location, getOperationName(),
      expandDimsShape(toShape(type), adaptor.getAxisAttr().getInt()),
      type.getElementType(), inferred);
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  return inferFromRule(location, getOperationName(),
                       squeezeShape(toShape(type), toVector(adaptor.getAxes())),
                       type.getElementType(), inferred);
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return inferError(location, getOperationName(),
                      "expects at least one input");
  Type elementType = tensorType(inputs.front()).getElementType();
  std::vector<Shape> shapes;
  for (Value input : inputs) {
    auto type = tensorType(input);
    if (type.getElementType() != elementType)
      return inferError(location, getOperationName(),
                        "expects inputs of one element type, got " +
                            typeName(elementType) + " and " +
                            typeName(type.getElementType()));
    shapes.push_back(toShape(type));
  }
  return inferFromRule(location, getOperationName(),
                       concatShape(shapes, adaptor.getAxisAttr().getInt()),
                       elementType, inferred);
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  return inferFromRule(location, getOperationName(),
                       sliceShape(toShape(type), toVector(adaptor.getStart()),
                                  toVector(adaptor.getLimit()),
                                  toVector(adaptor.getStride())),
                       type.getElementType(), inferred);
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  return inferFromRule(location, getOperationName(),
                       padShape(toShape(type), toVector(adaptor.getLow()),
                                toVector(adaptor.getHigh())),
                       type.getElementType(), inferred);
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  return inferFromRule(location, getOperationName(),
                       gatherShape(toShape(type),
                                   toShape(tensorType(adaptor.getIndices())),
                                   adaptor.getAxisAttr().getInt()),
                       type.getElementType(), inferred);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

namespace {
template <typename ReduceOp>
LogicalResult inferReduce(std::optional<Location> location,
                          typename ReduceOp::Adaptor adaptor,
                          SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  std::vector<int64_t> axes = toVector(adaptor.getAxes());
  ShapeResult rule = reduceShape(toShape(type), axes, adaptor.getKeepdims());
  // A maximum or minimum of no elements is undefined (eager mode throws).
  if constexpr (std::is_same_v<ReduceOp, ReduceMaxOp> ||
                std::is_same_v<ReduceOp, ReduceMinOp>) {
    auto normalized = normalizeAxes(axes, type.getRank());
    bool emptyReduction = false;
    for (int64_t i = 0; rule && i < type.getRank(); ++i)
      if (axes.empty() || llvm::is_contained(*normalized, i))
        emptyReduction |= type.getDimSize(i) == 0;
    if (emptyReduction && numElements(*rule) != 0)
      return inferError(location, ReduceOp::getOperationName(),
                        "cannot reduce an empty axis of shape " +
                            formatShape(toShape(type)) + " (axes " +
                            formatList(axes) + " have no elements)");
  }
  return inferFromRule(location, ReduceOp::getOperationName(), rule,
                       type.getElementType(), inferred);
}

template <typename ArgReduceOp>
LogicalResult inferArgReduce(MLIRContext *context,
                             std::optional<Location> location,
                             typename ArgReduceOp::Adaptor adaptor,
                             SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  return inferFromRule(location, ArgReduceOp::getOperationName(),
                       argReduceShape(toShape(type),
                                      adaptor.getAxisAttr().getInt(),
                                      adaptor.getKeepdims()),
                       IntegerType::get(context, 64), inferred);
}
} // namespace

#define KILN_INFER_REDUCE(Op)                                                  \
  LogicalResult Op::inferReturnTypes(MLIRContext *, std::optional<Location> l, \
                                     Adaptor a, SmallVectorImpl<Type> &t) {    \
    return inferReduce<Op>(l, a, t);                                           \
  }
KILN_INFER_REDUCE(ReduceSumOp)
KILN_INFER_REDUCE(ReduceMeanOp)
KILN_INFER_REDUCE(ReduceMaxOp)
KILN_INFER_REDUCE(ReduceMinOp)
KILN_INFER_REDUCE(ReduceProdOp)
#undef KILN_INFER_REDUCE

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferArgReduce<ArgmaxOp>(context, location, adaptor, inferred);
}

LogicalResult ArgminOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferArgReduce<ArgminOp>(context, location, adaptor, inferred);
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = tensorType(adaptor.getLhs()), rhs = tensorType(adaptor.getRhs());
  std::optional<DType> dl = toDType(lhs.getElementType());
  std::optional<DType> dr = toDType(rhs.getElementType());
  if (!dl || !dr)
    return inferError(location, getOperationName(),
                      "unsupported element types " +
                          typeName(lhs.getElementType()) + " and " +
                          typeName(rhs.getElementType()));
  return inferFromRule(
      location, getOperationName(), matmulShape(toShape(lhs), toShape(rhs)),
      toElementType(context, promoteTypes(*dl, *dr)), inferred);
}

//===----------------------------------------------------------------------===//
// Neural-network composites
//===----------------------------------------------------------------------===//

namespace {
LogicalResult verifySoftmaxAxis(Operation *op, RankedTensorType type,
                                int64_t axis) {
  auto normalized = normalizeAxis(axis, type.getRank());
  if (!normalized)
    return op->emitOpError(normalized.error());
  return success();
}
} // namespace

LogicalResult SoftmaxOp::verify() {
  return verifySoftmaxAxis(*this, getType(), getAxisAttr().getInt());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifySoftmaxAxis(*this, getType(), getAxisAttr().getInt());
}

LogicalResult CumsumOp::verify() {
  return verifySoftmaxAxis(*this, getType(), getAxisAttr().getInt());
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = tensorType(adaptor.getInput());
  Shape shape = toShape(type);
  auto axes = normalizeAxes(toVector(adaptor.getAxes()), shape.size());
  if (!axes)
    return inferError(location, getOperationName(), axes.error());
  if (axes->empty())
    return inferError(location, getOperationName(),
                      "axes [] must list at least one axis to normalize over");
  double epsilon = adaptor.getEpsilonAttr().getValueAsDouble();
  if (!(epsilon >= 0)) { // also rejects NaN
    std::string text;
    llvm::raw_string_ostream(text) << epsilon; // as the attribute prints
    return inferError(location, getOperationName(),
                      "epsilon " + text + " must be a non-negative number");
  }
  for (auto [name, value] :
       {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
        {"bias", adaptor.getBias()}}) {
    if (!value)
      continue;
    auto paramType = tensorType(value);
    if (paramType.getElementType() != type.getElementType())
      return inferError(
          location, getOperationName(),
          name + " element type " + typeName(paramType.getElementType()) +
              " differs from the input's " + typeName(type.getElementType()));
    auto rule = broadcastToShape(toShape(paramType), shape);
    if (!rule)
      return inferError(location, getOperationName(),
                        name + " " + rule.error());
  }
  inferred.push_back(type);
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = tensorType(adaptor.getInput());
  auto weight = tensorType(adaptor.getWeight());
  Type elementType = input.getElementType();
  if (!elementType.isF32() && !elementType.isF64())
    return inferError(location, getOperationName(),
                      "computes in f32 or f64, got " + typeName(elementType));
  std::optional<Shape> bias;
  SmallVector<Value> params = {adaptor.getWeight()};
  if (adaptor.getBias()) {
    params.push_back(adaptor.getBias());
    bias = toShape(tensorType(adaptor.getBias()));
  }
  for (Value param : params)
    if (tensorType(param).getElementType() != elementType)
      return inferError(location, getOperationName(),
                        "the weight and the bias must have the input's "
                        "element type " +
                            typeName(elementType) + ", got " +
                            typeName(tensorType(param).getElementType()));
  auto vec = [](ArrayRef<int64_t> values) {
    return std::vector<int64_t>(values.begin(), values.end());
  };
  return inferFromRule(
      location, getOperationName(),
      convShape(toShape(input), toShape(weight), bias,
                vec(adaptor.getStrides()), vec(adaptor.getPadsBegin()),
                vec(adaptor.getPadsEnd()), vec(adaptor.getDilations()),
                adaptor.getGroups()),
      elementType, inferred);
}

//===----------------------------------------------------------------------===//
// Sorting, scattering and random numbers
//===----------------------------------------------------------------------===//

LogicalResult ArgsortOp::verify() {
  if (failed(verifySoftmaxAxis(*this, getInput().getType(),
                               getAxisAttr().getInt())))
    return failure();
  if (failed(verifyCompatibleShape(getInput().getType(), getType())))
    return emitOpError("result shape ")
           << formatShape(toShape(getType())) << " differs from the input's "
           << formatShape(toShape(getInput().getType()));
  return success();
}

LogicalResult ScatterNdOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = tensorType(adaptor.getInput());
  auto updates = tensorType(adaptor.getUpdates());
  StringRef reduction = adaptor.getReduction();
  if (!parseScatterReduction(reduction.str()))
    return inferError(location, getOperationName(),
                      "reduction \"" + reduction +
                          "\" must be one of none, add, mul, max, min");
  if (updates.getElementType() != input.getElementType())
    return inferError(
        location, getOperationName(),
        "updates element type " + typeName(updates.getElementType()) +
            " differs from the input's " + typeName(input.getElementType()));
  return inferFromRule(location, getOperationName(),
                       scatterShape(toShape(input),
                                    toShape(tensorType(adaptor.getIndices())),
                                    toShape(updates)),
                       input.getElementType(), inferred);
}

namespace {
LogicalResult verifyRandom(Operation *op, Value seed, RankedTensorType type) {
  if (tensorType(seed).getRank() != 0)
    return op->emitOpError("seed must be a rank-0 tensor, got ")
           << seed.getType();
  if (!type.hasStaticShape())
    return op->emitOpError("result shape must be static, got ")
           << formatShape(toShape(type));
  return success();
}
} // namespace

LogicalResult RandomUniformOp::verify() {
  return verifyRandom(*this, getSeed(), getType());
}

LogicalResult RandomNormalOp::verify() {
  return verifyRandom(*this, getSeed(), getType());
}

#define GET_OP_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnOps.cpp.inc"
