import type { PhaseResult, SimResult } from './result';
import { formatDuration } from './progress';

const pct = (x: number, digits = 2): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '–');
const fix = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');

function churnLine(r: SimResult): string {
  const c = r.config;
  if (c.churn === 'none') return 'none';
  const s = r.metrics.sessions;
  return (
    `${c.churn} sessions, mean ${formatDuration(s.meanMs)} (median ${formatDuration(s.medianMs)})` +
    `${c.churnShape !== undefined ? `, shape ${c.churnShape}` : ''}; replacement after ` +
    `${c.downtimeMeanMs > 0 ? `a mean ${formatDuration(c.downtimeMeanMs)}` : 'no'} downtime; ` +
    `${pct(c.leaveFraction, 0)} graceful leaves`
  );
}

function lookupRows(name: string, p: PhaseResult, delayMs: number): string {
  const l = p.lookups;
  return (
    `| ${name} | ${l.issued} | ${pct(l.successRatio)} | ${l.wrong} / ${l.failed} / ${l.aborted} | ` +
    `${fix(l.hops.mean)} | ${fix(l.hops.mean - 1)} | ${l.hops.p50} | ${l.hops.p99} | ` +
    `${fix(l.latencyMs.mean, 0)} / ${fix(l.latencyMs.p99, 0)} ms | ${fix(2 * l.hops.mean * delayMs, 0)} ms | ${fix(l.stretch.mean)} |`
  );
}

