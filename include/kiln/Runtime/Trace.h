//===- Trace.h - The hook through which eager ops are traced ---*- C++ -*-===//
//
// While `kiln::function` traces a callable, the tensors it passes in are
// *traced*: they have a shape and a dtype but no elements, and stand for a
// value of the graph being built. Every eager op checks its operands as usual
// (so a traced program gets exactly the errors eager mode gives), and then,
// if any operand is traced, hands the call to the active `Recorder` instead
// of running a kernel. The recorder (lib/Trace) adds the op to the graph and
// returns a traced tensor for its result.
//
// This header is part of the MLIR-free runtime: it knows nothing of graphs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_TRACE_H
#define KILN_RUNTIME_TRACE_H

#include "kiln/Runtime/Tensor.h"

#include <functional>
#include <initializer_list>
#include <memory>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kiln::trace {

/// A graph value a traced tensor stands for; subclassed by the recorder.
struct Value {
  virtual ~Value();
};

/// An attribute of a traced op: an axis, a flag, a list of integers (axes,
/// permutation, shape), a floating value, a dtype or a keyword (scatter's
/// reduction).
using AttrValue = std::variant<int64_t, bool, double, std::vector<int64_t>,
                               DType, std::string>;
using Attrs = std::vector<std::pair<std::string_view, AttrValue>>;

/// One eager op call that was checked and is to be recorded.
struct OpCall {
  /// The eager op's name, as in Ops.h ("add", "reduce_sum", "logical_and").
  std::string_view op;
  std::vector<Tensor> operands;
  Attrs attrs;
  /// The result's shape and dtype, as the eager op computed them.
  Shape shape;
  DType dtype;
};

/// The body of a region of a control-flow op (kiln/Runtime/Control.h): given
/// the tensors standing for the region's arguments, returns the tensors it
/// yields.
using RegionBody =
    std::function<std::vector<Tensor>(const std::vector<Tensor> &)>;

/// Where a control-flow op was called, and which one ("cond",
/// "while_loop"...), for its errors.
struct ControlSite {
  std::string_view op;
  std::source_location location;
};

/// Builds the graph of a trace; implemented outside the runtime.
class Recorder {
public:
  virtual ~Recorder();
  /// Records `call` and returns a traced tensor for its result.
  virtual Tensor record(const OpCall &call) = 0;

  /// Records a kiln.if on the bool scalar `condition`; both bodies take no
  /// arguments and must yield the same types.
  virtual std::vector<Tensor> recordIf(const ControlSite &site,
                                       const Tensor &condition,
                                       const RegionBody &thenBody,
                                       const RegionBody &elseBody) = 0;
  /// Records a kiln.for over [lower, upper) (int64 scalars) from the carry
  /// `init`; the body takes the index and the carry and yields the carry.
  virtual std::vector<Tensor>
  recordFor(const ControlSite &site, const Tensor &lower, const Tensor &upper,
            const std::vector<Tensor> &init, const RegionBody &body) = 0;
  /// Records a kiln.while from the carry `init`: `condition` takes the carry
  /// and yields a bool scalar, `body` takes it and yields the next carry.
  virtual std::vector<Tensor> recordWhile(const ControlSite &site,
                                          const std::vector<Tensor> &init,
                                          const RegionBody &condition,
                                          const RegionBody &body) = 0;
  /// Records a kiln.scan of `xs` (each of rank 1 or more) from the carry
  /// `init`: `body` takes the carry and one slice of each of `xs` and yields
  /// the next carry and the output slices. Returns the last carry and the
  /// stacked outputs.
  virtual std::vector<Tensor> recordScan(const ControlSite &site,
                                         const std::vector<Tensor> &init,
                                         const std::vector<Tensor> &xs,
                                         const RegionBody &body) = 0;
  /// Records a kiln.print of `x` (kiln::print).
  virtual void recordPrint(const Tensor &x, std::string_view label) = 0;
  /// Records the gradient of `target` (the gradient of its sum if it is
  /// not a scalar) with respect to each of `sources`, tensors of this
  /// recording (kiln::GradientTape::gradient, kiln/Autodiff.h). A source
  /// `target` does not depend on gets zeros.
  virtual std::vector<Tensor>
  recordGradient(const Tensor &target, const std::vector<Tensor> &sources);
  /// Whether this recorder, as the tape of kiln::GradientTape, records the
  /// ops of host tensor `t` (a watched tensor, or one computed from one).
  virtual bool watches(const Tensor &t) const;
};

