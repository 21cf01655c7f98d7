//===- Attention.cpp - softmax(q kᵀ scale + mask) v as one runtime call ---===//
//
// Scaled dot-product attention written op by op,
//
//   %s  = kiln.matmul %q, %kt          (%kt: the keys transposed)
//   %x  = kiln.mul %s, %scale          (optional: a scalar constant, or
//                                        kiln.div %s, %scale)
//   %y  = kiln.add %x, %mask           (optional: any static mask that
//                                        broadcasts to the scores)
//   %p  = kiln.softmax %y axis = -1
//   %o  = kiln.matmul %p, %v
//
// becomes one call of the runtime's fused kernel (kiln_rt_attention_*,
// runtime/NN.cpp), which computes the scores of a block of query rows into a
// buffer that stays in cache, normalizes them there and multiplies them by
// v: the scores and the probabilities are never written to memory, and there
// is one parallel loop instead of four. The kernel runs the same GEMM and the
// same softmax rows as eager mode, so its result is eager mode's, bit for
// bit. The intermediate values must have no other use; shapes must be
// static (q [..., s, d], kt [..., d, t], v [..., t, e] with the same batch
// dimensions, at most two); element types f32 or f64.
//
// The kernel takes rank-4 buffer views ([batch, head, rows, columns]). An
// operand made by a kiln.transpose (heads split from a projection, the keys
// transposed) is read through a memref.transpose view of the transpose's
// operand, not copied, and a kiln.transpose of the result with the last
// dimension in place (heads merged) is written by the kernel through a view
// of its own buffer. The call works on buffers inside the linalg-on-tensors
// stage: `bufferization.to_buffer ... read_only` of the operands, a
// `memref.alloc` for the result and `bufferization.to_tensor ... restrict`
// of it after the call.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Driver/FusionLog.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace kiln;

