/**
 * xoshiro128** (Blackman & Vigna): a small, fast, seedable generator whose whole state is four
 * 32-bit words, so it can be saved in a checkpoint and resumed bit-identically.
 */
export class Rng {
  private s: Uint32Array;

  constructor(seed: number | readonly number[] = 1) {
    if (typeof seed === "number") {
      // splitmix32 expands one seed into four non-zero words
      let z = seed >>> 0;
      const next = () => {
        z = (z + 0x9e3779b9) >>> 0;
        let x = z;
        x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
        x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
        return (x ^ (x >>> 16)) >>> 0;
      };
      this.s = Uint32Array.from([next(), next(), next(), next()]);
    } else {
      if (seed.length !== 4) throw new Error("Rng state must be 4 words");
      this.s = Uint32Array.from(seed);
    }
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /** The generator's state, to save and restore. */
  get state(): number[] {
    return Array.from(this.s);
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1), with 32 bits of randomness. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Standard normal (Box–Muller; one value per call, so the stream is simple to reason about). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
