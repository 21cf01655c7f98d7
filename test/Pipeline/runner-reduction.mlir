// RUN: kiln-opt --kiln-to-llvm-pipeline="runtime-allocator=false" %s | %mlir_runner | FileCheck %s

// Reductions with and without keepdims, over one, several or all axes;
// argmax/argmin return the first index of the extreme, and NaN wins.

func.func @float_reductions(%x: tensor<3x4xf32>) -> (tensor<3x1xf32>, tensor<4xf32>, tensor<f32>, tensor<3xf32>) {
  %sum = kiln.reduce_sum %x axes = [1] keepdims : tensor<3x4xf32> -> tensor<3x1xf32>
  %mean = kiln.reduce_mean %x axes = [0] : tensor<3x4xf32> -> tensor<4xf32>
  %max = kiln.reduce_max %x axes = [] : tensor<3x4xf32> -> tensor<f32>
  %min = kiln.reduce_min %x axes = [-1] : tensor<3x4xf32> -> tensor<3xf32>
  return %sum, %mean, %max, %min : tensor<3x1xf32>, tensor<4xf32>, tensor<f32>, tensor<3xf32>
}

func.func @int_reductions(%y: tensor<2x3xi32>) -> (tensor<3xi32>, tensor<1x1xi32>) {
  %prod = kiln.reduce_prod %y axes = [0] : tensor<2x3xi32> -> tensor<3xi32>
  %sum = kiln.reduce_sum %y axes = [0, 1] keepdims : tensor<2x3xi32> -> tensor<1x1xi32>
  return %prod, %sum : tensor<3xi32>, tensor<1x1xi32>
}

func.func @arg_reductions(%x: tensor<3x4xf32>, %z: tensor<2x4xf32>) -> (tensor<3xi64>, tensor<3x1xi64>, tensor<2xi64>) {
  %amax = kiln.argmax %x axis = 1 : tensor<3x4xf32> -> tensor<3xi64>
  %amin = kiln.argmin %x axis = -1 keepdims : tensor<3x4xf32> -> tensor<3x1xi64>
  %anan = kiln.argmax %z axis = 1 : tensor<2x4xf32> -> tensor<2xi64>
  return %amax, %amin, %anan : tensor<3xi64>, tensor<3x1xi64>, tensor<2xi64>
}

func.func @main() {
  %x = kiln.constant dense<[[1.0, 5.0, 5.0, 2.0], [-1.0, -3.0, -3.0, 0.0], [7.0, 7.0, 7.0, 7.0]]> : tensor<3x4xf32>
  %r:4 = call @float_reductions(%x) : (tensor<3x4xf32>) -> (tensor<3x1xf32>, tensor<4xf32>, tensor<f32>, tensor<3xf32>)
  %r0 = tensor.cast %r#0 : tensor<3x1xf32> to tensor<*xf32>
  call @printF32(%r0) : (tensor<*xf32>) -> ()
  // CHECK: sizes = [3, 1]
  // CHECK-NEXT: {{\[\[}}13],
  // CHECK-NEXT:  [-7],
  // CHECK-NEXT:  [28]]
  %r1 = tensor.cast %r#1 : tensor<4xf32> to tensor<*xf32>
  call @printF32(%r1) : (tensor<*xf32>) -> ()
  // CHECK: [2.33333,  3,  3,  3]
  %r2 = tensor.cast %r#2 : tensor<f32> to tensor<*xf32>
  call @printF32(%r2) : (tensor<*xf32>) -> ()
  // CHECK: rank = 0
  // CHECK-NEXT: [7]
  %r3 = tensor.cast %r#3 : tensor<3xf32> to tensor<*xf32>
  call @printF32(%r3) : (tensor<*xf32>) -> ()
  // CHECK: [1,  -3,  7]

  %y = kiln.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %s:2 = call @int_reductions(%y) : (tensor<2x3xi32>) -> (tensor<3xi32>, tensor<1x1xi32>)
  %s0 = tensor.cast %s#0 : tensor<3xi32> to tensor<*xi32>
  call @printI32(%s0) : (tensor<*xi32>) -> ()
  // CHECK: [4,  10,  18]
  %s1 = tensor.cast %s#1 : tensor<1x1xi32> to tensor<*xi32>
  call @printI32(%s1) : (tensor<*xi32>) -> ()
  // CHECK: sizes = [1, 1]
  // CHECK-NEXT: {{\[\[}}21]]

  %z = kiln.constant dense<[[1.0, 0x7FC00000, 3.0, 0x7FC00000], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000]]> : tensor<2x4xf32>
  %a:3 = call @arg_reductions(%x, %z) : (tensor<3x4xf32>, tensor<2x4xf32>) -> (tensor<3xi64>, tensor<3x1xi64>, tensor<2xi64>)
  %a0 = tensor.cast %a#0 : tensor<3xi64> to tensor<*xi64>
  call @printI64(%a0) : (tensor<*xi64>) -> ()
  // Ties keep the first index.
  // CHECK: [1,  3,  0]
  %a1 = tensor.cast %a#1 : tensor<3x1xi64> to tensor<*xi64>
  call @printI64(%a1) : (tensor<*xi64>) -> ()
  // CHECK: {{\[\[}}0],
  // CHECK-NEXT:  [1],
  // CHECK-NEXT:  [0]]
  %a2 = tensor.cast %a#2 : tensor<2xi64> to tensor<*xi64>
  call @printI64(%a2) : (tensor<*xi64>) -> ()
  // The first NaN; a row of -inf gives 0.
  // CHECK: [1,  0]
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
