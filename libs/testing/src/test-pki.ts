import {
  type CertificateAuthority,
  type NodeId,
  type ReloadCertificate,
  createCertificateAuthority,
  exportPrivateKeyPem,
  generateKeyPair,
  issueNodeCertificate,
  randomNodeId,
} from '@p2psip/identity';

/** PEM material of one test node, in the shape the RPC layer's TlsIdentity takes. */
export interface TestNodeIdentity {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly nodeIds: readonly NodeId[];
  readonly certificate: ReloadCertificate;
}

export interface TestPki {
  readonly overlay: string;
  readonly authority: CertificateAuthority;
  readonly caPem: string;
  /** Issues a node certificate signed by this CA (the enrollment server does this for real). */
  issue(options?: { nodeIds?: readonly NodeId[]; userName?: string }): Promise<TestNodeIdentity>;
}

/** A throw-away overlay CA for tests of TLS links; every call makes a new, unrelated CA. */
export async function createTestPki(overlay = 'p2psip.test'): Promise<TestPki> {
  const authority = await createCertificateAuthority({ overlay });
  const caPem = authority.certificate.pem;
  return {
    overlay,
    authority,
    caPem,
    async issue(options = {}) {
      const keys = await generateKeyPair();
      const nodeIds = options.nodeIds ?? [randomNodeId()];
      const certificate = await issueNodeCertificate({
        authority,
        publicKey: keys.publicKey,
        overlay,
        nodeIds,
        userName: options.userName ?? `node@${overlay}`,
      });
      return {
        caPem,
        certPem: certificate.pem,
        keyPem: await exportPrivateKeyPem(keys.privateKey),
        nodeIds,
        certificate,
      };
    },
  };
}
