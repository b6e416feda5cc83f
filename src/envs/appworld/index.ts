import { AppWorldUnavailableError } from '../../errors.js';
import type { Environment, EnvironmentLoadOptions } from '../types.js';
import { appworldEnvironment } from './environment.js';

export { appworldEnvironment, type AppWorldEnvironmentOptions } from './environment.js';

const HOW_TO_GET_APPWORLD =
  "AppWorld does not run in-process: it needs AppWorld's Python server or AgentScope's AppWorld image. Either " +
  '(1) run it in Docker with `--provider docker` (pulls agentscope/runtime-sandbox-appworld, which holds AppWorld and its data), or ' +
  '(2) run AppWorld yourself (`pip install appworld && appworld install && appworld download data`, then `appworld serve environment --port 8000`) ' +
  'and set APPWORLD_ENVIRONMENT_URL=http://127.0.0.1:8000 (comma-separated for several servers, one task each) with --data.appworld=<APPWORLD_ROOT> for the task lists, ' +
  'or register `appworldEnvironment({ urls })` in eval.config.ts `environments`.';

/**
 * The built-in `appworld`: AppWorld servers named by APPWORLD_ENVIRONMENT_URL, or a clear error saying
 * how to get one. Through the docker provider the env runs in AgentScope's image and this is not loaded.
 */
export function loadAppworldBuiltin(options: EnvironmentLoadOptions): Environment | Promise<Environment> {
  const urls = (process.env.APPWORLD_ENVIRONMENT_URL ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  if (urls.length === 0) throw new AppWorldUnavailableError(HOW_TO_GET_APPWORLD);
  return appworldEnvironment({ urls }).load(options);
}
