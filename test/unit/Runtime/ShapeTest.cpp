//===- ShapeTest.cpp - Tests of the shape rules and type promotion --------===//

#include "TestUtil.h"

#include <limits>

using namespace kiln;
using ::testing::HasSubstr;

namespace {

TEST(ShapeRules, FormatShape) {
  EXPECT_EQ(formatShape({}), "()");
  EXPECT_EQ(formatShape({5}), "(5)");
  EXPECT_EQ(formatShape({3, 4}), "(3, 4)");
  EXPECT_EQ(formatShape({kDynamic, 4}), "(?, 4)");
  EXPECT_EQ(formatList({1, 0, 2}), "[1, 0, 2]");
  EXPECT_EQ(numElements({2, 3, 4}), 24);
  EXPECT_EQ(numElements({}), 1);
  EXPECT_EQ(numElements({2, kDynamic}), -1);
  // An overflowing count saturates (no signed overflow), unless a zero
  // dimension makes it 0.
  int64_t big = int64_t{1} << 40;
  EXPECT_EQ(numElements({big, big}), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(numElements({big, big, 0}), 0);
}

TEST(ShapeRules, NormalizeAxes) {
  EXPECT_EQ(*normalizeAxis(-1, 3), 2);
  EXPECT_EQ(*normalizeAxis(0, 3), 0);
  EXPECT_FALSE(normalizeAxis(3, 3));
  EXPECT_EQ(normalizeAxis(3, 3).error(),
            "axis 3 is out of range for rank 3 (expected -3 <= axis < 3)");
  EXPECT_EQ(normalizeAxis(0, 0).error(), "axis 0 is out of range for a scalar");
  EXPECT_EQ(*normalizeAxes({-1, 0}, 3), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(normalizeAxes({1, -1}, 2).error(),
            "axis -1 is repeated in [1, -1]");
}

TEST(ShapeRules, Broadcast) {
  EXPECT_EQ(*broadcastShapes(Shape{3, 1}, Shape{4}), (Shape{3, 4}));
  EXPECT_EQ(*broadcastShapes(Shape{}, Shape{2, 3}), (Shape{2, 3}));
  EXPECT_EQ(*broadcastShapes(Shape{2, 1, 4}, Shape{3, 1}), (Shape{2, 3, 4}));
  EXPECT_EQ(*broadcastShapes(Shape{0}, Shape{1}), (Shape{0}));
  EXPECT_EQ(*broadcastShapes(Shape{kDynamic, 4}, Shape{3, 1}), (Shape{3, 4}));
  auto bad = broadcastShapes(Shape{3, 4}, Shape{5});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "shapes (3, 4) and (5) are not broadcastable");
  EXPECT_EQ(*broadcastShapes(std::vector<Shape>{{2, 1}, {1, 3}, {3}}),
            (Shape{2, 3}));
  EXPECT_EQ(broadcastShapes(std::vector<Shape>{{2}, {3}, {1}}).error(),
            "shapes (2), (3) and (1) are not broadcastable");
  EXPECT_EQ(*broadcastToShape({3, 1}, {2, 3, 4}), (Shape{2, 3, 4}));
  EXPECT_EQ(broadcastToShape({3}, {4}).error(),
            "shape (3) cannot be broadcast to (4)");
  EXPECT_FALSE(broadcastToShape({2, 3}, {3}));
}

TEST(ShapeRules, Reduce) {
  EXPECT_EQ(*reduceShape({2, 3, 4}, {1}, false), (Shape{2, 4}));
  EXPECT_EQ(*reduceShape({2, 3, 4}, {1}, true), (Shape{2, 1, 4}));
  EXPECT_EQ(*reduceShape({2, 3, 4}, {}, false), (Shape{}));
  EXPECT_EQ(*reduceShape({2, 3, 4}, {}, true), (Shape{1, 1, 1}));
  EXPECT_EQ(*reduceShape({2, 3, 4}, {-1, 0}, false), (Shape{3}));
  EXPECT_THAT(reduceShape({2, 3}, {2}, false).error(),
              HasSubstr("axis 2 is out of range for rank 2"));
  EXPECT_EQ(*argReduceShape({2, 3}, -1, false), (Shape{2}));
  EXPECT_EQ(*argReduceShape({2, 3}, 0, true), (Shape{1, 3}));
  EXPECT_EQ(argReduceShape({2, 0}, 1, false).error(),
            "cannot reduce the empty axis 1 of shape (2, 0)");
}

TEST(ShapeRules, Reshape) {
  EXPECT_EQ(*reshapeShape({2, 3, 4}, {6, -1}), (Shape{6, 4}));
  EXPECT_EQ(*reshapeShape({2, 3}, {-1}), (Shape{6}));
  EXPECT_EQ(*reshapeShape({2, 3}, {3, 2}), (Shape{3, 2}));
  EXPECT_EQ(*reshapeShape({}, {1, 1}), (Shape{1, 1}));
  EXPECT_EQ(reshapeShape({2, 3}, {-1, -1}).error(),
            "target shape [-1, -1] has more than one -1");
  EXPECT_EQ(reshapeShape({2, 3}, {4, -1}).error(),
            "cannot reshape (2, 3) (6 elements) to [4, -1]");
  EXPECT_EQ(reshapeShape({2, 3}, {5}).error(),
            "cannot reshape (2, 3) (6 elements) to (5) (5 elements)");
  EXPECT_EQ(reshapeShape({2, 3}, {-2, 3}).error(),
            "target shape [-2, 3] has a negative dimension");
}

TEST(ShapeRules, TransposeExpandSqueeze) {
  EXPECT_EQ(*transposeShape({2, 3, 4}, {2, 0, 1}), (Shape{4, 2, 3}));
  EXPECT_EQ(transposeShape({2, 3}, {0, 0}).error(),
            "permutation [0, 0] is not a permutation of the 2 dims of shape "
            "(2, 3)");
  EXPECT_FALSE(transposeShape({2, 3}, {0}));
  EXPECT_EQ(*expandDimsShape({2, 3}, 0), (Shape{1, 2, 3}));
  EXPECT_EQ(*expandDimsShape({2, 3}, -1), (Shape{2, 3, 1}));
  EXPECT_EQ(*expandDimsShape({2, 3}, 2), (Shape{2, 3, 1}));
  EXPECT_FALSE(expandDimsShape({2, 3}, 3));
  EXPECT_EQ(*squeezeShape({1, 2, 1}, {}), (Shape{2}));
  EXPECT_EQ(*squeezeShape({1, 2, 1}, {-1}), (Shape{1, 2}));
  EXPECT_EQ(squeezeShape({1, 2, 1}, {1}).error(),
            "cannot squeeze axis 1 of size 2 in shape (1, 2, 1)");
}

TEST(ShapeRules, ConcatSlicePadGather) {
  EXPECT_EQ(*concatShape({{2, 3}, {4, 3}}, 0), (Shape{6, 3}));
  EXPECT_EQ(*concatShape({{2, 3}, {2, 1}}, -1), (Shape{2, 4}));
  EXPECT_EQ(concatShape({{2, 3}, {3, 3}}, 1).error(),
            "shapes (2, 3) and (3, 3) differ outside the concatenation axis 1");
  EXPECT_EQ(concatShape({}, 0).error(), "needs at least one input");
  EXPECT_FALSE(concatShape({{2, 3}, {2}}, 0));
  EXPECT_EQ(*sliceShape({10, 4}, {1, 0}, {8, 4}, {3, 1}), (Shape{3, 4}));
  EXPECT_EQ(*sliceShape({10}, {4}, {4}, {1}), (Shape{0}));
  EXPECT_EQ(sliceShape({10}, {2}, {11}, {1}).error(),
            "slice [2:11:1] is invalid for dim 0 of shape (10) (expected 0 "
            "<= start <= limit <= size and stride >= 1)");
  EXPECT_FALSE(sliceShape({10}, {2}, {5}, {0}));
  EXPECT_FALSE(sliceShape({10}, {2}, {5}, {}));
  EXPECT_EQ(*padShape({2, 3}, {1, 0}, {2, 1}), (Shape{5, 4}));
  EXPECT_EQ(padShape({2}, {-1}, {0}).error(),
            "padding low [-1] and high [0] must be non-negative");
  EXPECT_EQ(*gatherShape({5, 6, 7}, {2, 3}, 1), (Shape{5, 2, 3, 7}));
  EXPECT_EQ(*gatherShape({5}, {}, 0), (Shape{}));
  EXPECT_FALSE(gatherShape({}, {2}, 0));
}

TEST(ShapeRules, Matmul) {
  EXPECT_EQ(*matmulShape({2, 3}, {3, 4}), (Shape{2, 4}));
  EXPECT_EQ(*matmulShape({3}, {3}), (Shape{}));
  EXPECT_EQ(*matmulShape({3}, {3, 4}), (Shape{4}));
  EXPECT_EQ(*matmulShape({2, 3}, {3}), (Shape{2}));
  EXPECT_EQ(*matmulShape({5, 1, 2, 3}, {4, 3, 6}), (Shape{5, 4, 2, 6}));
  EXPECT_EQ(*matmulShape({3}, {7, 3, 2}), (Shape{7, 2}));
  EXPECT_EQ(matmulShape({2, 3}, {4, 5}).error(),
            "contraction dimensions differ: shapes (2, 3) and (4, 5) (3 vs "
            "4)");
  EXPECT_EQ(matmulShape({2, 2, 3}, {3, 3, 4}).error(),
            "batch dimensions of shapes (2, 2, 3) and (3, 3, 4) are not "
            "broadcastable");
  EXPECT_EQ(matmulShape({}, {3}).error(),
            "operands must have rank >= 1, got shapes () and (3)");
}

TEST(DTypeRules, NamesAndSizes) {
  for (DType t : ktest::allDTypes())
    EXPECT_EQ(*parseDType(dtypeName(t)), t);
  EXPECT_FALSE(parseDType("float128"));
  EXPECT_EQ(dtypeSize(DType::Bool), 1u);
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
}

TEST(DTypeRules, PromotionTable) {
  using D = DType;
  // Rows and columns in the order bool, i32, i64, f16, bf16, f32, f64, as in
  // the table of DType.h.
  const D order[] = {D::Bool, D::I32, D::I64, D::F16, D::BF16, D::F32, D::F64};
  const D table[7][7] = {
      {D::Bool, D::I32, D::I64, D::F16, D::BF16, D::F32, D::F64},
      {D::I32, D::I32, D::I64, D::F16, D::BF16, D::F32, D::F64},
      {D::I64, D::I64, D::I64, D::F16, D::BF16, D::F32, D::F64},
      {D::F16, D::F16, D::F16, D::F16, D::F32, D::F32, D::F64},
      {D::BF16, D::BF16, D::BF16, D::F32, D::BF16, D::F32, D::F64},
      {D::F32, D::F32, D::F32, D::F32, D::F32, D::F32, D::F64},
      {D::F64, D::F64, D::F64, D::F64, D::F64, D::F64, D::F64}};
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j)
      EXPECT_EQ(promoteTypes(order[i], order[j]), table[i][j])
          << dtypeName(order[i]) << " + " << dtypeName(order[j]);
}

TEST(DTypeRules, WeakScalars) {
  EXPECT_EQ(Scalar(2.0).resultDTypeWith(DType::F16), DType::F16);
  EXPECT_EQ(Scalar(2.0).resultDTypeWith(DType::F64), DType::F64);
  EXPECT_EQ(Scalar(2).resultDTypeWith(DType::I64), DType::I64);
  EXPECT_EQ(Scalar(2.5f).resultDTypeWith(DType::I32), DType::F32);
  EXPECT_EQ(Scalar(2.5).resultDTypeWith(DType::I64), DType::F32);
  EXPECT_EQ(Scalar(1).resultDTypeWith(DType::Bool), DType::I32);
  EXPECT_EQ(Scalar(true).resultDTypeWith(DType::F32), DType::F32);
  EXPECT_EQ(Scalar(true).resultDTypeWith(DType::Bool), DType::Bool);
}

} // namespace
