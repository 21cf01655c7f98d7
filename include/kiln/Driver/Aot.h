//===- Aot.h - Ahead-of-time compilation of graph files --------*- C++ -*-===//
//
// The last two stages of the pipeline outside the JIT -- LLVM IR optimized
// and host assembly -- and `kilnc compile`: a native object or shared library
// of every function of a graph file plus a C header declaring its entry
// points. Code is generated for the host CPU (as the JIT's): an object built
// here may not run on an older CPU.
//
// Entry points use destination-passing style, as the JIT does: a function
// `f(x: tensor<2x3xf32>) -> tensor<3xf32>` is called as
//
//   void _mlir_ciface_f(KilnMemRef_f32_2d *x, KilnMemRef_f32_1d *out0);
//
// with a memref descriptor per input and per caller-allocated output.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_AOT_H
#define KILN_DRIVER_AOT_H

#include "kiln/Driver/GraphFile.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <string>

namespace llvm {
class Module;
class LLVMContext;
} // namespace llvm

namespace kiln::driver {

/// Native code of a module in the LLVM dialect.
struct NativeCode {
  std::string llvmIR;   ///< LLVM IR optimized for the host CPU.
  std::string assembly; ///< Host assembly (if requested).
  std::string object;   ///< An ELF object (if requested).
  /// The runtime functions (`kiln_rt_*`) the code calls: its users must
  /// link the Kiln runtime library.
  std::vector<std::string> runtimeCalls;
};

enum class NativeOutput { LLVMIR, Assembly, Object };

/// A timing hook: called with a step's name and its wall time in ms.
using StepTimer = std::function<void(llvm::StringRef step, double ms)>;

/// Translates `module` (LLVM dialect) to LLVM IR, optimizes it
/// (kiln::optimizeModule) for the host CPU and emits `what` (LLVM IR is always
/// kept). Throws kiln::Error.
NativeCode generateNativeCode(mlir::ModuleOp module, NativeOutput what,
                              const StepTimer &timer = nullptr);

/// The C header declaring the entry points of every function of `file`
/// (include guard from `guard`).
std::string generateCHeader(const GraphFile &file, const std::string &guard);

/// What `compileAheadOfTime` wrote.
struct AotResult {
  std::string output;     ///< The object or shared library.
  std::string header;     ///< The C header.
  std::string linkedWith; ///< The linker command line, for a .so.
};

/// `kilnc compile`: lowers every function of `file` and writes `output` (an
/// ELF object if it ends in .o, else a shared library linked by clang) and
/// `header` (by default `output` with extension .h). Throws kiln::Error.
AotResult compileAheadOfTime(const GraphFile &file, const std::string &output,
                             std::string header = "");

} // namespace kiln::driver

#endif // KILN_DRIVER_AOT_H
