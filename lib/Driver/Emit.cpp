//===- Emit.cpp - The IR of every stage, for kilnc emit -------------------===//

#include "kiln/Driver/Emit.h"

#include "kiln/Compiler/Engine.h"
#include "kiln/Compiler/Pipeline.h"
#include "kiln/Driver/Aot.h"
#include "kiln/Driver/FusionLog.h"
#include "kiln/Runtime/Error.h"

#include "Files.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>

using namespace kiln;
using namespace kiln::driver;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

std::string printModule(mlir::ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  os << "\n";
  return text;
}

/// Records the wall time of each pass, in the order passes first ran (a
/// pass nested on functions runs once per function; its times add up).
class PassTimer : public mlir::PassInstrumentation {
public:
  PassTimer(Stage stage, std::vector<PassTiming> &timings)
      : stage_(stage), timings_(timings) {}

  void runBeforePass(mlir::Pass *pass, mlir::Operation *) override {
    starts_[pass] = Clock::now();
  }
  void runAfterPass(mlir::Pass *pass, mlir::Operation *) override {
    record(pass);
  }
  void runAfterPassFailed(mlir::Pass *pass, mlir::Operation *) override {
    record(pass);
  }

private:
  void record(mlir::Pass *pass) {
    double ms = msSince(starts_[pass]);
    // Adaptors that run nested pass managers are not passes of their own.
    llvm::StringRef name = pass->getArgument();
    if (name.empty()) {
      if (pass->getName().contains("Pipeline Collection"))
        return;
      name = pass->getName();
    }
    auto [it, inserted] = index_.try_emplace(pass, timings_.size());
    if (inserted)
      timings_.push_back({stage_, name.str(), 0});
    timings_[it->second].ms += ms;
  }

  Stage stage_;
  std::vector<PassTiming> &timings_;
  std::map<mlir::Pass *, Clock::time_point> starts_;
  std::map<mlir::Pass *, size_t> index_;
};

} // namespace

void driver::lowerModule(mlir::ModuleOp module, Stage from, Stage to,
                         std::vector<PassTiming> *timings,
                         bool simplifyKilnGraph) {
  mlir::MLIRContext *context = module.getContext();
  mlir::PassManager pm(context);
  PipelineOptions options;
  options.resultsAsOutParams = true;
  options.simplifyKilnGraph = simplifyKilnGraph;
  // As the JIT, which checks dynamic sizes on the arguments of each call.
  options.hostChecksDynamicDims = true;
  buildPipeline(pm, from, to, options);
  if (timings)
    pm.addInstrumentation(std::make_unique<PassTimer>(to, *timings));
  std::string firstError;
  mlir::ScopedDiagnosticHandler handler(context, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error &&
        firstError.empty())
      firstError = locationText(d.getLocation()) + ": " + d.str();
    return mlir::success();
  });
  if (mlir::failed(pm.run(module)))
    throw Error(firstError.empty()
                    ? "lowering to the " + std::string(stageName(to)) +
                          " stage failed"
                    : firstError);
}

Emission driver::emitStages(const GraphFile &file, Stage to) {
  Emission emission;
  emission.to = to;
  mlir::OwningOpRef<mlir::ModuleOp> module(file.module().clone());

  fusion_log::ScopedObserver observer([&](mlir::Operation *producer,
                                          mlir::Operation *consumer, bool fused,
                                          llvm::StringRef reason) {
    // The greedy driver asks again about pairs it did not fuse: once each.
    for (const FusionDecision &seen : emission.fusions)
      if (seen.producerLoc == producer->getLoc() &&
          seen.consumerLoc == consumer->getLoc() && seen.fused == fused &&
          seen.reason == reason)
        return;
    emission.fusions.push_back({producer->getName().getStringRef().str(),
                                consumer->getName().getStringRef().str(),
                                producer->getLoc(), consumer->getLoc(), fused,
                                reason.str()});
  });
  Stage last = to < Stage::LLVM ? to : Stage::LLVM;
  for (int s = int(Stage::Kiln); s <= int(last); ++s) {
    auto stage = Stage(s);
    size_t first = emission.passes.size();
    // The Kiln stage is the graph simplified; the later stages lower it.
    if (stage == Stage::Kiln)
      lowerModule(*module, Stage::Kiln, Stage::Kiln, &emission.passes);
    else
      lowerModule(*module, Stage(s - 1), stage, &emission.passes,
                  /*simplifyKilnGraph=*/false);
    for (size_t i = first; i < emission.passes.size(); ++i)
      emission.stageMs[s] += emission.passes[i].ms;
    emission.texts[s] = printModule(*module);
    if (stage == Stage::Linalg)
      module->walk([&](mlir::Operation *op) {
        if (!op->getParentOfType<mlir::func::FuncOp>())
          return;
        emission.linalgStageLocs.push_back(op->getLoc());
        // Linalg ops of the function and of its loop bodies (not the ops
        // inside a linalg op's own region).
        auto isLinalg = [](mlir::Operation *op) {
          return op && op->getDialect() &&
                 op->getDialect()->getNamespace() == "linalg";
        };
        emission.linalgOps += isLinalg(op) && !isLinalg(op->getParentOp());
      });
  }
  if (to <= Stage::LLVM)
    return emission;

  auto timer = [&](llvm::StringRef step, double ms) {
    Stage stage = step == "codegen-asm" ? Stage::Asm : Stage::LLVMIR;
    emission.passes.push_back({stage, step.str(), ms});
    emission.stageMs[int(stage)] += ms;
  };
  NativeCode code = generateNativeCode(
      *module, to == Stage::Asm ? NativeOutput::Assembly : NativeOutput::LLVMIR,
      timer);
  emission.texts[int(Stage::LLVMIR)] = std::move(code.llvmIR);
  emission.texts[int(Stage::Asm)] = std::move(code.assembly);
  return emission;
}

