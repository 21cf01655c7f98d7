//===- GraphTracer.cpp - Record eager op calls into a kiln graph ----------===//

#include "kiln/Trace/GraphTracer.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnEvaluate.h"
#include "kiln/Runtime/Control.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Trace/Gradients.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace kiln;

namespace {

/// A graph value standing behind a traced tensor.
struct GraphValue final : trace::Value {
  GraphValue(mlir::Value value, const GraphTracer *tracer)
      : value(value), tracer(tracer) {}
  mlir::Value value;
  const GraphTracer *tracer;
};

/// The kiln op an eager op is recorded as, where the names differ.
StringRef kilnOpName(StringRef eagerName) {
  return llvm::StringSwitch<StringRef>(eagerName)
      .Case("logical_and", "and")
      .Case("logical_or", "or")
      .Case("logical_not", "not")
      .Default(eagerName);
}

/// Eager ops that compute in floating point whatever their operand's dtype
/// (float32 for bool and integers), while the kiln ops take floats only.
bool isFloatingOnly(StringRef op) {
  static constexpr StringLiteral ops[] = {
      "exp",        "log",         "sqrt",    "rsqrt",      "tanh",  "sigmoid",
      "erf",        "sin",         "cos",     "tan",        "asin",  "acos",
      "atan",       "sinh",        "cosh",    "asinh",      "acosh", "atanh",
      "reciprocal", "reduce_mean", "softmax", "log_softmax"};
  return llvm::is_contained(ops, op);
}

/// Binary ops whose operands are promoted to the result's dtype (numbers
/// only in the dialect, while eager promotes a bool operand too).
bool isArithmetic(StringRef op) {
  static constexpr StringLiteral ops[] = {
      "add",         "sub",        "mul",        "div",         "pow",
      "maximum",     "minimum",    "matmul",     "bitwise_and", "bitwise_or",
      "bitwise_xor", "left_shift", "right_shift"};
  return llvm::is_contained(ops, op);
}

NamedAttribute toAttribute(Builder &b, StringRef name,
                           const trace::AttrValue &value) {
  Attribute attr = std::visit(
      [&](const auto &v) -> Attribute {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>)
          return b.getI64IntegerAttr(v);
        else if constexpr (std::is_same_v<T, bool>)
          return b.getUnitAttr();
        else if constexpr (std::is_same_v<T, double>)
          return b.getF64FloatAttr(v);
        else if constexpr (std::is_same_v<T, std::vector<int64_t>>)
          return b.getDenseI64ArrayAttr(v);
        else if constexpr (std::is_same_v<T, std::string>)
          return b.getStringAttr(v);
        else
          return Attribute();
      },
      value);
  return b.getNamedAttr(name, attr);
}

std::string describe(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

} // namespace

GraphTracer::GraphTracer(ModuleOp module, StringRef name,
                         const std::vector<TensorSpec> &arguments)
    : builder_(module.getContext()), location_(builder_.getUnknownLoc()) {
  MLIRContext *context = module.getContext();
  context->getOrLoadDialect<KilnDialect>();
  context->getOrLoadDialect<func::FuncDialect>();
  SmallVector<Type> types;
  for (const TensorSpec &spec : arguments)
    types.push_back(
        RankedTensorType::get(spec.shape, toElementType(context, spec.dtype)));
  builder_.setInsertionPointToEnd(module.getBody());
  func_ = func::FuncOp::create(builder_, builder_.getUnknownLoc(), name,
                               builder_.getFunctionType(types, {}));
  Block *entry = func_.addEntryBlock();
  builder_.setInsertionPointToEnd(entry);
  for (BlockArgument arg : entry->getArguments())
    arguments_.push_back(wrap(arg));
  scopes_.push_back(&func_.getBody());
}

