// RUN: kiln-opt %s -split-input-file -verify-diagnostics

// One case for every verifier, type-inference and type-constraint message of
// the kiln dialect. An op whose result type is inferred reports the rule's
// message and then MLIR's "failed to infer returned types"; both are expected.
// Cases in the generic form ("kiln.add"(...)) show that it is verified exactly
// as the custom form is.

// A numeric-only op on bools.
func.func @numeric_op_on_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{'kiln.add' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer values, but got 'tensor<4xi1>'}}
  %0 = kiln.add %x, %x : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

// -----

// A float-only op on integers.
func.func @float_op_on_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.exp' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = kiln.exp %x : tensor<4xi32>
  return
}

// -----

// A float-only reduction on integers.
func.func @reduce_mean_on_int(%x: tensor<4xi64>) {
  // expected-error @+1 {{'kiln.reduce_mean' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi64>'}}
  %0 = kiln.reduce_mean %x axes = [0] : tensor<4xi64> -> tensor<i64>
  return
}

// -----

// A bool-only op on floats.
func.func @logical_op_on_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.and' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.and %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

// not on integers.
func.func @not_on_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.not' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = kiln.not %x : tensor<4xi32>
  return
}

// -----

// A select condition that is not bool.
func.func @select_condition_not_bool(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.select' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.select %x, %x, %x : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// A comparison's result must be bool.
func.func @compare_result_not_bool(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.lt' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.lt %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Gather indices of floats.
func.func @gather_float_indices(%x: tensor<5x3xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = kiln.gather %x, %i axis = 0 : (tensor<5x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

// argmax returns i64 indices.
func.func @argmax_result_not_i64(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.argmax' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<i32>'}}
  %0 = kiln.argmax %x axis = 0 : tensor<4xf32> -> tensor<i32>
  return
}

// -----

// An element type Kiln does not support.
func.func @unsupported_element_type(%x: tensor<4xi4>) {
  // expected-error @+1 {{'kiln.reshape' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 1-bit signless integer or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer values, but got 'tensor<4xi4>'}}
  %0 = kiln.reshape %x shape = [2, 2] : tensor<4xi4> -> tensor<2x2xi4>
  return
}

// -----

// Unsigned integers wider than 16 bits are not Kiln integers.
func.func @unsigned_element_type(%x: tensor<4xui32>) {
  // expected-error @+1 {{'kiln.neg' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer values, but got 'tensor<4xui32>'}}
  %0 = kiln.neg %x : tensor<4xui32>
  return
}

// -----

// Unranked tensors are not Kiln values.
func.func @unranked_operand(%x: tensor<*xf32>) {
  // expected-error @+1 {{'kiln.softmax' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<*xf32>'}}
  %0 = "kiln.softmax"(%x) <{axis = 0 : i64}> : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

// Unary ops keep their operand's type.
func.func @unary_result_type_differs(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.neg' op requires the same type for all operands and results}}
  %0 = "kiln.neg"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return
}

// -----

// softmax keeps its operand's type.
func.func @softmax_result_type_differs(%x: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.softmax' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<?xf32>'}}
  // expected-error @+1 {{'kiln.softmax' op failed to infer returned types}}
  %0 = "kiln.softmax"(%x) <{axis = 0 : i64}> : (tensor<4xf32>) -> tensor<?xf32>
  return
}

// -----

// A layer_norm scale must be a float tensor.
func.func @layer_norm_int_scale(%x: tensor<4xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.layer_norm' op operand #1 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = kiln.layer_norm %x scale %s axes = [0] epsilon = 1.0e-05 : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

// A constant's result type is its value's type.
func.func @constant_type_mismatch() {
  // expected-error @+1 {{'kiln.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "kiln.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

// A constant of an element type Kiln does not support.
func.func @constant_unsupported_type() {
  // expected-error @+1 {{'kiln.constant' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 1-bit signless integer or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer values, but got 'tensor<2xui32>'}}
  %0 = kiln.constant dense<1> : tensor<2xui32>
  return
}

// -----

// Axes are i64 attributes.
func.func @axis_not_i64(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.expand_dims' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = "kiln.expand_dims"(%x) <{axis = 0 : i32}> : (tensor<4xf32>) -> tensor<1x4xf32>
  return
}

// -----

// A required attribute is missing (generic form).
func.func @missing_attribute(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.transpose' op requires attribute 'perm'}}
  %0 = "kiln.transpose"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// The generic form checks operand counts.
func.func @wrong_operand_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.add' op expected 2 operands, but found 1}}
  %0 = "kiln.add"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// layer_norm operand segments must add up.
func.func @layer_norm_segments(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.layer_norm' op operand count (1) does not match with the total size (2) specified in attribute 'operandSegmentSizes'}}
  %0 = "kiln.layer_norm"(%x) <{axes = array<i64: 0>, epsilon = 1.0 : f64, operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// The written result type disagrees with the inferred one (element type).
func.func @result_element_type_mismatch(%x: tensor<4xi32>, %y: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.add' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xi32>'}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = kiln.add %x, %y : (tensor<4xi32>, tensor<4xf32>) -> tensor<4xi32>
  return
}

// -----

// The written result type disagrees with the inferred one (shape).
func.func @result_shape_mismatch(%x: tensor<4x1xf32>, %y: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.mul' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x1xf32>'}}
  // expected-error @+1 {{'kiln.mul' op failed to infer returned types}}
  %0 = kiln.mul %x, %y : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x1xf32>
  return
}

// -----

// The written result type disagrees with the inferred one (rank).
func.func @result_rank_mismatch(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.reduce_sum' op inferred type(s) 'tensor<4x1xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'kiln.reduce_sum' op failed to infer returned types}}
  %0 = kiln.reduce_sum %x axes = [1] keepdims : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

// The generic form is verified as the custom form is.
func.func @generic_result_mismatch(%x: tensor<4xf32>, %y: tensor<f64>) {
  // expected-error @+2 {{'kiln.sub' op inferred type(s) 'tensor<4xf64>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'kiln.sub' op failed to infer returned types}}
  %0 = "kiln.sub"(%x, %y) : (tensor<4xf32>, tensor<f64>) -> tensor<4xf32>
  return
}

// -----

// A comparison's written shape disagrees with the inferred one.
func.func @compare_shape_mismatch(%x: tensor<4xf32>, %y: tensor<f32>) {
  // expected-error @+2 {{'kiln.eq' op inferred type(s) 'tensor<4xi1>' are incompatible with return type(s) of operation 'tensor<i1>'}}
  // expected-error @+1 {{'kiln.eq' op failed to infer returned types}}
  %0 = kiln.eq %x, %y : (tensor<4xf32>, tensor<f32>) -> tensor<i1>
  return
}

// -----

// select promotes its values.
func.func @select_result_mismatch(%c: tensor<4xi1>, %a: tensor<4xi32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{'kiln.select' op inferred type(s) 'tensor<4xf16>' are incompatible with return type(s) of operation 'tensor<4xi32>'}}
  // expected-error @+1 {{'kiln.select' op failed to infer returned types}}
  %0 = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xi32>, tensor<4xf16>) -> tensor<4xi32>
  return
}

