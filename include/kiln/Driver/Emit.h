//===- Emit.h - The IR of every stage, for kilnc emit ----------*- C++ -*-===//
//
// Lowers a graph file through the pipeline of docs/design.md and keeps the text
// of each stage, the wall time of each pass and the fusion policy's decisions:
// `kilnc emit --to`, `--dump-dir` (numbered files and manifest.json) and
// `--dot` (the graph with its fusion groups, for Graphviz).
//
// The driver lowers as the JIT and `kilnc compile` do -- results become
// caller-allocated output buffers (`PipelineOptions::resultsAsOutParams`) --
// so the Loops stage onwards shows exactly the code that runs. Up to the
// Linalg stage that makes no difference, and the text equals kiln-opt's
// `--kiln-to-linalg-pipeline`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_EMIT_H
#define KILN_DRIVER_EMIT_H

#include "kiln/Compiler/Stage.h"
#include "kiln/Driver/GraphFile.h"

#include "mlir/IR/Location.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace kiln::driver {

/// The wall time of one pass (or translation step past the LLVM stage).
struct PassTiming {
  Stage stage; ///< The stage the pass leads to.
  std::string pass;
  double ms = 0;
};

/// One decision of the fusion policy: fuse `producer` into `consumer`?
struct FusionDecision {
  std::string producer, consumer; ///< Op names, e.g. linalg.generic.
  mlir::Location producerLoc, consumerLoc;
  bool fused = false;
  std::string reason;
};

/// Everything `kilnc emit` reports about one lowering.
struct Emission {
  Stage to = Stage::Kiln; ///< The last stage lowered to.
  /// The text of each stage up to `to` (indexed by Stage).
  std::array<std::string, 6> texts;
  std::array<double, 6> stageMs{}; ///< Time to reach each stage from the last.
  std::vector<PassTiming> passes;
  std::vector<FusionDecision> fusions;
  /// `linalg.generic`s etc. left at the Linalg stage (the kernels).
  int linalgOps = 0;
  /// The location of every op of the Linalg stage's function bodies.
  std::vector<mlir::Location> linalgStageLocs;
};

/// Runs the pipeline from `from` to `to` (at most LLVM) on `module` as the
/// driver does (results as output buffers), starting with the Kiln stage's
/// simplification if `from` is Kiln and `simplifyKilnGraph` is set. Appends
/// the pass timings to `timings` if given. Throws kiln::Error with the first
/// diagnostic, "<file>:<line>:<col>: <message>".
void lowerModule(mlir::ModuleOp module, Stage from, Stage to,
                 std::vector<PassTiming> *timings = nullptr,
                 bool simplifyKilnGraph = true);

/// Lowers a clone of `file`'s module to `to`, keeping every stage on the
/// way. Throws kiln::Error.
Emission emitStages(const GraphFile &file, Stage to);

/// The file name of `stage` in a dump directory: "01-kiln.mlir" ...
/// "05-llvmir.ll", "06-asm.s".
std::string dumpFileName(Stage stage);

/// Writes each stage of `emission` (lowered to Asm) to `dir` (created if
/// needed) and manifest.json. Throws kiln::Error.
void writeDumpDir(const std::string &dir, const GraphFile &file,
                  const Emission &emission);

/// The manifest: graph, host CPU, stage files and times, pass timings,
/// fusion decisions (JSON).
std::string manifestJson(const GraphFile &file, const Emission &emission);

/// The Kiln-stage graph (folded ops are gone) as Graphviz DOT: one node per
/// kiln op, labelled with its name, type and source line (a traced op's C++
/// call site, or its line in the graph file), edges for values, and a
/// cluster per fusion group (the kiln ops whose linalg code fused into one
/// kernel). An op that leaves no code of its own at the Linalg stage is
/// dashed.
std::string fusionDot(const GraphFile &file, const Emission &emission);

/// Writes the picture of `fusionDot` to `path` in the format of its
/// extension: DOT text for .dot (or .gv), and for .svg, .png and .pdf what
/// Graphviz's `dot` renders (an error, before anything is written, if `dot`
/// is not on the PATH or the extension is another). No other file is
/// written. Returns `path` if it was rendered. Throws kiln::Error.
std::optional<std::string> writeDot(const std::string &path,
                                    const GraphFile &file,
                                    const Emission &emission);

} // namespace kiln::driver

#endif // KILN_DRIVER_EMIT_H
