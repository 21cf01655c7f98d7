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
#include <set>
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

/// tf.function warns when a function is traced this many times; Kiln then
/// warns again every kRetraceWarningInterval traces.
constexpr int kRetraceWarningThreshold = 5;
constexpr int kRetraceWarningInterval = 10;
/// How many traced signatures a Function remembers to explain a retrace.
constexpr size_t kRememberedSignatures = 256;
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
/// "arg 0: dim 0 3 -> 5; arg 1: dtype float32 -> float64; arg 2: value 3 ->
/// 4" ("arg 0: shape (3, 4) -> (3, 4, 1)" when the rank changed).
std::vector<std::string> changesBetween(const detail::CallSignature &before,
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
    if (shapeA.size() != shapeB.size()) {
      changes.push_back(arg + ": shape " + formatShape(shapeA) + " -> " +
                        formatShape(shapeB));
    } else {
      for (size_t d = 0; d < shapeA.size(); ++d)
        if (shapeA[d] != shapeB[d])
          changes.push_back(arg + ": dim " + std::to_string(d) + " " +
                            std::to_string(shapeA[d]) + " -> " +
                            std::to_string(shapeB[d]));
    }
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
  return changes;
}

std::string joinChanges(const std::vector<std::string> &changes) {
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
  explicit Impl(FunctionOptions options)
      : name(options.name), options(std::move(options)) {}

  /// A compiled signature and when it was last used (a tick of `clock`),
  /// for least-recently-used eviction.
  struct Entry {
    std::shared_ptr<const CompiledGraph> graph;
    mutable std::atomic<uint64_t> lastUse{0};
  };

  /// Traces and compiles the signature of a call, `concrete`, made general
  /// by the input signature or the dimensions made dynamic, or returns the
  /// cached compilation.
  std::shared_ptr<const CompiledGraph> get(const CallSignature &concrete,
                                           const TraceBody &body) {
    CallSignature signature = generalize(concrete);
    std::string key = keyOf(signature);
    if (auto graph = lookup(key))
      return graph;
    // One trace and compilation at a time; a thread that waited here finds
    // the signature another thread compiled meanwhile.
    std::lock_guard<std::mutex> compileLock(compileMutex);
    if (options.reduce_retracing && makeDimsDynamic(concrete)) {
      signature = generalize(concrete);
      key = keyOf(signature);
    }
    if (auto graph = lookup(key))
      return graph;
    auto graph = std::shared_ptr<const CompiledGraph>(
        CompiledGraph::trace(name, signature, body));
    int count = ++traces;
    if (count > 1) {
      std::lock_guard<std::mutex> lock(reasonMutex);
      lastReason = explainRetrace(concrete);
    }
    if (count == kRetraceWarningThreshold ||
        (count > kRetraceWarningThreshold &&
         (count - kRetraceWarningThreshold) % kRetraceWarningInterval == 0))
      warn("function '" + name + "' has been traced " + std::to_string(count) +
           " times; the last retrace was caused by " + lastRetraceReason() +
           " (against the closest signature traced before). Each new "
           "signature (tensor shapes and dtypes, values of non-tensor "
           "arguments) is traced and compiled anew: pass numbers that change "
           "between calls as tensors (a rank-0 tensor is an argument of the "
           "graph, a C++ number a constant of it), and let sizes vary with "
           "kiln::FunctionOptions: an input_signature with kiln::kDynamic "
           "dimensions, or reduce_retracing.");
    // Once per Function: the same captures come with every trace.
    if (!graph->captureWarning().empty() && !warnedAboutCaptures) {
      warnedAboutCaptures = true;
      warn(graph->captureWarning());
    }
    traced.push_back(concrete);
    if (traced.size() > kRememberedSignatures)
      traced.erase(traced.begin());
    std::unique_lock<std::shared_mutex> lock(cacheMutex);
    auto &entry = cache[key];
    entry = std::make_unique<Entry>();
    entry->graph = graph;
    entry->lastUse = ++clock;
    evictBeyond(cacheLimit.load());
    return graph;
  }

  std::shared_ptr<const CompiledGraph> lookup(const std::string &key) {
    std::shared_lock<std::shared_mutex> lock(cacheMutex);
    auto it = cache.find(key);
    if (it == cache.end())
      return nullptr;
    it->second->lastUse.store(++clock, std::memory_order_relaxed);
    return it->second->graph;
  }

  /// `concrete` with the input signature's specs in place of the tensors'
  /// shapes (checked), or with the dimensions made dynamic by
  /// reduce_retracing (sizes 0 and 1 stay).
  CallSignature generalize(const CallSignature &concrete) const {
    CallSignature signature = concrete;
    const std::vector<TensorSpec> &specs = options.input_signature;
    if (!specs.empty()) {
      if (specs.size() != concrete.tensors.size())
        throw Error("function '" + name + "': the input signature has " +
                    std::to_string(specs.size()) +
                    " tensors, the call passes " +
                    std::to_string(concrete.tensors.size()));
      for (size_t i = 0; i < specs.size(); ++i) {
        const auto &[shape, dtype] = concrete.tensors[i];
        bool fits =
            dtype == specs[i].dtype && shape.size() == specs[i].shape.size();
        for (size_t d = 0; fits && d < shape.size(); ++d)
          fits = isDynamic(specs[i].shape[d]) || specs[i].shape[d] == shape[d];
        if (!fits)
          throw Error("function '" + name + "': argument " +
                      std::to_string(concrete.tensorPositions[i]) +
                      " does not match the input signature: expected " +
                      formatShape(specs[i].shape) + " " +
                      std::string(dtypeName(specs[i].dtype)) + ", got " +
                      formatShape(shape) + " " + std::string(dtypeName(dtype)));
        signature.tensors[i].first = specs[i].shape;
      }
      return signature;
    }
    if (options.reduce_retracing) {
      std::lock_guard<std::mutex> lock(dynamicMutex);
      for (size_t i = 0; i < signature.tensors.size(); ++i)
        for (auto [argument, dim] : dynamicDims)
          if (argument == i && dim < signature.tensors[i].first.size() &&
              signature.tensors[i].first[dim] > 1)
            signature.tensors[i].first[dim] = kDynamic;
    }
    return signature;
  }

  /// reduce_retracing: if `concrete` differs from the closest traced
  /// signature only in dimension sizes (none of them 0 or 1), makes those
  /// dimensions dynamic and returns true. Under compileMutex.
  bool makeDimsDynamic(const CallSignature &concrete) {
    bool changed = false;
    for (const CallSignature &before : traced) {
      if (before.tensors.size() != concrete.tensors.size() ||
          before.constants.size() != concrete.constants.size())
        continue;
      bool onlyDims = true;
      std::vector<std::pair<size_t, size_t>> dims;
      for (size_t i = 0; onlyDims && i < concrete.tensors.size(); ++i) {
        const auto &[shapeA, dtypeA] = before.tensors[i];
        const auto &[shapeB, dtypeB] = concrete.tensors[i];
        onlyDims = dtypeA == dtypeB && shapeA.size() == shapeB.size();
        for (size_t d = 0; onlyDims && d < shapeA.size(); ++d)
          if (shapeA[d] != shapeB[d]) {
            onlyDims = shapeA[d] > 1 && shapeB[d] > 1;
            dims.push_back({i, d});
          }
      }
      for (size_t c = 0; onlyDims && c < concrete.constants.size(); ++c)
        onlyDims = before.constants[c] == concrete.constants[c];
      if (!onlyDims || dims.empty())
        continue;
      std::lock_guard<std::mutex> lock(dynamicMutex);
      for (const auto &dim : dims)
        changed |= dynamicDims.insert(dim).second;
    }
    return changed;
  }

  /// Removes the least recently used signatures until `limit` are left.
  /// Holds cacheMutex exclusively.
  void evictBeyond(size_t limit) {
    while (cache.size() > limit) {
      auto oldest = cache.begin();
      for (auto it = cache.begin(); it != cache.end(); ++it)
        if (it->second->lastUse < oldest->second->lastUse)
          oldest = it;
      cache.erase(oldest);
    }
  }

  /// The changes from the traced signature closest to `signature` (the
  /// fewest changes; the latest of equals).
  std::string explainRetrace(const CallSignature &signature) const {
    std::vector<std::string> best;
    bool found = false;
    for (auto it = traced.rbegin(); it != traced.rend(); ++it) {
      std::vector<std::string> changes = changesBetween(*it, signature);
      if (!found || changes.size() < best.size()) {
        best = std::move(changes);
        found = true;
      }
    }
    if (found && best.empty())
      return "the same signature as an earlier trace, whose compiled code "
             "was evicted (set_cache_limit) or released (clear_cache)";
    return joinChanges(best);
  }

  std::string lastRetraceReason() const {
    std::lock_guard<std::mutex> lock(reasonMutex);
    return lastReason;
  }

  std::string name;
  FunctionOptions options;
  /// reduce_retracing: the (tensor argument, dimension) pairs made dynamic.
  mutable std::mutex dynamicMutex;
  std::set<std::pair<size_t, size_t>> dynamicDims;
  std::mutex compileMutex;
  mutable std::shared_mutex cacheMutex;
  std::unordered_map<std::string, std::unique_ptr<Entry>> cache;
  std::atomic<uint64_t> clock{0};
  std::atomic<size_t> cacheLimit{kDefaultCacheLimit};
  std::atomic<int> traces{0};
  /// Whether the capture warning was given (under compileMutex).
  bool warnedAboutCaptures = false;
  /// The signatures traced, oldest first (under compileMutex).
  std::vector<CallSignature> traced;
  mutable std::mutex reasonMutex;
  std::string lastReason;
};

detail::FunctionCore::FunctionCore(FunctionOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
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

void detail::FunctionCore::setCacheLimit(size_t limit) {
  limit = std::max<size_t>(limit, 1);
  impl_->cacheLimit = limit;
  std::unique_lock<std::shared_mutex> lock(impl_->cacheMutex);
  impl_->evictBeyond(limit);
}

size_t detail::FunctionCore::cacheLimit() const { return impl_->cacheLimit; }

void detail::FunctionCore::clearCache() {
  std::unique_lock<std::shared_mutex> lock(impl_->cacheMutex);
  impl_->cache.clear();
}

size_t detail::FunctionCore::cacheSize() const {
  std::shared_lock<std::shared_mutex> lock(impl_->cacheMutex);
  return impl_->cache.size();
}

std::string detail::FunctionCore::lastRetraceReason() const {
  return impl_->lastRetraceReason();
}
