import { type SipMessage, type SipRequest, type SipResponse, SipHeaders, createResponse } from '@p2psip/sip';

/** One target an INVITE was forked to: the request as forwarded there, and how to reach it. */
export interface ForkBranch {
  /** The Via branch this edge put on the forwarded INVITE (its client transaction). */
  readonly branch: string;
  readonly forwarded: SipRequest;
  readonly send: (message: SipMessage) => void;
  /** UDP: the INVITE is retransmitted (Timer A) until the branch answers at all. */
  readonly unreliable: boolean;
}

interface BranchState extends ForkBranch {
  final?: number;
  /** Any response arrived (stops Timer A and Timer B). */
  heard?: boolean;
  timer?: NodeJS.Timeout;
}

interface Fork {
  readonly invite: SipRequest;
  readonly upstream: (response: SipResponse) => void;
  readonly branches: BranchState[];
  /** A 2xx went upstream: later failures are absorbed, other ringing branches cancelled. */
  answered: boolean;
  /** The non-2xx final we sent upstream (re-sent when the INVITE is retransmitted). */
  final?: SipResponse;
  best?: SipResponse;
  expires?: NodeJS.Timeout;
}

/** How long a finished INVITE transaction is remembered to absorb retransmissions (64·T1). */
const LINGER_MS = 32_000;

/**
 * The stateful part of the edge (RFC 3261 §16): INVITEs are forked in parallel to every device of
 * the callee; 100 Trying goes upstream at once and retransmitted INVITEs are absorbed; the first
 * 2xx is forwarded and the other branches get CANCEL (§16.7 step 10); failures are collected and
 * only the best goes upstream once every branch has answered (§16.7 step 6), with ACK sent down
 * for each (§17.1.1.3); an upstream CANCEL is answered 200 and cancels every pending branch.
 * Keyed by the INVITE's top Via branch upstream and by our own branches downstream.
 */
export class InviteForks {
  constructor(
    private readonly timers: { readonly t1Ms: number; readonly timerBMs: number } = {
      t1Ms: 500,
      timerBMs: 32_000,
    },
  ) {}

  private readonly byInvite = new Map<string, Fork>();
  private readonly byBranch = new Map<string, { fork: Fork; state: BranchState }>();

  /** An INVITE seen before (a retransmission) is answered from its state; true if it was. */
  absorbRetransmission(inviteBranch: string, invite: SipRequest): boolean {
    const fork = this.byInvite.get(inviteBranch);
    if (!fork) return false;
    fork.upstream(fork.final ?? createResponse(invite, 100, 'Trying'));
    return true;
  }

  /** Starts a fork (the edge sent 100 Trying on arrival): the INVITE to every branch. */
  start(
    inviteBranch: string,
    invite: SipRequest,
    upstream: (response: SipResponse) => void,
    branches: readonly ForkBranch[],
  ): void {
    const fork: Fork = { invite, upstream, branches: branches.map((b) => ({ ...b })), answered: false };
    this.byInvite.set(inviteBranch, fork);
    for (const state of fork.branches) {
      this.byBranch.set(state.branch, { fork, state });
      state.send(state.forwarded);
      this.retransmit(fork, state, this.timers.t1Ms, 0);
    }
    // A fork nobody answers is dropped after a while (the UAC's own Timer B gives up first).
    this.finishLater(inviteBranch, fork, LINGER_MS * 4);
  }

  /** A response to one of our forwarded INVITEs; false when it is not ours (stateless path). */
  onResponse(branch: string, response: SipResponse): boolean {
    const entry = this.byBranch.get(branch);
    if (!entry) return false;
    const { fork, state } = entry;
    state.heard = true;
    clearTimeout(state.timer);
    if (response.status < 200) {
      if (response.status > 100 && !fork.answered && fork.final === undefined) fork.upstream(response);
      return true;
    }
    if (response.status < 300) {
      state.final = response.status;
      fork.answered = true;
      fork.upstream(response); // every 2xx goes up: the UAC ACKs (and BYEs) extra ones (§13.2.2.4)
      this.cancelPending(fork);
      return true;
    }
    if (state.final !== undefined) return true; // a retransmitted failure: already ACKed
    state.send(ackFor(state.forwarded, response));
    this.branchFailed(fork, state, response);
    return true;
  }

