//===- Function.h - Traced functions: the tf.function of C++ ---*- C++ -*-===//
//
// `kiln::function(callable)` returns a Function. Calling it looks up native
// code compiled for the input signature — the dtype and shape of every tensor
// argument and the value of every other argument — and on a miss traces the
// callable into a kiln graph, lowers it through linalg to LLVM and compiles
// it for the host CPU.
//
// Tracing runs the callable once, with traced tensors that record each op
// instead of computing it. C++ control flow in the callable therefore runs at
// trace time, as Python control flow does in tf.function:
//
//   auto f = kiln::function([](kiln::Tensor x, int n) {
//     for (int i = 0; i < n; ++i)   // unrolled into the graph: n is part
//       x = x * 2.0f;               // of the signature, one trace per n
//     return x;
//   });
//
// Branching on a tensor's *value* is impossible in a trace (there is none);
// use kiln::select, or run the function eagerly to debug it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FUNCTION_H
#define KILN_FUNCTION_H

#include "kiln/Compiler/Stage.h"
#include "kiln/Runtime/Tensor.h"
#include "kiln/Runtime/Trace.h"

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace kiln {

/// When true, every Function runs its callable eagerly instead of tracing
/// and compiling it (as tf.config.run_functions_eagerly), for debugging.
void run_functions_eagerly(bool eagerly);
bool functions_run_eagerly();

/// The longest a JIT compile may spend in LLVM's optimizer and code
/// generator; a compile that takes longer is abandoned with a kiln::Error
/// (its thread is left to finish in the background) instead of hanging the
/// caller. The default is 120 s, or `KILN_COMPILE_TIMEOUT` seconds from the
/// environment; 0 means no limit. Takes effect for compiles started after.
void set_compile_timeout(std::chrono::milliseconds limit);
std::chrono::milliseconds compile_timeout();

/// When true, a graph whose compile was abandoned for the timeout runs on
/// the graph interpreter (op by op on the eager kernels) instead of
/// failing, after a warning. Off by default.
void set_interpret_on_compile_timeout(bool fallback);
bool interprets_on_compile_timeout();

/// Shadow checking: when on, every call of compiled code (a Function's or a
/// loaded Graph's) also runs the graph on the interpreter, op by op on the
/// eager kernels, and compares every result: within `atol + rtol *
/// |interpreted|` for floats (NaN must meet NaN), exactly for integers and
/// bools. On a divergence it finds the first op whose compiled output
/// differs, by bisecting over the graph's ops (each half compiled with its
/// ops' values as results), and throws kiln::Error naming that op, its call
/// site, and the largest absolute and relative errors. Off by default; off,
/// it costs nothing. Takes effect for the calls made after it is set.
void set_shadow_check(bool enabled, double rtol = 1e-4, double atol = 1e-5);
bool shadow_checks();

/// Where Kiln's warnings go (by default, standard error).
void set_warning_handler(std::function<void(const std::string &)> handler);

/// How many signatures a Function keeps compiled code for by default
/// (Function::set_cache_limit).
constexpr size_t kDefaultCacheLimit = 64;

/// How a Function traces (`kiln::function(callable, options)`), as
/// tf.function's arguments.
struct FunctionOptions {
  /// The name of the graph function (in the IR, graph files, warnings).
  std::string name = "graph";
  /// If not empty, one spec per tensor argument, in order: every call must
  /// match it (dtype, rank, and the size of each static dimension; a
  /// kDynamic dimension takes any size), and all calls share one trace and
  /// one compiled function. A call that does not match throws kiln::Error
  /// naming the argument.
  std::vector<TensorSpec> input_signature;
  /// After a retrace caused only by changed dimension sizes, those
  /// dimensions become dynamic, so that a third size does not retrace (TF's
  /// reduce_retracing, torch.compile's automatic dynamic shapes). Sizes 0
  /// and 1 stay static: a call with one of them traces a signature of its
  /// own, which keeps broadcasting unambiguous.
  bool reduce_retracing = false;
};

class LoweredImpl;

/// The compiled artifact of one signature of a Function: its IR at every
/// stage of the lowering.
class Lowered {
public:
  explicit Lowered(std::shared_ptr<const LoweredImpl> impl);
  /// The text of `stage`: MLIR for Kiln, Linalg, Loops and LLVM, LLVM IR
  /// optimized for LLVMIR, host assembly for Asm. With `locations`, MLIR
  /// stages print each op's source location (the C++ call site of a traced
  /// op, `loc("file.cpp":12:7)`).
  std::string ir(Stage stage, bool locations = false) const;
  /// The name of the graph function.
  std::string name() const;
  /// Where the compile of this signature spent its time, step by step, in
  /// order: "trace" (running the callable on traced tensors), one step per
  /// MLIR stage ("kiln", "linalg", "loops", "llvm"), then "translate" (to
  /// LLVM IR), "llvm-optimize", "llvm-codegen" (both summed over the parts
  /// LLVM compiled on separate threads) and "link".
  std::vector<CompileStep> compile_times() const;

private:
  std::shared_ptr<const LoweredImpl> impl_;
};

namespace detail {

/// What the last shadow check on this thread found when the results agreed
/// ("2 results agree with the interpreter (max abs error 2.09e-07, max rel
/// error 3.8e-06; rtol 0.0001, atol 1e-05)"), for `kilnc run --compare`;
/// empty before the first.
std::string lastShadowCheck();

/// The signature of one call: the tensor arguments' shapes and dtypes and
/// the printed values of the other arguments.
struct CallSignature {
  std::vector<std::pair<Shape, DType>> tensors;
  /// For each non-tensor argument: its position and printed value.
  std::vector<std::pair<size_t, std::string>> constants;
  /// Position of each tensor argument among all arguments.
  std::vector<size_t> tensorPositions;
};

/// Runs the callable on traced tensors and returns its flattened outputs. A
/// non-owning reference to a callable that outlives the call it is passed to
/// (it is made on every call of a Function, so it must not allocate).
class TraceBody {
public:
  template <typename F, typename = std::enable_if_t<
                            !std::is_same_v<std::decay_t<F>, TraceBody>>>
  TraceBody(const F &body)
      : body_(&body),
        call_([](const void *body, const std::vector<Tensor> &traced) {
          return (*static_cast<const F *>(body))(traced);
        }) {}
  std::vector<Tensor> operator()(const std::vector<Tensor> &traced) const {
    return call_(body_, traced);
  }

private:
  const void *body_;
  std::vector<Tensor> (*call_)(const void *, const std::vector<Tensor> &);
};

/// The type-erased core of a Function: the cache of compiled signatures,
/// tracing and compilation (lib/API/Function.cpp).
class FunctionCore {
public:
  explicit FunctionCore(FunctionOptions options);
  ~FunctionCore();

  std::vector<Tensor> call(const CallSignature &signature,
                           const std::vector<Tensor> &tensors,
                           const TraceBody &body);
  void callInto(const CallSignature &signature,
                const std::vector<Tensor> &tensors, const TraceBody &body,
                const std::vector<Tensor> &outputs);
  /// call_into when functions run eagerly: checks `outputs` as callInto
  /// does and copies `results` into them.
  void copyResultsInto(const std::vector<Tensor> &results,
                       const std::vector<Tensor> &tensors,
                       const std::vector<Tensor> &outputs);
  Lowered lower(const CallSignature &signature, const TraceBody &body);
  void save(const std::string &path, const CallSignature &signature,
            const TraceBody &body);
  int traceCount() const;
  size_t cacheSize() const;
  void setCacheLimit(size_t limit);
  size_t cacheLimit() const;
  void clearCache();
  std::string lastRetraceReason() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

template <typename T>
constexpr bool isTensorArg = std::is_same_v<std::decay_t<T>, Tensor>;

/// A non-tensor argument is a constant of the trace: part of the signature,
/// compared by its printed value, so it must print with operator<<.
template <typename T>
constexpr bool isConstantArg = requires(std::ostream &os, const T &value) {
  os << value;
};

template <typename T> constexpr bool alwaysFalse = false;

template <typename T> std::string printArg(const T &value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else {
    std::ostringstream os;
    os.precision(17);
    os << value;
    return os.str();
  }
}

/// Outputs of a callable, flattened to a vector of tensors and back.
template <typename R> struct Outputs {
  static_assert(alwaysFalse<R>,
                "a traced function returns a kiln::Tensor, a "
                "std::vector<kiln::Tensor>, a std::tuple or std::pair of "
                "kiln::Tensor, or a std::pair of a kiln::Tensor and a "
                "std::vector<kiln::Tensor> (value_and_grad's); return a number "
                "as a rank-0 tensor "
                "(kiln::constant) and read it with item<T>() after the call");
  static std::vector<Tensor> flatten(const R &);
  static R unflatten(std::vector<Tensor>);
};
template <> struct Outputs<Tensor> {
  static std::vector<Tensor> flatten(const Tensor &t) { return {t}; }
  static Tensor unflatten(std::vector<Tensor> v) { return v.at(0); }
};
template <> struct Outputs<std::vector<Tensor>> {
  static std::vector<Tensor> flatten(std::vector<Tensor> v) { return v; }
  static std::vector<Tensor> unflatten(std::vector<Tensor> v) { return v; }
};
template <typename... Ts> struct Outputs<std::tuple<Ts...>> {
  static_assert((isTensorArg<Ts> && ...),
                "a traced function returns tensors only");
  static std::vector<Tensor> flatten(const std::tuple<Ts...> &t) {
    return std::apply(
        [](const auto &...x) { return std::vector<Tensor>{x...}; }, t);
  }
  static std::tuple<Ts...> unflatten(std::vector<Tensor> v) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return std::tuple<Ts...>{v.at(I)...};
    }
    (std::index_sequence_for<Ts...>{});
  }
};
/// value_and_grad's {value, gradients}: the value, then each gradient.
template <> struct Outputs<std::pair<Tensor, std::vector<Tensor>>> {
  static std::vector<Tensor>
  flatten(const std::pair<Tensor, std::vector<Tensor>> &p) {
    std::vector<Tensor> v = {p.first};
    v.insert(v.end(), p.second.begin(), p.second.end());
    return v;
  }
  static std::pair<Tensor, std::vector<Tensor>>
  unflatten(std::vector<Tensor> v) {
    return {v.at(0), std::vector<Tensor>(v.begin() + 1, v.end())};
  }
};
template <typename A, typename B> struct Outputs<std::pair<A, B>> {
  static std::vector<Tensor> flatten(const std::pair<A, B> &p) {
    return {p.first, p.second};
  }
  static std::pair<A, B> unflatten(std::vector<Tensor> v) {
    return {v.at(0), v.at(1)};
  }
};

} // namespace detail

