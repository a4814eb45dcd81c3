import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { UsageError, integerArgument, printResult } from '@p2psip/cli';
import {
  type CallEvent,
  type ListenEvent,
  type OverlaySession,
  SipAnswerer,
  placeCall,
  sendMessage,
} from '@p2psip/client-sdk';
import { type StoredIdentity, readIdentity } from '@p2psip/enrollment-client';
import { idToHex, normalizeAor } from '@p2psip/identity';
import { type ReachedAor, type SessionOptions, openSession, reachAor } from './calling';
import { EXIT_NOT_REGISTERED } from './commands';
import { RegistrationClient } from './registration-client';

/** `p2psip message|call`: nobody registered could be reached (exit 1 is any other failure). */
export const EXIT_UNREACHABLE = 6;
/** `p2psip message|call`: reached, but the callee refused (a final status ≥ 300). */
export const EXIT_REFUSED = 7;

/** Refresh at ⅔ of the lifetime, so one failed refresh still leaves time to retry. */
const REFRESH_FRACTION = 2 / 3;

interface ConnectionOptions extends SessionOptions {
  identity: string;
  json?: boolean;
}

/** `p2psip listen|message|call`: SIP between thin clients across the overlay (DESIGN.md §6). */
export function addSessionCommands(program: Command): void {
  withConnection(program.command('listen'))
    .description(
      'stay attached, register your AOR with a route to you, answer calls and print messages until SIGINT',
    )
    .option('--expires <s>', 'lifetime of the registration in seconds', integerArgument(10, 0xffffffff), 600)
    .option(
      '--ring-ms <ms>',
      'how long an incoming call rings before it is answered',
      integerArgument(0),
      500,
    )
    .option(
      '--relay-only',
      'offer no address in AppAttach: callers reach you through your attachment peer (a client behind NAT)',
    )
    .addHelpText(
      'after',
      '\nWith --json: one object per event and line (listening, registered, message, call …).',
    )
    .action((options: ConnectionOptions & { expires: number; ringMs: number; relayOnly?: boolean }) =>
      listen(options),
    );
  withConnection(program.command('message'))
    .description('send a SIP MESSAGE with <text> to every registered device of <AOR>')
    .argument('<AOR>', 'SIP AOR, e.g. sip:bob@p2psip.test')
    .argument('<text>', 'the message (text/plain)')
    .addHelpText('after', exitCodes)
    .action((aor: string, text: string, options: ConnectionOptions) => message(aor, text, options));
  withConnection(program.command('call'))
    .description(
      'call <AOR>: INVITE (inactive audio offer) to every registered device, the first 200 wins, ' +
        'ACK, hang up with BYE after --hold-ms. Signalling only: no media flows.',
    )
    .argument('<AOR>', 'SIP AOR, e.g. sip:bob@p2psip.test')
    .option('--hold-ms <ms>', 'how long the call stays up before BYE', integerArgument(0), 1000)
    .addHelpText('after', `${exitCodes}\nWith --json: one object per call event and line, then a summary.`)
    .action((aor: string, options: ConnectionOptions & { holdMs: number }) => call(aor, options));
}

const exitCodes = [
  '',
  'Exit codes: 0 delivered / answered, 1 failure, 2 usage, 4 not registered, 6 no registered device',
  'reachable, 7 refused (final status ≥ 300).',
].join('\n');

function withConnection(command: Command): Command {
  return command
    .requiredOption('--identity <dir>', 'your enrolled identity (cert.pem, key.pem, ca.pem)')
    .option('--peer <host:port>', 'the peer to attach to')
    .option(
      '--bootstrap <host:port>',
      'a bootstrap service that names peers to attach to (and to fail over to)',
    )
    .option(
      '--device <i>',
      'which of your certificate’s Node-IDs to speak as (one per device; enroll --node-ids N)',
      integerArgument(1, 64),
      1,
    )
    .option('--timeout-ms <ms>', 'deadline of each step', integerArgument(1), 15_000)
    .option('--json', 'print JSON');
}

async function message(aor: string, text: string, options: ConnectionOptions): Promise<void> {
  const { identity, from, to } = await parties(aor, options);
  const session = await openSession(identity, options);
  let reached: ReachedAor | undefined;
  try {
    reached = await reachAor(session, identity, normalizeAor(aor), options.timeoutMs);
    if (failedToReach(reached, options)) return;
    const answers = await sendMessage(reached.branches, { from, to, timeoutMs: options.timeoutMs }, text);
    const delivered = answers.some((a) => a.status >= 200 && a.status < 300);
    printResult({ aor: to, delivered, answers, unreachable: reached.unreachable }, options, (r) =>
      [
        ...r.answers.map((a) => `${a.nodeId}: ${a.status} ${a.reason}`),
        ...r.unreachable.map((u) => `${u.nodeId}: unreachable (${u.error})`),
      ].join('\n'),
    );
    if (!delivered) process.exitCode = EXIT_REFUSED;
  } finally {
    await closeAll(session, reached);
  }
}

