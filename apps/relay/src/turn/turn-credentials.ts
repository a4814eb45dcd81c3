import { createHmac } from 'node:crypto';

/** TURN REST credentials (draft-uberti-behave-turn-rest), as coturn's `use-auth-secret` checks them. */
export interface TurnCredentials {
  /** `<expiry as unix seconds>:<user name>` */
  readonly username: string;
  /** base64(HMAC-SHA1(shared secret, username)) */
  readonly password: string;
  /** When coturn starts refusing them, ms since 1970 (a whole second). */
  readonly expiresAtMs: number;
}

export interface IssueInit {
  readonly secret: string;
  /** Who they are for; `:` would end the expiry field, so it is replaced. */
  readonly userName: string;
  readonly ttlMs: number;
  readonly nowMs: number;
}

/** Credentials valid for `ttlMs` from `nowMs` (rounded up to the second coturn compares). */
export function issueTurnCredentials(init: IssueInit): TurnCredentials {
  const expiryS = Math.ceil((init.nowMs + init.ttlMs) / 1000);
  const username = `${expiryS}:${init.userName.replace(/:/g, '_')}`;
  return { username, password: turnRestPassword(init.secret, username), expiresAtMs: expiryS * 1000 };
}

export function turnRestPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}
