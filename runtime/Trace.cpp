//===- Trace.cpp - The hook through which eager ops are traced ------------===//

#include "kiln/Runtime/Trace.h"

#include "kiln/Runtime/Error.h"

using namespace kiln;
using namespace kiln::trace;

namespace {
thread_local Recorder *active = nullptr;
thread_local const std::source_location *callSite = nullptr;

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
Value::~Value() = default;

Recorder *trace::activeRecorder() { return active; }

CallSite::CallSite(const std::source_location &loc) : owner_(!callSite) {
  if (owner_)
    callSite = &loc;
}

CallSite::~CallSite() {
  if (owner_)
    callSite = nullptr;
}

const std::source_location *CallSite::current() { return callSite; }

CallSiteBoundary::CallSiteBoundary() : saved_(callSite) { callSite = nullptr; }

CallSiteBoundary::~CallSiteBoundary() { callSite = saved_; }

ScopedRecorder::ScopedRecorder(Recorder *recorder) : previous_(active) {
  active = recorder;
}

ScopedRecorder::~ScopedRecorder() { active = previous_; }

Recorder *trace::recorderFor(std::initializer_list<const Tensor *> operands) {
  bool anyTraced = false;
  for (const Tensor *t : operands)
    anyTraced |= t && t->is_traced();
  return recorderForTraced(anyTraced);
}

Recorder *trace::recorderFor(const std::vector<Tensor> &operands) {
  bool anyTraced = false;
  for (const Tensor &t : operands)
    anyTraced |= t.is_traced();
  return recorderForTraced(anyTraced);
}
