/**
 * The custom cell: a minimal gated unit (mgu.json), written only in JSON, on the adding problem
 * (examples/zoo/adding) at T = 50. Nothing in rnnc knows this cell: the frontend reads its
 * equations, autodiff derives its BPTT, the backend compiles it like any other.
 */
import { here } from "../common.ts";
import { BASELINE_MSE, run as runAdding } from "../adding/task.ts";

export const modelFile = here(import.meta.url, "model.json");

export function run(cfg: { T: number; steps?: number; H?: number; seed?: number; lr?: number }) {
  return runAdding(modelFile, cfg);
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  const T = Number(f.T ?? 50);
  const r = await run({ T, steps: Number(f.steps ?? 3000) });
  console.log(`MGU, adding problem T=${T}: held-out MSE ${r.mse.toFixed(4)} (baseline ${BASELINE_MSE.toFixed(3)}); ${r.solved ? `solved (MSE < 0.01) at step ${r.solved.step}, ${r.solved.seconds.toFixed(1)} s` : `not solved in ${r.steps} steps, ${r.seconds.toFixed(1)} s`}`);
}
