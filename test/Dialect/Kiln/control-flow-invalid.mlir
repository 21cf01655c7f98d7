// RUN: kiln-opt %s -split-input-file -verify-diagnostics

// Every verifier message of kiln.if, kiln.for and kiln.while.

func.func @if_branch_types(%p: tensor<i1>, %x: tensor<4xf32>, %y: tensor<4xf64>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.if' op region 'else' yields (tensor<4xf64>), expected (tensor<4xf32>)}}
  %r = kiln.if %p -> (tensor<4xf32>) {
    kiln.yield %x : tensor<4xf32>
  } else {
    kiln.yield %y : tensor<4xf64>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @if_then_count(%p: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.if' op region 'then' yields (tensor<4xf32>, tensor<4xf32>), expected (tensor<4xf32>)}}
  %r = kiln.if %p -> (tensor<4xf32>) {
    kiln.yield %x, %x : tensor<4xf32>, tensor<4xf32>
  } else {
    kiln.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @if_condition_rank(%p: tensor<2xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 must be 0-d tensor of i1}}
  %r = "kiln.if"(%p) ({
    kiln.yield %x : tensor<4xf32>
  }, {
    kiln.yield %x : tensor<4xf32>
  }) : (tensor<2xi1>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @for_results(%lo: tensor<i64>, %x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{'kiln.for' op results (tensor<4xf64>) differ from the initial carry (tensor<4xf32>)}}
  %r = kiln.for %lo to %lo iter_args(%x : tensor<4xf32>) -> (tensor<4xf64>) {
  ^bb0(%i: tensor<i64>, %c: tensor<4xf32>):
    kiln.yield %c : tensor<4xf32>
  }
  return %r : tensor<4xf64>
}

// -----

func.func @for_arguments(%lo: tensor<i64>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.for' op region 'body' takes (tensor<4xf32>), expected (tensor<i64>, tensor<4xf32>)}}
  %r = kiln.for %lo to %lo iter_args(%x : tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%c: tensor<4xf32>):
    kiln.yield %c : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @for_yield(%lo: tensor<i64>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.for' op region 'body' yields (tensor<2xf32>), expected (tensor<4xf32>)}}
  %r = kiln.for %lo to %lo iter_args(%x : tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<4xf32>):
    %0 = kiln.slice %c start = [0] limit = [2] stride = [1] : tensor<4xf32> -> tensor<2xf32>
    kiln.yield %0 : tensor<2xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @for_bound(%lo: tensor<i32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 must be 0-d tensor of i64}}
  %r = "kiln.for"(%lo, %lo, %x) ({
  ^bb0(%i: tensor<i64>, %c: tensor<4xf32>):
    kiln.yield %c : tensor<4xf32>
  }) : (tensor<i32>, tensor<i32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @while_results(%x: tensor<f32>) -> tensor<f64> {
  // expected-error @+1 {{'kiln.while' op results (tensor<f64>) differ from the initial carry (tensor<f32>)}}
  %r = kiln.while (%x : tensor<f32>) -> (tensor<f64>) cond {
  ^bb0(%c: tensor<f32>):
    %0 = kiln.lt %c, %c : (tensor<f32>, tensor<f32>) -> tensor<i1>
    kiln.yield %0 : tensor<i1>
  } do {
  ^bb0(%c: tensor<f32>):
    kiln.yield %c : tensor<f32>
  }
  return %r : tensor<f64>
}

// -----

func.func @while_cond_arguments(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.while' op region 'cond' takes (), expected (tensor<f32>)}}
  %r = kiln.while (%x : tensor<f32>) -> (tensor<f32>) cond {
    %0 = kiln.lt %x, %x : (tensor<f32>, tensor<f32>) -> tensor<i1>
    kiln.yield %0 : tensor<i1>
  } do {
  ^bb0(%c: tensor<f32>):
    kiln.yield %c : tensor<f32>
  }
  return %r : tensor<f32>
}

// -----

func.func @while_body_arguments(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.while' op region 'do' takes (tensor<f64>), expected (tensor<f32>)}}
  %r = kiln.while (%x : tensor<f32>) -> (tensor<f32>) cond {
  ^bb0(%c: tensor<f32>):
    %0 = kiln.lt %c, %c : (tensor<f32>, tensor<f32>) -> tensor<i1>
    kiln.yield %0 : tensor<i1>
  } do {
  ^bb0(%c: tensor<f64>):
    kiln.yield %x : tensor<f32>
  }
  return %r : tensor<f32>
}

// -----

func.func @while_predicate(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.while' op region 'cond' yields (tensor<1xi1>), expected (tensor<i1>)}}
  %r = kiln.while (%x : tensor<f32>) -> (tensor<f32>) cond {
  ^bb0(%c: tensor<f32>):
    %0 = kiln.lt %c, %c : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %1 = kiln.reshape %0 shape = [1] : tensor<i1> -> tensor<1xi1>
    kiln.yield %1 : tensor<1xi1>
  } do {
  ^bb0(%c: tensor<f32>):
    kiln.yield %c : tensor<f32>
  }
  return %r : tensor<f32>
}

// -----

func.func @while_body_yield(%x: tensor<f32>, %y: tensor<f64>) -> tensor<f32> {
  // expected-error @+1 {{'kiln.while' op region 'do' yields (tensor<f64>), expected (tensor<f32>)}}
  %r = kiln.while (%x : tensor<f32>) -> (tensor<f32>) cond {
  ^bb0(%c: tensor<f32>):
    %0 = kiln.lt %c, %c : (tensor<f32>, tensor<f32>) -> tensor<i1>
    kiln.yield %0 : tensor<i1>
  } do {
  ^bb0(%c: tensor<f32>):
    kiln.yield %y : tensor<f64>
  }
  return %r : tensor<f32>
}

// -----

func.func @yield_outside(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.yield' op expects parent op to be one of 'kiln.if, kiln.for, kiln.while, kiln.scan'}}
  kiln.yield %x : tensor<f32>
}

// -----

func.func @scan_nothing(%h: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.scan' op needs at least one tensor to scan over}}
  %r = "kiln.scan"(%h) <{operandSegmentSizes = array<i32: 1, 0>}> ({
  ^bb0(%c: tensor<4xf32>):
    kiln.yield %c : tensor<4xf32>
  }) : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @scan_scalar(%s: tensor<f32>) -> tensor<1xf32> {
  // expected-error @+1 {{'kiln.scan' op scans over tensors of rank 1 or more, got 'tensor<f32>'}}
  %r = kiln.scan over(%s : tensor<f32>) -> (tensor<1xf32>) {
  ^bb0(%x: tensor<f32>):
    kiln.yield %x : tensor<f32>
  }
  return %r : tensor<1xf32>
}

// -----

func.func @scan_lengths(%a: tensor<3x2xf32>, %b: tensor<4xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'kiln.scan' op scans over tensors whose first dimensions differ: 3 and 4}}
  %r = kiln.scan over(%a, %b : tensor<3x2xf32>, tensor<4xf32>) -> (tensor<3x2xf32>) {
  ^bb0(%x: tensor<2xf32>, %y: tensor<f32>):
    kiln.yield %x : tensor<2xf32>
  }
  return %r : tensor<3x2xf32>
}

// -----

func.func @scan_carry_results(%h: tensor<4xf32>, %xs: tensor<3x4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{'kiln.scan' op results (tensor<4xf64>) must begin with the initial carry (tensor<4xf32>)}}
  %r = kiln.scan iter_args(%h : tensor<4xf32>) over(%xs : tensor<3x4xf32>) -> (tensor<4xf64>) {
  ^bb0(%c: tensor<4xf32>, %x: tensor<4xf32>):
    kiln.yield %c : tensor<4xf32>
  }
  return %r : tensor<4xf64>
}

// -----

func.func @scan_arguments(%h: tensor<4xf32>, %xs: tensor<3x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.scan' op region 'body' takes (tensor<4xf32>, tensor<3x4xf32>), expected (tensor<4xf32>, tensor<4xf32>)}}
  %r = kiln.scan iter_args(%h : tensor<4xf32>) over(%xs : tensor<3x4xf32>) -> (tensor<4xf32>) {
  ^bb0(%c: tensor<4xf32>, %x: tensor<3x4xf32>):
    kiln.yield %c : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @scan_stacked_length(%xs: tensor<3x4xf32>) -> tensor<5x4xf32> {
  // expected-error @+1 {{'kiln.scan' op stacked result 'tensor<5x4xf32>' must have a first dimension of 3, the number of steps}}
  %r = kiln.scan over(%xs : tensor<3x4xf32>) -> (tensor<5x4xf32>) {
  ^bb0(%x: tensor<4xf32>):
    kiln.yield %x : tensor<4xf32>
  }
  return %r : tensor<5x4xf32>
}

// -----

func.func @scan_yield(%h: tensor<4xf32>, %xs: tensor<3x4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.scan' op region 'body' yields (tensor<4xf32>, tensor<4xi32>), expected (tensor<4xf32>, tensor<4xf32>)}}
  %r:2 = kiln.scan iter_args(%h : tensor<4xf32>) over(%xs : tensor<3x4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>) {
  ^bb0(%c: tensor<4xf32>, %x: tensor<4xf32>):
    %0 = kiln.cast %x : tensor<4xf32> to tensor<4xi32>
    kiln.yield %c, %0 : tensor<4xf32>, tensor<4xi32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<3x4xf32>
}
