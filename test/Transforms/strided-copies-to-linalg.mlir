// RUN: kiln-opt --kiln-strided-copies-to-linalg %s | FileCheck %s

// A copy into a strided view (a concat's second operand) becomes a
// linalg.copy, lowered to loops later, instead of a call of `memrefCopy`.
// CHECK-LABEL: func @into_view
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.+}} : memref<2x3xf32>) outs(%{{.+}} : memref<2x3xf32, strided<[6, 1], offset: 3>>)
func.func @into_view(%a: memref<2x3xf32>, %b: memref<2x6xf32>) {
  %v = memref.subview %b[0, 3] [2, 3] [1, 1] : memref<2x6xf32> to memref<2x3xf32, strided<[6, 1], offset: 3>>
  memref.copy %a, %v : memref<2x3xf32> to memref<2x3xf32, strided<[6, 1], offset: 3>>
  return
}

// Contiguous copies stay memref.copy (a memcpy).
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<2x3xf32>, %b: memref<2x3xf32>, %c: memref<4x3xf32>) {
  memref.copy %a, %b : memref<2x3xf32> to memref<2x3xf32>
  %v = memref.subview %c[2, 0] [2, 3] [1, 1] : memref<4x3xf32> to memref<2x3xf32, strided<[3, 1], offset: 6>>
  memref.copy %a, %v : memref<2x3xf32> to memref<2x3xf32, strided<[3, 1], offset: 6>>
  return
}
