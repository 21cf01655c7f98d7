//===- Shape.cpp - Kiln shape rules ---------------------------------------===//

#include "kiln/Runtime/Shape.h"

#include <algorithm>
#include <sstream>

namespace kiln {

namespace {
std::string formatDim(int64_t dim) {
  return isDynamic(dim) ? std::string("?") : std::to_string(dim);
}

/// Two dimensions that must be equal: equal, or one of them dynamic.
bool dimsCompatible(int64_t a, int64_t b) {
  return a == b || isDynamic(a) || isDynamic(b);
}

/// The more precise of two compatible dimensions.
int64_t mergeDims(int64_t a, int64_t b) { return isDynamic(a) ? b : a; }

/// The product of the non-negative entries of `dims` (-1 and dynamic entries
/// are skipped); false if it does not fit in int64.
bool knownProduct(const std::vector<int64_t> &dims, int64_t &product) {
  product = 1;
  if (std::find(dims.begin(), dims.end(), 0) != dims.end()) {
    product = 0;
    return true;
  }
  for (int64_t d : dims)
    if (d >= 0 && __builtin_mul_overflow(product, d, &product))
      return false;
  return true;
}
} // namespace

bool hasDynamicDims(const Shape &shape) {
  return std::any_of(shape.begin(), shape.end(), isDynamic);
}

int64_t numElements(const Shape &shape) {
  if (hasDynamicDims(shape))
    return -1;
  if (std::find(shape.begin(), shape.end(), 0) != shape.end())
    return 0;
  int64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      return std::numeric_limits<int64_t>::max();
  return n;
}

std::string formatShape(const Shape &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += formatDim(shape[i]);
  }
  return s + ")";
}

std::string formatList(const std::vector<int64_t> &values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(values[i]);
  }
  return s + "]";
}

//===----------------------------------------------------------------------===//
// Axes
//===----------------------------------------------------------------------===//

RuleResult<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    if (rank == 0)
      return RuleResult<int64_t>::failure("axis " + std::to_string(axis) +
                                          " is out of range for a scalar");
    return RuleResult<int64_t>::failure(
        "axis " + std::to_string(axis) + " is out of range for rank " +
        std::to_string(rank) + " (expected -" + std::to_string(rank) +
        " <= axis < " + std::to_string(rank) + ")");
  }
  return axis < 0 ? axis + rank : axis;
}

AxesResult normalizeAxes(const std::vector<int64_t> &axes, int64_t rank) {
  std::vector<int64_t> out;
  for (int64_t axis : axes) {
    auto a = normalizeAxis(axis, rank);
    if (!a)
      return AxesResult::failure(a.error());
    if (std::find(out.begin(), out.end(), *a) != out.end())
      return AxesResult::failure("axis " + std::to_string(axis) +
                                 " is repeated in " + formatList(axes));
    out.push_back(*a);
  }
  std::sort(out.begin(), out.end());
  return out;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

ShapeResult broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right; missing leading dims act as 1.
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1)
      out[i] = db;
    else if (db == 1)
      out[i] = da;
    else if (dimsCompatible(da, db))
      out[i] = mergeDims(da, db);
    else
      return ShapeResult::failure("shapes " + formatShape(a) + " and " +
                                  formatShape(b) + " are not broadcastable");
  }
  return out;
}

ShapeResult broadcastShapes(const std::vector<Shape> &shapes) {
  Shape out;
  for (const Shape &s : shapes) {
    auto r = broadcastShapes(out, s);
    if (!r) {
      std::string all;
      for (size_t i = 0; i < shapes.size(); ++i)
        all += (i ? (i + 1 == shapes.size() ? " and " : ", ") : "") +
               formatShape(shapes[i]);
      return ShapeResult::failure("shapes " + all + " are not broadcastable");
    }
    out = *r;
  }
  return out;
}

ShapeResult broadcastToShape(const Shape &from, const Shape &to) {
  auto fail = [&] {
    return ShapeResult::failure("shape " + formatShape(from) +
                                " cannot be broadcast to " + formatShape(to));
  };
  if (from.size() > to.size())
    return fail();
  size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[i], t = to[lead + i];
    if (f != 1 && !dimsCompatible(f, t))
      return fail();
  }
  return to;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

