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

// -----

// kiln.scan: the carry, then the slices of the scanned tensors; it yields
// the next carry, then the slices of the stacked outputs.
// CHECK-LABEL: func.func @scan
//       CHECK:   %{{.+}}:2 = kiln.scan iter_args(%{{.+}} : tensor<8xf32>) over(%{{.+}}, %{{.+}} : tensor<5x8xf32>, tensor<5xi32>) -> (tensor<8xf32>, tensor<5x8xf32>) {
//       CHECK:   ^bb0(%{{.+}}: tensor<8xf32>, %{{.+}}: tensor<8xf32>, %{{.+}}: tensor<i32>):
//       CHECK:     kiln.yield %{{.+}}, %{{.+}} : tensor<8xf32>, tensor<8xf32>
//       CHECK:   kiln.scan over(%{{.+}} : tensor<?x3xf32>) -> (tensor<?x3xf32>) {
func.func @scan(%h: tensor<8xf32>, %xs: tensor<5x8xf32>, %ks: tensor<5xi32>, %d: tensor<?x3xf32>) -> (tensor<8xf32>, tensor<5x8xf32>, tensor<?x3xf32>) {
  %r:2 = kiln.scan iter_args(%h : tensor<8xf32>) over(%xs, %ks : tensor<5x8xf32>, tensor<5xi32>) -> (tensor<8xf32>, tensor<5x8xf32>) {
  ^bb0(%c: tensor<8xf32>, %x: tensor<8xf32>, %k: tensor<i32>):
    %0 = kiln.add %c, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %1 = kiln.mul %0, %k : (tensor<8xf32>, tensor<i32>) -> tensor<8xf32>
    kiln.yield %1, %0 : tensor<8xf32>, tensor<8xf32>
  }
  %m = kiln.scan over(%d : tensor<?x3xf32>) -> (tensor<?x3xf32>) {
  ^bb0(%x: tensor<3xf32>):
    %0 = kiln.exp %x : tensor<3xf32>
    kiln.yield %0 : tensor<3xf32>
  }
  return %r#0, %r#1, %m : tensor<8xf32>, tensor<5x8xf32>, tensor<?x3xf32>
}

// -----

// What a loop body computes from values defined outside the loop only runs
// once, before the loop (kiln.for, the body of a kiln.scan, and a
// kiln.while's condition and body), chains of such ops included; what uses
// the carry or the index stays.
// CANON-LABEL: func.func @hoisting
//  CANON-SAME:     %[[W:[^:]+]]: tensor<4x4xf32>
//       CANON:   %[[T:.+]] = kiln.transpose %[[W]]
//       CANON:   %[[E:.+]] = kiln.exp %[[T]]
//       CANON:   kiln.for
//   CANON-NOT:     kiln.transpose
//       CANON:     kiln.matmul %{{.+}}, %[[E]]
//       CANON:   %[[S:.+]] = kiln.sigmoid %[[W]]
//       CANON:   kiln.scan
//   CANON-NOT:     kiln.sigmoid
//       CANON:     kiln.add %{{.+}}, %[[S]]
//       CANON:   %[[L:.+]] = kiln.reduce_sum %[[W]]
//       CANON:   %[[N:.+]] = kiln.neg %[[W]]
//       CANON:   %[[M:.+]] = kiln.reduce_min %[[N]]
//       CANON:   kiln.while
//       CANON:     kiln.lt %{{.+}}, %[[L]]
//       CANON:     kiln.sub %{{.+}}, %[[M]]
func.func @hoisting(%lo: tensor<i64>, %hi: tensor<i64>, %w: tensor<4x4xf32>, %x: tensor<4x4xf32>, %xs: tensor<3x4x4xf32>, %s: tensor<f32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<f32>) {
  %r = kiln.for %lo to %hi iter_args(%x : tensor<4x4xf32>) -> (tensor<4x4xf32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<4x4xf32>):
    %0 = kiln.transpose %w perm = [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
    %1 = kiln.exp %0 : tensor<4x4xf32>
    %2 = kiln.matmul %c, %1 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    kiln.yield %2 : tensor<4x4xf32>
  }
  %q:2 = kiln.scan iter_args(%x : tensor<4x4xf32>) over(%xs : tensor<3x4x4xf32>) -> (tensor<4x4xf32>, tensor<3x4x4xf32>) {
  ^bb0(%c: tensor<4x4xf32>, %e: tensor<4x4xf32>):
    %0 = kiln.sigmoid %w : tensor<4x4xf32>
    %1 = kiln.add %c, %0 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    kiln.yield %1, %e : tensor<4x4xf32>, tensor<4x4xf32>
  }
  %v = kiln.while (%s : tensor<f32>) -> (tensor<f32>) cond {
  ^bb0(%c: tensor<f32>):
    %0 = kiln.reduce_sum %w axes = [] : tensor<4x4xf32> -> tensor<f32>
    %1 = kiln.lt %c, %0 : (tensor<f32>, tensor<f32>) -> tensor<i1>
    kiln.yield %1 : tensor<i1>
  } do {
  ^bb0(%c: tensor<f32>):
    %0 = kiln.neg %w : tensor<4x4xf32>
    %1 = kiln.reduce_min %0 axes = [] : tensor<4x4xf32> -> tensor<f32>
    %2 = kiln.sub %c, %1 : (tensor<f32>, tensor<f32>) -> tensor<f32>
    kiln.yield %2 : tensor<f32>
  }
  return %r, %q#0, %v : tensor<4x4xf32>, tensor<4x4xf32>, tensor<f32>
}

