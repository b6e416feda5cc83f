// Our training-sandbox server in a child process, for the benchmarks: `startServer(options)` forks
// this file (with --expose-gc), which serves the built-in environments from ../dist and answers IPC
// questions about itself (memory after a full GC, CPU time, instance counters). Not a benchmark itself.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

/**
 * Starts the server; resolves { url, pid, memory(), cpu(), metrics(), stop() }.
 * options: { idleTimeoutMs, maxInstances, execArgv }.
 */
export async function startServer(options = {}) {
  const child = fork(self, [JSON.stringify(options)], { execArgv: ['--expose-gc', ...(options.execArgv ?? [])], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const pending = new Map();
  let serial = 0;
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`server exited early (${code ?? signal})`)));
    child.on('message', (message) => {
      if (message.type === 'ready') resolve(message.url);
      else pending.get(message.id)?.(message.value);
    });
  });
  const url = await ready;
  const ask = (type) =>
    new Promise((resolve) => {
      const id = serial++;
      pending.set(id, resolve);
      child.send({ type, id });
    });
  return {
    url,
    pid: child.pid,
    /** { rss, heapUsed, external } in bytes, after two full GCs. */
    memory: () => ask('memory'),
    /** { user, system } CPU microseconds used so far. */
    cpu: () => ask('cpu'),
    metrics: () => ask('metrics'),
    /** Graceful close (drains, releases everything); resolves the exit code. */
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.send({ type: 'close', id: -1 });
      }),
  };
}

// ---- the child ----
if (process.argv[1] === self && process.send) {
  const options = JSON.parse(process.argv[2] ?? '{}');
  const { serve } = await import('../../dist/sandbox/http-server.js');
  const { EnvironmentRegistry } = await import('../../dist/envs/registry.js');
  const { builtinEnvironments } = await import('../../dist/envs/builtins.js');
  const handle = await serve({
    port: 0,
    registry: new EnvironmentRegistry(builtinEnvironments),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.maxInstances !== undefined ? { maxInstances: options.maxInstances } : {}),
  });
  process.on('message', async (message) => {
    if (message.type === 'memory') {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
      globalThis.gc();
      const { rss, heapUsed, external } = process.memoryUsage();
      process.send({ id: message.id, value: { rss, heapUsed, external } });
    } else if (message.type === 'cpu') {
      process.send({ id: message.id, value: process.cpuUsage() });
    } else if (message.type === 'metrics') {
      process.send({ id: message.id, value: handle.manager.metrics });
    } else if (message.type === 'close') {
      await handle.close();
      process.exit(0);
    }
  });
  process.send({ type: 'ready', url: handle.url });
}
