// A concat along an inner axis whose operand is also a result: the copy of
// `%e` into the strided second half of `%c` needs no runtime library.
func.func @concat_other_users(%a: tensor<2x3xf32>) -> (tensor<2x6xf32>, tensor<2x3xf32>) {
  %e = kiln.exp %a : tensor<2x3xf32>
  %c = kiln.concat %a, %e axis = 1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %c, %e : tensor<2x6xf32>, tensor<2x3xf32>
}