GraphTracer::GraphTracer(func::FuncOp func)
    : func_(func), builder_(func.getContext()),
      location_(builder_.getUnknownLoc()) {
  Block &body = func.getBody().front();
  builder_.setInsertionPoint(body.getTerminator());
  for (BlockArgument arg : body.getArguments())
    arguments_.push_back(wrap(arg));
  scopes_.push_back(&func_.getBody());
}

GraphTracer::~GraphTracer() = default;

Tensor GraphTracer::addArgument(const TensorSpec &spec) {
  Block &entry = func_.getBody().front();
  auto type = RankedTensorType::get(
      spec.shape, toElementType(builder_.getContext(), spec.dtype));
  BlockArgument arg = entry.addArgument(type, builder_.getUnknownLoc());
  SmallVector<Type> inputs(func_.getArgumentTypes());
  inputs.push_back(type);
  func_.setFunctionType(
      builder_.getFunctionType(inputs, func_.getResultTypes()));
  arguments_.push_back(wrap(arg));
  return arguments_.back();
}

std::vector<Tensor>
GraphTracer::recordGradient(const Tensor &target,
                            const std::vector<Tensor> &sources) {
  return buildGradients(*this, target, sources);
}

Tensor GraphTracer::wrap(mlir::Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return Tensor::traced(std::make_shared<GraphValue>(value, this),
                        *toDType(type.getElementType()), toShape(type));
}

mlir::Value GraphTracer::valueOf(const Tensor &tensor) {
  if (!tensor.defined())
    throw Error("trace: an undefined tensor was used in a traced function");
  if (tensor.is_traced()) {
    auto *value = dynamic_cast<const GraphValue *>(tensor.tracedValue());
    if (!value || value->tracer != this)
      throw Error("trace: a tensor traced by another kiln::function was "
                  "used in this one (traced tensors cannot escape their "
                  "function)");
    if (!llvm::is_contained(scopes_,
                            mlir::Value(value->value).getParentRegion()))
      throw Error("trace: a tensor made inside a branch of kiln::cond or a "
                  "loop body was used outside it; return it from the branch "
                  "or the body instead");
    return value->value;
  }
  // A host tensor the callable captured: it becomes part of the graph.
  captures_.push_back(
      {tensor.shape(), tensor.dtype(), tensor.views_host_memory(),
       isa<UnknownLoc>(location_) ? "" : formatFileLine(location_)});
  DenseElementsAttr attr = toElementsAttr(tensor, builder_.getContext());
  return ConstantOp::create(builder_, location_, attr);
}

mlir::Value GraphTracer::castTo(mlir::Value value, DType dtype) {
  auto type = cast<RankedTensorType>(value.getType());
  Type elementType = toElementType(builder_.getContext(), dtype);
  if (type.getElementType() == elementType)
    return value;
  return CastOp::create(builder_, location_, type.clone(elementType), value);
}

mlir::Value GraphTracer::create(StringRef name, ValueRange operands,
                                ArrayRef<NamedAttribute> attributes,
                                const Shape &shape, DType dtype) {
  MLIRContext *context = builder_.getContext();
  OperationState state(location_, ("kiln." + name).str());
  state.addOperands(operands);
  state.addAttributes(attributes);
  state.addTypes(RankedTensorType::get(shape, toElementType(context, dtype)));
  if (!state.name.isRegistered())
    throw Error(name.str() + ": has no kiln op and cannot be traced");
  return verified(builder_.create(state), name);
}

mlir::Value GraphTracer::verified(Operation *op, StringRef name) {
  std::string diagnostics;
  {
    ScopedDiagnosticHandler handler(op->getContext(), [&](Diagnostic &diag) {
      diagnostics += (diagnostics.empty() ? "" : "; ") + diag.str();
      return success();
    });
    if (succeeded(verify(op, /*verifyRecursively=*/false)))
      return op->getResult(0);
  }
  // The eager op accepted its operands but the kiln op does not: the eager
  // semantics are wider than the dialect's for these operands.
  std::string types;
  for (mlir::Value operand : op->getOperands())
    types += (types.empty() ? "" : ", ") + describe(operand.getType());
  op->erase();
  throw Error(name.str() + ": cannot be traced for operands (" + types +
              "): " + diagnostics);
}

