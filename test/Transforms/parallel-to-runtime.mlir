// RUN: kiln-opt --kiln-parallel-to-runtime --split-input-file %s | FileCheck %s

// The loop body moves to an internal function over a range of rows; the
// buffers it uses travel as memref descriptors in a context struct, and the
// loop becomes a call to the runtime with a grain of 32768 / 1024 = 32 rows.
// The outlined function unpacks the context and calls the loop, a function
// whose arguments are the values the loop uses: the pointers of x (LLVM
// arguments 2 and 3, after begin and end) and out (10 and 11, after x's
// descriptor fields and s) are to be marked noalias.
//       CHECK: llvm.func @kiln_rt_parallel_for(i64, i64, !llvm.ptr, !llvm.ptr)
// CHECK-LABEL: func.func @scale
//  CHECK-SAME:     %[[X:.+]]: memref<4096x1024xf32>, %[[S:.+]]: f32, %[[OUT:.+]]: memref<4096x1024xf32>
//       CHECK:   %[[CTX:.+]] = llvm.alloca %{{.+}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, f32, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
//       CHECK:   %[[XD:.+]] = builtin.unrealized_conversion_cast %[[X]] : memref<4096x1024xf32> to !llvm.struct
//       CHECK:   llvm.store %[[XD]]
//       CHECK:   llvm.store %[[S]]
//       CHECK:   %[[N:.+]] = arith.index_cast %{{.+}} : index to i64
//       CHECK:   %[[GRAIN:.+]] = llvm.mlir.constant(32 : i64)
//       CHECK:   %[[BODY:.+]] = llvm.mlir.addressof @scale_parallel
//       CHECK:   llvm.call @kiln_rt_parallel_for(%[[N]], %[[GRAIN]], %[[BODY]], %[[CTX]])
//   CHECK-NOT:   scf.parallel
//       CHECK: llvm.func internal @scale_parallel(%[[BEGIN:.+]]: i64, %[[END:.+]]: i64, %[[C:.+]]: !llvm.ptr)
//   CHECK-DAG:   %[[B:.+]] = arith.index_cast %[[BEGIN]] : i64 to index
//   CHECK-DAG:   %[[E:.+]] = arith.index_cast %[[END]] : i64 to index
//       CHECK:   %[[F0:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
//       CHECK:   %[[XM:.+]] = builtin.unrealized_conversion_cast %[[F0]] {{.+}} to memref<4096x1024xf32>
//       CHECK:   %[[SV:.+]] = llvm.load %{{.+}} : !llvm.ptr -> f32
//       CHECK:   %[[OM:.+]] = builtin.unrealized_conversion_cast %{{.+}} to memref<4096x1024xf32>
//       CHECK:   call @scale_parallel_range(%[[B]], %[[E]], %[[XM]], %[[SV]], %[[OM]])
//       CHECK:   llvm.return
//       CHECK: func.func private @scale_parallel_range(%[[RB:.+]]: index, %[[RE:.+]]: index, %[[RX:.+]]: memref<4096x1024xf32>, %{{.+}}: f32, %{{.+}}: memref<4096x1024xf32>)
//  CHECK-SAME:     kiln.noalias_pointers = array<i64: 2, 3, 10, 11>
//  CHECK-SAME:     llvm.linkage = #llvm.linkage<internal>
//       CHECK:   scf.for %{{.+}} = %[[RB]] to %[[RE]]
//       CHECK:     scf.parallel (%[[J:.+]]) =
//       CHECK:       memref.load %[[RX]]
//       CHECK:   return
func.func @scale(%x: memref<4096x1024xf32>, %s: f32, %out: memref<4096x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %c4096 = arith.constant 4096 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4096, %c1024) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<4096x1024xf32>
    %m = arith.mulf %v, %s : f32
    memref.store %m, %out[%i, %j] : memref<4096x1024xf32>
    scf.reduce
  }
  return
}

// -----

