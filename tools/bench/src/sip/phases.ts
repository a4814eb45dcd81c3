import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '@p2psip/testing';
import { unusedUdpPort } from './ports';
import type { SippDriver, SippOutcome } from './sipp';
import { type HostCpu, measureHostCpu } from './host-cpu';

/** The acceptance targets of issue 6. */
export const TARGETS = { registrationsPerSecond: 1000, callsPerSecond: 300, p95Ms: 50 } as const;

/** The end-to-end suite's Digest REGISTER scenario (REGISTER, 401, REGISTER with credentials, 200). */
export const REGISTER_SCENARIO = path.join(repoRoot(), 'tools', 'e2e', 'sipp', 'register-auth.xml');
/** The same with a Contact of its own for every registration: the binding set changes each time. */
export const NEW_BINDING_SCENARIO = path.join(
  repoRoot(),
  'tools',
  'bench',
  'sipp',
  'register-auth-new-binding.xml',
);

/**
 * Register, then remove every binding (Contact: *, Expires: 0): at the edge both REGISTERs cost an
 * overlay store (the AOR's route stored, then withdrawn); two REGISTER transactions per sipp call.
 */
export const REGISTER_REMOVE_SCENARIO = path.join(
  repoRoot(),
  'tools',
  'bench',
  'sipp',
  'register-remove.xml',
);

/** A sipp run at a fixed offered rate. */
export interface Step extends SippOutcome {
  readonly offeredPerSecond: number;
  readonly expected: number;
  /** REGISTER transactions per sipp call (rates in requests/s are this times calls/s). @default 1 */
  readonly requestsPerCall?: number;
  /** Every call succeeded (sipp exit 0, no failed call). */
  readonly ok: boolean;
  /** ok, p95 within the target, and at least 90 % of the offered rate completed per second. */
  readonly met: boolean;
  /** Overlay stores the element made during the step (the edge's `registered` events). */
  readonly overlayStores?: number;
  /** The machine's CPUs during the step (undefined without /proc/stat). */
  readonly hostCpu?: HostCpu;
}

export interface PhaseInit {
  readonly sipp: SippDriver;
  /** Names the runs: `kamailio`, `edge`. */
  readonly label: string;
  readonly domain: string;
  readonly password: string;
  readonly stepSeconds: number;
  /** Waits between steps, so one step's backlog does not land on the next. */
  readonly settleMs: number;
  /** Called after each run: throws when the element under test died. */
  readonly alive: () => void;
  /** Overlay stores so far (an edge); undefined for a plain registrar. */
  readonly overlayStores?: () => number;
  /**
   * Starts or ends a CPU profile in the element's processes (SIGUSR2 to
   * profiling/cpu-profile-hook.cjs), around each step whose name contains `profiledSteps`.
   */
  readonly toggleProfiles?: () => void;
  readonly profiledSteps?: string;
  /** Waits until the element has worked off what a series left it (run after each series). */
  readonly quiet: () => Promise<void>;
}

export interface RegisterPhase {
  /** Each user's first REGISTER, at a moderate rate (the edge opens the user's TLS connection). */
  readonly first: Step;
  /**
   * Refreshes: the same users from the same address (unchanged bindings) at rising rates, until
   * a step has a failed call. The edge answers these from its bindings while the stored entry is
   * fresh.
   */
  readonly refreshSteps: Step[];
  /**
   * Registrations that each add a binding at rising rates. The edge stores an AOR's route, not
   * its contacts, so these cost an overlay store only when the stored entry is due for renewal.
   */
  readonly newBindingSteps: Step[];
  /** Every user's bindings removed (a REGISTER + a removal each), so the next series starts clean. */
  readonly clearing: Step;
  /** Register + remove at rising rates: every REGISTER costs an overlay store at the edge. */
  readonly storeBoundSteps: Step[];
  /** Every user registered again at the first pass's rate (the run's end state). */
  readonly last: Step;
}

