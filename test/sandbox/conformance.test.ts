import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { HttpSandbox } from '../../src/sandbox/http-client.js';
import { createSandboxServer } from '../../src/sandbox/http-server.js';
import { InProcessSandbox } from '../../src/sandbox/in-process.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';
import { runSandboxConformance } from './conformance.js';

const newManager = () => new InstanceManager({ registry: new EnvironmentRegistry(builtinEnvironments) });

runSandboxConformance({
  name: 'InProcessSandbox',
  async create() {
    const sandbox = new InProcessSandbox({ manager: newManager() });
    return { sandbox, cleanup: () => sandbox.close() };
  },
});

runSandboxConformance({
  name: 'HttpSandbox -> our server (loopback, with a token)',
  async create() {
    const server = createSandboxServer({ manager: newManager(), token: 't0ken' });
    const { url } = await server.listen({ port: 0 });
    const sandbox = new HttpSandbox({ url, token: 't0ken' });
    return {
      sandbox,
      async cleanup() {
        await sandbox.close();
        await server.close();
      },
    };
  },
});
