/*
 * The explorer's own panels, as React components inside GraphiQL: under the result, what the policy says
 * of the query's fields, whether its lists are limited by marking, CSV exports of its lists and a live
 * subscription's state and events; in the sidebar, the SDL of the schema the viewer may introspect; in the
 * bar, why the schema did not load. They read two small stores the page's fetcher writes (explorer.js).
 */
(function () {
  'use strict';

  var h = React.createElement;
  var Q = window.ctewnQuery;

  /** A value that React components subscribe to (useSyncExternalStore); every change is a new snapshot. */
  function createStore(initial) {
    var value = initial;
    var listeners = [];
    return {
      get: function () {
        return value;
      },
      set: function (next) {
        value = Object.assign({}, value, next);
        listeners.slice().forEach(function (listener) {
          listener();
        });
      },
      subscribe: function (listener) {
        listeners.push(listener);
        return function () {
          listeners = listeners.filter(function (l) {
            return l !== listener;
          });
        };
      },
    };
  }

  function useStore(store) {
    return React.useSyncExternalStore(store.subscribe, store.get);
  }

  /** The last query or mutation that answered: what was sent, with which token, and the answer. */
  var lastRun = createStore({ run: null, policy: null });
  /** The running (or last) subscription: its connection state and every event received. */
  var live = createStore({ active: false, state: 'idle', detail: '', events: [] });

  var MAX_EVENTS = 200;

  var liveFeed = {
    start: function (operationName, socketOpen) {
      live.set({ active: true, operationName: operationName, state: socketOpen ? 'connected' : 'connecting', detail: '', events: [], total: 0 });
      lastRun.set({ run: null });
    },
    socket: function (state, detail) {
      var current = live.get();
      if (!current.active) return;
      live.set({ state: state, detail: detail || '' });
    },
    event: function (payload) {
      var current = live.get();
      var events = current.events.concat({ at: new Date(), payload: payload }).slice(-MAX_EVENTS);
      live.set({ events: events, total: (current.total || 0) + 1 });
    },
    /** A query ran since: the last subscription's panel gives way to the query's notes. */
    clear: function () {
      if (!live.get().active) live.set({ state: 'idle', detail: '', events: [], total: 0 });
    },
    end: function (state, detail) {
      var current = live.get();
      if (!current.active) return;
      live.set({ active: false, state: state, detail: detail || '' });
    },
  };

  var STATE_TEXT = {
    connecting: 'connecting to the WebSocket…',
    connected: 'connected',
    closed: 'connection closed',
    error: 'failed',
    completed: 'completed by the server',
    stopped: 'stopped',
  };

  function time(date) {
    return date.toTimeString().slice(0, 8);
  }

  function oneLine(payload) {
    var text = JSON.stringify(payload);
    return text.length > 400 ? text.slice(0, 400) + '…' : text;
  }

  function LiveEvents() {
    var state = useStore(live);
    if (state.state === 'idle') return null;
    var count = state.total || 0;
    var status = STATE_TEXT[state.state] || state.state;
    if (state.state === 'connected') status += count ? ' · ' + count + (count === 1 ? ' event' : ' events') : ' · waiting for events';
    if (state.detail) status += ': ' + state.detail;
    return h(
      'section',
      { className: 'ctewn-live', 'data-state': state.state, 'aria-label': 'Subscription' },
      h('p', { className: 'ctewn-live-state', role: 'status' }, h('strong', null, state.operationName || 'Subscription'), ' — ', status),
      state.events.length
        ? h(
            'ol',
            { className: 'ctewn-live-events', reversed: true },
            state.events
              .slice()
              .reverse()
              .map(function (event, index) {
                return h('li', { key: count - index }, h('time', null, time(event.at)), ' ', oneLine(event.payload));
              }),
          )
        : null,
    );
  }

  /** Downloads an export with the same token as the query (a plain link could not send the header). */
  /** Hands a file to the browser's downloads (an object URL on a link, released once the download has started). */
  function saveFile(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 10000);
  }

  function download(item, authorization, setError) {
    var headers = {};
    if (authorization) headers.authorization = authorization;
    setError('');
    return window
      .fetch(item.url, { headers: headers, credentials: 'omit' })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(
            function (body) {
              setError((body.errors || []).map(function (e) {
                return e.message;
              }).join('; ') || 'HTTP ' + response.status);
            },
            function () {
              setError('HTTP ' + response.status);
            },
          );
        }
        var disposition = response.headers.get('content-disposition') || '';
        var name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || item.file + '.csv';
        return response.blob().then(function (blob) {
          saveFile(blob, name);
        });
      })
      .catch(function (error) {
        setError(error.message);
      });
  }

  function ExportButton(props) {
    var errorState = React.useState('');
    return h(
      'span',
      { className: 'ctewn-export-item' },
      h(
        'button',
        {
          type: 'button',
          className: 'ctewn-export',
          'data-url': props.item.url,
          title: 'GET ' + props.item.url + ' — every row of the list (all pages), the same filters, the export\u2019s columns',
          onClick: function () {
            download(props.item, props.authorization, errorState[1]);
          },
        },
        'Download ' + props.item.path + ' as CSV',
      ),
      errorState[0] ? h('span', { className: 'ctewn-export-error', role: 'alert' }, ' ' + errorState[0]) : null,
    );
  }

  function ResultNotes() {
    var schema = GraphiQL.React.useSchemaStore().schema;
    var state = useStore(lastRun);
    var run = state.run;
    var analysis = React.useMemo(
      function () {
        if (!schema || !run) return null;
        try {
          var document = GraphiQL.GraphQL.parse(run.query);
          return {
            fields: Q.analyse(schema, document, run.operationName),
            exports: run.ok ? Q.exportsOf(schema, document, run.operationName, run.variables).filter(function (item) {
              return Q.at(run.data, item.path) != null;
            }) : [],
          };
        } catch (error) {
          return null;
        }
      },
      [schema, run],
    );
    if (!analysis || !analysis.fields) return null;
    var lines = [];
    var policy = state.policy && state.policy.authorization === run.authorization ? state.policy : null;
    if (policy) {
      var restricted = Q.restrictedIn(analysis.fields.coordinates, policy);
      if (restricted.denied.length) lines.push(h('p', { key: 'denied', 'data-note': 'denied' }, h('strong', null, 'Never readable by your profile: '), restricted.denied.join(', '), ' — null, with a FORBIDDEN error, on every record.'));
      if (restricted.conditional.length) lines.push(h('p', { key: 'conditional', 'data-note': 'conditional' }, h('strong', null, 'Readable on some records only: '), restricted.conditional.join(', '), ' — e.g. your own organization\u2019s; elsewhere null with FORBIDDEN.'));
      if (!restricted.denied.length && !restricted.conditional.length) lines.push(h('p', { key: 'fields', 'data-note': 'fields' }, 'No field of this query is restricted for your profile (viewer.deniedFields, conditionalFields).'));
    }
    if (analysis.fields.markedLists.length) {
      var paths = analysis.fields.markedLists.map(function (l) {
        return l.path;
      });
      lines.push(
        h(
          'p',
          { key: 'marking', 'data-note': 'marking' },
          h('strong', null, 'Rows of ' + paths.join(', ') + ' are limited by marking: '),
          policy && !policy.authenticated ? 'without a token only TLP:CLEAR records are listed' : 'only records whose TLP marking and shares your organization may read are listed and counted',
          '; an empty list or a gap in a series can mean hidden records, not missing data.',
        ),
      );
    }
    if (analysis.exports.length) {
      lines.push(
        h(
          'p',
          { key: 'exports', 'data-note': 'exports' },
          analysis.exports.map(function (item) {
            return h(ExportButton, { key: item.path, item: item, authorization: run.authorization });
          }),
        ),
      );
    }
    if (!lines.length) return null;
    return h('section', { className: 'ctewn-notes', 'aria-label': 'About this result' }, lines);
  }

  function Footer() {
    return h('div', { className: 'ctewn-footer' }, h(LiveEvents), h(ResultNotes));
  }

  // ---- The SDL, as the viewer may introspect it ----

  function SdlIcon(props) {
    return h(
      'svg',
      Object.assign({ viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, height: '1em' }, props),
      h('path', { d: 'M8 4H6a2 2 0 0 0-2 2v4l-2 2 2 2v4a2 2 0 0 0 2 2h2M16 4h2a2 2 0 0 1 2 2v4l2 2-2 2v4a2 2 0 0 1-2 2h-2', strokeLinecap: 'round', strokeLinejoin: 'round' }),
    );
  }

  function SdlPanel() {
    var store = GraphiQL.React.useSchemaStore();
    var schema = store.schema;
    var sdl = React.useMemo(
      function () {
        return schema ? GraphiQL.GraphQL.printSchema(schema) : '';
      },
      [schema],
    );
    var save = function () {
      saveFile(new Blob([sdl], { type: 'text/plain;charset=utf-8' }), 'ct-ewn-graph.graphql');
    };
    return h(
      'div',
      { className: 'ctewn-sdl' },
      h('div', { className: 'graphiql-doc-explorer-title' }, 'Schema (SDL)'),
      h(
        'p',
        null,
        'The schema as this server shows it to you (introspection), printed as SDL. _service and _entities are federation\u2019s entry points, for gateways. For code generators and other tools, use schema.client.graphql of the repository (docs/DEVELOPERS.md).',
      ),
      schema
        ? h('p', null, h('button', { type: 'button', className: 'ctewn-sdl-download', onClick: save }, 'Download as ct-ewn-graph.graphql'))
        : h('p', { role: 'status' }, store.fetchError ? 'No schema: ' + store.fetchError : 'Loading the schema…'),
      schema ? h('pre', null, sdl) : null,
    );
  }

  var sdlPlugin = { title: 'Schema (SDL)', icon: SdlIcon, content: SdlPanel };

  // ---- Why the schema did not load (the bar above GraphiQL) ----

  /** The hint's text for a failed introspection, by the server's INTROSPECTION setting and the token state. */
  function schemaHint(introspection, hasToken, fetchError) {
    if (introspection === 'off') return 'This server does not show its schema (INTROSPECTION=off): Docs, autocompletion, the query builder and the SDL stay empty. Queries still run.';
    if (introspection === 'members' && !hasToken)
      return 'This server shows its schema to members only: paste a token from your identity provider into Bearer token above and press Use token — or type {"Authorization": "Bearer <token>"} into the Headers tab under the query editor and press Re-fetch GraphQL schema (the ↻ button, Ctrl+Shift+R). Without a token, queries see TLP:CLEAR data only.';
    return 'The schema could not be loaded' + (hasToken ? ' with this token' : '') + ': ' + String(fetchError).slice(0, 300);
  }

  /** Renders nothing in GraphiQL: shows or hides the bar's hint as the schema loads or fails. */
  function SchemaHint(props) {
    var store = GraphiQL.React.useSchemaStore();
    var fetchError = store.fetchError;
    var fetching = store.isFetching;
    React.useEffect(
      function () {
        var element = document.getElementById('schema-hint');
        if (!element) return;
        var show = Boolean(fetchError) && !fetching;
        element.hidden = !show;
        element.textContent = show ? schemaHint(props.introspection, props.hasToken(), fetchError) : '';
      },
      [fetchError, fetching],
    );
    return null;
  }

  window.ctewnPanels = { lastRun: lastRun, liveFeed: liveFeed, Footer: Footer, SchemaHint: SchemaHint, sdlPlugin: sdlPlugin };
})();
