#!/usr/bin/env node
// The `sluice` command. A committed launcher rather than a path into dist/, so that the bin
// exists, and a workspace install links it, before the package is first built.
import "../dist/bin/sluice.js";
