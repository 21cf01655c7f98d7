// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s

// Two dynamic sizes that the host does not check (the op is not
// kiln.checked_dims) are checked by the compiled code: the op's generic runs
// under scf.if they are equal; otherwise the runtime is told which sizes of
// which op differ, and an unwritten result of the first operand's size is
// yielded. Dynamic dimensions never broadcast.
//       CHECK: llvm.mlir.global internal constant @[[WHAT:__kiln_op_[0-9A-F]+]]("'kiln.add' at {{.*}}checked-sizes.mlir:{{[0-9]+}}:8, dimension 0\00")
//       CHECK: func.func private @kiln_rt_report_size_error(!llvm.ptr, i64, i64)
// CHECK-LABEL: func.func @dynamic_pair
//  CHECK-SAME:     %[[A:.+]]: tensor<?xf32>, %[[B:.+]]: tensor<?xf32>
//       CHECK:   %[[P:.+]] = llvm.mlir.addressof @[[WHAT]]
//   CHECK-DAG:   %[[DA:.+]] = tensor.dim %[[A]], %c0
//   CHECK-DAG:   %[[DB:.+]] = tensor.dim %[[B]], %c0
//       CHECK:   %[[EQ:.+]] = arith.cmpi eq, %[[DB]], %[[DA]]
//       CHECK:   %[[R:.+]] = scf.if %[[EQ]] -> (tensor<?xf32>) {
//       CHECK:     %[[G:.+]] = linalg.generic
//       CHECK:     scf.yield %[[G]]
//       CHECK:   } else {
//       CHECK:     %[[NE:.+]] = arith.cmpi ne, %[[DB]], %[[DA]]
//       CHECK:     scf.if %[[NE]] {
//   CHECK-DAG:       %[[SB:.+]] = arith.index_cast %[[DB]] : index to i64
//   CHECK-DAG:       %[[SA:.+]] = arith.index_cast %[[DA]] : index to i64
//       CHECK:       call @kiln_rt_report_size_error(%[[P]], %[[SB]], %[[SA]])
//       CHECK:     %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?xf32>
//       CHECK:     scf.yield %[[E]]
//       CHECK:   return %[[R]]
func.func @dynamic_pair(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = kiln.add %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A dynamic size where the result's is static must be that size (a size 1
// does not broadcast at run time).
// CHECK-LABEL: func.func @dynamic_to_static
//       CHECK:   %[[D:.+]] = tensor.dim
//       CHECK:   %[[EQ:.+]] = arith.cmpi eq, %[[D]], %c4
//       CHECK:   scf.if %[[EQ]] -> (tensor<4xf32>)
func.func @dynamic_to_static(%a: tensor<?xf32>) -> tensor<4xf32> {
  %0 = kiln.broadcast_to %a shape = [4] : tensor<?xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Checked by the host: no check in the code.
// CHECK-LABEL: func.func @host_checked
//   CHECK-NOT:   scf.if
//       CHECK:   linalg.generic
func.func @host_checked(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = kiln.add %a, %b {kiln.checked_dims} : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A matmul checks its contracted sizes.
//       CHECK: llvm.mlir.global internal constant @{{.+}}("'kiln.matmul' at {{.*}}, the contracted dimension\00")
// CHECK-LABEL: func.func @contract
//       CHECK:   scf.if %{{.+}} -> (tensor<3x2xf32>)
//       CHECK:     linalg.matmul
func.func @contract(%a: tensor<3x?xf32>, %b: tensor<?x2xf32>) -> tensor<3x2xf32> {
  %0 = kiln.matmul %a, %b : (tensor<3x?xf32>, tensor<?x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
