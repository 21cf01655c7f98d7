//===- TensorProto.cpp - ONNX tensors as host tensors ---------------------===//
//
// TensorProtos (initializers, Constant values, .pb files) to tensors and
// back, with the generated classes of onnx.proto.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/TensorProto.h"

#include "OnnxNode.h"

#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

using namespace kiln;
using namespace kiln::onnx_import;

std::string onnx_import::onnxTypeName(int type) {
  if (!onnx::TensorProto_DataType_IsValid(type))
    return "data type " + std::to_string(type);
  return onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(type));
}

std::optional<DType> onnx_import::dtypeOf(int type) {
  switch (type) {
  case onnx::TensorProto_DataType_FLOAT:
    return DType::F32;
  case onnx::TensorProto_DataType_DOUBLE:
    return DType::F64;
  case onnx::TensorProto_DataType_FLOAT16:
    return DType::F16;
  case onnx::TensorProto_DataType_BFLOAT16:
    return DType::BF16;
  case onnx::TensorProto_DataType_INT32:
    return DType::I32;
  case onnx::TensorProto_DataType_INT64:
    return DType::I64;
  case onnx::TensorProto_DataType_BOOL:
    return DType::Bool;
  case onnx::TensorProto_DataType_INT8:
    return DType::I8;
  case onnx::TensorProto_DataType_INT16:
    return DType::I16;
  case onnx::TensorProto_DataType_UINT8:
    return DType::U8;
  case onnx::TensorProto_DataType_UINT16:
    return DType::U16;
  default:
    return std::nullopt;
  }
}

namespace {

int onnxTypeOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return onnx::TensorProto_DataType_FLOAT;
  case DType::F64:
    return onnx::TensorProto_DataType_DOUBLE;
  case DType::F16:
    return onnx::TensorProto_DataType_FLOAT16;
  case DType::BF16:
    return onnx::TensorProto_DataType_BFLOAT16;
  case DType::I32:
    return onnx::TensorProto_DataType_INT32;
  case DType::I64:
    return onnx::TensorProto_DataType_INT64;
  case DType::Bool:
    return onnx::TensorProto_DataType_BOOL;
  case DType::I8:
    return onnx::TensorProto_DataType_INT8;
  case DType::I16:
    return onnx::TensorProto_DataType_INT16;
  case DType::U8:
    return onnx::TensorProto_DataType_UINT8;
  case DType::U16:
    return onnx::TensorProto_DataType_UINT16;
  }
  return onnx::TensorProto_DataType_UNDEFINED;
}

