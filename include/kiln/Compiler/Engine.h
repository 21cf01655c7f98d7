//===- Engine.h - JIT compilation of lowered Kiln graphs -------*- C++ -*-===//
//
// Turns a module in the LLVM dialect into native code for the host CPU with
// MLIR's ExecutionEngine (ORC LLJIT, LLVM O3), and calls its functions with
// strided buffers. Optionally keeps the optimized LLVM IR and the assembly, the
// last two stages of the pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_ENGINE_H
#define KILN_COMPILER_ENGINE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class ExecutionEngine;
} // namespace mlir

namespace kiln {

/// A strided buffer as MLIR's memref descriptor describes it: `data` points at
/// element 0 of the buffer (the view starts `offset` elements further), and
/// `sizes`/`strides` are in elements.
struct BufferView {
  void *data = nullptr;
  int64_t offset = 0;
  llvm::SmallVector<int64_t, 4> sizes;
  llvm::SmallVector<int64_t, 4> strides;
};

struct EngineOptions {
  /// LLVM optimization level of the JIT (0-3).
  unsigned optLevel = 3;
  /// The longest LLVM may take to optimize and generate code, 0 for no
  /// limit. A compile that takes longer is abandoned: `compile` returns an
  /// error, and the thread running it is left to finish (or not) on its own,
  /// holding only LLVM objects of its own.
  std::chrono::milliseconds timeout{0};
  /// Keep the optimized LLVM IR text (`JitModule::llvmIR`).
  bool keepLLVMIR = false;
  /// Keep the host assembly text (`JitModule::assembly`).
  bool keepAssembly = false;
};

/// The error of a compile abandoned because it exceeded
/// `EngineOptions::timeout`.
class CompileTimeoutError : public llvm::ErrorInfo<CompileTimeoutError> {
public:
  static char ID;
  explicit CompileTimeoutError(std::chrono::milliseconds timeout)
      : timeout(timeout) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  std::chrono::milliseconds timeout;
};

/// Registers the dialect translations to LLVM IR that the engine needs on
/// `registry` (builtin and llvm).
void registerEngineTranslations(mlir::DialectRegistry &registry);

/// Natively compiled code of one module.
class JitModule {
public:
  ~JitModule();

  /// Compiles `module`, which must be in the LLVM dialect, for the host CPU.
  /// The module is translated to LLVM IR on the calling thread; LLVM's
  /// optimization and code generation run on a thread of their own when
  /// `options.timeout` is set.
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(mlir::ModuleOp module, const EngineOptions &options = {});

  /// The packed entry point of a function compiled with
  /// `llvm.emit_c_interface`: it takes a pointer to each argument.
  using PackedFunction = void (*)(void **);

  /// Looks up `function`'s packed entry point (once; calls through the
  /// pointer then cost no lookup).
  llvm::Expected<PackedFunction> lookup(llvm::StringRef function) const;

  /// Calls `function`, compiled with `llvm.emit_c_interface`, whose arguments
  /// are all memrefs (`buffers`, in order); results are written through
  /// output buffers among them.
  llvm::Error call(llvm::StringRef function,
                   llvm::ArrayRef<BufferView> buffers) const;

  /// Calls a looked-up entry point with `buffers` as its memref arguments.
  static llvm::Error call(PackedFunction function,
                          llvm::ArrayRef<BufferView> buffers);

  /// The optimized LLVM IR, if `keepLLVMIR` was set.
  const std::string &llvmIR() const { return llvmIR_; }
  /// The host assembly, if `keepAssembly` was set.
  const std::string &assembly() const { return assembly_; }

  /// The name and features of the CPU the code was compiled for.
  static std::string hostCPUDescription();

private:
  JitModule() = default;
  llvm::Error compileBitcode(llvm::StringRef bitcode, llvm::StringRef anySymbol,
                             const EngineOptions &options);

  std::unique_ptr<mlir::ExecutionEngine> engine_;
  std::string llvmIR_;
  std::string assembly_;
};

} // namespace kiln

#endif // KILN_COMPILER_ENGINE_H
