func.func @f() -> tensor<2xf32> {
  %0 = kiln.constant dense_resource<blob> : tensor<2xf32>
  %1 = kiln.add %0, %0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F00000040"
    }
  }
#-}
