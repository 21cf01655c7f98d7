// RUN: not kiln-opt --kiln-fuse-elementwise %s 2>&1 | FileCheck %s

// Upstream's canonicalizations of tensor.cast, tensor.dim and tensor.empty
// around a generic of dynamic shape whose operand is a cast of a static
// tensor undo each other forever. Fusion stops with an error after 100
// rewrites per op instead of hanging. (Kiln's lowering no longer emits this
// IR: ops are lowered at the types their operands determine.)
// CHECK: error: elementwise fusion did not converge within {{[0-9]+}} rewrites

#map = affine_map<(d0) -> (d0)>
#map1 = affine_map<(d0) -> (0)>
func.func @ping_pong(%arg0: tensor<8xf32>, %arg1: tensor<1xf32>) -> tensor<8xi1> {
  %c0 = arith.constant 0 : index
  %0 = tensor.empty() : tensor<8xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%arg0 : tensor<8xf32>) outs(%0 : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8xf32>
  %cast = tensor.cast %1 : tensor<8xf32> to tensor<?xf32>
  %dim = tensor.dim %cast, %c0 : tensor<?xf32>
  %2 = tensor.empty(%dim) : tensor<?xi1>
  %3 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel"]} ins(%cast, %arg1 : tensor<?xf32>, tensor<1xf32>) outs(%2 : tensor<?xi1>) {
  ^bb0(%in: f32, %in_1: f32, %out: i1):
    %4 = arith.cmpf une, %in, %in_1 : f32
    linalg.yield %4 : i1
  } -> tensor<?xi1>
  %cast_0 = tensor.cast %3 : tensor<?xi1> to tensor<8xi1>
  return %cast_0 : tensor<8xi1>
}