/// Marks the source location of the public op being called on this thread.
/// Ops create one on entry; the outermost one wins, so ops that other ops
/// call internally do not hide the user's call site. The recorder reads it
/// to give each recorded op the user's file and line.
///
/// With `kiln::set_check_numerics(true)` the outermost one also checks the
/// op's result when the op returns: it notes the floating-point tensors
/// allocated while the op runs, and those still alive when it returns (the
/// result; temporaries are gone) must hold no NaN or Inf, or its destructor
/// throws kiln::Error naming `op`, the call site, the shape and the count.
class CallSite {
public:
  CallSite(std::string_view op, const std::source_location &loc);
  ~CallSite() noexcept(false);
  CallSite(const CallSite &) = delete;
  CallSite &operator=(const CallSite &) = delete;

  /// The location of the outermost op call on this thread, if any.
  static const std::source_location *current();

  /// What the numerics check of one op call notes (Trace.cpp).
  struct Checks;

private:
  bool owner_;
  std::string_view op_;
  std::unique_ptr<Checks> checks_;
};

/// Called by Tensor::empty: notes a new tensor for the numerics check of
/// the op running on this thread, if any.
void noteAllocation(const std::shared_ptr<void> &storage, DType dtype,
                    const Shape &shape);

/// Makes the ops called inside its scope record their own call sites, even
/// inside an op call that marked one (a kiln::cond whose branches are
/// traced).
class CallSiteBoundary {
public:
  CallSiteBoundary();
  ~CallSiteBoundary();
  CallSiteBoundary(const CallSiteBoundary &) = delete;
  CallSiteBoundary &operator=(const CallSiteBoundary &) = delete;

private:
  const std::source_location *saved_;
  void *savedChecks_;
};

/// The recorder active on this thread, if any.
Recorder *activeRecorder();

/// Makes `recorder` the active one on this thread for the scope's lifetime.
class ScopedRecorder {
public:
  explicit ScopedRecorder(Recorder *recorder);
  ~ScopedRecorder();
  ScopedRecorder(const ScopedRecorder &) = delete;
  ScopedRecorder &operator=(const ScopedRecorder &) = delete;

private:
  Recorder *previous_;
};

/// The recorder of the innermost kiln::GradientTape recording on this
/// thread, if any: eager ops on host tensors it `watches` are recorded by it
/// (it runs them and remembers them) instead of run directly.
Recorder *activeTape();

/// Makes `tape` the active tape on this thread for the scope's lifetime
/// (null: none, e.g. while the tape runs an op itself).
class ScopedTape {
public:
  explicit ScopedTape(Recorder *tape);
  ~ScopedTape();
  ScopedTape(const ScopedTape &) = delete;
  ScopedTape &operator=(const ScopedTape &) = delete;

private:
  Recorder *previous_;
};

/// The recorder that must record an op on `operands`: the active one when
/// any operand is traced, else the active tape if it watches an operand,
/// else null (the op runs eagerly). Throws kiln::Error
/// if an operand is traced but no trace is active on this thread (a traced
/// tensor escaped its `kiln::function`).
Recorder *recorderFor(std::initializer_list<const Tensor *> operands);
Recorder *recorderFor(const std::vector<Tensor> &operands);

} // namespace kiln::trace

#endif // KILN_RUNTIME_TRACE_H
