//===- AgreementTest.cpp - kilnc run agrees with the C++ call -------------===//
//
// A function traced in C++ and saved, then run by the kilnc binary on .npy
// inputs the test writes, gives the numbers the C++ call gives: exactly with
// the JIT (the same compiled code), and within a tight bound with the
// interpreter (the eager kernels may round differently).
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Npy.h"
#include "kiln/Driver/Run.h"
#include "kiln/kiln.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

using namespace kiln;
using namespace kiln::driver;

namespace {

Tensor model(Tensor x, Tensor w, Tensor b) {
  Tensor h = relu(matmul(x, w) + b);
  return sigmoid(h) * tanh(h - 0.5f);
}

class Agreement : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/kiln-agreement-" +
           std::to_string(::testing::UnitTest::GetInstance()->random_seed());
    ASSERT_EQ(std::system(("mkdir -p " + dir_).c_str()), 0);
    x_ = random_normal({16, 32}, 1);
    w_ = random_normal({32, 8}, 2);
    b_ = random_normal({8}, 3);
    auto f = function(model, "model");
    expected_ = f(x_, w_, b_);
    f.save(dir_ + "/model.mlir", x_, w_, b_);
    writeNpy(dir_ + "/x.npy", x_);
    writeNpy(dir_ + "/w.npy", w_);
    writeNpy(dir_ + "/b.npy", b_);
  }

  std::string dir_;
  Tensor x_, w_, b_, expected_;
};

TEST_F(Agreement, KilncRunJitIsExact) {
  std::string command = std::string(KILNC_PATH) + " run " + dir_ +
                        "/model.mlir --input " + dir_ + "/x.npy " + dir_ +
                        "/w.npy " + dir_ + "/b.npy --output-dir " + dir_ +
                        "/out";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  Tensor got = readNpy(dir_ + "/out/out0.npy");
  ASSERT_EQ(got.shape(), expected_.shape());
  EXPECT_EQ(got.to_vector<float>(), expected_.to_vector<float>());
}

TEST_F(Agreement, InterpreterIsClose) {
  RunOptions options;
  options.graph = dir_ + "/model.mlir";
  options.inputs = {dir_ + "/x.npy", dir_ + "/w.npy", dir_ + "/b.npy"};
  options.mode = RunMode::Interpret;
  std::ostringstream out;
  std::vector<Tensor> got = runGraph(options, out);
  ASSERT_EQ(got.size(), 1u);
  std::vector<float> a = got[0].to_vector<float>();
  std::vector<float> e = expected_.to_vector<float>();
  ASSERT_EQ(a.size(), e.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], e[i], 1e-5f + 1e-5f * std::fabs(e[i])) << "element " << i;
}

} // namespace
