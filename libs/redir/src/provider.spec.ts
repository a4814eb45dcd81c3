import { type NodeId, idToBytes, nodeIdFromBytes, resourceIdOf } from '@p2psip/identity';
import type { Cancel, Clock } from '@p2psip/overlay';
import { lookupProvider } from './lookup';
import { MemoryRedirPort } from './memory-port';
import type { RedirStoreRequest } from './port';
import { RedirProvider } from './provider';

const MINUTE_MS = 60_000;
const idOf = (label: string): NodeId => nodeIdFromBytes(idToBytes(resourceIdOf(label)));

/** Virtual time: timers run when `advance` passes them, with the jobs they start settled in between. */
class VirtualClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void): Cancel {
    const timer = { at: this.time + delayMs, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      due.cancelled = true;
      due.fn();
    }
    this.time = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function setup(options: { providers?: number } = {}) {
  const clock = new VirtualClock();
  const port = new MemoryRedirPort(() => clock.now());
  const logs: string[] = [];
  const logger = {
    info: (_: object, msg?: string) => logs.push(msg ?? ''),
    warn: (_: object, msg?: string) => logs.push(msg ?? ''),
  };
  const providers = Array.from({ length: options.providers ?? 1 }, (_, i) => {
    const providerId = idOf(`relay-${i}`);
    return new RedirProvider({ port, clock, logger }, { namespace: 'turn-server', providerId });
  });
  return { clock, port, logs, providers, tree: providers[0]?.tree };
}

describe('redir — provider', () => {
  it('refreshes at 90 % of the 10 min lifetime, so the registration outlives it', async () => {
    const { clock, port, providers, tree } = setup();
    const [provider] = providers;
    if (!provider || !tree) throw new Error('setup');
    await provider.register();
    expect(provider.state).toBe('registered');
    const first = port.stores;
    await clock.advance(9 * MINUTE_MS - 1);
    expect(port.stores).toBe(first);
    await clock.advance(1);
    expect(port.stores).toBe(2 * first);
    // Long after the first records would have expired, the provider is still found.
    await clock.advance(60 * MINUTE_MS);
    expect((await lookupProvider(port, tree, idOf('client'))).provider?.id).toBe(idOf('relay-0'));
    provider.stop();
  });

  it('removes its records on withdraw (exists = false) and stops refreshing', async () => {
    const { clock, port, providers, tree, logs } = setup({ providers: 3 });
    if (!tree) throw new Error('setup');
    for (const provider of providers) await provider.register();
    const [gone, ...others] = providers as [RedirProvider, ...RedirProvider[]];
    await gone.withdraw();
    expect(gone.state).toBe('idle');
    expect(logs).toContain('ReDiR registration withdrawn');
    for (let i = 0; i < 50; i++) {
      const { provider } = await lookupProvider(port, tree, idOf(`key-${i}`));
      expect(provider?.id).not.toBe(idOf('relay-0'));
    }
    const keys: NodeId[] = [];
    const store = port.storeRecord.bind(port);
    port.storeRecord = (resourceId, request: RedirStoreRequest, options) => {
      keys.push(request.key);
      return store(resourceId, request, options);
    };
    await clock.advance(30 * MINUTE_MS);
    // Three refresh rounds of the two others, none of the withdrawn one.
    expect(new Set(keys)).toEqual(new Set([idOf('relay-1'), idOf('relay-2')]));
    for (const provider of others) await provider.withdraw();
    expect((await lookupProvider(port, tree, idOf('key'))).provider).toBeUndefined();
  });

  it('leaves its records to expire when stopped', async () => {
    const { clock, port, providers, tree } = setup();
    const [provider] = providers;
    if (!provider || !tree) throw new Error('setup');
    await provider.register();
    provider.stop();
    await clock.advance(10 * MINUTE_MS - 1);
    expect((await lookupProvider(port, tree, idOf('client'))).provider).toBeDefined();
    await clock.advance(1);
    expect((await lookupProvider(port, tree, idOf('client'))).provider).toBeUndefined();
  });

  it('retries a failed registration in the background and logs why', async () => {
    const { clock, port, providers, logs } = setup();
    const [provider] = providers;
    if (!provider) throw new Error('setup');
    const store = port.storeRecord.bind(port);
    let failures = 2;
    port.storeRecord = (resourceId, request: RedirStoreRequest, options) =>
      failures-- > 0 ? Promise.reject(new Error('peer unreachable')) : store(resourceId, request, options);
    await expect(provider.register()).rejects.toThrow('peer unreachable');
    expect(provider.state).toBe('retrying');
    await clock.advance(10_000);
    expect(logs).toContain('ReDiR registration failed');
    expect(provider.state).toBe('retrying');
    await clock.advance(10_000);
    expect(provider.state).toBe('registered');
    provider.stop();
  });

  it('refuses settings outside their range', () => {
    const { port, clock } = setup();
    const codeOf = (init: object): string | undefined => {
      try {
        new RedirProvider({ port, clock }, { namespace: 'turn-server', providerId: idOf('p'), ...init });
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return undefined;
    };
    expect(codeOf({ lifetimeMs: 1500 })).toBe('INVALID_REDIR_SETTINGS');
    expect(codeOf({ refreshRatio: 1 })).toBe('INVALID_REDIR_SETTINGS');
    expect(codeOf({ branchingFactor: 1 })).toBe('INVALID_REDIR_SETTINGS');
    expect(codeOf({})).toBeUndefined();
  });
});
