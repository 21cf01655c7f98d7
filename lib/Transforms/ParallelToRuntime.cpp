//===- ParallelToRuntime.cpp - scf.parallel on the runtime's thread pool --===//
//
// Each outermost scf.parallel worth the overhead becomes a call to
// `kiln_rt_parallel_for(count, grain, body, context)`: its body is outlined
// into an LLVM function over a range of outer iterations, and the values it
// uses travel in a context struct on the caller's stack. Eager kernels and
// compiled code then share one thread pool, which `kiln::set_num_threads`
// sizes; a second pool (OpenMP's spinning workers) would fight the runtime's
// GEMM for the same cores.
//
// The outlined function holds scf/memref/arith ops until the rest of the LLVM
// lowering converts them; memref descriptors cross the context through
// unrealized casts that the conversion resolves.
//
// A loop over the rows of a matmul's result right after the GEMM call is
// handed to the GEMM instead, as its epilogue: the GEMM runs it on each block
// of rows it has just finished, while the block is still in cache.
//
//===----------------------------------------------------------------------===//

#include "BufferRoots.h"

#include "kiln/Transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_PARALLELTORUNTIMEPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kParallelFor = "kiln_rt_parallel_for";

/// A guess for loops whose trip count is only known at run time.
constexpr int64_t kDynamicTripCount = 256;

std::optional<int64_t> staticTripCount(Value lb, Value ub, Value step) {
  APInt l, u, s;
  if (!matchPattern(lb, m_ConstantInt(&l)) ||
      !matchPattern(ub, m_ConstantInt(&u)) ||
      !matchPattern(step, m_ConstantInt(&s)) || s.getSExtValue() <= 0)
    return std::nullopt;
  int64_t span = u.getSExtValue() - l.getSExtValue();
  return span <= 0 ? 0 : llvm::divideCeil(span, s.getSExtValue());
}

/// Innermost iterations of `block`: the loops in it, by their trip counts.
/// `exact` is cleared when a trip count had to be guessed.
int64_t workOf(Block &block, bool &exact);

int64_t workOfLoop(Operation *op, ValueRange lbs, ValueRange ubs,
                   ValueRange steps, bool &exact) {
  int64_t trips = 1;
  for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps)) {
    std::optional<int64_t> count = staticTripCount(lb, ub, step);
    if (!count)
      exact = false;
    trips *= count.value_or(kDynamicTripCount);
  }
  return trips * workOf(op->getRegion(0).front(), exact);
}

int64_t workOf(Block &block, bool &exact) {
  int64_t work = 0;
  for (Operation &op : block) {
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      work += workOfLoop(loop, loop.getLowerBound(), loop.getUpperBound(),
                         loop.getStep(), exact);
    } else if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
      work += workOfLoop(loop, loop.getLowerBound(), loop.getUpperBound(),
                         loop.getStep(), exact);
    } else {
      for (Region &region : op.getRegions())
        for (Block &nested : region)
          work += workOf(nested, exact);
    }
  }
  return std::max<int64_t>(work, 1);
}

//===----------------------------------------------------------------------===//
// GEMM epilogues
//===----------------------------------------------------------------------===//

/// `v` without the memref.casts around it.
Value stripCasts(Value v) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  return v;
}

/// Whether `op` may write (or free) the buffer `operand`.
bool mayWrite(Operation *op, Value operand) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return true;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffectsOnValue(operand, instances);
  return llvm::any_of(instances, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect());
  });
}

