//===- Error.h - The error type of Kiln's public API -----------*- C++ -*-===//
//
// Every op of the eager runtime reports bad input (shapes, dtypes, axes,
// index values) by throwing `kiln::Error`. The message names the op, the
// offending values, the shapes and the dtypes, e.g.
//
//   add: shapes (3, 4) and (5) are not broadcastable (float32, float32)
//
// Operands are never modified by a failing op and nothing leaks.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_ERROR_H
#define KILN_RUNTIME_ERROR_H

#include <stdexcept>
#include <string>

namespace kiln {

/// The exception thrown by the public API for invalid input.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

} // namespace kiln

#endif // KILN_RUNTIME_ERROR_H
