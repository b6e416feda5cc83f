import type { Writable } from 'node:stream';
import type { EnvironmentRegistry } from '../envs/registry.js';
import type { DockerConfig } from './docker/images.js';
import type { ProviderName } from './names.js';
import type { SandboxProvider } from './types.js';

export interface ProviderOptions {
  name: ProviderName;
  registry: EnvironmentRegistry;
  dataDirs: Record<string, string>;
  urls: readonly string[];
  token?: string;
  /** The docker provider's images, registry and credentials. */
  docker?: DockerConfig;
  /** Where providers write progress and notices (image pulls). @default process.stderr */
  stderr?: Writable;
}

/**
 * The provider a run asked for, by name. Each is imported only when asked for: the Docker client
 * alone costs more start-up time than the rest of the CLI.
 */
export async function createProvider(options: ProviderOptions): Promise<SandboxProvider> {
  switch (options.name) {
    case 'embedded': {
      const { EmbeddedProvider } = await import('./embedded.js');
      return new EmbeddedProvider({ registry: options.registry, dataDirs: options.dataDirs });
    }
    case 'remote': {
      const { RemoteProvider } = await import('./remote.js');
      return new RemoteProvider({ urls: [...options.urls], ...(options.token ? { token: options.token } : {}) });
    }
    case 'docker': {
      const { DockerProvider } = await import('./docker/docker-provider.js');
      return new DockerProvider({ dataDirs: options.dataDirs, ...(options.docker ? { config: options.docker } : {}), ...(options.stderr ? { stderr: options.stderr } : {}) });
    }
  }
}
