//===- Engine.h - JIT compilation of lowered Kiln graphs -------*- C++ -*-===//
//
// Turns a module in the LLVM dialect into native code for the host CPU: LLVM
// optimizes it (`optimizeModule`) and generates relocatable objects, in
// parts on several threads when the module is large, which ORC's LLJIT links
// into the process. Calls its functions with strided buffers. Optionally
// keeps the optimized LLVM IR and the assembly, the last two stages of the
// pipeline. The objects can be kept and linked again later (the compile
// cache).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_ENGINE_H
#define KILN_COMPILER_ENGINE_H

#include "kiln/Compiler/Stage.h"

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

namespace llvm {
class Module;
class TargetMachine;
namespace orc {
class LLJIT;
} // namespace orc
} // namespace llvm

namespace mlir {
class DialectRegistry;
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
  /// A module with many functions is split into parts that LLVM optimizes
  /// and compiles on up to this many threads at once; 0 means one per core.
  /// (Kept IR or assembly is made from the whole module, on one thread.)
  unsigned codegenThreads = 0;
};

/// Runs LLVM's optimizer on `module` for `machine` as Kiln does for every
/// graph, JIT or ahead of time: LLVM's O`optLevel` function simplification
/// and optimization pipelines (loop vectorization and interleaving, SLP),
/// without the interprocedural passes and without the loop unroller (see
/// docs/design.md, "What a compile costs").
llvm::Error optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                           unsigned optLevel = 3);

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
  /// optimization and code generation run on threads of their own when
  /// `options.timeout` is set or the module is split.
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(mlir::ModuleOp module, const EngineOptions &options = {});

  /// Links the relocatable objects and constants of an earlier compile
  /// (`linkInputs()`, possibly of another process on a host with the same
  /// `hostTargetKey`).
  static llvm::Expected<std::unique_ptr<JitModule>>
  link(std::vector<std::string> inputs);

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
  /// A function that returns memrefs (compiled without results as out
  /// parameters) writes their descriptors to `results`, one after the other
  /// ({allocated, aligned, offset, sizes[rank], strides[rank]} as int64
  /// words): the caller passes room for them and owns the buffers after.
  static llvm::Error call(PackedFunction function,
                          llvm::ArrayRef<BufferView> buffers,
                          int64_t *results = nullptr);

  /// The optimized LLVM IR, if `keepLLVMIR` was set.
  const std::string &llvmIR() const { return llvmIR_; }
  /// The host assembly, if `keepAssembly` was set.
  const std::string &assembly() const { return assembly_; }

  /// The relocatable object files the code was linked from.
  const std::vector<std::string> &objects() const { return objects_; }

  /// What `link` takes to link this code again: the objects, then each
  /// constant kept out of them (large arrays of numbers: the code refers to
  /// them by symbol, defined at link time as the address of their bytes).
  std::vector<std::string> linkInputs() const;

  /// A constant kept out of the objects: its symbol, alignment and bytes.
  struct Constant {
    std::string symbol;
    uint64_t alignment = 64;
    size_t size = 0;
    std::shared_ptr<char> data; // aligned to `alignment`
  };
  const std::vector<Constant> &constants() const { return constants_; }

  /// The steps of the compile and their wall times: "translate" (to LLVM
  /// IR), "llvm-optimize" and "llvm-codegen" (summed over the parts when the
  /// module was compiled in parts on several threads), "link".
  const std::vector<CompileStep> &times() const { return times_; }

  /// How many parts the module was compiled in.
  unsigned parts() const { return static_cast<unsigned>(objects_.size()); }

  /// The name and features of the CPU the code was compiled for.
  static std::string hostCPUDescription();

  /// Everything about the host and this LLVM that the generated code depends
  /// on: target triple, CPU name, CPU features and LLVM's version.
  static std::string hostTargetKey();

private:
  JitModule();
  llvm::Error compileParts(const std::vector<std::string> &bitcodes,
                           const EngineOptions &options);
  llvm::Error linkObjects();

  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::vector<std::string> objects_;
  std::vector<Constant> constants_;
  std::vector<CompileStep> times_;
  std::string llvmIR_;
  std::string assembly_;
};

} // namespace kiln

#endif // KILN_COMPILER_ENGINE_H
