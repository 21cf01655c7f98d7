//===- Quote.h - Text inside double quotes ---------------------*- C++ -*-===//
//
// Private to lib/Driver.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_DRIVER_QUOTE_H
#define KILN_LIB_DRIVER_QUOTE_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace kiln::driver {

/// `text` with `"` and `\` escaped by a backslash: the contents of a C string
/// literal or of a double-quoted DOT string.
inline std::string escapeQuoted(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

} // namespace kiln::driver

#endif // KILN_LIB_DRIVER_QUOTE_H
