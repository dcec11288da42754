// A minimal GraphQL Yoga proxy of inboxgraph's Puffle update: the Node baseline of
// benchmarks/http.py. The same mutation document is answered with the same result shape
// after the same one upstream call (PATCH /api/conversations/{id} with
// {status, unread_count}), sent with Node's own fetch. Yoga's defaults otherwise (its
// parser and validation caches included); no GraphiQL, no logging.
//
//   node benchmarks/baselines/yoga/server.mjs --port 8100 \
//     --upstream http://127.0.0.1:8200 --token sandbox-puffle-token
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { createSchema, createYoga } from "graphql-yoga";

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    upstream: { type: "string" },
    token: { type: "string" },
  },
});
if (!args.port || !args.upstream || !args.token) {
  console.error("usage: server.mjs --port N --upstream URL --token TOKEN");
  process.exit(2);
}

const typeDefs = /* GraphQL */ `
  enum Provider { PUFFLE }
  enum PuffleConversationStatus { ACTIVE ARCHIVED }
  enum UpdateErrorCode { NOT_FOUND UPSTREAM_ERROR UPSTREAM_UNAVAILABLE }
  type PuffleConversation {
    id: ID!
    status: PuffleConversationStatus!
    unreadCount: Int!
    channel: String!
    participantName: String
    updatedAt: String!
  }
  type ConversationUpdated { provider: Provider! conversation: PuffleConversation! }
  type UpdateFailed {
    provider: Provider!
    code: UpdateErrorCode!
    message: String!
    field: String
    providerStatus: Int
    providerCode: String
    retryable: Boolean!
  }
  union UpdateConversationResult = ConversationUpdated | UpdateFailed
  input PuffleConversationUpdate { id: ID! status: PuffleConversationStatus unreadCount: Int }
  input UpdateConversationInput { puffle: PuffleConversationUpdate! }
  type Query { ok: Boolean! }
  type Mutation { updateConversation(input: UpdateConversationInput!): UpdateConversationResult! }
`;

const STATUSES = { ACTIVE: "active", ARCHIVED: "archived" };

function failed(code, message, providerStatus = null) {
  return {
    __typename: "UpdateFailed",
    provider: "PUFFLE",
    code,
    message,
    field: null,
    providerStatus,
    providerCode: null,
    retryable: code === "UPSTREAM_UNAVAILABLE" || (providerStatus ?? 0) >= 500,
  };
}

async function updateConversation(_, { input }) {
  const update = input.puffle;
  const body = {};
  if (update.status != null) body.status = STATUSES[update.status];
  if (update.unreadCount != null) body.unread_count = update.unreadCount;
  let response;
  try {
    response = await fetch(`${args.upstream}/api/conversations/${update.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${args.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    return failed("UPSTREAM_UNAVAILABLE", error.name);
  }
  if (response.status !== 200) {
    const text = (await response.text()).slice(0, 500);
    return failed(response.status === 404 ? "NOT_FOUND" : "UPSTREAM_ERROR", text, response.status);
  }
  const record = (await response.json()).conversation;
  return {
    __typename: "ConversationUpdated",
    provider: "PUFFLE",
    conversation: {
      id: record.id,
      status: record.status.toUpperCase(),
      unreadCount: record.unread_count,
      channel: record.channel,
      participantName: record.participant_name ?? null,
      updatedAt: record.updated_at,
    },
  };
}

const yoga = createYoga({
  schema: createSchema({
    typeDefs,
    resolvers: { Query: { ok: () => true }, Mutation: { updateConversation } },
  }),
  graphiql: false,
  logging: false,
});

createServer(yoga).listen(Number(args.port), args.host);
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
