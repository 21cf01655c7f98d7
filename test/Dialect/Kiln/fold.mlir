// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// The folders of KilnFold.cpp: algebraic identities on integers, `x * 1`,
// removal of no-op casts and shape ops, and shape ops on constants. Every
// rule has cases that must not fold next to the ones that must. Constant
// folding of elementwise ops on constant operands is tested elsewhere; no
// case here has only constant operands except the shape-op-on-constant rules.

//===----------------------------------------------------------------------===//
// x + 0 -> x, for integers
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add_zero_int
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xi32>, %[[Y:[^:]+]]: tensor<2x3xi64>
//   CHECK-NOT:   kiln.add
//       CHECK:   return %[[X]], %[[X]], %[[Y]]
func.func @add_zero_int(%x: tensor<4xi32>, %y: tensor<2x3xi64>) -> (tensor<4xi32>, tensor<4xi32>, tensor<2x3xi64>) {
  %zero = kiln.constant dense<0> : tensor<i32>
  %0 = kiln.add %x, %zero : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  // The zero on the left is moved to the right (add is commutative).
  %1 = kiln.add %zero, %x : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  %zero64 = kiln.constant dense<0> : tensor<2x3xi64>
  %2 = kiln.add %y, %zero64 : (tensor<2x3xi64>, tensor<2x3xi64>) -> tensor<2x3xi64>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi32>, tensor<2x3xi64>
}

// -----

