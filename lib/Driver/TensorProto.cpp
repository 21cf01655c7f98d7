//===- TensorProto.cpp - ONNX TensorProto .pb files -----------------------===//

#include "kiln/Driver/TensorProto.h"

#include "Files.h"

#include "kiln/Runtime/Error.h"

#include <cstring>
#include <vector>

using namespace kiln;

namespace {

/// TensorProto.DataType values (onnx.proto).
enum OnnxType {
  Float = 1,
  Int32 = 6,
  Int64 = 7,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  BFloat16 = 16,
};

std::string onnxTypeName(int64_t type) {
  static const char *names[] = {
      "UNDEFINED", "FLOAT",  "UINT8",     "INT8",       "UINT16",  "INT16",
      "INT32",     "INT64",  "STRING",    "BOOL",       "FLOAT16", "DOUBLE",
      "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
  if (type >= 0 && type < int64_t(std::size(names)))
    return names[type];
  return "data type " + std::to_string(type);
}

std::optional<DType> dtypeOfOnnxType(int64_t type) {
  switch (type) {
  case Float:
    return DType::F32;
  case Int32:
    return DType::I32;
  case Int64:
    return DType::I64;
  case Bool:
    return DType::Bool;
  case Float16:
    return DType::F16;
  case Double:
    return DType::F64;
  case BFloat16:
    return DType::BF16;
  }
  return std::nullopt;
}

int64_t onnxTypeOf(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return Bool;
  case DType::I32:
    return Int32;
  case DType::I64:
    return Int64;
  case DType::F16:
    return Float16;
  case DType::BF16:
    return BFloat16;
  case DType::F32:
    return Float;
  case DType::F64:
    return Double;
  }
  return 0;
}

/// Decodes protobuf wire format from a byte range.
class WireReader {
public:
  WireReader(const char *begin, const char *end) : at_(begin), end_(end) {}

  bool done() const { return at_ == end_; }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ == end_)
        throw Error("truncated varint");
      auto byte = static_cast<unsigned char>(*at_++);
      value |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return value;
    }
    throw Error("malformed varint");
  }

  template <typename T> T fixed() {
    if (size_t(end_ - at_) < sizeof(T))
      throw Error("truncated fixed-size field");
    T value;
    std::memcpy(&value, at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }

  /// A length-delimited field's bytes.
  WireReader bytes() {
    uint64_t length = varint();
    if (length > uint64_t(end_ - at_))
      throw Error("truncated length-delimited field");
    WireReader inner(at_, at_ + length);
    at_ += length;
    return inner;
  }

  std::string str() const { return std::string(at_, end_); }

  void skip(int wireType) {
    switch (wireType) {
    case 0:
      varint();
      return;
    case 1:
      fixed<uint64_t>();
      return;
    case 2:
      bytes();
      return;
    case 5:
      fixed<uint32_t>();
      return;
    }
    throw Error("unsupported protobuf wire type " + std::to_string(wireType));
  }

private:
  const char *at_;
  const char *end_;
};

/// Appends one repeated scalar field, packed (wire type 2) or not.
template <typename T, typename Read>
void readRepeated(WireReader &reader, int wireType, int scalarWireType,
                  std::vector<T> &values, Read read) {
  if (wireType == 2) {
    WireReader packed = reader.bytes();
    while (!packed.done())
      values.push_back(read(packed));
  } else if (wireType == scalarWireType) {
    values.push_back(read(reader));
  } else {
    throw Error("field has wire type " + std::to_string(wireType));
  }
}

void appendVarint(std::string &out, uint64_t value) {
  do {
    char byte = char(value & 0x7f);
    value >>= 7;
    out += value ? char(byte | 0x80) : byte;
  } while (value);
}

/// memcpy that also accepts no bytes from a null pointer (an empty
/// field's data()), which memcpy itself does not.
void copyBytes(void *to, const void *from, size_t bytes) {
  if (bytes)
    std::memcpy(to, from, bytes);
}

} // namespace

