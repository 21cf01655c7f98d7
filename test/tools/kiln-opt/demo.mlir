// RUN: kiln-opt --canonicalize %kiln_src_root/samples/demo.mlir | FileCheck %s
// RUN: kiln-opt %kiln_src_root/samples/demo.mlir --mlir-print-op-generic | kiln-opt --canonicalize | FileCheck %s

// The demo's redundant `x * 1` and transpose pair are removed.
// CHECK-LABEL: func.func @dense_gelu
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8x16xf32>, %[[B:.+]]: tensor<16xf32>
//       CHECK:   %[[Y:.+]] = kiln.matmul %[[X]], %[[W]]
//       CHECK:   %[[Z:.+]] = kiln.add %[[Y]], %[[B]]
//       CHECK:   %[[S:.+]] = kiln.sigmoid %[[Z]] : tensor<4x16xf32>
//       CHECK:   %[[R:.+]] = kiln.mul %[[Z]], %[[S]]
//   CHECK-NOT:   kiln.transpose
//       CHECK:   return %[[R]]
