//===- Run.h - Running graph files, for kilnc run --------------*- C++ -*-===//
//
// Reads inputs (.npy or ONNX TensorProto .pb files, or random ones), checks
// them against the graph's signature, runs the graph with the JIT or the
// graph interpreter, and writes, prints and times the outputs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_RUN_H
#define KILN_DRIVER_RUN_H

#include "kiln/Driver/GraphFile.h"
#include "kiln/Runtime/Tensor.h"

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace kiln::driver {

enum class RunMode { Jit, Interpret };

struct RunOptions {
  std::string graph;    ///< The graph file.
  std::string function; ///< Empty: the file's first function.
  std::vector<std::string> inputs;
  bool randomInputs = false;
  uint64_t seed = 0;
  /// The size random inputs get in their dynamic dimensions (0: none given,
  /// an error if a dimension is dynamic).
  int64_t dynamicSize = 0;
  RunMode mode = RunMode::Jit;
  std::string outputDir; ///< Where to write out<i>.npy (if not empty).
  bool print = false;
  int repeat = 0; ///< Timed calls after a warm-up one (0: one untimed call).
  /// Run the interpreter beside the JIT and compare every result
  /// (kiln::set_shadow_check); a divergence names the first op that
  /// differs.
  bool compare = false;
  double rtol = 1e-4; ///< --compare's tolerance: atol + rtol * |interpreted|
  double atol = 1e-5;
};

/// Reads an input tensor: a .pb file as a TensorProto, any other as .npy.
/// Throws kiln::Error "<path>: <what is wrong>".
Tensor readInput(const std::string &path);

/// A random tensor of `type`: uniform in [-1, 1) for floats, integers in
/// [-10, 10), bools with probability 1/2; the same `seed` gives the same
/// tensor everywhere.
Tensor randomTensor(const TensorSignature &type, uint64_t seed);

/// Checks `inputs` (read from `names`) against `signature`, the arguments of
/// function `function` of `graph`. Throws kiln::Error naming the graph (for
/// a count mismatch) or the input file.
void checkInputs(const std::string &graph, const std::string &function,
                 const std::vector<TensorSignature> &signature,
                 const std::vector<Tensor> &inputs,
                 const std::vector<std::string> &names);

/// Min, median and max of `samples` (ms).
struct TimingStats {
  double min = 0, median = 0, max = 0;
};
TimingStats summarize(std::vector<double> samples);

/// `kilnc run`: returns the outputs; writes what was asked for (printed
/// tensors, timings) to `out`. Throws kiln::Error.
std::vector<Tensor> runGraph(const RunOptions &options, std::ostream &out);

} // namespace kiln::driver

#endif // KILN_DRIVER_RUN_H
