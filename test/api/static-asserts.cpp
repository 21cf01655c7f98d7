// Traced callables with an argument or a result kiln::function does not take:
// the static_asserts of kiln/Function.h say what is allowed instead (the
// static-assert-* tests of test/CMakeLists.txt compile each case and look
// for the message).
#include "kiln/Function.h"
#include "kiln/Runtime/Ops.h"

#include <vector>

int main() {
  kiln::Tensor x = kiln::constant({1.0f}, {1});
#if defined(CASE_VECTOR_ARGUMENT)
  auto f = kiln::function(
      [](std::vector<kiln::Tensor> xs) { return xs.at(0) + xs.at(1); });
  f(std::vector<kiln::Tensor>{x, x});
#elif defined(CASE_FLOAT_RESULT)
  auto f = kiln::function([](kiln::Tensor t) { return 1.0f; });
  f(x);
#else
  // The control case compiles.
  auto f = kiln::function([](kiln::Tensor t, int n) { return t * n; });
  f(x, 2);
#endif
  return 0;
}
