// The contact form with JavaScript: gate on consent, add phones, submit with fetch, and show
// the server's error codes next to their fields in the page's language. Without this file the
// form is a plain POST gated by `required`, and the server answers with a page.
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  if (!form || !window.fetch) return;
  var messages = JSON.parse(document.getElementById("form-messages").textContent);
  var submit = form.querySelector("button[type=submit]");
  var status = document.getElementById("form-status");
  var consents = form.querySelectorAll("input[type=checkbox][required]");
  var phones = form.querySelector(".phones");
  var addPhone = form.querySelector("[data-add-phone]");
  var maxPhones = parseInt(phones.getAttribute("data-max-phones"), 10);
  // One key per page load: a double click or a retry after a network error must not store
  // the submission twice.
  var idempotencyKey = newUuid();
  var sending = false;

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
    input.id = "phone-" + count;
    input.name = "phone";
    input.type = "tel";
    input.autocomplete = "tel";
    input.maxLength = 32;
    input.setAttribute("aria-describedby", "phone-hint phone-error");
    label.htmlFor = input.id;
    label.textContent = addPhone.getAttribute("data-phone-label") + " " + count;
    row.appendChild(label);
    row.appendChild(input);
    addPhone.parentNode.insertBefore(row, document.getElementById("phone-hint"));
    input.focus();
    addPhone.hidden = count >= maxPhones;
  }

  function clearErrors() {
    status.textContent = "";
    form.querySelectorAll("[data-error-for]").forEach(function (slot) { slot.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
    });
  }

  function showFieldErrors(errors) {
    var first = null;
    var unplaced = [];
    Object.keys(errors).forEach(function (name) {
      var text = messages[errors[name]] || messages.invalid;
      var slot = form.querySelector('[data-error-for="' + name + '"]');
      var field = name === "phone" ? phoneInputs()[0] : form.elements[name];
      if (!slot || !field) {
        unplaced.push(text);
        return;
      }
      slot.textContent = text;
      field.setAttribute("aria-invalid", "true");
      first = first || field;
    });
    if (unplaced.length) status.textContent = unplaced.join(" ");
    if (first) first.focus();
  }

  function payload() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "phone") return;
      data[field.name] = field.type === "checkbox" ? field.checked : field.value;
    });
    data.phone = Array.prototype.map.call(phoneInputs(), function (input) { return input.value; })
      .filter(function (value) { return value.trim() !== ""; });
    data.idempotency_key = idempotencyKey;
    return data;
  }

  function showStatus(code) {
    status.textContent = messages[code] || messages.unavailable;
    status.focus();
  }

  function answered(response) {
    if (response.status === 201) {
      window.location.assign(form.getAttribute("data-thanks-url"));
      return;
    }
    return response.json().catch(function () { return {}; }).then(function (body) {
      var errors = (body && body.errors) || {};
      if (response.status === 422) showFieldErrors(errors);
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
  // start (README, "Cold start"): one bare request per page view, without cookies, referrer
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
    if (event.persisted) warmUp();
  });
  consents.forEach(function (box) { box.addEventListener("change", updateSubmit); });
  addPhone.addEventListener("click", addPhoneRow);
  addPhone.hidden = false;
  status.tabIndex = -1;
  updateSubmit();
})();
