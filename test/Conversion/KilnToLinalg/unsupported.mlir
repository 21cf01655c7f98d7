// RUN: kiln-opt --kiln-to-linalg --split-input-file --verify-diagnostics %s

func.func @dynamic_batch(%a: tensor<?x3x4xf32>, %b: tensor<1x4x5xf32>) -> tensor<?x3x5xf32> {
  // expected-error @+1 {{'kiln.matmul' op is not supported by the lowering: broadcasting dynamic batch dimensions is not supported}}
  %0 = kiln.matmul %a, %b : (tensor<?x3x4xf32>, tensor<1x4x5xf32>) -> tensor<?x3x5xf32>
  return %0 : tensor<?x3x5xf32>
}

// -----

func.func @pad_value(%a: tensor<2xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.pad' op is not supported by the lowering: pad value}}
  %0 = kiln.pad %a low = [1] high = [1] value = 1.0e+20 : tensor<2xi32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
