// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt --mlir-print-op-generic | kiln-opt | FileCheck %s

// Round trip of every kiln op: the custom form parses, prints and parses
// again, and so does the generic form, to the same verified IR.

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constant
//       CHECK:   kiln.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
//       CHECK:   kiln.constant dense<5> : tensor<i32>
//       CHECK:   kiln.constant dense<[true, false, true]> : tensor<3xi1>
//       CHECK:   kiln.constant dense<1.500000e+00> : tensor<2xf16>
//       CHECK:   kiln.constant dense<-2.000000e+00> : tensor<2xbf16>
//       CHECK:   kiln.constant dense<2.500000e-01> : tensor<f64>
//       CHECK:   kiln.constant dense<[1, -9223372036854775808]> : tensor<2xi64>
//       CHECK:   kiln.constant dense<> : tensor<0x3xf32>
func.func @constant() -> (tensor<2x2xf32>, tensor<i32>, tensor<3xi1>, tensor<2xf16>, tensor<2xbf16>, tensor<f64>, tensor<2xi64>, tensor<0x3xf32>) {
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %1 = kiln.constant dense<5> : tensor<i32>
  %2 = kiln.constant dense<[true, false, true]> : tensor<3xi1>
  %3 = kiln.constant dense<1.5> : tensor<2xf16>
  %4 = kiln.constant dense<-2.0> : tensor<2xbf16>
  %5 = kiln.constant dense<0.25> : tensor<f64>
  %6 = kiln.constant dense<[1, -9223372036854775808]> : tensor<2xi64>
  %7 = kiln.constant dense<> : tensor<0x3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x2xf32>, tensor<i32>, tensor<3xi1>, tensor<2xf16>, tensor<2xbf16>, tensor<f64>, tensor<2xi64>, tensor<0x3xf32>
}

