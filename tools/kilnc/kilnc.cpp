//===- kilnc.cpp - Kiln's command-line driver -----------------------------===//
//
//   kilnc run GRAPH [--function F] [--input FILE...]
//                   [--random-inputs [--seed N] [--dynamic-size N]]
//                   [--mode jit|interpret] [--output-dir DIR] [--print]
//                   [--repeat N] [--compare [--rtol R] [--atol A]]
//   kilnc emit GRAPH [--to STAGE] [--dump-dir DIR] [--dot FILE]
//   kilnc compile GRAPH -o OUT.o|OUT.so [--header OUT.h]
//   kilnc import MODEL.onnx [-o GRAPH.mlir] [--function NAME]
//                [--bind NAME=FILE...]
//   kilnc cache ls|stats|clear [--dir DIR]
//
// Options are parsed here; the work is done by lib/Driver. Every error is one
// line, "kilnc: error: <file>: <what is wrong>", and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "kiln/CompileCache.h"
#include "kiln/Driver/Aot.h"
#include "kiln/Driver/Emit.h"
#include "kiln/Driver/Run.h"
#include "kiln/Import/OnnxImport.h"
#include "kiln/Runtime/Error.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>

using namespace kiln;
using namespace kiln::driver;

namespace {

struct EmitOptions {
  std::string graph;
  std::string to;
  std::string dumpDir;
  std::string dot;
};

void emit(const EmitOptions &options) {
  std::unique_ptr<GraphFile> file = GraphFile::open(options.graph);
  std::optional<Stage> to;
  if (!options.to.empty())
    to = parseStage(options.to);
  // The dump directory and the fusion graph need every stage (or Linalg).
  Stage last = to.value_or(Stage::Kiln);
  if (!options.dumpDir.empty())
    last = Stage::Asm;
  else if (!options.dot.empty() && last < Stage::Linalg)
    last = Stage::Linalg;
  Emission emission = emitStages(*file, last);
  if (to)
    std::cout << emission.texts[int(*to)];
  if (!options.dumpDir.empty())
    writeDumpDir(options.dumpDir, *file, emission);
  if (!options.dot.empty()) {
    std::optional<std::string> rendered =
        writeDot(options.dot, *file, emission);
    if (rendered)
      std::cerr << "kilnc: rendered " << *rendered << "\n";
  }
}

/// `kilnc import MODEL -o GRAPH`: the ONNX model as a graph file (standard
/// output without -o), each op with the location of its node.
void importModel(const std::string &model, const std::string &output,
                 const std::string &function,
                 const std::vector<std::string> &bindings) {
  OnnxImportOptions options;
  options.function = function;
  for (const std::string &binding : bindings) {
    size_t equals = binding.find('=');
    if (equals == std::string::npos || equals == 0)
      throw Error("--bind " + binding + ": expected NAME=FILE");
    options.bindings[binding.substr(0, equals)] =
        readInput(binding.substr(equals + 1));
  }
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      importOnnx(context, model, options);
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  if (output.empty()) {
    module->print(llvm::outs(), flags);
    llvm::outs() << "\n";
    return;
  }
  std::error_code error;
  llvm::raw_fd_ostream os(output, error);
  if (error)
    throw Error(output + ": cannot write the file: " + error.message());
  module->print(os, flags);
  os << "\n";
}

/// `kilnc cache ACTION`: lists, sums up or clears the compile cache in
/// `dir` (default: KILN_CACHE_DIR).
void cache(const std::string &action, std::string dir) {
  if (dir.empty())
    dir = compile_cache_dir();
  if (dir.empty())
    throw Error("cache: no cache directory: pass --dir DIR or set "
                "KILN_CACHE_DIR");
  if (action == "clear") {
    size_t removed = clear_compile_cache(dir);
    std::cout << "removed " << removed << " entries from " << dir << "\n";
    return;
  }
  std::vector<CompileCacheEntry> entries = compile_cache_entries(dir);
  if (action == "ls") {
    for (const CompileCacheEntry &entry : entries) {
      std::time_t used = std::chrono::system_clock::to_time_t(entry.last_used);
      std::tm local{};
      localtime_r(&used, &local);
      std::string name = std::filesystem::path(entry.path).filename().string();
      std::cout << name.substr(0, 16) << "  " << std::put_time(&local, "%F %T")
                << "  " << std::setw(9) << entry.bytes << "  "
                << (entry.function.empty() ? "?" : entry.function)
                << (entry.valid ? ""
                                : "  (corrupt: ignored and replaced "
                                  "when next compiled)")
                << "\n";
    }
    return;
  }
  uint64_t bytes = 0;
  size_t invalid = 0;
  for (const CompileCacheEntry &entry : entries) {
    bytes += entry.bytes;
    invalid += !entry.valid;
  }
  std::cout << "directory: " << dir << "\n"
            << "entries: " << entries.size() << " (" << invalid << " corrupt)\n"
            << "bytes: " << bytes << " of at most " << compile_cache_max_bytes()
            << " (KILN_CACHE_MAX_BYTES)\n";
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"kilnc: run, inspect and compile Kiln graph files"};
  app.require_subcommand(1);

