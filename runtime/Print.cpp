//===- Print.cpp - numpy-style printing of tensors ------------------------===//
//
// Follows numpy's array2string with its defaults (precision=8,
// floatmode='maxprec', threshold=1000, edgeitems=3), printed on one line:
// where numpy starts a new row, Kiln prints one space. Elements are padded
// to a common width as numpy does (`[1.  2.5]`, `[ 1 10]`, `[ True False]`).
// Floats print the shortest digits that round-trip in their own dtype;
// positional unless the finite magnitudes reach 1e8, fall below 1e-4 or span
// more than a factor of 1000, then scientific with a shared mantissa length.
// A rank-0 tensor prints as numpy prints a scalar (`2.0`, `1e+20`, `5`).
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <sstream>

namespace kiln {

using namespace detail;

namespace {

/// The shortest decimal that reads back as the same value of `dtype`, in
/// scientific form "d.ddde+XX" (to_chars for float and double; a search over
/// precisions for the 16-bit types).
std::string shortestScientific(double v, DType dtype) {
  char buf[64];
  if (dtype == DType::F64) {
    auto r =
        std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
    return std::string(buf, r.ptr);
  }
  if (dtype == DType::F32) {
    auto r = std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v),
                           std::chars_format::scientific);
    return std::string(buf, r.ptr);
  }
  for (int p = 0; p < 17; ++p) {
    auto r = std::to_chars(buf, buf + sizeof(buf), v,
                           std::chars_format::scientific, p);
    std::string s(buf, r.ptr);
    float back = static_cast<float>(std::strtod(s.c_str(), nullptr));
    bool same =
        dtype == DType::F16
            ? float16(back).bits == float16(static_cast<float>(v)).bits
            : bfloat16(back).bits == bfloat16(static_cast<float>(v)).bits;
    if (same)
      return s;
  }
  auto r = std::to_chars(buf, buf + sizeof(buf), v,
                         std::chars_format::scientific, 17);
  return std::string(buf, r.ptr);
}

/// Splits "-d.ddde+XX" into sign, digits ("dddd") and exponent.
void parseScientific(const std::string &s, bool &neg, std::string &digits,
                     int &exp10) {
  size_t i = 0;
  neg = s[0] == '-';
  if (neg)
    i = 1;
  size_t e = s.find('e');
  digits.clear();
  for (size_t k = i; k < e; ++k)
    if (s[k] != '.')
      digits += s[k];
  exp10 = std::atoi(s.c_str() + e + 1);
}

/// Shortest positional form with at most `maxFrac` fractional digits and at
/// least one ("1." for `trimZero` false, numpy's trim='.'; "1.0" for true).
std::string positional(double v, DType dtype, int maxFrac, bool keepZero) {
  bool neg;
  std::string digits;
  int exp10;
  parseScientific(shortestScientific(v, dtype), neg, digits, exp10);
  std::string intPart, frac;
  if (exp10 >= 0) {
    for (int k = 0; k <= exp10; ++k)
      intPart += k < (int)digits.size() ? digits[k] : '0';
    if ((int)digits.size() > exp10 + 1)
      frac = digits.substr(exp10 + 1);
  } else {
    intPart = "0";
    frac = std::string(-exp10 - 1, '0') + digits;
  }
  while (!frac.empty() && frac.back() == '0')
    frac.pop_back();
  if ((int)frac.size() > maxFrac) {
    // Too many digits: round the exact value to maxFrac digits instead.
    char buf[400];
    auto r = std::to_chars(buf, buf + sizeof(buf), std::fabs(v),
                           std::chars_format::fixed, maxFrac);
    std::string s(buf, r.ptr);
    size_t dot = s.find('.');
    intPart = s.substr(0, dot);
    frac = s.substr(dot + 1);
    while (!frac.empty() && frac.back() == '0')
      frac.pop_back();
  }
  if (frac.empty() && keepZero)
    frac = "0";
  return (neg ? "-" : "") + intPart + "." + frac;
}

