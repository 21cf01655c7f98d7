//===- FuzzGraph.cpp - libFuzzer target: graph file to the LLVM stage -----===//
//
// Any text is parsed as a graph file (with every dialect Kiln registers),
// verified, and each module that verifies is lowered through every stage to
// the LLVM dialect, as `kilnc emit --to llvm` does. Bad input must end in
// diagnostics or a kiln::Error; a crash, a hang, a sanitizer report or
// another exception is a bug.
//
//===----------------------------------------------------------------------===//

#include "kiln/Compiler/Stage.h"
#include "kiln/Driver/Emit.h"
#include "kiln/InitAll.h"
#include "kiln/Runtime/Error.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"

#include <cstdint>
#include <memory>
#include <string>

namespace {

/// One context for every input: creating one with all dialects costs more
/// than most inputs take to run.
mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> context = [] {
    kiln::registerAllPasses();
    mlir::DialectRegistry registry;
    mlir::registerAllDialects(registry);
    mlir::registerAllExtensions(registry);
    kiln::registerAllDialects(registry);
    auto context = std::make_unique<mlir::MLIRContext>(registry);
    context->disableMultithreading();
    context->loadAllAvailableDialects();
    return context;
  }();
  return *context;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = context();
  // Diagnostics are expected for most inputs; keep them quiet.
  mlir::ScopedDiagnosticHandler quiet(
      &ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  std::string text(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
  if (!module)
    return 0;
  // Only graphs of kiln ops are Kiln's to lower (the JIT and kilnc reject
  // others before lowering); upstream dialects' own lowerings are not under
  // test here.
  bool kilnOnly = true;
  module->walk([&](mlir::Operation *op) {
    llvm::StringRef dialect = op->getName().getDialectNamespace();
    if (dialect != "kiln" && dialect != "func" && dialect != "builtin")
      kilnOnly = false;
  });
  if (!kilnOnly)
    return 0;
  try {
    kiln::driver::lowerModule(*module, kiln::Stage::Kiln, kiln::Stage::LLVM);
  } catch (const kiln::Error &) {
  }
  return 0;
}
