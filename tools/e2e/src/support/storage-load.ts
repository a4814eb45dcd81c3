import { type EnrolledIdentity, enroll } from '@p2psip/enrollment-client';
import { type ResourceId, idToBytes, idToHex, nodeIdFromBytes, resourceIdOf } from '@p2psip/identity';
import {
  CertificateIndex,
  kindDataToProto,
  metaDataFromProto,
  specifierToProto,
  storedValueFromProto,
} from '@p2psip/overlay-grpc';
import { commonV1, peerV1 } from '@p2psip/proto';
import { type TlsIdentity, callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import { createCertificateTrust, signValue, verifyValue } from '@p2psip/storage';

// Many users and values at once, through the peers' client access service, for the storage
// scenarios that the p2psip CLI (one process per call) would make too slow.

export interface LoadUser {
  readonly name: string;
  readonly resourceId: ResourceId;
  readonly identity: EnrolledIdentity;
}

export interface StoredEntry {
  readonly user: LoadUser;
  readonly key: string;
  readonly value: string;
}

/** Enrolls `count` users `<prefix><i>@<overlay>` (self-registration must be on), 8 at a time. */
export async function enrollUsers(init: {
  enrollmentUrl: string;
  caPem: string;
  overlay: string;
  prefix: string;
  count: number;
}): Promise<LoadUser[]> {
  const users: LoadUser[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < init.count) {
        const name = `${init.prefix}${next++}@${init.overlay}`;
        const identity = await enroll({
          enrollmentUrl: init.enrollmentUrl,
          caPem: init.caPem,
          userName: name,
          password: 'pw',
        });
        users.push({ name, resourceId: resourceIdOf(name), identity });
      }
    }),
  );
  return users;
}

/** Client access to the peers; one channel per peer, mutual TLS with an enrolled identity. */
export class StorageLoad {
  private readonly clients = new Map<string, peerV1.ClientAccessServiceClient>();
  private readonly trust;

  constructor(
    private readonly tls: TlsIdentity,
    overlay: string,
    private readonly kind: number,
    caDer: Uint8Array,
  ) {
    this.trust = createCertificateTrust({ caCertificateDer: caDer, overlay });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  /** Stores one dictionary entry of `user` at its own name; returns how many replicas confirmed. */
  async store(address: string, entry: StoredEntry): Promise<number> {
    const { user } = entry;
    const value = signValue(
      {
        resourceId: user.resourceId,
        kind: this.kind,
        item: {
          model: 'DICTIONARY',
          key: Buffer.from(entry.key),
          exists: true,
          value: Buffer.from(entry.value),
        },
        storageTimeMs: BigInt(Date.now()),
        lifetimeS: 3600,
      },
      { certificateDer: user.identity.certificate.der, privateKey: user.identity.keyPem },
    );
    // Peers store only what the connection's own certificate signed: the user's own channel.
    const answer = await callUnary(
      this.client(address, user),
      'store',
      {
        resourceId: idToBytes(user.resourceId),
        kindData: [kindDataToProto({ kind: this.kind, generation: 0n, values: [value] })],
        certificates: [
          {
            type: commonV1.CertificateType.CERTIFICATE_TYPE_X509,
            certificateDer: user.identity.certificate.der,
          },
        ],
      },
      { timeoutMs: 20_000 },
    );
    return answer.kindResponses[0]?.replicas.length ?? 0;
  }

  /** Every verified entry at a user's name, key → value (bad signatures are left out). */
  async fetch(address: string, user: LoadUser): Promise<Map<string, string>> {
    const answer = await callUnary(
      this.client(address),
      'fetch',
      {
        resourceId: idToBytes(user.resourceId),
        specifiers: [
          specifierToProto({ kind: this.kind, generation: 0n, selector: { model: 'DICTIONARY', keys: [] } }),
        ],
      },
      { timeoutMs: 20_000 },
    );
    const certificates = new CertificateIndex(answer.certificates.map((c) => c.certificateDer));
    const entries = new Map<string, string>();
    for (const proto of answer.kindResponses[0]?.values ?? []) {
      const value = storedValueFromProto(proto, certificates);
      if (value.item.model !== 'DICTIONARY' || !value.item.exists) continue;
      if (!verifyValue(user.resourceId, this.kind, value, this.trust, Date.now())) continue;
      entries.set(Buffer.from(value.item.key).toString(), Buffer.from(value.item.value).toString());
    }
    return entries;
  }

  /** The responsible peer and how many replicas really hold its copy (same value hashes). */
  async copies(
    address: string,
    user: LoadUser,
  ): Promise<{ responsible: string; replicas: string[]; copies: number }> {
    const ask = (at: Uint8Array) =>
      callUnary(
        this.client(address),
        'stat',
        {
          resourceId: idToBytes(user.resourceId),
          specifiers: [
            specifierToProto({
              kind: this.kind,
              generation: 0n,
              selector: { model: 'DICTIONARY', keys: [] },
            }),
          ],
          atNodeId: Buffer.from(at),
        },
        { timeoutMs: 20_000 },
      );
    const fingerprint = (answer: peerV1.StatResponse): string =>
      (answer.kindResponses[0]?.values ?? [])
        .map(metaDataFromProto)
        .map((m) => `${m.storageTimeMs}:${Buffer.from(m.hash).toString('hex')}`)
        .join(',');
    const primary = await ask(Buffer.alloc(0));
    const mine = fingerprint(primary);
    const replicas = primary.kindResponses[0]?.replicas ?? [];
    const holds = await Promise.all(
      replicas.map(async (id) => {
        const theirs = await ask(id).catch(() => undefined);
        return theirs !== undefined && fingerprint(theirs) === mine;
      }),
    );
    return {
      responsible: idToHex(nodeIdFromBytes(primary.responderNodeId)),
      replicas: replicas.map((id) => idToHex(nodeIdFromBytes(id))),
      copies: 1 + holds.filter(Boolean).length,
    };
  }

  private client(address: string, user?: LoadUser): peerV1.ClientAccessServiceClient {
    const key = `${address} ${user?.name ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      const tls = user
        ? { caPem: this.tls.caPem, certPem: user.identity.certPem, keyPem: user.identity.keyPem }
        : this.tls;
      client = createClient(peerV1.ClientAccessServiceClient, address, clientCredentials(tls));
      this.clients.set(key, client);
    }
    return client;
  }
}
