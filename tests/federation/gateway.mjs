// An Apollo Gateway over a static supergraph, on 127.0.0.1:
//   node gateway.mjs --supergraph PATH [--port N]   (or SUPERGRAPH_PATH, GATEWAY_PORT)
// Every subgraph request carries the caller's Authorization header and an x-request-id
// (the caller's, or one generated per incoming request).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const { values } = parseArgs({
  options: { supergraph: { type: "string" }, port: { type: "string" } },
});
const supergraphPath = values.supergraph ?? process.env.SUPERGRAPH_PATH;
if (!supergraphPath) {
  console.error("usage: node gateway.mjs --supergraph PATH [--port N]");
  process.exit(2);
}
const port = Number(values.port ?? process.env.GATEWAY_PORT ?? 4000);

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context?.authorization) request.http.headers.set("authorization", context.authorization);
    if (context?.requestId) request.http.headers.set("x-request-id", context.requestId);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphPath, "utf8"),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
  context: async ({ req }) => ({
    authorization: req.headers.authorization,
    requestId: req.headers["x-request-id"] || randomUUID(),
  }),
});
console.log(`gateway ready at ${url}`);
