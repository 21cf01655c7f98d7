//===- Engine.cpp - JIT compilation of lowered Kiln graphs ----------------===//

#include "kiln/Compiler/Engine.h"

#include "kiln/Runtime/CAbi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/RTDyldObjectLinkingLayer.h"
#include "llvm/ExecutionEngine/SectionMemoryManager.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

using namespace kiln;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

/// Translates a one-function module whose argument has a parameter
/// attribute. MLIR builds the table it converts parameter attributes with
/// (`noalias`, kiln-noalias-buffers) on first use, in a function-local
/// static; libMLIR is not instrumented, so ThreadSanitizer cannot see that
/// initialization synchronized and reported two threads' first
/// translations as a race. Done once, before any compile thread.
void translateParameterAttributes() {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::DialectRegistry registry;
  registerEngineTranslations(registry);
  context.appendDialectRegistry(registry);
  context.loadDialect<mlir::LLVM::LLVMDialect>();
  mlir::OpBuilder b(&context);
  mlir::Location loc = b.getUnknownLoc();
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto ptr = mlir::LLVM::LLVMPointerType::get(&context);
  auto function = mlir::LLVM::LLVMFuncOp::create(
      b, loc, "kiln_parameter_attributes",
      mlir::LLVM::LLVMFunctionType::get(mlir::LLVM::LLVMVoidType::get(&context),
                                        {ptr}));
  function.setArgAttr(0, mlir::LLVM::LLVMDialect::getNoAliasAttrName(),
                      b.getUnitAttr());
  b.setInsertionPointToStart(function.addEntryBlock(b));
  mlir::LLVM::ReturnOp::create(b, loc, mlir::ValueRange());
  llvm::LLVMContext llvmContext;
  (void)mlir::translateModuleToLLVMIR(*module, llvmContext);
}

/// translateParameterAttributes(), once per process, before the first
/// translation (a compile from the cache translates nothing).
void translateParameterAttributesOnce() {
  static std::once_flag once;
  std::call_once(once, translateParameterAttributes);
}

void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    // The file system singleton every PassBuilder takes a reference to is
    // created here, before any compile thread: its lazy creation inside
    // libLLVM is synchronized where ThreadSanitizer cannot see it, and two
    // threads' first PassBuilders were reported as a race.
    (void)llvm::vfs::getRealFileSystem();
  });
}

/// The host's target, detected once per process: detecting the CPU's
/// features executes `cpuid`, which a virtual machine traps, and a compile
/// did it three times (0.3 ms each).
llvm::Expected<llvm::orc::JITTargetMachineBuilder> detectHost() {
  static std::once_flag once;
  static std::optional<llvm::orc::JITTargetMachineBuilder> host;
  static std::string error;
  std::call_once(once, [] {
    auto detected = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (detected)
      host = std::move(*detected);
    else
      error = llvm::toString(detected.takeError());
  });
  if (!host)
    return llvm::createStringError(error);
  return *host;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel) {
  auto builder = detectHost();
  if (!builder)
    return builder.takeError();
  // Position-independent: kept-out constants (keepConstantsOut) are
  // reached through the GOT, as they may lie anywhere in the address space.
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeGenOptLevel(optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                              : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                              : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                              : llvm::CodeGenOptLevel::None);
  return builder->createTargetMachine();
}

/// `module` as an object file or assembly text for `machine`. Code
/// generation changes the module: pass a clone to keep using it.
llvm::Expected<std::string> emitFile(llvm::Module &module,
                                     llvm::TargetMachine &machine,
                                     llvm::CodeGenFileType type) {
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream out(bytes);
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, out, nullptr, type))
    return llvm::createStringError(
        type == llvm::CodeGenFileType::AssemblyFile
            ? "the host target cannot emit assembly"
            : "the host target cannot emit object files");
  passes.run(module);
  return bytes.str().str();
}

/// Prefixes of a function's C interface (made by MLIR for functions with
/// `llvm.emit_c_interface`) and of its packed wrapper (made below).
constexpr llvm::StringLiteral kCInterfacePrefix = "_mlir_ciface_";
constexpr llvm::StringLiteral kPackedPrefix = "_kiln_packed_";

