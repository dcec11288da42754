// Hive Gateway over a static supergraph (compose it with `compose.mjs --composer guild`),
// on 127.0.0.1:
//   node hive-gateway.mjs --supergraph PATH [--port N]   (or SUPERGRAPH_PATH, GATEWAY_PORT)
// Every subgraph request carries the caller's Authorization header and an x-request-id
// (the caller's, or one the gateway generates per incoming request).
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { createGatewayRuntime } from "@graphql-hive/gateway-runtime";

const { values } = parseArgs({
  options: { supergraph: { type: "string" }, port: { type: "string" } },
});
const supergraph = values.supergraph ?? process.env.SUPERGRAPH_PATH;
if (!supergraph) {
  console.error("usage: node hive-gateway.mjs --supergraph PATH [--port N]");
  process.exit(2);
}
const port = Number(values.port ?? process.env.GATEWAY_PORT ?? 4000);

const gateway = createGatewayRuntime({
  supergraph,
  graphqlEndpoint: "/",
  // x-request-id is the runtime's own: kept from the caller or generated, and forwarded.
  requestId: true,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get("authorization") ?? undefined,
    }),
  },
});

const server = createServer(gateway);
server.listen(port, "127.0.0.1", () => console.log(`hive gateway ready at http://127.0.0.1:${port}/`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => gateway.dispose().then(() => process.exit(0))));
}
