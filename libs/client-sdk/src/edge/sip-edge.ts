import { createHash } from 'node:crypto';
import net from 'node:net';
import { normalizeAor } from '@p2psip/identity';
import { APPLICATION_SIP, TypedEmitter } from '@p2psip/overlay';
import {
  type SipMessage,
  type SipRequest,
  type SipResponse,
  createResponse,
  formatVia,
  newTag,
  parseCSeq,
  parseNameAddr,
  parseSipUri,
  parseVia,
  requiredHeadersProblem,
} from '@p2psip/sip';
import type { TlsIdentity } from '@p2psip/rpc';
import { answerAppAttach } from '../app-channel/app-attach';
import { OverlayChannels } from '../app-channel/overlay-channel';
import { type AppListener, listenForApps } from '../app-channel/tls-channel';
import type { OverlaySession } from '../overlay-session';
import type { CalleeBranch } from '../sip/sip-caller';
import { SipConnection } from '../sip/sip-connection';
import { type Binding, Bindings } from './bindings';
import { StoredRegistrations } from './stored-registrations';
import { DigestAuthenticator } from './digest-auth';
import { type ForkBranch, InviteForks } from './invite-forks';
import { RegisterTransactions } from './register-transactions';
import { type ListenSpec, type LocalSource, SipTransport } from './sip-transport';

/** What the edge needs from the overlay (the CLI wires it to the client session). */
export interface EdgeOverlay {
  /** Stores `aor`'s SIP-REGISTRATION, signed by that user's identity, routing to this edge. */
  register(aor: string, expiresS: number): Promise<void>;
  unregister(aor: string): Promise<void>;
  /** SIP connections to the devices registered for `aor` (AppAttach + TLS). */
  reach(aor: string): Promise<{ branches: CalleeBranch[]; notRegistered: boolean }>;
}

export interface SipEdgeInit {
  /** The SIP domain the edge serves (Digest realm; AORs user@domain). */
  readonly domain: string;
  /** Users allowed to register here: AOR (user@domain) → password. */
  readonly passwords: ReadonlyMap<string, string>;
  /** This edge's Node-ID (hex): Record-Route names it so in-dialog requests find their way back. */
  readonly nodeHex: string;
  readonly identity: TlsIdentity;
  readonly overlay: EdgeOverlay;
  readonly listen: readonly ListenSpec[];
  /** How long a lookup's connections are reused for later requests to the same AOR. @default 30 s */
  readonly reachCacheMs?: number;
}

export type EdgeEvent =
  | {
      readonly event: 'registered';
      readonly aor: string;
      readonly contacts: string[];
      readonly expires: number;
    }
  | { readonly event: 'unregistered'; readonly aor: string }
  /** The AOR's overlay entry (a route to this edge) was stored or renewed, for `lifetime` s. */
  | { readonly event: 'overlay-stored'; readonly aor: string; readonly lifetime: number }
  | { readonly event: 'overlay-error'; readonly aor: string; readonly error: string };

/** Where a request entered the edge, and so where its responses go back to. */
type Ingress =
  { readonly kind: 'local'; readonly source: LocalSource } | { readonly kind: 'remote'; readonly id: number };

const MAX_EXPIRES_S = 3600;
/** Shortest overlay registration the edge stores (phones may register for less; see storeRegistration). */
const OVERLAY_MIN_LIFETIME_S = 60;
/** Expired bindings are swept and overlay entries renewed this often. */
const TICK_MS = 1000;
const DEFAULT_EXPIRES_S = 3600;
const DIALOG_METHODS = new Set(['INVITE', 'SUBSCRIBE']);

/**
 * The SIP edge (DESIGN.md §6): a registrar and a stateless proxy (RFC 3261 §10, §16.11) for
 * unmodified SIP phones. REGISTER (Digest-checked) becomes an overlay registration of the user's
 * AOR; requests to an AOR go to the phones registered here, or through the overlay (AppAttach,
 * mutual TLS) to the edge or client where the callee is registered. The edge keeps no transaction
 * state: responses find their way back through the Via it pushed (whose `p2psip-in` names the
 * connection the request came in on), and Record-Route naming this edge's Node-ID brings in-dialog
 * requests back through both edges.
 */