/** sipp's REGISTER-with-Digest scenario through `remote` for every user of the CSV. */
export async function registerPhase(
  init: PhaseInit,
  remote: string,
  users: readonly string[],
  firstRate: number,
  rates: readonly number[],
  storeBoundRates: readonly number[],
): Promise<RegisterPhase> {
  const csv = await init.sipp.injectionFile(
    `${init.label}-users.csv`,
    users.map((user) => [user, init.password, `[authentication username=${user} password=${init.password}]`]),
  );
  // One address for the first registrations and the refreshes: their bindings stay the same.
  const port = await unusedUdpPort();
  const registerAt = (
    name: string,
    rate: number,
    count: number,
    scenario: string,
    localPort?: number,
  ): Promise<Step> =>
    step(init, name, rate, count, {
      remote,
      localPort,
      args: ['-sf', scenario, '-inf', csv, '-key', 'domain', init.domain],
      requestsPerCall: scenario === REGISTER_REMOVE_SCENARIO ? 2 : 1,
    });
  const { label, stepSeconds } = init;
  const first = await registerAt(`${label}-register-first`, firstRate, users.length, REGISTER_SCENARIO, port);
  await init.quiet();
  const refreshSteps = await rising(init, rates, (rate) =>
    registerAt(`${label}-refresh-${rate}`, rate, rate * stepSeconds, REGISTER_SCENARIO, port),
  );
  await init.quiet();
  const newBindingSteps = await rising(init, rates, (rate) =>
    registerAt(`${label}-register-new-${rate}`, rate, rate * stepSeconds, NEW_BINDING_SCENARIO),
  );
  await init.quiet();
  const clearing = await registerAt(`${label}-clear`, firstRate, users.length, REGISTER_REMOVE_SCENARIO);
  await init.quiet();
  const storeBoundSteps = await rising(init, storeBoundRates, (rate) =>
    registerAt(`${label}-register-remove-${rate}`, rate, rate * stepSeconds, REGISTER_REMOVE_SCENARIO),
  );
  await init.quiet();
  // Everyone registered again, so that the overlay holds every user after the run (looked up then).
  const last = await registerAt(`${label}-register-last`, firstRate, users.length, REGISTER_SCENARIO, port);
  await init.quiet();
  return { first, refreshSteps, newBindingSteps, clearing, storeBoundSteps, last };
}

export interface CallPhase {
  /** The callee's registration (sipp, from the UAS's port). */
  readonly calleeRegistration: Step;
  /** One call before the measured ones: the edge looks the callee up in the overlay and connects. */
  readonly firstCall: Step;
  readonly steps: Step[];
  /** INVITEs the callee's UAS received. */
  readonly uasIncoming: number;
}

/**
 * Registers `callee` (a sipp UAS) through `registerAt`, then runs sipp's built-in UAC through
 * `callVia` (Request-URI sip:<callee>@<callVia>) at rising rates, until a step has a failed call.
 */
export async function callPhase(
  init: PhaseInit,
  callee: string,
  registerAt: string,
  callVia: string,
  rates: readonly number[],
): Promise<CallPhase> {
  const uasPort = await unusedUdpPort();
  const csv = await init.sipp.injectionFile(`${init.label}-callee.csv`, [
    [callee, init.password, `[authentication username=${callee} password=${init.password}]`],
  ]);
  const calleeRegistration = await step(init, `${init.label}-register-callee`, 1, 1, {
    remote: registerAt,
    localPort: uasPort,
    args: ['-sf', REGISTER_SCENARIO, '-inf', csv, '-key', 'domain', init.domain],
  });
  if (!calleeRegistration.ok)
    return { calleeRegistration, firstCall: calleeRegistration, steps: [], uasIncoming: 0 };
  const uas = await init.sipp.startUas({
    name: `${init.label}-uas`,
    args: ['-sn', 'uas'],
    localPort: uasPort,
    timeoutS: 3600,
  });
  try {
    const callAt = (name: string, rate: number, count: number): Promise<Step> =>
      step(init, name, rate, count, {
        remote: callVia,
        // A response out of order (a 180 after the 200 when two workers relay them, a 100 after
        // the 180) does not end the call: it is counted as a stray, and the call must still
        // complete. Error responses still fail it (no 200 comes, the receive timeout does).
        args: ['-sn', 'uac', '-s', callee, '-default_behaviors', 'all,-abortunexp'],
      });
    const firstCall = await callAt(`${init.label}-call-first`, 1, 1);
    const steps = firstCall.ok
      ? await rising(init, rates, (rate) =>
          callAt(`${init.label}-call-${rate}`, rate, rate * init.stepSeconds),
        )
      : [];
    return { calleeRegistration, firstCall, steps, uasIncoming: await uas.incoming() };
  } finally {
    await uas.stop();
  }
}

