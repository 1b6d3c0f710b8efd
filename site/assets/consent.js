// Analytics consent: nothing from Yandex or Google is requested until the visitor allows it.
// The choice is kept in localStorage and can be changed from the footer. A Global Privacy
// Control or Do Not Track signal counts as "decline" until the visitor explicitly allows.
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

  function choose(choice) {
    store(choice);
    banner.hidden = true;
    if (choice === "granted") loadAnalytics();
    // Declining after allowing needs a reload to unload the vendors' scripts.
    else if (loaded) window.location.reload();
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
  else if (choice === null && !browserDeclines()) banner.hidden = false;
})();