/// The location of the user's call site of the op being recorded.
static Location callSiteLocation(OpBuilder &builder,
                                 std::optional<Location> override) {
  if (override)
    return *override;
  if (const std::source_location *site = trace::CallSite::current())
    return FileLineColLoc::get(builder.getContext(), site->file_name(),
                               site->line(), site->column());
  return builder.getUnknownLoc();
}

void GraphTracer::recordPrint(const Tensor &x, std::string_view label) {
  location_ = callSiteLocation(builder_, locationOverride_);
  PrintOp::create(builder_, location_, valueOf(x),
                  builder_.getStringAttr(llvm::StringRef(label)));
}

Tensor GraphTracer::record(const trace::OpCall &call) {
  // Everything recorded for this call points at the user's call site.
  location_ = callSiteLocation(builder_, locationOverride_);
  StringRef op = call.op;
  SmallVector<mlir::Value> operands;
  for (const Tensor &operand : call.operands)
    operands.push_back(valueOf(operand));
  SmallVector<NamedAttribute> attributes;
  for (const auto &[name, value] : call.attrs) {
    if (std::holds_alternative<DType>(value))
      continue; // carried by the result type
    if (const bool *flag = std::get_if<bool>(&value); flag && !*flag)
      continue; // a unit attribute that is absent
    attributes.push_back(toAttribute(builder_, name, value));
  }
  DType dtype = call.dtype;
  const Shape &shape = call.shape;

  // Bridge the eager semantics the dialect spells with explicit casts.
  if (isFloatingOnly(op)) {
    for (mlir::Value &operand : operands)
      operand = castTo(operand, dtype);
  } else if (op == "logical_and" || op == "logical_or" || op == "logical_not") {
    for (mlir::Value &operand : operands)
      operand = castTo(operand, DType::Bool);
  } else if (op == "select") {
    operands[0] = castTo(operands[0], DType::Bool);
  } else if (op == "concat") {
    for (mlir::Value &operand : operands)
      operand = castTo(operand, dtype);
  } else if (op == "floor" || op == "ceil" || op == "round") {
    // Identity on integers and bool.
    if (!isFloating(call.operands[0].dtype()))
      return wrap(operands[0]);
  } else if ((op == "abs" || op == "sign" || op == "relu") &&
             dtype == DType::Bool) {
    // Identity on bool (false and true are 0 and 1).
    return wrap(operands[0]);
  } else if (isArithmetic(op) && dtype != DType::Bool) {
    // A bool operand meeting a number is promoted; the kiln op takes
    // numbers only.
    for (auto [operand, traced] : llvm::zip(operands, call.operands))
      if (traced.dtype() == DType::Bool)
        operand = castTo(operand, dtype);
  } else if ((op == "maximum" || op == "minimum") && dtype == DType::Bool) {
    // On bool, maximum is `or` and minimum is `and`.
    return wrap(
        create(op == "maximum" ? "or" : "and", operands, {}, shape, dtype));
  } else if ((op == "reduce_sum" || op == "reduce_prod") &&
             call.operands[0].dtype() == DType::Bool) {
    operands[0] = castTo(operands[0], dtype);
  } else if ((op == "reduce_max" || op == "reduce_min" || op == "argmax" ||
              op == "argmin") &&
             call.operands[0].dtype() == DType::Bool) {
    // Reduce bools as int32 0/1 and convert back.
    operands[0] = castTo(operands[0], DType::I32);
    DType reduced = op.starts_with("arg") ? dtype : DType::I32;
    mlir::Value result = create(op, operands, attributes, shape, reduced);
    return wrap(castTo(result, dtype));
  } else if (op == "cast") {
    return wrap(castTo(operands[0], dtype));
  } else if (op == "layer_norm") {
    // Operands are the input, then scale and bias when given.
    bool hasScale = false, hasBias = false;
    std::vector<int64_t> axes;
    double epsilon = 0;
    for (const auto &[name, value] : call.attrs) {
      if (name == "has_scale")
        hasScale = std::get<bool>(value);
      else if (name == "has_bias")
        hasBias = std::get<bool>(value);
      else if (name == "axes")
        axes = std::get<std::vector<int64_t>>(value);
      else if (name == "epsilon")
        epsilon = std::get<double>(value);
    }
    for (mlir::Value &operand : operands)
      operand = castTo(operand, dtype);
    mlir::Value scale = hasScale ? operands[1] : mlir::Value();
    mlir::Value bias = hasBias ? operands[hasScale ? 2 : 1] : mlir::Value();
    auto layerNorm = LayerNormOp::create(
        builder_, location_,
        RankedTensorType::get(shape,
                              toElementType(builder_.getContext(), dtype)),
        operands[0], scale, bias, builder_.getDenseI64ArrayAttr(axes),
        builder_.getF64FloatAttr(epsilon));
    return wrap(verified(layerNorm, op));
  }
  if (op == "conv") {
    // Operands are the input, the weight, then the bias when given.
    std::vector<int64_t> strides, padsBegin, padsEnd, dilations;
    int64_t groups = 1;
    for (const auto &[name, value] : call.attrs) {
      if (name == "strides")
        strides = std::get<std::vector<int64_t>>(value);
      else if (name == "pads_begin")
        padsBegin = std::get<std::vector<int64_t>>(value);
      else if (name == "pads_end")
        padsEnd = std::get<std::vector<int64_t>>(value);
      else if (name == "dilations")
        dilations = std::get<std::vector<int64_t>>(value);
      else if (name == "groups")
        groups = std::get<int64_t>(value);
    }
    mlir::Value bias = operands.size() > 2 ? operands[2] : mlir::Value();
    auto conv = ConvOp::create(
        builder_, location_,
        RankedTensorType::get(shape,
                              toElementType(builder_.getContext(), dtype)),
        operands[0], operands[1], bias, builder_.getDenseI64ArrayAttr(strides),
        builder_.getDenseI64ArrayAttr(padsBegin),
        builder_.getDenseI64ArrayAttr(padsEnd),
        builder_.getDenseI64ArrayAttr(dilations),
        builder_.getI64IntegerAttr(groups));
    return wrap(verified(conv, op));
  }
  return wrap(create(kilnOpName(op), operands, attributes, shape, dtype));
}

