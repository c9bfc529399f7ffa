// Finds the tables of Pyodide's libm pow (ARM optimized-routines' pow_log_data and exp_data, which glibc uses too)
// in the wasm memory, so that glibc_pow.py can run glibc's FMA variant of the same algorithm bit for bit.
// Plain JavaScript: it runs in the Node sandbox without a TypeScript loader (see host-core.mjs).

const LN2HI = [0xfefa3800, 0x3fe62e42]; // 0x1.62e42fefa3800p-1 as (low, high) 32-bit words
const LN2LO = [0x93c76730, 0x3d2ef357]; // 0x1.ef35793c76730p-45
const SHIFT = [0x00000000, 0x43380000]; // 0x1.8p52
const INVLN2N = [0x652b82fe, 0x40671547]; // 0x1.71547652b82fep0 * 128

/** {log, exp} byte copies of pow_log_data (521 doubles) and exp_data (270 words), or null when not found. */
export function findPowTables(heapU8) {
  const words = new Uint32Array(heapU8.buffer, heapU8.byteOffset, heapU8.length >> 2);
  const f64 = new Float64Array(heapU8.buffer, heapU8.byteOffset, heapU8.length >> 3);
  const at = (i, w) => words[2 * i] === w[0] && words[2 * i + 1] === w[1];
  let log = -1;
  let exp = -1;
  const end = f64.length - 600;
  for (let i = 1; i < end && (log < 0 || exp < 0); i++) {
    if (log < 0 && at(i, LN2HI) && at(i + 1, LN2LO) && f64[i + 2] === -0.5 && f64[i + 9] === 1.4140625) log = i;
    if (exp < 0 && at(i, SHIFT) && at(i - 1, INVLN2N)) exp = i - 1;
  }
  if (log < 0 || exp < 0) return null;
  return { log: heapU8.slice(log * 8, (log + 521) * 8), exp: heapU8.slice(exp * 8, (exp + 270) * 8) };
}
