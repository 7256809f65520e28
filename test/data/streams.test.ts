/**
 * Streams (compiler/data/text.ts): B streams over a token array, T steps a chunk, with the exact
 * per-step reset flags (1 where a token starts a document or a stream's slice) and the chunk-level
 * approximation for models without them. On a corpus whose token at position p is p itself, every
 * chunk says which positions it holds, so the expected flags follow from the definitions alone.
 */
import t from "tap";
import { joinDocs, Streams, Vocab } from "../../compiler/data/text.ts";
import { Rng } from "../../runtime/random.ts";

/** Tokens 0, 1, …, n − 1: the token is its own position. */
const positions = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Sorted random document starts in [0, n), always including 0 (as joinDocs gives). */
function randomStarts(n: number, count: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const s = new Set([0]);
  while (s.size < count) s.add(rng.below(n));
  return Int32Array.from([...s].sort((a, b) => a - b));
}

t.test("resets: 1 exactly where a token starts a document or a stream's slice, for several B and T, over two epochs", async (t) => {
  for (const [n, B, T, docs] of [[200, 1, 8, 6], [200, 3, 5, 9], [301, 4, 7, 25], [97, 2, 16, 3], [120, 5, 3, 40]] as const) {
    const docStarts = randomStarts(n, docs, n + B + T);
    const isStart = new Set(docStarts);
    const s = new Streams(positions(n), B, T, docStarts);
    let ok = true, flagged = 0, approxOk = true;
    for (let c = 0; c < 2 * s.chunksPerEpoch; c++) {
      const { tokens, targets, resets, reset } = s.next();
      const chunk = c % s.chunksPerEpoch;
      for (let b = 0; b < B; b++) {
        for (let step = 0; step < T; step++) {
          const pos = tokens[step * B + b]!;
          if (targets[step * B + b] !== pos + 1) ok = false;
          const want = isStart.has(pos) || (chunk === 0 && step === 0) ? 1 : 0;
          if (resets[step * B + b] !== want) ok = false;
          flagged += want;
        }
        // the approximation: zero before a slice's first chunk and the chunk after a document began
        const first = tokens[b]!;
        const began = chunk > 0 && docStarts.some((d) => d >= first - T && d < first);
        if (reset[b] !== (chunk === 0 || began)) approxOk = false;
      }
    }
    t.ok(ok, `n=${n} B=${B} T=${T}: ${flagged} flags, each at a document start or a slice's first step, and nowhere else`);
    t.ok(approxOk, `n=${n} B=${B} T=${T}: the chunk-level approximation is as before`);
  }
});

t.test("a small corpus by hand: B=2, T=4", async (t) => {
  // 21 tokens: perStream = 10, chunksPerEpoch = 2; stream 0 covers 0..9, stream 1 covers 10..19
  const s = new Streams(positions(21), 2, 4, Int32Array.from([0, 3, 12, 13, 17]));
  const flags = (r: Int32Array) => [0, 1].map((b) => Array.from({ length: 4 }, (_, step) => r[step * 2 + b]).join(""));
  const c0 = s.next();
  t.same(flags(c0.resets), ["1001", "1011"], "chunk 0: positions 0..3 (0, 3 start documents); 10..13 (slice start 10, documents at 12, 13)");
  t.same(c0.reset, [true, true]);
  const c1 = s.next();
  t.same(flags(c1.resets), ["0000", "0001"], "chunk 1: positions 4..7 (none); 14..17 (17)");
  t.same(c1.reset, [true, true], "the approximation: documents began in both streams' previous chunks");
  const c2 = s.next();
  t.same(flags(c2.resets), ["1001", "1011"], "the next epoch starts over, flagged again at each slice's start");
});

t.test("joinDocs' document starts are the positions of each document's first character", async (t) => {
  const docs = ["ab", "cde", "f"].map((text, i) => ({ name: `d${i}`, text }));
  const vocab = Vocab.fromText("abcdef\n", 1);
  const { ids, docStarts } = joinDocs(docs, vocab);
  t.same(Array.from(docStarts).map((p) => vocab.decode([ids[p]!])), ["a", "c", "f"]);
  const s = new Streams(ids, 1, 5, docStarts);
  const { tokens, resets } = s.next();
  t.same(vocab.decode(tokens), "ab\n\nc", "the first chunk");
  t.same(Array.from(resets), [1, 0, 0, 0, 1], "flags at a (the first document) and c (the second)");
});
