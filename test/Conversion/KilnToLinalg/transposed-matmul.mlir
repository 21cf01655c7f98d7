// RUN: kiln-opt --kiln-to-linalg --canonicalize %s | FileCheck %s

// A rhs transposed in its last two dims (x @ w^T, q @ k^T) is read through a
// transposed indexing map: the transpose is not materialized (the kiln
// transpose's own lowering is left dead and canonicalized away). A transpose
// of other dims is.
// CHECK-LABEL: func.func @transposed_rhs
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<16x8xf32>, %[[Q:.+]]: tensor<2x3x5x8xf32>, %[[K:.+]]: tensor<2x3x7x8xf32>
//   CHECK-NOT:   linalg.transpose
//       CHECK:   linalg.matmul indexing_maps = [#{{.+}}, #[[NK:.+]], #{{.+}}] ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<16x8xf32>)
//       CHECK:   %[[KF:.+]] = tensor.collapse_shape %[[K]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x7x8xf32> into tensor<6x7x8xf32>
//       CHECK:   linalg.batch_matmul indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}] ins(%{{.+}}, %[[KF]] : tensor<6x5x8xf32>, tensor<6x7x8xf32>)
//       CHECK:   linalg.transpose
func.func @transposed_rhs(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %q: tensor<2x3x5x8xf32>, %k: tensor<2x3x7x8xf32>) -> (tensor<4x16xf32>, tensor<2x3x5x7xf32>, tensor<3x2x5x7xf32>) {
  %wt = kiln.transpose %w perm = [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  %y = kiln.matmul %x, %wt : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %kt = kiln.transpose %k perm = [0, 1, 3, 2] : tensor<2x3x7x8xf32> -> tensor<2x3x8x7xf32>
  %s = kiln.matmul %q, %kt : (tensor<2x3x5x8xf32>, tensor<2x3x8x7xf32>) -> tensor<2x3x5x7xf32>
  %kt2 = kiln.transpose %k perm = [1, 0, 3, 2] : tensor<2x3x7x8xf32> -> tensor<3x2x8x7xf32>
  %qt = kiln.transpose %q perm = [1, 0, 2, 3] : tensor<2x3x5x8xf32> -> tensor<3x2x5x8xf32>
  %s2 = kiln.matmul %qt, %kt2 : (tensor<3x2x5x8xf32>, tensor<3x2x8x7xf32>) -> tensor<3x2x5x7xf32>
  return %y, %s, %s2 : tensor<4x16xf32>, tensor<2x3x5x7xf32>, tensor<3x2x5x7xf32>
}
