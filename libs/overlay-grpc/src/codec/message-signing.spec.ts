import { nodeIdFromHex } from '@p2psip/identity';
import type { OverlayMessage } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import { createCertificateTrust } from '@p2psip/storage';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { createMessageSecurity } from './message-signing';
import { createProtobufCodec } from './protobuf-codec';
import { STORAGE_BODY_MAPPERS } from './storage-bodies';

const OVERLAY = 'p2psip.test';
const A = nodeIdFromHex('0c51a942f50c828aef82a5af83e8ed59');
const B = nodeIdFromHex('6c1cfd6d5d9e35557d66a1b05f9e2247');
const agreement = { overlay: OVERLAY, configurationSequence: () => 1 };

let pki: TestPki;
let nodeA: TestNodeIdentity;

beforeAll(async () => {
  pki = await createTestPki(OVERLAY);
  nodeA = await pki.issue({ nodeIds: [A] });
}, 30_000);

function ping(): OverlayMessage {
  return {
    header: { ttl: 50, transactionId: 0xdeadbeefn, via: [], destinations: [{ kind: 'node', id: B }] },
    body: { type: 'ping_req' },
  };
}

/** Encodes as the sender, through protobuf bytes, decodes as the next hop. */
function send(codec: ReturnType<typeof createProtobufCodec>, message: OverlayMessage): OverlayMessage {
  const bytes = overlayV1.Message.encode(codec.encode(message)).finish();
  return codec.decode(overlayV1.Message.decode(bytes))!;
}

describe('originator signatures', () => {
  const security = () =>
    createMessageSecurity({
      trust: createCertificateTrust({ caCertificateDer: pki.authority.certificate.der, overlay: OVERLAY }),
    });
  const signing = () =>
    createProtobufCodec({
      agreement,
      extraMappers: STORAGE_BODY_MAPPERS,
      signer: { certificateDer: nodeA.certificate.der, privateKey: nodeA.keyPem },
    });

  it('verifies at the destination after a forwarding hop re-encodes the header', () => {
    const atHop = send(signing(), ping());
    // The hop forwards: new TTL and via list, the same wire form (as the core's router does).
    const forwarded: OverlayMessage = {
      ...atHop,
      header: { ...atHop.header, ttl: 49, via: [{ kind: 'node', id: A }] },
    };
    const plain = createProtobufCodec({ agreement, extraMappers: STORAGE_BODY_MAPPERS });
    const atDestination = send(plain, forwarded);
    expect(security().verify(atDestination, A)).toBe(true);
  });

  it('refuses another originator, an unsigned message, altered bytes and a foreign CA', async () => {
    const received = send(signing(), ping());
    expect(security().verify(received, B)).toBe(false);
    const unsigned = send(createProtobufCodec({ agreement }), ping());
    expect(security().verify(unsigned, A)).toBe(false);
    const wire = received.wire as { contents: Uint8Array };
    const altered = {
      ...received,
      wire: { ...(received.wire as object), contents: Buffer.concat([wire.contents, Buffer.of(0)]) },
    };
    expect(security().verify(altered, A)).toBe(false);
    const otherTxn = { ...received, header: { ...received.header, transactionId: 1n } };
    expect(security().verify(otherTxn, A)).toBe(false);
    const stranger = await (await createTestPki(OVERLAY)).issue({ nodeIds: [A] });
    const forged = send(
      createProtobufCodec({
        agreement,
        signer: { certificateDer: stranger.certificate.der, privateKey: stranger.keyPem },
      }),
      ping(),
    );
    expect(security().verify(forged, A)).toBe(false);
  });

  it('lets a node talk to itself (no wire form)', () => {
    expect(security().verify(ping(), A)).toBe(true);
  });
  it('leaves unsigned only what it originates for the peer at the other end of a peer link', () => {
    const codec = signing();
    const C = nodeIdFromHex('9a0fa2b6d1c04e2db7a1f0c3e5d6b7a8');
    const signed = (message: OverlayMessage, peerLinkTo?: typeof A) =>
      codec.encode(message, peerLinkTo).security?.signature !== undefined;
    expect(signed(ping(), B)).toBe(false);
    // Not for that peer alone: another node, a resource, several destinations, or a client link.
    expect(signed(ping(), C)).toBe(true);
    const toResource: OverlayMessage = {
      ...ping(),
      header: { ...ping().header, destinations: [{ kind: 'resource', id: 5n as never }] },
    };
    expect(signed(toResource, B)).toBe(true);
    const onwards: OverlayMessage = {
      ...ping(),
      header: {
        ...ping().header,
        destinations: [
          { kind: 'node', id: B },
          { kind: 'node', id: C },
        ],
      },
    };
    expect(signed(onwards, B)).toBe(true);
    expect(signed(ping())).toBe(true);
    // A forwarded message keeps its originator's signature, whoever the next hop is.
    const forwarded = send(codec, ping());
    expect(codec.encode(forwarded, B).security?.signature).toBeDefined();
  });
});
