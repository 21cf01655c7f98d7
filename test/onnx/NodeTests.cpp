//===- NodeTests.cpp - The ONNX backend node tests, imported and run ------===//
//
// The conformance runner: runs the node tests of Debian's libonnx-testdata
// (one model.onnx per op and case, with input_N.pb and output_N.pb). Each
// model is imported (lib/Import), saved as a graph file, loaded back and
// run by the JIT and by the interpreter on every data set; every output is
// compared with the reference within ONNX's backend-test tolerance (rtol
// 1e-3, atol 1e-7, NaN equal to NaN).
//
// Each test gets, per mode, one of
//   passed       every output matches;
//   wrong        a wrong number, shape or dtype;
//   unsupported  the import stops with the error naming the node, op type
//                and opset of what Kiln lacks (or the test data has a dtype
//                Kiln lacks);
//   error        any other error;
//   crashed      the test killed its process (a signal) or ran out of time.
// Each test runs in a child process, so a crash or a hang is reported, not
// suffered. A graph input whose values decide a shape (Reshape's shape,
// Slice's bounds) is bound to the data set's values at import, as
// `kilnc import --bind` does; such tests are marked "bound".
//
//   kiln-onnx-node-tests [--data DIR] [--filter TEXT] [--json FILE]
//                        [--expect FILE]
//
// --expect names the expectations file: the tests that must pass in both
// modes, one name per line. The program exits with status 1 when a listed
// test does not pass, or when any test is wrong, errs or crashes; it lists
// tests that pass but are not in the file yet.
//
//===----------------------------------------------------------------------===//

#include "kiln/Graph.h"
#include "kiln/Import/OnnxImport.h"
#include "kiln/Import/TensorProto.h"
#include "kiln/Runtime/Error.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

constexpr const char *kModes[] = {"jit", "interpreter"};
constexpr const char *kStatuses[] = {"passed", "wrong",   "unsupported",
                                     "error",  "crashed", "excluded"};

/// Tests whose references contradict their own model or ONNX's semantics;
/// they are not run, and the summary counts them as excluded.
const std::map<std::string, std::string> kExcluded = {
    {"test_cast_FLOAT_to_BFLOAT16",
     "the reference truncates float32 to bfloat16; Kiln rounds to nearest "
     "even, as PyTorch, JAX and onnxruntime do"},
    {"test_castlike_BFLOAT16_to_FLOAT",
     "input 1's data has shape (1); the model declares (3, 4)"},
    {"test_castlike_BFLOAT16_to_FLOAT_expanded",
     "input 1's data has shape (1); the model declares (3, 4)"},
    {"test_castlike_FLOAT_to_BFLOAT16",
     "input 1's data has shape (1); the model declares (3, 4)"},
    {"test_castlike_FLOAT_to_BFLOAT16_expanded",
     "input 1's data has shape (1); the model declares (3, 4)"},
};
/// Seconds a test may take before it counts as hung.
constexpr unsigned kTimeoutSeconds = 120;

/// What a test's data holds that Kiln cannot read.
struct Unsupported {
  std::string what;
};
/// An output that differs from the reference.
struct Wrong {
  std::string what;
};

/// Why `actual` is not `expected` within rtol 1e-3, atol 1e-7, or "".
std::string mismatch(const kiln::Tensor &actual, const kiln::Tensor &expected) {
  if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape())
    return "got " + kiln::formatShape(actual.shape()) + " " +
           std::string(kiln::dtypeName(actual.dtype())) + ", expected " +
           kiln::formatShape(expected.shape()) + " " +
           std::string(kiln::dtypeName(expected.dtype()));
  std::vector<double> a = actual.toDoubleVector(),
                      e = expected.toDoubleVector();
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(e[i]))
      continue;
    if (a[i] == e[i])
      continue;
    if (!(std::fabs(a[i] - e[i]) <= 1e-7 + 1e-3 * std::fabs(e[i])))
      return "element " + std::to_string(i) + " is " + std::to_string(a[i]) +
             ", expected " + std::to_string(e[i]);
  }
  return "";
}

std::vector<fs::path> sorted(const fs::path &dir, const std::string &prefix) {
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().rfind(prefix, 0) == 0)
      files.push_back(entry.path());
  std::sort(files.begin(), files.end(),
            [](const fs::path &a, const fs::path &b) {
              return a.string().size() != b.string().size()
                         ? a.string().size() < b.string().size()
                         : a < b;
            });
  return files;
}

