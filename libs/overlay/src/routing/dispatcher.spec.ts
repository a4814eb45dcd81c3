import type { NodeId } from '@p2psip/identity';
import type { Link, MessageSecurity } from '../components';
import { nodeDestination, type MessageBody, type OverlayMessage } from '../messages';
import { resolveSettings } from '../settings';
import { FakeLink } from '../testing';
import { RequestDispatcher } from './dispatcher';
import type { Router } from './router';
import type { Transactions } from './transactions';

const self = 0x10n as NodeId;
const neighbour = 0x20n as NodeId;
const farAway = 0x30n as NodeId;

/** A link whose transport proved the remote's Node-ID (as a TLS link checked at set-up does). */
class AuthenticatedLink extends FakeLink {
  readonly authenticatesRemote = true;
}

describe('overlay — where originator signatures are checked', () => {
  let verified: NodeId[];
  let replies: MessageBody[];
  let dispatcher: RequestDispatcher;
  // Every signature fails: a message that reaches the handler was not checked.
  const security: MessageSecurity = {
    verify: (_message, originator) => {
      verified.push(originator);
      return false;
    },
  };

  beforeEach(() => {
    verified = [];
    replies = [];
    const router = {
      reply: (_request: OverlayMessage, _from: Link | undefined, body: MessageBody) => replies.push(body),
      reject: () => undefined,
    } as unknown as Router;
    dispatcher = new RequestDispatcher(
      {
        self,
        clock: { now: () => 0, schedule: () => ({ cancel: () => undefined }) },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined },
        settings: resolveSettings(),
      },
      router,
      security,
    );
    dispatcher.register('ping_req', () => ({ type: 'ping_ans' }));
  });

  const ping = (via: NodeId[], transactionId: bigint): OverlayMessage => ({
    header: { ttl: 10, transactionId, via: via.map(nodeDestination), destinations: [] },
    body: { type: 'ping_req' },
    wire: {},
  });
  const transactions = { onAnswer: () => true } as unknown as Transactions;

  it('trusts a message straight from its originator over an authenticated link', () => {
    dispatcher.deliver(ping([], 1n), new AuthenticatedLink(neighbour), transactions);
    expect(verified).toEqual([]);
    expect(replies).toEqual([{ type: 'ping_ans' }]);
  });

  it('checks a forwarded message even on an authenticated link, and drops a bad one', () => {
    dispatcher.deliver(ping([farAway], 2n), new AuthenticatedLink(neighbour), transactions);
    expect(verified).toEqual([farAway]);
    expect(replies).toEqual([]);
  });

  it('checks a message from a link that authenticates nobody', () => {
    dispatcher.deliver(ping([], 3n), new FakeLink(neighbour), transactions);
    expect(verified).toEqual([neighbour]);
    expect(replies).toEqual([]);
  });
});
