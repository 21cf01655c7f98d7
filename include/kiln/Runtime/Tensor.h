//===- Tensor.h - Kiln's eager tensor ---------------------------*- C++ -*-===//
//
// `kiln::Tensor` is a strided view of shared, 64-byte aligned storage: a
// dtype, a shape, strides and an offset (both in elements). Copying a Tensor
// copies the view, never the data; views made by transpose, reshape of
// contiguous data, slice, expand_dims, squeeze and broadcast_to share their
// operand's storage.
//
// Tensors are values in the functional sense: no op writes into an operand.
// The only ways to mutate storage are `data<T>()` on a non-const tensor and
// memory wrapped with `from_blob`.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_TENSOR_H
#define KILN_RUNTIME_TENSOR_H

#include "kiln/Runtime/DType.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Float16.h"
#include "kiln/Runtime/Shape.h"

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace kiln {

namespace trace {
struct Value;
} // namespace trace

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

/// The DType of a C++ element type: bool, int8_t, int16_t, int32_t,
/// int64_t, uint8_t, uint16_t, float16, bfloat16, float, double.
template <typename T> constexpr DType dtypeOf() {
  if constexpr (std::is_same_v<T, bool>)
    return DType::Bool;
  else if constexpr (std::is_same_v<T, int32_t>)
    return DType::I32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return DType::I64;
  else if constexpr (std::is_same_v<T, int8_t>)
    return DType::I8;
  else if constexpr (std::is_same_v<T, int16_t>)
    return DType::I16;
  else if constexpr (std::is_same_v<T, uint8_t>)
    return DType::U8;
  else if constexpr (std::is_same_v<T, uint16_t>)
    return DType::U16;
  else if constexpr (std::is_same_v<T, float16>)
    return DType::F16;
  else if constexpr (std::is_same_v<T, bfloat16>)
    return DType::BF16;
  else if constexpr (std::is_same_v<T, float>)
    return DType::F32;
  else if constexpr (std::is_same_v<T, double>)
    return DType::F64;
  else
    static_assert(sizeof(T) == 0, "not a Kiln element type");
}

/// The dtype a C++ literal of type T gets by default: bool -> bool, integers
/// of up to 32 bits -> int32, 64-bit integers -> int64, float and double ->
/// float32 (as TensorFlow does for Python floats).
template <typename T> constexpr DType defaultDTypeOf() {
  if constexpr (std::is_same_v<T, bool>)
    return DType::Bool;
  else if constexpr (std::is_integral_v<T>)
    return sizeof(T) <= 4 ? DType::I32 : DType::I64;
  else if constexpr (std::is_same_v<T, float16>)
    return DType::F16;
  else if constexpr (std::is_same_v<T, bfloat16>)
    return DType::BF16;
  else
    return DType::F32;
}

/// A C++ number usable as a Kiln scalar.
template <typename T>
concept Arithmetic = std::is_arithmetic_v<T> || std::is_same_v<T, float16> ||
    std::is_same_v<T, bfloat16>;

/// A C++ scalar operand of an op, e.g. the `2.0f` of `x * 2.0f`.
///
/// A Scalar is *weakly typed*, as in JAX: it adopts the dtype of the tensor it
/// meets when that dtype is of the same or a higher kind (bool < integer <
/// floating). Otherwise the result takes `promoteTypes(tensor dtype, kind
/// default)`, where the kind defaults are bool, int32 and float32. So
/// `f32 * 2.0` and `f16 * 2.0` keep their dtype, `i32 * 2` and `i64 * 2` stay
/// integer, and `i32 * 2.5f` and `bool + 1.0` give float32.
class Scalar {
public:
  enum class Kind : uint8_t { Bool, Integer, Floating };

  template <Arithmetic T> Scalar(T value) {
    if constexpr (std::is_same_v<T, bool>) {
      kind_ = Kind::Bool;
      f_ = value;
      i_ = value;
    } else if constexpr (std::is_integral_v<T>) {
      kind_ = Kind::Integer;
      i_ = static_cast<int64_t>(value);
      f_ = static_cast<double>(value);
    } else {
      kind_ = Kind::Floating;
      f_ = static_cast<double>(value);
      i_ = 0;
    }
  }

  Kind kind() const { return kind_; }
  /// The value as a double (exact for bool, floats and |int| < 2^53).
  double toDouble() const { return f_; }
  /// The value as an int64 (valid for the bool and integer kinds).
  int64_t toInt() const { return i_; }
  /// bool, int32 or float32 by kind.
  DType defaultDType() const;
  /// The dtype of `op(tensor of dtype t, this)` by the weak-type rule.
  DType resultDTypeWith(DType t) const;

private:
  Kind kind_;
  double f_;
  int64_t i_;
};

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

/// An n-dimensional strided view of shared, 64-byte aligned storage.
/// The dtype and shape of a tensor argument of a traced function (see
/// kiln::FunctionOptions::input_signature); a dimension may be kDynamic,
/// which matches any size: `kiln::TensorSpec({kiln::kDynamic, 4})`.
struct TensorSpec {
  TensorSpec(Shape shape, DType dtype = DType::F32)
      : shape(std::move(shape)), dtype(dtype) {}
  Shape shape;
  DType dtype;
};

class Tensor {
public:
  /// An undefined tensor (`defined()` is false). Ops throw on it.
  Tensor() = default;

  /// A view of `storage`: `strides` and `offset` count elements.
  Tensor(std::shared_ptr<void> storage, DType dtype, Shape shape, Shape strides,
         int64_t offset);

  /// Allocates uninitialized contiguous storage. Freed buffers of 1 MiB or
  /// more are recycled, also for compiled code's temporaries (up to 1 GiB in
  /// total; see `release_cached_memory`).
  static Tensor empty(const Shape &shape, DType dtype);

  bool defined() const { return storage_ != nullptr || traced_ != nullptr; }

  /// A traced tensor: it stands for `value` of a graph being traced by
  /// kiln::function and has a shape and a dtype but no elements (see
  /// kiln/Runtime/Trace.h). Reading its elements throws kiln::Error.
  static Tensor traced(std::shared_ptr<trace::Value> value, DType dtype,
                       Shape shape);
  bool is_traced() const { return traced_ != nullptr; }
  /// The graph value of a traced tensor (null for other tensors).
  const trace::Value *tracedValue() const { return traced_.get(); }
  DType dtype() const { return dtype_; }
  const Shape &shape() const { return shape_; }
  /// Strides in elements (0 for a broadcast dimension).
  const Shape &strides() const { return strides_; }
  /// Offset of the first element in the storage, in elements.
  int64_t offset() const { return offset_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  /// Number of elements.
  int64_t size() const { return numElements(shape_); }
  /// Size of dimension `axis` (negative counts from the end).
  int64_t dim(int64_t axis) const;

  /// True if the elements are laid out row-major without gaps from
  /// `rawData()` (size-1 dimensions may have any stride).
  bool is_contiguous() const;

  /// Pointer to the first element (offset applied), for any layout.
  void *rawData() const;
  /// The shared storage (owner of the memory).
  const std::shared_ptr<void> &storage() const { return storage_; }
  /// True if the elements are host memory wrapped with `from_blob` (also
  /// through views of such a tensor): the host may change them.
  bool views_host_memory() const;

  /// Pointer to the elements of a contiguous tensor of element type T.
  /// Throws kiln::Error if the dtype is not T's or the tensor is a
  /// non-contiguous view (call `contiguous()` first).
  template <typename T> T *data() {
    checkData(dtypeOf<T>());
    return static_cast<T *>(rawData());
  }
  template <typename T> const T *data() const {
    checkData(dtypeOf<T>());
    return static_cast<const T *>(rawData());
  }

  /// The single element of a one-element tensor, converted to T (as
  /// static_cast would; float16/bfloat16 go through float). Throws
  /// kiln::Error if the tensor does not have exactly one element.
  template <Arithmetic T> T item() const {
    double d;
    int64_t i;
    readItem(d, i);
    if constexpr (std::is_integral_v<T>)
      return isFloating(dtype_) ? static_cast<T>(d) : static_cast<T>(i);
    else
      return static_cast<T>(isFloating(dtype_) ? d : static_cast<double>(i));
  }

  /// All elements in row-major order, converted to T as `item` does.
  template <Arithmetic T> std::vector<T> to_vector() const {
    std::vector<T> out;
    out.reserve(static_cast<size_t>(size()));
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (!isFloating(dtype_)) {
        for (int64_t v : toInt64Vector())
          out.push_back(static_cast<T>(v));
        return out;
      }
    }
    for (double v : toDoubleVector())
      out.push_back(static_cast<T>(v));
    return out;
  }
  /// All elements as doubles / int64s (exact for every dtype / for integers).
  std::vector<double> toDoubleVector() const;
  std::vector<int64_t> toInt64Vector() const;

  /// This tensor if it is contiguous, else a contiguous copy.
  Tensor contiguous() const;
  /// A contiguous copy that never shares storage with this tensor.
  Tensor clone() const;

  /// Row-major strides of `shape`, in elements.
  static Shape contiguousStrides(const Shape &shape);

private:
  void checkData(DType requested) const;
  void checkNotTraced(const char *what) const;
  void readItem(double &d, int64_t &i) const;

  std::shared_ptr<void> storage_;
  std::shared_ptr<trace::Value> traced_;
  DType dtype_ = DType::F32;
  Shape shape_;
  Shape strides_;
  int64_t offset_ = 0;
};

/// Frees the large buffers kept for reuse by `Tensor::empty`.
void release_cached_memory();

//===----------------------------------------------------------------------===//
// Factories
//===----------------------------------------------------------------------===//

/// A scalar (rank-0) tensor with an explicit dtype.
Tensor constant(Scalar value, DType dtype);

/// A scalar tensor whose dtype follows the C++ type (see `defaultDTypeOf`):
/// `constant(2)` is int32, `constant(2.0)` and `constant(2.0f)` are float32,
/// `constant(true)` is bool, `constant(int64_t{2})` is int64.
template <Arithmetic T> Tensor constant(T value) {
  return constant(Scalar(value), defaultDTypeOf<T>());
}

/// A tensor of `shape` holding `values` in row-major order, with an explicit
/// dtype. Throws if the number of values does not match the shape.
Tensor constant(const std::vector<double> &values, const Shape &shape,
                DType dtype);
/// Same for 64-bit integer values (exact for int64).
Tensor constant(const std::vector<int64_t> &values, const Shape &shape,
                DType dtype);

/// A tensor from values of element type T (dtype by `defaultDTypeOf<T>`);
/// `shape` defaults to a vector of the values.
template <Arithmetic T>
Tensor constant(const std::vector<T> &values, const Shape &shape) {
  if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, float16> ||
                std::is_same_v<T, bfloat16>)
    return constant(std::vector<double>(values.begin(), values.end()), shape,
                    defaultDTypeOf<T>());
  else
    return constant(std::vector<int64_t>(values.begin(), values.end()), shape,
                    defaultDTypeOf<T>());
}
template <Arithmetic T> Tensor constant(const std::vector<T> &values) {
  return constant(values, Shape{static_cast<int64_t>(values.size())});
}
template <Arithmetic T>
Tensor constant(std::initializer_list<T> values, const Shape &shape) {
  return constant(std::vector<T>(values), shape);
}
template <Arithmetic T> Tensor constant(std::initializer_list<T> values) {
  return constant(std::vector<T>(values));
}
template <Arithmetic T>
Tensor constant(std::initializer_list<T> values, const Shape &shape,
                DType dtype) {
  if constexpr (std::is_integral_v<T>)
    return constant(std::vector<int64_t>(values.begin(), values.end()), shape,
                    dtype);
  else
    return constant(std::vector<double>(values.begin(), values.end()), shape,
                    dtype);
}

