// The page is one self-contained HTML document (inline CSS and JS, no fonts, scripts or images
// from elsewhere), so it works on an air-gapped lab machine. It reads GET /model for the class
// names and threshold and posts the chosen image's bytes to POST /Inference as the raw body.
// <body data-state> is idle | busy | done | error, so a browser test can wait on it.
#include "serve/web_page.h"

namespace blastscan {

std::string_view web_page_html() {
  return R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>blastscan</title>
<style>
  :root { --fg: #1d2430; --muted: #5d6878; --line: #d8dde5; --accent: #2f6fde; --pos: #c0392b; --neg: #1e8449; --warn: #b9770e; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #f4f6f9; }
  header { padding: 14px 24px; background: #fff; border-bottom: 1px solid var(--line); }
  header h1 { margin: 0; font-size: 20px; }
  header p { margin: 2px 0 0; color: var(--muted); font-size: 13px; }
  main { display: grid; grid-template-columns: minmax(280px, 1fr) minmax(280px, 1fr); gap: 20px; padding: 20px 24px; max-width: 1100px; }
  @media (max-width: 760px) { main { grid-template-columns: 1fr; } }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; }
  #drop { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 8px; min-height: 300px;
          border: 2px dashed var(--line); border-radius: 8px; cursor: pointer; text-align: center; color: var(--muted); }
  #drop.over { border-color: var(--accent); background: #eef4ff; }
  #drop img { max-width: 100%; max-height: 360px; border-radius: 4px; }
  #file { display: none; }
  .button { display: inline-block; padding: 6px 14px; border-radius: 6px; background: var(--accent); color: #fff; font-weight: 600; }
  #verdict { font-size: 22px; font-weight: 700; margin: 0 0 4px; }
  #verdict.pos { color: var(--pos); }
  #verdict.neg { color: var(--neg); }
  #summary { margin: 0 0 12px; color: var(--muted); }
  #low { display: none; margin: 0 0 12px; padding: 8px 10px; border-radius: 6px; background: #fdf2e3; color: var(--warn); font-weight: 600; }
  body.low #low { display: block; }
  .bar { display: grid; grid-template-columns: 8em 1fr 4.5em; align-items: center; gap: 8px; margin: 6px 0; }
  .bar .track { height: 14px; background: #eceff3; border-radius: 7px; overflow: hidden; }
  .bar .fill { height: 100%; background: #9aa5b4; }
  .bar.top .fill { background: var(--accent); }
  .bar .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .bar .value { text-align: right; font-variant-numeric: tabular-nums; }
  #error { display: none; color: var(--pos); font-weight: 600; }
  body[data-state="error"] #error { display: block; }
  body[data-state="busy"] #result { opacity: .4; }
  footer { padding: 0 24px 20px; color: var(--muted); font-size: 12px; }
</style>
</head>
<body data-state="idle">
<header>
  <h1>blastscan: acute lymphoblastic leukemia detection</h1>
  <p id="model">Loading the model description&hellip;</p>
</header>
<main>
  <section class="card">
    <label id="drop" for="file">
      <img id="preview" alt="" hidden>
      <span id="hint">Drop a blood-smear image here, or</span>
      <span class="button">Choose an image</span>
    </label>
    <input id="file" type="file" accept="image/*,.tif,.tiff">
  </section>
  <section class="card" id="result">
    <p id="verdict">No image yet</p>
    <p id="summary">The class, its confidence and every class's probability appear here.</p>
    <p id="low">LOW confidence: below the threshold; have a specialist review this image.</p>
    <div id="bars"></div>
    <p id="error"></p>
  </section>
</main>
<footer>Research software, not a medical device. Images are classified on this server and not stored.</footer>
<script>
"use strict";
const $ = (id) => document.getElementById(id);

function setState(state) { document.body.dataset.state = state; }

function showError(message) {
  $("error").textContent = message;
  setState("error");
}

async function loadModel() {
  try {
    const response = await fetch("/model");
    const model = await response.json();
    if (!response.ok) throw new Error(model.Message || response.statusText);
    $("model").textContent = `${model.file} (${model.endpoint}): classes ${model.classes.join(", ")}; ` +
      `ALL classes ${model.positive.join(", ") || "none"}; LOW below ${model.threshold}`;
  } catch (e) {
    $("model").textContent = "The model is not ready yet: " + e.message;
    setTimeout(loadModel, 2000);
  }
}

function showPreview(file) {
  const img = $("preview");
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(file);
  img.alt = file.name;
  img.hidden = false;
  $("hint").textContent = file.name;
}

function showResult(answer) {
  const verdict = $("verdict");
  verdict.textContent = answer.all_detected ? "ALL detected" : "ALL not detected";
  verdict.className = answer.all_detected ? "pos" : "neg";
  $("summary").innerHTML = "";
  const cls = document.createElement("strong");
  cls.id = "result-class";
  cls.textContent = answer.Classification;
  $("summary").append("Class ", cls,
    ` with a confidence of ${(100 * Number(answer.Confidence)).toFixed(1)}% in ${answer.time_ms.toFixed(0)} ms`);
  document.body.classList.toggle("low", answer.low_confidence);
  const bars = $("bars");
  bars.innerHTML = "";
  for (const [name, p] of Object.entries(answer.probabilities)) {
    const row = document.createElement("div");
    row.className = "bar" + (name === answer.Classification ? " top" : "");
    row.dataset.class = name;
    const label = document.createElement("span");
    label.className = "name";
    label.textContent = name;
    const track = document.createElement("span");
    track.className = "track";
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.display = "block";
    fill.style.width = (100 * p).toFixed(1) + "%";
    track.append(fill);
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = (100 * p).toFixed(1) + "%";
    row.append(label, track, value);
    bars.append(row);
  }
  setState("done");
}

async function classify(file) {
  if (!file) return;
  showPreview(file);
  setState("busy");
  try {
    const response = await fetch("/Inference", {
      method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" } });
    const answer = await response.json();
    if (!response.ok || answer.Response !== "OK") throw new Error(answer.Message || response.statusText);
    showResult(answer);
  } catch (e) {
    showError(e.message);
  }
}

$("file").addEventListener("change", (e) => classify(e.target.files[0]));
const drop = $("drop");
for (const type of ["dragenter", "dragover"])
  drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
for (const type of ["dragleave", "drop"])
  drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.remove("over"); });
drop.addEventListener("drop", (e) => classify(e.dataTransfer.files[0]));
loadModel();
</script>
</body>
</html>
)html";
}

}  // namespace blastscan
