//===- Run.cpp - Running graph files, for kilnc run -----------------------===//

#include "kiln/Driver/Run.h"

#include "kiln/Driver/Npy.h"
#include "kiln/Function.h"
#include "kiln/Graph.h"
#include "kiln/Import/TensorProto.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Ops.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>

using namespace kiln;
using namespace kiln::driver;

Tensor driver::readInput(const std::string &path) {
  if (llvm::sys::path::extension(path) == ".pb")
    return readTensorProto(path).tensor;
  return readNpy(path);
}

Tensor driver::randomTensor(const TensorSignature &type, uint64_t seed) {
  if (isFloating(type.dtype))
    return random_uniform(type.shape, seed, -1.0, 1.0, type.dtype);
  Tensor uniform = random_uniform(type.shape, seed, 0.0, 1.0, DType::F64);
  const double *u = uniform.data<double>();
  if (type.dtype == DType::Bool) {
    Tensor tensor = Tensor::empty(type.shape, type.dtype);
    for (int64_t i = 0, n = tensor.size(); i < n; ++i)
      tensor.data<bool>()[i] = u[i] < 0.5;
    return tensor;
  }
  // Integers in [-10, 10), or [0, 20) when unsigned.
  Tensor values = Tensor::empty(type.shape, DType::I64);
  for (int64_t i = 0, n = values.size(); i < n; ++i)
    values.data<int64_t>()[i] =
        int64_t(std::floor(u[i] * 20)) - (isUnsigned(type.dtype) ? 0 : 10);
  return cast(values, type.dtype);
}

void driver::checkInputs(const std::string &graph, const std::string &function,
                         const std::vector<TensorSignature> &signature,
                         const std::vector<Tensor> &inputs,
                         const std::vector<std::string> &names) {
  if (inputs.size() != signature.size())
    throw Error(graph + ": '" + function + "' takes " +
                std::to_string(signature.size()) + " input" +
                (signature.size() == 1 ? "" : "s") + ", got " +
                std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    TensorSignature got{inputs[i].shape(), inputs[i].dtype()};
    bool fits = got.shape.size() == signature[i].shape.size() &&
                got.dtype == signature[i].dtype;
    for (size_t d = 0; fits && d < got.shape.size(); ++d)
      fits = isDynamic(signature[i].shape[d]) ||
             got.shape[d] == signature[i].shape[d];
    if (!fits)
      throw Error(names[i] + ": argument " + std::to_string(i) + " of '" +
                  function + "' is " + describe(signature[i]) + ", got " +
                  describe(got));
  }
}

TimingStats driver::summarize(std::vector<double> samples) {
  if (samples.empty())
    return {};
  std::sort(samples.begin(), samples.end());
  size_t n = samples.size();
  double median =
      n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return {samples.front(), median, samples.back()};
}

/// "12.345 ms".
static std::string formatMs(double ms) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f ms", ms);
  return text;
}

/// "(2, 3) float32 [1, 2.5, -3, 4, 5, 6]": the shape, the dtype and up to
/// the first six elements in row-major order.
static std::string preview(const Tensor &tensor) {
  constexpr int64_t kShown = 6;
  std::string text = formatShape(tensor.shape()) + " " +
                     std::string(dtypeName(tensor.dtype())) + " [";
  Tensor flat = reshape(tensor.contiguous(), {tensor.size()});
  Tensor head = slice(flat, {0}, {std::min(tensor.size(), kShown)});
  std::vector<double> values = head.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    char value[32];
    std::snprintf(value, sizeof(value), "%.6g", values[i]);
    text += (i ? ", " : "") + std::string(value);
  }
  if (tensor.size() > kShown)
    text += ", ...";
  return text + "]";
}