export class SipEdge extends TypedEmitter<{ event: (event: EdgeEvent) => void }> {
  readonly bindings = new Bindings();
  private readonly transport: SipTransport;
  private readonly auth: DigestAuthenticator;
  private listener: AppListener | undefined;
  private readonly remotes = new Map<number, SipConnection>();
  private readonly remoteByNode = new Map<string, SipConnection>();
  private readonly reachCache = new Map<string, { branches: CalleeBranch[]; untilMs: number }>();
  private readonly resolving = new Set<string>();
  private readonly forks = new InviteForks();
  private readonly stored = new StoredRegistrations();
  /** Contacts last reported in a `registered` event, per AOR. */
  private readonly announced = new Map<string, string>();
  private readonly renewing = new Set<string>();
  /** REGISTER server transactions: retransmissions are answered from here (RFC 3261 §17.2.2). */
  private readonly registrations = new RegisterTransactions<Ingress>(
    (request, ingress) => this.register(request, ingress),
    (response, ingress) => this.send(response, ingress),
  );
  private nextRemote = 1;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly init: SipEdgeInit) {
    super();
    this.transport = new SipTransport((message, source) =>
      this.onMessage(message, { kind: 'local', source }),
    );
    this.auth = new DigestAuthenticator(init.domain);
  }

  async start(): Promise<void> {
    await this.transport.listen(this.init.listen);
    this.listener = await listenForApps(this.init.identity, (channel) =>
      this.adopt(new SipConnection(channel)),
    );
    this.sweeper = setInterval(() => this.tick(), TICK_MS);
    this.sweeper.unref();
  }

  /** Answers the session's AppAttach requests for SIP with this edge's TLS listener, and takes
   * SIP channels relayed through the overlay by nodes that cannot connect to it. */
  answerAppAttachOf(session: OverlaySession): void {
    answerAppAttach(session, APPLICATION_SIP, () => this.tlsAddress);
    OverlayChannels.of(session).accept(APPLICATION_SIP, (channel) => this.adopt(new SipConnection(channel)));
  }

  /** AORs with live phone bindings here. */
  registeredAors(): string[] {
    return this.bindings.aors();
  }

  /** Seconds until the last binding of `aor` expires. */
  remainingSeconds(aor: string): number {
    const live = this.bindings.live(aor);
    return live.length === 0
      ? 0
      : Math.max(...live.map((b) => Math.ceil((b.expiresAtMs - Date.now()) / 1000)));
  }

  /** Bound phone-side addresses (`udp:127.0.0.1:5060` …). */
  get listening(): readonly string[] {
    return this.transport.bound;
  }

  /** Where AppAttach sends other nodes' SIP (`host:port` of the TLS listener). */
  get tlsAddress(): string {
    return this.listener?.address ?? '';
  }

  get malformed(): number {
    return this.transport.counters.malformed;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.forks.clear();
    for (const connection of this.remotes.values()) connection.close();
    await this.listener?.close();
    await this.transport.close();
  }

  // --- incoming ---------------------------------------------------------------------------------

  private onMessage(message: SipMessage, ingress: Ingress): void {
    try {
      const problem = requiredHeadersProblem(message);
      if (problem) {
        if (message.kind === 'request' && message.method !== 'ACK')
          this.respond(message, ingress, 400, `Bad Request (${problem})`);
        return;
      }
      if (message.kind === 'response') return this.relayResponse(message);
      if (ingress.kind === 'local' && ingress.source.transport === 'udp')
        markReceived(message, ingress.source);
      if (message.method === 'REGISTER' && ingress.kind === 'local') {
        return this.guard(message, ingress, () => this.registrations.handle(message, ingress));
      }
      this.guard(message, ingress, () => this.proxy(message, ingress));
    } catch (error) {
      this.refuse(message, ingress, error);
    }
  }

  /** Runs an asynchronous handler; whatever it throws is answered 400 (or dropped), never fatal. */
  private guard(request: SipRequest, ingress: Ingress, run: () => Promise<void>): void {
    run().catch((error: unknown) => this.refuse(request, ingress, error));
  }

  /** A message some header of which did not parse: 400 when it can be answered, else dropped. */
  private refuse(message: SipMessage, ingress: Ingress, error: unknown): void {
    if (message.kind !== 'request' || message.method === 'ACK') return;
    try {
      this.respond(message, ingress, 400, `Bad Request (${errorText(error)})`.slice(0, 100));
    } catch {
      // Not even a response can be built from it (RFC 3261 §8.2.2 lets us drop it).
    }
  }

  /** A TLS connection from or to another node: its requests and responses enter here. */
  private adopt(connection: SipConnection): number {
    const id = this.nextRemote++;
    this.remotes.set(id, connection);
    for (const nodeId of connection.channel.remoteNodeIds)
      this.remoteByNode.set(nodeId.toString(16).padStart(32, '0'), connection);
    connection.on('request', (request) => this.onMessage(request, { kind: 'remote', id }));
    connection.on('response', (response) => this.onMessage(response, { kind: 'remote', id }));
    connection.on('close', () => {
      this.remotes.delete(id);
      for (const [node, c] of this.remoteByNode) if (c === connection) this.remoteByNode.delete(node);
    });
    return id;
  }

  // --- registrar --------------------------------------------------------------------------------

  /** The registrar (RFC 3261 §10.3); resolves with the response it sent. */
  private async register(request: SipRequest, ingress: Ingress): Promise<SipResponse> {
    if (ingress.kind !== 'local') return this.respondWith(request, ingress, 403, 'Forbidden');
    const aor = aorOf(request.headers.get('To'));
    if (!aor || !aor.endsWith(`@${this.init.domain}`) || !this.init.passwords.has(aor)) {
      return this.respondWith(request, ingress, 404, 'Not Found');
    }
    const authorization = request.headers.get('Authorization');
    const verified =
      authorization !== undefined &&
      this.auth.verify(authorization, 'REGISTER', (username) =>
        usernameMatches(username, aor) ? this.init.passwords.get(aor) : undefined,
      );
    if (!verified) {
      const challenge = createResponse(request, 401, 'Unauthorized', { toTag: newTag() });
      challenge.headers.set('WWW-Authenticate', this.auth.challenge());
      this.send(challenge, ingress);
      return challenge;
    }
    const contacts = contactsOf(request);
    if (contacts === 'wildcard') this.bindings.removeAll(aor);
    const live =
      contacts === 'wildcard'
        ? []
        : contacts.length > 0
          ? this.bindings.update(aor, contacts, ingress.source)
          : this.bindings.live(aor);
    try {
      if (live.length > 0) {
        if (!this.stored.isFresh(aor)) await this.storeRegistration(aor);
        this.announceBindings(aor, live);
      } else if (contacts === 'wildcard' || contacts.length > 0) {
        await this.withdrawRegistration(aor);
      }
    } catch (error) {
      this.reportOverlayError(aor, error);
      return this.respondWith(request, ingress, 500, 'Overlay Store Failed');
    }
    return this.accept(request, ingress, live);
  }

  /** 200 with the AOR's bindings and their remaining lifetimes (RFC 3261 §10.3 step 8). */
  private accept(request: SipRequest, ingress: Ingress, live: readonly Binding[]): SipResponse {
    const ok = createResponse(request, 200, 'OK', { toTag: newTag() });
    for (const binding of live) {
      ok.headers.append(
        'Contact',
        `<${binding.contact}>;expires=${Math.max(0, Math.round((binding.expiresAtMs - Date.now()) / 1000))}`,
      );
    }
    this.send(ok, ingress);
    return ok;
  }

  /**
   * Stores (or renews) `aor`'s overlay entry: a route to this edge that outlives the phones'
   * bindings and lives at least OVERLAY_MIN_LIFETIME_S, so that short phone expiries do not cost a
   * store each; the edge withdraws it itself when the last binding goes.
   */
  private async storeRegistration(aor: string): Promise<void> {
    const lifetimeS = Math.max(OVERLAY_MIN_LIFETIME_S, this.remainingSeconds(aor));
    await this.init.overlay.register(aor, lifetimeS);
    this.stored.record(aor, lifetimeS);
    this.emit('event', { event: 'overlay-stored', aor: `sip:${aor}`, lifetime: lifetimeS });
  }

  private async withdrawRegistration(aor: string): Promise<void> {
    this.stored.forget(aor);
    this.announced.delete(aor);
    await this.init.overlay.unregister(aor);
    this.emit('event', { event: 'unregistered', aor: `sip:${aor}` });
  }

  /** A `registered` event when the AOR's set of contacts changed since the last one. */
  private announceBindings(aor: string, live: readonly Binding[]): void {
    const contacts = live.map((b) => b.contact).sort();
    const key = contacts.join(' ');
    if (this.announced.get(aor) === key) return;
    this.announced.set(aor, key);
    this.emit('event', {
      event: 'registered',
      aor: `sip:${aor}`,
      contacts,
      expires: this.remainingSeconds(aor),
    });
  }

  /** Every AOR with bindings stored again (after a new attachment peer: the route changed). */
  restoreRegistrations(): void {
    for (const aor of this.bindings.aors()) this.renew(aor);
  }

  private renew(aor: string): void {
    if (this.renewing.has(aor)) return;
    this.renewing.add(aor);
    this.storeRegistration(aor)
      .catch((error: unknown) => this.reportOverlayError(aor, error))
      .finally(() => this.renewing.delete(aor));
  }

  private reportOverlayError(aor: string, error: unknown): void {
    this.emit('event', { event: 'overlay-error', aor: `sip:${aor}`, error: errorText(error) });
  }

  /** Withdraws the AORs whose last binding expired and renews entries due while bindings live. */
  private tick(): void {
    for (const aor of this.bindings.sweep()) {
      this.withdrawRegistration(aor).catch((error: unknown) => this.reportOverlayError(aor, error));
    }
    for (const aor of this.stored.due()) {
      if (this.bindings.live(aor).length > 0) this.renew(aor);
      else this.stored.forget(aor);
    }
    const now = Date.now();
    for (const [aor, entry] of this.reachCache) if (entry.untilMs <= now) this.reachCache.delete(aor);
  }

  // --- proxy ------------------------------------------------------------------------------------

  private async proxy(request: SipRequest, ingress: Ingress): Promise<void> {
    const branch = topBranch(request);
    if (request.method === 'CANCEL' && this.forks.cancel(branch, request, (r) => this.send(r, ingress)))
      return;
    if (request.method === 'ACK' && this.forks.absorbsAck(branch)) return;
    const maxForwards = Number(request.headers.get('Max-Forwards') ?? '70');
    if (maxForwards <= 0) {
      if (request.method !== 'ACK') this.respond(request, ingress, 483, 'Too Many Hops');
      return;
    }
    request.headers.set('Max-Forwards', String(maxForwards - 1));
    const routes = this.popOwnRoute(request);
    const next = routes[0];
    if (next) {
      const node = paramOf(next, 'p2psip-node');
      if (node) return this.forwardRemote(request, ingress, this.remoteByNode.get(node));
      return this.forwardToUri(request, ingress, uriOf(next));
    }
    const target = safeUri(request.uri);
    if (!target) return this.respond(request, ingress, 416, 'Unsupported URI Scheme');
    if (target.user && (target.host.toLowerCase() === this.init.domain || this.isSelf(target))) {
      // user@domain, or user@<this edge> as phones dial through an outbound proxy (sipp -s bob).
      return this.forwardToAor(request, ingress, `${target.user}@${this.init.domain}`);
    }
    if (!target.user && (target.host.toLowerCase() === this.init.domain || this.isSelf(target))) {
      return this.answerForEdge(request, ingress);
    }
    return this.forwardToUri(request, ingress, request.uri);
  }

  /** A request for the edge itself (`sip:<domain>`, `sip:<edge address>`): OPTIONS is answered. */
  private answerForEdge(request: SipRequest, ingress: Ingress): void {
    if (request.method === 'ACK') return;
    if (request.method !== 'OPTIONS') return this.respond(request, ingress, 404, 'Not Found');
    const ok = createResponse(request, 200, 'OK', { toTag: newTag() });
    ok.headers.set('Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, REGISTER, SUBSCRIBE, NOTIFY');
    ok.headers.set('Accept', 'application/sdp');
    this.send(ok, ingress);
  }

  /**
   * A Route entry for this edge: our Record-Route (`p2psip-node`), or the outbound proxy a phone
   * preloads (`<sip:127.0.0.1:5060;lr>`, no user part) — RFC 3261 §16.4 removes either.
   */
  private namesThisEdge(route: string): boolean {
    if (paramOf(route, 'p2psip-node') === this.init.nodeHex) return true;
    const uri = safeUri(safeNameAddrUri(route));
    return uri !== undefined && uri.user === undefined && this.isSelf(uri);
  }

  /** True when `uri` names one of this edge's own phone-side addresses. */
  private isSelf(uri: ReturnType<typeof parseSipUri>): boolean {
    const host = uri.host.replace(/^\[|\]$/g, '');
    const port = uri.port ?? 5060;
    return this.transport.bound.some((bound) => bound.endsWith(`:${host}:${port}`));
  }

  /** Removes the Route entry that names this edge (we Record-Routed ourselves: RFC 3261 §16.4). */
  private popOwnRoute(request: SipRequest): string[] {
    const routes = request.headers.getAll('Route');
    if (routes.length > 0 && this.namesThisEdge(routes[0])) {
      routes.shift();
      request.headers.remove('Route');
      for (const route of routes) request.headers.append('Route', route);
    }
    return routes;
  }

  private async forwardToAor(request: SipRequest, ingress: Ingress, aor: string): Promise<void> {
    const branch = topBranch(request);
    const invite = request.method === 'INVITE';
    if (invite) {
      if (this.forks.absorbRetransmission(branch, request)) return;
      // 100 at once, so that a UDP phone stops retransmitting while the overlay is asked.
      this.send(createResponse(request, 100, 'Trying'), ingress);
      if (this.resolving.has(branch)) return;
    }
    const local = this.bindings.live(aor);
    let remote: CalleeBranch[] = [];
    if (local.length === 0) {
      this.resolving.add(branch);
      try {
        const reached = await this.reach(aor);
        if (reached.branches.length === 0) {
          if (request.method !== 'ACK')
            this.respond(
              request,
              ingress,
              reached.notRegistered ? 404 : 480,
              reached.notRegistered ? 'Not Found' : 'Temporarily Unavailable',
            );
          return;
        }
        remote = reached.branches;
      } catch (error) {
        if (request.method !== 'ACK')
          this.respond(request, ingress, 480, `Temporarily Unavailable (${errorText(error)})`.slice(0, 120));
        return;
      } finally {
        this.resolving.delete(branch);
      }
    }
    const targets: { uri: string; send: (message: SipMessage) => void; transport: string; sentBy: string }[] =
      [
        ...local.map((binding) => ({
          uri: binding.contact,
          send: (message: SipMessage) => this.transport.send(message, binding.source),
          transport: binding.source.transport === 'tcp' ? 'TCP' : 'UDP',
          sentBy: this.transport.udpAddress ?? '127.0.0.1:5060',
        })),
        // The remote edge or client knows the callee by AOR, not by whatever address reached us.
        ...remote.map((b) => ({
          uri: `sip:${aor}`,
          send: (message: SipMessage) => b.connection.send(message),
          transport: 'TLS',
          sentBy: b.connection.localAddress,
        })),
      ];
    if (!invite) {
      // Non-INVITE requests are not forked (RFC 3261 §16.7 allows it, but MESSAGE/OPTIONS gain little).
      const first = targets[0];
      request.uri = first.uri;
      this.pushVia(request, ingress, first.transport, first.sentBy);
      return first.send(request);
    }
    const branches: ForkBranch[] = targets.map((target, index) => {
      const copy: SipRequest = { ...request, uri: target.uri, headers: request.headers.clone() };
      const forkBranch = this.pushVia(copy, ingress, target.transport, target.sentBy, String(index));
      this.recordRoute(copy);
      return {
        branch: forkBranch,
        forwarded: copy,
        send: target.send,
        unreliable: target.transport === 'UDP',
      };
    });
    this.forks.start(branch, request, (response) => this.send(response, ingress), branches);
  }

  private async reach(aor: string): Promise<{ branches: CalleeBranch[]; notRegistered: boolean }> {
    const cached = this.reachCache.get(aor);
    if (cached && cached.untilMs > Date.now() && cached.branches.every((b) => !b.connection.isClosed)) {
      return { branches: cached.branches, notRegistered: false };
    }
    const reached = await this.init.overlay.reach(aor);
    for (const branch of reached.branches) this.adopt(branch.connection);
    if (reached.branches.length > 0) {
      this.reachCache.set(aor, {
        branches: reached.branches,
        untilMs: Date.now() + (this.init.reachCacheMs ?? 30_000),
      });
    }
    return reached;
  }

  private forwardRemote(request: SipRequest, ingress: Ingress, connection: SipConnection | undefined): void {
    if (!connection || connection.isClosed) {
      if (request.method !== 'ACK') this.respond(request, ingress, 480, 'Temporarily Unavailable');
      return;
    }
    this.pushVia(request, ingress, 'TLS', connection.localAddress);
    this.recordRoute(request);
    connection.send(request);
  }

  private forwardToUri(request: SipRequest, ingress: Ingress, uri: string): void {
    const binding = this.bindings.byContact(uri);
    if (binding) return this.forwardLocal(request, ingress, uri, binding.source);
    const target = safeUri(uri);
    if (!target) return this.respond(request, ingress, 416, 'Unsupported URI Scheme');
    // The edge resolves no host names (RFC 3263 is for a later day): addresses only.
    if (net.isIP(target.host.replace(/^\[|\]$/g, '')) === 0) {
      return this.respond(request, ingress, 404, 'Not Found');
    }
    this.forwardLocal(request, ingress, uri, {
      transport: 'udp',
      host: target.host.replace(/^\[|\]$/g, ''),
      port: target.port ?? 5060,
    });
  }

  private forwardLocal(request: SipRequest, ingress: Ingress, contact: string, source: LocalSource): void {
    // A request for the AOR is retargeted to the phone's contact (RFC 3261 §16.5); in-dialog
    // requests already name it.
    request.uri = contact;
    const address = this.transport.udpAddress ?? '127.0.0.1:5060';
    this.pushVia(request, ingress, source.transport === 'tcp' ? 'TCP' : 'UDP', address);
    this.recordRoute(request);
    this.transport.send(request, source);
  }

  /** Our Via: a branch derived from the incoming one (stateless, §16.11), and where to answer. */
  private pushVia(
    request: SipRequest,
    ingress: Ingress,
    transport: string,
    sentBy: string,
    fork = '',
  ): string {
    const seed = `${this.init.nodeHex}|${topBranch(request)}|${fork}`;
    const branch = `z9hG4bK${createHash('sha1').update(seed).digest('hex').slice(0, 24)}`;
    const via = `SIP/2.0/${transport} ${sentBy};branch=${branch};p2psip-in=${ingressCode(ingress)}`;
    request.headers.prepend('Via', via);
    return branch;
  }

  private recordRoute(request: SipRequest): void {
    if (!DIALOG_METHODS.has(request.method)) return;
    const address = this.transport.udpAddress ?? '127.0.0.1:5060';
    request.headers.prepend('Record-Route', `<sip:${address};lr;p2psip-node=${this.init.nodeHex}>`);
  }

  // --- responses --------------------------------------------------------------------------------

  /** A response to a request we forwarded: pop our Via, send it where its request came from. */
  private relayResponse(response: SipResponse): void {
    const vias = response.headers.getAll('Via');
    const top = vias[0] ? parseVia(vias[0]) : undefined;
    const code = top?.params.get('p2psip-in');
    if (!top || !code) return; // not ours: a stateless proxy drops it (§16.7 step 3)
    vias.shift();
    response.headers.remove('Via');
    for (const via of vias) response.headers.append('Via', via);
    const branch = top.params.get('branch') ?? '';
    if (cseqMethodOf(response) === 'INVITE' && this.forks.onResponse(branch, response)) return;
    if (code.startsWith('c')) {
      this.remotes.get(Number(code.slice(1)))?.send(response);
      return;
    }
    if (code.startsWith('t')) {
      this.transport.send(response, {
        transport: 'tcp',
        host: '',
        port: 0,
        connection: Number(code.slice(1)),
      });
      return;
    }
    const next = vias[0] ? parseVia(vias[0]) : undefined;
    if (next) this.transport.send(response, replyAddress(next));
  }

  /** Our own final answer to `request`. */
  private respond(request: SipRequest, ingress: Ingress, status: number, reason: string): void {
    this.respondWith(request, ingress, status, reason);
  }

  private respondWith(request: SipRequest, ingress: Ingress, status: number, reason: string): SipResponse {
    const response = createResponse(request, status, reason, { toTag: newTag() });
    this.send(response, ingress);
    return response;
  }

  private send(response: SipResponse, ingress: Ingress): void {
    if (ingress.kind === 'remote') {
      this.remotes.get(ingress.id)?.send(response);
      return;
    }
    if (ingress.source.transport === 'tcp') return this.transport.send(response, ingress.source);
    const top = response.headers.get('Via');
    const via = top ? parseVia(top) : undefined;
    this.transport.send(response, via ? replyAddress(via) : ingress.source);
  }
}

