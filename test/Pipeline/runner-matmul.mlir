// RUN: kiln-opt --kiln-to-llvm-pipeline="runtime-matmul=false runtime-allocator=false" %s | %mlir_runner | FileCheck %s
// The runtime GEMM path (the default) is checked against eager mode by the
// e2e suite; mlir-runner cannot load the runtime, so this runs the loops
// (and allocates with malloc).

// numpy.matmul: mixed types, broadcast batch dims, batched lhs times a
// matrix, and 1-D operands on either side.

func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x2xi32>) -> tensor<2x2xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<3x2xi32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

func.func @batched(%c: tensor<2x2x3xf32>, %b3: tensor<1x3x2xf32>, %b2: tensor<3x2xf32>) -> (tensor<2x2x2xf32>, tensor<2x2x2xf32>) {
  %0 = kiln.matmul %c, %b3 : (tensor<2x2x3xf32>, tensor<1x3x2xf32>) -> tensor<2x2x2xf32>
  %1 = kiln.matmul %c, %b2 : (tensor<2x2x3xf32>, tensor<3x2xf32>) -> tensor<2x2x2xf32>
  return %0, %1 : tensor<2x2x2xf32>, tensor<2x2x2xf32>
}

func.func @vectors(%a: tensor<2x3xf32>, %v: tensor<3xf32>, %w: tensor<2xf32>) -> (tensor<2xf32>, tensor<3xf32>, tensor<f32>) {
  %0 = kiln.matmul %a, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  %1 = kiln.matmul %w, %a : (tensor<2xf32>, tensor<2x3xf32>) -> tensor<3xf32>
  %2 = kiln.matmul %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<2xf32>, tensor<3xf32>, tensor<f32>
}

func.func @main() {
  %a = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = kiln.constant dense<[[1, 0], [0, 1], [1, 1]]> : tensor<3x2xi32>
  %0 = call @matmul(%a, %b) : (tensor<2x3xf32>, tensor<3x2xi32>) -> tensor<2x2xf32>
  %u0 = tensor.cast %0 : tensor<2x2xf32> to tensor<*xf32>
  call @printF32(%u0) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}4,   5],
  // CHECK-NEXT:  [10,   11]]

  %c = kiln.constant dense<[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]]]> : tensor<2x2x3xf32>
  %b3 = kiln.constant dense<[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]]> : tensor<1x3x2xf32>
  %b2 = kiln.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %1:2 = call @batched(%c, %b3, %b2) : (tensor<2x2x3xf32>, tensor<1x3x2xf32>, tensor<3x2xf32>) -> (tensor<2x2x2xf32>, tensor<2x2x2xf32>)
  %u1 = tensor.cast %1#0 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printF32(%u1) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[\[}}4,    5],
  // CHECK-NEXT:   [10,    11]],
  // CHECK-NEXT:  {{\[\[}}-4,    -5],
  // CHECK-NEXT:   [-10,    -11]]]
  %u2 = tensor.cast %1#1 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printF32(%u2) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[\[}}4,    5],
  // CHECK-NEXT:   [10,    11]],
  // CHECK-NEXT:  {{\[\[}}-4,    -5],
  // CHECK-NEXT:   [-10,    -11]]]

  %v = kiln.constant dense<[1.0, 1.0, 1.0]> : tensor<3xf32>
  %w = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %2:3 = call @vectors(%a, %v, %w) : (tensor<2x3xf32>, tensor<3xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<3xf32>, tensor<f32>)
  %u3 = tensor.cast %2#0 : tensor<2xf32> to tensor<*xf32>
  call @printF32(%u3) : (tensor<*xf32>) -> ()
  // CHECK: [6,  15]
  %u4 = tensor.cast %2#1 : tensor<3xf32> to tensor<*xf32>
  call @printF32(%u4) : (tensor<*xf32>) -> ()
  // CHECK: [-3,  -3,  -3]
  %u5 = tensor.cast %2#2 : tensor<f32> to tensor<*xf32>
  call @printF32(%u5) : (tensor<*xf32>) -> ()
  // CHECK: rank = 0
  // CHECK-NEXT: [3]
  return
}

func.func @printF32(%u: tensor<*xf32>) {
  %m = bufferization.to_buffer %u read_only : tensor<*xf32> to memref<*xf32>
  call @printMemrefF32(%m) : (memref<*xf32>) -> ()
  return
}
func.func @printI32(%u: tensor<*xi32>) {
  %m = bufferization.to_buffer %u read_only : tensor<*xi32> to memref<*xi32>
  call @printMemrefI32(%m) : (memref<*xi32>) -> ()
  return
}
func.func @printI64(%u: tensor<*xi64>) {
  %m = bufferization.to_buffer %u read_only : tensor<*xi64> to memref<*xi64>
  call @printMemrefI64(%m) : (memref<*xi64>) -> ()
  return
}
func.func private @printMemrefF32(memref<*xf32>)
func.func private @printMemrefI32(memref<*xi32>)
func.func private @printMemrefI64(memref<*xi64>)
