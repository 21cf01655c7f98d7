// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s

// Mixed operand types: linalg.matmul promotes to the f32 accumulator itself.
// CHECK-LABEL: func.func @matmul_2d
//  CHECK-SAME:     %[[A:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<8x16xi32>
//       CHECK:   %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<4x16xf32>)
//       CHECK:   %[[R:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8x16xi32>) outs(%[[Z]] : tensor<4x16xf32>)
//       CHECK:   return %[[R]]
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x16xi32>) -> tensor<4x16xf32> {
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xi32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// A batched lhs times a matrix is one matmul on the flattened rows.
// CHECK-LABEL: func.func @matmul_batch_rows
//       CHECK:   %[[F:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
//       CHECK:   %[[M:.+]] = linalg.matmul ins(%[[F]], %{{.+}} : tensor<6x4xf32>, tensor<4x5xf32>)
//       CHECK:   tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 5]
func.func @matmul_batch_rows(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Broadcast batch dims are materialized once, then batch_matmul.
// CHECK-DAG: #[[BC:.+]] = affine_map<(d0, d1, d2) -> (0, d1, d2)>
// CHECK-LABEL: func.func @batch_matmul_broadcast
//       CHECK:   %[[B:.+]] = linalg.generic {indexing_maps = [#[[BC]], #{{.+}}]
//       CHECK:   linalg.batch_matmul ins(%{{.+}}, %[[B]] : tensor<2x3x4xf32>, tensor<2x4x5xf32>)
func.func @batch_matmul_broadcast(%a: tensor<2x3x4xf32>, %b: tensor<1x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<1x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Several batch dims are flattened into one.
// CHECK-LABEL: func.func @batch_matmul_4d
//       CHECK:   tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x5xf32> into tensor<6x4x5xf32>
//       CHECK:   %[[R:.+]] = linalg.batch_matmul
//       CHECK:   tensor.expand_shape %[[R]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 4, 6]
func.func @batch_matmul_4d(%a: tensor<2x3x4x5xf32>, %b: tensor<2x3x5x6xf32>) -> tensor<2x3x4x6xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x4x5xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x4x6xf32>
  return %0 : tensor<2x3x4x6xf32>
}

// -----

// 1-D operands: a row vector on the left, a column on the right; the unit
// dims are dropped from the result.
// CHECK-LABEL: func.func @matmul_vectors
//       CHECK:   tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [1, 4] : tensor<4xf32> into tensor<1x4xf32>
//       CHECK:   tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
//       CHECK:   %[[D:.+]] = linalg.matmul {{.*}} -> tensor<1x1xf32>
//       CHECK:   tensor.collapse_shape %[[D]] [] : tensor<1x1xf32> into tensor<f32>
func.func @matmul_vectors(%v: tensor<4xf32>) -> tensor<f32> {
  %0 = kiln.matmul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @matmul_dynamic
//       CHECK:   %[[M:.+]] = tensor.dim %{{.+}}, %c0
//       CHECK:   %[[N:.+]] = tensor.dim %{{.+}}, %c1
//       CHECK:   tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
//       CHECK:   linalg.matmul
func.func @matmul_dynamic(%a: tensor<?x8xf32>, %b: tensor<8x?xf32>) -> tensor<?x?xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x8xf32>, tensor<8x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// 16-bit float products accumulate in f32 (linalg.matmul extends the
// operands itself) and round once at the end.
// CHECK-LABEL: func.func @matmul_f16
//  CHECK-SAME:     %[[A:.+]]: tensor<4x8xf16>, %[[B:.+]]: tensor<8x16xf16>
//       CHECK:   %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<4x16xf32>)
//       CHECK:   %[[M:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf16>, tensor<8x16xf16>) outs(%[[Z]] : tensor<4x16xf32>)
//       CHECK:   %[[R:.+]] = linalg.generic {{.+}} ins(%[[M]] : tensor<4x16xf32>) outs(%{{.+}} : tensor<4x16xf16>)
//       CHECK:     arith.truncf %{{.+}} : f32 to f16
//       CHECK:   return %[[R]]
func.func @matmul_f16(%a: tensor<4x8xf16>, %b: tensor<8x16xf16>) -> tensor<4x16xf16> {
  %0 = kiln.matmul %a, %b : (tensor<4x8xf16>, tensor<8x16xf16>) -> tensor<4x16xf16>
  return %0 : tensor<4x16xf16>
}

// -----

// A batched bf16 product rounds the f32 accumulator before the reshape.
// CHECK-LABEL: func.func @matmul_batch_rows_bf16
//       CHECK:   %[[M:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<6x4xbf16>, tensor<4x5xbf16>) outs(%{{.+}} : tensor<6x5xf32>)
//       CHECK:   %[[R:.+]] = linalg.generic {{.+}} ins(%[[M]] : tensor<6x5xf32>) outs(%{{.+}} : tensor<6x5xbf16>)
//       CHECK:     arith.bitcast %{{.+}} : i16 to bf16
//       CHECK:   tensor.expand_shape %[[R]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 5]
func.func @matmul_batch_rows_bf16(%a: tensor<2x3x4xbf16>, %b: tensor<4x5xbf16>) -> tensor<2x3x5xbf16> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xbf16>, tensor<4x5xbf16>) -> tensor<2x3x5xbf16>
  return %0 : tensor<2x3x5xbf16>
}
