// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s

// softmax: max, then e = exp(x - max) once, the sum of e, and e / sum
// written over e. The sum may be reassociated (vectorized); the division
// may use the reciprocal.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf32>
//       CHECK:   %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x8xf32>)
//       CHECK:     arith.maximumf
//       CHECK:   %[[E:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]] : tensor<4x8xf32>, tensor<4xf32>)
//       CHECK:     arith.subf
//       CHECK:     math.exp
//       CHECK:   %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<4x8xf32>)
//   CHECK-NOT:     math.exp
//       CHECK:     arith.addf {{.+}} fastmath<reassoc,contract>
//       CHECK:   %[[Y:.+]] = linalg.generic {indexing_maps = [#[[RED]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[SUM]] : tensor<4xf32>) outs(%[[E]] : tensor<4x8xf32>)
//  CHECK-NEXT:   ^bb0(%[[S:.+]]: f32, %[[EV:.+]]: f32):
//   CHECK-NOT:     math.exp
//       CHECK:     arith.divf %[[EV]], %[[S]] fastmath<arcp>
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

// -----

// f16 softmax: the max is exact in f16; e, the sum and the normalization
// are f32, rounded to f16 once at the end (e has another type than the
// result, so the normalization writes a new tensor).
// CHECK-LABEL: func.func @softmax_f16
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf16>
//       CHECK:   %[[MAX:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<4x8xf16>) outs(%{{.+}} : tensor<4xf16>)
//       CHECK:     arith.maximumf {{.+}} : f16
//       CHECK:   %[[E:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[MAX]] : tensor<4x8xf16>, tensor<4xf16>) outs(%{{.+}} : tensor<4x8xf32>)
//       CHECK:     arith.extf
//       CHECK:     arith.extf
//       CHECK:     math.exp {{.+}} : f32
//       CHECK:   %[[SUM:.+]] = linalg.generic {{.+}} ins(%[[E]] : tensor<4x8xf32>) outs(%{{.+}} : tensor<4xf32>)
//       CHECK:   %[[Y:.+]] = linalg.generic {{.+}} ins(%[[E]], %[[SUM]] : tensor<4x8xf32>, tensor<4xf32>) outs(%{{.+}} : tensor<4x8xf16>)
//       CHECK:     arith.divf {{.+}} fastmath<arcp> : f32
//       CHECK:     arith.truncf {{.+}} : f32 to f16
//       CHECK:   return %[[Y]]
func.func @softmax_f16(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %0 = kiln.softmax %x axis = -1 : tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

// bf16 log_softmax: x - max and log(sum) in f32, rounded once.
// CHECK-LABEL: func.func @log_softmax_bf16
//       CHECK:   linalg.generic {{.+}} outs(%{{.+}} : tensor<4xbf16>)
//       CHECK:   %[[SUM:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<4xf32>)
//       CHECK:     math.exp {{.+}} : f32
//       CHECK:   linalg.generic {{.+}} outs(%{{.+}} : tensor<4x8xbf16>)
//       CHECK:     math.log {{.+}} : f32
//       CHECK:     arith.bitcast %{{.+}} : i16 to bf16
func.func @log_softmax_bf16(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %0 = kiln.log_softmax %x axis = -1 : tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// -----

// f16 layer_norm: sums, mean, variance, scale and bias in f32; one rounding.
// CHECK-LABEL: func.func @layer_norm_f16
//   CHECK-DAG:   %[[N:.+]] = arith.constant 8.000000e+00 : f32
//       CHECK:   %[[SUM:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<4xf32>)
//       CHECK:     arith.extf
//       CHECK:   %[[SQ:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<4xf32>)
//       CHECK:     arith.divf %{{.+}}, %[[N]] : f32
//       CHECK:   linalg.generic {{.+}} outs(%{{.+}} : tensor<4x8xf16>)
//       CHECK:     math.rsqrt {{.+}} : f32
//       CHECK:     arith.truncf {{.+}} : f32 to f16
func.func @layer_norm_f16(%x: tensor<4x8xf16>, %s: tensor<8xf16>) -> tensor<4x8xf16> {
  %0 = kiln.layer_norm %x scale %s axes = [-1] epsilon = 1.0e-05 : (tensor<4x8xf16>, tensor<8xf16>) -> tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

// conv: the padded input, its im2col in one all-parallel generic (loops n,
// g, c, ky, kx, oy, ox; the input read at (n, g * C/G + c, oy * 2 + ky,
// ox * 2 + kx * 2)), a matmul with the weight as [M, C*K], the bias added by
// rows.
// CHECK-DAG: #[[IM2COL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 3 + d2, d5 * 2 + d3, d6 * 2 + d4 * 2)>
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1 * 4 + d2)>
// CHECK-LABEL: func.func @conv
//  CHECK-SAME:     %[[X:.+]]: tensor<1x3x9x9xf32>, %[[W:.+]]: tensor<4x3x3x2xf32>, %[[B:.+]]: tensor<4xf32>
//       CHECK:   linalg.fill
//       CHECK:   %[[PADDED:.+]] = tensor.insert_slice {{.+}}[0, 0, 1, 1] [1, 3, 9, 9] [1, 1, 1, 1] : tensor<1x3x9x9xf32> into tensor<1x3x11x11xf32>
//       CHECK:   %[[COL:.+]] = linalg.generic {indexing_maps = [#[[IM2COL]], {{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[PADDED]] : tensor<1x3x11x11xf32>) outs({{.+}} : tensor<1x1x3x3x2x5x5xf32>)
//       CHECK:   tensor.collapse_shape %[[COL]] {{.+}} into tensor<1x18x25xf32>
//       CHECK:   tensor.collapse_shape %[[W]] {{.+}} into tensor<4x18xf32>
//       CHECK:   linalg.matmul ins({{.+}} : tensor<4x18xf32>, tensor<18x25xf32>)
//       CHECK:   linalg.generic {indexing_maps = [{{.+}}, #[[BIAS]], {{.+}}]
//       CHECK:     arith.addf
//       CHECK:   tensor.expand_shape {{.+}} into tensor<1x4x5x5xf32>
func.func @conv(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x2xf32>, %b: tensor<4xf32>) -> tensor<1x4x5x5xf32> {
  %0 = kiln.conv %x, %w bias %b strides = [2, 2] pads_begin = [1, 1] pads_end = [1, 1] dilations = [1, 2] groups = 1 : (tensor<1x3x9x9xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// Depthwise conv: one generic reducing over the taps onto the bias.
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, 0, d4, d5)>
// CHECK-LABEL: func.func @depthwise
//       CHECK:   linalg.generic {indexing_maps = [#[[X]], #[[W]], {{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
//       CHECK:     arith.mulf
//       CHECK:     arith.addf
//   CHECK-NOT:   linalg.matmul
func.func @depthwise(%x: tensor<2x5x6x6xf32>, %w: tensor<5x1x3x3xf32>, %b: tensor<5xf32>) -> tensor<2x5x4x4xf32> {
  %0 = kiln.conv %x, %w bias %b strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 5 : (tensor<2x5x6x6xf32>, tensor<5x1x3x3xf32>, tensor<5xf32>) -> tensor<2x5x4x4xf32>
  return %0 : tensor<2x5x4x4xf32>
}
