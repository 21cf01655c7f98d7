//===- GraphFile.h - A graph file parsed for the driver --------*- C++ -*-===//
//
// A kiln graph file (what `kiln::Function::save` writes, or any module of
// kiln functions) parsed into a context that holds every dialect of the
// pipeline, so that the driver can lower it stage by stage.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_GRAPHFILE_H
#define KILN_DRIVER_GRAPHFILE_H

#include "kiln/Runtime/DType.h"
#include "kiln/Runtime/Shape.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <string>
#include <vector>

namespace kiln::driver {

/// The static type of one argument or result of a graph.
struct TensorSignature {
  Shape shape;
  DType dtype;
};

/// "(2, 3) float32".
std::string describe(const TensorSignature &type);

/// "file:line:col" of a file location, else the printed location.
std::string locationText(mlir::Location loc);

class GraphFile {
public:
  /// Parses and verifies the file at `path`. Throws kiln::Error with the
  /// first diagnostic, "<file>:<line>:<col>: <message>", or "<path>: <why it
  /// cannot be read>".
  static std::unique_ptr<GraphFile> open(const std::string &path);

  const std::string &path() const { return path_; }
  mlir::ModuleOp module() const { return *module_; }
  mlir::MLIRContext &context() const { return *context_; }

  /// The function `name`, or the first function if `name` is empty. Throws
  /// kiln::Error "<path>: no function 'f' (the file has: g, h)".
  mlir::func::FuncOp function(const std::string &name) const;

  /// The names of the file's functions.
  std::vector<std::string> functionNames() const;

  /// The argument and result types of `func`. Throws kiln::Error if one is
  /// not a statically shaped tensor of a Kiln dtype.
  std::vector<TensorSignature> arguments(mlir::func::FuncOp func) const;
  std::vector<TensorSignature> results(mlir::func::FuncOp func) const;

private:
  GraphFile() = default;

  std::string path_;
  std::unique_ptr<mlir::MLIRContext> context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
};

} // namespace kiln::driver

#endif // KILN_DRIVER_GRAPHFILE_H
