// Starts GraphiQL on inboxgraph's /graphql, with the example operations open as tabs.
// The page's JSON config (#playground-config) is written by inboxgraph/playground/page.py.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("playground-config").textContent);

  // The page is served by the GraphQL endpoint itself: same origin, same path.
  var endpoint = new URL(window.location.pathname, window.location.origin);
  var subscriptions = new URL(endpoint.href);
  subscriptions.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

  // GraphiQL keeps tabs and settings in localStorage under "graphiql:"; another GraphiQL
  // once served on the same origin (localhost:8000 is a common one) would otherwise
  // replace these tabs with its own.
  function namespacedStorage(prefix) {
    function ownKeys() {
      var keys = [];
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key !== null && key.indexOf(prefix) === 0) keys.push(key);
      }
      return keys;
    }
    return {
      getItem: function (key) { return window.localStorage.getItem(prefix + key); },
      setItem: function (key, value) { window.localStorage.setItem(prefix + key, value); },
      removeItem: function (key) { window.localStorage.removeItem(prefix + key); },
      clear: function () { ownKeys().forEach(function (key) { window.localStorage.removeItem(key); }); },
      get length() { return ownKeys().length; },
    };
  }

  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var graphiql = React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: endpoint.href, subscriptionUrl: subscriptions.href }),
    defaultTabs: config.tabs,
    // The first tab's headers editor, and every new tab's.
    defaultHeaders: config.headers,
    plugins: [explorer],
    visiblePlugin: explorer,
    // The headers editor is where a bearer token goes when /graphql asks for one;
    // it is not persisted, so a token never lands in localStorage.
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
    storage: namespacedStorage("inboxgraph:"),
  });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(graphiql);
})();
