// RUN: kiln-opt %s -canonicalize | FileCheck %s
// CHECK-LABEL: func.func @folded
//  CHECK-NEXT:   return %arg0
func.func @folded(%x: tensor<2xf32>) -> tensor<2xf32> {
  %s = kiln.stop_gradient %x : tensor<2xf32>
  return %s : tensor<2xf32>
}
