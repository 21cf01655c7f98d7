//===- ThreadPool.h - The eager runtime's thread pool ----------*- C++ -*-===//
//
// One persistent pool of worker threads serves every big kernel (no thread is
// spawned per op). Its size defaults to the cores available to the process:
// the sched_getaffinity mask, capped by a cgroup CPU quota (cgroup v2
// `cpu.max`, or v1 `cpu.cfs_quota_us / cpu.cfs_period_us`), rounded up.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_THREADPOOL_H
#define KILN_RUNTIME_THREADPOOL_H

#include <cstdint>
#include <functional>

namespace kiln {

/// Sets the number of threads kernels may use (including the caller);
/// `n <= 0` restores the default. Takes effect for the next parallel kernel.
void set_num_threads(int n);

/// The number of threads kernels use.
int get_num_threads();

/// The default thread count: CPUs in the affinity mask, capped by the cgroup
/// CPU quota.
int default_num_threads();

/// Runs `body(begin, end)` over disjoint chunks covering [begin, end), each
/// of at least `grain` iterations (except the last), on the pool and the
/// calling thread; returns when all chunks are done. Runs inline when the
/// range is one chunk, when one thread is configured, or when called from
/// inside another parallel_for. The first exception thrown by a chunk is
/// rethrown in the caller after all chunks have finished.
void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)> &body);

} // namespace kiln

#endif // KILN_RUNTIME_THREADPOOL_H
