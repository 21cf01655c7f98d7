// RUN: kiln-opt --kiln-to-linalg --split-input-file %s | FileCheck %s

// Broadcasting is in the indexing maps; the i32 operand is promoted in the body.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
//  CHECK-SAME:     %[[A:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<8xi32>
//       CHECK:   %[[E:.+]] = tensor.empty() : tensor<4x8xf32>
//       CHECK:   %[[R:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8xi32>) outs(%[[E]] : tensor<4x8xf32>)
//       CHECK:   ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: i32, %{{.+}}: f32):
//       CHECK:     %[[YF:.+]] = arith.sitofp %[[Y]] : i32 to f32
//       CHECK:     %[[S:.+]] = arith.addf %[[X]], %[[YF]] : f32
//       CHECK:     linalg.yield %[[S]]
//       CHECK:   return %[[R]]
func.func @add_broadcast(%a: tensor<4x8xf32>, %b: tensor<8xi32>) -> tensor<4x8xf32> {
  %0 = kiln.add %a, %b : (tensor<4x8xf32>, tensor<8xi32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A size-1 dim is read at index 0.
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @mul_unit_dim
//       CHECK:   linalg.generic {indexing_maps = [#{{.+}}, #[[COL]], #{{.+}}]
//       CHECK:     arith.mulf
func.func @mul_unit_dim(%a: tensor<4x8xf32>, %b: tensor<4x1xf32>) -> tensor<4x8xf32> {
  %0 = kiln.mul %a, %b : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Integer division floors and never divides by 0 or overflows on -1.
// CHECK-LABEL: func.func @floor_div
//       CHECK:   ^bb0(%[[N:.+]]: i32, %[[D:.+]]: i32, %{{.+}}: i32):
//   CHECK-DAG:     %[[Z:.+]] = arith.cmpi eq, %[[D]], %c0_i32
//   CHECK-DAG:     %[[M:.+]] = arith.cmpi eq, %[[D]], %c-1_i32
//       CHECK:     %[[U:.+]] = arith.ori %[[Z]], %[[M]]
//       CHECK:     %[[SAFE:.+]] = arith.select %[[U]], %c1_i32, %[[D]]
//       CHECK:     arith.divsi %[[N]], %[[SAFE]]
//       CHECK:     arith.remsi %[[N]], %[[SAFE]]
//       CHECK:     %[[R:.+]] = arith.select %[[Z]], %c0_i32, %{{.+}}
//       CHECK:     linalg.yield %[[R]]
func.func @floor_div(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @float_div
//       CHECK:   arith.divf
func.func @float_div(%a: tensor<4xf32>, %b: tensor<f32>) -> tensor<4xf32> {
  %0 = kiln.div %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @pow
//       CHECK:   math.powf
//       CHECK:   scf.for
//       CHECK:     arith.muli
//       CHECK:     arith.shrui
func.func @pow(%a: tensor<4xf32>, %b: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = kiln.pow %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.pow %b, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// maximum/minimum propagate NaN.
// CHECK-LABEL: func.func @max_min
//       CHECK:   arith.maximumf
//       CHECK:   arith.minsi
func.func @max_min(%a: tensor<4xf32>, %b: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = kiln.maximum %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.minimum %b, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// Ordered float predicates except `ne`; comparisons promote their operands.
// CHECK-LABEL: func.func @compare
//       CHECK:   arith.cmpf olt
//       CHECK:   arith.cmpf une
//       CHECK:   arith.sitofp
//       CHECK:   arith.cmpf oeq
//       CHECK:   arith.cmpi sge
//       CHECK:   arith.cmpi ugt
func.func @compare(%a: tensor<4xf32>, %b: tensor<4xi32>, %c: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = kiln.lt %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = kiln.ne %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = kiln.eq %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi1>
  %3 = kiln.ge %b, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %4 = kiln.gt %c, %c : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @logical_select
//       CHECK:   arith.andi
//       CHECK:   arith.ori
//       CHECK:   arith.xori %{{.+}}, %true
//       CHECK:   ^bb0(%[[C:.+]]: i1, %[[T:.+]]: f32, %[[F:.+]]: i32, %{{.+}}: f32):
//       CHECK:     %[[FF:.+]] = arith.sitofp %[[F]]
//       CHECK:     arith.select %[[C]], %[[T]], %[[FF]]
func.func @logical_select(%a: tensor<4xi1>, %b: tensor<i1>, %t: tensor<4xf32>, %f: tensor<i32>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xf32>) {
  %0 = kiln.and %a, %b : (tensor<4xi1>, tensor<i1>) -> tensor<4xi1>
  %1 = kiln.or %a, %b : (tensor<4xi1>, tensor<i1>) -> tensor<4xi1>
  %2 = kiln.not %a : tensor<4xi1>
  %3 = kiln.select %a, %t, %f : (tensor<4xi1>, tensor<4xf32>, tensor<i32>) -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @unary_float
//       CHECK:   arith.negf
//       CHECK:   math.absf
//       CHECK:   arith.maximumf
//       CHECK:   arith.cmpf ogt
//       CHECK:   math.exp
//       CHECK:   math.log
//       CHECK:   math.sqrt
//       CHECK:   math.rsqrt
//       CHECK:   math.tanh
//       CHECK:   arith.negf
//  CHECK-NEXT:   math.exp
//  CHECK-NEXT:   arith.addf
//  CHECK-NEXT:   arith.divf
//       CHECK:   math.erf
//       CHECK:   math.sin
//       CHECK:   math.cos
//       CHECK:   math.floor
//       CHECK:   math.ceil
//       CHECK:   math.roundeven
//       CHECK:   arith.divf %cst
func.func @unary_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.neg %x : tensor<4xf32>
  %1 = kiln.abs %0 : tensor<4xf32>
  %2 = kiln.relu %1 : tensor<4xf32>
  %3 = kiln.sign %2 : tensor<4xf32>
  %4 = kiln.exp %3 : tensor<4xf32>
  %5 = kiln.log %4 : tensor<4xf32>
  %6 = kiln.sqrt %5 : tensor<4xf32>
  %7 = kiln.rsqrt %6 : tensor<4xf32>
  %8 = kiln.tanh %7 : tensor<4xf32>
  %9 = kiln.sigmoid %8 : tensor<4xf32>
  %10 = kiln.erf %9 : tensor<4xf32>
  %11 = kiln.sin %10 : tensor<4xf32>
  %12 = kiln.cos %11 : tensor<4xf32>
  %13 = kiln.floor %12 : tensor<4xf32>
  %14 = kiln.ceil %13 : tensor<4xf32>
  %15 = kiln.round %14 : tensor<4xf32>
  %16 = kiln.reciprocal %15 : tensor<4xf32>
  return %16 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @unary_int
//       CHECK:   arith.subi %c0
//       CHECK:   math.absi
//       CHECK:   arith.maxsi
//       CHECK:   arith.cmpi sgt
func.func @unary_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.neg %x : tensor<4xi32>
  %1 = kiln.abs %0 : tensor<4xi32>
  %2 = kiln.relu %1 : tensor<4xi32>
  %3 = kiln.sign %2 : tensor<4xi32>
  return %3 : tensor<4xi32>
}

// -----

// Float -> int truncates; x -> bool tests for non-zero; constants stay dense.
// CHECK-LABEL: func.func @cast_constant
//       CHECK:   %[[C:.+]] = arith.constant dense<[1.500000e+00, -2.500000e+00]> : tensor<2xf32>
//       CHECK:   linalg.generic
//  CHECK-SAME:     ins(%[[C]]
//       CHECK:     arith.fptosi
//       CHECK:   linalg.generic
//       CHECK:     arith.cmpf une
func.func @cast_constant() -> (tensor<2xi32>, tensor<2xi1>) {
  %c = kiln.constant dense<[1.5, -2.5]> : tensor<2xf32>
  %0 = kiln.cast %c : tensor<2xf32> to tensor<2xi32>
  %1 = kiln.cast %c : tensor<2xf32> to tensor<2xi1>
  return %0, %1 : tensor<2xi32>, tensor<2xi1>
}

// -----

// Float -> int saturates and maps NaN to 0, as eager does: only in-range
// values reach fptosi (poison otherwise). 16-bit floats convert through f32.
// CHECK-LABEL: func.func @cast_saturates
//   CHECK-DAG:   %[[MIN:.+]] = arith.constant -2147483648 : i32
//   CHECK-DAG:   %[[MAX:.+]] = arith.constant 2147483647 : i32
//   CHECK-DAG:   %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:   %[[HI:.+]] = arith.constant 2.14748365E+9 : f32
//   CHECK-DAG:   %[[LO:.+]] = arith.constant -2.14748365E+9 : f32
//       CHECK:   ^bb0(%[[IN:.+]]: f32, %{{.+}}: i32):
//       CHECK:     %[[ABOVE:.+]] = arith.cmpf oge, %[[IN]], %[[HI]] : f32
//       CHECK:     %[[BELOW:.+]] = arith.cmpf ole, %[[IN]], %[[LO]] : f32
//       CHECK:     %[[OUT:.+]] = arith.ori %[[ABOVE]], %[[BELOW]]
//       CHECK:     %[[NAN:.+]] = arith.cmpf uno, %[[IN]], %[[IN]] : f32
//       CHECK:     %[[BAD:.+]] = arith.ori %[[OUT]], %[[NAN]]
//       CHECK:     %[[SAFE:.+]] = arith.select %[[BAD]], %[[ZERO]], %[[IN]] : f32
//       CHECK:     %[[I:.+]] = arith.fptosi %[[SAFE]] : f32 to i32
//       CHECK:     %[[R:.+]] = arith.select %[[ABOVE]], %[[MAX]], %[[I]] : i32
//       CHECK:     %[[S:.+]] = arith.select %[[BELOW]], %[[MIN]], %[[R]] : i32
//       CHECK:     linalg.yield %[[S]] : i32
//       CHECK:   ^bb0(%[[H:.+]]: f16, %{{.+}}: i64):
//       CHECK:     %[[W:.+]] = arith.extf %[[H]] : f16 to f32
//       CHECK:     arith.cmpf oge, %[[W]]
//       CHECK:     arith.fptosi %{{.+}} : f32 to i64
func.func @cast_saturates(%x: tensor<4xf32>, %h: tensor<4xf16>) -> (tensor<4xi32>, tensor<4xi64>) {
  %0 = kiln.cast %x : tensor<4xf32> to tensor<4xi32>
  %1 = kiln.cast %h : tensor<4xf16> to tensor<4xi64>
  return %0, %1 : tensor<4xi32>, tensor<4xi64>
}

// -----

// f32 -> bf16 rounds to nearest even on the bits (the AVX512-BF16
// instruction truncf would become flushes subnormals); f64 -> 16-bit floats
// round through f32, as eager does.
// CHECK-LABEL: func.func @cast_to_16_bit_floats
//       CHECK:   ^bb0(%[[IN:.+]]: f32, %{{.+}}: bf16):
//       CHECK:     %[[BITS:.+]] = arith.bitcast %[[IN]] : f32 to i32
//       CHECK:     arith.addi %[[BITS]]
//       CHECK:     arith.cmpf uno, %[[IN]], %[[IN]]
//       CHECK:     %[[T:.+]] = arith.trunci %{{.+}} : i32 to i16
//       CHECK:     %[[B:.+]] = arith.bitcast %[[T]] : i16 to bf16
//       CHECK:     linalg.yield %[[B]] : bf16
//       CHECK:   ^bb0(%[[D:.+]]: f64, %{{.+}}: f16):
//       CHECK:     %[[F:.+]] = arith.truncf %[[D]] : f64 to f32
//       CHECK:     %[[H:.+]] = arith.truncf %[[F]] : f32 to f16
//       CHECK:     linalg.yield %[[H]] : f16
//   CHECK-NOT:   arith.truncf %{{.+}} : f32 to bf16
func.func @cast_to_16_bit_floats(%x: tensor<4xf32>, %d: tensor<4xf64>) -> (tensor<4xbf16>, tensor<4xf16>) {
  %0 = kiln.cast %x : tensor<4xf32> to tensor<4xbf16>
  %1 = kiln.cast %d : tensor<4xf64> to tensor<4xf16>
  return %0, %1 : tensor<4xbf16>, tensor<4xf16>
}

// -----

// 16-bit floats compute in f32 and round once, as eager does.
// CHECK-LABEL: func.func @half_math
//       CHECK:   ^bb0(%[[IN:.+]]: f16, %{{.+}}: f16):
//       CHECK:     %[[W:.+]] = arith.extf %[[IN]] : f16 to f32
//       CHECK:     %[[N:.+]] = arith.negf %[[W]] : f32
//       CHECK:     math.exp %[[N]] : f32
//       CHECK:     %[[R:.+]] = arith.divf %{{.+}} : f32
//       CHECK:     %[[T:.+]] = arith.truncf %[[R]] : f32 to f16
//       CHECK:     linalg.yield %[[T]] : f16
func.func @half_math(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = kiln.sigmoid %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// A dynamic dim that meets only static 1s is read as is; its size comes
// from the operand.
// CHECK-LABEL: func.func @dynamic
//  CHECK-SAME:     %[[A:.+]]: tensor<?x8xf32>
//       CHECK:   %[[D:.+]] = tensor.dim %[[A]], %c0
//       CHECK:   tensor.empty(%[[D]]) : tensor<?x8xf32>
func.func @dynamic(%a: tensor<?x8xf32>, %b: tensor<1x8xf32>) -> tensor<?x8xf32> {
  %0 = kiln.sub %a, %b : (tensor<?x8xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
