//===- Ops.h - Kiln's eager ops ---------------------------------*- C++ -*-===//
//
// Every op of the `kiln` dialect as a free function that runs at once on
// precompiled kernels, plus C++ operators. Shapes follow the rules of Shape.h
// (numpy broadcasting) and result dtypes the promotion table of DType.h.
//
// Conventions, for every op:
//  * Bad input (shape, dtype, axis, index) throws kiln::Error naming the op,
//    the offending values, the shapes and the dtypes; operands are never
//    modified.
//  * float16/bfloat16 operands are computed in float32 and the result is
//    rounded back to the 16-bit type.
//  * Arithmetic (add sub mul div pow, unary neg) rejects bool operands (cast
//    them first); maximum/minimum on bool are logical or/and.
//  * Floating math (exp log sqrt rsqrt tanh sigmoid erf sin cos reciprocal)
//    on bool or integer operands computes in float32 (as JAX does).
//  * Views: transpose, reshape of contiguous data, slice, expand_dims,
//    squeeze and broadcast_to share their operand's storage.
//  * Negative axes count from the end.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_OPS_H
#define KILN_RUNTIME_OPS_H

#include "kiln/Runtime/Tensor.h"

#include <optional>
#include <source_location>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln {

/// Where an op was called from. Every op takes it as a last argument that
/// defaults to the caller's location, so that an op recorded by a trace
/// carries the file and line of the user's code (see kiln/Runtime/Trace.h).
using SourceLoc = std::source_location;

/// An operand of a C++ operator, converted implicitly from a tensor where the
/// operator is written, so that the operator knows its source location.
class Operand {
public:
  Operand(const Tensor &tensor, SourceLoc loc = SourceLoc::current())
      : tensor_(tensor), loc_(loc) {}
  const Tensor &tensor() const { return tensor_; }
  SourceLoc loc() const { return loc_; }

private:
  const Tensor &tensor_;
  SourceLoc loc_;
};

//===----------------------------------------------------------------------===//
// Elementwise binary (Elementwise.cpp)
//===----------------------------------------------------------------------===//

/// Arithmetic with numpy broadcasting and `promoteTypes`. Integer ops wrap
/// on overflow (two's complement).
Tensor add(const Tensor &a, const Tensor &b,
           SourceLoc loc = SourceLoc::current());
Tensor sub(const Tensor &a, const Tensor &b,
           SourceLoc loc = SourceLoc::current());
Tensor mul(const Tensor &a, const Tensor &b,
           SourceLoc loc = SourceLoc::current());
/// Division. Integers use floor division, as numpy's `//` (-7 / 2 == -4);
/// integer division by zero gives 0 (as compiled code does: no input
/// traps). Floats follow IEEE.
Tensor div(const Tensor &a, const Tensor &b,
           SourceLoc loc = SourceLoc::current());
/// Power. For integers, exponentiation by squaring (wrapping); a negative
/// integer exponent gives the real power truncated toward zero: 1 for base
/// 1, 1 or -1 for base -1 (even or odd exponent), 0 otherwise (also for base
/// 0, where numpy throws).
Tensor pow(const Tensor &a, const Tensor &b,
           SourceLoc loc = SourceLoc::current());
/// Elementwise maximum/minimum; a NaN operand gives NaN (numpy semantics).
Tensor maximum(const Tensor &a, const Tensor &b,
               SourceLoc loc = SourceLoc::current());
Tensor minimum(const Tensor &a, const Tensor &b,
               SourceLoc loc = SourceLoc::current());

/// Comparisons, computed in the promoted dtype; the result is bool.
Tensor eq(const Tensor &a, const Tensor &b,
          SourceLoc loc = SourceLoc::current());
Tensor ne(const Tensor &a, const Tensor &b,
          SourceLoc loc = SourceLoc::current());
Tensor lt(const Tensor &a, const Tensor &b,
          SourceLoc loc = SourceLoc::current());
Tensor le(const Tensor &a, const Tensor &b,
          SourceLoc loc = SourceLoc::current());
Tensor gt(const Tensor &a, const Tensor &b,
          SourceLoc loc = SourceLoc::current());
Tensor ge(const Tensor &a, const Tensor &b,
          SourceLoc loc = SourceLoc::current());

