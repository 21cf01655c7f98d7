//===- KilnOps.td - The kiln dialect's ops -----------------*- tablegen -*-===//
//
// Ops are grouped by family: constants and casts, elementwise binary,
// comparison and logical, elementwise unary, shape manipulation, reductions,
// linear algebra and the composite neural-network ops (softmax, layer_norm)
// that are kept whole so fusion sees them.
//
// Every op infers its result type from its operands and attributes with the
// shape and promotion rules of the runtime (kiln/Runtime/Shape.h, DType.h).
// A result type written in the IR must be compatible with the inferred one:
// the same element type and rank, and the same size wherever both are static
// (so a written static size may refine an inferred dynamic one).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/LoopLikeInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Op classes
//===----------------------------------------------------------------------===//

/// An op whose result types are inferred by `inferReturnTypes(..., Adaptor,
/// ...)`, written in KilnOps.cpp, and checked against the written ones by
/// `kiln::detail::areCompatibleReturnTypes`.
class Kiln_InferredOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])> {
  code extraInferredDecls = [{
    static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                        ::mlir::TypeRange actual) {
      return ::kiln::detail::areCompatibleReturnTypes(inferred, actual);
    }
  }];
  let extraClassDeclaration = extraInferredDecls;
}

/// Elementwise binary op with numpy broadcasting and type promotion.
class Kiln_BinaryOp<string mnemonic, string example, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpInterface])> {
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let description = [{
    Elementwise }] # mnemonic # [{ of two tensors. The operands broadcast as
    in numpy and mixed element types are promoted by Kiln's promotion table
    (an integer meeting a float takes the float type).

    Example:

    ```mlir
    }] # example # [{
    ```
  }];
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes) {
      return ::kiln::detail::inferBroadcastResult(
          getOperationName(), location, operands, /*resultElementType=*/{},
          inferredReturnTypes);
    }
    static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                        ::mlir::TypeRange actual) {
      return ::kiln::detail::areCompatibleReturnTypes(inferred, actual);
    }
  }];
}

/// Elementwise comparison or logical op: broadcasting, result i1.
class Kiln_PredicateOp<string mnemonic, string description_,
                       TypeConstraint operandType, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpInterface])> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let description = description_;
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes) {
      return ::kiln::detail::inferBroadcastResult(
          getOperationName(), location, operands,
          ::mlir::IntegerType::get(context, 1), inferredReturnTypes);
    }
    static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                        ::mlir::TypeRange actual) {
      return ::kiln::detail::areCompatibleReturnTypes(inferred, actual);
    }
  }];
}

