//===- OnnxIndexing.cpp - ONNX's indexing and contraction ops -------------===//
//
// Trilu, OneHot, GatherElements, GatherND, ScatterElements, ScatterND, TopK
// and Einsum, composed of kiln ops:
// what depends on shapes only (masks, iota constants, strides) is computed
// at import time.
//
//===----------------------------------------------------------------------===//

#include "OnnxNode.h"

#include "kiln/Runtime/Ops.h"

#include <algorithm>
#include <cctype>
#include <string>

using namespace kiln;
using namespace kiln::onnx_import;

namespace {

/// Trilu: the upper (default) or lower triangle of the last two dimensions
/// from diagonal k, zeros elsewhere.
Tensor trilu(const Node &node) {
  const Tensor &x = node.input(0);
  int64_t k = node.hasInput(1) ? node.constantInts(1).at(0) : 0;
  bool upper = node.intAttr("upper", 1) != 0;
  int64_t rank = x.rank();
  if (rank < 2)
    node.fail("the input has rank " + std::to_string(rank) +
              "; Trilu needs at least 2");
  Tensor rows = iotaAlong(x.shape()[rank - 2], rank - 2, rank);
  Tensor columns = iotaAlong(x.shape()[rank - 1], rank - 1, rank);
  Tensor keep = upper ? columns - rows >= k : columns - rows <= k;
  return select(keep, x, constant(Scalar(0), x.dtype()));
}

/// OneHot: `values[1]` where the index (negative ones count from the end of
/// depth) equals the position along the new axis, `values[0]` elsewhere.
Tensor oneHot(const Node &node) {
  const Tensor &indices = node.input(0);
  const Tensor &depthTensor = node.constantInput(1);
  int64_t depth = static_cast<int64_t>(depthTensor.toDoubleVector().at(0));
  const Tensor &values = node.input(2);
  int64_t rank = indices.rank() + 1;
  int64_t axis = node.intAttr("axis", -1);
  if (axis < 0)
    axis += rank;
  Tensor index = cast(indices, DType::I64);
  index = select(index < 0, index + depth, index);
  Tensor hot = expand_dims(index, axis) == iotaAlong(depth, axis, rank);
  Tensor off = reshape(slice(values, {0}, {1}), {});
  Tensor on = reshape(slice(values, {1}, {2}), {});
  return select(hot, on, off);
}

/// The reduction attribute of ScatterElements and ScatterND.
ScatterReduction scatterReduction(const Node &node) {
  std::string name = node.stringAttr("reduction", "none");
  std::optional<ScatterReduction> reduction = parseScatterReduction(name);
  if (!reduction)
    node.fail("reduction '" + name + "' is not supported");
  return *reduction;
}

/// TopK: the values and indices of the k largest (smallest) elements along
/// the axis, sorted; k is an attribute before opset 10, an input after.
Outputs topK(const Node &node) {
  int64_t k =
      node.opset() < 10 ? node.intAttr("k", -1) : node.constantInts(1).at(0);
  auto [values, indices] = topk(node.input(0), k, node.intAttr("axis", -1),
                                node.intAttr("largest", 1) != 0);
  return {values, indices};
}

/// Einsum as products and sums: each operand is transposed and
/// expanded to one order of all the equation's letters, the operands are
/// multiplied, the letters missing from the output summed away and the
/// rest transposed to the output's order.
Tensor einsum(const Node &node) {
  std::string equation;
  for (char c : node.stringAttr("equation", ""))
    if (c != ' ')
      equation += c;
  size_t arrow = equation.find("->");
  std::string lhs = equation.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (terms.size() != node.inputCount())
    node.fail("the equation has " + std::to_string(terms.size()) +
              " operands, the node " + std::to_string(node.inputCount()));
  // An ellipsis stands for the dimensions its operand has beyond its
  // letters; they are named by the digits '0', '1', ... from the right, so
  // that operands of different ranks broadcast as numpy's do.
  int64_t ellipsisRank = 0;
  for (size_t t = 0; t < terms.size(); ++t)
    if (terms[t].find("...") != std::string::npos)
      ellipsisRank = std::max<int64_t>(
          ellipsisRank, node.input(t).rank() - int64_t(terms[t].size() - 3));
  auto expandEllipsis = [&](std::string term, int64_t rank) {
    size_t at = term.find("...");
    if (at == std::string::npos)
      return term;
    std::string dims;
    for (int64_t d = rank - 1; d >= 0; --d)
      dims += static_cast<char>('0' + d);
    return term.substr(0, at) + dims + term.substr(at + 3);
  };
  std::string letters; // every letter, in order of appearance
  for (size_t t = 0; t < terms.size(); ++t) {
    terms[t] = expandEllipsis(terms[t], node.input(t).rank() -
                                            int64_t(terms[t].size()) + 3);
    if (static_cast<int64_t>(terms[t].size()) != node.input(t).rank())
      node.fail("operand " + std::to_string(t) + " has rank " +
                std::to_string(node.input(t).rank()) + ", the equation '" +
                terms[t] + "'");
    for (char c : terms[t])
      if (letters.find(c) == std::string::npos)
        letters += c;
  }
  std::string output;
  if (arrow != std::string::npos) {
    output = expandEllipsis(equation.substr(arrow + 2), ellipsisRank);
  } else {
    // Implicit output: the ellipsis dimensions, then the letters used once,
    // in alphabetical order.
    for (int64_t d = ellipsisRank - 1; d >= 0; --d)
      output += static_cast<char>('0' + d);
    std::string once;
    for (char c : letters)
      if (std::isalpha(static_cast<unsigned char>(c)) &&
          std::count(lhs.begin(), lhs.end(), c) == 1)
        once += c;
    std::sort(once.begin(), once.end());
    output += once;
  }
  // The order all operands take: the output's letters, then the summed.
  std::string order = output;
  for (char c : letters)
    if (order.find(c) == std::string::npos)
      order += c;
  int64_t rank = static_cast<int64_t>(order.size());
  Tensor product;
  for (size_t t = 0; t < terms.size(); ++t) {
    Tensor x = node.input(t);
    std::string term = terms[t];
    // A repeated letter is a diagonal: multiply by the identity mask and
    // sum one copy away.
    for (size_t i = 0; i < term.size(); ++i)
      for (size_t j = i + 1; j < term.size(); ++j)
        if (term[i] == term[j]) {
          int64_t rankNow = x.rank();
          Tensor mask =
              iotaAlong(x.shape()[i], static_cast<int64_t>(i), rankNow) ==
              iotaAlong(x.shape()[j], static_cast<int64_t>(j), rankNow);
          x = reduce_sum(select(mask, x, constant(Scalar(0), x.dtype())),
                         {static_cast<int64_t>(j)});
          term.erase(j, 1);
          --j;
        }
    std::vector<int64_t> perm;
    Shape shape;
    for (char c : order) {
      size_t at = term.find(c);
      if (at != std::string::npos) {
        perm.push_back(static_cast<int64_t>(at));
        shape.push_back(x.shape()[at]);
      } else {
        shape.push_back(1);
      }
    }
    x = reshape(transpose(x, perm), shape);
    product = t == 0 ? x : product * x;
  }
  std::vector<int64_t> summed;
  for (int64_t d = static_cast<int64_t>(output.size()); d < rank; ++d)
    summed.push_back(d);
  return summed.empty() ? product : reduce_sum(product, summed);
}

} // namespace

std::optional<Outputs> onnx_import::importIndexingNode(const Node &node) {
  const std::string &type = node.type();
  auto one = [](Tensor t) { return std::optional<Outputs>(Outputs{t}); };
  if (type == "Trilu")
    return one(trilu(node));
  if (type == "OneHot")
    return one(oneHot(node));
  if (type == "GatherElements")
    return one(
        take_along_axis(node.input(0), node.input(1), node.intAttr("axis", 0)));
  if (type == "GatherND")
    return one(
        gather_nd(node.input(0), node.input(1), node.intAttr("batch_dims", 0)));
  if (type == "ScatterElements" || type == "Scatter")
    return one(scatter_elements(node.input(0), node.input(1), node.input(2),
                                node.intAttr("axis", 0),
                                scatterReduction(node)));
  if (type == "ScatterND")
    return one(scatter_nd(node.input(0), node.input(1), node.input(2),
                          scatterReduction(node)));
  if (type == "TopK")
    return topK(node);
  if (type == "Einsum")
    return one(einsum(node));
  return std::nullopt;
}
