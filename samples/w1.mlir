// W1 of docs/design.md, relu(a * b + c) * sigmoid(d): after the Linalg stage it is
// a single fused linalg.generic.
func.func @w1(%a: tensor<16777216xf32>, %b: tensor<16777216xf32>,
              %c: tensor<16777216xf32>, %d: tensor<16777216xf32>) -> tensor<16777216xf32> {
  %0 = kiln.mul %a, %b : (tensor<16777216xf32>, tensor<16777216xf32>) -> tensor<16777216xf32>
  %1 = kiln.add %0, %c : (tensor<16777216xf32>, tensor<16777216xf32>) -> tensor<16777216xf32>
  %2 = kiln.relu %1 : tensor<16777216xf32>
  %3 = kiln.sigmoid %d : tensor<16777216xf32>
  %4 = kiln.mul %2, %3 : (tensor<16777216xf32>, tensor<16777216xf32>) -> tensor<16777216xf32>
  return %4 : tensor<16777216xf32>
}
