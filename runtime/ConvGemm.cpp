//===- ConvGemm.cpp - Convolution as an implicit GEMM ---------------------===//
//
// conv's kernel, which eager mode and compiled code both call. Per image and
// group, the convolution is the product
//
//   out[M/G, P] = w[M/G, C/G * K] * col[C/G * K, P]
//
// (K taps, P output positions), where row (c, t) of col holds what every
// output position reads through tap t of channel c. col is never written
// out: the GEMM packs its KC x NR panels straight from the input, into a
// buffer that stays in L2 while the micro-kernel reads it (an im2col matrix
// is 9x the input for a 3x3 kernel, and was packed again for the GEMM). The
// weights are not packed at all: they are row-major [M, C/G * K] already,
// and the micro-kernel variant of GemmKernels.h reads its MR rows in place
// (packing them on every call moved resnet18's 44 MiB of weights through
// memory twice more, and cost more than the micro-kernel gained).
//
// Addressing. The input is first copied into a zero-padded buffer (skipped
// when there is no padding and it is contiguous), so that no read needs a
// bounds check: element (r, j) of col is at
//
//   padded[rowOffset[r] + columnOffset[j]]
//
// where rowOffset holds the tap's channel and offsets and columnOffset the
// output position's window origin. Along a line of the output, consecutive
// positions step by the last stride, so a panel row is a few strided runs.
//
// Parallelism: one parallel_for over tiles of (image, group, row panels,
// column panels); a tile packs its own B chunk (no two tiles share columns
// of one image and group unless the rows had to be split too), so there is
// no barrier inside the GEMM. The bias is added to each tile of the result
// while it is still in cache, then the residual and the relu that compiled
// code fuses into the call. Packing is compiled for the micro-kernel's ISA
// too: the library's baseline ISA copies 16 bytes at a time.
//
// Depthwise (one input and one output channel per group) is no GEMM: each
// channel's taps are added up along lines of the output (tapLines): each
// output starts at the bias and gets the taps' products in order.
//
// The loops compiled once per ISA (packPanel, tapLines, transposeOut) are in
// ConvKernels.h.
//
//===----------------------------------------------------------------------===//

#include "ConvKernels.h"
#include "GemmKernels.h"
#include "Internal.h"
#include "kiln/Runtime/CAbi.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>
#include <vector>

