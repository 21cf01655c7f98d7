// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s

// softmax: max, then sum(exp(x - max)), then exp(x - max) / sum. The sum may
// be reassociated (vectorized); the division may use the reciprocal.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf32>
//       CHECK:   %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x8xf32>)
//       CHECK:     arith.maximumf
//       CHECK:   %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]], #[[RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MAX]] : tensor<4x8xf32>, tensor<4xf32>)
//       CHECK:     arith.subf
//       CHECK:     math.exp
//       CHECK:     arith.addf {{.+}} fastmath<reassoc,contract>
//       CHECK:   %[[Y:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]], #[[RED]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]], %[[SUM]] :
//       CHECK:     arith.subf
//       CHECK:     math.exp
//       CHECK:     arith.divf {{.+}} fastmath<arcp>
//       CHECK:   return %[[Y]]
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = kiln.softmax %x axis = -1 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-DAG: #[[COLS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @log_softmax_axis0
//       CHECK:   linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
//       CHECK:   linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
//       CHECK:   linalg.generic {indexing_maps = [#{{.+}}, #[[COLS]], #[[COLS]], #{{.+}}]
//       CHECK:     %[[S:.+]] = arith.subf
//       CHECK:     %[[L:.+]] = math.log
//       CHECK:     arith.subf %[[S]], %[[L]]
func.func @log_softmax_axis0(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = kiln.log_softmax %x axis = 0 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// layer_norm: sum, then the sum of squared deviations, then one generic
// that normalizes and applies scale and bias through broadcasting maps.
// CHECK-DAG: #[[PARAM:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf32>, %[[S:.+]]: tensor<8xf32>, %[[B:.+]]: tensor<8xf32>
//   CHECK-DAG:   %[[N:.+]] = arith.constant 8.000000e+00 : f32
//   CHECK-DAG:   %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
//       CHECK:   %[[SUM:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
//       CHECK:     arith.addf {{.+}} fastmath<reassoc,contract>
//       CHECK:   %[[SQ:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[SUM]] :
//       CHECK:     arith.divf %{{.+}}, %[[N]]
//       CHECK:     arith.mulf {{.+}} fastmath<contract>
//       CHECK:     arith.addf {{.+}} fastmath<reassoc,contract>
//       CHECK:   linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #[[PARAM]], #[[PARAM]], #{{.+}}], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[SUM]], %[[SQ]], %[[S]], %[[B]] :
//       CHECK:     arith.addf %{{.+}}, %[[EPS]]
//       CHECK:     math.rsqrt
func.func @layer_norm(%x: tensor<4x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = kiln.layer_norm %x scale %s bias %b axes = [-1] epsilon = 1.0e-05 : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
