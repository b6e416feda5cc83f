import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../../src/providers/docker/cleanup.js';
import { engineLocation } from '../../../src/providers/docker/engine.js';
import { DATASET_IMAGES, authFor, builtinImages, parseSize, registryHost, resolveImage } from '../../../src/providers/docker/images.js';
import { userConfigSchema, validate, type UserConfig } from '../../../src/runner/config.js';
import { resolveConfig } from '../../../src/runner/resolve-config.js';

// the image registry and its config need no engine: these run everywhere

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const amd64 = { arch: 'amd64', env: {} };

describe('the sandbox image registry', () => {
  it('serves the built-in environments from our image and AppWorld from AgentScope\'s', () => {
    for (const dataset of ['guess', 'webshop', 'bfcl']) {
      const image = resolveImage({ dataset, ...amd64 });
      expect(image.ref).toBe(`sandbox-eval/sandbox:${version}`);
      expect(image).toMatchObject({ server: 'sandbox-eval', port: 80, toolCalls: 'openai' });
    }
    const appworld = resolveImage({ dataset: 'appworld', ...amd64 });
    expect(appworld.ref).toBe('agentscope/runtime-sandbox-appworld:latest');
    expect(appworld).toMatchObject({ server: 'agentscope', port: 80, toolCalls: 'flat' });
    // AgentScope's launcher gives AppWorld 5.06 GB of /dev/shm (Ray's object store)
    expect(appworld.shmSizeBytes).toBe(Math.floor(5.06 * 1024 ** 3));
    expect(Object.keys(DATASET_IMAGES).sort()).toEqual(['appworld', 'bfcl', 'guess', 'webshop']);
  });

  it('gives AgentScope\'s BFCL image the data paths and API key it needs at run time', () => {
    const image = resolveImage({ dataset: 'bfcl', config: { images: { bfcl: 'agentscope-bfcl' } }, arch: 'amd64', env: { OPENAI_API_KEY: 'sk-test', DATASET_SUB_TYPE: 'live' } });
    expect(image.ref).toBe('agentscope/runtime-sandbox-bfcl:latest');
    expect(image.env).toEqual({
      BFCL_DATA_PATH: '/agentscope_runtime/training_box/bfcl/multi_turn/live_processed.jsonl',
      BFCL_SPLID_ID_PATH: '/agentscope_runtime/training_box/bfcl/multi_turn/live_split_ids.json',
      OPENAI_API_KEY: 'sk-test',
    });
    expect(builtinImages({})['agentscope-bfcl']!.env.BFCL_DATA_PATH).toContain('/multi_turn_processed.jsonl');
    expect(() => builtinImages({ DATASET_SUB_TYPE: 'everything' })).toThrow(/DATASET_SUB_TYPE to be one of all, all_scoring, multi_turn/);
  });

  it('prefixes built-in images with the registry, picks the tag for the engine\'s architecture, and merges overrides', () => {
    const config = {
      registry: '127.0.0.1:5000/',
      images: { appworld: { archTags: { arm64: 'latest-arm64' }, shmSize: '1g', env: { EXTRA: '1' }, concurrency: 2, containers: 3, healthDeadlineMs: 5000 } },
    };
    expect(resolveImage({ dataset: 'guess', config, ...amd64 }).ref).toBe(`127.0.0.1:5000/sandbox-eval/sandbox:${version}`);
    expect(resolveImage({ dataset: 'appworld', config, ...amd64 }).ref).toBe('127.0.0.1:5000/agentscope/runtime-sandbox-appworld:latest');
    const arm = resolveImage({ dataset: 'appworld', config, arch: 'arm64', env: {} });
    expect(arm).toMatchObject({ ref: '127.0.0.1:5000/agentscope/runtime-sandbox-appworld:latest-arm64', shmSizeBytes: 1024 ** 3, concurrency: 2, containers: 3, healthDeadlineMs: 5000 });
    expect(arm.env).toEqual({ EXTRA: '1' });
  });

  it('uses an image reference as given, as a foreign server unless told otherwise', () => {
    const config = { registry: 'mirror.example.com', images: { guess: 'ghcr.io/me/guess-sandbox:2', mine: { image: 'me/env', server: 'sandbox-eval' as const } } };
    expect(resolveImage({ dataset: 'guess', config, ...amd64 })).toMatchObject({ ref: 'ghcr.io/me/guess-sandbox:2', server: 'agentscope', port: 80 });
    expect(resolveImage({ dataset: 'mine', config, ...amd64 })).toMatchObject({ ref: 'me/env:latest', server: 'sandbox-eval', name: 'mine' });
  });

  it('names what to do for a dataset without an image', () => {
    const error = (() => {
      try {
        return resolveImage({ dataset: 'tiny', config: { images: { other: 'x/y:1' } }, ...amd64 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toMatchObject({ code: 'SE_NO_IMAGE', exitCode: 3 });
    expect((error as Error).message).toMatch(/no sandbox image for dataset "tiny"\. Datasets with an image: appworld, bfcl, guess, other, webshop\. .*docker: \{ images: \{ "tiny"/);
  });

  it('reads sizes as Docker does, and refuses nonsense with the value it got', () => {
    expect(parseSize('5.06gb', 'x')).toBe(Math.floor(5.06 * 1024 ** 3));
    expect(parseSize('512m', 'x')).toBe(512 * 1024 ** 2);
    expect(parseSize(4096, 'x')).toBe(4096);
    expect(() => parseSize('lots', 'docker.images.bfcl.shmSize')).toThrow('Expected `docker.images.bfcl.shmSize` to be a positive number of bytes or a size such as "5.06gb" or "512m", got `"lots"` (string).');
  });

  it('sends credentials only to the registry they are for', () => {
    const auth = { username: 'u', password: 'p' };
    expect(registryHost('127.0.0.1:5000/a/b:1')).toBe('127.0.0.1:5000');
    expect(registryHost('agentscope/runtime-sandbox-appworld:latest')).toBe('docker.io');
    expect(authFor('127.0.0.1:5000/sandbox-eval/sandbox:1', { registry: '127.0.0.1:5000', auth })).toBe(auth);
    expect(authFor('ghcr.io/x/y:1', { registry: '127.0.0.1:5000', auth })).toBeUndefined();
    expect(authFor('agentscope/runtime-sandbox-bfcl:latest', { auth })).toBe(auth);
    expect(authFor('ghcr.io/x/y:1', { auth: { ...auth, serveraddress: 'https://ghcr.io' } })).toMatchObject(auth);
    expect(authFor('ghcr.io/x/y:1', {})).toBeUndefined();
  });
});

describe('the docker config key', () => {
  it('is checked with the key, the expectation and the value', () => {
    const bad = () => validate<UserConfig>(userConfigSchema, { provider: 'docker', docker: { images: { bfcl: { concurrency: 0, shmSize: true } }, registy: 'x' } }, 'eval.config.ts');
    expect(bad).toThrow(/`docker.images.bfcl.concurrency`: Expected an integer ≥ 1, got `0` \(number\)/);
    expect(bad).toThrow(/`docker.images.bfcl.shmSize`: Expected bytes or a size such as "5.06gb", got `true` \(boolean\)/);
    expect(bad).toThrow(/Unknown key `docker.registy`/);
    expect(validate<UserConfig>(userConfigSchema, { docker: { registry: '127.0.0.1:5000', auth: { username: 'u', password: 'p' }, images: { appworld: 'agentscope-appworld' } } }, 'x').docker?.registry).toBe('127.0.0.1:5000');
  });

  it('reaches the resolved config; docker runs retry an infrastructure error once by default', async () => {
    const config = await resolveConfig({ root: '/nonexistent-root-for-test', provider: 'docker', keepSandboxes: true });
    expect(config).toMatchObject({ provider: 'docker', retries: 1, keepSandboxes: true });
    expect((await resolveConfig({ root: '/nonexistent-root-for-test', provider: 'docker', retries: 0 })).retries).toBe(0);
    expect((await resolveConfig({ root: '/nonexistent-root-for-test' })).retries).toBe(0);
  });
});

describe('finding the engine and the containers', () => {
  it('reads DOCKER_HOST: a local socket, or a remote host whose ports it must reach', () => {
    expect(engineLocation({})).toEqual({ address: 'unix:///var/run/docker.sock', remote: false, host: '127.0.0.1' });
    expect(engineLocation({ DOCKER_HOST: 'tcp://10.1.2.3:2376' })).toEqual({ address: 'tcp://10.1.2.3:2376', remote: true, host: '10.1.2.3' });
    expect(engineLocation({ DOCKER_HOST: 'ssh://me@build-box' })).toMatchObject({ remote: true, host: 'build-box' });
    expect(engineLocation({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toMatchObject({ remote: false, host: '127.0.0.1' });
  });

  it('names containers in a fixed pattern Docker accepts', () => {
    expect(containerName({ runId: '20261122024636-ab12cd', image: 'agentscope-appworld', index: 2 })).toBe('sandbox-eval-20261122024636-ab12cd-agentscope-appworld-2');
    expect(containerName({ runId: 'a b/c', image: 'x', index: 1 })).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
  });
});
