import { existsSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentDataError } from '../../errors.js';
import { seededRandom } from '../../seeded-random.js';
import { Catalogue, productsFromRecords, type RawAttributes, type RawProduct } from './catalogue.js';
import { humanGoals, shuffleGoals, syntheticGoals, type Goal, type HumanInstruction } from './goals.js';
import { readJsonArray } from './json-stream.js';

/**
 * Loads a WebShop data directory in upstream's layout, and freezes its goals on first load.
 *
 * Two layouts are recognised (upstream's `setup.sh -d small` and `-d all`):
 * - small: `items_shuffle_1000.json` + `items_ins_v2_1000.json`, with synthetic goals (what AgentGym
 *   serves; the human instructions hardly cover these 1,000 products);
 * - full: `items_shuffle.json` + `items_ins_v2.json` + `items_human_ins.json`, with human goals (the
 *   paper's benchmark). The built-in fixtures use this layout in miniature.
 * When both are present, small wins, as upstream's default paths do.
 *
 * Upstream draws goal price ceilings and range prices afresh on every start; here they are drawn once
 * and written to `webshop-goals.frozen.json` beside the data, which later loads read back, so runs repeat.
 */

export const GOAL_FILE = 'webshop-goals.frozen.json';
const GOAL_FILE_FORMAT = 'sandbox-eval/webshop-goals@1';
/** Seed of the draws for price ceilings when goals are first frozen. */
const CEILING_SEED = 233;

export type GoalKind = 'human' | 'synthetic';

interface Layout {
  name: 'small' | 'full';
  products: string;
  attributes: string;
  instructions?: string;
  kind: GoalKind;
}

const LAYOUTS: readonly Layout[] = [
  { name: 'small', products: 'items_shuffle_1000.json', attributes: 'items_ins_v2_1000.json', kind: 'synthetic' },
  {
    name: 'full',
    products: 'items_shuffle.json',
    attributes: 'items_ins_v2.json',
    instructions: 'items_human_ins.json',
    kind: 'human',
  },
];

export interface WebshopData {
  catalogue: Catalogue;
  goals: Goal[];
  kind: GoalKind;
  /** The data directory. */
  dir: string;
}

/** The frozen goal file: goals in upstream order and the drawn prices of range-priced products. */
interface FrozenGoals {
  format: typeof GOAL_FILE_FORMAT;
  kind: GoalKind;
  products: string;
  prices: Record<string, number>;
  goals: {
    asin: string;
    instruction_text: string;
    attributes: string[];
    goal_options: string[] | Record<string, string>;
    price_upper: number;
  }[];
}

/** The package's own folder (holding package.json), found from this module's location in src/ or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new EnvironmentDataError(`Cannot find the sandbox-eval package folder above ${fileURLToPath(import.meta.url)}; reinstall the package.`);
    dir = parent;
  }
}

/** The built-in catalogue and goals, written for this project. */
export function fixtureDir(): string {
  return join(packageRoot(), 'fixtures', 'webshop');
}

function layoutOf(dir: string): Layout {
  for (const layout of LAYOUTS) {
    const files = [layout.products, layout.attributes, ...(layout.instructions ? [layout.instructions] : [])];
    if (files.every((file) => existsSync(join(dir, file)))) return layout;
  }
  const expected = LAYOUTS.map((layout) =>
    [layout.products, layout.attributes, layout.instructions].filter(Boolean).join(' + '),
  ).join(', or ');
  throw new EnvironmentDataError(
    `WebShop data folder ${dir} lacks the expected files: ${expected}. Download them with upstream's setup.sh (-d small or -d all), or omit --data to use the built-in catalogue.`,
  );
}

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new EnvironmentDataError(`Cannot read ${path}: ${(error as Error).message}. Check the file, or download it again.`, { cause: error });
  }
}

async function readProducts(path: string, attributes: Readonly<Record<string, RawAttributes>>) {
  try {
    return await productsFromRecords(readJsonArray(path) as AsyncIterable<RawProduct>, attributes);
  } catch (error) {
    throw new EnvironmentDataError(`Cannot read ${path}: ${(error as Error).message}. Check the file, or download it again.`, { cause: error });
  }
}

