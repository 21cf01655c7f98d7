//===- KilnBitwiseOps.td - Bitwise and shift ops ------------*- tablegen -*-===//
//
// Elementwise bitwise ops of integers (logical ops of bools) and shifts.
// Included by KilnOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BITWISE_OPS_TD
#define KILN_BITWISE_OPS_TD

class Kiln_BitwiseOp<string mnemonic, string what, TypeConstraint tensorType,
                     list<Trait> traits = []>
    : Kiln_BinaryOp<mnemonic, "%2 = kiln." # mnemonic #
        " %0, %1 : (tensor<4x8xi32>, tensor<8xi32>) -> tensor<4x8xi32>",
        traits> {
  let summary = "elementwise " # what;
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$result);
}

def Kiln_BitwiseAndOp : Kiln_BitwiseOp<"bitwise_and",
    "bitwise and (logical and of bools)", Kiln_IntOrBoolTensor, [Commutative]>;
def Kiln_BitwiseOrOp : Kiln_BitwiseOp<"bitwise_or",
    "bitwise or (logical or of bools)", Kiln_IntOrBoolTensor, [Commutative]>;
def Kiln_BitwiseXorOp : Kiln_BitwiseOp<"bitwise_xor",
    "bitwise exclusive or (of bools too)", Kiln_IntOrBoolTensor,
    [Commutative]>;

// The shifts: x << y, and x >> y (arithmetic for signed types, zeros in for
// unsigned ones), in the result's type. An amount outside [0, its bits)
// shifts every bit out: 0, or -1 for a negative x shifted right.
def Kiln_LeftShiftOp : Kiln_BitwiseOp<"left_shift",
    "left shift; an amount outside [0, bits) gives 0", Kiln_IntTensor>;
def Kiln_RightShiftOp : Kiln_BitwiseOp<"right_shift",
    "right shift, arithmetic for signed types; an amount outside [0, bits) "
    "gives 0 or -1", Kiln_IntTensor>;

def Kiln_BitwiseNotOp : Kiln_UnaryOp<"bitwise_not",
    "~x (logical not of bools)", Kiln_IntOrBoolTensor>;

#endif // KILN_BITWISE_OPS_TD
