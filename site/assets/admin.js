// The staff inbox: sign in with Amazon Cognito (password, then a code from an authenticator
// app), then read and answer the contact form's messages through /api/staff/.
// - Tokens live in this script's variables only: never in storage or cookies, so nothing can
//   read them after the tab is gone, and the page revokes its session when the tab closes.
// - Everything a visitor typed goes into the page as text (textContent), never as markup, with
//   control and direction characters shown as escapes, as the operator CLI shows them.
// - Each language's words are a file of their own (sitegen/admin.py), loaded when shown; the
//   page stores nothing in the browser.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("admin-config").textContent);
  var qrScript = document.currentScript.getAttribute("data-qrcode");
  var ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var HIDDEN = characterClass("[\\p{Cc}\\p{Cf}]", "[\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff]");
  var KAZAKHSTAN_OFFSET_MS = 5 * 60 * 60 * 1000; // UTC+5 all year since 1 March 2024
  var language = preferredLanguage();
  var words = {}; // language -> its words, once loaded
  var cognito = null; // {endpoint, clientId}, from /admin/config.json
  var tokens = null; // {access, refresh}
  var pending = null; // a sign-in between its steps: {email, username, session}
  var signedInAs = "";
  var render = null; // draws the shown view again, in the language chosen since
  var inbox = [];
  var nextPage = null;
  var message = null;
  var person = null; // {email, submissions}
  var notice = null; // what to say once the next view is shown

  function $(id) { return document.getElementById(id); }

  function characterClass(pattern, fallback) {
    try { return new RegExp(pattern, "gu"); } catch (error) { return new RegExp(fallback, "g"); }
  }

  // Words ------------------------------------------------------------------------------------

  function preferredLanguage() {
    var wanted = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i]).toLowerCase().split("-")[0];
      if (config.languages.indexOf(code) >= 0) return code;
    }
    return config.defaultLanguage;
  }

  function loadWords(code) {
    if (words[code]) return Promise.resolve();
    return fetch(config.words[code], { credentials: "omit" }).then(function (response) {
      if (!response.ok) throw new Error("words " + response.status);
      return response.json();
    }).then(function (table) { words[code] = table; });
  }

  function t(key, values) {
    var text = (words[language] || {})[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function useLanguage(code) {
    language = code;
    document.documentElement.lang = code;
    document.title = t("title") + " — " + t("site_name");
    Array.prototype.forEach.call(document.querySelectorAll("[data-t]"), function (node) {
      node.textContent = t(node.getAttribute("data-t"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-t-label]"), function (node) {
      node.setAttribute("aria-label", t(node.getAttribute("data-t-label")));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-language]"), function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-language") === code));
    });
    $("signed-in-as").textContent = signedInAs ? t("signed_in_as", { email: printable(signedInAs) }) : "";
    if (render) render();
  }

  // What a visitor typed, as text: escapes for what would otherwise be invisible or reorder it.
  function printable(value, keepLines) {
    return String(value === undefined || value === null ? "" : value).replace(HIDDEN, function (char) {
      if (keepLines && (char === "\n" || char === "\t")) return char;
      if (keepLines && char === "\r") return "";
      var code = char.codePointAt(0);
      var hex = code.toString(16);
      return code < 0x100 ? "\\x" + ("0" + hex).slice(-2) : "\\u" + ("000" + hex).slice(-4);
    });
  }

  function kazakhstanTime(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) return printable(iso);
    return new Date(when.getTime() + KAZAKHSTAN_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
  }

  function languageName(code) {
    return config.languageNames[code] || printable(code);
  }

  function fullName(data) {
    return [data.last_name, data.first_name, data.patronymic].filter(Boolean).map(function (part) {
      return printable(part);
    }).join(" ");
  }

  // A reply to exactly this address, about exactly this subject: each part percent-encoded, so
  // no `?`, `&`, `%`, `,` or line break in an address can add a header or a recipient.
  function replyLink(address, locale) {
    var text = String(address);
    var at = text.lastIndexOf("@");
    var recipient = at > 0
      ? encodeURIComponent(text.slice(0, at)) + "@" + encodeURIComponent(text.slice(at + 1))
      : encodeURIComponent(text);
    var subject = config.replySubjects[locale] || config.replySubjects[config.defaultLanguage];
    return "mailto:" + recipient + "?subject=" + encodeURIComponent(subject);
  }

  // The page -----------------------------------------------------------------------------------

  function show(name, focus) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-view]"), function (view) {
      view.hidden = view.id !== "view-" + name;
    });
    var view = $("view-" + name);
    var target = focus || view.querySelector("h1");
    if (target === view.querySelector("h1")) target.tabIndex = -1;
    target.focus();
  }

  function say(key, values) {
    $("alert").textContent = "";
    $("status").textContent = key ? t(key, values) : "";
  }

  function warn(key) {
    $("status").textContent = "";
    $("alert").textContent = key ? t(key) : "";
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function busy(form, on) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = on;
    });
    form.setAttribute("aria-busy", String(on));
  }

  // One handler per form: clear the messages, run the step, and say what went wrong.
  function onSubmit(id, step) {
    var form = $(id);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say(null);
      busy(form, true);
      whenReady(step).catch(failed).then(function () { busy(form, false); });
    });
  }

  function onClick(id, step) {
    $(id).addEventListener("click", function () {
      say(null);
      whenReady(step).catch(failed);
    });
  }

  function failed(error) {
    if (error && error.shown) return;
    var kind = error && error.cognito;
    if (kind === "NotAuthorizedException" && !pending && !tokens) warn("wrong_password");
    else if (kind === "UserNotFoundException") warn("wrong_password");
    else if (kind === "CodeMismatchException" || kind === "EnableSoftwareTokenMFAException") warn("wrong_code");
    else if (kind === "InvalidPasswordException" || kind === "InvalidParameterException") warn("weak_password");
    else if (kind === "NotAuthorizedException" || kind === "ResourceNotFoundException" || kind === "ExpiredCodeException") {
      restart("session_expired");
    } else warn("failed");
  }

  // Cognito ------------------------------------------------------------------------------------

  function loadConfig() {
    if (cognito) return Promise.resolve(cognito);
    return fetch(config.configUrl, { cache: "no-cache", credentials: "omit" }).then(function (response) {
      if (!response.ok) throw new Error("config " + response.status);
      return response.json();
    }).then(function (settings) {
      cognito = { endpoint: settings.cognito_endpoint, clientId: settings.client_id };
      return cognito;
    });
  }

  function callCognito(action, body, keepalive) {
    return fetch(cognito.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService." + action
      },
      body: JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      keepalive: Boolean(keepalive)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) return answer;
        throw { cognito: String(answer.__type || "Unknown").split("#").pop() };
      });
    });
  }

  function signIn() {
    var email = $("sign-in-email").value.trim();
    var password = $("sign-in-password").value;
    if (!email || !password) { warn("wrong_password"); return null; }
    return loadConfig().then(function () {
      return callCognito("InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: cognito.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password }
      });
    }).then(function (answer) {
      pending = { email: email, username: email, session: null };
      $("sign-in-password").value = "";
      return nextStep(answer);
    });
  }

  function nextStep(answer) {
    if (answer.AuthenticationResult) return signedIn(answer.AuthenticationResult);
    var parameters = answer.ChallengeParameters || {};
    pending.session = answer.Session;
    pending.username = parameters.USERNAME || parameters.USER_ID_FOR_SRP || pending.username;
    if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") {
      $("new-password-username").value = pending.email;
      show("new-password", $("new-password"));
    } else if (answer.ChallengeName === "MFA_SETUP") {
      return setUpAuthenticator();
    } else if (answer.ChallengeName === "SOFTWARE_TOKEN_MFA") {
      $("mfa-code").value = "";
      show("mfa", $("mfa-code"));
    } else {
      throw new Error("unexpected challenge");
    }
    return null;
  }

  function respond(challenge, responses) {
    responses.USERNAME = pending.username;
    return callCognito("RespondToAuthChallenge", {
      ChallengeName: challenge,
      ClientId: cognito.clientId,
      Session: pending.session,
      ChallengeResponses: responses
    }).then(nextStep);
  }

  function setNewPassword() {
    var password = $("new-password").value;
    if (password !== $("new-password-again").value) { warn("passwords_differ"); return null; }
    if (password.length < 12) { warn("weak_password"); return null; }
    return respond("NEW_PASSWORD_REQUIRED", { NEW_PASSWORD: password }).then(function () {
      $("new-password").value = "";
      $("new-password-again").value = "";
    });
  }

  function setUpAuthenticator() {
    return callCognito("AssociateSoftwareToken", { Session: pending.session }).then(function (answer) {
      pending.session = answer.Session;
      var secret = answer.SecretCode;
      var link = "otpauth://totp/" + encodeURIComponent(config.issuer) + ":" + encodeURIComponent(pending.email) +
        "?secret=" + encodeURIComponent(secret) + "&issuer=" + encodeURIComponent(config.issuer);
      $("mfa-secret").textContent = secret.replace(/(.{4})(?=.)/g, "$1 ");
      $("mfa-link").href = link;
      $("mfa-setup-code").value = "";
      show("mfa-setup", $("mfa-setup-code"));
      drawQrCode(link);
    });
  }

  function verifyAuthenticator() {
    return callCognito("VerifySoftwareToken", {
      Session: pending.session,
      UserCode: $("mfa-setup-code").value.trim(),
      FriendlyDeviceName: config.issuer
    }).then(function (answer) {
      pending.session = answer.Session;
      return respond("MFA_SETUP", {});
    });
  }

  function enterCode() {
    return respond("SOFTWARE_TOKEN_MFA", { SOFTWARE_TOKEN_MFA_CODE: $("mfa-code").value.trim() });
  }

  function signedIn(result) {
    tokens = { access: result.AccessToken, refresh: result.RefreshToken || (tokens && tokens.refresh) };
    pending = null;
    return api("GET", "status").then(function (answer) {
      signedInAs = answer.body.signed_in_as || "";
      $("signed-in-as").textContent = t("signed_in_as", { email: printable(signedInAs) });
      $("staff-nav").hidden = false;
      route();
    });
  }

  function refresh() {
    return callCognito("InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: cognito.clientId,
      AuthParameters: { REFRESH_TOKEN: tokens.refresh }
    }).then(function (answer) {
      tokens.access = answer.AuthenticationResult.AccessToken;
    });
  }

  function forget() {
    tokens = null;
    pending = null;
    signedInAs = "";
    inbox = [];
    message = null;
    person = null;
    render = null;
    $("staff-nav").hidden = true;
    $("signed-in-as").textContent = "";
    ["inbox-list", "message-details", "message-text", "found-list", "mfa-qr", "mfa-secret"].forEach(function (id) {
      $(id).textContent = "";
    });
    $("find-result").hidden = true;
    ["sign-in-password", "new-password", "new-password-again", "mfa-code", "mfa-setup-code", "find-email", "withdraw-email"]
      .forEach(function (id) { $(id).value = ""; });
  }

  function restart(key) {
    forget();
    show("sign-in", $("sign-in-email"));
    warn(key);
  }

  // Sign out everywhere (GlobalSignOut), then revoke the refresh token; forget them either way.
  function signOut() {
    var held = tokens;
    forget();
    show("sign-in", $("sign-in-email"));
    if (!held) return null;
    return callCognito("GlobalSignOut", { AccessToken: held.access }).then(function () {
      return held.refresh ? callCognito("RevokeToken", { Token: held.refresh, ClientId: cognito.clientId })
        .catch(function () { return null; }) : null;
    }).then(function () { say("signed_out"); });
  }

  // The staff API --------------------------------------------------------------------------------

  function api(method, path, body, retried) {
    return fetch(config.apiUrl + path, {
      method: method,
      headers: body ? { Authorization: "Bearer " + tokens.access, "Content-Type": "application/json" }
        : { Authorization: "Bearer " + tokens.access },
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
      credentials: "omit"
    }).then(function (response) {
      if (response.status === 401 && !retried && tokens.refresh) {
        return refresh().then(function () { return api(method, path, body, true); }, function () {
          restart("session_expired");
          throw { shown: true };
        });
      }
      if (response.status === 401) {
        restart("session_expired");
        throw { shown: true };
      }
      if (path.indexOf("people/export") === 0 && response.ok) return { status: response.status, response: response };
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.status >= 500) throw new Error("staff API " + response.status);
        return { status: response.status, body: answer };
      });
    });
  }

  function route() {
    if (!tokens) return null;
    var hash = location.hash.slice(1);
    if (hash === "find") {
      render = renderPerson;
      renderPerson();
      show("find", person ? null : $("find-email"));
    } else if (ID.test(hash)) {
      return openMessage(hash);
    } else if (hash === "" || hash === "inbox") {
      return openInbox();
    }
    return null;
  }

  function openInbox() {
    inbox = [];
    nextPage = null;
    return loadInbox().then(function () { show("inbox"); });
  }

  function loadInbox() {
    var query = nextPage ? "?page=" + encodeURIComponent(nextPage) : "";
    return api("GET", "inbox" + query).then(function (answer) {
      inbox = inbox.concat(answer.body.messages || []);
      nextPage = answer.body.next_page || null;
      render = renderInbox;
      renderInbox();
    });
  }

  function renderInbox() {
    var list = $("inbox-list");
    list.textContent = "";
    inbox.forEach(function (entry) {
      var item = element("li");
      var heading = element("p");
      var link = element("a", printable(entry.name) || entry.id, "visitor-text");
      link.href = "#" + encodeURIComponent(entry.id);
      heading.appendChild(link);
      item.appendChild(heading);
      item.appendChild(element("p", [
        t("received") + " " + kazakhstanTime(entry.received_at),
        t("language") + ": " + languageName(entry.locale),
        t("age") + ": " + printable(entry.age_days)
      ].join(" · "), "meta"));
      item.appendChild(element("p", printable(entry.first_line) || t("no_message"), "first-line visitor-text"));
      list.appendChild(item);
    });
    $("inbox-empty").hidden = inbox.length > 0;
    $("inbox-more").hidden = !nextPage;
  }

  function openMessage(id) {
    return api("GET", "messages/" + encodeURIComponent(id)).then(function (answer) {
      if (answer.status !== 200) {
        warn(answer.status === 404 ? "not_found" : "failed");
        return;
      }
      message = answer.body;
      render = renderMessage;
      renderMessage();
      show("message");
    });
  }

  function detail(list, term, value, className) {
    list.appendChild(element("dt", term));
    list.appendChild(element("dd", value, className));
  }

  function consentText(consents) {
    return ["processing", "marketing", "cross_border"].filter(function (name) {
      return consents && name in consents;
    }).map(function (name) {
      var value = consents[name];
      var given = value && typeof value === "object" ? value.given : value;
      return t("consent_" + name) + ": " + t(given ? "consent_yes" : "consent_no");
    }).join("; ");
  }

  function renderMessage() {
    var data = message.personal_data || {};
    var list = $("message-details");
    var phones = data.phone || data.phones || [];
    $("message-title").textContent = t("message_title", { name: fullName(data) });
    list.textContent = "";
    detail(list, t("received"), kazakhstanTime(message.received_at) + " (UTC+5)");
    detail(list, t("language"), languageName(message.locale));
    detail(list, t("name"), fullName(data), "visitor-text");
    detail(list, t("email"), printable(data.email), "visitor-text");
    detail(list, t("phones"), phones.map(function (phone) { return printable(phone); }).join(", "), "visitor-text");
    detail(list, t("consents"), consentText(message.consents));
    detail(list, t("policy_version"), printable(message.policy_version));
    detail(list, t("status"), message.answered_at
      ? t("answered", { time: kazakhstanTime(message.answered_at), email: printable(message.answered_by) })
      : t("not_answered"));
    var kept = message.kept_until ? t("kept_until", { date: printable(message.kept_until) })
      : message.kept_reason === "marketing_consent" ? t("kept_marketing") : t("kept_unanswered");
    detail(list, t("kept"), kept);
    $("message-text").textContent = printable(data.message, true) || t("no_message");
    $("reply").href = replyLink(data.email, message.locale);
    $("mark-answered").hidden = Boolean(message.answered_at);
  }

  function markAnswered() {
    return api("POST", "messages/" + encodeURIComponent(message.id) + "/answered", {}).then(function (answer) {
      if (answer.status === 404) { warn("not_found"); return null; }
      if (answer.status !== 200 && answer.status !== 409) { warn("failed"); return null; }
      notice = answer.status === 200 ? "marked_answered" : "already_answered";
      location.hash = "#inbox";
      return null;
    });
  }

  // A person, found by email --------------------------------------------------------------------

  function findPerson(email) {
    return api("POST", "people/find", { email: email }).then(function (answer) {
      if (answer.status === 422) { warn("invalid_email"); return false; }
      if (answer.status !== 200) { warn("failed"); return false; }
      person = { email: email, submissions: answer.body.submissions || [] };
      renderPerson();
      return true;
    });
  }

  function renderPerson() {
    $("find-result").hidden = !person;
    if (!person) return;
    var list = $("found-list");
    var found = person.submissions.length;
    $("found-count").textContent = found ? t("found", { count: found }) : t("found_none");
    $("person-actions").hidden = !found;
    $("withdraw-form").hidden = true;
    $("withdraw").setAttribute("aria-expanded", "false");
    list.textContent = "";
    person.submissions.forEach(function (submission) {
      var item = element("li");
      var link = element("a", kazakhstanTime(submission.received_at || submission.created_at));
      link.href = "#" + encodeURIComponent(submission.id);
      item.appendChild(link);
      item.appendChild(document.createTextNode(" · " + languageName(submission.locale) + " · " + printable(submission.status)));
      list.appendChild(item);
    });
  }

  function exportPerson() {
    return api("POST", "people/export", { email: person.email }).then(function (answer) {
      if (answer.status !== 200) { warn(answer.status === 422 ? "invalid_email" : "failed"); return null; }
      var disposition = answer.response.headers.get("Content-Disposition") || "";
      var named = /filename="([^"\\/]+)"/.exec(disposition);
      return answer.response.blob().then(function (blob) {
        var link = element("a");
        link.href = URL.createObjectURL(blob);
        link.download = named ? named[1] : "export.json";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
        say("exported");
      });
    });
  }

  function unsubscribe() {
    return api("POST", "people/unsubscribe", { email: person.email }).then(function (answer) {
      if (answer.status !== 200) { warn("failed"); return null; }
      return findPerson(person.email).then(function () {
        say("unsubscribed", { changed: answer.body.changed.length, unchanged: answer.body.unchanged.length });
      });
    });
  }

  function withdraw() {
    var confirmation = $("withdraw-email").value.trim();
    return api("POST", "people/withdraw", { email: person.email, confirm_email: confirmation }).then(function (answer) {
      if (answer.status === 422) { warn("withdraw_mismatch"); $("withdraw-email").focus(); return null; }
      if (answer.status !== 200) { warn("failed"); return null; }
      $("withdraw-email").value = "";
      return findPerson(person.email).then(function () {
        say("withdrawn", { changed: answer.body.changed.length, unchanged: answer.body.unchanged.length });
      });
    });
  }

  // The QR code, drawn here from the otpauth link: the library loads only for this step.
  function drawQrCode(link) {
    var box = $("mfa-qr");
    box.textContent = "";
    var script = document.querySelector("script[data-qrcode-library]");
    var loaded = script && window.qrcode ? Promise.resolve() : new Promise(function (resolve, reject) {
      script = element("script");
      script.src = qrScript;
      script.setAttribute("data-qrcode-library", "");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    loaded.then(function () {
      var code = window.qrcode(0, "M");
      code.addData(link);
      code.make();
      var size = code.getModuleCount();
      var quiet = 4;
      var path = "";
      for (var row = 0; row < size; row++) {
        for (var column = 0; column < size; column++) {
          if (code.isDark(row, column)) path += "M" + (column + quiet) + " " + (row + quiet) + "h1v1h-1z";
        }
      }
      var ns = "http://www.w3.org/2000/svg";
      var svg = document.createElementNS(ns, "svg");
      var extent = size + 2 * quiet;
      svg.setAttribute("viewBox", "0 0 " + extent + " " + extent);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", t("qr_label"));
      svg.setAttribute("shape-rendering", "crispEdges");
      var background = document.createElementNS(ns, "rect");
      background.setAttribute("width", extent);
      background.setAttribute("height", extent);
      background.setAttribute("fill", "#fff");
      var modules = document.createElementNS(ns, "path");
      modules.setAttribute("d", path);
      modules.setAttribute("fill", "#000");
      svg.appendChild(background);
      svg.appendChild(modules);
      box.appendChild(svg);
    }).catch(function () { box.textContent = ""; });
  }

  // Wiring -------------------------------------------------------------------------------------

  Array.prototype.forEach.call(document.querySelectorAll("[data-language]"), function (button) {
    button.addEventListener("click", function () {
      var code = button.getAttribute("data-language");
      ready = ready.then(function () { return loadWords(code); })
        .then(function () { useLanguage(code); }, function () { return null; });
    });
  });
  onSubmit("sign-in-form", signIn);
  onSubmit("new-password-form", setNewPassword);
  onSubmit("mfa-setup-form", verifyAuthenticator);
  onSubmit("mfa-form", enterCode);
  onSubmit("find-form", function () {
    var email = $("find-email").value.trim();
    if (email.indexOf("@") < 1) { warn("invalid_email"); return null; }
    return findPerson(email);
  });
  onSubmit("withdraw-form", withdraw);
  onClick("sign-out", signOut);
  onClick("inbox-more", loadInbox);
  onClick("mark-answered", markAnswered);
  onClick("export", exportPerson);
  onClick("unsubscribe", unsubscribe);
  $("withdraw").addEventListener("click", function () {
    var form = $("withdraw-form");
    form.hidden = !form.hidden;
    $("withdraw").setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) $("withdraw-email").focus();
  });
  window.addEventListener("hashchange", function () {
    var shown = notice;
    notice = null;
    say(null);
    whenReady(route).then(function () { if (shown) say(shown); }).catch(failed);
  });
  // Leaving the page (closing the tab, reloading, going elsewhere) ends its session: the refresh
  // token is revoked and the tokens forgotten, so none outlives the page, even one kept in the
  // back/forward cache, which shows the sign-in when it comes back.
  window.addEventListener("pagehide", function () {
    if (!tokens) return;
    var held = tokens;
    forget();
    show("sign-in", $("sign-in-email"));
    if (held.refresh) {
      callCognito("RevokeToken", { Token: held.refresh, ClientId: cognito.clientId }, true)
        .catch(function () { return null; });
    }
  });
  // Everything the staff member does waits for the words it may need to say (loaded again if
  // the first try failed).
  var ready = loadWords(language).then(function () { useLanguage(language); }, function () { return null; })
    .then(function () { document.documentElement.classList.remove("words-pending"); });
  function whenReady(step) {
    return ready.then(function () { return loadWords(language); }).then(step);
  }
  loadConfig().catch(function () { return null; });
}());