/// A tensor of `shape` filled with `value`; the dtype defaults to the
/// scalar's kind default (bool, int32, float32).
Tensor full(const Shape &shape, Scalar value);
Tensor full(const Shape &shape, Scalar value, DType dtype);
Tensor zeros(const Shape &shape, DType dtype = DType::F32);
Tensor ones(const Shape &shape, DType dtype = DType::F32);

/// Values start, start+step, ... < stop (> stop for a negative step), as
/// numpy.arange. Throws for step == 0.
Tensor arange(double start, double stop, double step, DType dtype);
/// arange(stop) / arange(start, stop, step) with the dtype of the arguments'
/// C++ type: int arguments give int32, floating ones float32.
template <Arithmetic T> Tensor arange(T start, T stop, T step = T(1)) {
  return arange(static_cast<double>(start), static_cast<double>(stop),
                static_cast<double>(step), defaultDTypeOf<T>());
}
template <Arithmetic T> Tensor arange(T stop) { return arange(T(0), stop); }

/// Uniform values in [low, high) from a counter-based generator
/// (splitmix64 of seed and element index): the same seed gives the same
/// values on every machine, stdlib and thread count. Float dtypes only.
Tensor random_uniform(const Shape &shape, uint64_t seed, double low = 0.0,
                      double high = 1.0, DType dtype = DType::F32);
