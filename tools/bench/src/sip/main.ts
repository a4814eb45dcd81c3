import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '@p2psip/testing';
import { startKamailio } from './kamailio';
import { type AorCheck, checkAor, startBenchOverlay, startEdge } from './overlay';
import { type PhaseInit, type Step, TARGETS, callPhase, registerPhase } from './phases';
import { unusedSipPort } from './ports';
import { ProcessGroup } from './processes';
import { type ElementResult, comparisonRows, stepRows, sustained } from './report';
import { SippDriver } from './sipp';

// SIP benchmark (issue 6): sipp REGISTER and call rates through one `p2psip sip-edge` into a
// 16-peer overlay (2 replicas + the responsible peer), and Kamailio (Debian) as a plain
// registrar/proxy with the same sipp scenarios on the same machine in the same run. Targets:
// ≥ 1,000 registrations/s and ≥ 300 calls/s with 0 failures and p95 ≤ 50 ms.
//
// Each element gets the same sequence: every user's first REGISTER (Digest: REGISTER, 401,
// REGISTER, 200) at a moderate rate, then re-registrations at rising rates, then calls (sipp's
// built-in UAC to a registered sipp UAS) at rising rates; a rate series stops at its first step
// that fails a call or misses p95. Kamailio runs first, before the overlay exists.

const list = (value: string | undefined, fallback: number[]): number[] =>
  value
    ? value
        .split(',')
        .map(Number)
        .filter((n) => n > 0)
    : fallback;

/** Peer processes: one per core, at most 16 (one per peer), at least 2 (so stores cross processes). */
const DEFAULT_PEER_PROCESSES = [2, 4, 8, 16].filter((n) => n <= Math.max(2, cpus().length)).at(-1) ?? 2;

const SETTINGS = {
  users: Number(process.env.BENCH_USERS ?? 1000),
  stepSeconds: Number(process.env.BENCH_STEP_SECONDS ?? 10),
  firstRegisterRate: Number(process.env.BENCH_FIRST_REGISTER_RATE ?? 50),
  registerRates: list(
    process.env.BENCH_REGISTER_RATES,
    [25, 50, 100, 250, 500, 1000, 1500, 2000, 3000, 4000, 6000],
  ),
  /** sipp calls/s of register + remove (two REGISTERs, two overlay stores each). */
  storeBoundRates: list(process.env.BENCH_STORE_RATES, [25, 50, 100, 150, 200, 300, 400, 500, 750]),
  callRates: list(process.env.BENCH_CALL_RATES, [25, 50, 100, 200, 300, 400, 600, 800, 1200]),
  enrollConcurrency: Number(process.env.BENCH_ENROLL_CONCURRENCY ?? 4),
  // One peer process per core (node runs JS on one thread), 16 peers in all: on 2 cores, 2 × 8.
  // Session 7 measured 4 × 4 on 2 cores at 7–9.5 ms of peer CPU per edge store against 4.5–6 ms
  // for 2 × 8 (more of a Store's hops stay between virtual peers of one process).
  peerProcesses: Number(process.env.BENCH_PEER_PROCESSES ?? DEFAULT_PEER_PROCESSES),
  peersPerProcess: Number(process.env.BENCH_PEERS_PER_PROCESS ?? 16 / DEFAULT_PEER_PROCESSES),
  kamailioChildren: Number(process.env.BENCH_KAMAILIO_CHILDREN ?? cpus().length),
  /** `edge`, `kamailio` or both (comma-separated). */
  elements: (process.env.BENCH_ELEMENTS ?? 'kamailio,edge').split(','),
  settleMs: 2000,
  /**
   * CPU profiles of the peers and edge A during the steps whose names contain this (for example
   * `register-remove`); needs NODE_OPTIONS="--require ./tools/bench/profiling/cpu-profile-hook.cjs".
   */
  profiledSteps: process.env.BENCH_PROFILE_STEPS || undefined,
  /** Keep the work dir (sipp error logs, kamailio log, users files) for a look afterwards. */
  keepWork: process.env.BENCH_KEEP_WORK === '1',
};
const DOMAIN = 'p2psip.test';
const PASSWORD = 'pw';
const CALLEE = 'bob';

