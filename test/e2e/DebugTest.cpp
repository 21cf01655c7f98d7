//===- DebugTest.cpp - print, check_numerics and shadow checks, e2e -------===//
//
// The debugging tools of kiln/Runtime/Debug.h and kiln/Function.h in both
// modes: a traced function's prints fire on every call of its compiled
// code, a NaN made in the middle of a fused chain is named with its line,
// and a compiled kernel that differs from the interpreter is found.
//
//===----------------------------------------------------------------------===//

#include "DifferentialTesting.h"

#include <gmock/gmock.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace kiln::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

/// Collects printed lines for its lifetime, then restores the default.
class CapturedPrints {
public:
  CapturedPrints() {
    set_print_handler(
        [this](const std::string &line) { lines.push_back(line); });
  }
  ~CapturedPrints() { set_print_handler(nullptr); }
  std::vector<std::string> lines;
};

/// "<label> (<this file>:<line>): <value>", the line kiln::print prints.
std::string printed(const std::string &label, int line,
                    const std::string &value) {
  return label + " (" + __FILE__ + ":" + std::to_string(line) + "): " + value;
}

//===----------------------------------------------------------------------===//
// kiln::print
//===----------------------------------------------------------------------===//

TEST(PrintE2E, EagerPrintsAtOnce) {
  CapturedPrints prints;
  Tensor x = constant({1.0f, 2.5f}, {2});
  const int line = __LINE__ + 1;
  print(x * 2.0f, "twice");
  EXPECT_THAT(
      prints.lines,
      ElementsAre(printed("twice", line,
                          "kiln.Tensor([2. 5.], shape=(2,), dtype=float32)")));
}

// The print sits in the middle of a chain that fuses; the compiled code
// prints on every call, with that call's values, and never at trace time.
TEST(PrintE2E, CompiledCodePrintsOnEveryCall) {
  CapturedPrints prints;
  const int line = __LINE__ + 4;
  auto f = function(
      [](Tensor x) {
        Tensor y = x * 2.0f;
        print(y, "y");
        return exp(y) + 1.0f;
      },
      "printing");
  Lowered lowered = f.lower(constant({0.0f, 0.0f}, {2}));
  EXPECT_TRUE(prints.lines.empty()) << "printed while tracing";
  EXPECT_THAT(lowered.ir(Stage::Kiln), HasSubstr("kiln.print"));
  // The print keeps y in memory and nothing more: mul is one kernel, exp
  // and add fuse into the other, which reads y.
  std::string linalg = lowered.ir(Stage::Linalg);
  size_t kernels = 0;
  for (size_t at = linalg.find("linalg.generic"); at != std::string::npos;
       at = linalg.find("linalg.generic", at + 1))
    ++kernels;
  EXPECT_EQ(kernels, 2u) << linalg;
  for (float v : {1.0f, 2.0f, 3.0f})
    f(constant({v, -v}, {2}));
  EXPECT_EQ(f.trace_count(), 1);
  auto value = [](const char *text) {
    return std::string("kiln.Tensor(") + text + ", shape=(2,), dtype=float32)";
  };
  EXPECT_THAT(prints.lines,
              ElementsAre(printed("y", line, value("[ 2. -2.]")),
                          printed("y", line, value("[ 4. -4.]")),
                          printed("y", line, value("[ 6. -6.]"))));
}

// A print whose value is not used is still kept (it is never dead code),
// prints in program order, and a print of a host tensor inside a trace is
// part of the graph too.
TEST(PrintE2E, PrintsAreNeverDeadCodeAndKeepTheirOrder) {
  CapturedPrints prints;
  Tensor host = constant({7}, {1}, DType::I64);
  auto f = function([&](Tensor x) {
    print(x > 0.0f, "positive");
    print(host, "host");
    print(reduce_sum(x), "sum");
    return x;
  });
  f(constant({1.0, -2.0}, {2}, DType::F64));
  ASSERT_EQ(prints.lines.size(), 3u);
  EXPECT_THAT(prints.lines[0],
              StartsWith("positive (" + std::string(__FILE__)));
  EXPECT_THAT(prints.lines[0], HasSubstr("[ True False]"));
  EXPECT_THAT(prints.lines[1], HasSubstr("kiln.Tensor([7], shape=(1,)"));
  EXPECT_THAT(prints.lines[2], HasSubstr("kiln.Tensor(-1.0, shape=()"));
}