/// Whether `op` touches none of `buffers` (ignoring views, which do not).
bool touchesNone(Operation *op, ArrayRef<Value> buffers) {
  if (isMemoryEffectFree(op))
    return true;
  WalkResult result = op->walk([&](Operation *nested) {
    for (Value operand : nested->getOperands())
      if (isa<MemRefType>(operand.getType()) &&
          llvm::is_contained(buffers, kiln::rootBuffer(operand)))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return !result.wasInterrupted();
}

/// The call of the runtime's 2-D GEMM whose epilogue `loop` can be, if any
/// (see the pass description for the conditions).
func::CallOp epilogueGemm(scf::ParallelOp loop) {
  // The GEMM call, past ops that touch no buffer of it.
  func::CallOp gemm;
  SmallVector<Operation *> between;
  for (Operation *op = loop->getPrevNode(); op; op = op->getPrevNode()) {
    auto call = dyn_cast<func::CallOp>(op);
    if (call && call.getCallee().starts_with("kiln_rt_matmul_") &&
        !call.getCallee().contains("epilogue") && call.getNumOperands() == 3) {
      gemm = call;
      break;
    }
    if (isa<CallOpInterface>(op))
      return {};
    between.push_back(op);
  }
  if (!gemm)
    return {};
  Value a = kiln::rootBuffer(gemm.getOperand(0)),
        b = kiln::rootBuffer(gemm.getOperand(1));
  Value c = stripCasts(gemm.getOperand(2));
  auto cType = dyn_cast<MemRefType>(c.getType());
  if (!cType || cType.getRank() != 2 || cType.isDynamicDim(0) ||
      kiln::rootBuffer(c) != c)
    return {};
  SmallVector<Value> buffers = {a, b, c};
  if (!llvm::all_of(between,
                    [&](Operation *op) { return touchesNone(op, buffers); }))
    return {};

  // The loop's first dimension runs over c's rows.
  APInt lb, ub, step;
  if (!matchPattern(loop.getLowerBound()[0], m_ConstantInt(&lb)) ||
      !matchPattern(loop.getUpperBound()[0], m_ConstantInt(&ub)) ||
      !matchPattern(loop.getStep()[0], m_ConstantInt(&step)) || !lb.isZero() ||
      !step.isOne() || ub.getSExtValue() != cType.getDimSize(0))
    return {};
  Value row = loop.getInductionVars()[0];

  // In the body, c is only loaded or stored at that row; a and b are not
  // written; nothing is called.
  WalkResult result = loop.getBody()->walk([&](Operation *op) {
    if (isa<CallOpInterface>(op))
      return WalkResult::interrupt();
    for (Value operand : op->getOperands()) {
      if (!isa<MemRefType>(operand.getType()))
        continue;
      Value root = kiln::rootBuffer(operand);
      if (root == c) {
        ValueRange indices;
        if (auto load = dyn_cast<memref::LoadOp>(op);
            load && load.getMemRef() == operand)
          indices = load.getIndices();
        else if (auto store = dyn_cast<memref::StoreOp>(op);
                 store && store.getMemRef() == operand)
          indices = store.getIndices();
        else
          return WalkResult::interrupt();
        if (stripCasts(operand) != c || indices.empty() || indices[0] != row)
          return WalkResult::interrupt();
      } else if ((root == a || root == b) && mayWrite(op, operand)) {
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return result.wasInterrupted() ? func::CallOp() : gemm;
}

/// The positions, among the LLVM arguments of the outlined loop over
/// `loop`'s body (`begin`, `end`, then `values` with each memref expanded to
/// its descriptor's fields: allocated and aligned pointers, offset, sizes,
/// strides), of the pointers of the buffers that overlap no other buffer
/// among `values` that the loop may write. A buffer qualifies when it views
/// an allocation or an argument of `func` (a public function, whose argument
/// buffers do not overlap: kiln-noalias-buffers) that no other value views,
/// or that the loop neither writes nor shares with a written value.
SmallVector<int64_t> noAliasPointers(scf::ParallelOp loop, func::FuncOp func,
                                     ArrayRef<Value> values) {
  if (!func.isPublic())
    return {};
  llvm::DenseSet<Value> written;
  loop.getBody()->walk([&](Operation *op) {
    for (Value operand : op->getOperands())
      if (isa<MemRefType>(operand.getType()) && mayWrite(op, operand))
        written.insert(kiln::rootBuffer(operand));
  });
  auto known = [&](Value root) {
    if (auto argument = dyn_cast<BlockArgument>(root))
      return argument.getOwner() == &func.getBody().front();
    return isa_and_nonnull<memref::AllocOp, memref::AllocaOp>(
        root.getDefiningOp());
  };
  SmallVector<int64_t> positions;
  int64_t position = 2;
  for (Value v : values) {
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type) {
      ++position;
      continue;
    }
    Value root = kiln::rootBuffer(v);
    bool separate = known(root) && llvm::all_of(values, [&](Value u) {
                      if (u == v || !isa<MemRefType>(u.getType()))
                        return true;
                      Value other = kiln::rootBuffer(u);
                      if (!written.contains(root) && !written.contains(other))
                        return true;
                      return other != root && known(other);
                    });
    if (separate)
      positions.append({position, position + 1});
    position += 3 + 2 * type.getRank();
  }
  return positions;
}

struct ParallelToRuntimePass final
    : kiln::impl::ParallelToRuntimePassBase<ParallelToRuntimePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> loops;
    module.walk([&](scf::ParallelOp loop) {
      if (loop->getParentOfType<func::FuncOp>() &&
          !loop->getParentOfType<scf::ParallelOp>())
        loops.push_back(loop);
    });
    LLVMTypeConverter converter(&getContext());
    SymbolTable symbols(module);
    for (scf::ParallelOp loop : loops)
      outline(loop, converter, symbols);
  }

  /// The grain of `loop` (outer iterations per task), or nothing if it should
  /// stay sequential.
  std::optional<int64_t> grainOf(scf::ParallelOp loop) {
    bool exact = true;
    int64_t perIteration = workOfLoop(loop, loop.getLowerBound().drop_front(1),
                                      loop.getUpperBound().drop_front(1),
                                      loop.getStep().drop_front(1), exact);
    std::optional<int64_t> outer = staticTripCount(
        loop.getLowerBound()[0], loop.getUpperBound()[0], loop.getStep()[0]);
    if (exact && outer && *outer * perIteration < minWork)
      return std::nullopt;
    return std::max<int64_t>(1, llvm::divideCeil(minWork, perIteration));
  }

  void outline(scf::ParallelOp loop, const LLVMTypeConverter &converter,
               SymbolTable &symbols) {
    if (loop.getNumReductions())
      return;
    std::optional<int64_t> grain = grainOf(loop);
    if (!grain)
      return;
    func::CallOp gemm = epilogueGemm(loop);

    // What the body needs from outside: constants are recreated inside, the
    // rest is packed into the context.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    for (Value v : loop.getOperands())
      used.insert(v);
    SmallVector<Value> packed, constants;
    SmallVector<Type> fieldTypes;
    for (Value v : used) {
      Operation *def = v.getDefiningOp();
      if (def && def->getNumOperands() == 0 &&
          def->hasTrait<OpTrait::ConstantLike>()) {
        constants.push_back(v);
        continue;
      }
      Type type = v.getType();
      if (auto memref = dyn_cast<MemRefType>(type)) {
        if (memref.getMemorySpace())
          return;
      } else if (!type.isIntOrIndexOrFloat()) {
        return;
      }
      Type field = converter.convertType(type);
      if (!field)
        return;
      packed.push_back(v);
      fieldTypes.push_back(field);
    }

    MLIRContext *context = loop.getContext();
    Location loc = loop.getLoc();
    auto func = loop->getParentOfType<func::FuncOp>();
    auto module = func->getParentOfType<ModuleOp>();
    auto ptrType = LLVM::LLVMPointerType::get(context);
    auto i64 = IntegerType::get(context, 64);
    auto contextType = LLVM::LLVMStructType::getLiteral(context, fieldTypes);
    LLVM::LLVMFuncOp runtime = declareParallelFor(module, symbols);

    // The outlined body: iterations [begin, end) of the first dimension. It
    // unpacks the context and calls `<body>_range(begin, end, values...)`,
    // which runs the loop: as arguments, the buffers can be marked noalias.
    OpBuilder b(context);
    b.setInsertionPointAfter(func);
    auto bodyType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(context), {i64, i64, ptrType});
    auto body = LLVM::LLVMFuncOp::create(
        b, loc, (func.getSymName() + "_parallel").str(), bodyType,
        LLVM::Linkage::Internal);
    symbols.insert(body);
    SmallVector<Type> rangeInputs(2, b.getIndexType());
    for (Value v : packed)
      rangeInputs.push_back(v.getType());
    b.setInsertionPointAfter(body);
    auto range =
        func::FuncOp::create(b, loc, (body.getSymName() + "_range").str(),
                             b.getFunctionType(rangeInputs, {}));
    range.setPrivate();
    range->setAttr("llvm.linkage",
                   LLVM::LinkageAttr::get(context, LLVM::Linkage::Internal));
    symbols.insert(range);
    SmallVector<int64_t> noAlias = noAliasPointers(loop, func, packed);
    if (!noAlias.empty())
      range->setAttr(kiln::kNoAliasPointersAttrName,
                     b.getDenseI64ArrayAttr(noAlias));

    Block *entry = body.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    auto toIndex = [&](Value v) -> Value {
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    };
    SmallVector<Value> rangeArgs = {toIndex(entry->getArgument(0)),
                                    toIndex(entry->getArgument(1))};
    for (auto [k, v] : llvm::enumerate(packed)) {
      Value field = LLVM::GEPOp::create(
          b, loc, ptrType, contextType, entry->getArgument(2),
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(k)});
      Value loaded = LLVM::LoadOp::create(b, loc, fieldTypes[k], field);
      rangeArgs.push_back(fromField(b, loc, loaded, v.getType()));
    }
    func::CallOp::create(b, loc, range, rangeArgs);
    LLVM::ReturnOp::create(b, loc, ValueRange());

    Block *rangeEntry = range.addEntryBlock();
    b.setInsertionPointToStart(rangeEntry);
    IRMapping mapping;
    for (Value c : constants)
      mapping.map(c, b.clone(*c.getDefiningOp())->getResult(0));
    for (auto [k, v] : llvm::enumerate(packed))
      mapping.map(v, rangeEntry->getArgument(k + 2));
    Value lb = mapping.lookupOrDefault(loop.getLowerBound()[0]);
    Value step = mapping.lookupOrDefault(loop.getStep()[0]);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto iterations = scf::ForOp::create(b, loc, rangeEntry->getArgument(0),
                                         rangeEntry->getArgument(1), one);
    b.setInsertionPointToStart(iterations.getBody());
    Value iv = arith::AddIOp::create(
        b, loc, lb,
        arith::MulIOp::create(b, loc, iterations.getInductionVar(), step));
    Block *oldBody = loop.getBody();
    mapping.map(oldBody->getArgument(0), iv);
    if (loop.getNumLoops() > 1) {
      auto lookup = [&](ValueRange values) {
        return llvm::map_to_vector(
            values, [&](Value v) { return mapping.lookupOrDefault(v); });
      };
      auto inner = scf::ParallelOp::create(
          b, loc, lookup(loop.getLowerBound().drop_front(1)),
          lookup(loop.getUpperBound().drop_front(1)),
          lookup(loop.getStep().drop_front(1)));
      mapping.map(oldBody->getArguments().drop_front(1),
                  inner.getInductionVars());
      b.setInsertionPoint(inner.getBody()->getTerminator());
    }
    for (Operation &op : oldBody->without_terminator())
      b.clone(op, mapping);
    b.setInsertionPointToEnd(rangeEntry);
    func::ReturnOp::create(b, loc);

    // The caller: fill the context and hand the loop to the runtime. The
    // context lives in the entry block so that loops inside loops reuse it.
    b.setInsertionPointToStart(&func.getBody().front());
    Value size = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
    Value contextPtr =
        LLVM::AllocaOp::create(b, loc, ptrType, contextType, size);
    b.setInsertionPoint(loop);
    for (auto [k, v] : llvm::enumerate(packed)) {
      Value field = LLVM::GEPOp::create(
          b, loc, ptrType, contextType, contextPtr,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(k)});
      LLVM::StoreOp::create(b, loc, toField(b, loc, v, fieldTypes[k]), field);
    }
    // count = ceildiv(ub - lb, step), iterations of the first dimension.
    Value span = arith::SubIOp::create(b, loc, loop.getUpperBound()[0],
                                       loop.getLowerBound()[0]);
    Value count = arith::CeilDivSIOp::create(b, loc, span, loop.getStep()[0]);
    count = arith::MaxSIOp::create(b, loc, count,
                                   arith::ConstantIndexOp::create(b, loc, 0));
    Value count64 = arith::IndexCastOp::create(b, loc, i64, count);
    Value grain64 =
        LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(*grain));
    Value bodyPtr = LLVM::AddressOfOp::create(b, loc, body);
    if (gemm) {
      // The GEMM runs the body on its rows as they become final.
      std::string name = gemm.getCallee().str();
      name.insert(name.rfind('_'), "_epilogue");
      SmallVector<Value> args(gemm.getOperands());
      args.append({bodyPtr, contextPtr});
      func::CallOp::create(b, gemm.getLoc(),
                           declareEpilogueGemm(module, symbols, name, gemm),
                           args);
      gemm.erase();
    } else {
      LLVM::CallOp::create(b, loc, runtime,
                           ValueRange{count64, grain64, bodyPtr, contextPtr});
    }
    loop.erase();
  }

  /// The declaration of the epilogue variant `name` of the GEMM `gemm`
  /// calls: its memref parameters, then the body and its context.
  static func::FuncOp declareEpilogueGemm(ModuleOp module, SymbolTable &symbols,
                                          StringRef name, func::CallOp gemm) {
    if (auto existing = symbols.lookup<func::FuncOp>(name))
      return existing;
    MLIRContext *context = module.getContext();
    SmallVector<Type> inputs(gemm.getOperandTypes());
    auto ptrType = LLVM::LLVMPointerType::get(context);
    inputs.append({ptrType, ptrType});
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto decl = func::FuncOp::create(b, module.getLoc(), name,
                                     b.getFunctionType(inputs, {}));
    decl.setPrivate();
    decl->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    symbols.insert(decl);
    return decl;
  }

  /// `v` as the LLVM value stored in its context field.
  static Value toField(OpBuilder &b, Location loc, Value v, Type field) {
    if (isa<IndexType>(v.getType()))
      return arith::IndexCastOp::create(b, loc, field, v);
    if (isa<MemRefType>(v.getType()))
      return UnrealizedConversionCastOp::create(b, loc, field, v).getResult(0);
    return v;
  }

  /// The value of type `type` a context field holds.
  static Value fromField(OpBuilder &b, Location loc, Value field, Type type) {
    if (isa<IndexType>(type))
      return arith::IndexCastOp::create(b, loc, type, field);
    if (isa<MemRefType>(type))
      return UnrealizedConversionCastOp::create(b, loc, type, field)
          .getResult(0);
    return field;
  }

  /// `void kiln_rt_parallel_for(i64, i64, ptr, ptr)`, declared on first use.
  static LLVM::LLVMFuncOp declareParallelFor(ModuleOp module,
                                             SymbolTable &symbols) {
    if (auto existing = symbols.lookup<LLVM::LLVMFuncOp>(kParallelFor))
      return existing;
    MLIRContext *context = module.getContext();
    auto ptrType = LLVM::LLVMPointerType::get(context);
    auto i64 = IntegerType::get(context, 64);
    auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                            {i64, i64, ptrType, ptrType});
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto decl =
        LLVM::LLVMFuncOp::create(b, module.getLoc(), kParallelFor, type);
    symbols.insert(decl);
    return decl;
  }
};

} // namespace
