// The contact form with JavaScript: gate on consent, add phones, check what needs no server,
// submit with fetch, and show each error by its field and in a summary at the top of the form
// (the GOV.UK Design System's error message and error summary patterns), in the page's
// language. Without this file the form is a plain POST gated by `required`, and the server
// answers with a page listing the same messages.
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  if (!form || !window.fetch) return;
  // The messages of every (field, code) the function can answer, and the rules of the checks
  // below: both from the form's vocabulary, which the function validates with.
  var config = JSON.parse(document.getElementById("form-config").textContent);
  var messages = config.messages;
  var rules = config.rules;
  var submit = form.querySelector("button[type=submit]");
  var status = document.getElementById("form-status");
  var summary = document.getElementById("error-summary");
  var summaryList = summary.querySelector("ul");
  var pageTitle = document.title;
  var consents = form.querySelectorAll("input[type=checkbox][required]");
  var phones = form.querySelector(".phones");
  var addPhone = form.querySelector("[data-add-phone]");
  var maxPhones = parseInt(phones.getAttribute("data-max-phones"), 10);
  var letter = unicodeRegExp("^\\p{L}$");
  // One key per submission: a double click or a retry after a network error must not store
  // it twice, while whatever is sent after a success, or after the page comes back from the
  // back/forward cache (where this script keeps its state), is a submission of its own.
  var idempotencyKey = newUuid();
  var sending = false;
  // The phone inputs whose numbers the last request sent, in order: the server names a
  // number by its position among them.
  var sentPhones = [];

  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function unicodeRegExp(pattern) {
    // A browser without Unicode property escapes skips the name check; the server still makes it.
    try { return new RegExp(pattern, "u"); } catch (error) { return null; }
  }

  function consentGiven() {
    return Array.prototype.every.call(consents, function (box) { return box.checked; });
  }

  function updateSubmit() {
    submit.disabled = sending || !consentGiven();
  }

  function phoneInputs() {
    return phones.querySelectorAll("input[name=phone]");
  }

  function addPhoneRow() {
    var count = phoneInputs().length + 1;
    var row = document.createElement("div");
    row.className = "phone-row";
    var label = document.createElement("label");
    var input = document.createElement("input");
    var slot = document.createElement("p");
    input.id = "phone-" + count;
    input.name = "phone";
    input.type = "tel";
    input.autocomplete = "tel";
    input.maxLength = phoneInputs()[0].maxLength;
    input.setAttribute("aria-describedby", "phone-hint " + input.id + "-error");
    label.htmlFor = input.id;
    label.textContent = addPhone.getAttribute("data-phone-label") + " " + count;
    slot.className = "field-error";
    slot.id = input.id + "-error";
    slot.setAttribute("data-error-for", "phone");
    row.appendChild(label);
    row.appendChild(input);
    row.appendChild(slot);
    phones.insertBefore(row, addPhone);
    input.focus();
    addPhone.hidden = count >= maxPhones;
  }

  function messageFor(field, code) {
    var own = Object.prototype.hasOwnProperty.call(messages, field) ? messages[field] : {};
    return own[code] || messages.request[code] || messages.request.invalid;
  }

  // The checks that need no server, with the server's own codes and so the same messages.
  // Each refuses only what the server refuses too; the server's answer stays the authority.
  function isName(value) {
    if (!letter) return true;
    var chars = Array.from(value.normalize("NFC"));
    return chars.some(function (c) { return letter.test(c); }) && chars.every(function (c) {
      return letter.test(c) || rules.namePunctuation.indexOf(c) !== -1;
    });
  }

  function isEmail(value) {
    var parts = value.split("@");
    if (parts.length !== 2 || /\s/.test(value)) return false;
    var local = parts[0];
    var labels = parts[1].split(".");
    return local !== "" && local.charAt(0) !== "." && local.charAt(local.length - 1) !== "." &&
      local.indexOf("..") === -1 && labels.length > 1 &&
      labels.every(function (label) { return label !== ""; });
  }

  function isPhone(value) {
    var digits = 0;
    var rest = value.charAt(0) === "+" ? value.slice(1) : value;
    for (var i = 0; i < rest.length; i++) {
      var c = rest.charAt(i);
      if (rules.phoneDigits.indexOf(c) !== -1) digits++;
      else if (rules.phonePunctuation.indexOf(c) === -1) return false;
    }
    return digits > 0;
  }

  function problem(input) {
    var value = input.value.trim();
    if (value === "") return input.required ? "required" : null;
    if (input.name === "email") return isEmail(value) ? null : "invalid";
    if (input.name === "phone") return isPhone(value) ? null : "invalid";
    if (rules.nameFields.indexOf(input.name) !== -1) return isName(value) ? null : "invalid";
    return null;
  }

  function problemsBeforeSending() {
    var found = [];
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "checkbox" || input.type === "hidden") return;
      var code = problem(input);
      if (code) found.push({ field: input.name, code: code, input: input });
    });
    return found;
  }

  function problemsAnswered(errors, positions) {
    return Object.keys(errors).map(function (field) {
      var input = field === "phone"
        ? sentPhones[positions.phone] || sentPhones[0] || phoneInputs()[0]
        : form.elements[field];
      // An error about a hidden input, or one the form does not have, is about the page.
      if (!input || !input.id || !document.getElementById(input.id + "-error")) input = null;
      return { field: field, code: errors[field], input: input };
    }).sort(function (a, b) {
      if (!a.input || !b.input) return a.input ? -1 : b.input ? 1 : 0;
      return a.input.compareDocumentPosition(b.input) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
  }

  function clearErrors() {
    status.textContent = "";
    summary.hidden = true;
    summaryList.textContent = "";
    document.title = pageTitle;
    form.querySelectorAll("[data-error-for]").forEach(function (slot) { slot.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
    });
  }

  function focusField(input) {
    // Focus the input and bring its label into view with it, as the summary's links promise.
    input.focus({ preventScroll: true });
    (input.closest(".phone-row, .field") || input).scrollIntoView();
  }

  function showErrors(problems) {
    problems.forEach(function (found) {
      var text = messageFor(found.field, found.code);
      var item = document.createElement("li");
      if (found.input) {
        var slot = document.getElementById(found.input.id + "-error");
        var prefix = document.createElement("span");
        prefix.className = "visually-hidden";
        prefix.textContent = config.errorPrefix + " ";
        slot.textContent = "";
        slot.appendChild(prefix);
        slot.appendChild(document.createTextNode(text));
        found.input.setAttribute("aria-invalid", "true");
        var link = document.createElement("a");
        link.href = "#" + found.input.id;
        link.textContent = text;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          focusField(found.input);
        });
        item.appendChild(link);
      } else {
        item.textContent = text;
      }
      summaryList.appendChild(item);
    });
    summary.hidden = false;
    document.title = config.errorPrefix + " " + pageTitle;
    summary.focus();
  }

  function payload() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "phone") return;
      data[field.name] = field.type === "checkbox" ? field.checked : field.value;
    });
    sentPhones = Array.prototype.filter.call(phoneInputs(), function (input) {
      return input.value.trim() !== "";
    });
    data.phone = sentPhones.map(function (input) { return input.value; });
    data.idempotency_key = idempotencyKey;
    return data;
  }

  function showStatus(code) {
    status.textContent = messages.request[code] || messages.request.unavailable;
    status.focus();
  }

  function answered(response) {
    if (response.status === 201) {
      idempotencyKey = newUuid();
      window.location.assign(form.getAttribute("data-thanks-url"));
      return;
    }
    return response.json().catch(function () { return {}; }).then(function (body) {
      var errors = (body && body.errors) || {};
      if (response.status === 422) showErrors(problemsAnswered(errors, body.positions || {}));
      else if (response.status === 409) showStatus("stale_policy");
      else if (response.status === 413) showStatus("payload_too_large");
      else if (response.status === 415) showStatus("unsupported_media_type");
      else if (response.status === 403) showStatus("forbidden_origin");
      else if (response.status === 429) showStatus("rate_limited");
      else showStatus("unavailable");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending || !consentGiven()) return;
    clearErrors();
    var problems = problemsBeforeSending();
    if (problems.length) {
      showErrors(problems);
      return;
    }
    sending = true;
    updateSubmit();
    fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload()),
      credentials: "same-origin",
    })
      .then(answered)
      .catch(function () { showStatus("unavailable"); })
      .then(function () {
        sending = false;
        updateSubmit();
      });
  });

  // Wake the form's function while the visitor types, so their send does not wait for it to
  // start (docs/form-api.md, "Cold start"): one bare request per page view, without cookies, referrer
  // or anything else about the visitor, never cached. A page shown again from the
  // back/forward cache is a new view, perhaps after the function went idle.
  function warmUp() {
    fetch(form.getAttribute("data-warm-up-url"), {
      method: "GET",
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    }).catch(function () {});
  }

  warmUp();
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    // Shown again from the back/forward cache: whatever is sent now is a submission of its
    // own, and the function may have gone idle since.
    idempotencyKey = newUuid();
    sending = false;
    updateSubmit();
    warmUp();
  });
  // The second click of a double click is the same intent as the first: the form may have
  // been answered and unlocked with a new key in between (a warm function answers within a
  // double click's interval), and that click would send the submission again.
  submit.addEventListener("click", function (event) {
    if (event.detail > 1) event.preventDefault();
  });
  consents.forEach(function (box) { box.addEventListener("change", updateSubmit); });
  addPhone.addEventListener("click", addPhoneRow);
  addPhone.hidden = false;
  // These checks and messages replace the browser's own bubbles, which name no field in the
  // page's words and hide one another; without this script `required` still gates the form.
  form.noValidate = true;
  status.tabIndex = -1;
  updateSubmit();
})();
