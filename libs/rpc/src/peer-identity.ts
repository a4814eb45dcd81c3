import { type NodeId, type ReloadCertificate, parseCertificate } from '@p2psip/identity';

/** Who is on the other end of a call, as its TLS client certificate says (never a message field). */
export interface PeerIdentity {
  readonly certificate: ReloadCertificate;
  readonly nodeIds: readonly NodeId[];
  readonly userName: string | undefined;
}

/** The part of a grpc-js call this needs (grpc-js does not export its AuthContext type). */
export interface AuthenticatedCall {
  getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } | null;
}

/**
 * Reads the caller's identity from an authenticated TLS connection. Undefined when the client
 * sent no certificate (optional client auth) or the connection is not TLS; grpc-js only reports
 * certificates that verified against the CA.
 */
export function peerIdentityOf(call: AuthenticatedCall): PeerIdentity | undefined {
  const raw = call.getAuthContext()?.sslPeerCertificate?.raw;
  if (!raw) return undefined;
  const certificate = parseCertificate(raw);
  return { certificate, nodeIds: certificate.nodeIds, userName: certificate.userName };
}