// CHECK-LABEL: func.func @cast
//  CHECK-SAME:     %[[F:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<4xi1>, %[[D:[^:]+]]: tensor<?x3xbf16>
//       CHECK:   kiln.cast %[[F]] : tensor<4xf32> to tensor<4xi32>
//       CHECK:   kiln.cast %[[F]] : tensor<4xf32> to tensor<4xi1>
//       CHECK:   kiln.cast %[[B]] : tensor<4xi1> to tensor<4xf16>
//       CHECK:   kiln.cast %[[B]] : tensor<4xi1> to tensor<4xi64>
//       CHECK:   kiln.cast %[[D]] : tensor<?x3xbf16> to tensor<?x3xf64>
//       CHECK:   kiln.cast %[[D]] : tensor<?x3xbf16> to tensor<2x3xf32>
func.func @cast(%f: tensor<4xf32>, %b: tensor<4xi1>, %d: tensor<?x3xbf16>) {
  %0 = kiln.cast %f : tensor<4xf32> to tensor<4xi32>
  %1 = kiln.cast %f : tensor<4xf32> to tensor<4xi1>
  %2 = kiln.cast %b : tensor<4xi1> to tensor<4xf16>
  %3 = kiln.cast %b : tensor<4xi1> to tensor<4xi64>
  %4 = kiln.cast %d : tensor<?x3xbf16> to tensor<?x3xf64>
  // A written static result refines a dynamic operand dimension.
  %5 = kiln.cast %d : tensor<?x3xbf16> to tensor<2x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise binary: every op, every numeric element type, broadcasting and
// promotion
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @binary_ops
//  CHECK-SAME:     %[[A:[^:]+]]: tensor<4x8xf32>, %[[B:[^:]+]]: tensor<8xf32>
//       CHECK:   kiln.add %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.sub %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.mul %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.div %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.pow %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.maximum %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.minimum %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
func.func @binary_ops(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  %0 = kiln.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = kiln.sub %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %2 = kiln.mul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = kiln.div %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %4 = kiln.pow %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %5 = kiln.maximum %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %6 = kiln.minimum %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @binary_element_types
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
//       CHECK:   kiln.sub %{{.+}}, %{{.+}} : (tensor<2xbf16>, tensor<2xbf16>) -> tensor<2xbf16>
//       CHECK:   kiln.mul %{{.+}}, %{{.+}} : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
//       CHECK:   kiln.div %{{.+}}, %{{.+}} : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
//       CHECK:   kiln.maximum %{{.+}}, %{{.+}} : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
func.func @binary_element_types(%h: tensor<2xf16>, %bf: tensor<2xbf16>, %d: tensor<2xf64>, %i: tensor<2xi32>, %l: tensor<2xi64>) {
  %0 = kiln.add %h, %h : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
  %1 = kiln.sub %bf, %bf : (tensor<2xbf16>, tensor<2xbf16>) -> tensor<2xbf16>
  %2 = kiln.mul %d, %d : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  %3 = kiln.div %i, %i : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %4 = kiln.maximum %l, %l : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return
}

// Promotion follows DType.h: integers meeting floats take the float type,
// i32 with i64 is i64, f16 with bf16 widens to f32, anything with f64 is f64.
// CHECK-LABEL: func.func @binary_promotion
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<2xi32>, tensor<2xf32>) -> tensor<2xf32>
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<2xi32>, tensor<2xi64>) -> tensor<2xi64>
//       CHECK:   kiln.mul %{{.+}}, %{{.+}} : (tensor<2xf16>, tensor<2xbf16>) -> tensor<2xf32>
//       CHECK:   kiln.mul %{{.+}}, %{{.+}} : (tensor<2xi64>, tensor<2xf16>) -> tensor<2xf16>
//       CHECK:   kiln.sub %{{.+}}, %{{.+}} : (tensor<2xf32>, tensor<2xf64>) -> tensor<2xf64>
//       CHECK:   kiln.pow %{{.+}}, %{{.+}} : (tensor<2xbf16>, tensor<2xi32>) -> tensor<2xbf16>
func.func @binary_promotion(%i: tensor<2xi32>, %f: tensor<2xf32>, %l: tensor<2xi64>, %h: tensor<2xf16>, %bf: tensor<2xbf16>, %d: tensor<2xf64>) {
  %0 = kiln.add %i, %f : (tensor<2xi32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.add %i, %l : (tensor<2xi32>, tensor<2xi64>) -> tensor<2xi64>
  %2 = kiln.mul %h, %bf : (tensor<2xf16>, tensor<2xbf16>) -> tensor<2xf32>
  %3 = kiln.mul %l, %h : (tensor<2xi64>, tensor<2xf16>) -> tensor<2xf16>
  %4 = kiln.sub %f, %d : (tensor<2xf32>, tensor<2xf64>) -> tensor<2xf64>
  %5 = kiln.pow %bf, %i : (tensor<2xbf16>, tensor<2xi32>) -> tensor<2xbf16>
  return
}

// CHECK-LABEL: func.func @binary_broadcasting
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<3x1x5xf32>, tensor<4x1xf32>) -> tensor<3x4x5xf32>
//       CHECK:   kiln.mul %{{.+}}, %{{.+}} : (tensor<f32>, tensor<3x1x5xf32>) -> tensor<3x1x5xf32>
//       CHECK:   kiln.sub %{{.+}}, %{{.+}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<?x5xf32>, tensor<3x1x5xf32>) -> tensor<3x?x5xf32>
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<2x3xf32>
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<0x5xf32>, tensor<5xf32>) -> tensor<0x5xf32>
func.func @binary_broadcasting(%a: tensor<3x1x5xf32>, %b: tensor<4x1xf32>, %s: tensor<f32>, %c: tensor<?x1xf32>, %d: tensor<1x?xf32>, %e: tensor<?x5xf32>, %z: tensor<0x5xf32>, %v: tensor<5xf32>) {
  %0 = kiln.add %a, %b : (tensor<3x1x5xf32>, tensor<4x1xf32>) -> tensor<3x4x5xf32>
  %1 = kiln.mul %s, %a : (tensor<f32>, tensor<3x1x5xf32>) -> tensor<3x1x5xf32>
  %2 = kiln.sub %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %3 = kiln.add %c, %d : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  %4 = kiln.add %e, %a : (tensor<?x5xf32>, tensor<3x1x5xf32>) -> tensor<3x?x5xf32>
  // A written static result refines the dynamic dimensions.
  %5 = kiln.add %c, %d : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<2x3xf32>
  %6 = kiln.add %z, %v : (tensor<0x5xf32>, tensor<5xf32>) -> tensor<0x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// Comparison, logical and select
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compare_ops
//       CHECK:   kiln.eq %{{.+}}, %{{.+}} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
//       CHECK:   kiln.ne %{{.+}}, %{{.+}} : (tensor<4xi32>, tensor<4xf32>) -> tensor<4xi1>
//       CHECK:   kiln.lt %{{.+}}, %{{.+}} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
//       CHECK:   kiln.le %{{.+}}, %{{.+}} : (tensor<2x1xi64>, tensor<4xi32>) -> tensor<2x4xi1>
//       CHECK:   kiln.gt %{{.+}}, %{{.+}} : (tensor<?xf16>, tensor<?xbf16>) -> tensor<?xi1>
//       CHECK:   kiln.ge %{{.+}}, %{{.+}} : (tensor<f64>, tensor<f64>) -> tensor<i1>
func.func @compare_ops(%f: tensor<4xf32>, %s: tensor<f32>, %i: tensor<4xi32>, %b: tensor<4xi1>, %l: tensor<2x1xi64>, %h: tensor<?xf16>, %bf: tensor<?xbf16>, %d: tensor<f64>) {
  %0 = kiln.eq %f, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  %1 = kiln.ne %i, %f : (tensor<4xi32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = kiln.lt %b, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = kiln.le %l, %i : (tensor<2x1xi64>, tensor<4xi32>) -> tensor<2x4xi1>
  %4 = kiln.gt %h, %bf : (tensor<?xf16>, tensor<?xbf16>) -> tensor<?xi1>
  %5 = kiln.ge %d, %d : (tensor<f64>, tensor<f64>) -> tensor<i1>
  return
}

// CHECK-LABEL: func.func @logical_ops
//  CHECK-SAME:     %[[A:[^:]+]]: tensor<4xi1>, %[[B:[^:]+]]: tensor<i1>
//       CHECK:   kiln.and %[[A]], %[[B]] : (tensor<4xi1>, tensor<i1>) -> tensor<4xi1>
//       CHECK:   kiln.or %[[A]], %[[A]] : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
//       CHECK:   kiln.not %[[B]] : tensor<i1>
func.func @logical_ops(%a: tensor<4xi1>, %b: tensor<i1>) {
  %0 = kiln.and %a, %b : (tensor<4xi1>, tensor<i1>) -> tensor<4xi1>
  %1 = kiln.or %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %2 = kiln.not %b : tensor<i1>
  return
}

// CHECK-LABEL: func.func @select
//  CHECK-SAME:     %[[C:[^:]+]]: tensor<4xi1>, %[[A:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<f32>, %[[I:[^:]+]]: tensor<2x1xi32>, %[[S:[^:]+]]: tensor<i1>
//       CHECK:   kiln.select %[[C]], %[[A]], %[[B]] : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
//       CHECK:   kiln.select %[[C]], %[[I]], %[[A]] : (tensor<4xi1>, tensor<2x1xi32>, tensor<4xf32>) -> tensor<2x4xf32>
//       CHECK:   kiln.select %[[S]], %[[C]], %[[C]] : (tensor<i1>, tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
func.func @select(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<f32>, %i: tensor<2x1xi32>, %s: tensor<i1>) {
  %0 = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.select %c, %i, %a : (tensor<4xi1>, tensor<2x1xi32>, tensor<4xf32>) -> tensor<2x4xf32>
  %2 = kiln.select %s, %c, %c : (tensor<i1>, tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary_ops
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4x?xf32>
//       CHECK:   kiln.neg %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.abs %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.relu %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.sign %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.exp %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.log %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.sqrt %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.rsqrt %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.tanh %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.sigmoid %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.erf %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.sin %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.cos %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.floor %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.ceil %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.round %[[X]] : tensor<4x?xf32>
//       CHECK:   kiln.reciprocal %[[X]] : tensor<4x?xf32>
func.func @unary_ops(%x: tensor<4x?xf32>) {
  %0 = kiln.neg %x : tensor<4x?xf32>
  %1 = kiln.abs %x : tensor<4x?xf32>
  %2 = kiln.relu %x : tensor<4x?xf32>
  %3 = kiln.sign %x : tensor<4x?xf32>
  %4 = kiln.exp %x : tensor<4x?xf32>
  %5 = kiln.log %x : tensor<4x?xf32>
  %6 = kiln.sqrt %x : tensor<4x?xf32>
  %7 = kiln.rsqrt %x : tensor<4x?xf32>
  %8 = kiln.tanh %x : tensor<4x?xf32>
  %9 = kiln.sigmoid %x : tensor<4x?xf32>
  %10 = kiln.erf %x : tensor<4x?xf32>
  %11 = kiln.sin %x : tensor<4x?xf32>
  %12 = kiln.cos %x : tensor<4x?xf32>
  %13 = kiln.floor %x : tensor<4x?xf32>
  %14 = kiln.ceil %x : tensor<4x?xf32>
  %15 = kiln.round %x : tensor<4x?xf32>
  %16 = kiln.reciprocal %x : tensor<4x?xf32>
  return
}

// CHECK-LABEL: func.func @unary_element_types
//       CHECK:   kiln.neg %{{.+}} : tensor<3xi32>
//       CHECK:   kiln.abs %{{.+}} : tensor<i64>
//       CHECK:   kiln.relu %{{.+}} : tensor<3xf16>
//       CHECK:   kiln.sign %{{.+}} : tensor<3xbf16>
//       CHECK:   kiln.exp %{{.+}} : tensor<f64>
//       CHECK:   kiln.tanh %{{.+}} : tensor<3xbf16>
//       CHECK:   kiln.sqrt %{{.+}} : tensor<3xf16>
func.func @unary_element_types(%i: tensor<3xi32>, %l: tensor<i64>, %h: tensor<3xf16>, %bf: tensor<3xbf16>, %d: tensor<f64>) {
  %0 = kiln.neg %i : tensor<3xi32>
  %1 = kiln.abs %l : tensor<i64>
  %2 = kiln.relu %h : tensor<3xf16>
  %3 = kiln.sign %bf : tensor<3xbf16>
  %4 = kiln.exp %d : tensor<f64>
  %5 = kiln.tanh %bf : tensor<3xbf16>
  %6 = kiln.sqrt %h : tensor<3xf16>
  return
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
//       CHECK:   kiln.reshape %{{.+}} shape = [2, -1] : tensor<6xf32> -> tensor<2x3xf32>
//       CHECK:   kiln.reshape %{{.+}} shape = [3, 2] : tensor<6xf32> -> tensor<3x2xf32>
//       CHECK:   kiln.reshape %{{.+}} shape = [] : tensor<1x1xi64> -> tensor<i64>
//       CHECK:   kiln.reshape %{{.+}} shape = [1, 1, 1] : tensor<i1> -> tensor<1x1x1xi1>
//       CHECK:   kiln.reshape %{{.+}} shape = [-1, 4] : tensor<?x8xf16> -> tensor<?x4xf16>
//       CHECK:   kiln.reshape %{{.+}} shape = [5, 0] : tensor<0x5xf32> -> tensor<5x0xf32>
func.func @reshape(%a: tensor<6xf32>, %b: tensor<1x1xi64>, %c: tensor<i1>, %d: tensor<?x8xf16>, %z: tensor<0x5xf32>) {
  %0 = kiln.reshape %a shape = [2, -1] : tensor<6xf32> -> tensor<2x3xf32>
  %1 = kiln.reshape %a shape = [3, 2] : tensor<6xf32> -> tensor<3x2xf32>
  %2 = kiln.reshape %b shape = [] : tensor<1x1xi64> -> tensor<i64>
  %3 = kiln.reshape %c shape = [1, 1, 1] : tensor<i1> -> tensor<1x1x1xi1>
  %4 = kiln.reshape %d shape = [-1, 4] : tensor<?x8xf16> -> tensor<?x4xf16>
  %5 = kiln.reshape %z shape = [5, 0] : tensor<0x5xf32> -> tensor<5x0xf32>
  return
}

// CHECK-LABEL: func.func @transpose
//       CHECK:   kiln.transpose %{{.+}} perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
//       CHECK:   kiln.transpose %{{.+}} perm = [2, 0, 1] : tensor<2x?x4xbf16> -> tensor<4x2x?xbf16>
//       CHECK:   kiln.transpose %{{.+}} perm = [] : tensor<i32> -> tensor<i32>
func.func @transpose(%a: tensor<2x3xf32>, %b: tensor<2x?x4xbf16>, %s: tensor<i32>) {
  %0 = kiln.transpose %a perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = kiln.transpose %b perm = [2, 0, 1] : tensor<2x?x4xbf16> -> tensor<4x2x?xbf16>
  %2 = kiln.transpose %s perm = [] : tensor<i32> -> tensor<i32>
  return
}

// CHECK-LABEL: func.func @broadcast_to
//       CHECK:   kiln.broadcast_to %{{.+}} shape = [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
//       CHECK:   kiln.broadcast_to %{{.+}} shape = [2, 5] : tensor<i1> -> tensor<2x5xi1>
//       CHECK:   kiln.broadcast_to %{{.+}} shape = [2, 3] : tensor<?x1xi64> -> tensor<2x3xi64>
//       CHECK:   kiln.broadcast_to %{{.+}} shape = [0, 3] : tensor<3xf32> -> tensor<0x3xf32>
func.func @broadcast_to(%a: tensor<3xf32>, %s: tensor<i1>, %d: tensor<?x1xi64>) {
  %0 = kiln.broadcast_to %a shape = [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
  %1 = kiln.broadcast_to %s shape = [2, 5] : tensor<i1> -> tensor<2x5xi1>
  %2 = kiln.broadcast_to %d shape = [2, 3] : tensor<?x1xi64> -> tensor<2x3xi64>
  %3 = kiln.broadcast_to %a shape = [0, 3] : tensor<3xf32> -> tensor<0x3xf32>
  return
}

// CHECK-LABEL: func.func @expand_dims
//       CHECK:   kiln.expand_dims %{{.+}} axis = 0 : tensor<3xf32> -> tensor<1x3xf32>
//       CHECK:   kiln.expand_dims %{{.+}} axis = 1 : tensor<3xf32> -> tensor<3x1xf32>
//       CHECK:   kiln.expand_dims %{{.+}} axis = -1 : tensor<3xf32> -> tensor<3x1xf32>
//       CHECK:   kiln.expand_dims %{{.+}} axis = -2 : tensor<3xf32> -> tensor<1x3xf32>
//       CHECK:   kiln.expand_dims %{{.+}} axis = 0 : tensor<i32> -> tensor<1xi32>
//       CHECK:   kiln.expand_dims %{{.+}} axis = -1 : tensor<?x2xf64> -> tensor<?x2x1xf64>
func.func @expand_dims(%a: tensor<3xf32>, %s: tensor<i32>, %d: tensor<?x2xf64>) {
  %0 = kiln.expand_dims %a axis = 0 : tensor<3xf32> -> tensor<1x3xf32>
  %1 = kiln.expand_dims %a axis = 1 : tensor<3xf32> -> tensor<3x1xf32>
  %2 = kiln.expand_dims %a axis = -1 : tensor<3xf32> -> tensor<3x1xf32>
  %3 = kiln.expand_dims %a axis = -2 : tensor<3xf32> -> tensor<1x3xf32>
  %4 = kiln.expand_dims %s axis = 0 : tensor<i32> -> tensor<1xi32>
  %5 = kiln.expand_dims %d axis = -1 : tensor<?x2xf64> -> tensor<?x2x1xf64>
  return
}

// CHECK-LABEL: func.func @squeeze
//       CHECK:   kiln.squeeze %{{.+}} axes = [0] : tensor<1x3x1xf32> -> tensor<3x1xf32>
//       CHECK:   kiln.squeeze %{{.+}} axes = [-1, 0] : tensor<1x3x1xf32> -> tensor<3xf32>
//       CHECK:   kiln.squeeze %{{.+}} axes = [] : tensor<1x3x1xf32> -> tensor<3xf32>
//       CHECK:   kiln.squeeze %{{.+}} axes = [] : tensor<1x1xi1> -> tensor<i1>
//       CHECK:   kiln.squeeze %{{.+}} axes = [1] : tensor<4x?xi32> -> tensor<4xi32>
func.func @squeeze(%a: tensor<1x3x1xf32>, %b: tensor<1x1xi1>, %d: tensor<4x?xi32>) {
  %0 = kiln.squeeze %a axes = [0] : tensor<1x3x1xf32> -> tensor<3x1xf32>
  %1 = kiln.squeeze %a axes = [-1, 0] : tensor<1x3x1xf32> -> tensor<3xf32>
  %2 = kiln.squeeze %a axes = [] : tensor<1x3x1xf32> -> tensor<3xf32>
  %3 = kiln.squeeze %b axes = [] : tensor<1x1xi1> -> tensor<i1>
  // A listed dynamic dimension is squeezed; that it is 1 is checked at run time.
  %4 = kiln.squeeze %d axes = [1] : tensor<4x?xi32> -> tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @concat
//  CHECK-SAME:     %[[A:[^:]+]]: tensor<2x3xf32>, %[[B:[^:]+]]: tensor<4x3xf32>, %[[D:[^:]+]]: tensor<?x3xf32>, %[[I:[^:]+]]: tensor<2xi64>
//       CHECK:   kiln.concat %[[A]], %[[B]] axis = 0 : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
//       CHECK:   kiln.concat %[[A]], %[[A]], %[[A]] axis = -1 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x9xf32>
//       CHECK:   kiln.concat %[[A]], %[[D]] axis = 0 : (tensor<2x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
//       CHECK:   kiln.concat %[[I]] axis = 0 : (tensor<2xi64>) -> tensor<2xi64>
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %d: tensor<?x3xf32>, %i: tensor<2xi64>) {
  %0 = kiln.concat %a, %b axis = 0 : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
  %1 = kiln.concat %a, %a, %a axis = -1 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x9xf32>
  %2 = kiln.concat %a, %d axis = 0 : (tensor<2x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %3 = kiln.concat %i axis = 0 : (tensor<2xi64>) -> tensor<2xi64>
  return
}

// CHECK-LABEL: func.func @slice
//       CHECK:   kiln.slice %{{.+}} start = [0, 1] limit = [4, 3] stride = [2, 1] : tensor<4x3xf32> -> tensor<2x2xf32>
//       CHECK:   kiln.slice %{{.+}} start = [1, 0] limit = [4, 3] stride = [2, 5] : tensor<4x3xf32> -> tensor<2x1xf32>
//       CHECK:   kiln.slice %{{.+}} start = [2] limit = [2] stride = [1] : tensor<?xi32> -> tensor<0xi32>
//       CHECK:   kiln.slice %{{.+}} start = [] limit = [] stride = [] : tensor<f16> -> tensor<f16>
func.func @slice(%a: tensor<4x3xf32>, %d: tensor<?xi32>, %s: tensor<f16>) {
  %0 = kiln.slice %a start = [0, 1] limit = [4, 3] stride = [2, 1] : tensor<4x3xf32> -> tensor<2x2xf32>
  %1 = kiln.slice %a start = [1, 0] limit = [4, 3] stride = [2, 5] : tensor<4x3xf32> -> tensor<2x1xf32>
  %2 = kiln.slice %d start = [2] limit = [2] stride = [1] : tensor<?xi32> -> tensor<0xi32>
  %3 = kiln.slice %s start = [] limit = [] stride = [] : tensor<f16> -> tensor<f16>
  return
}

// CHECK-LABEL: func.func @pad
//       CHECK:   kiln.pad %{{.+}} low = [1, 0] high = [1, 2] value = 0.000000e+00 : tensor<2x3xf32> -> tensor<4x5xf32>
//       CHECK:   kiln.pad %{{.+}} low = [0, 2] high = [3, 0] value = -1.000000e+00 : tensor<?x3xi32> -> tensor<?x5xi32>
//       CHECK:   kiln.pad %{{.+}} low = [] high = [] value = 1.000000e+00 : tensor<i1> -> tensor<i1>
func.func @pad(%a: tensor<2x3xf32>, %d: tensor<?x3xi32>, %s: tensor<i1>) {
  %0 = kiln.pad %a low = [1, 0] high = [1, 2] value = 0.0 : tensor<2x3xf32> -> tensor<4x5xf32>
  %1 = kiln.pad %d low = [0, 2] high = [3, 0] value = -1.0 : tensor<?x3xi32> -> tensor<?x5xi32>
  %2 = kiln.pad %s low = [] high = [] value = 1.0 : tensor<i1> -> tensor<i1>
  return
}

// CHECK-LABEL: func.func @gather
//       CHECK:   kiln.gather %{{.+}}, %{{.+}} axis = 0 : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
//       CHECK:   kiln.gather %{{.+}}, %{{.+}} axis = -1 : (tensor<5x3xf32>, tensor<2x4xi32>) -> tensor<5x2x4xf32>
//       CHECK:   kiln.gather %{{.+}}, %{{.+}} axis = 1 : (tensor<5x3xf32>, tensor<i64>) -> tensor<5xf32>
//       CHECK:   kiln.gather %{{.+}}, %{{.+}} axis = 0 : (tensor<?xi1>, tensor<?xi32>) -> tensor<?xi1>
func.func @gather(%a: tensor<5x3xf32>, %i: tensor<2xi64>, %j: tensor<2x4xi32>, %k: tensor<i64>, %b: tensor<?xi1>, %n: tensor<?xi32>) {
  %0 = kiln.gather %a, %i axis = 0 : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %1 = kiln.gather %a, %j axis = -1 : (tensor<5x3xf32>, tensor<2x4xi32>) -> tensor<5x2x4xf32>
  %2 = kiln.gather %a, %k axis = 1 : (tensor<5x3xf32>, tensor<i64>) -> tensor<5xf32>
  %3 = kiln.gather %b, %n axis = 0 : (tensor<?xi1>, tensor<?xi32>) -> tensor<?xi1>
  return
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reductions
//       CHECK:   kiln.reduce_sum %{{.+}} axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
//       CHECK:   kiln.reduce_mean %{{.+}} axes = [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
//       CHECK:   kiln.reduce_max %{{.+}} axes = [] : tensor<4x8xf32> -> tensor<f32>
//       CHECK:   kiln.reduce_min %{{.+}} axes = [] keepdims : tensor<4x8xf32> -> tensor<1x1xf32>
//       CHECK:   kiln.reduce_prod %{{.+}} axes = [0, -1] : tensor<4x8xf32> -> tensor<f32>
//       CHECK:   kiln.reduce_sum %{{.+}} axes = [0] keepdims : tensor<?x3xi32> -> tensor<1x3xi32>
//       CHECK:   kiln.reduce_max %{{.+}} axes = [1] : tensor<?x3xi64> -> tensor<?xi64>
//       CHECK:   kiln.reduce_prod %{{.+}} axes = [] : tensor<f16> -> tensor<f16>
//       CHECK:   kiln.reduce_mean %{{.+}} axes = [1] : tensor<2x0xbf16> -> tensor<2xbf16>
func.func @reductions(%a: tensor<4x8xf32>, %i: tensor<?x3xi32>, %l: tensor<?x3xi64>, %h: tensor<f16>, %z: tensor<2x0xbf16>) {
  %0 = kiln.reduce_sum %a axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %1 = kiln.reduce_mean %a axes = [-1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %2 = kiln.reduce_max %a axes = [] : tensor<4x8xf32> -> tensor<f32>
  %3 = kiln.reduce_min %a axes = [] keepdims : tensor<4x8xf32> -> tensor<1x1xf32>
  %4 = kiln.reduce_prod %a axes = [0, -1] : tensor<4x8xf32> -> tensor<f32>
  %5 = kiln.reduce_sum %i axes = [0] keepdims : tensor<?x3xi32> -> tensor<1x3xi32>
  %6 = kiln.reduce_max %l axes = [1] : tensor<?x3xi64> -> tensor<?xi64>
  %7 = kiln.reduce_prod %h axes = [] : tensor<f16> -> tensor<f16>
  %8 = kiln.reduce_mean %z axes = [1] : tensor<2x0xbf16> -> tensor<2xbf16>
  return
}

// CHECK-LABEL: func.func @arg_reductions
//       CHECK:   kiln.argmax %{{.+}} axis = 1 : tensor<4x8xf32> -> tensor<4xi64>
//       CHECK:   kiln.argmin %{{.+}} axis = -2 keepdims : tensor<4x8xf32> -> tensor<1x8xi64>
//       CHECK:   kiln.argmax %{{.+}} axis = 0 : tensor<?xi32> -> tensor<i64>
//       CHECK:   kiln.argmin %{{.+}} axis = 0 keepdims : tensor<3xf64> -> tensor<1xi64>
func.func @arg_reductions(%a: tensor<4x8xf32>, %i: tensor<?xi32>, %d: tensor<3xf64>) {
  %0 = kiln.argmax %a axis = 1 : tensor<4x8xf32> -> tensor<4xi64>
  %1 = kiln.argmin %a axis = -2 keepdims : tensor<4x8xf32> -> tensor<1x8xi64>
  %2 = kiln.argmax %i axis = 0 : tensor<?xi32> -> tensor<i64>
  %3 = kiln.argmin %d axis = 0 keepdims : tensor<3xf64> -> tensor<1xi64>
  return
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul
//       CHECK:   kiln.matmul %{{.+}}, %{{.+}} : (tensor<4x16xf32>, tensor<16x32xf32>) -> tensor<4x32xf32>
//       CHECK:   kiln.matmul %{{.+}}, %{{.+}} : (tensor<8x4x16xf32>, tensor<16x32xf32>) -> tensor<8x4x32xf32>
//       CHECK:   kiln.matmul %{{.+}}, %{{.+}} : (tensor<2x1x4x16xf32>, tensor<3x16x5xf32>) -> tensor<2x3x4x5xf32>
//       CHECK:   kiln.matmul %{{.+}}, %{{.+}} : (tensor<16xf32>, tensor<16x32xf32>) -> tensor<32xf32>
//       CHECK:   kiln.matmul %{{.+}}, %{{.+}} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4xf32>
//       CHECK:   kiln.matmul %{{.+}}, %{{.+}} : (tensor<16xf32>, tensor<16xf32>) -> tensor<f32>
//       CHECK:   kiln.matmul %{{.+}}, %{{.+}} : (tensor<?x?xi32>, tensor<?x5xi64>) -> tensor<?x5xi64>
//       CHECK:   kiln.matmul %{{.+}}, %{{.+}} : (tensor<2x3xf16>, tensor<3x2xbf16>) -> tensor<2x2xf32>
func.func @matmul(%a: tensor<4x16xf32>, %b: tensor<16x32xf32>, %c: tensor<8x4x16xf32>, %d: tensor<2x1x4x16xf32>, %e: tensor<3x16x5xf32>, %v: tensor<16xf32>, %i: tensor<?x?xi32>, %l: tensor<?x5xi64>, %h: tensor<2x3xf16>, %bf: tensor<3x2xbf16>) {
  %0 = kiln.matmul %a, %b : (tensor<4x16xf32>, tensor<16x32xf32>) -> tensor<4x32xf32>
  %1 = kiln.matmul %c, %b : (tensor<8x4x16xf32>, tensor<16x32xf32>) -> tensor<8x4x32xf32>
  %2 = kiln.matmul %d, %e : (tensor<2x1x4x16xf32>, tensor<3x16x5xf32>) -> tensor<2x3x4x5xf32>
  %3 = kiln.matmul %v, %b : (tensor<16xf32>, tensor<16x32xf32>) -> tensor<32xf32>
  %4 = kiln.matmul %a, %v : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4xf32>
  %5 = kiln.matmul %v, %v : (tensor<16xf32>, tensor<16xf32>) -> tensor<f32>
  %6 = kiln.matmul %i, %l : (tensor<?x?xi32>, tensor<?x5xi64>) -> tensor<?x5xi64>
  %7 = kiln.matmul %h, %bf : (tensor<2x3xf16>, tensor<3x2xbf16>) -> tensor<2x2xf32>
  return
}

//===----------------------------------------------------------------------===//
// Neural-network composites
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @softmax
//       CHECK:   kiln.softmax %{{.+}} axis = -1 : tensor<4x8xf32>
//       CHECK:   kiln.softmax %{{.+}} axis = 0 : tensor<?x8xf16>
//       CHECK:   kiln.log_softmax %{{.+}} axis = 1 : tensor<4x8xf32>
//       CHECK:   kiln.log_softmax %{{.+}} axis = -2 : tensor<2x?xbf16>
func.func @softmax(%a: tensor<4x8xf32>, %h: tensor<?x8xf16>, %bf: tensor<2x?xbf16>) {
  %0 = kiln.softmax %a axis = -1 : tensor<4x8xf32>
  %1 = kiln.softmax %h axis = 0 : tensor<?x8xf16>
  %2 = kiln.log_softmax %a axis = 1 : tensor<4x8xf32>
  %3 = kiln.log_softmax %bf axis = -2 : tensor<2x?xbf16>
  return
}

// CHECK-LABEL: func.func @cumsum
//       CHECK:   kiln.cumsum %{{.+}} axis = 1 : tensor<4x8xf32>
//       CHECK:   kiln.cumsum %{{.+}} axis = -1 exclusive reverse : tensor<?x8xi64>
//       CHECK:   kiln.conv %{{.+}}, %{{.+}} bias %{{.+}} strides = [2, 2] pads_begin = [1, 1] pads_end = [0, 0] dilations = [1, 1] groups = 2 : (tensor<1x4x7x7xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x3x3xf32>
func.func @cumsum(%a: tensor<4x8xf32>, %i: tensor<?x8xi64>, %x: tensor<1x4x7x7xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) {
  %0 = kiln.cumsum %a axis = 1 : tensor<4x8xf32>
  %1 = kiln.cumsum %i axis = -1 exclusive reverse : tensor<?x8xi64>
  %2 = kiln.conv %x, %w bias %b strides = [2, 2] pads_begin = [1, 1] pads_end = [0, 0] dilations = [1, 1] groups = 2 : (tensor<1x4x7x7xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x3x3xf32>
  return
}

// CHECK-LABEL: func.func @layer_norm
//  CHECK-SAME:     %[[X:[^:]+]]: tensor<4x8xf32>, %[[S:[^:]+]]: tensor<8xf32>, %[[B:[^:]+]]: tensor<8xf32>, %[[D:[^:]+]]: tensor<?x4x8xf64>, %[[P:[^:]+]]: tensor<4x8xf64>
//       CHECK:   kiln.layer_norm %[[X]] scale %[[S]] bias %[[B]] axes = [-1] epsilon = 1.000000e-05 : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.layer_norm %[[X]] scale %[[S]] axes = [1] epsilon = 1.000000e-05 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.layer_norm %[[X]] bias %[[B]] axes = [1] epsilon = 1.000000e-05 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.layer_norm %[[X]] axes = [0, 1] epsilon = 0.000000e+00 : (tensor<4x8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.layer_norm %[[D]] scale %[[P]] bias %[[P]] axes = [-2, -1] epsilon = 1.000000e-03 : (tensor<?x4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<?x4x8xf64>
func.func @layer_norm(%x: tensor<4x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>, %d: tensor<?x4x8xf64>, %p: tensor<4x8xf64>) {
  %0 = kiln.layer_norm %x scale %s bias %b axes = [-1] epsilon = 1.0e-05 : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = kiln.layer_norm %x scale %s axes = [1] epsilon = 1.0e-05 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %2 = kiln.layer_norm %x bias %b axes = [1] epsilon = 1.0e-05 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = kiln.layer_norm %x axes = [0, 1] epsilon = 0.0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = kiln.layer_norm %d scale %p bias %p axes = [-2, -1] epsilon = 1.0e-03 : (tensor<?x4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<?x4x8xf64>
  return
}

// CHECK-LABEL: func.func @sorting_scattering_random
//       CHECK:   kiln.argsort %{{.+}} axis = 1 : tensor<4x8xf32> -> tensor<4x8xi64>
//       CHECK:   kiln.argsort %{{.+}} axis = -1 descending : tensor<?x8xi1> -> tensor<?x8xi64>
//       CHECK:   kiln.scatter_nd %{{.+}}, %{{.+}}, %{{.+}} reduction = "add" : (tensor<4x8xf32>, tensor<2x1xi32>, tensor<2x8xf32>) -> tensor<4x8xf32>
//       CHECK:   kiln.random_uniform %{{.+}} low = -1.000000e+00 high = 2.000000e+00 : tensor<i64> -> tensor<3x5xbf16>
//       CHECK:   kiln.random_normal %{{.+}} mean = 0.000000e+00 stddev = 1.000000e+00 : tensor<i32> -> tensor<7xf64>
func.func @sorting_scattering_random(%a: tensor<4x8xf32>, %b: tensor<?x8xi1>, %i: tensor<2x1xi32>, %u: tensor<2x8xf32>, %s: tensor<i64>, %t: tensor<i32>) {
  %0 = kiln.argsort %a axis = 1 : tensor<4x8xf32> -> tensor<4x8xi64>
  %1 = kiln.argsort %b axis = -1 descending : tensor<?x8xi1> -> tensor<?x8xi64>
  %2 = kiln.scatter_nd %a, %i, %u reduction = "add" : (tensor<4x8xf32>, tensor<2x1xi32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  %3 = kiln.random_uniform %s low = -1.0 high = 2.0 : tensor<i64> -> tensor<3x5xbf16>
  %4 = kiln.random_normal %t mean = 0.0 stddev = 1.0 : tensor<i32> -> tensor<7xf64>
  return
}

// CHECK-LABEL: func.func @small_integers_and_bitwise
//       CHECK:   kiln.add %{{.+}}, %{{.+}} : (tensor<4xui8>, tensor<4xi8>) -> tensor<4xi16>
//       CHECK:   kiln.bitwise_and %{{.+}}, %{{.+}} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
//       CHECK:   kiln.bitwise_or %{{.+}}, %{{.+}} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
//       CHECK:   kiln.bitwise_xor %{{.+}}, %{{.+}} : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
//       CHECK:   kiln.left_shift %{{.+}}, %{{.+}} : (tensor<4xui16>, tensor<4xui16>) -> tensor<4xui16>
//       CHECK:   kiln.right_shift %{{.+}}, %{{.+}} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
//       CHECK:   kiln.bitwise_not %{{.+}} : tensor<4xui8>
//       CHECK:   kiln.cast %{{.+}} : tensor<4xui8> to tensor<4xf32>
func.func @small_integers_and_bitwise(%u: tensor<4xui8>, %i: tensor<4xi8>, %b: tensor<4xi1>, %s: tensor<4xi16>, %w: tensor<4xui16>, %l: tensor<4xi64>) {
  %0 = kiln.add %u, %i : (tensor<4xui8>, tensor<4xi8>) -> tensor<4xi16>
  %1 = kiln.bitwise_and %u, %u : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %2 = kiln.bitwise_or %b, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = kiln.bitwise_xor %s, %s : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  %4 = kiln.left_shift %w, %w : (tensor<4xui16>, tensor<4xui16>) -> tensor<4xui16>
  %5 = kiln.right_shift %l, %l : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %6 = kiln.bitwise_not %u : tensor<4xui8>
  %7 = kiln.cast %u : tensor<4xui8> to tensor<4xf32>
  return
}
