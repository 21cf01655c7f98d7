// RUN: kiln-opt --pass-pipeline="builtin.module(func.func(kiln-read-only-arguments),one-shot-bufferize{bufferize-function-boundaries})" %s | FileCheck %s

// An update of an argument in place becomes an update of a copy: the
// caller's tensor is not written.
// CHECK-LABEL: func.func @update(
//  CHECK-SAME:     %[[T:.+]]: memref<4xf32
//       CHECK:   %[[COPY:.+]] = memref.alloc()
//       CHECK:   memref.copy %[[T]], %[[COPY]]
//       CHECK:   memref.store %{{.+}}, %[[COPY]]
//       CHECK:   return %[[COPY]]
func.func @update(%t: tensor<4xf32>, %f: f32) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %r = tensor.insert %f into %t[%c0] : tensor<4xf32>
  return %r : tensor<4xf32>
}
