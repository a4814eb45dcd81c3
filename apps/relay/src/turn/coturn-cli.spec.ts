import { sessionRates } from './coturn-cli';

// `ps` as coturn 4.6 (Debian) prints it, two sessions, trimmed to the lines that matter.
const PS = `
    1) id=000000000000000001, user <1795355319:probe>:
      realm: p2psip.test
      client protocol UDP, relay protocol UDP
      usage: rp=3, rb=316, sp=2, sb=228
       rate: r=600, s=400, total=1000 (bytes per sec)

    2) id=001000000000000001, user <1795355319:probe>:
      usage: rp=4, rb=436, sp=3, sb=300
       rate: r=0, s=250, total=250 (bytes per sec)

  Total sessions: 2
`;

describe('relay — load from coturn’s CLI', () => {
  it('adds up the sessions’ current rates (bytes per second)', () => {
    expect(sessionRates(PS)).toBe(1250);
  });

  it('reads no traffic when no session reports a rate', () => {
    expect(sessionRates('  Total sessions: 0\n')).toBe(0);
  });
});
