func.func @main(%a0: tensor<5x0xi64>, %a3: tensor<5x0xi32>, %c17: tensor<i1>) -> (tensor<5x0xi1>) {
  %v4 = kiln.le %a0, %a3 : (tensor<5x0xi64>, tensor<5x0xi32>) -> tensor<?x0xi1>
  %v18 = kiln.and %v4, %c17 : (tensor<?x0xi1>, tensor<i1>) -> tensor<5x0xi1>
  %v25 = kiln.reshape %v18 shape = [5, 0] : tensor<5x0xi1> -> tensor<5x0xi1>
  return %v25 : tensor<5x0xi1>
}
