#!/usr/bin/env bash
# The README's first command: check, compile and run the LSTM example, then verify its BPTT.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${TMPDIR:-/tmp}/rnnc-example
mkdir -p "$out"
node bin/rnnc.js check examples/cells/lstm.json --dims I=3,H=5
node bin/rnnc.js compile examples/cells/lstm.json --dims I=3,H=5 -o "$out"
node scripts/make-example-inputs.mjs > "$out/in.json"
node bin/rnnc.js eval examples/cells/lstm.json --dims I=3,H=5 --tensors "$out/in.json" --out "$out/out.json"
node -e 'const o=require(process.argv[1]); console.log("final h:", o.final.h.data.map(v=>v.toFixed(4)).join(" "))' "$out/out.json"
node bin/rnnc.js gradcheck examples/cells/lstm.json --dims I=3,H=5 --batch 2 --seq 8
