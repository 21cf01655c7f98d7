// Each named pipeline on the samples; the LLVM pipeline leaves only llvm ops
// (its last pass checks that) and C wrappers for the public functions.
// RUN: kiln-opt --kiln-to-linalg-pipeline %kiln_src_root/samples/mlp.mlir | FileCheck %s --check-prefix=LINALG
// RUN: kiln-opt --kiln-to-loops-pipeline %kiln_src_root/samples/mlp.mlir | FileCheck %s --check-prefix=LOOPS
// RUN: kiln-opt --kiln-to-llvm-pipeline %kiln_src_root/samples/mlp.mlir | FileCheck %s --check-prefix=LLVM
// RUN: kiln-opt --kiln-to-llvm-pipeline %kiln_src_root/samples/demo.mlir | FileCheck %s --check-prefix=DEMO
// RUN: kiln-opt --kiln-to-llvm-pipeline="approximate-math=false parallel-loops=false fuse-elementwise=false" %kiln_src_root/samples/w1.mlir | FileCheck %s --check-prefix=LIBM
// RUN: kiln-opt --kiln-to-loops-pipeline %kiln_src_root/samples/w1.mlir | FileCheck %s --check-prefix=APPROX

// LINALG-LABEL: func.func @mlp
//   LINALG-NOT:   kiln.
//       LINALG:   linalg.matmul
//       LINALG:   linalg.generic
//       LINALG:   linalg.matmul
//       LINALG:   return

// LOOPS-LABEL: func.func @mlp
//  LOOPS-SAME:     memref<8x16xf32>
//   LOOPS-NOT:   linalg.
//   LOOPS-NOT:   tensor.
//       LOOPS:   scf.parallel
//       LOOPS:   return %{{.+}}, %{{.+}} : memref<8x10xf32>, memref<8xi64>

// LLVM-NOT: {{(kiln|linalg|tensor|memref|scf|arith|math|func|cf|vector|bufferization)\.}}
// LLVM: llvm.func @mlp(
// LLVM-SAME: attributes {llvm.emit_c_interface}
// LLVM: llvm.func @_mlir_ciface_mlp(
// LLVM-NOT: {{(kiln|linalg|tensor|memref|scf|arith|math|func|cf|vector|bufferization)\.}}

// DEMO-NOT: {{(kiln|linalg|tensor|memref|scf|arith|math|func|cf|vector|bufferization)\.}}
// DEMO: llvm.func @_mlir_ciface_dense_gelu(

// Without approximation, exp becomes the LLVM intrinsic.
// LIBM: llvm.intr.exp

// With it (the default), no math.exp is left in the loops.
// APPROX-LABEL: func.func @w1
//   APPROX-NOT:   math.exp
//       APPROX:   math.fma
