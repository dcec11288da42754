// Drives inboxgraph's GraphiQL page in headless Chromium as a person would, on a machine
// whose page may reach loopback addresses only, and prints what it saw as one JSON object.
//
//   node playground.mjs --url http://127.0.0.1:8000/graphql --query 'mutation { ... }' \
//     [--run-tab MarkEbayConversationRead] [--headers '{"Authorization": "Bearer ..."}'] \
//     [--screenshot out.png]
//
// Steps: open the page and read its tabs' titles; with --run-tab, select that tab and run
// it; open a new tab, type --query into its editor key by key, and run it; with --headers,
// type them into the headers editor, run again, and re-fetch the schema with them; then
// prettify the document and take the screenshot. A run is a click on the run button and a
// wait for the result pane to change. Every request that would leave the machine is
// aborted and reported, as are failed responses, console errors (a Content-Security-Policy
// refusal among them) and uncaught page errors.
// Exit status 0 when every step ran (pytest judges what they showed), 1 when one could not.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values: options } = parseArgs({
  options: {
    url: { type: "string" },
    query: { type: "string" },
    "run-tab": { type: "string" },
    headers: { type: "string" },
    screenshot: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    "timeout-ms": { type: "string", default: "15000" },
  },
});
if (!options.url || !options.query) {
  console.error(
    "usage: node playground.mjs --url URL --query DOCUMENT [--run-tab TITLE] [--headers JSON] [--screenshot PATH]",
  );
  process.exit(2);
}
const timeout = Number(options["timeout-ms"]);

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const SELECTORS = {
  tab: ".graphiql-tab",
  tabTitle: ".graphiql-tab .graphiql-tab-button",
  addTab: ".graphiql-tab-add",
  queryEditor: ".graphiql-query-editor .CodeMirror",
  headersEditor: ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror",
  run: ".graphiql-execute-button",
  response: ".graphiql-response .CodeMirror",
  explorer: ".graphiql-explorer-root",
};

function isLoopback(url) {
  const { protocol, hostname } = new URL(url);
  if (protocol === "data:" || protocol === "blob:" || protocol === "about:") return true;
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

const report = {
  tabs: [],
  tabsAfter: [],
  typedQuery: null,
  typedHeaders: null,
  results: [],
  explorer: "",
  graphqlRequests: [],
  requests: [],
  aborted: [],
  failedResponses: [],
  failedRequests: [],
  consoleErrors: [],
  pageErrors: [],
  websockets: [],
  timingsMs: {},
  error: null,
};

// A CodeMirror 5 editor's text, read through the instance GraphiQL attached to the element.
async function editorText(page, selector) {
  return page.$eval(selector, (element) => element.CodeMirror.getValue());
}

// Click into an editor, clear it with the keyboard, and type `text` key by key.
async function typeInto(page, selector, text) {
  await page.click(selector);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
  // Close an autocompletion popup the last keystroke may have left open.
  await page.keyboard.press("Escape");
  return editorText(page, selector);
}

// GraphiQL takes the operation name it sends from the editor's text 100 ms after the
// text last changed (a keystroke, a switch of tab), and records it in the tab state it
// stores: wait for the active tab's there, or a run could send the previous text's name.
async function waitForOperationName(page, text) {
  const name = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(text)?.[1];
  if (!name) return;
  await page.waitForFunction((name) => {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (!key.endsWith("tabState")) continue;
      const state = JSON.parse(localStorage.getItem(key));
      return state.tabs[state.activeTabIndex]?.operationName === name;
    }
    return false;
  }, name);
}

async function tabTitles(page) {
  return page.$$eval(SELECTORS.tabTitle, (titles) => titles.map((title) => title.textContent.trim()));
}

async function run(page, step) {
  const before = await editorText(page, SELECTORS.response);
  await page.click(SELECTORS.run);
  await page.waitForFunction(
    ({ selector, before }) => {
      const value = document.querySelector(selector)?.CodeMirror?.getValue() ?? "";
      return value.trim() !== "" && value !== before;
    },
    { selector: SELECTORS.response, before },
  );
  report.results.push({ step, response: JSON.parse(await editorText(page, SELECTORS.response)) });
}

const started = Date.now();
const userDataDir = mkdtempSync(join(tmpdir(), "inboxgraph-chromium-"));
let context;
try {
  // A fresh profile each run: no GraphiQL state from an earlier one.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: options.chromium,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1600, height: 900 },
    timeout,
  });
  context.setDefaultTimeout(timeout);
  report.timingsMs.launched = Date.now() - started;

  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (isLoopback(url)) {
      await route.continue();
    } else {
      report.aborted.push(url);
      await route.abort("blockedbyclient");
    }
  });

  const page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (request) => {
    report.requests.push(`${request.method()} ${request.url()}`);
    if (request.method() === "POST" && new URL(request.url()).pathname.endsWith("/graphql")) {
      report.graphqlRequests.push({
        operationName: request.postDataJSON()?.operationName ?? null,
        authorization: request.headers()["authorization"] ?? null,
      });
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      report.failedResponses.push(
        `${response.status()} ${response.request().method()} ${response.url()}`,
      );
    }
  });
  page.on("requestfailed", (request) => {
    report.failedRequests.push(`${request.url()} ${request.failure()?.errorText ?? ""}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") report.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => report.pageErrors.push(String(error)));
  page.on("websocket", (socket) => report.websockets.push(socket.url()));

  await page.goto(options.url, { waitUntil: "load" });
  await page.waitForSelector(SELECTORS.queryEditor);
  report.timingsMs.loaded = Date.now() - started;
  report.tabs = await tabTitles(page);

  if (options["run-tab"]) {
    await page.locator(SELECTORS.tabTitle, { hasText: options["run-tab"] }).click();
    await waitForOperationName(page, await editorText(page, SELECTORS.queryEditor));
    await run(page, `tab ${options["run-tab"]}`);
  }

  await page.click(SELECTORS.addTab);
  await page.waitForFunction(
    ({ selector, count }) => document.querySelectorAll(selector).length === count,
    { selector: SELECTORS.tab, count: report.tabs.length + 1 },
  );
  report.typedQuery = await typeInto(page, SELECTORS.queryEditor, options.query);
  await waitForOperationName(page, report.typedQuery);
  await run(page, "typed query");

  if (options.headers) {
    report.typedHeaders = await typeInto(page, SELECTORS.headersEditor, options.headers);
    await run(page, "typed query with typed headers");
    // GraphiQL fetches the schema with the headers too: fetch it again with these.
    await page.getByLabel("Re-fetch GraphQL schema").click();
  }

  // With the schema in, the explorer lists the root fields of the operation in the editor.
  await page
    .waitForFunction(
      (selector) => /updateConversation/.test(document.querySelector(selector)?.textContent ?? ""),
      SELECTORS.explorer,
      { timeout: 5000 },
    )
    .catch(() => {});
  report.explorer = await page.$$eval(SELECTORS.explorer, (roots) =>
    roots.map((root) => root.textContent).join(""),
  );
  report.tabsAfter = await tabTitles(page);
  // As a reader would before looking: prettify the typed one-line document.
  await page.getByLabel(/^Prettify query/).click();
  report.timingsMs.done = Date.now() - started;

  if (options.screenshot) await page.screenshot({ path: options.screenshot });
} catch (error) {
  report.error = String(error?.stack ?? error);
} finally {
  await context?.close();
  report.timingsMs.closed = Date.now() - started;
  rmSync(userDataDir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
process.exit(report.error === null ? 0 : 1);
