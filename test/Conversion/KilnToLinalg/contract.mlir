// RUN: kiln-opt --kiln-verify-linalg-contract --split-input-file --verify-diagnostics --allow-unregistered-dialect %s

// Every kiln op left before the contract check is reported at its location.
func.func @leftover(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.exp' op is not supported by the lowering: it is left after kiln-to-linalg}}
  %0 = kiln.exp %a : tensor<4xf32>
  // expected-error @+1 {{'kiln.neg' op is not supported by the lowering: it is left after kiln-to-linalg}}
  %1 = kiln.neg %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Linalg-on-tensors IR passes.
func.func @lowered(%a: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.exp ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Ops of other dialects are reported too.
func.func @foreign(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'foreign.op' op is not part of the linalg-on-tensors contract}}
  %0 = "foreign.op"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
