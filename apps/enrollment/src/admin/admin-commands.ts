import { parseRevocationTarget } from '@p2psip/ca';
import { UsageError, printResult } from '@p2psip/cli';
import { enrollmentV1 } from '@p2psip/proto';
import { callUnary } from '@p2psip/rpc';
import type { Command } from 'commander';
import { connectAdmin } from './admin-client';
import { KIND_SPEC_HELP, mergeKinds, parseKindId, parseKindSpec } from './kind-spec';

interface DirOption {
  readonly dir: string;
  readonly json?: boolean;
}

const TIMEOUT_MS = 15_000;

/** `user …`, `cert …`, `config …` and `stats`: the admin service from the command line. */
export function addAdminCommands(program: Command): void {
  const user = program.command('user').description('manage users (needs a running server)');
  withDir(
    user
      .command('add')
      .argument('<user>', 'user@domain')
      .requiredOption('--password <password>', 'initial password'),
  )
    .description('add a user that may enroll')
    .action((name: string, options: DirOption & { password: string }) =>
      admin(options, async (client) => {
        const { user: added } = await callUnary(
          client,
          'addUser',
          { username: name, password: options.password },
          { timeoutMs: TIMEOUT_MS },
        );
        printResult(userJson(added), options, (u) => `added ${u.userName}`);
      }),
    );
  withDir(
    user
      .command('disable')
      .argument('<user>', 'user@domain')
      .option('--revoke', 'also revoke the user’s certificates'),
  )
    .description('stop a user from enrolling')
    .action((name: string, options: DirOption & { revoke?: boolean }) =>
      admin(options, async (client) => {
        const answer = await callUnary(
          client,
          'disableUser',
          {
            username: name,
            revokeCertificates: options.revoke ?? false,
            reason: enrollmentV1.RevocationReason.REVOCATION_REASON_PRIVILEGE_WITHDRAWN,
          },
          { timeoutMs: TIMEOUT_MS },
        );
        const result = { user: userJson(answer.user), revoked: answer.revoked.map(certificateJson) };
        printResult(
          result,
          options,
          (r) => `disabled ${r.user.userName}; revoked ${r.revoked.length} certificate(s)`,
        );
      }),
    );
  withDir(user.command('list'))
    .description('list users')
    .action((options: DirOption) =>
      admin(options, async (client) => {
        const users = await allPages(
          (pageToken) =>
            callUnary(client, 'listUsers', { pageSize: 1000, pageToken }, { timeoutMs: TIMEOUT_MS }),
          (p) => p.users,
        );
        printResult(users.map(userJson), options, (list) =>
          list
            .map((u) => `${u.userName}\t${u.disabled ? 'disabled' : 'enabled'}\t${u.nodeIds.join(',')}`)
            .join('\n'),
        );
      }),
    );

  const cert = program.command('cert').description('certificates (needs a running server)');
  withDir(
    cert
      .command('list')
      .option('--user <user>', 'only this user')
      .option('--node-id <hex>', 'only this Node-ID')
      .option('--status <status>', 'only active, revoked or expired certificates'),
  )
    .description('list issued certificates')
    .action((options: DirOption & { user?: string; nodeId?: string; status?: string }) =>
      admin(options, async (client) => {
        const nodeId = options.nodeId ? nodeIdBytes(options.nodeId) : Buffer.alloc(0);
        const status = certificateStatus(options.status);
        const certificates = await allPages(
          (pageToken) =>
            callUnary(
              client,
              'listCertificates',
              { username: options.user ?? '', nodeId, status, pageSize: 1000, pageToken },
              { timeoutMs: TIMEOUT_MS },
            ),
          (p) => p.certificates,
        );
        printResult(certificates.map(certificateJson), options, (list) =>
          list.map((c) => `${c.serialNumber}\t${c.status}\t${c.userName}\t${c.nodeIds.join(',')}`).join('\n'),
        );
      }),
    );
  withDir(
    cert
      .command('revoke')
      .argument('<serial-or-Node-ID>', 'hex serial, or a 32-hex Node-ID (all its certificates)')
      .option('--reason <reason>', 'key_compromise, superseded, …', 'unspecified'),
  )
    .description('revoke certificates')
    .action((target: string, options: DirOption & { reason: string }) =>
      admin(options, async (client) => {
        const parsed = parseRevocationTarget(target);
        const reason = enrollmentV1.revocationReasonFromJSON(
          `REVOCATION_REASON_${options.reason.toUpperCase()}`,
        );
        if (reason === enrollmentV1.RevocationReason.UNRECOGNIZED)
          throw new UsageError(`unknown revocation reason ${options.reason}`);
        const request = {
          target:
            'serialNumber' in parsed
              ? { $case: 'serialNumber' as const, serialNumber: parsed.serialNumber }
              : { $case: 'nodeId' as const, nodeId: Buffer.from(parsed.nodeId, 'hex') },
          reason,
        };
        const answer = await callUnary(client, 'revokeCertificate', request, { timeoutMs: TIMEOUT_MS });
        printResult(answer.revoked.map(certificateJson), options, (list) =>
          list.map((c) => `revoked ${c.serialNumber} (${c.userName})`).join('\n'),
        );
      }),
    );

  const config = program
    .command('config')
    .description('the overlay configuration document (needs a running server)');
  withDir(config.command('show'))
    .description('show the settings behind the configuration document')
    .action((options: DirOption) =>
      admin(options, async (client) => {
        const { configuration } = await callUnary(
          client,
          'getOverlayConfiguration',
          {},
          { timeoutMs: TIMEOUT_MS },
        );
        printResult(configurationJson(configuration), options, (c) => JSON.stringify(c, null, 2));
      }),
    );
  withDir(
    config
      .command('set')
      .option('--bootstrap <host:port...>', 'bootstrap nodes (replaces the list)')
      .option('--self-registration <on|off>', 'let unknown users register on first enrollment')
      .option('--allowed-domain <domain...>', 'domains user names may be in (replaces the list)')
      .option('--max-node-ids <n>', 'Node-IDs one user may hold (a peer process with --count N needs N)')
      .option('--kind <spec...>', `add or replace kinds: ${KIND_SPEC_HELP}`)
      .option('--remove-kind <id...>', 'remove kinds by Kind-ID'),
  )
    .description('change the configuration; a newly signed document with the next sequence is served')
    .action(
      (
        options: DirOption & {
          bootstrap?: string[];
          selfRegistration?: string;
          allowedDomain?: string[];
          maxNodeIds?: string;
          kind?: string[];
          removeKind?: string[];
        },
      ) =>
        admin(options, async (client) => {
          const { configuration } = await callUnary(
            client,
            'getOverlayConfiguration',
            {},
            { timeoutMs: TIMEOUT_MS },
          );
          if (!configuration) throw new Error('the server sent no configuration');
          const next: enrollmentV1.OverlayConfiguration = {
            ...configuration,
            ...(options.bootstrap ? { bootstrapNodes: options.bootstrap.map(parseHostPort) } : {}),
            ...(options.selfRegistration ? { selfRegistration: parseOnOff(options.selfRegistration) } : {}),
            ...(options.allowedDomain ? { allowedDomains: options.allowedDomain } : {}),
            ...(options.maxNodeIds ? { maxNodeIdsPerUser: positiveCount(options.maxNodeIds) } : {}),
            ...(options.kind || options.removeKind
              ? {
                  kinds: mergeKinds(
                    configuration.kinds,
                    (options.kind ?? []).map(parseKindSpec),
                    (options.removeKind ?? []).map(parseKindId),
                  ),
                }
              : {}),
          };
          const answer = await callUnary(
            client,
            'updateOverlayConfiguration',
            { configuration: next, expectedSequence: configuration.sequence },
            { timeoutMs: TIMEOUT_MS },
          );
          printResult(
            { sequence: answer.sequence },
            options,
            (r) => `configuration sequence is now ${r.sequence}`,
          );
        }),
    );

  withDir(program.command('stats'))
    .description('counts of users and certificates')
    .action((options: DirOption) =>
      admin(options, async (client) => {
        const stats = await callUnary(client, 'getStats', {}, { timeoutMs: TIMEOUT_MS });
        printResult(stats, options, (s) =>
          Object.entries(s)
            .map(([key, value]) => `${key}\t${String(value)}`)
            .join('\n'),
        );
      }),
    );
}