// For floats, -0.0 + 0.0 is +0.0: x + 0 stays, whether the zero is a float or
// an integer promoted to the float type.
// CHECK-LABEL: func.func @add_zero_float_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xf32>
//   CHECK-DAG:   %[[FZERO:.+]] = kiln.constant dense<0.000000e+00> : tensor<f32>
//   CHECK-DAG:   %[[IZERO:.+]] = kiln.constant dense<0> : tensor<i32>
//       CHECK:   %[[A:.+]] = kiln.add %[[X]], %[[FZERO]]
//       CHECK:   %[[B:.+]] = kiln.add %[[X]], %[[IZERO]]
//       CHECK:   return %[[A]], %[[B]]
func.func @add_zero_float_stays(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %fzero = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.add %x, %fzero : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %izero = kiln.constant dense<0> : tensor<i32>
  %1 = kiln.add %x, %izero : (tensor<4xf32>, tensor<i32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// x + 0 stays when the zero broadcasts x or promotes it to another type, and
// x + c stays for a non-zero c.
// CHECK-LABEL: func.func @add_zero_int_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xi32>
//   CHECK-DAG:   %[[ZEROS:.+]] = kiln.constant dense<0> : tensor<2x4xi32>
//   CHECK-DAG:   %[[ZERO64:.+]] = kiln.constant dense<0> : tensor<i64>
//   CHECK-DAG:   %[[ONE:.+]] = kiln.constant dense<1> : tensor<i32>
//       CHECK:   %[[A:.+]] = kiln.add %[[X]], %[[ZEROS]] : (tensor<4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
//       CHECK:   %[[B:.+]] = kiln.add %[[X]], %[[ZERO64]] : (tensor<4xi32>, tensor<i64>) -> tensor<4xi64>
//       CHECK:   %[[C:.+]] = kiln.add %[[X]], %[[ONE]] : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
//       CHECK:   return %[[A]], %[[B]], %[[C]]
func.func @add_zero_int_stays(%x: tensor<4xi32>) -> (tensor<2x4xi32>, tensor<4xi64>, tensor<4xi32>) {
  %zeros = kiln.constant dense<0> : tensor<2x4xi32>
  %0 = kiln.add %x, %zeros : (tensor<4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  %zero64 = kiln.constant dense<0> : tensor<i64>
  %1 = kiln.add %x, %zero64 : (tensor<4xi32>, tensor<i64>) -> tensor<4xi64>
  %one = kiln.constant dense<1> : tensor<i32>
  %2 = kiln.add %x, %one : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<2x4xi32>, tensor<4xi64>, tensor<4xi32>
}

// -----

//===----------------------------------------------------------------------===//
// x * 1 -> x
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @mul_one
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<?xi64>, %[[Z:[^:]+]]: tensor<3xbf16>
//   CHECK-NOT:   kiln.mul
//       CHECK:   return %[[X]], %[[X]], %[[Y]], %[[Z]], %[[X]]
func.func @mul_one(%x: tensor<4xf32>, %y: tensor<?xi64>, %z: tensor<3xbf16>) -> (tensor<4xf32>, tensor<4xf32>, tensor<?xi64>, tensor<3xbf16>, tensor<4xf32>) {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.mul %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %ione = kiln.constant dense<1> : tensor<i64>
  %2 = kiln.mul %y, %ione : (tensor<?xi64>, tensor<i64>) -> tensor<?xi64>
  %bone = kiln.constant dense<1.0> : tensor<3xbf16>
  %3 = kiln.mul %z, %bone : (tensor<3xbf16>, tensor<3xbf16>) -> tensor<3xbf16>
  // An integer one promoted to the float type is still exact.
  %i32one = kiln.constant dense<1> : tensor<i32>
  %4 = kiln.mul %x, %i32one : (tensor<4xf32>, tensor<i32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<?xi64>, tensor<3xbf16>, tensor<4xf32>
}

// -----

// x * 1 stays when the one broadcasts or promotes x, and x * c for c != 1.
// CHECK-LABEL: func.func @mul_one_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xi32>
//   CHECK-DAG:   %[[ONES:.+]] = kiln.constant dense<1> : tensor<3x4xi32>
//   CHECK-DAG:   %[[FONE:.+]] = kiln.constant dense<1.000000e+00> : tensor<f32>
//   CHECK-DAG:   %[[TWO:.+]] = kiln.constant dense<2> : tensor<i32>
//       CHECK:   %[[A:.+]] = kiln.mul %[[X]], %[[ONES]] : (tensor<4xi32>, tensor<3x4xi32>) -> tensor<3x4xi32>
//       CHECK:   %[[B:.+]] = kiln.mul %[[X]], %[[FONE]] : (tensor<4xi32>, tensor<f32>) -> tensor<4xf32>
//       CHECK:   %[[C:.+]] = kiln.mul %[[X]], %[[TWO]] : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
//       CHECK:   return %[[A]], %[[B]], %[[C]]
func.func @mul_one_stays(%x: tensor<4xi32>) -> (tensor<3x4xi32>, tensor<4xf32>, tensor<4xi32>) {
  %ones = kiln.constant dense<1> : tensor<3x4xi32>
  %0 = kiln.mul %x, %ones : (tensor<4xi32>, tensor<3x4xi32>) -> tensor<3x4xi32>
  %fone = kiln.constant dense<1.0> : tensor<f32>
  %1 = kiln.mul %x, %fone : (tensor<4xi32>, tensor<f32>) -> tensor<4xf32>
  %two = kiln.constant dense<2> : tensor<i32>
  %2 = kiln.mul %x, %two : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<3x4xi32>, tensor<4xf32>, tensor<4xi32>
}

// -----

//===----------------------------------------------------------------------===//
// x * 0 -> 0, for integers
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @mul_zero_int
//   CHECK-DAG:   %[[A:.+]] = kiln.constant dense<0> : tensor<4xi32>
//   CHECK-DAG:   %[[B:.+]] = kiln.constant dense<0> : tensor<2x4xi64>
//   CHECK-NOT:   kiln.mul
//       CHECK:   return %[[A]], %[[A]], %[[B]]
func.func @mul_zero_int(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<2x4xi64>) {
  %zero = kiln.constant dense<0> : tensor<i32>
  %0 = kiln.mul %x, %zero : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  %1 = kiln.mul %zero, %x : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  // The zero takes the result's (broadcast, promoted) type.
  %zeros = kiln.constant dense<0> : tensor<2x1xi64>
  %2 = kiln.mul %x, %zeros : (tensor<4xi32>, tensor<2x1xi64>) -> tensor<2x4xi64>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi32>, tensor<2x4xi64>
}

// -----

// For floats x * 0 is not 0 (NaN, inf, -0.0), also when the zero is an integer
// promoted to the float type; a dynamic result has no constant to fold to.
// CHECK-LABEL: func.func @mul_zero_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<?xi32>
//   CHECK-DAG:   %[[FZERO:.+]] = kiln.constant dense<0.000000e+00> : tensor<f32>
//   CHECK-DAG:   %[[IZERO:.+]] = kiln.constant dense<0> : tensor<i32>
//       CHECK:   %[[A:.+]] = kiln.mul %[[X]], %[[FZERO]]
//       CHECK:   %[[B:.+]] = kiln.mul %[[X]], %[[IZERO]] : (tensor<4xf32>, tensor<i32>) -> tensor<4xf32>
//       CHECK:   %[[C:.+]] = kiln.mul %[[Y]], %[[IZERO]] : (tensor<?xi32>, tensor<i32>) -> tensor<?xi32>
//       CHECK:   return %[[A]], %[[B]], %[[C]]
func.func @mul_zero_stays(%x: tensor<4xf32>, %y: tensor<?xi32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<?xi32>) {
  %fzero = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.mul %x, %fzero : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %izero = kiln.constant dense<0> : tensor<i32>
  %1 = kiln.mul %x, %izero : (tensor<4xf32>, tensor<i32>) -> tensor<4xf32>
  %2 = kiln.mul %y, %izero : (tensor<?xi32>, tensor<i32>) -> tensor<?xi32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<?xi32>
}

// -----

//===----------------------------------------------------------------------===//
// x - x -> 0, for integers
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @sub_self_int
//   CHECK-DAG:   %[[A:.+]] = kiln.constant dense<0> : tensor<4xi32>
//   CHECK-DAG:   %[[B:.+]] = kiln.constant dense<0> : tensor<i64>
//   CHECK-NOT:   kiln.sub
//       CHECK:   return %[[A]], %[[B]]
func.func @sub_self_int(%x: tensor<4xi32>, %y: tensor<i64>) -> (tensor<4xi32>, tensor<i64>) {
  %0 = kiln.sub %x, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = kiln.sub %y, %y : (tensor<i64>, tensor<i64>) -> tensor<i64>
  return %0, %1 : tensor<4xi32>, tensor<i64>
}

// -----

// For floats inf - inf is NaN; a dynamic x has no constant to fold to; x - y
// is not x - x.
// CHECK-LABEL: func.func @sub_self_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<?xi32>, %[[Z:[^:]+]]: tensor<4xi32>
//       CHECK:   %[[A:.+]] = kiln.sub %[[X]], %[[X]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
//       CHECK:   %[[B:.+]] = kiln.sub %[[Y]], %[[Y]] : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
//       CHECK:   %[[C:.+]] = kiln.sub %[[Z]], %[[Y]] : (tensor<4xi32>, tensor<?xi32>) -> tensor<4xi32>
//       CHECK:   return %[[A]], %[[B]], %[[C]]
func.func @sub_self_stays(%x: tensor<4xf32>, %y: tensor<?xi32>, %z: tensor<4xi32>) -> (tensor<4xf32>, tensor<?xi32>, tensor<4xi32>) {
  %0 = kiln.sub %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.sub %y, %y : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  %2 = kiln.sub %z, %y : (tensor<4xi32>, tensor<?xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xf32>, tensor<?xi32>, tensor<4xi32>
}

// -----

// sub is not commutative: 0 - x stays.
// CHECK-LABEL: func.func @sub_zero_lhs_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xi32>
//       CHECK:   %[[ZERO:.+]] = kiln.constant dense<0> : tensor<i32>
//       CHECK:   kiln.sub %[[ZERO]], %[[X]]
func.func @sub_zero_lhs_stays(%x: tensor<4xi32>) -> tensor<4xi32> {
  %zero = kiln.constant dense<0> : tensor<i32>
  %0 = kiln.sub %zero, %x : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

//===----------------------------------------------------------------------===//
// No-op casts and shape ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cast_noop
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4xf32>, %[[Y:[^:]+]]: tensor<?x2xi1>
//   CHECK-NOT:   kiln.cast
//       CHECK:   return %[[X]], %[[Y]]
func.func @cast_noop(%x: tensor<4xf32>, %y: tensor<?x2xi1>) -> (tensor<4xf32>, tensor<?x2xi1>) {
  %0 = kiln.cast %x : tensor<4xf32> to tensor<4xf32>
  %1 = kiln.cast %y : tensor<?x2xi1> to tensor<?x2xi1>
  return %0, %1 : tensor<4xf32>, tensor<?x2xi1>
}

// -----

// A cast that converts the element type or refines the shape stays.
// CHECK-LABEL: func.func @cast_stays
//       CHECK:   kiln.cast %{{.+}} : tensor<4xf32> to tensor<4xi32>
//       CHECK:   kiln.cast %{{.+}} : tensor<?xf32> to tensor<4xf32>
func.func @cast_stays(%x: tensor<4xf32>, %y: tensor<?xf32>) -> (tensor<4xi32>, tensor<4xf32>) {
  %0 = kiln.cast %x : tensor<4xf32> to tensor<4xi32>
  %1 = kiln.cast %y : tensor<?xf32> to tensor<4xf32>
  return %0, %1 : tensor<4xi32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_noop
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3xf32>
//   CHECK-NOT:   kiln.reshape
//       CHECK:   return %[[X]], %[[X]]
func.func @reshape_noop(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = kiln.reshape %x shape = [2, 3] : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = kiln.reshape %x shape = [-1, 3] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A reshape whose input and result types are the same dynamic type may still
// move elements between dimensions (here 3x4 -> 2x6): it stays.
// CHECK-LABEL: func.func @reshape_dynamic_stays
//       CHECK:   kiln.reshape %{{.+}} shape = [-1, 6] : tensor<?x?xf32> -> tensor<?x?xf32>
func.func @reshape_dynamic_stays(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = kiln.reshape %x shape = [-1, 6] : tensor<?x?xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_identity
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3x4xf32>, %[[Y:[^:]+]]: tensor<?xi64>
//   CHECK-NOT:   kiln.transpose
//       CHECK:   return %[[X]], %[[Y]]
func.func @transpose_identity(%x: tensor<2x3x4xf32>, %y: tensor<?xi64>) -> (tensor<2x3x4xf32>, tensor<?xi64>) {
  %0 = kiln.transpose %x perm = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %1 = kiln.transpose %y perm = [0] : tensor<?xi64> -> tensor<?xi64>
  return %0, %1 : tensor<2x3x4xf32>, tensor<?xi64>
}

// -----

// A permutation that moves dimensions stays, even between equal sizes; an
// identity that refines the type stays (the types would differ).
// CHECK-LABEL: func.func @transpose_stays
//       CHECK:   kiln.transpose %{{.+}} perm = [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
//       CHECK:   kiln.transpose %{{.+}} perm = [0] : tensor<?xf32> -> tensor<4xf32>
func.func @transpose_stays(%x: tensor<3x3xf32>, %y: tensor<?xf32>) -> (tensor<3x3xf32>, tensor<4xf32>) {
  %0 = kiln.transpose %x perm = [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
  %1 = kiln.transpose %y perm = [0] : tensor<?xf32> -> tensor<4xf32>
  return %0, %1 : tensor<3x3xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_to_noop
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4x3xf32>
//   CHECK-NOT:   kiln.broadcast_to
//       CHECK:   return %[[X]]
func.func @broadcast_to_noop(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.broadcast_to %x shape = [4, 3] : tensor<4x3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A broadcast_to that repeats elements stays; so does one whose input and
// written result types are the same dynamic type (the input may have size 1).
// CHECK-LABEL: func.func @broadcast_to_stays
//       CHECK:   kiln.broadcast_to %{{.+}} shape = [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
//       CHECK:   kiln.broadcast_to %{{.+}} shape = [4] : tensor<?xf32> -> tensor<?xf32>
func.func @broadcast_to_stays(%x: tensor<3xf32>, %y: tensor<?xf32>) -> (tensor<4x3xf32>, tensor<?xf32>) {
  %0 = kiln.broadcast_to %x shape = [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
  %1 = kiln.broadcast_to %y shape = [4] : tensor<?xf32> -> tensor<?xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @slice_noop
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4x3xf32>
//   CHECK-NOT:   kiln.slice
//       CHECK:   return %[[X]]
func.func @slice_noop(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.slice %x start = [0, 0] limit = [4, 3] stride = [1, 1] : tensor<4x3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A slice that drops elements stays: by its start, its limit, its stride, or
// a limit below a dynamic size.
// CHECK-LABEL: func.func @slice_stays
//       CHECK:   kiln.slice %{{.+}} start = [1] limit = [4] stride = [1] : tensor<4xf32> -> tensor<3xf32>
//       CHECK:   kiln.slice %{{.+}} start = [0] limit = [3] stride = [1] : tensor<4xf32> -> tensor<3xf32>
//       CHECK:   kiln.slice %{{.+}} start = [0] limit = [4] stride = [2] : tensor<4xf32> -> tensor<2xf32>
//       CHECK:   kiln.slice %{{.+}} start = [0] limit = [2] stride = [1] : tensor<?xf32> -> tensor<?xf32>
func.func @slice_stays(%x: tensor<4xf32>, %y: tensor<?xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<?xf32>) {
  %0 = kiln.slice %x start = [1] limit = [4] stride = [1] : tensor<4xf32> -> tensor<3xf32>
  %1 = kiln.slice %x start = [0] limit = [3] stride = [1] : tensor<4xf32> -> tensor<3xf32>
  %2 = kiln.slice %x start = [0] limit = [4] stride = [2] : tensor<4xf32> -> tensor<2xf32>
  %3 = kiln.slice %y start = [0] limit = [2] stride = [1] : tensor<?xf32> -> tensor<?xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @pad_noop
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3xf32>, %[[Y:[^:]+]]: tensor<?xi32>
//   CHECK-NOT:   kiln.pad
//       CHECK:   return %[[X]], %[[Y]]
func.func @pad_noop(%x: tensor<2x3xf32>, %y: tensor<?xi32>) -> (tensor<2x3xf32>, tensor<?xi32>) {
  %0 = kiln.pad %x low = [0, 0] high = [0, 0] value = 1.0 : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = kiln.pad %y low = [0] high = [0] value = 0.0 : tensor<?xi32> -> tensor<?xi32>
  return %0, %1 : tensor<2x3xf32>, tensor<?xi32>
}

// -----

// A pad that adds elements stays; so does an empty pad whose written result
// type refines its input's (replacing it would change the value's type).
// CHECK-LABEL: func.func @pad_stays
//       CHECK:   kiln.pad %{{.+}} low = [0, 1] high = [0, 0] value = 0.000000e+00 : tensor<2x3xf32> -> tensor<2x4xf32>
//       CHECK:   kiln.pad %{{.+}} low = [0] high = [0] value = 0.000000e+00 : tensor<?xf32> -> tensor<4xf32>
func.func @pad_stays(%x: tensor<2x3xf32>, %y: tensor<?xf32>) -> (tensor<2x4xf32>, tensor<4xf32>) {
  %0 = kiln.pad %x low = [0, 1] high = [0, 0] value = 0.0 : tensor<2x3xf32> -> tensor<2x4xf32>
  %1 = kiln.pad %y low = [0] high = [0] value = 0.0 : tensor<?xf32> -> tensor<4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Shape ops on constants
//===----------------------------------------------------------------------===//

// reshape(constant) -> constant
// CHECK-LABEL: func.func @reshape_constant
//       CHECK:   %[[C:.+]] = kiln.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
//   CHECK-NOT:   kiln.reshape
//       CHECK:   return %[[C]]
func.func @reshape_constant() -> tensor<2x3xi32> {
  %c = kiln.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>
  %0 = kiln.reshape %c shape = [2, -1] : tensor<6xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// A reshape of a constant to a written dynamic type has no constant to fold to.
// CHECK-LABEL: func.func @reshape_constant_dynamic_stays
//       CHECK:   kiln.reshape %{{.+}} shape = [2, -1] : tensor<6xi32> -> tensor<2x?xi32>
func.func @reshape_constant_dynamic_stays() -> tensor<2x?xi32> {
  %c = kiln.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>
  %0 = kiln.reshape %c shape = [2, -1] : tensor<6xi32> -> tensor<2x?xi32>
  return %0 : tensor<2x?xi32>
}

// -----

// broadcast_to(splat) -> splat
// CHECK-LABEL: func.func @broadcast_to_splat
//   CHECK-DAG:   %[[A:.+]] = kiln.constant dense<2.500000e+00> : tensor<4x3xf32>
//   CHECK-DAG:   %[[B:.+]] = kiln.constant dense<true> : tensor<2x2xi1>
//   CHECK-NOT:   kiln.broadcast_to
//       CHECK:   return %[[A]], %[[B]]
func.func @broadcast_to_splat() -> (tensor<4x3xf32>, tensor<2x2xi1>) {
  %c = kiln.constant dense<2.5> : tensor<3xf32>
  %0 = kiln.broadcast_to %c shape = [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
  %t = kiln.constant dense<true> : tensor<i1>
  %1 = kiln.broadcast_to %t shape = [2, 2] : tensor<i1> -> tensor<2x2xi1>
  return %0, %1 : tensor<4x3xf32>, tensor<2x2xi1>
}

// -----

// A broadcast_to of a splat to a written dynamic type has no constant to fold
// to.
// CHECK-LABEL: func.func @broadcast_to_splat_dynamic_stays
//       CHECK:   kiln.broadcast_to %{{.+}} shape = [4, 3] : tensor<3xf32> -> tensor<?x3xf32>
func.func @broadcast_to_splat_dynamic_stays() -> tensor<?x3xf32> {
  %c = kiln.constant dense<2.5> : tensor<3xf32>
  %0 = kiln.broadcast_to %c shape = [4, 3] : tensor<3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
