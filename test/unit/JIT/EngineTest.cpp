//===- EngineTest.cpp - JIT engine: compile and call lowered code ---------===//

#include "kiln/Compiler/Engine.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <tuple>

using namespace kiln;

namespace {

// out[i, j] = a[i, j] * 2 + b[j], with loops written out, so that this test
// depends on nothing but upstream lowering to LLVM.
constexpr const char *kScaleAdd = R"mlir(
func.func @scale_add(%a: memref<?x?xf32, strided<[?, ?], offset: ?>>,
                     %b: memref<?xf32, strided<[?], offset: ?>>,
                     %out: memref<?x?xf32, strided<[?, ?], offset: ?>>)
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.0 : f32
  %m = memref.dim %a, %c0 : memref<?x?xf32, strided<[?, ?], offset: ?>>
  %n = memref.dim %a, %c1 : memref<?x?xf32, strided<[?, ?], offset: ?>>
  scf.for %i = %c0 to %m step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x?xf32, strided<[?, ?], offset: ?>>
      %y = memref.load %b[%j] : memref<?xf32, strided<[?], offset: ?>>
      %s = arith.mulf %x, %two : f32
      %r = arith.addf %s, %y : f32
      memref.store %r, %out[%i, %j] : memref<?x?xf32, strided<[?, ?], offset: ?>>
    }
  }
  return
}
)mlir";

class EngineTest : public ::testing::Test {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    mlir::registerAllDialects(registry);
    mlir::registerAllExtensions(registry);
    registerEngineTranslations(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    mlir::registerAllPasses();
  }

  mlir::OwningOpRef<mlir::ModuleOp> lowerToLLVM(const char *source) {
    auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    mlir::PassManager pm(&context);
    EXPECT_TRUE(mlir::succeeded(mlir::parsePassPipeline(
        "convert-scf-to-cf,expand-strided-metadata,finalize-memref-to-llvm,"
        "convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,"
        "reconcile-unrealized-casts",
        pm)));
    EXPECT_TRUE(mlir::succeeded(pm.run(*module)));
    return module;
  }

  mlir::MLIRContext context;
};

TEST_F(EngineTest, CallsWithStridedViews) {
  auto module = lowerToLLVM(kScaleAdd);
  auto jit = JitModule::compile(*module);
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());

  // a is the transpose of a 3x2 row-major buffer: a 2x3 view with strides
  // (1, 2); b is every other element of a 6-element buffer, from offset 1.
  std::vector<float> aData = {1, 2, 3, 4, 5, 6};
  std::vector<float> bData = {-1, 10, -1, 20, -1, 30};
  std::vector<float> out(6, 0.0f);
  BufferView a{aData.data(), 0, {2, 3}, {1, 2}};
  BufferView b{bData.data(), 1, {3}, {2}};
  BufferView o{out.data(), 0, {2, 3}, {3, 1}};
  llvm::Error error = (*jit)->call("scale_add", {a, b, o});
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));

  // a = [[1 3 5] [2 4 6]], b = [10 20 30].
  std::vector<float> expected = {12, 26, 40, 14, 28, 42};
  EXPECT_EQ(out, expected);
}

TEST_F(EngineTest, KeepsLLVMIRAndAssembly) {
  auto module = lowerToLLVM(kScaleAdd);
  EngineOptions options;
  options.keepLLVMIR = true;
  options.keepAssembly = true;
  auto jit = JitModule::compile(*module, options);
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());
  EXPECT_NE((*jit)->llvmIR().find("define void @_mlir_ciface_scale_add"),
            std::string::npos);
  EXPECT_NE((*jit)->assembly().find("_mlir_ciface_scale_add:"),
            std::string::npos);
}

TEST_F(EngineTest, UnknownFunctionIsAnError) {
  auto module = lowerToLLVM(kScaleAdd);
  auto jit = JitModule::compile(*module);
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());
  llvm::Error error = (*jit)->call("no_such_function", {});
  ASSERT_TRUE(static_cast<bool>(error));
  EXPECT_NE(llvm::toString(std::move(error)).find("no_such_function"),
            std::string::npos);
}