/** What differs between the elements under test. */
type ElementHooks = Pick<PhaseInit, 'label' | 'alive' | 'quiet' | 'overlayStores' | 'toggleProfiles'>;

const userName = (i: number): string => `u${String(i + 1).padStart(5, '0')}`;

interface EdgeSetup {
  ringFormedS: number;
  enrolledUsers: number;
  enrollS: number;
  enrollPerSecond: number;
  edgeEvents: Record<string, number>;
  overlayErrors: string[];
  lookups: AorCheck[];
}

async function main(): Promise<void> {
  // The bundles were just built from this tree: record it before anything can change it.
  const code = codeVersion();
  const ensure = spawnSync(
    process.execPath,
    [path.join(repoRoot(), 'tools/system/ensure-packages.cjs'), 'sipp', 'kamailio'],
    { stdio: 'inherit' },
  );
  if (ensure.status !== 0) throw new Error('sipp and kamailio are needed (see above)');
  for (const ended of ProcessGroup.endLeftovers()) console.error(`ended a previous run's leftover: ${ended}`);
  const workDir = mkdtempSync(path.join(tmpdir(), 'p2psip-bench-sip-'));
  const processes = new ProcessGroup(workDir);
  processes.installHandlers();
  // Also on SIGINT/SIGTERM (the handlers exit the process once everything is stopped).
  if (!SETTINGS.keepWork) process.once('exit', () => rmSync(workDir, { recursive: true, force: true }));
  const sipp = new SippDriver(workDir, processes);
  const users = Array.from({ length: SETTINGS.users }, (_, i) => userName(i));
  const startedAt = new Date();
  const load = loadavg();
  console.error(
    `SIP benchmark in ${workDir}; ${cpus().length} cores, load average ${load.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const phaseInit = (element: ElementHooks): PhaseInit => ({
    ...element,
    sipp,
    domain: DOMAIN,
    password: PASSWORD,
    stepSeconds: SETTINGS.stepSeconds,
    settleMs: SETTINGS.settleMs,
    profiledSteps: SETTINGS.profiledSteps,
  });

  let kamailio: ElementResult | undefined;
  let edge: ElementResult = {};
  let setup: EdgeSetup | undefined;
  try {
    if (SETTINGS.elements.includes('kamailio')) {
      console.error(`kamailio: ${SETTINGS.kamailioChildren} UDP workers…`);
      const server = await startKamailio(
        {
          workDir,
          port: await unusedSipPort(),
          domain: DOMAIN,
          password: PASSWORD,
          children: SETTINGS.kamailioChildren,
        },
        processes,
      );
      kamailio = await measure(
        phaseInit({ label: 'kamailio', alive: () => undefined, quiet: server.quiet }),
        server.address,
        server.address,
        server.address,
        users,
      );
      await server.stop();
    }
    if (SETTINGS.elements.includes('edge')) {
      try {
        ({ edge, setup } = await measureEdge(workDir, processes, phaseInit, users));
      } catch (error) {
        // The overlay or an edge did not start: Kamailio's figures are still worth keeping.
        console.error(error);
        edge = { error: String(error) };
      }
    }
  } finally {
    await processes.stopAll();
  }

  const result = {
    benchmark: 'sip',
    startedAt: startedAt.toISOString(),
    machine: { cores: cpus().length, loadAverageAtStart: load, loadAverageAtEnd: loadavg() },
    code,
    settings: { ...SETTINGS, domain: DOMAIN, targets: TARGETS },
    setup,
    summary: { edge: summary(edge), kamailio: kamailio && summary(kamailio) },
    edge: strip(edge),
    kamailio: kamailio && strip(kamailio),
  };
  const resultsDir = path.join(repoRoot(), 'tools', 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const resultFile = path.join(
    resultsDir,
    `sip-${startedAt.toISOString().slice(0, 16).replace(':', '-')}.json`,
  );
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  report(edge, kamailio, setup);
  const { commit, uncommitted } = result.code;
  console.log(
    `\ncode: ${commit.slice(0, 10)}${uncommitted.length > 0 ? ` + ${uncommitted.length} uncommitted app/lib files` : ''}`,
  );
  console.log(`\nJSON: ${path.relative(repoRoot(), resultFile)}`);
  if (SETTINGS.keepWork) console.log(`work dir kept: ${workDir}`);
}

/** One element's register and call phases; an error stops them and is kept in the result. */
async function measure(
  init: PhaseInit,
  registerVia: string,
  calleeAt: string,
  callVia: string,
  users: readonly string[],
): Promise<ElementResult> {
  let register: ElementResult['register'];
  try {
    console.error(`${init.label}: REGISTER of ${users.length} users…`);
    register = await registerPhase(
      init,
      registerVia,
      users,
      SETTINGS.firstRegisterRate,
      SETTINGS.registerRates,
      SETTINGS.storeBoundRates,
    );
    console.error(`${init.label}: calls…`);
    const calls = await callPhase(init, CALLEE, calleeAt, callVia, SETTINGS.callRates);
    return { register, calls };
  } catch (error) {
    console.error(`${init.label}: stopped early: ${String(error)}`);
    return { register, error: String(error) };
  }
}

async function measureEdge(
  workDir: string,
  processes: ProcessGroup,
  phaseInit: (element: ElementHooks) => PhaseInit,
  users: readonly string[],
): Promise<{ edge: ElementResult; setup: EdgeSetup }> {
  const peers = SETTINGS.peerProcesses * SETTINGS.peersPerProcess;
  console.error(`overlay: ${peers} peers in ${SETTINGS.peerProcesses} processes…`);
  const ringStarted = performance.now();
  const overlay = await startBenchOverlay(
    {
      workDir,
      domain: DOMAIN,
      password: PASSWORD,
      peerProcesses: SETTINGS.peerProcesses,
      peersPerProcess: SETTINGS.peersPerProcess,
    },
    processes,
  );
  const ringFormedS = (performance.now() - ringStarted) / 1000;
  console.error(`ring consistent after ${ringFormedS.toFixed(1)} s; enrolling ${users.length} users…`);
  const enrollMs = await overlay.enrollUsers([...users, CALLEE], SETTINGS.enrollConcurrency);
  console.error(`enrolled ${users.length + 1} users in ${(enrollMs / 1000).toFixed(1)} s`);
  const edgeInit = { domain: DOMAIN, password: PASSWORD, workDir };
  // The edge under test serves the load users and the callers; the callee's phone is registered
  // at a second edge, so every call crosses the overlay (lookup, AppAttach, TLS between edges).
  const edgeA = await startEdge(
    overlay,
    { ...edgeInit, name: 'edge-a', users, peer: overlay.peers[1] ?? '' },
    processes,
  );
  const edgeB = await startEdge(
    overlay,
    {
      ...edgeInit,
      name: 'edge-b',
      users: [CALLEE],
      // A peer of another process than edge A's (the last one), whatever the layout.
      peer:
        overlay.peers[SETTINGS.peersPerProcess * (SETTINGS.peerProcesses - 1) + 1] ??
        overlay.peers.at(-1) ??
        '',
    },
    processes,
  );
  const alive = (): void => {
    for (const e of [edgeA, edgeB]) {
      const { exitCode, signalCode } = e.process.child;
      if (exitCode !== null || signalCode !== null)
        throw new Error(
          `${e.name} exited (${exitCode ?? signalCode}):\n${e.process.tail().slice(-30).join('\n')}`,
        );
    }
  };
  // A register step it could not keep up with leaves overlay stores running: the next series
  // starts once edge A has printed no event for 3 s.
  const quiet = async (): Promise<void> => {
    const deadline = Date.now() + 120_000;
    let last = '';
    for (;;) {
      const now = JSON.stringify([...edgeA.events]);
      if (now === last || Date.now() > deadline) return;
      last = now;
      await sleep(3000);
    }
  };
  const edge = await measure(
    phaseInit({
      label: 'edge',
      alive,
      quiet,
      overlayStores: () =>
        (edgeA.events.get('overlay-stored') ?? 0) + (edgeA.events.get('unregistered') ?? 0),
      toggleProfiles: () => {
        for (const pid of [...overlay.peerPids, edgeA.process.child.pid ?? 0]) {
          if (pid > 0) process.kill(pid, 'SIGUSR2');
        }
      },
    }),
    edgeA.udp,
    edgeB.udp,
    edgeA.udp,
    users,
  );
  const sample = [...new Set([0, Math.floor(users.length / 2), users.length - 1])].map((i) => users[i] ?? '');
  const lookups = await Promise.all(
    sample.map((user) => checkAor(overlay, `sip:${user}@${DOMAIN}`, CALLEE, overlay.peers[5] ?? '')),
  );
  return {
    edge,
    setup: {
      ringFormedS,
      enrolledUsers: users.length + 1,
      enrollS: enrollMs / 1000,
      enrollPerSecond: ((users.length + 1) * 1000) / enrollMs,
      edgeEvents: Object.fromEntries([...edgeA.events].map(([event, n]) => [`edge-a ${event}`, n])),
      overlayErrors: edgeA.overlayErrors,
      lookups,
    },
  };
}

/** A markdown table's header and separator, after a blank line. */
function printTableHead(columns: readonly string[]): void {
  console.log(`\n| ${columns.join(' | ')} |`);
  console.log(`|${'---|'.repeat(columns.length)}`);
}

function report(
  edge: ElementResult,
  kamailio: ElementResult | undefined,
  setup: EdgeSetup | undefined,
): void {
  const peers = SETTINGS.peerProcesses * SETTINGS.peersPerProcess;
  console.log(
    `SIP benchmark, ${cpus().length} cores: one p2psip sip-edge into ${peers} peers (${SETTINGS.peerProcesses} processes, ` +
      `2 replicas + responsible) vs kamailio (${SETTINGS.kamailioChildren} UDP workers, in-memory location); ` +
      `${SETTINGS.users} users, ${SETTINGS.stepSeconds} s per rate step, sipp over UDP`,
  );
  console.log(
    'A registration is REGISTER → 401 → REGISTER with Digest → 200 (2 requests), timed from the first REGISTER to the 200. ' +
      '"Refresh": the same users again from the same address (unchanged bindings; the edge answers from memory while its stored entry is fresh). ' +
      '"New binding": a Contact of its own each time (answered from the edge\'s table too: the overlay entry routes to the edge, not to the phone). ' +
      '"Register + remove": a registration, then Contact: * with Expires 0, so that every REGISTER stores or withdraws the AOR\'s overlay entry (see the overlay stores column). ' +
      'A call is sipp’s UAC → INVITE/180/200/ACK/BYE/200 to a sipp UAS, timed INVITE → 200; ' +
      'edge calls enter edge A and reach the callee registered at edge B through the overlay (one lookup, then the AppAttach TLS connection, cached 30 s).',
  );
  if (setup) {
    console.log(
      `setup: ring consistent after ${setup.ringFormedS.toFixed(1)} s; ${setup.enrolledUsers} users enrolled in ` +
        `${setup.enrollS.toFixed(1)} s (${setup.enrollPerSecond.toFixed(0)}/s, ${SETTINGS.enrollConcurrency} at a time)`,
    );
  }
  printTableHead([
    'element',
    'what',
    'offered /s',
    'ok',
    'failed',
    'retransmissions',
    'unexpected',
    'achieved /s',
    'p50 ms',
    'p95 ms',
    'max ms',
    'overlay stores',
    'CPUs busy / stolen %',
    'met',
  ]);
  for (const row of [...(kamailio ? stepRows('kamailio', kamailio) : []), ...stepRows('edge', edge)])
    console.log(`| ${row} |`);
  printTableHead(['figure', 'edge', 'kamailio', 'edge / kamailio', 'target']);
  for (const row of comparisonRows(
    edge,
    kamailio,
    SETTINGS.registerRates,
    SETTINGS.storeBoundRates,
    SETTINGS.callRates,
  ))
    console.log(`| ${row} |`);
  if (setup) {
    const events = Object.entries(setup.edgeEvents)
      .map(([event, n]) => `${event} ${n}`)
      .join(', ');
    console.log(`\nedge events: ${events}`);
    console.log(
      `after the run, p2psip lookup / stat: ${setup.lookups
        .map((l) => `${l.aor} ${l.found ? `found (${l.entries} entry, ${l.copies} copies)` : 'NOT found'}`)
        .join(', ')}`,
    );
    for (const line of setup.overlayErrors.slice(0, 5)) console.log(`overlay-error: ${line}`);
  }
  for (const [name, result] of [
    ['edge', edge],
    ['kamailio', kamailio],
  ] as const) {
    if (result?.error) console.log(`${name} stopped early: ${result.error}`);
    const steps = new Set([
      ...(result?.register
        ? [
            result.register.first,
            ...result.register.refreshSteps,
            ...result.register.newBindingSteps,
            result.register.clearing,
            ...result.register.storeBoundSteps,
            result.register.last,
          ]
        : []),
      ...(result?.calls
        ? [result.calls.calleeRegistration, result.calls.firstCall, ...result.calls.steps]
        : []),
    ]);
    for (const step of steps) {
      const unexpected = Object.entries(step.unexpected);
      if (unexpected.length > 0)
        console.log(
          `${step.name} — unexpected messages: ${unexpected
            .map(([line, n]) => `${line} ×${n.aborted + n.continued} (${n.aborted} aborted the call)`)
            .join(', ')}`,
        );
    }
    // A step without failed calls may still log notes (a 200 retransmitted after the call ended).
    for (const step of steps) {
      if (step.errors && !step.ok)
        console.log(`\n${step.name} — sipp error log (start):\n${step.errors.slice(0, 1500)}`);
    }
  }
}

/** The commit measured, and the uncommitted app and lib files the bundles were built with. */
function codeVersion(): { commit: string; uncommitted: string[] } {
  const git = (...args: string[]): string =>
    spawnSync('git', args, { cwd: repoRoot(), encoding: 'utf8' }).stdout?.trim() ?? '';
  const uncommitted = git('status', '--porcelain', '--', 'apps', 'libs').split('\n').filter(Boolean);
  return { commit: git('rev-parse', 'HEAD'), uncommitted };
}

/** The best rates: meeting every target, and with no failed call whatever the p95. */
function summary(result: ElementResult) {
  const { registerRates, storeBoundRates, callRates } = SETTINGS;
  const ok = (step: Step): boolean => step.ok;
  return {
    registrations: sustained(result.register?.newBindingSteps, registerRates),
    registrationsAnyP95: sustained(result.register?.newBindingSteps, registerRates, ok),
    storeBound: sustained(result.register?.storeBoundSteps, storeBoundRates),
    storeBoundAnyP95: sustained(result.register?.storeBoundSteps, storeBoundRates, ok),
    refreshes: sustained(result.register?.refreshSteps, registerRates),
    refreshesAnyP95: sustained(result.register?.refreshSteps, registerRates, ok),
    calls: sustained(result.calls?.steps, callRates),
    callsAnyP95: sustained(result.calls?.steps, callRates, ok),
  };
}

/** The JSON result without the long sipp error logs (their start stays in the table's notes). */
function strip(result: ElementResult): unknown {
  return JSON.parse(
    JSON.stringify(result, (key, value: unknown) =>
      key === 'errors' && typeof value === 'string'
        ? value.slice(0, 1500)
        : key === 'dir'
          ? undefined
          : value,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
