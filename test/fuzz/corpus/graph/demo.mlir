// A small graph: a dense layer with a fused activation, written with a few
// redundancies that canonicalization removes.
func.func @dense_gelu(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %y = kiln.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %z = kiln.add %y, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %z1 = kiln.mul %z, %one : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
  %t = kiln.transpose %z1 perm = [1, 0] : tensor<4x16xf32> -> tensor<16x4xf32>
  %tt = kiln.transpose %t perm = [1, 0] : tensor<16x4xf32> -> tensor<4x16xf32>
  %s = kiln.sigmoid %tt : tensor<4x16xf32>
  %r = kiln.mul %tt, %s : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}