  RunOptions run;
  std::string mode = "jit";
  CLI::App *runCommand =
      app.add_subcommand("run", "Run a function of a graph file");
  runCommand->add_option("graph", run.graph, "The graph file (.mlir)")
      ->required();
  runCommand->add_option("--function", run.function,
                         "The function to run (default: the first one)");
  runCommand
      ->add_option("--input", run.inputs,
                   "Input files in argument order: .npy, or ONNX "
                   "TensorProto .pb")
      ->expected(1, -1);
  runCommand->add_flag("--random-inputs", run.randomInputs,
                       "Random inputs of the signature's shapes and dtypes");
  runCommand->add_option("--seed", run.seed, "Seed of --random-inputs")
      ->default_val(0);
  runCommand
      ->add_option("--dynamic-size", run.dynamicSize,
                   "Size of --random-inputs in dynamic (?) dimensions")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 40));
  runCommand->add_option("--mode", mode, "jit (native code) or interpret")
      ->check(CLI::IsMember({"jit", "interpret"}))
      ->default_val("jit");
  runCommand->add_option("--output-dir", run.outputDir,
                         "Write the outputs as DIR/out<i>.npy");
  runCommand->add_flag("--print", run.print,
                       "Print the outputs as kiln.Tensor(...)");
  runCommand->add_flag(
      "--compare", run.compare,
      "Run the interpreter beside the JIT and compare every result; on a "
      "divergence, name the first op whose compiled output differs");
  runCommand
      ->add_option("--rtol", run.rtol,
                   "--compare: relative tolerance (default 1e-4)")
      ->check(CLI::NonNegativeNumber);
  runCommand
      ->add_option("--atol", run.atol,
                   "--compare: absolute tolerance (default 1e-5)")
      ->check(CLI::NonNegativeNumber);
  runCommand
      ->add_option("--repeat", run.repeat,
                   "Time N calls after a warm-up one (min/median/max)")
      ->check(CLI::Range(1, 1000000));

  EmitOptions emitOptions;
  CLI::App *emitCommand = app.add_subcommand(
      "emit", "Print a stage of the lowering, or dump every stage");
  emitCommand->add_option("graph", emitOptions.graph, "The graph file (.mlir)")
      ->required();
  emitCommand
      ->add_option("--to", emitOptions.to,
                   "The stage to print: kiln, linalg, loops, llvm, llvmir, asm")
      ->check(
          CLI::IsMember({"kiln", "linalg", "loops", "llvm", "llvmir", "asm"},
                        CLI::ignore_case));
  emitCommand->add_option("--dump-dir", emitOptions.dumpDir,
                          "Write every stage (01-kiln.mlir ... 06-asm.s) and "
                          "manifest.json to DIR");
  emitCommand->add_option(
      "--dot", emitOptions.dot,
      "Write the graph with its fusion groups as Graphviz "
      "DOT, or SVG/PNG/PDF by the extension (rendered by Graphviz's dot)");

  std::string output, header, compileGraph;
  CLI::App *compileCommand = app.add_subcommand(
      "compile", "Compile a graph file ahead of time for this CPU");
  compileCommand->add_option("graph", compileGraph, "The graph file (.mlir)")
      ->required();
  compileCommand
      ->add_option("-o,--output", output,
                   "OUT.o (object) or OUT.so (shared library)")
      ->required();
  compileCommand->add_option("--header", header,
                             "The C header to write (default: OUT.h)");

  std::string importPath, importOutput, importFunction;
  std::vector<std::string> importBindings;
  CLI::App *importCommand =
      app.add_subcommand("import", "Import an ONNX model as a graph file");
  importCommand->add_option("model", importPath, "The ONNX model (.onnx)")
      ->required();
  importCommand->add_option("-o,--output", importOutput,
                            "The graph file to write (default: standard "
                            "output)");
  importCommand->add_option("--function", importFunction,
                            "The graph function's name (default: main)");
  importCommand->add_option(
      "--bind", importBindings,
      "NAME=FILE: the graph input NAME becomes a constant holding FILE's "
      "tensor (.npy or .pb); needed for inputs that decide shapes");

  std::string cacheAction, cacheDirectory;
  CLI::App *cacheCommand = app.add_subcommand(
      "cache", "List, sum up or clear the compile cache (KILN_CACHE_DIR)");
  cacheCommand
      ->add_option("action", cacheAction,
                   "ls (one line per entry, most recently used first), "
                   "stats or clear")
      ->required()
      ->check(CLI::IsMember({"ls", "stats", "clear"}));
  cacheCommand->add_option("--dir", cacheDirectory,
                           "The cache directory (default: KILN_CACHE_DIR)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    std::cerr << "kilnc: error: " << e.what() << "\n";
    return 1;
  }

  try {
    if (*runCommand) {
      run.mode = mode == "jit" ? RunMode::Jit : RunMode::Interpret;
      runGraph(run, std::cout);
    } else if (*emitCommand) {
      if (emitOptions.to.empty() && emitOptions.dumpDir.empty() &&
          emitOptions.dot.empty())
        throw Error(emitOptions.graph +
                    ": nothing to emit; pass --to, --dump-dir or --dot");
      emit(emitOptions);
    } else if (*compileCommand) {
      std::unique_ptr<GraphFile> file = GraphFile::open(compileGraph);
      AotResult result = compileAheadOfTime(*file, output, header);
      std::cerr << "kilnc: wrote " << result.output << " and " << result.header
                << "\n";
    } else if (*cacheCommand) {
      cache(cacheAction, cacheDirectory);
    } else if (*importCommand) {
      importModel(importPath, importOutput, importFunction, importBindings);
    }
  } catch (const std::exception &e) {
    std::cout.flush();
    std::string message = e.what();
    // One line: MLIR diagnostics may carry notes after the first line. A
    // first line that ends in ':' announces the diagnostic on the next one
    // ("lowering to the llvm stage failed:\n  file:2:8: ..."): keep both.
    size_t end = message.find('\n');
    std::string first = message.substr(0, end);
    if (end != std::string::npos && !first.empty() && first.back() == ':') {
      size_t start = message.find_first_not_of(" \n", end);
      size_t next = message.find('\n', start);
      if (start != std::string::npos)
        first += " " + message.substr(start, next - start);
    }
    message = first;
    std::cerr << "kilnc: error: " << message << "\n";
    return 1;
  }
  return 0;
}
