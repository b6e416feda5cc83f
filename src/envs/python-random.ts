/**
 * CPython's `random.Random(seed)`: MT19937 seeded through init_by_array with the seed's 32-bit words,
 * and the draws the ported environments make: BFCL's backends (`randint`, `uniform`: message ids,
 * booking ids, tokens, temperatures) and WebShop's goal order (`shuffle`). The sequences must match
 * CPython draw for draw.
 */
const N = 624;
const M = 397;

/** Seeded MT states by seed: seeding costs ~1,200 steps and most instances share the class default. */
const seededStates = new Map<number, Uint32Array>();

export class PyRandom {
  readonly #seed: number;
  // created on the first draw: most backend instances never draw
  #state: Uint32Array | undefined;
  #index = N;

  constructor(seed: number) {
    this.#seed = Math.abs(Math.trunc(seed));
  }

  #mt(): Uint32Array {
    if (this.#state) return this.#state;
    let template = seededStates.get(this.#seed);
    if (!template) {
      this.#state = new Uint32Array(N);
      this.#seedArray(wordsOf(this.#seed));
      template = this.#state.slice();
      if (seededStates.size < 64) seededStates.set(this.#seed, template);
    }
    this.#state = template.slice();
    this.#index = N;
    return this.#state;
  }

  #initGenrand(seed: number): void {
    const mt = this.#state!;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i += 1) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.#index = N;
  }

  #seedArray(key: readonly number[]): void {
    const mt = this.#state!;
    this.#initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k -= 1) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i += 1;
      j += 1;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k -= 1) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i += 1;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  #twist(mt: Uint32Array): void {
    for (let k = 0; k < N; k += 1) {
      const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.#index = 0;
  }

  /** genrand_uint32 */
  nextUint32(): number {
    const mt = this.#mt();
    if (this.#index >= N) this.#twist(mt);
    let y = mt[this.#index]!;
    this.#index += 1;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random()`: 53 random bits in [0, 1). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `getrandbits(k)` for k up to 53 (enough for every range BFCL draws from). */
  getrandbits(k: number): number {
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    let value = 0;
    let scale = 1;
    for (let remaining = k; remaining > 0; remaining -= 32) {
      let word = this.nextUint32();
      if (remaining < 32) word >>>= 32 - remaining;
      value += word * scale;
      scale *= 4294967296;
    }
    return value;
  }

  /** `_randbelow(n)`: rejection sampling on n.bit_length() bits. */
  randbelow(n: number): number {
    const bits = n.toString(2).length;
    let r = this.getrandbits(bits);
    while (r >= n) r = this.getrandbits(bits);
    return r;
  }

  /** `randint(a, b)`, both ends included. */
  randint(a: number, b: number): number {
    if (b < a) throw new RangeError(`empty range for randint(${a}, ${b})`);
    return a + this.randbelow(b - a + 1);
  }

  /** `uniform(a, b)` */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /** `shuffle(items)`, in place (Fisher-Yates from the end, as CPython 3). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = this.randbelow(i + 1);
      const held = items[i]!;
      items[i] = items[j]!;
      items[j] = held;
    }
    return items;
  }
}

/** Shuffles `items` in place exactly as `random.seed(seed); random.shuffle(items)` does in CPython 3. */
export function pythonShuffle<T>(items: T[], seed: number): T[] {
  return new PyRandom(seed).shuffle(items);
}

function wordsOf(seed: number): number[] {
  if (seed === 0) return [0];
  const words: number[] = [];
  let rest = seed;
  while (rest > 0) {
    words.push(rest % 4294967296);
    rest = Math.floor(rest / 4294967296);
  }
  return words;
}
