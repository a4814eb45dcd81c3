import { readIdentity } from '@p2psip/enrollment-client';
import { UsageError } from '@p2psip/cli';
import type { TlsIdentity } from '@p2psip/rpc';

/** The enrolled identity a diagnostics command presents (links and services need mutual TLS). */
export async function diagnosticsIdentity(dir: string): Promise<TlsIdentity> {
  const identity = await readIdentity(dir);
  if (!identity) throw new UsageError(`${dir} holds no enrolled identity (cert.pem, key.pem, ca.pem)`);
  return identity;
}
