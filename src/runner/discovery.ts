import { relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { EvalFileError, isSandboxEvalError } from '../errors.js';
import { type EvalSuite, evalSuiteSchema, validate } from './config.js';
import { defaultExport, loadModule } from '../load-module.js';
import type { ResolvedConfig } from './resolve-config.js';

/** A suite and the file it came from (relative to the root, with forward slashes). */
export interface DiscoveredSuite {
  suite: EvalSuite;
  file: string;
}

/** Paths of the eval files the config includes, filtered by the CLI's file filters, sorted. */
export async function findEvalFiles(config: Pick<ResolvedConfig, 'root' | 'include' | 'exclude' | 'filters'>): Promise<string[]> {
  const files = await glob(config.include, { cwd: config.root, ignore: config.exclude, absolute: true, dot: false });
  const relativeFiles = files.map((file) => relative(config.root, file).split('\\').join('/'));
  const kept = config.filters.length ? relativeFiles.filter((file) => config.filters.some((filter) => file.includes(filter))) : relativeFiles;
  return kept.sort();
}

/** Imports each eval file (TypeScript without a build step) and checks what it exports. */
export async function loadSuites(options: { root: string; files: readonly string[]; fresh?: boolean }): Promise<DiscoveredSuite[]> {
  const suites: DiscoveredSuite[] = [];
  const seen = new Map<string, string>();
  for (const file of options.files) {
    let module;
    try {
      module = await loadModule(resolve(options.root, file), { fresh: options.fresh ?? false });
    } catch (error) {
      if (isSandboxEvalError(error)) throw error;
      throw new EvalFileError(`Could not load ${file}: ${(error as Error).message}`, { cause: error });
    }
    const exported = defaultExport(module);
    if (exported === undefined) {
      throw new EvalFileError(`${file} has no default export. Export a suite: \`export default defineEval({ name, dataset, split, agent })\` (or an array of suites).`);
    }
    const list = Array.isArray(exported) ? exported : [exported];
    list.forEach((value, index) => {
      const where = Array.isArray(exported) ? `suite #${index} in ${file}` : `suite in ${file}`;
      const suite = validate<EvalSuite>(evalSuiteSchema, value, where);
      const other = seen.get(suite.name);
      if (other) throw new EvalFileError(`Two suites are named "${suite.name}" (${other} and ${file}). Suite names must be unique within a run.`);
      seen.set(suite.name, file);
      suites.push({ suite, file });
    });
  }
  return suites;
}
