// RUN: kiln-opt --kiln-to-llvm-pipeline="runtime-allocator=false" %s | %mlir_runner | FileCheck %s

// softmax is stable for large inputs and its rows sum to 1; log_softmax;
// layer_norm with the biased variance, scale and bias.

func.func @softmax(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>) {
  %s = kiln.softmax %x axis = -1 : tensor<2x3xf32>
  %sum = kiln.reduce_sum %s axes = [1] : tensor<2x3xf32> -> tensor<2xf32>
  %l = kiln.log_softmax %x axis = 1 : tensor<2x3xf32>
  return %s, %sum, %l : tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>
}

func.func @layer_norm(%x: tensor<2x4xf32>, %scale: tensor<4xf32>, %bias: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.layer_norm %x scale %scale bias %bias axes = [-1] epsilon = 1.0e-05 : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

func.func @main() {
  %x = kiln.constant dense<[[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]]> : tensor<2x3xf32>
  %r:3 = call @softmax(%x) : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>)
  %r0 = tensor.cast %r#0 : tensor<2x3xf32> to tensor<*xf32>
  call @printF32(%r0) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}0.0900306,   0.244728,   0.665241],
  // CHECK-NEXT:  [0.333333,   0.333333,   0.333333]]
  %r1 = tensor.cast %r#1 : tensor<2xf32> to tensor<*xf32>
  call @printF32(%r1) : (tensor<*xf32>) -> ()
  // CHECK: [1,  1]
  %r2 = tensor.cast %r#2 : tensor<2x3xf32> to tensor<*xf32>
  call @printF32(%r2) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}-2.40761,   -1.40761,   -0.40760{{[0-9]}}],
  // CHECK-NEXT:  [-1.09861,   -1.09861,   -1.09861]]

  %y = kiln.constant dense<[[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]]> : tensor<2x4xf32>
  %scale = kiln.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %bias = kiln.constant dense<[0.0, 0.0, 0.0, 1.0]> : tensor<4xf32>
  %n = call @layer_norm(%y, %scale, %bias) : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %n0 = tensor.cast %n : tensor<2x4xf32> to tensor<*xf32>
  call @printF32(%n0) : (tensor<*xf32>) -> ()
  // mean 2.5, variance 1.25; a constant row normalizes to 0.
  // CHECK: {{\[\[}}-1.3416{{[0-9]}},   -0.44721{{[0-9]}},   0.89442{{[0-9]}},   3.6832{{[0-9]}}],
  // CHECK-NEXT:  [0,   0,   0,   1]]
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
