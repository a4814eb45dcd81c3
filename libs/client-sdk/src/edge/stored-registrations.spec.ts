import { StoredRegistrations } from './stored-registrations';

describe('client-sdk — when the edge re-stores a registration', () => {
  let now = 0;
  let draw = 0.5; // renewal at 70 % of the life
  const stored = new StoredRegistrations(
    () => now,
    () => draw,
  );

  beforeEach(() => {
    now = 0;
    draw = 0.5;
    stored.forget('bob@p2psip.test');
    stored.forget('carol@p2psip.test');
  });

  it('skips stores until the renewal point, whatever the bindings', () => {
    stored.record('bob@p2psip.test', 300);
    now = 209_000;
    expect(stored.isFresh('bob@p2psip.test')).toBe(true);
    expect(stored.due()).toEqual([]);
    now = 210_000;
    expect(stored.isFresh('bob@p2psip.test')).toBe(false);
    expect(stored.due()).toEqual(['bob@p2psip.test']);
  });

  it('spreads the renewal point between 60 % and 80 % of the life', () => {
    draw = 0;
    stored.record('bob@p2psip.test', 100);
    draw = 1;
    stored.record('carol@p2psip.test', 100);
    now = 60_000;
    expect(stored.due()).toEqual(['bob@p2psip.test']);
    now = 80_000;
    expect(stored.due()).toEqual(['bob@p2psip.test', 'carol@p2psip.test']);
  });

  it('lists only the entries due for renewal', () => {
    stored.record('bob@p2psip.test', 60);
    stored.record('carol@p2psip.test', 600);
    now = 42_000;
    expect(stored.due()).toEqual(['bob@p2psip.test']);
  });

  it('stores again when the entry was withdrawn or never stored', () => {
    stored.record('bob@p2psip.test', 300);
    stored.forget('bob@p2psip.test');
    expect(stored.isFresh('bob@p2psip.test')).toBe(false);
    expect(stored.isFresh('carol@p2psip.test')).toBe(false);
    expect(stored.due()).toEqual([]);
  });
});
