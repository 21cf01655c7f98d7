//===- Files.cpp - Whole-file I/O for the driver library ------------------===//

#include "Files.h"

#include "kiln/Runtime/Error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace kiln;

std::string driver::readFileBytes(const std::string &path) {
  if (llvm::sys::fs::is_directory(path))
    throw Error(path + ": is a directory");
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    throw Error(path + ": cannot read: " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

void driver::writeFileBytes(const std::string &path, const std::string &bytes) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_None);
  if (error)
    throw Error(path + ": cannot write: " + error.message());
  os << bytes;
  os.close();
  if (os.has_error())
    throw Error(path + ": cannot write: " + os.error().message());
}