// Inside a loop a print fires once per iteration, compiled and eagerly.
TEST(PrintE2E, PrintInsideALoopFiresEveryIteration) {
  auto program = [](Tensor x) {
    return fori_loop(
        0, 3,
        [](Tensor i, Tensor carry) {
          print(i, "i");
          return carry + 1.0f;
        },
        x);
  };
  std::vector<std::string> eager, compiled;
  {
    CapturedPrints prints;
    program(constant({0.0f}, {1}));
    eager = prints.lines;
  }
  {
    CapturedPrints prints;
    function(program)(constant({0.0f}, {1}));
    compiled = prints.lines;
  }
  ASSERT_EQ(eager.size(), 3u);
  EXPECT_THAT(eager[2], HasSubstr("): kiln.Tensor(2, shape=(), dtype=int64)"));
  EXPECT_EQ(compiled, eager);
}

// A saved graph keeps its prints: the interpreter and the JIT run them, and
// the line names the op's place in the graph file.
TEST(PrintE2E, GraphFilesPrintInTheInterpreterAndTheJit) {
  auto f = function([](Tensor x) {
    print(x, "x");
    return x * 3.0f;
  });
  Tensor x = constant({1.5f}, {1});
  std::string path = ::testing::TempDir() + "/print-graph.mlir";
  f.save(path, x);
  Graph graph = load(path);
  CapturedPrints prints;
  graph.interpret({x});
  graph({x});
  std::string value = "kiln.Tensor([1.5], shape=(1,), dtype=float32)";
  ASSERT_EQ(prints.lines.size(), 2u);
  EXPECT_EQ(prints.lines[0], prints.lines[1]);
  EXPECT_THAT(prints.lines[0], StartsWith("x (" + path + ":"));
  EXPECT_THAT(prints.lines[0], HasSubstr("): " + value));
  std::filesystem::remove(path);
}

// A handler that throws makes the call throw, in both modes; nullptr
// restores standard output.
TEST(PrintE2E, AHandlerThatThrowsMakesTheCallThrow) {
  set_print_handler(
      [](const std::string &) { throw std::runtime_error("disk full"); });
  auto f = function([](Tensor x) {
    print(x, "x");
    return x + 1.0f;
  });
  Tensor x = constant({1.0f}, {1});
  try {
    f(x);
    ADD_FAILURE() << "the compiled call did not throw";
  } catch (const Error &error) {
    EXPECT_THAT(error.what(), HasSubstr("print handler threw: disk full"));
  }
  EXPECT_THROW(print(x), Error);
  set_print_handler(nullptr);
  ::testing::internal::CaptureStdout();
  f(x);
  EXPECT_THAT(::testing::internal::GetCapturedStdout(),
              HasSubstr("x (" + std::string(__FILE__)));
}

//===----------------------------------------------------------------------===//
// check_numerics
//===----------------------------------------------------------------------===//

/// Turns a switch on for its lifetime.
struct NumericsChecked {
  NumericsChecked() { set_check_numerics(true); }
  ~NumericsChecked() { set_check_numerics(false); }
};

/// The message of the kiln::Error `call` throws ("" if none).
template <typename Call> std::string errorOf(Call &&call) {
  try {
    call();
  } catch (const Error &error) {
    return error.what();
  }
  return "";
}

std::string here(int line) {
  return std::string(__FILE__) + ":" + std::to_string(line);
}

TEST(CheckNumericsE2E, EagerOpsNameTheOpTheLineAndTheCount) {
  Tensor x = constant({1.0f, -1.0f, 0.0f, 4.0f}, {4});
  EXPECT_NO_THROW(log(x)) << "checks are off by default";
  NumericsChecked on;
  const int line = __LINE__ + 1;
  std::string message = errorOf([&] { log(x); });
  EXPECT_EQ(message, "check_numerics: log produced 1 NaN and 1 Inf (of 4 "
                     "elements, (4) float32) at " +
                         here(line));
  EXPECT_THAT(errorOf([&] { exp(x * 100.0f); }),
              HasSubstr("check_numerics: exp produced 2 Inf"));
  // Finite results, integer results and views pass.
  EXPECT_EQ(errorOf([&] { sqrt(abs(x)); }), "");
  EXPECT_EQ(errorOf([&] { cast(x, DType::I32) + 1; }), "");
  Tensor nan = constant({NAN}, {1});
  EXPECT_EQ(errorOf([&] {
              reshape(nan, {1, 1});
            }),
            "")
      << "a view produces no value";
  EXPECT_THAT(errorOf([&] { nan + 1.0f; }), HasSubstr("add produced 1 NaN"));
  // An op's own error is not replaced.
  EXPECT_THAT(errorOf([&] {
                add(x, constant({1.0f, 2.0f}, {2}));
              }),
              HasSubstr("not broadcastable"));
}

