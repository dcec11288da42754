// Type-checked with the types graphql-codegen generates from codegen.ts (copied next to
// them as a test runs): it reads a result through its union and uses each custom scalar
// as the type it maps to, so a changed operation or a wrong mapping fails `tsc --noEmit`.
import type { ArchivePuffleConversationMutation } from "./operations";
import type { Provider, UpdateErrorCode } from "./schema";

type Result = ArchivePuffleConversationMutation["updateConversation"];

export function describeResult(result: Result): string {
  switch (result.__typename) {
    case "ConversationUpdated": {
      const conversation = result.conversation;
      if (!("id" in conversation)) return `${result.provider}: updated`;
      const unread: number = conversation.unreadCount; // SafeInt
      const updatedAt: string = conversation.updatedAt; // DateTime
      return `${conversation.id} ${conversation.status} unread=${unread.toFixed(0)} at ${updatedAt}`;
    }
    case "UpdateFailed": {
      const code: UpdateErrorCode = result.code;
      const provider: Provider = result.provider;
      return `${provider} ${code}: ${result.message}${result.retryable ? " (retryable)" : ""}`;
    }
  }
}
