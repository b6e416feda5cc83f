#!/usr/bin/env node
import nodeModule from 'node:module';

// Node 22.1+ keeps V8's compiled code of the modules it loads between runs (in the temp dir): a
// quicker start. Before our own imports, so they are cached too; older Node has no such cache.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('./main.js');

// the CLI edge is the only place that exits; open keep-alive sockets must not hold the process
process.exit(await main(process.argv.slice(2)));
