// RUN: kiln-opt --pass-pipeline="builtin.module(func.func(kiln-fuse-parallel-loops))" --split-input-file %s | FileCheck %s

// A row max, then a normalization reading it at its own row: one loop over
// rows, the 2-D loop split into rows around an scf.parallel over columns.
// CHECK-LABEL: func.func @max_then_normalize
//  CHECK-SAME:     %[[X:.+]]: memref<4x8xf32>, %[[OUT:.+]]: memref<4x8xf32>
//       CHECK:   %[[M:.+]] = memref.alloc
//       CHECK:   scf.parallel (%[[I:.+]]) =
//       CHECK:     scf.for
//       CHECK:     memref.store %{{.+}}, %[[M]][%[[I]]]
//       CHECK:     scf.parallel (%[[J:.+]]) =
//       CHECK:       memref.load %[[M]][%[[I]]]
//       CHECK:       memref.store %{{.+}}, %[[OUT]][%[[I]], %[[J]]]
//   CHECK-NOT:   scf.parallel
func.func @max_then_normalize(%x: memref<4x8xf32>, %out: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %ninf = arith.constant 0xFF800000 : f32
  %m = memref.alloc() : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %r = scf.for %j = %c0 to %c8 step %c1 iter_args(%acc = %ninf) -> (f32) {
      %v = memref.load %x[%i, %j] : memref<4x8xf32>
      %n = arith.maximumf %v, %acc : f32
      scf.yield %n : f32
    }
    memref.store %r, %m[%i] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<4x8xf32>
    %mx = memref.load %m[%i] : memref<4xf32>
    %d = arith.subf %v, %mx : f32
    memref.store %d, %out[%i, %j] : memref<4x8xf32>
    scf.reduce
  }
  memref.dealloc %m : memref<4xf32>
  return
}

// -----

// The second loop reads another row of what the first writes: not fused.
// CHECK-LABEL: func.func @other_row
//       CHECK:   scf.parallel
//       CHECK:   scf.parallel
func.func @other_row(%x: memref<4xf32>, %y: memref<5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = memref.alloc() : memref<5xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %x[%i] : memref<4xf32>
    memref.store %v, %t[%i] : memref<5xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %n = arith.addi %i, %c1 : index
    %v = memref.load %t[%n] : memref<5xf32>
    memref.store %v, %y[%i] : memref<5xf32>
    scf.reduce
  }
  return
}

// -----

// A view of a written buffer, a side effect between the loops, and different
// bounds all keep the loops apart.
// CHECK-LABEL: func.func @not_fused
// CHECK-COUNT-4: scf.parallel
func.func @not_fused(%x: memref<4x4xf32>, %y: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c3 = arith.constant 3 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %f, %x[%i, %c0] : memref<4x4xf32>
    scf.reduce
  }
  %t = memref.transpose %x (i, j) -> (j, i) : memref<4x4xf32> to memref<4x4xf32, strided<[1, 4]>>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %t[%i, %c0] : memref<4x4xf32, strided<[1, 4]>>
    memref.store %v, %y[%i, %c0] : memref<4x4xf32>
    scf.reduce
  }
  memref.copy %x, %y : memref<4x4xf32> to memref<4x4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %f, %y[%i, %c1] : memref<4x4xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c3) step (%c1) {
    memref.store %f, %y[%i, %c1] : memref<4x4xf32>
    scf.reduce
  }
  return
}

// -----

// Rows of a reshaped view of a buffer are disjoint too: loops over the rows
// of the same collapsed view fuse.
// CHECK-LABEL: func.func @rows_of_a_view
//       CHECK:   scf.parallel (%[[I:[a-z0-9]+]]) =
//       CHECK:     scf.parallel (%[[J:[a-z0-9]+]]) =
//       CHECK:       memref.store %{{.+}}, %{{.+}}[%[[I]], %[[J]]]
//       CHECK:     scf.for
//       CHECK:       memref.load %{{.+}}[%[[I]], %{{.+}}]
//   CHECK-NOT:   scf.parallel
//       CHECK:   return
func.func @rows_of_a_view(%x: memref<4x2x8xf32>, %out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %buffer = memref.alloc() : memref<4x2x8xf32>
  %rows = memref.collapse_shape %buffer [[0, 1], [2]] : memref<4x2x8xf32> into memref<8x8xf32>
  %xs = memref.collapse_shape %x [[0, 1], [2]] : memref<4x2x8xf32> into memref<8x8xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    %v = memref.load %xs[%i, %j] : memref<8x8xf32>
    %e = math.exp %v : f32
    memref.store %e, %rows[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %sum = scf.for %j = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %rows[%i, %j] : memref<8x8xf32>
      %s = arith.addf %acc, %v : f32
      scf.yield %s : f32
    }
    memref.store %sum, %out[%i] : memref<8xf32>
    scf.reduce
  }
  memref.dealloc %buffer : memref<4x2x8xf32>
  return
}
