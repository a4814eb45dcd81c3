import { parseCertificate } from '@p2psip/identity';
import { enrollmentV1 } from '@p2psip/proto';
import { clientCredentials, createClient } from '@p2psip/rpc';
import { StateError, readJsonFile, readTextFile } from '../state/files';
import { type Endpoints, stateLayout } from '../state/layout';

export type AdminClient = InstanceType<typeof enrollmentV1.EnrollmentAdminServiceClient>;

/**
 * A client of the running server's admin service, found through the state dir: its gRPC address
 * in endpoints.json, and the admin credential and CA in the same folder.
 */
export async function connectAdmin(dir: string): Promise<AdminClient> {
  const layout = stateLayout(dir);
  const endpoints = await readJsonFile<Endpoints>(
    layout.endpoints,
    'endpoints of a running server (is `p2psip-enrollment serve` running?)',
  );
  if (typeof endpoints.grpc !== 'string') throw new StateError(`${layout.endpoints} names no gRPC endpoint`);
  // The server certificate is pinned from the state dir: the CA answers, not any enrolled node.
  const serverCertificate = parseCertificate(
    await readTextFile(layout.serverCertificate, 'server certificate'),
  );
  const credentials = clientCredentials(
    {
      caPem: await readTextFile(layout.caCertificate, 'CA certificate'),
      certPem: await readTextFile(layout.adminCertificate, 'admin certificate'),
      keyPem: await readTextFile(layout.adminKey, 'admin key'),
    },
    { expectedFingerprint: serverCertificate.fingerprint },
  );
  return createClient(enrollmentV1.EnrollmentAdminServiceClient, endpoints.grpc, credentials);
}
