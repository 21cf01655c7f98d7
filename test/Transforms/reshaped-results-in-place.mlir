// RUN: kiln-opt --pass-pipeline="builtin.module(func.func(kiln-reshaped-results-in-place))" %s | FileCheck %s

// A result copied into its output through a reshape is computed in the
// output: the allocation becomes the inverse reshape of the output buffer.
// CHECK-LABEL: func.func @collapsed(
//  CHECK-SAME:     %[[X:[^:]+]]: memref<2x3x4xf32>, %[[OUT:[^:]+]]: memref<2x12xf32>
//       CHECK:   %[[VIEW:.+]] = memref.expand_shape %[[OUT]] {{\[}}[0], [1, 2]] output_shape [2, 3, 4] : memref<2x12xf32> into memref<2x3x4xf32>
//       CHECK:   memref.copy %[[X]], %[[VIEW]]
//   CHECK-NOT:   memref.alloc
//   CHECK-NOT:   memref.copy
//       CHECK:   return
func.func @collapsed(%x: memref<2x3x4xf32>, %out: memref<2x12xf32>) {
  %a = memref.alloc() : memref<2x3x4xf32>
  memref.copy %x, %a : memref<2x3x4xf32> to memref<2x3x4xf32>
  %v = memref.collapse_shape %a [[0], [1, 2]] : memref<2x3x4xf32> into memref<2x12xf32>
  memref.copy %v, %out : memref<2x12xf32> to memref<2x12xf32>
  return
}

// Through two reshapes, an expand_shape then a collapse_shape.
// CHECK-LABEL: func.func @two_reshapes(
//  CHECK-SAME:     %[[OUT:[^:]+]]: memref<6x4xf32>
//       CHECK:   %[[E:.+]] = memref.expand_shape %[[OUT]] {{\[}}[0, 1], [2]] output_shape [2, 3, 4]
//       CHECK:   %[[C:.+]] = memref.collapse_shape %[[E]] {{\[}}[0], [1, 2]] : memref<2x3x4xf32> into memref<2x12xf32>
//       CHECK:   linalg.fill ins(%{{.+}} : f32) outs(%[[C]] : memref<2x12xf32>)
//   CHECK-NOT:   memref.copy
func.func @two_reshapes(%f: f32, %out: memref<6x4xf32>) {
  %a = memref.alloc() : memref<2x12xf32>
  linalg.fill ins(%f : f32) outs(%a : memref<2x12xf32>)
  %e = memref.expand_shape %a [[0], [1, 2]] output_shape [2, 3, 4] : memref<2x12xf32> into memref<2x3x4xf32>
  %c = memref.collapse_shape %e [[0, 1], [2]] : memref<2x3x4xf32> into memref<6x4xf32>
  memref.copy %c, %out : memref<6x4xf32> to memref<6x4xf32>
  return
}

// Left alone: the allocation is used after the copy (its values may
// change after the output was taken), the output has other uses, and a
// copy of an argument (not an allocation).
// CHECK-LABEL: func.func @used_after(
//       CHECK:   memref.alloc
//       CHECK:   memref.copy %{{.+}}, %{{.+}} : memref<2x12xf32> to memref<2x12xf32>
func.func @used_after(%f: f32, %out: memref<2x12xf32>) {
  %a = memref.alloc() : memref<2x3x4xf32>
  %v = memref.collapse_shape %a [[0], [1, 2]] : memref<2x3x4xf32> into memref<2x12xf32>
  memref.copy %v, %out : memref<2x12xf32> to memref<2x12xf32>
  linalg.fill ins(%f : f32) outs(%a : memref<2x3x4xf32>)
  return
}

// CHECK-LABEL: func.func @output_used_twice(
//       CHECK:   memref.alloc
//       CHECK:   memref.copy %{{.+}}, %{{.+}} : memref<2x12xf32> to memref<2x12xf32>
func.func @output_used_twice(%f: f32, %out: memref<2x12xf32>) {
  %a = memref.alloc() : memref<2x3x4xf32>
  linalg.fill ins(%f : f32) outs(%a : memref<2x3x4xf32>)
  %v = memref.collapse_shape %a [[0], [1, 2]] : memref<2x3x4xf32> into memref<2x12xf32>
  linalg.fill ins(%f : f32) outs(%out : memref<2x12xf32>)
  memref.copy %v, %out : memref<2x12xf32> to memref<2x12xf32>
  return
}

// CHECK-LABEL: func.func @argument(
//       CHECK:   memref.copy %{{.+}}, %{{.+}} : memref<2x12xf32> to memref<2x12xf32>
func.func @argument(%x: memref<2x3x4xf32>, %out: memref<2x12xf32>) {
  %v = memref.collapse_shape %x [[0], [1, 2]] : memref<2x3x4xf32> into memref<2x12xf32>
  memref.copy %v, %out : memref<2x12xf32> to memref<2x12xf32>
  return
}
