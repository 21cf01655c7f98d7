//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes tensors as NumPy `.npy` files (format versions 1.0-3.0),
// for every Kiln dtype:
//
//   | dtype    | descr        |
//   |----------|--------------|
//   | bool     | |b1          |
//   | int32    | <i4          |
//   | int64    | <i8          |
//   | float16  | <f2          |
//   | bfloat16 | <V2          |
//   | float32  | <f4          |
//   | float64  | <f8          |
//
// NumPy has no bfloat16; `np.save` of an ml_dtypes.bfloat16 array writes the
// 2-byte void descr `<V2` (or `|V2`), which is read back as bfloat16.
// Big-endian and Fortran-order files are read too; files are always written
// little-endian, C order.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_NPY_H
#define KILN_DRIVER_NPY_H

#include "kiln/Runtime/Tensor.h"

#include <string>

namespace kiln::driver {

/// Parses the bytes of a .npy file. Throws kiln::Error saying what is wrong
/// (without the file name).
Tensor parseNpy(const std::string &bytes);

/// The bytes of a .npy file holding `tensor`.
std::string serializeNpy(const Tensor &tensor);

/// Reads the .npy file at `path`. Throws kiln::Error "<path>: <what is
/// wrong>".
Tensor readNpy(const std::string &path);

/// Writes `tensor` to `path`. Throws kiln::Error "<path>: <what is wrong>".
void writeNpy(const std::string &path, const Tensor &tensor);

} // namespace kiln::driver

#endif // KILN_DRIVER_NPY_H
