// The compact chat inside the widget's iframe: streams answers from /api/ask/stream and shows cited passages.
// Everything from the server is inserted with textContent, never as HTML.
(function () {
  "use strict";
  const config = JSON.parse(document.body.dataset.config || "{}");
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const source = document.getElementById("source");
  const history = [];
  document.getElementById("title").textContent = config.title || "政策问答助手";

  // The parent page may talk to us only if it is an allowed origin: the server passes it on only then.
  const parentOrigin = (config.parent && window.parent !== window) ? config.parent : null;
  // Without a widget around us (a plain iframe or a tab) there is nothing for × to close.
  document.getElementById("close").hidden = !parentOrigin;

  function toParent(message) {
    if (parentOrigin) window.parent.postMessage(message, parentOrigin);
  }

  window.addEventListener("message", function (event) {
    if (!parentOrigin || event.origin !== parentOrigin || event.source !== window.parent) return;
    if (event.data && event.data.type === "wenyuan:open") input.focus();
  });

  document.getElementById("close").addEventListener("click", function () { toParent({ type: "wenyuan:close" }); });
  document.getElementById("back").addEventListener("click", function () { source.hidden = true; log.hidden = false; });
  const greeting = log.innerHTML;  // our own static hint, restored as it was
  document.getElementById("new").addEventListener("click", function () {
    history.length = 0;
    log.innerHTML = greeting;
    source.hidden = true;
    log.hidden = false;
    input.value = "";
    input.focus();
  });

  // The answer with 【来源】 lines (document, heading path, quote), as the chat's "复制（含来源）" gives it
  function plainText(answer) {
    const lines = [answer.answer];
    if (!answer.refused && answer.citations.length) {
      lines.push("");
      for (const c of answer.citations) {
        const about = [c.number, c.date].filter(Boolean).join("，");
        const page = c.page ? "，第" + c.page + "页" : "";
        lines.push("【来源" + c.n + "】《" + c.title + "》" + (about ? "（" + about + "）" : "") + page + " " +
                   c.heading_path.slice(1).join(" › "));
        lines.push("    “" + c.quote.trim() + "”");
      }
    }
    return lines.join("\n");
  }

  function addCopy(bubble, answer) {
    const button = element("button", "copy", "复制（含来源）");
    button.type = "button";
    button.addEventListener("click", function () {
      const text = plainText(answer);
      const done = function () { button.textContent = "已复制"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
      } else {
        fallbackCopy(text);
        done();
      }
    });
    bubble.appendChild(button);
  }

  // "导出 Word": the server makes the .docx from the answer's JSON; the browser saves it
  function addWord(bubble, answer, headers) {
    const button = element("button", "copy word", "导出 Word");
    button.type = "button";
    button.addEventListener("click", async function () {
      const response = await fetch("api/export/docx", { method: "POST", headers: headers, body: JSON.stringify(answer) });
      if (!response.ok) { button.textContent = "导出失败"; return; }
      const name = decodeURIComponent((/filename\*=UTF-8''([^;]+)/.exec(response.headers.get("Content-Disposition") || "")
                                      || [])[1] || "answer.docx");
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
    });
    bubble.appendChild(button);
  }

  function fallbackCopy(text) {  // plain-http intranets: no navigator.clipboard
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (error) { /* nothing more to try */ }
    area.remove();
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Answer text with [n] markers -> text nodes and chip buttons.
  function renderAnswer(bubble, text, answer) {
    bubble.textContent = "";
    const parts = text.split(/(\[\d+\])/);
    for (const part of parts) {
      const marker = /^\[(\d+)\]$/.exec(part);
      if (!marker) { bubble.appendChild(document.createTextNode(part)); continue; }
      const chip = element("button", "chip", marker[1]);
      chip.type = "button";
      chip.title = "查看来源 " + marker[1];
      chip.dataset.n = marker[1];
      if (answer) chip.addEventListener("click", function () { showSource(answer, Number(marker[1])); });
      bubble.appendChild(chip);
    }
  }

  function showSource(answer, n) {
    const citation = answer.citations.find(function (c) { return c.n === n; });
    if (!citation) return;
    const extra = (answer.passages || []).find(function (p) { return p.n === n; }) || {};
    source.querySelector(".title").textContent = citation.title + (extra.page ? " · 第" + extra.page + "页" + (extra.ocr ? "（OCR 识别，请核对原件）" : "") : "");
    source.querySelector(".path").textContent = citation.heading_path.slice(1).join(" › ") || "（正文开头）";
    const text = source.querySelector(".text");
    text.textContent = "";
    const passage = extra.passage || citation.quote;
    const at = extra.passage ? citation.start - extra.passage_start : 0;
    const end = at + citation.quote.length;
    text.appendChild(document.createTextNode(passage.slice(0, Math.max(at, 0))));
    text.appendChild(element("mark", "", passage.slice(Math.max(at, 0), end)));
    text.appendChild(document.createTextNode(passage.slice(end)));
    log.hidden = true;
    source.hidden = false;
  }

  function addSources(bubble, answer) {
    if (answer.refused || !answer.citations.length) return;
    const list = element("ul", "sources");
    for (const citation of answer.citations) {
      const item = element("li");
      const open = element("button", "", "[" + citation.n + "] " + citation.title + " › " + (citation.heading_path.slice(1).join(" › ") || "正文"));
      open.type = "button";
      open.addEventListener("click", function () { showSource(answer, citation.n); });
      item.appendChild(open);
      list.appendChild(item);
    }
    bubble.after(list);
  }

  // "您问的是哪份文件？": each offered document asks the same question again, in that document only
  function addCandidates(bubble, answer) {
    if (!answer.candidates || !answer.candidates.length) return;
    const list = element("ul", "sources candidates");
    for (const candidate of answer.candidates) {
      const item = element("li");
      const pick = element("button", "", "《" + candidate.title + "》");
      pick.type = "button";
      pick.title = "只在此文件中回答";
      pick.addEventListener("click", function () { ask(answer.question, [candidate.doc], candidate.title); });
      item.appendChild(pick);
      list.appendChild(item);
    }
    bubble.after(list);
  }

  // 👍 / 👎 under an answer the server logged (it has an id); a 👎 asks why, in one click
  function addRating(bubble, answer, headers) {
    if (!answer.id) return;
    const row = element("div", "rating");
    row.appendChild(element("span", "hint", "有帮助吗？"));
    function send(rating, reason) {
      fetch("api/feedback", { method: "POST", headers: headers,
                               body: JSON.stringify({ id: answer.id, rating: rating, reason: reason || null }) })
        .then(function (response) {
          row.replaceChildren(element("span", "hint", response.ok ? "已记录，谢谢！" : "未能记录评价。"));
        });
    }
    const up = element("button", "rate-up", "👍");
    up.title = "有帮助";
    up.addEventListener("click", function () { send("up"); });
    const down = element("button", "rate-down", "👎");
    down.title = "没有帮助";
    down.addEventListener("click", function () {
      row.replaceChildren(element("span", "hint", "哪里不好？"));
      for (const reason of ["答非所问", "不完整", "引用不对", "应该拒答"]) {
        const pick = element("button", "rate-reason", reason);
        pick.addEventListener("click", function () { send("down", reason); });
        row.appendChild(pick);
      }
      const none = element("button", "rate-reason", "不说明");
      none.addEventListener("click", function () { send("down"); });
      row.appendChild(none);
    });
    row.appendChild(up);
    row.appendChild(down);
    bubble.appendChild(row);
  }

  async function ask(question, documents, label) {
    log.appendChild(element("div", "msg user", label ? "《" + label + "》：" + question : question));
    const bubble = element("div", "msg bot", "…");
    log.appendChild(bubble);
    log.scrollTop = log.scrollHeight;
    const headers = { "Content-Type": "application/json" };
    if (config.key) headers["X-Wenyuan-Key"] = config.key;
    const response = await fetch("api/ask/stream", {
      method: "POST", headers: headers,
      body: JSON.stringify({ question: question, history: history.slice(-6), documents: documents || null }),
    });
    if (!response.ok) {
      bubble.textContent = response.status === 401 ? "无权访问：请联系管理员检查组件密钥。" : "服务暂时不可用（" + response.status + "）。";
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "", text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const name = (/^event: (.*)$/m.exec(block) || [])[1];
        const data = JSON.parse((/^data: (.*)$/m.exec(block) || [])[1] || "{}");
        if (name === "delta") {
          text += data.text;
          renderAnswer(bubble, text, null);
        } else if (name === "answer") {
          renderAnswer(bubble, data.answer, data);
          if (data.refused) bubble.classList.add("refused");
          if (data.checked) bubble.appendChild(element("div", "checked", data.checked));
          addSources(bubble, data);
          addCandidates(bubble, data);
          if (!data.refused && data.mode !== "ask_back") {
            addCopy(bubble, data);
            addWord(bubble, data, headers);
          }
          addRating(bubble, data, headers);
          history.push({ question: data.question, answer: data.answer, mode: data.mode, refused: data.refused,
                         items: data.items || [] });
        }
        log.scrollTop = log.scrollHeight;
      }
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    const button = form.querySelector("button");
    button.disabled = true;
    source.hidden = true;
    log.hidden = false;
    try { await ask(question); } catch (error) { log.appendChild(element("div", "msg bot refused", "请求失败：" + error)); }
    finally { button.disabled = false; input.focus(); }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
})();
