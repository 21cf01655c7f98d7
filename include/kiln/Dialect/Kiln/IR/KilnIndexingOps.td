//===- KilnIndexingOps.td - Sorting, scattering, random -*- tablegen -*-===//
//
// The ops whose compiled form calls a kernel of the runtime (argsort,
// scatter_nd) or computes a generator (random_uniform, random_normal).
// Included by KilnOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INDEXING_OPS_TD
#define KILN_INDEXING_OPS_TD

def Kiln_ArgsortOp : Kiln_Op<"argsort", [Pure]> {
  let summary = "indices that sort a tensor along an axis";
  let description = [{
    The indices (i64) that sort `input` along `axis` (negative counts from
    the end), ascending or `descending`. The sort is stable in both
    directions: equal elements keep the order of their indices. NaN ranks
    above every number; false below true.

    Compiled code calls the runtime's kernel (`kiln_rt_argsort`), the one
    eager mode runs: lines along the axis sort in parallel.

    Example:

    ```mlir
    %1 = kiln.argsort %0 axis = 1 descending : tensor<4x8xf32> -> tensor<4x8xi64>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis,
                       UnitAttr:$descending);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `axis` `=` $axis (`descending` $descending^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_ScatterNdOp : Kiln_InferredOp<"scatter_nd"> {
  let summary = "a copy of a tensor with slices updated at index vectors";
  let description = [{
    The last dimension of `indices` holds index vectors of length k, each
    naming the slice `input[i0, ..., ik-1]` (negative indices count from the
    end); `updates` has the shape `indices.shape[:-1] + input.shape[k:]` and
    the input's element type. The result is the input with each slice
    replaced by its update (`reduction = "none"`) or combined with it
    (`"add"`, `"mul"`, `"max"`, `"min"`). Updates apply in row-major order
    of the index vectors: with "none" a repeated index keeps the last
    update. An index out of range is an error at run time in every mode
    ("scatter_nd: index 4 is out of range for axis 0 of size 4").

    Compiled code calls the runtime's kernel (`kiln_rt_scatter_nd`), the
    one eager mode runs.

    Example:

    ```mlir
    %3 = kiln.scatter_nd %0, %1, %2 reduction = "add"
        : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$indices,
                       Kiln_Tensor:$updates, StrAttr:$reduction);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates `reduction` `=` $reduction attr-dict `:`
    functional-type(operands, results)
  }];
}

class Kiln_RandomOp<string mnemonic, string what, string first,
                    string second>
    : Kiln_Op<mnemonic, [Pure]> {
  let summary = what # " keyed by a seed";
  let description = [{
    A tensor of }] # what # [{ (`}] # first # [{`, `}] # second # [{`) of
    the result's static shape and floating type, keyed by `seed`, a rank-0
    i32 or i64 tensor. The generator is counter based: element i is a
    function of the seed and i only (splitmix64), so the op is pure (equal
    seeds give equal tensors) and its values are those eager mode gives for
    the seed, in every mode. Compiled code computes it in a
    `linalg.generic`, which fuses with its consumers.

    Example:

    ```mlir
    %1 = kiln.}] # mnemonic # [{ %0 }] # first # [{ = 0.0 }] # second #
    [{ = 1.0 : tensor<i64> -> tensor<4x8xf32>
    ```
  }];
  let results = (outs Kiln_FloatTensor:$result);
  let hasVerifier = 1;
}

def Kiln_RandomUniformOp : Kiln_RandomOp<"random_uniform",
    "uniform random numbers in [low, high)", "low", "high"> {
  let arguments = (ins Kiln_IndexTensor:$seed, F64Attr:$low, F64Attr:$high);
  let assemblyFormat = [{
    $seed `low` `=` $low `high` `=` $high attr-dict `:` type($seed) `->`
    type($result)
  }];
}

def Kiln_RandomNormalOp : Kiln_RandomOp<"random_normal",
    "normal random numbers", "mean", "stddev"> {
  let arguments = (ins Kiln_IndexTensor:$seed, F64Attr:$mean,
                       F64Attr:$stddev);
  let assemblyFormat = [{
    $seed `mean` `=` $mean `stddev` `=` $stddev attr-dict `:` type($seed)
    `->` type($result)
  }];
}

#endif // KILN_INDEXING_OPS_TD
