import type { SimConfig } from './config';
import { RegistrationSet } from './registrations';
import { type SimResult, buildResult } from './result';
import { type SimHooks, Simulation } from './simulation';
import { SeededRandom } from '@p2psip/overlay/testing';

const gc = (globalThis as { gc?: () => void }).gc;

function heapBytes(): number {
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** One run from a config: builds the simulation, runs it, measures the simulator itself. */
export async function runSimulation(
  config: SimConfig,
  hooks: Pick<SimHooks, 'onStep'> = {},
): Promise<SimResult> {
  const registrations =
    config.registrations > 0
      ? await RegistrationSet.create(config.registrations, new SeededRandom(config.seed * 31337 + 4))
      : undefined;
  const heapBefore = heapBytes();
  const started = Date.now();
  let joinWallMs = 0;
  let heapPerNodeKb = NaN;
  const sim = new Simulation(config, registrations);
  await sim.run({
    onStep: hooks.onStep,
    onJoined: () => {
      joinWallMs = Date.now() - started;
      heapPerNodeKb = (heapBytes() - heapBefore) / 1024 / Math.max(1, sim.alive);
    },
  });
  const wallMs = Date.now() - started;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  return buildResult(sim, {
    wallMs,
    joinWallMs,
    events: sim.clock.executed,
    eventsPerWallS: Math.round(sim.clock.executed / Math.max(0.001, wallMs / 1000)),
    heapPerNodeKb: Math.round(heapPerNodeKb * 10) / 10,
    peakRssMb: Math.round(peakRssMb),
    peakRssPerNodeKb: Math.round((peakRssMb * 1024 * 10) / config.nodes) / 10,
    gcExposed: gc !== undefined,
  });
}
