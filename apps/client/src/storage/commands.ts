import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UsageError, integerArgument, printResult } from '@p2psip/cli';
import { readIdentity } from '@p2psip/enrollment-client';
import { resourceIdOfName } from '@p2psip/identity';
import { attach } from './attachment';
import { type Slot, StorageClient } from './storage-client';

interface CommonOptions {
  kind: string;
  identity: string;
  peer?: string;
  bootstrap?: string;
  timeoutMs: number;
  key?: string;
  keyHex?: Buffer;
  index?: number;
  json?: boolean;
}

interface StoreOptions extends CommonOptions {
  value?: string;
  remove?: boolean;
  lifetime: number;
  generation?: bigint;
  storageTime?: bigint;
}

/** `p2psip store|fetch|stat`: any kind at any resource name, through an attachment peer. */
export function addStorageCommands(program: Command): void {
  withCommon(program.command('store'))
    .description('sign a value with your identity and store it at the peer responsible for <name>')
    .option('--value <text>', 'the value (UTF-8 text)')
    .option('--remove', 'store a removal (exists = false) for the slot instead of a value')
    .option('--lifetime <s>', 'seconds the value lives', integerArgument(0, 0xffffffff), 3600)
    .option(
      '--generation <n>',
      'store only if the kind’s generation counter is still n (0 = any)',
      uint64Argument,
    )
    .option('--storage-time <ms>', 'storage_time of the value, ms since 1970 (default: now)', uint64Argument)
    .action((name: string, options: StoreOptions) =>
      withStorage(options, async (storage) => {
        if ((options.value === undefined) === !options.remove) {
          throw new UsageError('give exactly one of --value <text> and --remove');
        }
        const kind = storage.kind(options.kind);
        const result = await storage.store(resourceIdOfName(name), kind, {
          value: Buffer.from(options.value ?? '', 'utf8'),
          exists: !options.remove,
          slot: slotOf(options),
          lifetimeS: options.lifetime,
          generation: options.generation ?? 0n,
          storageTimeMs: options.storageTime ?? BigInt(Date.now()),
        });
        printResult({ name, ...result }, options, (r) =>
          [
            `stored at ${r.resourceId} kind ${r.kind}, generation ${r.generation}`,
            `responsible ${r.responsible}; replicas ${r.replicas.join(', ') || 'none'}`,
          ].join('\n'),
        );
      }),
    );
  withCommon(program.command('fetch'))
    .description('fetch the values of a kind at <name>; every signature is checked here')
    .action((name: string, options: CommonOptions) =>
      withStorage(options, async (storage) => {
        const result = await storage.fetch(
          resourceIdOfName(name),
          storage.kind(options.kind),
          slotOf(options),
        );
        printResult({ name, ...result }, options, (r) =>
          [
            ...r.values.map(
              (v) =>
                `${v.index !== undefined ? `[${v.index}] ` : v.key !== undefined ? `${v.key}: ` : ''}${v.exists ? v.value : '(none)'}${v.signer ? `  — ${v.signer}` : ''}`,
            ),
            `${r.values.length} value(s) from ${r.responder}${r.dropped > 0 ? `; ${r.dropped} dropped: bad signature` : ''}`,
          ].join('\n'),
        );
        if (result.dropped > 0) process.exitCode = 3;
      }),
    );
  withCommon(program.command('stat'))
    .description('describe the stored values of a kind at <name> and which peers hold a copy')
    .action((name: string, options: CommonOptions) =>
      withStorage(options, async (storage) => {
        const result = await storage.stat(
          resourceIdOfName(name),
          storage.kind(options.kind),
          slotOf(options),
        );
        printResult({ name, ...result }, options, (r) =>
          [
            ...r.values.map(
              (v) => `${v.exists ? `${v.valueLength} bytes` : '(none)'} sha256 ${v.hash.slice(0, 16)}…`,
            ),
            `generation ${r.generation}; responsible ${r.responsible}; ${r.copies} cop${r.copies === 1 ? 'y' : 'ies'}`,
            ...r.replicas.map((p) => `  replica ${p.nodeId} ${p.holds ? 'holds it' : 'does NOT hold it'}`),
          ].join('\n'),
        );
      }),
    );
}

function withCommon(command: Command): Command {
  return command
    .argument('<name>', 'resource name or SIP AOR (e.g. alice@p2psip.test)')
    .requiredOption('--kind <id>', 'Kind-ID (decimal or 0x…) or registered name (e.g. SIP-REGISTRATION)')
    .requiredOption('--identity <dir>', 'your enrolled identity (cert.pem, key.pem, ca.pem)')
    .option('--peer <host:port>', 'the peer to attach to')
    .option('--bootstrap <host:port>', 'a bootstrap service that names peers to attach to')
    .option('--key <text>', 'DICTIONARY: the key as UTF-8 text')
    .option('--key-hex <hex>', 'DICTIONARY: the key as hex bytes', hexArgument)
    .option('--index <i>', 'ARRAY: the index (store: default appends)', integerArgument(0, 0xfffffffe))
    .option('--timeout-ms <ms>', 'deadline of each call', integerArgument(1), 15_000)
    .option('--json', 'print one JSON object');
}

async function withStorage(
  options: CommonOptions,
  run: (storage: StorageClient) => Promise<void>,
): Promise<void> {
  if (!options.peer && !options.bootstrap)
    throw new UsageError('give --peer <host:port> or --bootstrap <host:port>');
  if (options.key !== undefined && options.keyHex) throw new UsageError('give --key or --key-hex, not both');
  const identity = await readIdentity(options.identity);
  if (!identity)
    throw new UsageError(`${options.identity} holds no enrolled identity (cert.pem, key.pem, ca.pem)`);
  const attachment = await attach(identity, options);
  try {
    await run(new StorageClient(attachment, identity, options.timeoutMs));
  } finally {
    attachment.close();
  }
}

function slotOf(options: CommonOptions): Slot {
  const key = options.keyHex ?? (options.key !== undefined ? Buffer.from(options.key, 'utf8') : undefined);
  return { ...(options.index !== undefined ? { index: options.index } : {}), ...(key ? { key } : {}) };
}

function uint64Argument(text: string): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > (1n << 64n) - 1n) {
    throw new InvalidArgumentError(`expected an unsigned 64-bit integer, got ${text}`);
  }
  return BigInt(text);
}

function hexArgument(text: string): Buffer {
  if (!/^([0-9a-f]{2})+$/i.test(text)) throw new InvalidArgumentError(`expected hex bytes, got ${text}`);
  return Buffer.from(text, 'hex');
}
