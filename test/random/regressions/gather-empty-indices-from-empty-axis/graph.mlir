func.func @main(%v10: tensor<1x0xi64>, %v4: tensor<7x0xf32>) -> (tensor<7x1x0xf32>) {
  %v11 = kiln.gather %v4, %v10 axis = -1 : (tensor<7x0xf32>, tensor<1x0xi64>) -> tensor<7x1x0xf32>
  return %v11 : tensor<7x1x0xf32>
}
