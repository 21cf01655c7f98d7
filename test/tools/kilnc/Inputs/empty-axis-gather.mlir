// Gathers two indices from an empty axis: every index is out of range, and
// the lowering refuses it.
func.func @main(%x: tensor<7x0xf32>, %i: tensor<2xi64>) -> tensor<7x2xf32> {
  // The op at line 5.
  %0 = kiln.gather %x, %i axis = -1 : (tensor<7x0xf32>, tensor<2xi64>) -> tensor<7x2xf32>
  return %0 : tensor<7x2xf32>
}
