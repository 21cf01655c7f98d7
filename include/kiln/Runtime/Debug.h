//===- Debug.h - Printing and checking values, in every mode ---*- C++ -*-===//
//
// The tools that make a compiled graph as easy to debug as eager code
// (docs/debugging.md):
//
//  * `kiln::print(x, "label")` prints a tensor's value. Eagerly it prints at
//    once; inside a traced function it becomes a `kiln.print` op, and the
//    *compiled* code prints on every call, as tf.print and jax.debug.print
//    do. Every line goes to the print handler.
//  * `kiln::set_check_numerics(true)` makes every floating-point result be
//    checked for NaN and Inf; the first op that produces one throws
//    kiln::Error naming the op, its call site, the shape and the count.
//
// Shadow checking, which compares compiled code with the graph interpreter,
// needs the compiler and is declared in kiln/Function.h.
//
// This header is part of the MLIR-free runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_DEBUG_H
#define KILN_RUNTIME_DEBUG_H

#include "kiln/Runtime/Tensor.h"

#include <cstdint>
#include <functional>
#include <source_location>
#include <string>
#include <string_view>

namespace kiln {

/// Prints one line: the label, the call site and the value as `operator<<`
/// prints tensors,
///
///   h (rnn.cpp:21): kiln.Tensor([0.5 0.25], shape=(2,), dtype=float32)
///
/// Eagerly it prints at once. Inside a traced function it is recorded as a
/// `kiln.print` op that prints each time the compiled code (or the
/// interpreter) runs it: once per call, once per iteration inside a loop.
/// It keeps the printed value in memory but does not stop the ops around it
/// from fusing, and is never removed as dead code.
void print(const Tensor &x, std::string_view label = "",
           std::source_location loc = std::source_location::current());

/// Where printed lines go: `handler` is called once per line (without a
/// newline), from the thread that runs the print. Standard output by
/// default; `nullptr` restores the default. A handler that throws makes the
/// call that printed throw kiln::Error with its message.
void set_print_handler(std::function<void(const std::string &)> handler);

/// When true, every floating-point result of an eager op, and every result
/// of a compiled call, is checked for NaN and Inf. The first op that
/// produces one throws kiln::Error:
///
///   check_numerics: log produced 1 NaN (of 4 elements, (4) float32) at
///   main.cpp:12
///
/// A compiled call checks its results; if one holds a NaN or an Inf, the
/// call runs again op by op on the graph interpreter to find the op that
/// made it (docs/debugging.md says why). Off by default, or on with the
/// environment variable KILN_CHECK_NUMERICS=1; off, it costs nothing. Takes
/// effect for the calls made after it is set, including calls of Functions
/// traced before.
void set_check_numerics(bool enabled);
bool checks_numerics();

namespace detail {

/// How many elements of a tensor are NaN and how many are infinite.
struct NonFinite {
  int64_t nan = 0;
  int64_t inf = 0;
  bool any() const { return nan || inf; }
};

/// Counts the NaN and infinite elements of `t` (zero for integer and bool
/// tensors).
NonFinite countNonFinite(const Tensor &t);

/// Throws the kiln::Error of check_numerics if `t` holds a NaN or an Inf,
/// naming `op` and `where` (a call site or a graph location).
void checkNumerics(const Tensor &t, std::string_view op,
                   std::string_view where);

/// "file:line" of a call site.
std::string formatCallSite(const std::source_location &loc);

/// "label (where)", or "(where)" without a label: what a printed line
/// starts with. Compiled code gets it as a constant (kiln-to-linalg).
std::string printPrefix(std::string_view label, std::string_view where);

/// The line `kiln::print` prints for `x` printed at `where`: the prefix, ": "
/// and the value.
std::string printLine(const Tensor &x, std::string_view label,
                      std::string_view where);

/// Sends `line` to the print handler (unless prints are muted on this
/// thread); a handler's exception becomes a kiln::Error.
void emitPrint(const std::string &line);

/// Mutes prints on this thread for its lifetime: the op-by-op rerun of
/// check_numerics and shadow checking does not print a second time.
class MutePrints {
public:
  MutePrints();
  ~MutePrints();
  MutePrints(const MutePrints &) = delete;
  MutePrints &operator=(const MutePrints &) = delete;

private:
  bool saved_;
};

/// Turns off the eager ops' own numerics check on this thread for its
/// lifetime: the graph interpreter checks each op's results itself, naming
/// the op's location in the graph.
class EagerNumericsChecksOff {
public:
  EagerNumericsChecksOff();
  ~EagerNumericsChecksOff();
  EagerNumericsChecksOff(const EagerNumericsChecksOff &) = delete;
  EagerNumericsChecksOff &operator=(const EagerNumericsChecksOff &) = delete;

private:
  bool saved_;
};

/// Whether the eager ops check numerics on this thread now.
bool eagerNumericsChecksOn();

} // namespace detail

} // namespace kiln

#endif // KILN_RUNTIME_DEBUG_H