function isFrozenGoals(value: unknown): value is FrozenGoals {
  const frozen = value as Partial<FrozenGoals> | null;
  return (
    typeof frozen === 'object' &&
    frozen !== null &&
    frozen.format === GOAL_FILE_FORMAT &&
    Array.isArray(frozen.goals) &&
    typeof frozen.prices === 'object' &&
    frozen.prices !== null
  );
}

function goalsFromFrozen(frozen: FrozenGoals, catalogue: Catalogue, path: string): Goal[] {
  return frozen.goals.map((goal, index) => {
    if (catalogue.indexOf(goal.asin) === undefined) {
      throw new EnvironmentDataError(
        `Goal ${index} in ${path} targets ${goal.asin}, which the catalogue does not have: the data changed after the goals were frozen. Delete ${path} to freeze the goals again.`,
      );
    }
    return {
      asin: goal.asin,
      instruction: goal.instruction_text,
      attributes: goal.attributes,
      goalOptions: goal.goal_options,
      priceUpper: goal.price_upper,
    };
  });
}

function isOptionList(options: Goal['goalOptions']): options is readonly string[] {
  return Array.isArray(options);
}

function frozenFrom(goals: readonly Goal[], catalogue: Catalogue, layout: Layout): FrozenGoals {
  return {
    format: GOAL_FILE_FORMAT,
    kind: layout.kind,
    products: layout.products,
    prices: catalogue.drawnPrices(),
    goals: goals.map((goal) => ({
      asin: goal.asin,
      instruction_text: goal.instruction,
      attributes: [...goal.attributes],
      goal_options: isOptionList(goal.goalOptions) ? [...goal.goalOptions] : { ...goal.goalOptions },
      price_upper: goal.priceUpper,
    })),
  };
}

/** JSON with one goal per line, so a committed goal file reads and diffs well. */
function frozenText(frozen: FrozenGoals): string {
  const { goals, ...head } = frozen;
  const lines = goals.map((goal) => JSON.stringify(goal));
  return `${JSON.stringify(head).slice(0, -1)},"goals":[\n${lines.join(',\n')}\n]}\n`;
}

/** Writes through a temporary file and a rename, so a concurrent reader never sees half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined); // best effort: the write error is the one to report
    throw new EnvironmentDataError(
      `Cannot write the frozen goal file ${path}: ${(error as Error).message}. It makes runs repeat; make the data folder writable, or copy the data somewhere writable and point --data there.`,
      { cause: error },
    );
  }
}

/** Loads the catalogue and the goals of an upstream-layout data folder, freezing the goals on first load. */
export async function loadWebshopData(dir: string): Promise<WebshopData> {
  const layout = layoutOf(dir);
  const attributes = await readJson<Record<string, RawAttributes>>(join(dir, layout.attributes));
  const products = await readProducts(join(dir, layout.products), attributes);
  const goalPath = join(dir, GOAL_FILE);

  if (existsSync(goalPath)) {
    const frozen = await readJson<unknown>(goalPath);
    if (!isFrozenGoals(frozen) || frozen.kind !== layout.kind || frozen.products !== layout.products) {
      throw new EnvironmentDataError(
        `${goalPath} is not a goal file for ${layout.products} (${layout.kind} goals). Delete it to freeze the goals again.`,
      );
    }
    const catalogue = new Catalogue({ products, prices: frozen.prices });
    return { catalogue, goals: goalsFromFrozen(frozen, catalogue, goalPath), kind: layout.kind, dir };
  }

  const catalogue = new Catalogue({ products });
  const random = seededRandom(CEILING_SEED);
  let goals: Goal[];
  if (layout.kind === 'human') {
    const instructions = await readJson<Record<string, HumanInstruction[]>>(join(dir, layout.instructions!));
    goals = humanGoals(catalogue, instructions, random);
  } else {
    goals = syntheticGoals(catalogue, attributes, random);
  }
  shuffleGoals(goals);
  if (goals.length === 0) {
    throw new EnvironmentDataError(`WebShop data in ${dir} yields no goals: no product of ${layout.products} has an instruction. Check the files.`);
  }
  await writeAtomically(goalPath, frozenText(frozenFrom(goals, catalogue, layout)));
  return { catalogue, goals, kind: layout.kind, dir };
}
