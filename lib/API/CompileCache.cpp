//===- CompileCache.cpp - The on-disk cache of compiled graphs ------------===//
//
// An entry is one file, `<key>.kiln-obj`, where the key is the SHA-256 (in
// hex) of everything that changes the compiled code. Its layout, integers
// little-endian:
//
//   "KILNOBJ1"                       magic and format version
//   32 bytes                         the key's SHA-256 again
//   u64 n, n bytes                   the graph function's name
//   u64 count, count x (u64 n, n bytes)   the relocatable objects and
//                                    constants (JitModule::linkInputs)
//   u64                              xxh3 of every byte before it
//
// Entries are written to a temporary file in the directory and renamed into
// place, so that a reader sees a whole entry or none. A hit refreshes the
// entry's modification time, which eviction orders by.
//
//===----------------------------------------------------------------------===//

#include "kiln/CompileCache.h"

#include "CompiledGraph.h"
#include "DiskCache.h"
#include "KilnBuildId.h"
#include "kiln/Compiler/Engine.h"
#include "kiln/Runtime/CAbi.h"
#include "kiln/Runtime/Error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

using namespace kiln;
namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'O', 'B', 'J', '1'};
constexpr const char *kEntrySuffix = ".kiln-obj";
constexpr const char *kTemporaryPrefix = ".tmp-";
constexpr uint64_t kDefaultMaxBytes = uint64_t(1) << 30;
/// A temporary file older than this was left by a process that died while
/// writing it.
constexpr auto kStaleTemporary = std::chrono::hours(1);

//===----------------------------------------------------------------------===//
// Settings and counters
//===----------------------------------------------------------------------===//

std::mutex settingsMutex;

std::string &cacheDir() {
  static std::string dir = [] {
    const char *env = std::getenv("KILN_CACHE_DIR");
    return std::string(env ? env : "");
  }();
  return dir;
}

std::atomic<uint64_t> &maxBytes() {
  static std::atomic<uint64_t> bytes{[] {
    const char *env = std::getenv("KILN_CACHE_MAX_BYTES");
    if (!env)
      return kDefaultMaxBytes;
    char *end = nullptr;
    unsigned long long value = std::strtoull(env, &end, 10);
    if (end == env || *end != '\0') {
      detail::warn("KILN_CACHE_MAX_BYTES='" + std::string(env) +
                   "' is not a number of bytes; using 1 GiB");
      return kDefaultMaxBytes;
    }
    return static_cast<uint64_t>(value);
  }()};
  return bytes;
}

struct Counters {
  std::atomic<uint64_t> compiles{0}, hits{0}, misses{0}, writes{0}, rejected{0},
      evictions{0};
};
Counters counters;

std::string currentDir() {
  std::lock_guard<std::mutex> lock(settingsMutex);
  return cacheDir();
}

fs::path entryPath(const std::string &dir, const std::string &key) {
  return fs::path(dir) / (key + kEntrySuffix);
}

bool isEntry(const fs::path &path) {
  return path.filename().string().size() > std::strlen(kEntrySuffix) &&
         path.extension() == kEntrySuffix;
}

bool isTemporary(const fs::path &path) {
  return path.filename().string().rfind(kTemporaryPrefix, 0) == 0;
}

//===----------------------------------------------------------------------===//
// The entry format
//===----------------------------------------------------------------------===//

