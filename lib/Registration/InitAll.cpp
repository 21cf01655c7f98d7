//===- InitAll.cpp - Register every Kiln dialect and pass -----------------===//

#include "kiln/InitAll.h"

#include "kiln/Compiler/Pipeline.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

void kiln::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<kiln::KilnDialect, mlir::func::FuncDialect>();
}

void kiln::registerAllPasses() {
  registerKilnConversionPasses();
  registerKilnTransformsPasses();
  registerPipelines();
}
