import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a nonce we issued stays valid (a phone re-registers well within it). */
const NONCE_LIFETIME_MS = 5 * 60_000;

export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly qop?: string;
  readonly nc?: string;
  readonly cnonce?: string;
  readonly algorithm?: string;
}

/**
 * HTTP Digest for SIP registrars (RFC 3261 §22, RFC 2617 with MD5 and qop=auth): stateless
 * nonces (time + HMAC under a per-process secret), so no per-phone state is kept between the 401
 * and the retried REGISTER.
 */
export class DigestAuthenticator {
  private readonly secret = randomBytes(32);

  constructor(
    readonly realm: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The WWW-Authenticate value of a 401. */
  challenge(): string {
    return `Digest realm="${this.realm}", nonce="${this.nonce()}", algorithm=MD5, qop="auth"`;
  }

  /** True when `header` (an Authorization value) proves knowledge of `password` for `method`. */
  verify(header: string, method: string, password: (username: string) => string | undefined): boolean {
    const credentials = parseDigest(header);
    if (!credentials || credentials.realm !== this.realm || !this.nonceIsFresh(credentials.nonce))
      return false;
    if (credentials.algorithm && credentials.algorithm.toUpperCase() !== 'MD5') return false;
    const secret = password(credentials.username);
    if (secret === undefined) return false;
    const ha1 = md5(`${credentials.username}:${this.realm}:${secret}`);
    const ha2 = md5(`${method}:${credentials.uri}`);
    const expected =
      credentials.qop === 'auth'
        ? md5(`${ha1}:${credentials.nonce}:${credentials.nc ?? ''}:${credentials.cnonce ?? ''}:auth:${ha2}`)
        : md5(`${ha1}:${credentials.nonce}:${ha2}`);
    const given = Buffer.from(credentials.response.toLowerCase());
    return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
  }

  /** The user name an Authorization header claims (before it is verified). */
  static usernameOf(header: string): string | undefined {
    return parseDigest(header)?.username;
  }

  private nonce(): string {
    const time = this.now().toString(16);
    return `${time}.${this.mac(time)}`;
  }

  private nonceIsFresh(nonce: string): boolean {
    const [time, mac] = nonce.split('.');
    if (!time || !mac || !/^[0-9a-f]{1,13}$/.test(time)) return false;
    const expected = Buffer.from(this.mac(time));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const age = this.now() - parseInt(time, 16);
    return age >= 0 && age <= NONCE_LIFETIME_MS;
  }

  private mac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url').slice(0, 22);
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** `Digest a="b", c=d, …` → fields; undefined when it is not a usable Digest header. */
export function parseDigest(header: string): DigestCredentials | undefined {
  const match = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!match) return undefined;
  const fields = new Map<string, string>();
  const pattern = /([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/g;
  let part: RegExpExecArray | null;
  while ((part = pattern.exec(match[1])) !== null) {
    fields.set(part[1].toLowerCase(), (part[2] ?? part[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  const username = fields.get('username');
  const realm = fields.get('realm');
  const nonce = fields.get('nonce');
  const uri = fields.get('uri');
  const response = fields.get('response');
  if (!username || realm === undefined || !nonce || !uri || !response) return undefined;
  const optional = (name: string) => (fields.has(name) ? { [name]: fields.get(name) } : {});
  return {
    username,
    realm,
    nonce,
    uri,
    response,
    ...optional('qop'),
    ...optional('nc'),
    ...optional('cnonce'),
    ...optional('algorithm'),
  };
}