// -----

// A body that may run no time keeps what could fail at run time: a gather
// (its indices are checked) and ops on dynamic sizes (which are checked).
// CANON-LABEL: func.func @not_hoisted
//       CANON:   kiln.for
//       CANON:     kiln.gather
//       CANON:     kiln.add %{{.+}}, %{{.+}} : (tensor<?xf32>, tensor<?xf32>)
func.func @not_hoisted(%lo: tensor<i64>, %hi: tensor<i64>, %t: tensor<4xf32>, %k: tensor<i64>, %a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<f32> {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %r = kiln.for %lo to %hi iter_args(%z : tensor<f32>) -> (tensor<f32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<f32>):
    %0 = kiln.gather %t, %k axis = 0 : (tensor<4xf32>, tensor<i64>) -> tensor<f32>
    %1 = kiln.add %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
    %2 = kiln.reduce_sum %1 axes = [] : tensor<?xf32> -> tensor<f32>
    %3 = kiln.add %c, %0 : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %4 = kiln.add %3, %2 : (tensor<f32>, tensor<f32>) -> tensor<f32>
    kiln.yield %4 : tensor<f32>
  }
  return %r : tensor<f32>
}

// -----

// A kiln.while that counts a carried int64 up by one to a bound it does not
// change runs a known number of times: it becomes a kiln.for from the
// counter's initial value to the bound (the counter stays in the carry).
// CANON-LABEL: func.func @counting_while
//  CANON-SAME:     %[[I:[^:]+]]: tensor<i64>, %[[N:[^:]+]]: tensor<i64>, %[[X:[^:]+]]: tensor<4xf32>
//   CANON-NOT:   kiln.while
//       CANON:   %[[R:.+]]:2 = kiln.for %[[I]] to %[[N]] iter_args(%[[I]], %[[X]] : tensor<i64>, tensor<4xf32>)
//       CANON:   ^bb0(%{{.+}}: tensor<i64>, %[[C:.+]]: tensor<i64>, %[[Y:.+]]: tensor<4xf32>):
//       CANON:     kiln.add %[[C]], %{{.+}}
//       CANON:     kiln.exp %[[Y]]
//       CANON:   return %[[R]]#0, %[[R]]#1
func.func @counting_while(%i: tensor<i64>, %n: tensor<i64>, %x: tensor<4xf32>) -> (tensor<i64>, tensor<4xf32>) {
  %r:2 = kiln.while (%i, %x : tensor<i64>, tensor<4xf32>) -> (tensor<i64>, tensor<4xf32>) cond {
  ^bb0(%c: tensor<i64>, %y: tensor<4xf32>):
    %0 = kiln.lt %c, %n : (tensor<i64>, tensor<i64>) -> tensor<i1>
    kiln.yield %0 : tensor<i1>
  } do {
  ^bb0(%c: tensor<i64>, %y: tensor<4xf32>):
    %one = kiln.constant dense<1> : tensor<i64>
    %0 = kiln.add %c, %one : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %1 = kiln.exp %y : tensor<4xf32>
    kiln.yield %0, %1 : tensor<i64>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<i64>, tensor<4xf32>
}

// -----

// A while whose condition does more than compare the counter, or whose body
// counts by two, keeps its form.
// CANON-LABEL: func.func @other_whiles
//       CANON:   kiln.while
//       CANON:   kiln.while
func.func @other_whiles(%i: tensor<i64>, %n: tensor<i64>) -> (tensor<i64>, tensor<i64>) {
  %a = kiln.while (%i : tensor<i64>) -> (tensor<i64>) cond {
  ^bb0(%c: tensor<i64>):
    %0 = kiln.mul %c, %c : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %1 = kiln.lt %0, %n : (tensor<i64>, tensor<i64>) -> tensor<i1>
    kiln.yield %1 : tensor<i1>
  } do {
  ^bb0(%c: tensor<i64>):
    %one = kiln.constant dense<1> : tensor<i64>
    %0 = kiln.add %c, %one : (tensor<i64>, tensor<i64>) -> tensor<i64>
    kiln.yield %0 : tensor<i64>
  }
  %b = kiln.while (%i : tensor<i64>) -> (tensor<i64>) cond {
  ^bb0(%c: tensor<i64>):
    %0 = kiln.lt %c, %n : (tensor<i64>, tensor<i64>) -> tensor<i1>
    kiln.yield %0 : tensor<i1>
  } do {
  ^bb0(%c: tensor<i64>):
    %two = kiln.constant dense<2> : tensor<i64>
    %0 = kiln.add %c, %two : (tensor<i64>, tensor<i64>) -> tensor<i64>
    kiln.yield %0 : tensor<i64>
  }
  return %a, %b : tensor<i64>, tensor<i64>
}
