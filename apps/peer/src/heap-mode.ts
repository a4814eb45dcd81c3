import { setFlagsFromString } from 'node:v8';
import { InvalidArgumentError } from 'commander';

/** How V8 sizes this process's heap: `lean` for memory, `fast` for CPU, `auto` by virtual peers. */
export type HeapMode = 'auto' | 'lean' | 'fast';

/**
 * From this many virtual peers on, `auto` is lean: memory per peer is then what limits how many
 * peers a machine can host, while a process with a few peers is more often short of CPU.
 */
export const LEAN_HEAP_FROM_PEERS = 16;

export function parseHeapMode(text: string): HeapMode {
  if (text === 'auto' || text === 'lean' || text === 'fast') return text;
  throw new InvalidArgumentError(`--heap takes auto, lean or fast, got ${text}`);
}

export function resolveHeapMode(mode: HeapMode, virtualPeers: number): 'lean' | 'fast' {
  if (mode !== 'auto') return mode;
  return virtualPeers >= LEAN_HEAP_FROM_PEERS ? 'lean' : 'fast';
}

/**
 * Lean is V8's --optimize-for-size (ADR 0003 §10): the heap grows in smaller steps and is
 * collected sooner. In bench:ring it took ~0.25 MB off each of 50 virtual peers in a process; in
 * store-bound bench:sip steps the peers spent 10–30 % more CPU per store with it. Set at run
 * time, before the peers start: it governs the heap's growth from then on (measured: 478 MB for
 * 4 × 50 peers against 466 MB with the flag on node's command line and 506 MB without it). Fast
 * sets nothing, so a flag given to node on its command line still holds.
 */
export function applyHeapMode(mode: 'lean' | 'fast'): void {
  if (mode === 'lean') setFlagsFromString('--optimize-for-size');
}
