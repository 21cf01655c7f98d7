//===- NodeTests.cpp - The ONNX backend node tests, imported and run ------===//
//
// Runs the node tests of Debian's libonnx-testdata (one model.onnx per op
// and case, with input_N.pb and output_N.pb): each model is imported
// (lib/Import), saved as a graph file, loaded back and run by the JIT and
// by the interpreter on every data set, and every output is compared with
// the reference within ONNX's backend-test tolerance (rtol 1e-3, atol 1e-7,
// NaN equal to NaN).
//
// A test passes; or it is unsupported, when the import stops with the
// kiln::Error that names the node, the op type and the opset; or it fails:
// a wrong number, a wrong shape or dtype, or any other error. Unsupported
// tests are counted by op type, to show what is left. The program exits
// with status 1 if any test fails.
//
//   kiln-onnx-node-tests [DATA_DIR] [FILTER]
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/TensorProto.h"
#include "kiln/Graph.h"
#include "kiln/Import/OnnxImport.h"
#include "kiln/Runtime/Error.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

/// A test whose data Kiln cannot read.
struct Unsupported {
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

/// The op type named by an unsupported-op error ("node 'x' (Conv, opset
/// 13): ..."), or the whole message.
std::string opTypeOf(const std::string &message) {
  size_t open = message.find("' (");
  size_t comma = message.find(", opset", open);
  if (open == std::string::npos || comma == std::string::npos) {
    // Not a node's error ("<path>: input 'x': element type UINT8 ..."):
    // the message without the path.
    size_t colon = message.find(": ");
    return colon == std::string::npos ? message : message.substr(colon + 2);
  }
  return message.substr(open + 3, comma - open - 3);
}

} // namespace

int main(int argc, char **argv) {
  fs::path root = argc > 1 ? argv[1] : "/usr/share/libonnx-testdata/data/node";
  std::string filter = argc > 2 ? argv[2] : "";
  if (!fs::is_directory(root)) {
    std::fprintf(stderr, "kiln-onnx-node-tests: no directory %s\n",
                 root.c_str());
    return 1;
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

  int passed = 0;
  std::map<std::string, int> unsupported;
  std::vector<std::string> failures;
  for (const fs::path &test : tests) {
    std::string name = test.filename().string();
    std::string graphPath = (scratch / (name + ".mlir")).string();
    try {
      {
        mlir::MLIRContext context;
        mlir::OwningOpRef<mlir::ModuleOp> module;
        try {
          module = kiln::importOnnx(context, (test / "model.onnx").string());
        } catch (const kiln::Error &error) {
          std::string message = error.what();
          if (message.find("is not supported") != std::string::npos ||
              message.find("are not supported") != std::string::npos) {
            ++unsupported[opTypeOf(message)];
            continue;
          }
          throw;
        }
        std::error_code ec;
        llvm::raw_fd_ostream os(graphPath, ec);
        if (ec)
          throw kiln::Error(graphPath + ": " + ec.message());
        module->print(os);
      }
      kiln::Graph graph = kiln::load(graphPath);
      for (const fs::path &data : sorted(test, "test_data_set_")) {
        std::vector<kiln::Tensor> inputs, expected;
        auto read = [&](const fs::path &file) {
          try {
            return kiln::driver::readTensorProto(file.string()).tensor;
          } catch (const kiln::Error &error) {
            // The data of bfloat16 tests is stored as UINT16, a dtype Kiln
            // does not have.
            std::string message = error.what();
            if (message.find("unsupported element type") == std::string::npos)
              throw;
            throw Unsupported{"test data " +
                              message.substr(message.find("unsupported"))};
          }
        };
        for (const fs::path &file : sorted(data, "input_"))
          inputs.push_back(read(file));
        for (const fs::path &file : sorted(data, "output_"))
          expected.push_back(read(file));
        for (const char *way : {"jit", "interpreter"}) {
          std::vector<kiln::Tensor> outputs = std::string(way) == "jit"
                                                  ? graph(inputs)
                                                  : graph.interpret(inputs);
          if (outputs.size() != expected.size())
            throw kiln::Error(
                std::string(way) + ": " + std::to_string(outputs.size()) +
                " outputs, expected " + std::to_string(expected.size()));
          for (size_t i = 0; i < outputs.size(); ++i)
            if (std::string why = mismatch(outputs[i], expected[i]);
                !why.empty())
              throw kiln::Error(std::string(way) + ", " +
                                data.filename().string() + ", output " +
                                std::to_string(i) + ": " + why);
        }
      }
      ++passed;
    } catch (const Unsupported &what) {
      ++unsupported[what.what];
    } catch (const std::exception &error) {
      failures.push_back(name + ": " + error.what());
    }
  }
  fs::remove_all(scratch);

  int unsupportedCount = 0;
  for (const auto &[op, count] : unsupported)
    unsupportedCount += count;
  std::printf("ONNX node tests: %zu run, %d passed, %d unsupported, %zu "
              "failed\n",
              tests.size(), passed, unsupportedCount, failures.size());
  std::printf("unsupported, by op type:");
  for (const auto &[op, count] : unsupported)
    std::printf(" %s %d;", op.c_str(), count);
  std::printf("\n");
  for (const std::string &failure : failures)
    std::printf("FAILED %s\n", failure.c_str());
  return failures.empty() ? 0 : 1;
}
