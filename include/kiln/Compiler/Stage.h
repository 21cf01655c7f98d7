//===- Stage.h - The stages of Kiln's lowering -----------------*- C++ -*-===//
//
// The stages of docs/design.md's pipeline, shared by `Function::lower(...).ir()`,
// `kilnc emit --to=...`, `--dump-dir` and kiln-opt's named pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_STAGE_H
#define KILN_COMPILER_STAGE_H

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace kiln {

/// A point of the lowering, in pipeline order.
enum class Stage {
  Kiln,   ///< `kiln` dialect on tensors.
  Linalg, ///< linalg/tensor/arith/math on tensors, fused.
  Loops,  ///< scf/vector loops on memrefs.
  LLVM,   ///< the `llvm` dialect.
  LLVMIR, ///< LLVM IR after O3 for the host CPU (outside MLIR's pass manager).
  Asm,    ///< native assembly (outside MLIR's pass manager).
};

/// The lowercase name of `stage`: "kiln", "linalg", "loops", "llvm",
/// "llvmir", "asm".
llvm::StringRef stageName(Stage stage);

/// Parses a name of `stageName` (case-insensitive).
std::optional<Stage> parseStage(llvm::StringRef name);

} // namespace kiln

#endif // KILN_COMPILER_STAGE_H
