// A batch of any size n: y = x @ w + r (n x 2) and s = the sums of x's rows
// (n); x's and r's batch sizes must be equal.
func.func @dense(%x: tensor<?x3xf32>, %w: tensor<3x2xf32>, %r: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?xf32>) {
  %0 = kiln.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = kiln.add %0, %r : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  %2 = kiln.reduce_sum %x axes = [1] : tensor<?x3xf32> -> tensor<?xf32>
  return %1, %2 : tensor<?x2xf32>, tensor<?xf32>
}
