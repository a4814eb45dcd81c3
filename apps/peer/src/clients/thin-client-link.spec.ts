import { nodeIdFromHex, parseCertificate } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';
import { FakeLink } from '@p2psip/overlay/testing';
import { ClientRequestClock } from './client-request-clock';
import { ThinClientLink } from './thin-client-link';

const client = nodeIdFromHex('00112233445566778899aabbccddeeff');
// The certificate is only carried (for revocation checks), never read by the link.
const certificate = {} as ReturnType<typeof parseCertificate>;

function attached() {
  const inner = new FakeLink(client);
  const warnings: object[] = [];
  const link = new ThinClientLink(inner, certificate, {
    debug() {},
    info() {},
    warn: (o) => warnings.push(o),
  });
  const received: { link: Link; message: OverlayMessage }[] = [];
  const closed: Link[] = [];
  const handler: LinkHandler = {
    onLinkMessage: (from, message) => received.push({ link: from, message }),
    onLinkClose: (from) => closed.push(from),
  };
  link.setHandler(handler);
  return { inner, link, received, closed, warnings };
}

describe('peer — a thin client’s link', () => {
  it('hands the node application and storage requests, as coming from the wrapper', () => {
    const { inner, link, received } = attached();
    for (const type of ['app_attach_req', 'store_req', 'fetch_req', 'ping_req', 'app_attach_ans']) {
      inner.inject({}, { type });
    }
    expect(received.map((r) => r.message.body.type)).toEqual([
      'app_attach_req',
      'store_req',
      'fetch_req',
      'ping_req',
      'app_attach_ans',
    ]);
    // The connection table holds the wrapper: the node must see it, not the inner stream link.
    expect(received.every((r) => r.link === link)).toBe(true);
  });

  it('drops Join, Update, Leave and Attach: a client routes nothing and is nobody’s neighbour', () => {
    const { inner, received, warnings } = attached();
    for (const type of ['join_req', 'update_req', 'leave_req', 'attach_req']) inner.inject({}, { type });
    expect(received).toEqual([]);
    expect(warnings).toHaveLength(4);
  });

  it('reports its close as its own', () => {
    const { link, closed } = attached();
    link.close();
    expect(closed).toEqual([link]);
  });

  it('sends through the client’s stream', () => {
    const { inner, link } = attached();
    const message: OverlayMessage = {
      header: { ttl: 5, transactionId: 1n, via: [], destinations: [{ kind: 'node', id: client }] },
      body: { type: 'app_attach_req' },
    };
    link.send(message);
    expect(inner.sent).toEqual([message]);
    expect(link.remoteNodeId).toBe(client);
  });
  it('times the requests the client sends until their answers go back down its stream', () => {
    const inner = new FakeLink(client);
    const timed: string[] = [];
    const clock = new ClientRequestClock((type, _ms, outcome) => timed.push(`${type} ${outcome}`));
    const link = new ThinClientLink(inner, certificate, { debug() {}, info() {}, warn() {} }, clock);
    link.setHandler({ onLinkMessage: () => undefined, onLinkClose: () => undefined });
    inner.inject({ transactionId: 5n }, { type: 'store_req' });
    inner.inject({ transactionId: 6n }, { type: 'update_req' }); // dropped, so never timed
    link.send({
      header: { ttl: 10, transactionId: 5n, via: [], destinations: [] },
      body: { type: 'store_ans' },
    });
    link.send({
      header: { ttl: 10, transactionId: 6n, via: [], destinations: [] },
      body: { type: 'update_ans' },
    });
    expect(timed).toEqual(['store_req ok']);
  });
});
