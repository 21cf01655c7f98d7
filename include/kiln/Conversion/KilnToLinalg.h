//===- KilnToLinalg.h - Patterns lowering kiln to linalg -------*- C++ -*-===//
//
// The patterns of the `kiln-to-linalg` conversion, one populate function per
// op family. Each pattern rewrites one kiln op into linalg/tensor/arith/math
// on tensors, or fails with a reason (`notifyMatchFailure`) that the pass
// reports at the op's location.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVERSION_KILNTOLINALG_H
#define KILN_CONVERSION_KILNTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace kiln {

/// Constants, casts, elementwise binary, comparison, logical, select and
/// unary ops: one broadcasting `linalg.generic` each.
void populateElementwiseLoweringPatterns(mlir::RewritePatternSet &patterns);

/// reduce_sum/mean/max/min/prod and argmax/argmin: `linalg.generic`s with
/// reduction iterators, plus `tensor.expand_shape` for `keepdims`.
void populateReductionLoweringPatterns(mlir::RewritePatternSet &patterns);

/// reshape, transpose, broadcast_to, expand_dims, squeeze, concat, slice, pad
/// and gather. With `reportIndexErrors`, gather calls the runtime's
/// `kiln_rt_report_index_error` for an out-of-range index (code that runs
/// without the runtime turns it off and only clamps).
void populateShapeLoweringPatterns(mlir::RewritePatternSet &patterns,
                                   bool reportIndexErrors = true);

/// matmul: `linalg.matmul` / `linalg.batch_matmul` with numpy's 1-D and
/// batch-broadcasting rules.
void populateLinearAlgebraLoweringPatterns(mlir::RewritePatternSet &patterns);

/// softmax, log_softmax and layer_norm, decomposed into generics.
void populateNNLoweringPatterns(mlir::RewritePatternSet &patterns);

/// argsort and scatter_nd: calls of the runtime's kernels; random_uniform
/// and random_normal: a generic computing the runtime's generator.
void populateIndexingLoweringPatterns(mlir::RewritePatternSet &patterns);

/// Lowers each scaled dot-product attention (`softmax(q kᵀ scale) v` written
/// with kiln.transpose, kiln.matmul, kiln.mul or kiln.div and kiln.softmax)
/// under `root` to one call of the runtime's fused kernel
/// (lib/Conversion/KilnToLinalg/Attention.cpp).
void lowerAttentionToRuntime(mlir::Operation *root);

/// Prepares the 8- and 16-bit integers under `root` for the patterns: the
/// ops that compute on them compute on i32 casts (as eager mode does), and
/// uint8/uint16 values become i8/i16, their casts and prints marked
/// `kiln.unsigned_input`/`kiln.unsigned_result`
/// (lib/Conversion/KilnToLinalg/SmallIntegers.cpp).
void prepareSmallIntegers(mlir::Operation *root);

/// kiln.if, kiln.for, kiln.while and kiln.scan -> scf.if, scf.for, scf.while
/// and scf.for on tensors (lib/Conversion/KilnToLinalg/ControlFlow.cpp).
void populateControlFlowLoweringPatterns(mlir::RewritePatternSet &patterns);

/// kiln.print -> a call of the runtime's `kiln_rt_print_<type>` on the
/// printed tensor's buffer (lib/Conversion/KilnToLinalg/Debug.cpp).
void populateDebugLoweringPatterns(mlir::RewritePatternSet &patterns);

/// Every pattern above.
void populateKilnToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                  bool reportIndexErrors = true);

} // namespace kiln

#endif // KILN_CONVERSION_KILNTOLINALG_H
