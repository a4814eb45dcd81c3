import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { UsageError, integerArgument, printResult } from '@p2psip/cli';
import { type StoredIdentity, readIdentity } from '@p2psip/enrollment-client';
import { normalizeAor } from '@p2psip/identity';
import { DEFAULT_MAX_HOPS, type SipRegistration, resolveAor } from '@p2psip/sip-usage';
import { type Attachment, attach } from '../storage/attachment';
import { RegistrationClient } from './registration-client';
import { describeLookup, describeRegistration, lookupJson, registrationJson } from './render';

/** `p2psip lookup` exit codes beyond the shared 0 / 1 / 2 (3 is `fetch`'s "values dropped"). */
export const EXIT_VALUES_DROPPED = 3;
export const EXIT_NOT_REGISTERED = 4;
export const EXIT_FORWARDING_LOOP = 5;

const SECOND_MS = 1000;
/** Refresh at ⅔ of the lifetime, so one failed refresh still leaves time to retry. */
const REFRESH_FRACTION = 2 / 3;
const FIRST_RETRY_MS = SECOND_MS;

interface ConnectionOptions {
  identity: string;
  peer?: string;
  bootstrap?: string;
  timeoutMs: number;
  json?: boolean;
}

interface RegisterOptions extends ConnectionOptions {
  expires: number;
  uri?: string;
  keep?: boolean;
  unregister: boolean;
}

interface LookupOptions extends ConnectionOptions {
  maxHops: number;
}

/** `p2psip register|lookup`: SIP-REGISTRATION (RFC 7904) through an attachment peer. */
export function addSipCommands(program: Command): void {
  withConnection(program.command('register'))
    .description(
      'store a SIP-REGISTRATION entry for <AOR> (yours) keyed by your Node-ID: how to reach you ' +
        '([attachment peer, you]) or, with --uri, where to forward',
    )
    .option('--expires <s>', 'lifetime of the entry in seconds', integerArgument(1, 0xffffffff), 3600)
    .option('--uri <sip-uri>', 'store a forwarding URI (e.g. sip:carol@p2psip.test) instead of a route')
    .option('--keep', 'keep running, refresh at ~⅔ of the lifetime until SIGINT/SIGTERM, then unregister')
    .option('--no-unregister', 'with --keep: leave the entry to expire instead of removing it on exit')
    .addHelpText(
      'after',
      '\nExit codes: 0 registered, 1 failure (e.g. AOR_NOT_OWNED, RELOAD_FORBIDDEN), 2 usage.',
    )
    .action((aor: string, options: RegisterOptions) => register(aor, options));
  withConnection(program.command('lookup'))
    .description('show the SIP-REGISTRATION entries of <AOR>, following URI forwarding with a loop guard')
    .option('--max-hops <n>', 'forwards followed before giving up', integerArgument(0, 64), DEFAULT_MAX_HOPS)
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 found (at least one route), 1 failure, 2 usage, 3 found but values were dropped',
        '(bad signature or policy), 4 no registration (none, or forwarding that ends at none),',
        '5 nothing reachable because of a forwarding loop or the hop limit.',
      ].join('\n'),
    )
    .action((aor: string, options: LookupOptions) => lookup(aor, options));
}

function withConnection(command: Command): Command {
  return command
    .argument('<AOR>', 'SIP AOR, e.g. sip:alice@p2psip.test')
    .requiredOption('--identity <dir>', 'your enrolled identity (cert.pem, key.pem, ca.pem)')
    .option('--peer <host:port>', 'the peer to attach to')
    .option('--bootstrap <host:port>', 'a bootstrap service that names peers to attach to')
    .option('--timeout-ms <ms>', 'deadline of each call', integerArgument(1), 15_000)
    .option('--json', 'print JSON (register --keep: one object per event and line)');
}

async function lookup(aor: string, options: LookupOptions): Promise<void> {
  const name = aorArgument(aor);
  const identity = await identityOf(options);
  const attachment = await attach(identity, options);
  try {
    const client = new RegistrationClient(attachment, identity, options.timeoutMs);
    const resolution = await resolveAor(name, client, { maxHops: options.maxHops });
    const found = resolution.routes > 0;
    const result = lookupJson(resolution, found);
    printResult(result, options, describeLookup);
    if (!found) {
      process.exitCode =
        resolution.loops.length > 0 || resolution.hopLimits.length > 0
          ? EXIT_FORWARDING_LOOP
          : EXIT_NOT_REGISTERED;
    } else if (resolution.dropped > 0) process.exitCode = EXIT_VALUES_DROPPED;
  } finally {
    attachment.close();
  }
}

