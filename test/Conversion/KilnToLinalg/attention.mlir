// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s
// RUN: kiln-opt --kiln-to-linalg=fuse-attention=false --split-input-file %s | FileCheck %s --check-prefix=UNFUSED

// softmax(q kᵀ scale) v is one call of the runtime's fused kernel, on
// rank-4 buffer views of the operands: the transposed keys are read through
// a view of k, not copied; the scores are never a tensor.
// CHECK-LABEL: func.func @heads(
//  CHECK-SAME:     %[[Q:[^:]+]]: tensor<2x3x20x8xf32>, %[[K:[^:]+]]: tensor<2x3x24x8xf32>, %[[V:[^:]+]]: tensor<2x3x24x16xf32>
//   CHECK-DAG:   %[[MUL:.+]] = arith.constant 0 : i32
//   CHECK-DAG:   %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
//       CHECK:   %[[QB:.+]] = bufferization.to_buffer %[[Q]] read_only
//       CHECK:   %[[QV:.+]] = memref.cast %[[QB]] : memref<2x3x20x8xf32, strided<[?, ?, ?, ?], offset: ?>> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
//       CHECK:   %[[KB:.+]] = bufferization.to_buffer %[[K]] read_only
//       CHECK:   %[[KV:.+]] = memref.cast %[[KB]]
//       CHECK:   %[[VB:.+]] = bufferization.to_buffer %[[V]] read_only
//       CHECK:   %[[VV:.+]] = memref.cast %[[VB]]
//       CHECK:   %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2x3x20x16xf32>
//       CHECK:   %[[OV:.+]] = memref.cast %[[OUT]]
//       CHECK:   call @kiln_rt_attention_f32(%[[QV]], %[[KV]], %[[VV]], %[[QV]], %[[OV]], %[[SCALE]], %[[MUL]], %[[MUL]])
//       CHECK:   %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[R]]
//   CHECK-NOT:   linalg.batch_matmul
// UNFUSED-LABEL: func.func @heads(
//       UNFUSED:   linalg.batch_matmul
//   UNFUSED-NOT:   kiln_rt_attention
func.func @heads(%q: tensor<2x3x20x8xf32>, %k: tensor<2x3x24x8xf32>, %v: tensor<2x3x24x16xf32>) -> tensor<2x3x20x16xf32> {
  %kt = kiln.transpose %k perm = [0, 1, 3, 2] : tensor<2x3x24x8xf32> -> tensor<2x3x8x24xf32>
  %s = kiln.matmul %q, %kt : (tensor<2x3x20x8xf32>, tensor<2x3x8x24xf32>) -> tensor<2x3x20x24xf32>
  %c = kiln.constant dense<0.125> : tensor<f32>
  %x = kiln.mul %s, %c : (tensor<2x3x20x24xf32>, tensor<f32>) -> tensor<2x3x20x24xf32>
  %p = kiln.softmax %x axis = -1 : tensor<2x3x20x24xf32>
  %o = kiln.matmul %p, %v : (tensor<2x3x20x24xf32>, tensor<2x3x24x16xf32>) -> tensor<2x3x20x16xf32>
  return %o : tensor<2x3x20x16xf32>
}

// -----

// 2-D, f64, no scale: one batch of one head, the keys a transposed view.
// CHECK-LABEL: func.func @plain(
//   CHECK-DAG:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f64
//   CHECK-NOT:   linalg.transpose
//       CHECK:   tensor.expand_shape %{{.+}} {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 7, 4]
//       CHECK:   tensor.expand_shape %{{.+}} {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 9, 4]
//       CHECK:   %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<7x5xf64>
//       CHECK:   memref.expand_shape %[[OUT]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 7, 5]
//       CHECK:   call @kiln_rt_attention_f64(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[ONE]], %{{.+}}, %{{.+}})
//       CHECK:   bufferization.to_tensor %[[OUT]] restrict writable : memref<7x5xf64> to tensor<7x5xf64>
func.func @plain(%q: tensor<7x4xf64>, %k: tensor<9x4xf64>, %v: tensor<9x5xf64>) -> tensor<7x5xf64> {
  %kt = kiln.transpose %k perm = [1, 0] : tensor<9x4xf64> -> tensor<4x9xf64>
  %s = kiln.matmul %q, %kt : (tensor<7x4xf64>, tensor<4x9xf64>) -> tensor<7x9xf64>
  %p = kiln.softmax %s axis = 1 : tensor<7x9xf64>
  %o = kiln.matmul %p, %v : (tensor<7x9xf64>, tensor<9x5xf64>) -> tensor<7x5xf64>
  return %o : tensor<7x5xf64>
}

