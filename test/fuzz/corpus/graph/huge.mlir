func.func @f(%x: tensor<9223372036854775807xbf16>) -> tensor<f32> {
  %0 = kiln.constant dense<1.0> : tensor<f32>
  return %0 : tensor<f32>
}