TEST_F(EngineTest, MismatchedStridesAreAnError) {
  auto module = lowerToLLVM(kScaleAdd);
  auto jit = JitModule::compile(*module);
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());
  float x = 0;
  BufferView bad{&x, 0, {1, 1}, {1}};
  llvm::Error error = (*jit)->call("scale_add", {bad});
  ASSERT_TRUE(static_cast<bool>(error));
  EXPECT_NE(llvm::toString(std::move(error)).find("rank 2 has 1 strides"),
            std::string::npos);
}

/// A function that copies a constant table of rows x cols float32 values,
/// value(i, j) = i * cols + j + 0.5, to its argument.
std::string tableCopy(int64_t rows, int64_t cols) {
  std::string values;
  for (int64_t i = 0; i < rows; ++i) {
    values += i ? ", [" : "[";
    for (int64_t j = 0; j < cols; ++j)
      values += (j ? ", " : "") + std::to_string(i * cols + j) + ".5";
    values += "]";
  }
  std::string type =
      "memref<" + std::to_string(rows) + "x" + std::to_string(cols) + "xf32>";
  return "memref.global \"private\" constant @table : " + type + " = dense<[" +
         values +
         "]> {alignment = 64 : i64}\n"
         "func.func @copy_table(%out: " +
         type +
         ") attributes {llvm.emit_c_interface} {\n"
         "  %t = memref.get_global @table : " +
         type +
         "\n"
         "  memref.copy %t, %out : " +
         type + " to " + type +
         "\n"
         "  return\n}\n";
}

TEST_F(EngineTest, KeepsLargeConstantsOutOfTheObjects) {
  // A constant of 64 x 320 float32 (80 KiB) is kept out of the objects and
  // linked by address; one of 8 x 8 stays in them. Both read back exactly,
  // from the compile and from its link inputs linked again (what the compile
  // cache stores).
  for (auto [rows, cols, keptOut] :
       {std::tuple<int64_t, int64_t, bool>{64, 320, true}, {8, 8, false}}) {
    SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols));
    std::string source = tableCopy(rows, cols);
    auto module = lowerToLLVM(source.c_str());
    auto jit = JitModule::compile(*module);
    ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());
    size_t bytes = rows * cols * sizeof(float);
    ASSERT_EQ((*jit)->constants().size(), keptOut ? 1u : 0u);
    size_t objectBytes = 0;
    for (const std::string &object : (*jit)->objects())
      objectBytes += object.size();
    if (keptOut) {
      EXPECT_EQ((*jit)->constants()[0].size, bytes);
      EXPECT_EQ(reinterpret_cast<uintptr_t>((*jit)->constants()[0].data.get()) %
                    64,
                0u);
      EXPECT_LT(objectBytes, bytes);
    } else {
      EXPECT_GT(objectBytes, bytes);
    }

    auto relinked = JitModule::link((*jit)->linkInputs());
    ASSERT_TRUE(static_cast<bool>(relinked))
        << llvm::toString(relinked.takeError());
    EXPECT_EQ((*relinked)->constants().size(), (*jit)->constants().size());
    for (JitModule *code : {jit->get(), relinked->get()}) {
      std::vector<float> out(rows * cols, -1.0f);
      BufferView o{out.data(), 0, {rows, cols}, {cols, 1}};
      llvm::Error error = code->call("copy_table", {o});
      ASSERT_FALSE(static_cast<bool>(error))
          << llvm::toString(std::move(error));
      for (int64_t k = 0; k < rows * cols; ++k)
        ASSERT_EQ(out[k], static_cast<float>(k) + 0.5f) << "element " << k;
    }
  }
}

TEST_F(EngineTest, AMalformedConstantInputIsAnError) {
  auto jit = JitModule::link({std::string("kiln-jit-constant\nname\n7\nxyz")});
  ASSERT_FALSE(static_cast<bool>(jit));
  EXPECT_NE(llvm::toString(jit.takeError()).find("malformed"),
            std::string::npos);
}

} // namespace
