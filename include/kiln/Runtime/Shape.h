//===- Shape.h - Kiln shape rules ------------------------------*- C++ -*-===//
//
// Every shape rule of Kiln, written once: numpy broadcasting, reductions,
// reshape, transpose, matmul, concat, slice, pad, gather, expand_dims and
// squeeze. The eager runtime calls these before running a kernel and the
// dialect's verifiers and type inference call them on IR types, so that eager
// and traced programs can never disagree on a shape.
//
// A dimension may be `kDynamic` (unknown until run time, `?` in the IR). The
// rules propagate it where the result cannot be known and accept it wherever
// it could be valid; the runtime only ever passes static shapes.
//
// Rules never throw: they return a `ShapeResult` whose error message names
// the offending values but not the op, e.g. "shapes (3, 4) and (5) are not
// broadcastable"; callers prefix the op name.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SHAPE_H
#define KILN_RUNTIME_SHAPE_H

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kiln {

using Shape = std::vector<int64_t>;

/// An unknown dimension. Equal to `mlir::ShapedType::kDynamic`, so IR shapes
/// can be passed in unchanged.
constexpr int64_t kDynamic = std::numeric_limits<int64_t>::min();

inline bool isDynamic(int64_t dim) { return dim == kDynamic; }
bool hasDynamicDims(const Shape &shape);

/// Number of elements; -1 if any dimension is dynamic, INT64_MAX if the
/// count overflows int64 (no such tensor can be allocated).
int64_t numElements(const Shape &shape);

/// "(3, 4)", "(5)" for rank 1, "()" for a scalar, "?" for dynamic dims.
std::string formatShape(const Shape &shape);
/// "[1, 0, 2]": for axes, permutations and other integer lists.
std::string formatList(const std::vector<int64_t> &values);

/// Either a value or an error message.
template <typename T> class RuleResult {
public:
  RuleResult(T value) : value_(std::move(value)) {}
  static RuleResult failure(std::string message) {
    RuleResult r{T{}};
    r.error_ = std::move(message);
    r.failed_ = true;
    return r;
  }
  explicit operator bool() const { return !failed_; }
  bool failed() const { return failed_; }
  const T &value() const { return value_; }
  T &value() { return value_; }
  const T &operator*() const { return value_; }
  const T *operator->() const { return &value_; }
  const std::string &error() const { return error_; }

private:
  T value_;
  std::string error_;
  bool failed_ = false;
};

using ShapeResult = RuleResult<Shape>;
using AxesResult = RuleResult<std::vector<int64_t>>;

//===----------------------------------------------------------------------===//
// Axes
//===----------------------------------------------------------------------===//

/// Maps `axis` in [-rank, rank) to [0, rank).
RuleResult<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Normalizes every axis, rejecting out-of-range and repeated axes. The result
/// is sorted. An empty list stays empty (callers decide what it means).
AxesResult normalizeAxes(const std::vector<int64_t> &axes, int64_t rank);

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// Numpy broadcasting of two shapes.
ShapeResult broadcastShapes(const Shape &a, const Shape &b);
/// Numpy broadcasting of any number of shapes.
ShapeResult broadcastShapes(const std::vector<Shape> &shapes);

/// Checks that `from` broadcasts to exactly `to` (the rule of broadcast_to).
ShapeResult broadcastToShape(const Shape &from, const Shape &to);

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Shape of a reduction over `axes` (empty means all axes).
ShapeResult reduceShape(const Shape &input, const std::vector<int64_t> &axes,
                        bool keepdims);

/// Shape of argmax/argmin over one axis.
ShapeResult argReduceShape(const Shape &input, int64_t axis, bool keepdims);

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

/// Reshape to `target`, which may hold one -1 inferred from the element count.
/// The result never holds -1: the inferred dimension is computed, or dynamic
/// when the input has dynamic dimensions.
ShapeResult reshapeShape(const Shape &input,
                         const std::vector<int64_t> &target);

/// Transpose by `perm`, a permutation of [0, rank).
ShapeResult transposeShape(const Shape &input,
                           const std::vector<int64_t> &perm);

/// Insert a size-1 dimension at `axis` in [-(rank+1), rank+1).
ShapeResult expandDimsShape(const Shape &input, int64_t axis);

/// Remove the size-1 dimensions `axes` (all of them when empty).
ShapeResult squeezeShape(const Shape &input, const std::vector<int64_t> &axes);

/// Concatenate along `axis`; all other dimensions must agree.
ShapeResult concatShape(const std::vector<Shape> &inputs, int64_t axis);

/// Strided slice: per dimension, elements start, start+stride, ... < limit.
/// Requires 0 <= start <= limit <= dim and stride >= 1.
ShapeResult sliceShape(const Shape &input, const std::vector<int64_t> &start,
                       const std::vector<int64_t> &limit,
                       const std::vector<int64_t> &stride);

/// Constant padding with `low` and `high` (non-negative) elements per dim.
ShapeResult padShape(const Shape &input, const std::vector<int64_t> &low,
                     const std::vector<int64_t> &high);

/// Gather along `axis`: input.shape[:axis] + indices.shape +
/// input.shape[axis+1:].
ShapeResult gatherShape(const Shape &input, const Shape &indices, int64_t axis);

/// scatter_nd: `indices` (rank >= 1) hold index vectors of length k =
/// indices.shape[-1] <= rank(input) along their last dimension, each naming a
/// slice input[i0, ..., ik-1, ...]; `updates` must have the shape
/// indices.shape[:-1] + input.shape[k:]. The result has the input's shape.
ShapeResult scatterShape(const Shape &input, const Shape &indices,
                         const Shape &updates);

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

/// numpy.matmul: 1-D operands are promoted to matrices and the added dims
/// removed from the result; batch dimensions broadcast.
ShapeResult matmulShape(const Shape &a, const Shape &b);

/// conv (kiln.conv): `input` N x C x D1..Dk, `weight` M x C/groups x
/// K1..Kk, `bias` (M) if given, one stride, pad and dilation per spatial
/// dimension; static shapes. The result is N x M x O1..Ok.
ShapeResult convShape(const Shape &input, const Shape &weight,
                      const std::optional<Shape> &bias,
                      const std::vector<int64_t> &strides,
                      const std::vector<int64_t> &padsBegin,
                      const std::vector<int64_t> &padsEnd,
                      const std::vector<int64_t> &dilations, int64_t groups);

} // namespace kiln

#endif // KILN_RUNTIME_SHAPE_H
