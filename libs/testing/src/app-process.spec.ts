import { spawnApp } from './app-process';

describe('testing — app processes', () => {
  it('waits for the ready line and stops the process', async () => {
    const app = await spawnApp(process.execPath, {
      args: [
        '-e',
        'console.log("starting"); setTimeout(() => console.log("ready"), 50); setInterval(() => {}, 1000);',
      ],
      readyWhen: (line) => line === 'ready',
    });
    expect(app.output).toEqual(['starting', 'ready']);
    await app.stop();
    expect(await app.exited()).toBe('SIGTERM');
  });

  it('rejects with the output when the process exits before it is ready', async () => {
    await expect(
      spawnApp(process.execPath, {
        args: ['-e', 'console.error("boom: bad config"); process.exit(3);'],
        readyWhen: (line) => line === 'ready',
      }),
    ).rejects.toThrow(/exited \(3\)[\s\S]*boom: bad config/);
  });
});
