#!/usr/bin/env node
// Writes ajv's standalone code for the compose schema next to the compiled loader
// (dist/src/compose/compose-validator.cjs), with the hash of the schema it was made from, so
// the CLI does not compile the schema at every start. Run after tsc (npm run build does).
import {createRequire} from 'node:module';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const {composeSchema, compileValidator, schemaHash} = await import(path.join(root, 'dist/src/compose/schema.js'));
const standaloneCode = require('ajv/dist/standalone').default;
const schema = composeSchema();
const {ajv, validate} = compileValidator(schema, true);
const code = standaloneCode(ajv, validate);
const out = path.join(root, 'dist/src/compose/compose-validator.cjs');
writeFileSync(out, `${code}\nmodule.exports.validate = module.exports;\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schema))};\n`);
console.log(`wrote ${path.relative(root, out)}`);
