/*
 * The explorer's fetcher: GraphiQL's own (HTTP POST for queries and mutations, graphql-ws for
 * subscriptions) with the bar's token, and what it tells the panels under the result
 * (explorer-panels.js): the run that answered and its token's policy, a subscription's socket and events.
 */
(function () {
  'use strict';

  var wsClient = null;
  var socketOpen = false;

  /** The Authorization a run used: one typed in GraphiQL's headers pane wins over the bar's token. */
  function authorizationOf(headers, bearer) {
    var typed = Object.keys(headers || {}).find(function (name) {
      return name.toLowerCase() === 'authorization';
    });
    return typed ? String(headers[typed]) : bearer;
  }

  /** What `viewer { deniedFields conditionalFields }` says for one Authorization (asked once per token). */
  var policies = {};
  function policyFor(endpoint, bearer) {
    var key = bearer || '';
    if (!policies[key]) {
      var headers = { 'content-type': 'application/json' };
      if (bearer) headers.authorization = bearer;
      policies[key] = window
        .fetch(endpoint, {
          method: 'POST',
          headers: headers,
          credentials: 'omit',
          body: JSON.stringify({ operationName: 'ExplorerPolicy', query: 'query ExplorerPolicy { viewer { authenticated deniedFields conditionalFields } }' }),
        })
        .then(function (response) {
          return response.json();
        })
        .then(function (body) {
          if (!body.data) throw new Error('no viewer');
          return Object.assign({ authorization: bearer }, body.data.viewer);
        })
        .catch(function (error) {
          delete policies[key];
          throw error;
        });
    }
    return policies[key];
  }

  /** A query or mutation answered: the notes under the result are worked out from it (explorer-panels.js). */
  function recordRun(endpoint, barBearer, params, headers, result) {
    if (params.operationName === 'IntrospectionQuery' || !result || typeof result !== 'object') return;
    var bearer = authorizationOf(headers, barBearer);
    var variables = params.variables;
    if (typeof variables === 'string') {
      try {
        variables = JSON.parse(variables || '{}');
      } catch (error) {
        variables = {};
      }
    }
    var run = { query: params.query, operationName: params.operationName || null, variables: variables || {}, authorization: bearer, ok: Boolean(result.data), data: result.data || null };
    ctewnPanels.liveFeed.clear();
    ctewnPanels.lastRun.set({ run: run });
    policyFor(endpoint, bearer).then(
      function (policy) {
        if (ctewnPanels.lastRun.get().run === run) ctewnPanels.lastRun.set({ policy: policy });
      },
      function () {},
    );
  }

  /**
   * A subscription's events, passed on to GraphiQL unchanged and shown one by one under the result with
   * the socket's state. GraphiQL stops a subscription by calling return() on its iterator.
   */
  function watchSubscription(iterable, operationName) {
    var iterator = iterable[Symbol.asyncIterator]();
    ctewnPanels.liveFeed.start(operationName, socketOpen);
    var watched = {
      next: function () {
        return iterator.next().then(
          function (step) {
            if (step.done) ctewnPanels.liveFeed.end('completed');
            else ctewnPanels.liveFeed.event(step.value);
            return step;
          },
          function (error) {
            ctewnPanels.liveFeed.end('error', error && error.message);
            throw error;
          },
        );
      },
      return: function () {
        ctewnPanels.liveFeed.end('stopped');
        return iterator.return ? iterator.return() : Promise.resolve({ done: true, value: undefined });
      },
    };
    watched[Symbol.asyncIterator] = function () {
      return watched;
    };
    return watched;
  }

  /**
   * Queries and mutations over HTTP POST, subscriptions over graphql-ws; both carry `bearer` (the bar's
   * token). One per token: the page disposes of the last one (its socket) when the token changes.
   */
  function create(endpoint, bearer) {
    if (wsClient) wsClient.dispose();
    socketOpen = false;
    var socketUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + endpoint;
    var client = graphqlWs.createClient({
      url: socketUrl,
      lazy: true,
      retryAttempts: 0,
      connectionParams: bearer ? { authorization: bearer } : {},
      on: {
        connecting: function () {
          if (wsClient === client) ctewnPanels.liveFeed.socket('connecting');
        },
        connected: function () {
          if (wsClient !== client) return;
          socketOpen = true;
          ctewnPanels.liveFeed.socket('connected');
        },
        closed: function (event) {
          if (wsClient !== client) return;
          socketOpen = false;
          var detail = event && event.code ? event.code + (event.reason ? ' ' + event.reason : '') : '';
          ctewnPanels.liveFeed.end('closed', detail);
        },
      },
    });
    wsClient = client;
    var inner = GraphiQL.createFetcher({
      url: location.origin + endpoint,
      wsClient: client,
      enableIncrementalDelivery: false,
      fetch: function (input, init) {
        var headers = new Headers((init && init.headers) || {});
        // A header typed in GraphiQL's headers editor wins over the token field.
        if (bearer && !headers.has('authorization')) headers.set('authorization', bearer);
        return window.fetch(input, Object.assign({}, init, { headers: headers, credentials: 'omit' }));
      },
    });
    return function (params, options) {
      return Promise.resolve(inner(params, options)).then(function (value) {
        if (value && typeof value[Symbol.asyncIterator] === 'function') return watchSubscription(value, params.operationName);
        recordRun(endpoint, bearer, params, options && options.headers, value);
        return value;
      });
    };
  }

  window.ctewnFetcher = { create: create };
})();
