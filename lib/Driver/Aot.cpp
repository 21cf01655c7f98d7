//===- Aot.cpp - Ahead-of-time compilation of graph files -----------------===//

#include "kiln/Driver/Aot.h"

#include "kiln/Compiler/Engine.h"
#include "kiln/Conversion/DynamicDims.h"
#include "kiln/Driver/Emit.h"
#include "kiln/Runtime/Error.h"

#include "Files.h"
#include "Quote.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

#include <cctype>
#include <chrono>
#include <mutex>
#include <set>

using namespace kiln;
using namespace kiln::driver;

namespace {

/// The host CPU with every feature, position-independent code (objects may
/// go into shared libraries), as aggressive as the JIT.
std::unique_ptr<llvm::TargetMachine> createHostTargetMachine() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    throw Error("cannot target the host CPU: " +
                llvm::toString(builder.takeError()));
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  builder->setRelocationModel(llvm::Reloc::PIC_);
  auto machine = builder->createTargetMachine();
  if (!machine)
    throw Error("cannot target the host CPU: " +
                llvm::toString(machine.takeError()));
  return std::move(*machine);
}

std::string emitFile(llvm::Module &module, llvm::TargetMachine &machine,
                     llvm::CodeGenFileType type) {
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream out(bytes);
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, out, nullptr, type))
    throw Error("the host target cannot emit this file type");
  passes.run(module);
  return bytes.str().str();
}

/// The C type of one element of `dtype` in a generated header.
const char *cElementType(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return "bool";
  case DType::I32:
    return "int32_t";
  case DType::I64:
    return "int64_t";
  case DType::I8:
    return "int8_t";
  case DType::I16:
    return "int16_t";
  case DType::U8:
    return "uint8_t";
  case DType::U16:
    return "uint16_t";
  case DType::F16:
  case DType::BF16:
    return "uint16_t"; // the bits; C has no portable half type
  case DType::F32:
    return "float";
  case DType::F64:
    return "double";
  }
  return "void";
}

std::string shortName(DType dtype) {
  // In the order of DType's values.
  static const char *names[] = {"i1",  "i32", "i64", "f16", "bf16", "f32",
                                "f64", "i8",  "i16", "u8",  "u16"};
  static_assert(std::size(names) == std::size(kAllDTypes));
  return names[int(dtype)];
}

std::string memRefTypeName(const TensorSignature &type) {
  return "KilnMemRef_" + shortName(type.dtype) + "_" +
         std::to_string(type.shape.size()) + "d";
}

/// The static runtime library that shared libraries calling `kiln_rt_*`
/// link: next to an installed kilnc (<prefix>/<libdir> from <prefix>/bin), else
/// the one of the build tree kilnc was built in.
std::string runtimeLibrary() {
  std::string executable = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&runtimeLibrary));
  llvm::SmallString<256> installed(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(executable)));
  llvm::sys::path::append(installed, KILN_INSTALL_LIBDIR,
                          llvm::sys::path::filename(KILN_RUNTIME_LIBRARY));
  if (!executable.empty() && llvm::sys::fs::exists(installed))
    return installed.str().str();
  return KILN_RUNTIME_LIBRARY;
}

/// "in0.sizes[1]", for the header's comments and checks.
std::string sizeName(const std::string &param, int64_t dim) {
  return param + ".sizes[" + std::to_string(dim) + "]";
}

/// The sizes of a function's buffers when some are dynamic: what each
/// output's sizes are, in terms of the inputs' sizes, and the checks that
/// make a call valid, as C conditions that must hold.
struct DynamicSizes {
  /// Per output, its sizes as C expressions ("in0.sizes[0]", "4").
  std::vector<std::vector<std::string>> outputSizes;
  /// {condition, message}: e.g. {"in0->sizes[0] == in1->sizes[0]", "..."}.
  std::vector<std::pair<std::string, std::string>> checks;
};

