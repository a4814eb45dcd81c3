import { InvalidRequestError } from './errors';

// The user part is printable ASCII: the certificate's rfc822Name is an IA5String, and a library
// that truncates wider characters would certify another user's name (bšb → bab).
const USER_NAME =
  /^([\x21-\x2e\x30-\x3f\x41-\x5b\x5d-\x7e]{1,64})@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)$/i;

/**
 * A user name in its stored form: AOR-style `user@domain` with the domain lower-cased and the user
 * part kept as written (the same normalisation as Resource-IDs of AORs, DESIGN.md §3), so the
 * certificate's rfc822Name hashes to the user's SIP registration resource.
 */
export function normalizeUserName(userName: string): string {
  const match = USER_NAME.exec(userName.trim());
  if (!match)
    throw new InvalidRequestError(`user names are user@domain, got ${JSON.stringify(userName.slice(0, 80))}`);
  return `${match[1]}@${(match[2] ?? '').toLowerCase()}`;
}

/** True when the user's domain is one of the allowed domains or a subdomain of one. */
export function isDomainAllowed(userName: string, allowedDomains: readonly string[]): boolean {
  const domain = userName.slice(userName.lastIndexOf('@') + 1).toLowerCase();
  return allowedDomains.some((allowed) => {
    const base = allowed.toLowerCase();
    return domain === base || domain.endsWith(`.${base}`);
  });
}

/**
 * Names the CA keeps for its own identities (ADR 0002): the configuration signer, whose name
 * verifiers check on a first configuration, and the admin credential. Nobody may enroll as them.
 */
export function isReservedUserName(userName: string, overlay: string): boolean {
  const domain = overlay.toLowerCase();
  const name = userName.toLowerCase();
  return name === `config-signer@${domain}` || name === `admin@${domain}`;
}
