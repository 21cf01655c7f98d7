// RUN: kiln-opt --kiln-fuse-elementwise --split-input-file %s | FileCheck %s

// A producer that reads its own output (softmax's in-place normalization)
// is not fused into a consumer that broadcasts it: the fused op would carry
// the output across the consumer's extra loop and apply the update once per
// row.

#scalar = affine_map<(d0) -> ()>
#id1 = affine_map<(d0) -> (d0)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func @in_place_into_broadcast
// CHECK: %[[N:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<3xf32>)
// CHECK: arith.divf
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[N]], %{{.+}} : tensor<3xf32>, tensor<2x3xf32>)
func.func @in_place_into_broadcast(%e: tensor<3xf32>, %s: tensor<f32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %n = linalg.generic {indexing_maps = [#scalar, #id1], iterator_types = ["parallel"]}
      ins(%s : tensor<f32>) outs(%e : tensor<3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %o, %a : f32
    linalg.yield %d : f32
  } -> tensor<3xf32>
  %init = tensor.empty() : tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [#row, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%n, %y : tensor<3xf32>, tensor<2x3xf32>) outs(%init : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %x = arith.addf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// The same producer fuses into a consumer that visits each of its points
// once.

#scalar = affine_map<(d0) -> ()>
#id1 = affine_map<(d0) -> (d0)>

// CHECK-LABEL: func @in_place_into_elementwise
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
func.func @in_place_into_elementwise(%e: tensor<3xf32>, %s: tensor<f32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %n = linalg.generic {indexing_maps = [#scalar, #id1], iterator_types = ["parallel"]}
      ins(%s : tensor<f32>) outs(%e : tensor<3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %o, %a : f32
    linalg.yield %d : f32
  } -> tensor<3xf32>
  %init = tensor.empty() : tensor<3xf32>
  %r = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%n, %y : tensor<3xf32>, tensor<3xf32>) outs(%init : tensor<3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %x = arith.addf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

// A reduction over no loops (a rank-0 sum) reads its accumulator: it is not
// fused into the broadcasting consumer.

#none = affine_map<() -> ()>
#scalar = affine_map<(d0) -> ()>
#id1 = affine_map<(d0) -> (d0)>

// CHECK-LABEL: func @rank0_sum_into_broadcast
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = []
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel"]
func.func @rank0_sum_into_broadcast(%x: tensor<f32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %acc0 = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%acc0 : tensor<f32>) -> tensor<f32>
  %p = linalg.generic {indexing_maps = [#none, #none], iterator_types = []}
      ins(%x : tensor<f32>) outs(%acc : tensor<f32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %init = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#id1, #scalar, #id1], iterator_types = ["parallel"]}
      ins(%y, %p : tensor<4xf32>, tensor<f32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
