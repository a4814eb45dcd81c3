import { parseCSeq } from './cseq';
import { parseFailure } from './spec-helpers';

describe('CSeq — parsing', () => {
  it('reads the number and the method, with any white space between', () => {
    expect(parseCSeq('314159 INVITE')).toEqual({ seq: 314159, method: 'INVITE' });
    expect(parseCSeq(' 0 \t NEWMETHOD ')).toEqual({ seq: 0, method: 'NEWMETHOD' });
    expect(parseCSeq('4294967295 ACK')).toEqual({ seq: 4294967295, method: 'ACK' });
  });

  it.each([
    '',
    'INVITE',
    '1',
    '1INVITE',
    '-1 INVITE',
    '4294967296 INVITE',
    '1 INVITE BYE',
    '1 INV;TE',
    '0x10 BYE',
  ])('refuses %j', (text) => {
    expect(parseFailure(() => parseCSeq(text))).toBe('bad CSeq');
  });
});
