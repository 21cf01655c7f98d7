// mlir-runner cannot load the Kiln runtime: gather does not report
// out-of-range indices to it here (it still clamps them).
// RUN: kiln-opt --kiln-to-llvm-pipeline="report-index-errors=false runtime-allocator=false" %s \
// RUN:   | %mlir_runner | FileCheck %s

// gather (negative indices wrap), concat, strided slice, pad, transpose,
// reshape and broadcast_to.

func.func @gather(%x: tensor<3x4xf32>, %i: tensor<3xi64>, %j: tensor<1x2xi32>) -> (tensor<3x4xf32>, tensor<3x1x2xf32>) {
  %0 = kiln.gather %x, %i axis = 0 : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  %1 = kiln.gather %x, %j axis = 1 : (tensor<3x4xf32>, tensor<1x2xi32>) -> tensor<3x1x2xf32>
  return %0, %1 : tensor<3x4xf32>, tensor<3x1x2xf32>
}

func.func @shapes(%x: tensor<3x4xf32>, %y: tensor<3x1xf32>, %v: tensor<3xf32>) -> (tensor<3x5xf32>, tensor<3x3xf32>, tensor<2x2xf32>, tensor<2x6xf32>, tensor<2x3xf32>) {
  %cat = kiln.concat %x, %y axis = -1 : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
  %s = kiln.slice %x start = [0, 1] limit = [3, 4] stride = [2, 2] : tensor<3x4xf32> -> tensor<2x2xf32>
  %p = kiln.pad %s low = [1, 0] high = [0, 1] value = 0.5 : tensor<2x2xf32> -> tensor<3x3xf32>
  %t = kiln.transpose %s perm = [1, 0] : tensor<2x2xf32> -> tensor<2x2xf32>
  %r = kiln.reshape %x shape = [2, -1] : tensor<3x4xf32> -> tensor<2x6xf32>
  %b = kiln.broadcast_to %v shape = [2, 3] : tensor<3xf32> -> tensor<2x3xf32>
  return %cat, %p, %t, %r, %b : tensor<3x5xf32>, tensor<3x3xf32>, tensor<2x2xf32>, tensor<2x6xf32>, tensor<2x3xf32>
}

func.func @main() {
  %x = kiln.constant dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]> : tensor<3x4xf32>
  %i = kiln.constant dense<[2, -1, 0]> : tensor<3xi64>
  %j = kiln.constant dense<[[3, -4]]> : tensor<1x2xi32>
  %g:2 = call @gather(%x, %i, %j) : (tensor<3x4xf32>, tensor<3xi64>, tensor<1x2xi32>) -> (tensor<3x4xf32>, tensor<3x1x2xf32>)
  %g0 = tensor.cast %g#0 : tensor<3x4xf32> to tensor<*xf32>
  call @printF32(%g0) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}8,   9,   10,   11],
  // CHECK-NEXT:  [8,   9,   10,   11],
  // CHECK-NEXT:  [0,   1,   2,   3]]
  %g1 = tensor.cast %g#1 : tensor<3x1x2xf32> to tensor<*xf32>
  call @printF32(%g1) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[\[}}3,    0]],
  // CHECK-NEXT:  {{\[\[}}7,    4]],
  // CHECK-NEXT:  {{\[\[}}11,    8]]]

  %y = kiln.constant dense<[[100.0], [101.0], [102.0]]> : tensor<3x1xf32>
  %v = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %s:5 = call @shapes(%x, %y, %v) : (tensor<3x4xf32>, tensor<3x1xf32>, tensor<3xf32>) -> (tensor<3x5xf32>, tensor<3x3xf32>, tensor<2x2xf32>, tensor<2x6xf32>, tensor<2x3xf32>)
  %s0 = tensor.cast %s#0 : tensor<3x5xf32> to tensor<*xf32>
  call @printF32(%s0) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}0,   1,   2,   3,   100],
  // CHECK-NEXT:  [4,   5,   6,   7,   101],
  // CHECK-NEXT:  [8,   9,   10,   11,   102]]
  %s1 = tensor.cast %s#1 : tensor<3x3xf32> to tensor<*xf32>
  call @printF32(%s1) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}0.5,   0.5,   0.5],
  // CHECK-NEXT:  [1,   3,   0.5],
  // CHECK-NEXT:  [9,   11,   0.5]]
  %s2 = tensor.cast %s#2 : tensor<2x2xf32> to tensor<*xf32>
  call @printF32(%s2) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}1,   9],
  // CHECK-NEXT:  [3,   11]]
  %s3 = tensor.cast %s#3 : tensor<2x6xf32> to tensor<*xf32>
  call @printF32(%s3) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}0,   1,   2,   3,   4,   5],
  // CHECK-NEXT:  [6,   7,   8,   9,   10,   11]]
  %s4 = tensor.cast %s#4 : tensor<2x3xf32> to tensor<*xf32>
  call @printF32(%s4) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}1,   2,   3],
  // CHECK-NEXT:  [1,   2,   3]]
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