// -----

// argmax's written shape disagrees with the inferred one.
func.func @argmax_shape_mismatch(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.argmax' op inferred type(s) 'tensor<4xi64>' are incompatible with return type(s) of operation 'tensor<8xi64>'}}
  // expected-error @+1 {{'kiln.argmax' op failed to infer returned types}}
  %0 = kiln.argmax %x axis = 1 : tensor<4x8xf32> -> tensor<8xi64>
  return
}

// -----

// layer_norm keeps its input's type.
func.func @layer_norm_result_mismatch(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x8xf64>'}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x axes = [1] epsilon = 1.0e-05 : (tensor<4x8xf32>) -> tensor<4x8xf64>
  return
}

// -----

// Shapes that do not broadcast.
func.func @not_broadcastable(%x: tensor<3x4xf32>, %y: tensor<5xf32>) {
  // expected-error @+2 {{'kiln.add' op shapes (3, 4) and (5) are not broadcastable}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = kiln.add %x, %y : (tensor<3x4xf32>, tensor<5xf32>) -> tensor<3x4xf32>
  return
}

// -----

// Shapes that do not broadcast (generic form).
func.func @generic_not_broadcastable(%x: tensor<3x4xf32>, %y: tensor<5xf32>) {
  // expected-error @+2 {{'kiln.add' op shapes (3, 4) and (5) are not broadcastable}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = "kiln.add"(%x, %y) : (tensor<3x4xf32>, tensor<5xf32>) -> tensor<3x4xf32>
  return
}

// -----

// Static dimensions that disagree with dynamic ones around them.
func.func @not_broadcastable_dynamic(%x: tensor<?x4xf32>, %y: tensor<?x3xf32>) {
  // expected-error @+2 {{'kiln.ge' op shapes (?, 4) and (?, 3) are not broadcastable}}
  // expected-error @+1 {{'kiln.ge' op failed to infer returned types}}
  %0 = kiln.ge %x, %y : (tensor<?x4xf32>, tensor<?x3xf32>) -> tensor<?x4xi1>
  return
}