// -----

// Heads split by a transpose of the projections and merged by a transpose
// of the context (an encoder layer's layout): the kernel reads q and k
// through views of the untransposed tensors and writes the context in the
// merged layout; no transpose is left.
// CHECK-LABEL: func.func @split_heads(
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<2x20x3x8xf32>
//   CHECK-NOT:   linalg.transpose
//       CHECK:   %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only
//       CHECK:   memref.transpose %[[XB]] (d0, d1, d2, d3) -> (d0, d2, d1, d3)
//       CHECK:   memref.transpose %{{.+}} (d0, d1, d2, d3) -> (d0, d2, d1, d3)
//       CHECK:   %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2x20x3x16xf32>
//       CHECK:   memref.transpose %[[OUT]] (d0, d1, d2, d3) -> (d0, d2, d1, d3)
//       CHECK:   call @kiln_rt_attention_f32
//       CHECK:   %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x20x3x16xf32>
//       CHECK:   return %[[R]]
func.func @split_heads(%x: tensor<2x20x3x8xf32>, %v: tensor<2x3x20x16xf32>) -> tensor<2x20x3x16xf32> {
  %q = kiln.transpose %x perm = [0, 2, 1, 3] : tensor<2x20x3x8xf32> -> tensor<2x3x20x8xf32>
  %kt = kiln.transpose %x perm = [0, 2, 3, 1] : tensor<2x20x3x8xf32> -> tensor<2x3x8x20xf32>
  %s = kiln.matmul %q, %kt : (tensor<2x3x20x8xf32>, tensor<2x3x8x20xf32>) -> tensor<2x3x20x20xf32>
  %p = kiln.softmax %s axis = 3 : tensor<2x3x20x20xf32>
  %o = kiln.matmul %p, %v : (tensor<2x3x20x20xf32>, tensor<2x3x20x16xf32>) -> tensor<2x3x20x16xf32>
  %t = kiln.transpose %o perm = [0, 2, 1, 3] : tensor<2x3x20x16xf32> -> tensor<2x20x3x16xf32>
  return %t : tensor<2x20x3x16xf32>
}

// -----

// A padding mask [b, 1, 1, t] added to the scaled scores: passed as a rank-4
// view whose size-1 dimensions broadcast.
// CHECK-LABEL: func.func @masked(
//  CHECK-SAME:     %[[M:[^:]+]]: tensor<2x1x1x24xf32>
//   CHECK-DAG:   %[[ONE:.+]] = arith.constant 1 : i32
//       CHECK:   %[[MB:.+]] = bufferization.to_buffer %[[M]] read_only
//       CHECK:   %[[MV:.+]] = memref.cast %[[MB]]
//       CHECK:   call @kiln_rt_attention_f32(%{{.+}}, %{{.+}}, %{{.+}}, %[[MV]], %{{.+}}, %{{.+}}, %{{.+}}, %[[ONE]])
//   CHECK-NOT:   linalg.generic
func.func @masked(%q: tensor<2x3x20x8xf32>, %k: tensor<2x3x24x8xf32>, %v: tensor<2x3x24x16xf32>, %m: tensor<2x1x1x24xf32>) -> tensor<2x3x20x16xf32> {
  %kt = kiln.transpose %k perm = [0, 1, 3, 2] : tensor<2x3x24x8xf32> -> tensor<2x3x8x24xf32>
  %s = kiln.matmul %q, %kt : (tensor<2x3x20x8xf32>, tensor<2x3x8x24xf32>) -> tensor<2x3x20x24xf32>
  %c = kiln.constant dense<0.125> : tensor<f32>
  %x = kiln.mul %s, %c : (tensor<2x3x20x24xf32>, tensor<f32>) -> tensor<2x3x20x24xf32>
  %y = kiln.add %x, %m : (tensor<2x3x20x24xf32>, tensor<2x1x1x24xf32>) -> tensor<2x3x20x24xf32>
  %p = kiln.softmax %y axis = -1 : tensor<2x3x20x24xf32>
  %o = kiln.matmul %p, %v : (tensor<2x3x20x24xf32>, tensor<2x3x24x16xf32>) -> tensor<2x3x20x16xf32>
  return %o : tensor<2x3x20x16xf32>
}

