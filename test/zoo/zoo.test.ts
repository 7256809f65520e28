// The example zoo's tests in one process. Loading Binaryen costs seconds of CPU per process, so
// the per-example files (test/zoo/*.zoo.ts, each runnable alone with `npx tap FILE`) are imported
// here rather than run as separate test files.
import "./elman.zoo.ts";
import "./jordan.zoo.ts";
import "./lstm-concat.zoo.ts";
import "./gated.zoo.ts";
import "./bidirectional.zoo.ts";
import "./stacked.zoo.ts";
import "./mgu.zoo.ts";
import "./one-to-one.zoo.ts";
import "./sine.zoo.ts";
import "./seq2seq.zoo.ts";
import "./ragged.zoo.ts";
import "./grumpy-bear.zoo.ts";
import "./adding.zoo.ts";
