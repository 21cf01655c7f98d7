//===- DebugChecks.cpp - Shadow checking and numerics checks of calls -----===//
//
// After a compiled call, on request (kiln/Function.h, kiln/Runtime/Debug.h):
//
//  * Shadow checking runs the graph on the interpreter too and compares the
//    results. On a divergence it bisects over the graph's top-level ops:
//    the graph cut after op k, returning every value of ops 0..k that is
//    still needed after it (and op k's own results), is compiled and
//    interpreted, and the first k whose values differ names the op. Each
//    cut compiles as the whole graph does, fusing its ops, so a kernel that
//    is wrong only when fused is found at the op that completes it.
//  * The numerics check reads the results. If one holds a NaN or an Inf,
//    the call runs again op by op on the interpreter, which checks each
//    op's results and names the first op that produced one. Checking the
//    results alone keeps the compiled code as it is (no check inside fused
//    kernels, no value kept in memory for it), at the cost of missing a NaN
//    that no result depends on (docs/debugging.md).
//
//===----------------------------------------------------------------------===//

#include "CompiledGraph.h"

#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Interpreter/Interpreter.h"
#include "kiln/Runtime/Debug.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>

using namespace kiln;

namespace {

std::atomic<bool> shadowEnabled{false};
std::atomic<double> shadowRtol{1e-4};
std::atomic<double> shadowAtol{1e-5};
thread_local std::string lastSummary;

/// How a compiled tensor differs from the interpreted one.
struct Difference {
  /// Elements beyond the tolerance.
  int64_t count = 0;
  int64_t elements = 0;
  double maxAbs = 0;
  double maxRel = 0;
  /// Set when the shapes or dtypes differ.
  std::string mismatch;
  bool differs() const { return count || !mismatch.empty(); }
};

std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3g", value);
  return text;
}

/// Adds the element pair (a, b) to `d`: integers must be equal, floats
/// within atol + rtol * |b| (NaN meets NaN, an infinity the same infinity).
template <typename T>
void compareElement(T a, T b, double rtol, double atol, Difference &d) {
  if constexpr (std::is_floating_point_v<T>) {
    if (a == b || (a != a && b != b))
      return;
    double abs = std::fabs(double(a) - double(b));
    if (std::isnan(abs))
      abs = INFINITY; // a NaN on one side only
    double rel = b != 0 ? abs / std::fabs(double(b)) : 0; // abs covers 0
    d.maxAbs = std::max(d.maxAbs, abs);
    d.maxRel = std::max(d.maxRel, rel);
    d.count += !(abs <= atol + rtol * std::fabs(double(b)));
  } else {
    if (a == b)
      return;
    double abs = std::fabs(double(a) - double(b));
    d.maxAbs = std::max(d.maxAbs, abs);
    if (b)
      d.maxRel = std::max(d.maxRel, abs / std::fabs(double(b)));
    ++d.count;
  }
}

template <typename T>
void compareElements(const Tensor &compiled, const Tensor &reference,
                     double rtol, double atol, Difference &d) {
  const T *a = compiled.data<T>(), *b = reference.data<T>();
  for (int64_t i = 0, n = reference.size(); i < n; ++i)
    compareElement(a[i], b[i], rtol, atol, d);
}

Difference compare(const Tensor &compiled, const Tensor &reference, double rtol,
                   double atol) {
  Difference d;
  d.elements = reference.size();
  if (compiled.dtype() != reference.dtype() ||
      compiled.shape() != reference.shape()) {
    d.mismatch = "compiled " + formatShape(compiled.shape()) + " " +
                 std::string(dtypeName(compiled.dtype())) + ", interpreted " +
                 formatShape(reference.shape()) + " " +
                 std::string(dtypeName(reference.dtype()));
    return d;
  }
  Tensor a = compiled.contiguous(), b = reference.contiguous();
  switch (reference.dtype()) {
  case DType::F32:
    compareElements<float>(a, b, rtol, atol, d);
    break;
  case DType::F64:
    compareElements<double>(a, b, rtol, atol, d);
    break;
  case DType::I32:
    compareElements<int32_t>(a, b, rtol, atol, d);
    break;
  case DType::I64:
    compareElements<int64_t>(a, b, rtol, atol, d);
    break;
  case DType::Bool:
    compareElements<bool>(a, b, rtol, atol, d);
    break;
  default: { // the 16-bit floats, as doubles
    std::vector<double> x = a.toDoubleVector(), y = b.toDoubleVector();
    for (size_t i = 0; i < x.size(); ++i)
      compareElement(x[i], y[i], rtol, atol, d);
  }
  }
  return d;
}

