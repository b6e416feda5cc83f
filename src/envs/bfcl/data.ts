import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BfclDataError, BfclLongContextUnavailableError } from '../../errors.js';
import { BACKEND_CLASSES } from './classes/index.js';
import { longContextSourcePath, readLongContextFiller, type LongContextFiller } from './long-context.js';
import { parsePyJson } from './python/json.js';
import { parseCall, type ParsedCall } from './python/literal.js';
import { isDict, type PyDict, type PyValue } from './python/values.js';

/**
 * Loads BFCL multi-turn data in the upstream layout (`bfcl_eval/data`): question files
 * `BFCL_v4_multi_turn_<category>.json`, `possible_answer/` and `multi_turn_func_doc/`, all JSON
 * Lines despite the extension. Everything is parsed once and shared by every instance.
 */

/** One function doc line, as BFCL writes it (gorilla format). */
export interface FunctionDoc {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  [key: string]: unknown;
}

export interface QuestionMessage {
  role: string;
  content: string;
}

/** A ground-truth call of a turn: its source text and its parse. */
export interface GroundTruthCall {
  source: string;
  call: ParsedCall;
}

export interface BfclEntry {
  id: string;
  /** `multi_turn_base`, ...: the id without its trailing `_<n>`. */
  category: string;
  /** The user messages of each turn; a withheld-function turn is empty. */
  turns: ReadonlyArray<readonly QuestionMessage[]>;
  /** `initial_config` with Python value semantics (ints vs floats, key order). Never mutated. */
  initialConfig: PyDict;
  involvedClasses: readonly string[];
  /** miss_func: turn index -> the function names withheld until that turn. */
  missedFunctions: ReadonlyMap<number, readonly string[]>;
  /** Functions the entry asks not to offer (PR #1239); still executable. */
  excludedFunctions: readonly string[];
  groundTruth: ReadonlyArray<readonly GroundTruthCall[]>;
}

export interface BfclDataset {
  /** Where the data came from (for messages). */
  source: string;
  /** Category names in the order they are listed: base, miss_func, miss_param, long_context, then others. */
  categories: readonly string[];
  /** Entries by id, in category order then file order. */
  entries: ReadonlyMap<string, BfclEntry>;
  /** Function docs per backend class name, in file order. */
  docs: ReadonlyMap<string, readonly FunctionDoc[]>;
  /** Present when the long_context category was loaded. */
  longContext: LongContextFiller | undefined;
}

const QUESTION_FILE = /^BFCL_v4_(multi_turn_[a-z_]+)\.json$/;
const CATEGORY_ORDER = ['multi_turn_base', 'multi_turn_miss_func', 'multi_turn_miss_param', 'multi_turn_long_context'];

/** The package root (the folder holding package.json), from src/ under Vitest or from dist/ after a build. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new BfclDataError(`Cannot find the sandbox-eval package root above ${fileURLToPath(import.meta.url)}; reinstall the package.`);
    dir = parent;
  }
  return dir;
}

/** The data set written for this project, used when no `--data` is given. */
export function fixturesDir(): string {
  return join(packageRoot(), 'fixtures', 'bfcl');
}

