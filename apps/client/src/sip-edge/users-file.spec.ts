import path from 'node:path';
import { parseUsers } from './users-file';

describe('client — the SIP edge users file', () => {
  it('reads users, skipping comments and blank lines, with identity dirs relative to the file', () => {
    const users = parseUsers(
      '# phones\n\nbob@P2PSIP.test  secret  ids/bob\nsip:alice@p2psip.test pw /abs/alice\n',
      '/etc/edge',
    );
    expect([...users.values()]).toEqual([
      { aor: 'bob@p2psip.test', password: 'secret', identityDir: path.resolve('/etc/edge', 'ids/bob') },
      { aor: 'alice@p2psip.test', password: 'pw', identityDir: '/abs/alice' },
    ]);
  });

  it.each([
    ['bob@p2psip.test secret', /users file:1: want/],
    ['bob secret dir', /users file:1: a SIP AOR needs user@host/],
    ['bob@p2psip.test a d\nbob@p2psip.test b e', /users file:2: bob@p2psip.test is listed twice/],
    ['# nobody', /lists no users/],
  ])('refuses %j with a message naming the line', (text, message) => {
    expect(() => parseUsers(text, '/')).toThrow(message);
  });
});
