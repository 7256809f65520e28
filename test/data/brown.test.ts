// The tagged Brown corpus: parsing, the universal tagset, the split by file, vocabularies, batches.
import t from "tap";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  argmaxCount, BROWN_GENRES, brownDir, brownFileNames, buildFeatures, encodeTokens, EpochBatches, featureBatch,
  GENRE_LETTERS, lengthBatches, loadBrownTagged, MostFrequentTag, normalizeWord, parseBrownFile, sentencesOf,
  shuffleInPlace, splitByFile, suffixOf, timeMajor, TokenVocab, UNIVERSAL_TAGS, universalTag, wordShape,
} from "../../compiler/data/brown.ts";
import { RnncError } from "../../compiler/diagnostics.ts";
import { Rng } from "../../runtime/random.ts";

const RAW = "\n\n\tThe/at jury/nn said/vbd ``/`` 1/2/cd ''/'' ./.\n\tIt/pps didn't/dod* ./.\n\n\n\tNo/at ./.\n";

t.test("a file parses into paragraphs of sentences of words and tags", async (t) => {
  const f = parseBrownFile("cb07", RAW);
  t.equal(f.genre, "b");
  t.equal(f.paragraphs.length, 2, "blank lines separate paragraphs");
  t.same(f.paragraphs[0]!.map((s) => s.words), [["The", "jury", "said", "``", "1/2", "''", "."], ["It", "didn't", "."]], "one sentence per line; a word may hold a slash");
  t.same(f.paragraphs[0]![0]!.tags, ["at", "nn", "vbd", "``", "cd", "''", "."]);
  t.same(sentencesOf([f]).map((s) => s.words.length), [7, 3, 2]);
  t.throws(() => parseBrownFile("readme", RAW), RnncError, "not a corpus file name");
  t.throws(() => parseBrownFile("ca01", "\tword/ nope\n"), /ca01: malformed token "word\/"/);
});

t.test("the installed corpus: 500 files, 15 genres, 57,340 sentences, 1,161,192 tokens", async (t) => {
  const names = brownFileNames();
  t.equal(names.length, 500);
  t.same([...new Set(names.map((n) => n[1]))], GENRE_LETTERS, "every genre letter has files, in order");
  // the package's own category list agrees with the genre table
  const cats = readFileSync(join(brownDir(), "cats.txt"), "utf8").trim().split("\n").map((l) => l.trim().split(/\s+/));
  t.equal(cats.length, 500);
  t.ok(cats.every(([file, cat]) => BROWN_GENRES[file![1]!] === cat), "cats.txt names each file's genre as BROWN_GENRES does");
  const files = loadBrownTagged();
  const sents = sentencesOf(files);
  t.equal(sents.length, 57340);
  t.equal(sents.reduce((a, s) => a + s.words.length, 0), 1161192);
  t.ok(sents.every((s) => s.words.length === s.tags.length && s.words.length > 0));
  // the universal tagset covers the corpus: X only for foreign words, interjections and the like
  const counts = new Map<string, number>();
  for (const s of sents) for (const tag of s.tags) counts.set(universalTag(tag), (counts.get(universalTag(tag)) ?? 0) + 1);
  t.same([...counts.keys()].sort(), [...UNIVERSAL_TAGS].sort(), "all twelve tags occur");
  t.ok(counts.get("X")! / 1161192 < 0.003, `X is rare (${counts.get("X")} tokens)`);
  t.equal(argmaxCount(counts), "NOUN", "nouns are the most frequent tag");
  const picked = loadBrownTagged((n) => n === "cr09" || n === "ca01");
  t.same(picked.map((f) => f.name), ["ca01", "cr09"], "a selection of files");
});

