// RUN: kiln-opt --kiln-to-loops-pipeline %s | FileCheck %s --check-prefix=LOOPS
// RUN: kiln-opt --kiln-to-llvm-pipeline %s | FileCheck %s --check-prefix=LLVM
// RUN: kiln-opt --kiln-to-llvm-pipeline="runtime-parallel=false" %s | FileCheck %s --check-prefix=SEQ

// A softmax becomes one loop over rows: the row max and the row sum run in
// registers (the sum reassociable); exp(x - max) is computed once per
// element, into the output row, which the sum then reads and the
// normalization scales in place while it is in cache (math.floor marks the
// expanded exp).
// LOOPS-LABEL: func.func @softmax
//       LOOPS:   %[[OUT:[a-z0-9_]+]] = memref.alloc() {{.+}} : memref<512x256xf32>
//       LOOPS:   scf.parallel (%[[I:.+]]) =
//       LOOPS:     scf.for {{.+}} iter_args
//       LOOPS:       arith.maximumf
//       LOOPS:     scf.parallel
//       LOOPS:       arith.subf
//       LOOPS:       math.floor
//       LOOPS:       memref.store %{{.+}}, %[[OUT]][%[[I]], %{{.+}}]
//       LOOPS:     scf.reduce
//       LOOPS:     scf.for {{.+}} iter_args
//       LOOPS:       memref.load %[[OUT]][%[[I]], %{{.+}}]
//       LOOPS:       arith.addf {{.+}} fastmath<reassoc,contract>
//       LOOPS:     scf.parallel
//   LOOPS-NOT:       math.floor
//       LOOPS:       arith.divf {{.+}} fastmath<arcp>
//       LOOPS:       memref.store %{{.+}}, %[[OUT]][%[[I]], %{{.+}}]
//       LOOPS:     scf.reduce
//       LOOPS:     scf.reduce
//   LOOPS-NOT:   scf.parallel
//       LOOPS:   return %[[OUT]]

// The loop over rows runs on the runtime's thread pool; without the runtime
// (mlir-runner) it stays sequential.
//      LLVM: llvm.func @kiln_rt_parallel_for(i64, i64, !llvm.ptr, !llvm.ptr)
//      LLVM: llvm.func @softmax(
//      LLVM:   llvm.call @kiln_rt_parallel_for
//      LLVM: llvm.func internal @softmax_parallel(
//  SEQ-NOT: kiln_rt_parallel_for
func.func @softmax(%x: tensor<512x256xf32>) -> tensor<512x256xf32> {
  %0 = kiln.softmax %x axis = -1 : tensor<512x256xf32>
  return %0 : tensor<512x256xf32>
}
