import type { EnvironmentRegistry } from '../envs/registry.js';
import type { ProviderName } from './names.js';
import { EmbeddedProvider } from './embedded.js';
import { RemoteProvider } from './remote.js';
import type { SandboxProvider } from './types.js';

export interface ProviderOptions {
  name: ProviderName;
  registry: EnvironmentRegistry;
  dataDirs: Record<string, string>;
  urls: readonly string[];
  token?: string;
}

/** The provider a run asked for, by name. */
export function createProvider(options: ProviderOptions): SandboxProvider {
  switch (options.name) {
    case 'embedded':
      return new EmbeddedProvider({ registry: options.registry, dataDirs: options.dataDirs });
    case 'remote':
      return new RemoteProvider({ urls: [...options.urls], ...(options.token ? { token: options.token } : {}) });
  }
}