bool isUnsupportedError(const std::string &message) {
  return message.find("is not supported") != std::string::npos ||
         message.find("are not supported") != std::string::npos;
}

/// The op type a test is counted under: the model's one op type (Constant
/// nodes aside), "(function body)" for a test of an op expanded into its
/// definition, else the last node's.
std::string opTypeOf(const fs::path &test) {
  onnx::ModelProto model;
  std::ifstream file(test / "model.onnx", std::ios::binary);
  if (!model.ParseFromIstream(&file))
    return "(unreadable model)";
  std::set<std::string> types;
  for (const onnx::NodeProto &node : model.graph().node())
    if (node.op_type() != "Constant")
      types.insert(node.op_type());
  if (types.size() == 1)
    return *types.begin();
  std::string name = test.filename().string();
  if (name.size() > 9 && name.compare(name.size() - 9, 9, "_expanded") == 0)
    return "(function body)";
  return model.graph().node_size() ? model.graph().node().rbegin()->op_type()
                                   : "(empty graph)";
}

kiln::Tensor readData(const fs::path &file) {
  try {
    return kiln::readTensorProto(file.string()).tensor;
  } catch (const kiln::Error &error) {
    std::string message = error.what();
    size_t at = message.find("element type");
    if (at == std::string::npos || !isUnsupportedError(message))
      throw;
    throw Unsupported{"test data: " + message.substr(at)};
  }
}

/// The graph inputs of `model` that are not initializers, in order, and its
/// outputs.
struct GraphSignature {
  std::vector<onnx::ValueInfoProto> inputs, outputs;
};

GraphSignature graphSignature(const fs::path &model) {
  onnx::ModelProto proto;
  std::ifstream file(model, std::ios::binary);
  proto.ParseFromIstream(&file);
  std::set<std::string> initializers;
  for (const onnx::TensorProto &t : proto.graph().initializer())
    initializers.insert(t.name());
  GraphSignature signature;
  for (const onnx::ValueInfoProto &input : proto.graph().input())
    if (!initializers.count(input.name()))
      signature.inputs.push_back(input);
  signature.outputs.assign(proto.graph().output().begin(),
                           proto.graph().output().end());
  return signature;
}

/// The names of the graph inputs of `model` that are not initializers.
std::vector<std::string> graphInputs(const fs::path &model) {
  std::vector<std::string> names;
  for (const onnx::ValueInfoProto &input : graphSignature(model).inputs)
    names.push_back(input.name());
  return names;
}

/// The test data of bfloat16 values are stored as uint16 (the suite's
/// generator saves numpy's uint16 view of them): their bits, as bfloat16,
/// where the model declares value `i` of `declared` bfloat16.
kiln::Tensor asDeclared(kiln::Tensor t,
                        const std::vector<onnx::ValueInfoProto> &declared,
                        size_t i) {
  if (i < declared.size() &&
      declared[i].type().tensor_type().elem_type() ==
          onnx::TensorProto_DataType_BFLOAT16 &&
      t.dtype() == kiln::DType::U16)
    return kiln::Tensor(t.storage(), kiln::DType::BF16, t.shape(), t.strides(),
                        t.offset());
  return t;
}

/// One mode's outcome of a test.
struct Outcome {
  std::string status = "passed";
  std::string detail;
};

/// Imports `test` with the graph inputs in `bound` bound to `inputs`' values
/// and writes it as a graph file to `graphPath`. Adds to `bound` and
/// retries while the importer asks for an input's value.
void importTest(const fs::path &test, const std::vector<kiln::Tensor> &inputs,
                std::set<std::string> &bound, const std::string &graphPath) {
  std::vector<std::string> names = graphInputs(test / "model.onnx");
  for (;;) {
    kiln::OnnxImportOptions options;
    for (size_t i = 0; i < names.size() && i < inputs.size(); ++i)
      if (bound.count(names[i]))
        options.bindings[names[i]] = inputs[i];
    mlir::MLIRContext context;
    mlir::OwningOpRef<mlir::ModuleOp> module;
    try {
      module =
          kiln::importOnnx(context, (test / "model.onnx").string(), options);
    } catch (const kiln::Error &error) {
      // "... input 1 ('shape') is computed at run time ...": bind 'shape'
      // if it is a graph input not bound yet.
      std::string message = error.what();
      size_t at = message.find("') is computed at run time");
      size_t open = message.rfind("('", at);
      if (at != std::string::npos && open != std::string::npos) {
        std::string name = message.substr(open + 2, at - open - 2);
        if (std::find(names.begin(), names.end(), name) != names.end() &&
            bound.insert(name).second)
          continue;
      }
      throw;
    }
    std::error_code ec;
    llvm::raw_fd_ostream os(graphPath, ec);
    if (ec)
      throw kiln::Error(graphPath + ": " + ec.message());
    module->print(os);
    return;
  }
}