/** RFC 3261 §18.2.1 and RFC 3581: note where a UDP request really came from. */
function markReceived(request: SipMessage, source: LocalSource): void {
  const top = request.headers.get('Via');
  if (!top) return;
  const via = parseVia(top);
  via.params.set('received', source.host);
  if (via.params.has('rport')) via.params.set('rport', String(source.port));
  const all = request.headers.getAll('Via');
  all[0] = formatVia(via);
  request.headers.remove('Via');
  for (const value of all) request.headers.append('Via', value);
}

/** Where a UDP response goes (RFC 3261 §18.2.2, RFC 3581 §4). */
function replyAddress(via: ReturnType<typeof parseVia>): { transport: 'udp'; host: string; port: number } {
  const rport = Number(via.params.get('rport'));
  return {
    transport: 'udp',
    host: (via.params.get('received') ?? via.host).replace(/^\[|\]$/g, ''),
    port: Number.isInteger(rport) && rport > 0 ? rport : (via.port ?? 5060),
  };
}

function ingressCode(ingress: Ingress): string {
  if (ingress.kind === 'remote') return `c${ingress.id}`;
  return ingress.source.transport === 'tcp' ? `t${ingress.source.connection}` : 'u';
}

function cseqMethodOf(message: SipMessage): string | undefined {
  try {
    return parseCSeq(message.headers.get('CSeq') ?? '').method;
  } catch {
    return undefined;
  }
}

