func.func @main(%v6: tensor<1x5x5xbf16>) -> (tensor<1x5x5xf32>) {
  %v7 = kiln.cast %v6 : tensor<1x5x5xbf16> to tensor<1x?x5xf32>
  %v24 = kiln.reshape %v7 shape = [1, 5, 5] : tensor<1x?x5xf32> -> tensor<1x5x5xf32>
  return %v24 : tensor<1x5x5xf32>
}
