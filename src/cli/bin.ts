#!/usr/bin/env node
// The only entry point and the only place that ends the process; npm's bin
// symlink defeats an import.meta.url main-module check, hence this file.
import { main } from './main.js';

process.exit(await main(process.argv.slice(2)));