/// The sizes of `func`'s buffers (`inputs`, then `outputs`), or an error
/// naming the first output size that is none of the inputs' sizes.
DynamicSizes dynamicSizes(const GraphFile &file, const std::string &name,
                          const std::vector<TensorSignature> &inputs,
                          const std::vector<TensorSignature> &outputs) {
  DynamicDimChecks analysis = analyzeDynamicDims(file.function(name));
  DynamicSizes sizes;
  auto in = [](int64_t argument) { return "in" + std::to_string(argument); };
  auto condition = [](const std::string &param, int64_t dim,
                      const std::string &value) {
    return param + "->sizes[" + std::to_string(dim) + "] == " + value;
  };
  auto pointerSize = [](const std::string &param, int64_t dim) {
    return param + "->sizes[" + std::to_string(dim) + "]";
  };
  // Static sizes of every buffer first, then the pairs the graph's ops
  // need equal, then the outputs' dynamic sizes.
  for (size_t i = 0; i < inputs.size(); ++i)
    for (size_t d = 0; d < inputs[i].shape.size(); ++d)
      if (!isDynamic(inputs[i].shape[d]))
        sizes.checks.push_back(
            {condition(in(i), d, std::to_string(inputs[i].shape[d])),
             sizeName(in(i), d) + " must be " +
                 std::to_string(inputs[i].shape[d])});
  for (const DimCheck &check : analysis.checks) {
    bool toSize = check.otherArgument < 0;
    std::string other =
        toSize ? std::to_string(check.size)
               : pointerSize(in(check.otherArgument), check.otherDim);
    sizes.checks.push_back(
        {condition(in(check.argument), check.dim, other),
         sizeName(in(check.argument), check.dim) + " must equal " +
             (toSize ? other
                     : sizeName(in(check.otherArgument), check.otherDim)) +
             " (" + check.op + ")"});
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string out = "out" + std::to_string(i);
    std::vector<std::string> expressions;
    for (size_t d = 0; d < outputs[i].shape.size(); ++d) {
      DimSource source;
      if (i < analysis.resultDims.size() && d < analysis.resultDims[i].size())
        source = analysis.resultDims[i][d];
      if (!isDynamic(outputs[i].shape[d]))
        source = DimSource{-1, 0, outputs[i].shape[d]};
      if (!source.known())
        throw Error(file.path() + ": '" + name + "': dimension " +
                    std::to_string(d) + " of result " + std::to_string(i) +
                    " is dynamic with a size that is none of the arguments' "
                    "sizes; kilnc compile needs each output size to be an "
                    "input size or static (kilnc run and the JIT take it)");
      std::string expression = source.isStatic()
                                   ? std::to_string(source.size)
                                   : sizeName(in(source.argument), source.dim);
      std::string pointerExpression =
          source.isStatic() ? expression
                            : pointerSize(in(source.argument), source.dim);
      sizes.checks.push_back(
          {condition(out, d, pointerExpression),
           sizeName(out, d) +
               (source.isStatic() ? " must be " : " must equal ") +
               expression});
      expressions.push_back(expression);
    }
    sizes.outputSizes.push_back(std::move(expressions));
  }
  return sizes;
}

} // namespace

NativeCode driver::generateNativeCode(mlir::ModuleOp module, NativeOutput what,
                                      const StepTimer &timer) {
  using Clock = std::chrono::steady_clock;
  auto time = [&](const char *step, Clock::time_point start) {
    if (timer)
      timer(step,
            std::chrono::duration<double, std::milli>(Clock::now() - start)
                .count());
  };
  std::unique_ptr<llvm::TargetMachine> machine = createHostTargetMachine();
  llvm::LLVMContext context;
  auto start = Clock::now();
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    throw Error("translation to LLVM IR failed");
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple());
  time("translate-to-llvmir", start);

  start = Clock::now();
  if (llvm::Error error = optimizeModule(*llvmModule, *machine))
    throw Error("LLVM optimization failed: " +
                llvm::toString(std::move(error)));
  time("llvm-optimize", start);

  NativeCode code;
  llvm::raw_string_ostream os(code.llvmIR);
  llvmModule->print(os, nullptr);
  for (llvm::Function &function : *llvmModule)
    if (function.isDeclaration() && function.getName().contains("kiln_rt_"))
      code.runtimeCalls.push_back(function.getName().str());

  start = Clock::now();
  if (what == NativeOutput::Assembly) {
    code.assembly =
        emitFile(*llvmModule, *machine, llvm::CodeGenFileType::AssemblyFile);
    time("codegen-asm", start);
  } else if (what == NativeOutput::Object) {
    code.object =
        emitFile(*llvmModule, *machine, llvm::CodeGenFileType::ObjectFile);
    time("codegen-object", start);
  }
  return code;
}

