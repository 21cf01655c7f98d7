//===- TensorProto.h - ONNX TensorProto .pb files ---------------*- C++ -*-===//
//
// ONNX `TensorProto` messages (the input_N.pb / output_N.pb files of the
// ONNX backend tests, `kilnc run --input x.pb`) as tensors, read and written
// with the generated classes of onnx.proto (Debian's libonnx), as the
// importer reads initializers (lib/Import/TensorProto.cpp).
//
// Element types: FLOAT, DOUBLE, INT32, INT64, BOOL, FLOAT16, BFLOAT16 (the
// dtypes of the dialect); others are rejected with their ONNX name, as is
// external data.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IMPORT_TENSORPROTO_H
#define KILN_IMPORT_TENSORPROTO_H

#include "kiln/Runtime/Tensor.h"

#include <string>

namespace kiln {

/// A decoded TensorProto.
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

/// Decodes the bytes of a serialized TensorProto. Throws kiln::Error saying
/// what is wrong (without the file name); a message whose dims claim more
/// elements than it holds is rejected before anything is allocated.
NamedTensor parseTensorProto(const std::string &bytes);

/// The bytes of a TensorProto holding `tensor` in raw_data.
std::string serializeTensorProto(const Tensor &tensor,
                                 const std::string &name = "");

/// Reads the TensorProto file at `path`. Throws kiln::Error "<path>: <what
/// is wrong>".
NamedTensor readTensorProto(const std::string &path);

} // namespace kiln

#endif // KILN_IMPORT_TENSORPROTO_H