function trafficTable(p: PhaseResult): string {
  const rows = p.traffic
    .filter((t) => t.messages > 0)
    .map(
      (t) =>
        `| ${t.type} | ${t.messages} | ${fix(t.messagesPerNodeS, 4)} | ${fix(t.bytesPerNodeS, 2)} | ${fix(t.meanBytes, 0)} |`,
    );
  return [
    '| message type | messages | messages/s per node | bytes/s per node | mean bytes |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** The markdown report of one run: what was run, the measured figures, the simulator's own cost. */
export function renderReport(r: SimResult, description?: string, plots: readonly string[] = []): string {
  const c = r.config;
  const m = r.metrics;
  const w = m.phases.warmup;
  const meas = m.phases.measure;
  const n = c.nodes;
  const t = m.tables.mean;
  const s = m.storage;
  const p = r.performance;
  const lines = [
    `# Simulation: ${c.name}`,
    '',
    description ?? '',
    '',
    `Reproduce: \`npm run sim -- --scenario tools/sim/scenarios/${c.name}.json\` (seed ${c.seed}; the same seed gives the same metrics).`,
    '',
    '## Setup',
    '',
    `- ${n} nodes of the production overlay core (\`OverlayNode\`${s ? ' with `OverlayStorage`' : ''}) on the in-memory network and virtual clock`,
    `- joins at ${fix(c.joinRatePerS, 1)}/s, then ${formatDuration(c.warmupMs)} warm-up, then ${formatDuration(c.durationMs)} measured`,
    `- churn: ${churnLine(r)}`,
    `- link delay: ${c.delay} (${c.delay === 'constant' ? `${c.delayMinMs} ms` : `${c.delayMinMs}–${c.delayMaxMs} ms, mean ${m.meanLinkDelayMs} ms`}); loss ${pct(c.loss)}; crash noticed after ${c.failureDetectionMs} ms`,
    `- overlay: Updates every ${formatDuration(c.updateIntervalMs)}, finger refresh every ${formatDuration(c.pingIntervalMs)} (defaults otherwise: 3 successors, 3 predecessors, 16 fingers)`,
    `- workload: ${c.lookupsPerS} lookups/s (keys ${c.keys})${s ? `; ${c.registrations} registrations stored in the first minute, ${c.fetchesPerS} fetches/s` : ''}`,
    '',
    '## Lookups',
    '',
    'A lookup is a route probe to a random key from a random live node; it succeeds when the node that',
    'answers is the one the ground truth (sorted live Node-IDs) makes responsible. *Links* = links the',
    "request crossed (the ring benchmark's hop count); *Chord path* = links − 1, the forwarding hops up",
    "to the key's predecessor (the metric of Chord's ½·log2 N). Latency is the round trip; its lower",
    'bound is 2 × links × mean link delay.',
    '',
    '| phase | lookups | success | wrong / failed / aborted | links mean | Chord path mean | links p50 | links p99 | latency mean / p99 | bound (mean) | stretch |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...(w.lookups.issued > 0 ? [lookupRows('warm-up', w, m.meanLinkDelayMs)] : []),
    lookupRows('measurement', meas, m.meanLinkDelayMs),
    '',
    `For N = ${n}: ½·log2 N = ${fix(0.5 * Math.log2(n))}, log2 N = ${fix(Math.log2(n))}. The lookup workload runs in`,
    'the measurement phase; the warm-up shows in the traffic figures below.',
    '',
    '## Routing tables (measurement, mean over samples)',
    '',
    t
      ? [
          '| sampled nodes | successor right | successor list right | predecessor right | fingers alive | finger slots covered |',
          '|---:|---:|---:|---:|---:|---:|',
          `| ${t.nodes} | ${pct(t.successor)} | ${pct(t.successorList)} | ${pct(t.predecessor)} | ${pct(t.fingersLive)} | ${pct(t.fingerCoverage)} |`,
        ].join('\n')
      : 'no samples',
    '',
    '## Maintenance traffic (measurement)',
    '',
    `Per live node: **${fix(meas.maintenance.messagesPerNodeS, 3)} messages/s, ${fix(meas.maintenance.bytesPerNodeS, 1)} bytes/s** of maintenance ` +
      "(everything but the workload's route probes, stores and fetches; replica copies count as maintenance). " +
      'Bytes are protobuf `Message` sizes from the production codec (sampled; no gRPC/HTTP/2/TLS framing, ' +
      'no link set-up handshakes).',
    '',
    trafficTable(meas),
    '',
    `Warm-up (joins settling, fingers filling): ${fix(w.maintenance.messagesPerNodeS, 3)} messages/s, ` +
      `${fix(w.maintenance.bytesPerNodeS, 1)} bytes/s of maintenance per node.`,
    '',
  ];
  if (s) {
    lines.push(
      '## Storage',
      '',
      `- registrations stored: ${s.stored} of ${s.registrations} (${s.storeFailures} store attempts failed and were retried)`,
      `- fetches: ${s.fetches}; value returned ${s.fetchedValue}, answered without it ${s.fetchedEmpty}, failed ${s.fetchFailed}, origin left ${s.fetchAborted} → **availability ${pct(s.availability)}**`,
      `- **registrations lost** (no live copy at the end): **${s.lost}**; fewest live copies over the run: see the samples`,
      '',
      '| at | stored | lost | under 3 copies |',
      '|---:|---:|---:|---:|',
      ...s.samples.map(
        (a) => `| ${formatDuration(a.atMs)} | ${a.stored} | ${a.lost} | ${a.underReplicated} |`,
      ),
      '',
    );
  }
  lines.push(
    '## Churn',
    '',
    `Departures ${m.departures}; failed joins (retried by a fresh node) ${m.joinFailures}; live at the end ${m.liveAtEnd}.`,
    '',
    '## The simulator itself',
    '',
    `| wall time | of which joins | events | events/s | heap per node | peak RSS | peak RSS per node |`,
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${formatDuration(p.wallMs)} | ${formatDuration(p.joinWallMs)} | ${p.events} | ${p.eventsPerWallS} | ${p.heapPerNodeKb} KB | ${p.peakRssMb} MB | ${p.peakRssPerNodeKb} KB |`,
    '',
    `Virtual time simulated: ${formatDuration(m.virtualMs)}. Heap per node = heap growth from before the first node to after the joins${p.gcExposed ? ' (after a GC)' : ''}, over the live nodes.`,
    '',
  );
  if (plots.length > 0) {
    lines.push('## Plots', '', ...plots.map((file) => `![${file}](${file})`), '');
  }
  return `${lines.join('\n')}\n`;
}
