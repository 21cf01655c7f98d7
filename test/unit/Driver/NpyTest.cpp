//===- NpyTest.cpp - .npy round trips for every dtype ---------------------===//

#include "kiln/Driver/Npy.h"
#include "kiln/Runtime/Error.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace kiln;
using namespace kiln::driver;

namespace {

/// A tensor of `dtype` whose bytes differ element to element.
Tensor pattern(const Shape &shape, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  auto *bytes = static_cast<unsigned char *>(t.rawData());
  size_t size = size_t(t.size()) * dtypeSize(dtype);
  for (size_t i = 0; i < size; ++i)
    bytes[i] = dtype == DType::Bool ? i % 3 == 0 : (unsigned char)(i * 37 + 11);
  return t;
}

bool sameBytes(const Tensor &a, const Tensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.rawData(), b.rawData(),
                     size_t(a.size()) * dtypeSize(a.dtype())) == 0;
}

class NpyRoundTrip : public ::testing::TestWithParam<DType> {};

TEST_P(NpyRoundTrip, EveryShape) {
  for (const Shape &shape :
       {Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 0, 4}, Shape{3, 1, 2, 5}}) {
    Tensor original = pattern(shape, GetParam());
    std::string bytes = serializeNpy(original);
    EXPECT_EQ((10 + bytes[8]) % 64, 0) << "data is 64-byte aligned";
    Tensor back = parseNpy(bytes);
    EXPECT_TRUE(sameBytes(original, back))
        << dtypeName(GetParam()) << " shape rank " << shape.size();
  }
}

TEST_P(NpyRoundTrip, ThroughAFile) {
  std::string path = ::testing::TempDir() + "/roundtrip-" +
                     std::string(dtypeName(GetParam())) + ".npy";
  Tensor original = pattern({4, 3}, GetParam());
  writeNpy(path, original);
  EXPECT_TRUE(sameBytes(original, readNpy(path)));
}

INSTANTIATE_TEST_SUITE_P(AllDTypes, NpyRoundTrip,
                         ::testing::ValuesIn(kAllDTypes), [](const auto &info) {
                           return std::string(dtypeName(info.param));
                         });

std::string npy(const std::string &header, const std::string &data) {
  std::string text = header;
  text.append((64 - (10 + text.size() + 1) % 64) % 64, ' ');
  text += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += char(text.size() & 0xff);
  bytes += char(text.size() >> 8);
  return bytes + text + data;
}

TEST(Npy, ReadsWhatNumpyWrites) {
  // np.save of np.array([[1, 2], [3, 4]], dtype='<f4')
  float values[] = {1, 2, 3, 4};
  Tensor t = parseNpy(
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
          std::string(reinterpret_cast<char *>(values), sizeof(values))));
  EXPECT_EQ(t.shape(), (Shape{2, 2}));
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
}

// Found by fuzzing: an empty array whose other dimensions multiply beyond
// int64 overflowed in the contiguity check when written back.
TEST(Npy, EmptyArrayWithHugeDimensions) {
  Tensor t = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (0, 5555, 555555, 55555555, 555555), }",
                          ""));
  EXPECT_EQ(t.size(), 0);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(parseNpy(serializeNpy(t)).shape(), t.shape());
}

TEST(Npy, ReadsBigEndianAndFortranOrder) {
  // Big-endian int32 1, 2, 3, 4, 5, 6 in Fortran order, shape (2, 3):
  // the C-order array is [[1, 3, 5], [2, 4, 6]].
  std::string data;
  for (int v = 1; v <= 6; ++v)
    data += std::string{0, 0, 0, char(v)};
  Tensor t = parseNpy(
      npy("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }", data));
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.to_vector<int32_t>(), (std::vector<int32_t>{1, 3, 5, 2, 4, 6}));
}

TEST(Npy, RejectsBadFiles) {
  auto message = [](const std::string &bytes) {
    try {
      parseNpy(bytes);
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("PK\x03\x04"), "not a .npy file (no \\x93NUMPY magic)");
  EXPECT_EQ(message(npy("{'descr': '<u4', 'fortran_order': False, "
                        "'shape': (1,), }",
                        "abcd")),
            "unsupported dtype '<u4' (Kiln reads bool, int8, int16, int32, "
            "int64, uint8, uint16, float16, bfloat16 as <V2, float32, "
            "float64)");
  EXPECT_EQ(message(npy("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2,), }",
                        "abcd")),
            "holds 4 bytes of data, but its header (float32, 1 dims) needs 8");
  EXPECT_EQ(message(npy("{'descr': '<f4', 'shape': (2,), }", "abcdefgh")),
            "malformed header: no 'fortran_order' key");
  EXPECT_EQ(message(npy("{'descr': '|b1', 'fortran_order': False, "
                        "'shape': (1,), }",
                        "\x07")),
            "bool element 0 is neither 0 nor 1");
  EXPECT_EQ(message(std::string("\x93NUMPY\x01\x00\xff\x00{", 11)),
            "truncated header");
}

TEST(Npy, NamesTheFile) {
  try {
    readNpy("/nonexistent/x.npy");
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/x.npy: cannot read", 0),
              0u)
        << e.what();
  }
}

} // namespace
