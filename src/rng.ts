/**
 * The one seeded random number generator of the engine.
 *
 * Streams are named and derived from the root seed by hashing, so adding a consumer never shifts
 * the numbers another consumer sees: `rng.fork('env')` and `rng.fork('minibatch')` are independent
 * and each is the same on every run, in Node and in the browser. The core is sfc32 (a small fast
 * counter generator with 128 bits of state) on 32-bit integer maths, which is exact in JavaScript.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** FNV-1a over a string then a round of murmur3's finaliser: a stable 32-bit hash of a name. */
function hashString(text: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mix32(h);
}

function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;
  /** The 32-bit key this stream was derived from; forks hash their name with it. */
  readonly key: number;

  constructor(seed: number, stream = '') {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    const low = seed >>> 0;
    const high = Math.floor(seed / TWO_POW_32) >>> 0;
    this.key = hashString(stream, mix32(low ^ mix32(high + 0x9e3779b9)));
    this.a = mix32(this.key ^ 0x243f6a88);
    this.b = mix32(this.key ^ 0x85a308d3);
    this.c = mix32(this.key ^ 0x13198a2e);
    this.d = 1;
    // sfc32 wants its counter run a few times before the output is well mixed.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream named `name`, derived from this one's key (not from its position). */
  fork(name: string): Rng {
    return new Rng(this.key, name);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** Uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** An integer uniform in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** A normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return mean + std * radius * Math.cos(2 * Math.PI * v);
  }

  fillUniform(out: Float64Array | Float32Array, low = 0, high = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  fillNormal(out: Float64Array | Float32Array, mean = 0, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** `count` integers drawn uniformly from [0, n), with replacement. */
  fillInt(out: Int32Array | Uint32Array, n: number): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.int(n);
    return out;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const swap = items[i];
      items[i] = items[j];
      items[j] = swap;
    }
    return items;
  }

  /** A fresh 32-bit seed, e.g. for tfjs initialisers that take a numeric seed. */
  seed32(): number {
    return this.nextUint32();
  }
}

export function createRng(seed: number, stream = 'root'): Rng {
  return new Rng(seed, stream);
}
