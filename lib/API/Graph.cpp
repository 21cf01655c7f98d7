//===- Graph.cpp - Graph files loaded by a host ---------------------------===//

#include "kiln/Graph.h"

#include "CompiledGraph.h"

#include "kiln/Import/OnnxImport.h"
#include "kiln/InitAll.h"
#include "kiln/Interpreter/Interpreter.h"
#include "kiln/Runtime/Error.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"

#include <mutex>

using namespace kiln;

/// A parsed graph file and, per function, its compilation.
class kiln::GraphImpl {
public:
  GraphImpl(std::shared_ptr<GraphImpl> file, std::string name)
      : name_(std::move(name)), file_(std::move(file)) {}

  /// The file itself: owns the context and the parsed module.
  explicit GraphImpl(const std::string &path) {
    mlir::DialectRegistry registry;
    kiln::registerAllDialects(registry);
    context_ = std::make_unique<mlir::MLIRContext>(registry);
    if (isOnnxFile(path)) {
      try {
        module_ = importOnnx(*context_, path);
      } catch (const Error &error) {
        throw Error("load: " + std::string(error.what()));
      }
      return;
    }
    llvm::SourceMgr sourceMgr;
    std::string diagnostics;
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, context_.get(),
                                             errors_);
    module_ =
        mlir::parseSourceFile<mlir::ModuleOp>(path, sourceMgr, context_.get());
    if (!module_) {
      errors_.flush();
      std::string message = errorText_;
      while (!message.empty() && message.back() == '\n')
        message.pop_back();
      if (message.empty())
        message = path + ": cannot read the graph file";
      throw Error("load: " + message);
    }
  }

  const GraphImpl &file() const { return file_ ? *file_ : *this; }
  mlir::ModuleOp module() const { return *file().module_; }

  mlir::func::FuncOp func() const {
    return module().lookupSymbol<mlir::func::FuncOp>(name_);
  }

  std::shared_ptr<CompiledGraph> compiled() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!compiled_) {
      // Compile a module of this function alone (kiln graphs call no other
      // function): another function of the file that cannot be lowered
      // must not stop this one, nor cost its compile time.
      mlir::OwningOpRef<mlir::ModuleOp> single(
          mlir::ModuleOp::create(module().getLoc()));
      single.get()->setAttrs(module()->getAttrDictionary());
      single->getBody()->push_back(func()->clone());
      compiled_ = CompiledGraph::compile(std::move(single), name_);
    }
    return compiled_;
  }

  std::string name_;
  std::shared_ptr<GraphImpl> file_;

private:
  std::unique_ptr<mlir::MLIRContext> context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  std::string errorText_;
  llvm::raw_string_ostream errors_{errorText_};
  std::mutex mutex_;
  std::shared_ptr<CompiledGraph> compiled_;
};

Graph::Graph(std::shared_ptr<GraphImpl> impl) : impl_(std::move(impl)) {}

std::vector<Tensor> Graph::operator()(const std::vector<Tensor> &inputs) const {
  return impl_->compiled()->run(inputs);
}

std::vector<Tensor> Graph::interpret(const std::vector<Tensor> &inputs) const {
  return kiln::interpret(impl_->func(), inputs);
}

std::string Graph::ir(Stage stage) const {
  return Lowered(impl_->compiled()->lowered()).ir(stage, /*locations=*/false);
}

std::string Graph::name() const { return impl_->name_; }

std::vector<std::string> Graph::functions() const {
  std::vector<std::string> names;
  for (auto func : impl_->module().getOps<mlir::func::FuncOp>())
    names.push_back(func.getSymName().str());
  return names;
}

Graph Graph::function(const std::string &name) const {
  auto file = impl_->file_ ? impl_->file_ : impl_;
  auto impl = std::make_shared<GraphImpl>(file, name);
  if (!impl->func())
    throw Error("load: the graph file has no function '" + name + "'");
  return Graph(impl);
}

Graph kiln::load(const std::string &path, const std::string &function) {
  auto file = std::make_shared<GraphImpl>(path);
  std::string name = function;
  if (name.empty()) {
    // The first function with a body: declarations are not graphs.
    for (auto func : file->module().getOps<mlir::func::FuncOp>()) {
      if (!func.isExternal()) {
        name = func.getSymName().str();
        break;
      }
    }
    if (name.empty())
      throw Error("load: " + path + " holds no function with a body");
  }
  return Graph(file).function(name);
}
