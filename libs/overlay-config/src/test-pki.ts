// Fixtures for this lib's specs only (not exported from index.ts): a real CA and node certificates
// issued through @p2psip/identity, so signatures are checked end to end.
import {
  type CertificateAuthority,
  type NodeId,
  type ReloadCertificate,
  createCertificateAuthority,
  exportPrivateKeyPem,
  generateKeyPair,
  issueNodeCertificate,
  nodeIdFromHex,
} from '@p2psip/identity';
import { type OverlayConfiguration, defaultConfiguration } from './model';
import type { ConfigurationSigner } from './signing';

export const OVERLAY = 'p2psip.test';
export const NODE_A = nodeIdFromHex('0c51a942f50c828aef82a5af83e8ed59');
export const NODE_B = nodeIdFromHex('6c1cfd6d5d9e35557d66a1b05f9e2247');
/** A fixed clock: certificates and documents are valid around it. */
export const NOW = new Date('2030-06-01T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TestSigner {
  readonly nodeId: NodeId;
  readonly certificate: ReloadCertificate;
  readonly signer: ConfigurationSigner;
}

export async function createTestAuthority(overlay = OVERLAY): Promise<CertificateAuthority> {
  return createCertificateAuthority({ overlay, notBefore: new Date(NOW.getTime() - DAY_MS) });
}

export async function issueTestSigner(
  authority: CertificateAuthority,
  nodeId: NodeId,
  validity: { notBefore?: Date; validityMs?: number; userName?: string } = {},
): Promise<TestSigner> {
  const keys = await generateKeyPair();
  const certificate = await issueNodeCertificate({
    authority,
    publicKey: keys.publicKey,
    overlay: OVERLAY,
    nodeIds: [nodeId],
    // The CA's reserved signer name: a first configuration must be signed under it.
    userName: validity.userName ?? `config-signer@${OVERLAY}`,
    notBefore: validity.notBefore ?? new Date(NOW.getTime() - DAY_MS),
    ...(validity.validityMs !== undefined ? { validityMs: validity.validityMs } : {}),
  });
  const privateKeyPem = await exportPrivateKeyPem(keys.privateKey);
  return { nodeId, certificate, signer: { certificateDer: certificate.der, privateKeyPem } };
}

/** The platform defaults for OVERLAY, signed-by `signer`, valid for 30 days after NOW. */
export function testConfiguration(authority: CertificateAuthority, signer: NodeId): OverlayConfiguration {
  return {
    ...defaultConfiguration({
      instanceName: OVERLAY,
      rootCert: authority.certificate.der,
      enrollmentServer: `https://enroll.${OVERLAY}/enroll`,
      configurationSigner: signer,
      now: NOW,
      validityMs: 30 * DAY_MS,
    }),
    bootstrapNodes: [{ address: '192.0.2.1', port: 6084 }],
  };
}
