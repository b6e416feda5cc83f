import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyInput, type KeyCommand } from '../../src/watch/keys.js';

let input: KeyInput | undefined;
afterEach(() => input?.stop());

/** A KeyInput on a stream that claims to be a TTY, recording the raw-mode switches and what it echoes. */
function keys() {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      stdin.rawModes.push(mode);
      return stdin;
    },
  });
  const stdout = new PassThrough();
  let shown = '';
  stdout.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  const commands: KeyCommand[] = [];
  input = new KeyInput({ stdin, stdout, onCommand: (command) => commands.push(command) });
  input.start();
  const type = async (text: string) => {
    stdin.write(text);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { stdin, commands, type, shown: () => shown, input };
}

describe('KeyInput', () => {
  it('maps single keys to commands in raw mode, and gives the terminal back on stop', async () => {
    const k = keys();
    await k.type('afhxq\x03');
    expect(k.commands).toEqual([{ type: 'all' }, { type: 'failed' }, { type: 'help' }, { type: 'quit' }, { type: 'quit' }]);
    k.input.stop();
    expect(k.stdin.rawModes).toEqual([true, false]);
  });

  it('reads a task filter at a prompt, echoing it, with backspace; Esc cancels', async () => {
    const k = keys();
    await k.type('t');
    await k.type('t1x\x7f2');
    await k.type('\r');
    expect(k.commands).toEqual([{ type: 'filter', pattern: 't12' }]);
    expect(k.shown()).toContain('Task filter');
    expect(k.shown()).toContain('t1x\b \b2');
    await k.type('tabc\x1b');
    await k.type('\x1b[A');
    expect(k.commands).toHaveLength(1);
    // an empty filter clears it
    await k.type('t\r');
    expect(k.commands[1]).toEqual({ type: 'filter', pattern: '' });
  });

  it('keeps keys while held and plays them on release, but quits at once', async () => {
    const k = keys();
    k.input.hold(true);
    await k.type('af');
    expect(k.commands).toEqual([]);
    await k.type('q');
    expect(k.commands).toEqual([{ type: 'quit' }]);
    k.input.hold(false);
    expect(k.commands).toEqual([{ type: 'quit' }, { type: 'all' }, { type: 'failed' }]);
  });
});
