//===- TensorProto.h - ONNX TensorProto .pb files ---------------*- C++ -*-===//
//
// Reads ONNX `TensorProto` messages (the input_N.pb / output_N.pb files of
// the ONNX backend tests) into tensors. The protobuf wire format is decoded
// by hand -- a TensorProto needs only a dozen lines of varint decoding -- so
// the driver does not depend on libprotobuf and onnx.proto. The fields read:
//
//   dims = 1 (int64, packed or not)   data_type = 2   float_data = 4
//   int32_data = 5   int64_data = 7   name = 8   raw_data = 9
//   double_data = 10   data_location = 14 (external data is rejected)
//
// Element types: FLOAT, DOUBLE, INT32, INT64, BOOL, FLOAT16, BFLOAT16 (the
// dtypes of the dialect); others are rejected with their ONNX name.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_TENSORPROTO_H
#define KILN_DRIVER_TENSORPROTO_H

#include "kiln/Runtime/Tensor.h"

#include <string>

namespace kiln::driver {

/// A decoded TensorProto.
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

/// Decodes the bytes of a serialized TensorProto. Throws kiln::Error saying
/// what is wrong (without the file name).
NamedTensor parseTensorProto(const std::string &bytes);

/// The bytes of a TensorProto holding `tensor` in raw_data.
std::string serializeTensorProto(const Tensor &tensor,
                                 const std::string &name = "");

/// Reads the TensorProto file at `path`. Throws kiln::Error "<path>: <what
/// is wrong>".
NamedTensor readTensorProto(const std::string &path);

} // namespace kiln::driver

#endif // KILN_DRIVER_TENSORPROTO_H
