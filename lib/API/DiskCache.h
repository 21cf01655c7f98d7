//===- DiskCache.h - The compile cache, as CompiledGraph uses it -*- C++
//-*-===//
//
// Private to lib/API; the host's side is kiln/CompileCache.h.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_API_DISKCACHE_H
#define KILN_LIB_API_DISKCACHE_H

#include <optional>
#include <string>
#include <vector>

namespace kiln::detail {

/// Whether a cache directory is set.
bool compileCacheEnabled();

/// The name of the cache entry of a graph: the SHA-256, in hex, of
/// everything that changes the code compiled for it (`graphText`, the graph
/// printed with its locations; the function's `name`; `options`, the
/// pipeline's and LLVM's options as text) and of this build of Kiln, the
/// runtime ABI, LLVM and the host CPU.
std::string compileCacheKey(const std::string &graphText,
                            const std::string &name,
                            const std::string &options);

/// The objects of the entry `key`, if the cache holds an intact one. An
/// entry that is not is counted as rejected, with a warning.
std::optional<std::vector<std::string>> loadCompiled(const std::string &key);

/// Counts an entry that was found intact but could not be linked as
/// rejected, with a warning naming `reason`.
void rejectCompiled(const std::string &key, const std::string &reason);

/// Writes the entry `key` (atomically), then evicts the least recently used
/// entries past the size limit. Failures only warn (once per directory).
void storeCompiled(const std::string &key, const std::string &name,
                   const std::vector<std::string> &objects);

/// Counts a graph lowered and compiled by LLVM (`CompileCacheStats::compiles`).
void countCompile();

} // namespace kiln::detail

#endif // KILN_LIB_API_DISKCACHE_H
