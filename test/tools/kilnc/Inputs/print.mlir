// A graph that prints an intermediate value inside a loop and at the end.
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %lo = kiln.constant dense<0> : tensor<i64>
  %hi = kiln.constant dense<2> : tensor<i64>
  %r = kiln.for %lo to %hi iter_args(%x : tensor<3xf32>) -> (tensor<3xf32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<3xf32>):
    %n = kiln.add %c, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    kiln.print %n label "doubled" : tensor<3xf32>
    kiln.yield %n : tensor<3xf32>
  }
  %s = kiln.reduce_max %r axes = [] : tensor<3xf32> -> tensor<f32>
  kiln.print %s label "max" : tensor<f32>
  return %r : tensor<3xf32>
}
