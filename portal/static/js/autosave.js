/*
 * Autosave of a questionnaire section: about 800 ms after a change the changed answers are sent
 * with PUT /api/v1/assessments/<id>/answers and the version the page was loaded with. A 409 means
 * someone else changed those answers: the user is told and the latest answers are loaded.
 * Conditional questions are shown and hidden as answers change (conditions.js).
 */
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  var dataTag = document.getElementById("conditions-data");
  if (!form || !dataTag || !window.fetch) { return; }
  var data = JSON.parse(dataTag.textContent);
  var answers = data.answers || {};
  var statusBox = document.getElementById("save-status");
  var versionInput = document.getElementById("form-version");
  var csrfInput = form.querySelector("input[name=csrf_token]");
  var dirty = {};
  var timer = null;
  var inFlight = false;
  var DELAY = 800;

  function blocks() { return form.querySelectorAll(".question[data-question]"); }
  function block(id) { return form.querySelector('.question[data-question="' + id + '"]'); }

  function setStatus(kind) {
    statusBox.textContent = "";
    statusBox.className = "save-status save-" + kind;
    if (kind === "failed") {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = statusBox.getAttribute("data-failed");
      button.addEventListener("click", function () { flush(); });
      statusBox.appendChild(button);
    } else {
      statusBox.textContent = statusBox.getAttribute("data-" + kind) || "";
    }
  }

  function parseNumber(raw) {
    var text = raw.trim().replace(/[,，%％]/g, "");
    if (!text) { return null; }
    var number = Number(text);
    return isFinite(number) ? number : raw;
  }

  function readValue(id) {
    var el = block(id);
    var type = el.getAttribute("data-type");
    var na = el.querySelector("input[data-na-for]");
    if (na && na.checked) { return "na"; }
    if (type === "multi") {
      var chosen = [];
      el.querySelectorAll("input[type=checkbox]").forEach(function (box) { if (box.checked) { chosen.push(box.value); } });
      if (chosen.indexOf("na") >= 0) { return "na"; }
      if (!chosen.length) { return null; }
      return chosen.filter(function (value) { return value !== "__none"; });
    }
    if (type === "single" || type === "scene" || type === "boolean") {
      var checked = el.querySelector("input[type=radio]:checked");
      if (!checked) { return null; }
      if (type === "boolean" && checked.value !== "na") { return checked.value === "true"; }
      return checked.value;
    }
    var input = el.querySelector("input[type=text], textarea");
    if (type === "number" || type === "percent") { return parseNumber(input.value); }
    return input.value.trim() ? input.value : null;
  }

  function writeValue(id, value) {
    var el = block(id);
    if (!el) { return; }
    var type = el.getAttribute("data-type");
    var na = el.querySelector("input[data-na-for]");
    if (na) { na.checked = value === "na"; }
    if (type === "multi") {
      var list = value === "na" ? ["na"] : (Array.isArray(value) ? (value.length ? value : ["__none"]) : []);
      el.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = list.indexOf(box.value) >= 0; });
    } else if (type === "single" || type === "scene" || type === "boolean") {
      var wanted = value === true ? "true" : value === false ? "false" : value;
      el.querySelectorAll("input[type=radio]").forEach(function (radio) { radio.checked = radio.value === wanted; });
    } else {
      var input = el.querySelector("input[type=text], textarea");
      input.value = value === null || value === undefined || value === "na" ? "" : String(value);
    }
  }

  function refreshVisibility() {
    var visible = window.PortalConditions.visibleIds(data.order, data.show_if || {}, answers, data.context || {});
    blocks().forEach(function (el) { el.hidden = !visible[el.getAttribute("data-question")]; });
  }

  function clearError(id) {
    var el = block(id);
    var error = document.getElementById(id + "-error");
    if (error) { error.remove(); }
    el.classList.remove("has-error");
    el.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
  }

  function showError(id, message) {
    var el = block(id);
    if (!el) { return; }
    clearError(id);
    var p = document.createElement("p");
    p.className = "error";
    p.id = id + "-error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    el.querySelector(".question-main").appendChild(p);
    el.classList.add("has-error");
    var target = el.querySelector("fieldset, input[type=text], textarea");
    if (target) {
      var described = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(p.id) < 0) { described.push(p.id); }
      target.setAttribute("aria-describedby", described.join(" "));
      if (target.tagName !== "FIELDSET") { target.setAttribute("aria-invalid", "true"); }
    }
  }

  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (inFlight) { return; }
    var ids = Object.keys(dirty);
    if (!ids.length) { return; }
    var payload = {};
    ids.forEach(function (id) { payload[id] = readValue(id); });
    dirty = {};
    inFlight = true;
    setStatus("saving");
    fetch(form.getAttribute("data-save-url"), {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfInput ? csrfInput.value : "", "Accept": "application/json" },
      body: JSON.stringify({ version: parseInt(versionInput.value, 10) || 0, answers: payload })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
    }).then(function (reply) {
      inFlight = false;
      if (reply.status === 200) {
        versionInput.value = reply.body.version;
        ids.forEach(function (id) {
          clearError(id);
          var badge = block(id) && block(id).querySelector(".badge-carried");
          if (badge) { badge.remove(); }
        });
        setStatus("saved");
      } else if (reply.status === 409 && reply.body.answers) {
        versionInput.value = reply.body.version;
        answers = reply.body.answers;
        blocks().forEach(function (el) {
          var id = el.getAttribute("data-question");
          writeValue(id, Object.prototype.hasOwnProperty.call(answers, id) ? answers[id] : null);
        });
        refreshVisibility();
        setStatus("conflict");
      } else if (reply.status === 422 && reply.body.errors) {
        var lang = document.documentElement.lang === "en" ? "en" : "zh";
        Object.keys(reply.body.errors).forEach(function (id) {
          var message = reply.body.errors[id];
          showError(id, typeof message === "string" ? message : message[lang]);
        });
        setStatus("invalid");
      } else {
        ids.forEach(function (id) { dirty[id] = true; });
        setStatus("failed");
        return;
      }
      if (Object.keys(dirty).length) { schedule(); }
    }).catch(function () {
      inFlight = false;
      ids.forEach(function (id) { dirty[id] = true; });
      setStatus("failed");
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(flush, DELAY);
  }

  function onChange(event) {
    var el = event.target.closest(".question[data-question]");
    if (!el) { return; }
    var id = el.getAttribute("data-question");
    var target = event.target;
    // "None of these" / "not applicable" cannot be combined with other options.
    if (target.type === "checkbox" && target.checked && el.getAttribute("data-type") === "multi") {
      var exclusive = target.hasAttribute("data-exclusive");
      el.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box !== target && (exclusive || box.hasAttribute("data-exclusive"))) { box.checked = false; }
      });
    }
    var value = readValue(id);
    if (value === null) { delete answers[id]; } else { answers[id] = value; }
    refreshVisibility();
    dirty[id] = true;
    setStatus("saving");
    schedule();
  }

  form.addEventListener("change", onChange);
  form.addEventListener("input", function (event) {
    if (event.target.matches("input[type=text], textarea")) { onChange(event); }
  });
  form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); timer = null; } });
  refreshVisibility();
})();