void appendU64(std::string &out, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::array<uint8_t, 32> digestOf(const std::string &keyHex) {
  std::array<uint8_t, 32> digest{};
  std::string bytes;
  if (keyHex.size() == 64 && llvm::tryGetFromHex(keyHex, bytes) &&
      bytes.size() == 32)
    std::memcpy(digest.data(), bytes.data(), 32);
  return digest;
}

std::string encodeEntry(const std::string &key, const std::string &name,
                        const std::vector<std::string> &objects) {
  std::string out(kMagic, sizeof(kMagic));
  std::array<uint8_t, 32> digest = digestOf(key);
  out.append(reinterpret_cast<const char *>(digest.data()), digest.size());
  appendU64(out, name.size());
  out += name;
  appendU64(out, objects.size());
  for (const std::string &object : objects) {
    appendU64(out, object.size());
    out += object;
  }
  appendU64(out, llvm::xxh3_64bits(llvm::StringRef(out)));
  return out;
}

/// A decoded entry, or why the bytes are not one.
struct DecodedEntry {
  std::string error;
  std::array<uint8_t, 32> digest{};
  std::string name;
  std::vector<std::string> objects;
};

DecodedEntry decodeEntry(llvm::StringRef bytes) {
  DecodedEntry entry;
  size_t at = 0;
  auto fail = [&](const char *why) {
    entry.error = why;
    return entry;
  };
  auto readU64 = [&](uint64_t &value) {
    if (bytes.size() - at < 8)
      return false;
    value = 0;
    for (int i = 0; i < 8; ++i)
      value |= uint64_t(uint8_t(bytes[at + i])) << (8 * i);
    at += 8;
    return true;
  };
  auto readBytes = [&](std::string &value) {
    uint64_t size = 0;
    if (!readU64(size) || bytes.size() - at < size)
      return false;
    value = bytes.substr(at, size).str();
    at += size;
    return true;
  };
  if (bytes.size() < sizeof(kMagic) + 32 + 8 ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return fail("not a Kiln compile cache entry of this format");
  uint64_t stored = 0;
  {
    size_t end = bytes.size() - 8;
    size_t saved = at;
    at = end;
    readU64(stored);
    at = saved;
    if (llvm::xxh3_64bits(bytes.take_front(end)) != stored)
      return fail("its checksum does not match (corrupt or truncated)");
    bytes = bytes.take_front(end);
  }
  at = sizeof(kMagic);
  std::memcpy(entry.digest.data(), bytes.data() + at, 32);
  at += 32;
  uint64_t count = 0;
  if (!readBytes(entry.name) || !readU64(count) || count > 4096)
    return fail("its header is malformed");
  for (uint64_t i = 0; i < count; ++i) {
    entry.objects.emplace_back();
    if (!readBytes(entry.objects.back()))
      return fail("its objects are malformed");
  }
  if (at != bytes.size())
    return fail("it has trailing bytes");
  if (entry.objects.empty())
    return fail("it holds no object");
  return entry;
}

//===----------------------------------------------------------------------===//
// Writing and eviction
//===----------------------------------------------------------------------===//

/// Warns about an unwritable directory once per directory and process.
void warnCannotWrite(const std::string &dir, const std::string &why) {
  static std::mutex mutex;
  static std::set<std::string> warned;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!warned.insert(dir).second)
      return;
  }
  detail::warn("compile cache: cannot write to '" + dir + "': " + why +
               "; compiled code is not cached");
}

