//===- OnnxImport.h - ONNX models to kiln graphs ---------------*- C++ -*-===//
//
// `kilnc import MODEL.onnx`, and kiln::load and kilnc on .onnx files
// (lib/Import/OnnxImport.cpp). The importer links Debian's libonnx and
// libprotobuf.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IMPORT_ONNXIMPORT_H
#define KILN_IMPORT_ONNXIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "kiln/Runtime/Tensor.h"

#include <map>
#include <string>

namespace kiln {

/// How importOnnx imports a model.
struct OnnxImportOptions {
  /// The function's name ("main" if empty).
  std::string function;
  /// Graph inputs given values: each becomes a constant of the graph and
  /// leaves the signature, as a static argument does in JAX. Inputs whose
  /// values decide a shape (a Reshape's shape, a Slice's bounds, axes)
  /// must be bound, since Kiln's shapes are known when a graph compiles.
  std::map<std::string, Tensor> bindings;
};

/// Imports the ONNX model at `path` (opsets 1 to 17 of the default domain)
/// into a module with one function, `name` ("main" if empty): the graph's
/// inputs that are not initializers are its arguments (a symbolic or unknown
/// dimension is dynamic), its outputs its results, initializers and
/// Constant nodes constants. ONNX's shape inference runs first. Each kiln op
/// has the location `"<node name> (<op type>)"(<path>)`. Throws kiln::Error
/// naming the node, its op type and the opset for what Kiln does not
/// support.
mlir::OwningOpRef<mlir::ModuleOp> importOnnx(mlir::MLIRContext &context,
                                             const std::string &path,
                                             const OnnxImportOptions &options);
mlir::OwningOpRef<mlir::ModuleOp> importOnnx(mlir::MLIRContext &context,
                                             const std::string &path,
                                             const std::string &name = "");

/// Whether `path` names an ONNX model (ends in .onnx).
bool isOnnxFile(const std::string &path);

} // namespace kiln

#endif // KILN_IMPORT_ONNXIMPORT_H
