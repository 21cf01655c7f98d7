// log of the negative random inputs makes NaN in the middle of a chain that
// fuses into one kernel.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = kiln.mul %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %l = kiln.log %x : tensor<4xf32>
  %e = kiln.add %l, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %e : tensor<4xf32>
}
