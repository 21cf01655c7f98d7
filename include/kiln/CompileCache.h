//===- CompileCache.h - The on-disk cache of compiled graphs ---*- C++ -*-===//
//
// With a cache directory set, every graph Kiln compiles (a Function's
// signature, a loaded graph file) leaves its native code there, and a later
// compile of the same graph, in this process or another, loads it instead of
// lowering and optimizing it again:
//
//   kiln::set_compile_cache_dir("/var/cache/myapp/kiln");  // or KILN_CACHE_DIR
//
// An entry's key covers everything that changes the code: the graph with its
// source locations, the function's name, the pipeline's options, Kiln's
// version and the hash of its sources, the runtime ABI, LLVM's version, and
// the host CPU's name and features. Entries are written atomically (a
// temporary file, then a rename), so concurrent processes may share a
// directory; an entry that is corrupt, truncated or made for another key is
// ignored with one warning and replaced. The directory is kept under a size
// limit by evicting the least recently used entries. docs/design.md, "What a
// compile costs", has the details; `kilnc cache ls|stats|clear` manages a
// directory.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILECACHE_H
#define KILN_COMPILECACHE_H

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

/// Turns the on-disk cache on, in `dir` (created when first written), or off
/// with "". The default is the environment variable `KILN_CACHE_DIR`, else
/// off. Takes effect for compiles started after.
void set_compile_cache_dir(const std::string &dir);
/// The cache directory, "" when the cache is off.
std::string compile_cache_dir();

/// The most bytes of entries the cache directory keeps; writing an entry
/// past it evicts the least recently used ones. The default is 1 GiB, or
/// `KILN_CACHE_MAX_BYTES` from the environment.
void set_compile_cache_max_bytes(uint64_t bytes);
uint64_t compile_cache_max_bytes();

/// What the compile cache did in this process since it started.
struct CompileCacheStats {
  uint64_t compiles = 0;  ///< graphs lowered and compiled by LLVM
  uint64_t hits = 0;      ///< graphs whose code was loaded from the cache
  uint64_t misses = 0;    ///< lookups that found no entry (cache on)
  uint64_t writes = 0;    ///< entries written
  uint64_t rejected = 0;  ///< entries ignored as corrupt or foreign
  uint64_t evictions = 0; ///< entries removed to keep under the size limit
};
CompileCacheStats compile_cache_stats();

/// One entry of a cache directory.
struct CompileCacheEntry {
  std::string path;     ///< the entry's file
  std::string function; ///< the name of the compiled graph function
  uint64_t bytes = 0;   ///< its size on disk
  std::chrono::system_clock::time_point last_used;
  bool valid = false; ///< its header and checksum are intact
};

/// The entries of the cache directory `dir`, most recently used first.
/// Throws kiln::Error if `dir` exists but cannot be read.
std::vector<CompileCacheEntry> compile_cache_entries(const std::string &dir);

/// Removes every entry (and leftover temporary file) of the cache directory
/// `dir` and returns how many entries it removed. Other files are left alone.
size_t clear_compile_cache(const std::string &dir);

} // namespace kiln

#endif // KILN_COMPILECACHE_H
