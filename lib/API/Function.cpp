//===- Function.cpp - Traced functions: cache, trace, compile, call -------===//

#include "kiln/Function.h"

#include "CompiledGraph.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Trace/GraphTracer.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

using namespace kiln;

//===----------------------------------------------------------------------===//
// Global settings
//===----------------------------------------------------------------------===//

namespace {
std::atomic<bool> runEagerly{false};

std::mutex warningMutex;
std::function<void(const std::string &)> &warningHandler() {
  static std::function<void(const std::string &)> handler =
      [](const std::string &message) {
        std::cerr << "kiln: warning: " << message << "\n";
      };
  return handler;
}

/// tf.function warns when a function is traced this many times.
constexpr int kRetraceWarningThreshold = 5;
} // namespace

void kiln::run_functions_eagerly(bool eagerly) { runEagerly = eagerly; }
bool kiln::functions_run_eagerly() { return runEagerly; }

void kiln::set_warning_handler(
    std::function<void(const std::string &)> handler) {
  std::lock_guard<std::mutex> lock(warningMutex);
  warningHandler() = std::move(handler);
}

void kiln::detail::warn(const std::string &message) {
  std::lock_guard<std::mutex> lock(warningMutex);
  if (warningHandler())
    warningHandler()(message);
}

using kiln::detail::warn;

namespace {
std::chrono::milliseconds defaultCompileTimeout() {
  if (const char *text = std::getenv("KILN_COMPILE_TIMEOUT")) {
    char *end = nullptr;
    double seconds = std::strtod(text, &end);
    if (end != text && *end == '\0' && seconds >= 0 && seconds < 1e9)
      return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    warn("KILN_COMPILE_TIMEOUT='" + std::string(text) +
         "' is not a number of seconds; using 120");
  }
  return std::chrono::seconds(120);
}

std::atomic<int64_t> &compileTimeoutMs() {
  static std::atomic<int64_t> ms{defaultCompileTimeout().count()};
  return ms;
}

std::atomic<bool> interpretOnTimeout{false};
} // namespace

void kiln::set_compile_timeout(std::chrono::milliseconds limit) {
  compileTimeoutMs() = std::max<int64_t>(0, limit.count());
}
std::chrono::milliseconds kiln::compile_timeout() {
  return std::chrono::milliseconds(compileTimeoutMs().load());
}
void kiln::set_interpret_on_compile_timeout(bool fallback) {
  interpretOnTimeout = fallback;
}
bool kiln::interprets_on_compile_timeout() { return interpretOnTimeout; }

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

namespace {

/// The cache key of a signature: its integers as raw bytes (no formatting
/// on the path of a cached call), then the constants' printed values.
std::string keyOf(const detail::CallSignature &signature) {
  std::string key;
  auto append = [&key](int64_t value) {
    key.append(reinterpret_cast<const char *>(&value), sizeof(value));
  };
  for (const auto &[shape, dtype] : signature.tensors) {
    append(static_cast<int64_t>(dtype));
    append(static_cast<int64_t>(shape.size()));
    for (int64_t dim : shape)
      append(dim);
  }
  for (const auto &[position, value] : signature.constants) {
    append(static_cast<int64_t>(position));
    append(static_cast<int64_t>(value.size()));
    key += value;
  }
  return key;
}

/// What changed from `before` to `after`, argument by argument:
/// "arg 0: shape (3, 4) -> (5, 4); arg 2: value 3 -> 4".
std::string describeChange(const detail::CallSignature &before,
                           const detail::CallSignature &after) {
  std::vector<std::string> changes;
  size_t n = std::min(before.tensors.size(), after.tensors.size());
  for (size_t i = 0; i < n; ++i) {
    std::string arg = "arg " + std::to_string(after.tensorPositions[i]);
    const auto &[shapeA, dtypeA] = before.tensors[i];
    const auto &[shapeB, dtypeB] = after.tensors[i];
    if (dtypeA != dtypeB)
      changes.push_back(arg + ": dtype " + std::string(dtypeName(dtypeA)) +
                        " -> " + std::string(dtypeName(dtypeB)));
    if (shapeA != shapeB)
      changes.push_back(arg + ": shape " + formatShape(shapeA) + " -> " +
                        formatShape(shapeB));
  }
  size_t m = std::min(before.constants.size(), after.constants.size());
  for (size_t i = 0; i < m; ++i)
    if (before.constants[i].second != after.constants[i].second)
      changes.push_back("arg " + std::to_string(after.constants[i].first) +
                        ": value " + before.constants[i].second + " -> " +
                        after.constants[i].second);
  if (before.tensors.size() != after.tensors.size() ||
      before.constants.size() != after.constants.size())
    changes.push_back("the number of arguments changed");
  std::string text;
  for (const std::string &change : changes)
    text += (text.empty() ? "" : "; ") + change;
  return text;
}

} // namespace

