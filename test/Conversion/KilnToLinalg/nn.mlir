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

// conv: a call of the runtime's implicit GEMM with the input, the weight
// collapsed to [M, C/G * K], the bias, a fresh buffer for the result and the
// attributes [groups, strides, pads_begin, dilations, kernel, relu, packed],
// and an empty residual.
// CHECK-LABEL: func.func @conv
//  CHECK-SAME:     %[[X:.+]]: tensor<1x3x9x9xf32>, %[[W:.+]]: tensor<4x3x3x2xf32>, %[[B:.+]]: tensor<4xf32>
//   CHECK-DAG:   %[[PARAMS:.+]] = arith.constant dense<[1, 2, 2, 1, 1, 1, 2, 3, 2, 0, 0]> : tensor<11xi64>
//   CHECK-DAG:   %[[W2:.+]] = tensor.collapse_shape %[[W]] {{\[}}[0], [1, 2, 3]] : tensor<4x3x3x2xf32> into tensor<4x18xf32>
//       CHECK:   %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only
//       CHECK:   %[[XU:.+]] = memref.cast %[[XB]] {{.+}} to memref<*xf32>
//       CHECK:   %[[WB:.+]] = bufferization.to_buffer %[[W2]] read_only
//       CHECK:   %[[WU:.+]] = memref.cast %[[WB]] {{.+}} to memref<*xf32>
//       CHECK:   %[[BB:.+]] = bufferization.to_buffer %[[B]] read_only
//       CHECK:   %[[BU:.+]] = memref.cast %[[BB]] {{.+}} to memref<*xf32>
//       CHECK:   %[[PB:.+]] = bufferization.to_buffer %[[PARAMS]] read_only
//       CHECK:   %[[PU:.+]] = memref.cast %[[PB]] {{.+}} to memref<*xi64>
//       CHECK:   %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1x4x5x5xf32>
//       CHECK:   %[[OU:.+]] = memref.cast %[[OUT]] : memref<1x4x5x5xf32> to memref<*xf32>
//       CHECK:   call @kiln_rt_conv_f32(%[[XU]], %[[WU]], %[[BU]], %[[OU]], %[[PU]], %{{.+}})
//       CHECK:   %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[R]]
//   CHECK-NOT:   linalg.matmul
func.func @conv(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x2xf32>, %b: tensor<4xf32>) -> tensor<1x4x5x5xf32> {
  %0 = kiln.conv %x, %w bias %b strides = [2, 2] pads_begin = [1, 1] pads_end = [1, 1] dilations = [1, 2] groups = 1 : (tensor<1x3x9x9xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// Without a bias, the kernel gets an empty one; grouped, [M, C/G * K].
// CHECK-LABEL: func.func @conv_grouped_without_bias
//   CHECK-DAG:   arith.constant dense<[2, 1, 1, 0, 0, 1, 1, 3, 3, 0, 0]> : tensor<11xi64>
//   CHECK-DAG:   arith.constant dense<> : tensor<0xf64>
//   CHECK-DAG:   tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<6x2x3x3xf64> into tensor<6x18xf64>
//       CHECK:   call @kiln_rt_conv_f64(
func.func @conv_grouped_without_bias(%x: tensor<2x4x6x6xf64>, %w: tensor<6x2x3x3xf64>) -> tensor<2x6x4x4xf64> {
  %0 = kiln.conv %x, %w strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 2 : (tensor<2x4x6x6xf64>, tensor<6x2x3x3xf64>) -> tensor<2x6x4x4xf64>
  return %0 : tensor<2x6x4x4xf64>
}

// -----

// relu(conv + residual): the add and the relu are the kernel's epilogue
// (relu = 1 in the attributes, the residual after them), one call in place of
// three ops.
// CHECK-LABEL: func.func @conv_add_relu
//  CHECK-SAME:     %[[X:.+]]: tensor<1x8x6x6xf32>, %[[W:.+]]: tensor<8x8x3x3xf32>, %[[R:.+]]: tensor<1x8x6x6xf32>
//   CHECK-DAG:   %[[PARAMS:.+]] = arith.constant dense<[1, 1, 1, 1, 1, 1, 1, 3, 3, 1, 0]> : tensor<11xi64>
//       CHECK:   %[[RB:.+]] = bufferization.to_buffer %[[R]] read_only
//       CHECK:   %[[RU:.+]] = memref.cast %[[RB]] {{.+}} to memref<*xf32>
//       CHECK:   call @kiln_rt_conv_f32(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[RU]])
//   CHECK-NOT:   linalg.generic
//       CHECK:   return
func.func @conv_add_relu(%x: tensor<1x8x6x6xf32>, %w: tensor<8x8x3x3xf32>, %r: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %0 = kiln.conv %x, %w strides = [1, 1] pads_begin = [1, 1] pads_end = [1, 1] dilations = [1, 1] groups = 1 : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %1 = kiln.add %r, %0 : (tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  %2 = kiln.relu %1 : tensor<1x8x6x6xf32>
  return %2 : tensor<1x8x6x6xf32>
}

// -----

// Not fused: the conv's result has a second user; an add that broadcasts.
// CHECK-LABEL: func.func @conv_not_fused
//   CHECK-DAG:   arith.constant dense<[1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0]> : tensor<11xi64>
//   CHECK-DAG:   arith.constant dense<[1, 1, 1, 0, 0, 2, 2, 1, 1, 0, 0]> : tensor<11xi64>
//       CHECK:   call @kiln_rt_conv_f32(
//       CHECK:   linalg.generic
//       CHECK:     arith.maximumf
//       CHECK:   linalg.generic
//       CHECK:     arith.addf
//       CHECK:   call @kiln_rt_conv_f32(
//       CHECK:   linalg.generic
//       CHECK:     arith.addf
func.func @conv_not_fused(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>, %b: tensor<5xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>) {
  %0 = kiln.conv %x, %w strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %1 = kiln.relu %0 : tensor<1x4x5x5xf32>
  %2 = kiln.add %0, %x : (tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %3 = kiln.conv %x, %w strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [2, 2] groups = 1 : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %4 = kiln.add %3, %b : (tensor<1x4x5x5xf32>, tensor<5xf32>) -> tensor<1x4x5x5xf32>
  return %1, %2, %4 : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>
}

// -----

// Depthwise conv: the runtime's kernel too (groups = 5 channels).
// CHECK-LABEL: func.func @depthwise
//       CHECK:   arith.constant dense<[5, 1, 1, 0, 0, 1, 1, 3, 3, 0, 0]> : tensor<11xi64>
//       CHECK:   tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<5x1x3x3xf32> into tensor<5x9xf32>
//       CHECK:   call @kiln_rt_conv_f32(
//   CHECK-NOT:   linalg.generic
func.func @depthwise(%x: tensor<2x5x6x6xf32>, %w: tensor<5x1x3x3xf32>, %b: tensor<5xf32>) -> tensor<2x5x4x4xf32> {
  %0 = kiln.conv %x, %w bias %b strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 5 : (tensor<2x5x6x6xf32>, tensor<5x1x3x3xf32>, tensor<5xf32>) -> tensor<2x5x4x4xf32>
  return %0 : tensor<2x5x4x4xf32>
}

// -----

// A constant weight of a conv of one group whose output channels fill panels
// of 32 floats is packed at compile time (packConvWeights): the panel's 32
// channels' weights of each input channel and tap in a row, flattened;
// packed = 1 in the attributes. Weights w[m][0][0][t] = 2m + t.
// CHECK-LABEL: func.func @conv_packed_weights
//   CHECK-DAG:   arith.constant dense<[1, 1, 1, 0, 0, 1, 1, 1, 2, 0, 1]> : tensor<11xi64>
//   CHECK-DAG:   arith.constant dense<[0.000000e+00, 2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00, 1.000000e+01, 1.200000e+01, 1.400000e+01, 1.600000e+01, 1.800000e+01, 2.000000e+01, 2.200000e+01, 2.400000e+01, 2.600000e+01, 2.800000e+01, 3.000000e+01, 3.200000e+01, 3.400000e+01, 3.600000e+01, 3.800000e+01, 4.000000e+01, 4.200000e+01, 4.400000e+01, 4.600000e+01, 4.800000e+01, 5.000000e+01, 5.200000e+01, 5.400000e+01, 5.600000e+01, 5.800000e+01, 6.000000e+01, 6.200000e+01, 1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00, 9.000000e+00, 1.100000e+01, 1.300000e+01, 1.500000e+01, 1.700000e+01, 1.900000e+01, 2.100000e+01, 2.300000e+01, 2.500000e+01, 2.700000e+01, 2.900000e+01, 3.100000e+01, 3.300000e+01, 3.500000e+01, 3.700000e+01, 3.900000e+01, 4.100000e+01, 4.300000e+01, 4.500000e+01, 4.700000e+01, 4.900000e+01, 5.100000e+01, 5.300000e+01, 5.500000e+01, 5.700000e+01, 5.900000e+01, 6.100000e+01, 6.300000e+01]> : tensor<64xf32>
//   CHECK-NOT:   tensor.collapse_shape
//       CHECK:   call @kiln_rt_conv_f32(
func.func @conv_packed_weights(%x: tensor<1x1x4x4xf32>) -> tensor<1x32x4x3xf32> {
  %w = kiln.constant dense<[
    [[[0.0, 1.0]]],
    [[[2.0, 3.0]]],
    [[[4.0, 5.0]]],
    [[[6.0, 7.0]]],
    [[[8.0, 9.0]]],
    [[[10.0, 11.0]]],
    [[[12.0, 13.0]]],
    [[[14.0, 15.0]]],
    [[[16.0, 17.0]]],
    [[[18.0, 19.0]]],
    [[[20.0, 21.0]]],
    [[[22.0, 23.0]]],
    [[[24.0, 25.0]]],
    [[[26.0, 27.0]]],
    [[[28.0, 29.0]]],
    [[[30.0, 31.0]]],
    [[[32.0, 33.0]]],
    [[[34.0, 35.0]]],
    [[[36.0, 37.0]]],
    [[[38.0, 39.0]]],
    [[[40.0, 41.0]]],
    [[[42.0, 43.0]]],
    [[[44.0, 45.0]]],
    [[[46.0, 47.0]]],
    [[[48.0, 49.0]]],
    [[[50.0, 51.0]]],
    [[[52.0, 53.0]]],
    [[[54.0, 55.0]]],
    [[[56.0, 57.0]]],
    [[[58.0, 59.0]]],
    [[[60.0, 61.0]]],
    [[[62.0, 63.0]]]]> : tensor<32x1x1x2xf32>
  %0 = kiln.conv %x, %w strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x1x4x4xf32>, tensor<32x1x1x2xf32>) -> tensor<1x32x4x3xf32>
  return %0 : tensor<1x32x4x3xf32>
}

// -----

// Not packed: 24 output channels do not fill a panel, or the weight is an
// argument.
// CHECK-LABEL: func.func @conv_not_packed
//   CHECK-DAG:   arith.constant dense<[1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0]> : tensor<11xi64>
//       CHECK:   tensor.collapse_shape
//       CHECK:   call @kiln_rt_conv_f32(
//       CHECK:   tensor.collapse_shape
//       CHECK:   call @kiln_rt_conv_f32(
func.func @conv_not_packed(%x: tensor<1x1x4x4xf32>, %w: tensor<32x1x1x1xf32>) -> (tensor<1x24x4x4xf32>, tensor<1x32x4x4xf32>) {
  %c = kiln.constant dense<1.0> : tensor<24x1x1x1xf32>
  %0 = kiln.conv %x, %c strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x1x4x4xf32>, tensor<24x1x1x1xf32>) -> tensor<1x24x4x4xf32>
  %1 = kiln.conv %x, %w strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x1x4x4xf32>, tensor<32x1x1x1xf32>) -> tensor<1x32x4x4xf32>
  return %0, %1 : tensor<1x24x4x4xf32>, tensor<1x32x4x4xf32>
}