function topBranch(request: SipRequest): string {
  const top = request.headers.get('Via');
  return (top ? parseVia(top).params.get('branch') : undefined) ?? '';
}

function contactsOf(request: SipRequest): { contact: string; expiresS: number }[] | 'wildcard' {
  const values = request.headers.getAll('Contact');
  const headerExpires = Number(request.headers.get('Expires') ?? DEFAULT_EXPIRES_S);
  if (values.length === 1 && values[0].trim() === '*') return 'wildcard';
  return values.map((value) => {
    const contact = parseNameAddr(value);
    const own = Number(contact.params.get('expires') ?? headerExpires);
    const expiresS = Number.isFinite(own)
      ? Math.min(Math.max(0, Math.floor(own)), MAX_EXPIRES_S)
      : DEFAULT_EXPIRES_S;
    return { contact: contact.uri, expiresS };
  });
}

function aorOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    return normalizeAor(parseNameAddr(header).uri);
  } catch {
    return undefined;
  }
}

function usernameMatches(username: string, aor: string): boolean {
  return username === aor || `${username}@${aor.slice(aor.lastIndexOf('@') + 1)}` === aor;
}

function paramOf(nameAddr: string, name: string): string | undefined {
  try {
    const parsed = parseNameAddr(nameAddr);
    return parseSipUri(parsed.uri).params.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

function safeNameAddrUri(nameAddr: string): string {
  try {
    return parseNameAddr(nameAddr).uri;
  } catch {
    return '';
  }
}

function uriOf(nameAddr: string): string {
  return parseNameAddr(nameAddr).uri;
}

function safeUri(uri: string): ReturnType<typeof parseSipUri> | undefined {
  try {
    return parseSipUri(uri);
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
