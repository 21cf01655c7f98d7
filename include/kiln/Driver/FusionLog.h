//===- FusionLog.h - Observing the fusion policy's decisions ---*- C++ -*-===//
//
// The fusion pass (lib/Transforms/FuseElementwise.cpp) reports each decision
// of its policy here; `kilnc emit --dump-dir/--dot` installs an observer to
// record which linalg ops fused. Header-only, so that the pass needs no link
// dependency on the driver library. No observer is installed by default and
// reporting then costs one atomic load.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_FUSIONLOG_H
#define KILN_DRIVER_FUSIONLOG_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringRef.h"

#include <atomic>
#include <functional>
#include <mutex>

namespace kiln::fusion_log {

/// Called for each producer-consumer pair the policy was asked about, with
/// the decision and its reason.
using Observer =
    std::function<void(mlir::Operation *producer, mlir::Operation *consumer,
                       bool fused, llvm::StringRef reason)>;

namespace detail {
struct Slot {
  std::mutex mutex;
  std::atomic<bool> active{false};
  Observer observer;
};
inline Slot &slot() {
  static Slot slot;
  return slot;
}
} // namespace detail

/// Reports one decision to the observer, if any.
inline void report(mlir::Operation *producer, mlir::Operation *consumer,
                   bool fused, llvm::StringRef reason) {
  detail::Slot &slot = detail::slot();
  if (!slot.active.load(std::memory_order_acquire))
    return;
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (slot.observer)
    slot.observer(producer, consumer, fused, reason);
}

/// Installs `observer` for its lifetime (one at a time per process).
class ScopedObserver {
public:
  explicit ScopedObserver(Observer observer) {
    detail::Slot &slot = detail::slot();
    std::lock_guard<std::mutex> lock(slot.mutex);
    slot.observer = std::move(observer);
    slot.active.store(true, std::memory_order_release);
  }
  ~ScopedObserver() {
    detail::Slot &slot = detail::slot();
    std::lock_guard<std::mutex> lock(slot.mutex);
    slot.active.store(false, std::memory_order_release);
    slot.observer = nullptr;
  }
  ScopedObserver(const ScopedObserver &) = delete;
  ScopedObserver &operator=(const ScopedObserver &) = delete;
};

} // namespace kiln::fusion_log

#endif // KILN_DRIVER_FUSIONLOG_H
