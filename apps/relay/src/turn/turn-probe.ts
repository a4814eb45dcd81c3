import { type StunMessage, constants, createMessage, validateMessageIntegrity } from '@msimerson/stun';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RelayCheckError } from '../errors';
import type { RelayEndpoint } from './relay-endpoint';
import { StunSocket } from './stun-transaction';
import type { TurnCredentials } from './turn-credentials';

/** REQUESTED-TRANSPORT: protocol number 17 (UDP) in the first byte, RFC 5766 §14.7. */
const REQUESTED_TRANSPORT_UDP = 17 << 24;

export interface ProbeResult {
  /** Round trip of the STUN Binding, milliseconds. */
  readonly rttMs: number;
  /** What the server saw as our address (XOR-MAPPED-ADDRESS). */
  readonly mappedAddress: string;
  /** The relayed transport address of the test allocation (XOR-RELAYED-ADDRESS). */
  readonly relayedAddress: string;
}

/**
 * The health check of one TURN server: a STUN Binding (reachability, RTT), then a TURN Allocate
 * with the long-term credentials the service issues (401 challenge, then the authenticated
 * request), then a Refresh with lifetime 0 that releases the allocation at once.
 */
export async function probeTurnServer(
  endpoint: RelayEndpoint,
  credentials: TurnCredentials,
  init: { timeoutMs: number; signal?: AbortSignal },
): Promise<ProbeResult> {
  const socket = new StunSocket(endpoint.host, endpoint.port);
  try {
    const started = performance.now();
    const binding = await socket.request(createMessage(constants.STUN_BINDING_REQUEST), init);
    const rttMs = performance.now() - started;
    if (binding.type !== constants.STUN_BINDING_RESPONSE) {
      throw new RelayCheckError('BINDING_FAILED', `Binding answered with ${describe(binding)}`);
    }
    const mapped = binding.getXorAddress();

    const challenge = await socket.request(allocateRequest(), init);
    const realm = bytesAttribute(challenge, constants.STUN_ATTR_REALM);
    const nonce = bytesAttribute(challenge, constants.STUN_ATTR_NONCE);
    if (
      challenge.type !== constants.STUN_ALLOCATE_ERROR_RESPONSE ||
      errorCode(challenge) !== 401 ||
      !realm ||
      !nonce
    ) {
      throw new RelayCheckError(
        'NO_AUTH_CHALLENGE',
        `an unauthenticated Allocate got ${describe(challenge)}, not 401 with a realm and nonce`,
      );
    }
    const key = createHash('md5').update(`${credentials.username}:${realm}:${credentials.password}`).digest();
    const authenticate = (message: StunMessage): StunMessage => {
      message.addUsername(credentials.username);
      message.addAttribute(constants.STUN_ATTR_REALM, realm);
      message.addAttribute(constants.STUN_ATTR_NONCE, nonce);
      message.addMessageIntegrity(key);
      message.addFingerprint();
      return message;
    };
    const allocated = await socket.request(authenticate(allocateRequest()), init);
    if (allocated.type !== constants.STUN_ALLOCATE_RESPONSE) {
      const code = errorCode(allocated);
      throw new RelayCheckError(
        code === 401 ? 'CREDENTIALS_REFUSED' : 'ALLOCATE_REFUSED',
        code === 401
          ? `the server refused the credentials the relay issues (is --turn-secret-file the server's static-auth-secret?): ${describe(allocated)}`
          : `Allocate answered ${describe(allocated)}`,
      );
    }
    if (!validateMessageIntegrity(allocated, key)) {
      throw new RelayCheckError('BAD_INTEGRITY', 'the Allocate answer failed MESSAGE-INTEGRITY');
    }
    const relayed = allocated.getAttribute(constants.STUN_ATTR_XOR_RELAYED_ADDRESS)?.value as
      { address: string; port: number } | undefined;
    const release = createMessage(constants.STUN_REFRESH_REQUEST);
    release.addAttribute(constants.STUN_ATTR_LIFETIME, 0);
    // A lost release only leaves an allocation that coturn expires after its lifetime.
    await socket.request(authenticate(release), init).catch(() => undefined);
    return {
      rttMs,
      mappedAddress: mapped ? `${mapped.address}:${mapped.port}` : '',
      relayedAddress: relayed ? `${relayed.address}:${relayed.port}` : '',
    };
  } finally {
    socket.close();
  }
}

function allocateRequest(): StunMessage {
  const message = createMessage(constants.STUN_ALLOCATE_REQUEST);
  message.addAttribute(constants.STUN_ATTR_REQUESTED_TRANSPORT, REQUESTED_TRANSPORT_UDP);
  return message;
}

function bytesAttribute(message: StunMessage, type: number): string | undefined {
  const value = message.getAttribute(type)?.value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : undefined;
}

function errorCode(message: StunMessage): number | undefined {
  return (message.getAttribute(constants.STUN_ATTR_ERROR_CODE)?.value as { code?: number } | undefined)?.code;
}

function describe(message: StunMessage): string {
  const error = message.getAttribute(constants.STUN_ATTR_ERROR_CODE)?.value as
    { code?: number; reason?: string } | undefined;
  return error ? `${error.code ?? '?'} ${error.reason ?? ''}`.trim() : `type 0x${message.type.toString(16)}`;
}
