//===- Trace.cpp - The hook through which eager ops are traced ------------===//

#include "kiln/Runtime/Trace.h"

#include "kiln/Runtime/Debug.h"
#include "kiln/Runtime/Error.h"

#include <exception>

using namespace kiln;
using namespace kiln::trace;

namespace {
thread_local Recorder *active = nullptr;
thread_local const std::source_location *callSite = nullptr;

thread_local Recorder *tape = nullptr;

Recorder *recorderForTraced(bool anyTraced) {
  if (!anyTraced)
    return nullptr;
  if (!active)
    throw Error("a traced tensor was used outside the kiln::function that "
                "traced it; traced tensors have no value (return the tensor "
                "from the function to get one)");
  return active;
}
} // namespace

Recorder::~Recorder() = default;

std::vector<Tensor> Recorder::recordGradient(const Tensor &,
                                             const std::vector<Tensor> &) {
  throw Error("gradient: this recording cannot differentiate");
}

bool Recorder::watches(const Tensor &) const { return false; }

Recorder *trace::activeTape() { return tape; }

ScopedTape::ScopedTape(Recorder *recorder) : previous_(tape) {
  tape = recorder;
}

ScopedTape::~ScopedTape() { tape = previous_; }
Value::~Value() = default;

Recorder *trace::activeRecorder() { return active; }

/// The tensors allocated while the outermost op of a numerics-checked call
/// runs (trace::CallSite).
struct CallSite::Checks {
  struct Allocation {
    std::weak_ptr<void> storage;
    DType dtype;
    Shape shape;
  };
  std::vector<Allocation> allocations;
  int exceptions = std::uncaught_exceptions();
};

namespace {
thread_local CallSite::Checks *checks = nullptr;
} // namespace

CallSite::CallSite(std::string_view op, const std::source_location &loc)
    : owner_(!callSite), op_(op) {
  if (!owner_)
    return;
  callSite = &loc;
  if (kiln::detail::eagerNumericsChecksOn()) {
    checks_ = std::make_unique<Checks>();
    checks = checks_.get();
  }
}

CallSite::~CallSite() noexcept(false) {
  if (!owner_)
    return;
  const std::source_location *loc = callSite;
  callSite = nullptr;
  if (!checks_)
    return;
  checks = nullptr;
  // An op that throws is not checked; its error goes on.
  if (std::uncaught_exceptions() > checks_->exceptions)
    return;
  for (const Checks::Allocation &allocation : checks_->allocations) {
    std::shared_ptr<void> storage = allocation.storage.lock();
    if (!storage)
      continue; // a temporary of the op
    Tensor result(storage, allocation.dtype, allocation.shape,
                  Tensor::contiguousStrides(allocation.shape), 0);
    kiln::detail::checkNumerics(result, op_,
                                kiln::detail::formatCallSite(*loc));
  }
}

void trace::noteAllocation(const std::shared_ptr<void> &storage, DType dtype,
                           const Shape &shape) {
  if (checks)
    checks->allocations.push_back({storage, dtype, shape});
}

const std::source_location *CallSite::current() { return callSite; }

CallSiteBoundary::CallSiteBoundary() : saved_(callSite), savedChecks_(checks) {
  callSite = nullptr;
  checks = nullptr;
}

CallSiteBoundary::~CallSiteBoundary() {
  callSite = saved_;
  checks = static_cast<CallSite::Checks *>(savedChecks_);
}

ScopedRecorder::ScopedRecorder(Recorder *recorder) : previous_(active) {
  active = recorder;
}

ScopedRecorder::~ScopedRecorder() { active = previous_; }

Recorder *trace::recorderFor(std::initializer_list<const Tensor *> operands) {
  bool anyTraced = false;
  for (const Tensor *t : operands)
    anyTraced |= t && t->is_traced();
  if (!anyTraced && tape)
    for (const Tensor *t : operands)
      if (t && tape->watches(*t))
        return tape;
  return recorderForTraced(anyTraced);
}

Recorder *trace::recorderFor(const std::vector<Tensor> &operands) {
  bool anyTraced = false;
  for (const Tensor &t : operands)
    anyTraced |= t.is_traced();
  if (!anyTraced && tape)
    for (const Tensor &t : operands)
      if (tape->watches(t))
        return tape;
  return recorderForTraced(anyTraced);
}
