// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s --check-prefix=CANON
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s

// kiln.if, kiln.for and kiln.while print as they parse (the output parses
// again to the same text).
// CHECK-LABEL: func.func @branches
//       CHECK:   %[[R:.+]] = kiln.if %{{.+}} -> (tensor<4xf32>) {
//       CHECK:     %[[E:.+]] = kiln.exp %{{.+}} : tensor<4xf32>
//       CHECK:     kiln.yield %[[E]] : tensor<4xf32>
//       CHECK:   } else {
//       CHECK:     kiln.yield %{{.+}} : tensor<4xf32>
//       CHECK:   }
func.func @branches(%p: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %r = kiln.if %p -> (tensor<4xf32>) {
    %0 = kiln.exp %x : tensor<4xf32>
    kiln.yield %0 : tensor<4xf32>
  } else {
    kiln.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @loops
//       CHECK:   kiln.for %{{.+}} to %{{.+}} iter_args(%{{.+}}, %{{.+}} : tensor<4xf32>, tensor<i32>) -> (tensor<4xf32>, tensor<i32>) {
//       CHECK:   ^bb0(%{{.+}}: tensor<i64>, %{{.+}}: tensor<4xf32>, %{{.+}}: tensor<i32>):
//       CHECK:   kiln.while(%{{.+}} : tensor<f32>) -> (tensor<f32>) cond {
//       CHECK:   ^bb0(%{{.+}}: tensor<f32>):
//       CHECK:     kiln.yield %{{.+}} : tensor<i1>
//       CHECK:   } do {
func.func @loops(%lo: tensor<i64>, %hi: tensor<i64>, %x: tensor<4xf32>, %n: tensor<i32>, %s: tensor<f32>) -> (tensor<4xf32>, tensor<i32>, tensor<f32>) {
  %r:2 = kiln.for %lo to %hi iter_args(%x, %n : tensor<4xf32>, tensor<i32>) -> (tensor<4xf32>, tensor<i32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<4xf32>, %k: tensor<i32>):
    %0 = kiln.mul %c, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %1 = kiln.add %k, %k : (tensor<i32>, tensor<i32>) -> tensor<i32>
    kiln.yield %0, %1 : tensor<4xf32>, tensor<i32>
  }
  %w = kiln.while (%s : tensor<f32>) -> (tensor<f32>) cond {
  ^bb0(%c: tensor<f32>):
    %0 = kiln.lt %c, %s : (tensor<f32>, tensor<f32>) -> tensor<i1>
    kiln.yield %0 : tensor<i1>
  } do {
  ^bb0(%c: tensor<f32>):
    %0 = kiln.add %c, %c : (tensor<f32>, tensor<f32>) -> tensor<f32>
    kiln.yield %0 : tensor<f32>
  }
  return %r#0, %r#1, %w : tensor<4xf32>, tensor<i32>, tensor<f32>
}

// -----

// A constant condition chooses its region at compile time.
// CANON-LABEL: func.func @constant_condition
//   CANON-NOT:   kiln.if
//       CANON:   %[[E:.+]] = kiln.exp
//       CANON:   return %[[E]]
func.func @constant_condition(%x: tensor<4xf32>) -> tensor<4xf32> {
  %p = kiln.constant dense<true> : tensor<i1>
  %r = kiln.if %p -> (tensor<4xf32>) {
    %0 = kiln.exp %x : tensor<4xf32>
    kiln.yield %0 : tensor<4xf32>
  } else {
    kiln.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// A loop whose constant bounds give no iteration is its initial carry.
// CANON-LABEL: func.func @empty_loop
//  CANON-SAME:     %[[X:.+]]: tensor<4xf32>
//   CANON-NOT:   kiln.for
//       CANON:   return %[[X]]
func.func @empty_loop(%x: tensor<4xf32>) -> tensor<4xf32> {
  %lo = kiln.constant dense<5> : tensor<i64>
  %hi = kiln.constant dense<5> : tensor<i64>
  %r = kiln.for %lo to %hi iter_args(%x : tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<4xf32>):
    %0 = kiln.exp %c : tensor<4xf32>
    kiln.yield %0 : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
