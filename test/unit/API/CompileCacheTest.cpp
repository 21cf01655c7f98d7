//===- CompileCacheTest.cpp - The on-disk compile cache -------------------===//

#include "kiln/kiln.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace kiln;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the system's temporary one, removed at the end;
/// the cache is pointed at it while the object lives.
class CacheDir {
public:
  CacheDir() {
    static int serial = 0;
    path_ = fs::temp_directory_path() /
            ("kiln-cache-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(serial++));
    fs::remove_all(path_);
    set_compile_cache_dir(path_.string());
  }
  ~CacheDir() {
    set_compile_cache_dir("");
    set_compile_cache_max_bytes(uint64_t(1) << 30);
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path &path() const { return path_; }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> files;
    for (const auto &file : fs::directory_iterator(path_))
      if (file.path().extension() == ".kiln-obj")
        files.push_back(file.path());
    return files;
  }

private:
  fs::path path_;
};

/// Captures kiln's warnings while it lives.
class Warnings {
public:
  Warnings() {
    set_warning_handler(
        [this](const std::string &message) { messages.push_back(message); });
  }
  ~Warnings() { set_warning_handler(nullptr); }
  std::vector<std::string> messages;
};

/// Runs kiln-cache-probe on `dir` and returns its line of output.
std::string runProbe(const fs::path &dir, int graphs = 1) {
  std::string command = std::string(KILN_CACHE_PROBE) + " '" + dir.string() +
                        "' " + std::to_string(graphs) + " 2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (pipe && fgets(buffer, sizeof(buffer), pipe))
    output += buffer;
  int status = pipe ? pclose(pipe) : -1;
  EXPECT_EQ(status, 0) << output;
  return output;
}

std::string field(const std::string &output, const std::string &name) {
  size_t at = output.find(name + "=");
  if (at == std::string::npos)
    return "";
  at += name.size() + 1;
  return output.substr(at, output.find_first_of(" \n", at) - at);
}

auto scaled = [](Tensor a, float scale) { return exp(a * scale) + 1.0f; };

/// Compiles `scaled` for (a, scale) in a new Function after the test
/// damaged its entry: the cache rejects the entry once, with one warning
/// that contains `why`, compiles the graph again and gets `expected`.
void expectRejectedOnce(const Tensor &a, float scale, const Tensor &expected,
                        const std::string &why) {
  Warnings warnings;
  CompileCacheStats before = compile_cache_stats();
  Tensor again = function(scaled)(a, scale);
  CompileCacheStats after = compile_cache_stats();
  EXPECT_EQ(again.to_vector<float>(), expected.to_vector<float>());
  EXPECT_EQ(after.rejected - before.rejected, 1u);
  EXPECT_EQ(after.compiles - before.compiles, 1u);
  ASSERT_EQ(warnings.messages.size(), 1u);
  EXPECT_THAT(warnings.messages[0], HasSubstr("compile cache: ignoring"));
  EXPECT_THAT(warnings.messages[0], HasSubstr(why));
}

TEST(CompileCacheTest, ASecondProcessCompilesNothing) {
  CacheDir dir;
  std::string first = runProbe(dir.path());
  EXPECT_EQ(field(first, "compiles"), "1") << first;
  EXPECT_EQ(field(first, "hits"), "0") << first;
  EXPECT_EQ(field(first, "writes"), "1") << first;
  std::string second = runProbe(dir.path());
  EXPECT_EQ(field(second, "compiles"), "0") << second;
  EXPECT_EQ(field(second, "hits"), "1") << second;
  EXPECT_EQ(field(second, "writes"), "0") << second;
  EXPECT_EQ(field(second, "checksum"), field(first, "checksum"));
  EXPECT_EQ(dir.entries().size(), 1u);
}

TEST(CompileCacheTest, ConcurrentProcessesShareADirectory) {
  CacheDir dir;
  // Four processes compile the same three graphs at once: each entry is
  // written whole by one of them (the last rename wins), none is torn.
  std::vector<std::thread> processes;
  std::vector<std::string> outputs(4);
  for (int i = 0; i < 4; ++i)
    processes.emplace_back(
        [&, i] { outputs[i] = runProbe(dir.path(), /*graphs=*/3); });
  for (std::thread &process : processes)
    process.join();
  for (const std::string &output : outputs) {
    EXPECT_EQ(field(output, "rejected"), "0") << output;
    EXPECT_EQ(field(output, "checksum"), field(outputs[0], "checksum"));
  }
  EXPECT_EQ(dir.entries().size(), 3u);
  std::string after = runProbe(dir.path(), 3);
  EXPECT_EQ(field(after, "compiles"), "0") << after;
  EXPECT_EQ(field(after, "hits"), "3") << after;
  for (const CompileCacheEntry &entry :
       compile_cache_entries(dir.path().string()))
    EXPECT_TRUE(entry.valid) << entry.path;
}

TEST(CompileCacheTest, ANewFunctionInTheSameProcessLoadsTheEntry) {
  CacheDir dir;
  Tensor a = random_normal({64}, 3);
  CompileCacheStats before = compile_cache_stats();
  Tensor expected = function(scaled)(a, 2.0f);
  auto g = function(scaled);
  Tensor loaded = g(a, 2.0f);
  CompileCacheStats after = compile_cache_stats();
  EXPECT_EQ(after.compiles - before.compiles, 1u);
  EXPECT_EQ(after.hits - before.hits, 1u);
  EXPECT_EQ(loaded.to_vector<float>(), expected.to_vector<float>());
  std::vector<std::string> steps;
  for (const CompileStep &step : g.lower(a, 2.0f).compile_times())
    steps.push_back(step.step);
  EXPECT_EQ(steps, (std::vector<std::string>{"trace", "cache-lookup", "link"}));
}

TEST(CompileCacheTest, ACorruptEntryIsIgnoredWithOneWarningAndReplaced) {
  CacheDir dir;
  Tensor a = random_normal({64}, 4);
  Tensor expected = function(scaled)(a, 3.0f);
  ASSERT_EQ(dir.entries().size(), 1u);
  fs::path entry = dir.entries()[0];
  uintmax_t size = fs::file_size(entry);
  for (uintmax_t cut : {size / 2, uintmax_t(3)}) {
    fs::resize_file(entry, cut);
    expectRejectedOnce(a, 3.0f, expected, entry.filename().string());
    // Replaced by a whole entry.
    EXPECT_EQ(fs::file_size(entry), size);
  }
  // A flipped byte in the middle of the code.
  {
    std::fstream file(entry, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(static_cast<std::streamoff>(size / 2));
    byte = static_cast<char>(byte ^ 0x5a);
    file.write(&byte, 1);
  }
  expectRejectedOnce(a, 3.0f, expected, "checksum");
}

TEST(CompileCacheTest, AnEntryOfAnotherKeyIsIgnored) {
  CacheDir dir;
  Tensor a = random_normal({64}, 5);
  function(scaled)(a, 1.0f);
  fs::path first = dir.entries()[0];
  Tensor expected = function(scaled)(a, 4.0f);
  ASSERT_EQ(dir.entries().size(), 2u);
  fs::path second =
      dir.entries()[0] == first ? dir.entries()[1] : dir.entries()[0];
  // Whole, intact, and the code of another graph.
  fs::copy_file(first, second, fs::copy_options::overwrite_existing);
  expectRejectedOnce(a, 4.0f, expected, "another key");
}

TEST(CompileCacheTest, TheLeastRecentlyUsedEntriesAreEvicted) {
  CacheDir dir;
  Tensor a = random_normal({64}, 6);
  function(scaled)(a, 1.0f);
  uintmax_t entrySize = fs::file_size(dir.entries()[0]);
  // Room for two entries of about this size.
  set_compile_cache_max_bytes(entrySize * 2 + entrySize / 2);
  CompileCacheStats before = compile_cache_stats();
  function(scaled)(a, 2.0f);
  // Using the first entry again makes the second the least recently used.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  function(scaled)(a, 1.0f);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  function(scaled)(a, 3.0f);
  CompileCacheStats after = compile_cache_stats();
  EXPECT_EQ(after.evictions - before.evictions, 1u);
  EXPECT_EQ(dir.entries().size(), 2u);
  // Scales 1 and 3 are cached, 2 was evicted.
  before = compile_cache_stats();
  function(scaled)(a, 1.0f);
  function(scaled)(a, 3.0f);
  EXPECT_EQ(compile_cache_stats().hits - before.hits, 2u);
  before = compile_cache_stats();
  function(scaled)(a, 2.0f);
  EXPECT_EQ(compile_cache_stats().compiles - before.compiles, 1u);
}

TEST(CompileCacheTest, AnUnwritableDirectoryWarnsOnceAndStillRuns) {
  CacheDir dir;
  fs::create_directories(dir.path());
  fs::path blocker = dir.path() / "a-file";
  std::ofstream(blocker) << "not a directory";
  set_compile_cache_dir((blocker / "cache").string());
  Warnings warnings;
  Tensor a = ones({4});
  EXPECT_EQ(function(scaled)(a, 0.0f).to_vector<float>(),
            std::vector<float>(4, 2.0f));
  function(scaled)(a, 5.0f);
  ASSERT_EQ(warnings.messages.size(), 1u);
  EXPECT_THAT(warnings.messages[0], HasSubstr("cannot write"));
}

TEST(CompileCacheTest, OffByDefaultAndWhenCleared) {
  CacheDir dir;
  set_compile_cache_dir("");
  CompileCacheStats before = compile_cache_stats();
  function(scaled)(ones({4}), 7.0f);
  CompileCacheStats after = compile_cache_stats();
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.writes, before.writes);
  EXPECT_FALSE(fs::exists(dir.path()));
}

TEST(CompileCacheTest, EntriesAreListedAndCleared) {
  CacheDir dir;
  function(scaled, "listed")(ones({4}), 1.0f);
  function(scaled, "listed")(ones({4}), 2.0f);
  std::ofstream(dir.path() / "notes.txt") << "kept";
  std::vector<CompileCacheEntry> entries =
      compile_cache_entries(dir.path().string());
  ASSERT_EQ(entries.size(), 2u);
  for (const CompileCacheEntry &entry : entries) {
    EXPECT_EQ(entry.function, "listed");
    EXPECT_TRUE(entry.valid);
    EXPECT_GT(entry.bytes, 0u);
  }
  EXPECT_EQ(clear_compile_cache(dir.path().string()), 2u);
  EXPECT_TRUE(compile_cache_entries(dir.path().string()).empty());
  EXPECT_TRUE(fs::exists(dir.path() / "notes.txt"));
}

} // namespace
