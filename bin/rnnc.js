#!/usr/bin/env node
// The rnnc command. The compiler is TypeScript run through tsx; user code is never executed.
import { register } from "tsx/esm/api";

register();
await import("../compiler/cli/main.ts");