t.test("Brown tags map to the universal tagset", async (t) => {
  const cases: [string, string][] = [
    ["nn", "NOUN"], ["nns$", "NOUN"], ["np-tl", "NOUN"], ["nn-hl", "NOUN"], ["nr", "NOUN"],
    ["vbd", "VERB"], ["md", "VERB"], ["bez", "VERB"], ["hvd", "VERB"], ["dod*", "VERB"], ["md*", "VERB"],
    ["jj", "ADJ"], ["jjt", "ADJ"], ["od", "ADJ"], ["rb", "ADV"], ["ql", "ADV"], ["wrb", "ADV"], ["*", "ADV"],
    ["pps", "PRON"], ["ppss+md", "PRON"], ["pp$$", "PRON"], ["wps", "PRON"], ["pp$", "DET"], ["at", "DET"],
    ["abn", "DET"], ["ex", "DET"], ["in", "ADP"], ["in-tl", "ADP"], ["cd", "NUM"], ["cc", "CONJ"], ["cs", "CONJ"],
    ["to", "PRT"], ["rp", "PRT"], [".", "."], [",", "."], ["``", "."], ["--", "."], ["(-hl", "."],
    ["fw-nn", "X"], ["fw-in+at-tl", "X"], ["uh", "X"], ["NN", "NOUN"], ["zzz", "X"],
  ];
  for (const [tag, want] of cases) t.equal(universalTag(tag), want, `${tag} → ${want}`);
});

t.test("the split by file: stratified by genre, whole files, deterministic", async (t) => {
  const files = brownFileNames().map((name) => ({ name, genre: name[1]! }));
  const { train, heldOut } = splitByFile(files);
  t.equal(train.length + heldOut.length, 500);
  t.equal(heldOut.length, 93);
  t.same(heldOut.slice(0, 3).map((f) => f.name), ["ca05", "ca10", "ca15"], "every 5th file of a genre");
  const names = new Set(train.map((f) => f.name));
  t.ok(heldOut.every((f) => !names.has(f.name)), "no file on both sides");
  for (const g of GENRE_LETTERS) t.ok(heldOut.some((f) => f.genre === g) && train.some((f) => f.genre === g), `genre ${g} on both sides`);
  t.same(splitByFile([...files].reverse()).heldOut, heldOut, "independent of the input order");
  t.same(splitByFile(files, 3, 0).heldOut.slice(0, 2).map((f) => f.name), ["ca01", "ca04"], "an offset");
  t.throws(() => splitByFile(files, 1), /every must be an integer ≥ 2/);
});

t.test("word features: normalization, suffixes, shapes", async (t) => {
  t.equal(normalizeWord("Atlanta's"), "atlanta's");
  t.equal(normalizeWord("1961"), "0000");
  t.equal(suffixOf("Running"), "ing");
  t.equal(suffixOf("at"), "at");
  t.same(["the", "The", "NATO", "A", "1961", ",", "McDonald", "U.S."].map(wordShape), [1, 2, 3, 2, 4, 5, 6, 3]);
});

t.test("vocabularies: <pad> 0, <unk> 1, most frequent first, minCount and max", async (t) => {
  const v = TokenVocab.build(["b", "a", "b", "c", "c", "c", "d"], { minCount: 2 });
  t.same(v.items, ["<pad>", "<unk>", "c", "b"]);
  t.equal(v.id("c"), 2);
  t.equal(v.id("a"), TokenVocab.UNK, "rare → <unk>");
  t.ok(v.has("b") && !v.has("a"));
  t.equal(TokenVocab.build(["x", "y", "z"], { max: 4 }).size, 4, "at most max ids, ties by string");
  t.same(TokenVocab.build(["y", "x"]).items.slice(2), ["x", "y"]);
  t.throws(() => new TokenVocab(["a"]), /must begin with <pad>, <unk>/);

  const f = buildFeatures([{ words: ["The", "the", "cats", "ran", "The"], tags: [] }], { minCount: 2, suffixMinCount: 1 });
  t.same(f.words.items, ["<pad>", "<unk>", "the"], "normalized forms counted");
  const e = encodeTokens(["The", "dogs", "ran"], f);
  t.same([...e.words], [2, 1, 1]);
  t.same([...e.suffixes], [f.suffixes.id("the"), f.suffixes.id("ogs"), f.suffixes.id("ran")]);
  t.equal(f.suffixes.id("ogs"), TokenVocab.UNK, "an unseen suffix");
  t.same([...e.shapes], [2, 1, 1]);
});