async function register(aor: string, options: RegisterOptions): Promise<void> {
  const name = aorArgument(aor);
  if (options.uri !== undefined) options.uri = forwardingUri(options.uri);
  if (!options.unregister && !options.keep) throw new UsageError('--no-unregister only applies with --keep');
  const identity = await identityOf(options);
  RegistrationClient.checkOwnership(name, identity); // before any network: a clear local refusal
  if (!options.keep) {
    const attachment = await attach(identity, options);
    try {
      printResult(await registerOnce(name, attachment, identity, options), options, renderRegistered);
    } finally {
      attachment.close();
    }
    return;
  }
  await keepRegistered(name, identity, options);
}

/** Registers, then refreshes until SIGINT/SIGTERM; re-attaches after a failed refresh. */
async function keepRegistered(
  name: string,
  identity: StoredIdentity,
  options: RegisterOptions,
): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const refreshMs = Math.max(SECOND_MS, options.expires * SECOND_MS * REFRESH_FRACTION);
  let attachment: Attachment | undefined = await attach(identity, options);
  let client: RegistrationClient | undefined;
  try {
    let failures = 0;
    let registered = false;
    while (!stop.signal.aborted) {
      let delayMs = refreshMs;
      try {
        attachment ??= await attach(identity, options);
        client = new RegistrationClient(attachment, identity, options.timeoutMs);
        const result = await registerOnce(name, attachment, identity, options, client);
        emit({ event: registered ? 'refreshed' : 'registered', ...result }, options, renderRegistered);
        registered = true;
        failures = 0;
      } catch (error) {
        // The first registration must work (wrong AOR, no peer): fail the command. Later, keep trying.
        if (!registered) throw error;
        failures++;
        attachment?.close();
        attachment = undefined;
        delayMs = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), refreshMs);
        emit(
          {
            event: 'refresh-failed',
            aor: name,
            error: error instanceof Error ? error.message : String(error),
            retryInMs: delayMs,
          },
          options,
          (e) => `refresh failed: ${e.error}; retrying in ${e.retryInMs} ms`,
        );
      }
      await sleep(delayMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
    if (options.unregister) {
      attachment ??= await attach(identity, options);
      client ??= new RegistrationClient(attachment, identity, options.timeoutMs);
      const removed = await client.unregister(name, options.expires);
      emit(
        { event: 'unregistered', aor: name, ...removed },
        options,
        (e) => `unregistered ${e.aor} (key ${e.key ?? '?'})`,
      );
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    attachment?.close();
  }
}

async function registerOnce(
  name: string,
  attachment: Attachment,
  identity: StoredIdentity,
  options: RegisterOptions,
  client = new RegistrationClient(attachment, identity, options.timeoutMs),
) {
  const registration: SipRegistration =
    options.uri !== undefined
      ? { type: 'uri', uri: options.uri }
      : { type: 'route', contactPrefs: '', destinations: await client.destinationList() };
  const stored = await client.register(name, registration, options.expires);
  return {
    aor: name,
    nodeId: client.clientNodeId,
    peer: client.peerNodeId,
    registration: registrationJson(registration),
    expires: options.expires,
    resourceId: stored.resourceId,
    responsible: stored.responsible,
    replicas: stored.replicas,
  };
}

function renderRegistered(r: Awaited<ReturnType<typeof registerOnce>> & { event?: string }): string {
  return [
    `${r.event ?? 'registered'} ${r.aor} as ${r.nodeId}: ${describeRegistration(r.registration)}`,
    `  expires in ${r.expires} s; responsible ${r.responsible}; replicas ${r.replicas.join(', ') || 'none'}`,
  ].join('\n');
}

function emit<T>(event: T, options: { json?: boolean }, render: (event: T) => string): void {
  printResult(event, options, render);
}

function aorArgument(aor: string): string {
  try {
    return normalizeAor(aor);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A forwarding target: a sip:/sips: URI, or user@host taken as sip:user@host. */
function forwardingUri(uri: string): string {
  const trimmed = uri.trim();
  const withScheme = /^sips?:/i.test(trimmed) ? trimmed : `sip:${trimmed}`;
  aorArgument(withScheme);
  return withScheme;
}

async function identityOf(options: ConnectionOptions): Promise<StoredIdentity> {
  if (!options.peer && !options.bootstrap)
    throw new UsageError('give --peer <host:port> or --bootstrap <host:port>');
  const identity = await readIdentity(options.identity);
  if (!identity)
    throw new UsageError(`${options.identity} holds no enrolled identity (cert.pem, key.pem, ca.pem)`);
  return identity;
}
