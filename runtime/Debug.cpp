//===- Debug.cpp - Printing and checking values, in every mode ------------===//

#include "kiln/Runtime/Debug.h"

#include "Internal.h"
#include "kiln/Runtime/Error.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>

namespace kiln {

using namespace detail;

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

namespace {

std::mutex printMutex;
std::function<void(const std::string &)> printHandler;
thread_local bool printsMuted = false;

} // namespace

void set_print_handler(std::function<void(const std::string &)> handler) {
  std::lock_guard<std::mutex> lock(printMutex);
  printHandler = std::move(handler);
}

std::string detail::formatCallSite(const std::source_location &loc) {
  return std::string(loc.file_name()) + ":" + std::to_string(loc.line());
}

std::string detail::printPrefix(std::string_view label,
                                std::string_view where) {
  std::string prefix(label);
  prefix += label.empty() ? "(" : " (";
  return prefix + std::string(where) + ")";
}

std::string detail::printLine(const Tensor &x, std::string_view label,
                              std::string_view where) {
  return printPrefix(label, where) + ": " + toString(x);
}

void detail::emitPrint(const std::string &line) {
  if (printsMuted)
    return;
  std::lock_guard<std::mutex> lock(printMutex);
  if (!printHandler) {
    std::cout << line << std::endl;
    return;
  }
  try {
    printHandler(line);
  } catch (const std::exception &error) {
    throw Error(std::string("print: the print handler threw: ") + error.what());
  } catch (...) {
    throw Error("print: the print handler threw");
  }
}

detail::MutePrints::MutePrints() : saved_(printsMuted) { printsMuted = true; }
detail::MutePrints::~MutePrints() { printsMuted = saved_; }

void print(const Tensor &x, std::string_view label, std::source_location loc) {
  trace::CallSite site("print", loc);
  checkDefined("print", x);
  // Inside a trace, even a host tensor's print is an op of the graph: it
  // prints on every call.
  trace::Recorder *recorder = trace::recorderFor({&x});
  if (!recorder)
    recorder = trace::activeRecorder();
  if (recorder) {
    recorder->recordPrint(x, label);
    return;
  }
  emitPrint(printLine(x, label, formatCallSite(loc)));
}

//===----------------------------------------------------------------------===//
// Numerics checks
//===----------------------------------------------------------------------===//

namespace {

std::atomic<bool> &checkNumericsFlag() {
  static std::atomic<bool> flag = [] {
    const char *value = std::getenv("KILN_CHECK_NUMERICS");
    return value && *value && std::strcmp(value, "0") != 0;
  }();
  return flag;
}

thread_local bool eagerChecksOff = false;

/// Counts the elements whose exponent bits are all ones: NaN when the
/// mantissa is not zero, else infinite. Integer operations only, so the loop
/// vectorizes.
template <typename Bits>
NonFinite countByBits(const Bits *bits, int64_t n, Bits exponent,
                      Bits mantissa) {
  // Counters of the element width keep the loop in one vector type; a
  // block of 2^15 elements cannot overflow them for 16-bit elements.
  NonFinite counts;
  for (int64_t block = 0; block < n; block += 1 << 15) {
    Bits special = 0, nan = 0;
    for (int64_t i = block, end = std::min<int64_t>(n, block + (1 << 15));
         i < end; ++i) {
      Bits isSpecial = (bits[i] & exponent) == exponent;
      special += isSpecial;
      nan += isSpecial & Bits((bits[i] & mantissa) != 0);
    }
    counts.nan += nan;
    counts.inf += special - nan;
  }
  return counts;
}

} // namespace

void set_check_numerics(bool enabled) { checkNumericsFlag() = enabled; }
bool checks_numerics() {
  return checkNumericsFlag().load(std::memory_order_relaxed);
}

detail::EagerNumericsChecksOff::EagerNumericsChecksOff()
    : saved_(eagerChecksOff) {
  eagerChecksOff = true;
}
detail::EagerNumericsChecksOff::~EagerNumericsChecksOff() {
  eagerChecksOff = saved_;
}

bool detail::eagerNumericsChecksOn() {
  return checks_numerics() && !eagerChecksOff;
}

NonFinite detail::countNonFinite(const Tensor &t) {
  if (!t.defined() || t.is_traced() || !isFloating(t.dtype()))
    return {};
  Tensor c = t.contiguous();
  // In parallel chunks: a check reads every result once more.
  auto count = [&](auto exponent, auto mantissa) {
    using Bits = decltype(exponent);
    const auto *bits = static_cast<const Bits *>(c.rawData());
    std::mutex mutex;
    NonFinite total;
    parallel_for(0, c.size(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      NonFinite part = countByBits(bits + lo, hi - lo, exponent, mantissa);
      std::lock_guard<std::mutex> lock(mutex);
      total.nan += part.nan;
      total.inf += part.inf;
    });
    return total;
  };
  switch (c.dtype()) {
  case DType::F64:
    return count(uint64_t(0x7ff0000000000000), uint64_t(0xfffffffffffff));
  case DType::F32:
    return count(uint32_t(0x7f800000), uint32_t(0x7fffff));
  case DType::F16:
    return count(uint16_t(0x7c00), uint16_t(0x3ff));
  case DType::BF16:
    return count(uint16_t(0x7f80), uint16_t(0x7f));
  default:
    return {};
  }
}

void detail::checkNumerics(const Tensor &t, std::string_view op,
                           std::string_view where) {
  NonFinite bad = countNonFinite(t);
  if (!bad.any())
    return;
  std::string what;
  if (bad.nan)
    what = std::to_string(bad.nan) + " NaN";
  if (bad.inf)
    what += (what.empty() ? "" : " and ") + std::to_string(bad.inf) + " Inf";
  throw Error("check_numerics: " + std::string(op) + " produced " + what +
              " (of " + std::to_string(t.size()) + " elements, " + describe(t) +
              ") at " + std::string(where));
}

} // namespace kiln
