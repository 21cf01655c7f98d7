//===- InitAll.h - Register every Kiln dialect and pass --------*- C++ -*-===//

#ifndef KILN_INITALL_H
#define KILN_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace kiln {

/// Adds the kiln dialect and every dialect Kiln's lowering produces.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Adds the dialects and interface implementations that Kiln's pipeline
/// (kiln/Compiler/Pipeline.h) creates and relies on, and no others: the
/// registry of the JIT's contexts (building all of MLIR's took 4 ms of the
/// first compile of a process).
void registerPipelineDialects(mlir::DialectRegistry &registry);

/// Registers Kiln's passes and named pipelines with the global registry, so
/// that `kiln-opt` and `PassManager::parsePassPipeline` know them.
void registerAllPasses();

} // namespace kiln

#endif // KILN_INITALL_H
