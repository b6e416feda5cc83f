#!/usr/bin/env node
import { main } from './main.js';

// the CLI edge is the only place that exits; open keep-alive sockets must not hold the process
process.exit(await main(process.argv.slice(2)));
