//===- LoweringUtils.h - Helpers shared by the kiln-to-linalg patterns ----===//
//
// Scalar conversions, broadcasting indexing maps, empty tensors and reduction
// generics: the pieces every family of kiln-to-linalg patterns builds from.
// Each helper that can refuse an op reports why through the rewriter
// (`notifyMatchFailure`) before creating any IR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::lowering {

/// Builds the scalar result of an elementwise body from its (already
/// converted) scalar operands.
using ScalarBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

/// Converts `value` to `type` by Kiln's rules: float -> int truncates toward
/// zero and saturates (NaN gives 0), x -> i1 tests for non-zero (NaN is
/// true), i1 -> x gives 0 or 1.
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::Type type);
/// The same, reading integer `value` as unsigned (zero-extended, converted
/// to float as unsigned) when `fromUnsigned`, and saturating a float at the
/// unsigned range of `type` when `toUnsigned`: compiled code's integers are
/// signless, and uint8/uint16 tensors keep their bits in i8/i16.
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::Type type, bool fromUnsigned,
                          bool toUnsigned);

/// A scalar constant of `type` (float, integer or index) holding `value`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// The lowest (`-inf` or the smallest integer) or highest value of `type`.
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type);
mlir::Value highestValue(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type);

/// The common element type of `types` by Kiln's promotion table.
mlir::Type promoteElementTypes(mlir::TypeRange types);

/// The type sums, products and their composites of `elementType` accumulate
/// in: f32 for the 16-bit floats (rounded once at the end, as eager mode
/// does), `elementType` itself otherwise.
mlir::Type accumulatorType(mlir::Type elementType);

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// The sizes of `value` (static ones as attributes, dynamic ones as
/// `tensor.dim`).
llvm::SmallVector<mlir::OpFoldResult>
getSizes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value);

/// `tensor.empty` of `type`; the dynamic entries of `sizes` give its dynamic
/// dimensions.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// `linalg.fill` of a `tensor.empty` of `type` with `value`.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes,
                         mlir::Value value);

/// `value` itself, or a `tensor.cast` of it to `type` when a result type
/// written in the IR refines a dynamic dimension.
mlir::Value castToType(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, mlir::Type type);

/// The reassociation that collapses the dimensions `unitDims` of a rank
/// `rank` shape into their neighbours (and expands them back).
llvm::SmallVector<mlir::ReassociationIndices>
unitDimReassociation(int64_t rank, llvm::ArrayRef<int64_t> unitDims);

//===----------------------------------------------------------------------===//
// Broadcasting elementwise generics
//===----------------------------------------------------------------------===//

/// Builds `linalg.generic` computing `body` over the broadcast of `operands`
/// into `resultType`. Operand `i` is converted to `operandTypes[i]` (if not
/// null) inside the body. Dynamic dimensions never broadcast: unless the
/// op is `kiln.checked_dims` (the host checks its sizes), sizes that must be
/// equal are checked at run time (`buildIfSizesEqual`).
mlir::FailureOr<mlir::Value>
buildElementwise(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                 mlir::ValueRange operands, mlir::TypeRange operandTypes,
                 mlir::RankedTensorType resultType, ScalarBuilder body);

/// A pointer (`!llvm.ptr`) to a NUL-terminated constant holding `text`, a
/// global of `module` (one per distinct text): the op descriptions and print
/// labels compiled code passes to the runtime.
mlir::Value constantString(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::ModuleOp module, llvm::StringRef text);

/// The suffix of the runtime's functions for tensors of `element` (print,
/// argsort, scatter_nd): "bool", "i8", "i16", "i32", "i64", "ui8",
/// "ui16", "f16", "bf16", "f32" or "f64"; none for other types.
std::optional<llvm::StringRef> runtimeTypeSuffix(mlir::Type element);

/// Calls the runtime function `name`, which returns nothing, with
/// `operands`; declares it in `module` (private, typed by the operands) on
/// first use.
void callRuntime(mlir::OpBuilder &b, mlir::Location loc, mlir::ModuleOp module,
                 llvm::StringRef name, mlir::ValueRange operands);

/// `tensor` as a read-only unranked memref of any layout (the runtime reads
/// the descriptor's strides): how a tensor is passed to a runtime function.
mlir::Value unrankedBuffer(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value tensor);

