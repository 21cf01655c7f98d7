//===- Passes.h - Kiln's dialect-independent transforms --------*- C++ -*-===//
//
// Declares the passes of include/kiln/Transforms/Passes.td and the fusion
// policy they use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRANSFORMS_PASSES_H
#define KILN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "kiln/Transforms/Passes.h.inc"

/// Kiln's elementwise fusion policy: fuse a producer into the consumer when
/// the consumer is its only user (no computation is duplicated), or always
/// when `fuseMultiUse` is set.
mlir::linalg::ControlFusionFn getDefaultFusionPolicy(bool fuseMultiUse);

/// Elementwise fusion of linalg.generics under `policy`, with the linalg and
/// tensor canonicalizations that clean up after it.
void populateElementwiseFusionPatterns(
    mlir::RewritePatternSet &patterns,
    const mlir::linalg::ControlFusionFn &policy);

#define GEN_PASS_REGISTRATION
#include "kiln/Transforms/Passes.h.inc"

} // namespace kiln

#endif // KILN_TRANSFORMS_PASSES_H