/// Logical ops. Operands of any dtype are read as truth values (nonzero is
/// true); the result is bool. (Named `logical_*` because `and`, `or` and
/// `not` are C++ keywords.)
Tensor logical_and(const Tensor &a, const Tensor &b,
                   SourceLoc loc = SourceLoc::current());
Tensor logical_or(const Tensor &a, const Tensor &b,
                  SourceLoc loc = SourceLoc::current());
Tensor logical_not(const Tensor &x, SourceLoc loc = SourceLoc::current());

/// Bitwise ops on integer operands (promoted) or bool ones (logical);
/// floats are rejected. Shifts take integers: `left_shift(x, y)` is x << y
/// and `right_shift(x, y)` x >> y, arithmetic for signed dtypes (a right
/// shift of an unsigned dtype brings in zeros), both in the result's dtype:
/// an amount outside [0, its bits) shifts every bit out (0, or -1 for a
/// negative x shifted right).
Tensor bitwise_and(const Tensor &a, const Tensor &b,
                   SourceLoc loc = SourceLoc::current());
Tensor bitwise_or(const Tensor &a, const Tensor &b,
                  SourceLoc loc = SourceLoc::current());
Tensor bitwise_xor(const Tensor &a, const Tensor &b,
                   SourceLoc loc = SourceLoc::current());
Tensor left_shift(const Tensor &a, const Tensor &b,
                  SourceLoc loc = SourceLoc::current());
Tensor right_shift(const Tensor &a, const Tensor &b,
                   SourceLoc loc = SourceLoc::current());
/// ~x for integers, logical not for bool.
Tensor bitwise_not(const Tensor &x, SourceLoc loc = SourceLoc::current());

/// `cond ? a : b` elementwise; the three operands broadcast together, `cond`
/// is read as truth values and a, b are promoted.
Tensor select(const Tensor &cond, const Tensor &a, const Tensor &b,
              SourceLoc loc = SourceLoc::current());

/// The binary ops with a C++ scalar operand, which is weakly typed (see
/// kiln::Scalar): `add(x, 1)`, `maximum(x, 0.0f)`, `pow(2, x)`.
#define KILN_SCALAR_OVERLOADS(name)                                            \
  Tensor name(const Tensor &a, Scalar b,                                       \
              SourceLoc loc = SourceLoc::current());                           \
  Tensor name(Scalar a, const Tensor &b, SourceLoc loc = SourceLoc::current());
KILN_SCALAR_OVERLOADS(add)
KILN_SCALAR_OVERLOADS(sub)
KILN_SCALAR_OVERLOADS(mul)
KILN_SCALAR_OVERLOADS(div)
KILN_SCALAR_OVERLOADS(pow)
KILN_SCALAR_OVERLOADS(maximum)
KILN_SCALAR_OVERLOADS(minimum)
KILN_SCALAR_OVERLOADS(eq)
KILN_SCALAR_OVERLOADS(ne)
KILN_SCALAR_OVERLOADS(lt)
KILN_SCALAR_OVERLOADS(le)
KILN_SCALAR_OVERLOADS(gt)
KILN_SCALAR_OVERLOADS(ge)
KILN_SCALAR_OVERLOADS(bitwise_and)
KILN_SCALAR_OVERLOADS(bitwise_or)
KILN_SCALAR_OVERLOADS(bitwise_xor)
KILN_SCALAR_OVERLOADS(left_shift)
KILN_SCALAR_OVERLOADS(right_shift)
#undef KILN_SCALAR_OVERLOADS

/// The tensor a Scalar becomes when it meets a tensor of dtype `other` in op
/// `op` (rank 0, dtype by the weak-type rule). Throws kiln::Error, naming
/// `op`, if an integer scalar does not fit the dtype it adopts.
Tensor scalarTensorFor(Scalar s, DType other,
                       std::string_view op = "scalar operand");

//===----------------------------------------------------------------------===//
// C++ operators
//===----------------------------------------------------------------------===//

/// `a + b` is `add(a, b)`, and so on, with scalar overloads (`x * 2.0f`,
/// `2 + x`). Note that `==`, `!=`, `<`, `<=`, `>` and `>=` are elementwise
/// and return a bool *Tensor*, not a C++ bool (as in numpy); use
/// `all_equal` to compare two tensors as values.
Tensor operator+(Operand a, const Tensor &b);
Tensor operator-(Operand a, const Tensor &b);
Tensor operator*(Operand a, const Tensor &b);
Tensor operator/(Operand a, const Tensor &b);
Tensor operator-(Operand x);
Tensor operator==(Operand a, const Tensor &b);
Tensor operator!=(Operand a, const Tensor &b);
Tensor operator<(Operand a, const Tensor &b);
Tensor operator<=(Operand a, const Tensor &b);
Tensor operator>(Operand a, const Tensor &b);
Tensor operator>=(Operand a, const Tensor &b);

