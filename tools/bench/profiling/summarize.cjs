// Self time per function and per file of a .cpuprofile (tools/bench/profiling/cpu-profile-hook.cjs),
// then total time (the function and what it called, each sample counted once per function):
//   node tools/bench/profiling/summarize.cjs <file.cpuprofile> [rows]
const fs = require('node:fs');

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: summarize.cjs <file.cpuprofile> [rows]');
  process.exit(2);
}
const rows = Number(rowsArg ?? 40);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  totalUs += dt;
});
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
const functionOf = (id) => {
  const frame = nodes.get(id).callFrame;
  const where = frame.url.split('/').slice(-2).join('/');
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
};
const byFunction = new Map();
const byFile = new Map();
const total = new Map();
for (const [id, us] of selfUs) {
  const frame = nodes.get(id).callFrame;
  const fn = functionOf(id);
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  const onStack = new Set();
  for (let at = id; at !== undefined; at = parents.get(at)) onStack.add(functionOf(at));
  for (const name of onStack) total.set(name, (total.get(name) ?? 0) + us);
  const f = frame.url.split('/').slice(-3).join('/') || frame.functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const print = (map, n) => {
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${key}`);
};
console.log(`${(totalUs / 1e6).toFixed(1)} s sampled`);
print(byFunction, rows);
console.log('--- by file');
print(byFile, 25);
console.log('--- total (self + callees)');
print(total, rows);
