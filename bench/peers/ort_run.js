// onnxruntime (npm package onnxruntime-node, CPU execution provider) on one
// ONNX model and given .npy inputs: writes its outputs and times it.
//
// The session runs at one thread count (intraOpNumThreads; interOpNumThreads
// 1, sequential execution, graph optimization level "all"). The inputs are
// fed in the model's input order; output i (in the model's output order) is
// written as <output-dir>/out<i>.npy, as `kilnc run --output-dir` names them.
// Then, after 3 warm-up runs, --reps runs of session.run() on the same inputs
// are timed, and one machine-readable line is printed:
//
//   RESULT ort <name> <threads> <median_ms>
//
// .npy files are read and written here (format 1.0 to 3.0, C order,
// little-endian): float32, float64, int32, int64, uint8, int8 and bool.
//
// scripts/onnx-models.sh runs it; by hand:
//
//   NODE_PATH=build/bench-peers/node_modules node bench/peers/ort_run.js \
//       --model build/bench-peers/models/resnet18.onnx \
//       --inputs build/bench-peers/models/resnet18.x.npy \
//       [--output-dir DIR] [--threads 1] [--reps 11] [--name resnet18]
//
// --inputs takes a comma-separated list; --reps 0 skips the timing.

'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const args = { model: '', inputs: '', outputDir: '', threads: 1, reps: 11, name: '' };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (!(key in args) || i + 1 >= argv.length) throw new Error(`bad option ${argv[i]}`);
    args[key] = typeof args[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!args.model) throw new Error('--model is required');
  if (!args.name) args.name = path.basename(args.model, '.onnx');
  return args;
}

//===--- .npy --------------------------------------------------------------===//

// descr (without the byte-order character) <-> ort tensor type and array.
const NPY_TYPES = [
  ['f4', 'float32', Float32Array],
  ['f8', 'float64', Float64Array],
  ['i4', 'int32', Int32Array],
  ['i8', 'int64', BigInt64Array],
  ['u1', 'uint8', Uint8Array],
  ['i1', 'int8', Int8Array],
  ['b1', 'bool', Uint8Array],
];

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', start - headerLen, start);
  const descr = /'descr':\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new Error(`${file}: bad .npy header ${header}`);
  if (fortran[1] === 'True') throw new Error(`${file}: Fortran order is not supported`);
  const order = descr[1][0];
  const entry = NPY_TYPES.find(([d]) => d === descr[1].slice(1));
  if (!entry || order === '>') throw new Error(`${file}: dtype ${descr[1]} is not supported`);
  const [, type, Array] = entry;
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  // Copy, so that the data is aligned for the typed array.
  const bytes = buf.subarray(start, start + count * Array.BYTES_PER_ELEMENT);
  const data = new Array(count);
  new Uint8Array(data.buffer).set(bytes);
  return new ort.Tensor(type, type === 'bool' ? Uint8Array.from(data, (v) => v !== 0) : data, dims);
}

function writeNpy(file, tensor) {
  const entry = NPY_TYPES.find(([, t]) => t === tensor.type);
  if (!entry) throw new Error(`${file}: output type ${tensor.type} is not supported`);
  const [descr, , Array] = entry;
  const dims = tensor.dims.map(Number);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr === 'b1' ? '|' : '<'}${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // The magic, version, length and header together end on a 64-byte boundary.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const values = tensor.type === 'bool' ? Uint8Array.from(tensor.data, (v) => (v ? 1 : 0)) : tensor.data;
  const data = values instanceof Array ? values : Array.from(values);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

//===--- Run --------------------------------------------------------------===//

async function medianMs(fn, reps, warmup = 3) {
  for (let i = 0; i < warmup; ++i) await fn();
  const times = [];
  for (let i = 0; i < reps; ++i) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main() {
  const args = parseArgs(process.argv);
  console.log(`INFO ort version=${require('onnxruntime-node/package.json').version}`);
  const session = await ort.InferenceSession.create(args.model, {
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const files = args.inputs ? args.inputs.split(',') : [];
  if (files.length !== session.inputNames.length) {
    throw new Error(`${args.model} takes ${session.inputNames.length} inputs ` +
      `(${session.inputNames.join(', ')}), got ${files.length}`);
  }
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpy(files[i]); });

  if (args.outputDir) {
    const results = await session.run(feeds);
    fs.mkdirSync(args.outputDir, { recursive: true });
    session.outputNames.forEach((name, i) => {
      writeNpy(path.join(args.outputDir, `out${i}.npy`), results[name]);
    });
  }
  if (args.reps > 0) {
    const ms = await medianMs(() => session.run(feeds), args.reps);
    console.log(`RESULT ort ${args.name} ${args.threads} ${ms.toFixed(4)}`);
  }
  await session.release();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
