// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s

// uint8 arithmetic computes in i32, as eager mode does: the operands, whose
// bits are i8 now (in the signature too), are zero-extended and the sum is
// truncated back.
// CHECK-LABEL: func.func @add_uint8
//  CHECK-SAME:     (%{{.+}}: tensor<4xi8>, %{{.+}}: tensor<4xi8>) -> tensor<4xi8>
//       CHECK:   linalg.generic
//       CHECK:     arith.extui %{{.+}} : i8 to i32
//       CHECK:   linalg.generic
//       CHECK:     arith.extui %{{.+}} : i8 to i32
//       CHECK:   linalg.generic
//       CHECK:     arith.addi %{{.+}}, %{{.+}} : i32
//       CHECK:   linalg.generic
//       CHECK:     arith.trunci %{{.+}} : i32 to i8
func.func @add_uint8(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = kiln.add %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// int8 operands are sign-extended; comparisons of i32 give the bool.
// CHECK-LABEL: func.func @compare_int8
//       CHECK:     arith.extsi %{{.+}} : i8 to i32
//       CHECK:     arith.cmpi slt, %{{.+}}, %{{.+}} : i32
func.func @compare_int8(%a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi1> {
  %0 = kiln.lt %a, %b : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Casts read and write uint16 as unsigned: uitofp from it, a conversion
// saturating at [0, 65535] to it.
// CHECK-LABEL: func.func @casts_uint16
//       CHECK:     arith.uitofp %{{.+}} : i16 to f32
//       CHECK:     arith.fptoui %{{.+}} : f32 to i16
func.func @casts_uint16(%a: tensor<4xui16>, %f: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xui16>) {
  %0 = kiln.cast %a : tensor<4xui16> to tensor<4xf32>
  %1 = kiln.cast %f : tensor<4xf32> to tensor<4xui16>
  return %0, %1 : tensor<4xf32>, tensor<4xui16>
}

// -----

// Data movement keeps the small type; uint8 constants become i8 bits.
// CHECK-LABEL: func.func @move_uint8
//       CHECK:   arith.constant dense<[-1, 1]> : tensor<2xi8>
//       CHECK:   linalg.transpose
//  CHECK-SAME:     tensor<3x2xi8>
//   CHECK-NOT:   i32
func.func @move_uint8(%a: tensor<2x3xui8>) -> (tensor<3x2xui8>, tensor<2xui8>) {
  %0 = kiln.transpose %a perm = [1, 0] : tensor<2x3xui8> -> tensor<3x2xui8>
  %1 = kiln.constant dense<[255, 1]> : tensor<2xui8>
  return %0, %1 : tensor<3x2xui8>, tensor<2xui8>
}

// -----

// Shifts by an amount outside [0, 32) of the i32 they compute in give 0
// (left) or the sign's fill (right).
// CHECK-LABEL: func.func @shifts
//       CHECK:     arith.cmpi uge
//       CHECK:     arith.shli
//       CHECK:     arith.cmpi uge
//       CHECK:     arith.shrsi
func.func @shifts(%a: tensor<4xi16>, %b: tensor<4xi16>) -> (tensor<4xi16>, tensor<4xi16>) {
  %0 = kiln.left_shift %a, %b : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  %1 = kiln.right_shift %a, %b : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  return %0, %1 : tensor<4xi16>, tensor<4xi16>
}
