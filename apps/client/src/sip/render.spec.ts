import { nodeIdFromHex } from '@p2psip/identity';
import type { Resolution } from '@p2psip/sip-usage';
import { describeLookup, lookupJson, registrationJson } from './render';

const P = nodeIdFromHex('de0143d50d2c61c9548927bfb8ff9f80');
const C = nodeIdFromHex('6336a20a49f6e1c0fa71592ec7b18026');

const resolution = (over: Partial<Resolution>): Resolution => ({
  aor: 'alice@p2psip.test',
  entries: [],
  routes: 0,
  forwards: [],
  loops: [],
  hopLimits: [],
  notFollowed: [],
  dropped: 0,
  ...over,
});

describe('client sip — rendering of registrations and lookups', () => {
  it('renders destinations as {kind, id} with 32-digit hex ids', () => {
    expect(
      registrationJson({
        type: 'route',
        contactPrefs: '',
        destinations: [
          { kind: 'node', id: P },
          { kind: 'node', id: C },
        ],
      }),
    ).toEqual({
      type: 'route',
      contactPrefs: '',
      destinations: [
        { kind: 'node', id: 'de0143d50d2c61c9548927bfb8ff9f80' },
        { kind: 'node', id: '6336a20a49f6e1c0fa71592ec7b18026' },
      ],
    });
    expect(registrationJson({ type: 'unknown', code: 9, data: Uint8Array.of(1, 2) })).toEqual({
      type: 'unknown',
      code: 9,
      dataHex: '0102',
    });
  });

  it('prints one line per entry, the loop path, and why nothing was found', () => {
    const text = describeLookup(
      lookupJson(
        resolution({
          entries: [
            {
              type: 'entry',
              aor: 'alice@p2psip.test',
              hop: 0,
              nodeId: '6336a20a49f6e1c0fa71592ec7b18026',
              registration: { type: 'uri', uri: 'sip:bob@p2psip.test' },
              remainingS: 42,
              signer: 'alice@p2psip.test',
            },
          ],
          loops: [
            {
              from: 'bob@p2psip.test',
              to: 'alice@p2psip.test',
              path: ['alice@p2psip.test', 'bob@p2psip.test', 'alice@p2psip.test'],
            },
          ],
        }),
        false,
      ),
    );
    expect(text.split('\n')).toEqual([
      'alice@p2psip.test:',
      '  6336a20a49f6e1c0fa71592ec7b18026  forward → sip:bob@p2psip.test  — 42 s left, signed by alice@p2psip.test',
      'loop: alice@p2psip.test → bob@p2psip.test → alice@p2psip.test (not followed)',
      'no reachable registration for alice@p2psip.test (forwarding loop)',
    ]);
  });
});
