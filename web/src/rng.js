// A small seedable random generator (sfc32, seeded through splitmix32), so a seeded session plays the same
// notes on every run and browser. Math.random cannot be seeded.

function splitmix32(state) {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function randomSeed() {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0];
}

export class Rng {
  /** seed: a non-negative safe integer, or null for a fresh random stream. */
  constructor(seed = null) {
    if (seed !== null && !(Number.isSafeInteger(seed) && seed >= 0)) {
      throw new RangeError(`seed must be a non-negative integer or null, got ${String(seed)}`);
    }
    const lo = seed === null ? randomSeed() : seed % 2 ** 32;
    const hi = seed === null ? randomSeed() : Math.floor(seed / 2 ** 32);
    const mix = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d));
    this.a = mix(); this.b = mix(); this.c = mix(); this.d = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32() {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in the open interval (0, 1), so log() of it is always finite. */
  random() {
    return (this.nextUint32() + 0.5) / 2 ** 32;
  }

  /** Fills `out` with standard Gumbel noise, -log(-log(u)). */
  gumbel(out) {
    for (let i = 0; i < out.length; i++) out[i] = -Math.log(-Math.log(this.random()));
    return out;
  }
}