namespace {

/// The ops of one attention, and its operands.
struct Attention {
  MatmulOp output;   // p · v
  SoftmaxOp softmax; // of the (scaled) scores
  AddOp masking;     // adds the mask, if any
  Value mask;
  Operation *scaling = nullptr; // a kiln.mul or kiln.div, if any
  MatmulOp scores;              // q · kᵀ
  TransposeOp result;           // what the output is transposed to, if any
  double scale = 1.0;
  bool divide = false; // the scores are divided by `scale`
};

bool hasOneUse(Operation *op) { return op && op->getResult(0).hasOneUse(); }

/// The value of a rank-0 floating constant of `elementType`.
std::optional<double> scalarOf(Value value, Type elementType) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  DenseFPElementsAttr attr;
  if (!type || type.getRank() != 0 || type.getElementType() != elementType ||
      !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

std::optional<Attention> match(MatmulOp output) {
  Attention a;
  a.output = output;
  auto resultType = cast<RankedTensorType>(output.getType());
  Type element = resultType.getElementType();
  int64_t rank = resultType.getRank();
  if (!isa<Float32Type, Float64Type>(element) || rank < 2 || rank > 4)
    return std::nullopt;
  a.softmax = output.getLhs().getDefiningOp<SoftmaxOp>();
  if (!hasOneUse(a.softmax) ||
      (a.softmax.getAxis() != -1 && a.softmax.getAxis() != rank - 1))
    return std::nullopt;
  Value scores = a.softmax.getOperand();
  auto scoresType = cast<RankedTensorType>(scores.getType());
  if (auto add = scores.getDefiningOp<AddOp>()) {
    // + mask: the other operand of the add is the (scaled) scores, a
    // kiln.mul, kiln.div or kiln.matmul; the mask broadcasts to them.
    auto isScores = [](Value v) {
      return v.getDefiningOp<MulOp>() || v.getDefiningOp<DivOp>() ||
             v.getDefiningOp<MatmulOp>();
    };
    if (!hasOneUse(add))
      return std::nullopt;
    if (isScores(add.getLhs()) && add.getLhs().getType() == scoresType) {
      scores = add.getLhs();
      a.mask = add.getRhs();
    } else if (isScores(add.getRhs()) && add.getRhs().getType() == scoresType) {
      scores = add.getRhs();
      a.mask = add.getLhs();
    } else {
      return std::nullopt;
    }
    auto maskType = cast<RankedTensorType>(a.mask.getType());
    if (!maskType.hasStaticShape() || maskType.getElementType() != element ||
        maskType.getRank() > rank)
      return std::nullopt;
    int64_t offset = rank - maskType.getRank();
    for (auto [i, size] : llvm::enumerate(maskType.getShape()))
      if (size != 1 && size != scoresType.getDimSize(offset + i))
        return std::nullopt;
    a.masking = add;
  }
  if (auto mul = scores.getDefiningOp<MulOp>()) {
    std::optional<double> scale;
    if (!hasOneUse(mul))
      return std::nullopt;
    if ((scale = scalarOf(mul.getRhs(), element)))
      scores = mul.getLhs();
    else if ((scale = scalarOf(mul.getLhs(), element)))
      scores = mul.getRhs();
    else
      return std::nullopt;
    a.scaling = mul;
    a.scale = *scale;
  } else if (auto div = scores.getDefiningOp<DivOp>()) {
    std::optional<double> scale = scalarOf(div.getRhs(), element);
    if (!hasOneUse(div) || !scale)
      return std::nullopt;
    scores = div.getLhs();
    a.scaling = div;
    a.scale = *scale;
    a.divide = true;
  }
  a.scores = scores.getDefiningOp<MatmulOp>();
  if (!hasOneUse(a.scores))
    return std::nullopt;
  // Static shapes of one rank and element type, the same batch dimensions.
  auto shapeOf = [&](Value v) -> std::optional<ArrayRef<int64_t>> {
    auto type = cast<RankedTensorType>(v.getType());
    if (!type.hasStaticShape() || type.getRank() != rank ||
        type.getElementType() != element)
      return std::nullopt;
    return type.getShape();
  };
  auto q = shapeOf(a.scores.getLhs()), kt = shapeOf(a.scores.getRhs()),
       v = shapeOf(output.getRhs()), o = shapeOf(output.getResult());
  if (!q || !kt || !v || !o)
    return std::nullopt;
  ArrayRef<int64_t> batch = q->drop_back(2);
  if (kt->drop_back(2) != batch || v->drop_back(2) != batch ||
      o->drop_back(2) != batch || (*q)[rank - 1] != (*kt)[rank - 2] ||
      (*kt)[rank - 1] != (*v)[rank - 2])
    return std::nullopt;
  // [b, h, s, e] transposed to [b, s, h, e] (the heads merged next): the
  // kernel writes the transposed layout itself, through a view.
  if (rank == 4 && output->hasOneUse())
    if (auto t = dyn_cast<TransposeOp>(*output->getUsers().begin()))
      if (t.getPerm()[3] == 3 &&
          cast<RankedTensorType>(t.getType()).hasStaticShape())
        a.result = t;
  return a;
}

/// memref<?x?x?x?xT, strided<[?, ?, ?, ?], offset: ?>>: the kernel's
/// operands.
MemRefType dynamicMemRef(Type element) {
  int64_t d = ShapedType::kDynamic;
  return MemRefType::get(
      {d, d, d, d}, element,
      StridedLayoutAttr::get(element.getContext(), d, {d, d, d, d}));
}

/// The declaration of the runtime's attention kernel for `element`.
func::FuncOp declareKernel(ModuleOp module, Type element) {
  std::string name = isa<Float32Type>(element) ? "kiln_rt_attention_f32"
                                               : "kiln_rt_attention_f64";
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  MemRefType param = dynamicMemRef(element);
  auto kernel = func::FuncOp::create(
      b, module.getLoc(), name,
      b.getFunctionType({param, param, param, param, param, element,
                         b.getI32Type(), b.getI32Type()},
                        {}));
  kernel.setPrivate();
  kernel->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  return kernel;
}

/// The reassociation that adds 4 - `rank` leading unit dimensions.
SmallVector<ReassociationIndices> toRank4(int64_t rank) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices first = llvm::to_vector(llvm::seq<int64_t>(0, 5 - rank));
  groups.push_back(first);
  for (int64_t i = 5 - rank; i < 4; ++i)
    groups.push_back({i});
  return groups;
}

SmallVector<int64_t> withLeadingOnes(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> shape4(4 - shape.size(), 1);
  llvm::append_range(shape4, shape);
  return shape4;
}

class Lowering {
public:
  Lowering(Attention a, ModuleOp module)
      : a(a), module(module), rewriter(a.output), loc(a.output.getLoc()),
        element(cast<RankedTensorType>(a.output.getType()).getElementType()) {
    rewriter.setInsertionPoint(a.result ? a.result : a.output);
  }

