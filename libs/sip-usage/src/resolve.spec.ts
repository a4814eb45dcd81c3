import { nodeIdFromHex, idToBytes } from '@p2psip/identity';
import { type FetchedRegistration, type RegistrationSource, resolveAor } from './resolve';
import { type SipRegistration, encodeSipRegistration } from './sip-registration';

const NOW = 1_700_000_000_000;
const nodeKey = (n: number) => idToBytes(nodeIdFromHex(n.toString(16).padStart(32, '0')));

function entry(n: number, value: SipRegistration | Uint8Array, extra: Partial<FetchedRegistration> = {}) {
  return {
    key: nodeKey(n),
    exists: true,
    value: value instanceof Uint8Array ? value : encodeSipRegistration(value),
    storageTimeMs: NOW - 10_000,
    lifetimeS: 50,
    signer: null,
    ...extra,
  };
}
const route = (n: number): SipRegistration => ({
  type: 'route',
  contactPrefs: '',
  destinations: [{ kind: 'node', id: nodeIdFromHex(n.toString(16).padStart(32, '0')) }],
});
const forward = (uri: string): SipRegistration => ({ type: 'uri', uri });

/** A fake overlay: resource name → entries, and a log of what was fetched. */
function sourceOf(table: Record<string, FetchedRegistration[]>): RegistrationSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fetch: (name) => {
      asked.push(name);
      return Promise.resolve({ entries: table[name] ?? [], dropped: 0 });
    },
  };
}
const init = {};

describe('sip-usage — resolveAor', () => {
  it('returns the live route entries of an AOR with the remaining lifetime', async () => {
    const source = sourceOf({ 'alice@p2psip.test': [entry(1, route(1))] });
    const result = await resolveAor('sip:alice@P2PSIP.test', source, init);
    expect(result.aor).toBe('alice@p2psip.test');
    expect(result.routes).toBe(1);
    expect(result.entries[0]).toMatchObject({
      nodeId: '00000000000000000000000000000001',
      remainingS: 50,
      hop: 0,
    });
  });

  it('skips removed entries (exists = false)', async () => {
    const source = sourceOf({ 'alice@p2psip.test': [entry(1, new Uint8Array(), { exists: false })] });
    const result = await resolveAor('alice@p2psip.test', source, init);
    expect(result.entries).toEqual([]);
    expect(result.routes).toBe(0);
  });

  it('follows URI forwarding to another AOR', async () => {
    const source = sourceOf({
      'alice@p2psip.test': [entry(1, forward('sip:carol@p2psip.test'))],
      'carol@p2psip.test': [entry(3, route(3))],
    });
    const result = await resolveAor('alice@p2psip.test', source, init);
    expect(result.forwards).toEqual([{ from: 'alice@p2psip.test', to: 'carol@p2psip.test', hop: 1 }]);
    expect(result.entries.map((e) => [e.aor, e.registration?.type])).toEqual([
      ['alice@p2psip.test', 'uri'],
      ['carol@p2psip.test', 'route'],
    ]);
    expect(result.routes).toBe(1);
  });

  it('reports a forwarding loop alice → bob → alice once and stops', async () => {
    const source = sourceOf({
      'alice@p2psip.test': [entry(1, forward('sip:bob@p2psip.test'))],
      'bob@p2psip.test': [entry(2, forward('sips:alice@p2psip.test;transport=tls'))],
    });
    const result = await resolveAor('alice@p2psip.test', source, init);
    expect(result.loops).toEqual([
      {
        from: 'bob@p2psip.test',
        to: 'alice@p2psip.test',
        path: ['alice@p2psip.test', 'bob@p2psip.test', 'alice@p2psip.test'],
      },
    ]);
    expect(source.asked).toEqual(['alice@p2psip.test', 'bob@p2psip.test']);
    expect(result.routes).toBe(0);
  });

  it('reports a self-forward as a loop', async () => {
    const source = sourceOf({ 'alice@p2psip.test': [entry(1, forward('sip:alice@p2psip.test'))] });
    expect((await resolveAor('alice@p2psip.test', source, init)).loops).toHaveLength(1);
  });

  it('stops after 8 hops on a long chain and says so', async () => {
    const table: Record<string, FetchedRegistration[]> = {};
    for (let i = 0; i < 20; i++)
      table[`u${i}@p2psip.test`] = [entry(i + 1, forward(`sip:u${i + 1}@p2psip.test`))];
    const source = sourceOf(table);
    const result = await resolveAor('u0@p2psip.test', source, init);
    expect(source.asked).toHaveLength(9);
    expect(result.hopLimits).toEqual([{ from: 'u8@p2psip.test', to: 'u9@p2psip.test', hop: 9 }]);
    expect(result.loops).toEqual([]);
  });

  it('fetches an AOR reached by two paths once and does not call that a loop', async () => {
    const source = sourceOf({
      'alice@p2psip.test': [
        entry(1, forward('sip:bob@p2psip.test')),
        entry(2, forward('sip:carol@p2psip.test')),
      ],
      'bob@p2psip.test': [entry(3, forward('sip:carol@p2psip.test'))],
      'carol@p2psip.test': [entry(4, route(4))],
    });
    const result = await resolveAor('alice@p2psip.test', source, init);
    expect(source.asked).toEqual(['alice@p2psip.test', 'bob@p2psip.test', 'carol@p2psip.test']);
    expect(result.loops).toEqual([]);
    expect(result.routes).toBe(1);
  });

  it('bounds the AORs one lookup may fetch (fork bombs)', async () => {
    const many = Array.from({ length: 40 }, (_, i) => entry(i + 1, forward(`sip:f${i}@p2psip.test`)));
    const source = sourceOf({ 'alice@p2psip.test': many });
    const result = await resolveAor('alice@p2psip.test', source, { ...init, maxAors: 5 });
    expect(source.asked).toHaveLength(5);
    expect(result.hopLimits).toHaveLength(36);
  });

  it('reports a malformed value with its code and a non-SIP forward as not followed', async () => {
    const source = sourceOf({
      'alice@p2psip.test': [entry(1, Uint8Array.of(2, 0, 9)), entry(2, forward('tel:+15551234'))],
    });
    const result = await resolveAor('alice@p2psip.test', source, init);
    expect(result.entries[0]).toMatchObject({
      registration: undefined,
      error: { code: 'MALFORMED_SIP_REGISTRATION' },
    });
    expect(result.notFollowed).toMatchObject([{ uri: 'tel:+15551234' }]);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      resolveAor('alice@p2psip.test', sourceOf({}), init, { signal: controller.signal }),
    ).rejects.toThrow();
  });
});