/** Runs `run` at each rate in turn; stops after the first step with a failed call. */
async function rising(init: PhaseInit, rates: readonly number[], run: (rate: number) => Promise<Step>) {
  const steps: Step[] = [];
  for (const rate of rates) {
    await sleep(init.settleMs);
    const result = await run(rate);
    steps.push(result);
    console.error(describe(result));
    init.alive();
    if (!result.ok) break;
  }
  return steps;
}

async function step(
  init: PhaseInit,
  name: string,
  rate: number,
  count: number,
  run: { remote: string; args: readonly string[]; localPort?: number; requestsPerCall?: number },
): Promise<Step> {
  const storesBefore = init.overlayStores?.();
  const profiled = init.profiledSteps !== undefined && name.includes(init.profiledSteps);
  if (profiled) init.toggleProfiles?.();
  const hostCpu = measureHostCpu();
  const outcome = await init.sipp.run({
    name,
    remote: run.remote,
    localPort: run.localPort ?? (await unusedUdpPort()),
    args: [
      ...run.args,
      ...['-m', String(count), '-r', String(rate), '-rp', '1000'],
      // A call that hears nothing for 5 s fails instead of waiting for the global timeout.
      ...['-recv_timeout', '5000'],
    ],
    timeoutS: Math.ceil(count / rate) + 60,
  });
  if (profiled) init.toggleProfiles?.();
  init.alive();
  const ok = outcome.status === 0 && outcome.failed === 0 && outcome.successful === count;
  // sipp holds calls back when too many are open (-l): the offered rate must also have been carried.
  const met = ok && outcome.p95Ms <= TARGETS.p95Ms && outcome.perSecond >= 0.9 * rate;
  const overlayStores =
    storesBefore === undefined ? undefined : (init.overlayStores?.() ?? storesBefore) - storesBefore;
  const result = {
    ...outcome,
    offeredPerSecond: rate,
    expected: count,
    requestsPerCall: run.requestsPerCall ?? 1,
    ok,
    met,
    overlayStores,
    hostCpu: hostCpu(),
  };
  if (rate === 1 || name.endsWith('-first') || name.endsWith('-clear') || name.endsWith('-last'))
    console.error(describe(result));
  return result;
}

export function describe(step: Step): string {
  const failures = Object.entries(step.failureKinds)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const unexpected = Object.entries(step.unexpected)
    .map(([line, n]) => `${line} ×${n.aborted + n.continued}${n.aborted ? ` (${n.aborted} aborted)` : ''}`)
    .join(', ');
  return (
    `${step.name}: ${step.successful}/${step.expected} ok, ${step.failed} failed${failures ? ` (${failures})` : ''}, ` +
    (unexpected ? `unexpected: ${unexpected}, ` : '') +
    `${step.retransmissions} retransmissions, ${step.perSecond.toFixed(0)}/s, p50 ${step.p50Ms} ms, ` +
    `p95 ${step.p95Ms} ms, max ${step.maxMs} ms, exit ${step.status}` +
    (step.overlayStores === undefined ? '' : `, ${step.overlayStores} overlay stores`) +
    (step.hostCpu ? `, CPUs ${step.hostCpu.busyPercent} % busy, ${step.hostCpu.stealPercent} % stolen` : '') +
    (step.ok ? (step.met ? '' : ` — p95 above ${TARGETS.p95Ms} ms`) : ' — FAILED CALLS')
  );
}
