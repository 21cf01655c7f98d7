//===- Engine.cpp - JIT compilation of lowered Kiln graphs ----------------===//

#include "kiln/Compiler/Engine.h"

#include "kiln/Runtime/CAbi.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <condition_variable>
#include <mutex>
#include <thread>

using namespace kiln;

namespace {

void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel) {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                              : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                              : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                              : llvm::CodeGenOptLevel::None);
  return builder->createTargetMachine();
}

/// Host assembly of `module` (a clone: code generation consumes the module).
llvm::Expected<std::string> emitAssembly(const llvm::Module &module,
                                         llvm::TargetMachine &machine) {
  std::unique_ptr<llvm::Module> clone = llvm::CloneModule(module);
  llvm::SmallString<0> text;
  llvm::raw_svector_ostream out(text);
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, out, nullptr,
                                  llvm::CodeGenFileType::AssemblyFile))
    return llvm::createStringError("the host target cannot emit assembly");
  passes.run(*clone);
  return text.str().str();
}

} // namespace

char CompileTimeoutError::ID = 0;

void CompileTimeoutError::log(llvm::raw_ostream &os) const {
  os << "LLVM did not finish optimizing and generating code within the "
        "compile timeout of "
     << timeout.count() << " ms; the compile was abandoned";
}

void kiln::registerEngineTranslations(mlir::DialectRegistry &registry) {
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
}

JitModule::~JitModule() = default;

std::string JitModule::hostCPUDescription() {
  std::string cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  bool avx512 = features.lookup("avx512f");
  return cpu + (avx512                    ? " (avx512f)"
                : features.lookup("avx2") ? " (avx2)"
                                          : "");
}

/// The LLVM half of a compile: optimization, the ORC JIT and code
/// generation of a module given as bitcode. It touches no MLIR object, so a
/// compile abandoned by the watchdog can keep running after the caller's
/// MLIR context is gone.
llvm::Error JitModule::compileBitcode(llvm::StringRef bitcode,
                                      llvm::StringRef anySymbol,
                                      const EngineOptions &options) {
  auto machine = createHostTargetMachine(options.optLevel);
  if (!machine)
    return machine.takeError();
  // The optimizer below keeps a pointer to this target machine.
  std::shared_ptr<llvm::TargetMachine> optMachine = std::move(*machine);

  auto optimize =
      mlir::makeOptimizingTransformer(options.optLevel,
                                      /*sizeLevel=*/0, optMachine.get());
  auto transformer = [&](llvm::Module *llvmModule) -> llvm::Error {
    if (llvm::Error error = optimize(llvmModule))
      return error;
    if (options.keepLLVMIR) {
      llvm::raw_string_ostream os(llvmIR_);
      llvmModule->print(os, nullptr);
    }
    if (options.keepAssembly) {
      auto assembly = emitAssembly(*llvmModule, *optMachine);
      if (!assembly)
        return assembly.takeError();
      assembly_ = std::move(*assembly);
    }
    return llvm::Error::success();
  };

  std::string parseError;
  // ExecutionEngineOptions holds a function_ref to this.
  auto readBitcode =
      [&](mlir::Operation *,
          llvm::LLVMContext &context) -> std::unique_ptr<llvm::Module> {
    auto module = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(bitcode, "kiln-jit"), context);
    if (!module) {
      parseError = llvm::toString(module.takeError());
      return nullptr;
    }
    return std::move(*module);
  };
  mlir::ExecutionEngineOptions engineOptions;
  engineOptions.llvmModuleBuilder = readBitcode;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = optMachine->getOptLevel();
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  auto machineForJit = createHostTargetMachine(options.optLevel);
  if (!machineForJit)
    return machineForJit.takeError();
  auto engine = mlir::ExecutionEngine::create(nullptr, engineOptions,
                                              std::move(*machineForJit));
  if (!engine) {
    if (!parseError.empty()) {
      llvm::consumeError(engine.takeError());
      return llvm::createStringError("cannot read back the module's bitcode: " +
                                     parseError);
    }
    return engine.takeError();
  }
  engine_ = std::move(*engine);
  // The runtime functions compiled code may call (kiln/Runtime/CAbi.h).
  engine_->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    int64_t count = 0;
    const RuntimeSymbol *runtime = runtimeSymbols(count);
    for (int64_t i = 0; i < count; ++i)
      symbols[interner(runtime[i].name)] = {
          llvm::orc::ExecutorAddr::fromPtr(runtime[i].address),
          llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  engine_->initialize();
  // Code generation happens on the first lookup of a symbol of the module
  // (one materialization unit): do it here, under the watchdog.
  if (!anySymbol.empty())
    if (auto address = engine_->lookup(anySymbol); !address)
      return address.takeError();
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<JitModule>>
JitModule::compile(mlir::ModuleOp module, const EngineOptions &options) {
  initializeNativeTarget();
  mlir::DialectRegistry registry;
  registerEngineTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);

  // The MLIR half: translation to LLVM IR, kept as bitcode.
  std::string bitcode, anySymbol;
  {
    llvm::LLVMContext context;
    std::unique_ptr<llvm::Module> llvmModule =
        mlir::translateModuleToLLVMIR(module, context);
    if (!llvmModule)
      return llvm::createStringError("could not translate to LLVM IR");
    for (const llvm::Function &function : *llvmModule)
      if (!function.isDeclaration() && !function.hasLocalLinkage()) {
        anySymbol = function.getName().str();
        break;
      }
    llvm::raw_string_ostream os(bitcode);
    llvm::WriteBitcodeToFile(*llvmModule, os);
  }

  std::unique_ptr<JitModule> jit(new JitModule());
  if (options.timeout.count() <= 0) {
    if (llvm::Error error = jit->compileBitcode(bitcode, anySymbol, options))
      return std::move(error);
    return jit;
  }

  // The LLVM half under a watchdog. The worker owns everything it uses; if
  // the caller stops waiting, the worker's result is dropped when it ends.
  struct Compile {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    std::string bitcode, anySymbol;
    EngineOptions options;
    std::unique_ptr<JitModule> jit;
    std::string error;
  };
  auto state = std::make_shared<Compile>();
  state->bitcode = std::move(bitcode);
  state->anySymbol = std::move(anySymbol);
  state->options = options;
  state->jit = std::move(jit);
  std::thread([state] {
    llvm::Error error = state->jit->compileBitcode(
        state->bitcode, state->anySymbol, state->options);
    std::lock_guard<std::mutex> lock(state->mutex);
    if (error)
      state->error = llvm::toString(std::move(error));
    state->finished = true;
    state->done.notify_all();
  }).detach();

  std::unique_lock<std::mutex> lock(state->mutex);
  if (!state->done.wait_for(lock, options.timeout,
                            [&] { return state->finished; }))
    return llvm::make_error<CompileTimeoutError>(options.timeout);
  if (!state->error.empty())
    return llvm::createStringError(state->error);
  return std::move(state->jit);
}

