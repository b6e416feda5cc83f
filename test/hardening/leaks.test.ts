import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import type { EnvironmentDefinition } from '../../src/envs/types.js';
import { HttpSandbox } from '../../src/sandbox/http-client.js';
import { createSandboxServer, type SandboxServer } from '../../src/sandbox/http-server.js';
import { InProcessSandbox } from '../../src/sandbox/in-process.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';
import type { Sandbox } from '../../src/sandbox/types.js';

/**
 * Leaks, the bounded version of bench/leaks.bench.mjs: after create/step/release cycles and after
 * idle expiry, no instance stays reachable. Each instance the `tracked` env makes is watched through
 * a WeakRef, so the check is "the garbage collector could free it", not a flaky heap-size threshold.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** An env whose instances carry 64 KiB each (a leak would show) and are watched through WeakRefs. */
function trackedEnvironment(refs: Array<WeakRef<object>>): EnvironmentDefinition {
  return {
    name: 'tracked',
    description: 'leak probe',
    load: () => ({
      name: 'tracked',
      splits: () => ['all'],
      taskIds: () => ['t'],
      createInstance: ({ taskId, instanceId }) => {
        const payload = new Uint8Array(64 * 1024);
        const instance = {
          initial: { state: [{ role: 'user' as const, content: 'go' }], info: { instance_id: instanceId, task_id: taskId } },
          step: () => ({ state: [{ role: 'user' as const, content: `ok ${payload.length}` }], reward: 0, is_terminated: false, info: {} }),
          evaluate: () => payload[0]!,
        };
        refs.push(new WeakRef(instance));
        return instance;
      },
    }),
  };
}

async function collectedShare(refs: Array<WeakRef<object>>): Promise<number> {
  for (let k = 0; k < 3; k += 1) {
    gc();
    // finalisation and promise chains settle between collections
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return refs.filter((ref) => ref.deref() === undefined).length / refs.length;
}

async function cycles(sandbox: Sandbox, count: number, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const { info } = await sandbox.createInstance({ envType: 'tracked', taskId: 't' });
        await sandbox.step({ instanceId: info.instance_id, action: { role: 'assistant', content: 'x' } });
        await sandbox.evaluate({ instanceId: info.instance_id });
        await sandbox.releaseInstance({ instanceId: info.instance_id });
      }
    }),
  );
}

const toClose: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((item) => item.close()));
});

describe('leaks', () => {
  it('2,000 in-process create/step/evaluate/release cycles leave every instance collectable', async () => {
    const refs: Array<WeakRef<object>> = [];
    const manager = new InstanceManager({ registry: new EnvironmentRegistry([trackedEnvironment(refs)]), idleTimeoutMs: 0 });
    const sandbox = new InProcessSandbox({ manager });
    toClose.push(sandbox);
    await cycles(sandbox, 2_000, 16);
    expect(manager.metrics).toMatchObject({ live: 0, created: 2_000, released: 2_000 });
    expect(await collectedShare(refs)).toBe(1);
  });

  it('2,000 instances expired by the idle timeout leave nothing behind', async () => {
    const refs: Array<WeakRef<object>> = [];
    const manager = new InstanceManager({ registry: new EnvironmentRegistry([trackedEnvironment(refs)]), idleTimeoutMs: 50, sweepIntervalMs: 10 });
    toClose.push(manager);
    for (let k = 0; k < 2_000; k += 1) await manager.create({ envType: 'tracked', taskId: 't' });
    const deadline = Date.now() + 5_000;
    while (manager.metrics.expired < 2_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(manager.metrics).toMatchObject({ live: 0, created: 2_000, expired: 2_000 });
    expect(await collectedShare(refs)).toBe(1);
  });

  it('500 cycles over HTTP leave no instance held by the server or the client', async () => {
    const refs: Array<WeakRef<object>> = [];
    const manager = new InstanceManager({ registry: new EnvironmentRegistry([...builtinEnvironments, trackedEnvironment(refs)]) });
    const server: SandboxServer = createSandboxServer({ manager });
    const { url } = await server.listen({ host: '127.0.0.1', port: 0 });
    const client = new HttpSandbox({ url });
    toClose.push(client, server);
    await cycles(client, 500, 8);
    expect(manager.metrics).toMatchObject({ live: 0, created: 500, released: 500 });
    expect(await collectedShare(refs)).toBe(1);
  });
});
