import { type SipRequest, type SipResponse, newBranch, newCallId, newTag, parseNameAddr } from '@p2psip/sip';
import { type SipConnection, cseqMethod } from './sip-connection';
import { type DialogParty, buildRequest, inactiveAudioSdp } from './sip-requests';

/** One registered device of the callee, reached over its own AppAttach connection. */
export interface CalleeBranch {
  /** The callee node's Node-ID (hex), for reports. */
  readonly nodeId: string;
  readonly connection: SipConnection;
}

export interface CallParties {
  /** Our AOR as a URI (`sip:alice@domain`). */
  readonly from: string;
  /** The callee's AOR as a URI. */
  readonly to: string;
  readonly timeoutMs: number;
}

/** Progress of `p2psip call`, one object per step. */
export interface CallEvent {
  readonly event: 'trying' | 'ringing' | 'answered' | 'acked' | 'cancelled' | 'bye' | 'ended' | 'failed';
  readonly nodeId: string;
  readonly status?: number;
  readonly reason?: string;
  readonly atMs: number;
}

/**
 * MESSAGE (RFC 3428) to every branch at once, as a forking proxy would; resolves with the best final
 * response (the first 2xx, else the lowest failure) and the branch that gave it.
 */
export async function sendMessage(
  branches: readonly CalleeBranch[],
  parties: CallParties,
  text: string,
): Promise<{ status: number; reason: string; nodeId: string }[]> {
  const callId = newCallId('p2psip.invalid');
  const fromTag = newTag();
  return Promise.all(
    branches.map(async (branch) => {
      const request = buildRequest({
        method: 'MESSAGE',
        requestUri: parties.to,
        from: { uri: parties.from, tag: fromTag },
        to: { uri: parties.to },
        callId,
        cseq: 1,
        sentBy: branch.connection.localAddress,
        body: { type: 'text/plain;charset=utf-8', data: Buffer.from(text, 'utf8') },
      });
      const response = await finalResponse(branch.connection, 'MESSAGE', parties.timeoutMs, () =>
        branch.connection.send(request),
      );
      return { status: response.status, reason: response.reason, nodeId: branch.nodeId };
    }),
  );
}

/**
 * A call (RFC 3261 §13): INVITE with an offer to every branch in parallel; the first 2xx wins and
 * is ACKed, the other branches get CANCEL (or, if they answered too, ACK and BYE, §13.2.2.4); after
 * `holdMs` the caller hangs up with BYE. Reports each step through `onEvent`.
 */
export async function placeCall(
  branches: readonly CalleeBranch[],
  parties: CallParties & { readonly holdMs: number },
  onEvent: (event: CallEvent) => void,
): Promise<{ answeredBy: string | undefined; status: number }> {
  const started = Date.now();
  const report = (event: Omit<CallEvent, 'atMs'>): void => onEvent({ ...event, atMs: Date.now() - started });
  const callId = newCallId('p2psip.invalid');
  const from: DialogParty = { uri: parties.from, tag: newTag() };
  let winner: { branch: CalleeBranch; ok: SipResponse } | undefined;
  /** Via branch of each INVITE still waiting for its final response (what a CANCEL must match). */
  const ringing = new Map<CalleeBranch, string>();
  const outcomes = await Promise.all(
    branches.map(async (branch) => {
      const viaBranch = newBranch();
      const invite = buildRequest({
        branch: viaBranch,
        method: 'INVITE',
        requestUri: parties.to,
        from,
        to: { uri: parties.to },
        callId,
        cseq: 1,
        sentBy: branch.connection.localAddress,
        contact: `${parties.from};transport=tls`,
        body: { type: 'application/sdp', data: inactiveAudioSdp(branch.connection.localAddress, started) },
      });
      const onProvisional = (response: SipResponse): void => {
        if (cseqMethod(response) !== 'INVITE' || response.status >= 200) return;
        report({
          event: response.status === 100 ? 'trying' : 'ringing',
          nodeId: branch.nodeId,
          status: response.status,
          reason: response.reason,
        });
      };
      branch.connection.on('response', onProvisional);
      let response: SipResponse;
      try {
        response = await finalResponse(branch.connection, 'INVITE', parties.timeoutMs, () => {
          ringing.set(branch, viaBranch);
          branch.connection.send(invite);
        });
      } catch (error) {
        report({ event: 'failed', nodeId: branch.nodeId, reason: errorText(error) });
        return 408;
      } finally {
        ringing.delete(branch);
        branch.connection.off('response', onProvisional);
      }
      const to: DialogParty = { uri: parties.to, tag: toTag(response) };
      const inDialog = (method: string, cseq: number) =>
        buildRequest({
          method,
          requestUri: parties.to,
          from,
          to,
          callId,
          cseq,
          sentBy: branch.connection.localAddress,
        });
      if (response.status >= 300) {
        report({ event: 'failed', nodeId: branch.nodeId, status: response.status, reason: response.reason });
        return response.status;
      }
      report({ event: 'answered', nodeId: branch.nodeId, status: response.status, reason: response.reason });
      branch.connection.send(inDialog('ACK', 1));
      report({ event: 'acked', nodeId: branch.nodeId });
      if (winner) {
        // Another device answered first: this one is hung up at once.
        branch.connection.send(inDialog('BYE', 2));
        return response.status;
      }
      winner = { branch, ok: response };
      for (const [other, pending] of ringing) {
        other.connection.send(cancelOf(pending, other, parties, callId, from));
        report({ event: 'cancelled', nodeId: other.nodeId });
      }
      await new Promise((resolve) => setTimeout(resolve, parties.holdMs));
      const bye = await finalResponse(branch.connection, 'BYE', parties.timeoutMs, () =>
        branch.connection.send(inDialog('BYE', 2)),
      ).catch(() => undefined);
      report({
        event: 'bye',
        nodeId: branch.nodeId,
        status: bye?.status ?? 0,
        reason: bye?.reason ?? 'no answer',
      });
      report({ event: 'ended', nodeId: branch.nodeId });
      return response.status;
    }),
  );
  if (winner) return { answeredBy: winner.branch.nodeId, status: winner.ok.status };
  return { answeredBy: undefined, status: Math.min(...outcomes, 699) };
}

/** CANCEL of a ringing INVITE (RFC 3261 §9.1: its Via branch, Request-URI, Call-ID, From, CSeq number). */
function cancelOf(
  viaBranch: string,
  branch: CalleeBranch,
  parties: CallParties,
  callId: string,
  from: DialogParty,
): SipRequest {
  return buildRequest({
    method: 'CANCEL',
    requestUri: parties.to,
    from,
    to: { uri: parties.to },
    callId,
    cseq: 1,
    sentBy: branch.connection.localAddress,
    branch: viaBranch,
  });
}

/** Sends (via `send`) and waits for the final response to `method` on `connection`. */
function finalResponse(
  connection: SipConnection,
  method: string,
  timeoutMs: number,
  send: () => void,
): Promise<SipResponse> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      offResponse();
      offClose();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no final response to ${method} within ${timeoutMs} ms`));
    }, timeoutMs);
    const offResponse = connection.on('response', (response) => {
      if (response.status < 200 || cseqMethod(response) !== method) return;
      done();
      resolve(response);
    });
    const offClose = connection.on('close', () => {
      done();
      reject(new Error(`the connection closed before the final response to ${method}`));
    });
    send();
  });
}

function toTag(response: SipResponse): string | undefined {
  const header = response.headers.get('To');
  if (!header) return undefined;
  try {
    const tag = parseNameAddr(header).params.get('tag');
    return tag ?? undefined;
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
