// Deterministic inputs for the LSTM example (I=3, H=5, T=6, B=2): weights and a sequence.
let s = 7;
const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
const t = (shape) => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand) });
const I = 3, H = 5, T = 6, B = 2;
const out = { x: t([T, B, I]) };
for (const g of ["g", "i", "f", "o"]) {
  out[`W${g}x`] = t([H, I]);
  out[`W${g}h`] = t([H, H]);
  out[`b${g}`] = t([H]);
}
process.stdout.write(JSON.stringify(out));
