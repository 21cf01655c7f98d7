//===- CompiledGraph.cpp - One traced signature, compiled -----------------===//

#include "CompiledGraph.h"

#include "DiskCache.h"
#include "kiln/Compiler/Pipeline.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/InitAll.h"
#include "kiln/Interpreter/Interpreter.h"
#include "kiln/Runtime/CAbi.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Trace.h"
#include "kiln/Trace/GraphTracer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstring>

using namespace kiln;

namespace {

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

std::string printOp(mlir::Operation *op, bool locations = false) {
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::OpPrintingFlags flags;
  if (locations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  op->print(os, flags);
  return text;
}

/// The shape and dtype of each of `types`, which must be tensors of static
/// shape (the JIT passes buffers of known size); `what` names them in the
/// error otherwise.
std::vector<std::pair<Shape, DType>>
staticSpecs(mlir::TypeRange types, const std::string &name, const char *what) {
  std::vector<std::pair<Shape, DType>> specs;
  for (mlir::Type type : types) {
    auto tensorType = mlir::dyn_cast<mlir::RankedTensorType>(type);
    if (!tensorType || !tensorType.hasStaticShape() ||
        !toDType(tensorType.getElementType()))
      throw Error("compile: '" + name + "' has " + what +
                  " the JIT does not support (they must be tensors of "
                  "static shape)");
    specs.push_back(
        {toShape(tensorType), *toDType(tensorType.getElementType())});
  }
  return specs;
}

/// Makes `context` able to hold every dialect of the pipeline.
/// The pipeline's dialects are registered, not loaded: the passes load the
/// ones they use (loading all of MLIR's dialects took 5 ms per context, and
/// as much again to destroy it, and made every canonicalizer collect their
/// patterns).
void prepareContext(mlir::MLIRContext &context) {
  // A context prepared before (a Function's, on a retrace) knows the
  // dialects of bufferization; one that only parsed a graph file does not.
  if (context.getDialectRegistry().getDialectAllocator("bufferization"))
    return;
  static const mlir::DialectRegistry *registry = [] {
    kiln::registerAllPasses();
    auto *registry = new mlir::DialectRegistry();
    kiln::registerPipelineDialects(*registry);
    registerEngineTranslations(*registry);
    return registry;
  }();
  context.appendDialectRegistry(*registry);
  context.loadDialect<KilnDialect, mlir::func::FuncDialect>();
}

/// Runs the pipeline from Kiln to `to` (at most LLVM) on `module`, a stage
/// at a time, adding the time of each to `times` when given; throws
/// kiln::Error with the diagnostics if a pass fails.
void lowerTo(mlir::ModuleOp module, Stage to, bool forJit,
             std::vector<CompileStep> *times = nullptr) {
  mlir::MLIRContext *context = module.getContext();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(context, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() != mlir::DiagnosticSeverity::Error)
      return mlir::success();
    diagnostics += "\n  " + formatLocation(d.getLocation()) + ": " + d.str();
    return mlir::success();
  });
  for (int s = int(Stage::Kiln); s <= int(to); ++s) {
    auto stage = Stage(s);
    auto start = std::chrono::steady_clock::now();
    mlir::PassManager pm(context);
    PipelineOptions options;
    options.resultsAsOutParams = forJit;
    // The Kiln stage is the graph simplified; the later stages lower it.
    options.simplifyKilnGraph = stage == Stage::Kiln;
    buildPipeline(pm, stage == Stage::Kiln ? stage : Stage(s - 1), stage,
                  options);
    if (mlir::failed(pm.run(module)))
      throw Error("compile: lowering to the " + std::string(stageName(to)) +
                  " stage failed:" + diagnostics);
    if (times)
      times->push_back({std::string(stageName(stage)), msSince(start)});
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// LoweredImpl
//===----------------------------------------------------------------------===//

class kiln::LoweredImpl {
public:
  explicit LoweredImpl(std::shared_ptr<const CompiledGraph> graph)
      : graph_(std::move(graph)) {}

  std::string ir(Stage stage, bool locations) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto &text = texts_[static_cast<int>(stage) * 2 + (locations ? 1 : 0)];
    if (!text.empty())
      return text;
    mlir::func::FuncOp func = graph_->graph();
    mlir::OwningOpRef<mlir::ModuleOp> module(
        cast<mlir::ModuleOp>(func->getParentOp()->clone()));
    if (stage <= Stage::LLVM) {
      lowerTo(*module, stage, /*forJit=*/true);
      text = printOp(*module, locations);
    } else {
      lowerTo(*module, Stage::LLVM, /*forJit=*/true);
      EngineOptions options;
      options.keepLLVMIR = stage == Stage::LLVMIR;
      options.keepAssembly = stage == Stage::Asm;
      auto jit = JitModule::compile(*module, options);
      if (!jit)
        throw Error("compile: " + llvm::toString(jit.takeError()));
      text = stage == Stage::LLVMIR ? (*jit)->llvmIR() : (*jit)->assembly();
    }
    return text;
  }

  std::string name() const { return graph_->graph().getSymName().str(); }

  const std::vector<CompileStep> &compileTimes() const {
    return graph_->compileTimes();
  }

private:
  std::shared_ptr<const CompiledGraph> graph_;
  mutable std::mutex mutex_;
  /// Per stage, without and with locations.
  mutable std::string texts_[12];
};

Lowered::Lowered(std::shared_ptr<const LoweredImpl> impl)
    : impl_(std::move(impl)) {}
std::string Lowered::ir(Stage stage, bool locations) const {
  return impl_->ir(stage, locations);
}
std::string Lowered::name() const { return impl_->name(); }
std::vector<CompileStep> Lowered::compile_times() const {
  return impl_->compileTimes();
}

//===----------------------------------------------------------------------===//
// CompiledGraph
//===----------------------------------------------------------------------===//

std::shared_ptr<CompiledGraph> CompiledGraph::trace(
    std::shared_ptr<mlir::MLIRContext> context, const std::string &name,
    const detail::CallSignature &signature, const detail::TraceBody &body) {
  prepareContext(*context);
  mlir::OpBuilder builder(context.get());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ModuleOp::create(builder.getUnknownLoc());

  std::vector<TensorSpec> specs;
  for (const auto &[shape, dtype] : signature.tensors)
    specs.push_back({shape, dtype});
  auto start = std::chrono::steady_clock::now();
  GraphTracer tracer(*module, name, specs);
  std::vector<Tensor> outputs;
  {
    trace::ScopedRecorder scope(&tracer);
    outputs = body(tracer.arguments());
  }
  tracer.finish(outputs);
  double traceMs = msSince(start);
  std::shared_ptr<CompiledGraph> graph = compile(std::move(module), name);
  graph->context_ = std::move(context);
  graph->times_.insert(graph->times_.begin(), {"trace", traceMs});
  return graph;
}

std::shared_ptr<CompiledGraph>
CompiledGraph::compile(mlir::OwningOpRef<mlir::ModuleOp> module,
                       const std::string &name) {
  prepareContext(*module->getContext());
  std::shared_ptr<CompiledGraph> graph(new CompiledGraph());
  graph->module_ = std::move(module);
  graph->name_ = name;
  mlir::func::FuncOp func = graph->graph();
  if (!func)
    throw Error("compile: the module has no function '" + name + "'");
  graph->inputs_ = staticSpecs(func.getArgumentTypes(), name, "arguments");
  graph->outputs_ = staticSpecs(func.getResultTypes(), name, "results");
  // A loaded file may hold func.call, which the interpreter rejects too; a
  // recursive one would overflow the stack at run time.
  func.walk([&](mlir::Operation *op) {
    if (op->getName().getDialectNamespace() != "kiln" &&
        !mlir::isa<mlir::func::FuncOp, mlir::func::ReturnOp>(op))
      throw Error("compile: " + formatLocation(op->getLoc()) + ": '" +
                  op->getName().getStringRef().str() +
                  "' is not a kiln op; the JIT runs kiln graphs");
  });
  graph->compileNative();
  return graph;
}

mlir::func::FuncOp CompiledGraph::graph() const {
  return mlir::ModuleOp(module_.get()).lookupSymbol<mlir::func::FuncOp>(name_);
}

void CompiledGraph::compileNative() {
  EngineOptions options;
  options.timeout = compile_timeout();
  // The compile cache: the key is made of the graph as given (lowering it
  // is what a hit saves) and the options of the whole pipeline.
  std::string key;
  if (detail::compileCacheEnabled()) {
    auto start = std::chrono::steady_clock::now();
    PipelineOptions pipeline;
    pipeline.resultsAsOutParams = true;
    key = detail::compileCacheKey(printOp(*module_, /*locations=*/true), name_,
                                  describe(pipeline) + " llvm-opt-level=" +
                                      std::to_string(options.optLevel));
    std::optional<std::vector<std::string>> objects = detail::loadCompiled(key);
    times_.push_back({"cache-lookup", msSince(start)});
    if (objects) {
      auto jit = JitModule::link(std::move(*objects));
      llvm::Expected<JitModule::PackedFunction> entry =
          jit ? (*jit)->lookup(name_)
              : llvm::Expected<JitModule::PackedFunction>(jit.takeError());
      if (entry) {
        jit_ = std::move(*jit);
        times_.insert(times_.end(), jit_->times().begin(), jit_->times().end());
        entry_ = *entry;
        return;
      }
      detail::rejectCompiled(key, "its code does not link: " +
                                      llvm::toString(entry.takeError()));
    }
  }

  mlir::OwningOpRef<mlir::ModuleOp> lowered(module_->clone());
  lowerTo(*lowered, Stage::LLVM, /*forJit=*/true, &times_);
  detail::countCompile();
  auto jit = JitModule::compile(*lowered, options);
  if (!jit) {
    std::string message = "compile: '" + name_ + "': ";
    bool timedOut = false;
    llvm::handleAllErrors(
        jit.takeError(),
        [&](const CompileTimeoutError &error) {
          timedOut = true;
          message += error.message() + " (kiln::set_compile_timeout)";
        },
        [&](const llvm::ErrorInfoBase &error) { message += error.message(); });
    if (timedOut && interprets_on_compile_timeout()) {
      detail::warn(message + "; running it on the graph interpreter");
      interpreted_ = true;
      return;
    }
    throw Error(message);
  }
  jit_ = std::move(*jit);
  times_.insert(times_.end(), jit_->times().begin(), jit_->times().end());
  auto entry = jit_->lookup(name_);
  if (!entry)
    throw Error("compile: " + llvm::toString(entry.takeError()));
  entry_ = *entry;
  if (!key.empty())
    detail::storeCompiled(key, name_, jit_->objects());
}

void detail::checkDestinations(
    const std::string &name,
    const std::vector<std::pair<Shape, DType>> &outputs,
    const std::vector<Tensor> &into, const std::vector<Tensor> &inputs) {
  std::string what = "call_into: '" + name + "'";
  if (into.size() != outputs.size())
    throw Error(what + " has " + std::to_string(outputs.size()) +
                " results, got " + std::to_string(into.size()) +
                " output tensors");
  auto bytesOf = [](const Tensor &t) {
    return static_cast<size_t>(t.size()) * dtypeSize(t.dtype());
  };
  for (size_t i = 0; i < into.size(); ++i) {
    const Tensor &out = into[i];
    std::string which = what + " output " + std::to_string(i);
    if (!out.defined() || out.is_traced())
      throw Error(which + " is not a tensor with storage");
    if (out.dtype() != outputs[i].second || out.shape() != outputs[i].first)
      throw Error(which + " is " + formatShape(out.shape()) + " " +
                  std::string(dtypeName(out.dtype())) + ", the result is " +
                  formatShape(outputs[i].first) + " " +
                  std::string(dtypeName(outputs[i].second)));
    if (!out.is_contiguous())
      throw Error(which + " is not contiguous");
    auto *begin = static_cast<const char *>(out.rawData());
    auto overlaps = [&](const Tensor &other) {
      auto *otherBegin = static_cast<const char *>(other.rawData());
      return out.size() && other.size() &&
             begin < otherBegin + bytesOf(other) &&
             otherBegin < begin + bytesOf(out);
    };
    for (size_t j = 0; j < inputs.size(); ++j)
      if (inputs[j].defined() && !inputs[j].is_traced() &&
          inputs[j].is_contiguous() && overlaps(inputs[j]))
        throw Error(which + " overlaps input " + std::to_string(j));
    for (size_t j = 0; j < i; ++j)
      if (overlaps(into[j]))
        throw Error(which + " overlaps output " + std::to_string(j));
  }
}

void detail::copyInto(const Tensor &from, const Tensor &to) {
  Tensor source = from.contiguous();
  std::memcpy(to.rawData(), source.rawData(),
              static_cast<size_t>(source.size()) * dtypeSize(source.dtype()));
}

std::vector<Tensor> CompiledGraph::run(const std::vector<Tensor> &inputs,
                                       const std::vector<Tensor> *into) const {
  if (into)
    detail::checkDestinations(name_, outputs_, *into, inputs);
  // The full check (with its message) only when the quick one fails.
  if (interpreted_) {
    std::vector<Tensor> results = interpret(graph(), inputs);
    if (!into)
      return results;
    for (size_t i = 0; i < results.size(); ++i)
      detail::copyInto(results[i], (*into)[i]);
    return *into;
  }
  bool matches = inputs.size() == inputs_.size();
  for (size_t i = 0; matches && i < inputs.size(); ++i)
    matches = inputs[i].defined() && inputs[i].dtype() == inputs_[i].second &&
              inputs[i].shape() == inputs_[i].first;
  if (!matches)
    checkInputs(graph(), inputs);
  // Every buffer is row-major with the graph's static shape.
  auto rowMajor = [](void *data, const Shape &shape) {
    BufferView view{data, 0, {}, {}};
    view.sizes.assign(shape.begin(), shape.end());
    view.strides.resize(shape.size());
    for (int64_t i = static_cast<int64_t>(shape.size()) - 1, s = 1; i >= 0;
         s *= shape[i], --i)
      view.strides[i] = s;
    return view;
  };
  llvm::SmallVector<BufferView, 8> buffers;
  // Compiled code reads inputs in place; views that are not row-major are
  // copied first.
  llvm::SmallVector<Tensor, 8> held;
  for (const Tensor &input : inputs) {
    held.push_back(input.contiguous());
    buffers.push_back(rowMajor(held.back().rawData(), held.back().shape()));
  }
  std::vector<Tensor> outputs;
  outputs.reserve(outputs_.size());
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const auto &[shape, dtype] = outputs_[i];
    outputs.push_back(into ? (*into)[i] : Tensor::empty(shape, dtype));
    buffers.push_back(rowMajor(outputs.back().rawData(), shape));
  }
  // Compiled code reports bad index values to the runtime instead of
  // throwing (kiln/Runtime/CAbi.h); a report left by code run outside this
  // function on this thread must not be taken for one of this call.
  (void)detail::takeCompiledError();
  if (llvm::Error error = JitModule::call(entry_, buffers))
    throw Error("run: " + llvm::toString(std::move(error)));
  if (std::optional<std::string> message = detail::takeCompiledError())
    throw Error(*message);
  return outputs;
}

std::shared_ptr<const LoweredImpl> CompiledGraph::lowered() const {
  return std::make_shared<LoweredImpl>(shared_from_this());
}

void CompiledGraph::save(const std::string &path) const {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    throw Error("save: cannot write '" + path + "': " + error.message());
  mlir::ModuleOp(module_.get()).print(os);
  os << "\n";
  if (os.has_error())
    throw Error("save: cannot write '" + path + "'");
}
