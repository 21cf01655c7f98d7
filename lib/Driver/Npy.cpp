//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// The format (numpy/lib/format.py): the magic "\x93NUMPY", a version, the
// length of a header, then the header -- a Python dict literal with 'descr',
// 'fortran_order' and 'shape', padded with spaces to a multiple of 64 bytes
// and ended by '\n' -- and then the raw elements.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Npy.h"

#include "Files.h"

#include "kiln/Runtime/Error.h"

#include <algorithm>
#include <cctype>
#include <cstring>

using namespace kiln;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// The descr NumPy uses for `dtype` (always little-endian).
const char *descrOf(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return "|b1";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::I8:
    return "|i1";
  case DType::I16:
    return "<i2";
  case DType::U8:
    return "|u1";
  case DType::U16:
    return "<u2";
  case DType::F16:
    return "<f2";
  case DType::BF16:
    return "<V2";
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  }
  return "";
}

/// The dtype of a descr such as "<f4", and whether its bytes need swapping.
std::pair<DType, bool> parseDescr(const std::string &descr) {
  if (descr.size() < 3)
    throw Error("unsupported dtype '" + descr + "'");
  char order = descr[0];
  std::string kind = descr.substr(1);
  bool swap = order == '>' || order == '!';
  if (order != '<' && order != '>' && order != '|' && order != '=' &&
      order != '!')
    throw Error("unsupported dtype '" + descr + "'");
  static const std::pair<const char *, DType> kinds[] = {
      {"b1", DType::Bool}, {"i1", DType::I8},  {"i2", DType::I16},
      {"i4", DType::I32},  {"i8", DType::I64}, {"u1", DType::U8},
      {"u2", DType::U16},  {"f2", DType::F16}, {"V2", DType::BF16},
      {"f4", DType::F32},  {"f8", DType::F64}};
  for (const auto &[name, dtype] : kinds)
    if (kind == name)
      return {dtype, swap && dtypeSize(dtype) > 1};
  throw Error("unsupported dtype '" + descr +
              "' (Kiln reads bool, int8, int16, int32, int64, uint8, uint16, "
              "float16, bfloat16 as <V2, float32, float64)");
}

/// A minimal reader of the header's Python dict literal.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text_(text) {}

  /// The text after `'key':`, with leading spaces skipped.
  size_t valueOf(const std::string &key) {
    size_t at = text_.find("'" + key + "'");
    if (at == std::string::npos)
      throw Error("malformed header: no '" + key + "' key");
    at = text_.find(':', at);
    if (at == std::string::npos)
      throw Error("malformed header after '" + key + "'");
    return skipSpaces(at + 1);
  }

  std::string string(const std::string &key) {
    size_t at = valueOf(key);
    if (at >= text_.size() || (text_[at] != '\'' && text_[at] != '"'))
      throw Error("malformed header: '" + key + "' is not a string");
    size_t end = text_.find(text_[at], at + 1);
    if (end == std::string::npos)
      throw Error("malformed header: unterminated string");
    return text_.substr(at + 1, end - at - 1);
  }

  bool boolean(const std::string &key) {
    size_t at = valueOf(key);
    if (text_.compare(at, 4, "True") == 0)
      return true;
    if (text_.compare(at, 5, "False") == 0)
      return false;
    throw Error("malformed header: '" + key + "' is not True or False");
  }

  Shape tuple(const std::string &key) {
    size_t at = valueOf(key);
    if (at >= text_.size() || text_[at] != '(')
      throw Error("malformed header: '" + key + "' is not a tuple");
    Shape shape;
    for (at = skipSpaces(at + 1); at < text_.size() && text_[at] != ')';) {
      size_t end = at;
      while (end < text_.size() && std::isdigit((unsigned char)text_[end]))
        ++end;
      if (end == at || end - at > 18)
        throw Error("malformed header: bad dimension in 'shape'");
      shape.push_back(std::stoll(text_.substr(at, end - at)));
      at = skipSpaces(end);
      if (at < text_.size() && text_[at] == ',')
        at = skipSpaces(at + 1);
      else if (at < text_.size() && text_[at] != ')')
        throw Error("malformed header: bad 'shape'");
    }
    if (at >= text_.size())
      throw Error("malformed header: unterminated 'shape'");
    return shape;
  }