  private branchFailed(fork: Fork, state: BranchState, response: SipResponse): void {
    state.final = response.status;
    if (!fork.best || betterFailure(response.status, fork.best.status)) fork.best = response;
    if (!fork.answered && fork.final === undefined && fork.branches.every((b) => b.final !== undefined)) {
      fork.final = fork.best;
      fork.upstream(fork.best);
    }
  }

  /**
   * Timer A (UDP: resend at T1, 2·T1 … until the branch answers) and Timer B (no answer at all
   * within 64·T1: the branch counts as 408 Request Timeout), RFC 3261 §17.1.1.2.
   */
  private retransmit(fork: Fork, state: BranchState, intervalMs: number, elapsedMs: number): void {
    const remaining = this.timers.timerBMs - elapsedMs;
    const wait = state.unreliable ? Math.min(intervalMs, remaining) : remaining;
    state.timer = setTimeout(() => {
      if (state.heard || state.final !== undefined) return;
      if (elapsedMs + wait >= this.timers.timerBMs) {
        this.branchFailed(fork, state, createResponse(fork.invite, 408, 'Request Timeout'));
        return;
      }
      state.send(state.forwarded);
      this.retransmit(fork, state, Math.min(intervalMs * 2, 4000), elapsedMs + wait);
    }, wait);
    state.timer.unref();
  }

  /** An upstream CANCEL: true when it matched a fork (answered 200 here, branches cancelled). */
  cancel(inviteBranch: string, cancel: SipRequest, respond: (response: SipResponse) => void): boolean {
    const fork = this.byInvite.get(inviteBranch);
    if (!fork) return false;
    respond(createResponse(cancel, 200, 'OK'));
    this.cancelPending(fork);
    return true;
  }

  /** The ACK for a failure we sent upstream is hop-by-hop: it stops here. */
  absorbsAck(inviteBranch: string): boolean {
    const fork = this.byInvite.get(inviteBranch);
    return fork !== undefined && fork.final !== undefined;
  }

  get size(): number {
    return this.byInvite.size;
  }

  clear(): void {
    for (const fork of this.byInvite.values()) {
      clearTimeout(fork.expires);
      for (const state of fork.branches) clearTimeout(state.timer);
    }
    this.byInvite.clear();
    this.byBranch.clear();
  }

  private cancelPending(fork: Fork): void {
    for (const state of fork.branches) {
      if (state.final === undefined) state.send(cancelFor(state.forwarded));
    }
    const key = [...this.byInvite].find(([, f]) => f === fork)?.[0];
    if (key) this.finishLater(key, fork, LINGER_MS);
  }

  private finishLater(key: string, fork: Fork, afterMs: number): void {
    clearTimeout(fork.expires);
    fork.expires = setTimeout(() => {
      this.byInvite.delete(key);
      for (const state of fork.branches) {
        clearTimeout(state.timer);
        this.byBranch.delete(state.branch);
      }
    }, afterMs);
    fork.expires.unref();
  }
}

/** 6xx beats everything; otherwise the lower class wins (RFC 3261 §16.7 step 6). */
function betterFailure(candidate: number, current: number): boolean {
  if (current >= 600) return false;
  if (candidate >= 600) return true;
  return Math.floor(candidate / 100) < Math.floor(current / 100);
}

/** CANCEL of a forwarded INVITE (§9.1): its Request-URI, top Via, Call-ID, From, To, Route, CSeq number. */
function cancelFor(invite: SipRequest): SipRequest {
  return hopByHop(invite, 'CANCEL', invite.headers.get('To') ?? '');
}

/** ACK of a failure (§17.1.1.3): like CANCEL, but To from the response (with its tag). */
function ackFor(invite: SipRequest, response: SipResponse): SipRequest {
  return hopByHop(invite, 'ACK', response.headers.get('To') ?? invite.headers.get('To') ?? '');
}

function hopByHop(invite: SipRequest, method: string, to: string): SipRequest {
  const headers = new SipHeaders();
  headers.set('Via', invite.headers.getAll('Via')[0] ?? '');
  for (const route of invite.headers.getAll('Route')) headers.append('Route', route);
  headers.set('Max-Forwards', '70');
  headers.set('From', invite.headers.get('From') ?? '');
  headers.set('To', to);
  headers.set('Call-ID', invite.headers.get('Call-ID') ?? '');
  const seq = (invite.headers.get('CSeq') ?? '1').trim().split(/\s+/)[0];
  headers.set('CSeq', `${seq} ${method}`);
  return { kind: 'request', method, uri: invite.uri, headers, body: Buffer.alloc(0) };
}