/// Adds `_kiln_packed_<name>(ptr args)` for each `_mlir_ciface_<name>`: it
/// calls the latter with `*args[i]` as argument i (and stores a result, if
/// any, through `args[n]`), so that a function of any arity is called
/// through one C++ type. Returns the wrappers' names.
std::vector<std::string> addPackedWrappers(llvm::Module &module) {
  std::vector<llvm::Function *> targets;
  for (llvm::Function &function : module)
    if (!function.isDeclaration() &&
        function.getName().starts_with(kCInterfacePrefix))
      targets.push_back(&function);
  llvm::LLVMContext &context = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(context);
  auto *type =
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptr}, false);
  std::vector<std::string> names;
  for (llvm::Function *target : targets) {
    std::string name =
        (kPackedPrefix + target->getName().drop_front(kCInterfacePrefix.size()))
            .str();
    auto *wrapper = llvm::Function::Create(
        type, llvm::Function::ExternalLinkage, name, module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", wrapper));
    llvm::Value *args = wrapper->getArg(0);
    llvm::SmallVector<llvm::Value *, 8> values;
    for (llvm::Argument &arg : target->args()) {
      llvm::Value *slot = b.CreateConstGEP1_64(ptr, args, arg.getArgNo());
      values.push_back(b.CreateLoad(arg.getType(), b.CreateLoad(ptr, slot)));
    }
    llvm::Value *result = b.CreateCall(target, values);
    if (!target->getReturnType()->isVoidTy()) {
      llvm::Value *slot = b.CreateConstGEP1_64(ptr, args, target->arg_size());
      b.CreateStore(result, b.CreateLoad(ptr, slot));
    }
    b.CreateRetVoid();
    names.push_back(std::move(name));
  }
  return names;
}

/// A module smaller than this many instructions is compiled in one part: a
/// thread and a target machine per part cost more than they save.
constexpr size_t kMinInstructionsToSplit = 500;
/// Constants up to this size are copied into each part that uses them, so
/// that LLVM can still fold loads of them; larger ones are shared.
constexpr uint64_t kMaxCopiedConstantBytes = 4096;

std::string bitcodeOf(const llvm::Module &module) {
  std::string bitcode;
  llvm::raw_string_ostream os(bitcode);
  llvm::WriteBitcodeToFile(module, os);
  return bitcode;
}

/// Constants at least this large are kept out of the objects.
constexpr uint64_t kMinKeptOutConstantBytes = 64 * 1024;

/// Copies the bytes of `value`, an array of numbers (nested or not), as they
/// lie in memory to `out`, which it advances; false if `value` is anything
/// else or does not fit before `end`.
bool copyBytes(const llvm::Constant *value, const llvm::DataLayout &layout,
               char *&out, const char *end) {
  if (auto *data = llvm::dyn_cast<llvm::ConstantDataSequential>(value)) {
    llvm::StringRef bytes = data->getRawDataValues();
    if (static_cast<size_t>(end - out) < bytes.size())
      return false;
    std::memcpy(out, bytes.data(), bytes.size());
    out += bytes.size();
    return true;
  }
  if (llvm::isa<llvm::ConstantAggregateZero>(value)) {
    uint64_t size = layout.getTypeAllocSize(value->getType());
    if (static_cast<uint64_t>(end - out) < size)
      return false;
    std::memset(out, 0, size);
    out += size;
    return true;
  }
  auto *array = llvm::dyn_cast<llvm::ConstantArray>(value);
  if (!array)
    return false;
  for (const llvm::Use &element : array->operands())
    if (!copyBytes(llvm::cast<llvm::Constant>(element.get()), layout, out, end))
      return false;
  return true;
}

/// Memory of `size` bytes aligned to `alignment` (a power of two of at
/// least 64), freed when the last owner lets go.
std::shared_ptr<char> allocateAligned(uint64_t alignment, uint64_t size) {
  void *data = std::aligned_alloc(
      alignment,
      (std::max<uint64_t>(size, 1) + alignment - 1) / alignment * alignment);
  if (!data)
    throw std::bad_alloc();
  return std::shared_ptr<char>(static_cast<char *>(data), std::free);
}

