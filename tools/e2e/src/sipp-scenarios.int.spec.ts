import path from 'node:path';
import { type TempDir, createTempDir } from '@p2psip/testing';
import { SIPP_SCENARIOS, Sipp, assertSippSucceeded } from './support/sipp';

const domain = 'p2psip.test';

// Our sipp scenarios checked against sipp itself, so that a failing edge test points at the edge
// and not at a scenario: register-auth.xml against a registrar stub that verifies the Digest
// response, and the built-in UAC/UAS pair the edge test relays.
describe('e2e — sipp scenarios against sipp', () => {
  let work: TempDir;
  let sipp: Sipp;

  beforeAll(async () => {
    work = await createTempDir('sipp-scenarios');
    sipp = new Sipp(work.path);
  });

  afterAll(async () => {
    await sipp?.stopAll();
    await work?.remove();
  });

  it('register-auth.xml answers the 401 with a Digest response the registrar verifies', async () => {
    const registrar = await sipp.start({
      name: 'registrar',
      args: [
        ...['-sf', path.join(SIPP_SCENARIOS, 'registrar-stub.xml')],
        ...['-key', 'domain', domain, '-key', 'password', 'pw'],
      ],
      timeoutS: 60,
    });
    const csv = await sipp.injectionFile('users.csv', [
      ['bob', 'pw', '[authentication username=bob password=pw]'],
      ['alice', 'pw', '[authentication username=alice password=pw]'],
      ['mallory', 'guess', '[authentication username=mallory password=guess]'],
    ]);
    const args = [
      ...['-sf', path.join(SIPP_SCENARIOS, 'register-auth.xml'), '-inf', csv],
      ...['-key', 'domain', domain, '-r', '50'],
    ];
    const good = await sipp.run({
      name: 'register-good',
      remote: `127.0.0.1:${registrar.port}`,
      args: [...args, '-m', '2'],
      timeoutS: 20,
    });
    assertSippSucceeded(good, 2, 'REGISTER with the right passwords');
    expect(good.messagesTail).toMatch(/Authorization: Digest username="alice",realm="p2psip.test"/);
    // The third line of the file: a wrong password is refused (403), so the call fails.
    const bad = await sipp.run({
      name: 'register-bad',
      remote: `127.0.0.1:${registrar.port}`,
      args: [...args, '-m', '3'],
      timeoutS: 20,
    });
    expect({ successful: bad.stats.successful, failed: bad.stats.failed }).toEqual({
      successful: 2,
      failed: 1,
    });
    await registrar.stop();
  });

  it('the built-in UAC completes calls with the built-in UAS', async () => {
    const uas = await sipp.start({ name: 'uas', args: ['-sn', 'uas'], timeoutS: 60 });
    const calls = await sipp.run({
      name: 'uac',
      remote: `127.0.0.1:${uas.port}`,
      args: ['-sn', 'uac', '-s', 'bob', '-m', '10', '-r', '20'],
      timeoutS: 20,
    });
    assertSippSucceeded(calls, 10, 'UAC → UAS');
    expect(calls.rttMs).toHaveLength(10);
    const final = await uas.stop();
    expect(final.stats.incoming).toBe(10);
  });
});