ShapeResult reduceShape(const Shape &input, const std::vector<int64_t> &axes,
                        bool keepdims) {
  int64_t rank = input.size();
  auto norm = normalizeAxes(axes, rank);
  if (!norm)
    return ShapeResult::failure(norm.error());
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : *norm)
    reduced[a] = true;
  Shape out;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      out.push_back(input[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

ShapeResult argReduceShape(const Shape &input, int64_t axis, bool keepdims) {
  int64_t rank = input.size();
  auto a = normalizeAxis(axis, rank);
  if (!a)
    return ShapeResult::failure(a.error());
  if (input[*a] == 0)
    return ShapeResult::failure("cannot reduce the empty axis " +
                                std::to_string(axis) + " of shape " +
                                formatShape(input));
  return reduceShape(input, {*a}, keepdims);
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

ShapeResult reshapeShape(const Shape &input,
                         const std::vector<int64_t> &target) {
  int64_t inferredAt = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (inferredAt >= 0)
        return ShapeResult::failure("target shape " + formatList(target) +
                                    " has more than one -1");
      inferredAt = i;
    } else if (target[i] < 0 && !isDynamic(target[i])) {
      return ShapeResult::failure("target shape " + formatList(target) +
                                  " has a negative dimension");
    }
  }
  if (!knownProduct(target, known))
    return ShapeResult::failure("target shape " + formatList(target) +
                                " has more elements than fit in int64");
  Shape out(target.begin(), target.end());
  int64_t n = -1;
  if (!hasDynamicDims(input) && !knownProduct(input, n))
    return ShapeResult::failure("shape " + formatShape(input) +
                                " has more elements than fit in int64");
  bool targetDynamic = hasDynamicDims(target);
  if (inferredAt >= 0) {
    if (n < 0 || targetDynamic) {
      out[inferredAt] = kDynamic;
    } else if (known == 0 || n % known != 0) {
      return ShapeResult::failure("cannot reshape " + formatShape(input) +
                                  " (" + std::to_string(n) + " elements) to " +
                                  formatList(target));
    } else {
      out[inferredAt] = n / known;
    }
    return out;
  }
  if (n >= 0 && !targetDynamic && n != known)
    return ShapeResult::failure("cannot reshape " + formatShape(input) + " (" +
                                std::to_string(n) + " elements) to " +
                                formatShape(out) + " (" +
                                std::to_string(known) + " elements)");
  return out;
}

ShapeResult transposeShape(const Shape &input,
                           const std::vector<int64_t> &perm) {
  int64_t rank = input.size();
  auto fail = [&] {
    return ShapeResult::failure(
        "permutation " + formatList(perm) + " is not a permutation of the " +
        std::to_string(rank) + " dims of shape " + formatShape(input));
  };
  if ((int64_t)perm.size() != rank)
    return fail();
  std::vector<bool> seen(rank, false);
  Shape out(rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t p = perm[i];
    if (p < 0 || p >= rank || seen[p])
      return fail();
    seen[p] = true;
    out[i] = input[p];
  }
  return out;
}

ShapeResult expandDimsShape(const Shape &input, int64_t axis) {
  auto a = normalizeAxis(axis, input.size() + 1);
  if (!a)
    return ShapeResult::failure(a.error());
  Shape out = input;
  out.insert(out.begin() + *a, 1);
  return out;
}

ShapeResult squeezeShape(const Shape &input, const std::vector<int64_t> &axes) {
  int64_t rank = input.size();
  auto norm = normalizeAxes(axes, rank);
  if (!norm)
    return ShapeResult::failure(norm.error());
  std::vector<bool> drop(rank, false);
  if (axes.empty()) {
    // Which dims have size 1, and so the result's rank, is unknown.
    if (hasDynamicDims(input))
      return ShapeResult::failure(
          "cannot squeeze every size-1 dimension of shape " +
          formatShape(input) + " with dynamic dimensions; list the axes");
    for (int64_t i = 0; i < rank; ++i)
      drop[i] = input[i] == 1;
  }
  for (int64_t a : *norm) {
    if (input[a] != 1 && !isDynamic(input[a]))
      return ShapeResult::failure("cannot squeeze axis " + std::to_string(a) +
                                  " of size " + std::to_string(input[a]) +
                                  " in shape " + formatShape(input));
    drop[a] = true;
  }
  Shape out;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i])
      out.push_back(input[i]);
  return out;
}