/// Runs one test in this process; returns its outcome per mode and whether
/// inputs were bound.
std::pair<std::map<std::string, Outcome>, bool>
runTest(const fs::path &test, const fs::path &scratch) {
  std::map<std::string, Outcome> outcomes;
  auto all = [&](const std::string &status, const std::string &detail) {
    for (const char *mode : kModes)
      outcomes[mode] = {status, detail};
  };
  if (auto excluded = kExcluded.find(test.filename().string());
      excluded != kExcluded.end()) {
    all("excluded", excluded->second);
    return {outcomes, false};
  }
  std::string graphPath =
      (scratch / (test.filename().string() + ".mlir")).string();
  std::set<std::string> bound;
  try {
    // Import before reading the data, so that a model Kiln cannot import is
    // reported as such whatever its data holds (sequences, strings).
    bool needsValues = false;
    try {
      importTest(test, {}, bound, graphPath);
    } catch (const kiln::Error &error) {
      if (bound.empty())
        throw;
      needsValues = true; // a graph input decides a shape: bind it below
    }
    std::vector<fs::path> dataSets = sorted(test, "test_data_set_");
    std::vector<std::vector<kiln::Tensor>> inputs, expected;
    GraphSignature signature = graphSignature(test / "model.onnx");
    for (const fs::path &data : dataSets) {
      inputs.emplace_back();
      expected.emplace_back();
      for (const fs::path &file : sorted(data, "input_"))
        inputs.back().push_back(
            asDeclared(readData(file), signature.inputs, inputs.back().size()));
      for (const fs::path &file : sorted(data, "output_"))
        expected.back().push_back(asDeclared(readData(file), signature.outputs,
                                             expected.back().size()));
    }
    for (size_t d = 0; d < dataSets.size(); ++d) {
      // The graph depends on the data set only through bound inputs.
      if (needsValues)
        importTest(test, inputs[d], bound, graphPath);
      kiln::Graph graph = kiln::load(graphPath);
      std::vector<kiln::Tensor> arguments;
      std::vector<std::string> names = graphInputs(test / "model.onnx");
      for (size_t i = 0; i < inputs[d].size(); ++i)
        if (i >= names.size() || !bound.count(names[i]))
          arguments.push_back(inputs[d][i]);
      for (const char *mode : kModes) {
        Outcome &outcome = outcomes[mode];
        if (outcome.status != "passed")
          continue;
        try {
          std::vector<kiln::Tensor> outputs = std::string(mode) == "jit"
                                                  ? graph(arguments)
                                                  : graph.interpret(arguments);
          if (outputs.size() != expected[d].size())
            throw Wrong{std::to_string(outputs.size()) + " outputs, expected " +
                        std::to_string(expected[d].size())};
          for (size_t i = 0; i < outputs.size(); ++i)
            if (std::string why = mismatch(outputs[i], expected[d][i]);
                !why.empty())
              throw Wrong{dataSets[d].filename().string() + ", output " +
                          std::to_string(i) + ": " + why};
        } catch (const Wrong &wrong) {
          outcome = {"wrong", wrong.what};
        } catch (const std::exception &error) {
          outcome = {"error", error.what()};
        }
      }
    }
  } catch (const Unsupported &what) {
    all("unsupported", what.what);
  } catch (const std::exception &error) {
    std::string message = error.what();
    all(isUnsupportedError(message) ? "unsupported" : "error", message);
  }
  std::error_code ignored;
  fs::remove(graphPath, ignored);
  return {outcomes, !bound.empty()};
}

/// One test's record.
struct Record {
  std::string name, op;
  std::map<std::string, Outcome> outcomes;
  bool bound = false;
  bool passed() const {
    for (const char *mode : kModes)
      if (outcomes.at(mode).status != "passed")
        return false;
    return true;
  }
};

