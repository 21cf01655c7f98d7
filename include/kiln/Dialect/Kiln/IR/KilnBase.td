//===- KilnBase.td - The kiln dialect, base definitions ----*- tablegen -*-===//
//
// The `kiln` dialect: the graph-level IR of traced tensor programs. Values are
// builtin ranked tensors (scalars are rank-0 tensors); ops carry numpy
// semantics (broadcasting, type promotion) and are lowered through linalg.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BASE_TD
#define KILN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let summary = "Graphs of tensor programs traced from C++ or read from files";
  let description = [{
    The `kiln` dialect holds the graph of a traced tensor program. A graph is a
    `func.func` whose body uses `kiln` ops and ends in `func.return`; a graph
    file is a module of such functions.

    Values are builtin ranked tensors with element types f16, bf16, f32, f64,
    i1 (bool), i8, i16, i32, i64 and the unsigned ui8 and ui16; scalars are
    rank-0 tensors; dimensions may be dynamic (`?`). Elementwise ops
    broadcast their operands as numpy does and promote mixed element types
    by Kiln's promotion table (the one the eager runtime uses). Result types
    are always inferred from the operands and attributes, and the shape
    rules are shared with the eager runtime.
  }];
  let cppNamespace = "::kiln";
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Kiln_Float : AnyTypeOf<[F16, BF16, F32, F64]>;
def Kiln_Int : AnyTypeOf<[I8, I16, I32, I64, UI8, UI16]>;
def Kiln_Numeric : AnyTypeOf<[F16, BF16, F32, F64, I8, I16, I32, I64, UI8,
                              UI16]>;
def Kiln_Element : AnyTypeOf<[F16, BF16, F32, F64, I1, I8, I16, I32, I64, UI8,
                              UI16]>;

def Kiln_Tensor : RankedTensorOf<[Kiln_Element]>;
def Kiln_NumericTensor : RankedTensorOf<[Kiln_Numeric]>;
def Kiln_FloatTensor : RankedTensorOf<[Kiln_Float]>;
def Kiln_BoolTensor : RankedTensorOf<[I1]>;
def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;
def Kiln_IntTensor : RankedTensorOf<[Kiln_Int]>;
def Kiln_IntOrBoolTensor : RankedTensorOf<[I1, Kiln_Int]>;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

#endif // KILN_BASE_TD
