import { type CallPhase, type RegisterPhase, type Step, TARGETS } from './phases';

export interface ElementResult {
  readonly register?: RegisterPhase;
  readonly calls?: CallPhase;
  /** Whatever stopped the element's phases early (a crash, a failed setup step). */
  readonly error?: string;
}

/** The highest offered rate whose step met every target, and what that step achieved. */
export interface Sustained {
  readonly offeredPerSecond: number;
  readonly achievedPerSecond: number;
  readonly p95Ms: number;
  /** Every step was met: the element's limit lies above the highest rate tried. */
  readonly atTopOfRange: boolean;
}

/** The best step that `passes` (by default: met every target). */
export function sustained(
  steps: readonly Step[] | undefined,
  rates: readonly number[],
  passes: (step: Step) => boolean = (step) => step.met,
): Sustained | undefined {
  const met = (steps ?? []).filter(passes);
  const best = met.at(-1);
  if (!best) return undefined;
  const perCall = best.requestsPerCall ?? 1;
  return {
    offeredPerSecond: best.offeredPerSecond * perCall,
    achievedPerSecond: best.perSecond * perCall,
    p95Ms: best.p95Ms,
    atTopOfRange: best.offeredPerSecond === rates.at(-1),
  };
}

/** Step rows of one element, as markdown table lines. */
export function stepRows(element: string, result: ElementResult): string[] {
  const rows: [string, Step][] = [];
  if (result.register) {
    rows.push(['first REGISTER of each user', result.register.first]);
    for (const step of result.register.refreshSteps) rows.push(['REGISTER refresh, same binding', step]);
    for (const step of result.register.newBindingSteps) rows.push(['REGISTER, a new binding each', step]);
    rows.push(['register + remove, every user once (clearing)', result.register.clearing]);
    for (const step of result.register.storeBoundSteps)
      rows.push(['register + remove (2 REGISTERs per call, a store each)', step]);
    rows.push(['REGISTER of each user again (end state)', result.register.last]);
  }
  if (result.calls) {
    rows.push(['callee REGISTER', result.calls.calleeRegistration]);
    if (result.calls.firstCall !== result.calls.calleeRegistration)
      rows.push(['first call (callee lookup)', result.calls.firstCall]);
    for (const step of result.calls.steps) rows.push(['call', step]);
  }
  return rows.map(([what, step]) =>
    [
      element,
      what,
      step.offeredPerSecond,
      `${step.successful}/${step.expected}`,
      step.failed,
      step.retransmissions,
      Object.values(step.unexpected).reduce((sum, n) => sum + n.aborted + n.continued, 0),
      step.perSecond.toFixed(0),
      step.p50Ms,
      step.p95Ms,
      step.maxMs,
      step.overlayStores ?? '—',
      step.hostCpu ? `${step.hostCpu.busyPercent} / ${step.hostCpu.stealPercent}` : '—',
      step.met ? 'yes' : step.ok ? `p95 > ${TARGETS.p95Ms} ms` : 'FAILED CALLS',
    ].join(' | '),
  );
}

export function comparisonRows(
  edge: ElementResult,
  kamailio: ElementResult | undefined,
  registerRates: readonly number[],
  storeBoundRates: readonly number[],
  callRates: readonly number[],
): string[] {
  const figure = (s: Sustained | undefined): string =>
    s
      ? `${s.atTopOfRange ? '≥ ' : ''}${s.achievedPerSecond.toFixed(0)} (offered ${s.offeredPerSecond}, p95 ${s.p95Ms} ms)`
      : 'none met';
  const ratio = (a: Sustained | undefined, b: Sustained | undefined): string => {
    if (!a || !b) return '—';
    const value = (a.achievedPerSecond / b.achievedPerSecond).toFixed(2);
    // Kamailio met every step: its limit is higher, so the true ratio is at most this.
    if (b.atTopOfRange && !a.atTopOfRange) return `≤ ${value}`;
    if (a.atTopOfRange && !b.atTopOfRange) return `≥ ${value}`;
    return a.atTopOfRange ? `${value} (both at the top of the range)` : value;
  };
  // Met when a step offered at least the target rate met every criterion.
  const verdict = (s: Sustained | undefined, target: number): string =>
    s && s.offeredPerSecond >= target ? 'met' : 'NOT met';
  const anyP95 = (step: Step): boolean => step.ok;
  const row = (
    what: string,
    pick: (result: ElementResult | undefined) => readonly Step[] | undefined,
    rates: readonly number[],
    target: number,
    passes?: (step: Step) => boolean,
  ): string => {
    const e = sustained(pick(edge), rates, passes);
    const k = sustained(pick(kamailio), rates, passes);
    return [
      what,
      figure(e),
      kamailio ? figure(k) : '—',
      ratio(e, k),
      passes ? '' : `≥ ${target}: ${verdict(e, target)}`,
    ].join(' | ');
  };
  const newSteps = (r: ElementResult | undefined) => r?.register?.newBindingSteps;
  const storeSteps = (r: ElementResult | undefined) => r?.register?.storeBoundSteps;
  const refreshSteps = (r: ElementResult | undefined) => r?.register?.refreshSteps;
  const callSteps = (r: ElementResult | undefined) => r?.calls?.steps;
  const { registrationsPerSecond, callsPerSecond, p95Ms } = TARGETS;
  return [
    row(
      `registrations/s with a new binding each, 0 failed, p95 ≤ ${p95Ms} ms`,
      newSteps,
      registerRates,
      registrationsPerSecond,
    ),
    row(
      'registrations/s with a new binding each, 0 failed, any p95',
      newSteps,
      registerRates,
      registrationsPerSecond,
      anyP95,
    ),
    row(
      `REGISTER/s that each store or withdraw the AOR in the overlay (register + remove), 0 failed, p95 ≤ ${p95Ms} ms`,
      storeSteps,
      storeBoundRates,
      registrationsPerSecond,
    ),
    row(
      'REGISTER/s that each store or withdraw in the overlay, 0 failed, any p95',
      storeSteps,
      storeBoundRates,
      registrationsPerSecond,
      anyP95,
    ),
    row(
      `refreshes/s of an unchanged binding, 0 failed, p95 ≤ ${p95Ms} ms`,
      refreshSteps,
      registerRates,
      registrationsPerSecond,
    ),
    row(
      'refreshes/s of an unchanged binding, 0 failed, any p95',
      refreshSteps,
      registerRates,
      registrationsPerSecond,
      anyP95,
    ),
    row(`calls/s, 0 failed, p95 ≤ ${p95Ms} ms`, callSteps, callRates, callsPerSecond),
    row('calls/s, 0 failed, any p95', callSteps, callRates, callsPerSecond, anyP95),
  ];
}
