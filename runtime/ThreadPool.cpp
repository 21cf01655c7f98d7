//===- ThreadPool.cpp - The eager runtime's thread pool -------------------===//

#include "kiln/Runtime/ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <mutex>
#include <sched.h>
#include <string>
#include <thread>
#include <vector>

namespace kiln {

namespace {

/// The CPU quota of the cgroup, in CPUs (0 when unlimited or unknown).
double cgroupCpuQuota() {
  // cgroup v2: "max 100000" or "<quota> <period>".
  std::ifstream v2("/sys/fs/cgroup/cpu.max");
  std::string quota;
  double period;
  if (v2 >> quota >> period) {
    if (quota != "max" && period > 0)
      return std::stod(quota) / period;
    return 0;
  }
  // cgroup v1.
  std::ifstream q("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
  std::ifstream p("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  double quotaUs, periodUs;
  if (q >> quotaUs && p >> periodUs && quotaUs > 0 && periodUs > 0)
    return quotaUs / periodUs;
  return 0;
}

thread_local bool insideParallelRegion = false;

/// How long a worker spins for the next job, and the caller for the
/// workers to finish, before sleeping on a condition variable. Compiled code
/// and the GEMM run many short parallel loops back to back; on a virtual
/// machine each futex sleep and wake-up costs tens of microseconds, which
/// is what a loop of a few hundred microseconds lost to the pool before.
/// (OpenMP runtimes spin for the same reason, for 200 ms by default.)
constexpr std::chrono::microseconds kSpin{200};

/// Calls `ready()` until it is true or kSpin has passed; true if it became
/// true.
template <typename F> bool spinUntil(F ready) {
  auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    if (ready())
      return true;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 64 == 63 && std::chrono::steady_clock::now() > deadline)
      return false;
  }
}

/// A persistent pool. One parallel job runs at a time; callers that find the
/// pool busy (another host thread is using it) run their job inline. Idle
/// workers spin for kSpin before they sleep.
class Pool {
public:
  static Pool &get() {
    static Pool pool;
    return pool;
  }

  int numThreads() const { return numThreads_.load(); }
  void setNumThreads(int n) {
    numThreads_.store(n > 0 ? n : default_num_threads());
  }

  /// Runs chunk(c) for every c in [0, numChunks) on the caller and the
  /// workers. With `pinned`, chunk c runs on thread c (0: the caller, c:
  /// worker c - 1), and chunks past the job's workers on the caller;
  /// without, the threads take chunks in turn until none are left.
  void run(int64_t numChunks, const std::function<void(int64_t)> &chunk,
           bool pinned = false) {
    std::unique_lock<std::mutex> jobLock(jobMutex_, std::try_to_lock);
    int helpers = std::min<int64_t>(numThreads() - 1, numChunks - 1);
    if (!jobLock.owns_lock() || helpers <= 0) {
      runInline(numChunks, chunk);
      return;
    }
    ensureWorkers(helpers);
    bool sleepers;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &chunk;
      numChunks_ = numChunks;
      pinned_ = pinned;
      nextChunk_.store(0);
      activeHelpers_.store(helpers);
      jobHelpers_.store(helpers);
      error_ = nullptr;
      // Publishes the job to spinning workers (which read it after seeing
      // the new generation) and to sleeping ones (under the mutex).
      generation_.fetch_add(1, std::memory_order_release);
      sleepers = sleepers_ > 0;
    }
    if (sleepers)
      wake_.notify_all();
    work(0);
    auto finished = [&] {
      return activeHelpers_.load(std::memory_order_acquire) == 0;
    };
    if (!spinUntil(finished)) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, finished);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = nullptr;
    if (error_)
      std::rethrow_exception(error_);
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
    for (std::thread &t : workers_)
      t.join();
  }

private:
  Pool() { numThreads_.store(default_num_threads()); }

  static void runInline(int64_t numChunks,
                        const std::function<void(int64_t)> &chunk) {
    bool saved = insideParallelRegion;
    insideParallelRegion = true;
    try {
      for (int64_t c = 0; c < numChunks; ++c)
        chunk(c);
    } catch (...) {
      insideParallelRegion = saved;
      throw;
    }
    insideParallelRegion = saved;
  }

