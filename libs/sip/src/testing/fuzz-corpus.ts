import { SeededRandom } from './prng';
import { SEED_SIP_MESSAGES, seedSipMessages } from './seed-messages';

export { SEED_SIP_MESSAGES, seedSipMessages };

type Mutation = (input: Buffer, random: SeededRandom, seeds: readonly Buffer[]) => Buffer;

const CRLF = Buffer.from('\r\n');
/** Bytes that change how SIP is tokenised, tried more often than uniformly random ones. */
const SPECIAL_BYTES = Buffer.from(':;,<>"\\@[]%=?& \t\r\n/\0\x7f\xff');
const HUGE_LENGTHS = [
  '99999999999999999999',
  '4294967296',
  '65537',
  '-1',
  '1e3',
  '0x10',
  '',
  ' 12 ',
  '+5',
  '9'.repeat(400),
];

/**
 * A deterministic corpus of broken SIP: each input is a seed message with one to four mutations
 * (bit flips, byte inserts and deletes, duplicated headers, truncation, CRLF removal, absurd
 * Content-Length, folding, splices of another message, overlong lines). The same `seed` always
 * gives the same list, so a failing input is reproduced by its seed and index.
 */
export function mutatedSipMessages(seed: number, count: number): Buffer[] {
  const random = new SeededRandom(seed);
  const seeds = seedSipMessages();
  const inputs: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    let input = random.pick(seeds);
    const mutations = 1 + random.below(4);
    for (let m = 0; m < mutations; m++) input = random.pick(MUTATIONS)(input, random, seeds);
    inputs.push(input);
  }
  return inputs;
}

const MUTATIONS: readonly Mutation[] = [
  flipBit,
  flipBit,
  insertByte,
  insertByte,
  deleteBytes,
  deleteBytes,
  duplicateHeader,
  truncate,
  removeLineBreak,
  setContentLength,
  insertFolding,
  spliceOtherMessage,
  insertLongRun,
];

function flipBit(input: Buffer, random: SeededRandom): Buffer {
  if (input.length === 0) return input;
  const output = Buffer.from(input);
  const at = random.below(output.length);
  output[at] = (output[at] ?? 0) ^ (1 << random.below(8));
  return output;
}

function insertByte(input: Buffer, random: SeededRandom): Buffer {
  const byte =
    random.below(2) === 0 ? random.below(256) : (SPECIAL_BYTES[random.below(SPECIAL_BYTES.length)] ?? 0);
  return splice(input, random.below(input.length + 1), 0, Buffer.from([byte]));
}

function deleteBytes(input: Buffer, random: SeededRandom): Buffer {
  return splice(input, random.below(input.length + 1), 1 + random.below(8), Buffer.alloc(0));
}

/** Repeats one header line once, or hundreds of times to reach the header-count limit. */
function duplicateHeader(input: Buffer, random: SeededRandom): Buffer {
  const lines = headerLineRanges(input);
  if (lines.length === 0) return input;
  const [start, end] = random.pick(lines);
  const copies = random.below(8) === 0 ? 300 : 1;
  const line = input.subarray(start, end);
  return splice(input, end, 0, Buffer.concat(Array.from({ length: copies }, () => line)));
}

function truncate(input: Buffer, random: SeededRandom): Buffer {
  return input.subarray(0, random.below(input.length + 1));
}

/** Drops a CRLF, or leaves half of it: joined lines, bare LF, bare CR. */
function removeLineBreak(input: Buffer, random: SeededRandom): Buffer {
  const breaks = positionsOf(input, CRLF);
  if (breaks.length === 0) return input;
  const at = random.pick(breaks);
  const replacement = random.pick([Buffer.alloc(0), Buffer.from('\n'), Buffer.from('\r')]);
  return splice(input, at, 2, replacement);
}

/** Rewrites (or adds) Content-Length with a value no parser should trust. */
function setContentLength(input: Buffer, random: SeededRandom): Buffer {
  const text = input.toString('latin1');
  const value = random.pick(HUGE_LENGTHS);
  const match = /\r\n(Content-Length|l) *: *([^\r\n]*)/i.exec(text);
  if (!match || random.below(4) === 0) {
    const firstBreak = text.indexOf('\r\n');
    return firstBreak < 0
      ? input
      : splice(input, firstBreak, 0, Buffer.from(`\r\nContent-Length: ${value}`, 'latin1'));
  }
  const valueStart = match.index + match[0].length - (match[2]?.length ?? 0);
  return splice(input, valueStart, match[2]?.length ?? 0, Buffer.from(value, 'latin1'));
}

/** Breaks a line with CRLF + white space: legal folding inside a value, illegal elsewhere. */
function insertFolding(input: Buffer, random: SeededRandom): Buffer {
  return splice(
    input,
    random.below(input.length + 1),
    0,
    Buffer.from(random.pick(['\r\n ', '\r\n\t', '\n  '])),
  );
}

function spliceOtherMessage(input: Buffer, random: SeededRandom, seeds: readonly Buffer[]): Buffer {
  const other = random.pick(seeds);
  const from = random.below(other.length);
  const piece = other.subarray(from, from + 1 + random.below(200));
  return splice(input, random.below(input.length + 1), 0, piece);
}

/** A long run of one character, past the line-length limit when it lands in the head. */
function insertLongRun(input: Buffer, random: SeededRandom): Buffer {
  const run = Buffer.alloc(random.pick([100, 9000]), random.pick(['a', ' ', ',', '"', '<', ';', '%']));
  return splice(input, random.below(input.length + 1), 0, run);
}

function splice(input: Buffer, at: number, deleteCount: number, insert: Buffer): Buffer {
  return Buffer.concat([
    input.subarray(0, at),
    insert,
    input.subarray(Math.min(input.length, at + deleteCount)),
  ]);
}

function positionsOf(input: Buffer, needle: Buffer): number[] {
  const positions: number[] = [];
  for (let at = input.indexOf(needle); at >= 0; at = input.indexOf(needle, at + 1)) positions.push(at);
  return positions;
}

/** [start, end) of each header line including its CRLF, up to the empty line. */
function headerLineRanges(input: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  let start = input.indexOf(CRLF);
  if (start < 0) return ranges;
  start += 2;
  for (let end = input.indexOf(CRLF, start); end > start; end = input.indexOf(CRLF, start)) {
    ranges.push([start, end + 2]);
    start = end + 2;
  }
  return ranges;
}