//===----------------------------------------------------------------------===//
// FunctionCore
//===----------------------------------------------------------------------===//

struct detail::FunctionCore::Impl {
  explicit Impl(std::string name) : name(std::move(name)) {}

  /// Traces and compiles `signature`, or returns the cached compilation.
  std::shared_ptr<const CompiledGraph> get(const CallSignature &signature,
                                           const TraceBody &body) {
    std::string key = keyOf(signature);
    {
      std::shared_lock<std::shared_mutex> lock(cacheMutex);
      auto it = cache.find(key);
      if (it != cache.end())
        return it->second;
    }
    // One trace and compilation at a time; a thread that waited here finds
    // the signature another thread compiled meanwhile.
    std::lock_guard<std::mutex> compileLock(compileMutex);
    {
      std::shared_lock<std::shared_mutex> lock(cacheMutex);
      auto it = cache.find(key);
      if (it != cache.end())
        return it->second;
    }
    auto graph = std::shared_ptr<const CompiledGraph>(
        CompiledGraph::trace(context, name, signature, body));
    ++traces;
    if (lastSignature) {
      std::string reason = describeChange(*lastSignature, signature);
      std::lock_guard<std::mutex> lock(reasonMutex);
      lastReason = reason;
    }
    if (traces >= kRetraceWarningThreshold)
      warn("function '" + name + "' has been traced " +
           std::to_string(traces.load()) +
           " times; the last retrace was caused by " + lastRetraceReason() +
           ". Each new signature (tensor shapes and dtypes, values of "
           "non-tensor arguments) is traced and compiled anew.");
    lastSignature = signature;
    std::unique_lock<std::shared_mutex> lock(cacheMutex);
    cache.emplace(key, graph);
    return graph;
  }

  std::string lastRetraceReason() const {
    std::lock_guard<std::mutex> lock(reasonMutex);
    return lastReason;
  }

  std::string name;
  /// Shared with the compiled graphs, which may outlive this Function.
  std::shared_ptr<mlir::MLIRContext> context =
      std::make_shared<mlir::MLIRContext>();
  std::mutex compileMutex;
  mutable std::shared_mutex cacheMutex;
  std::unordered_map<std::string, std::shared_ptr<const CompiledGraph>> cache;
  std::atomic<int> traces{0};
  std::optional<CallSignature> lastSignature;
  mutable std::mutex reasonMutex;
  std::string lastReason;
};

detail::FunctionCore::FunctionCore(std::string name)
    : impl_(std::make_unique<Impl>(std::move(name))) {}
detail::FunctionCore::~FunctionCore() = default;

std::vector<Tensor>
detail::FunctionCore::call(const CallSignature &signature,
                           const std::vector<Tensor> &tensors,
                           const TraceBody &body) {
  return impl_->get(signature, body)->run(tensors);
}

void detail::FunctionCore::callInto(const CallSignature &signature,
                                    const std::vector<Tensor> &tensors,
                                    const TraceBody &body,
                                    const std::vector<Tensor> &outputs) {
  impl_->get(signature, body)->run(tensors, &outputs);
}

void detail::FunctionCore::copyResultsInto(const std::vector<Tensor> &results,
                                           const std::vector<Tensor> &tensors,
                                           const std::vector<Tensor> &outputs) {
  std::vector<std::pair<Shape, DType>> types;
  for (const Tensor &result : results)
    types.push_back({result.shape(), result.dtype()});
  checkDestinations(impl_->name, types, outputs, tensors);
  for (size_t i = 0; i < results.size(); ++i)
    copyInto(results[i], outputs[i]);
}

Lowered detail::FunctionCore::lower(const CallSignature &signature,
                                    const TraceBody &body) {
  return Lowered(impl_->get(signature, body)->lowered());
}

void detail::FunctionCore::save(const std::string &path,
                                const CallSignature &signature,
                                const TraceBody &body) {
  impl_->get(signature, body)->save(path);
}

int detail::FunctionCore::traceCount() const { return impl_->traces; }

size_t detail::FunctionCore::cacheSize() const {
  std::shared_lock<std::shared_mutex> lock(impl_->cacheMutex);
  return impl_->cache.size();
}

std::string detail::FunctionCore::lastRetraceReason() const {
  return impl_->lastRetraceReason();
}
