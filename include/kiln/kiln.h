//===- kiln.h - Everything a host needs ------------------------*- C++ -*-===//
//
// The umbrella header of Kiln's public API:
//
//   kiln::Tensor a = kiln::constant(2), b = kiln::constant(3);
//   std::cout << a + b << "\n";      // eager: runs at once
//
//   auto add = kiln::function([](kiln::Tensor x, kiln::Tensor y) {
//     return x + y;
//   });
//   std::cout << add(a, b) << "\n";  // traced, lowered, JIT-compiled
//
//===----------------------------------------------------------------------===//

#ifndef KILN_KILN_H
#define KILN_KILN_H

#include "kiln/Runtime/Runtime.h"

#include "kiln/Autodiff.h"
#include "kiln/CompileCache.h"
#include "kiln/Compiler/Stage.h"
#include "kiln/Function.h"
#include "kiln/Graph.h"

#endif // KILN_KILN_H
