// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s
// RUN: kiln-opt --kiln-to-linalg="report-index-errors=false" --split-input-file %s \
// RUN:   | FileCheck %s --check-prefix=NOREPORT

// CHECK-LABEL: func.func @reshape
//       CHECK:   tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
//       CHECK:   %[[F:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
//       CHECK:   tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [3, 2]
func.func @reshape(%a: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<3x2xf32>) {
  %0 = kiln.reshape %a shape = [-1] : tensor<2x3xf32> -> tensor<6xf32>
  %1 = kiln.reshape %a shape = [3, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0, %1 : tensor<6xf32>, tensor<3x2xf32>
}

// -----

// A dynamic reshape computes its shape.
// CHECK-LABEL: func.func @reshape_dynamic
//       CHECK:   %[[S:.+]] = tensor.from_elements %{{.+}} : tensor<1xindex>
//       CHECK:   tensor.reshape %{{.+}}(%[[S]])
func.func @reshape_dynamic(%a: tensor<?x3xf32>) -> tensor<?xf32> {
  %0 = kiln.reshape %a shape = [-1] : tensor<?x3xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
//       CHECK:   %[[E:.+]] = tensor.empty() : tensor<3x2xf32>
//       CHECK:   linalg.transpose ins(%{{.+}} : tensor<2x3xf32>) outs(%[[E]] : tensor<3x2xf32>) permutation = [1, 0]
func.func @transpose(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = kiln.transpose %a perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @broadcast_to
//       CHECK:   linalg.generic {indexing_maps = [#[[B]], #{{.+}}]
//       CHECK:     linalg.yield %{{.+}} : f32
func.func @broadcast_to(%a: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.broadcast_to %a shape = [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @expand_squeeze
//       CHECK:   tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2]] output_shape [2, 3, 1]
//       CHECK:   tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<1x3x1xf32> into tensor<3x1xf32>
//       CHECK:   tensor.collapse_shape %{{.+}} [] : tensor<1x1xf32> into tensor<f32>
func.func @expand_squeeze(%a: tensor<2x3xf32>, %b: tensor<1x3x1xf32>, %c: tensor<1x1xf32>) -> (tensor<2x3x1xf32>, tensor<3x1xf32>, tensor<f32>) {
  %0 = kiln.expand_dims %a axis = -1 : tensor<2x3xf32> -> tensor<2x3x1xf32>
  %1 = kiln.squeeze %b axes = [0] : tensor<1x3x1xf32> -> tensor<3x1xf32>
  %2 = kiln.squeeze %c axes = [] : tensor<1x1xf32> -> tensor<f32>
  return %0, %1, %2 : tensor<2x3x1xf32>, tensor<3x1xf32>, tensor<f32>
}

// -----

// Each input is copied into a window of the result, in place after
// bufferization (no strided memref.copy, which needs a runtime library).
// CHECK-LABEL: func.func @concat
//  CHECK-SAME:     %[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<2x4xf32>
//       CHECK:   %[[E:.+]] = tensor.empty() : tensor<2x7xf32>
//       CHECK:   %[[W0:.+]] = tensor.extract_slice %[[E]][0, 0] [2, 3] [1, 1]
//       CHECK:   %[[C0:.+]] = linalg.copy ins(%[[A]] : tensor<2x3xf32>) outs(%[[W0]] : tensor<2x3xf32>)
//       CHECK:   %[[I:.+]] = tensor.insert_slice %[[C0]] into %[[E]][0, 0] [2, 3] [1, 1]
//       CHECK:   %[[W1:.+]] = tensor.extract_slice %[[I]][0, 3] [2, 4] [1, 1]
//       CHECK:   %[[C1:.+]] = linalg.copy ins(%[[B]] : tensor<2x4xf32>) outs(%[[W1]] : tensor<2x4xf32>)
//       CHECK:   tensor.insert_slice %[[C1]] into %[[I]][0, 3] [2, 4] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<2x7xf32> {
  %0 = kiln.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----

// A slice copies its strided window out; pad fills the result and copies
// the input into its interior.
// CHECK-LABEL: func.func @slice_pad
//  CHECK-SAME:     %[[A:.+]]: tensor<4x3xf32>, %[[B:.+]]: tensor<2x3xi32>
//   CHECK-DAG:   %[[V:.+]] = arith.constant -1 : i32
//       CHECK:   %[[S:.+]] = tensor.extract_slice %[[A]][0, 1] [2, 2] [2, 1] : tensor<4x3xf32> to tensor<2x2xf32>
//       CHECK:   %[[SLICE:.+]] = linalg.copy ins(%[[S]] : tensor<2x2xf32>)
//       CHECK:   %[[F:.+]] = linalg.fill ins(%[[V]] : i32) outs(%{{.+}} : tensor<4x5xi32>)
//       CHECK:   %[[W:.+]] = tensor.extract_slice %[[F]][1, 0] [2, 3] [1, 1]
//       CHECK:   %[[C:.+]] = linalg.copy ins(%[[B]] : tensor<2x3xi32>) outs(%[[W]] : tensor<2x3xi32>)
//       CHECK:   %[[PAD:.+]] = tensor.insert_slice %[[C]] into %[[F]][1, 0] [2, 3] [1, 1]
//   CHECK-NOT:   tensor.pad
//       CHECK:   return %[[SLICE]], %[[PAD]]
func.func @slice_pad(%a: tensor<4x3xf32>, %b: tensor<2x3xi32>) -> (tensor<2x2xf32>, tensor<4x5xi32>) {
  %0 = kiln.slice %a start = [0, 1] limit = [4, 3] stride = [2, 1] : tensor<4x3xf32> -> tensor<2x2xf32>
  %1 = kiln.pad %b low = [1, 0] high = [1, 2] value = -1.5 : tensor<2x3xi32> -> tensor<4x5xi32>
  return %0, %1 : tensor<2x2xf32>, tensor<4x5xi32>
}

// -----

// Negative indices wrap once; an index still out of range is reported to the
// runtime (with the index as written, the axis and its size) and clamped, so
// that the read stays in bounds. Without reporting, it is only clamped.
// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
//     CHECK: func.func private @kiln_rt_report_index_error(i64, i64, i64)
// CHECK-LABEL: func.func @gather
//  CHECK-SAME:     %[[X:.+]]: tensor<3x5xf32>, %[[I:.+]]: tensor<2x2xi32>
//   CHECK-DAG:   %[[AXIS:.+]] = arith.constant 1 : i64
//   CHECK-DAG:   %[[SIZE:.+]] = arith.constant 5 : index
//       CHECK:   linalg.generic {indexing_maps = [#[[IDX]], #{{.+}}]
//  CHECK-SAME:       ins(%[[I]] : tensor<2x2xi32>)
//       CHECK:     %[[K:.+]] = arith.index_cast
//       CHECK:     arith.cmpi slt, %[[K]]
//       CHECK:     %[[W:.+]] = arith.select
//       CHECK:     %[[OUT:.+]] = arith.cmpi uge, %[[W]], %[[SIZE]]
//       CHECK:     scf.if %[[OUT]] {
//       CHECK:       %[[K64:.+]] = arith.index_cast %[[K]] : index to i64
//       CHECK:       %[[SIZE64:.+]] = arith.index_cast %[[SIZE]] : index to i64
//       CHECK:       func.call @kiln_rt_report_index_error(%[[K64]], %[[AXIS]], %[[SIZE64]])
//       CHECK:     }
//       CHECK:     %[[LOW:.+]] = arith.maxsi %[[W]]
//       CHECK:     %[[C:.+]] = arith.minsi %[[LOW]]
//       CHECK:     %[[R:.+]] = linalg.index 0
//       CHECK:     tensor.extract %[[X]][%[[R]], %[[C]]]

//    NOREPORT-NOT: kiln_rt_report_index_error
// NOREPORT-LABEL: func.func @gather
//    NOREPORT-NOT:   scf.if
//        NOREPORT:   arith.maxsi
//        NOREPORT:   arith.minsi
//        NOREPORT:   tensor.extract
//    NOREPORT-NOT: kiln_rt_report_index_error
func.func @gather(%x: tensor<3x5xf32>, %i: tensor<2x2xi32>) -> tensor<3x2x2xf32> {
  %0 = kiln.gather %x, %i axis = 1 : (tensor<3x5xf32>, tensor<2x2xi32>) -> tensor<3x2x2xf32>
  return %0 : tensor<3x2x2xf32>
}

// -----

// A written result type may refine a dynamic inferred size (here the `?`
// is promised to be 2). The op is lowered at its inferred type and cast to
// the written one, so linalg never sees the mix its verifier rejects.
// CHECK-LABEL: func.func @transpose_refined
//       CHECK:   %[[T:.+]] = linalg.transpose ins(%{{.+}} : tensor<?x3xf32>) outs(%{{.+}} : tensor<3x?xf32>) permutation = [1, 0]
//       CHECK:   %[[C:.+]] = tensor.cast %[[T]] : tensor<3x?xf32> to tensor<3x2xf32>
//       CHECK:   return %[[C]]
func.func @transpose_refined(%a: tensor<?x3xf32>) -> tensor<3x2xf32> {
  %0 = kiln.transpose %a perm = [1, 0] : tensor<?x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// No index, nothing to read: a gather with an empty result lowers to an
// empty tensor, even from an empty axis.
// CHECK-LABEL: func.func @gather_nothing_from_empty_axis
//       CHECK:   %[[E:.+]] = tensor.empty() : tensor<7x1x0xf32>
//   CHECK-NOT:   linalg.generic
//       CHECK:   return %[[E]]
func.func @gather_nothing_from_empty_axis(%x: tensor<7x0xf32>, %i: tensor<1x0xi64>) -> tensor<7x1x0xf32> {
  %0 = kiln.gather %x, %i axis = -1 : (tensor<7x0xf32>, tensor<1x0xi64>) -> tensor<7x1x0xf32>
  return %0 : tensor<7x1x0xf32>
}