/// Moves the bytes of each large constant array of numbers out of `module`:
/// the global becomes an external declaration `__kiln_constant_<i>`, which
/// linkObjects defines as the address of the bytes (the code reaches it
/// through the GOT, so it may be anywhere). Code generation converts an
/// array of floats to bytes an element at a time (an APFloat each), and
/// the parts' bitcode takes a record per element to write and to read back:
/// with resnet18's 46 MB of weights in the objects, these took 2 of the 3.7
/// s of its compile. Loads of such large constants are not folded anyway.
std::vector<JitModule::Constant> keepConstantsOut(llvm::Module &module) {
  const llvm::DataLayout &layout = module.getDataLayout();
  std::vector<JitModule::Constant> constants;
  for (llvm::GlobalVariable &global : module.globals()) {
    if (!global.isConstant() || !global.hasInitializer() ||
        !global.getValueType()->isArrayTy())
      continue;
    uint64_t size = layout.getTypeAllocSize(global.getValueType());
    if (size < kMinKeptOutConstantBytes)
      continue;
    JitModule::Constant constant;
    constant.alignment = std::max<uint64_t>(
        64,
        global.getAlign().value_or(layout.getPreferredAlign(&global)).value());
    constant.size = size;
    constant.data = allocateAligned(constant.alignment, size);
    char *out = constant.data.get();
    if (!copyBytes(global.getInitializer(), layout, out,
                   constant.data.get() + size) ||
        out != constant.data.get() + size)
      continue;
    global.setInitializer(nullptr);
    global.setLinkage(llvm::GlobalValue::ExternalLinkage);
    global.setVisibility(llvm::GlobalValue::DefaultVisibility);
    global.setDSOLocal(false);
    global.setName("__kiln_constant_" + std::to_string(constants.size()));
    constant.symbol = global.getName().str();
    constants.push_back(std::move(constant));
  }
  return constants;
}

/// How a kept-out constant is stored among `linkInputs()`: this line, then
/// "<symbol>\n<alignment>\n", then its bytes (an object file starts with
/// ELF's magic number instead).
constexpr llvm::StringLiteral kConstantHeader = "kiln-jit-constant\n";

/// Splits `module` into at most `parts` modules of about equal size (counted
/// in instructions), as bitcode. Each function goes whole to one part,
/// largest first to the smallest part; other global variables go to part 0.
/// Local symbols become hidden external ones, so that the parts can refer to
/// each other when the JIT links them, except small constants, which each
/// part that uses them gets a copy of.
std::vector<std::string> splitModule(llvm::Module &module, unsigned parts) {
  std::vector<std::pair<size_t, llvm::Function *>> functions;
  size_t total = 0;
  for (llvm::Function &function : module)
    if (!function.isDeclaration()) {
      functions.push_back({function.getInstructionCount(), &function});
      total += functions.back().first;
    }
  parts = std::min<unsigned>(parts, functions.size());
  if (parts <= 1 || total < kMinInstructionsToSplit)
    return {bitcodeOf(module)};

  std::stable_sort(
      functions.begin(), functions.end(),
      [](const auto &a, const auto &b) { return a.first > b.first; });
  std::vector<size_t> sizes(parts, 0);
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> owner;
  for (const auto &[size, function] : functions) {
    unsigned part =
        std::min_element(sizes.begin(), sizes.end()) - sizes.begin();
    sizes[part] += size;
    owner[function] = part;
  }

  const llvm::DataLayout &layout = module.getDataLayout();
  auto copiedToEachPart = [&](const llvm::GlobalValue *value) {
    auto *variable = llvm::dyn_cast<llvm::GlobalVariable>(value);
    return variable && variable->isConstant() && variable->hasLocalLinkage() &&
           layout.getTypeAllocSize(variable->getValueType()) <=
               kMaxCopiedConstantBytes;
  };
  unsigned unnamed = 0;
  for (llvm::GlobalValue &value : module.global_values()) {
    if (value.isDeclaration() || !value.hasLocalLinkage() ||
        copiedToEachPart(&value))
      continue;
    if (!value.hasName())
      value.setName("__kiln_part_symbol_" + std::to_string(unnamed++));
    value.setLinkage(llvm::GlobalValue::ExternalLinkage);
    value.setVisibility(llvm::GlobalValue::HiddenVisibility);
  }

  std::vector<std::string> bitcodes;
  for (unsigned part = 0; part < parts; ++part) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> clone =
        llvm::CloneModule(module, map, [&](const llvm::GlobalValue *value) {
          if (llvm::isa<llvm::Function>(value))
            return owner.lookup(value) == part;
          return copiedToEachPart(value) || part == 0;
        });
    bitcodes.push_back(bitcodeOf(*clone));
  }
  return bitcodes;
}