// Loops of fewer than 32768 iterations in all stay sequential.
// CHECK-LABEL: func.func @small
//       CHECK:   scf.parallel
//   CHECK-NOT:   llvm.call
func.func @small(%x: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    memref.store %f, %x[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  return
}

// -----

// A dynamic trip count is left to the runtime, which runs small ranges
// inline; index values cross the context as i64.
// CHECK-LABEL: func.func @dynamic
//  CHECK-SAME:     %[[X:.+]]: memref<?xf32>, %[[N:.+]]: index
//       CHECK:   %[[N64:.+]] = arith.index_cast %[[N]] : index to i64
//       CHECK:   llvm.store %[[N64]]
//       CHECK:   llvm.call @kiln_rt_parallel_for
//       CHECK: llvm.func internal @dynamic_parallel
//       CHECK:   arith.index_cast %{{.+}} : i64 to index
func.func @dynamic(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %k = arith.remui %i, %n : index
    memref.store %f, %x[%k] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// A loop over the rows of a GEMM's result right after the GEMM call becomes
// its epilogue: the GEMM runs the outlined body on blocks of rows as it
// finishes them, and there is no separate parallel loop.
// CHECK-LABEL: func.func @bias_relu
//   CHECK-NOT:   call @kiln_rt_matmul_set_f32(
//   CHECK-NOT:   kiln_rt_parallel_for
//       CHECK:   %[[BODY:.+]] = llvm.mlir.addressof @bias_relu_parallel
//       CHECK:   call @kiln_rt_matmul_set_epilogue_f32(%{{.+}}, %{{.+}}, %{{.+}}, %[[BODY]], %{{.+}}) : ({{.+}}, !llvm.ptr, !llvm.ptr) -> ()
//   CHECK-NOT:   scf.parallel
//       CHECK:   return
func.func private @kiln_rt_matmul_set_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
func.func @bias_relu(%a: memref<1024x256xf32>, %b: memref<256x512xf32>, %bias: memref<512xf32>, %out: memref<1024x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %c1024 = arith.constant 1024 : index
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1024x512xf32>
  %ca = memref.cast %a : memref<1024x256xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %cb = memref.cast %b : memref<256x512xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %cc = memref.cast %c : memref<1024x512xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  call @kiln_rt_matmul_set_f32(%ca, %cb, %cc) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) -> ()
  scf.parallel (%i, %j) = (%c0, %c0) to (%c1024, %c512) step (%c1, %c1) {
    %v = memref.load %c[%i, %j] : memref<1024x512xf32>
    %w = memref.load %bias[%j] : memref<512xf32>
    %s = arith.addf %v, %w : f32
    %r = arith.maximumf %s, %zero : f32
    memref.store %r, %out[%i, %j] : memref<1024x512xf32>
    scf.reduce
  }
  memref.dealloc %c : memref<1024x512xf32>
  return
}

// -----

// Not an epilogue: the loop reads c at another row than its own (a
// transpose), or writes the GEMM's operand a.
// CHECK-LABEL: func.func @gemm_then_loops
//       CHECK:   call @kiln_rt_matmul_set_f32(
//       CHECK:   llvm.call @kiln_rt_parallel_for
//       CHECK:   call @kiln_rt_matmul_set_f32(
//       CHECK:   llvm.call @kiln_rt_parallel_for
//   CHECK-NOT:   _epilogue_
func.func private @kiln_rt_matmul_set_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
func.func @gemm_then_loops(%a: memref<512x512xf32>, %b: memref<512x512xf32>, %out: memref<512x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %c = memref.alloc() : memref<512x512xf32>
  %ca = memref.cast %a : memref<512x512xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %cb = memref.cast %b : memref<512x512xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  %cc = memref.cast %c : memref<512x512xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
  call @kiln_rt_matmul_set_f32(%ca, %cb, %cc) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) -> ()
  scf.parallel (%i, %j) = (%c0, %c0) to (%c512, %c512) step (%c1, %c1) {
    %v = memref.load %c[%j, %i] : memref<512x512xf32>
    memref.store %v, %out[%i, %j] : memref<512x512xf32>
    scf.reduce
  }
  call @kiln_rt_matmul_set_f32(%ca, %cb, %cc) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) -> ()
  scf.parallel (%i, %j) = (%c0, %c0) to (%c512, %c512) step (%c1, %c1) {
    %v = memref.load %c[%i, %j] : memref<512x512xf32>
    memref.store %v, %a[%i, %j] : memref<512x512xf32>
    scf.reduce
  }
  memref.dealloc %c : memref<512x512xf32>
  return
}

// -----

// Two views of one allocation, one of them written: neither is noalias; x,
// an argument no other value views, is (LLVM arguments 9 and 10, after
// begin, end and the 7 fields of top's descriptor).
// CHECK-LABEL: func.func private @views_parallel_range(
//  CHECK-SAME:     kiln.noalias_pointers = array<i64: 9, 10>
func.func @views(%x: memref<256x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %buf = memref.alloc() : memref<512x256xf32>
  %top = memref.subview %buf[0, 0] [256, 256] [1, 1] : memref<512x256xf32> to memref<256x256xf32, strided<[256, 1]>>
  %bottom = memref.subview %buf[256, 0] [256, 256] [1, 1] : memref<512x256xf32> to memref<256x256xf32, strided<[256, 1], offset: 65536>>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c256) step (%c1, %c1) {
    %v = memref.load %top[%i, %j] : memref<256x256xf32, strided<[256, 1]>>
    %w = memref.load %x[%i, %j] : memref<256x256xf32>
    %s = arith.addf %v, %w : f32
    memref.store %s, %bottom[%i, %j] : memref<256x256xf32, strided<[256, 1], offset: 65536>>
    scf.reduce
  }
  memref.dealloc %buf : memref<512x256xf32>
  return
}

// -----

// In a private function the arguments may overlap (its callers' buffers):
// nothing is marked.
// CHECK-LABEL: func.func private @private_copy_parallel_range(
//   CHECK-NOT:     kiln.noalias_pointers
//       CHECK:   scf.for
func.func private @private_copy(%x: memref<256x256xf32>, %y: memref<256x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c256) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<256x256xf32>
    memref.store %v, %y[%i, %j] : memref<256x256xf32>
    scf.reduce
  }
  return
}
