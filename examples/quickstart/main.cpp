//===- main.cpp - Kiln's quickstart: eager, traced, and the IR -----------===//
//
// The seed example: the same addition run eagerly and as a traced,
// JIT-compiled function, a retrace and its reason, then the fused Linalg IR
// of a small function.
//
//===----------------------------------------------------------------------===//

#include <kiln/kiln.h>

#include <iostream>

int main() {
  kiln::Tensor a = kiln::constant(2), b = kiln::constant(3);
  std::cout << a + b << "\n"; // eager

  auto add =
      kiln::function([](kiln::Tensor x, kiln::Tensor y) { return x + y; });
  std::cout << add(a, b) << "\n"; // traced + JIT

  // A call with a new signature (here float32 vectors) traces again, and the
  // Function says why.
  kiln::Tensor v = kiln::constant({1.0f, 2.0f, 3.0f}, {3});
  std::cout << add(v, v) << "\n";
  std::cout << "traces: " << add.trace_count()
            << ", last retrace: " << add.last_retrace_reason() << "\n";

  // docs/design.md's W1 on 4x8 f32: one fused linalg.generic at the Linalg
  // stage.
  auto w1 = kiln::function(
      [](kiln::Tensor a, kiln::Tensor b, kiln::Tensor c, kiln::Tensor d) {
        return kiln::relu(a * b + c) * kiln::sigmoid(d);
      },
      "w1");
  kiln::Shape shape{4, 8};
  kiln::Tensor x = kiln::random_uniform(shape, /*seed=*/1),
               y = kiln::random_uniform(shape, /*seed=*/2),
               z = kiln::random_uniform(shape, /*seed=*/3),
               w = kiln::random_uniform(shape, /*seed=*/4);
  std::cout << w1.lower(x, y, z, w).ir(kiln::Stage::Linalg);
  return 0;
}
