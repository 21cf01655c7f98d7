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

/// On a function: the positions of its pointer arguments, once lowered to
/// the LLVM dialect, that kiln-noalias-buffers marks `noalias` (an array of
/// i64; kiln-parallel-to-runtime sets it on the loops it outlines).
inline constexpr llvm::StringLiteral kNoAliasPointersAttrName =
    "kiln.noalias_pointers";

#define GEN_PASS_REGISTRATION
#include "kiln/Transforms/Passes.h.inc"

} // namespace kiln

#endif // KILN_TRANSFORMS_PASSES_H
