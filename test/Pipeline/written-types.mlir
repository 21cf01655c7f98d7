// RUN: kiln-opt --kiln-to-linalg-pipeline --split-input-file %s | FileCheck %s

// A cast that writes `?` where its input's size is known, then a reshape
// back to a static shape: the cast is lowered at the static type its input
// determines. (Lowered at the written type, fusion's canonicalizations
// undid each other forever.)
// CHECK-LABEL: func.func @cast_to_dynamic_then_reshape
//       CHECK:   linalg.generic
//  CHECK-SAME:     outs(%{{.+}} : tensor<1x5x5xf32>)
//       CHECK:   arith.extf
//       CHECK:   return %{{.+}} : tensor<1x5x5xf32>
func.func @cast_to_dynamic_then_reshape(%x: tensor<1x5x5xbf16>) -> tensor<1x5x5xf32> {
  %0 = kiln.cast %x : tensor<1x5x5xbf16> to tensor<1x?x5xf32>
  %1 = kiln.reshape %0 shape = [1, 5, 5] : tensor<1x?x5xf32> -> tensor<1x5x5xf32>
  return %1 : tensor<1x5x5xf32>
}
