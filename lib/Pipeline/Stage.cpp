//===- Stage.cpp - Names of the lowering's stages -------------------------===//

#include "kiln/Compiler/Stage.h"

#include "llvm/ADT/StringSwitch.h"

using namespace kiln;

std::string_view kiln::stageName(Stage stage) {
  switch (stage) {
  case Stage::Kiln:
    return "kiln";
  case Stage::Linalg:
    return "linalg";
  case Stage::Loops:
    return "loops";
  case Stage::LLVM:
    return "llvm";
  case Stage::LLVMIR:
    return "llvmir";
  case Stage::Asm:
    return "asm";
  }
  return "unknown";
}

std::optional<Stage> kiln::parseStage(std::string_view name) {
  return llvm::StringSwitch<std::optional<Stage>>(llvm::StringRef(name).lower())
      .Case("kiln", Stage::Kiln)
      .Case("linalg", Stage::Linalg)
      .Case("loops", Stage::Loops)
      .Case("llvm", Stage::LLVM)
      .Case("llvmir", Stage::LLVMIR)
      .Case("asm", Stage::Asm)
      .Default(std::nullopt);
}