function withDir(command: Command): Command {
  return command
    .requiredOption('--dir <state-dir>', 'the server’s state dir (finds the server and the admin credential)')
    .option('--json', 'print JSON');
}

async function admin(
  options: DirOption,
  run: (client: Awaited<ReturnType<typeof connectAdmin>>) => Promise<void>,
): Promise<void> {
  const client = await connectAdmin(options.dir);
  try {
    await run(client);
  } finally {
    client.close();
  }
}

async function allPages<P extends { nextPageToken: string }, T>(
  fetchPage: (token: string) => Promise<P>,
  items: (page: P) => T[],
): Promise<T[]> {
  const all: T[] = [];
  let token = '';
  do {
    const page = await fetchPage(token);
    all.push(...items(page));
    token = page.nextPageToken;
  } while (token !== '');
  return all;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function userJson(user: enrollmentV1.User | undefined) {
  return {
    userName: user?.username ?? '',
    disabled: user?.disabled ?? false,
    nodeIds: (user?.nodeIds ?? []).map(hex),
  };
}

function certificateJson(info: enrollmentV1.CertificateInfo) {
  return {
    serialNumber: info.serialNumber,
    userName: info.username,
    nodeIds: info.nodeIds.map(hex),
    status: enrollmentV1
      .certificateStatusToJSON(info.status)
      .replace('CERTIFICATE_STATUS_', '')
      .toLowerCase(),
    notBefore: new Date(Number(info.notBeforeMs)).toISOString(),
    notAfter: new Date(Number(info.notAfterMs)).toISOString(),
    ...(info.revokedAtMs > 0n ? { revokedAt: new Date(Number(info.revokedAtMs)).toISOString() } : {}),
  };
}

function configurationJson(configuration: enrollmentV1.OverlayConfiguration | undefined) {
  if (!configuration) return {};
  return {
    overlay: configuration.overlayName,
    sequence: configuration.sequence,
    bootstrapNodes: configuration.bootstrapNodes.map((node) => `${node.host}:${node.port}`),
    selfRegistration: configuration.selfRegistration,
    allowedDomains: configuration.allowedDomains,
    maxMessageSize: configuration.maxMessageSizeBytes,
    initialTtl: configuration.initialTtl,
    maxNodeIdsPerUser: configuration.maxNodeIdsPerUser,
    kinds: configuration.kinds.map((kind) => ({
      id: kind.id,
      name: kind.name,
      dataModel: kind.dataModel,
      accessPolicy: kind.accessPolicy,
      maxCount: kind.maxCount,
      maxSize: kind.maxSizeBytes,
    })),
  };
}

function certificateStatus(text: string | undefined): enrollmentV1.CertificateStatus {
  if (text === undefined) return enrollmentV1.CertificateStatus.CERTIFICATE_STATUS_UNSPECIFIED;
  const status = enrollmentV1.certificateStatusFromJSON(`CERTIFICATE_STATUS_${text.toUpperCase()}`);
  if (status === enrollmentV1.CertificateStatus.UNRECOGNIZED)
    throw new UsageError(`--status is active, revoked or expired, got ${text}`);
  return status;
}

function nodeIdBytes(text: string): Buffer {
  if (!/^[0-9a-f]{32}$/i.test(text))
    throw new UsageError(`--node-id takes 32 hex digits, got ${JSON.stringify(text)}`);
  return Buffer.from(text, 'hex');
}

function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535)
    throw new UsageError(`expected host:port, got ${JSON.stringify(text)}`);
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

function positiveCount(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 1000)
    throw new UsageError(`expected a count in 1..1000, got ${JSON.stringify(text)}`);
  return value;
}

function parseOnOff(text: string): boolean {
  if (text === 'on' || text === 'true') return true;
  if (text === 'off' || text === 'false') return false;
  throw new UsageError(`expected on or off, got ${JSON.stringify(text)}`);
}