namespace kiln {
using namespace detail;
using namespace detail::conv;

namespace {

/// The columns of a B chunk: at most this many NR-wide panels (KC x 256
/// floats, 256 KiB, stay in L2 while the micro-kernel streams them).
constexpr int64_t kMaxChunkPanels = 8;

/// For every index of `shape` in row-major order, the sum of its
/// coordinates times `steps` (counted up, not divided out).
std::vector<int64_t> offsetsOf(const Shape &shape, const Shape &steps) {
  std::vector<int64_t> offsets(static_cast<size_t>(numElements(shape)));
  Shape at(shape.size(), 0);
  int64_t offset = 0;
  for (int64_t &o : offsets) {
    o = offset;
    for (size_t i = shape.size(); i-- > 0;) {
      offset += steps[i];
      if (++at[i] < shape[i])
        break;
      offset -= steps[i] * shape[i];
      at[i] = 0;
    }
  }
  return offsets;
}

/// The packed chunk of B of the calling thread.
thread_local PackBuffer chunkBuffer;
/// A thread's padded copy of the part of a convolution's input that its
/// tiles of runPacked read, or of the depthwise channel it computes.
thread_local PackBuffer paddedPart;

/// A buffer from the runtime's buffer cache (so that a repeated call does
/// not fault in fresh pages), given back when it goes out of scope.
struct Scratch {
  void *data = nullptr;
  size_t bytes = 0;
  Scratch() = default;
  Scratch(const Scratch &) = delete;
  Scratch &operator=(const Scratch &) = delete;
  ~Scratch() {
    if (data)
      releaseBuffer(data, bytes);
  }
  void get(size_t size) {
    bytes = (size + 63) / 64 * 64;
    data = acquireBuffer(bytes);
    if (!data)
      throw std::bad_alloc();
  }
};

template <typename T, int NR> class ImplicitGemm {
public:
  /// The convolution of x by weights of `weightShape` ([M, C/G, K1..Kk]).
  ImplicitGemm(const MicroKernels<T> &kernels, const Tensor &x,
               const Shape &weightShape, const Tensor *bias,
               const Tensor *residual, bool relu,
               const std::vector<int64_t> &strides,
               const std::vector<int64_t> &padsBegin,
               const std::vector<int64_t> &dilations, int64_t groups,
               Tensor &out)
      : micro_(kernels.rows), gather_(kernels.gather), x_(x), out_(out),
        groups_(groups), relu_(relu) {
    if (residual) {
      residualTensor_ = residual->contiguous();
      residual_ = static_cast<const T *>(residualTensor_.rawData());
    }
    size_t k = strides.size();
    n_ = x.shape()[0];
    c_ = x.shape()[1];
    m_ = weightShape[0];
    cg_ = c_ / groups;
    mg_ = m_ / groups;
    Shape in(x.shape().begin() + 2, x.shape().end());
    Shape kernel(weightShape.begin() + 2, weightShape.end());
    Shape output(out.shape().begin() + 2, out.shape().end());
    int64_t taps = numElements(kernel);
    positions_ = numElements(output);
    depth_ = cg_ * taps;
    mPanels_ = (mg_ + MR - 1) / MR;
    if (bias) {
      const T *b = static_cast<const T *>(bias->rawData());
      for (int64_t i = 0; i < m_; ++i)
        bias_.push_back(b[i * bias->strides()[0]]);
    }

    // The padded input's spatial sizes: enough for every window (the high
    // padding can be more than the windows need; it is never read).
    padded_ = in;
    for (size_t i = 0; i < k; ++i) {
      int64_t reach =
          (output[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1;
      padded_[i] = std::max(in[i] + padsBegin[i], reach);
    }
    padsBegin_ = padsBegin;
    in_ = in;
    Shape pStride(k, 1);
    for (size_t i = k - 1; i-- > 0;)
      pStride[i] = pStride[i + 1] * padded_[i + 1];
    output_ = output;
    strides_ = strides;
    channelSize_ = numElements(padded_);
    windowEnd_ = 1;
    for (size_t i = 0; i < k; ++i)
      windowEnd_ += (kernel[i] - 1) * dilations[i] * pStride[i];

    // Row (c, t1..tk) of col reads at c * channelSize + sum t_i * d_i *
    // pStride_i from its window's origin; output position (o1..ok) has its
    // origin at sum o_i * s_i * pStride_i.
    Shape rowShape = {cg_}, rowSteps = {channelSize_}, columnSteps;
    for (size_t i = 0; i < k; ++i) {
      rowShape.push_back(kernel[i]);
      rowSteps.push_back(dilations[i] * pStride[i]);
      columnSteps.push_back(strides[i] * pStride[i]);
    }
    rowOffset_ = offsetsOf(rowShape, rowSteps);
    columnOffset_ = offsetsOf(output, columnSteps);
    step_ = strides.back();
  }

  /// Runs the convolution with the weights `w` of weightShape (any view).
  void run(const Tensor &w) {
    if (out_.size() == 0)
      return;
    // The weights are the GEMM's A as they are when each row's C/G * K
    // values are contiguous (the micro-kernel reads its MR rows in place),
    // else a contiguous copy.
    Tensor weights = w;
    int64_t expected = 1;
    for (int64_t d = w.rank() - 1; d >= 1; --d) {
      if (w.shape()[d] != 1 && w.strides()[d] != expected)
        weights = w.contiguous();
      expected *= w.shape()[d];
    }
    weights_ = static_cast<const T *>(weights.rawData());
    weightStride_ = weights.strides()[0];
    if (depth_ == 0)
      return biasOnly();
    if (cg_ == 1 && mg_ == 1)
      return runDepthwise();
    Scratch padded;
    padInput(padded);

    // Tiles: on one thread, column chunks of kMaxChunkPanels panels and all
    // the rows of a group (its B chunk is packed once; the weights' rows,
    // read in place, stream from L2). On several, 2 tiles per thread (one
    // per chunk parallel_for hands out) of sizes that differ by at most a
    // panel: columns are split first, as their packing is not repeated, then
    // rows. (4 per thread took resnet18 18.6 ms on 2 threads, 2 per thread
    // 17.7: each split repeats the weights' reads or the packing.)
    int64_t threads = get_num_threads();
    int64_t panels = (positions_ + NR - 1) / NR;
    columnChunks_ = (panels + kMaxChunkPanels - 1) / kMaxChunkPanels;
    rowBlocks_ = 1;
    int64_t pairs = n_ * groups_;
    if (threads > 1 && pairs < 2 * threads) {
      int64_t perPair = (2 * threads + pairs - 1) / pairs;
      columnChunks_ = std::min(panels, perPair);
      rowBlocks_ =
          std::min(mPanels_, (perPair + columnChunks_ - 1) / columnChunks_);
    }
    panels_ = panels;
    int64_t count = pairs * columnChunks_ * rowBlocks_;
    // A product too small to share runs on the calling thread.
    if (threads == 1 || n_ * groups_ * mg_ * positions_ * depth_ < (1 << 15)) {
      for (int64_t tile = 0; tile < count; ++tile)
        runTile(tile);
      return;
    }
    parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
      for (int64_t tile = begin; tile < end; ++tile)
        runTile(tile);
    });
  }

  /// Runs the convolution (one group) with weights packed by
  /// packConvWeights, [M / W, C * K, W] contiguous: the GEMM the other way
  /// round,
  ///
  ///   out^T[P, M] = col^T[P, C * K] * w^T[C * K, M],
  ///
  /// kRows output positions by NR output channels per micro-kernel call (7
  /// by 32 with AVX-512, as resnet's position counts are multiples of 7; MR
  /// by NR otherwise). The packed weights are B's panels as they are, and A
  /// is read from the (padded) input through the taps' offsets
  /// (microKernelGather): nothing is packed at run time. A tile of positions by
  /// channels accumulates in a buffer that stays in L2, transposed into the
  /// result by the epilogue. As M, not P, is split into panels of NR, P need
  /// not fill them: resnet18's layer4 has P = 49, which the other way round ran
  /// as 64 columns.
  void runPacked(const Tensor &packed) {
    if (out_.size() == 0)
      return;
    weights_ = static_cast<const T *>(packed.rawData());
    if (depth_ == 0)
      return biasOnly();
    // Tiles of (image, block of positions, chunk of channel panels). A
    // block's buffer of positions x channels is at most kPackedBlock
    // elements; on several threads, at least 2 tiles per thread, in a
    // multiple of the thread count: channels are split first (each tile
    // then reads only its chunk of the weights), then positions.
    int64_t threads = get_num_threads();
    int64_t channelPanels = m_ / kPanelWidth;
    positionPanels_ = (positions_ + kRows - 1) / kRows;
    positionBlocks_ = std::min(
        positionPanels_, (positions_ * m_ + kPackedBlock - 1) / kPackedBlock);
    channelChunks_ = 1;
    if (threads > 1) {
      int64_t target = 2 * threads;
      if (n_ * positionBlocks_ < target)
        channelChunks_ =
            std::min(channelPanels, (target + n_ * positionBlocks_ - 1) /
                                        (n_ * positionBlocks_));
      int64_t tiles = n_ * positionBlocks_ * channelChunks_;
      int64_t wanted =
          std::max(target, (tiles + threads - 1) / threads * threads);
      positionBlocks_ =
          std::min(positionPanels_,
                   (wanted + n_ * channelChunks_ - 1) / (n_ * channelChunks_));
    }
    int64_t count = n_ * positionBlocks_ * channelChunks_;
    // Each thread runs a fixed range of the tiles, consecutive in (image,
    // block, chunk) order, on its own padded copy of the part of the input
    // they read, kept between calls: the copy is written and read by one
    // core, and, when consecutive convolutions of a model split their
    // positions alike, the input is mostly what that core wrote in the last
    // one (docs/design.md: the cores of the machine this was measured on
    // share no cache, and a store to a line another core holds waits for
    // it).
    int parts = threads == 1 || m_ * positions_ * depth_ < (1 << 15)
                    ? 1
                    : static_cast<int>(std::min<int64_t>(threads, count));
    bool inPlace = x_.is_contiguous() && padded_ == in_;
    if (!inPlace)
      findLineSources();
    auto runPart = [&](int part) {
      int64_t first = part * count / parts, last = (part + 1) * count / parts;
      if (first == last)
        return;
      const T *input = static_cast<const T *>(x_.rawData());
      int64_t firstImage = 0;
      Scratch large;
      if (!inPlace) {
        // The padded input of the images the tiles read, the part of each
        // between the first window's origin and the last window's end.
        int64_t from = tileStart(first), to = tileStart(last - 1, true);
        firstImage = from / positions_;
        int64_t images = (to - 1) / positions_ - firstImage + 1;
        size_t bytes =
            sizeof(T) * static_cast<size_t>(images * c_ * channelSize_);
        T *padded;
        if (bytes <= kKeptPaddedBytes) {
          padded = static_cast<T *>(paddedPart.get(bytes));
        } else {
          large.get(bytes);
          padded = static_cast<T *>(large.data);
        }
        padWindows(from, to, firstImage, padded);
        input = padded;
      }
      for (int64_t tile = first; tile < last; ++tile)
        runPackedTile(tile, input, firstImage);
    };
    if (parts == 1)
      runPart(0);
    else
      parallel_for_each_thread(parts, runPart);
  }

private:
  /// No input channels: the bias alone, then the epilogue.
  void biasOnly() {
    T *result = static_cast<T *>(out_.rawData());
    for (int64_t i = 0; i < n_ * m_; ++i) {
      T *line = result + i * positions_;
      std::fill(line, line + positions_, bias_.empty() ? T(0) : bias_[i % m_]);
      finish(line, 0, positions_);
    }
  }

  /// Whether the input is read as it is: contiguous and not padded.
  bool inputInPlace() const { return x_.is_contiguous() && padded_ == in_; }

  /// Points input_ at the padded input, copied into `padded` unless the
  /// input can be read as it is.
  void padInput(Scratch &padded) {
    if (inputInPlace()) {
      input_ = static_cast<const T *>(x_.rawData());
      return;
    }
    padded.get(sizeof(T) * static_cast<size_t>(n_ * c_ * channelSize_));
    T *to = static_cast<T *>(padded.data);
    findLineSources();
    parallel_for(0, n_ * c_, 1, [&](int64_t begin, int64_t end) {
      for (int64_t item = begin; item < end; ++item)
        padChannelRange(item, 0, channelSize_, to + item * channelSize_);
    });
    input_ = to;
  }

  /// Depthwise (one input and one output channel per group): no GEMM, each
  /// channel's taps are added up along lines of the output. A channel that
  /// needs padding is padded by the thread that computes it, just before,
  /// into a buffer of its own that is still in its cache when the taps
  /// read it. (Padding every channel first, into one buffer, wrote the
  /// padded input to memory and read it back: in MobileNetV2 on one
  /// thread, 17% of the time went to the padding, its memcpy and memset.)
  void runDepthwise() {
    bool inPlace = inputInPlace();
    if (!inPlace)
      findLineSources();
    // Slack past a padded channel's end lets tapLines compute a line's last
    // block whole.
    int64_t slack = kTapBlock * strides_.back();
    int64_t grain = std::max<int64_t>(
        1, (int64_t(1) << 14) / std::max<int64_t>(positions_ * depth_, 1));
    parallel_for(0, n_ * c_, grain, [&](int64_t begin, int64_t end) {
      T *channel = nullptr;
      if (!inPlace) {
        channel = static_cast<T *>(
            paddedPart.get(sizeof(T) * size_t(channelSize_ + slack)));
        std::fill(channel + channelSize_, channel + channelSize_ + slack, T(0));
      }
      for (int64_t item = begin; item < end; ++item) {
        if (inPlace) {
          depthwiseChannel(
              item, static_cast<const T *>(x_.rawData()) + item * channelSize_,
              /*overRead=*/false);
          continue;
        }
        padChannelRange(item, 0, channelSize_, channel);
        depthwiseChannel(item, channel, /*overRead=*/true);
      }
    });
  }

  /// Fills lineSource_: where each line of a padded channel comes from in
  /// the input's channel (kPaddingLine: a line of padding only).
  void findLineSources() {
    size_t k = in_.size();
    int64_t lines = channelSize_ / padded_.back();
    lineSource_.assign(static_cast<size_t>(lines), kPaddingLine);
    for (int64_t line = 0; line < lines && in_.back() > 0; ++line) {
      int64_t rest = line, from = 0;
      bool interior = true;
      for (size_t i = k - 1; interior && i-- > 0;) {
        int64_t at = rest % padded_[i] - padsBegin_[i];
        rest /= padded_[i];
        interior = at >= 0 && at < in_[i];
        from += at * x_.strides()[i + 2];
      }
      if (interior)
        lineSource_[line] = from;
    }
  }

  /// The first flat position (image * P + position) that runPacked's tile
  /// `tile` computes, or with `end` one past its last.
  int64_t tileStart(int64_t tile, bool end = false) const {
    int64_t rest = tile / channelChunks_;
    int64_t block = rest % positionBlocks_ + (end ? 1 : 0);
    int64_t image = rest / positionBlocks_;
    return image * positions_ +
           std::min(positions_,
                    block * positionPanels_ / positionBlocks_ * kRows);
  }

  /// Writes, into `padded` (the padded input from image firstImage on), the
  /// part of every channel that the windows of flat positions [from, to)
  /// read: from the first window's origin to the last window's end.
  void padWindows(int64_t from, int64_t to, int64_t firstImage,
                  T *padded) const {
    for (int64_t image = from / positions_; image * positions_ < to; ++image) {
      int64_t a = std::max<int64_t>(from - image * positions_, 0);
      int64_t b = std::min(to - image * positions_, positions_);
      int64_t lo = columnOffset_[a];
      int64_t hi = std::min(channelSize_, columnOffset_[b - 1] + windowEnd_);
      for (int64_t channel = 0; channel < c_; ++channel)
        padChannelRange(image * c_ + channel, lo, hi,
                        padded + ((image - firstImage) * c_ + channel) *
                                     channelSize_);
    }
  }

  /// Computes one tile of runPacked: output positions of one block by
  /// output channels of one chunk of panels, of one image, accumulated over
  /// the depth in KC blocks (as the other orientation does, so the sums
  /// are the same) in the thread's buffer, then transposed into the result
  /// with the epilogue.
  void runPackedTile(int64_t tile, const T *input, int64_t firstImage) const {
    int64_t chunk = tile % channelChunks_, rest = tile / channelChunks_;
    int64_t image = rest / positionBlocks_;
    int64_t channelPanels = m_ / kPanelWidth;
    int64_t q0 = chunk * channelPanels / channelChunks_,
            q1 = (chunk + 1) * channelPanels / channelChunks_;
    int64_t p0 = tileStart(tile) - image * positions_,
            p1 = tileStart(tile, true) - image * positions_;
    if (q0 == q1 || p0 >= p1)
      return;
    int64_t width = (q1 - q0) * kPanelWidth;
    T *sums = static_cast<T *>(
        chunkBuffer.get(sizeof(T) * static_cast<size_t>((p1 - p0) * width)));
    const T *base = input + (image - firstImage) * c_ * channelSize_;
    // The weights' panels are read in the order they are stored, each by
    // all the positions' micro-kernel calls in turn. The first call would
    // wait for memory (a large conv's weights are not in any cache), so the
    // calls of a panel prefetch the next panel into L2, a slice of lines
    // each, one line per step of their depth.
    const char *end =
        reinterpret_cast<const char *>(weights_ + q1 * depth_ * kPanelWidth);
    int64_t calls = (kPanelWidth / NR) * ((p1 - p0 + kRows - 1) / kRows);
    for (int64_t q = q0; q < q1; ++q)
      for (int64_t pc = 0; pc < depth_; pc += KC) {
        int64_t kc = std::min(KC, depth_ - pc);
        const T *panel = weights_ + (q * depth_ + pc) * kPanelWidth;
        const char *next =
            reinterpret_cast<const char *>(panel + kc * kPanelWidth);
        int64_t nextLines =
            std::min<int64_t>(end - next, KC * kPanelWidth * sizeof(T)) / 64;
        int64_t slice = (nextLines + calls - 1) / calls, call = 0;
        for (int64_t sub = 0; sub < kPanelWidth; sub += NR)
          for (int64_t p = p0; p < p1; p += kRows, ++call) {
            int64_t first = std::min(nextLines, call * slice);
            gather_(kc, base, columnOffset_.data() + p, rowOffset_.data() + pc,
                    panel + sub, kPanelWidth,
                    sums + (p - p0) * width + (q - q0) * kPanelWidth + sub,
                    width, std::min<int64_t>(kRows, p1 - p), NR, pc > 0,
                    next + first * 64,
                    std::min(nextLines, first + slice) - first);
          }
      }
    // The epilogue, in the order of the ops it stands for: + bias, then
    // finish's.
    // The sums are transposed a cache line of channels at a time.
    constexpr int64_t lineChannels = 64 / sizeof(T);
    int64_t offset = image * m_ * positions_ + p0;
    for (int64_t m = q0 * kPanelWidth; m < q1 * kPanelWidth; m += lineChannels)
      transposeOut_(sums + (m - q0 * kPanelWidth), width, p1 - p0,
                    bias_.empty() ? nullptr : bias_.data() + m,
                    residual_ ? residual_ + offset + m * positions_ : nullptr,
                    relu_,
                    static_cast<T *>(out_.rawData()) + offset + m * positions_,
                    positions_);
  }

  /// Writes elements [lo, hi) of padded channel `item` (image * C +
  /// channel) at `dst`: the input where the padded grid holds it, zeros
  /// around it, each element once (findLineSources first).
  void padChannelRange(int64_t item, int64_t lo, int64_t hi, T *dst) const {
    int64_t image = item / c_, channel = item % c_;
    size_t k = in_.size();
    const T *src = static_cast<const T *>(x_.rawData()) +
                   image * x_.strides()[0] + channel * x_.strides()[1];
    int64_t width = padded_.back(), inner = in_.back();
    int64_t begin = padsBegin_.back(), innerStride = x_.strides()[k + 1];
    for (int64_t line = lo / width; line * width < hi; ++line) {
      T *d = dst + line * width;
      int64_t j0 = std::max<int64_t>(lo - line * width, 0);
      int64_t j1 = std::min(hi - line * width, width);
      int64_t from = lineSource_[line];
      if (from == kPaddingLine) {
        std::fill(d + j0, d + j1, T(0));
        continue;
      }
      int64_t c0 = std::clamp(begin, j0, j1);
      int64_t c1 = std::clamp(begin + inner, j0, j1);
      for (int64_t j = j0; j < c0; ++j)
        d[j] = T(0);
      if (c0 < c1) {
        const T *s = src + from + (c0 - begin) * innerStride;
        if (innerStride == 1)
          std::memcpy(d + c0, s, sizeof(T) * static_cast<size_t>(c1 - c0));
        else
          for (int64_t j = c0; j < c1; ++j)
            d[j] = s[(j - c0) * innerStride];
      }
      for (int64_t j = c1; j < j1; ++j)
        d[j] = T(0);
    }
  }

  /// Packs rows [pc, pc + kc) of col's columns [j0, j1) of the channels at
  /// `base` as panels of NR columns, [kc][NR] each, zero past j1.
  void packColumns(const T *base, int64_t pc, int64_t kc, int64_t j0,
                   int64_t j1, T *out) const {
    for (int64_t jr = j0; jr < j1; jr += NR) {
      int64_t nr = std::min<int64_t>(NR, j1 - jr);
      Run runs[NR];
      int64_t count = 0;
      for (int64_t j = 0; j < nr;) {
        int64_t offset = columnOffset_[jr + j], length = 1;
        while (j + length < nr &&
               columnOffset_[jr + j + length] == offset + length * step_)
          ++length;
        runs[count++] = {j, length, offset};
        j += length;
      }
      pack_(base, rowOffset_.data() + pc, kc, runs, count, step_, nr,
            out + (jr - j0) * kc);
    }
  }

  /// Computes channel `item` (image * C + channel) of a depthwise
  /// convolution from its padded input `in`: each line of the output starts
  /// at the bias and gets the taps in order (rowOffset holds their offsets
  /// in the padded channel), kTapRows lines at a time, then the epilogue.
  /// With `overRead`, `in` has kTapBlock * stride elements of slack past
  /// its end, and tapLines compute a line's last block whole.
  void depthwiseChannel(int64_t item, const T *in, bool overRead) const {
    int64_t channel = item % c_;
    const T *w = weights_ + channel * weightStride_;
    T *out = static_cast<T *>(out_.rawData()) + item * positions_;
    int64_t width = output_.back();
    T start = bias_.empty() ? T(0) : bias_[channel];
    for (int64_t first = 0; first < positions_; first += kTapRows * width) {
      int64_t rows = std::min(kTapRows, (positions_ - first) / width);
      T *lines[kTapRows];
      const T *windows[kTapRows];
      for (int64_t r = 0; r < rows; ++r) {
        lines[r] = out + first + r * width;
        windows[r] = in + columnOffset_[first + r * width];
        std::fill(lines[r], lines[r] + width, start);
      }
      tapLines_(lines, windows, rows, rowOffset_.data(), w, depth_, width,
                strides_.back(), overRead);
      for (int64_t r = 0; r < rows; ++r)
        finish(lines[r], 0, width);
    }
  }

  /// The epilogue after the bias, on line[begin, end) of the result: +
  /// residual, relu (as eager mode's: v <= 0 gives +0, NaN stays).
  void finish(T *line, int64_t begin, int64_t end) const {
    if (residual_) {
      const T *r = residual_ + (line - static_cast<T *>(out_.rawData()));
      for (int64_t j = begin; j < end; ++j)
        line[j] += r[j];
    }
    if (relu_)
      for (int64_t j = begin; j < end; ++j)
        line[j] = line[j] <= T(0) ? T(0) : line[j];
  }

  /// Computes one tile of the result: rows of one row block and columns of
  /// one column chunk of one image and group, then adds the bias to it.
  void runTile(int64_t tile) const {
    int64_t chunk = tile % columnChunks_, rest = tile / columnChunks_;
    int64_t block = rest % rowBlocks_, pair = rest / rowBlocks_;
    int64_t image = pair / groups_, group = pair % groups_;
    int64_t j0 = chunk * panels_ / columnChunks_ * NR,
            j1 = std::min(positions_,
                          (chunk + 1) * panels_ / columnChunks_ * NR);
    int64_t p0 = block * mPanels_ / rowBlocks_,
            p1 = (block + 1) * mPanels_ / rowBlocks_;
    const T *base = input_ + (image * c_ + group * cg_) * channelSize_;
    T *result = static_cast<T *>(out_.rawData()) +
                (image * m_ + group * mg_) * positions_;
    int64_t width = (j1 - j0 + NR - 1) / NR * NR;
    T *packed = static_cast<T *>(
        chunkBuffer.get(sizeof(T) * size_t(std::min(KC, depth_) * width)));
    for (int64_t pc = 0; pc < depth_; pc += KC) {
      int64_t kc = std::min(KC, depth_ - pc);
      packColumns(base, pc, kc, j0, j1, packed);
      for (int64_t jr = j0; jr < j1; jr += NR)
        for (int64_t panel = p0; panel < p1; ++panel)
          micro_(kc, weights_ + (group * mg_ + panel * MR) * weightStride_ + pc,
                 weightStride_, packed + (jr - j0) * kc,
                 result + panel * MR * positions_ + jr, positions_,
                 std::min(MR, mg_ - panel * MR), std::min<int64_t>(NR, j1 - jr),
                 pc > 0);
    }
    // The epilogue, in the order of the ops it stands for: + bias, then
    // finish's.
    if (bias_.empty() && !residual_ && !relu_)
      return;
    int64_t rowEnd = std::min(mg_, p1 * MR);
    for (int64_t row = p0 * MR; row < rowEnd; ++row) {
      T *line = result + row * positions_;
      if (!bias_.empty()) {
        T value = bias_[group * mg_ + row];
        for (int64_t j = j0; j < j1; ++j)
          line[j] += value;
      }
      finish(line, j0, j1);
    }
  }

  /// The panel width of packed weights, and the largest buffer of sums of
  /// a runPacked tile (positions x channels; 128 KiB of float32).
  static constexpr int64_t kPanelWidth = 128 / sizeof(T);
  static constexpr int64_t kPackedBlock = 32768;
  static constexpr int64_t kPaddingLine = std::numeric_limits<int64_t>::min();
  /// Padded parts up to this size stay allocated per thread between calls.
  static constexpr size_t kKeptPaddedBytes = size_t(4) << 20;
  /// Output positions per gather micro-kernel call.
  static constexpr int64_t kRows = gatherRows<T, NR>();

  MicroRowsFn<T> micro_;
  MicroGatherFn<T> gather_;
  PackPanelFn<T> pack_ = isaVariant<T, NR>(
      &packPanelAvx512<T, NR>, &packPanelAvx2<T, NR>, &packPanelBase<T, NR>);
  TransposeOutFn<T> transposeOut_ = hostVectorIsa() == VectorIsa::Avx512
                                        ? &transposeOutAvx512<T>
                                        : &transposeOutBase<T>;
  TapLinesFn<T> tapLines_ =
      isaVariant<T, NR>(&tapLinesAvx512<T>, &tapLinesAvx2<T>, &tapLinesBase<T>);
  const Tensor &x_;
  std::vector<T> bias_;
  Tensor &out_;
  int64_t groups_, n_ = 0, c_ = 0, m_ = 0, cg_ = 0, mg_ = 0;
  int64_t positions_ = 0, depth_ = 0, mPanels_ = 0, channelSize_ = 0;
  /// One past the offset of a window's last tap from its origin.
  int64_t windowEnd_ = 1;
  int64_t step_ = 1;
  Shape in_, padded_, output_;
  std::vector<int64_t> strides_;
  std::vector<int64_t> padsBegin_, rowOffset_, columnOffset_, lineSource_;
  const T *input_ = nullptr, *weights_ = nullptr;
  int64_t weightStride_ = 0;
  Tensor residualTensor_;
  const T *residual_ = nullptr;
  bool relu_ = false;
  int64_t panels_ = 0, columnChunks_ = 1, rowBlocks_ = 1;
  int64_t positionPanels_ = 0, positionBlocks_ = 1, channelChunks_ = 1;
};

} // namespace

void detail::convInto(const Tensor &x, const Tensor &w, const Tensor *bias,
                      const Tensor *residual, bool relu,
                      const std::vector<int64_t> &strides,
                      const std::vector<int64_t> &padsBegin,
                      const std::vector<int64_t> &dilations, int64_t groups,
                      Tensor &out) {
  auto run = [&](auto tag) {
    using T = decltype(tag);
    withBestMicroKernels<T>([&](const MicroKernels<T> &kernels, auto nr) {
      ImplicitGemm<T, decltype(nr)::value>(kernels, x, w.shape(), bias,
                                           residual, relu, strides, padsBegin,
                                           dilations, groups, out)
          .run(w);
    });
  };
  if (out.dtype() == DType::F64)
    run(double());
  else
    run(float());
}

void detail::convPackedInto(const Tensor &x, const Tensor &packed,
                            const Shape &weightShape, const Tensor *bias,
                            const Tensor *residual, bool relu,
                            const std::vector<int64_t> &strides,
                            const std::vector<int64_t> &padsBegin,
                            const std::vector<int64_t> &dilations,
                            Tensor &out) {
  int64_t width = convPanelWidth(out.dtype());
  int64_t depth =
      numElements(weightShape) / std::max<int64_t>(weightShape[0], 1);
  if (weightShape.size() < 3 || weightShape[0] % width != 0 ||
      weightShape[1] != x.shape()[1] || packed.size() != weightShape[0] * depth)
    throw Error("conv: packed weights of shape " + formatShape(packed.shape()) +
                " do not hold weights of shape " + formatShape(weightShape) +
                " for input " + formatShape(x.shape()));
  Tensor contiguous = packed.contiguous();
  auto run = [&](auto tag) {
    using T = decltype(tag);
    withBestMicroKernels<T>([&](const MicroKernels<T> &kernels, auto nr) {
      ImplicitGemm<T, decltype(nr)::value>(kernels, x, weightShape, bias,
                                           residual, relu, strides, padsBegin,
                                           dilations, 1, out)
          .runPacked(contiguous);
    });
  };
  if (out.dtype() == DType::F64)
    run(double());
  else
    run(float());
}

int64_t convPanelWidth(DType dtype) {
  return 128 / static_cast<int64_t>(dtypeSize(dtype));
}

Tensor packConvWeights(const Tensor &weights) {
  int64_t width = convPanelWidth(weights.dtype());
  if (weights.rank() < 3 ||
      (weights.dtype() != DType::F32 && weights.dtype() != DType::F64) ||
      weights.shape()[0] % width != 0)
    throw Error("packConvWeights: expects float32 or float64 weights [M, C, "
                "K1..Kk] with M a multiple of " +
                std::to_string(width) + ", got " +
                formatShape(weights.shape()) + " " +
                std::string(dtypeName(weights.dtype())));
  int64_t m = weights.shape()[0];
  int64_t depth = m == 0 ? 0 : weights.size() / m;
  // [M, C * K] viewed as [M / W, C * K, W], copied, seen as 2-D.
  Tensor rows = weights.contiguous();
  Tensor panels = makeView(rows, {m / width, depth, width},
                           {width * depth, 1, depth}, rows.offset())
                      .contiguous();
  return makeView(panels, {m / width * depth, width}, {width, 1},
                  panels.offset());
}

} // namespace kiln
