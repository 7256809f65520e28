/** A cell whose state update is a chain of `n` equations: e_k = tanh(e_{k-1}) * 0.5 + x. */
export function chainCell(n: number) {
  const equations: Record<string, string> = { e0: "tanh(W @ h + x)" };
  for (let k = 1; k < n; k++) equations[`e${k}`] = `tanh(e${k - 1}) * 0.5 + x`;
  return {
    rnnc: "cell", name: `chain${n}`, sizes: { H: 3 },
    inputs: { x: { shape: ["H"] } }, state: { h: { shape: ["H"] } }, params: { W: { shape: ["H", "H"] } },
    equations, next: { h: `e${n - 1}` }, outputs: { y: `e${n - 1}` },
  };
}
