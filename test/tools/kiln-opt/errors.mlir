// RUN: not kiln-opt %s -split-input-file 2>&1 | FileCheck %s --implicit-check-not=error: --implicit-check-not="Stack dump" --implicit-check-not=Assertion
// RUN: not kiln-opt %s -split-input-file -canonicalize 2>&1 | FileCheck %s --implicit-check-not=error: --implicit-check-not="Stack dump" --implicit-check-not=Assertion

// Malformed and ill-typed graph files: each gets a diagnostic at its
// file:line:col and kiln-opt exits non-zero (`not` also fails on a crash).
// No other error is printed, and nothing prints a stack dump or an assertion.

// A syntax error.
func.func @missing_comma(%x: tensor<4xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:{{[0-9]+}}: error: expected ','
  %0 = kiln.add %x %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// An unknown op in the custom form.
func.func @unknown_custom_op(%x: tensor<4xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: custom op 'kiln.frobnicate' is unknown
  %0 = kiln.frobnicate %x : tensor<4xf32>
  return
}

// -----

// An unknown op in the generic form.
func.func @unknown_generic_op(%x: tensor<4xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: unregistered operation 'kiln.frobnicate' found in dialect ('kiln') that does not allow unknown operations
  %0 = "kiln.frobnicate"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// An ill-typed op in the custom form.
func.func @ill_typed_custom(%x: tensor<3x4xf32>, %y: tensor<5xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+2]]:8: error: 'kiln.add' op shapes (3, 4) and (5) are not broadcastable
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: 'kiln.add' op failed to infer returned types
  %0 = kiln.add %x, %y : (tensor<3x4xf32>, tensor<5xf32>) -> tensor<3x4xf32>
  return
}

// -----

// The same op in the generic form.
func.func @ill_typed_generic(%x: tensor<3x4xf32>, %y: tensor<5xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+2]]:8: error: 'kiln.add' op shapes (3, 4) and (5) are not broadcastable
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: 'kiln.add' op failed to infer returned types
  %0 = "kiln.add"(%x, %y) : (tensor<3x4xf32>, tensor<5xf32>) -> tensor<3x4xf32>
  return
}

// -----

// An operand of the wrong element type.
func.func @wrong_element_type(%x: tensor<4xi32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: 'kiln.exp' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'
  %0 = kiln.exp %x : tensor<4xi32>
  return
}

// -----

// A constant whose value is not a tensor.
func.func @constant_not_a_tensor() {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:22: error: custom op 'kiln.constant' invalid kind of attribute specified
  %0 = kiln.constant 1 : i32
  return
}

// -----

// A constant whose value is not a tensor, in the generic form.
func.func @generic_constant_not_a_tensor() {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: invalid properties {value = 1 : i32} for op kiln.constant: Invalid attribute `value` in property conversion: 1 : i32
  %0 = "kiln.constant"() <{value = 1 : i32}> : () -> tensor<i32>
  return
}

// -----

// A constant whose value is missing.
func.func @constant_without_value() {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: 'kiln.constant' op requires attribute 'value'
  %0 = "kiln.constant"() : () -> tensor<i32>
  return
}

// -----

// A use of an undefined value.
func.func @undefined_value(%x: tensor<4xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:17: error: use of undeclared SSA value name
  %0 = kiln.neg %y : tensor<4xf32>
  return
}

// -----

// An element type MLIR does not know.
// CHECK: {{.*}}errors.mlir:[[@LINE+1]]:38: error: expected non-function type
func.func @unknown_type(%x: tensor<4xfoo>) {
  return
}

// -----

// A list attribute of the wrong kind.
func.func @perm_not_a_list(%x: tensor<2x3xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:32: error: expected '['
  %0 = kiln.transpose %x perm = 1 : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

// A pad value written as an integer.
func.func @pad_value_integer(%x: tensor<2xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:49: error: unexpected decimal integer literal for a floating point value
  %0 = kiln.pad %x low = [1] high = [1] value = 0 : tensor<2xf32> -> tensor<4xf32>
  return
}

// -----

// An axis that does not fit in 64 bits.
func.func @axis_too_large(%x: tensor<2xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:31: error: integer constant out of range for attribute
  %0 = kiln.softmax %x axis = 18446744073709551616 : tensor<2xf32>
  return
}

// -----

// 2^63 fits in 64 bits and MLIR's parser reads the signless i64 as -2^63 (as
// it reads every signless integer); the verifier names the value it sees.
func.func @axis_wraps(%x: tensor<2xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: 'kiln.softmax' op axis -9223372036854775808 is out of range for rank 1 (expected -1 <= axis < 1)
  %0 = kiln.softmax %x axis = 9223372036854775808 : tensor<2xf32>
  return
}

// -----

// A transpose with the wrong number of perm entries.
func.func @transpose_perm_count(%x: tensor<2x3xf32>) {
  // CHECK: {{.*}}errors.mlir:[[@LINE+2]]:8: error: 'kiln.transpose' op permutation [1, 0, 2] is not a permutation of the 2 dims of shape (2, 3)
  // CHECK: {{.*}}errors.mlir:[[@LINE+1]]:8: error: 'kiln.transpose' op failed to infer returned types
  %0 = kiln.transpose %x perm = [1, 0, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

// A file that ends inside a function body: the error is at the end of the
// last line.
// CHECK: {{.*}}errors.mlir:[[@LINE+3]]:{{[0-9]+}}: error: expected operation name in quotes
func.func @unterminated(%x: tensor<4xf32>) {
  %0 = kiln.neg %x : tensor<4xf32>
// (end of file)