/// Removes the least recently used entries of `dir` until the rest fit in
/// the size limit (the entry `keep`, just written, stays), and temporary
/// files that writers left behind.
void evict(const std::string &dir, const fs::path &keep) {
  struct Entry {
    fs::path path;
    uint64_t bytes;
    fs::file_time_type used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code error;
  auto now = fs::file_time_type::clock::now();
  for (const fs::directory_entry &file : fs::directory_iterator(dir, error)) {
    std::error_code statError;
    auto used = file.last_write_time(statError);
    if (statError)
      continue;
    if (isTemporary(file.path())) {
      if (now - used > kStaleTemporary)
        fs::remove(file.path(), statError);
      continue;
    }
    if (!isEntry(file.path()))
      continue;
    uint64_t bytes = file.file_size(statError);
    if (statError)
      continue;
    entries.push_back({file.path(), bytes, used});
    total += bytes;
  }
  uint64_t limit = maxBytes();
  if (total <= limit)
    return;
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.used < b.used; });
  for (const Entry &entry : entries) {
    if (total <= limit)
      break;
    if (entry.path == keep)
      continue;
    std::error_code removeError;
    // Another process may have evicted it first.
    if (fs::remove(entry.path, removeError))
      ++counters.evictions;
    total -= entry.bytes;
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

void kiln::set_compile_cache_dir(const std::string &dir) {
  std::lock_guard<std::mutex> lock(settingsMutex);
  cacheDir() = dir;
}

std::string kiln::compile_cache_dir() { return currentDir(); }

void kiln::set_compile_cache_max_bytes(uint64_t bytes) { maxBytes() = bytes; }

uint64_t kiln::compile_cache_max_bytes() { return maxBytes(); }

CompileCacheStats kiln::compile_cache_stats() {
  CompileCacheStats stats;
  stats.compiles = counters.compiles;
  stats.hits = counters.hits;
  stats.misses = counters.misses;
  stats.writes = counters.writes;
  stats.rejected = counters.rejected;
  stats.evictions = counters.evictions;
  return stats;
}

std::vector<CompileCacheEntry>
kiln::compile_cache_entries(const std::string &dir) {
  std::vector<CompileCacheEntry> entries;
  std::error_code error;
  if (!fs::exists(dir, error))
    return entries;
  fs::directory_iterator files(dir, error);
  if (error)
    throw Error("compile cache: cannot read '" + dir + "': " + error.message());
  for (const fs::directory_entry &file : files) {
    if (!isEntry(file.path()))
      continue;
    CompileCacheEntry entry;
    entry.path = file.path().string();
    std::error_code statError;
    entry.bytes = file.file_size(statError);
    auto used = file.last_write_time(statError);
    entry.last_used =
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(
            used - fs::file_time_type::clock::now() +
            std::chrono::system_clock::now());
    if (auto buffer = llvm::MemoryBuffer::getFile(entry.path)) {
      DecodedEntry decoded = decodeEntry((*buffer)->getBuffer());
      entry.valid = decoded.error.empty() &&
                    decoded.digest == digestOf(file.path().stem().string());
      entry.function = decoded.name;
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const CompileCacheEntry &a, const CompileCacheEntry &b) {
              return a.last_used > b.last_used;
            });
  return entries;
}

size_t kiln::clear_compile_cache(const std::string &dir) {
  size_t removed = 0;
  std::error_code error;
  if (!fs::exists(dir, error))
    return 0;
  fs::directory_iterator files(dir, error);
  if (error)
    throw Error("compile cache: cannot read '" + dir + "': " + error.message());
  for (const fs::directory_entry &file : files) {
    bool entry = isEntry(file.path());
    if (!entry && !isTemporary(file.path()))
      continue;
    std::error_code removeError;
    if (fs::remove(file.path(), removeError) && entry)
      ++removed;
  }
  return removed;
}

//===----------------------------------------------------------------------===//
// CompiledGraph's side
//===----------------------------------------------------------------------===//

bool detail::compileCacheEnabled() { return !currentDir().empty(); }

std::string detail::compileCacheKey(const std::string &graphText,
                                    const std::string &name,
                                    const std::string &options) {
  llvm::SHA256 hash;
  auto add = [&](llvm::StringRef label, llvm::StringRef value) {
    hash.update(label);
    hash.update(std::to_string(value.size()));
    hash.update(":");
    hash.update(value);
  };
  add("kiln", KILN_BUILD_ID);
  add("runtime-abi", std::to_string(KILN_RUNTIME_ABI_VERSION));
  add("target", JitModule::hostTargetKey());
  add("function", name);
  add("options", options);
  add("graph", graphText);
  std::array<uint8_t, 32> digest = hash.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

std::optional<std::vector<std::string>>
detail::loadCompiled(const std::string &key) {
  std::string dir = currentDir();
  if (dir.empty())
    return std::nullopt;
  fs::path path = entryPath(dir, key);
  auto buffer = llvm::MemoryBuffer::getFile(path.string());
  if (!buffer) {
    ++counters.misses;
    return std::nullopt;
  }
  DecodedEntry entry = decodeEntry((*buffer)->getBuffer());
  if (entry.error.empty() && entry.digest != digestOf(key))
    entry.error = "it was written for another key";
  if (!entry.error.empty()) {
    rejectCompiled(key, entry.error);
    return std::nullopt;
  }
  // The entry was just used: eviction keeps it longest.
  std::error_code error;
  fs::last_write_time(path, fs::file_time_type::clock::now(), error);
  ++counters.hits;
  return std::move(entry.objects);
}

void detail::rejectCompiled(const std::string &key, const std::string &reason) {
  ++counters.rejected;
  warn("compile cache: ignoring '" + entryPath(currentDir(), key).string() +
       "': " + reason + "; compiling the graph again");
}

void detail::storeCompiled(const std::string &key, const std::string &name,
                           const std::vector<std::string> &objects) {
  std::string dir = currentDir();
  if (dir.empty())
    return;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    warnCannotWrite(dir, error.message());
    return;
  }
  static std::atomic<uint64_t> serial{0};
  fs::path temporary =
      fs::path(dir) /
      (std::string(kTemporaryPrefix) + std::to_string(::getpid()) + "-" +
       std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()) %
                      1000000) +
       "-" + std::to_string(serial++));
  std::string bytes = encodeEntry(key, name, objects);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      fs::remove(temporary, error);
      warnCannotWrite(dir, "writing '" + temporary.string() + "' failed");
      return;
    }
  }
  fs::path path = entryPath(dir, key);
  fs::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    warnCannotWrite(dir, error.message());
    return;
  }
  ++counters.writes;
  evict(dir, path);
}

void detail::countCompile() { ++counters.compiles; }
