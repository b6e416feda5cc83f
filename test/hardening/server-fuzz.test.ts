import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { HttpSandbox } from '../../src/sandbox/http-client.js';
import { createSandboxServer, type SandboxServer } from '../../src/sandbox/http-server.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';
import { repoRoot } from '../helpers/project.js';
import { fuzzServer, slowEnvironment } from './server-fuzz-harness.js';

/**
 * Generated requests against a real server on loopback: malformed JSON, wrong types, huge bodies,
 * unknown ids, prototype keys, raw malformed HTTP, and bursts of concurrent calls on one instance
 * with releases in the middle. A fixed seed, so every run sends the same requests;
 * bench/server-fuzz.bench.mjs sends 100,000 of them to a server in a child process.
 */

const BODY_LIMIT = 64 * 1024;
let manager: InstanceManager;
let app: SandboxServer;
let url: string;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  manager = new InstanceManager({ registry: new EnvironmentRegistry([...builtinEnvironments, slowEnvironment]) });
  app = createSandboxServer({ manager, bodyLimitBytes: BODY_LIMIT });
  ({ url } = await app.listen({ host: '127.0.0.1', port: 0 }));
});
afterAll(async () => {
  await app.close();
  vi.restoreAllMocks();
});

/** Writes raw bytes on a fresh connection and answers everything the server sent before closing. */
function rawExchange(base: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(raw));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

describe('server fuzz', () => {
  it('answers 2,000 generated requests: errors are 4xx/5xx JSON {detail, code} without internals, and nothing leaks', async () => {
    const warnings = vi.spyOn(process, 'emitWarning');
    const report = await fuzzServer({ url, requests: 2_000, seed: 20_260_807, concurrency: 8, bodyLimit: BODY_LIMIT, forbidden: [repoRoot, 'file://'] });

    expect(report.violations, JSON.stringify(report.violations, null, 2)).toEqual([]);
    expect(report.moreViolations).toBe(0);
    // an internal error would have been reported to the operator as a process warning
    expect(warnings.mock.calls.filter(([message]) => String(message).includes('Internal error'))).toEqual([]);
    // the generator reached every corner: successes, validation errors, unknown instances, oversize bodies, bursts
    expect(report.byStatus['200']).toBeGreaterThan(100);
    for (const code of ['SE_REQUEST_VALIDATION', 'SE_INVALID_REQUEST', 'SE_INSTANCE_NOT_FOUND', 'SE_PAYLOAD_TOO_LARGE', 'SE_ROUTE_NOT_FOUND', 'SE_METHOD_NOT_ALLOWED']) {
      expect(report.byCode[code], code).toBeGreaterThan(0);
    }
    expect(report.byLabel.burst).toBeGreaterThan(10);
    expect((report.byLabel['raw-malformed-http'] ?? 0) + (report.byLabel['raw-bytes'] ?? 0)).toBeGreaterThan(10);

    // prototype keys in bodies changed nothing in this process
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still serves a whole episode afterwards, and its counters add up', async () => {
    const client = new HttpSandbox({ url });
    try {
      const initial = await client.createInstance({ envType: 'guess', taskId: 'guess_3' });
      const instanceId = initial.info.instance_id;
      const step = await client.step({ instanceId, action: { role: 'assistant', content: '1' } });
      expect(step.state[0]?.content).toMatch(/wrong|Correct/);
      expect(await client.evaluate({ instanceId })).toMatchObject({ guesses: 1 });
      expect(await client.releaseInstance({ instanceId })).toBe(true);
    } finally {
      await client.close();
    }
    const metrics = manager.metrics;
    expect(metrics.live).toBe(metrics.created - metrics.released - metrics.expired);
    const health = await fetch(`${url}/healthz`);
    expect(await health.text()).toBe('OK');
  });

  it('answers what node cannot parse with our JSON error, not a bare 400; a broken body is the client\'s error, not an internal one', async () => {
    const warnings = vi.spyOn(process, 'emitWarning');
    const cases: Array<[string, number]> = [
      ['BREW /create HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['POST /create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}', 400],
      [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      // headers parse, so the request reaches the handler; the bad chunk then breaks its body
      ['POST /step HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', 400],
    ];
    for (const [raw, status] of cases) {
      const answer = await rawExchange(url, raw);
      expect(answer, raw.slice(0, 40)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toMatch(/content-type: application\/json/i);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { code: string; detail: string };
      expect(body.code).toBe('SE_INVALID_REQUEST');
      expect(body.detail).toMatch(/not valid HTTP/);
    }
    expect(warnings.mock.calls.filter(([message]) => String(message).includes('Internal error'))).toEqual([]);
  });

  it('reads an oversize body to its end before the 413, so a client still sending gets the answer and keeps its connection', async () => {
    const body = `{"messages": {"role": "assistant", "content": "${'7'.repeat(3 * BODY_LIMIT)}"}}`;
    for (const chunked of [false, true]) {
      const response = await fetch(`${url}/step`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chunked ? new Blob([body]).stream() : body,
        ...(chunked ? { duplex: 'half' } : {}),
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(response.headers.get('connection')).not.toBe('close');
      expect(await response.json()).toMatchObject({ code: 'SE_PAYLOAD_TOO_LARGE' });
    }
  });

  it('refuses a body over the default 10 MiB limit with 413 JSON, with and without Content-Length', async () => {
    const big = createSandboxServer({ manager: new InstanceManager({ registry: new EnvironmentRegistry(builtinEnvironments) }) });
    const { url: bigUrl } = await big.listen({ host: '127.0.0.1', port: 0 });
    try {
      const body = `{"messages": {"role": "assistant", "content": "${'9'.repeat(11 * 1024 * 1024)}"}}`;
      for (const streamed of [false, true]) {
        const response = await fetch(`${bigUrl}/step`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: streamed ? new Blob([body]).stream() : body,
          ...(streamed ? { duplex: 'half' } : {}),
        } as RequestInit);
        expect(response.status).toBe(413);
        expect(await response.json()).toMatchObject({ code: 'SE_PAYLOAD_TOO_LARGE' });
      }
      expect(await (await fetch(`${bigUrl}/healthz`)).text()).toBe('OK');
    } finally {
      await big.close();
    }
  });
});