func::FuncOp GraphTracer::finish(const std::vector<Tensor> &outputs) {
  // Host tensors returned as they are become constants without a call site.
  location_ = builder_.getUnknownLoc();
  SmallVector<mlir::Value> results;
  for (const Tensor &output : outputs)
    results.push_back(valueOf(output));
  func::ReturnOp::create(builder_, builder_.getUnknownLoc(), results);
  func_.setFunctionType(builder_.getFunctionType(
      func_.getArgumentTypes(), ValueRange(results).getTypes()));

  std::string diagnostics;
  ScopedDiagnosticHandler handler(builder_.getContext(), [&](Diagnostic &d) {
    diagnostics += (diagnostics.empty() ? "" : "; ") + d.str();
    return success();
  });
  if (failed(verify(func_)))
    throw Error("trace: the traced graph does not verify: " + diagnostics);
  return func_;
}

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

namespace {

/// The shapes and dtypes of `types`, as the checks of
/// kiln/Runtime/Control.h take them.
std::vector<TensorSpec> placeholders(TypeRange types) {
  std::vector<TensorSpec> specs;
  for (Type type : types) {
    auto tensorType = cast<RankedTensorType>(type);
    specs.push_back(
        {toShape(tensorType), *toDType(tensorType.getElementType())});
  }
  return specs;
}

/// Pops the innermost scope when the region's tracing ends, even by an
/// exception.
struct ScopeGuard {
  std::vector<Region *> &scopes;
  ~ScopeGuard() { scopes.pop_back(); }
};

} // namespace