#define KILN_SCALAR_OPERATORS(op)                                              \
  Tensor operator op(Operand a, Scalar b);                                     \
  Tensor operator op(Scalar a, Operand b);
KILN_SCALAR_OPERATORS(+)
KILN_SCALAR_OPERATORS(-)
KILN_SCALAR_OPERATORS(*)
KILN_SCALAR_OPERATORS(/)
KILN_SCALAR_OPERATORS(==)
KILN_SCALAR_OPERATORS(!=)
KILN_SCALAR_OPERATORS(<)
KILN_SCALAR_OPERATORS(<=)
KILN_SCALAR_OPERATORS(>)
KILN_SCALAR_OPERATORS(>=)
#undef KILN_SCALAR_OPERATORS

/// True if a and b have the same shape and dtype and equal elements (NaNs
/// compare unequal).
bool all_equal(const Tensor &a, const Tensor &b);

//===----------------------------------------------------------------------===//
// Elementwise unary (Unary.cpp)
//===----------------------------------------------------------------------===//

/// Same dtype as the operand (bool rejected by neg).
Tensor neg(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor abs(const Tensor &x, SourceLoc loc = SourceLoc::current());
/// -1, 0 or 1 (NaN for NaN).
Tensor sign(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor relu(const Tensor &x, SourceLoc loc = SourceLoc::current());
/// Identity on integers.
Tensor floor(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor ceil(const Tensor &x, SourceLoc loc = SourceLoc::current());
/// Rounds half to even (2.5 -> 2, 3.5 -> 4), as numpy.round.
Tensor round(const Tensor &x, SourceLoc loc = SourceLoc::current());

/// Floating results (integer and bool operands compute in float32).
Tensor exp(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor log(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor sqrt(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor rsqrt(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor tanh(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor sigmoid(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor erf(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor sin(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor cos(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor tan(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor asin(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor acos(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor atan(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor sinh(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor cosh(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor asinh(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor acosh(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor atanh(const Tensor &x, SourceLoc loc = SourceLoc::current());
Tensor reciprocal(const Tensor &x, SourceLoc loc = SourceLoc::current());
/// `x` itself, through which no gradient flows (kiln/Autodiff.h): to
/// kiln::grad and kiln::GradientTape it is a constant.
Tensor stop_gradient(const Tensor &x, SourceLoc loc = SourceLoc::current());

/// Converts to `dtype`. Float to integer truncates toward zero and
/// saturates at the integer range (NaN gives 0); anything to bool is
/// `x != 0`.
Tensor cast(const Tensor &x, DType dtype, SourceLoc loc = SourceLoc::current());

//===----------------------------------------------------------------------===//
// Shape ops (ShapeOps.cpp)
//===----------------------------------------------------------------------===//

/// Reshape to `shape`, which may hold one -1. A view when `x` is contiguous,
/// else a copy.
Tensor reshape(const Tensor &x, const std::vector<int64_t> &shape,
               SourceLoc loc = SourceLoc::current());
/// Permutes dimensions (a view). Without `perm`, reverses them.
Tensor transpose(const Tensor &x, const std::vector<int64_t> &perm,
                 SourceLoc loc = SourceLoc::current());
Tensor transpose(const Tensor &x, SourceLoc loc = SourceLoc::current());
/// A view of `x` broadcast to `shape` (stride 0 along broadcast dims).
Tensor broadcast_to(const Tensor &x, const Shape &shape,
                    SourceLoc loc = SourceLoc::current());
/// Inserts a size-1 dimension at `axis` in [-(rank+1), rank] (a view).
Tensor expand_dims(const Tensor &x, int64_t axis,
                   SourceLoc loc = SourceLoc::current());
/// Removes the size-1 dimensions `axes` (all of them when empty; a view).
Tensor squeeze(const Tensor &x, const std::vector<int64_t> &axes = {},
               SourceLoc loc = SourceLoc::current());
/// Concatenates along `axis`; dtypes are promoted together.
Tensor concat(const std::vector<Tensor> &xs, int64_t axis,
              SourceLoc loc = SourceLoc::current());
/// Strided slice (a view): per dimension, elements start, start + stride,
/// ... < limit; `stride` defaults to all ones.
Tensor slice(const Tensor &x, const std::vector<int64_t> &start,
             const std::vector<int64_t> &limit,
             const std::vector<int64_t> &stride = {},
             SourceLoc loc = SourceLoc::current());
/// Pads with `low`/`high` elements of `value` per dimension (a copy).
Tensor pad(const Tensor &x, const std::vector<int64_t> &low,
           const std::vector<int64_t> &high, Scalar value = 0,
           SourceLoc loc = SourceLoc::current());
/// numpy.take along `axis`: result shape is
/// x.shape[:axis] + indices.shape + x.shape[axis+1:]. Indices are int32 or
/// int64 in [-size, size) (negative ones count from the end); others throw.
Tensor gather(const Tensor &x, const Tensor &indices, int64_t axis,
              SourceLoc loc = SourceLoc::current());

//===----------------------------------------------------------------------===//
// Reductions (Reduction.cpp)
//===----------------------------------------------------------------------===//

/// Reductions over `axes` (all axes when empty). Sum and prod keep the
/// operand's dtype (bool sums and products give int32); mean gives float32
/// for bool and integer operands; max/min of an empty axis throw; a NaN
/// propagates through max/min.
Tensor reduce_sum(const Tensor &x, const std::vector<int64_t> &axes = {},
                  bool keepdims = false, SourceLoc loc = SourceLoc::current());
Tensor reduce_mean(const Tensor &x, const std::vector<int64_t> &axes = {},
                   bool keepdims = false, SourceLoc loc = SourceLoc::current());
Tensor reduce_max(const Tensor &x, const std::vector<int64_t> &axes = {},
                  bool keepdims = false, SourceLoc loc = SourceLoc::current());
Tensor reduce_min(const Tensor &x, const std::vector<int64_t> &axes = {},
                  bool keepdims = false, SourceLoc loc = SourceLoc::current());
Tensor reduce_prod(const Tensor &x, const std::vector<int64_t> &axes = {},
                   bool keepdims = false, SourceLoc loc = SourceLoc::current());
/// The cumulative sum along `axis`: element i sums elements 0..i (0..i-1
/// when `exclusive`; i..n-1 or i+1..n-1 when `reverse`). Sums keep the
/// operand's dtype (bool sums give int32), as reduce_sum's.
Tensor cumsum(const Tensor &x, int64_t axis, bool exclusive = false,
              bool reverse = false, SourceLoc loc = SourceLoc::current());
/// Index (int64) of the first maximum/minimum along `axis`; a NaN counts as
/// the maximum and the minimum (numpy semantics).
Tensor argmax(const Tensor &x, int64_t axis, bool keepdims = false,
              SourceLoc loc = SourceLoc::current());
Tensor argmin(const Tensor &x, int64_t axis, bool keepdims = false,
              SourceLoc loc = SourceLoc::current());

//===----------------------------------------------------------------------===//
// Linear algebra (Matmul.cpp)
//===----------------------------------------------------------------------===//

/// numpy.matmul: 1-D operands are promoted to matrices and the added
/// dimensions dropped from the result; batch dimensions broadcast. Operand
/// dtypes are promoted; bool matmul is logical (any of ands).
Tensor matmul(const Tensor &a, const Tensor &b,
              SourceLoc loc = SourceLoc::current());

//===----------------------------------------------------------------------===//
// Neural-network ops (NN.cpp)
//===----------------------------------------------------------------------===//

/// exp(x - max) / sum(exp(x - max)) along `axis`; floating results.
Tensor softmax(const Tensor &x, int64_t axis = -1,
               SourceLoc loc = SourceLoc::current());
/// x - max - log(sum(exp(x - max))) along `axis`.
Tensor log_softmax(const Tensor &x, int64_t axis = -1,
                   SourceLoc loc = SourceLoc::current());
/// (x - mean) / sqrt(var + epsilon) over `axes` (biased variance), then
/// `* scale` and `+ bias` when given; scale and bias must broadcast to x's
/// shape (typically they have the shape of the normalized dimensions).
Tensor layer_norm(const Tensor &x, const std::vector<int64_t> &axes,
                  double epsilon = 1e-5,
                  const std::optional<Tensor> &scale = std::nullopt,
                  const std::optional<Tensor> &bias = std::nullopt,
                  SourceLoc loc = SourceLoc::current());

//===----------------------------------------------------------------------===//
// Convolution and pooling (Conv.cpp)
//===----------------------------------------------------------------------===//

/// How conv and conv_transpose slide their kernel over the spatial
/// dimensions; each vector has one value per spatial dimension, and an
/// empty one means the default.
struct ConvOptions {
  std::vector<int64_t> strides;    ///< default 1
  std::vector<int64_t> pads_begin; ///< zeros before the input; default 0
  std::vector<int64_t> pads_end;   ///< zeros after the input; default 0
  std::vector<int64_t> dilations;  ///< spacing of the kernel's taps; 1
  int64_t groups = 1;              ///< channel groups (C for depthwise)
  /// conv_transpose only: added to the end of each output dimension.
  std::vector<int64_t> output_padding;
};

/// How max_pool and avg_pool slide their window; vectors as in ConvOptions.
struct PoolOptions {
  std::vector<int64_t> window; ///< the window's size (required)
  std::vector<int64_t> strides, pads_begin, pads_end, dilations;
  /// Output sizes rounded up: a last, partial window.
  bool ceil_mode = false;
  /// avg_pool: windows count the padding's elements too (never the extra
  /// room of ceil_mode).
  bool count_include_pad = false;
};

/// Convolution (cross-correlation, as in ONNX and PyTorch) of `x`, N x C x
/// D1 x ... x Dk (k >= 1), with `weight`, M x C/groups x K1 x ... x Kk, plus
/// `bias` (M) if given: N x M x O1 x ... x Ok with Oi = (Di + pads - (Ki -
/// 1) * dilation - 1) / stride + 1. Floating-point operands.
Tensor conv(const Tensor &x, const Tensor &weight,
            const std::optional<Tensor> &bias = std::nullopt,
            const ConvOptions &options = {},
            SourceLoc loc = SourceLoc::current());
/// The transpose (the gradient with respect to the input) of conv: `x` is
/// N x C x D..., `weight` C x M/groups x K...; Oi = stride * (Di - 1) +
/// output_padding + (Ki - 1) * dilation + 1 - pads.
Tensor conv_transpose(const Tensor &x, const Tensor &weight,
                      const std::optional<Tensor> &bias = std::nullopt,
                      const ConvOptions &options = {},
                      SourceLoc loc = SourceLoc::current());
/// The maximum over each window of `x` (N x C x D..., any numeric dtype);
/// padding is the dtype's lowest value (-inf for floats).
Tensor max_pool(const Tensor &x, const PoolOptions &options,
                SourceLoc loc = SourceLoc::current());
/// The mean over each window of `x` (N x C x D...), of the elements inside
/// the input (or its padding too: count_include_pad).
Tensor avg_pool(const Tensor &x, const PoolOptions &options,
                SourceLoc loc = SourceLoc::current());

//===----------------------------------------------------------------------===//
// Sorting (Sort.cpp)
//===----------------------------------------------------------------------===//

/// The indices (int64) that sort `x` along `axis`, ascending or descending.
/// The sort is stable in both directions: equal elements keep the order of
/// their indices. NaN ranks above every number (last ascending, first
/// descending), as numpy sorts it; false ranks below true.
Tensor argsort(const Tensor &x, int64_t axis = -1, bool descending = false,
               SourceLoc loc = SourceLoc::current());
/// `x` sorted along `axis`: take_along_axis(x, argsort(x, axis, descending)).
Tensor sort(const Tensor &x, int64_t axis = -1, bool descending = false,
            SourceLoc loc = SourceLoc::current());
/// The `k` largest (or, with `largest` false, smallest) elements along
/// `axis` and their int64 indices, largest (smallest) first; of equal
/// elements the one with the lower index comes first (ONNX TopK).
std::pair<Tensor, Tensor> topk(const Tensor &x, int64_t k, int64_t axis = -1,
                               bool largest = true,
                               SourceLoc loc = SourceLoc::current());

//===----------------------------------------------------------------------===//
// Indexing and scattering (Indexing.cpp)
//===----------------------------------------------------------------------===//

/// Elements picked along `axis` (numpy.take_along_axis, ONNX
/// GatherElements): out[i0, ..., ia, ..., in] = x[i0, ..., indices[i0, ...,
/// ia, ..., in], ..., in]. `indices` (int32 or int64) has x's rank and no
/// dimension larger than x's (other than along `axis`); the result has its
/// shape. Negative indices count from the end.
Tensor take_along_axis(const Tensor &x, const Tensor &indices, int64_t axis,
                       SourceLoc loc = SourceLoc::current());
/// Slices picked by index vectors (ONNX GatherND, tf.gather_nd): the last
/// dimension of `indices` holds vectors of length k that index x's
/// dimensions after the first `batch_dims` (which x and indices share);
/// the result is indices.shape[:-1] + x.shape[batch_dims + k:].
Tensor gather_nd(const Tensor &x, const Tensor &indices, int64_t batch_dims = 0,
                 SourceLoc loc = SourceLoc::current());

/// How scatter ops combine an update with the element it lands on.
enum class ScatterReduction {
  None, ///< the update replaces the element
  Add,
  Mul,
  Max,
  Min,
};
/// "none", "add", "mul", "max", "min".
std::string_view scatterReductionName(ScatterReduction reduction);
/// The reduction named `name` (as above), or nullopt.
std::optional<ScatterReduction> parseScatterReduction(std::string_view name);

/// A copy of `x` with slices updated (ONNX ScatterND,
/// tf.tensor_scatter_nd_update): `indices` (int32 or int64) holds index
/// vectors of length k along its last dimension, each naming the slice
/// x[i0, ..., ik-1] (negative indices count from the end; others out of
/// range throw); `updates` has the shape indices.shape[:-1] + x.shape[k:]
/// and x's dtype. Updates apply in row-major order of the index vectors:
/// with None a repeated index keeps the last update, the other reductions
/// combine every update into the element.
Tensor scatter_nd(const Tensor &x, const Tensor &indices, const Tensor &updates,
                  ScatterReduction reduction = ScatterReduction::None,
                  SourceLoc loc = SourceLoc::current());
/// The inverse of take_along_axis (ONNX ScatterElements, torch.scatter):
/// out[i0, ..., indices[i0, ..., in], ..., in] = updates[i0, ..., in] along
/// `axis`, with `indices` and `updates` of one shape and x's rank;
/// duplicates as in scatter_nd.
Tensor scatter_elements(const Tensor &x, const Tensor &indices,
                        const Tensor &updates, int64_t axis,
                        ScatterReduction reduction = ScatterReduction::None,
                        SourceLoc loc = SourceLoc::current());

//===----------------------------------------------------------------------===//
// Random numbers inside graphs (Random.cpp)
//===----------------------------------------------------------------------===//

/// Uniform values in [low, high) of a floating `dtype`, keyed by `seed`, a
/// rank-0 int32 or int64 tensor: the values of random_uniform(shape,
/// seed.item(), low, high, dtype) (kiln/Runtime/Tensor.h), bit for bit, in
/// every mode. Unlike that factory, the seed may be a traced argument: a
/// compiled function draws new numbers when it is called with a new seed,
/// without retracing. The same seed gives the same numbers (the op is
/// stateless, as JAX's).
Tensor random_uniform(const Shape &shape, const Tensor &seed, double low = 0.0,
                      double high = 1.0, DType dtype = DType::F32,
                      SourceLoc loc = SourceLoc::current());
/// Normal values with `mean` and `stddev`, keyed by `seed` as above: those
/// of random_normal(shape, seed.item(), mean, stddev, dtype), bit for bit
/// (compiled code computes Box-Muller's float64 logarithm, sine and cosine
/// with the C library's functions, as eager mode does).
Tensor random_normal(const Shape &shape, const Tensor &seed, double mean = 0.0,
                     double stddev = 1.0, DType dtype = DType::F32,
                     SourceLoc loc = SourceLoc::current());
/// Inverted dropout: each element of `x` is zeroed with probability `rate`
/// (where random_uniform(x.shape(), seed) < rate) and the others scaled by
/// 1 / (1 - rate). `rate` is in [0, 1); floating `x`.
Tensor dropout(const Tensor &x, double rate, const Tensor &seed,
               SourceLoc loc = SourceLoc::current());

} // namespace kiln

#endif // KILN_RUNTIME_OPS_H
