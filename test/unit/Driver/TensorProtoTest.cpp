//===- TensorProtoTest.cpp - ONNX TensorProto files -----------------------===//

#include "kiln/Import/TensorProto.h"
#include "kiln/Runtime/Error.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace kiln;

namespace {

TEST(TensorProto, RoundTripEveryDType) {
  for (DType dtype : {DType::Bool, DType::I32, DType::I64, DType::F16,
                      DType::BF16, DType::F32, DType::F64}) {
    Tensor t = Tensor::empty({2, 3}, dtype);
    auto *bytes = static_cast<unsigned char *>(t.rawData());
    for (size_t i = 0; i < 6 * dtypeSize(dtype); ++i)
      bytes[i] = dtype == DType::Bool ? i % 2 : (unsigned char)(i * 13 + 1);
    NamedTensor back = parseTensorProto(serializeTensorProto(t, "x"));
    EXPECT_EQ(back.name, "x");
    EXPECT_EQ(back.tensor.dtype(), dtype);
    EXPECT_EQ(back.tensor.shape(), (Shape{2, 3}));
    EXPECT_EQ(
        std::memcmp(back.tensor.rawData(), t.rawData(), 6 * dtypeSize(dtype)),
        0)
        << dtypeName(dtype);
  }
}

// Found by fuzzing: empty data fields copied from a null pointer (undefined
// behaviour even for zero bytes).
TEST(TensorProto, EmptyTensorsOfEveryField) {
  for (DType dtype : {DType::F32, DType::F64, DType::I64}) {
    NamedTensor back =
        parseTensorProto(serializeTensorProto(Tensor::empty({0, 3}, dtype)));
    EXPECT_EQ(back.tensor.shape(), (Shape{0, 3}));
    EXPECT_EQ(back.tensor.dtype(), dtype);
  }
}

TEST(TensorProto, ReadsTypedFields) {
  // dims: [3] (unpacked), data_type: INT64, int64_data: packed [1, -2, 300].
  std::string bytes = {0x08, 0x03, 0x10, 0x07, 0x3a};
  std::string packed = {0x01};
  packed += std::string("\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  packed += std::string("\xac\x02", 2);
  bytes += char(packed.size());
  bytes += packed;
  Tensor t = parseTensorProto(bytes).tensor;
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{1, -2, 300}));

  // dims: [2], data_type: FLOAT, float_data: packed [0.5, -4].
  float values[] = {0.5f, -4.0f};
  std::string floats = {0x08, 0x02, 0x10, 0x01, 0x22, 0x08};
  floats.append(reinterpret_cast<char *>(values), sizeof(values));
  EXPECT_EQ(parseTensorProto(floats).tensor.to_vector<float>(),
            (std::vector<float>{0.5f, -4.0f}));
}

TEST(TensorProto, RejectsBadMessages) {
  auto message = [](const std::string &bytes) {
    try {
      parseTensorProto(bytes);
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(std::string{0x08, 0x02}),
            "not a TensorProto (no data_type)");
  EXPECT_EQ(message(std::string{0x10, 0x08}),
            "element type STRING is not supported");
  EXPECT_EQ(
      message(std::string{0x08, 0x02, 0x10, 0x01, 0x4a, 0x04, 1, 2, 3, 4}),
      "raw_data holds 4 bytes, but FLOAT dims (2) need 8");
  EXPECT_EQ(message(std::string{0x10, 0x01, 0x4a, 0x09}),
            "not a TensorProto (the protobuf does not parse)");
  EXPECT_EQ(message(std::string{0x10, 0x01, 0x70, 0x01}),
            "external data is not supported");
  EXPECT_EQ(message(std::string{0x08, 0x02, 0x10, 0x06, 0x28, 0x01}),
            "holds 1 elements, but dims (2) need 2");
  // Found by fuzzing: dims whose element count fits an int64 but whose
  // byte count does not (3 * 19480 * 52248 * 35864 * 15007 int64s) made the
  // message's byte count overflow.
  EXPECT_EQ(message(std::string("\x08\x03\x08\x98\x98\x01\x08\x98\x98\x03"
                                "\x08\x98\x98\x02\x08\x9f\x75\x10\x07\x4a\x00",
                                21)),
            "raw_data holds 0 bytes, but INT64 dims (3, 19480, 52248, 35864, "
            "15007) need more");
  // Found by fuzzing: 30 bytes that claim dims of 820 GB are rejected
  // before anything is allocated.
  EXPECT_EQ(message(std::string{0x08, 0x7f, 0x08, 0x7f, 0x08, 0x7f, 0x08, 0x7f,
                                0x08, 0x7f, 0x08, 0x7f, 0x10, 0x01}),
            "holds 0 elements, but dims (127, 127, 127, 127, 127, 127) "
            "need 4195872914689");
}

} // namespace
