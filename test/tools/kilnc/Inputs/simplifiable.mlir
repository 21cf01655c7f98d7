// A graph the Kiln stage simplifies: a multiply by 1, a transpose undone by
// another, three equal constants.
func.func @simplify(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %c1 = kiln.constant dense<2.0> : tensor<f32>
  %c2 = kiln.constant dense<2.0> : tensor<f32>
  %c3 = kiln.constant dense<2.0> : tensor<f32>
  %m = kiln.mul %x, %one : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %t = kiln.transpose %m perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %u = kiln.transpose %t perm = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  %a = kiln.add %u, %c1 : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %b = kiln.mul %a, %c2 : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %c = kiln.sub %b, %c3 : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}
