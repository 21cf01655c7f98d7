//===- GraphFile.cpp - A graph file parsed for the driver -----------------===//

#include "kiln/Driver/GraphFile.h"

#include "kiln/Compiler/Engine.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Import/OnnxImport.h"
#include "kiln/InitAll.h"
#include "kiln/Runtime/Error.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace kiln;
using namespace kiln::driver;

namespace {

TensorSignature signatureOf(mlir::Type type, const std::string &what) {
  auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type);
  std::optional<DType> dtype =
      tensor ? toDType(tensor.getElementType()) : std::nullopt;
  if (!tensor || !dtype) {
    std::string text;
    llvm::raw_string_ostream os(text);
    type.print(os);
    throw Error(what + " has type " + text +
                "; Kiln runs ranked tensors of bool, int32, int64, "
                "float16, bfloat16, float32 or float64");
  }
  return {toShape(tensor), *dtype};
}

} // namespace

std::string driver::locationText(mlir::Location loc) {
  if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(loc))
    return (file.getFilename().strref() + ":" + llvm::Twine(file.getLine()) +
            ":" + llvm::Twine(file.getColumn()))
        .str();
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

std::string driver::describe(const TensorSignature &type) {
  std::string text = "(";
  for (size_t i = 0; i < type.shape.size(); ++i)
    text += (i ? ", " : "") + (isDynamic(type.shape[i])
                                   ? std::string("?")
                                   : std::to_string(type.shape[i]));
  return text + ") " + std::string(dtypeName(type.dtype));
}

std::unique_ptr<GraphFile> GraphFile::open(const std::string &path) {
  if (llvm::sys::fs::is_directory(path))
    throw Error(path + ": is a directory");
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    throw Error(path + ": cannot read: " + buffer.getError().message());

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  kiln::registerAllDialects(registry);
  registerEngineTranslations(registry);
  std::unique_ptr<GraphFile> file(new GraphFile());
  file->path_ = path;
  file->context_ = std::make_unique<mlir::MLIRContext>(registry);
  // Lowering stays on this thread: pass timings then add up to wall time.
  file->context_->disableMultithreading();

  // An ONNX model is imported (kiln/Import/OnnxImport.h).
  if (isOnnxFile(path)) {
    file->module_ = importOnnx(*file->context_, path);
    return file;
  }

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  std::string firstError;
  mlir::ScopedDiagnosticHandler handler(
      file->context_.get(), [&](mlir::Diagnostic &diagnostic) {
        if (diagnostic.getSeverity() == mlir::DiagnosticSeverity::Error &&
            firstError.empty())
          firstError =
              locationText(diagnostic.getLocation()) + ": " + diagnostic.str();
        return mlir::success();
      });
  file->module_ =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, file->context_.get());
  if (!file->module_)
    throw Error(firstError.empty() ? path + ": cannot parse the graph file"
                                   : firstError);
  return file;
}

std::vector<std::string> GraphFile::functionNames() const {
  std::vector<std::string> names;
  for (auto func : module().getOps<mlir::func::FuncOp>())
    if (!func.isExternal())
      names.push_back(func.getSymName().str());
  return names;
}

mlir::func::FuncOp GraphFile::function(const std::string &name) const {
  std::vector<std::string> names = functionNames();
  if (names.empty())
    throw Error(path_ + ": the file holds no function");
  auto func = module().lookupSymbol<mlir::func::FuncOp>(
      name.empty() ? names.front() : name);
  if (!func || func.isExternal()) {
    std::string list;
    for (const std::string &n : names)
      list += (list.empty() ? "" : ", ") + n;
    throw Error(path_ + ": no function '" + name + "' (the file has: " + list +
                ")");
  }
  return func;
}

std::vector<TensorSignature>
GraphFile::arguments(mlir::func::FuncOp func) const {
  std::vector<TensorSignature> types;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
    types.push_back(signatureOf(type, path_ + ": argument " +
                                          std::to_string(i) + " of '" +
                                          func.getSymName().str() + "'"));
  return types;
}

std::vector<TensorSignature> GraphFile::results(mlir::func::FuncOp func) const {
  std::vector<TensorSignature> types;
  for (auto [i, type] : llvm::enumerate(func.getResultTypes()))
    types.push_back(signatureOf(type, path_ + ": result " + std::to_string(i) +
                                          " of '" + func.getSymName().str() +
                                          "'"));
  return types;
}
