//===- AllocationsToRuntime.cpp - Temporaries from the buffer cache -------===//
//
// finalize-memref-to-llvm (use-generic-functions=true) lowers memref.alloc
// and memref.dealloc to calls of MLIR's generic allocation functions; this
// pass renames them to the runtime's cached allocator (kiln_rt_alloc & co.)
// and marks the blocks they return `noalias`, as malloc's are.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace kiln {
#define GEN_PASS_DEF_ALLOCATIONSTORUNTIMEPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct AllocationsToRuntimePass final
    : kiln::impl::AllocationsToRuntimePassBase<AllocationsToRuntimePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    static constexpr std::pair<StringLiteral, StringLiteral> renames[] = {
        {"_mlir_memref_to_llvm_alloc", "kiln_rt_alloc"},
        {"_mlir_memref_to_llvm_aligned_alloc", "kiln_rt_aligned_alloc"},
        {"_mlir_memref_to_llvm_free", "kiln_rt_free"},
    };
    for (auto [generic, runtime] : renames) {
      auto function = module.lookupSymbol<LLVM::LLVMFuncOp>(generic);
      if (!function)
        continue;
      if (module.lookupSymbol(runtime)) {
        function.emitError() << "cannot rename '" << generic << "' to '"
                             << runtime << "': the module already has it";
        return signalPassFailure();
      }
      auto newName = StringAttr::get(module.getContext(), runtime);
      if (failed(SymbolTable::replaceAllSymbolUses(function, newName, module)))
        return signalPassFailure();
      SymbolTable::setSymbolName(function, newName);
      // A new block, as from malloc: LLVM may then hoist loads of a
      // temporary (a row's mean) out of loops that store to other buffers.
      if (runtime != "kiln_rt_free")
        function.setResultAttr(0, LLVM::LLVMDialect::getNoAliasAttrName(),
                               UnitAttr::get(module.getContext()));
    }
  }
};

} // namespace
