//===- CompiledGraph.cpp - One traced signature, compiled -----------------===//

#include "CompiledGraph.h"

#include "DiskCache.h"
#include "kiln/Compiler/Pipeline.h"
#include "kiln/Conversion/DynamicDims.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/InitAll.h"
#include "kiln/Interpreter/Interpreter.h"
#include "kiln/Runtime/CAbi.h"
#include "kiln/Runtime/Debug.h"
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
#include <cstdlib>
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

/// The shape and dtype of each of `types`, which must be ranked tensors of
/// a dtype of Kiln (dimensions may be dynamic); `what` names them in the
/// error otherwise.
std::vector<std::pair<Shape, DType>>
tensorSpecs(mlir::TypeRange types, const std::string &name, const char *what) {
  std::vector<std::pair<Shape, DType>> specs;
  for (mlir::Type type : types) {
    auto tensorType = mlir::dyn_cast<mlir::RankedTensorType>(type);
    if (!tensorType || !toDType(tensorType.getElementType()))
      throw Error("compile: '" + name + "' has " + what +
                  " the JIT does not support (they must be ranked tensors)");
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

/// The JIT's pipeline: it checks dynamic sizes on the arguments of each call
/// (CompiledGraph::run), and passes results of static shape as out
/// parameters.
PipelineOptions jitPipelineOptions(bool resultsAsOutParams) {
  PipelineOptions options;
  options.resultsAsOutParams = resultsAsOutParams;
  options.hostChecksDynamicDims = true;
  // Test only (the tests of shadow checking): see kiln-test-perturb.
  if (const char *op = std::getenv("KILN_TEST_PERTURB_OP"))
    options.testPerturbOp = op;
  return options;
}

/// Whether the JIT verifies the IR after every pass, or only the result of
/// each stage. Verifying after every pass took a quarter of the MLIR half of
/// a compile (2 of 8 ms for a 20-op elementwise function); the test suite
/// turns it on with KILN_VERIFY_EACH_PASS=1, so that a pass that breaks the
/// IR is named, as kiln-opt and kilnc emit always do.
bool verifyEachPass() {
  static const bool each = [] {
    const char *value = std::getenv("KILN_VERIFY_EACH_PASS");
    return value && *value && std::string(value) != "0";
  }();
  return each;
}

/// Runs the pipeline from Kiln to `to` (at most LLVM) on `module`, a stage
/// at a time, adding the time of each to `times` when given; throws
/// kiln::Error with the diagnostics if a pass fails.
void lowerTo(mlir::ModuleOp module, Stage to, bool resultsAsOutParams,
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
    pm.enableVerifier(verifyEachPass());
    PipelineOptions options = jitPipelineOptions(resultsAsOutParams);
    // The Kiln stage is the graph simplified; the later stages lower it.
    options.simplifyKilnGraph = stage == Stage::Kiln;
    buildPipeline(pm, stage == Stage::Kiln ? stage : Stage(s - 1), stage,
                  options);
    if (mlir::failed(pm.run(module)) ||
        (!verifyEachPass() && mlir::failed(mlir::verify(module))))
      throw Error("compile: lowering to the " + std::string(stageName(to)) +
                  " stage failed:" + diagnostics);
    if (times)
      times->push_back({std::string(stageName(stage)), msSince(start)});
  }
}

/// Captures of at least this many bytes are worth a warning: a 1024 x 256
/// float32 weight. Smaller ones (scalars of `x * 2.0f`, small tables) are
/// what captures are for.
constexpr size_t kLargeCaptureBytes = size_t(1) << 20;

/// The warning about the captures of a trace that are large or view host
/// memory, or "" if there are none.
std::string
describeCaptures(const std::string &name,
                 const std::vector<GraphTracer::Capture> &captures) {
  std::string listed;
  size_t count = 0;
  for (const GraphTracer::Capture &capture : captures) {
    size_t bytes = size_t(std::max<int64_t>(numElements(capture.shape), 0)) *
                   dtypeSize(capture.dtype);
    if (!capture.hostMemory && bytes < kLargeCaptureBytes)
      continue;
    ++count;
    listed += (listed.empty() ? "" : "; ") + formatShape(capture.shape) + " " +
              std::string(dtypeName(capture.dtype));
    if (capture.hostMemory)
      listed += ", a from_blob view of host memory,";
    if (bytes >= kLargeCaptureBytes)
      listed += " (" + std::to_string(bytes >> 10) + " KiB)";
    listed += capture.where.empty() ? std::string(", returned")
                                    : " used at " + capture.where;
  }
  if (!count)
    return "";
  return "function '" + name + "' captures " + std::to_string(count) +
         (count == 1 ? " tensor that is" : " tensors that are") +
         " copied into its graph as constants when it is traced: " + listed +
         ". Later changes to a captured tensor (or to the host memory it "
         "views) are not seen by the compiled code, and large captures make "
         "the graph, its compile and its files large. Pass such tensors as "
         "arguments instead.";
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
    std::lock_guard<std::mutex> mlirLock(graph_->mlirMutex());
    auto &text = texts_[static_cast<int>(stage) * 2 + (locations ? 1 : 0)];
    if (!text.empty())
      return text;
    mlir::func::FuncOp func = graph_->graph();
    mlir::OwningOpRef<mlir::ModuleOp> module(
        cast<mlir::ModuleOp>(func->getParentOp()->clone()));
    if (stage <= Stage::LLVM) {
      lowerTo(*module, stage, graph_->resultsAsOutParams());
      text = printOp(*module, locations);
    } else {
      lowerTo(*module, Stage::LLVM, graph_->resultsAsOutParams());
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

  std::string name() const {
    std::lock_guard<std::mutex> lock(graph_->mlirMutex());
    return graph_->graph().getSymName().str();
  }

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

std::shared_ptr<CompiledGraph>
CompiledGraph::trace(const std::string &name,
                     const detail::CallSignature &signature,
                     const detail::TraceBody &body) {
  auto context = std::make_shared<mlir::MLIRContext>(
      mlir::MLIRContext::Threading::DISABLED);
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
  graph->captureWarning_ = describeCaptures(name, tracer.captures());
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
  graph->inputs_ = tensorSpecs(func.getArgumentTypes(), name, "arguments");
  graph->outputs_ = tensorSpecs(func.getResultTypes(), name, "results");
  graph->dynamicInputs_ = llvm::any_of(graph->inputs_, [](const auto &spec) {
    return hasDynamicDims(spec.first);
  });
  if (graph->dynamicInputs_)
    graph->dimChecks_ = analyzeDynamicDims(func).checks;
  graph->dynamicResults_ = llvm::any_of(graph->outputs_, [](const auto &spec) {
    return hasDynamicDims(spec.first);
  });
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
    key = detail::compileCacheKey(
        printOp(*module_, /*locations=*/true), name_,
        describe(jitPipelineOptions(resultsAsOutParams())) +
            " llvm-opt-level=" + std::to_string(options.optLevel));
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
  lowerTo(*lowered, Stage::LLVM, resultsAsOutParams(), &times_);
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
    detail::storeCompiled(key, name_, jit_->linkInputs());
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
    bool shapeFits = out.shape().size() == outputs[i].first.size();
    for (size_t d = 0; shapeFits && d < out.shape().size(); ++d)
      shapeFits = isDynamic(outputs[i].first[d]) ||
                  out.shape()[d] == outputs[i].first[d];
    if (out.dtype() != outputs[i].second || !shapeFits)
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

void detail::checkDestinationShapes(const std::string &name,
                                    const std::vector<Tensor> &results,
                                    const std::vector<Tensor> &into) {
  for (size_t i = 0; i < results.size(); ++i)
    if (results[i].shape() != into[i].shape())
      throw Error("call_into: '" + name + "' output " + std::to_string(i) +
                  " is " + formatShape(into[i].shape()) + ", the result is " +
                  formatShape(results[i].shape()));
}

void detail::copyInto(const Tensor &from, const Tensor &to) {
  Tensor source = from.contiguous();
  std::memcpy(to.rawData(), source.rawData(),
              static_cast<size_t>(source.size()) * dtypeSize(source.dtype()));
}

namespace {

/// A result of dynamic shape that compiled code allocated and returned, from
/// its descriptor `words` ({allocated, aligned, offset, sizes, strides}):
/// the tensor takes over the buffer, which came from kiln_rt_alloc. A
/// constant of the graph (a global, whose `allocated` pointer MLIR sets to
/// 0xdeadbeef) is copied instead.
Tensor adoptResult(const int64_t *words, size_t rank, DType dtype) {
  auto *allocated = reinterpret_cast<void *>(words[0]);
  auto *aligned = reinterpret_cast<void *>(words[1]);
  int64_t offset = words[2];
  Shape sizes(words + 3, words + 3 + rank);
  Shape strides(words + 3 + rank, words + 3 + 2 * rank);
  if (allocated == reinterpret_cast<void *>(0xdeadbeef)) {
    Tensor view(std::shared_ptr<void>(aligned, [](void *) {}), dtype, sizes,
                strides, offset);
    Tensor copy = Tensor::empty(sizes, dtype);
    detail::copyInto(view, copy);
    return copy;
  }
  std::shared_ptr<void> owner(allocated, [](void *p) { kiln_rt_free(p); });
  return Tensor(std::shared_ptr<void>(owner, aligned), dtype, sizes, strides,
                offset);
}

} // namespace

std::vector<Tensor> CompiledGraph::run(const std::vector<Tensor> &inputs,
                                       const std::vector<Tensor> *into) const {
  std::vector<Tensor> results = runNative(inputs, into);
  // Both checks cost one relaxed load each when off.
  if (shadow_checks() && !interpreted_)
    shadowCheck(inputs, results);
  if (checks_numerics() && !interpreted_)
    checkResultNumerics(inputs, results);
  return results;
}

std::vector<Tensor>
CompiledGraph::runNative(const std::vector<Tensor> &inputs,
                         const std::vector<Tensor> *into) const {
  if (into)
    detail::checkDestinations(name_, outputs_, *into, inputs);
  // The full check (with its message) only when the quick one fails.
  if (interpreted_) {
    std::vector<Tensor> results;
    {
      std::lock_guard<std::mutex> lock(mlirMutex_);
      results = interpret(graph(), inputs);
    }
    if (!into)
      return results;
    detail::checkDestinationShapes(name_, results, *into);
    for (size_t i = 0; i < results.size(); ++i)
      detail::copyInto(results[i], (*into)[i]);
    return *into;
  }
  bool matches = inputs.size() == inputs_.size();
  for (size_t i = 0; matches && i < inputs.size(); ++i)
    matches =
        inputs[i].defined() && inputs[i].dtype() == inputs_[i].second &&
        (dynamicInputs_ ? inputs[i].shape().size() == inputs_[i].first.size()
                        : inputs[i].shape() == inputs_[i].first);
  for (size_t i = 0; matches && dynamicInputs_ && i < inputs.size(); ++i)
    for (size_t d = 0; matches && d < inputs_[i].first.size(); ++d)
      matches = isDynamic(inputs_[i].first[d]) ||
                inputs[i].shape()[d] == inputs_[i].first[d];
  if (!matches) {
    std::lock_guard<std::mutex> lock(mlirMutex_);
    checkInputs(graph(), inputs);
  }
  // Dynamic sizes that must be equal (kiln/Conversion/DynamicDims.h).
  for (const DimCheck &check : dimChecks_) {
    int64_t size = inputs[check.argument].shape()[check.dim];
    int64_t other = check.otherArgument < 0
                        ? check.size
                        : inputs[check.otherArgument].shape()[check.otherDim];
    if (size != other)
      throw Error(name_ + ": " + check.op + ": sizes " + std::to_string(size) +
                  " and " + std::to_string(other) + " must be equal (" +
                  "argument " + std::to_string(check.argument) + " dim " +
                  std::to_string(check.dim) + " and " +
                  (check.otherArgument < 0
                       ? std::string("a static size")
                       : "argument " + std::to_string(check.otherArgument) +
                             " dim " + std::to_string(check.otherDim)) +
                  "); dynamic dimensions do not broadcast in compiled code");
  }
  // Every buffer is row-major with its tensor's shape.
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
  // Results of static shape go to buffers passed in; the others are
  // returned, their descriptors one after the other.
  llvm::SmallVector<int64_t, 32> returned;
  if (dynamicResults_) {
    for (const auto &[shape, dtype] : outputs_)
      returned.append(3 + 2 * shape.size(), 0);
  } else {
    for (size_t i = 0; i < outputs_.size(); ++i) {
      const auto &[shape, dtype] = outputs_[i];
      outputs.push_back(into ? (*into)[i] : Tensor::empty(shape, dtype));
      buffers.push_back(rowMajor(outputs.back().rawData(), shape));
    }
  }
  // Compiled code reports bad index values to the runtime instead of
  // throwing (kiln/Runtime/CAbi.h); a report left by code run outside this
  // function on this thread must not be taken for one of this call.
  (void)detail::takeCompiledError();
  if (llvm::Error error = JitModule::call(
          entry_, buffers, dynamicResults_ ? returned.data() : nullptr))
    throw Error("run: " + llvm::toString(std::move(error)));
  if (dynamicResults_) {
    const int64_t *words = returned.data();
    for (const auto &[shape, dtype] : outputs_) {
      outputs.push_back(adoptResult(words, shape.size(), dtype));
      words += 3 + 2 * shape.size();
    }
  }
  if (std::optional<std::string> message = detail::takeCompiledError())
    throw Error(*message);
  if (dynamicResults_ && into) {
    detail::checkDestinationShapes(name_, outputs, *into);
    for (size_t i = 0; i < outputs.size(); ++i)
      detail::copyInto(outputs[i], (*into)[i]);
    return *into;
  }
  return outputs;
}

std::shared_ptr<const LoweredImpl> CompiledGraph::lowered() const {
  return std::make_shared<LoweredImpl>(shared_from_this());
}

void CompiledGraph::save(const std::string &path) const {
  std::lock_guard<std::mutex> lock(mlirMutex_);
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    throw Error("save: cannot write '" + path + "': " + error.message());
  mlir::ModuleOp(module_.get()).print(os);
  os << "\n";
  if (os.has_error())
    throw Error("save: cannot write '" + path + "'");
}