/// Scientific form with exactly `precision` mantissa digits (or the shortest
/// when precision < 0, dropping a bare trailing '.') and an exponent of at
/// least `expDigits` digits.
std::string scientific(double v, DType dtype, int precision, int expDigits) {
  bool neg;
  std::string digits;
  int exp10;
  if (precision < 0) {
    parseScientific(shortestScientific(v, dtype), neg, digits, exp10);
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v,
                           std::chars_format::scientific, precision);
    parseScientific(std::string(buf, r.ptr), neg, digits, exp10);
  }
  std::string s = neg ? "-" : "";
  s += digits[0];
  if (precision >= 0 || digits.size() > 1)
    s += ".";
  s += digits.substr(1);
  std::string e = std::to_string(std::abs(exp10));
  while ((int)e.size() < expDigits)
    e = "0" + e;
  return s + "e" + (exp10 < 0 ? "-" : "+") + e;
}

std::string nonFinite(double v) {
  return std::isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
}

/// How the elements of one array are formatted (numpy's FloatingFormat,
/// IntegerFormat and BoolFormat).
struct Formatter {
  DType dtype;
  bool expMode = false;
  int padLeft = 0, padRight = 0, precision = 0, expSize = 2;
  size_t intWidth = 0;

  Formatter(DType dtype, const std::vector<double> &values) : dtype(dtype) {
    if (isBool(dtype))
      return;
    if (!isFloating(dtype)) {
      for (double v : values)
        intWidth =
            std::max(intWidth, std::to_string(static_cast<int64_t>(v)).size());
      return;
    }
    std::vector<double> finite;
    bool hasNonFinite = false, negInf = false;
    for (double v : values) {
      if (std::isfinite(v))
        finite.push_back(v);
      else {
        hasNonFinite = true;
        negInf |= std::isinf(v) && v < 0;
      }
    }
    double maxAbs = 0, minAbs = INFINITY;
    for (double v : finite)
      if (v != 0) {
        maxAbs = std::max(maxAbs, std::fabs(v));
        minAbs = std::min(minAbs, std::fabs(v));
      }
    if (maxAbs > 0)
      expMode = maxAbs >= 1e8 || minAbs < 1e-4 || maxAbs / minAbs > 1e3;
    if (finite.empty()) {
      padLeft = padRight = 0;
    } else if (expMode) {
      precision = 0;
      int maxExp = 0;
      for (double v : finite) {
        bool neg;
        std::string digits;
        int e;
        parseScientific(shortestScientific(v, dtype), neg, digits, e);
        precision = std::max(precision, std::min<int>(8, digits.size() - 1));
        maxExp = std::max<int>(maxExp, std::to_string(std::abs(e)).size());
      }
      expSize = std::max(2, maxExp);
      for (double v : finite)
        padLeft = std::max<int>(padLeft, std::signbit(v) ? 2 : 1);
      padRight = expSize + 2 + precision;
    } else {
      for (double v : finite) {
        std::string s = positional(v, dtype, 8, false);
        size_t dot = s.find('.');
        padLeft = std::max<int>(padLeft, dot);
        padRight = std::max<int>(padRight, s.size() - dot - 1);
      }
    }
    if (hasNonFinite)
      padLeft = std::max(
          {padLeft, 3 - (padRight + 1), 3 + (negInf ? 1 : 0) - (padRight + 1)});
  }

  std::string format(double v) const {
    if (isBool(dtype))
      return v != 0 ? " True" : "False";
    if (!isFloating(dtype)) {
      std::string s = std::to_string(static_cast<int64_t>(v));
      return std::string(intWidth - s.size(), ' ') + s;
    }
    if (!std::isfinite(v)) {
      std::string s = nonFinite(v);
      int width = padLeft + padRight + 1;
      return std::string(std::max<int>(0, width - s.size()), ' ') + s;
    }
    if (expMode) {
      std::string s = scientific(v, dtype, precision, expSize);
      size_t dot = s.find('.');
      return std::string(std::max<int>(0, padLeft - (int)dot), ' ') + s;
    }
    std::string s = positional(v, dtype, 8, false);
    size_t dot = s.find('.');
    int frac = s.size() - dot - 1;
    return std::string(std::max<int>(0, padLeft - (int)dot), ' ') + s +
           std::string(std::max(0, padRight - frac), ' ');
  }
};

