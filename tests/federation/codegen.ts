// graphql-codegen: TypeScript types for graphql/operations/*.graphql and the printed SDL.
//   CODEGEN_OUT=DIR npx graphql-codegen --config codegen.ts
// writes DIR/schema.ts (`typescript`: every schema type) and DIR/operations.ts
// (`typescript-operations`: each operation's variables and result, importing the schema's
// enums and inputs from schema.ts). CODEGEN_DOCUMENTS (a glob) replaces the operations.
import type { CodegenConfig } from "@graphql-codegen/cli";

const out = process.env.CODEGEN_OUT ?? "generated";

const config: CodegenConfig = {
  schema: "../../graphql/schema.graphql",
  documents: process.env.CODEGEN_DOCUMENTS ?? "../../graphql/operations/*.graphql",
  config: {
    // SafeInt is an integer in ±(2^53-1), which a JavaScript number holds exactly;
    // DateTime is an ISO 8601 string on the wire. _Any is federation's entity
    // representation (the router's `_entities`), not something a client sends.
    scalars: { SafeInt: "number", DateTime: "string", _Any: "Record<string, unknown>" },
    // A scalar without a mapping fails generation instead of becoming `any`.
    strictScalars: true,
    enumsAsTypes: true,
    useTypeImports: true,
  },
  generates: {
    [`${out}/schema.ts`]: { plugins: ["typescript"] },
    [`${out}/operations.ts`]: {
      plugins: ["typescript-operations"],
      config: { importSchemaTypesFrom: `${out}/schema.ts`, namespacedImportName: "Schema" },
    },
  },
};

export default config;
