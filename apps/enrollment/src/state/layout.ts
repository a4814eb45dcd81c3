import path from 'node:path';

/**
 * Where the enrollment server keeps its state. Private keys live in files only the owner can
 * read; everything an operator hands out (ca.pem, the admin credential) has a plain path.
 */
export function stateLayout(dir: string) {
  const root = path.resolve(dir);
  return {
    root,
    overlayFile: path.join(root, 'overlay.json'),
    caCertificate: path.join(root, 'ca.pem'),
    caKey: path.join(root, 'private', 'ca-key.pem'),
    signerCertificate: path.join(root, 'signer', 'cert.pem'),
    signerKey: path.join(root, 'signer', 'key.pem'),
    adminCertificate: path.join(root, 'admin', 'cert.pem'),
    adminKey: path.join(root, 'admin', 'key.pem'),
    serverCertificate: path.join(root, 'server', 'cert.pem'),
    serverKey: path.join(root, 'server', 'key.pem'),
    configurationSeed: path.join(root, 'configuration.json'),
    store: path.join(root, 'store'),
    endpoints: path.join(root, 'endpoints.json'),
  } as const;
}

export type StateLayout = ReturnType<typeof stateLayout>;

/** `overlay.json`: facts fixed at init. */
export interface OverlayFacts {
  readonly overlay: string;
  readonly createdAt: string;
  /** Host names and addresses the server certificate is valid for. */
  readonly hosts: readonly string[];
}

/** `endpoints.json`: where a running server listens, for scripts and the admin commands. */
export interface Endpoints {
  readonly https: string;
  readonly grpc: string;
  readonly metrics: string;
  readonly pid: number;
}
