// RUN: kiln-opt --kiln-to-linalg-pipeline --split-input-file %s | FileCheck %s
// RUN: kiln-opt --kiln-to-linalg-pipeline="fuse-multi-use=true" --split-input-file %s | FileCheck %s --check-prefix=MULTI
// RUN: kiln-opt --kiln-to-linalg --kiln-fuse-elementwise --split-input-file %s | FileCheck %s --check-prefix=PASS

// W1, relu(a * b + c) * sigmoid(d), becomes a single linalg.generic.
// CHECK-LABEL: func.func @w1
//  CHECK-SAME:     %[[A:[^:]+]]: tensor<1024xf32>, %[[B:[^:]+]]: tensor<1024xf32>, %[[C:[^:]+]]: tensor<1024xf32>, %[[D:[^:]+]]: tensor<1024xf32>
//       CHECK:   %[[R:.+]] = linalg.generic
//  CHECK-SAME:       ins(%[[A]], %[[B]], %[[C]], %[[D]] :
//       CHECK:     arith.mulf
//       CHECK:     arith.addf
//       CHECK:     math.exp
//       CHECK:     arith.maximumf
//       CHECK:     arith.mulf
//   CHECK-NOT:   linalg.generic
//       CHECK:   return %[[R]]
// PASS-LABEL: func.func @w1
//       PASS:   linalg.generic
//   PASS-NOT:   linalg.generic
//       PASS:   return
func.func @w1(%a: tensor<1024xf32>, %b: tensor<1024xf32>, %c: tensor<1024xf32>, %d: tensor<1024xf32>) -> tensor<1024xf32> {
  %0 = kiln.mul %a, %b : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  %1 = kiln.add %0, %c : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  %2 = kiln.relu %1 : tensor<1024xf32>
  %3 = kiln.sigmoid %d : tensor<1024xf32>
  %4 = kiln.mul %2, %3 : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
  return %4 : tensor<1024xf32>
}

// -----

// Broadcast operands fuse too: their maps are composed into the fused op.
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @broadcast_chain
//       CHECK:   linalg.generic {indexing_maps = [#{{.+}}, #[[ROW]], #[[ROW]], #{{.+}}]
//   CHECK-NOT:   linalg.generic
func.func @broadcast_chain(%x: tensor<4x8xf32>, %b: tensor<8xf32>, %s: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = kiln.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = kiln.tanh %0 : tensor<4x8xf32>
  %2 = kiln.mul %1, %s : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// An elementwise producer fuses into the reduction that consumes it.
// CHECK-LABEL: func.func @into_reduction
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
//       CHECK:     math.exp
//       CHECK:     arith.addf
//   CHECK-NOT:   linalg.generic
func.func @into_reduction(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = kiln.exp %x : tensor<4x8xf32>
  %1 = kiln.reduce_sum %0 axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// By default a producer with two users is not fused (it would be computed
// twice); fuse-multi-use fuses it into both.
// CHECK-LABEL: func.func @multi_use
// CHECK-COUNT-3: linalg.generic
//   CHECK-NOT:   linalg.generic
// MULTI-LABEL: func.func @multi_use
// MULTI-COUNT-2: linalg.generic
//   MULTI-NOT:   linalg.generic
func.func @multi_use(%x: tensor<16xf32>, %y: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %e = kiln.exp %x : tensor<16xf32>
  %0 = kiln.add %e, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %1 = kiln.mul %e, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  return %0, %1 : tensor<16xf32>, tensor<16xf32>
}
