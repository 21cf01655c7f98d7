//===- Gradients.cpp - Reverse-mode differentiation of kiln graphs --------===//
//
// buildGradients walks the ops between the sources and the target backwards
// and applies each op's vector-Jacobian product (vjp, below): given the
// cotangent of the op's result, it returns the cotangents of its operands.
// The rules are written with the eager API on traced tensors, so they record
// kiln ops; their dtypes and broadcasting are eager mode's. Conventions are
// JAX's: at ties, maximum and minimum split the gradient in halves and
// reduce_max/reduce_min share it among the tied elements; relu and abs have
// gradient 0 at 0; comparisons, integer and bool values, argmax/argmin,
// sign, floor, ceil and round carry none.
//
//===----------------------------------------------------------------------===//

#include "kiln/Trace/Gradients.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"
#include "kiln/Runtime/Trace.h"
#include "kiln/Trace/GraphTracer.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>
#include <optional>

using namespace mlir;

namespace kiln {
namespace {

using Tensors = std::vector<std::optional<Tensor>>;

std::vector<int64_t> toVector(ArrayRef<int64_t> values) {
  return std::vector<int64_t>(values.begin(), values.end());
}

/// `axes` of a tensor of rank `rank` made non-negative; all axes if empty.
std::vector<int64_t> normalizedAxes(ArrayRef<int64_t> axes, int64_t rank) {
  std::vector<int64_t> result;
  if (axes.empty()) {
    result.resize(rank);
    std::iota(result.begin(), result.end(), 0);
    return result;
  }
  for (int64_t axis : axes)
    result.push_back(axis < 0 ? axis + rank : axis);
  return result;
}

/// The shape of `shape` reduced over `axes` with keepdims.
Shape keptShape(const Shape &shape, const std::vector<int64_t> &axes) {
  Shape kept = shape;
  for (int64_t axis : axes)
    kept[axis] = 1;
  return kept;
}

/// `g`, of a shape `shape` broadcasts to, summed back to `shape`: the
/// adjoint of broadcasting.
Tensor unbroadcast(const Tensor &g, const Shape &shape) {
  if (g.shape() == shape)
    return g;
  int64_t leading = g.rank() - static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes;
  for (int64_t d = 0; d < g.rank(); ++d)
    if (d < leading || (shape[d - leading] == 1 && g.shape()[d] != 1))
      axes.push_back(d);
  Tensor summed = axes.empty() ? g : reduce_sum(g, axes, /*keepdims=*/true);
  return reshape(summed, shape);
}

/// A tensor of `shape` and `dtype` filled with `value`: a scalar
/// constant broadcast in the graph (eagerly, broadcast_to of a host scalar
/// would make a constant of the whole shape).
Tensor filled(const Shape &shape, DType dtype, double value) {
  Tensor scalar = constant(Scalar(value), dtype);
  if (trace::Recorder *recorder = trace::activeRecorder())
    return recorder->record(
        {"broadcast_to", {scalar}, {{"shape", shape}}, shape, dtype});
  return broadcast_to(scalar, shape);
}

/// The same, of `like`'s shape and dtype.
Tensor filled(const Tensor &like, double value) {
  return filled(like.shape(), like.dtype(), value);
}

/// The cotangent of a reduction's input: `g` (the result's cotangent)
/// broadcast back over the reduced axes.
Tensor expandReduced(const Tensor &g, const Tensor &x,
                     const std::vector<int64_t> &axes) {
  return broadcast_to(reshape(g, keptShape(x.shape(), axes)), x.shape());
}

/// The adjoint of a strided slice of `shape`: `g` placed at the sliced
/// positions of zeros.
Tensor unslice(const Tensor &g, const Shape &shape,
               const std::vector<int64_t> &start,
               const std::vector<int64_t> &stride) {
  Tensor r = g;
  int64_t rank = g.rank();
  // Interleave stride - 1 zeros after each element of a strided axis.
  for (int64_t d = 0; d < rank; ++d) {
    if (stride[d] == 1 || r.shape()[d] == 0)
      continue;
    Tensor spread = expand_dims(r, d + 1);
    std::vector<int64_t> low(rank + 1, 0), high(rank + 1, 0);
    high[d + 1] = stride[d] - 1;
    spread = pad(spread, low, high);
    Shape merged = r.shape();
    merged[d] *= stride[d];
    r = reshape(spread, merged);
  }
  std::vector<int64_t> low(rank), high(rank), begin(rank, 0), end(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t length = std::min(r.shape()[d], shape[d] - start[d]);
    end[d] = length;
    low[d] = start[d];
    high[d] = shape[d] - start[d] - length;
  }
  if (Shape(end) != r.shape())
    r = slice(r, begin, end);
  return pad(r, low, high);
}

/// The adjoint of gather(x, indices, axis): the cotangents of the gathered
/// slices added into the rows they came from, by a scatter_nd (add) of g,
/// as [count, outer, inner], into zeros of x's shape as [size, outer,
/// inner].
Tensor ungather(const Tensor &g, const Tensor &x, const Tensor &indices,
                int64_t axis) {
  int64_t size = x.shape()[axis];
  Shape xs = x.shape();
  int64_t outer = 1, inner = 1, count = indices.size();
  for (int64_t d = 0; d < axis; ++d)
    outer *= xs[d];
  for (int64_t d = axis + 1; d < x.rank(); ++d)
    inner *= xs[d];
  Tensor rows = transpose(reshape(g, {outer, count, inner}), {1, 0, 2});
  Tensor zeros = filled({size, outer, inner}, g.dtype(), 0.0);
  Tensor summed = scatter_nd(zeros, reshape(indices, {count, 1}), rows,
                             ScatterReduction::Add);
  return reshape(transpose(summed, {1, 0, 2}), xs);
}

/// The adjoint of numpy's matmul, for a and b of any rank >= 1.
std::pair<Tensor, Tensor> matmulVjp(const Tensor &g, const Tensor &a,
                                    const Tensor &b) {
  Tensor a2 = a.rank() == 1 ? expand_dims(a, 0) : a;
  Tensor b2 = b.rank() == 1 ? expand_dims(b, 1) : b;
  Tensor g2 = g;
  if (a.rank() == 1)
    g2 = expand_dims(g2, g2.rank() - (b.rank() == 1 ? 0 : 1));
  if (b.rank() == 1)
    g2 = expand_dims(g2, g2.rank());
  auto swapLast = [](const Tensor &t) {
    std::vector<int64_t> perm(t.rank());
    std::iota(perm.begin(), perm.end(), 0);
    std::swap(perm[t.rank() - 1], perm[t.rank() - 2]);
    return transpose(t, perm);
  };
  Tensor ga = unbroadcast(matmul(g2, swapLast(b2)), a2.shape());
  Tensor gb = unbroadcast(matmul(swapLast(a2), g2), b2.shape());
  return {reshape(ga, a.shape()), reshape(gb, b.shape())};
}

/// The cotangents of `op`'s operands from `g`, the cotangent of its (only)
/// result: one entry per operand, empty where none flows. `in` and `out`
/// are the operands and the result as traced tensors.
Tensors vjp(Operation *op, const std::vector<Tensor> &in, const Tensor &out,
            const Tensor &g) {
  auto none = [&] { return Tensors(in.size()); };
  return llvm::TypeSwitch<Operation *, Tensors>(op)
      // Elementwise binary (the driver sums broadcast dimensions back).
      .Case([&](AddOp) {
        return Tensors{g, g};
      })
      .Case([&](SubOp) {
        return Tensors{g, -g};
      })
      .Case([&](MulOp) {
        return Tensors{g * in[1], g * in[0]};
      })
      .Case([&](DivOp) {
        return Tensors{g / in[1], -(g * out) / in[1]};
      })
      .Case([&](PowOp) {
        const Tensor &a = in[0], &b = in[1];
        // JAX's: d/da is 0 where b == 0; d/db uses log(1) where a == 0.
        Tensor da = select(b == 0.0, filled(out, 0.0), b * pow(a, b - 1.0));
        Tensor db = out * log(select(a == 0.0, filled(a, 1.0), a));
        return Tensors{g * da, g * db};
      })
      .Case([&](MaximumOp) {
        Tensor share = cast(in[0] > in[1], g.dtype()) +
                       cast(in[0] == in[1], g.dtype()) * 0.5;
        return Tensors{g * share, g * (1.0 - share)};
      })
      .Case([&](MinimumOp) {
        Tensor share = cast(in[0] < in[1], g.dtype()) +
                       cast(in[0] == in[1], g.dtype()) * 0.5;
        return Tensors{g * share, g * (1.0 - share)};
      })
      .Case([&](SelectOp) {
        Tensor zero = filled(g, 0.0);
        return Tensors{std::nullopt, select(in[0], g, zero),
                       select(in[0], zero, g)};
      })
      // Elementwise unary.
      .Case([&](NegOp) { return Tensors{-g}; })
      .Case([&](AbsOp) { return Tensors{g * sign(in[0])}; })
      .Case([&](ReluOp) { return Tensors{g * cast(in[0] > 0.0, g.dtype())}; })
      .Case([&](ExpOp) { return Tensors{g * out}; })
      .Case([&](LogOp) { return Tensors{g / in[0]}; })
      .Case([&](SqrtOp) { return Tensors{g * 0.5 / out}; })
      .Case([&](RsqrtOp) { return Tensors{g * -0.5 * out / in[0]}; })
      .Case([&](TanhOp) { return Tensors{g * (1.0 - out * out)}; })
      .Case([&](SigmoidOp) { return Tensors{g * out * (1.0 - out)}; })
      .Case([&](ErfOp) {
        constexpr double twoOverSqrtPi = 1.1283791670955126;
        return Tensors{g * twoOverSqrtPi * exp(-(in[0] * in[0]))};
      })
      .Case([&](SinOp) { return Tensors{g * cos(in[0])}; })
      .Case([&](CosOp) { return Tensors{-(g * sin(in[0]))}; })
      .Case([&](TanOp) { return Tensors{g * (1.0 + out * out)}; })
      .Case([&](AsinOp) { return Tensors{g * rsqrt(1.0 - in[0] * in[0])}; })
      .Case([&](AcosOp) { return Tensors{-(g * rsqrt(1.0 - in[0] * in[0]))}; })
      .Case([&](AtanOp) { return Tensors{g / (1.0 + in[0] * in[0])}; })
      .Case([&](SinhOp) { return Tensors{g * cosh(in[0])}; })
      .Case([&](CoshOp) { return Tensors{g * sinh(in[0])}; })
      .Case([&](AsinhOp) { return Tensors{g * rsqrt(in[0] * in[0] + 1.0)}; })
      .Case([&](AcoshOp) { return Tensors{g * rsqrt(in[0] * in[0] - 1.0)}; })
      .Case([&](AtanhOp) { return Tensors{g / (1.0 - in[0] * in[0])}; })
      .Case([&](ReciprocalOp) { return Tensors{-(g * out * out)}; })
      .Case([&](CastOp) {
        if (!isFloating(in[0].dtype()))
          return none();
        return Tensors{cast(g, in[0].dtype())};
      })
      // Shape manipulation.
      .Case([&](ReshapeOp) { return Tensors{reshape(g, in[0].shape())}; })
      .Case([&](TransposeOp t) {
        std::vector<int64_t> perm = toVector(t.getPerm());
        std::vector<int64_t> inverse(perm.size());
        for (size_t i = 0; i < perm.size(); ++i)
          inverse[perm[i]] = static_cast<int64_t>(i);
        return Tensors{transpose(g, inverse)};
      })
      .Case(
          [&](BroadcastToOp) { return Tensors{unbroadcast(g, in[0].shape())}; })
      .Case([&](ExpandDimsOp) { return Tensors{reshape(g, in[0].shape())}; })
      .Case([&](SqueezeOp) { return Tensors{reshape(g, in[0].shape())}; })
      .Case([&](ConcatOp c) {
        int64_t axis = c.getAxisAttr().getInt();
        if (axis < 0)
          axis += g.rank();
        Tensors result;
        int64_t offset = 0;
        for (const Tensor &x : in) {
          std::vector<int64_t> begin(g.rank(), 0), end(g.shape());
          begin[axis] = offset;
          end[axis] = offset + x.shape()[axis];
          offset = end[axis];
          result.push_back(slice(g, begin, end));
        }
        return result;
      })
      .Case([&](SliceOp s) {
        return Tensors{unslice(g, in[0].shape(), toVector(s.getStart()),
                               toVector(s.getStride()))};
      })
      .Case([&](PadOp p) {
        std::vector<int64_t> begin = toVector(p.getLow()), end = begin;
        for (size_t d = 0; d < end.size(); ++d)
          end[d] += in[0].shape()[d];
        return Tensors{slice(g, begin, end)};
      })
      .Case([&](GatherOp gather) {
        int64_t axis = gather.getAxisAttr().getInt();
        if (axis < 0)
          axis += in[0].rank();
        return Tensors{ungather(g, in[0], in[1], axis), std::nullopt};
      })
      // Reductions.
      .Case([&](ReduceSumOp r) {
        auto axes = normalizedAxes(r.getAxes(), in[0].rank());
        return Tensors{expandReduced(g, in[0], axes)};
      })
      .Case([&](ReduceMeanOp r) {
        auto axes = normalizedAxes(r.getAxes(), in[0].rank());
        int64_t count = 1;
        for (int64_t axis : axes)
          count *= in[0].shape()[axis];
        return Tensors{expandReduced(g, in[0], axes) /
                       static_cast<double>(count)};
      })
      .Case<ReduceMaxOp, ReduceMinOp>([&](auto r) {
        auto axes = normalizedAxes(r.getAxes(), in[0].rank());
        Tensor hits = cast(in[0] == expandReduced(out, in[0], axes), g.dtype());
        Tensor ties = reduce_sum(hits, axes, /*keepdims=*/true);
        return Tensors{expandReduced(g, in[0], axes) * hits / ties};
      })
      .Case([&](ReduceProdOp r) {
        auto axes = normalizedAxes(r.getAxes(), in[0].rank());
        return Tensors{expandReduced(g * out, in[0], axes) / in[0]};
      })
      // Linear algebra and the composite ops, in closed form.
      .Case([&](MatmulOp) {
        auto [ga, gb] = matmulVjp(g, in[0], in[1]);
        return Tensors{ga, gb};
      })
      .Case([&](SoftmaxOp s) {
        int64_t axis = s.getAxisAttr().getInt();
        return Tensors{out * (g - reduce_sum(g * out, {axis}, true))};
      })
      .Case([&](LogSoftmaxOp s) {
        int64_t axis = s.getAxisAttr().getInt();
        return Tensors{g - exp(out) * reduce_sum(g, {axis}, true)};
      })
      .Case([&](LayerNormOp l) {
        const Tensor &x = in[0];
        auto axes = normalizedAxes(l.getAxes(), x.rank());
        double epsilon = l.getEpsilonAttr().getValueAsDouble();
        Tensor centered = x - reduce_mean(x, axes, true);
        Tensor rstd =
            rsqrt(reduce_mean(centered * centered, axes, true) + epsilon);
        Tensor normalized = centered * rstd;
        size_t next = 1;
        std::optional<Tensor> scale, bias;
        if (l.getScale())
          scale = in[next++];
        if (l.getBias())
          bias = in[next++];
        Tensor gn = scale ? g * *scale : g;
        Tensor gx =
            rstd * (gn - reduce_mean(gn, axes, true) -
                    normalized * reduce_mean(gn * normalized, axes, true));
        Tensors result{gx};
        if (scale)
          result.push_back(g * normalized);
        if (bias)
          result.push_back(g);
        return result;
      })
      .Case([&](CumsumOp c) {
        // Each input element adds to the outputs after it (before it,
        // reversed): the cumulative sum of g the other way.
        return Tensors{
            cumsum(g, c.getAxis(), c.getExclusive(), !c.getReverse())};
      })
      .Case([&](ConvOp c) {
        // The input's: the transposed convolution of g, with the output
        // padding that gives back the input's shape. The weight's, per
        // group: the convolution of the padded input (channels as the
        // batch) with g (its batch as channels), strides and dilations
        // swapped, cropped to the kernel.
        const Tensor &x = in[0], &w = in[1];
        ConvOptions options = convOptionsOf(c);
        int64_t k = x.rank() - 2, groups = c.getGroups();
        ConvOptions transposed = options;
        Shape lowPads(2, 0), highPads(2, 0);
        for (int64_t i = 0; i < k; ++i) {
          int64_t extent = (w.shape()[i + 2] - 1) * options.dilations[i] + 1;
          int64_t padded =
              x.shape()[i + 2] + options.pads_begin[i] + options.pads_end[i];
          transposed.output_padding.push_back(
              padded - extent - (g.shape()[i + 2] - 1) * options.strides[i]);
          lowPads.push_back(options.pads_begin[i]);
          highPads.push_back(options.pads_end[i]);
        }
        Tensor gx = conv_transpose(g, w, std::nullopt, transposed);
        Tensor xp = pad(x, lowPads, highPads);
        int64_t cg = x.shape()[1] / groups, mg = w.shape()[0] / groups;
        std::vector<int64_t> swap = {1, 0};
        for (int64_t i = 0; i < k; ++i)
          swap.push_back(i + 2);
        ConvOptions swapped;
        swapped.strides = options.dilations;
        swapped.dilations = options.strides;
        std::vector<Tensor> perGroup;
        for (int64_t group = 0; group < groups; ++group) {
          auto channels = [&](const Tensor &t, int64_t from, int64_t count) {
            std::vector<int64_t> begin(t.rank(), 0), end(t.shape());
            begin[1] = from;
            end[1] = from + count;
            return slice(t, begin, end);
          };
          Tensor r = conv(transpose(channels(xp, group * cg, cg), swap),
                          transpose(channels(g, group * mg, mg), swap),
                          std::nullopt, swapped);
          std::vector<int64_t> begin(r.rank(), 0), end(r.shape());
          for (int64_t i = 0; i < k; ++i)
            end[i + 2] = w.shape()[i + 2];
          perGroup.push_back(transpose(slice(r, begin, end), swap));
        }
        Tensors result{gx, groups == 1 ? perGroup[0] : concat(perGroup, 0)};
        if (c.getBias()) {
          std::vector<int64_t> axes = {0};
          for (int64_t i = 0; i < k; ++i)
            axes.push_back(i + 2);
          result.push_back(reduce_sum(g, axes));
        }
        return result;
      })
      .Case([&](ScatterNdOp scatter) {
        // Each update's cotangent is g at its slice. Replaced slices get
        // none of g; added ones pass g through.
        auto reduction = *parseScatterReduction(scatter.getReduction().str());
        if (reduction != ScatterReduction::None &&
            reduction != ScatterReduction::Add)
          throw Error("gradient: 'kiln.scatter_nd' at " +
                      formatLocation(scatter.getLoc()) + ": reduction \"" +
                      scatter.getReduction().str() +
                      "\" has no gradient rule (none and add have)");
        Tensor gInput = reduction == ScatterReduction::Add
                            ? g
                            : scatter_nd(g, in[1], filled(in[2], 0.0));
        return Tensors{gInput, std::nullopt, gather_nd(g, in[1])};
      })
      // No gradient: the value is a constant, an integer, a choice or
      // random.
      .Case<ConstantOp, StopGradientOp, SignOp, FloorOp, CeilOp, RoundOp,
            ArgmaxOp, ArgminOp, EqOp, NeOp, LtOp, LeOp, GtOp, GeOp, AndOp, OrOp,
            NotOp, ArgsortOp, RandomUniformOp, RandomNormalOp, BitwiseAndOp,
            BitwiseOrOp, BitwiseXorOp, BitwiseNotOp, LeftShiftOp, RightShiftOp>(
          [&](Operation *) { return none(); })
      .Default([&](Operation *other) -> Tensors {
        throw Error("gradient: '" + other->getName().getStringRef().str() +
                    "' at " + formatLocation(other->getLoc()) +
                    " has no gradient rule");
      });
}

[[noreturn]] void failOnControlFlow(Operation *op) {
  throw Error("gradient: '" + op->getName().getStringRef().str() + "' at " +
              formatLocation(op->getLoc()) +
              ": gradients of control-flow ops are not supported yet; take "
              "the gradient inside the loop or branch, or stop_gradient what "
              "flows into it");
}

bool isFloatValue(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// The values used inside `op`'s regions that are defined outside it.
llvm::SmallVector<Value> capturedValues(Operation *op) {
  llvm::SmallVector<Value> captured;
  op->walk([&](Operation *inner) {
    for (Value operand : inner->getOperands())
      if (!op->isAncestor(operand.getParentBlock()->getParentOp()))
        captured.push_back(operand);
  });
  return captured;
}

/// Restores the tracer's location override when the gradient is built.
struct LocationOverride {
  GraphTracer &tracer;
  ~LocationOverride() { tracer.setLocationOverride(std::nullopt); }
};

} // namespace

std::vector<Tensor> buildGradients(GraphTracer &tracer, const Tensor &target,
                                   const std::vector<Tensor> &sources) {
  Value targetValue = tracer.valueOf(target);
  llvm::SmallVector<Value> sourceValues;
  for (const Tensor &source : sources)
    sourceValues.push_back(tracer.valueOf(source));
  if (!isFloatValue(targetValue))
    throw Error("gradient: the target is " + formatShape(target.shape()) + " " +
                std::string(dtypeName(target.dtype())) +
                "; only floating-point values have gradients");

  // The ops that may lie between the sources and the target: those of the
  // target's block, up to the target.
  Block *block = targetValue.getParentBlock();
  Operation *last = targetValue.getDefiningOp();
  std::vector<Operation *> ops;
  if (last)
    for (Operation &op : *block) {
      ops.push_back(&op);
      if (&op == last)
        break;
    }

  // Forward: the float values that depend on a source.
  llvm::DenseSet<Value> active;
  for (Value source : sourceValues)
    if (isFloatValue(source))
      active.insert(source);
  auto dependsOnActive = [&](Operation *op) {
    for (Value operand : op->getOperands())
      if (active.contains(operand))
        return true;
    if (op->getNumRegions())
      for (Value captured : capturedValues(op))
        if (active.contains(captured))
          return true;
    return false;
  };
  for (Operation *op : ops) {
    if (isa<StopGradientOp>(op) || !dependsOnActive(op))
      continue;
    for (Value result : op->getResults())
      if (isFloatValue(result))
        active.insert(result);
  }

  // Backward: cotangents, summed over the uses of each value.
  llvm::DenseMap<Value, Tensor> cotangents;
  auto accumulate = [&](Value value, const Tensor &contribution) {
    auto it = cotangents.find(value);
    if (it == cotangents.end())
      cotangents.try_emplace(value, contribution);
    else
      it->second = it->second + contribution;
  };
  LocationOverride restore{tracer};
  if (active.contains(targetValue))
    accumulate(targetValue, filled(target, 1.0));
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    Operation *op = *it;
    bool needed = llvm::any_of(op->getResults(), [&](Value result) {
      return cotangents.count(result) > 0;
    });
    if (!needed || !dependsOnActive(op))
      continue;
    if (op->getNumRegions() || op->getNumResults() != 1)
      failOnControlFlow(op);
    tracer.setLocationOverride(op->getLoc());
    std::vector<Tensor> in;
    for (Value operand : op->getOperands())
      in.push_back(tracer.tensorOf(operand));
    Tensor out = tracer.tensorOf(op->getResult(0));
    Tensors grads = vjp(op, in, out, cotangents.find(op->getResult(0))->second);
    for (auto [operand, grad, input] :
         llvm::zip(op->getOperands(), grads, in)) {
      if (!grad || !active.contains(operand))
        continue;
      // Undo broadcasting and promotion: the cotangent has the operand's
      // shape and dtype.
      Tensor fitted = unbroadcast(*grad, input.shape());
      if (fitted.dtype() != input.dtype())
        fitted = cast(fitted, input.dtype());
      accumulate(operand, fitted);
    }
  }
  tracer.setLocationOverride(std::nullopt);

  std::vector<Tensor> result;
  for (auto [source, value] : llvm::zip(sources, sourceValues)) {
    auto it = cotangents.find(value);
    result.push_back(it != cotangents.end() ? it->second : filled(source, 0.0));
  }
  return result;
}

} // namespace kiln
