#!/usr/bin/env node
// Makes sure the system programs the project runs are installed. As root with apt-get (a fresh
// Debian machine, CI) it installs what is missing; otherwise it says exactly what to install and
// fails. Usage: node tools/system/ensure-packages.cjs <command>... (see PACKAGES for the names).
'use strict';
const { spawnSync } = require('node:child_process');

/** command → Debian package that provides it */
const PACKAGES = {
  'nats-server': 'nats-server',
  protoc: 'protobuf-compiler',
  turnserver: 'coturn',
  turnutils_uclient: 'coturn',
  sipp: 'sip-tester',
  // baresip-core has the binary and its modules; the `baresip` metapackage adds GUI and video.
  baresip: 'baresip-core',
  kamailio: 'kamailio',
  openssl: 'openssl',
  curl: 'curl',
};

function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function ensure(commands) {
  const unknown = commands.filter((command) => !(command in PACKAGES));
  if (unknown.length > 0) throw new Error(`no Debian package known for: ${unknown.join(', ')}`);
  const missing = [
    ...new Set(commands.filter((command) => !hasCommand(command)).map((command) => PACKAGES[command])),
  ];
  if (missing.length === 0) return;
  const install = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    console.error(
      `missing system packages: ${missing.join(', ')}\nrun as root: apt-get update && ${install}`,
    );
    process.exit(1);
  }
  console.log(`installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const step of ['apt-get update -qq', install]) {
    const result = spawnSync('sh', ['-c', step], { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`failed: ${step}`);
      process.exit(1);
    }
  }
  const stillMissing = commands.filter((command) => !hasCommand(command));
  if (stillMissing.length > 0) {
    console.error(`still missing after install: ${stillMissing.join(', ')}`);
    process.exit(1);
  }
}

if (require.main === module) {
  try {
    ensure(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
}

module.exports = { ensure, hasCommand, PACKAGES };