ShapeResult concatShape(const std::vector<Shape> &inputs, int64_t axis) {
  if (inputs.empty())
    return ShapeResult::failure("needs at least one input");
  int64_t rank = inputs[0].size();
  auto a = normalizeAxis(axis, rank);
  if (!a)
    return ShapeResult::failure(a.error());
  Shape out = inputs[0];
  for (size_t k = 1; k < inputs.size(); ++k) {
    const Shape &s = inputs[k];
    bool ok = (int64_t)s.size() == rank;
    for (int64_t i = 0; ok && i < rank; ++i) {
      if (i == *a)
        continue;
      ok = dimsCompatible(out[i], s[i]);
      out[i] = mergeDims(out[i], s[i]);
    }
    if (!ok)
      return ShapeResult::failure(
          "shapes " + formatShape(inputs[0]) + " and " + formatShape(s) +
          " differ outside the concatenation axis " + std::to_string(axis));
    if (isDynamic(out[*a]) || isDynamic(s[*a]))
      out[*a] = kDynamic;
    else if (__builtin_add_overflow(out[*a], s[*a], &out[*a]))
      return ShapeResult::failure(
          "the concatenation of shapes " + formatShape(inputs[0]) + " and " +
          formatShape(s) + " along axis " + std::to_string(axis) +
          " has a dimension too large for int64");
  }
  return out;
}

ShapeResult sliceShape(const Shape &input, const std::vector<int64_t> &start,
                       const std::vector<int64_t> &limit,
                       const std::vector<int64_t> &stride) {
  size_t rank = input.size();
  if (start.size() != rank || limit.size() != rank || stride.size() != rank)
    return ShapeResult::failure(
        "start " + formatList(start) + ", limit " + formatList(limit) +
        " and stride " + formatList(stride) + " must each have " +
        std::to_string(rank) + " values for shape " + formatShape(input));
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t dim = input[i];
    if (stride[i] < 1 || start[i] < 0 || start[i] > limit[i] ||
        (!isDynamic(dim) && limit[i] > dim))
      return ShapeResult::failure(
          "slice [" + std::to_string(start[i]) + ":" +
          std::to_string(limit[i]) + ":" + std::to_string(stride[i]) +
          "] is invalid for dim " + std::to_string(i) + " of shape " +
          formatShape(input) +
          " (expected 0 <= start <= limit <= size and stride >= 1)");
    // ceil((limit - start) / stride), without overflow for huge strides.
    out[i] =
        limit[i] == start[i] ? 0 : (limit[i] - start[i] - 1) / stride[i] + 1;
  }
  return out;
}

ShapeResult padShape(const Shape &input, const std::vector<int64_t> &low,
                     const std::vector<int64_t> &high) {
  size_t rank = input.size();
  if (low.size() != rank || high.size() != rank)
    return ShapeResult::failure("padding low " + formatList(low) +
                                " and high " + formatList(high) +
                                " must each have " + std::to_string(rank) +
                                " values for shape " + formatShape(input));
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    if (low[i] < 0 || high[i] < 0)
      return ShapeResult::failure("padding low " + formatList(low) +
                                  " and high " + formatList(high) +
                                  " must be non-negative");
    if (isDynamic(input[i])) {
      out[i] = kDynamic;
    } else if (__builtin_add_overflow(input[i], low[i], &out[i]) ||
               __builtin_add_overflow(out[i], high[i], &out[i])) {
      return ShapeResult::failure("padding low " + formatList(low) +
                                  " and high " + formatList(high) +
                                  " overflow dim " + std::to_string(i) +
                                  " of shape " + formatShape(input));
    }
  }
  return out;
}

ShapeResult gatherShape(const Shape &input, const Shape &indices,
                        int64_t axis) {
  auto a = normalizeAxis(axis, input.size());
  if (!a)
    return ShapeResult::failure(a.error());
  Shape out(input.begin(), input.begin() + *a);
  out.insert(out.end(), indices.begin(), indices.end());
  out.insert(out.end(), input.begin() + *a + 1, input.end());
  return out;
}

