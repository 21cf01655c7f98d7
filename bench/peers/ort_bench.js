// onnxruntime (npm package onnxruntime-node, CPU execution provider) on the
// workloads of bench/Models.h, float32, from the ONNX models that
// export_onnx.py writes.
//
// Measures, at one thread count (intraOpNumThreads; interOpNumThreads 1,
// sequential execution, graph optimization level "all"), the median wall time
// of session.run() on fixed-seed random inputs that stay the same between
// runs, and prints one machine-readable line per workload:
//
//   RESULT ort <workload> <threads> <median_ms>
//
// The models' weights are initializers, so onnxruntime may prepack them; the
// matmul_MxKxN models take both operands as inputs. Each run includes the
// binding's per-call cost (tens of microseconds), visible on the smallest
// matmul only.
//
// scripts/bench.sh runs it; by hand:
//
//   NODE_PATH=build/bench-peers/node_modules node bench/peers/ort_bench.js \
//       --onnx-dir build/bench-peers/onnx --threads 1 --reps 11 \
//       [--workloads MLP,ENC,...]

'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const args = { threads: 1, reps: 11, workloads: '', onnxDir: '' };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (!(key in args)) throw new Error(`unknown option ${argv[i]}`);
    args[key] = typeof args[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return args;
}

// Normally distributed floats from a fixed seed (xorshift32 + Box-Muller).
function randomNormal(count, seed) {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state + 1) / 4294967297; // in (0, 1)
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; ++i)
    out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

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
  const manifest = JSON.parse(fs.readFileSync(path.join(args.onnxDir, 'manifest.json'), 'utf8'));
  const version = require('onnxruntime-node/package.json').version;
  console.log(`INFO ort version=${version}`);
  const workloads = args.workloads ? args.workloads.split(',') : Object.keys(manifest);

  for (const workload of workloads) {
    const file = path.join(args.onnxDir, `${workload}.onnx`);
    if (!manifest[workload] || !fs.existsSync(file)) {
      console.log(`INFO ort no model for ${workload}`);
      continue;
    }
    const session = await ort.InferenceSession.create(file, {
      intraOpNumThreads: args.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const feeds = {};
    manifest[workload].forEach(([name, shape], i) => {
      const count = shape.reduce((a, b) => a * b, 1);
      feeds[name] = new ort.Tensor('float32', randomNormal(count, 1 + i), shape);
    });
    const ms = await medianMs(() => session.run(feeds), args.reps);
    console.log(`RESULT ort ${workload} ${args.threads} ${ms.toFixed(4)}`);
    await session.release();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
