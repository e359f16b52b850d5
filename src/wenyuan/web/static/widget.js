// 文渊 widget: one <script src=".../widget.js" data-title data-position data-key defer> adds a floating button
// that opens the chat in a panel. Everything lives in a shadow root, so no CSS leaks in or out of the host page.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__wenyuanWidget) return;
  window.__wenyuanWidget = true;
  const appOrigin = new URL(script.src, location.href).origin;
  const appBase = new URL(".", new URL(script.src, location.href)).href;  // the app's path too: /kb/<name>/
  const title = script.dataset.title || "政策问答助手";
  const side = script.dataset.position === "left" ? "left" : "right";
  const key = script.dataset.key || "";

  // A custom element (no `div {…}` rule of the page matches it) whose inline !important reset beats any page rule
  // that still does (`* {…}`, `body > *`): nothing of the host page's CSS reaches the widget.
  const host = document.createElement("wenyuan-widget");
  host.id = "wenyuan-widget";
  host.style.cssText = "all: initial !important; position: static !important; display: block !important;" +
    " width: 0 !important; height: 0 !important;";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial}" +
    ".launcher{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;" +
    "border:0;background:#1d4ed8;color:#fff;font:600 15px/1 system-ui,sans-serif;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
    ".launcher:focus-visible{outline:3px solid #93c5fd}" +
    ".panel{position:fixed;bottom:88px;" + side + ":20px;z-index:2147483000;width:min(400px,calc(100vw - 24px));" +
    "height:min(620px,calc(100vh - 110px));border-radius:12px;overflow:hidden;background:#fff;box-shadow:0 10px 32px rgba(0,0,0,.3)}" +
    ".panel[hidden]{display:none}" +
    "iframe{width:100%;height:100%;border:0;display:block}" +
    "@media (max-width:520px){.panel{left:0;right:0;bottom:0;width:100vw;height:calc(100vh - 70px);border-radius:12px 12px 0 0}" +
    ".launcher{bottom:12px;" + side + ":12px}}" +
    "</style>" +
    '<button class="launcher" type="button" aria-expanded="false"></button>' +
    '<div class="panel" role="dialog" hidden></div>';
  const launcher = root.querySelector(".launcher");
  const panel = root.querySelector(".panel");
  launcher.textContent = "问答";
  launcher.title = title;
  launcher.setAttribute("aria-label", title);
  panel.setAttribute("aria-label", title);
  let frame = null;
  let loaded = false;

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = title;
      frame.allow = "clipboard-write";  // "复制（含来源）" inside the frame
      const query = new URLSearchParams({ title: title, key: key, parent: location.origin });
      frame.src = appBase + "embed?" + query.toString();
      frame.addEventListener("load", function () { loaded = true; if (!panel.hidden) greet(); });
      panel.appendChild(frame);
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.textContent = "×";
    if (loaded) greet();  // before its first load the frame is still about:blank; the load listener greets it
  }

  function greet() { frame.contentWindow.postMessage({ type: "wenyuan:open" }, appOrigin); }

  function close() {  // the iframe stays, so the conversation is kept for the next opening
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.textContent = "问答";
  }

  launcher.addEventListener("click", function () { panel.hidden ? open() : close(); });
  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin || !frame || event.source !== frame.contentWindow) return;
    if (event.data && event.data.type === "wenyuan:close") close();
  });

  function attach() { document.body.appendChild(host); }
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
