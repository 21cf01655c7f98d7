//===- KilnEvaluate.cpp - Run one kiln op on eager kernels ----------------===//

#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>

using namespace mlir;
using namespace kiln;

namespace {

std::string describe(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

std::vector<int64_t> toVector(ArrayRef<int64_t> values) {
  return std::vector<int64_t>(values.begin(), values.end());
}

/// Copies the elements of `attr` into `out` as `T`.
template <typename T, typename AttrT>
void copyElements(ElementsAttr attr, T *out) {
  int64_t i = 0;
  for (AttrT value : attr.getValues<AttrT>()) {
    if constexpr (std::is_same_v<AttrT, APFloat>) {
      if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
        out[i++] = T::fromBits(
            static_cast<uint16_t>(value.bitcastToAPInt().getZExtValue()));
      else if constexpr (std::is_same_v<T, float>)
        out[i++] = value.convertToFloat();
      else
        out[i++] = value.convertToDouble();
    } else {
      // The low bits, which are the value in T's two's complement.
      out[i++] = static_cast<T>(value.getZExtValue());
    }
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

Tensor kiln::toTensor(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  std::optional<DType> dtype = toDType(type.getElementType());
  if (!dtype)
    throw Error("constant: unsupported element type " +
                describe(type.getElementType()));
  // dense_resource blobs (elided or not) cannot be iterated element-wise.
  bool readable = isa<FloatType>(type.getElementType())
                      ? attr.tryGetValues<APFloat>().has_value()
                      : attr.tryGetValues<APInt>().has_value();
  if (!readable) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << attr;
    throw Error("constant: cannot read the elements of " + text);
  }
  Shape shape(type.getShape().begin(), type.getShape().end());
  Tensor t = Tensor::empty(shape, *dtype);
  switch (*dtype) {
  case DType::Bool: {
    bool *out = t.data<bool>();
    int64_t i = 0;
    for (APInt value : attr.getValues<APInt>())
      out[i++] = !value.isZero();
    break;
  }
  case DType::I32:
    copyElements<int32_t, APInt>(attr, t.data<int32_t>());
    break;
  case DType::I64:
    copyElements<int64_t, APInt>(attr, t.data<int64_t>());
    break;
  case DType::I8:
    copyElements<int8_t, APInt>(attr, t.data<int8_t>());
    break;
  case DType::I16:
    copyElements<int16_t, APInt>(attr, t.data<int16_t>());
    break;
  case DType::U8:
    copyElements<uint8_t, APInt>(attr, t.data<uint8_t>());
    break;
  case DType::U16:
    copyElements<uint16_t, APInt>(attr, t.data<uint16_t>());
    break;
  case DType::F16:
    copyElements<float16, APFloat>(attr, t.data<float16>());
    break;
  case DType::BF16:
    copyElements<bfloat16, APFloat>(attr, t.data<bfloat16>());
    break;
  case DType::F32:
    copyElements<float, APFloat>(attr, t.data<float>());
    break;
  case DType::F64:
    copyElements<double, APFloat>(attr, t.data<double>());
    break;
  }
  return t;
}

DenseElementsAttr kiln::toElementsAttr(const Tensor &tensor,
                                       MLIRContext *context) {
  Tensor t = tensor.contiguous();
  auto type =
      RankedTensorType::get(t.shape(), toElementType(context, t.dtype()));
  if (t.dtype() == DType::Bool) {
    SmallVector<bool> values(t.data<bool>(), t.data<bool>() + t.size());
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  // Every other dtype is stored as the attribute's raw little-endian layout.
  size_t bytes = t.size() * dtypeSize(t.dtype());
  ArrayRef<char> raw(static_cast<const char *>(t.rawData()), bytes);
  return DenseElementsAttr::getFromRawBuffer(type, raw);
}

std::string kiln::formatLocation(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().str() + ":" + std::to_string(file.getLine()) +
            ":" + std::to_string(file.getColumn()));
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

std::string kiln::formatFileLine(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return file.getFilename().str() + ":" + std::to_string(file.getLine());
  return formatLocation(loc);
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

namespace {

using Operands = const std::vector<Tensor> &;

template <typename Fn> Tensor unary(Operands in, Fn fn) { return fn(in[0]); }

Tensor evaluateOne(Operation *op, Operands in) {
  // The ops' last parameter is their call site, which only traces record.
  SourceLoc here = SourceLoc::current();
  auto binary = [&](Tensor (*fn)(const Tensor &, const Tensor &, SourceLoc)) {
    return fn(in[0], in[1], here);
  };
  auto unaryFn = [&](Tensor (*fn)(const Tensor &, SourceLoc)) {
    return fn(in[0], here);
  };
  return llvm::TypeSwitch<Operation *, Tensor>(op)
      .Case([&](ConstantOp c) { return toTensor(c.getValue()); })
      .Case([&](CastOp c) {
        return cast(in[0], *toDType(c.getType().getElementType()));
      })
      // Elementwise binary
      .Case([&](AddOp) { return binary(add); })
      .Case([&](SubOp) { return binary(sub); })
      .Case([&](MulOp) { return binary(mul); })
      .Case([&](DivOp) { return binary(div); })
      .Case([&](PowOp) { return binary(pow); })
      .Case([&](MaximumOp) { return binary(maximum); })
      .Case([&](MinimumOp) { return binary(minimum); })
      .Case([&](EqOp) { return binary(eq); })
      .Case([&](NeOp) { return binary(ne); })
      .Case([&](LtOp) { return binary(lt); })
      .Case([&](LeOp) { return binary(le); })
      .Case([&](GtOp) { return binary(gt); })
      .Case([&](GeOp) { return binary(ge); })
      .Case([&](AndOp) { return binary(logical_and); })
      .Case([&](OrOp) { return binary(logical_or); })
      .Case([&](NotOp) { return unaryFn(logical_not); })
      .Case([&](BitwiseAndOp) { return binary(bitwise_and); })
      .Case([&](BitwiseOrOp) { return binary(bitwise_or); })
      .Case([&](BitwiseXorOp) { return binary(bitwise_xor); })
      .Case([&](LeftShiftOp) { return binary(left_shift); })
      .Case([&](RightShiftOp) { return binary(right_shift); })
      .Case([&](BitwiseNotOp) { return unaryFn(bitwise_not); })
      .Case([&](SelectOp) { return select(in[0], in[1], in[2]); })
      // Elementwise unary
      .Case([&](NegOp) { return unaryFn(neg); })
      .Case([&](AbsOp) { return unaryFn(kiln::abs); })
      .Case([&](ReluOp) { return unaryFn(relu); })
      .Case([&](SignOp) { return unaryFn(sign); })
      .Case([&](ExpOp) { return unaryFn(kiln::exp); })
      .Case([&](LogOp) { return unaryFn(kiln::log); })
      .Case([&](SqrtOp) { return unaryFn(kiln::sqrt); })
      .Case([&](RsqrtOp) { return unaryFn(rsqrt); })
      .Case([&](TanhOp) { return unaryFn(kiln::tanh); })
      .Case([&](SigmoidOp) { return unaryFn(sigmoid); })
      .Case([&](ErfOp) { return unaryFn(kiln::erf); })
      .Case([&](SinOp) { return unaryFn(kiln::sin); })
      .Case([&](CosOp) { return unaryFn(kiln::cos); })
      .Case([&](TanOp) { return unaryFn(kiln::tan); })
      .Case([&](AsinOp) { return unaryFn(kiln::asin); })
      .Case([&](AcosOp) { return unaryFn(kiln::acos); })
      .Case([&](AtanOp) { return unaryFn(kiln::atan); })
      .Case([&](SinhOp) { return unaryFn(kiln::sinh); })
      .Case([&](CoshOp) { return unaryFn(kiln::cosh); })
      .Case([&](AsinhOp) { return unaryFn(kiln::asinh); })
      .Case([&](AcoshOp) { return unaryFn(kiln::acosh); })
      .Case([&](AtanhOp) { return unaryFn(kiln::atanh); })
      .Case([&](FloorOp) { return unaryFn(kiln::floor); })
      .Case([&](CeilOp) { return unaryFn(kiln::ceil); })
      .Case([&](RoundOp) { return unaryFn(kiln::round); })
      .Case([&](ReciprocalOp) { return unaryFn(reciprocal); })
      .Case([&](StopGradientOp) { return in[0]; })
      // Shape manipulation
      .Case([&](ReshapeOp r) { return reshape(in[0], toVector(r.getShape())); })
      .Case([&](TransposeOp t) {
        return transpose(in[0], toVector(t.getPerm()));
      })
      .Case([&](BroadcastToOp b) {
        return broadcast_to(in[0], toVector(b.getShape()));
      })
      .Case([&](ExpandDimsOp e) {
        return expand_dims(in[0], e.getAxisAttr().getInt());
      })
      .Case([&](SqueezeOp s) { return squeeze(in[0], toVector(s.getAxes())); })
      .Case([&](ConcatOp c) { return concat(in, c.getAxisAttr().getInt()); })
      .Case([&](SliceOp s) {
        return slice(in[0], toVector(s.getStart()), toVector(s.getLimit()),
                     toVector(s.getStride()));
      })
      .Case([&](PadOp p) {
        double value = p.getValueAttr().getValueAsDouble();
        Scalar fill = isFloating(in[0].dtype())
                          ? Scalar(value)
                          : Scalar(static_cast<int64_t>(value));
        return pad(in[0], toVector(p.getLow()), toVector(p.getHigh()), fill);
      })
      .Case([&](GatherOp g) {
        return gather(in[0], in[1], g.getAxisAttr().getInt());
      })
      // Reductions
      .Case([&](ReduceSumOp r) {
        return reduce_sum(in[0], toVector(r.getAxes()), r.getKeepdims());
      })
      .Case([&](ReduceMeanOp r) {
        return reduce_mean(in[0], toVector(r.getAxes()), r.getKeepdims());
      })
      .Case([&](ReduceMaxOp r) {
        return reduce_max(in[0], toVector(r.getAxes()), r.getKeepdims());
      })
      .Case([&](ReduceMinOp r) {
        return reduce_min(in[0], toVector(r.getAxes()), r.getKeepdims());
      })
      .Case([&](ReduceProdOp r) {
        return reduce_prod(in[0], toVector(r.getAxes()), r.getKeepdims());
      })
      .Case([&](ArgmaxOp a) {
        return argmax(in[0], a.getAxisAttr().getInt(), a.getKeepdims());
      })
      .Case([&](ArgminOp a) {
        return argmin(in[0], a.getAxisAttr().getInt(), a.getKeepdims());
      })
      // Linear algebra and composites
      .Case([&](MatmulOp) { return matmul(in[0], in[1]); })
      .Case(
          [&](SoftmaxOp s) { return softmax(in[0], s.getAxisAttr().getInt()); })
      .Case([&](LogSoftmaxOp s) {
        return log_softmax(in[0], s.getAxisAttr().getInt());
      })
      .Case([&](LayerNormOp l) {
        std::optional<Tensor> scale, bias;
        size_t next = 1;
        if (l.getScale())
          scale = in[next++];
        if (l.getBias())
          bias = in[next++];
        return layer_norm(in[0], toVector(l.getAxes()),
                          l.getEpsilonAttr().getValueAsDouble(), scale, bias);
      })
      .Case([&](CumsumOp c) {
        return cumsum(in[0], c.getAxis(), c.getExclusive(), c.getReverse());
      })
      .Case([&](ConvOp c) {
        std::optional<Tensor> bias;
        if (c.getBias())
          bias = in[2];
        return conv(in[0], in[1], bias, convOptionsOf(c));
      })
      // Sorting, scattering and random numbers
      .Case([&](ArgsortOp a) {
        return argsort(in[0], a.getAxis(), a.getDescending());
      })
      .Case([&](ScatterNdOp s) {
        return scatter_nd(in[0], in[1], in[2],
                          *parseScatterReduction(s.getReduction().str()));
      })
      .Case([&](RandomUniformOp r) {
        return random_uniform(toShape(r.getType()), in[0],
                              r.getLowAttr().getValueAsDouble(),
                              r.getHighAttr().getValueAsDouble(),
                              *toDType(r.getType().getElementType()));
      })
      .Case([&](RandomNormalOp r) {
        return random_normal(toShape(r.getType()), in[0],
                             r.getMeanAttr().getValueAsDouble(),
                             r.getStddevAttr().getValueAsDouble(),
                             *toDType(r.getType().getElementType()));
      })
      .Default([&](Operation *other) -> Tensor {
        throw Error("evaluate: '" + other->getName().getStringRef().str() +
                    "' is not a kiln op");
      });
}

} // namespace

ConvOptions kiln::convOptionsOf(Operation *op) {
  auto conv = cast<ConvOp>(op);
  ConvOptions options;
  options.strides = toVector(conv.getStrides());
  options.pads_begin = toVector(conv.getPadsBegin());
  options.pads_end = toVector(conv.getPadsEnd());
  options.dilations = toVector(conv.getDilations());
  options.groups = conv.getGroups();
  return options;
}

std::vector<Tensor> kiln::evaluate(Operation *op,
                                   const std::vector<Tensor> &operands) {
  if (operands.size() != op->getNumOperands())
    throw Error("evaluate: '" + op->getName().getStringRef().str() +
                "' expects " + std::to_string(op->getNumOperands()) +
                " operands, got " + std::to_string(operands.size()));
  Tensor result = evaluateOne(op, operands);
  // The IR's type inference and the eager kernels share the shape and
  // promotion rules; a disagreement here is a bug in one of them.
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  std::optional<DType> dtype = toDType(type.getElementType());
  bool shapeMatches = succeeded(verifyCompatibleShape(
      type.getShape(), ArrayRef<int64_t>(result.shape())));
  if (!dtype || *dtype != result.dtype() || !shapeMatches)
    throw Error("evaluate: '" + op->getName().getStringRef().str() +
                "' computed " + formatShape(result.shape()) + " " +
                std::string(dtypeName(result.dtype())) + " but its type is " +
                describe(type));
  return {result};
}
