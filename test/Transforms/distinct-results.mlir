// RUN: kiln-opt --pass-pipeline="builtin.module(func.func(kiln-distinct-results))" --split-input-file %s | FileCheck %s
// RUN: kiln-opt --kiln-to-llvm-pipeline %s > /dev/null

// A result repeated in the return gets a copy of its own.
// CHECK-LABEL: func.func @repeated
//       CHECK:   %[[A:.+]] = linalg.generic
//       CHECK:   %[[COPY:.+]] = bufferization.alloc_tensor() copy(%[[A]]) : tensor<4xf32>
//       CHECK:   return %[[A]], %[[COPY]]
func.func @repeated(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %a, %a : tensor<4xf32>, tensor<4xf32>
}

// -----

// A returned empty tensor gets its own allocation: its buffer could otherwise
// hold another result written in place.
// CHECK-LABEL: func.func @returned_empty
//       CHECK:   %[[E:.+]] = tensor.empty() : tensor<0x3xf32>
//       CHECK:   %[[G:.+]] = linalg.generic {{.*}} outs(%[[E]] : tensor<0x3xf32>)
//       CHECK:   %[[NEW:.+]] = bufferization.alloc_tensor() : tensor<0x3xf32>
//       CHECK:   return %[[G]], %[[NEW]]
func.func @returned_empty(%x: tensor<0x3xf32>) -> (tensor<0x3xf32>, tensor<0x3xf32>) {
  %e = tensor.empty() : tensor<0x3xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<0x3xf32>) outs(%e : tensor<0x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<0x3xf32>
  return %g, %e : tensor<0x3xf32>, tensor<0x3xf32>
}

// -----

// Distinct results are left alone.
// CHECK-LABEL: func.func @distinct
//   CHECK-NOT:   alloc_tensor
//       CHECK:   return %arg0, %arg1
func.func @distinct(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %x, %y : tensor<4xf32>, tensor<4xf32>
}
