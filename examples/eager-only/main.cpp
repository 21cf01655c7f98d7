//===- main.cpp - Kiln's eager runtime without MLIR or LLVM ---------------===//
//
// Only the runtime's headers and library: tensors, eager kernels and the
// thread pool, with no compiler behind them.
//
//===----------------------------------------------------------------------===//

#include <kiln/Runtime/Runtime.h>

#include <iostream>

int main() {
  kiln::Tensor a = kiln::constant({1.0f, 2.0f, 3.0f, 4.0f}, {2, 2});
  kiln::Tensor b = kiln::constant({5.0f, 6.0f, 7.0f, 8.0f}, {2, 2});
  std::cout << kiln::matmul(a, b) << "\n";
  std::cout << kiln::relu(a - 2.5f) << "\n";
  return 0;
}
