/*
 * Port of questionnaires/conditions.py (the `answer` / `context` part) and of
 * visible_question_ids: questions are walked in order and a show_if sees only the answers of
 * questions shown before it. Plain JavaScript, no dependencies.
 */
(function (global) {
  "use strict";
  var NA = "na";
  var OPERAND_KEYS = ["answer", "context", "na_count", "dimension", "dimension_level", "overall", "indicator", "flag"];
  var OPERATORS = ["eq", "ne", "in", "not_in", "includes", "gt", "gte", "lt", "lte", "answered"];
  var MISSING = { missing: true };

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  // Python equality: 1 == 1.0, True == 1, lists compared item by item, dicts key by key.
  function pyEq(a, b) {
    if (typeof a === "boolean" && typeof b === "number") { return (a ? 1 : 0) === b; }
    if (typeof b === "boolean" && typeof a === "number") { return (b ? 1 : 0) === a; }
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) { return false; }
      for (var i = 0; i < a.length; i++) { if (!pyEq(a[i], b[i])) { return false; } }
      return true;
    }
    if (a && b && typeof a === "object" && typeof b === "object") {
      var ka = Object.keys(a), kb = Object.keys(b);
      if (ka.length !== kb.length) { return false; }
      for (var j = 0; j < ka.length; j++) { if (!pyEq(a[ka[j]], b[ka[j]])) { return false; } }
      return true;
    }
    return a === b;
  }

  function contains(list, value) {
    if (!Array.isArray(list)) { return false; }
    for (var i = 0; i < list.length; i++) { if (pyEq(list[i], value)) { return true; } }
    return false;
  }

  function splitComparison(node) {
    var operand = null, operator = null;
    Object.keys(node).forEach(function (key) {
      if (OPERAND_KEYS.indexOf(key) >= 0) { operand = key; }
      else if (OPERATORS.indexOf(key) >= 0) { operator = key; }
      else { throw new Error("unknown key " + key); }
    });
    if (operand === null || operator === null) { throw new Error("malformed comparison"); }
    return [operand, operator];
  }

  function compare(operator, left, expected) {
    switch (operator) {
      case "eq": return pyEq(left, expected);
      case "ne": return !pyEq(left, expected);
      case "in": return contains(expected, left);
      case "not_in": return !contains(expected, left);
    }
    if (left === NA) { return false; }
    if (operator === "includes") { return Array.isArray(left) && contains(left, expected); }
    if (!isNumber(left) || !isNumber(expected)) { return false; }
    switch (operator) {
      case "gt": return left > expected;
      case "gte": return left >= expected;
      case "lt": return left < expected;
      case "lte": return left <= expected;
    }
    throw new Error("unknown operator " + operator);
  }

  function evaluate(node, resolve) {
    if ("all" in node) { return node.all.every(function (child) { return evaluate(child, resolve); }); }
    if ("any" in node) { return node.any.some(function (child) { return evaluate(child, resolve); }); }
    if ("not" in node) { return !evaluate(node.not, resolve); }
    var parts = splitComparison(node);
    var left = resolve(parts[0], node[parts[0]]);
    var expected = node[parts[1]];
    if (parts[1] === "answered") { return (left !== MISSING) === Boolean(expected); }
    if (left === MISSING) { return false; }
    if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
      var refKey = Object.keys(expected)[0];
      expected = resolve(refKey, expected[refKey]);
      if (expected === MISSING) { return false; }
    }
    return compare(parts[1], left, expected);
  }

  function answerResolver(answers, context) {
    return function (key, value) {
      if (key === "answer") {
        var answer = answers[value];
        return answer === undefined || answer === null ? MISSING : answer;
      }
      if (key === "context") {
        var found = context[value];
        return found === undefined || found === null ? MISSING : found;
      }
      if (key === "na_count") {
        return Object.keys(answers).filter(function (id) { return answers[id] === NA; }).length;
      }
      return MISSING;
    };
  }

  /* order: question ids in questionnaire order; showIf: id -> tree; returns {id: true} of shown ids. */
  function visibleIds(order, showIf, answers, context) {
    var shown = {};
    var resolve = answerResolver(shown, context);
    var visible = {};
    order.forEach(function (id) {
      var tree = showIf[id];
      if (!tree || evaluate(tree, resolve)) {
        visible[id] = true;
        if (Object.prototype.hasOwnProperty.call(answers, id)) { shown[id] = answers[id]; }
      }
    });
    return visible;
  }

  global.PortalConditions = { evaluate: evaluate, visibleIds: visibleIds, answerResolver: answerResolver, MISSING: MISSING };
  if (typeof module !== "undefined" && module.exports) { module.exports = global.PortalConditions; }
})(typeof window !== "undefined" ? window : globalThis);
