// A schema-stitching gateway (@graphql-tools/stitch) over running subgraphs, on 127.0.0.1:
//   node stitch-gateway.mjs --subgraph NAME=URL [--subgraph NAME=URL ...] [--port N]
// No composition step: each subgraph's schema is introspected and its entities are read
// from its `{ _service { sdl } }`. A type that is an entity in several subgraphs is
// merged through each one's `_entities(representations:)`, batched per request. The
// federation plumbing (`_entities`, `_service`, `_Any`, ...) is not exposed.
// Every subgraph request carries the caller's Authorization header and an x-request-id
// (the caller's, or one generated per incoming request).
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildHTTPExecutor } from "@graphql-tools/executor-http";
import { stitchSchemas } from "@graphql-tools/stitch";
import { filterSchema, pruneSchema } from "@graphql-tools/utils";
import { schemaFromExecutor } from "@graphql-tools/wrap";
import { Kind, parse } from "graphql";

const { values } = parseArgs({
  options: { subgraph: { type: "string", multiple: true }, port: { type: "string" } },
});
const subgraphUrls = (values.subgraph ?? []).map((arg) => arg.split(/=(.*)/s, 2));
if (subgraphUrls.length === 0 || subgraphUrls.some(([name, url]) => !name || !url)) {
  console.error("usage: node stitch-gateway.mjs --subgraph NAME=URL [--subgraph NAME=URL ...] [--port N]");
  process.exit(2);
}
const port = Number(values.port ?? process.env.GATEWAY_PORT ?? 4000);

const forwardedHeaders = (context) => {
  const headers = { "x-request-id": context?.requestId ?? randomUUID() };
  if (context?.authorization) headers.authorization = context.authorization;
  return headers;
};

/** The `@key(fields:)` of every entity type in a federation SDL (the first key of each). */
function entityKeys(sdl) {
  const keys = new Map();
  for (const definition of parse(sdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const key = definition.directives?.find((d) => d.name.value === "key");
    const fields = key?.arguments?.find((a) => a.name.value === "fields")?.value;
    if (fields?.kind !== Kind.STRING) continue;
    if (/[{}]/.test(fields.value)) throw new Error(`${definition.name.value}: nested keys are not supported`);
    keys.set(definition.name.value, fields.value.split(/\s+/).filter(Boolean));
  }
  return keys;
}

async function loadSubgraph(name, url) {
  const executor = buildHTTPExecutor({
    endpoint: url,
    headers: (request) => forwardedHeaders(request?.context),
  });
  const schema = await schemaFromExecutor(executor, undefined, { oneOf: true });
  const service = await executor({ document: parse("{ _service { sdl } }") });
  if (!service.data?._service?.sdl) throw new Error(`${name}: no { _service { sdl } }: ${JSON.stringify(service)}`);
  return { name, schema, executor, keys: entityKeys(service.data._service.sdl) };
}

/** Merge config reading a `typename` entity through a subgraph's `_entities`. */
const throughEntities = (typename, keyFields) => ({
  selectionSet: `{ ${keyFields.join(" ")} }`,
  fieldName: "_entities",
  key: (entity) => Object.fromEntries([["__typename", typename], ...keyFields.map((f) => [f, entity[f]])]),
  argsFromKeys: (representations) => ({ representations }),
});

const subgraphs = await Promise.all(subgraphUrls.map(([name, url]) => loadSubgraph(name, url)));
const entityCount = new Map();
for (const { keys } of subgraphs) for (const type of keys.keys()) entityCount.set(type, (entityCount.get(type) ?? 0) + 1);

const stitched = stitchSchemas({
  subschemas: subgraphs.map(({ schema, executor, keys }) => ({
    schema,
    executor,
    batch: true,
    merge: Object.fromEntries(
      [...keys].filter(([type]) => entityCount.get(type) > 1).map(([type, fields]) => [type, throughEntities(type, fields)]),
    ),
  })),
});
const federationPlumbing = new Set(["_Any", "_Entity", "_Service", "_FieldSet", "FieldSet", "link__Import"]);
const schema = pruneSchema(
  filterSchema({
    schema: stitched,
    rootFieldFilter: (_operation, fieldName) => !fieldName.startsWith("_"),
    typeFilter: (typeName) => !federationPlumbing.has(typeName),
  }),
);

const server = new ApolloServer({ schema, includeStacktraceInErrorResponses: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
  context: async ({ req }) => ({
    authorization: req.headers.authorization,
    requestId: req.headers["x-request-id"] || randomUUID(),
  }),
});
console.log(`stitching gateway ready at ${url} (${subgraphs.map((s) => s.name).join(", ")})`);