/// Elementwise unary op; the result has the operand's type.
class Kiln_UnaryOp<string mnemonic, string formula, TypeConstraint tensorType,
                   list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType])> {
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let summary = "elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element.

    Example:

    ```mlir
    %1 = kiln.}] # mnemonic # [{ %0 : tensor<4x8xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "a tensor constant";
  let description = [{
    A tensor whose value is given by a dense elements attribute. Scalars are
    rank-0 tensors.

    Example:

    ```mlir
    %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %1 = kiln.constant dense<5> : tensor<i32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure]> {
  let summary = "element type conversion";
  let description = [{
    Converts every element to the result's element type; the shape is kept.
    Float to integer conversion rounds toward zero and saturates at the
    integer type's range (-inf and +inf too); NaN converts to 0. Conversion to
    i1 tests for non-zero (NaN is non-zero); i1 converts to 0 or 1.

    Example:

    ```mlir
    %1 = kiln.cast %0 : tensor<4xf32> to tensor<4xi32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

def Kiln_AddOp : Kiln_BinaryOp<"add",
    "%2 = kiln.add %0, %1 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>",
    [Commutative]> {
  let summary = "elementwise addition";
  let hasFolder = 1;
}
def Kiln_SubOp : Kiln_BinaryOp<"sub",
    "%2 = kiln.sub %0, %1 : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>"> {
  let summary = "elementwise subtraction";
  let hasFolder = 1;
}
def Kiln_MulOp : Kiln_BinaryOp<"mul",
    "%2 = kiln.mul %0, %1 : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>",
    [Commutative]> {
  let summary = "elementwise multiplication";
  let hasFolder = 1;
}
def Kiln_DivOp : Kiln_BinaryOp<"div",
    "%2 = kiln.div %0, %1 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>"> {
  let summary = "elementwise division";
  let description = [{
    Elementwise division with broadcasting and type promotion. Integer
    division rounds toward negative infinity (numpy's `//`); dividing an
    integer by zero gives zero.

    Example:

    ```mlir
    %2 = kiln.div %0, %1 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
}
def Kiln_PowOp : Kiln_BinaryOp<"pow",
    "%2 = kiln.pow %0, %1 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>"> {
  let summary = "elementwise power";
  let description = [{
    Elementwise `lhs` to the power `rhs` with broadcasting and type promotion.
    Integer powers wrap on overflow. A negative integer exponent gives the
    real power truncated toward zero: 1 for base 1, 1 or -1 for base -1 (even
    or odd exponent) and 0 for any other base, including 0.

    Example:

    ```mlir
    %2 = kiln.pow %0, %1 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
}
def Kiln_MaximumOp : Kiln_BinaryOp<"maximum",
    "%2 = kiln.maximum %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>",
    [Commutative]> {
  let summary = "elementwise maximum (NaN-propagating)";
}
def Kiln_MinimumOp : Kiln_BinaryOp<"minimum",
    "%2 = kiln.minimum %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>",
    [Commutative]> {
  let summary = "elementwise minimum (NaN-propagating)";
}

//===----------------------------------------------------------------------===//
// Comparison, logical and select
//===----------------------------------------------------------------------===//

class Kiln_CompareOp<string mnemonic, string relation, list<Trait> traits = []>
    : Kiln_PredicateOp<mnemonic, [{
    Elementwise `lhs }] # relation # [{ rhs` with broadcasting; operands of
    different element types are compared after promotion. The result is i1.

    Example:

    ```mlir
    %2 = kiln.}] # mnemonic # [{ %0, %1 : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
    ```
  }], Kiln_Tensor, traits> {
  let summary = "elementwise comparison `" # relation # "`";
}

def Kiln_EqOp : Kiln_CompareOp<"eq", "==", [Commutative]>;
def Kiln_NeOp : Kiln_CompareOp<"ne", "!=", [Commutative]>;
def Kiln_LtOp : Kiln_CompareOp<"lt", "<">;
def Kiln_LeOp : Kiln_CompareOp<"le", "<=">;
def Kiln_GtOp : Kiln_CompareOp<"gt", ">">;
def Kiln_GeOp : Kiln_CompareOp<"ge", ">=">;

class Kiln_LogicalOp<string mnemonic, string relation>
    : Kiln_PredicateOp<mnemonic, [{
    Elementwise logical `}] # relation # [{` of two i1 tensors, with
    broadcasting.

    Example:

    ```mlir
    %2 = kiln.}] # mnemonic # [{ %0, %1 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
    ```
  }], Kiln_BoolTensor, [Commutative]> {
  let summary = "elementwise logical " # relation;
}

def Kiln_AndOp : Kiln_LogicalOp<"and", "and">;
def Kiln_OrOp : Kiln_LogicalOp<"or", "or">;

def Kiln_NotOp : Kiln_UnaryOp<"not", "!x", Kiln_BoolTensor>;

def Kiln_SelectOp : Kiln_Op<"select", [Pure, InferTypeOpInterface]> {
  let summary = "elementwise choice between two tensors";
  let description = [{
    `select(cond, a, b)` takes `a` where `cond` is true and `b` elsewhere. The
    three operands broadcast together; `a` and `b` are promoted to a common
    element type.

    Example:

    ```mlir
    %3 = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_Tensor:$true_value,
                       Kiln_Tensor:$false_value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $true_value `,` $false_value attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes);
    static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                        ::mlir::TypeRange actual) {
      return ::kiln::detail::areCompatibleReturnTypes(inferred, actual);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

def Kiln_NegOp : Kiln_UnaryOp<"neg", "-x", Kiln_NumericTensor>;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", "|x|", Kiln_NumericTensor>;
def Kiln_ReluOp : Kiln_UnaryOp<"relu", "max(x, 0)", Kiln_NumericTensor>;
def Kiln_SignOp : Kiln_UnaryOp<"sign", "-1, 0 or 1 by the sign of x (NaN stays NaN)",
                               Kiln_NumericTensor>;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "e^x", Kiln_FloatTensor>;
def Kiln_LogOp : Kiln_UnaryOp<"log", "ln(x)", Kiln_FloatTensor>;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "sqrt(x)", Kiln_FloatTensor>;
def Kiln_RsqrtOp : Kiln_UnaryOp<"rsqrt", "1 / sqrt(x)", Kiln_FloatTensor>;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "tanh(x)", Kiln_FloatTensor>;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "1 / (1 + e^-x)", Kiln_FloatTensor>;
def Kiln_ErfOp : Kiln_UnaryOp<"erf", "erf(x)", Kiln_FloatTensor>;
def Kiln_SinOp : Kiln_UnaryOp<"sin", "sin(x)", Kiln_FloatTensor>;
def Kiln_CosOp : Kiln_UnaryOp<"cos", "cos(x)", Kiln_FloatTensor>;
def Kiln_TanOp : Kiln_UnaryOp<"tan", "tan(x)", Kiln_FloatTensor>;
def Kiln_AsinOp : Kiln_UnaryOp<"asin", "arcsin(x)", Kiln_FloatTensor>;
def Kiln_AcosOp : Kiln_UnaryOp<"acos", "arccos(x)", Kiln_FloatTensor>;
def Kiln_AtanOp : Kiln_UnaryOp<"atan", "arctan(x)", Kiln_FloatTensor>;
def Kiln_SinhOp : Kiln_UnaryOp<"sinh", "sinh(x)", Kiln_FloatTensor>;
def Kiln_CoshOp : Kiln_UnaryOp<"cosh", "cosh(x)", Kiln_FloatTensor>;
def Kiln_AsinhOp : Kiln_UnaryOp<"asinh", "arsinh(x)", Kiln_FloatTensor>;
def Kiln_AcoshOp : Kiln_UnaryOp<"acosh", "arcosh(x)", Kiln_FloatTensor>;
def Kiln_AtanhOp : Kiln_UnaryOp<"atanh", "artanh(x)", Kiln_FloatTensor>;
def Kiln_FloorOp : Kiln_UnaryOp<"floor", "floor(x)", Kiln_FloatTensor>;
def Kiln_CeilOp : Kiln_UnaryOp<"ceil", "ceil(x)", Kiln_FloatTensor>;
def Kiln_RoundOp : Kiln_UnaryOp<"round", "x rounded to the nearest integer, ties to even",
                                Kiln_FloatTensor>;
def Kiln_ReciprocalOp : Kiln_UnaryOp<"reciprocal", "1 / x", Kiln_FloatTensor>;
def Kiln_StopGradientOp : Kiln_UnaryOp<"stop_gradient",
    "x, through which no gradient flows", Kiln_Tensor> {
  let description = [{
    Its input, unchanged; differentiation (`kiln-differentiate`,
    `kiln::grad`, `kiln::GradientTape`) treats it as a constant: no gradient
    flows to its input. Once gradients are built it has no use, and
    canonicalization folds it away.

    Example:

    ```mlir
    %1 = kiln.stop_gradient %0 : tensor<4x8xf32>
    ```
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Kiln_ReshapeOp : Kiln_InferredOp<"reshape"> {
  let summary = "reshape to a new shape with the same number of elements";
  let description = [{
    Reinterprets the elements, in row-major order, with the target shape. One
    dimension of the target may be -1 and is then inferred from the element
    count.

    Example:

    ```mlir
    %1 = kiln.reshape %0 shape = [2, -1] : tensor<6xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `shape` `=` $shape attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_TransposeOp : Kiln_InferredOp<"transpose"> {
  let summary = "permute the dimensions";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`.

    Example:

    ```mlir
    %1 = kiln.transpose %0 perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `perm` `=` $perm attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_BroadcastToOp : Kiln_InferredOp<"broadcast_to"> {
  let summary = "broadcast to a shape, numpy style";
  let description = [{
    Broadcasts the input to `shape` by numpy's rules: dimensions are aligned
    from the right and size-1 dimensions are repeated.

    Example:

    ```mlir
    %1 = kiln.broadcast_to %0 shape = [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `shape` `=` $shape attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_ExpandDimsOp : Kiln_InferredOp<"expand_dims"> {
  let summary = "insert a size-1 dimension";
  let description = [{
    Inserts a dimension of size 1 at `axis`, which may be negative (counted
    from the end of the result's dimensions).

    Example:

    ```mlir
    %1 = kiln.expand_dims %0 axis = 0 : tensor<3xf32> -> tensor<1x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `axis` `=` $axis attr-dict `:` type($input) `->` type($result)
  }];
}

def Kiln_SqueezeOp : Kiln_InferredOp<"squeeze"> {
  let summary = "remove size-1 dimensions";
  let description = [{
    Removes the listed dimensions, each of which must have size 1, or every
    size-1 dimension when `axes` is empty.

    Example:

    ```mlir
    %1 = kiln.squeeze %0 axes = [0] : tensor<1x3xf32> -> tensor<3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `axes` `=` $axes attr-dict `:` type($input) `->` type($result)
  }];
}

def Kiln_ConcatOp : Kiln_InferredOp<"concat"> {
  let summary = "concatenate tensors along an axis";
  let description = [{
    Joins the inputs along `axis`; they must have the same rank, the same
    element type and the same sizes in every other dimension.

    Example:

    ```mlir
    %2 = kiln.concat %0, %1 axis = 0 : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` `=` $axis attr-dict `:` functional-type($inputs, $result)
  }];
}

def Kiln_SliceOp : Kiln_InferredOp<"slice"> {
  let summary = "strided slice";
  let description = [{
    Takes, in each dimension `d`, the elements `start[d]`, `start[d] +
    stride[d]`, ... below `limit[d]`. Requires `0 <= start <= limit <= size`
    and `stride >= 1`.

    Example:

    ```mlir
    %1 = kiln.slice %0 start = [0, 1] limit = [4, 3] stride = [2, 1]
        : tensor<4x3xf32> -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$start,
                       DenseI64ArrayAttr:$limit, DenseI64ArrayAttr:$stride);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `start` `=` $start `limit` `=` $limit `stride` `=` $stride attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_InferredOp<"pad"> {
  let summary = "pad with a constant value";
  let description = [{
    Adds `low[d]` elements before and `high[d]` elements after dimension `d`,
    all equal to `value` (converted to the element type).

    Example:

    ```mlir
    %1 = kiln.pad %0 low = [1, 0] high = [1, 2] value = 0.0
        : tensor<2x3xf32> -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, F64Attr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `low` `=` $low `high` `=` $high `value` `=` $value attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Kiln_GatherOp : Kiln_InferredOp<"gather"> {
  let summary = "gather slices along an axis by index";
  let description = [{
    `result[i..., j..., k...] = input[i..., indices[j...], k...]`, where the
    `i` span the dimensions before `axis`. The result shape is
    `input.shape[:axis] + indices.shape + input.shape[axis+1:]`. Negative
    indices count from the end; an index outside `[-size, size)` is an error
    at run time, in every mode: eager mode and the interpreter throw
    `kiln::Error`; compiled code reports the first such index of a call to
    the runtime (`kiln_rt_report_index_error`), reads a clamped element in its
    place (never out of bounds), and the API throws the same error when the
    call returns: "gather: index 100 is out of range for axis 0 of size 4".

    Example:

    ```mlir
    %2 = kiln.gather %0, %1 axis = 0 : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `axis` `=` $axis attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string combiner, TypeConstraint tensorType>
    : Kiln_InferredOp<mnemonic> {
  let summary = combiner # " over a list of axes";
  let description = [{
    Reduces the input over `axes` (every axis when the list is empty) by }] #
    combiner # [{. With `keepdims` the reduced dimensions stay, with size 1.

    Example:

    ```mlir
    %1 = kiln.}] # mnemonic # [{ %0 axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
    %2 = kiln.}] # mnemonic # [{ %0 axes = [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins tensorType:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs tensorType:$result);
  let assemblyFormat = [{
    $input `axes` `=` $axes (`keepdims` $keepdims^)? attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "the sum", Kiln_NumericTensor>;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "the mean", Kiln_FloatTensor>;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "the maximum", Kiln_NumericTensor>;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "the minimum", Kiln_NumericTensor>;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "the product", Kiln_NumericTensor>;

class Kiln_ArgReduceOp<string mnemonic, string what>
    : Kiln_InferredOp<mnemonic> {
  let summary = "index of the " # what # " along one axis";
  let description = [{
    The index (i64) of the }] # what # [{ along `axis`; the first one when
    several are equal. With `keepdims` the reduced dimension stays, with size 1.

    Example:

    ```mlir
    %1 = kiln.}] # mnemonic # [{ %0 axis = 1 : tensor<4x8xf32> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                       UnitAttr:$keepdims);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `axis` `=` $axis (`keepdims` $keepdims^)? attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Kiln_CumsumOp : Kiln_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "cumulative sum along an axis";
  let description = [{
    `result[..., i, ...] = sum of input[..., j, ...]` for `j <= i` (`j < i`
    with `exclusive`; `j >= i` or `j > i` with `reverse`) along `axis`
    (negative counts from the end). Integers wrap, as in reduce_sum.

    Example:

    ```mlir
    %1 = kiln.cumsum %0 axis = 1 exclusive reverse : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                       UnitAttr:$exclusive, UnitAttr:$reverse);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $input `axis` `=` $axis (`exclusive` $exclusive^)? (`reverse` $reverse^)?
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def Kiln_ArgmaxOp : Kiln_ArgReduceOp<"argmax", "maximum">;
def Kiln_ArgminOp : Kiln_ArgReduceOp<"argmin", "minimum">;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_InferredOp<"matmul"> {
  let summary = "matrix product with numpy semantics";
  let description = [{
    `numpy.matmul`: operands of rank 2 multiply as matrices; a 1-D operand is
    treated as a row (left) or column (right) vector and that dimension is
    removed from the result; leading batch dimensions broadcast. Mixed element
    types are promoted.

    Example:

    ```mlir
    %2 = kiln.matmul %0, %1 : (tensor<8x4x16xf32>, tensor<16x32xf32>) -> tensor<8x4x32xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Neural-network composites
//===----------------------------------------------------------------------===//

class Kiln_SoftmaxLikeOp<string mnemonic, string formula>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = formula # " along an axis";
  let description = [{
    Computes }] # formula # [{ along `axis`, in the numerically stable form
    (the maximum is subtracted first). Kept as one op so that fusion sees the
    whole computation.

    Example:

    ```mlir
    %1 = kiln.}] # mnemonic # [{ %0 axis = -1 : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_SoftmaxLikeOp<"softmax", "exp(x) / sum(exp(x))">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxLikeOp<"log_softmax",
                                           "x - log(sum(exp(x)))">;

def Kiln_LayerNormOp : Kiln_Op<"layer_norm",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptor]> {
  let summary = "layer normalization over trailing axes";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, where the mean and the
    (biased) variance are taken over `axes`. `scale` and `bias` are optional
    and must broadcast to the input's shape.

    Example:

    ```mlir
    %3 = kiln.layer_norm %0 scale %1 bias %2 axes = [-1] epsilon = 1.0e-05
        : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       Optional<Kiln_FloatTensor>:$scale,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$axes, F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` $scale^)? (`bias` $bias^)? `axes` `=` $axes
    `epsilon` `=` $epsilon attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                        ::mlir::TypeRange actual) {
      return ::kiln::detail::areCompatibleReturnTypes(inferred, actual);
    }
  }];
}

def Kiln_ConvOp : Kiln_Op<"conv", [Pure, InferTypeOpAdaptor]> {
  let summary = "convolution over channels-first tensors";
  let description = [{
    The convolution (cross-correlation, as in ONNX and PyTorch) of `input`,
    N x C x D1 x ... x Dk (k >= 1 spatial dimensions), with `weight`,
    M x C/groups x K1 x ... x Kk, plus `bias` (M) if given. The input is
    padded with `pads_begin` and `pads_end` zeros; the kernel's taps are
    `dilations` apart and slide by `strides`. The result is N x M x O1 x
    ... x Ok with Oi = (Di + pads - (Ki - 1) * dilation - 1) / stride + 1.
    Every attribute has one value per spatial dimension. float32 or
    float64, static shapes.

    Lowered to a call of the runtime's kernel, the one eager mode runs: an
    implicit GEMM that packs its panels straight from the input, or, for a
    depthwise convolution (groups = C = M), the taps summed along lines of
    the output. An `add` of a tensor of the result's type and a `relu` that
    consume the result run in the kernel's epilogue.

    Example:

    ```mlir
    %2 = kiln.conv %0, %1 strides = [1, 1] pads_begin = [1, 1]
        pads_end = [1, 1] dilations = [1, 1] groups = 1
        : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads_begin,
                       DenseI64ArrayAttr:$pads_end,
                       DenseI64ArrayAttr:$dilations, I64Attr:$groups);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? `strides` `=` $strides
    `pads_begin` `=` $pads_begin `pads_end` `=` $pads_end
    `dilations` `=` $dilations `groups` `=` $groups attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                        ::mlir::TypeRange actual) {
      return ::kiln::detail::areCompatibleReturnTypes(inferred, actual);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Debugging
//===----------------------------------------------------------------------===//

def Kiln_PrintOp : Kiln_Op<"print", [MemoryEffects<[MemWrite]>]> {
  let summary = "print a tensor's value each time the graph runs";
  let description = [{
    Prints one line each time the op runs, in every mode (`kiln::print`):
    the label, the op's location (a traced op's C++ call site, or its place
    in a graph file) and the tensor as the runtime prints it,

    ```
    h (rnn.cpp:21): kiln.Tensor([0.5 0.25], shape=(2,), dtype=float32)
    ```

    The line goes to the host's print handler (`kiln::set_print_handler`,
    standard output by default). The op writes to the outside world, so it
    is never removed as dead code, hoisted out of a loop or reordered with
    another print; it has no result, so the ops around it still fuse: the
    printed value is the only one it keeps in memory.

    Example:

    ```mlir
    kiln.print %0 label "h" : tensor<2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, StrAttr:$label);
  let assemblyFormat = "$input `label` $label attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

/// A scalar (rank-0) tensor of `type`; the assembly format need not spell it.
class Kiln_Scalar<Type type, string elementBuilder, string description>
    : Type<And<[TensorOf<[type]>.predicate, HasAnyRankOfPred<[0]>]>,
           description, "::mlir::RankedTensorType">,
      BuildableType<"::mlir::RankedTensorType::get({}, " # elementBuilder # ")">;
def Kiln_BoolScalar : Kiln_Scalar<I1, "$_builder.getI1Type()",
                                  "0-d tensor of i1">;
def Kiln_I64Scalar : Kiln_Scalar<I64, "$_builder.getI64Type()",
                                 "0-d tensor of i64">;

def Kiln_YieldOp : Kiln_Op<"yield",
    [Pure, Terminator,
     ParentOneOf<["IfOp", "ForOp", "WhileOp", "ScanOp"]>]> {
  let summary = "the values a region of a control-flow op produces";
  let description = [{
    Ends each region of `kiln.if`, `kiln.for`, `kiln.while` and `kiln.scan`
    with the values it produces: a branch's results, a loop body's next
    carry, a `kiln.while` condition's `tensor<i1>`, a `kiln.scan` body's
    next carry and its slice of the stacked outputs.
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

def Kiln_IfOp : Kiln_Op<"if", [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "one of two regions, chosen by a boolean scalar";
  let description = [{
    Runs `then` if the rank-0 `condition` is true, else `else`, and returns
    the values the region yields; both yield values of the result types
    (identical shapes and dtypes). The regions may use values defined above
    them: the tensors a branch captures (`kiln::cond`).

    Example:

    ```mlir
    %r = kiln.if %p -> (tensor<4xf32>) {
      %0 = kiln.exp %x : tensor<4xf32>
      kiln.yield %0 : tensor<4xf32>
    } else {
      kiln.yield %x : tensor<4xf32>
    }
    ```
  }];
  let arguments = (ins Kiln_BoolScalar:$condition);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$thenRegion,
                        SizedRegion<1>:$elseRegion);
  let assemblyFormat = [{
    $condition (`->` `(` type($results)^ `)`)? $thenRegion `else`
    $elseRegion attr-dict
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Kiln_ForOp : Kiln_Op<"for", [RecursiveMemoryEffects,
    DeclareOpInterfaceMethods<LoopLikeOpInterface>]> {
  let summary = "a loop over the integers from `lower` to `upper`";
  let description = [{
    Runs the body for i = lower, lower + 1, ..., upper - 1 (not at all if
    upper <= lower), threading the carry: the body's entry block takes i (a
    `tensor<i64>`) and the carry, and yields the next carry, which has the
    types of `init`; the results are the last carry (`init` if the body
    never runs).

    Example:

    ```mlir
    %r = kiln.for %lo to %hi iter_args(%x : tensor<4xf32>) -> (tensor<4xf32>) {
    ^bb0(%i: tensor<i64>, %c: tensor<4xf32>):
      %0 = kiln.mul %c, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      kiln.yield %0 : tensor<4xf32>
    }
    ```
  }];
  let arguments = (ins Kiln_I64Scalar:$lower, Kiln_I64Scalar:$upper,
                       Variadic<Kiln_Tensor>:$init);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $lower `to` $upper (`iter_args` `(` $init^ `:` type($init) `)`)?
    (`->` `(` type($results)^ `)`)? $body attr-dict
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Kiln_WhileOp : Kiln_Op<"while", [RecursiveMemoryEffects,
    DeclareOpInterfaceMethods<LoopLikeOpInterface>]> {
  let summary = "a loop that runs while a condition on its carry holds";
  let description = [{
    Starting from `init`, runs `cond` on the carry, which yields a
    `tensor<i1>`; while it is true, runs `body`, which yields the next
    carry. Both regions' entry blocks take the carry (the types of `init`);
    the results are the carry for which `cond` was first false.

    Example:

    ```mlir
    %r = kiln.while (%x : tensor<f32>) -> (tensor<f32>) cond {
    ^bb0(%c: tensor<f32>):
      %0 = kiln.lt %c, %limit : (tensor<f32>, tensor<f32>) -> tensor<i1>
      kiln.yield %0 : tensor<i1>
    } do {
    ^bb0(%c: tensor<f32>):
      %0 = kiln.add %c, %c : (tensor<f32>, tensor<f32>) -> tensor<f32>
      kiln.yield %0 : tensor<f32>
    }
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$init);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$condRegion, SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`(` $init^ `:` type($init) `)`)? (`->` `(` type($results)^ `)`)?
    `cond` $condRegion `do` $body attr-dict
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Kiln_ScanOp : Kiln_Op<"scan", [RecursiveMemoryEffects,
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<LoopLikeOpInterface>]> {
  let summary = "a loop over the slices of tensors along their first axis";
  let description = [{
    For i = 0, ..., n - 1, where n is the size of the first dimension of
    every tensor of `xs`, runs the body on the carry and the slices
    `xs[j][i]` (each `xs[j]` without its first dimension). The body yields
    the next carry (the types of `init`) and then the slices of the stacked
    outputs `y`. The results are the last carry (`init` if n = 0) and, for
    each `y`, the tensor of n slices stacked along a new first axis
    (`kiln::scan`, as JAX's `lax.scan`).

    Example:

    ```mlir
    %h, %hs = kiln.scan iter_args(%h0 : tensor<8xf32>)
        over(%xs : tensor<128x8xf32>) -> (tensor<8xf32>, tensor<128x8xf32>) {
    ^bb0(%c: tensor<8xf32>, %x: tensor<8xf32>):
      %0 = kiln.add %c, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
      %1 = kiln.tanh %0 : tensor<8xf32>
      kiln.yield %1, %1 : tensor<8xf32>, tensor<8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$init,
                       Variadic<Kiln_Tensor>:$xs);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`iter_args` `(` $init^ `:` type($init) `)`)?
    `over` `(` $xs `:` type($xs) `)` `->` `(` type($results) `)`
    $body attr-dict
  }];
  let extraClassDeclaration = [{
    /// The last carry: the first results, one per `init`.
    ::mlir::ResultRange getCarryResults() {
      return getResults().take_front(getInit().size());
    }
    /// The stacked outputs: the results after the carry.
    ::mlir::ResultRange getStackedResults() {
      return getResults().drop_front(getInit().size());
    }
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

include "kiln/Dialect/Kiln/IR/KilnIndexingOps.td"
include "kiln/Dialect/Kiln/IR/KilnBitwiseOps.td"

#endif // KILN_OPS_TD
