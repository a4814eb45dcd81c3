export { parseCSeq } from './cseq';
export { InvalidSipMessageError, SipError, SipParseError } from './errors';
export { formatNameAddr, parseNameAddr, type NameAddr } from './name-addr';
export { quoteString, unquoteString } from './quoted-string';
export { formatSipUri, parseSipUri, type SipUri } from './uri';
export { formatVia, parseVia, type Via } from './via';
