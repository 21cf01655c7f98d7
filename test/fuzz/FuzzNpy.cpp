//===- FuzzNpy.cpp - libFuzzer target: the .npy reader --------------------===//
//
// Any byte string either parses into a tensor whose serialization parses
// back to the same bytes' tensor, or is rejected with kiln::Error. A crash,
// a sanitizer report or another exception is a bug.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Npy.h"
#include "kiln/Runtime/Error.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  kiln::Tensor tensor;
  try {
    tensor = kiln::driver::parseNpy(bytes);
  } catch (const kiln::Error &) {
    return 0;
  }
  // What was read writes and reads back unchanged.
  kiln::Tensor again =
      kiln::driver::parseNpy(kiln::driver::serializeNpy(tensor));
  if (again.shape() != tensor.shape() || again.dtype() != tensor.dtype() ||
      kiln::driver::serializeNpy(again) != kiln::driver::serializeNpy(tensor))
    std::abort();
  return 0;
}
