// RUN: kiln-opt %s --kiln-differentiate -split-input-file -verify-diagnostics | FileCheck %s
// RUN: kiln-opt %s --kiln-differentiate="function=scaled wrt=1" -split-input-file | FileCheck %s --check-prefix=WRT

// Each function also returns the gradient of its first result with respect
// to every float argument; the gradient's ops follow the forward ops in the
// same function, and use its values (tanh's result).
// CHECK-LABEL: func.func @tanh_dot
//  CHECK-SAME: -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
//       CHECK:   %[[M:.+]] = kiln.mul %arg0, %arg1
//       CHECK:   %[[T:.+]] = kiln.tanh %[[M]]
//       CHECK:   %[[S:.+]] = kiln.reduce_sum %[[T]]
//       CHECK:   kiln.mul %[[T]], %[[T]]
//       CHECK:   %[[DX:.+]] = kiln.mul %{{.+}}, %arg1
//       CHECK:   %[[DW:.+]] = kiln.mul %{{.+}}, %arg0
//       CHECK:   return %[[S]], %[[DX]], %[[DW]]
func.func @tanh_dot(%x: tensor<3xf32>, %w: tensor<3xf32>) -> tensor<f32> {
  %m = kiln.mul %x, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %t = kiln.tanh %m : tensor<3xf32>
  %s = kiln.reduce_sum %t axes = [] : tensor<3xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// Integer arguments get no gradient; with wrt, only the listed ones do.
// CHECK-LABEL: func.func @scaled
//  CHECK-SAME: -> (tensor<2xf64>, tensor<2xf64>, tensor<2xf64>)
// WRT-LABEL: func.func @scaled
//  WRT-SAME: -> (tensor<2xf64>, tensor<2xf64>)
func.func @scaled(%x: tensor<2xf64>, %y: tensor<2xf64>, %n: tensor<i64>) -> tensor<2xf64> {
  %c = kiln.cast %n : tensor<i64> to tensor<f64>
  %a = kiln.mul %x, %c : (tensor<2xf64>, tensor<f64>) -> tensor<2xf64>
  %b = kiln.add %a, %y : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  return %b : tensor<2xf64>
}

// -----

// A control-flow op on the path from an argument to the result is an error
// naming it and its location.
// expected-error @+1 {{gradient: 'kiln.for' at}}
func.func @looped(%x: tensor<f32>) -> tensor<f32> {
  %lo = kiln.constant dense<0> : tensor<i64>
  %hi = kiln.constant dense<3> : tensor<i64>
  %r = kiln.for %lo to %hi iter_args(%x : tensor<f32>) -> (tensor<f32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<f32>):
    %n = kiln.add %c, %c : (tensor<f32>, tensor<f32>) -> tensor<f32>
    kiln.yield %n : tensor<f32>
  }
  return %r : tensor<f32>
}

// -----

// No gradient flows through kiln.stop_gradient: d/dx (stop(x) * x) is
// stop(x). Canonicalization then folds the barrier away.
// CHECK-LABEL: func.func @stopped
//       CHECK:   %[[S:.+]] = kiln.stop_gradient %arg0
//       CHECK:   %[[G:.+]] = kiln.mul %{{.+}}, %[[S]]
//       CHECK:   return %{{.+}}, %[[G]]
func.func @stopped(%x: tensor<2xf32>) -> tensor<f32> {
  %s = kiln.stop_gradient %x : tensor<2xf32>
  %m = kiln.mul %s, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %r = kiln.reduce_sum %m axes = [] : tensor<2xf32> -> tensor<f32>
  return %r : tensor<f32>
}
