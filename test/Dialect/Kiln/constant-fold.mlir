// RUN: kiln-opt --canonicalize --split-input-file %s | FileCheck %s

// Ops on small constants fold to the values the eager kernels compute.

// CHECK-LABEL: func.func @elementwise_chain
//       CHECK:   %[[C:.+]] = kiln.constant dense<[7.3890562, 54.5981522, 403.428802]> : tensor<3xf32>
//   CHECK-NOT:   kiln.mul
//   CHECK-NOT:   kiln.exp
//       CHECK:   return %[[C]]
func.func @elementwise_chain() -> tensor<3xf32> {
  %a = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = kiln.constant dense<2.0> : tensor<f32>
  %c = kiln.mul %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %d = kiln.exp %c : tensor<3xf32>
  return %d : tensor<3xf32>
}

// -----

// Integer division floors, as numpy's `//`.
// CHECK-LABEL: func.func @floor_division
//       CHECK:   kiln.constant dense<{{\[}}[3, -4], [1, 2]]> : tensor<2x2xi32>
//   CHECK-NOT:   kiln.div
func.func @floor_division() -> tensor<2x2xi32> {
  %i = kiln.constant dense<[[7, -7], [3, 4]]> : tensor<2x2xi32>
  %j = kiln.constant dense<2> : tensor<i32>
  %k = kiln.div %i, %j : (tensor<2x2xi32>, tensor<i32>) -> tensor<2x2xi32>
  return %k : tensor<2x2xi32>
}

// -----

// An integer division by zero gives zero, as in compiled code.
// CHECK-LABEL: func.func @division_by_zero
//       CHECK:   kiln.constant dense<[7, 0]> : tensor<2xi32>
//   CHECK-NOT:   kiln.div
func.func @division_by_zero() -> tensor<2xi32> {
  %i = kiln.constant dense<[7, 8]> : tensor<2xi32>
  %j = kiln.constant dense<[1, 0]> : tensor<2xi32>
  %k = kiln.div %i, %j : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %k : tensor<2xi32>
}

// -----

// Comparisons fold to i1 constants; promotion is applied first.
// CHECK-LABEL: func.func @compare_promoted
//       CHECK:   kiln.constant dense<[false, true, true]> : tensor<3xi1>
//   CHECK-NOT:   kiln.ge
func.func @compare_promoted() -> tensor<3xi1> {
  %a = kiln.constant dense<[1.5, 2.0, 3.0]> : tensor<3xf32>
  %b = kiln.constant dense<2> : tensor<i32>
  %c = kiln.ge %a, %b : (tensor<3xf32>, tensor<i32>) -> tensor<3xi1>
  return %c : tensor<3xi1>
}

// -----

// Reductions, shape ops and matmul fold too.
// CHECK-LABEL: func.func @reduce_and_matmul
//       CHECK:   %[[S:.+]] = kiln.constant dense<[3, 7]> : tensor<2xi64>
//       CHECK:   %[[M:.+]] = kiln.constant dense<{{\[}}[7.000000e+00, 1.000000e+01], [1.500000e+01, 2.200000e+01]]> : tensor<2x2xf64>
//       CHECK:   return %[[S]], %[[M]]
func.func @reduce_and_matmul() -> (tensor<2xi64>, tensor<2x2xf64>) {
  %a = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %s = kiln.reduce_sum %a axes = [1] : tensor<2x2xi64> -> tensor<2xi64>
  %f = kiln.cast %a : tensor<2x2xi64> to tensor<2x2xf64>
  %m = kiln.matmul %f, %f : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
  return %s, %m : tensor<2xi64>, tensor<2x2xf64>
}

// -----

// Constants above the size limit (4096 elements) are not folded.
// CHECK-LABEL: func.func @large_stays
//       CHECK:   kiln.neg
func.func @large_stays() -> tensor<8192xf32> {
  %a = kiln.constant dense<1.0> : tensor<8192xf32>
  %b = kiln.neg %a : tensor<8192xf32>
  return %b : tensor<8192xf32>
}

// -----

// Ops with a non-constant operand are left alone.
// CHECK-LABEL: func.func @not_constant
//       CHECK:   kiln.add
func.func @not_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = kiln.add %x, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %b : tensor<2xf32>
}

// -----

// The elements of a dense_resource constant cannot be iterated: it is left
// unfolded rather than read.
// CHECK-LABEL: func.func @dense_resource_is_not_folded
//       CHECK:   %[[C:.+]] = kiln.constant dense_resource<blob> : tensor<2xf32>
//       CHECK:   kiln.add %[[C]], %[[C]]
func.func @dense_resource_is_not_folded() -> tensor<2xf32> {
  %0 = kiln.constant dense_resource<blob> : tensor<2xf32>
  %1 = kiln.add %0, %0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F00000040"
    }
  }
#-}
