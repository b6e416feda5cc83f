import type { EnvironmentLoadOptions } from '../types.js';
import { fixtureDir, loadWebshopData } from './data-files.js';
import { WebshopEnvironment } from './environment.js';

/**
 * `webshop`: WebShop (Yao et al., 2022) in native TypeScript, text mode. Without `--data`, the
 * built-in catalogue and goals written for this project (fixtures/webshop); with `--data DIR`,
 * upstream's data files. See environment.ts for the protocol and data-files.ts for the layouts.
 */
export async function loadWebshopEnvironment({ dataDir }: EnvironmentLoadOptions): Promise<WebshopEnvironment> {
  const { catalogue, goals } = await loadWebshopData(dataDir ?? fixtureDir());
  return new WebshopEnvironment({ catalogue, goals });
}

export { WebshopEnvironment } from './environment.js';