private:
  size_t skipSpaces(size_t at) const {
    while (at < text_.size() && text_[at] == ' ')
      ++at;
    return at;
  }
  const std::string &text_;
};

uint32_t readLittleEndian(const std::string &bytes, size_t at, size_t size) {
  uint32_t value = 0;
  for (size_t i = 0; i < size; ++i)
    value |= uint32_t((unsigned char)bytes[at + i]) << (8 * i);
  return value;
}

} // namespace

Tensor driver::parseNpy(const std::string &bytes) {
  if (bytes.size() < 10 || bytes.compare(0, kMagicSize, kMagic) != 0)
    throw Error("not a .npy file (no \\x93NUMPY magic)");
  int major = (unsigned char)bytes[6];
  if (major < 1 || major > 3)
    throw Error("unsupported .npy version " + std::to_string(major));
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t headerStart = 8 + lengthSize;
  if (bytes.size() < headerStart)
    throw Error("truncated header");
  size_t headerLength = readLittleEndian(bytes, 8, lengthSize);
  if (bytes.size() < headerStart + headerLength)
    throw Error("truncated header");
  std::string header = bytes.substr(headerStart, headerLength);
  HeaderParser parser(header);
  auto [dtype, swap] = parseDescr(parser.string("descr"));
  bool fortran = parser.boolean("fortran_order");
  Shape shape = parser.tuple("shape");

  size_t elementSize = dtypeSize(dtype);
  size_t count = 1;
  for (int64_t dim : shape) {
    if (dim != 0 && count > (size_t(1) << 40) / size_t(dim))
      throw Error("shape is too large");
    count *= size_t(dim);
  }
  size_t dataStart = headerStart + headerLength;
  size_t dataSize = count * elementSize;
  if (bytes.size() - dataStart != dataSize)
    throw Error("holds " + std::to_string(bytes.size() - dataStart) +
                " bytes of data, but its header (" +
                std::string(dtypeName(dtype)) + ", " +
                std::to_string(shape.size()) + " dims) needs " +
                std::to_string(dataSize));

  // Fortran order is C order of the reversed shape, transposed.
  Shape storedShape = shape;
  if (fortran)
    std::reverse(storedShape.begin(), storedShape.end());
  Tensor stored = Tensor::empty(storedShape, dtype);
  auto *out = static_cast<char *>(stored.rawData());
  std::memcpy(out, bytes.data() + dataStart, dataSize);
  if (swap)
    for (size_t i = 0; i < count; ++i)
      std::reverse(out + i * elementSize, out + (i + 1) * elementSize);
  if (dtype == DType::Bool)
    for (size_t i = 0; i < count; ++i)
      if (static_cast<unsigned char>(out[i]) > 1)
        throw Error("bool element " + std::to_string(i) +
                    " is neither 0 nor 1");
  if (!fortran || shape.size() < 2)
    return stored;
  Shape strides = Tensor::contiguousStrides(storedShape);
  std::reverse(strides.begin(), strides.end());
  return Tensor(stored.storage(), dtype, shape, strides, 0).contiguous();
}

std::string driver::serializeNpy(const Tensor &tensor) {
  std::string shape = "(";
  for (int64_t dim : tensor.shape())
    shape += std::to_string(dim) + ", ";
  if (tensor.rank() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor.rank() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = std::string("{'descr': '") + descrOf(tensor.dtype()) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts at a multiple of 64 bytes.
  size_t total = kMagicSize + 2 + 2 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::string bytes(kMagic, kMagicSize);
  bytes += '\x01';
  bytes += '\x00';
  bytes += char(header.size() & 0xff);
  bytes += char(header.size() >> 8);
  bytes += header;
  Tensor data = tensor.contiguous();
  bytes.append(static_cast<const char *>(data.rawData()),
               size_t(data.size()) * dtypeSize(data.dtype()));
  return bytes;
}

Tensor driver::readNpy(const std::string &path) {
  std::string bytes = readFileBytes(path);
  try {
    return parseNpy(bytes);
  } catch (const Error &error) {
    throw Error(path + ": " + error.what());
  }
}

void driver::writeNpy(const std::string &path, const Tensor &tensor) {
  writeFileBytes(path, serializeNpy(tensor));
}
