// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -split-input-file --mlir-print-op-generic | kiln-opt -split-input-file | FileCheck %s
// RUN: kiln-opt %s -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=CANON

// kiln.print round-trips; it has no result and writes to the outside world,
// so canonicalization and CSE keep every print, in order, even of a value
// nothing else uses, and never hoist one out of a loop.
// CHECK-LABEL: func.func @prints
//       CHECK:   kiln.print %{{.+}} label "x" : tensor<2xf32>
//       CHECK:   kiln.print %{{.+}} label "" : tensor<i1>
// CANON-LABEL: func.func @prints
//       CANON:   %[[E:.+]] = kiln.exp
//       CANON:   kiln.print %[[E]] label "x" : tensor<2xf32>
//       CANON:   kiln.print %[[E]] label "x" : tensor<2xf32>
//       CANON:   kiln.print %{{.+}} label "" : tensor<i1>
//       CANON:   return
func.func @prints(%x: tensor<2xf32>, %p: tensor<i1>) -> tensor<2xf32> {
  %e = kiln.exp %x : tensor<2xf32>
  kiln.print %e label "x" : tensor<2xf32>
  kiln.print %e label "x" : tensor<2xf32>
  kiln.print %p label "" : tensor<i1>
  return %x : tensor<2xf32>
}

// -----

// CANON-LABEL: func.func @in_loop
//       CANON:   kiln.for
//       CANON:     kiln.print %{{.+}} label "w" : tensor<2xf32>
//       CANON:     kiln.yield
func.func @in_loop(%lo: tensor<i64>, %hi: tensor<i64>, %x: tensor<2xf32>, %w: tensor<2xf32>) -> tensor<2xf32> {
  %r = kiln.for %lo to %hi iter_args(%x : tensor<2xf32>) -> (tensor<2xf32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<2xf32>):
    kiln.print %w label "w" : tensor<2xf32>
    %n = kiln.add %c, %w : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    kiln.yield %n : tensor<2xf32>
  }
  return %r : tensor<2xf32>
}
