/*
 * CT-EWN Graph explorer: GraphiQL 4 on React 18, every file served by the API itself (see docs/EXPLORER.md).
 * Plain browser JavaScript on the UMD globals React, ReactDOM, GraphiQL, graphqlWs and
 * GraphiQLPluginExplorer, and the page's own ctewnQuery, ctewnPanels and ctewnFetcher
 * (explorer-query.js, explorer-panels.js, explorer-fetcher.js); no build step.
 *
 * Kept in this browser tab only (sessionStorage), never in localStorage: the bearer token, and GraphiQL's
 * tabs and history, whose queries and variables (search terms, names, sanctions-list references) are
 * sensitive themselves and must not outlive the session on a shared workstation.
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('ctewn-config').textContent);
  var TOKEN_KEY = 'ctewn:token';
  var PERSONA_KEY = 'ctewn:persona';
  var h = React.createElement;
  var byId = function (id) {
    return document.getElementById(id);
  };

  /** GraphiQL's Storage interface over sessionStorage, under a namespace of our own. */
  function sessionStore(namespace) {
    var prefix = namespace + ':';
    var own = function () {
      var keys = [];
      for (var i = 0; i < sessionStorage.length; i += 1) {
        var key = sessionStorage.key(i);
        if (key && key.indexOf(prefix) === 0) keys.push(key);
      }
      return keys;
    };
    return {
      getItem: function (key) {
        return sessionStorage.getItem(prefix + key);
      },
      setItem: function (key, value) {
        sessionStorage.setItem(prefix + key, value);
      },
      removeItem: function (key) {
        sessionStorage.removeItem(prefix + key);
      },
      get length() {
        return own().length;
      },
      clear: function () {
        own().forEach(function (key) {
          sessionStorage.removeItem(key);
        });
      },
    };
  }

  var token = sessionStorage.getItem(TOKEN_KEY) || '';
  var fetcher = null;
  /** GraphiQL's editor context, captured by a component rendered inside it (to open examples in tabs). */
  var editor = { current: null };

  function authorization() {
    return token ? 'Bearer ' + token : null;
  }

  var variablesFilled = false;

  /**
   * GraphiQL 4 opens the first of `defaultTabs` with an empty Variables pane (it seeds the editor from the
   * `variables` prop, not from the tab), so Run failed on a first visit. Once, when the editors exist: an
   * empty Variables pane gets what its tab, or the example it shows, holds.
   */
  function fillFirstTabVariables(context) {
    if (variablesFilled || !context.variableEditor || !context.queryEditor) return;
    variablesFilled = true;
    if (context.variableEditor.getValue().trim()) return;
    var tab = context.tabs[context.activeTabIndex];
    var query = context.queryEditor.getValue();
    var example = config.examples.find(function (e) {
      return e.query === query;
    });
    var variables = (tab && tab.variables) || (example && example.variables) || '';
    if (variables.trim()) context.variableEditor.setValue(variables);
  }

  function Bridge() {
    var context = GraphiQL.React.useEditorContext({ nonNull: true });
    editor.current = context;
    React.useEffect(
      function () {
        fillFirstTabVariables(context);
      },
      [context.variableEditor, context.queryEditor],
    );
    return h(ctewnPanels.SchemaHint, {
      introspection: config.introspection,
      hasToken: function () {
        return Boolean(token);
      },
    });
  }

  var plugins = [GraphiQLPluginExplorer.explorerPlugin(), ctewnPanels.sdlPlugin];

  var root = ReactDOM.createRoot(byId('graphiql'));
  var storage = sessionStore('ctewn-graphiql');
  var defaultTabs = config.examples.map(function (example) {
    return { query: example.query, variables: example.variables || undefined };
  });

  function render() {
    root.render(
      h(
        GraphiQL,
        {
          fetcher: fetcher,
          storage: storage,
          defaultTabs: defaultTabs.length ? defaultTabs : undefined,
          defaultQuery: '# Write a query, or open an example from the bar above.\n{\n  viewer { authenticated organizationId roles }\n}\n',
          defaultEditorToolsVisibility: 'variables',
          shouldPersistHeaders: false,
          plugins: plugins,
        },
        h(GraphiQL.Logo, null, 'CT-EWN Graph', h(Bridge)),
        h(GraphiQL.Footer, null, h(ctewnPanels.Footer)),
      ),
    );
  }

  function showIdentity(text, state) {
    var identity = byId('identity');
    identity.textContent = text;
    identity.setAttribute('data-state', state);
  }

  /** Who the server says the current token is (the page never trusts the token's own claims). */
  function describeViewer() {
    var headers = { 'content-type': 'application/json' };
    var bearer = authorization();
    if (bearer) headers.authorization = bearer;
    return window
      .fetch(config.endpoint, {
        method: 'POST',
        headers: headers,
        credentials: 'omit',
        body: JSON.stringify({ operationName: 'ExplorerViewer', query: 'query ExplorerViewer { viewer { authenticated organizationId organizationKind roles } }' }),
      })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.status === 401 || !body.data) {
            var code = body.errors && body.errors[0] && body.errors[0].extensions ? body.errors[0].extensions.code : response.status;
            showIdentity('token refused (' + code + ')', 'refused');
            return;
          }
          var viewer = body.data.viewer;
          if (!viewer.authenticated) showIdentity('anonymous: TLP:CLEAR data only', 'anonymous');
          else showIdentity(viewer.organizationId + ' (' + viewer.organizationKind + ') · ' + viewer.roles.join(', '), 'member');
        });
      })
      .catch(function () {
        showIdentity('the API did not answer', 'refused');
      });
  }

  function setToken(value, personaId) {
    token = value;
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.setItem(PERSONA_KEY, personaId);
    byId('token').value = token;
    if (config.personas) byId('persona').value = personaId;
    fetcher = ctewnFetcher.create(config.endpoint, authorization());
    render();
    return describeViewer();
  }

  function personaLabel(id) {
    var found = (config.personas || []).find(function (p) {
      return p.id === id;
    });
    return found ? found.label : id;
  }

  function usePersona(id) {
    var persona = config.personas.find(function (p) {
      return p.id === id;
    });
    if (!persona) return Promise.resolve();
    if (!persona.org) return setToken('', persona.id);
    showIdentity('signing in as ' + persona.label + '…', 'pending');
    return window
      .fetch(config.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        credentials: 'omit',
        body: JSON.stringify({ org: persona.org, roles: persona.roles, sub: persona.sub }),
      })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) showIdentity('no token: ' + body.error, 'refused');
          else return setToken(body.token, persona.id);
        });
      });
  }

  function setUpPersonas() {
    if (!config.personas) return;
    var select = byId('persona');
    var custom = document.createElement('option');
    custom.value = '';
    custom.textContent = '(token pasted below)';
    select.appendChild(custom);
    config.personas.forEach(function (persona) {
      var option = document.createElement('option');
      option.value = persona.id;
      option.textContent = persona.label;
      select.appendChild(option);
    });
    select.value = sessionStorage.getItem(PERSONA_KEY) || (token ? '' : 'anonymous');
    select.addEventListener('change', function () {
      if (select.value) usePersona(select.value);
    });
    byId('persona-field').hidden = false;
  }

  function openExample(example) {
    var context = editor.current;
    if (!context) return;
    var open = context.tabs.findIndex(function (tab) {
      return tab.query === example.query;
    });
    if (open >= 0) {
      context.changeTab(open);
      return;
    }
    context.addTab();
    // The new tab is set up by GraphiQL first; its content is then replaced by the example.
    setTimeout(function () {
      var current = editor.current;
      if (current.queryEditor) current.queryEditor.setValue(example.query);
      if (current.variableEditor) current.variableEditor.setValue(example.variables || '');
    }, 0);
  }

  function showHint(example) {
    var hint = byId('example-hint');
    hint.textContent = '';
    if (!example) return;
    var text = document.createElement('span');
    text.textContent = example.title + ' — meant for: ' + personaLabel(example.persona) + '. ';
    hint.appendChild(text);
    var current = sessionStorage.getItem(PERSONA_KEY);
    if (config.personas && current !== example.persona) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Switch to this persona';
      button.addEventListener('click', function () {
        usePersona(example.persona).then(function () {
          showHint(example);
        });
      });
      hint.appendChild(button);
    }
  }

  function setUpExamples() {
    var select = byId('examples');
    config.examples.forEach(function (example) {
      var option = document.createElement('option');
      option.value = example.name;
      option.textContent = example.title;
      option.title = example.description;
      select.appendChild(option);
    });
    select.addEventListener('change', function () {
      var example = config.examples.find(function (e) {
        return e.name === select.value;
      });
      select.value = '';
      if (!example) return;
      openExample(example);
      showHint(example);
    });
  }

  function setUpTokenField() {
    byId('token').value = token;
    byId('token-form').addEventListener('submit', function (event) {
      event.preventDefault();
      setToken(byId('token').value.trim(), '');
    });
    byId('token-clear').addEventListener('click', function () {
      setToken('', 'anonymous');
    });
  }

  setUpPersonas();
  setUpExamples();
  setUpTokenField();
  fetcher = ctewnFetcher.create(config.endpoint, authorization());
  render();
  describeViewer();
})();