/// The LLVM half of a compile, for one part: parse, optimize, generate the
/// object (and the kept IR or assembly). Touches no MLIR object.
struct PartCompile {
  std::string object;
  std::string llvmIR;
  std::string assembly;
  double optimizeMs = 0;
  double codegenMs = 0;
  std::string error;

  void run(llvm::StringRef bitcode, const EngineOptions &options) {
    llvm::LLVMContext context;
    auto module = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(bitcode, "kiln-jit"), context);
    if (!module) {
      error = "cannot read back the module's bitcode: " +
              llvm::toString(module.takeError());
      return;
    }
    auto machine = createHostTargetMachine(options.optLevel);
    if (!machine) {
      error = llvm::toString(machine.takeError());
      return;
    }
    auto start = Clock::now();
    if (llvm::Error failure =
            optimizeModule(**module, **machine, options.optLevel)) {
      error = llvm::toString(std::move(failure));
      return;
    }
    optimizeMs = msSince(start);
    if (options.keepLLVMIR) {
      llvm::raw_string_ostream os(llvmIR);
      (*module)->print(os, nullptr);
    }
    if (options.keepAssembly) {
      auto text = emitFile(*llvm::CloneModule(**module), **machine,
                           llvm::CodeGenFileType::AssemblyFile);
      if (!text) {
        error = llvm::toString(text.takeError());
        return;
      }
      assembly = std::move(*text);
    }
    start = Clock::now();
    auto bytes =
        emitFile(**module, **machine, llvm::CodeGenFileType::ObjectFile);
    if (!bytes) {
      error = llvm::toString(bytes.takeError());
      return;
    }
    object = std::move(*bytes);
    codegenMs = msSince(start);
  }
};

} // namespace

llvm::Error kiln::optimizeModule(llvm::Module &module,
                                 llvm::TargetMachine &machine,
                                 unsigned optLevel) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel > 1;
  tuning.LoopInterleaving = optLevel > 1;
  tuning.SLPVectorization = optLevel > 1;
  // The unroller doubles the code of compiled graphs and the time LLVM
  // takes (it fully unrolls outer loops around vectorized inner ones) and
  // makes the row loops of softmax and layer_norm slower: the vectorizer's
  // interleaving already unrolls the inner loops (docs/design.md).
  tuning.LoopUnrolling = false;
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  llvm::OptimizationLevel level = optLevel >= 3   ? llvm::OptimizationLevel::O3
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                                  : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager passes;
  if (optLevel == 0) {
    passes = builder.buildO0DefaultPipeline(level);
  } else {
    // The default pipeline less its interprocedural half (inliner, IPSCCP,
    // GlobalOpt...): a compiled graph's functions call only the runtime and
    // each other through pointers, so it found nothing to do there, and
    // skipping it saves a tenth of LLVM's time on the encoder layer.
    passes.addPass(llvm::createModuleToFunctionPassAdaptor(
        builder.buildFunctionSimplificationPipeline(
            level, llvm::ThinOrFullLTOPhase::None)));
    passes.addPass(builder.buildModuleOptimizationPipeline(
        level, llvm::ThinOrFullLTOPhase::None));
  }
  passes.run(module, modules);
  return llvm::Error::success();
}

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

JitModule::JitModule() = default;
JitModule::~JitModule() = default;

std::string JitModule::hostCPUDescription() {
  std::string cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  bool avx512 = features.lookup("avx512f");
  return cpu + (avx512                    ? " (avx512f)"
                : features.lookup("avx2") ? " (avx2)"
                                          : "");
}

std::string JitModule::hostTargetKey() {
  // The host does not change while the process runs.
  static const std::string key = [] {
    std::vector<std::string> enabled;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      if (feature.second)
        enabled.push_back(feature.first().str());
    std::sort(enabled.begin(), enabled.end());
    std::string key = llvm::sys::getProcessTriple() + " " +
                      llvm::sys::getHostCPUName().str() + " LLVM " +
                      LLVM_VERSION_STRING + " +";
    for (const std::string &feature : enabled)
      key += feature + ",";
    return key;
  }();
  return key;
}

