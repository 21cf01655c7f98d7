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

#include <string>

namespace kiln {

/// Imports the ONNX model at `path` (opsets 7 to 17 of the default domain)
/// into a module with one function, `name` ("main" if empty): the graph's
/// inputs that are not initializers are its arguments (a symbolic or unknown
/// dimension is dynamic), its outputs its results, initializers and
/// Constant nodes constants. ONNX's shape inference runs first. Each kiln op
/// has the location `"<node name> (<op type>)"(<path>)`. Throws kiln::Error
/// naming the node, its op type and the opset for what Kiln does not
/// support.
mlir::OwningOpRef<mlir::ModuleOp> importOnnx(mlir::MLIRContext &context,
                                             const std::string &path,
                                             const std::string &name = "");

/// Whether `path` names an ONNX model (ends in .onnx).
bool isOnnxFile(const std::string &path);

} // namespace kiln

#endif // KILN_IMPORT_ONNXIMPORT_H