/// Normal values (Box-Muller on the same generator). Float dtypes only.
Tensor random_normal(const Shape &shape, uint64_t seed, double mean = 0.0,
                     double stddev = 1.0, DType dtype = DType::F32);

/// Wraps host memory holding a row-major array of `shape` and `dtype`
/// without copying. The caller keeps the memory alive (and unchanged unless
/// intended) for as long as any tensor or view made from it exists; Kiln
/// never frees it. Writes through `data<T>()` are visible to the host.
Tensor from_blob(void *data, const Shape &shape, DType dtype);

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

/// Prints `kiln.Tensor(<value>, shape=(...), dtype=<name>)`, the value as
/// numpy prints arrays (on one line): `kiln.Tensor(5, shape=(), dtype=int32)`,
/// `kiln.Tensor([[1. 2.] [3. 4.]], shape=(2, 2), dtype=float32)`. Arrays of
/// more than 1000 elements are summarized with `...` (3 edge items per
/// axis).
std::ostream &operator<<(std::ostream &os, const Tensor &t);

/// The printed form as a string.
std::string toString(const Tensor &t);
/// Just the value part, numpy style: "5", "[1. 2.]".
std::string formatValues(const Tensor &t);
/// A shape as a Python tuple: "()", "(3,)", "(2, 2)".
std::string formatShapeTuple(const Shape &shape);

} // namespace kiln

#endif // KILN_RUNTIME_TENSOR_H
