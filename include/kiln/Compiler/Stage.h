//===- Stage.h - The stages of Kiln's lowering -----------------*- C++ -*-===//
//
// The stages of docs/design.md's pipeline, shared by
// `Function::lower(...).ir()`, `kilnc emit --to=...`, `--dump-dir` and
// kiln-opt's named pipelines. Part of the public API for hosts: it includes no
// LLVM or MLIR header.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_STAGE_H
#define KILN_COMPILER_STAGE_H

#include <optional>
#include <string>
#include <string_view>

namespace kiln {

/// A point of the lowering, in pipeline order.
enum class Stage {
  Kiln,   ///< `kiln` dialect on tensors.
  Linalg, ///< linalg/tensor/arith/math on tensors, fused.
  Loops,  ///< scf/vector loops on memrefs.
  LLVM,   ///< the `llvm` dialect.
  LLVMIR, ///< LLVM IR optimized for the host CPU (outside MLIR's pass manager).
  Asm,    ///< native assembly (outside MLIR's pass manager).
};

/// The lowercase name of `stage`: "kiln", "linalg", "loops", "llvm",
/// "llvmir", "asm".
std::string_view stageName(Stage stage);

/// Parses a name of `stageName` (case-insensitive).
std::optional<Stage> parseStage(std::string_view name);

/// One step of a compile and the wall time it took, e.g. {"trace", 1.2} or
/// {"llvm-codegen", 30.5}; see `Lowered::compile_times`.
struct CompileStep {
  std::string step;
  double ms = 0;
};

} // namespace kiln

#endif // KILN_COMPILER_STAGE_H
