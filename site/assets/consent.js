// Analytics consent: nothing from Yandex or Google is requested until the visitor allows it.
// The choice is kept in localStorage and can be changed from the footer. A Global Privacy
// Control or Do Not Track signal counts as "decline" until the visitor explicitly allows.
// Declining takes back what the vendors' scripts left: their cookies and storage keys, by the
// names in the page's config (sitegen/analytics.py, each with the vendor's documentation).
(function () {
  "use strict";
  var KEY = "analytics-consent";
  var config = JSON.parse(document.getElementById("analytics-config").textContent);
  var banner = document.getElementById("analytics-banner");
  var settings = document.querySelector("[data-analytics-settings]");
  var loaded = false;

  function storedChoice() {
    try { return window.localStorage.getItem(KEY); } catch (error) { return null; }
  }

  function store(choice) {
    try { window.localStorage.setItem(KEY, choice); } catch (error) { /* private mode: ask again next time */ }
  }

  function browserDeclines() {
    return navigator.globalPrivacyControl === true || navigator.doNotTrack === "1" ||
      window.doNotTrack === "1";
  }

  function addScript(src) {
    var script = document.createElement("script");
    script.async = true;
    script.src = src;
    document.head.appendChild(script);
  }

  // The vendors' snippets, minus their inline <script>: the CSP allows external files only.
  function loadAnalytics() {
    if (loaded) return;
    loaded = true;
    if (config.yandexMetricaId) {
      window.ym = window.ym || function () { (window.ym.a = window.ym.a || []).push(arguments); };
      window.ym.l = Date.now();
      addScript("https://mc.yandex.ru/metrika/tag.js");
      window.ym(Number(config.yandexMetricaId), "init", {
        clickmap: true, trackLinks: true, accurateTrackBounce: true,
      });
    }
    if (config.googleAnalyticsId) {
      window.dataLayer = window.dataLayer || [];
      window.gtag = function () { window.dataLayer.push(arguments); };
      window.gtag("js", new Date());
      window.gtag("config", config.googleAnalyticsId);
      addScript("https://www.googletagmanager.com/gtag/js?id=" +
        encodeURIComponent(config.googleAnalyticsId));
    }
  }

  function isTrace(name) {
    return config.traces.some(function (pattern) {
      return pattern.slice(-1) === "*" ? name.indexOf(pattern.slice(0, -1)) === 0 : name === pattern;
    });
  }

  // A cookie set without a domain belongs to the host alone; the vendors set theirs on the
  // highest domain that takes one. Try the host and each parent (the browser refuses a
  // public suffix), all at the path the vendors use.
  function removeCookie(name) {
    var labels = window.location.hostname.split(".");
    document.cookie = name + "=; path=/; max-age=0";
    for (var i = 0; i < labels.length - 1; i++) {
      document.cookie = name + "=; path=/; max-age=0; domain=" + labels.slice(i).join(".");
    }
  }

  function removeTraces() {
    document.cookie.split(";").forEach(function (pair) {
      var name = pair.split("=")[0].trim();
      if (isTrace(name)) removeCookie(name);
    });
    try {
      Object.keys(window.localStorage).filter(isTrace).forEach(function (key) {
        window.localStorage.removeItem(key);
      });
    } catch (error) { /* storage blocked: nothing can have been kept there */ }
  }

  // The vendors' scripts run on in this page until the reload: a policy added now only
  // narrows the site's CSP, so nothing they send (a click report, a last hit) leaves.
  function blockVendors() {
    var policy = document.createElement("meta");
    policy.httpEquiv = "Content-Security-Policy";
    policy.content = "script-src 'self'; connect-src 'self'; img-src 'self'";
    document.head.appendChild(policy);
  }

  function choose(choice) {
    store(choice);
    banner.hidden = true;
    if (choice === "granted") {
      loadAnalytics();
      return;
    }
    if (loaded) blockVendors();
    removeTraces();
    if (loaded) window.location.reload();
  }

  banner.querySelectorAll("[data-analytics-choice]").forEach(function (button) {
    button.addEventListener("click", function () {
      choose(button.getAttribute("data-analytics-choice"));
    });
  });
  settings.hidden = false;
  settings.addEventListener("click", function () {
    banner.hidden = false;
    banner.querySelector("button").focus();
  });

  var choice = storedChoice();
  if (choice === "granted") loadAnalytics();
  // What the vendors wrote after the decline (as the last page went away, or in another tab
  // that still allowed) goes on the next page.
  else if (choice === "denied" || browserDeclines()) removeTraces();
  else banner.hidden = false;
})();
