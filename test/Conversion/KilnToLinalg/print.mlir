// RUN: kiln-opt --kiln-to-linalg %s | FileCheck %s

// kiln.print becomes a call of the runtime's print for its element type, on
// a read-only buffer of the tensor cast to an unranked memref, with the
// label and the location as a constant string.
// (Module-level declarations come in any order.)
//   CHECK-DAG: llvm.mlir.global internal constant @[[TEXT:__kiln_op_[0-9A-F]+]]("h (print.mlir:{{[0-9]+}})\00")
//   CHECK-DAG: func.func private @kiln_rt_print_f32(memref<*xf32>, !llvm.ptr)
//   CHECK-DAG: func.func private @kiln_rt_print_i64(memref<*xi64>, !llvm.ptr)
// CHECK-LABEL: func.func @prints
//       CHECK:   llvm.mlir.addressof @[[TEXT]]
//       CHECK:   %[[E:.+]] = linalg.generic
//       CHECK:   %[[B:.+]] = bufferization.to_buffer %[[E]] read_only
//       CHECK:   %[[U:.+]] = memref.cast %[[B]] : memref<2x3xf32, strided<[?, ?], offset: ?>> to memref<*xf32>
//       CHECK:   call @kiln_rt_print_f32(%[[U]], %{{.+}})
//       CHECK:   call @kiln_rt_print_i64
func.func @prints(%x: tensor<2x3xf32>, %n: tensor<i64>) -> tensor<2x3xf32> {
  %e = kiln.exp %x : tensor<2x3xf32>
  kiln.print %e label "h" : tensor<2x3xf32> loc("print.mlir":20:3)
  kiln.print %n label "n" : tensor<i64>
  return %e : tensor<2x3xf32>
}
