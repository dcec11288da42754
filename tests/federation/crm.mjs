// The CRM subgraph: `node crm.mjs [--port N]` (or CRM_PORT), serving on 127.0.0.1.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const port = Number(values.port ?? process.env.CRM_PORT ?? 4002);

// Only the first contact's conversation is one inboxgraph's sandbox knows; the others
// point at a conversation of another Puffle account, an unknown id and a malformed id.
const CONTACTS = [
  { id: "c-1", name: "Jane Doe", conversationId: "f11e8a2c-1234-4567-89ab-cdef01234567" },
  { id: "c-2", name: "Rob Roe", conversationId: "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002" },
  { id: "c-3", name: "Ada Absent", conversationId: "7c1d0e4f-5a6b-4c7d-8e9f-000000000003" },
  { id: "c-4", name: "Lee Offline", conversationId: null },
  { id: "c-5", name: "Max Malformed", conversationId: "not-a-uuid" },
];

const contactById = (id) => CONTACTS.find((c) => c.id === id) ?? null;
const contactByConversation = (id) => CONTACTS.find((c) => c.conversationId === id) ?? null;

const resolvers = {
  Query: {
    contacts: () => CONTACTS,
    requestHeaders: (_parent, _args, { headers }) =>
      Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  },
  Contact: {
    __resolveReference: ({ id }) => contactById(id),
    conversation: (contact) =>
      contact.conversationId === null ? null : { id: contact.conversationId },
  },
  PuffleConversation: {
    __resolveReference: ({ id }) => ({ id }),
    contact: ({ id }) => contactByConversation(id),
  },
};

const typeDefs = parse(readFileSync(new URL("./crm.graphql", import.meta.url), "utf8"));
const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
  context: async ({ req }) => ({ headers: req.headers }),
});
console.log(`crm subgraph ready at ${url}`);
