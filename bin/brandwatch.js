#!/usr/bin/env node
import { main } from '../dist/cli/start.js';

main(process.argv);