t.test("the most-frequent-tag baseline", async (t) => {
  const b = new MostFrequentTag([
    { words: ["The", "run", "run", "run", "Run"], tags: ["DET", "NOUN", "VERB", "VERB", "NOUN"] },
    { words: ["a", "b"], tags: ["DET", "X"] },
  ]);
  t.equal(b.tag("run"), "VERB", "by exact form");
  t.equal(b.tag("Run"), "NOUN", "the exact form wins over the normalized one");
  t.equal(b.tag("RUN"), "NOUN", "else the normalized form: run/Run are NOUN 2, VERB 2, and ties go to the smaller tag");
  t.equal(b.tag("unseen"), b.fallback);
  t.equal(b.fallback, "DET", "ties between DET 2 and NOUN 2 and VERB 2 go to the smallest tag");
  t.throws(() => new MostFrequentTag([]), /at least one tagged word/);
});

t.test("padded, time-major batches", async (t) => {
  const { data, T, lengths } = timeMajor([[1, 2, 3], [4], [5, 6]]);
  t.equal(T, 3);
  t.same([...lengths], [3, 1, 2]);
  t.same([...data], [1, 4, 5, 2, 0, 6, 3, 0, 0], "[T, B], padded with 0");
  t.same([...timeMajor([[1, 2, 3]], 9, 2).data], [1, 2], "cut to maxT");
  t.same([...timeMajor([[1], [2]], 9).data], [1, 2]);

  const lens = [5, 1, 3, 3, 9, 2, 7];
  const plain = lengthBatches(lens, 3);
  t.same(plain, [[1, 5, 2], [3, 0, 6], [4]], "sorted by length (ties by index), cut into groups");
  const shuffled = lengthBatches(lens, 3, new Rng(4));
  t.same(shuffled.flat().sort(), lens.map((_, i) => i).sort(), "every example once");
  t.same(new Set(shuffled.map((b) => b.join())), new Set(plain.map((b) => b.join())), "the same groups, reordered");
  t.same(lengthBatches(lens, 3, new Rng(4)), shuffled, "seeded");
  t.throws(() => lengthBatches(lens, 0), /positive integer/);
  const xs = [1, 2, 3, 4, 5];
  t.same([...shuffleInPlace([...xs], new Rng(1))].sort(), xs);

  const eb = new EpochBatches(lens, 3, new Rng(2));
  t.equal(eb.perEpoch, 3);
  const epoch1 = [eb.next(), eb.next(), eb.next()];
  t.same(epoch1.flat().sort(), lens.map((_, i) => i).sort(), "an epoch serves every example once");
  t.equal(eb.epochs, 1);
  eb.next();
  t.ok(eb.epochs > 1, "then the next epoch begins");
  t.throws(() => new EpochBatches([], 2, new Rng(1)), /no training examples/);

  const fb = featureBatch([{ words: Int32Array.of(5, 6), suffixes: Int32Array.of(7, 8), shapes: Int32Array.of(1, 2) }, { words: Int32Array.of(9), suffixes: Int32Array.of(3), shapes: Int32Array.of(4) }]);
  t.equal(fb.T, 2);
  t.same([...fb.inputs.words.data], [5, 9, 6, 0]);
  t.same([...fb.inputs.suffixes.data], [7, 3, 8, 0]);
  t.same([...fb.inputs.shapes.data], [1, 4, 2, 0]);
  t.same(fb.inputs.words.shape, [2, 2]);
  t.same([...fb.inputs.lengths], [2, 1]);
});

t.test("a corpus folder without corpus files is refused", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-brown-"));
  writeFileSync(join(dir, "README"), "nothing here");
  t.throws(() => brownFileNames(dir), /holds no corpus files/);
  writeFileSync(join(dir, "cr01"), RAW);
  t.same(loadBrownTagged(undefined, dir).map((f) => f.genre), ["r"]);
});
