import { readdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  exportPrivateKeyPem,
  generateKeyPair,
  isValidOverlayName,
  issueNodeCertificate,
  issueServerCertificate,
  randomNodeId,
} from '@p2psip/identity';
import { StateError, writeStateFile } from './files';
import { type OverlayFacts, type StateLayout, stateLayout } from './layout';

const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000;

export interface InitStateInit {
  readonly dir: string;
  readonly overlay: string;
  /** Names and addresses clients reach the server by. @default ['localhost', '127.0.0.1'] */
  readonly hosts?: readonly string[];
  readonly now?: Date;
}

export interface InitializedState {
  readonly layout: StateLayout;
  readonly facts: OverlayFacts;
  readonly authority: CertificateAuthority;
}

/**
 * Creates a new CA in an empty (or absent) state dir: the CA key and certificate, the
 * configuration signer's identity (a node certificate whose Node-ID the configuration document
 * lists as configuration-signer and kind-signer), the admin credential (a client certificate the
 * admin commands present) and the TLS certificate of the HTTPS/gRPC endpoints. Never overwrites.
 */
export async function initState(init: InitStateInit): Promise<InitializedState> {
  if (!isValidOverlayName(init.overlay))
    throw new StateError(`overlay name ${JSON.stringify(init.overlay)} is not a DNS name`);
  const layout = stateLayout(init.dir);
  await refuseNonEmpty(layout.root);
  const now = init.now ?? new Date();
  const hosts = init.hosts ?? ['localhost', '127.0.0.1'];

  const authority = await createCertificateAuthority({ overlay: init.overlay, notBefore: now });
  await writeStateFile(layout.caKey, await exportPrivateKeyPem(authority.keys.privateKey), { secret: true });
  await writeStateFile(layout.caCertificate, authority.certificate.pem);

  const signer = await generateKeyPair();
  const signerCertificate = await issueNodeCertificate({
    authority,
    publicKey: signer.publicKey,
    overlay: init.overlay,
    nodeIds: [randomNodeId()],
    userName: `config-signer@${init.overlay}`,
    notBefore: now,
    validityMs: TEN_YEARS_MS,
  });
  await writeStateFile(layout.signerKey, await exportPrivateKeyPem(signer.privateKey), { secret: true });
  await writeStateFile(layout.signerCertificate, signerCertificate.pem);

  const admin = await generateKeyPair();
  const adminCertificate = await issueNodeCertificate({
    authority,
    publicKey: admin.publicKey,
    overlay: init.overlay,
    nodeIds: [],
    userName: `admin@${init.overlay}`,
    notBefore: now,
    // As long as the CA: nothing renews it, and without it the CA cannot be administered.
    validityMs: TEN_YEARS_MS,
  });
  await writeStateFile(layout.adminKey, await exportPrivateKeyPem(admin.privateKey), { secret: true });
  await writeStateFile(layout.adminCertificate, adminCertificate.pem);

  const server = await generateKeyPair();
  const serverCertificate = await issueServerCertificate({
    authority,
    publicKey: server.publicKey,
    dnsNames: hosts.filter((host) => isIP(host) === 0),
    ipAddresses: hosts.filter((host) => isIP(host) !== 0),
    notBefore: now,
    validityMs: TEN_YEARS_MS,
  });
  await writeStateFile(layout.serverKey, await exportPrivateKeyPem(server.privateKey), { secret: true });
  await writeStateFile(layout.serverCertificate, serverCertificate.pem);

  const facts: OverlayFacts = { overlay: init.overlay, createdAt: now.toISOString(), hosts };
  // Written last: its presence marks a complete state dir.
  await writeStateFile(layout.overlayFile, `${JSON.stringify(facts, null, 2)}\n`);
  return { layout, facts, authority };
}

async function refuseNonEmpty(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0)
    throw new StateError(`${dir} is not empty: refusing to overwrite an existing state dir`);
}