  void run() {
    // Reported as fusion decisions, so that `kilnc emit --dot` and the
    // manifest show the chain as one kernel.
    SmallVector<Operation *> chain = {a.scores};
    if (a.scaling)
      chain.push_back(a.scaling);
    if (a.masking)
      chain.push_back(a.masking);
    chain.append({a.softmax, a.output});
    if (a.result)
      chain.push_back(a.result);
    for (size_t i = 0; i + 1 < chain.size(); ++i)
      fusion_log::report(chain[i], chain[i + 1], /*fused=*/true,
                         "attention: one runtime kernel");

    Value q = view(a.scores.getLhs(), {0, 1, 2, 3});
    Value k = view(a.scores.getRhs(), {0, 1, 3, 2}); // kᵀ read as k
    Value v = view(a.output.getRhs(), {0, 1, 2, 3});
    // Without a mask, the kernel is passed q in its place and ignores it.
    Value mask = a.mask ? view(a.mask, {0, 1, 2, 3}) : q;
    auto [buffer, out] = output();
    Value scale = arith::ConstantOp::create(
        rewriter, loc, rewriter.getFloatAttr(element, a.scale));
    // An i32, not an i1: a C bool parameter expects its byte zero-extended.
    Value divide = arith::ConstantOp::create(
        rewriter, loc, rewriter.getI32IntegerAttr(a.divide ? 1 : 0));
    Value masked = arith::ConstantOp::create(
        rewriter, loc, rewriter.getI32IntegerAttr(a.mask ? 1 : 0));
    func::CallOp::create(rewriter, loc, declareKernel(module, element),
                         ValueRange{q, k, v, mask, out, scale, divide, masked});
    Value result = bufferization::ToTensorOp::create(
        rewriter, loc, resultValue().getType(), buffer,
        /*restrict=*/rewriter.getUnitAttr(),
        /*writable=*/rewriter.getUnitAttr());
    Operation *replaced = a.result ? a.result.getOperation() : a.output;
    SmallVector<Operation *> dead = {a.output, a.softmax, a.masking, a.scaling,
                                     a.scores};
    rewriter.replaceOp(replaced, result);
    for (Operation *op : dead)
      if (op && op != replaced && op->use_empty())
        rewriter.eraseOp(op);
  }

private:
  /// A rank-4 buffer view of `tensor` (with leading unit dimensions for
  /// ranks 2 and 3) permuted by `perm4`, which moves the last two dimensions
  /// at most: through the kiln.transpose that makes `tensor`, if any (a view
  /// of its operand, not a copy).
  Value view(Value tensor, ArrayRef<int64_t> perm4) {
    auto type = cast<RankedTensorType>(tensor.getType());
    int64_t lead = 4 - type.getRank();
    SmallVector<int64_t> perm; // on the dimensions of `tensor`
    for (int64_t p : perm4.drop_front(lead))
      perm.push_back(p - lead);
    Value base = tensor;
    if (auto transpose = tensor.getDefiningOp<TransposeOp>()) {
      ArrayRef<int64_t> inner = transpose.getPerm();
      for (int64_t &p : perm)
        p = inner[p];
      base = transpose.getOperand();
    }
    if (lead > 0)
      base = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get(
              withLeadingOnes(
                  cast<RankedTensorType>(base.getType()).getShape()),
              element),
          base, toRank4(type.getRank()));
    SmallVector<int64_t> full = llvm::to_vector(llvm::seq<int64_t>(0, lead));
    for (int64_t p : perm)
      full.push_back(p + lead);
    auto baseType = cast<RankedTensorType>(base.getType());
    int64_t d = ShapedType::kDynamic;
    Value buffer = bufferization::ToBufferOp::create(
        rewriter, loc,
        MemRefType::get(
            baseType.getShape(), element,
            StridedLayoutAttr::get(rewriter.getContext(), d, {d, d, d, d})),
        base, /*read_only=*/true);
    if (!llvm::equal(full, llvm::seq<int64_t>(0, 4))) {
      SmallVector<unsigned> permutation(full.begin(), full.end());
      buffer = memref::TransposeOp::create(
          rewriter, loc, buffer,
          AffineMapAttr::get(AffineMap::getPermutationMap(
              permutation, rewriter.getContext())));
    }
    return memref::CastOp::create(rewriter, loc, dynamicMemRef(element),
                                  buffer);
  }