async function call(aor: string, options: ConnectionOptions & { holdMs: number }): Promise<void> {
  const { identity, from, to } = await parties(aor, options);
  const session = await openSession(identity, options);
  let reached: ReachedAor | undefined;
  try {
    reached = await reachAor(session, identity, normalizeAor(aor), options.timeoutMs);
    if (failedToReach(reached, options)) return;
    const onEvent = (event: CallEvent): void =>
      printResult(event, options, (e) =>
        [`${e.atMs} ms`, e.event, e.nodeId, e.status ?? '', e.reason ?? ''].join(' ').trim(),
      );
    const result = await placeCall(
      reached.branches,
      { from, to, timeoutMs: options.timeoutMs, holdMs: options.holdMs },
      onEvent,
    );
    printResult({ event: 'summary', aor: to, ...result, unreachable: reached.unreachable }, options, (r) =>
      r.answeredBy
        ? `call to ${r.aor} answered by ${r.answeredBy} and ended`
        : `call to ${r.aor} failed (${r.status})`,
    );
    if (!result.answeredBy) process.exitCode = EXIT_REFUSED;
  } finally {
    await closeAll(session, reached);
  }
}

async function closeAll(session: OverlaySession, reached: ReachedAor | undefined): Promise<void> {
  for (const branch of reached?.branches ?? []) branch.connection.close();
  await session.close();
}

/** Prints why nobody was reached and sets the exit code; true when there is nobody to talk to. */
function failedToReach(reached: ReachedAor, options: ConnectionOptions): boolean {
  if (reached.branches.length > 0) return false;
  const notRegistered = reached.notRegistered;
  printResult(
    { aor: reached.aor, delivered: false, notRegistered, unreachable: reached.unreachable },
    options,
    (r) =>
      r.notRegistered
        ? `${r.aor} is not registered`
        : `no registered device of ${r.aor} was reachable:\n${r.unreachable.map((u) => `  ${u.nodeId}: ${u.error}`).join('\n')}`,
  );
  process.exitCode = notRegistered ? EXIT_NOT_REGISTERED : EXIT_UNREACHABLE;
  return true;
}

async function listen(
  options: ConnectionOptions & { expires: number; ringMs: number; relayOnly?: boolean },
): Promise<void> {
  const identity = await identityOf(options);
  const aor = ownAor(identity);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const emit = (event: { readonly event: string; readonly [field: string]: unknown }): void =>
    printResult(event, options, (e) => `${e.event} ${JSON.stringify({ ...e, event: undefined })}`);
  const session = await openSession(identity, options);
  const answerer = await SipAnswerer.start({ identity, aors: [aor], ringMs: options.ringMs });
  answerer.answerAppAttachOf(session, { relayOnly: options.relayOnly === true });
  answerer.on('event', (event: ListenEvent) => emit(event));
  emit({
    event: 'listening',
    aor: `sip:${aor}`,
    nodeId: idToHex(session.nodeId),
    peer: idToHex(session.attachment.peerNodeId),
    address: answerer.address,
  });
  let refresh = new AbortController();
  const keepRegistered = async (signal: AbortSignal): Promise<void> => {
    let retryMs = 500;
    while (!signal.aborted && !stop.signal.aborted) {
      const registrations = new RegistrationClient(session.attachment, identity, options.timeoutMs);
      let waitMs: number;
      try {
        const destinations = await registrations.destinationList();
        await registrations.register(aor, { type: 'route', contactPrefs: '', destinations }, options.expires);
        emit({
          event: 'registered',
          aor: `sip:${aor}`,
          peer: registrations.peerNodeId,
          expires: options.expires,
        });
        waitMs = options.expires * 1000 * REFRESH_FRACTION;
        retryMs = 500;
      } catch (error) {
        emit({ event: 'register-failed', error: error instanceof Error ? error.message : String(error) });
        waitMs = retryMs;
        retryMs = Math.min(retryMs * 2, 10_000);
      }
      await sleep(waitMs, undefined, { signal: AbortSignal.any([signal, stop.signal]) }).catch(
        () => undefined,
      );
    }
  };
  let detachedAt = 0;
  session.on('detached', (peer) => {
    detachedAt = Date.now();
    refresh.abort();
    emit({ event: 'detached', peer: idToHex(peer) });
  });
  session.on('attached', (attachment) => {
    emit({ event: 'reattached', peer: idToHex(attachment.peerNodeId), afterMs: Date.now() - detachedAt });
    refresh = new AbortController();
    void keepRegistered(refresh.signal);
  });
  void keepRegistered(refresh.signal);
  await new Promise<void>((resolve) =>
    stop.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  refresh.abort();
  try {
    const registrations = new RegistrationClient(session.attachment, identity, options.timeoutMs);
    await registrations.unregister(aor, options.expires);
    emit({ event: 'unregistered', aor: `sip:${aor}` });
  } catch (error) {
    emit({ event: 'unregister-failed', error: error instanceof Error ? error.message : String(error) });
  }
  await answerer.close();
  await session.close();
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
}

/** Our AOR (from the certificate's user name) and the callee's, as SIP URIs. */
async function parties(aor: string, options: ConnectionOptions) {
  let callee: string;
  try {
    callee = normalizeAor(aor);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const identity = await identityOf(options);
  return { identity, from: `sip:${ownAor(identity)}`, to: `sip:${callee}` };
}

function ownAor(identity: StoredIdentity): string {
  const user = identity.certificate.userName;
  if (!user) throw new UsageError('the identity carries no user name (an AOR is user@domain)');
  return normalizeAor(user);
}

async function identityOf(options: ConnectionOptions): Promise<StoredIdentity> {
  if (!options.peer && !options.bootstrap)
    throw new UsageError('give --peer <host:port> or --bootstrap <host:port>');
  const identity = await readIdentity(options.identity);
  if (!identity)
    throw new UsageError(`${options.identity} holds no enrolled identity (cert.pem, key.pem, ca.pem)`);
  return identity;
}