/// `proto`'s elements as a tensor; the errors say what is wrong, without
/// saying where.
Tensor tensorOf(const onnx::TensorProto &proto) {
  std::optional<DType> dtype = dtypeOf(proto.data_type());
  if (!dtype)
    throw Error("element type " + onnxTypeName(proto.data_type()) +
                " is not supported");
  if (proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    throw Error("external data is not supported");
  Shape shape(proto.dims().begin(), proto.dims().end());
  // The element count, checked against what the message holds before
  // anything is allocated.
  int64_t count = 1;
  bool overflow = false;
  for (int64_t dim : shape) {
    if (dim < 0)
      throw Error("dims " + formatShape(shape) + " have a negative size");
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / dim)
      overflow = true;
    else
      count *= dim;
  }
  size_t width = dtypeSize(*dtype);
  std::string_view typeName =
      onnx::TensorProto_DataType_Name(proto.data_type());
  if (proto.has_raw_data()) {
    size_t held = proto.raw_data().size();
    // The bytes the dims need, if they fit an int64.
    int64_t bytes = static_cast<int64_t>(width);
    overflow = overflow || count > std::numeric_limits<int64_t>::max() / bytes;
    if (overflow || held / width != static_cast<size_t>(count) ||
        held % width != 0)
      throw Error(
          "raw_data holds " + std::to_string(held) + " bytes, but " +
          std::string(typeName) + " dims " + formatShape(shape) + " need " +
          (overflow ? std::string("more") : std::to_string(count * bytes)));
  } else {
    int64_t held;
    switch (*dtype) {
    case DType::F32:
      held = proto.float_data_size();
      break;
    case DType::F64:
      held = proto.double_data_size();
      break;
    case DType::I64:
      held = proto.int64_data_size();
      break;
    default: // int32_data: the 8- to 32-bit integers, bool, the bits of
             // float16 and bfloat16
      held = proto.int32_data_size();
    }
    if (overflow || held != count)
      throw Error("holds " + std::to_string(held) + " elements, but dims " +
                  formatShape(shape) + " need " +
                  (overflow ? std::string("more") : std::to_string(count)));
  }
  Tensor t = Tensor::empty(shape, *dtype);
  char *out = static_cast<char *>(t.rawData());
  int n = static_cast<int>(count);
  if (proto.has_raw_data()) {
    if (count > 0)
      std::memcpy(out, proto.raw_data().data(), proto.raw_data().size());
  } else {
    for (int i = 0; i < n; ++i) {
      switch (*dtype) {
      case DType::F32:
        reinterpret_cast<float *>(out)[i] = proto.float_data(i);
        break;
      case DType::F64:
        reinterpret_cast<double *>(out)[i] = proto.double_data(i);
        break;
      case DType::I64:
        reinterpret_cast<int64_t *>(out)[i] = proto.int64_data(i);
        break;
      case DType::I32:
        reinterpret_cast<int32_t *>(out)[i] = proto.int32_data(i);
        break;
      case DType::Bool:
      case DType::I8:
      case DType::U8:
        out[i] = static_cast<char>(proto.int32_data(i));
        break;
      case DType::I16:
      case DType::U16: {
        auto bits = static_cast<uint16_t>(proto.int32_data(i));
        std::memcpy(out + 2 * i, &bits, 2);
        break;
      }
      case DType::F16:
      case DType::BF16: {
        auto bits = static_cast<uint16_t>(proto.int32_data(i));
        std::memcpy(out + 2 * i, &bits, 2);
        break;
      }
      }
    }
  }
  if (*dtype == DType::Bool)
    for (int64_t i = 0; i < count; ++i)
      if (static_cast<unsigned char>(out[i]) > 1)
        throw Error("bool element " + std::to_string(i) +
                    " is neither 0 nor 1");
  return t;
}

} // namespace

Tensor onnx_import::toTensor(const onnx::TensorProto &proto,
                             const std::string &what) {
  try {
    return tensorOf(proto);
  } catch (const Error &error) {
    throw Error(what + ": " + error.what());
  }
}

NamedTensor kiln::parseTensorProto(const std::string &bytes) {
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes))
    throw Error("not a TensorProto (the protobuf does not parse)");
  if (!proto.has_data_type())
    throw Error("not a TensorProto (no data_type)");
  return {proto.name(), tensorOf(proto)};
}

std::string kiln::serializeTensorProto(const Tensor &tensor,
                                       const std::string &name) {
  onnx::TensorProto proto;
  for (int64_t dim : tensor.shape())
    proto.add_dims(dim);
  proto.set_data_type(onnxTypeOf(tensor.dtype()));
  if (!name.empty())
    proto.set_name(name);
  Tensor data = tensor.contiguous();
  proto.set_raw_data(static_cast<const char *>(data.rawData()),
                     static_cast<size_t>(data.size()) *
                         dtypeSize(data.dtype()));
  return proto.SerializeAsString();
}

NamedTensor kiln::readTensorProto(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw Error(path + ": cannot open the file");
  std::ostringstream bytes;
  bytes << file.rdbuf();
  try {
    return parseTensorProto(bytes.str());
  } catch (const Error &error) {
    throw Error(path + ": " + error.what());
  }
}
