import { readFile } from 'node:fs/promises';
import { fetchConfiguration, obtainIdentity } from '@p2psip/enrollment-client';
import { idToHex } from '@p2psip/identity';

export interface EnrollInit {
  readonly configUrl: string;
  readonly caFile: string;
  readonly identityDir: string;
  readonly userName?: string;
  readonly password?: string;
  /** Node-IDs to ask for: one per device that registers the same AOR (RFC 7904 keys by Node-ID). */
  readonly nodeIdCount?: number;
  readonly timeoutMs: number;
}

/**
 * A thin client's identity (RFC 6940 §11.3): the configuration document names the enrollment
 * server; a dir that already holds a valid identity from this CA is kept as it is.
 */
export async function enrollClient(init: EnrollInit) {
  const caPem = await readFile(init.caFile, 'utf8');
  const signal = AbortSignal.timeout(init.timeoutMs);
  const { configuration } = await fetchConfiguration({ url: init.configUrl, caPem, signal });
  const identity = await obtainIdentity({
    dir: init.identityDir,
    caPem,
    enrollmentUrl: configuration.enrollmentServers[0],
    ...(init.userName ? { userName: init.userName } : {}),
    ...(init.password !== undefined ? { password: init.password } : {}),
    ...(init.nodeIdCount ? { nodeIdCount: init.nodeIdCount } : {}),
    signal,
  });
  return {
    identity: init.identityDir,
    overlay: configuration.instanceName,
    userName: identity.certificate.userName ?? null,
    nodeIds: identity.certificate.nodeIds.map(idToHex),
    enrolled: identity.enrolled,
    notAfter: identity.certificate.notAfter.toISOString(),
  };
}
