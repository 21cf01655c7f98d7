//===- BufferRoots.h - The buffer a memref value views ----------*- C++ -*-===//
//
// Private to lib/Transforms: passes on buffers that reason about which
// buffer a load, a store or a call touches.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_TRANSFORMS_BUFFERROOTS_H
#define KILN_LIB_TRANSFORMS_BUFFERROOTS_H

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln {

/// The buffer `memref` is a view of (through casts, subviews and reshapes):
/// an allocation, a function argument or another op's result.
inline mlir::Value rootBuffer(mlir::Value memref) {
  while (auto view = memref.getDefiningOp<mlir::ViewLikeOpInterface>())
    memref = view.getViewSource();
  return memref;
}

} // namespace kiln

#endif // KILN_LIB_TRANSFORMS_BUFFERROOTS_H