function readLines(path: string): Array<{ line: number; text: string }> {
  if (!existsSync(path)) throw new BfclDataError(`Missing BFCL data file ${path}. A BFCL data directory holds question files, possible_answer/ and multi_turn_func_doc/ (the layout of bfcl_eval/data).`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((text, index) => ({ line: index + 1, text: text.trim() }))
    .filter(({ text }) => text !== '');
}

function parseLine(path: string, line: number, text: string): PyDict {
  let value: PyValue;
  try {
    value = parsePyJson(text);
  } catch (error) {
    throw new BfclDataError(`${path}:${line} is not valid JSON (${(error as Error).message}). BFCL files are JSON Lines: one object per line.`, { cause: error });
  }
  if (!isDict(value)) throw new BfclDataError(`${path}:${line} should be a JSON object, got ${typeof value}.`);
  return value;
}

function expectString(value: PyValue | undefined, where: string): string {
  if (typeof value !== 'string') throw new BfclDataError(`${where} should be a string.`);
  return value;
}

function expectList(value: PyValue | undefined, where: string): PyValue[] {
  if (!Array.isArray(value)) throw new BfclDataError(`${where} should be a list.`);
  return value;
}

function categoryOf(id: string): string {
  return id.replace(/_\d+$/, '');
}

function loadDocs(dataDir: string): Map<string, FunctionDoc[]> {
  const docs = new Map<string, FunctionDoc[]>();
  for (const backend of BACKEND_CLASSES.values()) {
    const path = join(dataDir, 'multi_turn_func_doc', `${backend.docFile}.json`);
    docs.set(
      backend.name,
      readLines(path).map(({ line, text }) => {
        let doc: FunctionDoc;
        try {
          doc = JSON.parse(text) as FunctionDoc;
        } catch (error) {
          throw new BfclDataError(`${path}:${line} is not valid JSON (${(error as Error).message}).`, { cause: error });
        }
        if (typeof doc.name !== 'string' || !(doc.name in backend.methods)) {
          throw new BfclDataError(`${path}:${line} documents "${String(doc.name)}", which ${backend.name} does not have. Known: ${Object.keys(backend.methods).join(', ')}.`);
        }
        return doc;
      }),
    );
  }
  return docs;
}

function parseGroundTruth(path: string, id: string, value: PyValue | undefined): GroundTruthCall[][] {
  return expectList(value, `${path}: ground_truth of ${id}`).map((turn, index) =>
    expectList(turn, `${path}: ground_truth[${index}] of ${id}`).map((source) => {
      const text = expectString(source, `${path}: a ground-truth call of ${id}`);
      try {
        return { source: text, call: parseCall(text) };
      } catch (error) {
        throw new BfclDataError(`${path}: ground truth of ${id}, turn ${index}: cannot parse ${JSON.stringify(text)} (${(error as Error).message}).`, { cause: error });
      }
    }),
  );
}

function loadCategory(dataDir: string, file: string, category: string): BfclEntry[] {
  const questionPath = join(dataDir, file);
  const answerPath = join(dataDir, 'possible_answer', file);
  const answers = new Map<string, PyValue | undefined>();
  for (const { line, text } of readLines(answerPath)) {
    const record = parseLine(answerPath, line, text);
    answers.set(expectString(record.get('id'), `${answerPath}:${line} id`), record.get('ground_truth'));
  }
  return readLines(questionPath).map(({ line, text }) => {
    const record = parseLine(questionPath, line, text);
    const where = `${questionPath}:${line}`;
    const id = expectString(record.get('id'), `${where} id`);
    if (categoryOf(id) !== category) throw new BfclDataError(`${where}: entry ${id} does not belong to ${category} (its file).`);
    const turns = expectList(record.get('question'), `${where} question`).map((turn, index) =>
      expectList(turn, `${where} question[${index}]`).map((message) => ({
        role: expectString(isDict(message) ? message.get('role') : undefined, `${where} question[${index}] role`),
        content: expectString(isDict(message) ? message.get('content') : undefined, `${where} question[${index}] content`),
      })),
    );
    const involvedClasses = expectList(record.get('involved_classes'), `${where} involved_classes`).map((name) => {
      const className = expectString(name, `${where} involved_classes`);
      if (!BACKEND_CLASSES.has(className)) throw new BfclDataError(`${where}: unknown class "${className}". Known: ${[...BACKEND_CLASSES.keys()].join(', ')}.`);
      return className;
    });
    const config = record.get('initial_config') ?? new Map();
    if (!isDict(config)) throw new BfclDataError(`${where} initial_config should be an object.`);
    const missed = record.get('missed_function');
    const missedFunctions = new Map<number, string[]>();
    if (isDict(missed)) {
      for (const [turn, names] of missed) missedFunctions.set(Number(turn), expectList(names, `${where} missed_function`).map((name) => expectString(name, `${where} missed_function`)));
    }
    const excluded = record.get('excluded_function');
    if (!answers.has(id)) throw new BfclDataError(`${answerPath} has no ground truth for ${id}.`);
    const groundTruth = parseGroundTruth(answerPath, id, answers.get(id));
    if (groundTruth.length !== turns.length) {
      throw new BfclDataError(`${id}: ${turns.length} question turns but ${groundTruth.length} ground-truth turns in ${answerPath}; the files belong to different BFCL versions.`);
    }
    return {
      id,
      category,
      turns,
      initialConfig: config,
      involvedClasses,
      missedFunctions,
      excludedFunctions: Array.isArray(excluded) ? excluded.map((name) => expectString(name, `${where} excluded_function`)) : [],
      groundTruth,
    };
  });
}

/** Loads every multi-turn category found in `dataDir`. */
export function loadBfclDataset(dataDir: string): BfclDataset {
  const dir = resolve(dataDir);
  if (!existsSync(dir)) throw new BfclDataError(`BFCL data directory ${dir} does not exist. Pass the bfcl_eval/data directory of a BFCL checkout (or omit --data for the built-in fixtures).`);
  const files = readdirSync(dir);
  const found = files.flatMap((file) => {
    const match = QUESTION_FILE.exec(file);
    return match ? [{ file, category: match[1]! }] : [];
  });
  if (found.length === 0) {
    const v3 = files.some((file) => file.startsWith('BFCL_v3_multi_turn_'));
    throw new BfclDataError(
      v3
        ? `${dir} holds BFCL v3 files (BFCL_v3_multi_turn_*.json); this environment follows BFCL v4, whose data and backends differ. Use the data of a current BFCL checkout.`
        : `${dir} holds no BFCL multi-turn question files (BFCL_v4_multi_turn_<category>.json).`,
    );
  }
  const rank = (category: string) => (CATEGORY_ORDER.includes(category) ? CATEGORY_ORDER.indexOf(category) : CATEGORY_ORDER.length);
  found.sort((a, b) => rank(a.category) - rank(b.category) || a.category.localeCompare(b.category));
  let longContext: LongContextFiller | undefined;
  if (found.some(({ category }) => category.includes('long_context'))) {
    try {
      longContext = readLongContextFiller(dir);
    } catch (error) {
      // a checkout whose long_context.py no longer has the constants we read: say which one
      throw new BfclDataError(`Cannot read BFCL's long-context filler from ${longContextSourcePath(dir)}: ${(error as Error).message}`, { cause: error });
    }
    if (!longContext) throw new BfclLongContextUnavailableError(dir, longContextSourcePath(dir));
  }
  const entries = new Map<string, BfclEntry>();
  for (const { file, category } of found) {
    for (const entry of loadCategory(dir, file, category)) {
      if (entries.has(entry.id)) throw new BfclDataError(`${dir}: entry id ${entry.id} appears twice.`);
      entries.set(entry.id, entry);
    }
  }
  return { source: dir, categories: found.map(({ category }) => category), entries, docs: loadDocs(dir), longContext };
}
