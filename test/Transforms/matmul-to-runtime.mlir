// RUN: kiln-opt --kiln-matmul-to-runtime --split-input-file %s | FileCheck %s

// f32 and f64 matmuls on buffers call the runtime's GEMM through C wrappers.

//       CHECK: func.func private @kiln_rt_matmul_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @matmul_f32
//  CHECK-SAME:     %[[A:.+]]: memref<4x8xf32>, %[[B:.+]]: memref<8x16xf32>, %[[C:.+]]: memref<4x16xf32>
//   CHECK-DAG:   %[[CA:.+]] = memref.cast %[[A]] : memref<4x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//   CHECK-DAG:   %[[CB:.+]] = memref.cast %[[B]]
//   CHECK-DAG:   %[[CC:.+]] = memref.cast %[[C]]
//       CHECK:   call @kiln_rt_matmul_f32(%[[CA]], %[[CB]], %[[CC]])
//   CHECK-NOT:   linalg.matmul
func.func @matmul_f32(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @batch_matmul_f64
//       CHECK:   call @kiln_rt_batch_matmul_f64
//   CHECK-NOT:   linalg.batch_matmul
func.func @batch_matmul_f64(%a: memref<2x4x8xf64>, %b: memref<2x8x16xf64>, %c: memref<2x4x16xf64>) {
  linalg.batch_matmul ins(%a, %b : memref<2x4x8xf64>, memref<2x8x16xf64>) outs(%c : memref<2x4x16xf64>)
  return
}

// -----

// Integer matmuls, mixed element types, outputs whose columns are strided
// and matmuls on tensors stay for the loop lowering.
// CHECK-LABEL: func.func @stays
//   CHECK-NOT:   call
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : memref<4x8xi32>, memref<8x16xi32>)
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : memref<4x8xf32>, memref<8x16xf16>)
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : memref<4x8xf32>, memref<8x16xf32>) outs(%{{.*}} : memref<4x16xf32, strided<[32, 2]>>)
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
func.func @stays(%a: memref<4x8xi32>, %b: memref<8x16xi32>, %c: memref<4x16xi32>,
                 %d: memref<4x8xf32>, %e: memref<8x16xf16>, %f: memref<4x16xf32>,
                 %g: memref<4x16xf32, strided<[32, 2]>>, %h: memref<8x16xf32>,
                 %t: tensor<4x8xf32>, %u: tensor<8x16xf32>, %v: tensor<4x16xf32>) -> tensor<4x16xf32> {
  linalg.matmul ins(%a, %b : memref<4x8xi32>, memref<8x16xi32>) outs(%c : memref<4x16xi32>)
  linalg.matmul ins(%d, %e : memref<4x8xf32>, memref<8x16xf16>) outs(%f : memref<4x16xf32>)
  linalg.matmul ins(%d, %h : memref<4x8xf32>, memref<8x16xf32>) outs(%g : memref<4x16xf32, strided<[32, 2]>>)
  %r = linalg.matmul ins(%t, %u : tensor<4x8xf32>, tensor<8x16xf32>) outs(%v : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// A matmul into a buffer just filled with zero overwrites it instead: the
// fill goes. Any other fill, or a fill not right before, stays.
// CHECK-LABEL: func.func @zero_filled
//   CHECK-NOT:   linalg.fill
//       CHECK:   call @kiln_rt_matmul_set_f32
//       CHECK:   linalg.fill ins(%{{.*}} : f32) outs(%[[D:.+]] : memref<4x16xf32>)
//       CHECK:   call @kiln_rt_matmul_f32
func.func @zero_filled(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %d: memref<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<4x16xf32>)
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  linalg.fill ins(%one : f32) outs(%d : memref<4x16xf32>)
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%d : memref<4x16xf32>)
  return
}

// -----

// The same for a batched matmul.
// CHECK-LABEL: func.func @zero_filled_batch
//   CHECK-NOT:   linalg.fill
//       CHECK:   call @kiln_rt_batch_matmul_set_f64
func.func @zero_filled_batch(%a: memref<2x4x8xf64>, %b: memref<2x8x16xf64>, %c: memref<2x4x16xf64>) {
  %zero = arith.constant 0.0 : f64
  linalg.fill ins(%zero : f64) outs(%c : memref<2x4x16xf64>)
  linalg.batch_matmul ins(%a, %b : memref<2x4x8xf64>, memref<2x8x16xf64>) outs(%c : memref<2x4x16xf64>)
  return
}

// -----

// CSE leaves one zero-filled buffer that bufferization copies into each
// matmul's output: each copy counts as zeroing, and the buffer goes once
// no copy is left. A buffer that anything else writes is not zero.
// CHECK-LABEL: func.func @copied_zeros
//   CHECK-NOT:   memref.alloc
//   CHECK-NOT:   linalg.fill
//   CHECK-NOT:   memref.copy
//       CHECK:   call @kiln_rt_matmul_set_f32
//       CHECK:   call @kiln_rt_matmul_set_f32
//       CHECK:   return
func.func @copied_zeros(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %d: memref<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %zeros = memref.alloc() : memref<4x16xf32>
  linalg.fill ins(%zero : f32) outs(%zeros : memref<4x16xf32>)
  memref.copy %zeros, %c : memref<4x16xf32> to memref<4x16xf32>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  memref.copy %zeros, %d : memref<4x16xf32> to memref<4x16xf32>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%d : memref<4x16xf32>)
  memref.dealloc %zeros : memref<4x16xf32>
  return
}

// CHECK-LABEL: func.func @copied_non_zeros
//       CHECK:   linalg.fill
//       CHECK:   memref.copy
//       CHECK:   call @kiln_rt_matmul_f32
func.func @copied_non_zeros(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %zeros = memref.alloc() : memref<4x16xf32>
  linalg.fill ins(%zero : f32) outs(%zeros : memref<4x16xf32>)
  memref.store %one, %zeros[%c0, %c0] : memref<4x16xf32>
  memref.copy %zeros, %c : memref<4x16xf32> to memref<4x16xf32>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  memref.dealloc %zeros : memref<4x16xf32>
  return
}

// -----

// A rhs read transposed (B[n, k]) is passed as a strided transposed view,
// without a copy.
// CHECK-LABEL: func.func @transposed_rhs
//       CHECK:   %[[T:.+]] = memref.transpose %{{.+}} (d0, d1, d2) -> (d0, d2, d1)
//       CHECK:   %[[C:.+]] = memref.cast %[[T]]
//       CHECK:   call @kiln_rt_batch_matmul_f32(%{{.+}}, %[[C]], %{{.+}})
//   CHECK-NOT:   linalg.batch_matmul
func.func @transposed_rhs(%a: memref<2x4x8xf32>, %b: memref<2x16x8xf32>, %c: memref<2x4x16xf32>) {
  linalg.batch_matmul
    indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                     affine_map<(b, m, n, k) -> (b, n, k)>,
                     affine_map<(b, m, n, k) -> (b, m, n)>]
    ins(%a, %b : memref<2x4x8xf32>, memref<2x16x8xf32>) outs(%c : memref<2x4x16xf32>)
  return
}
