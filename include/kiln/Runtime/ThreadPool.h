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

/// Runs `body(t)` once for each t in [0, count) (count: typically
/// get_num_threads()), t = 0 on the calling thread and t > 0 on the pool's
/// worker t - 1, so that an index names the same thread in every call.
/// Kernels that split their data the same way in consecutive calls thus keep
/// each part in the caches of the core that wrote it (on this project's
/// machine the two cores share no cache: a line written by one costs the
/// other about 230 ns). Indices the pool cannot give a thread of their own
/// (the pool is busy with another host thread's job, the call is nested in
/// a parallel region, or count exceeds the threads) run on the caller, in
/// order. Exceptions as in parallel_for.
void parallel_for_each_thread(int count, const std::function<void(int)> &body);

} // namespace kiln

#endif // KILN_RUNTIME_THREADPOOL_H