ShapeResult scatterShape(const Shape &input, const Shape &indices,
                         const Shape &updates) {
  if (indices.empty())
    return ShapeResult::failure(
        "indices must have rank >= 1 (index vectors along the last "
        "dimension), got shape " +
        formatShape(indices));
  int64_t k = indices.back();
  if (isDynamic(k))
    return ShapeResult::failure("the length of the index vectors (the last "
                                "dimension of indices) must be static");
  if (k > static_cast<int64_t>(input.size()))
    return ShapeResult::failure("index vectors of length " + std::to_string(k) +
                                " (indices shape " + formatShape(indices) +
                                ") address more dimensions than the input " +
                                formatShape(input) + " has");
  Shape expected(indices.begin(), indices.end() - 1);
  expected.insert(expected.end(), input.begin() + k, input.end());
  bool ok = expected.size() == updates.size();
  for (size_t d = 0; ok && d < updates.size(); ++d)
    ok = dimsCompatible(expected[d], updates[d]);
  if (!ok)
    return ShapeResult::failure(
        "updates of shape " + formatShape(updates) + " do not match indices " +
        formatShape(indices) + " into input " + formatShape(input) +
        ": expected " + formatShape(expected));
  return input;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

ShapeResult matmulShape(const Shape &a, const Shape &b) {
  if (a.empty() || b.empty())
    return ShapeResult::failure("operands must have rank >= 1, got shapes " +
                                formatShape(a) + " and " + formatShape(b));
  Shape ma = a, mb = b;
  if (ma.size() == 1)
    ma.insert(ma.begin(), 1);
  if (mb.size() == 1)
    mb.push_back(1);
  int64_t k1 = ma.back(), k2 = mb[mb.size() - 2];
  if (!dimsCompatible(k1, k2))
    return ShapeResult::failure(
        "contraction dimensions differ: shapes " + formatShape(a) + " and " +
        formatShape(b) + " (" + formatDim(k1) + " vs " + formatDim(k2) + ")");
  Shape batchA(ma.begin(), ma.end() - 2), batchB(mb.begin(), mb.end() - 2);
  auto batch = broadcastShapes(batchA, batchB);
  if (!batch)
    return ShapeResult::failure("batch dimensions of shapes " + formatShape(a) +
                                " and " + formatShape(b) +
                                " are not broadcastable");
  Shape out = *batch;
  if (a.size() > 1)
    out.push_back(ma[ma.size() - 2]);
  if (b.size() > 1)
    out.push_back(mb.back());
  return out;
}

ShapeResult convShape(const Shape &input, const Shape &weight,
                      const std::optional<Shape> &bias,
                      const std::vector<int64_t> &strides,
                      const std::vector<int64_t> &padsBegin,
                      const std::vector<int64_t> &padsEnd,
                      const std::vector<int64_t> &dilations, int64_t groups) {
  size_t rank = input.size();
  if (rank < 3 || weight.size() != rank)
    return ShapeResult::failure(
        "expects an N x C x D1 x ... x Dk input and a weight of the same "
        "rank, got shapes " +
        formatShape(input) + " and " + formatShape(weight));
  for (int64_t d : input)
    if (isDynamic(d))
      return ShapeResult::failure("dynamic dimensions are not supported, got "
                                  "the input shape " +
                                  formatShape(input));
  for (int64_t d : weight)
    if (isDynamic(d))
      return ShapeResult::failure("dynamic dimensions are not supported, got "
                                  "the weight shape " +
                                  formatShape(weight));
  size_t k = rank - 2;
  int64_t c = input[1], m = weight[0];
  if (groups <= 0 || c % groups != 0 || m % groups != 0 ||
      weight[1] != c / groups)
    return ShapeResult::failure(
        "the weight must be M x C/groups x K..., with C and M multiples of "
        "groups (" +
        std::to_string(groups) + "), got shapes " + formatShape(input) +
        " and " + formatShape(weight));
  if (bias && (bias->size() != 1 || (*bias)[0] != m))
    return ShapeResult::failure("the bias must have shape (" +
                                std::to_string(m) + "), got " +
                                formatShape(*bias));
  auto check = [&](const char *name, const std::vector<int64_t> &values,
                   int64_t least) -> std::optional<std::string> {
    if (values.size() != k)
      return std::string(name) + " has " + std::to_string(values.size()) +
             " values for " + std::to_string(k) + " spatial dimensions";
    for (int64_t v : values)
      if (v < least)
        return std::string(name) + " must be at least " +
               std::to_string(least) + ", got " + std::to_string(v);
    return std::nullopt;
  };
  struct Param {
    const char *name;
    const std::vector<int64_t> *values;
    int64_t least;
  };
  for (const Param &p :
       {Param{"strides", &strides, 1}, Param{"pads_begin", &padsBegin, 0},
        Param{"pads_end", &padsEnd, 0}, Param{"dilations", &dilations, 1}})
    if (auto error = check(p.name, *p.values, p.least))
      return ShapeResult::failure(*error);
  Shape out = {input[0], m};
  for (size_t i = 0; i < k; ++i) {
    int64_t extent = (weight[i + 2] - 1) * dilations[i] + 1;
    int64_t padded = input[i + 2] + padsBegin[i] + padsEnd[i];
    if (padded < extent)
      return ShapeResult::failure(
          "the kernel (extent " + std::to_string(extent) +
          ") is larger than spatial dimension " + std::to_string(i) +
          " with its padding (" + std::to_string(padded) + ")");
    out.push_back((padded - extent) / strides[i] + 1);
  }
  return out;
}

} // namespace kiln
