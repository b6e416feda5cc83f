import { UsageError, describeValue } from '../errors.js';
import type { Flag } from './flags.js';

export interface ParsedArgs {
  /** By flag key (the table's key, not the spelled name). Lists collect repeats. */
  values: Record<string, string | number | boolean | string[]>;
  /** `--name.<key>=<value>` entries of keyed flags, by flag key. */
  keyed: Record<string, Record<string, string>>;
  positionals: string[];
}

/**
 * Parses argv against a flag table: `--name value`, `--name=value`, `-x value`, `--name.key=value` for
 * keyed flags, `--` ends flags. Unknown flags are usage errors that suggest the closest known one.
 */
export function parseArgs(argv: readonly string[], flags: Record<string, Flag>): ParsedArgs {
  const byName = new Map<string, [string, Flag]>();
  for (const [key, flag] of Object.entries(flags)) {
    byName.set(`--${flag.name}`, [key, flag]);
    if (flag.short) byName.set(`-${flag.short}`, [key, flag]);
  }
  const parsed: ParsedArgs = { values: {}, keyed: {}, positionals: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    let name = equals === -1 ? arg : arg.slice(0, equals);
    let inline = equals === -1 ? undefined : arg.slice(equals + 1);
    let mapKey: string | undefined;
    const dot = name.indexOf('.', 2);
    if (dot !== -1) {
      mapKey = name.slice(dot + 1);
      name = name.slice(0, dot);
    }
    const entry = byName.get(name);
    if (!entry) throw new UsageError(`Unknown option ${name}.${suggest(name, flags)} See --help.`);
    const [key, flag] = entry;
    if (mapKey !== undefined && !flag.keyed) throw new UsageError(`Option ${name} does not take a key (got ${name}.${mapKey}).`);
    if (flag.type === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) throw new UsageError(`Expected \`${name}\` to be true or false, got ${describeValue(inline)}.`);
      parsed.values[key] = inline !== 'false';
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) throw new UsageError(`Option ${name} needs a value: ${name} ${flag.arg ?? '<value>'}.`);
      inline = next;
      i += 1;
    }
    if (mapKey !== undefined) {
      if (!mapKey) throw new UsageError(`Option ${name}. needs a key, e.g. ${name}.json=<value>.`);
      (parsed.keyed[key] ??= {})[mapKey] = inline;
      continue;
    }
    if (flag.type === 'integer') {
      if (!/^-?\d+$/.test(inline)) throw new UsageError(`Expected \`${name}\` to be an integer, got ${describeValue(inline)}.`);
      parsed.values[key] = Number(inline);
    } else if (flag.type === 'list') {
      const list = (parsed.values[key] as string[] | undefined) ?? [];
      list.push(inline);
      parsed.values[key] = list;
    } else {
      parsed.values[key] = inline;
    }
  }
  return parsed;
}

function suggest(name: string, flags: Record<string, Flag>): string {
  const bare = name.replace(/^-+/, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const flag of Object.values(flags)) {
    const distance = editDistance(bare, flag.name);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = flag.name;
    }
  }
  return best ? ` Did you mean --${best}?` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
