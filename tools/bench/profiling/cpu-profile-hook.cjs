// CPU profiles of a benchmark's phases, in every process the benchmark starts:
//   NODE_OPTIONS="--require ./tools/bench/profiling/cpu-profile-hook.cjs" BENCH_PROFILE=1 npm run bench:ring
// (--cpu-prof is not allowed in NODE_OPTIONS). Each SIGUSR2 toggles profiling: the first starts
// it, the next writes <dir>/<program>-<pid>-<n>.cpuprofile. The benchmarks send SIGUSR2 to the
// peer processes around each measured series when BENCH_PROFILE=1. Without it, nothing happens
// until a SIGUSR2 arrives. Summarize with tools/bench/profiling/summarize.cjs.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.PROF_DIR || path.join(require('node:os').tmpdir(), 'p2psip-profiles');
const session = new inspector.Session();
session.connect();
let running = false;
let written = 0;

process.on('SIGUSR2', () => {
  if (!running) {
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 200 });
    session.post('Profiler.start');
    running = true;
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error || !result) return;
    fs.mkdirSync(dir, { recursive: true });
    const program = path.basename(process.argv[1] || 'node').replace(/[^\w.-]/g, '');
    const file = path.join(dir, `${program}-${process.pid}-${++written}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(result.profile));
  });
});
