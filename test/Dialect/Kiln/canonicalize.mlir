// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// The canonicalization patterns of KilnFold.cpp, which merge chains of shape
// ops; the folders they enable are tested in fold.mlir.

//===----------------------------------------------------------------------===//
// reshape(reshape(x)) -> reshape(x)
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape_reshape
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3x4xf32>
//       CHECK:   %[[R:.+]] = kiln.reshape %[[X]] shape = [4, -1] : tensor<2x3x4xf32> -> tensor<4x6xf32>
//   CHECK-NOT:   kiln.reshape
//       CHECK:   return %[[R]]
func.func @reshape_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = kiln.reshape %x shape = [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = kiln.reshape %0 shape = [4, -1] : tensor<6x4xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A chain of three merges into one reshape of x; an inner reshape with
// another use stays for that use.
// CHECK-LABEL: func.func @reshape_chain
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<?x4xi64>
//   CHECK-DAG:   %[[A:.+]] = kiln.reshape %[[X]] shape = [-1] : tensor<?x4xi64> -> tensor<?xi64>
//   CHECK-DAG:   %[[B:.+]] = kiln.reshape %[[X]] shape = [-1, 2, 2] : tensor<?x4xi64> -> tensor<?x2x2xi64>
//   CHECK-NOT:   kiln.reshape
//       CHECK:   return %[[A]], %[[B]]
func.func @reshape_chain(%x: tensor<?x4xi64>) -> (tensor<?xi64>, tensor<?x2x2xi64>) {
  %0 = kiln.reshape %x shape = [-1] : tensor<?x4xi64> -> tensor<?xi64>
  %1 = kiln.reshape %0 shape = [-1, 8] : tensor<?xi64> -> tensor<?x8xi64>
  %2 = kiln.reshape %1 shape = [-1, 2, 2] : tensor<?x8xi64> -> tensor<?x2x2xi64>
  return %0, %2 : tensor<?xi64>, tensor<?x2x2xi64>
}

// -----

// Back to the input's static shape: the merged reshape is a no-op and folds.
// CHECK-LABEL: func.func @reshape_reshape_identity
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3xf32>
//   CHECK-NOT:   kiln.reshape
//       CHECK:   return %[[X]]
func.func @reshape_reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.reshape %x shape = [6] : tensor<2x3xf32> -> tensor<6xf32>
  %1 = kiln.reshape %0 shape = [2, 3] : tensor<6xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// A reshape whose input is not a reshape stays as it is.
// CHECK-LABEL: func.func @reshape_of_other_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3xf32>
//       CHECK:   %[[T:.+]] = kiln.transpose %[[X]] perm = [1, 0]
//       CHECK:   %[[R:.+]] = kiln.reshape %[[T]] shape = [6] : tensor<3x2xf32> -> tensor<6xf32>
//       CHECK:   return %[[R]]
func.func @reshape_of_other_stays(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %0 = kiln.transpose %x perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = kiln.reshape %0 shape = [6] : tensor<3x2xf32> -> tensor<6xf32>
  return %1 : tensor<6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// transpose(transpose(x, p), q) -> transpose(x, p∘q), and x when p∘q = id
//===----------------------------------------------------------------------===//

// Result dim i of the pair is x's dim p[q[i]]: [1, 2, 0] then [1, 2, 0] is
// [2, 0, 1].
// CHECK-LABEL: func.func @transpose_transpose
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3x4xf32>
//       CHECK:   %[[T:.+]] = kiln.transpose %[[X]] perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
//   CHECK-NOT:   kiln.transpose
//       CHECK:   return %[[T]]
func.func @transpose_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = kiln.transpose %0 perm = [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// The composition is not commutative: [1, 0, 2] then [0, 2, 1] is [1, 2, 0]
// (the other order would give [2, 0, 1]).
// CHECK-LABEL: func.func @transpose_transpose_order
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3x4xf32>
//       CHECK:   %[[T:.+]] = kiln.transpose %[[X]] perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
//   CHECK-NOT:   kiln.transpose
//       CHECK:   return %[[T]]
func.func @transpose_transpose_order(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = kiln.transpose %x perm = [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %1 = kiln.transpose %0 perm = [0, 2, 1] : tensor<3x2x4xf32> -> tensor<3x4x2xf32>
  return %1 : tensor<3x4x2xf32>
}

// -----

// Inverse permutations compose to the identity and the pair disappears.
// CHECK-LABEL: func.func @transpose_transpose_identity
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x3x4xf32>, %[[Y:[^:]+]]: tensor<?x5xi1>
//   CHECK-NOT:   kiln.transpose
//       CHECK:   return %[[X]], %[[Y]]
func.func @transpose_transpose_identity(%x: tensor<2x3x4xf32>, %y: tensor<?x5xi1>) -> (tensor<2x3x4xf32>, tensor<?x5xi1>) {
  %0 = kiln.transpose %x perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = kiln.transpose %0 perm = [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  %2 = kiln.transpose %y perm = [1, 0] : tensor<?x5xi1> -> tensor<5x?xi1>
  %3 = kiln.transpose %2 perm = [1, 0] : tensor<5x?xi1> -> tensor<?x5xi1>
  return %1, %3 : tensor<2x3x4xf32>, tensor<?x5xi1>
}

// -----

// Applying the same non-involutive permutation twice is not the identity.
// CHECK-LABEL: func.func @transpose_transpose_not_identity
//       CHECK:   kiln.transpose %{{.+}} perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
func.func @transpose_transpose_not_identity(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = kiln.transpose %0 perm = [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// A transpose whose input is not a transpose stays as it is.
// CHECK-LABEL: func.func @transpose_of_other_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<6xf32>
//       CHECK:   %[[R:.+]] = kiln.reshape %[[X]] shape = [2, 3]
//       CHECK:   %[[T:.+]] = kiln.transpose %[[R]] perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
//       CHECK:   return %[[T]]
func.func @transpose_of_other_stays(%x: tensor<6xf32>) -> tensor<3x2xf32> {
  %0 = kiln.reshape %x shape = [2, 3] : tensor<6xf32> -> tensor<2x3xf32>
  %1 = kiln.transpose %0 perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// broadcast_to(broadcast_to(x, s1), s2) -> broadcast_to(x, s2)
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @broadcast_to_broadcast_to
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<3xf32>
//       CHECK:   %[[B:.+]] = kiln.broadcast_to %[[X]] shape = [2, 4, 3] : tensor<3xf32> -> tensor<2x4x3xf32>
//   CHECK-NOT:   kiln.broadcast_to
//       CHECK:   return %[[B]]
func.func @broadcast_to_broadcast_to(%x: tensor<3xf32>) -> tensor<2x4x3xf32> {
  %0 = kiln.broadcast_to %x shape = [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
  %1 = kiln.broadcast_to %0 shape = [2, 4, 3] : tensor<4x3xf32> -> tensor<2x4x3xf32>
  return %1 : tensor<2x4x3xf32>
}

// -----

// Through a size-1 dimension that the inner broadcast_to keeps and the outer
// one expands; the inner one stays for its other use.
// CHECK-LABEL: func.func @broadcast_to_broadcast_to_shared
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<1x?xi32>
//   CHECK-DAG:   %[[A:.+]] = kiln.broadcast_to %[[X]] shape = [2, 1, 3] : tensor<1x?xi32> -> tensor<2x1x3xi32>
//   CHECK-DAG:   %[[B:.+]] = kiln.broadcast_to %[[X]] shape = [2, 5, 3] : tensor<1x?xi32> -> tensor<2x5x3xi32>
//   CHECK-NOT:   kiln.broadcast_to
//       CHECK:   return %[[A]], %[[B]]
func.func @broadcast_to_broadcast_to_shared(%x: tensor<1x?xi32>) -> (tensor<2x1x3xi32>, tensor<2x5x3xi32>) {
  %0 = kiln.broadcast_to %x shape = [2, 1, 3] : tensor<1x?xi32> -> tensor<2x1x3xi32>
  %1 = kiln.broadcast_to %0 shape = [2, 5, 3] : tensor<2x1x3xi32> -> tensor<2x5x3xi32>
  return %0, %1 : tensor<2x1x3xi32>, tensor<2x5x3xi32>
}

// -----

// A broadcast_to whose input is not a broadcast_to stays as it is.
// CHECK-LABEL: func.func @broadcast_to_of_other_stays
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<3xf32>
//       CHECK:   %[[E:.+]] = kiln.expand_dims %[[X]] axis = 0
//       CHECK:   %[[B:.+]] = kiln.broadcast_to %[[E]] shape = [4, 3] : tensor<1x3xf32> -> tensor<4x3xf32>
//       CHECK:   return %[[B]]
func.func @broadcast_to_of_other_stays(%x: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.expand_dims %x axis = 0 : tensor<3xf32> -> tensor<1x3xf32>
  %1 = kiln.broadcast_to %0 shape = [4, 3] : tensor<1x3xf32> -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}