Location GraphTracer::locationOf(const trace::ControlSite &site) {
  return FileLineColLoc::get(builder_.getContext(), site.location.file_name(),
                             site.location.line(), site.location.column());
}

std::unique_ptr<Region>
GraphTracer::traceRegion(const trace::RegionBody &body, TypeRange argumentTypes,
                         Location location,
                         SmallVectorImpl<mlir::Value> &yielded) {
  auto region = std::make_unique<Region>();
  Block *block = new Block();
  region->push_back(block);
  block->addArguments(argumentTypes,
                      SmallVector<Location>(argumentTypes.size(), location));
  OpBuilder::InsertionGuard insertion(builder_);
  builder_.setInsertionPointToEnd(block);
  scopes_.push_back(region.get());
  ScopeGuard scope{scopes_};
  std::vector<Tensor> arguments;
  for (BlockArgument argument : block->getArguments())
    arguments.push_back(wrap(argument));
  std::vector<Tensor> results;
  {
    // The ops of the body record their own call sites.
    trace::CallSiteBoundary boundary;
    results = body(arguments);
  }
  location_ = location;
  for (const Tensor &result : results)
    yielded.push_back(valueOf(result));
  YieldOp::create(builder_, location, yielded);
  return region;
}

std::vector<Tensor>
GraphTracer::createControlFlow(OperationState &state,
                               const trace::ControlSite &site) {
  Operation *op = builder_.create(state);
  std::string diagnostics;
  // Inside a region still being traced (not yet part of an op), verifying a
  // region op would walk up to a parent that does not exist yet: finish()
  // verifies the whole function.
  if (scopes_.size() == 1) {
    ScopedDiagnosticHandler handler(op->getContext(), [&](Diagnostic &diag) {
      diagnostics += (diagnostics.empty() ? "" : "; ") + diag.str();
      return success();
    });
    if (failed(verify(op, /*verifyRecursively=*/false))) {
      op->erase();
      throw Error(std::string(site.op) + ": cannot be traced: " + diagnostics);
    }
  }
  std::vector<Tensor> results;
  for (mlir::Value result : op->getResults())
    results.push_back(wrap(result));
  return results;
}

std::vector<Tensor> GraphTracer::recordIf(const trace::ControlSite &site,
                                          const Tensor &condition,
                                          const trace::RegionBody &thenBody,
                                          const trace::RegionBody &elseBody) {
  Location location = locationOf(site);
  location_ = location;
  mlir::Value predicate = valueOf(condition);
  SmallVector<mlir::Value> thenValues, elseValues;
  std::unique_ptr<Region> thenRegion =
      traceRegion(thenBody, {}, location, thenValues);
  std::unique_ptr<Region> elseRegion =
      traceRegion(elseBody, {}, location, elseValues);
  detail::checkSameTypes(site, "the false branch returns",
                         placeholders(ValueRange(elseValues).getTypes()),
                         "the true branch",
                         placeholders(ValueRange(thenValues).getTypes()));
  OperationState state(location, IfOp::getOperationName());
  state.addOperands(predicate);
  state.addTypes(ValueRange(thenValues).getTypes());
  state.addRegion(std::move(thenRegion));
  state.addRegion(std::move(elseRegion));
  return createControlFlow(state, site);
}

std::vector<Tensor> GraphTracer::recordFor(const trace::ControlSite &site,
                                           const Tensor &lower,
                                           const Tensor &upper,
                                           const std::vector<Tensor> &init,
                                           const trace::RegionBody &body) {
  Location location = locationOf(site);
  location_ = location;
  SmallVector<mlir::Value> operands = {valueOf(lower), valueOf(upper)};
  for (const Tensor &tensor : init)
    operands.push_back(valueOf(tensor));
  TypeRange carry = ValueRange(operands).drop_front(2).getTypes();
  SmallVector<Type> arguments = {operands[0].getType()};
  llvm::append_range(arguments, carry);
  SmallVector<mlir::Value> yielded;
  std::unique_ptr<Region> region =
      traceRegion(body, arguments, location, yielded);
  detail::checkSameTypes(site, "the body returns",
                         placeholders(ValueRange(yielded).getTypes()),
                         "the carry is", placeholders(carry));
  OperationState state(location, ForOp::getOperationName());
  state.addOperands(operands);
  state.addTypes(carry);
  state.addRegion(std::move(region));
  return createControlFlow(state, site);
}

