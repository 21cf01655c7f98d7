// Trains an MLP classifier on the UCI 8x8 handwritten digits with a traced
// train step: the forward pass, the gradients and Adam's update are one
// kiln::function, compiled and fused once and then called for every batch.
//
//   train-mlp [path/to/digits.u8]      (default: next to this source file)
//
// Prints a progress bar per epoch with the loss and the accuracy on the
// held-out test split, then the final test accuracy and the time taken.

#include <kiln/kiln.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr int64_t kPixels = 64, kClasses = 10, kHidden = 64;
constexpr int64_t kBatch = 32, kTestSize = 297, kEpochs = 30;

struct Split {
  kiln::Tensor images; // [n, 64] float32 in [0, 1]
  kiln::Tensor labels; // [n, 10] one-hot float32
  std::vector<int> classes;
};

/// The digits of `records` at `order[begin, end)`.
Split makeSplit(const std::vector<unsigned char> &records,
                const std::vector<int> &order, size_t begin, size_t end) {
  int64_t n = static_cast<int64_t>(end - begin);
  std::vector<float> images(n * kPixels), labels(n * kClasses, 0.0f);
  Split split;
  for (int64_t i = 0; i < n; ++i) {
    const unsigned char *record = &records[order[begin + i] * (kPixels + 1)];
    for (int64_t p = 0; p < kPixels; ++p)
      images[i * kPixels + p] = record[p] / 16.0f;
    labels[i * kClasses + record[kPixels]] = 1.0f;
    split.classes.push_back(record[kPixels]);
  }
  split.images = kiln::constant(images, {n, kPixels});
  split.labels = kiln::constant(labels, {n, kClasses});
  return split;
}

kiln::Tensor logits(kiln::Tensor x, kiln::Tensor w1, kiln::Tensor b1,
                    kiln::Tensor w2, kiln::Tensor b2) {
  kiln::Tensor h = kiln::relu(kiln::matmul(x, w1) + b1);
  return kiln::matmul(h, w2) + b2;
}

/// Mean cross-entropy of the batch.
kiln::Tensor loss(kiln::Tensor x, kiln::Tensor y, kiln::Tensor w1,
                  kiln::Tensor b1, kiln::Tensor w2, kiln::Tensor b2) {
  kiln::Tensor logp = kiln::log_softmax(logits(x, w1, b1, w2, b2), -1);
  return -kiln::reduce_mean(kiln::reduce_sum(logp * y, {1}));
}

/// One step: the loss, its gradients and Adam's update, traced and compiled
/// as one graph. Arguments: the batch, the 4 parameters, Adam's state (step,
/// 4 first moments, 4 second moments); results: the loss, the new
/// parameters and the new state.
std::vector<kiln::Tensor>
trainStep(kiln::Tensor x, kiln::Tensor y, kiln::Tensor w1, kiln::Tensor b1,
          kiln::Tensor w2, kiln::Tensor b2, kiln::Tensor step, kiln::Tensor m1,
          kiln::Tensor m2, kiln::Tensor m3, kiln::Tensor m4, kiln::Tensor v1,
          kiln::Tensor v2, kiln::Tensor v3, kiln::Tensor v4) {
  auto [value, grads] =
      kiln::value_and_grad(loss, {2, 3, 4, 5})(x, y, w1, b1, w2, b2);
  kiln::optim::AdamState state{step, {m1, m2, m3, m4}, {v1, v2, v3, v4}};
  auto [params, next] = kiln::optim::adam({w1, b1, w2, b2}, grads, state,
                                          {.learning_rate = 3e-3});
  std::vector<kiln::Tensor> results = {value};
  results.insert(results.end(), params.begin(), params.end());
  std::vector<kiln::Tensor> stateTensors = next.tensors();
  results.insert(results.end(), stateTensors.begin(), stateTensors.end());
  return results;
}

} // namespace