// -----

// Scores divided by a constant, as eager mode divides them.
// CHECK-LABEL: func.func @divided(
//   CHECK-DAG:   %[[DIV:.+]] = arith.constant 1 : i32
//   CHECK-DAG:   %[[EIGHT:.+]] = arith.constant 8.000000e+00 : f32
//       CHECK:   call @kiln_rt_attention_f32(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[EIGHT]], %[[DIV]], %{{.+}})
func.func @divided(%q: tensor<4x8xf32>, %k: tensor<6x8xf32>, %v: tensor<6x2xf32>) -> tensor<4x2xf32> {
  %kt = kiln.transpose %k perm = [1, 0] : tensor<6x8xf32> -> tensor<8x6xf32>
  %s = kiln.matmul %q, %kt : (tensor<4x8xf32>, tensor<8x6xf32>) -> tensor<4x6xf32>
  %c = kiln.constant dense<8.0> : tensor<f32>
  %x = kiln.div %s, %c : (tensor<4x6xf32>, tensor<f32>) -> tensor<4x6xf32>
  %p = kiln.softmax %x axis = -1 : tensor<4x6xf32>
  %o = kiln.matmul %p, %v : (tensor<4x6xf32>, tensor<6x2xf32>) -> tensor<4x2xf32>
  return %o : tensor<4x2xf32>
}

// -----

// Not fused: the probabilities are used twice, the softmax is over another
// axis, the scale is not a constant, and the shapes are dynamic. (Keys
// that are not a transpose are read through a transposed view: %o3 fuses.)
// CHECK-LABEL: func.func @not_fused(
//       CHECK:   call @kiln_rt_attention_f32
//   CHECK-NOT:   kiln_rt_attention
func.func @not_fused(%q: tensor<6x4xf32>, %k: tensor<6x4xf32>, %kt: tensor<4x6xf32>, %v: tensor<6x4xf32>, %a: tensor<f32>, %qd: tensor<?x4xf32>) -> (tensor<6x4xf32>, tensor<6x6xf32>, tensor<6x4xf32>, tensor<6x4xf32>, tensor<6x4xf32>, tensor<?x4xf32>) {
  %t = kiln.transpose %k perm = [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
  %s0 = kiln.matmul %q, %t : (tensor<6x4xf32>, tensor<4x6xf32>) -> tensor<6x6xf32>
  %p0 = kiln.softmax %s0 axis = -1 : tensor<6x6xf32>
  %o0 = kiln.matmul %p0, %v : (tensor<6x6xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  %s1 = kiln.matmul %q, %t : (tensor<6x4xf32>, tensor<4x6xf32>) -> tensor<6x6xf32>
  %p1 = kiln.softmax %s1 axis = 0 : tensor<6x6xf32>
  %o1 = kiln.matmul %p1, %v : (tensor<6x6xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  %s2 = kiln.matmul %q, %t : (tensor<6x4xf32>, tensor<4x6xf32>) -> tensor<6x6xf32>
  %x2 = kiln.mul %s2, %a : (tensor<6x6xf32>, tensor<f32>) -> tensor<6x6xf32>
  %p2 = kiln.softmax %x2 axis = -1 : tensor<6x6xf32>
  %o2 = kiln.matmul %p2, %v : (tensor<6x6xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  %s3 = kiln.matmul %q, %kt : (tensor<6x4xf32>, tensor<4x6xf32>) -> tensor<6x6xf32>
  %p3 = kiln.softmax %s3 axis = -1 : tensor<6x6xf32>
  %o3 = kiln.matmul %p3, %v : (tensor<6x6xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  %s4 = kiln.matmul %qd, %t : (tensor<?x4xf32>, tensor<4x6xf32>) -> tensor<?x6xf32>
  %p4 = kiln.softmax %s4 axis = -1 : tensor<?x6xf32>
  %o4 = kiln.matmul %p4, %v : (tensor<?x6xf32>, tensor<6x4xf32>) -> tensor<?x4xf32>
  return %o0, %p0, %o1, %o2, %o3, %o4 : tensor<6x4xf32>, tensor<6x6xf32>, tensor<6x4xf32>, tensor<6x4xf32>, tensor<6x4xf32>, tensor<?x4xf32>
}
