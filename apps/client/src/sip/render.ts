import { idToHex } from '@p2psip/identity';
import type { Destination } from '@p2psip/overlay';
import type { Resolution, SipRegistration } from '@p2psip/sip-usage';

/** A destination as JSON: `{kind: 'node' | 'resource' | 'opaque', id: hex}`. */
export interface DestinationJson {
  readonly kind: Destination['kind'];
  readonly id: string;
}

export type RegistrationJson =
  | { readonly type: 'uri'; readonly uri: string }
  | { readonly type: 'route'; readonly contactPrefs: string; readonly destinations: DestinationJson[] }
  | { readonly type: 'unknown'; readonly code: number; readonly dataHex: string };

export function destinationJson(d: Destination): DestinationJson {
  return { kind: d.kind, id: d.kind === 'opaque' ? Buffer.from(d.id).toString('hex') : idToHex(d.id) };
}

export function registrationJson(r: SipRegistration): RegistrationJson {
  switch (r.type) {
    case 'uri':
      return { type: 'uri', uri: r.uri };
    case 'route':
      return {
        type: 'route',
        contactPrefs: r.contactPrefs,
        destinations: r.destinations.map(destinationJson),
      };
    case 'unknown':
      return { type: 'unknown', code: r.code, dataHex: Buffer.from(r.data).toString('hex') };
  }
}

export function describeRegistration(r: RegistrationJson): string {
  switch (r.type) {
    case 'uri':
      return `forward → ${r.uri}`;
    case 'route':
      return `route [${r.destinations.map((d) => `${d.kind} ${d.id}`).join(', ')}]${r.contactPrefs ? ` prefs ${r.contactPrefs}` : ''}`;
    case 'unknown':
      return `type ${r.code} (unknown, ${r.dataHex.length / 2} bytes)`;
  }
}

/** The lookup answer as JSON: the resolution with its values in readable form. */
export function lookupJson(resolution: Resolution, found: boolean) {
  return {
    ...resolution,
    found,
    entries: resolution.entries.map((e) => ({
      aor: e.aor,
      hop: e.hop,
      nodeId: e.nodeId,
      registration: e.registration ? registrationJson(e.registration) : null,
      ...(e.error ? { error: e.error } : {}),
      remainingS: e.remainingS,
      signer: e.signer,
    })),
  };
}

export function describeLookup(result: ReturnType<typeof lookupJson>): string {
  const lines: string[] = [];
  let aor: string | undefined;
  for (const e of result.entries) {
    if (e.aor !== aor) lines.push(`${e.aor}${e.hop > 0 ? ` (hop ${e.hop})` : ''}:`);
    aor = e.aor;
    const what = e.registration ? describeRegistration(e.registration) : `malformed value (${e.error?.code})`;
    lines.push(`  ${e.nodeId}  ${what}  — ${e.remainingS} s left, signed by ${e.signer ?? '?'}`);
  }
  for (const l of result.loops) lines.push(`loop: ${l.path.join(' → ')} (not followed)`);
  for (const h of result.hopLimits) lines.push(`hop limit: ${h.from} → ${h.to} not followed (hop ${h.hop})`);
  for (const n of result.notFollowed) lines.push(`not followed: ${n.uri} (${n.reason})`);
  if (result.dropped > 0) lines.push(`${result.dropped} value(s) dropped: bad signature or policy`);
  lines.push(
    result.found
      ? `${result.routes} route(s) for ${result.aor}`
      : `no reachable registration for ${result.aor}${result.loops.length > 0 ? ' (forwarding loop)' : ''}`,
  );
  return lines.join('\n');
}
