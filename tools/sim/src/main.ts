import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { type RawOptions, readScenario, toConfig } from './options';
import { ProgressBar, formatDuration } from './progress';
import { renderReport } from './report';
import { runSimulation } from './run';
import { summarize } from './summary';

// `npm run sim -- <options>`: one run of the overlay simulator (see tools/sim/README.md).
const program = new Command('sim')
  .description('Simulates the real overlay and storage core on a virtual network with churn')
  .option('--scenario <file>', 'scenario file (JSON: name, description, options); flags override it')
  .option('--name <name>', 'run name (report title, output folder)')
  .option('--nodes <n>', 'number of nodes', '1000')
  .option('--seed <n>', 'random seed: the same seed gives the same numbers')
  .option('--churn <model>', 'none | exponential | weibull | pareto')
  .option('--session-mean <duration>', 'mean session time (e.g. 10m)')
  .option('--session-median <duration>', 'median session time (e.g. 1.4m)')
  .option('--churn-shape <k>', 'Weibull shape k (default 0.5) or Pareto shape α (default 2)')
  .option('--downtime-mean <duration>', 'mean time until a departed node is replaced (default 0)')
  .option('--leave-fraction <f>', 'share of departures that leave gracefully (default 0)')
  .option('--delay <model>', 'constant | uniform | coordinate (default constant)')
  .option('--delay-min <duration>', 'constant delay, or smallest delay (default 10ms)')
  .option('--delay-max <duration>', 'largest delay for uniform / coordinate (default 100ms)')
  .option('--loss <p>', 'message loss probability (default 0)')
  .option('--failure-detection <duration>', 'time until a crash is noticed on a link (default 1s)')
  .option('--join-rate <per-s>', 'initial joins per virtual second (default max(20, N/300))')
  .option('--warmup <duration>', 'virtual time after the joins before measuring (default 5m)')
  .option('--duration <duration>', 'measured virtual time (default 10m)')
  .option('--lookup-rate <per-s>', 'lookups per virtual second (default 20)')
  .option('--keys <dist>', 'lookup keys: uniform | zipf (default uniform)')
  .option('--key-count <n>', 'zipf: number of keys (default 10000)')
  .option('--zipf-exponent <s>', 'zipf exponent (default 1)')
  .option('--registrations <n>', 'signed values stored at the start of measurement (default 0)')
  .option('--fetch-rate <per-s>', 'fetches of stored values per virtual second (default 5)')
  .option('--sample-interval <duration>', 'routing-table and availability checks (default 1m)')
  .option('--update-interval <duration>', 'overlay Update period (default 60s)')
  .option('--ping-interval <duration>', 'overlay finger refresh period (default 60s)')
  .option('--byte-sample-every <n>', 'encode every n-th message of a type for its size (default 16)')
  .option('--out <dir>', 'output folder (default tools/sim/reports/<scenario> or tmp/sim/<name>)')
  .option('--summarize [dir]', 'rebuild the reports, overview and plots from the result.json files in dir')
  .option('--no-progress', 'no progress bar')
  .option('--no-report', 'JSON result only');

async function main(): Promise<void> {
  program.parse();
  const flags = program.opts<
    RawOptions & {
      scenario?: string;
      out?: string;
      progress: boolean;
      report: boolean;
      summarize?: string | true;
    }
  >();
  if (flags.summarize) {
    const dir = flags.summarize === true ? 'tools/sim/reports' : flags.summarize;
    await summarize(path.resolve(dir), path.resolve('tools/sim/scenarios'));
    process.stdout.write(`summarized ${dir}\n`);
    return;
  }
  const explicit = Object.fromEntries(
    Object.entries(flags).filter(([key]) => program.getOptionValueSource(key) === 'cli'),
  );
  const scenario = flags.scenario ? readScenario(flags.scenario) : undefined;
  const raw: RawOptions = {
    nodes: flags.nodes,
    ...(scenario ? { name: scenario.name, ...scenario.options } : {}),
    ...explicit,
  };
  const config = toConfig(raw);
  const out = path.resolve(
    flags.out ?? (scenario ? path.join('tools/sim/reports', config.name) : path.join('tmp/sim', config.name)),
  );
  const progress = new ProgressBar(process.stderr, flags.progress);
  progress.done(
    `sim ${config.name}: ${config.nodes} nodes, churn ${config.churn}, seed ${config.seed}, ` +
      `warm-up ${formatDuration(config.warmupMs)}, measure ${formatDuration(config.durationMs)}`,
  );
  const result = await runSimulation(config, { onStep: (p) => progress.step(p) });
  progress.done(`done in ${formatDuration(result.performance.wallMs)} wall`);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (flags.report) {
    writeFileSync(path.join(out, 'report.md'), renderReport(result, scenario?.description));
  }
  const m = result.metrics.phases.measure;
  process.stdout.write(
    `${JSON.stringify({
      out: path.relative(process.cwd(), out),
      lookups: { success: m.lookups.successRatio, hops: m.lookups.hops },
      maintenanceBytesPerNodeS: m.maintenance.bytesPerNodeS,
      lost: result.metrics.storage?.lost,
      wallMs: result.performance.wallMs,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
