//===- Files.h - Whole-file I/O for the driver library ---------*- C++ -*-===//
//
// Private to lib/Driver.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_DRIVER_FILES_H
#define KILN_LIB_DRIVER_FILES_H

#include <string>

namespace kiln::driver {

/// The bytes of the file at `path`. Throws kiln::Error "<path>: <reason>".
std::string readFileBytes(const std::string &path);

/// Replaces the file at `path` by `bytes`. Throws kiln::Error
/// "<path>: <reason>".
void writeFileBytes(const std::string &path, const std::string &bytes);

} // namespace kiln::driver

#endif // KILN_LIB_DRIVER_FILES_H