driver::NamedTensor driver::parseTensorProto(const std::string &bytes) {
  WireReader reader(bytes.data(), bytes.data() + bytes.size());
  NamedTensor result;
  Shape shape;
  int64_t dataType = 0;
  std::string raw;
  bool hasRaw = false;
  std::vector<float> floats;
  std::vector<int64_t> ints; // int32_data and int64_data
  std::vector<double> doubles;
  auto readVarint = [](WireReader &r) { return int64_t(r.varint()); };
  while (!reader.done()) {
    uint64_t key = reader.varint();
    int field = int(key >> 3), wireType = int(key & 7);
    switch (field) {
    case 1:
      readRepeated(reader, wireType, 0, shape, readVarint);
      break;
    case 2:
      dataType = reader.varint();
      break;
    case 4:
      readRepeated(reader, wireType, 5, floats,
                   [](WireReader &r) { return r.fixed<float>(); });
      break;
    case 5:
    case 7:
      readRepeated(reader, wireType, 0, ints, readVarint);
      break;
    case 8:
      result.name = reader.bytes().str();
      break;
    case 9:
      raw = reader.bytes().str();
      hasRaw = true;
      break;
    case 10:
      readRepeated(reader, wireType, 1, doubles,
                   [](WireReader &r) { return r.fixed<double>(); });
      break;
    case 14:
      if (reader.varint() != 0)
        throw Error("tensor data is stored externally, which is not "
                    "supported");
      break;
    default:
      reader.skip(wireType);
    }
  }

  if (dataType == 0)
    throw Error("not a TensorProto (no data_type)");
  std::optional<DType> dtype = dtypeOfOnnxType(dataType);
  if (!dtype)
    throw Error("unsupported element type " + onnxTypeName(dataType));
  for (int64_t dim : shape)
    if (dim < 0 || dim > (int64_t(1) << 40))
      throw Error("bad dimension " + std::to_string(dim));
  int64_t count = numElements(shape);
  size_t elementSize = dtypeSize(*dtype);
  // The data must fill the dims before anything is allocated: a few bytes
  // may claim dims of terabytes.
  if (hasRaw) {
    if (count > int64_t(raw.size()) ||
        raw.size() != size_t(count) * elementSize)
      throw Error("raw_data holds " + std::to_string(raw.size()) +
                  " bytes, but " + onnxTypeName(dataType) + " dims " +
                  formatShape(shape) + " need " +
                  (count == std::numeric_limits<int64_t>::max()
                       ? std::string("more")
                       : std::to_string(size_t(count) * elementSize)));
  } else {
    size_t held = dataType == Float    ? floats.size()
                  : dataType == Double ? doubles.size()
                                       : ints.size();
    if (held != size_t(count))
      throw Error("holds " + std::to_string(held) + " elements, but dims " +
                  formatShape(shape) + " need " + std::to_string(count));
  }
  Tensor tensor = Tensor::empty(shape, *dtype);
  char *out = static_cast<char *>(tensor.rawData());
  if (hasRaw) {
    copyBytes(out, raw.data(), raw.size());
  } else if (dataType == Float) {
    copyBytes(out, floats.data(), count * sizeof(float));
  } else if (dataType == Double) {
    copyBytes(out, doubles.data(), count * sizeof(double));
  } else {
    // int32_data holds int32, bool and the bits of float16 and bfloat16.
    for (int64_t i = 0; i < count; ++i) {
      int64_t v = ints[i];
      switch (*dtype) {
      case DType::Bool:
        out[i] = v != 0;
        break;
      case DType::I32: {
        auto x = int32_t(v);
        std::memcpy(out + 4 * i, &x, 4);
        break;
      }
      case DType::F16:
      case DType::BF16: {
        auto x = uint16_t(v);
        std::memcpy(out + 2 * i, &x, 2);
        break;
      }
      default:
        std::memcpy(out + 8 * i, &v, 8);
      }
    }
  }
  if (*dtype == DType::Bool)
    for (int64_t i = 0; i < count; ++i)
      if (static_cast<unsigned char>(out[i]) > 1)
        throw Error("bool element " + std::to_string(i) +
                    " is neither 0 nor 1");
  result.tensor = tensor;
  return result;
}

std::string driver::serializeTensorProto(const Tensor &tensor,
                                         const std::string &name) {
  std::string out;
  for (int64_t dim : tensor.shape()) {
    out += char(1 << 3 | 0);
    appendVarint(out, uint64_t(dim));
  }
  out += char(2 << 3 | 0);
  appendVarint(out, onnxTypeOf(tensor.dtype()));
  if (!name.empty()) {
    out += char(8 << 3 | 2);
    appendVarint(out, name.size());
    out += name;
  }
  Tensor data = tensor.contiguous();
  size_t size = size_t(data.size()) * dtypeSize(data.dtype());
  out += char(9 << 3 | 2);
  appendVarint(out, size);
  out.append(static_cast<const char *>(data.rawData()), size);
  return out;
}

driver::NamedTensor driver::readTensorProto(const std::string &path) {
  std::string bytes = readFileBytes(path);
  try {
    return parseTensorProto(bytes);
  } catch (const Error &error) {
    throw Error(path + ": " + error.what());
  }
}
