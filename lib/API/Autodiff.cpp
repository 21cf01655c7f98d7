//===- Autodiff.cpp - GradientTape: eager ops recorded into a kiln graph --===//
//
// An eager tape is a trace::Recorder installed as the thread's tape
// (trace::ScopedTape): an eager op whose operand is on the tape comes here
// instead of running. The tape records it into its own kiln graph through a
// GraphTracer (the watched tensors are the graph's arguments), runs the new
// ops at once on the eager kernels (kiln::evaluate, as the interpreter
// does) and returns the host result, which is then on the tape too. The
// gradient is built into the same graph by the rules of kiln::function's
// gradients (kiln/Trace/Gradients.h) and run the same way.
//
// Inside a trace the watched tensors are traced: the graph being traced
// already holds the ops, and `gradient` asks its recorder for the gradient.
//
//===----------------------------------------------------------------------===//

#include "kiln/Autodiff.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Interpreter/Interpreter.h"
#include "kiln/Runtime/Debug.h"
#include "kiln/Runtime/Trace.h"
#include "kiln/Trace/Gradients.h"
#include "kiln/Trace/GraphTracer.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <cstring>
#include <map>
#include <tuple>

using namespace kiln;

namespace {

/// What identifies a host tensor on the tape: its storage and its view.
using TensorKey = std::tuple<const void *, int64_t, DType, std::vector<int64_t>,
                             std::vector<int64_t>>;

TensorKey keyOf(const Tensor &t) {
  return {t.storage().get(), t.offset(), t.dtype(), t.shape(), t.strides()};
}

/// A copy of `t` in storage of its own.
Tensor copyOf(const Tensor &t) {
  Tensor source = t.contiguous();
  Tensor copy = Tensor::empty(source.shape(), source.dtype());
  std::memcpy(copy.rawData(), source.rawData(),
              static_cast<size_t>(source.size()) * dtypeSize(source.dtype()));
  return copy;
}

} // namespace

struct GradientTape::Impl final : trace::Recorder {
  explicit Impl(bool persistent) : persistent(persistent), scope(this) {}

  //===--- Recording --------------------------------------------------===//

  bool watches(const Tensor &t) const override {
    return recording && !t.is_traced() && t.defined() && onTape.count(keyOf(t));
  }

  void watch(const Tensor &x) {
    if (!x.defined())
      throw Error("GradientTape::watch: the tensor is undefined");
    if (x.is_traced()) {
      tracedSources.push_back(x);
      return;
    }
    if (!recording || onTape.count(keyOf(x)))
      return;
    GraphTracer &graph = tracer();
    Tensor argument = graph.addArgument({x.shape(), x.dtype()});
    onTape[keyOf(x)] = argument;
    values[graph.valueOf(argument)] = x;
  }

  Tensor record(const trace::OpCall &call) override {
    trace::OpCall traced = call;
    for (Tensor &operand : traced.operands)
      operand = tracedOperand(operand);
    Tensor result = tracer().record(traced);
    runNewOps();
    Tensor host = values.lookup(tracer().valueOf(result));
    // An op that returns its operand (stop_gradient) must not take over
    // that tensor's place on the tape.
    auto it = onTape.find(keyOf(host));
    if (it != onTape.end() &&
        tracer().valueOf(it->second) != tracer().valueOf(result)) {
      host = copyOf(host);
      values[tracer().valueOf(result)] = host;
    }
    onTape[keyOf(host)] = result;
    return host;
  }

  /// The traced tensor of host tensor `t`: its place on the tape, or else
  /// an argument of the graph of its own (a tensor no gradient flows to,
  /// which the graph reads without a copy, as a constant would need).
  Tensor tracedOperand(const Tensor &t) {
    if (t.is_traced())
      return t;
    if (auto it = onTape.find(keyOf(t)); it != onTape.end())
      return it->second;
    auto [it, added] = inputs.try_emplace(keyOf(t));
    if (added) {
      it->second = tracer().addArgument({t.shape(), t.dtype()});
      values[tracer().valueOf(it->second)] = t;
    }
    return it->second;
  }

