// Compose inboxgraph's printed SDL with the CRM subgraph into a supergraph.
//   node compose.mjs [--composer apollo|guild] [--inboxgraph-url URL] [--crm-url URL]
//                    [--inboxgraph-sdl PATH] [--crm-sdl PATH] [--out PATH]
// `apollo` is Apollo's composition (@apollo/composition, what Apollo Gateway and Router
// use); `guild` is The Guild's (@theguild/federation-composition, what Hive uses).
// Writes the supergraph SDL to --out (or stdout); on composition errors prints them
// to stderr and exits 1.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { composeServices as composeWithApollo } from "@apollo/composition";
import { composeServices as composeWithGuild } from "@theguild/federation-composition";
import { parse } from "graphql";

const here = (path) => new URL(path, import.meta.url);
const { values } = parseArgs({
  options: {
    composer: { type: "string", default: "apollo" },
    "inboxgraph-url": { type: "string" },
    "crm-url": { type: "string" },
    "inboxgraph-sdl": { type: "string" },
    "crm-sdl": { type: "string" },
    out: { type: "string" },
  },
});

const composers = {
  apollo: (services) => {
    const result = composeWithApollo(services);
    return { ...result, hints: result.hints ?? [] };
  },
  guild: (services) => ({ ...composeWithGuild(services), hints: [] }),
};
const composeServices = composers[values.composer];
if (!composeServices) {
  console.error(`unknown --composer ${values.composer}: use ${Object.keys(composers).join(" or ")}`);
  process.exit(2);
}

const subgraphs = [
  {
    name: "inboxgraph",
    url: values["inboxgraph-url"] ?? process.env.COMPOSE_INBOXGRAPH_URL ?? "http://127.0.0.1:8000/graphql",
    sdl: values["inboxgraph-sdl"] ?? here("../../graphql/schema.graphql"),
  },
  {
    name: "crm",
    url: values["crm-url"] ?? process.env.COMPOSE_CRM_URL ?? "http://127.0.0.1:4002/",
    sdl: values["crm-sdl"] ?? here("./crm.graphql"),
  },
];

const result = composeServices(
  subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(readFileSync(sdl, "utf8")) })),
);

if (result.errors) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}
for (const hint of result.hints) console.error(`hint: ${hint.toString()}`);
if (values.out) writeFileSync(values.out, result.supergraphSdl);
else process.stdout.write(result.supergraphSdl);