/// Runs `test` in a child process (fork, then a pipe back); a signal or the
/// timeout makes it "crashed".
Record runIsolated(const fs::path &test, const fs::path &scratch) {
  Record record{test.filename().string(), opTypeOf(test), {}, false};
  int fds[2];
  if (::pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(kTimeoutSeconds);
    auto [outcomes, bound] = runTest(test, scratch);
    std::string message = bound ? "bound\n" : "free\n";
    for (const char *mode : kModes) {
      std::string detail = outcomes[mode].detail;
      std::replace(detail.begin(), detail.end(), '\n', ' ');
      message += std::string(mode) + "\t" + outcomes[mode].status + "\t" +
                 detail + "\n";
    }
    for (size_t written = 0; written < message.size();) {
      ssize_t n =
          ::write(fds[1], message.data() + written, message.size() - written);
      if (n <= 0)
        break;
      written += static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why =
        WIFSIGNALED(status)
            ? (WTERMSIG(status) == SIGALRM
                   ? "no result after " + std::to_string(kTimeoutSeconds) + " s"
                   : std::string("killed by signal ") +
                         ::strsignal(WTERMSIG(status)))
            : "exited with status " + std::to_string(WEXITSTATUS(status));
    for (const char *mode : kModes)
      record.outcomes[mode] = {"crashed", why};
    return record;
  }
  std::istringstream lines(message);
  std::string line;
  std::getline(lines, line);
  record.bound = line == "bound";
  while (std::getline(lines, line)) {
    size_t a = line.find('\t'), b = line.find('\t', a + 1);
    record.outcomes[line.substr(0, a)] = {line.substr(a + 1, b - a - 1),
                                          line.substr(b + 1)};
  }
  return record;
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else
      out += c;
  }
  return out + "\"";
}

/// Counts per status of one mode.
using Counts = std::map<std::string, int>;

std::string jsonCounts(const Counts &counts) {
  std::string out = "{";
  for (const char *status : kStatuses) {
    if (out.size() > 1)
      out += ", ";
    auto it = counts.find(status);
    out += jsonString(status) + ": " +
           std::to_string(it == counts.end() ? 0 : it->second);
  }
  return out + "}";
}

void writeJson(
    const std::string &path, const std::vector<Record> &records,
    const std::map<std::string, Counts> &total,
    const std::map<std::string, std::map<std::string, Counts>> &byOp) {
  std::ofstream os(path);
  os << "{\n  \"summary\": {";
  for (const char *mode : kModes)
    os << (mode == kModes[0] ? "" : ", ") << jsonString(mode) << ": "
       << jsonCounts(total.at(mode));
  os << "},\n  \"by_op_type\": {";
  bool first = true;
  for (const auto &[op, modes] : byOp) {
    os << (first ? "\n" : ",\n") << "    " << jsonString(op) << ": {";
    for (const char *mode : kModes)
      os << (mode == kModes[0] ? "" : ", ") << jsonString(mode) << ": "
         << jsonCounts(modes.count(mode) ? modes.at(mode) : Counts{});
    os << "}";
    first = false;
  }
  os << "\n  },\n  \"tests\": [";
  first = true;
  for (const Record &r : records) {
    os << (first ? "\n" : ",\n") << "    {\"name\": " << jsonString(r.name)
       << ", \"op_type\": " << jsonString(r.op)
       << ", \"bound\": " << (r.bound ? "true" : "false");
    for (const char *mode : kModes)
      os << ", " << jsonString(mode)
         << ": {\"status\": " << jsonString(r.outcomes.at(mode).status)
         << ", \"detail\": " << jsonString(r.outcomes.at(mode).detail) << "}";
    os << "}";
    first = false;
  }
  os << "\n  ]\n}\n";
}

} // namespace