  void recordPrint(const Tensor &x, std::string_view label) override {
    const std::source_location *site = trace::CallSite::current();
    detail::emitPrint(detail::printLine(
        x, label, site ? detail::formatCallSite(*site) : "unknown"));
  }

  // Eager control flow runs its branches and bodies op by op; it never
  // asks the tape to record a region.
  std::vector<Tensor> recordIf(const trace::ControlSite &, const Tensor &,
                               const trace::RegionBody &,
                               const trace::RegionBody &) override {
    throw Error("GradientTape: cannot record a kiln.if");
  }
  std::vector<Tensor> recordFor(const trace::ControlSite &, const Tensor &,
                                const Tensor &, const std::vector<Tensor> &,
                                const trace::RegionBody &) override {
    throw Error("GradientTape: cannot record a kiln.for");
  }
  std::vector<Tensor> recordWhile(const trace::ControlSite &,
                                  const std::vector<Tensor> &,
                                  const trace::RegionBody &,
                                  const trace::RegionBody &) override {
    throw Error("GradientTape: cannot record a kiln.while");
  }
  std::vector<Tensor> recordScan(const trace::ControlSite &,
                                 const std::vector<Tensor> &,
                                 const std::vector<Tensor> &,
                                 const trace::RegionBody &) override {
    throw Error("GradientTape: cannot record a kiln.scan");
  }

  /// Runs the ops recorded since the last call on the eager kernels (as
  /// the interpreter does). With `wanted`, only the ops those values depend
  /// on, and the others are erased: a gradient's rules build the cotangent
  /// of every operand, also of those no gradient flows to (the matmul with
  /// an unwatched operand's cotangent).
  void runNewOps(llvm::ArrayRef<mlir::Value> wanted = {}) {
    mlir::Block &body = tracer().func().getBody().front();
    mlir::Block::iterator begin =
        lastRun ? std::next(mlir::Block::iterator(lastRun)) : body.begin();
    llvm::SmallPtrSet<mlir::Operation *, 32> needed;
    llvm::SmallVector<mlir::Value> worklist(wanted.begin(), wanted.end());
    while (!worklist.empty()) {
      mlir::Operation *op = worklist.pop_back_val().getDefiningOp();
      if (op && !values.count(op->getResult(0)) && needed.insert(op).second)
        llvm::append_range(worklist, op->getOperands());
    }
    // The kernels see host tensors: nothing they do is recorded.
    trace::ScopedTape notRecording(nullptr);
    llvm::SmallVector<mlir::Operation *> unneeded;
    for (mlir::Operation &op : llvm::make_range(begin, body.end())) {
      if (!wanted.empty() && !needed.contains(&op)) {
        unneeded.push_back(&op);
        continue;
      }
      std::vector<Tensor> operands;
      for (mlir::Value operand : op.getOperands())
        operands.push_back(values.lookup(operand));
      std::vector<Tensor> results = interpretOp(&op, operands);
      for (auto [value, tensor] : llvm::zip(op.getResults(), results))
        values[value] = tensor;
    }
    for (mlir::Operation *op : llvm::reverse(unneeded))
      op->erase();
    lastRun = body.empty() ? nullptr : &body.back();
  }

  //===--- Gradients ---------------------------------------------------===//

