import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { idToBytes, resourceIdOf } from '@p2psip/identity';
import { LmdbValueStore } from '@p2psip/persistence';
import {
  Kind,
  KindRegistry,
  MemoryValueStore,
  StorageRules,
  type StoredValue,
  type ValueStore,
  createCertificateTrust,
  signValue,
} from '@p2psip/storage';
import { type TestNodeIdentity, createTestPki } from '@p2psip/testing';

// Memory per stored registration-sized value (issue 5: ≤ 2 kB), measured where it can be measured
// exactly: one process holding the storage rules over each backend, heap after a forced GC. The
// peer-process RSS in `bench:storage` mixes in gRPC buffers and heap growth under load.
// Run with `node --expose-gc` (the npm script does).

const VALUES = Number(process.env.BENCH_VALUES ?? 1000);
const OVERLAY = 'p2psip.test';

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

/** A SIP-REGISTRATION of a realistic size: a URI value of ~180 bytes, keyed by the user's Node-ID. */
function registration(user: TestNodeIdentity, i: number): StoredValue {
  const name = `user${i}@${OVERLAY}`;
  const uri = `sip:user${i}@127.0.0.1:5060;transport=tcp;+sip.instance="<urn:uuid:${'0'.repeat(28)}${String(i).padStart(8, '0')}>"`;
  return signValue(
    {
      resourceId: resourceIdOf(name),
      kind: Kind.SipRegistration,
      item: {
        model: 'DICTIONARY',
        key: idToBytes(user.nodeIds[0]),
        exists: true,
        value: Buffer.from(uri.padEnd(180, ' ')),
      },
      storageTimeMs: BigInt(Date.now()),
      lifetimeS: 3600,
    },
    { certificateDer: user.certificate.der, privateKey: user.keyPem },
  );
}

async function measure(
  label: string,
  store: ValueStore,
  users: readonly TestNodeIdentity[],
  values: readonly StoredValue[],
  caDer: Uint8Array,
): Promise<string> {
  const rules = new StorageRules({
    kinds: new KindRegistry(),
    store,
    trust: createCertificateTrust({ caCertificateDer: caDer, overlay: OVERLAY }),
    now: () => Date.now(),
  });
  gc();
  const before = used();
  const started = performance.now();
  for (const [i, value] of values.entries()) {
    await rules.store(
      resourceIdOf(`user${i}@${OVERLAY}`),
      [{ kind: Kind.SipRegistration, generation: 0n, values: [value] }],
      {
        mode: 'original',
      },
    );
  }
  const seconds = (performance.now() - started) / 1000;
  gc();
  const perValue = (used() - before) / values.length;
  return `| ${label} | ${values.length} | ${(values.length / seconds).toFixed(0)} | ${perValue.toFixed(0)} B | ${users.length} signers (each value's certificate is cached once per signer) |`;
}

async function main(): Promise<void> {
  const pki = await createTestPki(OVERLAY);
  const users: TestNodeIdentity[] = [];
  for (let i = 0; i < VALUES; i++) users.push(await pki.issue({ userName: `user${i}@${OVERLAY}` }));
  const values = users.map((user, i) => registration(user, i));
  const caDer = pki.authority.certificate.der;
  const dir = mkdtempSync(path.join(tmpdir(), 'p2psip-bench-memory-'));
  try {
    console.log(
      `memory per stored value: ${VALUES} SIP-REGISTRATION values of ${values[0].item.value.length} bytes, one signer each`,
    );
    console.log(
      '| backend | values | stores/s (rules, one process) | memory per value (heap + external after GC) | note |',
    );
    console.log('|---|---|---|---|---|');
    const memory = new MemoryValueStore();
    console.log(await measure('memory', memory, users, values, caDer));
    const lmdb = await LmdbValueStore.open({ path: dir });
    console.log(await measure('lmdb (embedded default)', lmdb, users, values, caDer));
    await lmdb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
