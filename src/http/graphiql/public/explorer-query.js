/*
 * What the explorer says beside a result, read from the query and the schema the viewer introspected:
 * which `Type.field`s it selects, which of its lists are TLP-marked records (their rows depend on the
 * viewer's markings and shares), and which lists have a file export with the same filters. Pure functions
 * on GraphiQL's own copy of graphql-js (GraphiQL.GraphQL), so the schema objects are the same instances.
 */
(function () {
  'use strict';

  var G = GraphiQL.GraphQL;

  /** The operation that ran and the fragments of its document (other operations of the tab are not run). */
  function chosenOperation(document, operationName) {
    var operations = document.definitions.filter(function (d) {
      return d.kind === G.Kind.OPERATION_DEFINITION;
    });
    return (
      operations.find(function (d) {
        return operationName ? d.name && d.name.value === operationName : true;
      }) || null
    );
  }

  function fragmentsOf(document) {
    var fragments = {};
    document.definitions.forEach(function (d) {
      if (d.kind === G.Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    });
    return fragments;
  }

  /** A record type of the network carries a TLP marking: its rows are filtered by the row rule. */
  function isMarked(type) {
    return G.isObjectType(type) && Boolean(type.getFields().tlp);
  }

  /** The marked record type a field lists: a list of marked records, or a connection of them (edges.node). */
  function listedRecordType(type) {
    var nullable = G.getNullableType(type);
    if (G.isListType(nullable)) {
      var item = G.getNamedType(nullable);
      return isMarked(item) ? item : null;
    }
    if (!G.isObjectType(nullable) || !nullable.getFields().edges) return null;
    var edge = G.getNamedType(nullable.getFields().edges.type);
    var node = G.isObjectType(edge) && edge.getFields().node ? G.getNamedType(edge.getFields().node.type) : null;
    return node && isMarked(node) ? node : null;
  }

  /**
   * Walks the operation's selections with the schema: every field as `Type.field`, and every list of
   * marked records with its place in the response (`country.latestValues`, an alias as written).
   */
  function analyse(schema, document, operationName) {
    var operation = chosenOperation(document, operationName);
    if (!operation) return null;
    var fragments = fragmentsOf(document);
    var coordinates = {};
    var markedLists = [];
    var walk = function (selectionSet, parentType, path, seen) {
      if (!selectionSet || !parentType || !G.isCompositeType(parentType)) return;
      selectionSet.selections.forEach(function (selection) {
        if (selection.kind === G.Kind.INLINE_FRAGMENT) {
          var typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
          walk(selection.selectionSet, typed, path, seen);
          return;
        }
        if (selection.kind === G.Kind.FRAGMENT_SPREAD) {
          var fragment = fragments[selection.name.value];
          if (!fragment || seen[fragment.name.value]) return;
          var inner = Object.assign({}, seen);
          inner[fragment.name.value] = true;
          walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), path, inner);
          return;
        }
        var name = selection.name.value;
        if (name.indexOf('__') === 0 || !G.isObjectType(parentType) && !G.isInterfaceType(parentType)) return;
        var field = parentType.getFields()[name];
        if (!field) return;
        coordinates[parentType.name + '.' + name] = true;
        var key = selection.alias ? selection.alias.value : name;
        var here = path.concat(key);
        var listed = listedRecordType(field.type);
        if (listed) markedLists.push({ path: here.join('.'), type: listed.name });
        walk(selection.selectionSet, G.getNamedType(field.type), here, seen);
      });
    };
    var root = schema.getRootType ? schema.getRootType(operation.operation) : operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    walk(operation.selectionSet, root, [], {});
    return { operation: operation, coordinates: Object.keys(coordinates).sort(), markedLists: markedLists };
  }

  /** A `Type.field` named by the policy's list: exactly, or by `Type.*` (every field of the type). */
  function named(list, coordinate) {
    var type = coordinate.split('.')[0];
    return list.indexOf(coordinate) >= 0 || list.indexOf(type + '.*') >= 0;
  }

  /** The fields of the query that `viewer { deniedFields conditionalFields }` names. */
  function restrictedIn(coordinates, policy) {
    return {
      denied: coordinates.filter(function (c) {
        return named(policy.deniedFields, c);
      }),
      conditional: coordinates.filter(function (c) {
        return named(policy.conditionalFields, c);
      }),
    };
  }

  /** The operation's variables as the server will use them: the ones sent, else their defaults. */
  function variableValues(schema, operation, sent) {
    var values = Object.assign({}, sent || {});
    (operation.variableDefinitions || []).forEach(function (definition) {
      var name = definition.variable.name.value;
      if (values[name] === undefined && definition.defaultValue) {
        var type = G.typeFromAST(schema, definition.type);
        if (type) values[name] = G.valueFromAST(definition.defaultValue, type);
      }
    });
    return values;
  }

  function argumentValues(field, node, variables) {
    var values = {};
    (node.arguments || []).forEach(function (argument) {
      var definition = field.args.find(function (a) {
        return a.name === argument.name.value;
      });
      if (!definition) return;
      var value = G.valueFromAST(argument.value, definition.type, variables);
      if (value !== undefined && value !== null) values[argument.name.value] = value;
    });
    return values;
  }

  /**
   * The lists of the operation that an export serves, with the export's parameters (docs/IMPORT-EXPORT.md):
   * `reports(filter, orderBy)` at the root or under `country(iso3)`, and `observations(…)` under
   * `country(iso3)` or `indicator(code)`. Paging arguments are left out: the file is the whole list.
   */
  var EXPORTS = {
    'Query.reports': { file: 'reports', from: { filter: '*', orderBy: 'orderBy' } },
    'Country.reports': { file: 'reports', parent: { iso3: 'country' }, from: { filter: '*', orderBy: 'orderBy' } },
    'Country.observations': { file: 'observations', parent: { iso3: 'country' }, from: { from: 'from', to: 'to', asOf: 'asOf', indicator: 'indicator' } },
    'Indicator.observations': { file: 'observations', parent: { code: 'indicator' }, from: { from: 'from', to: 'to', asOf: 'asOf', country: 'country' } },
  };
  /** The root fields whose one record a nested export's parameter comes from. */
  var PARENTS = { 'Query.country': 'iso3', 'Query.indicator': 'code' };

  function param(value) {
    if (value instanceof Date) return value.toISOString();
    return String(value);
  }

  function exportsOf(schema, document, operationName, sentVariables) {
    var operation = chosenOperation(document, operationName);
    if (!operation || operation.operation !== 'query') return [];
    var variables = variableValues(schema, operation, sentVariables);
    var found = [];
    var visitList = function (type, selection, path, parentArgs) {
      var field = type.getFields()[selection.name.value];
      var spec = field && EXPORTS[type.name + '.' + selection.name.value];
      if (!spec) return;
      var args = argumentValues(field, selection, variables);
      var params = [];
      var add = function (name, value) {
        if (value === undefined || value === null) return true;
        var clash = params.find(function (p) {
          return p[0] === name;
        });
        if (clash) return clash[1] === param(value);
        params.push([name, param(value)]);
        return true;
      };
      var consistent = true;
      Object.keys(spec.parent || {}).forEach(function (arg) {
        consistent = add(spec.parent[arg], parentArgs[arg]) && consistent;
      });
      Object.keys(spec.from).forEach(function (arg) {
        if (spec.from[arg] === '*') {
          var filter = args[arg] || {};
          Object.keys(filter).forEach(function (key) {
            consistent = add(key, filter[key]) && consistent;
          });
        } else consistent = add(spec.from[arg], args[arg]) && consistent;
      });
      // A nested list whose filter names another country than its parent's has no one export.
      if (!consistent) return;
      var query = params
        .map(function (p) {
          return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]);
        })
        .join('&');
      found.push({ path: path.concat(selection.alias ? selection.alias.value : selection.name.value).join('.'), file: spec.file, url: '/export/' + spec.file + '.csv' + (query ? '?' + query : '') });
    };
    var queryType = schema.getQueryType();
    operation.selectionSet.selections.forEach(function (selection) {
      if (selection.kind !== G.Kind.FIELD) return;
      var name = selection.name.value;
      var key = selection.alias ? selection.alias.value : name;
      if (EXPORTS['Query.' + name]) visitList(queryType, selection, [], {});
      var parentArg = PARENTS['Query.' + name];
      var field = queryType.getFields()[name];
      if (!parentArg || !field || !selection.selectionSet) return;
      var args = argumentValues(field, selection, variables);
      var type = G.getNamedType(field.type);
      selection.selectionSet.selections.forEach(function (inner) {
        if (inner.kind === G.Kind.FIELD) visitList(type, inner, [key], args);
      });
    });
    return found;
  }

  /** The value at a response path (`country.reports`), or undefined. */
  function at(data, path) {
    return path.split('.').reduce(function (value, key) {
      return value === null || value === undefined ? undefined : value[key];
    }, data);
  }

  window.ctewnQuery = { analyse: analyse, restrictedIn: restrictedIn, exportsOf: exportsOf, at: at };
})();