// A log of a negative number in the middle of a fused chain: the compiled
// call finds the NaN in its result and names the log and its line, for a
// Function traced before the switch was turned on.
TEST(CheckNumericsE2E, CompiledCodeNamesTheOpInsideAFusedChain) {
  const int line = __LINE__ + 4;
  auto f = function([](Tensor x) {
    Tensor y = x * 2.0f + 1.0f;
    Tensor z = tanh(y);
    Tensor w = log(z);
    return exp(w) * 3.0f;
  });
  Tensor good = constant({0.5f, 1.0f}, {2});
  Tensor bad = constant({0.5f, -1.0f}, {2});
  EXPECT_TRUE(std::isnan(f(bad).to_vector<float>()[1])) << "checks are off";
  std::string linalg = f.lower(bad).ir(Stage::Linalg);
  NumericsChecked on;
  EXPECT_EQ(errorOf([&] { f(good); }), "");
  EXPECT_EQ(errorOf([&] { f(bad); }),
            "check_numerics: log produced 1 NaN (of 2 elements, (2) "
            "float32) at " +
                here(line));
  EXPECT_EQ(f.trace_count(), 1);
}

// A NaN that comes in with an argument is named there.
TEST(CheckNumericsE2E, CompiledCodeNamesANaNArgument) {
  auto f = function([](Tensor x) { return x; });
  NumericsChecked on;
  EXPECT_THAT(errorOf([&] { f(constant({NAN}, {1})); }),
              HasSubstr("result 0 of 'graph' holds 1 NaN and 0 Inf; argument "
                        "0 holds NaN or Inf already"));
}

//===----------------------------------------------------------------------===//
// Shadow checking
//===----------------------------------------------------------------------===//

/// Turns shadow checking on, and perturbs the compiled results of `op` (a
/// test-only pipeline option), for its lifetime.
struct ShadowChecked {
  explicit ShadowChecked(const char *perturbedOp = nullptr) {
    if (perturbedOp)
      setenv("KILN_TEST_PERTURB_OP", perturbedOp, 1);
    set_shadow_check(true);
  }
  ~ShadowChecked() {
    set_shadow_check(false);
    unsetenv("KILN_TEST_PERTURB_OP");
  }
};

Tensor mlpLayers(Tensor x, Tensor w1, Tensor w2) {
  Tensor h = relu(matmul(x, w1) + 0.5f);
  Tensor g = tanh(h * 0.25f);
  return softmax(matmul(g, w2), -1);
}

TEST(ShadowCheckE2E, AgreeingCodePasses) {
  ShadowChecked on;
  auto f = function(mlpLayers);
  Tensor x = normal({8, 16}, 1, DType::F32);
  Tensor w1 = normal({16, 32}, 2, DType::F32);
  Tensor w2 = normal({32, 4}, 3, DType::F32);
  EXPECT_EQ(errorOf([&] { f(x, w1, w2); }), "");
  EXPECT_THAT(kiln::detail::lastShadowCheck(),
              StartsWith("1 result agrees with the interpreter"));
}