constexpr int64_t kThreshold = 1000, kEdgeItems = 3;

/// Reads elements of a tensor of any layout as doubles (int64 values above
/// 2^53 print rounded; acceptable for display).
struct ElementReader {
  const Tensor &t;
  double at(const std::vector<int64_t> &idx) const {
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      off += idx[d] * t.strides()[d];
    return visitDType(t.dtype(), [&](auto tag) -> double {
      using T = typename decltype(tag)::type;
      T v = static_cast<const T *>(t.rawData())[off];
      if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
        return static_cast<float>(v);
      else
        return static_cast<double>(v);
    });
  }
};

/// The displayed indices along a dimension of `size` (-1 marks "...").
std::vector<int64_t> shownIndices(int64_t size, bool summarize) {
  std::vector<int64_t> out;
  if (summarize && size > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i)
      out.push_back(i);
    out.push_back(-1);
    for (int64_t i = size - kEdgeItems; i < size; ++i)
      out.push_back(i);
  } else {
    for (int64_t i = 0; i < size; ++i)
      out.push_back(i);
  }
  return out;
}

void collect(const ElementReader &r, std::vector<int64_t> &idx, size_t dim,
             bool summarize, std::vector<double> &out) {
  if (dim == idx.size()) {
    out.push_back(r.at(idx));
    return;
  }
  for (int64_t i : shownIndices(r.t.shape()[dim], summarize)) {
    if (i < 0)
      continue;
    idx[dim] = i;
    collect(r, idx, dim + 1, summarize, out);
  }
}

void render(const ElementReader &r, const Formatter &f,
            std::vector<int64_t> &idx, size_t dim, bool summarize,
            std::string &out) {
  if (dim == idx.size()) {
    out += f.format(r.at(idx));
    return;
  }
  out += "[";
  bool first = true;
  for (int64_t i : shownIndices(r.t.shape()[dim], summarize)) {
    if (!first)
      out += " ";
    first = false;
    if (i < 0) {
      out += "...";
      continue;
    }
    idx[dim] = i;
    render(r, f, idx, dim + 1, summarize, out);
  }
  out += "]";
}

std::string formatScalar(double v, DType dtype) {
  if (isBool(dtype))
    return v != 0 ? "True" : "False";
  if (!isFloating(dtype))
    return std::to_string(static_cast<int64_t>(v));
  if (!std::isfinite(v))
    return nonFinite(v);
  double a = std::fabs(v);
  if (a != 0 && (a < 1e-4 || a >= 1e16))
    return scientific(v, dtype, -1, 2);
  return positional(v, dtype, 1000, true);
}

} // namespace

std::string formatShapeTuple(const Shape &shape) {
  if (shape.size() == 1)
    return "(" + std::to_string(shape[0]) + ",)";
  return formatShape(shape);
}

std::string formatValues(const Tensor &t) {
  if (!t.defined())
    return "<undefined>";
  if (t.is_traced())
    return "<traced>";
  ElementReader reader{t};
  std::vector<int64_t> idx(t.rank());
  if (t.rank() == 0) {
    if (isInteger(t.dtype())) // exact for all int64 values
      return std::to_string(t.item<int64_t>());
    return formatScalar(reader.at(idx), t.dtype());
  }
  if (t.size() == 0)
    return "[]"; // numpy prints every empty array so
  bool summarize = t.size() > kThreshold;
  std::vector<double> shown;
  collect(reader, idx, 0, summarize, shown);
  Formatter f(t.dtype(), shown);
  std::string out;
  render(reader, f, idx, 0, summarize, out);
  return out;
}

std::string toString(const Tensor &t) {
  if (!t.defined())
    return "kiln.Tensor(<undefined>)";
  return "kiln.Tensor(" + formatValues(t) +
         ", shape=" + formatShapeTuple(t.shape()) +
         ", dtype=" + std::string(dtypeName(t.dtype())) + ")";
}

std::ostream &operator<<(std::ostream &os, const Tensor &t) {
  return os << toString(t);
}

} // namespace kiln