  std::vector<Tensor> gradient(const Tensor &target,
                               const std::vector<Tensor> &sources) {
    if (used && !persistent)
      throw Error("GradientTape::gradient: a tape that is not persistent "
                  "computes one gradient; make it with "
                  "GradientTape(/*persistent=*/true) for more");
    used = true;
    if (!persistent)
      recording = false;
    if (!target.defined())
      throw Error("GradientTape::gradient: the target is undefined");
    if (target.is_traced())
      return tracedGradient(target, sources);

    std::vector<Tensor> tracedSourcesOnTape;
    for (size_t i = 0; i < sources.size(); ++i) {
      auto it =
          sources[i].defined() ? onTape.find(keyOf(sources[i])) : onTape.end();
      if (it == onTape.end())
        throw Error("GradientTape::gradient: source " + std::to_string(i) +
                    " is not on the tape; watch it before computing with "
                    "it");
      tracedSourcesOnTape.push_back(it->second);
    }
    auto targetIt = onTape.find(keyOf(target));
    if (targetIt == onTape.end()) {
      // The target does not depend on anything watched.
      std::vector<Tensor> zero;
      for (const Tensor &source : sources)
        zero.push_back(zeros(source.shape(), source.dtype()));
      return zero;
    }
    std::vector<Tensor> traced;
    {
      trace::ScopedRecorder building(&tracer());
      traced = buildGradients(tracer(), targetIt->second, tracedSourcesOnTape);
    }
    llvm::SmallVector<mlir::Value> wanted;
    for (const Tensor &gradient : traced)
      wanted.push_back(tracer().valueOf(gradient));
    runNewOps(wanted);
    std::vector<Tensor> result;
    for (mlir::Value gradient : wanted)
      result.push_back(values.lookup(gradient));
    return result;
  }

  std::vector<Tensor> tracedGradient(const Tensor &target,
                                     const std::vector<Tensor> &sources) {
    trace::Recorder *recorder = trace::activeRecorder();
    if (!recorder)
      throw Error("GradientTape::gradient: the target is a traced tensor "
                  "outside its kiln::function");
    for (size_t i = 0; i < sources.size(); ++i) {
      bool watched = false;
      for (const Tensor &candidate : tracedSources)
        watched |= candidate.tracedValue() == sources[i].tracedValue();
      if (!watched)
        throw Error("GradientTape::gradient: source " + std::to_string(i) +
                    " is not watched by this tape");
    }
    return recorder->recordGradient(target, sources);
  }

  /// The tape's graph, made on first use (a tape inside a trace needs
  /// none).
  GraphTracer &tracer() {
    if (!graph) {
      context = std::make_unique<mlir::MLIRContext>(
          mlir::MLIRContext::Threading::DISABLED);
      context->loadDialect<KilnDialect, mlir::func::FuncDialect>();
      mlir::OpBuilder builder(context.get());
      module = mlir::ModuleOp::create(builder.getUnknownLoc());
      graph = std::make_unique<GraphTracer>(*module, "tape",
                                            std::vector<TensorSpec>{});
    }
    return *graph;
  }

  bool persistent;
  bool recording = true;
  bool used = false;
  trace::ScopedTape scope;
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<GraphTracer> graph;
  /// The traced tensor of every host tensor on the tape.
  std::map<TensorKey, Tensor> onTape;
  /// The graph arguments of host tensors that are not on the tape.
  std::map<TensorKey, Tensor> inputs;
  /// The host value of every value of the tape's graph.
  llvm::DenseMap<mlir::Value, Tensor> values;
  mlir::Operation *lastRun = nullptr;
  /// Watched traced tensors (a tape inside a trace).
  std::vector<Tensor> tracedSources;
};

GradientTape::GradientTape(bool persistent)
    : impl_(std::make_unique<Impl>(persistent)) {}

GradientTape::~GradientTape() = default;

void GradientTape::watch(const Tensor &x) { impl_->watch(x); }

void GradientTape::watch(const std::vector<Tensor> &xs) {
  for (const Tensor &x : xs)
    impl_->watch(x);
}

std::vector<Tensor> GradientTape::gradient(const Tensor &target,
                                           const std::vector<Tensor> &sources) {
  return impl_->gradient(target, sources);
}

Tensor GradientTape::gradient(const Tensor &target, const Tensor &source) {
  return impl_->gradient(target, {source})[0];
}