/// A call of the runtime kernel `name` that fills a fresh buffer of
/// `resultType` (its dynamic sizes those of `like`), passed after
/// `arguments` (then `trailing`) as an unranked memref; returns the buffer
/// as the result tensor.
mlir::Value callKernel(mlir::OpBuilder &b, mlir::Operation *op,
                       llvm::StringRef name, mlir::RankedTensorType resultType,
                       mlir::Value like, llvm::ArrayRef<mlir::Value> arguments,
                       llvm::ArrayRef<mlir::Value> trailing);

/// Whether `op` (a kiln.add or kiln.relu) is lowered as part of the conv
/// whose result it consumes, by the runtime's kernel (NN.cpp): its own
/// pattern then leaves it to the conv's.
bool fusedIntoConv(mlir::Operation *op);

/// Two index sizes that must be equal at run time, and which sizes they
/// are, for the error message ("dimension 0", "the contracted dimension").
struct SizeCheck {
  mlir::Value size;
  mlir::Value other;
  std::string what;
};

/// `build()` (the op's result) under `scf.if` the sizes of `checks` are
/// equal. Otherwise compiled code reports the first unequal pair to the
/// runtime (`kiln_rt_report_size_error`, with the op's name and location;
/// the host throws it as a kiln::Error after the call) and yields an
/// unwritten tensor of `resultType` and `sizes`: nothing is read out of
/// bounds. This is how ops check the dynamic sizes that the host cannot
/// check on the arguments (kiln/Conversion/DynamicDims.h): sizes made by a
/// concat, a slice or a reshape.
mlir::FailureOr<mlir::Value>
buildIfSizesEqual(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                  llvm::ArrayRef<SizeCheck> checks,
                  mlir::RankedTensorType resultType,
                  llvm::ArrayRef<mlir::OpFoldResult> sizes,
                  llvm::function_ref<mlir::Value()> build);

/// Whether the sizes of `checks` are all equal (an i1); if not, compiled code
/// reports the first unequal pair to the runtime as `buildIfSizesEqual`
/// does, and the op must then read nothing out of bounds by itself.
mlir::FailureOr<mlir::Value> checkSizesEqual(mlir::PatternRewriter &rewriter,
                                             mlir::Operation *op,
                                             llvm::ArrayRef<SizeCheck> checks);

/// `value` converted elementwise to `elementType` by `convertScalar` (the
/// rounding eager mode uses), or `value` itself if it already has it.
mlir::Value convertElements(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value value, mlir::Type elementType);

/// The map from a rank-`rank` iteration space to the dimensions that are not
/// in `axes` (how a reduced tensor is read back in the full space).
mlir::AffineMap reducedMap(mlir::MLIRContext *context, int64_t rank,
                           llvm::ArrayRef<int64_t> axes);

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Builds a `linalg.generic` reducing `inputs` (all of the same shape) over
/// the sorted, normalized `axes` into tensors of `inits` element types,
/// initialized with `inits`. `body` receives the input scalars followed by
/// the accumulators and returns the new accumulators. Extra `broadcastInputs`
/// of the reduced shape are read with the reduced map.
llvm::SmallVector<mlir::Value>
buildReduction(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
               mlir::ValueRange broadcastInputs, llvm::ArrayRef<int64_t> axes,
               mlir::ValueRange inits,
               llvm::function_ref<llvm::SmallVector<mlir::Value>(
                   mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>
                   body);

/// The fast-math flags of a float reduction's combiner (`acc + x`): it may
/// be reassociated, so that its loop vectorizes into partial sums (whose
/// error bound is no worse than the sequential sum's), and contracted with a
/// multiplication into an FMA.
inline mlir::arith::FastMathFlags reassociableCombiner() {
  return mlir::arith::FastMathFlags::reassoc |
         mlir::arith::FastMathFlags::contract;
}

/// Number of elements of `input` over `axes`, as a scalar of `floatType`.
mlir::Value reductionCount(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           mlir::Type floatType);

/// Normalizes `axes` for a rank-`rank` tensor (sorted, in [0, rank); an empty
/// list means every axis), or fails with the rule's message.
mlir::FailureOr<llvm::SmallVector<int64_t>>
normalizeAxes(mlir::PatternRewriter &rewriter, mlir::Operation *op,
              llvm::ArrayRef<int64_t> axes, int64_t rank, bool emptyMeansAll);

} // namespace kiln::lowering

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