// -----

// Three shapes that do not broadcast.
func.func @select_not_broadcastable(%c: tensor<2xi1>, %a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.select' op shapes (2), (3) and (4) are not broadcastable}}
  // expected-error @+1 {{'kiln.select' op failed to infer returned types}}
  %0 = kiln.select %c, %a, %b : (tensor<2xi1>, tensor<3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// cast keeps the shape.
func.func @cast_shape_differs(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.cast' op operand shape (4) and result shape (4, 1) differ}}
  %0 = kiln.cast %x : tensor<4xf32> to tensor<4x1xi32>
  return
}

// -----

// cast keeps the shape (generic form, static dims that differ).
func.func @generic_cast_shape_differs(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{'kiln.cast' op operand shape (?, 3) and result shape (2, 4) differ}}
  %0 = "kiln.cast"(%x) : (tensor<?x3xf32>) -> tensor<2x4xi64>
  return
}

// -----

// reshape with two -1.
func.func @reshape_two_inferred(%x: tensor<6xf32>) {
  // expected-error @+2 {{'kiln.reshape' op target shape [-1, -1] has more than one -1}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x shape = [-1, -1] : tensor<6xf32> -> tensor<?x?xf32>
  return
}

// -----

// reshape to a negative dimension other than -1.
func.func @reshape_negative(%x: tensor<6xf32>) {
  // expected-error @+2 {{'kiln.reshape' op target shape [-2, -3] has a negative dimension}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x shape = [-2, -3] : tensor<6xf32> -> tensor<2x3xf32>
  return
}

// -----

// reshape to the most negative integer (the runtime's dynamic marker).
func.func @reshape_int64_min(%x: tensor<6xf32>) {
  // expected-error @+2 {{'kiln.reshape' op target shape [-9223372036854775808] has a negative dimension}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x shape = [-9223372036854775808] : tensor<6xf32> -> tensor<?xf32>
  return
}

// -----

// reshape to another element count.
func.func @reshape_count_differs(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape (2, 3) (6 elements) to (4, 2) (8 elements)}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x shape = [4, 2] : tensor<2x3xf32> -> tensor<4x2xf32>
  return
}

// -----

// reshape with a -1 that does not divide.
func.func @reshape_inferred_not_divisible(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape (2, 3) (6 elements) to [4, -1]}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x shape = [4, -1] : tensor<2x3xf32> -> tensor<4x?xf32>
  return
}

// -----

// reshape with a -1 next to a zero.
func.func @reshape_inferred_with_zero(%x: tensor<0x5xf32>) {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape (0, 5) (0 elements) to [0, -1]}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x shape = [0, -1] : tensor<0x5xf32> -> tensor<0x?xf32>
  return
}

// -----

// reshape to more elements than int64 holds.
func.func @reshape_target_overflow(%x: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.reshape' op target shape [4611686018427387904, 4] has more elements than fit in int64}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x shape = [4611686018427387904, 4] : tensor<4xf32> -> tensor<4611686018427387904x4xf32>
  return
}

// -----

// reshape from more elements than int64 holds.
func.func @reshape_input_overflow(%x: tensor<3x9223372036854775807xf32>) {
  // expected-error @+2 {{'kiln.reshape' op shape (3, 9223372036854775807) has more elements than fit in int64}}
  // expected-error @+1 {{'kiln.reshape' op failed to infer returned types}}
  %0 = kiln.reshape %x shape = [-1] : tensor<3x9223372036854775807xf32> -> tensor<?xf32>
  return
}

// -----

// transpose with too few perm entries.
func.func @transpose_short_perm(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'kiln.transpose' op permutation [1, 0] is not a permutation of the 3 dims of shape (2, 3, 4)}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x perm = [1, 0] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}

// -----

