// Progressive enhancement only: every form works without this file.
"use strict";

const MARKS = { pass: ["✓", "Passed"], warn: ["⚠", "Warning"], fail: ["✗", "Failed"] };

function revealRestricted() {
  const mode = document.getElementById("mode");
  const fields = document.getElementById("restricted");
  if (!mode || !fields) return;
  const sync = () => {
    fields.hidden = !mode.checked && !fields.querySelector(".invalid");
  };
  mode.addEventListener("change", sync);
  sync();
}

function focusErrors() {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
}

function addStep(list, step) {
  const item = document.getElementById("step-template").content.firstElementChild.cloneNode(true);
  const [mark, word] = MARKS[step.outcome] || ["•", step.outcome];
  item.classList.add(step.outcome);
  item.querySelector(".mark").textContent = mark;
  item.querySelector(".sr-only").textContent = `${word}:`;
  item.querySelector(".name").textContent = step.name;
  item.querySelector(".text").textContent = step.detail;
  const request = item.querySelector(".request");
  if (step.request_id) request.textContent = `Request ID ${step.request_id}`;
  else request.remove();
  list.append(item);
}

function finish(result) {
  document.getElementById("running").hidden = true;
  const box = document.getElementById("result");
  box.classList.remove("ok", "fail");
  box.classList.add(result.ok ? "ok" : "fail");
  document.getElementById("verdict").textContent = result.ok ? "✓ Connection works" : "✗ Connection does not work";
  document.getElementById("summary").textContent = result.summary;
  box.hidden = false;
}

function streamSteps() {
  const list = document.getElementById("steps");
  if (!list || list.dataset.finished === "true" || !window.EventSource) return;
  const source = new EventSource(`${list.dataset.events}?from=${list.dataset.count}`);
  source.addEventListener("step", (event) => addStep(list, JSON.parse(event.data)));
  source.addEventListener("done", (event) => {
    source.close();
    finish(JSON.parse(event.data));
  });
  source.onerror = () => {
    source.close();
    window.location.reload();
  };
}

function showProgress(panel, progress) {
  for (const name of ["done", "answered", "failed"]) {
    document.getElementById(name).textContent = progress[name];
  }
  document.getElementById("total").textContent = progress.total ?? "?";
  const bar = document.getElementById("bar");
  if (progress.total !== null) {
    bar.max = progress.total || 1;
    bar.value = progress.done;
  }
}

function streamProgress() {
  const panel = document.getElementById("progress");
  if (!panel || panel.dataset.finished === "true" || !window.EventSource) return;
  const source = new EventSource(`${panel.dataset.events}?from=${panel.dataset.count}`);
  source.addEventListener("progress", (event) => showProgress(panel, JSON.parse(event.data)));
  source.addEventListener("done", () => {
    source.close();
    window.location.reload(); // the finished page shows the outcome and the outputs
  });
  source.onerror = () => {
    source.close();
    window.location.reload();
  };
}

document.addEventListener("DOMContentLoaded", () => {
  revealRestricted();
  focusErrors();
  streamSteps();
  streamProgress();
});
