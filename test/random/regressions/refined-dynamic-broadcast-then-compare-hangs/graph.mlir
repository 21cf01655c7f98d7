func.func @main(%v14: tensor<8xf32>, %v9: tensor<1xf32>) -> (tensor<8xi1>) {
  %v16 = kiln.broadcast_to %v14 shape = [8] : tensor<8xf32> -> tensor<?xf32>
  %v21 = kiln.ne %v16, %v9 : (tensor<?xf32>, tensor<1xf32>) -> tensor<8xi1>
  %v22 = kiln.reshape %v21 shape = [8] : tensor<8xi1> -> tensor<8xi1>
  return %v22 : tensor<8xi1>
}