  void ensureWorkers(int n) {
    while ((int)workers_.size() < n) {
      int index = workers_.size();
      workers_.emplace_back([this, index] { workerLoop(index); });
    }
  }

  /// Runs the chunks thread `self` (0: the caller) is to run: its own in a
  /// pinned job, else chunks taken in turn until none are left.
  void work(int self) {
    bool saved = insideParallelRegion;
    insideParallelRegion = true;
    auto runChunk = [&](int64_t c) {
      try {
        (*job_)(c);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_)
          error_ = std::current_exception();
      }
    };
    if (pinned_) {
      if (self < numChunks_)
        runChunk(self);
      // Chunks of threads the pool does not have (the thread count was
      // lowered since the caller asked for it) run on the caller.
      if (self == 0)
        for (int64_t c = jobHelpers_.load() + 1; c < numChunks_; ++c)
          runChunk(c);
    } else {
      for (;;) {
        int64_t c = nextChunk_.fetch_add(1);
        if (c >= numChunks_)
          break;
        runChunk(c);
      }
    }
    insideParallelRegion = saved;
  }

  void workerLoop(int index) {
    uint64_t seen = 0;
    // Only the first `jobHelpers_` workers of a job take part.
    auto hasJob = [&] {
      return generation_.load(std::memory_order_acquire) != seen &&
             index < jobHelpers_.load(std::memory_order_acquire);
    };
    for (;;) {
      if (!spinUntil([&] { return hasJob() || stop_.load(); })) {
        std::unique_lock<std::mutex> lock(mutex_);
        ++sleepers_;
        wake_.wait(lock, [&] { return stop_.load() || hasJob(); });
        --sleepers_;
      }
      if (stop_.load())
        return;
      seen = generation_.load(std::memory_order_acquire);
      work(index + 1);
      if (activeHelpers_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // The caller may be asleep; the mutex orders this notification
        // after its check of activeHelpers_.
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  std::atomic<int> numThreads_{1};
  std::mutex jobMutex_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t)> *job_ = nullptr;
  int64_t numChunks_ = 0;
  bool pinned_ = false; // written under mutex_ with job_
  std::atomic<int64_t> nextChunk_{0};
  std::atomic<int> activeHelpers_{0};
  std::atomic<int> jobHelpers_{0};
  std::atomic<uint64_t> generation_{0};
  int sleepers_ = 0; // workers waiting on wake_, under mutex_
  std::exception_ptr error_;
  std::atomic<bool> stop_{false};
};

} // namespace

int default_num_threads() {
  int n = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    n = std::max(1, CPU_COUNT(&set));
  double quota = cgroupCpuQuota();
  if (quota > 0)
    n = std::max(1, std::min(n, static_cast<int>(std::ceil(quota))));
  return n;
}

void set_num_threads(int n) { Pool::get().setNumThreads(n); }

int get_num_threads() { return Pool::get().numThreads(); }

void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)> &body) {
  if (end <= begin)
    return;
  grain = std::max<int64_t>(grain, 1);
  int64_t n = end - begin;
  int threads = insideParallelRegion ? 1 : get_num_threads();
  // A few chunks per thread balance uneven chunks without much overhead.
  int64_t numChunks =
      std::min<int64_t>((n + grain - 1) / grain, int64_t(threads) * 4);
  if (numChunks <= 1 || threads <= 1) {
    body(begin, end);
    return;
  }
  int64_t chunkSize = (n + numChunks - 1) / numChunks;
  numChunks = (n + chunkSize - 1) / chunkSize;
  Pool::get().run(numChunks, [&](int64_t c) {
    int64_t lo = begin + c * chunkSize;
    body(lo, std::min(end, lo + chunkSize));
  });
}

void parallel_for_each_thread(int count, const std::function<void(int)> &body) {
  if (count <= 0)
    return;
  if (count == 1 || insideParallelRegion) {
    for (int t = 0; t < count; ++t)
      body(t);
    return;
  }
  Pool::get().run(
      count, [&](int64_t t) { body(static_cast<int>(t)); }, /*pinned=*/true);
}

} // namespace kiln
