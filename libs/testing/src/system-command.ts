import { spawnSync } from 'node:child_process';

/** Absolute path of a command on PATH, or undefined. */
export function findCommand(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found.length > 0 ? found : undefined;
}

/** Like findCommand, but explains how to get the command when it is missing. */
export function requireCommand(name: string, debianPackage: string): string {
  const found = findCommand(name);
  if (!found) {
    throw new Error(
      `${name} is not installed; run \`npm test\` as root (it installs it) or \`apt-get install -y ${debianPackage}\``,
    );
  }
  return found;
}
