import { type NatsServerHandle, startNatsServer } from '@p2psip/testing';
import { type Bus, connectBus } from './bus';
import {
  ensureRevocationStream,
  publishCertIssued,
  publishCertRevoked,
  revocationEvents,
} from './certificate-events';
import { type CertIssuedEvent, type CertRevokedEvent, decodeEvent } from './events';
import { overlaySubjects } from './subjects';

const overlay = 'p2psip.test';

function revocation(serialNumber: string): CertRevokedEvent {
  return {
    serialNumber,
    userName: 'alice@p2psip.test',
    nodeIds: ['0c51a942f50c828aef82a5af83e8ed59'],
    revokedAtMs: 1,
    reason: 'key compromise',
    notAfterMs: 2,
  };
}

describe('bus — certificate events over a real nats-server', () => {
  let server: NatsServerHandle;
  let bus: Bus;

  beforeEach(async () => {
    server = await startNatsServer();
    bus = await connectBus({ url: server.url, name: 'bus-test' });
    await ensureRevocationStream(bus, overlay);
  });

  afterEach(async () => {
    await bus.close();
    await server.stop();
  });

  it('delivers an issued-certificate event to a subscriber', async () => {
    const subscription = bus.connection.subscribe(overlaySubjects(overlay).certIssued, { max: 1 });
    const event: CertIssuedEvent = {
      serialNumber: 'ab',
      userName: 'a@p2psip.test',
      nodeIds: [],
      issuedAtMs: 1,
      notAfterMs: 2,
    };
    publishCertIssued(bus, overlay, event);
    for await (const message of subscription) expect(decodeEvent(message.data)).toEqual(event);
  });

  it('keeps revocations for subscribers that start later, without duplicates of a retried publish', async () => {
    await publishCertRevoked(bus, overlay, revocation('01'));
    await publishCertRevoked(bus, overlay, revocation('02'));
    await publishCertRevoked(bus, overlay, revocation('02'));

    const late = await connectBus({ url: server.url, name: 'late-peer' });
    const controller = new AbortController();
    const seen: string[] = [];
    try {
      for await (const event of revocationEvents(late, overlay, { signal: controller.signal })) {
        seen.push(event.serialNumber);
        if (seen.length === 2) {
          await publishCertRevoked(bus, overlay, revocation('03'));
        }
        if (seen.length === 3) break;
      }
    } finally {
      controller.abort();
      await late.close();
    }
    expect(seen).toEqual(['01', '02', '03']);
  });

  it('ignores messages that are not event JSON', () => {
    expect(decodeEvent(new TextEncoder().encode('not json'))).toBeUndefined();
    expect(decodeEvent(new TextEncoder().encode('42'))).toBeUndefined();
  });

  it('creates the stream idempotently', async () => {
    await expect(ensureRevocationStream(bus, overlay)).resolves.toBeUndefined();
  });
});