std::string driver::dumpFileName(Stage stage) {
  static const char *extensions[] = {".mlir", ".mlir", ".mlir",
                                     ".mlir", ".ll",   ".s"};
  return "0" + std::to_string(int(stage) + 1) + "-" +
         std::string(stageName(stage)) + extensions[int(stage)];
}

void driver::writeDumpDir(const std::string &dir, const GraphFile &file,
                          const Emission &emission) {
  if (llvm::sys::fs::exists(dir) && !llvm::sys::fs::is_directory(dir))
    throw Error(dir + ": cannot create the directory: a file is in the way");
  if (std::error_code error = llvm::sys::fs::create_directories(dir))
    throw Error(dir + ": cannot create the directory: " + error.message());
  for (int s = 0; s <= int(emission.to); ++s) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, dumpFileName(Stage(s)));
    writeFileBytes(path.str().str(), emission.texts[s]);
  }
  llvm::SmallString<128> manifest(dir);
  llvm::sys::path::append(manifest, "manifest.json");
  writeFileBytes(manifest.str().str(), manifestJson(file, emission));
}

std::string driver::manifestJson(const GraphFile &file,
                                 const Emission &emission) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attribute("graph", file.path());
    json.attributeArray("functions", [&] {
      for (const std::string &name : file.functionNames())
        json.value(name);
    });
    json.attribute("host_cpu", JitModule::hostCPUDescription());
    json.attributeArray("stages", [&] {
      for (int s = 0; s <= int(emission.to); ++s)
        json.object([&] {
          json.attribute("stage", std::string(stageName(Stage(s))));
          json.attribute("file", dumpFileName(Stage(s)));
          json.attribute("ms", emission.stageMs[s]);
          json.attribute("bytes", int64_t(emission.texts[s].size()));
        });
    });
    json.attributeArray("passes", [&] {
      for (const PassTiming &pass : emission.passes)
        json.object([&] {
          json.attribute("stage", std::string(stageName(pass.stage)));
          json.attribute("pass", pass.pass);
          json.attribute("ms", pass.ms);
        });
    });
    json.attribute("linalg_ops_after_fusion", int64_t(emission.linalgOps));
    json.attributeArray("fusion_decisions", [&] {
      for (const FusionDecision &decision : emission.fusions)
        json.object([&] {
          json.attribute("producer", decision.producer);
          json.attribute("producer_loc", locationText(decision.producerLoc));
          json.attribute("consumer", decision.consumer);
          json.attribute("consumer_loc", locationText(decision.consumerLoc));
          json.attribute("fused", decision.fused);
          json.attribute("reason", decision.reason);
        });
    });
  });
  return text + "\n";
}

std::optional<std::string> driver::writeDot(const std::string &path,
                                            const GraphFile &file,
                                            const Emission &emission) {
  // The format is the extension's; a path is never written with another
  // format, and no other file is written.
  std::string extension =
      llvm::StringRef(llvm::sys::path::extension(path)).lower();
  if (extension == ".dot" || extension == ".gv") {
    writeFileBytes(path, fusionDot(file, emission));
    return std::nullopt;
  }
  if (extension != ".svg" && extension != ".png" && extension != ".pdf")
    throw Error(path + ": unknown picture format '" + extension +
                "': the name must end in .dot, .svg, .png or .pdf");
  std::string format = extension.substr(1);
  auto dot = llvm::sys::findProgramByName("dot");
  if (!dot)
    throw Error(path + ": rendering " + format +
                " needs Graphviz's `dot`, which is not on the PATH; name the "
                "file .dot for the DOT text");
  // DOT text to a temporary file, rendered by Graphviz into `path`.
  llvm::SmallString<128> source;
  if (std::error_code error =
          llvm::sys::fs::createTemporaryFile("kiln-fusion", "dot", source))
    throw Error(path + ": cannot create a temporary file: " + error.message());
  writeFileBytes(source.str().str(), fusionDot(file, emission));
  std::string flag = "-T" + format;
  llvm::StringRef args[] = {*dot, flag, source, "-o", path};
  std::string message;
  int status =
      llvm::sys::ExecuteAndWait(*dot, args, std::nullopt, {}, 0, 0, &message);
  llvm::sys::fs::remove(source);
  if (status != 0)
    throw Error(path + ": Graphviz could not render it" +
                (message.empty() ? std::string() : ": " + message));
  return path;
}