int main(int argc, char **argv) {
  fs::path root = "/usr/share/libonnx-testdata/data/node";
  std::string filter, jsonPath, expectPath;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "kiln-onnx-node-tests: %s needs a value\n",
                     arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--data")
      root = value();
    else if (arg == "--filter")
      filter = value();
    else if (arg == "--json")
      jsonPath = value();
    else if (arg == "--expect")
      expectPath = value();
    else {
      std::fprintf(stderr,
                   "usage: kiln-onnx-node-tests [--data DIR] [--filter TEXT] "
                   "[--json FILE] [--expect FILE]\n");
      return 2;
    }
  }
  if (!fs::is_directory(root)) {
    std::fprintf(stderr, "kiln-onnx-node-tests: no directory %s\n",
                 root.c_str());
    return 1;
  }
  std::set<std::string> expected;
  if (!expectPath.empty()) {
    std::ifstream file(expectPath);
    if (!file) {
      std::fprintf(stderr, "kiln-onnx-node-tests: cannot read %s\n",
                   expectPath.c_str());
      return 1;
    }
    for (std::string line; std::getline(file, line);)
      if (!line.empty() && line[0] != '#')
        expected.insert(line);
  }
  fs::path scratch = fs::temp_directory_path() /
                     ("kiln-onnx-node-tests-" + std::to_string(::getpid()));
  fs::create_directories(scratch);

  std::vector<fs::path> tests;
  for (const auto &entry : fs::directory_iterator(root))
    if (entry.is_directory() &&
        entry.path().filename().string().find(filter) != std::string::npos)
      tests.push_back(entry.path());
  std::sort(tests.begin(), tests.end());

  // A progress bar on a terminal; a line per 100 tests otherwise.
  bool terminal = ::isatty(STDERR_FILENO);
  std::vector<Record> records;
  int passing = 0;
  for (size_t t = 0; t < tests.size(); ++t) {
    records.push_back(runIsolated(tests[t], scratch));
    passing += records.back().passed();
    size_t done = t + 1;
    if (terminal) {
      int width = 30, filled = static_cast<int>(width * done / tests.size());
      std::fprintf(stderr, "\r[%s%s] %zu/%zu, %d passing  %-40.40s",
                   std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), done, tests.size(),
                   passing, records.back().name.c_str());
    } else if (done % 100 == 0 || done == tests.size()) {
      std::fprintf(stderr, "%zu/%zu tests run, %d passing\n", done,
                   tests.size(), passing);
    }
  }
  if (terminal)
    std::fprintf(stderr, "\n");
  fs::remove_all(scratch);

  std::map<std::string, Counts> total;
  std::map<std::string, std::map<std::string, Counts>> byOp;
  std::map<std::string, int> unsupportedByOp;
  int bothPassed = 0, bound = 0;
  std::vector<std::string> failures, regressions, newlyPassing;
  for (const Record &r : records) {
    for (const char *mode : kModes) {
      const Outcome &o = r.outcomes.at(mode);
      ++total[mode][o.status];
      ++byOp[r.op][mode][o.status];
      if (o.status == "wrong" || o.status == "error" || o.status == "crashed")
        failures.push_back(r.name + " (" + mode + ", " + o.status +
                           "): " + o.detail);
    }
    if (r.outcomes.at("jit").status == "unsupported")
      ++unsupportedByOp[r.op];
    if (r.passed()) {
      ++bothPassed;
      bound += r.bound;
      if (!expectPath.empty() && !expected.count(r.name))
        newlyPassing.push_back(r.name);
    } else if (expected.count(r.name)) {
      regressions.push_back(r.name);
    }
  }
  std::printf("ONNX node tests: %zu run, %d passed in both modes (%.1f%%; %d "
              "of them bind shape inputs to their test values)\n",
              records.size(), bothPassed,
              records.empty() ? 0.0 : 100.0 * bothPassed / records.size(),
              bound);
  for (const char *mode : kModes) {
    std::printf("  %-12s", mode);
    for (const char *status : kStatuses)
      std::printf(" %s %d", status, total[mode][status]);
    std::printf("\n");
  }
  std::printf("unsupported, by op type:");
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto &[op, count] : unsupportedByOp)
    ranked.push_back({-count, op});
  std::sort(ranked.begin(), ranked.end());
  for (const auto &[count, op] : ranked)
    std::printf(" %s %d;", op.c_str(), -count);
  std::printf("\n");
  for (const std::string &failure : failures)
    std::printf("FAILED %s\n", failure.c_str());
  for (const std::string &name : regressions)
    std::printf("REGRESSED %s: listed in %s as passing\n", name.c_str(),
                expectPath.c_str());
  if (!newlyPassing.empty()) {
    std::printf("%zu tests pass but are not in %s yet:", newlyPassing.size(),
                expectPath.c_str());
    for (const std::string &name : newlyPassing)
      std::printf(" %s", name.c_str());
    std::printf("\n");
  }
  if (!jsonPath.empty()) {
    writeJson(jsonPath, records, total, byOp);
    std::printf("results written to %s\n", jsonPath.c_str());
  }
  return failures.empty() && regressions.empty() ? 0 : 1;
}