int main(int argc, char **argv) {
  std::string path = argc > 1 ? argv[1] : KILN_DIGITS_PATH;
  std::ifstream file(path, std::ios::binary);
  std::vector<unsigned char> records((std::istreambuf_iterator<char>(file)),
                                     std::istreambuf_iterator<char>());
  if (records.empty() || records.size() % (kPixels + 1) != 0) {
    std::fprintf(stderr, "train-mlp: cannot read the digits from '%s'\n",
                 path.c_str());
    return 1;
  }
  int total = static_cast<int>(records.size() / (kPixels + 1));
  std::vector<int> order(total);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 shuffle(7);
  std::shuffle(order.begin(), order.end(), shuffle);
  Split train = makeSplit(records, order, 0, total - kTestSize);
  Split test = makeSplit(records, order, total - kTestSize, total);
  int64_t trainSize = total - kTestSize;
  std::printf("digits: %d images, %lld for training, %lld held out\n", total,
              static_cast<long long>(trainSize),
              static_cast<long long>(kTestSize));

  // He initialization, from a seed.
  std::vector<kiln::Tensor> params = {
      kiln::random_normal({kPixels, kHidden}, 1, 0.0, std::sqrt(2.0 / kPixels)),
      kiln::zeros({kHidden}),
      kiln::random_normal({kHidden, kClasses}, 2, 0.0,
                          std::sqrt(2.0 / kHidden)),
      kiln::zeros({kClasses})};
  kiln::optim::AdamState state = kiln::optim::adam_init(params);
  auto step = kiln::function(trainStep, "train_step");
  auto predict = kiln::function(
      [](kiln::Tensor x, kiln::Tensor w1, kiln::Tensor b1, kiln::Tensor w2,
         kiln::Tensor b2) {
        return kiln::argmax(logits(x, w1, b1, w2, b2), 1);
      },
      "predict");
  auto accuracy = [&](const Split &split) {
    kiln::Tensor predicted =
        predict(split.images, params[0], params[1], params[2], params[3]);
    std::vector<int64_t> classes = predicted.to_vector<int64_t>();
    int64_t right = 0;
    for (size_t i = 0; i < classes.size(); ++i)
      right += classes[i] == split.classes[i];
    return std::pair<double, int64_t>{100.0 * right / classes.size(), right};
  };

  auto start = std::chrono::steady_clock::now();
  int64_t batches = trainSize / kBatch;
  std::vector<int64_t> batchOrder(batches);
  std::iota(batchOrder.begin(), batchOrder.end(), 0);
  for (int64_t epoch = 1; epoch <= kEpochs; ++epoch) {
    std::shuffle(batchOrder.begin(), batchOrder.end(), shuffle);
    double lossSum = 0;
    for (int64_t b = 0; b < batches; ++b) {
      int64_t first = batchOrder[b] * kBatch;
      kiln::Tensor x =
          kiln::slice(train.images, {first, 0}, {first + kBatch, kPixels});
      kiln::Tensor y =
          kiln::slice(train.labels, {first, 0}, {first + kBatch, kClasses});
      std::vector<kiln::Tensor> stateTensors = state.tensors();
      std::vector<kiln::Tensor> out = step(
          x, y, params[0], params[1], params[2], params[3], stateTensors[0],
          stateTensors[1], stateTensors[2], stateTensors[3], stateTensors[4],
          stateTensors[5], stateTensors[6], stateTensors[7], stateTensors[8]);
      lossSum += out[0].item<double>();
      params.assign(out.begin() + 1, out.begin() + 5);
      state = kiln::optim::AdamState::from(out, 5, 4);
      // The progress bar of this epoch.
      int done = static_cast<int>(30 * (b + 1) / batches);
      std::printf(
          "\repoch %2lld/%lld [%s%s] loss %.4f", static_cast<long long>(epoch),
          static_cast<long long>(kEpochs), std::string(done, '=').c_str(),
          std::string(30 - done, ' ').c_str(), lossSum / (b + 1));
      std::fflush(stdout);
    }
    auto [testAccuracy, right] = accuracy(test);
    std::printf("  train acc %5.1f%%  test acc %5.1f%%\n",
                accuracy(train).first, testAccuracy);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  auto [testAccuracy, right] = accuracy(test);
  std::printf("test accuracy: %.2f%% (%lld of %lld), trained in %.2f s\n",
              testAccuracy, static_cast<long long>(right),
              static_cast<long long>(kTestSize), seconds);
  return 0;
}