  /// The buffer of the result the kernel's output replaces (the output, or
  /// the transpose of it that `a.result` makes), and the kernel's view of
  /// it.
  std::pair<Value, Value> output() {
    auto type = cast<RankedTensorType>(resultValue().getType());
    Value buffer = memref::AllocOp::create(
        rewriter, loc, MemRefType::get(type.getShape(), element),
        rewriter.getI64IntegerAttr(64));
    Value view = buffer;
    if (a.result) {
      // View dimension j of [b, h, s, e] is dimension inverse[j] of the
      // transposed buffer.
      ArrayRef<int64_t> perm = a.result.getPerm();
      SmallVector<unsigned> inverse(4);
      for (unsigned i = 0; i < 4; ++i)
        inverse[perm[i]] = i;
      view = memref::TransposeOp::create(
          rewriter, loc, buffer,
          AffineMapAttr::get(
              AffineMap::getPermutationMap(inverse, rewriter.getContext())));
    } else if (type.getRank() < 4) {
      view = memref::ExpandShapeOp::create(
          rewriter, loc,
          MemRefType::get(withLeadingOnes(type.getShape()), element), buffer,
          toRank4(type.getRank()));
    }
    return {buffer, memref::CastOp::create(rewriter, loc,
                                           dynamicMemRef(element), view)};
  }

  Value resultValue() {
    return a.result ? a.result.getResult() : a.output.getResult();
  }

  Attention a;
  ModuleOp module;
  IRRewriter rewriter;
  Location loc;
  Type element;
};

} // namespace

void kiln::lowerAttentionToRuntime(Operation *root) {
  auto module = dyn_cast<ModuleOp>(root);
  if (!module)
    module = root->getParentOfType<ModuleOp>();
  if (!module)
    return;
  // Chains that share an op (a matmul that is one's output and another's
  // scores) are not both lowered: the first one found is.
  SmallVector<Attention> found;
  llvm::DenseSet<Operation *> claimed;
  root->walk([&](MatmulOp op) {
    std::optional<Attention> a = match(op);
    if (!a)
      return;
    SmallVector<Operation *> ops = {a->output,  a->softmax, a->masking,
                                    a->scaling, a->scores,  a->result};
    if (llvm::any_of(ops, [&](Operation *o) { return claimed.contains(o); }))
      return;
    for (Operation *o : ops)
      if (o)
        claimed.insert(o);
    found.push_back(*a);
  });
  for (const Attention &a : found)
    Lowering(a, module).run();
}
