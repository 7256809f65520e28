import type { Builder } from "../ir/builder.ts";
import { mapBinary, mapTernary, mapUnary, tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";
import type { Node, TensorType } from "../ir/types.ts";
import { registerOp } from "./registry.ts";
import type { Describe } from "./registry.ts";
import { broadcastDims, broadcastRule, f32, requireF32 } from "./shape-rules.ts";
import { RnncError } from "../diagnostics.ts";

// ---- binary, broadcasting -------------------------------------------------------------

function binary(
  name: string,
  f: (x: number, y: number) => number,
  vjp: (b: Builder, x: string, y: string, out: string, g: string) => [string | null, string | null],
) {
  registerOp({
    name,
    arity: 2,
    shape: broadcastRule(name),
    interp: ([a, b]) => [mapBinary(a!, b!, f)],
    vjp(b, n, [g]) {
      const [x, y] = n.inputs as [string, string];
      const [gx, gy] = vjp(b, x, y, n.outputs[0]!, g!);
      return [gx && b.sumTo(gx, x), gy && b.sumTo(gy, y)];
    },
  });
}

binary("add", (x, y) => x + y, (_b, _x, _y, _o, g) => [g, g]);
binary("sub", (x, y) => x - y, (b, _x, _y, _o, g) => [g, b.neg(g)]);
binary("mul", (x, y) => x * y, (b, x, y, _o, g) => [b.mul(g, y), b.mul(g, x)]);
binary("div", (x, y) => x / y, (b, _x, y, out, g) => {
  const gx = b.div(g, y);
  return [gx, b.neg(b.mul(gx, out))]; // d(x/y)/dy = -(x/y)/y
});
binary("maximum", (x, y) => Math.max(x, y), (b, x, y, _o, g) => {
  const m = b.op("greater_equal", [x, y]);
  return [b.mul(g, m), b.mul(g, b.sub(b.scalar(1), m))];
});

// ---- unary ------------------------------------------------------------------------------

function unary(name: string, f: (x: number) => number, vjp: ((b: Builder, x: string, y: string, g: string) => string) | null) {
  registerOp({
    name,
    arity: 1,
    shape: (ins, _a, d) => {
      requireF32(name, ins, d);
      return [f32(ins[0]!.shape)];
    },
    interp: ([a]) => [mapUnary(a!, f)],
    ...(vjp ? { vjp: (b: Builder, n: Node, [g]: (string | null)[]) => [vjp(b, n.inputs[0]!, n.outputs[0]!, g!)] } : { nondiff: true }),
  });
}

export const sigmoidF = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

unary("neg", (x) => -x, (b, _x, _y, g) => b.neg(g));
unary("tanh", Math.tanh, (b, _x, y, g) => b.mul(g, b.sub(b.scalar(1), b.mul(y, y))));
unary("sigmoid", sigmoidF, (b, _x, y, g) => b.mul(g, b.mul(y, b.sub(b.scalar(1), y))));
unary("relu", (x) => (x > 0 ? x : 0), (b, x, _y, g) => b.mul(g, b.op("step", [x])));
unary("exp", Math.exp, (b, _x, y, g) => b.mul(g, y));
unary("log", Math.log, (b, x, _y, g) => b.div(g, x));
unary("sqrt", Math.sqrt, (b, _x, y, g) => b.div(g, b.mul(b.scalar(2), y)));
unary("abs", Math.abs, (b, x, _y, g) => b.mul(g, b.op("sign", [x])));
/** Heaviside step, 1 where x > 0: the derivative of relu. */
unary("step", (x) => (x > 0 ? 1 : 0), null);
unary("sign", Math.sign, null);

// ---- comparisons and selection ----------------------------------------------------------

registerOp({
  name: "greater_equal",
  arity: 2,
  nondiff: true,
  shape: broadcastRule("greater_equal"),
  interp: ([a, b]) => [mapBinary(a!, b!, (x, y) => (x >= y ? 1 : 0))],
});

/** where(cond, a, b): a where cond is non-zero, else b; cond is a 0/1 mask (e.g. from sequence_mask). */
registerOp({
  name: "where",
  arity: 3,
  shape(ins: TensorType[], _a, d: Describe) {
    requireF32("where", ins, d);
    const s = broadcastDims(ins.map((t) => t.shape));
    if (!s) throw new RnncError(`where of ${d(0)}, ${d(1)} and ${d(2)}: shapes do not broadcast`);
    return [f32(s)];
  },
  interp: ([c, a, b]) => [mapTernary(c!, a!, b!, (m, x, y) => (m !== 0 ? x : y))],
  vjp(b, n, [g]) {
    const [c, x, y] = n.inputs as [string, string, string];
    const zero = b.scalar(0);
    return [null, b.sumTo(b.op("where", [c, g!, zero]), x), b.sumTo(b.op("where", [c, zero, g!]), y)];
  },
});

export function identityTensor(a: Tensor): Tensor {
  return tensor(a.shape, a.data, a.dtype);
}