std::vector<Tensor> driver::runGraph(const RunOptions &options,
                                     std::ostream &out) {
  std::unique_ptr<GraphFile> file = GraphFile::open(options.graph);
  mlir::func::FuncOp func = file->function(options.function);
  std::string name = func.getSymName().str();
  std::vector<TensorSignature> signature = file->arguments(func);
  file->results(func);
  // The JIT and the interpreter take kiln graphs; say so before they fail.
  // A func.call is no kiln op either (a recursive one overflows the stack).
  func.walk([&](mlir::Operation *op) {
    if (op->getName().getDialectNamespace() != "kiln" &&
        !mlir::isa<mlir::func::FuncOp, mlir::func::ReturnOp>(op))
      throw Error(locationText(op->getLoc()) + ": '" +
                  op->getName().getStringRef().str() +
                  "' is not a kiln op; kilnc runs kiln graphs");
  });

  if (options.randomInputs && !options.inputs.empty())
    throw Error(options.graph + ": pass either --input files or "
                                "--random-inputs, not both");
  std::vector<Tensor> inputs;
  std::vector<std::string> names;
  if (options.randomInputs) {
    for (size_t i = 0; i < signature.size(); ++i) {
      TensorSignature type = signature[i];
      if (hasDynamicDims(type.shape) && options.dynamicSize <= 0)
        throw Error(options.graph + ": argument " + std::to_string(i) +
                    " of '" + name + "' is " + describe(type) +
                    "; pass --dynamic-size N for the size of random inputs "
                    "in dynamic dimensions, or --input files");
      for (int64_t &dim : type.shape)
        if (isDynamic(dim))
          dim = options.dynamicSize;
      try {
        inputs.push_back(randomTensor(type, options.seed + i));
      } catch (const Error &error) {
        // Name the file and the argument, not the runtime function.
        throw Error(options.graph + ": cannot make a random input " +
                    std::to_string(i) + " of '" + name + "', " +
                    describe(signature[i]) + ": " + error.what());
      }
      names.push_back("random input " + std::to_string(i));
    }
  } else {
    if (options.inputs.empty() && !signature.empty())
      throw Error(options.graph + ": '" + name + "' takes " +
                  std::to_string(signature.size()) +
                  " inputs; pass an --input file for each, or "
                  "--random-inputs");
    for (const std::string &path : options.inputs) {
      inputs.push_back(readInput(path));
      names.push_back(path);
    }
  }
  checkInputs(options.graph, name, signature, inputs, names);
  if (options.compare && options.mode != RunMode::Jit)
    throw Error("--compare runs the JIT beside the interpreter; it does not "
                "take --mode interpret");

  Graph graph = load(options.graph, name);

  auto call = [&] {
    return options.mode == RunMode::Jit ? graph(inputs)
                                        : graph.interpret(inputs);
  };
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start)
        .count();
  };
  // With --compare, the first call is the compared one; timed calls after
  // it run alone.
  if (options.compare)
    set_shadow_check(true, options.rtol, options.atol);
  auto start = Clock::now();
  std::vector<Tensor> outputs;
  try {
    outputs = call();
  } catch (...) {
    if (options.compare)
      set_shadow_check(false);
    throw;
  }
  double first = ms(start);
  if (options.compare) {
    set_shadow_check(false);
    out << "compare: " << detail::lastShadowCheck() << "\n";
  }
  if (options.repeat > 0) {
    std::vector<double> samples;
    for (int i = 0; i < options.repeat; ++i) {
      start = Clock::now();
      outputs = call();
      samples.push_back(ms(start));
    }
    TimingStats stats = summarize(samples);
    char line[256];
    std::snprintf(line, sizeof(line),
                  "%s: first call %.3f ms%s; %d calls: min %.3f ms, median "
                  "%.3f ms, max %.3f ms\n",
                  options.mode == RunMode::Jit ? "jit" : "interpret", first,
                  options.mode == RunMode::Jit ? " (compiles)" : "",
                  options.repeat, stats.min, stats.median, stats.max);
    out << line;
  }

  if (!options.outputDir.empty()) {
    if (llvm::sys::fs::exists(options.outputDir) &&
        !llvm::sys::fs::is_directory(options.outputDir))
      throw Error(options.outputDir +
                  ": cannot create the directory: a file is in the way");
    if (std::error_code error =
            llvm::sys::fs::create_directories(options.outputDir))
      throw Error(options.outputDir +
                  ": cannot create the directory: " + error.message());
    for (size_t i = 0; i < outputs.size(); ++i) {
      llvm::SmallString<128> path(options.outputDir);
      llvm::sys::path::append(path, "out" + std::to_string(i) + ".npy");
      writeNpy(path.str().str(), outputs[i]);
    }
  }
  if (options.print)
    for (const Tensor &output : outputs)
      out << output << "\n";
  // Without an output option, say what was computed rather than nothing.
  if (!options.print && options.outputDir.empty() && options.repeat == 0) {
    out << "kilnc: ran '" << name << "' ("
        << (options.mode == RunMode::Jit ? "jit" : "interpreter") << ", "
        << formatMs(first) << "); --print shows the outputs, --output-dir "
        << "saves them\n";
    for (size_t i = 0; i < outputs.size(); ++i)
      out << "  out" << i << ": " << preview(outputs[i]) << "\n";
  }
  return outputs;
}
