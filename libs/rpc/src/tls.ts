import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { createSecureContext, type PeerCertificate } from 'node:tls';
import {
  type NodeId,
  type ReloadCertificate,
  idToHex,
  parseCertificate,
  parseCertificateBundle,
} from '@p2psip/identity';
import { TlsConfigurationError } from './errors';

/** PEM material of one TLS endpoint: the trust anchors, its own certificate chain and key. */
export interface TlsIdentity {
  /** The overlay CA certificate(s) peers must chain to. */
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * `required`: every client must present a certificate from the CA (links between our nodes).
 * `optional`: clients without one are served but unidentified, for the enrollment server, where a
 * node gets its first certificate.
 */
export type ClientAuth = 'required' | 'optional';

// DESIGN.md §4: every link is TLS 1.3.
const TLS_VERSION = 'TLSv1.3';

/** Server credentials for mutual TLS 1.3 against the overlay CA. */
export function serverCredentials(
  identity: TlsIdentity,
  clientAuth: ClientAuth = 'required',
): ServerCredentials {
  checkIdentity(identity);
  const credentials = ServerCredentials.createSsl(
    Buffer.from(identity.caPem),
    [{ private_key: Buffer.from(identity.keyPem), cert_chain: Buffer.from(identity.certPem) }],
    true,
  );
  // grpc-js builds its http2 server from this object; it has no public knob for the TLS version or
  // for optional client certificates, so both are set on the options it hands to http2.
  const options = credentials._getConstructorOptions() as Record<string, unknown> | null;
  if (!options) throw new TlsConfigurationError('grpc-js returned insecure server credentials');
  options['minVersion'] = TLS_VERSION;
  options['rejectUnauthorized'] = clientAuth === 'required';
  return credentials;
}

export interface ClientTlsOptions {
  /**
   * The Node-ID the server's certificate must carry. Without it any certificate chaining to the CA
   * is accepted: nodes have no DNS names, so the usual host-name check cannot apply.
   */
  readonly expectedNodeId?: NodeId;
  /**
   * SHA-256 fingerprint (hex) the server certificate must have: for clients that know exactly
   * whom they talk to, such as the admin CLI and its CA (any enrolled node holds a CA certificate).
   */
  readonly expectedFingerprint?: string;
}

/** Channel credentials for mutual TLS 1.3: our certificate, the CA, and a Node-ID check. */
export function clientCredentials(
  identity: TlsIdentity | CaOnly,
  options: ClientTlsOptions = {},
): ChannelCredentials {
  const context = createSecureContext({
    ca: identity.caPem,
    ...('certPem' in identity ? { cert: identity.certPem, key: identity.keyPem } : {}),
    minVersion: TLS_VERSION,
  });
  return ChannelCredentials.createFromSecureContext(context, {
    checkServerIdentity: (_host, peer) =>
      checkFingerprint(peer, options.expectedFingerprint) ?? checkServerNodeId(peer, options.expectedNodeId),
  });
}

/** Trust anchors only: a node that has no certificate yet (enrollment). */
export interface CaOnly {
  readonly caPem: string;
}

function checkFingerprint(peer: PeerCertificate, expected: string | undefined): Error | undefined {
  if (expected === undefined) return undefined;
  const actual = createHash('sha256').update(peer.raw).digest('hex');
  return actual === expected.toLowerCase()
    ? undefined
    : new TlsConfigurationError('the server certificate is not the one expected');
}

function checkServerNodeId(peer: PeerCertificate, expected: NodeId | undefined): Error | undefined {
  if (expected === undefined) return undefined;
  let certificate: ReloadCertificate;
  try {
    certificate = parseCertificate(peer.raw);
  } catch (cause) {
    return new TlsConfigurationError('the server certificate is not an overlay certificate', { cause });
  }
  if (!certificate.nodeIds.includes(expected)) {
    return new TlsConfigurationError(`the server certificate does not carry Node-ID ${idToHex(expected)}`);
  }
  return undefined;
}

function checkIdentity(identity: TlsIdentity): void {
  try {
    parseCertificateBundle(identity.caPem);
    parseCertificateBundle(identity.certPem);
  } catch (cause) {
    throw new TlsConfigurationError('CA or certificate PEM does not parse', { cause });
  }
  if (!identity.keyPem.includes('PRIVATE KEY'))
    throw new TlsConfigurationError('key PEM holds no private key');
}
