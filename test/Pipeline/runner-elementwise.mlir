// mlir-runner cannot load the Kiln runtime: loops whose trip count is not
// static (integer pow loops over the exponent's bits) stay sequential here
// instead of calling kiln_rt_parallel_for.
// RUN: kiln-opt --kiln-to-llvm-pipeline="runtime-parallel=false runtime-allocator=false" %s | %mlir_runner | FileCheck %s

// Lowered elementwise graphs compute numpy's numbers. The graphs take their
// inputs as arguments so that no constant folding happens before lowering.

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xi32>) -> tensor<2x3xf32> {
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func @floor_div(%a: tensor<8xi32>, %b: tensor<8xi32>) -> tensor<8xi32> {
  %0 = kiln.div %a, %b : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
  return %0 : tensor<8xi32>
}

func.func @int_pow(%a: tensor<6xi64>, %b: tensor<6xi64>) -> tensor<6xi64> {
  %0 = kiln.pow %a, %b : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  return %0 : tensor<6xi64>
}

// NaN compares unequal to everything (ne is the only true predicate).
func.func @compare_nan(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<4x3xi32> {
  %eq = kiln.eq %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %ne = kiln.ne %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %lt = kiln.lt %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %ge = kiln.ge %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %e = kiln.expand_dims %eq axis = 0 : tensor<3xi1> -> tensor<1x3xi1>
  %n = kiln.expand_dims %ne axis = 0 : tensor<3xi1> -> tensor<1x3xi1>
  %l = kiln.expand_dims %lt axis = 0 : tensor<3xi1> -> tensor<1x3xi1>
  %g = kiln.expand_dims %ge axis = 0 : tensor<3xi1> -> tensor<1x3xi1>
  %all = kiln.concat %e, %n, %l, %g axis = 0 : (tensor<1x3xi1>, tensor<1x3xi1>, tensor<1x3xi1>, tensor<1x3xi1>) -> tensor<4x3xi1>
  %r = kiln.cast %all : tensor<4x3xi1> to tensor<4x3xi32>
  return %r : tensor<4x3xi32>
}

// round (ties to even), sign, maximum (NaN-propagating), float -> int cast.
func.func @unary(%x: tensor<6xf32>) -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xi32>) {
  %r = kiln.round %x : tensor<6xf32>
  %s = kiln.sign %x : tensor<6xf32>
  %zero = kiln.constant dense<0.0> : tensor<f32>
  %m = kiln.maximum %x, %zero : (tensor<6xf32>, tensor<f32>) -> tensor<6xf32>
  %c = kiln.cast %x : tensor<6xf32> to tensor<6xi32>
  return %r, %s, %m, %c : tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xi32>
}

// The W1 chain relu(a * b + c) * sigmoid(d), fused and approximated.
func.func @w1(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>, %d: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.mul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.add %0, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = kiln.relu %1 : tensor<4xf32>
  %3 = kiln.sigmoid %d : tensor<4xf32>
  %4 = kiln.mul %2, %3 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %4 : tensor<4xf32>
}

func.func @main() {
  %a = kiln.constant dense<[[1.5, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = kiln.constant dense<[10, 20, -30]> : tensor<3xi32>
  %0 = call @add_broadcast(%a, %b) : (tensor<2x3xf32>, tensor<3xi32>) -> tensor<2x3xf32>
  %u0 = tensor.cast %0 : tensor<2x3xf32> to tensor<*xf32>
  call @printF32(%u0) : (tensor<*xf32>) -> ()
  // CHECK: sizes = [2, 3]
  // CHECK-NEXT: {{\[\[}}11.5, 22, -27],
  // CHECK-NEXT:  [14, 25, -24]]

  %n = kiln.constant dense<[7, -7, 7, -7, 5, -2147483648, 0, -1]> : tensor<8xi32>
  %d = kiln.constant dense<[2, 2, -2, -2, 0, -1, 0, 3]> : tensor<8xi32>
  %1 = call @floor_div(%n, %d) : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
  %u1 = tensor.cast %1 : tensor<8xi32> to tensor<*xi32>
  call @printI32(%u1) : (tensor<*xi32>) -> ()
  // Floors; x // 0 == 0; INT_MIN // -1 wraps to INT_MIN (as numpy does).
  // CHECK: [3,  -4,  -4,  3,  0,  -2147483648,  0,  -1]

  %base = kiln.constant dense<[2, 3, -2, 1, -1, 2]> : tensor<6xi64>
  %exp = kiln.constant dense<[10, 3, 3, -5, -3, -1]> : tensor<6xi64>
  %2 = call @int_pow(%base, %exp) : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  %u2 = tensor.cast %2 : tensor<6xi64> to tensor<*xi64>
  call @printI64(%u2) : (tensor<*xi64>) -> ()
  // CHECK: [1024,  27,  -8,  1,  -1,  0]

  %x = kiln.constant dense<[0x7FC00000, 1.0, 2.0]> : tensor<3xf32>
  %y = kiln.constant dense<[0x7FC00000, 1.0, 1.0]> : tensor<3xf32>
  %3 = call @compare_nan(%x, %y) : (tensor<3xf32>, tensor<3xf32>) -> tensor<4x3xi32>
  %u3 = tensor.cast %3 : tensor<4x3xi32> to tensor<*xi32>
  call @printI32(%u3) : (tensor<*xi32>) -> ()
  // eq / ne / lt / ge
  // CHECK: {{\[\[}}0,   1,   0],
  // CHECK-NEXT: [1,   0,   1],
  // CHECK-NEXT: [0,   0,   0],
  // CHECK-NEXT: [0,   1,   1]]

  %v = kiln.constant dense<[0.5, 1.5, 2.5, -0.5, -1.7, 0x7FC00000]> : tensor<6xf32>
  %4:4 = call @unary(%v) : (tensor<6xf32>) -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xi32>)
  %f0 = tensor.cast %4#0 : tensor<6xf32> to tensor<*xf32>
  call @printF32(%f0) : (tensor<*xf32>) -> ()
  // CHECK: [0,  2,  2,  -0,  -2,  nan]
  %f1 = tensor.cast %4#1 : tensor<6xf32> to tensor<*xf32>
  call @printF32(%f1) : (tensor<*xf32>) -> ()
  // CHECK: [1,  1,  1,  -1,  -1,  nan]
  %f2 = tensor.cast %4#2 : tensor<6xf32> to tensor<*xf32>
  call @printF32(%f2) : (tensor<*xf32>) -> ()
  // CHECK: [0.5,  1.5,  2.5,  0,  0,  nan]
  %u4 = tensor.cast %4#3 : tensor<6xi32> to tensor<*xi32>
  call @printI32(%u4) : (tensor<*xi32>) -> ()
  // CHECK: [0,  1,  2,  0,  -1,

  %wa = kiln.constant dense<[1.0, -2.0, 3.0, 0.5]> : tensor<4xf32>
  %wb = kiln.constant dense<[2.0, 1.0, 1.0, 4.0]> : tensor<4xf32>
  %wc = kiln.constant dense<[0.5, 0.5, -4.0, 0.0]> : tensor<4xf32>
  %wd = kiln.constant dense<[0.0, 1.0, 2.0, -1.0]> : tensor<4xf32>
  %5 = call @w1(%wa, %wb, %wc, %wd) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %f3 = tensor.cast %5 : tensor<4xf32> to tensor<*xf32>
  call @printF32(%f3) : (tensor<*xf32>) -> ()
  // relu(2.5) * sigmoid(0), relu(-1.5) * ..., relu(-1) * ..., 2 * sigmoid(-1)
  // CHECK: [1.25,  0,  0,  0.537883]
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