// The perturbed tanh sits between fused ops; bisection names it and its
// line, for each of three programs.
TEST(ShadowCheckE2E, APerturbedKernelIsFoundAndNamed) {
  ShadowChecked on("kiln.tanh");
  Tensor x = normal({8, 16}, 1, DType::F32);
  Tensor w1 = normal({16, 32}, 2, DType::F32);
  Tensor w2 = normal({32, 4}, 3, DType::F32);
  std::string message = errorOf([&] { function(mlpLayers)(x, w1, w2); });
  EXPECT_THAT(message, StartsWith("shadow check: result 0 of 'graph' differs "
                                  "from the interpreter's"));
  // mlpLayers' tanh is on line 4 of its body.
  EXPECT_THAT(message, HasSubstr("the first op whose compiled output differs "
                                 "is tanh at " +
                                 std::string(__FILE__) + ":"));
  EXPECT_THAT(message, HasSubstr("max rel error 0.0156"));

  const int line = __LINE__ + 4;
  auto chain = function([](Tensor a, Tensor b) {
    Tensor s = a * b + 1.0;
    Tensor r = reduce_sum(s * s, {1}, /*keepdims=*/true);
    Tensor t = tanh(r) - b;
    return std::pair{exp(t), r};
  });
  message = errorOf([&] {
    chain(normal({4, 3}, 4, DType::F64), normal({4, 3}, 5, DType::F64));
  });
  EXPECT_THAT(message, HasSubstr("is tanh at " + here(line)));
  EXPECT_THAT(message, StartsWith("shadow check: result 0 of 'graph'"));
}

TEST(ShadowCheckE2E, TheTestPerturbationIsInTheCompiledCode) {
  setenv("KILN_TEST_PERTURB_OP", "kiln.tanh", 1);
  auto f = function([](Tensor x) { return tanh(x); });
  Tensor y = f(constant({1.0f}, {1}));
  unsetenv("KILN_TEST_PERTURB_OP");
  EXPECT_FLOAT_EQ(y.item<float>(), std::tanh(1.0f) * (1 + 1.0f / 64))
      << "the test-only perturbation is in the compiled code";
}

//===----------------------------------------------------------------------===//
// Warnings about captures
//===----------------------------------------------------------------------===//

/// Collects warnings for its lifetime, then restores the default handler.
class CapturedWarnings {
public:
  CapturedWarnings() {
    set_warning_handler(
        [this](const std::string &message) { messages.push_back(message); });
  }
  ~CapturedWarnings() {
    set_warning_handler([](const std::string &message) {
      std::cerr << "kiln: warning: " << message << "\n";
    });
  }
  std::vector<std::string> messages;
};

// A from_blob view captured by a traced lambda is copied into the graph: the
// host's later writes are not seen. Kiln warns once per Function (not once
// per trace), naming the tensor and the line that used it.
TEST(CaptureWarningE2E, AFromBlobCaptureWarnsOncePerFunction) {
  CapturedWarnings warnings;
  std::vector<float> host = {1.0f, 2.0f, 3.0f};
  Tensor view = from_blob(host.data(), {3}, DType::F32);
  const int line = __LINE__ + 1;
  auto f = function([&](Tensor x) { return x * 2.0f + view; }, "shifted");
  Tensor before = f(constant({0.0f, 0.0f, 0.0f}, {3}));
  host[0] = 100.0f; // not seen by the compiled code
  Tensor after = f(constant({0.0f, 0.0f, 0.0f}, {3}));
  f(zeros({2, 3}, DType::F32)); // a second trace: no second warning
  EXPECT_EQ(after.to_vector<float>(), before.to_vector<float>());
  ASSERT_EQ(warnings.messages.size(), 1u);
  EXPECT_THAT(warnings.messages[0],
              StartsWith("function 'shifted' captures 1 tensor that is copied "
                         "into its graph as constants when it is traced: (3) "
                         "float32, a from_blob view of host memory, used at " +
                         here(line) + "."));
  EXPECT_THAT(warnings.messages[0],
              HasSubstr("Pass such tensors as arguments instead."));
}

// Large captures warn; small ones (the scalar of x * 2.0f, a short table) do
// not.
TEST(CaptureWarningE2E, OnlyLargeCapturesWarn) {
  CapturedWarnings warnings;
  Tensor big = zeros({512, 512}, DType::F32); // 1 MiB
  Tensor table = constant({1.0f, 2.0f}, {2});
  auto small = function([&](Tensor x) { return x * 2.0f + table; });
  small(constant({1.0f, 1.0f}, {2}));
  EXPECT_TRUE(warnings.messages.empty());
  const int line = __LINE__ + 1;
  auto large = function([&](Tensor x) { return x + big; }, "large");
  large(constant(1.0f));
  ASSERT_EQ(warnings.messages.size(), 1u);
  EXPECT_THAT(warnings.messages[0],
              HasSubstr("captures 1 tensor that is copied into its graph as "
                        "constants when it is traced: (512, 512) float32 "
                        "(1024 KiB) used at " +
                        here(line)));
}

} // namespace
} // namespace kiln::e2e
