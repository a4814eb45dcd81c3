import {
  type CertificateAuthority,
  type ReloadCertificate,
  importPrivateKeyPem,
  parseCertificate,
} from '@p2psip/identity';
import { webcrypto } from 'node:crypto';
import { StateError, readJsonFile, readTextFile } from './files';
import { type OverlayFacts, type StateLayout, stateLayout } from './layout';

/** Everything `serve` needs from the state dir. */
export interface LoadedState {
  readonly layout: StateLayout;
  readonly facts: OverlayFacts;
  readonly authority: CertificateAuthority;
  /** PKCS#8 PEM of the CA key, for signing workers (which cannot share a CryptoKey). */
  readonly caKeyPem: string;
  readonly signer: { readonly certificate: ReloadCertificate; readonly keyPem: string };
  /** Admin calls must come with exactly this certificate. */
  readonly adminFingerprint: string;
  readonly server: { readonly certPem: string; readonly keyPem: string };
}

export async function loadState(dir: string): Promise<LoadedState> {
  const layout = stateLayout(dir);
  const facts = await readJsonFile<OverlayFacts>(
    layout.overlayFile,
    'overlay facts (run `p2psip-enrollment init` first)',
  );
  const caCertificate = parseCertificate(await readTextFile(layout.caCertificate, 'CA certificate'));
  const caKeyPem = await readTextFile(layout.caKey, 'CA key');
  const privateKey = await importPrivateKeyPem(caKeyPem);
  const publicKey = await webcrypto.subtle.importKey(
    'spki',
    caCertificate.x509.publicKey.rawData,
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['verify'],
  );
  const signerPem = await readTextFile(layout.signerCertificate, 'configuration signer certificate');
  const admin = parseCertificate(await readTextFile(layout.adminCertificate, 'admin certificate'));
  if (!caCertificate.isCa) throw new StateError(`${layout.caCertificate} is not a CA certificate`);
  return {
    layout,
    facts,
    authority: { certificate: caCertificate, keys: { privateKey, publicKey } },
    caKeyPem,
    signer: {
      certificate: parseCertificate(signerPem),
      keyPem: await readTextFile(layout.signerKey, 'configuration signer key'),
    },
    adminFingerprint: admin.fingerprint,
    server: {
      certPem: await readTextFile(layout.serverCertificate, 'server certificate'),
      keyPem: await readTextFile(layout.serverKey, 'server key'),
    },
  };
}
