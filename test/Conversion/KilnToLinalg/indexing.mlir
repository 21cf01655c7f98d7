// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s

// argsort calls the runtime's kernel for its element type: the input as an
// unranked memref of any layout, a fresh buffer (its dynamic size the
// input's) for the result, the normalized axis and the direction.
// CHECK-LABEL: func.func private @kiln_rt_argsort_f32(memref<*xf32>, memref<*xi64>, i64, i32)
// CHECK-LABEL: func.func @argsort
//  CHECK-SAME:     (%[[A:.+]]: tensor<4x?xf32>)
//   CHECK-DAG:   %[[AXIS:.+]] = arith.constant 1 : i64
//   CHECK-DAG:   %[[DESCENDING:.+]] = arith.constant 1 : i32
//       CHECK:   %[[IN:.+]] = bufferization.to_buffer %[[A]] read_only : tensor<4x?xf32> to memref<4x?xf32, strided<[?, ?], offset: ?>>
//       CHECK:   %[[INU:.+]] = memref.cast %[[IN]] : {{.+}} to memref<*xf32>
//       CHECK:   %[[DIM:.+]] = tensor.dim %[[A]]
//       CHECK:   %[[OUT:.+]] = memref.alloc(%[[DIM]]) {alignment = 64 : i64} : memref<4x?xi64>
//       CHECK:   %[[OUTU:.+]] = memref.cast %[[OUT]] : memref<4x?xi64> to memref<*xi64>
//       CHECK:   call @kiln_rt_argsort_f32(%[[INU]], %[[OUTU]], %[[AXIS]], %[[DESCENDING]])
//       CHECK:   %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[R]]
func.func @argsort(%a: tensor<4x?xf32>) -> tensor<4x?xi64> {
  %0 = kiln.argsort %a axis = -1 descending : tensor<4x?xf32> -> tensor<4x?xi64>
  return %0 : tensor<4x?xi64>
}

// -----

// scatter_nd's kernel reads int64 indices (int32 ones are extended first)
// and takes the reduction (3: max) as a kiln::ScatterReduction.
// CHECK-LABEL: func.func private @kiln_rt_scatter_nd_bf16(i32, memref<*xbf16>, memref<*xi64>, memref<*xbf16>, memref<*xbf16>)
// CHECK-LABEL: func.func @scatter
//       CHECK:   %[[MAX:.+]] = arith.constant 3 : i32
//       CHECK:   %[[WIDE:.+]] = linalg.generic
//       CHECK:     arith.extsi %{{.+}} : i32 to i64
//       CHECK:   bufferization.to_buffer %[[WIDE]] read_only
//       CHECK:   %[[OUT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4x3xbf16>
//       CHECK:   call @kiln_rt_scatter_nd_bf16(%[[MAX]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
//       CHECK:   bufferization.to_tensor %[[OUT]] restrict writable
func.func @scatter(%a: tensor<4x3xbf16>, %i: tensor<2x1xi32>, %u: tensor<2x3xbf16>) -> tensor<4x3xbf16> {
  %0 = kiln.scatter_nd %a, %i, %u reduction = "max" : (tensor<4x3xbf16>, tensor<2x1xi32>, tensor<2x3xbf16>) -> tensor<4x3xbf16>
  return %0 : tensor<4x3xbf16>
}

// -----

// random_uniform: the seed's key once, then one all-parallel generic that
// hashes each element's row-major index, scales 53 random bits into
// [low, high) in f64 and rounds through f32 to f16 (as eager mode), with a
// value that rounded up to `high` replaced by `low`.
// CHECK-LABEL: func.func @uniform
//       CHECK:   %[[SEED:.+]] = tensor.extract %{{.+}}[] : tensor<i32>
//       CHECK:   arith.extsi %[[SEED]] : i32 to i64
//       CHECK:   linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]
//   CHECK-NOT:   ins(
//       CHECK:     linalg.index 0
//       CHECK:     linalg.index 1
//       CHECK:     arith.index_cast %{{.+}} : index to i64
//       CHECK:     arith.shrui %{{.+}}, %{{.+}} : i64
//       CHECK:     arith.uitofp %{{.+}} : i64 to f64
//       CHECK:     arith.truncf %{{.+}} : f64 to f32
//       CHECK:     arith.truncf %{{.+}} : f32 to f16
//       CHECK:     arith.cmpf oge
//       CHECK:     arith.select
func.func @uniform(%s: tensor<i32>) -> tensor<2x3xf16> {
  %0 = kiln.random_uniform %s low = 0.0 high = 1.0 : tensor<i32> -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// random_normal: Box-Muller in f64 on the uniforms of the pair (2k, 2k+1),
// the sine for odd elements and the cosine for even ones.
// CHECK-LABEL: func.func @normal
//       CHECK:   linalg.generic
//       CHECK:     math.log %{{.+}} : f64
//       CHECK:     math.sqrt %{{.+}} : f64
//       CHECK:     math.sin %{{.+}} : f64
//       CHECK:     math.cos %{{.+}} : f64
//       CHECK:     arith.select
//       CHECK:     arith.truncf %{{.+}} : f64 to f32
func.func @normal(%s: tensor<i64>) -> tensor<5xf32> {
  %0 = kiln.random_normal %s mean = 0.0 stddev = 2.0 : tensor<i64> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
