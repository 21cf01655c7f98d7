// RUN: kiln-opt --kiln-to-linalg-pipeline --split-input-file %s | FileCheck %s

// A cast that writes `?` where its input's size is known, then a reshape
// back to a static shape: the cast is lowered at the static type its input
// determines. (Lowered at the written type, fusion's canonicalizations
// undid each other forever.) Its loops may be merged to 5x5 at this stage.
// CHECK-LABEL: func.func @cast_to_dynamic_then_reshape
//       CHECK:   linalg.generic
//  CHECK-SAME:     outs(%{{.+}} : tensor<{{(1x)?}}5x5xf32>)
//       CHECK:   arith.extf
//       CHECK:   return %{{.+}} : tensor<1x5x5xf32>
func.func @cast_to_dynamic_then_reshape(%x: tensor<1x5x5xbf16>) -> tensor<1x5x5xf32> {
  %0 = kiln.cast %x : tensor<1x5x5xbf16> to tensor<1x?x5xf32>
  %1 = kiln.reshape %0 shape = [1, 5, 5] : tensor<1x?x5xf32> -> tensor<1x5x5xf32>
  return %1 : tensor<1x5x5xf32>
}

// -----

// A chain of written `?`s: the broadcast's static type reaches the
// comparison, which is lowered static too (lowered at `?`, fusion's
// canonicalizations undid each other forever).
// CHECK-LABEL: func.func @broadcast_to_dynamic_then_compare
//   CHECK-NOT:   tensor<?x
//   CHECK-NOT:   tensor<?xi1>
//       CHECK:   arith.cmpf une
//       CHECK:   return %{{.+}} : tensor<8xi1>
func.func @broadcast_to_dynamic_then_compare(%x: tensor<8xf32>, %y: tensor<1xf32>) -> tensor<8xi1> {
  %0 = kiln.broadcast_to %x shape = [8] : tensor<8xf32> -> tensor<?xf32>
  %1 = kiln.ne %0, %y : (tensor<?xf32>, tensor<1xf32>) -> tensor<8xi1>
  return %1 : tensor<8xi1>
}
