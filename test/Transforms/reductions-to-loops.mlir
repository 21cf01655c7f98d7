// RUN: kiln-opt --pass-pipeline="builtin.module(func.func(kiln-reductions-to-loops))" --split-input-file %s | FileCheck %s
// RUN: kiln-opt --pass-pipeline="builtin.module(func.func(kiln-reductions-to-loops{parallel=false}))" --split-input-file %s | FileCheck %s --check-prefix=SEQ

// A row sum: the accumulator is loaded once per row, carried through the
// reduction loop in a register, and stored once.
// CHECK-LABEL: func.func @row_sum
//  CHECK-SAME:     %[[X:.+]]: memref<4x8xf32>, %[[OUT:.+]]: memref<4xf32>
//       CHECK:   scf.parallel (%[[I:.+]]) =
//       CHECK:     %[[INIT:.+]] = memref.load %[[OUT]][%[[I]]]
//       CHECK:     %[[SUM:.+]] = scf.for %[[J:.+]] = {{.+}} iter_args(%[[ACC:.+]] = %[[INIT]]) -> (f32)
//       CHECK:       %[[V:.+]] = memref.load %[[X]][%[[I]], %[[J]]]
//       CHECK:       %[[NEW:.+]] = arith.addf %[[V]], %[[ACC]] fastmath<reassoc,contract> : f32
//       CHECK:       scf.yield %[[NEW]]
//       CHECK:     memref.store %[[SUM]], %[[OUT]][%[[I]]]
//   CHECK-NOT:   linalg.generic
// SEQ-LABEL: func.func @row_sum
//   SEQ-NOT:   scf.parallel
//       SEQ:   scf.for
//       SEQ:     scf.for {{.+}} iter_args
func.func @row_sum(%x: memref<4x8xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %0 = arith.addf %a, %acc fastmath<reassoc,contract> : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A full reduction has no parallel loop; linalg.index becomes the induction
// variable; a broadcast operand is read at its own indices.
// CHECK-LABEL: func.func @argmax_all
//  CHECK-SAME:     %[[X:.+]]: memref<8xf32>, %[[S:.+]]: memref<f32>, %[[V:.+]]: memref<f32>, %[[IDX:.+]]: memref<i64>
//   CHECK-NOT:   scf.parallel
//   CHECK-DAG:   %[[V0:.+]] = memref.load %[[V]][]
//   CHECK-DAG:   %[[I0:.+]] = memref.load %[[IDX]][]
//       CHECK:   %[[R:.+]]:2 = scf.for %[[J:.+]] = {{.+}} iter_args(%{{.+}} = %[[V0]], %{{.+}} = %[[I0]]) -> (f32, i64)
//       CHECK:     memref.load %[[X]][%[[J]]]
//       CHECK:     memref.load %[[S]][]
//       CHECK:     arith.index_cast %[[J]] : index to i64
//   CHECK-DAG:   memref.store %[[R]]#0, %[[V]][]
//   CHECK-DAG:   memref.store %[[R]]#1, %[[IDX]][]
func.func @argmax_all(%x: memref<8xf32>, %s: memref<f32>, %v: memref<f32>, %idx: memref<i64>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> ()>, affine_map<(d0) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%x, %s : memref<8xf32>, memref<f32>) outs(%v, %idx : memref<f32>, memref<i64>) {
  ^bb0(%a: f32, %shift: f32, %best: f32, %bestIndex: i64):
    %i = linalg.index 0 : index
    %i64 = arith.index_cast %i : index to i64
    %b = arith.subf %a, %shift : f32
    %gt = arith.cmpf ogt, %b, %best : f32
    %nv = arith.select %gt, %b, %best : f32
    %ni = arith.select %gt, %i64, %bestIndex : i64
    linalg.yield %nv, %ni : f32, i64
  }
  return
}

// -----

// A reduction over the outer loop (a column sum) keeps upstream's lowering,
// whose inner loop runs along the rows in memory order.
// CHECK-LABEL: func.func @column_sum
//       CHECK:   linalg.generic
func.func @column_sum(%x: memref<4x8xf32>, %out: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %0 = arith.addf %a, %acc : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// Generics on tensors are left alone.
// CHECK-LABEL: func.func @on_tensors
//       CHECK:   linalg.generic
func.func @on_tensors(%x: tensor<4x8xf32>, %out: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%out : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %1 = arith.addf %a, %acc : f32
    linalg.yield %1 : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A float sum longer than a block (`sum-block`, 16384 by default) sums each
// block of the innermost loop from -0.0 and adds the block's sum to the
// accumulator, so that its rounding error stays that of eager mode's
// chunked sums.
// CHECK-LABEL: func.func @long_sum
//  CHECK-SAME:     %[[X:.+]]: memref<40000xf32>, %[[OUT:.+]]: memref<f32>
//   CHECK-DAG:   %[[BLOCK:.+]] = arith.constant 16384 : index
//   CHECK-DAG:   %[[N:.+]] = arith.constant 40000 : index
//   CHECK-DAG:   %[[NEGZERO:.+]] = arith.constant -0.000000e+00 : f32
//       CHECK:   %[[INIT:.+]] = memref.load %[[OUT]][]
//       CHECK:   %[[SUM:.+]] = scf.for %[[B:.+]] = %{{.+}} to %[[N]] step %[[BLOCK]] iter_args(%[[ACC:.+]] = %[[INIT]]) -> (f32)
//       CHECK:     %[[END:.+]] = arith.minsi
//       CHECK:     %[[PART:.+]] = scf.for %[[J:.+]] = %[[B]] to %[[END]] {{.+}} iter_args(%[[P:.+]] = %[[NEGZERO]]) -> (f32)
//       CHECK:       %[[V:.+]] = memref.load %[[X]][%[[J]]]
//       CHECK:       arith.addf %[[V]], %[[P]] fastmath<reassoc> : f32
//       CHECK:     %[[NEXT:.+]] = arith.addf %[[ACC]], %[[PART]] fastmath<reassoc> : f32
//       CHECK:     scf.yield %[[NEXT]]
//       CHECK:   memref.store %[[SUM]], %[[OUT]][]
func.func @long_sum(%x: memref<40000xf32>, %out: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%x : memref<40000xf32>) outs(%out : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %0 = arith.addf %a, %acc fastmath<reassoc> : f32
    linalg.yield %0 : f32
  }
  return
}
