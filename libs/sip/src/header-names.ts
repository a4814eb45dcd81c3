/**
 * Header names: compact forms (RFC 3261 §7.3.3 and the IANA SIP header registry) expand to full
 * names, and well-known names get their registered spelling (`call-id` → `Call-ID`), so that a
 * serialized message reads the way every SIP stack writes it. Unknown names keep the sender's
 * spelling; lookups are case-insensitive either way.
 */

const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
};

/**
 * Headers whose grammar is a comma-separated list (`#element`), which RFC 3261 §7.3.1 lets a
 * sender split over several header lines or join into one. Authorization-style headers are not
 * here: their commas separate parameters of one value.
 */
const LIST_HEADERS = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Call-Info',
  'Contact',
  'Content-Encoding',
  'Content-Language',
  'Error-Info',
  'History-Info',
  'In-Reply-To',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Proxy-Require',
  'Reason',
  'Record-Route',
  'Reject-Contact',
  'Require',
  'Route',
  'Security-Client',
  'Security-Server',
  'Security-Verify',
  'Service-Route',
  'Supported',
  'Unsupported',
  'Via',
  'Warning',
];

const OTHER_KNOWN = [
  'Authentication-Info',
  'Authorization',
  'Content-Disposition',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Call-ID',
  'Date',
  'Event',
  'Expires',
  'From',
  'Identity',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'RAck',
  'RSeq',
  'Refer-To',
  'Referred-By',
  'Replaces',
  'Reply-To',
  'Request-Disposition',
  'Retry-After',
  'Server',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Timestamp',
  'To',
  'User-Agent',
  'WWW-Authenticate',
];

const CANONICAL = new Map<string, string>(
  [...LIST_HEADERS, ...OTHER_KNOWN].map((name) => [name.toLowerCase(), name] as const),
);
const LIST_KEYS = new Set(LIST_HEADERS.map((name) => name.toLowerCase()));

/** The name a header is stored and written under: full form, registered spelling if known. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT_FORMS[lower] ?? CANONICAL.get(lower) ?? name;
}

/** Whether values of this (canonical, lower-cased) header may be comma-separated lists. */
export function isListHeaderKey(key: string): boolean {
  return LIST_KEYS.has(key);
}
