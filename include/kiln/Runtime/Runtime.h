//===- Runtime.h - Umbrella header of the eager runtime ---------*- C++ -*-===//
//
// Everything an eager host needs: tensors, factories, printing, every op, the
// thread pool, and the shape and dtype rules. MLIR-free.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_RUNTIME_H
#define KILN_RUNTIME_RUNTIME_H

#include "kiln/Runtime/Control.h"
#include "kiln/Runtime/DType.h"
#include "kiln/Runtime/Debug.h"
#include "kiln/Runtime/Error.h"
#include "kiln/Runtime/Float16.h"
#include "kiln/Runtime/Ops.h"
#include "kiln/Runtime/Optim.h"
#include "kiln/Runtime/Shape.h"
#include "kiln/Runtime/Tensor.h"
#include "kiln/Runtime/ThreadPool.h"

#endif // KILN_RUNTIME_RUNTIME_H
