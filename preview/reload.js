// The preview's live reload (preview/reload.py). `build.py serve` adds this script to the pages
// it serves; the built site never holds it. It listens to /_preview/events: a good build newer
// than the one this page was served from reloads the page where it was scrolled to; a failed
// build shows its error over the page, which stays as the last good build made it.
(function () {
  "use strict";

  var script = document.currentScript;
  var servedBuild = script && script.getAttribute("data-build");
  var notices = JSON.parse((script && script.getAttribute("data-notices")) || "[]");
  var scrollKey = "preview-reload-scroll";
  var source = null;
  var overlay = null;
  var reloading = false;

  function here() {
    return location.pathname + location.search;
  }

  function restoreScroll() {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(scrollKey) || "null");
      sessionStorage.removeItem(scrollKey);
    } catch (error) {
      return;
    }
    if (saved && saved.page === here()) window.scrollTo(saved.x, saved.y);
  }

  function reload() {
    try {
      sessionStorage.setItem(
        scrollKey,
        JSON.stringify({ page: here(), x: window.scrollX, y: window.scrollY })
      );
    } catch (error) {
      // Storage refused (a private window's quota): the page reloads at the top.
    }
    // Chrome's own restoration keeps an element in view rather than the position, so text
    // added above would move the page: this reload's position is restored here instead.
    reloading = true;
    history.scrollRestoration = "manual";
    location.reload();
  }

  function element(tag, text, style) {
    var node = document.createElement(tag);
    // textContent, never HTML: an error message may quote what an editor typed.
    node.textContent = text;
    Object.assign(node.style, style || {});
    return node;
  }

  // Styles set through the DOM, which the CSP's style-src does not govern (it would refuse a
  // style attribute or element).
  function showFailure(failure) {
    if (!overlay) {
      overlay = element("div", "", {
        position: "fixed",
        inset: "0",
        zIndex: "2147483647",
        overflow: "auto",
        padding: "2rem",
        background: "rgba(24, 24, 27, 0.94)",
        color: "#fafafa",
        font: "16px/1.5 system-ui, sans-serif"
      });
      overlay.id = "preview-build-error";
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
    }
    var mono = { fontFamily: "ui-monospace, monospace", whiteSpace: "pre-wrap" };
    overlay.replaceChildren(
      element("h2", "The build failed", { margin: "0 0 1rem", color: "#fca5a5" }),
      element("p", failure.location, Object.assign({ fontWeight: "bold" }, mono)),
      element("pre", failure.message, mono),
      element("p", "The page below is the last good build. Save a fix and this page " +
        "reloads by itself.", { marginTop: "1.5rem", color: "#d4d4d8" })
    );
  }

  // A small box in the overlay's colours, in a corner: the page stays readable below it.
  function showNotices() {
    if (!notices.length) return;
    var box = element("div", "", {
      position: "fixed",
      right: "1rem",
      bottom: "1rem",
      zIndex: "2147483646",
      maxWidth: "min(28rem, calc(100vw - 2rem))",
      padding: "0.75rem 1rem",
      borderRadius: "0.375rem",
      background: "rgba(24, 24, 27, 0.94)",
      color: "#fafafa",
      font: "14px/1.4 system-ui, sans-serif",
      overflowWrap: "anywhere"
    });
    box.id = "preview-translation-notice";
    box.setAttribute("role", "status");
    // On a phone it covers part of the page: the editor can put it away until the next build.
    var hide = element("button", "Hide", {
      float: "right",
      marginLeft: "0.5rem",
      font: "inherit",
      color: "inherit",
      background: "transparent",
      border: "1px solid #71717a",
      borderRadius: "0.25rem",
      cursor: "pointer"
    });
    hide.type = "button";
    hide.addEventListener("click", function () {
      box.remove();
    });
    box.appendChild(hide);
    box.appendChild(element("strong", "Translation behind its source", { color: "#fcd34d" }));
    notices.forEach(function (line) {
      box.appendChild(element("p", line, { margin: "0.25rem 0 0" }));
    });
    document.body.appendChild(box);
  }

  function hideFailure() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  function connect() {
    if (source) return;
    source = new EventSource("/_preview/events");
    source.onmessage = function (message) {
      var state = JSON.parse(message.data);
      if (state.build !== servedBuild) reload();
      else if (state.failure) showFailure(state.failure);
      else hideFailure();
    };
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  restoreScroll();
  showNotices();
  // A hidden tab lets go of its connection: a browser opens only six at a time to one host,
  // and a seventh preview tab would otherwise wait for one of them. Shown again, it asks for
  // the state afresh and reloads if it missed a build.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect();
    else connect();
  });
  window.addEventListener("pagehide", function () {
    disconnect();
    // Leaving for another page: going back to this one restores as the browser always does.
    if (!reloading) history.scrollRestoration = "auto";
  });
  window.addEventListener("pageshow", function () {
    if (document.visibilityState !== "hidden") connect();
  });
  if (document.visibilityState !== "hidden") connect();
})();
