import { describe, expect, it } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { EmbeddedProvider } from '../../src/providers/embedded.js';

const run = (datasets: string[]) => ({ runId: 'test-run', datasets });

describe('EmbeddedProvider', () => {
  it('is named "embedded" and runs at least 4 episodes at once by default', () => {
    const provider = new EmbeddedProvider({ registry: new EnvironmentRegistry(builtinEnvironments) });
    expect(provider.name).toBe('embedded');
    expect(provider.defaultConcurrency).toBeGreaterThanOrEqual(4);
  });

  it('init loads the run\'s datasets and fails early on an unknown one', async () => {
    const provider = new EmbeddedProvider({ registry: new EnvironmentRegistry(builtinEnvironments) });
    await provider.init(run(['guess']));
    await expect(provider.init(run(['guess', 'nope']))).rejects.toMatchObject({ code: 'SE_UNKNOWN_DATASET' });
    await provider.close({ keep: false });
  });

  it('hands out one shared sandbox that serves episodes, and close releases what is left', async () => {
    const provider = new EmbeddedProvider({ registry: new EnvironmentRegistry(builtinEnvironments) });
    await provider.init(run(['guess']));
    const first = await provider.acquire('guess');
    const second = await provider.acquire('guess');
    expect(second).toBe(first);
    const { info } = await first.createInstance({ envType: 'guess', taskId: 'guess_0' });
    const result = await second.step({ instanceId: info.instance_id, action: { role: 'assistant', content: '1' } });
    expect(result.state[0]!.role).toBe('user');
    await provider.release(first, { interrupted: false });
    await provider.close({ keep: false });
    await provider.close({ keep: false });
    await expect(first.step({ instanceId: info.instance_id, action: { role: 'assistant', content: '2' } })).rejects.toMatchObject({
      code: 'SE_SANDBOX_CLOSED',
    });
  });
});