/// A traced, compiled callable; see `kiln::function`. Cheap to copy (copies
/// share the cache of compiled signatures) and safe to call from many
/// threads: each signature is traced and compiled once.
template <typename F> class Function {
public:
  Function(F callable, FunctionOptions options)
      : callable_(std::make_shared<F>(std::move(callable))),
        core_(std::make_shared<detail::FunctionCore>(std::move(options))) {}

  /// Runs the compiled code for this signature (tracing and compiling it on
  /// the first call), or the callable itself if functions run eagerly.
  template <typename... Args> auto operator()(const Args &...args) const {
    using R = std::decay_t<std::invoke_result_t<F &, const Args &...>>;
    auto [signature, tensors] = signatureOf(args...);
    // Eagerly on request; and a Function called inside another one's trace
    // is inlined into that trace.
    if (functions_run_eagerly() || trace::recorderFor(tensors))
      return (*callable_)(args...);
    std::vector<Tensor> outputs =
        core_->call(signature, tensors, bodyFor<R>(args...));
    return detail::Outputs<R>::unflatten(std::move(outputs));
  }

  /// Runs the compiled code like operator(), but writes the results into
  /// `outputs`, tensors the host provides (one per result, in order: the
  /// result's dtype and shape, contiguous, overlapping no argument), instead
  /// of new tensors; e.g. `from_blob` views of the host's own buffers. A
  /// loop that calls it with the same outputs allocates nothing. Throws
  /// kiln::Error naming the output that does not fit.
  template <typename... Args>
  void call_into(const std::vector<Tensor> &outputs,
                 const Args &...args) const {
    using R = std::decay_t<std::invoke_result_t<F &, const Args &...>>;
    auto [signature, tensors] = signatureOf(args...);
    if (trace::recorderFor(tensors))
      throw Error("call_into: cannot write into host tensors inside a trace "
                  "(call the Function instead)");
    if (functions_run_eagerly()) {
      core_->copyResultsInto(detail::Outputs<R>::flatten((*callable_)(args...)),
                             tensors, outputs);
      return;
    }
    core_->callInto(signature, tensors, bodyFor<R>(args...), outputs);
  }

  /// The compiled artifact for the signature of `args`.
  template <typename... Args> Lowered lower(const Args &...args) const {
    using R = std::decay_t<std::invoke_result_t<F &, const Args &...>>;
    auto [signature, tensors] = signatureOf(args...);
    return core_->lower(signature, bodyFor<R>(args...));
  }

  /// Writes the graph traced for the signature of `args` to `path`, a graph
  /// file that kiln-opt, kilnc and kiln::load read.
  template <typename... Args>
  void save(const std::string &path, const Args &...args) const {
    using R = std::decay_t<std::invoke_result_t<F &, const Args &...>>;
    auto [signature, tensors] = signatureOf(args...);
    core_->save(path, signature, bodyFor<R>(args...));
  }

  /// How many times the callable has been traced.
  int trace_count() const { return core_->traceCount(); }
  /// How many signatures have compiled code.
  size_t cache_size() const { return core_->cacheSize(); }
  /// Keeps compiled code for at most `limit` signatures (at least 1; the
  /// default is kiln::kDefaultCacheLimit): compiling one more evicts the
  /// least recently called. Lowering it evicts at once.
  void set_cache_limit(size_t limit) const { core_->setCacheLimit(limit); }
  size_t cache_limit() const { return core_->cacheLimit(); }
  /// Releases the compiled code of every signature (calls running it finish
  /// first); the next call of each signature traces and compiles again.
  void clear_cache() const { core_->clearCache(); }
  /// Why the last trace after the first happened, against the closest
  /// signature traced before it (the fewest changes), e.g. "arg 0: dim 0
  /// 3 -> 5; arg 1: dtype float32 -> float64"; empty before the second
  /// trace.
  std::string last_retrace_reason() const { return core_->lastRetraceReason(); }

private:
  template <typename... Args>
  static std::pair<detail::CallSignature, std::vector<Tensor>>
  signatureOf(const Args &...args) {
    detail::CallSignature signature;
    std::vector<Tensor> tensors;
    size_t position = 0;
    auto add = [&](const auto &arg) {
      using Arg = std::decay_t<decltype(arg)>;
      static_assert(detail::isTensorArg<Arg> || detail::isConstantArg<Arg>,
                    "a traced function takes kiln::Tensor arguments (traced) "
                    "and constants that print with operator<< (numbers, "
                    "bools, strings: one trace per value); pass each tensor "
                    "of a container as an argument of its own");
      if constexpr (detail::isTensorArg<decltype(arg)>) {
        signature.tensors.push_back({arg.shape(), arg.dtype()});
        signature.tensorPositions.push_back(position);
        tensors.push_back(arg);
      } else {
        signature.constants.push_back({position, detail::printArg(arg)});
      }
      ++position;
    };
    (add(args), ...);
    return {std::move(signature), std::move(tensors)};
  }

  /// The trace body: calls the callable with traced tensors in place of the
  /// tensor arguments and the other arguments as given.
  template <typename R, typename... Args>
  auto bodyFor(const Args &...args) const {
    return [callable = callable_.get(),
            args = std::tuple<const Args &...>(args...)](
               const std::vector<Tensor> &traced) {
      // Index of each tensor argument among the traced tensors.
      std::array<size_t, sizeof...(Args)> index{};
      size_t next = 0, position = 0;
      ((index[position++] = detail::isTensorArg<Args> ? next++ : 0), ...);
      R result = [&]<size_t... I>(std::index_sequence<I...>) {
        return (*callable)(pick<Args>(std::get<I>(args), traced, index[I])...);
      }
      (std::index_sequence_for<Args...>{});
      return detail::Outputs<R>::flatten(result);
    };
  }

  template <typename A>
  static const A &pick(const A &arg, const std::vector<Tensor> &traced,
                       size_t i) {
    if constexpr (detail::isTensorArg<A>)
      return traced[i];
    else
      return arg;
  }

  std::shared_ptr<F> callable_;
  std::shared_ptr<detail::FunctionCore> core_;
};

/// Traces and compiles `callable` per input signature; see Function.
template <typename F>
Function<std::decay_t<F>> function(F &&callable, std::string name = "graph") {
  FunctionOptions options;
  options.name = std::move(name);
  return Function<std::decay_t<F>>(std::forward<F>(callable),
                                   std::move(options));
}

/// Traces and compiles `callable` as `options` say: with an input signature
/// (dynamic dimensions), or reducing retraces.
///
///   auto f = kiln::function(mlp, {.name = "mlp",
///                                 .input_signature = {
///                                     kiln::TensorSpec({kiln::kDynamic,
///                                     1024}),
///                                     ...}});
template <typename F>
Function<std::decay_t<F>> function(F &&callable, FunctionOptions options) {
  return Function<std::decay_t<F>>(std::forward<F>(callable),
                                   std::move(options));
}

} // namespace kiln

#endif // KILN_FUNCTION_H