std::string describeDifference(const Difference &d) {
  if (!d.mismatch.empty())
    return d.mismatch;
  return "max abs error " + formatNumber(d.maxAbs) + ", max rel error " +
         formatNumber(d.maxRel) + ", " + std::to_string(d.count) + " of " +
         std::to_string(d.elements) + " elements";
}

/// The op of `block` that holds `op` (itself, or an op whose regions do).
mlir::Operation *topLevelOp(mlir::Operation *op, mlir::Block &block) {
  while (op && op->getBlock() != &block)
    op = op->getParentOp();
  return op;
}

/// The graph `func` cut after its top-level op `cut`: it returns every value
/// of the ops up to `cut` that an op after it or the return uses, and the
/// results of `cut` itself (`cutResults` receives their positions).
void cutAfter(mlir::func::FuncOp func, size_t cut,
              std::vector<size_t> &cutResults) {
  mlir::Block &body = func.getBody().front();
  std::vector<mlir::Operation *> ops;
  for (mlir::Operation &op : body.without_terminator())
    ops.push_back(&op);
  mlir::Operation *last = ops[cut];
  llvm::SmallVector<mlir::Value> values;
  for (size_t i = 0; i <= cut; ++i)
    for (mlir::Value result : ops[i]->getResults()) {
      bool needed = ops[i] == last;
      for (mlir::OpOperand &use : result.getUses()) {
        mlir::Operation *user = topLevelOp(use.getOwner(), body);
        needed |= user && last->isBeforeInBlock(user);
      }
      if (!needed)
        continue;
      if (ops[i] == last)
        cutResults.push_back(values.size());
      values.push_back(result);
    }
  mlir::Operation *terminator = body.getTerminator();
  mlir::OpBuilder builder(terminator);
  mlir::func::ReturnOp::create(builder, terminator->getLoc(), values);
  terminator->erase();
  for (size_t i = ops.size(); i-- > cut + 1;)
    ops[i]->erase();
  func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                       mlir::ValueRange(values).getTypes()));
}

} // namespace

void kiln::set_shadow_check(bool enabled, double rtol, double atol) {
  shadowRtol = rtol;
  shadowAtol = atol;
  shadowEnabled = enabled;
}

bool kiln::shadow_checks() {
  return shadowEnabled.load(std::memory_order_relaxed);
}

std::string kiln::detail::lastShadowCheck() { return lastSummary; }

