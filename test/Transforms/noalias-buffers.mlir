// RUN: kiln-opt --kiln-noalias-buffers --split-input-file --verify-diagnostics %s | FileCheck %s

// The pointer arguments of a function hosts call (it has a C interface) are
// marked noalias; other functions' are not, except the positions a function
// lists in kiln.noalias_pointers, which is then removed.
// CHECK-LABEL: llvm.func @graph(
//  CHECK-SAME:     %{{.+}}: !llvm.ptr {llvm.noalias}, %{{.+}}: !llvm.ptr {llvm.noalias}, %{{.+}}: i64)
llvm.func @graph(%a: !llvm.ptr, %b: !llvm.ptr, %n: i64) attributes {llvm.emit_c_interface} {
  llvm.return
}
// CHECK-LABEL: llvm.func @helper(
//  CHECK-SAME:     %{{.+}}: !llvm.ptr)
llvm.func @helper(%a: !llvm.ptr) {
  llvm.return
}
// CHECK-LABEL: llvm.func internal @range(
//  CHECK-SAME:     %{{.+}}: i64, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr {llvm.noalias})
//   CHECK-NOT:     kiln.noalias_pointers
llvm.func internal @range(%b: i64, %p: !llvm.ptr, %q: !llvm.ptr) attributes {kiln.noalias_pointers = array<i64: 2>} {
  llvm.return
}

// -----

// expected-error @below {{argument 0 of kiln.noalias_pointers is not a pointer}}
llvm.func internal @bad(%n: i64) attributes {kiln.noalias_pointers = array<i64: 0>} {
  llvm.return
}
