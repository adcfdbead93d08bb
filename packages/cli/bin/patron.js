#!/usr/bin/env node
// The binary is a thin shim so the bin link exists before the first build; the CLI itself is compiled TypeScript.
import { main } from "../dist/bundle/patron.mjs";

process.exitCode = await main(process.argv.slice(2));
