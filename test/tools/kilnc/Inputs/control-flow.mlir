// A kiln.while that counts to 10 while doubling x, and a kiln.for that sums
// 0 + 1 + 2 + 3.
func.func @loops(%x: tensor<3xf32>) -> (tensor<i32>, tensor<3xf32>, tensor<i64>) {
  %zero = kiln.constant dense<0> : tensor<i32>
  %one = kiln.constant dense<1> : tensor<i32>
  %ten = kiln.constant dense<10> : tensor<i32>
  %r:2 = kiln.while (%zero, %x : tensor<i32>, tensor<3xf32>) -> (tensor<i32>, tensor<3xf32>) cond {
  ^bb0(%n: tensor<i32>, %v: tensor<3xf32>):
    %c = kiln.lt %n, %ten : (tensor<i32>, tensor<i32>) -> tensor<i1>
    kiln.yield %c : tensor<i1>
  } do {
  ^bb0(%n: tensor<i32>, %v: tensor<3xf32>):
    %m = kiln.add %n, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %w = kiln.add %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    kiln.yield %m, %w : tensor<i32>, tensor<3xf32>
  }
  %lo = kiln.constant dense<0> : tensor<i64>
  %hi = kiln.constant dense<4> : tensor<i64>
  %s = kiln.for %lo to %hi iter_args(%lo : tensor<i64>) -> (tensor<i64>) {
  ^bb0(%i: tensor<i64>, %acc: tensor<i64>):
    %a = kiln.add %acc, %i : (tensor<i64>, tensor<i64>) -> tensor<i64>
    kiln.yield %a : tensor<i64>
  }
  return %r#0, %r#1, %s : tensor<i32>, tensor<3xf32>, tensor<i64>
}
