//===- Random.cpp - Random numbers keyed by a seed tensor -----------------===//
//
// The generator is counter based (Tensor.cpp: splitmix64 of the seed and
// the element's index), so an element's value depends on nothing but the
// seed and its position: eager mode fills a tensor with the factories of
// Tensor.h, and compiled code computes the same bits in a linalg.generic
// that fuses with what consumes them (a dropout mask never reaches memory).
// The seed is a tensor so that a traced function takes it as an argument.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

namespace kiln {

using namespace detail;

namespace {

/// The seed's value, after checking the seed, the shape and the dtype.
uint64_t checkedSeed(std::string_view op, const Shape &shape,
                     const Tensor &seed, DType dtype) {
  checkDefined(op, seed);
  if (seed.rank() != 0 || !isIndexDType(seed.dtype()))
    fail(op, "the seed must be an int32 or int64 scalar (rank 0)", {&seed});
  if (!isFloating(dtype))
    fail(op,
         "dtype must be floating, got " + std::string(dtypeName(dtype)) +
             " for shape " + formatShape(shape),
         {&seed});
  for (int64_t d : shape)
    if (d < 0)
      fail(op, "shape " + formatShape(shape) + " has a negative dimension",
           {&seed});
  return seed.is_traced() ? 0 : static_cast<uint64_t>(seed.item<int64_t>());
}

} // namespace

Tensor random_uniform(const Shape &shape, const Tensor &seed, double low,
                      double high, DType dtype, SourceLoc loc) {
  trace::CallSite site("random_uniform", loc);
  uint64_t key = checkedSeed("random_uniform", shape, seed, dtype);
  if (trace::Recorder *recorder = trace::recorderFor({&seed}))
    return recorder->record({"random_uniform",
                             {seed},
                             {{"low", low}, {"high", high}},
                             shape,
                             dtype});
  return random_uniform(shape, key, low, high, dtype);
}

Tensor random_normal(const Shape &shape, const Tensor &seed, double mean,
                     double stddev, DType dtype, SourceLoc loc) {
  trace::CallSite site("random_normal", loc);
  uint64_t key = checkedSeed("random_normal", shape, seed, dtype);
  if (trace::Recorder *recorder = trace::recorderFor({&seed}))
    return recorder->record({"random_normal",
                             {seed},
                             {{"mean", mean}, {"stddev", stddev}},
                             shape,
                             dtype});
  return random_normal(shape, key, mean, stddev, dtype);
}

Tensor dropout(const Tensor &x, double rate, const Tensor &seed,
               SourceLoc loc) {
  trace::CallSite site("dropout", loc);
  checkDefined("dropout", x);
  if (!isFloating(x.dtype()))
    fail("dropout", "the input must be floating", {&x});
  if (!(rate >= 0 && rate < 1))
    fail("dropout", "rate " + std::to_string(rate) + " is outside [0, 1)",
         {&x});
  if (rate == 0)
    return x;
  Tensor keep =
      random_uniform(x.shape(), seed, 0.0, 1.0, DType::F32, loc) >= rate;
  return select(keep, x * (1.0 / (1.0 - rate)), constant(Scalar(0), x.dtype()));
}

} // namespace kiln
