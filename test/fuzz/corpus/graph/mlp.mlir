// A two-layer perceptron with layer normalization and a softmax head: every
// family of kiln ops (elementwise, reduction, matmul, shape, nn) in one graph.
func.func @mlp(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %b1: tensor<32xf32>,
               %w2: tensor<32x10xf32>, %b2: tensor<10xf32>) -> (tensor<8x10xf32>, tensor<8xi64>) {
  %h = kiln.matmul %x, %w1 : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %hb = kiln.add %h, %b1 : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %a = kiln.relu %hb : tensor<8x32xf32>
  %n = kiln.layer_norm %a axes = [-1] epsilon = 1.0e-05 : (tensor<8x32xf32>) -> tensor<8x32xf32>
  %o = kiln.matmul %n, %w2 : (tensor<8x32xf32>, tensor<32x10xf32>) -> tensor<8x10xf32>
  %ob = kiln.add %o, %b2 : (tensor<8x10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %p = kiln.softmax %ob axis = -1 : tensor<8x10xf32>
  %c = kiln.argmax %p axis = 1 : tensor<8x10xf32> -> tensor<8xi64>
  return %p, %c : tensor<8x10xf32>, tensor<8xi64>
}
