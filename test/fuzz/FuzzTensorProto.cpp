//===- FuzzTensorProto.cpp - libFuzzer target: the TensorProto reader -----===//
//
// Any byte string either parses into a named tensor whose serialization
// parses back to the same tensor, or is rejected with kiln::Error. A crash,
// a sanitizer report or another exception is a bug.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/TensorProto.h"
#include "kiln/Runtime/Error.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  kiln::NamedTensor parsed;
  try {
    parsed = kiln::parseTensorProto(bytes);
  } catch (const kiln::Error &) {
    return 0;
  }
  std::string written = kiln::serializeTensorProto(parsed.tensor, parsed.name);
  kiln::NamedTensor again = kiln::parseTensorProto(written);
  if (again.name != parsed.name ||
      again.tensor.shape() != parsed.tensor.shape() ||
      again.tensor.dtype() != parsed.tensor.dtype() ||
      kiln::serializeTensorProto(again.tensor, again.name) != written)
    std::abort();
  return 0;
}