std::string driver::generateCHeader(const GraphFile &file,
                                    const std::string &guard) {
  std::string out;
  out += "/* Generated by kilnc compile from " + file.path() + ".\n";
  out += R"( *
 * Entry points of the compiled graphs, for C and C++. Each takes a pointer
 * to a memref descriptor per input, then one per output: the caller
 * allocates every output buffer and the call fills it. For a row-major
 * buffer `data` of shape (d0, ..., dn-1):
 *
 *   allocated = aligned = data;  offset = 0;
 *   sizes = {d0, ..., dn-1};  strides = {d1*...*dn-1, ..., dn-1, 1};
 *
 * A function with dynamic dimensions (?) takes buffers of any size in
 * them: its comment gives each output's sizes in terms of the inputs', and
 * kiln_check_<name>() tells whether a call's buffers have sizes that fit.
 *
 * Inputs are read, never written. An output buffer must not overlap an
 * input or another output (the code is compiled assuming it does not);
 * inputs may overlap each other. float16 and bfloat16 elements are their
 * 16-bit patterns. Link with -lm. The code was generated for the CPU of the
 * machine that compiled it (it may use e.g. AVX-512).
 */
)";
  out += "#ifndef " + guard + "\n#define " + guard + "\n\n";
  out += "#include <stdbool.h>\n#include <stdint.h>\n\n";
  out += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  std::set<std::string> declared;
  std::string prototypes;
  for (const std::string &name : file.functionNames()) {
    mlir::func::FuncOp func = file.function(name);
    std::vector<TensorSignature> inputs = file.arguments(func);
    std::vector<TensorSignature> outputs = file.results(func);
    std::vector<std::pair<std::string, TensorSignature>> params;
    for (size_t i = 0; i < inputs.size(); ++i)
      params.push_back({"in" + std::to_string(i), inputs[i]});
    for (size_t i = 0; i < outputs.size(); ++i)
      params.push_back({"out" + std::to_string(i), outputs[i]});

    for (const auto &[_, type] : params) {
      std::string typeName = memRefTypeName(type);
      if (!declared.insert(typeName).second)
        continue;
      std::string element = cElementType(type.dtype);
      out += "typedef struct {\n  " + element + " *allocated;\n  " + element +
             " *aligned;\n  int64_t offset;\n";
      if (!type.shape.empty()) {
        std::string rank = std::to_string(type.shape.size());
        out += "  int64_t sizes[" + rank + "];\n  int64_t strides[" + rank +
               "];\n";
      }
      out += "} " + typeName + ";\n\n";
    }

    bool dynamic = llvm::any_of(params, [](const auto &param) {
      return hasDynamicDims(param.second.shape);
    });
    DynamicSizes sizes;
    if (dynamic)
      sizes = dynamicSizes(file, name, inputs, outputs);
    prototypes += "/* @" + name + ":";
    for (size_t i = 0; i < params.size(); ++i) {
      prototypes +=
          "\n *   " + params[i].first + ": " + describe(params[i].second);
      size_t output = i - inputs.size();
      if (dynamic && i >= inputs.size()) {
        prototypes += ", sizes {";
        for (const std::string &size : sizes.outputSizes[output])
          prototypes +=
              (&size == &sizes.outputSizes[output].front() ? "" : ", ") + size;
        prototypes += "}";
      }
    }
    prototypes += "\n */\nvoid _mlir_ciface_" + name + "(";
    for (size_t i = 0; i < params.size(); ++i)
      prototypes += (i ? ", " : "") + memRefTypeName(params[i].second) + " *" +
                    params[i].first;
    prototypes += ");\n\n";
    if (!dynamic)
      continue;
    // A checker of the sizes of a call, in the header itself.
    prototypes += "/* Whether buffers of these sizes fit @" + name +
                  ": NULL if they do, else the first size that does not. */\n"
                  "static inline const char *kiln_check_" +
                  name + "(";
    for (size_t i = 0; i < params.size(); ++i)
      prototypes += std::string(i ? ", " : "") + "const " +
                    memRefTypeName(params[i].second) + " *" + params[i].first;
    prototypes += ") {\n";
    for (const auto &[condition, message] : sizes.checks)
      prototypes += "  if (!(" + condition + "))\n    return \"" +
                    escapeQuoted(message) + "\";\n";
    prototypes += "  return 0;\n}\n\n";
  }
  out += prototypes;
  out += "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n";
  out += "#endif /* " + guard + " */\n";
  return out;
}