/// Optimizes and compiles the parts on a thread each, then links them.
llvm::Error JitModule::compileParts(const std::vector<std::string> &bitcodes,
                                    const EngineOptions &options) {
  std::vector<PartCompile> parts(bitcodes.size());
  {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < bitcodes.size(); ++i)
      threads.emplace_back([&, i] { parts[i].run(bitcodes[i], options); });
    parts[0].run(bitcodes[0], options);
    for (std::thread &thread : threads)
      thread.join();
  }
  double optimizeMs = 0, codegenMs = 0;
  for (PartCompile &part : parts) {
    if (!part.error.empty())
      return llvm::createStringError(part.error);
    optimizeMs += part.optimizeMs;
    codegenMs += part.codegenMs;
    objects_.push_back(std::move(part.object));
  }
  llvmIR_ = std::move(parts[0].llvmIR);
  assembly_ = std::move(parts[0].assembly);
  times_.push_back({"llvm-optimize", optimizeMs});
  times_.push_back({"llvm-codegen", codegenMs});
  return llvm::Error::success();
}

/// Links `objects_` into a JIT of its own, with the runtime's functions
/// (kiln/Runtime/CAbi.h) and the process's symbols (libm, memcpy) visible.
llvm::Error JitModule::linkObjects() {
  auto machine = detectHost();
  if (!machine)
    return machine.takeError();
  auto jit =
      llvm::orc::LLJITBuilder()
          .setJITTargetMachineBuilder(std::move(*machine))
          .setObjectLinkingLayerCreator(
              [](llvm::orc::ExecutionSession &session)
                  -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
                return std::make_unique<llvm::orc::RTDyldObjectLinkingLayer>(
                    session, [](const llvm::MemoryBuffer &) {
                      return std::make_unique<llvm::SectionMemoryManager>();
                    });
              })
          .setLinkProcessSymbolsByDefault(true)
          .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
          .create();
  if (!jit)
    return jit.takeError();
  jit_ = std::move(*jit);
  llvm::orc::SymbolMap symbols;
  int64_t count = 0;
  const RuntimeSymbol *runtime = runtimeSymbols(count);
  for (int64_t i = 0; i < count; ++i)
    symbols[jit_->mangleAndIntern(runtime[i].name)] = {
        llvm::orc::ExecutorAddr::fromPtr(runtime[i].address),
        llvm::JITSymbolFlags::Exported};
  for (const Constant &constant : constants_)
    symbols[jit_->mangleAndIntern(constant.symbol)] = {
        llvm::orc::ExecutorAddr::fromPtr(constant.data.get()),
        llvm::JITSymbolFlags::Exported};
  if (llvm::Error error = jit_->getMainJITDylib().define(
          llvm::orc::absoluteSymbols(std::move(symbols))))
    return error;
  for (const std::string &object : objects_)
    if (llvm::Error error = jit_->addObjectFile(
            llvm::MemoryBuffer::getMemBufferCopy(object, "kiln-jit-object")))
      return error;
  return llvm::Error::success();
}

std::vector<std::string> JitModule::linkInputs() const {
  std::vector<std::string> inputs = objects_;
  for (const Constant &constant : constants_)
    inputs.push_back(kConstantHeader.str() + constant.symbol + "\n" +
                     std::to_string(constant.alignment) + "\n" +
                     std::string(constant.data.get(), constant.size));
  return inputs;
}

llvm::Expected<std::unique_ptr<JitModule>>
JitModule::link(std::vector<std::string> inputs) {
  initializeNativeTarget();
  auto start = Clock::now();
  std::unique_ptr<JitModule> jit(new JitModule());
  for (std::string &input : inputs) {
    llvm::StringRef rest(input);
    if (!rest.consume_front(kConstantHeader)) {
      jit->objects_.push_back(std::move(input));
      continue;
    }
    Constant constant;
    auto [symbol, afterSymbol] = rest.split('\n');
    auto [alignment, bytes] = afterSymbol.split('\n');
    if (symbol.empty() || alignment.getAsInteger(10, constant.alignment) ||
        constant.alignment < 64 ||
        (constant.alignment & (constant.alignment - 1)))
      return llvm::createStringError(
          "a kept-out constant's header is malformed");
    constant.symbol = symbol.str();
    constant.size = bytes.size();
    constant.data = allocateAligned(constant.alignment, constant.size);
    std::memcpy(constant.data.get(), bytes.data(), bytes.size());
    jit->constants_.push_back(std::move(constant));
  }
  if (llvm::Error error = jit->linkObjects())
    return std::move(error);
  jit->times_.push_back({"link", msSince(start)});
  return jit;
}

