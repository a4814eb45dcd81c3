import type { Destination } from '@p2psip/overlay';
import { ByteReader, concat, uint16Bytes } from './byte-reader';
import { destinationToBytes, readDestination } from './destination-codec';
import { InvalidSipRegistrationError, MalformedSipRegistrationError } from './errors';

/** The SIP-REGISTRATION kind (RFC 7904 §3): DICTIONARY keyed by Node-ID, USER-NODE-MATCH. */
export const SIP_REGISTRATION_KIND_ID = 0x1;

// RFC 7904 §3.2 SipRegistrationType.
const URI_TYPE = 1;
const ROUTE_TYPE = 2;
const MAX_UINT16 = 0xffff;

/**
 * One SIP-REGISTRATION value (RFC 7904 §3.2):
 * - `uri` (type 1, sip_registration_uri): another URI to look up instead — call forwarding;
 * - `route` (type 2, sip_registration_route): how to reach the registered node, e.g.
 *   [attachment peer, client], with the callee's RFC 3840 contact preferences (may be empty);
 * - `unknown`: a type this code does not know. RFC 7904 lets the type be extended, so such a value
 *   is carried, not rejected; callers skip it.
 */
export type SipRegistration =
  | { readonly type: 'uri'; readonly uri: string }
  | {
      readonly type: 'route';
      readonly contactPrefs: string;
      readonly destinations: readonly Destination[];
    }
  | { readonly type: 'unknown'; readonly code: number; readonly data: Uint8Array };

/**
 * `struct { SipRegistrationType type; uint16 length; select (type) {…} data; }`:
 * uri = `opaque uri<0..2^16-1>`; route = `opaque contact_prefs<0..2^16-1>` then
 * `Destination destination_list<0..2^16-1>` (at least one entry here: an empty route reaches no
 * one). Throws InvalidSipRegistrationError for values that do not fit.
 */
export function encodeSipRegistration(registration: SipRegistration): Uint8Array {
  let type: number;
  let data: Uint8Array;
  switch (registration.type) {
    case 'uri':
      if (registration.uri.length === 0) throw new InvalidSipRegistrationError('an empty forwarding URI');
      type = URI_TYPE;
      data = vector16(utf8(registration.uri), 'uri');
      break;
    case 'route': {
      if (registration.destinations.length === 0) {
        throw new InvalidSipRegistrationError('a route needs at least one destination');
      }
      const list = concat(registration.destinations.map(destinationToBytes));
      type = ROUTE_TYPE;
      data = concat([
        vector16(utf8(registration.contactPrefs), 'contact_prefs'),
        vector16(list, 'destination_list'),
      ]);
      break;
    }
    case 'unknown':
      if (!Number.isInteger(registration.code) || registration.code < 3 || registration.code > 0xff) {
        throw new InvalidSipRegistrationError(`an unknown type's code is 3..255, got ${registration.code}`);
      }
      type = registration.code;
      data = registration.data;
      break;
  }
  if (data.length > MAX_UINT16) {
    throw new InvalidSipRegistrationError(`${data.length} bytes of data do not fit the uint16 length`);
  }
  return concat([Uint8Array.of(type), uint16Bytes(data.length), data]);
}

/**
 * Decodes one SipRegistration: the whole input, every length checked against what is there.
 * Anything else — truncated, trailing bytes, lengths that disagree, bad UTF-8, an unknown
 * destination type, type 0 — throws MalformedSipRegistrationError and nothing else.
 */
export function decodeSipRegistration(bytes: Uint8Array): SipRegistration {
  const reader = new ByteReader(bytes);
  const type = reader.uint8('SipRegistration type');
  const data = new ByteReader(reader.take(reader.uint16('SipRegistration length'), 'SipRegistration data'));
  reader.expectEnd('SipRegistration');
  switch (type) {
    case URI_TYPE: {
      const uri = text(data.vector16('uri'), 'uri');
      data.expectEnd('sip_registration_uri');
      if (uri.length === 0) throw new MalformedSipRegistrationError('an empty forwarding URI');
      return { type: 'uri', uri };
    }
    case ROUTE_TYPE: {
      const contactPrefs = text(data.vector16('contact_prefs'), 'contact_prefs');
      const list = new ByteReader(data.vector16('destination_list'));
      data.expectEnd('sip_registration_route');
      const destinations: Destination[] = [];
      while (list.remaining > 0) destinations.push(readDestination(list));
      if (destinations.length === 0) throw new MalformedSipRegistrationError('a route with no destination');
      return { type: 'route', contactPrefs, destinations };
    }
    case 0:
      throw new MalformedSipRegistrationError('SipRegistration type 0 is not defined');
    default:
      return { type: 'unknown', code: type, data: Uint8Array.from(data.take(data.remaining, 'data')) };
  }
}

function vector16(value: Uint8Array, what: string): Uint8Array {
  if (value.length > MAX_UINT16) {
    throw new InvalidSipRegistrationError(`${what}: ${value.length} bytes do not fit <0..2^16-1>`);
  }
  return concat([uint16Bytes(value.length), value]);
}

function utf8(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function text(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    throw new MalformedSipRegistrationError(`${what} is not valid UTF-8`, { cause });
  }
}
