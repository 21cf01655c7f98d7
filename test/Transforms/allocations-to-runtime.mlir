// RUN: kiln-opt --finalize-memref-to-llvm="use-generic-functions=true" \
// RUN:   --kiln-allocations-to-runtime %s | FileCheck %s
// RUN: kiln-opt --kiln-to-llvm-pipeline %s | FileCheck %s --check-prefix=PIPELINE
// RUN: kiln-opt --kiln-to-llvm-pipeline="runtime-allocator=false" %s \
// RUN:   | FileCheck %s --check-prefix=MALLOC

// Temporary buffers come from the runtime's buffer cache: MLIR's generic
// allocation functions are renamed to kiln_rt_alloc and kiln_rt_free, and
// nothing calls malloc or free. Without the runtime, they stay malloc/free.

// The blocks are new, as malloc's: noalias.
// CHECK: llvm.func @kiln_rt_alloc(i64) -> (!llvm.ptr {llvm.noalias})
// CHECK-NOT: _mlir_memref_to_llvm
// CHECK-LABEL: func.func @temporary
//       CHECK:   llvm.call @kiln_rt_alloc

// The pipeline's buffer deallocation adds the dealloc, which becomes
// kiln_rt_free.
// PIPELINE-NOT: @malloc
// PIPELINE-NOT: @free
// PIPELINE-LABEL: llvm.func @temporary
//       PIPELINE:   llvm.call @kiln_rt_alloc
//       PIPELINE:   llvm.call @kiln_rt_free
// MALLOC-NOT: kiln_rt_
// MALLOC-LABEL: llvm.func @temporary
//       MALLOC:   llvm.call @malloc
//       MALLOC:   llvm.call @free
func.func @temporary(%n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %buffer = memref.alloc(%n) : memref<?xf32>
  %x = memref.load %buffer[%c0] : memref<?xf32>
  return %x : f32
}
