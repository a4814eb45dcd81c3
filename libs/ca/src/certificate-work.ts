import {
  type CertificateAuthority,
  type IssuedCertificate,
  type PublicKeyDescription,
  issueNodeCertificateDer,
  nodeIdFromHex,
  verifyCsr,
} from '@p2psip/identity';

/** A CSR after its self-signature was checked: the key to certify, and what kind of key it is. */
export interface CsrInspection {
  /** SubjectPublicKeyInfo, DER. */
  readonly publicKeySpki: Uint8Array;
  readonly key: PublicKeyDescription;
}

export interface IssueRequest {
  readonly overlay: string;
  /** 32 lower-case hex each. */
  readonly nodeIds: readonly string[];
  readonly userName: string;
  readonly publicKeySpki: Uint8Array;
  readonly notBeforeMs: number;
  readonly validityMs: number;
}

/**
 * The CPU-heavy half of enrollment (ASN.1 parsing, signature checks, certificate building), behind
 * an interface so a server can run it on worker threads while its main thread serves requests.
 * Implementations throw InvalidCsrError for CSRs that do not parse or verify.
 */
export interface CertificateWork {
  inspectCsr(der: Uint8Array): Promise<CsrInspection>;
  issue(request: IssueRequest): Promise<IssuedCertificate>;
}

/** Does the work on the calling thread (tests, tools, small deployments). */
export function inProcessCertificateWork(authority: CertificateAuthority): CertificateWork {
  return {
    async inspectCsr(der) {
      const csr = await verifyCsr(der);
      return { publicKeySpki: csr.publicKeySpki, key: csr.key };
    },
    issue(request) {
      return issueNodeCertificateDer({
        authority,
        publicKey: request.publicKeySpki,
        overlay: request.overlay,
        nodeIds: request.nodeIds.map((hex) => nodeIdFromHex(hex)),
        userName: request.userName,
        notBefore: new Date(request.notBeforeMs),
        validityMs: request.validityMs,
      });
    },
  };
}