AotResult driver::compileAheadOfTime(const GraphFile &file,
                                     const std::string &output,
                                     std::string header) {
  llvm::StringRef extension = llvm::sys::path::extension(output);
  bool object = extension == ".o";
  if (!object && extension != ".so")
    throw Error(output + ": the output must end in .o or .so");
  if (header.empty()) {
    llvm::SmallString<128> path(output);
    llvm::sys::path::replace_extension(path, ".h");
    header = path.str().str();
  }

  // The header first: it refuses outputs whose sizes it cannot state,
  // before the (slower) lowering.
  std::string guard =
      "KILN_GENERATED_" + llvm::sys::path::filename(header).str();
  for (char &c : guard)
    c = std::isalnum(static_cast<unsigned char>(c))
            ? std::toupper(static_cast<unsigned char>(c))
            : '_';
  std::string text = generateCHeader(file, guard);
  mlir::OwningOpRef<mlir::ModuleOp> module(file.module().clone());
  lowerModule(*module, Stage::Kiln, Stage::LLVM);
  NativeCode code = generateNativeCode(*module, NativeOutput::Object);

  AotResult result{output, header, ""};
  if (object) {
    writeFileBytes(output, code.object);
  } else {
    llvm::SmallString<128> objectPath;
    if (std::error_code error =
            llvm::sys::fs::createTemporaryFile("kilnc", "o", objectPath))
      throw Error(output +
                  ": cannot create a temporary object: " + error.message());
    writeFileBytes(objectPath.str().str(), code.object);
    llvm::ErrorOr<std::string> linker =
        llvm::sys::findProgramByName("clang-22");
    if (!linker)
      linker = llvm::sys::findProgramByName("clang");
    if (!linker)
      linker = llvm::sys::findProgramByName("cc");
    if (!linker) {
      llvm::sys::fs::remove(objectPath);
      throw Error(output + ": no linker found (clang-22, clang or cc)");
    }
    // The runtime's symbols stay private to the library.
    std::vector<std::string> args = {
        *linker, "-shared", "-Wl,--exclude-libs,ALL",
        "-o",    output,    objectPath.str().str()};
    if (!code.runtimeCalls.empty()) {
      args.push_back(runtimeLibrary());
      args.push_back("-lstdc++");
      args.push_back("-lpthread");
    }
    args.push_back("-lm");
    std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
    std::string message;
    int status = llvm::sys::ExecuteAndWait(*linker, argRefs, std::nullopt, {},
                                           0, 0, &message);
    llvm::sys::fs::remove(objectPath);
    for (const std::string &arg : args)
      result.linkedWith += (result.linkedWith.empty() ? "" : " ") + arg;
    if (status != 0)
      throw Error(output + ": linking failed (" + result.linkedWith + ")" +
                  (message.empty() ? "" : ": " + message));
  }

  if (!code.runtimeCalls.empty()) {
    std::string note = "/* This code calls the Kiln runtime (";
    for (const std::string &call : code.runtimeCalls)
      note += call + (call == code.runtimeCalls.back() ? "" : ", ");
    note += object ? "): link the object with libKilnRuntime.a -lstdc++ "
                     "-lpthread. */\n"
                   : "), linked into the shared library. */\n";
    text.insert(text.find("#ifndef"), note);
  }
  writeFileBytes(header, text);
  return result;
}