llvm::Expected<std::unique_ptr<JitModule>>
JitModule::compile(mlir::ModuleOp module, const EngineOptions &options) {
  initializeNativeTarget();
  translateParameterAttributesOnce();
  mlir::DialectRegistry registry;
  registerEngineTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);

  // The MLIR half: translation to LLVM IR, kept as bitcode (of each part).
  auto start = Clock::now();
  std::vector<std::string> bitcodes, entries;
  std::vector<Constant> constants;
  {
    llvm::LLVMContext context;
    std::unique_ptr<llvm::Module> llvmModule =
        mlir::translateModuleToLLVMIR(module, context);
    if (!llvmModule)
      return llvm::createStringError("could not translate to LLVM IR");
    auto machine = createHostTargetMachine(options.optLevel);
    if (!machine)
      return machine.takeError();
    llvmModule->setDataLayout((*machine)->createDataLayout());
    llvmModule->setTargetTriple((*machine)->getTargetTriple());
    entries = addPackedWrappers(*llvmModule);
    bool whole = options.keepLLVMIR || options.keepAssembly;
    if (!whole)
      constants = keepConstantsOut(*llvmModule);
    unsigned threads = options.codegenThreads
                           ? options.codegenThreads
                           : std::max(1u, std::thread::hardware_concurrency());
    bitcodes = splitModule(*llvmModule, whole ? 1 : threads);
  }
  std::unique_ptr<JitModule> jit(new JitModule());
  jit->constants_ = std::move(constants);
  jit->times_.push_back({"translate", msSince(start)});

  // The LLVM half, then linking; linking happens on the first lookup of a
  // symbol, so look up every entry point now.
  auto llvmHalf = [entries](JitModule &jit,
                            const std::vector<std::string> &bitcodes,
                            const EngineOptions &options) -> llvm::Error {
    if (llvm::Error error = jit.compileParts(bitcodes, options))
      return error;
    auto start = Clock::now();
    if (llvm::Error error = jit.linkObjects())
      return error;
    for (const std::string &entry : entries)
      if (auto address = jit.jit_->lookup(entry); !address)
        return address.takeError();
    jit.times_.push_back({"link", msSince(start)});
    return llvm::Error::success();
  };

  if (options.timeout.count() <= 0) {
    if (llvm::Error error = llvmHalf(*jit, bitcodes, options))
      return std::move(error);
    return jit;
  }

  // The LLVM half under a watchdog. The worker owns everything it uses; if
  // the caller stops waiting, the worker's result is dropped when it ends.
  struct Compile {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    std::vector<std::string> bitcodes;
    EngineOptions options;
    std::unique_ptr<JitModule> jit;
    std::string error;
  };
  auto state = std::make_shared<Compile>();
  state->bitcodes = std::move(bitcodes);
  state->options = options;
  state->jit = std::move(jit);
  std::thread([state, llvmHalf] {
    llvm::Error error = llvmHalf(*state->jit, state->bitcodes, state->options);
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
  auto address = jit_->lookup((kPackedPrefix + function).str());
  if (!address)
    return address.takeError();
  return address->toPtr<PackedFunction>();
}

llvm::Error JitModule::call(llvm::StringRef function,
                            llvm::ArrayRef<BufferView> buffers) const {
  auto packed = lookup(function);
  if (!packed)
    return packed.takeError();
  return call(*packed, buffers);
}

namespace {
/// Calls `function`, compiled code's entry point. UBSan's
/// -fsanitize=function reads the 8 bytes before a function called through a
/// pointer (the type hash clang puts there); compiled code has none, and
/// that read faults when the JIT placed the function at the start of a
/// page that follows an unmapped one. The check is off for this one call.
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
void callEntry(kiln::JitModule::PackedFunction function, void **args) {
  function(args);
}
} // namespace

llvm::Error JitModule::call(PackedFunction function,
                            llvm::ArrayRef<BufferView> buffers,
                            int64_t *results) {
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
  // The C interface takes a pointer to each descriptor, after a pointer to
  // the results' descriptors if the function returns any; the packed
  // wrapper takes a pointer to each argument.
  llvm::SmallVector<void *, 8> descriptorPointers;
  if (results)
    descriptorPointers.push_back(results);
  for (size_t start : starts)
    descriptorPointers.push_back(words.data() + start);
  llvm::SmallVector<void *, 8> args;
  for (void *&pointer : descriptorPointers)
    args.push_back(&pointer);
  callEntry(function, args.data());
  return llvm::Error::success();
}
