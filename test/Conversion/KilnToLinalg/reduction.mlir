// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @sum_keepdims
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf32>
//       CHECK:   %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//       CHECK:   %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<4xf32>)
//       CHECK:   %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[X]] : tensor<4x8xf32>) outs(%[[INIT]] : tensor<4xf32>)
//       CHECK:     arith.addf {{.+}} fastmath<reassoc,contract>
//       CHECK:   %[[K:.+]] = tensor.expand_shape %[[SUM]] {{\[\[}}0, 1]] output_shape [4, 1]
//       CHECK:   return %[[K]]
func.func @sum_keepdims(%x: tensor<4x8xf32>) -> tensor<4x1xf32> {
  %0 = kiln.reduce_sum %x axes = [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// mean = sum / count.
// CHECK-LABEL: func.func @mean_all
//   CHECK-DAG:   %[[N:.+]] = arith.constant 3.200000e+01 : f32
//       CHECK:   %[[S:.+]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
//       CHECK:   linalg.generic {{.*}}ins(%[[S]] : tensor<f32>)
//       CHECK:     arith.divf %{{.+}}, %[[N]]
func.func @mean_all(%x: tensor<4x8xf32>) -> tensor<f32> {
  %0 = kiln.reduce_mean %x axes = [] : tensor<4x8xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// max starts at -inf (float) or the smallest integer, min at +inf or the
// largest; prod at 1.
// CHECK-LABEL: func.func @max_min_prod
//   CHECK-DAG:   %[[NINF:.+]] = arith.constant 0xFF800000 : f32
//   CHECK-DAG:   %[[IMAX:.+]] = arith.constant 2147483647 : i32
//   CHECK-DAG:   %[[ONE:.+]] = arith.constant 1 : i64
//       CHECK:   linalg.fill ins(%[[NINF]]
//       CHECK:     arith.maximumf
//       CHECK:   linalg.fill ins(%[[IMAX]]
//       CHECK:     arith.minsi
//       CHECK:   linalg.fill ins(%[[ONE]]
//       CHECK:     arith.muli
func.func @max_min_prod(%x: tensor<4x8xf32>, %y: tensor<4x8xi32>, %z: tensor<4x8xi64>) -> (tensor<8xf32>, tensor<4xi32>, tensor<8xi64>) {
  %0 = kiln.reduce_max %x axes = [0] : tensor<4x8xf32> -> tensor<8xf32>
  %1 = kiln.reduce_min %y axes = [1] : tensor<4x8xi32> -> tensor<4xi32>
  %2 = kiln.reduce_prod %z axes = [0] : tensor<4x8xi64> -> tensor<8xi64>
  return %0, %1, %2 : tensor<8xf32>, tensor<4xi32>, tensor<8xi64>
}

// -----

// argmax carries (value, index); ties keep the earlier index.
// CHECK-LABEL: func.func @argmax
//       CHECK:   %[[R:.+]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
//       CHECK:     %[[I:.+]] = linalg.index 1 : index
//       CHECK:     arith.cmpf ogt
//       CHECK:     arith.cmpf oeq
//       CHECK:     arith.cmpf uno
//       CHECK:     linalg.yield
//       CHECK:   -> (tensor<4xf32>, tensor<4xi64>)
//       CHECK:   tensor.expand_shape %[[R]]#1
func.func @argmax(%x: tensor<4x8xf32>) -> tensor<4x1xi64> {
  %0 = kiln.argmax %x axis = 1 keepdims : tensor<4x8xf32> -> tensor<4x1xi64>
  return %0 : tensor<4x1xi64>
}

// -----

// CHECK-LABEL: func.func @argmin_int
//       CHECK:   %[[IMAX:.+]] = arith.constant 2147483647 : i32
//       CHECK:   linalg.fill ins(%[[IMAX]]
//       CHECK:     arith.cmpi slt
//       CHECK:   -> (tensor<8xi32>, tensor<8xi64>)
func.func @argmin_int(%x: tensor<4x8xi32>) -> tensor<8xi64> {
  %0 = kiln.argmin %x axis = 0 : tensor<4x8xi32> -> tensor<8xi64>
  return %0 : tensor<8xi64>
}

// -----

// 16-bit float sums and products accumulate in f32 and round once at the
// end; max stays in 16 bits (it is exact).
// CHECK-LABEL: func.func @sum_prod_max_f16
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf16>
//       CHECK:   %[[SUM:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<4x8xf16>) outs(%{{.+}} : tensor<4xf32>)
//       CHECK:     %[[W:.+]] = arith.extf %{{.+}} : f16 to f32
//       CHECK:     arith.addf %[[W]], %{{.+}} fastmath<reassoc,contract> : f32
//       CHECK:   linalg.generic {{.+}} ins(%[[SUM]] : tensor<4xf32>) outs(%{{.+}} : tensor<4xf16>)
//       CHECK:     arith.truncf %{{.+}} : f32 to f16
//       CHECK:   %[[PROD:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<4x8xf16>) outs(%{{.+}} : tensor<8xf32>)
//       CHECK:     arith.extf
//       CHECK:     arith.mulf {{.+}} : f32
//       CHECK:   linalg.generic {{.+}} ins(%[[PROD]] : tensor<8xf32>) outs(%{{.+}} : tensor<8xf16>)
//       CHECK:     arith.truncf %{{.+}} : f32 to f16
//       CHECK:   linalg.generic {{.+}} ins(%[[X]] : tensor<4x8xf16>) outs(%{{.+}} : tensor<4xf16>)
//   CHECK-NOT:     arith.extf
//       CHECK:     arith.maximumf {{.+}} : f16
func.func @sum_prod_max_f16(%x: tensor<4x8xf16>) -> (tensor<4xf16>, tensor<8xf16>, tensor<4xf16>) {
  %0 = kiln.reduce_sum %x axes = [1] : tensor<4x8xf16> -> tensor<4xf16>
  %1 = kiln.reduce_prod %x axes = [0] : tensor<4x8xf16> -> tensor<8xf16>
  %2 = kiln.reduce_max %x axes = [1] : tensor<4x8xf16> -> tensor<4xf16>
  return %0, %1, %2 : tensor<4xf16>, tensor<8xf16>, tensor<4xf16>
}

// -----

// A bf16 mean divides the f32 sum by the count in f32, then rounds to
// nearest even on the bits (as eager does), not with arith.truncf.
// CHECK-LABEL: func.func @mean_bf16
//   CHECK-DAG:   %[[N:.+]] = arith.constant 8.000000e+00 : f32
//       CHECK:   %[[S:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<4xf32>)
//       CHECK:     arith.extf %{{.+}} : bf16 to f32
//       CHECK:   linalg.generic {{.+}} ins(%[[S]] : tensor<4xf32>) outs(%{{.+}} : tensor<4xbf16>)
//       CHECK:     arith.divf %{{.+}}, %[[N]] : f32
//   CHECK-NOT:     arith.truncf
//       CHECK:     arith.bitcast %{{.+}} : i16 to bf16
func.func @mean_bf16(%x: tensor<4x8xbf16>) -> tensor<4xbf16> {
  %0 = kiln.reduce_mean %x axes = [1] : tensor<4x8xbf16> -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// cumsum: an scf.for over the axis (backwards for reverse) carrying the
// running sum of the [4] slabs and the result; each step adds a slab and
// writes the sum before the addition (exclusive).
// CHECK-LABEL: func.func @cumsum
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf32>
//       CHECK:   %[[ACC:.+]] = linalg.fill {{.+}} -> tensor<4xf32>
//       CHECK:   %[[R:.+]]:2 = scf.for %[[STEP:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[SUM:.+]] = %[[ACC]], %[[OUT:.+]] = %{{.+}}) -> (tensor<4xf32>, tensor<4x8xf32>)
//       CHECK:     %[[I:.+]] = arith.subi %{{.+}}, %[[STEP]]
//       CHECK:     %[[SLAB:.+]] = tensor.extract_slice %[[X]][0, %[[I]]] [4, 1] [1, 1] : tensor<4x8xf32> to tensor<4xf32>
//       CHECK:     %[[NEW:.+]] = linalg.generic {{.+}} ins(%[[SLAB]], %[[SUM]] : tensor<4xf32>, tensor<4xf32>) outs(%{{.+}} : tensor<4xf32>)
//       CHECK:       arith.addf
//       CHECK:     %[[W:.+]] = tensor.insert_slice %[[SUM]] into %[[OUT]][0, %[[I]]] [4, 1] [1, 1]
//       CHECK:     scf.yield %[[NEW]], %[[W]]
//       CHECK:   return %[[R]]#1
func.func @cumsum(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = kiln.cumsum %x axis = 1 exclusive reverse : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