void CompiledGraph::shadowCheck(const std::vector<Tensor> &inputs,
                                const std::vector<Tensor> &results) const {
  double rtol = shadowRtol, atol = shadowAtol;
  std::lock_guard<std::mutex> lock(mlirMutex_);
  // The interpreter's prints would repeat the compiled code's; its own
  // numerics check stays on if it is.
  detail::MutePrints mute;
  detail::EagerNumericsChecksOff comparisonsAreNotOps;
  std::vector<Tensor> reference = interpret(graph(), inputs);
  Difference worst;
  size_t diverging = results.size();
  for (size_t i = 0; i < results.size(); ++i) {
    Difference d = compare(results[i], reference[i], rtol, atol);
    if (d.differs() && diverging == results.size()) {
      diverging = i;
      worst = d;
    }
    if (!d.differs()) {
      worst.maxAbs = std::max(worst.maxAbs, d.maxAbs);
      worst.maxRel = std::max(worst.maxRel, d.maxRel);
    }
  }
  if (diverging == results.size()) {
    lastSummary = std::to_string(results.size()) +
                  (results.size() == 1 ? " result agrees" : " results agree") +
                  " with the interpreter (max abs error " +
                  formatNumber(worst.maxAbs) + ", max rel error " +
                  formatNumber(worst.maxRel) + "; rtol " + formatNumber(rtol) +
                  ", atol " + formatNumber(atol) + ")";
    return;
  }
  std::string message =
      "shadow check: result " + std::to_string(diverging) + " of '" + name_ +
      "' differs from the interpreter's (" + describeDifference(worst) +
      "; rtol " + formatNumber(rtol) + ", atol " + formatNumber(atol) + ")";

  // Bisect: the smallest cut whose values differ.
  mlir::func::FuncOp func = graph();
  size_t count = 0;
  for (mlir::Operation &op : func.getBody().front().without_terminator()) {
    (void)op;
    ++count;
  }
  auto cutDiffers = [&](size_t cut, Difference &atCut) {
    mlir::OwningOpRef<mlir::ModuleOp> module(
        mlir::cast<mlir::ModuleOp>(module_.get()->clone()));
    mlir::func::FuncOp part = module->lookupSymbol<mlir::func::FuncOp>(name_);
    std::vector<size_t> cutResults;
    cutAfter(part, cut, cutResults);
    std::vector<Tensor> interpreted = interpret(part, inputs);
    std::shared_ptr<CompiledGraph> compiled =
        CompiledGraph::compile(std::move(module), name_);
    std::vector<Tensor> native = compiled->runNative(inputs, nullptr);
    bool differs = false;
    for (size_t i = 0; i < native.size(); ++i) {
      Difference d = compare(native[i], interpreted[i], rtol, atol);
      if (!d.differs())
        continue;
      if (!differs || llvm::is_contained(cutResults, i))
        atCut = d;
      differs = true;
    }
    return differs;
  };
  size_t lo = 0, hi = count ? count - 1 : 0;
  Difference found;
  bool located = false;
  try {
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      Difference d;
      if (cutDiffers(mid, d))
        hi = mid;
      else
        lo = mid + 1;
    }
    located = count && cutDiffers(lo, found);
  } catch (const Error &error) {
    throw Error(message + "; bisecting over its ops failed: " + error.what());
  }
  if (!located)
    throw Error(message + "; no op of the graph differs when the graph is "
                          "cut after it (the difference comes from how the "
                          "whole graph compiles)");
  mlir::Operation *op = nullptr;
  size_t index = 0;
  for (mlir::Operation &candidate : func.getBody().front().without_terminator())
    if (index++ == lo)
      op = &candidate;
  llvm::StringRef opName = op->getName().getStringRef();
  opName.consume_front("kiln.");
  throw Error(message + "; the first op whose compiled output differs is " +
              opName.str() + " at " + formatFileLine(op->getLoc()) + " (" +
              describeDifference(found) + ")");
}

void CompiledGraph::checkResultNumerics(
    const std::vector<Tensor> &inputs,
    const std::vector<Tensor> &results) const {
  size_t bad = results.size();
  detail::NonFinite counts;
  for (size_t i = 0; i < results.size() && bad == results.size(); ++i) {
    counts = detail::countNonFinite(results[i]);
    if (counts.any())
      bad = i;
  }
  if (bad == results.size())
    return;
  // Op by op, the interpreter names the first op that makes a NaN or Inf.
  {
    std::lock_guard<std::mutex> lock(mlirMutex_);
    detail::MutePrints mute;
    interpret(graph(), inputs);
  }
  std::string what = std::to_string(counts.nan) + " NaN and " +
                     std::to_string(counts.inf) + " Inf";
  for (size_t i = 0; i < inputs.size(); ++i)
    if (detail::countNonFinite(inputs[i]).any())
      throw Error("check_numerics: result " + std::to_string(bad) + " of '" +
                  name_ + "' holds " + what + "; argument " +
                  std::to_string(i) + " holds NaN or Inf already");
  throw Error("check_numerics: result " + std::to_string(bad) + " of '" +
              name_ + "' holds " + what +
              " in compiled code, but no op makes one when the graph runs op "
              "by op: compiled and eager results differ here "
              "(kiln::set_shadow_check finds the op)");
}