// transpose with a repeated perm entry.
func.func @transpose_repeated(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.transpose' op permutation [0, 0] is not a permutation of the 2 dims of shape (2, 3)}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x perm = [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

// transpose with a huge or negative perm entry.
func.func @transpose_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.transpose' op permutation [-9223372036854775808, 9223372036854775807] is not a permutation of the 2 dims of shape (2, 3)}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x perm = [-9223372036854775808, 9223372036854775807] : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

// transpose of a scalar with a perm entry (generic form).
func.func @generic_transpose_scalar(%x: tensor<f32>) {
  // expected-error @+2 {{'kiln.transpose' op permutation [0] is not a permutation of the 0 dims of shape ()}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = "kiln.transpose"(%x) <{perm = array<i64: 0>}> : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// broadcast_to a negative dimension.
func.func @broadcast_to_negative(%x: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.broadcast_to' op target shape [-1, 3] has a negative dimension}}
  // expected-error @+1 {{'kiln.broadcast_to' op failed to infer returned types}}
  %0 = kiln.broadcast_to %x shape = [-1, 3] : tensor<3xf32> -> tensor<?x3xf32>
  return
}

// -----

// broadcast_to a lower rank.
func.func @broadcast_to_lower_rank(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.broadcast_to' op shape (2, 3) cannot be broadcast to (3)}}
  // expected-error @+1 {{'kiln.broadcast_to' op failed to infer returned types}}
  %0 = kiln.broadcast_to %x shape = [3] : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

// broadcast_to a shape whose sizes disagree.
func.func @broadcast_to_size_differs(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.broadcast_to' op shape (2, 3) cannot be broadcast to (4, 2, 4)}}
  // expected-error @+1 {{'kiln.broadcast_to' op failed to infer returned types}}
  %0 = kiln.broadcast_to %x shape = [4, 2, 4] : tensor<2x3xf32> -> tensor<4x2x4xf32>
  return
}

// -----

// expand_dims past the end.
func.func @expand_dims_axis_too_large(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.expand_dims' op axis 3 is out of range for rank 3 (expected -3 <= axis < 3)}}
  // expected-error @+1 {{'kiln.expand_dims' op failed to infer returned types}}
  %0 = kiln.expand_dims %x axis = 3 : tensor<2x3xf32> -> tensor<2x3x1xf32>
  return
}

// -----

// expand_dims at the most negative axis.
func.func @expand_dims_int64_min(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.expand_dims' op axis -9223372036854775808 is out of range for rank 3 (expected -3 <= axis < 3)}}
  // expected-error @+1 {{'kiln.expand_dims' op failed to infer returned types}}
  %0 = kiln.expand_dims %x axis = -9223372036854775808 : tensor<2x3xf32> -> tensor<1x2x3xf32>
  return
}

// -----

// squeeze of a dimension whose size is not 1.
func.func @squeeze_not_one(%x: tensor<1x3xf32>) {
  // expected-error @+2 {{'kiln.squeeze' op cannot squeeze axis 1 of size 3 in shape (1, 3)}}
  // expected-error @+1 {{'kiln.squeeze' op failed to infer returned types}}
  %0 = kiln.squeeze %x axes = [1] : tensor<1x3xf32> -> tensor<1xf32>
  return
}

// -----

// squeeze of every size-1 dimension when some are dynamic.
func.func @squeeze_all_dynamic(%x: tensor<1x?xf32>) {
  // expected-error @+2 {{'kiln.squeeze' op cannot squeeze every size-1 dimension of shape (1, ?) with dynamic dimensions; list the axes}}
  // expected-error @+1 {{'kiln.squeeze' op failed to infer returned types}}
  %0 = kiln.squeeze %x axes = [] : tensor<1x?xf32> -> tensor<?xf32>
  return
}

// -----

// squeeze of a repeated axis.
func.func @squeeze_repeated(%x: tensor<1x3xf32>) {
  // expected-error @+2 {{'kiln.squeeze' op axis -2 is repeated in [0, -2]}}
  // expected-error @+1 {{'kiln.squeeze' op failed to infer returned types}}
  %0 = kiln.squeeze %x axes = [0, -2] : tensor<1x3xf32> -> tensor<3xf32>
  return
}

// -----

// squeeze of a scalar.
func.func @squeeze_scalar(%x: tensor<f32>) {
  // expected-error @+2 {{'kiln.squeeze' op axis 0 is out of range for a scalar}}
  // expected-error @+1 {{'kiln.squeeze' op failed to infer returned types}}
  %0 = kiln.squeeze %x axes = [0] : tensor<f32> -> tensor<f32>
  return
}

// -----

// squeeze of a huge axis.
func.func @squeeze_huge_axis(%x: tensor<1x3xf32>) {
  // expected-error @+2 {{'kiln.squeeze' op axis 9223372036854775807 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'kiln.squeeze' op failed to infer returned types}}
  %0 = kiln.squeeze %x axes = [9223372036854775807] : tensor<1x3xf32> -> tensor<3xf32>
  return
}

// -----

// concat of nothing.
func.func @concat_empty() {
  // expected-error @+2 {{'kiln.concat' op expects at least one input}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat axis = 0 : () -> tensor<0xf32>
  return
}

// -----

// concat of nothing (generic form).
func.func @generic_concat_empty() {
  // expected-error @+2 {{'kiln.concat' op expects at least one input}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = "kiln.concat"() <{axis = 0 : i64}> : () -> tensor<0xf32>
  return
}

// -----

// concat of two element types.
func.func @concat_element_types(%x: tensor<2xf32>, %y: tensor<2xi32>) {
  // expected-error @+2 {{'kiln.concat' op expects inputs of one element type, got f32 and i32}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %x, %y axis = 0 : (tensor<2xf32>, tensor<2xi32>) -> tensor<4xf32>
  return
}

// -----

// concat whose other dimensions differ.
func.func @concat_shapes_differ(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+2 {{'kiln.concat' op shapes (2, 3) and (2, 4) differ outside the concatenation axis 0}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %x, %y axis = 0 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

// concat of two ranks.
func.func @concat_ranks_differ(%x: tensor<2x3xf32>, %y: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.concat' op shapes (2, 3) and (2) differ outside the concatenation axis 0}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %x, %y axis = 0 : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x3xf32>
  return
}

// -----

// concat along an axis out of range.
func.func @concat_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %x, %x axis = -3 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// concat of scalars.
func.func @concat_scalars(%x: tensor<f32>) {
  // expected-error @+2 {{'kiln.concat' op axis 0 is out of range for a scalar}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %x, %x axis = 0 : (tensor<f32>, tensor<f32>) -> tensor<2xf32>
  return
}

// -----

// concat to a size beyond int64.
func.func @concat_overflow(%x: tensor<9223372036854775807xf32>) {
  // expected-error @+2 {{'kiln.concat' op the concatenation of shapes (9223372036854775807) and (9223372036854775807) along axis 0 has a dimension too large for int64}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %x, %x axis = 0 : (tensor<9223372036854775807xf32>, tensor<9223372036854775807xf32>) -> tensor<?xf32>
  return
}

// -----

// slice with lists of the wrong length.
func.func @slice_list_length(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{'kiln.slice' op start [0], limit [4, 3] and stride [1, 1] must each have 2 values for shape (4, 3)}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start = [0] limit = [4, 3] stride = [1, 1] : tensor<4x3xf32> -> tensor<4x3xf32>
  return
}

// -----

// slice past the end.
func.func @slice_limit_too_large(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{'kiln.slice' op slice [0:5:1] is invalid for dim 1 of shape (4, 3) (expected 0 <= start <= limit <= size and stride >= 1)}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start = [0, 0] limit = [4, 5] stride = [1, 1] : tensor<4x3xf32> -> tensor<4x5xf32>
  return
}

// -----

// slice with start after limit.
func.func @slice_start_after_limit(%x: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.slice' op slice [3:1:1] is invalid for dim 0 of shape (4) (expected 0 <= start <= limit <= size and stride >= 1)}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start = [3] limit = [1] stride = [1] : tensor<4xf32> -> tensor<0xf32>
  return
}

// -----

// slice with a negative start.
func.func @slice_negative_start(%x: tensor<?xf32>) {
  // expected-error @+2 {{'kiln.slice' op slice [-1:2:1] is invalid for dim 0 of shape (?) (expected 0 <= start <= limit <= size and stride >= 1)}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start = [-1] limit = [2] stride = [1] : tensor<?xf32> -> tensor<3xf32>
  return
}

// -----

// slice with a zero stride.
func.func @slice_zero_stride(%x: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.slice' op slice [0:4:0] is invalid for dim 0 of shape (4) (expected 0 <= start <= limit <= size and stride >= 1)}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start = [0] limit = [4] stride = [0] : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

// slice with a huge stride takes one element.
func.func @slice_huge_stride(%x: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.slice' op inferred type(s) 'tensor<1xf32>' are incompatible with return type(s) of operation 'tensor<0xf32>'}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start = [0] limit = [4] stride = [9223372036854775807] : tensor<4xf32> -> tensor<0xf32>
  return
}

// -----

// pad with lists of the wrong length.
func.func @pad_list_length(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.pad' op padding low [1] and high [1, 1, 1] must each have 2 values for shape (2, 3)}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x low = [1] high = [1, 1, 1] value = 0.0 : tensor<2x3xf32> -> tensor<4x5xf32>
  return
}

// -----

// pad by a negative amount.
func.func @pad_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.pad' op padding low [0, -1] and high [0, 0] must be non-negative}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x low = [0, -1] high = [0, 0] value = 0.0 : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

// pad to a size beyond int64.
func.func @pad_overflow(%x: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.pad' op padding low [9223372036854775807] and high [0] overflow dim 0 of shape (4)}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x low = [9223372036854775807] high = [0] value = 0.0 : tensor<4xf32> -> tensor<?xf32>
  return
}

// -----

// gather along an axis out of range.
func.func @gather_axis_out_of_range(%x: tensor<5x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'kiln.gather' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'kiln.gather' op failed to infer returned types}}
  %0 = kiln.gather %x, %i axis = 2 : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<5x3x2xf32>
  return
}

// -----

// gather from a scalar.
func.func @gather_scalar(%x: tensor<f32>, %i: tensor<2xi32>) {
  // expected-error @+2 {{'kiln.gather' op axis 0 is out of range for a scalar}}
  // expected-error @+1 {{'kiln.gather' op failed to infer returned types}}
  %0 = kiln.gather %x, %i axis = 0 : (tensor<f32>, tensor<2xi32>) -> tensor<2xf32>
  return
}

// -----

// reduce over an axis out of range.
func.func @reduce_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.reduce_sum' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'kiln.reduce_sum' op failed to infer returned types}}
  %0 = kiln.reduce_sum %x axes = [2] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

// reduce over a repeated axis.
func.func @reduce_axis_repeated(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.reduce_max' op axis -1 is repeated in [1, -1]}}
  // expected-error @+1 {{'kiln.reduce_max' op failed to infer returned types}}
  %0 = kiln.reduce_max %x axes = [1, -1] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

// reduce a scalar over an axis.
func.func @reduce_scalar_axis(%x: tensor<i32>) {
  // expected-error @+2 {{'kiln.reduce_prod' op axis -1 is out of range for a scalar}}
  // expected-error @+1 {{'kiln.reduce_prod' op failed to infer returned types}}
  %0 = kiln.reduce_prod %x axes = [-1] : tensor<i32> -> tensor<i32>
  return
}

// -----

// argmin along an axis out of range.
func.func @argmin_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.argmin' op axis -9223372036854775808 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'kiln.argmin' op failed to infer returned types}}
  %0 = kiln.argmin %x axis = -9223372036854775808 : tensor<4x8xf32> -> tensor<4xi64>
  return
}

// -----

// argmax along an empty axis.
func.func @argmax_empty_axis(%x: tensor<4x0xf32>) {
  // expected-error @+2 {{'kiln.argmax' op cannot reduce the empty axis -1 of shape (4, 0)}}
  // expected-error @+1 {{'kiln.argmax' op failed to infer returned types}}
  %0 = kiln.argmax %x axis = -1 : tensor<4x0xf32> -> tensor<4xi64>
  return
}

// -----

// matmul of a scalar.
func.func @matmul_scalar(%x: tensor<f32>, %y: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.matmul' op operands must have rank >= 1, got shapes () and (4)}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %x, %y : (tensor<f32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

// matmul whose contraction dimensions differ.
func.func @matmul_contraction(%x: tensor<2x3xf32>, %y: tensor<4x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op contraction dimensions differ: shapes (2, 3) and (4, 5) (3 vs 4)}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %x, %y : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// matmul of vectors of two lengths.
func.func @matmul_vectors(%x: tensor<3xf32>, %y: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.matmul' op contraction dimensions differ: shapes (3) and (4) (3 vs 4)}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %x, %y : (tensor<3xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

// matmul whose batch dimensions do not broadcast.
func.func @matmul_batch(%x: tensor<2x4x3xf32>, %y: tensor<5x3x6xf32>) {
  // expected-error @+2 {{'kiln.matmul' op batch dimensions of shapes (2, 4, 3) and (5, 3, 6) are not broadcastable}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %x, %y : (tensor<2x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

// cumsum along an axis out of range.
func.func @cumsum_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'kiln.cumsum' op axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %0 = kiln.cumsum %x axis = -3 : tensor<4x8xf32>
  return
}

// -----

// softmax along an axis out of range.
func.func @softmax_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'kiln.softmax' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %0 = kiln.softmax %x axis = 2 : tensor<4x8xf32>
  return
}

// -----

// log_softmax of a scalar.
func.func @log_softmax_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.log_softmax' op axis 0 is out of range for a scalar}}
  %0 = kiln.log_softmax %x axis = 0 : tensor<f32>
  return
}

// -----

// log_softmax along an axis out of range (generic form).
func.func @generic_log_softmax_axis(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'kiln.log_softmax' op axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %0 = "kiln.log_softmax"(%x) <{axis = -3 : i64}> : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm over no axis.
func.func @layer_norm_no_axes(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op axes [] must list at least one axis to normalize over}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x axes = [] epsilon = 1.0e-05 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm over an axis out of range.
func.func @layer_norm_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x axes = [2] epsilon = 1.0e-05 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm over a repeated axis.
func.func @layer_norm_axis_repeated(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op axis 1 is repeated in [-1, 1]}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x axes = [-1, 1] epsilon = 1.0e-05 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm with a negative epsilon.
func.func @layer_norm_negative_epsilon(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op epsilon -1.000000e-05 must be a non-negative number}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x axes = [1] epsilon = -1.0e-05 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm with a NaN epsilon.
func.func @layer_norm_nan_epsilon(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op epsilon nan must be a non-negative number}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x axes = [1] epsilon = 0x7FF8000000000000 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm with a scale of another element type.
func.func @layer_norm_scale_element_type(%x: tensor<4x8xf32>, %s: tensor<8xf16>) {
  // expected-error @+2 {{'kiln.layer_norm' op scale element type f16 differs from the input's f32}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x scale %s axes = [1] epsilon = 1.0e-05 : (tensor<4x8xf32>, tensor<8xf16>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm with a bias of another element type.
func.func @layer_norm_bias_element_type(%x: tensor<4x8xf32>, %b: tensor<8xf64>) {
  // expected-error @+2 {{'kiln.layer_norm' op bias element type f64 differs from the input's f32}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x bias %b axes = [1] epsilon = 1.0e-05 : (tensor<4x8xf32>, tensor<8xf64>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm with a scale that does not broadcast.
func.func @layer_norm_scale_shape(%x: tensor<4x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op scale shape (4) cannot be broadcast to (4, 8)}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x scale %s axes = [1] epsilon = 1.0e-05 : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  return
}

// -----

// layer_norm with a bias of a higher rank.
func.func @layer_norm_bias_rank(%x: tensor<8xf32>, %b: tensor<2x8xf32>) {
  // expected-error @+2 {{'kiln.layer_norm' op bias shape (2, 8) cannot be broadcast to (8)}}
  // expected-error @+1 {{'kiln.layer_norm' op failed to infer returned types}}
  %0 = kiln.layer_norm %x bias %b axes = [0] epsilon = 1.0e-05 : (tensor<8xf32>, tensor<2x8xf32>) -> tensor<8xf32>
  return
}

// -----

// A maximum over no elements is undefined.
func.func @reduce_max_of_empty_axis(%x: tensor<0x3xf32>) -> tensor<3xf32> {
  // expected-error@+2 {{'kiln.reduce_max' op cannot reduce an empty axis of shape (0, 3) (axes [0] have no elements)}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kiln.reduce_max %x axes = [0] : tensor<0x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reduce_min_of_empty_tensor(%x: tensor<0xf32>) -> tensor<f32> {
  // expected-error@+2 {{'kiln.reduce_min' op cannot reduce an empty axis of shape (0) (axes [] have no elements)}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kiln.reduce_min %x axes = [] : tensor<0xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A conv's weight must match the input's channels in its groups.
func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error@+2 {{'kiln.conv' op the weight must be M x C/groups x K..., with C and M multiples of groups (1), got shapes (1, 3, 8, 8) and (4, 2, 3, 3)}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// One stride per spatial dimension.
func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error@+2 {{'kiln.conv' op strides has 1 values for 2 spatial dimensions}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w strides = [1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// The kernel must fit the padded input.
func.func @conv_kernel_too_big(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error@+2 {{'kiln.conv' op the kernel (extent 3) is larger than spatial dimension 0 with its padding (2)}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32>
  return
}

// -----

// conv computes in f32 or f64.
func.func @conv_f16(%x: tensor<1x3x8x8xf16>, %w: tensor<4x3x3x3xf16>) {
  // expected-error@+2 {{'kiln.conv' op computes in f32 or f64, got f16}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x3x8x8xf16>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf16>
  return
}

// -----

// The bias has one element per output channel.
func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error@+2 {{'kiln.conv' op the bias must have shape (4), got (3)}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w bias %b strides = [1, 1] pads_begin = [0, 0] pads_end = [0, 0] dilations = [1, 1] groups = 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// argsort along an axis out of range.
func.func @argsort_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'kiln.argsort' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %0 = kiln.argsort %x axis = 2 : tensor<4x8xf32> -> tensor<4x8xi64>
  return
}

// -----

// argsort's result has the input's shape.
func.func @argsort_shape(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'kiln.argsort' op result shape (8, 4) differs from the input's (4, 8)}}
  %0 = kiln.argsort %x axis = 0 : tensor<4x8xf32> -> tensor<8x4xi64>
  return
}

// -----

// scatter_nd's updates must match the indices and the input.
func.func @scatter_updates_shape(%x: tensor<4x8xf32>, %i: tensor<2x1xi64>, %u: tensor<3x8xf32>) {
  // expected-error @+2 {{'kiln.scatter_nd' op updates of shape (3, 8) do not match indices (2, 1) into input (4, 8): expected (2, 8)}}
  // expected-error @+1 {{'kiln.scatter_nd' op failed to infer returned types}}
  %0 = kiln.scatter_nd %x, %i, %u reduction = "none" : (tensor<4x8xf32>, tensor<2x1xi64>, tensor<3x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// scatter_nd's index vectors cannot be longer than the input's rank.
func.func @scatter_index_length(%x: tensor<4x8xf32>, %i: tensor<2x3xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.scatter_nd' op index vectors of length 3 (indices shape (2, 3)) address more dimensions than the input (4, 8) has}}
  // expected-error @+1 {{'kiln.scatter_nd' op failed to infer returned types}}
  %0 = kiln.scatter_nd %x, %i, %u reduction = "none" : (tensor<4x8xf32>, tensor<2x3xi64>, tensor<2xf32>) -> tensor<4x8xf32>
  return
}

// -----

// scatter_nd's reduction is one of five.
func.func @scatter_reduction(%x: tensor<4xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{'kiln.scatter_nd' op reduction "mean" must be one of none, add, mul, max, min}}
  // expected-error @+1 {{'kiln.scatter_nd' op failed to infer returned types}}
  %0 = kiln.scatter_nd %x, %i, %u reduction = "mean" : (tensor<4xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<4xf32>
  return
}

// -----

// scatter_nd's updates have the input's element type.
func.func @scatter_update_type(%x: tensor<4xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf64>) {
  // expected-error @+2 {{'kiln.scatter_nd' op updates element type f64 differs from the input's f32}}
  // expected-error @+1 {{'kiln.scatter_nd' op failed to infer returned types}}
  %0 = kiln.scatter_nd %x, %i, %u reduction = "none" : (tensor<4xf32>, tensor<2x1xi64>, tensor<2xf64>) -> tensor<4xf32>
  return
}

// -----

// A random op's seed is a scalar.
func.func @random_seed_rank(%s: tensor<2xi64>) {
  // expected-error @+1 {{'kiln.random_uniform' op seed must be a rank-0 tensor, got 'tensor<2xi64>'}}
  %0 = kiln.random_uniform %s low = 0.0 high = 1.0 : tensor<2xi64> -> tensor<4xf32>
  return
}

// -----

// A random op's shape is static.
func.func @random_dynamic_shape(%s: tensor<i64>) {
  // expected-error @+1 {{'kiln.random_normal' op result shape must be static, got (?, 4)}}
  %0 = kiln.random_normal %s mean = 0.0 stddev = 1.0 : tensor<i64> -> tensor<?x4xf32>
  return
}

// -----

// A random op's result is floating.
func.func @random_integer(%s: tensor<i64>) {
  // expected-error @+1 {{'kiln.random_uniform' op result #0 must be ranked tensor of}}
  %0 = kiln.random_uniform %s low = 0.0 high = 1.0 : tensor<i64> -> tensor<4xi32>
  return
}

// -----

// Floats have no bitwise ops.
func.func @bitwise_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.bitwise_and' op operand #0 must be ranked tensor of}}
  %0 = kiln.bitwise_and %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Shifts take integers, not bools.
func.func @shift_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{'kiln.left_shift' op operand #0 must be ranked tensor of}}
  %0 = kiln.left_shift %x, %x : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

// -----

// The result of mixed signedness is the wider signed type.
func.func @small_integer_promotion(%u: tensor<4xui8>, %i: tensor<4xi8>) {
  // expected-error @+2 {{'kiln.add' op inferred type(s) 'tensor<4xi16>' are incompatible with return type(s) of operation 'tensor<4xui8>'}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = kiln.add %u, %i : (tensor<4xui8>, tensor<4xi8>) -> tensor<4xui8>
  return
}
