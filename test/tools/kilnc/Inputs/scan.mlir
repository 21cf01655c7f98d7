// A kiln.scan that sums 1 + 2 + 3 + 4 + 5 and stacks the partial sums, and
// one that stacks the rows of a matrix doubled, with no carry.
func.func @scans(%m: tensor<3x2xf32>) -> (tensor<i64>, tensor<5xi64>, tensor<3x2xf32>) {
  %xs = kiln.constant dense<[1, 2, 3, 4, 5]> : tensor<5xi64>
  %zero = kiln.constant dense<0> : tensor<i64>
  %r:2 = kiln.scan iter_args(%zero : tensor<i64>) over(%xs : tensor<5xi64>) -> (tensor<i64>, tensor<5xi64>) {
  ^bb0(%sum: tensor<i64>, %x: tensor<i64>):
    %s = kiln.add %sum, %x : (tensor<i64>, tensor<i64>) -> tensor<i64>
    kiln.yield %s, %s : tensor<i64>, tensor<i64>
  }
  %d = kiln.scan over(%m : tensor<3x2xf32>) -> (tensor<3x2xf32>) {
  ^bb0(%row: tensor<2xf32>):
    %t = kiln.add %row, %row : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    kiln.yield %t : tensor<2xf32>
  }
  return %r#0, %r#1, %d : tensor<i64>, tensor<5xi64>, tensor<3x2xf32>
}
