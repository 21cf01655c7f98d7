# `cpack -G DEB` in the build tree packages what `cmake --install` installs
# (headers, libraries, the CMake package, kilnc and kiln-opt) as a Debian
# package with prefix /usr. test/embedding/check-examples.sh (mode `deb`)
# unpacks it into a scratch root and builds examples/ against it.

set(CPACK_PACKAGE_NAME kiln)
set(CPACK_PACKAGE_VENDOR "The Kiln developers")
set(CPACK_PACKAGE_CONTACT "The Kiln developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "JIT compiler for traced tensor programs, embeddable in C++")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# What Kiln::kiln and the tools need at build and run time: MLIR and LLVM
# (the shared libraries and their CMake packages), clang-22, with which
# `kilnc compile` links shared libraries, and ONNX and protobuf (their CMake
# packages too), which the ONNX importer links.
set(_kiln_llvm ${LLVM_VERSION_MAJOR})
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libmlir-${_kiln_llvm}-dev, mlir-${_kiln_llvm}-tools, llvm-${_kiln_llvm}-dev, clang-${_kiln_llvm}, libonnx-dev, libprotobuf-dev, libstdc++6")
include(CPack)