std::vector<Tensor> GraphTracer::recordWhile(const trace::ControlSite &site,
                                             const std::vector<Tensor> &init,
                                             const trace::RegionBody &condition,
                                             const trace::RegionBody &body) {
  Location location = locationOf(site);
  location_ = location;
  SmallVector<mlir::Value> operands;
  for (const Tensor &tensor : init)
    operands.push_back(valueOf(tensor));
  TypeRange carry = ValueRange(operands).getTypes();
  SmallVector<mlir::Value> predicate, yielded;
  std::unique_ptr<Region> condRegion =
      traceRegion(condition, carry, location, predicate);
  std::vector<TensorSpec> predicateTypes =
      placeholders(ValueRange(predicate).getTypes());
  if (predicateTypes.size() != 1)
    throw Error("while_loop: the condition must return one bool scalar");
  detail::checkPredicate(site, predicateTypes[0], "the condition");
  std::unique_ptr<Region> bodyRegion =
      traceRegion(body, carry, location, yielded);
  detail::checkSameTypes(site, "the body returns",
                         placeholders(ValueRange(yielded).getTypes()),
                         "the carry is", placeholders(carry));
  OperationState state(location, WhileOp::getOperationName());
  state.addOperands(operands);
  state.addTypes(carry);
  state.addRegion(std::move(condRegion));
  state.addRegion(std::move(bodyRegion));
  return createControlFlow(state, site);
}

std::vector<Tensor> GraphTracer::recordScan(const trace::ControlSite &site,
                                            const std::vector<Tensor> &init,
                                            const std::vector<Tensor> &xs,
                                            const trace::RegionBody &body) {
  Location location = locationOf(site);
  location_ = location;
  SmallVector<mlir::Value> carry, scanned;
  for (const Tensor &tensor : init)
    carry.push_back(valueOf(tensor));
  for (const Tensor &tensor : xs)
    scanned.push_back(valueOf(tensor));
  TypeRange carryTypes = ValueRange(carry).getTypes();
  int64_t length =
      detail::scanLength(site, placeholders(ValueRange(scanned).getTypes()));
  SmallVector<Type> arguments(carryTypes);
  for (mlir::Value value : scanned) {
    auto type = cast<RankedTensorType>(value.getType());
    arguments.push_back(RankedTensorType::get(type.getShape().drop_front(),
                                              type.getElementType()));
  }
  SmallVector<mlir::Value> yielded;
  std::unique_ptr<Region> region =
      traceRegion(body, arguments, location, yielded);
  ValueRange yieldedValues(yielded);
  detail::checkSameTypes(
      site, "fn returns the carry",
      placeholders(yieldedValues.take_front(carry.size()).getTypes()),
      "the carry is", placeholders(carryTypes));
  SmallVector<Type> results(carryTypes);
  for (Type type : yieldedValues.drop_front(carry.size()).getTypes()) {
    auto slice = cast<RankedTensorType>(type);
    SmallVector<int64_t> shape = {length};
    llvm::append_range(shape, slice.getShape());
    results.push_back(RankedTensorType::get(shape, slice.getElementType()));
  }
  OperationState state(location, ScanOp::getOperationName());
  state.addOperands(carry);
  state.addOperands(scanned);
  state.getOrAddProperties<ScanOp::Properties>().operandSegmentSizes = {
      int32_t(carry.size()), int32_t(scanned.size())};
  state.addTypes(results);
  state.addRegion(std::move(region));
  return createControlFlow(state, site);
}