llvm::Expected<JitModule::PackedFunction>
JitModule::lookup(llvm::StringRef function) const {
  return engine_->lookupPacked(("_mlir_ciface_" + function).str());
}

llvm::Error JitModule::call(llvm::StringRef function,
                            llvm::ArrayRef<BufferView> buffers) const {
  auto packed = lookup(function);
  if (!packed)
    return packed.takeError();
  return call(*packed, buffers);
}

llvm::Error JitModule::call(PackedFunction function,
                            llvm::ArrayRef<BufferView> buffers) {
  // One memref descriptor per buffer, laid out as MLIR's C interface expects:
  // {allocated, aligned, offset, sizes[rank], strides[rank]}, all in one
  // array.
  llvm::SmallVector<int64_t, 64> words;
  llvm::SmallVector<size_t, 8> starts;
  for (const BufferView &buffer : buffers) {
    if (buffer.sizes.size() != buffer.strides.size())
      return llvm::createStringError(
          "buffer of rank " + std::to_string(buffer.sizes.size()) + " has " +
          std::to_string(buffer.strides.size()) + " strides");
    starts.push_back(words.size());
    auto pointer = reinterpret_cast<int64_t>(buffer.data);
    words.append({pointer, pointer, buffer.offset});
    words.append(buffer.sizes.begin(), buffer.sizes.end());
    words.append(buffer.strides.begin(), buffer.strides.end());
  }
  // The C interface takes a pointer to each descriptor; the packed wrapper
  // takes a pointer to each argument.
  llvm::SmallVector<void *, 8> descriptorPointers;
  for (size_t start : starts)
    descriptorPointers.push_back(words.data() + start);
  llvm::SmallVector<void *, 8> args;
  for (void *&pointer : descriptorPointers)
    args.push_back(&pointer);
  function(args.data());
  return llvm::Error::success();
}
