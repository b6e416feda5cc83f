import { createReadStream } from 'node:fs';

/**
 * Reads a file holding one JSON array of objects and yields the objects one at a time. Upstream's
 * full catalogue is a 5.5 GB array, past what one string (and so `JSON.parse`) can hold, so the array
 * is cut into elements by tracking strings and nesting, and each element is parsed on its own.
 */
export async function* readJsonArray(path: string): AsyncGenerator<unknown> {
  let started = false; // seen the array's "["
  let ended = false; // seen its "]"
  let depth = 0; // nesting inside the current element; 0 = between elements
  let inString = false;
  let escaped = false;
  let carried = ''; // the current element's text from earlier chunks
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = chunk as string;
    let start = depth > 0 ? 0 : -1; // where the current element's text starts in this chunk
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (code === 0x5c) escaped = true;
        else if (code === 0x22) inString = false;
        continue;
      }
      if (depth > 0) {
        if (code === 0x22) inString = true;
        else if (code === 0x7b || code === 0x5b) depth += 1;
        else if (code === 0x7d || code === 0x5d) {
          depth -= 1;
          if (depth === 0) {
            yield JSON.parse(carried + text.slice(start, i + 1));
            carried = '';
            start = -1;
          }
        }
        continue;
      }
      // between elements: whitespace, the array's brackets, commas, or the start of an object
      if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09 || code === 0xfeff) continue;
      if (ended) throw new SyntaxError(`${path}: unexpected text after the end of the JSON array`);
      if (!started) {
        if (code !== 0x5b) throw new SyntaxError(`${path}: expected a JSON array, found ${JSON.stringify(text[i])}`);
        started = true;
      } else if (code === 0x5d) ended = true;
      else if (code === 0x7b) {
        depth = 1;
        start = i;
      } else if (code !== 0x2c) {
        throw new SyntaxError(`${path}: expected an array of objects, found ${JSON.stringify(text[i])} between elements`);
      }
    }
    if (depth > 0) carried += text.slice(start);
  }
  if (!ended) throw new SyntaxError(`${path}: the JSON array is incomplete`);
}
