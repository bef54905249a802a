// The page is one self-contained HTML document (inline CSS and JS, no fonts, scripts or images
// from elsewhere), so it works on an air-gapped lab machine. It reads GET /model for the class
// names and threshold and posts the chosen image's bytes to POST /Inference?explain=1 as the raw
// body. The image is shown on a canvas with what the answer holds drawn over it: for a
// slide-sized image each classified tile coloured by its ALL probability (the ALL tiles
// outlined), for an ordinary one the class activation map when its toggle is on. Everything the server sends is written into
// the page as text (textContent) or drawn on canvases, never parsed as markup; the server's
// Content-Security-Policy allows only inline script and style, blob: images and this origin.
// <body data-state> is idle | busy | done | error, and <canvas id="view" data-shows> is
// "" | tiles | cam, so a browser test can wait on them.
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
  #view { max-width: 100%; max-height: 360px; border-radius: 4px; }
  #view.empty { display: none; }
  #legend { display: none; margin: 10px 0 0; font-size: 13px; color: var(--muted); }
  #legend canvas { display: block; width: 100%; max-width: 320px; height: 12px; margin: 4px 0; border-radius: 2px; }
  body.has-legend #legend { display: block; }
  #cam-toggle { display: none; margin: 10px 0 0; font-size: 14px; }
  body.has-cam #cam-toggle { display: block; }
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
      <img id="preview" alt="" hidden><canvas id="view" class="empty" width="1" height="1" data-shows=""></canvas>
      <span id="hint">Drop a blood-smear image here, or</span>
      <span class="button">Choose an image</span>
    </label>
    <input id="file" type="file" accept="image/*,.tif,.tiff">
    <label id="cam-toggle"><input id="show-cam" type="checkbox"> Show the class activation map</label>
    <div id="legend"><span id="legend-title"></span><canvas id="legend-scale" width="256" height="1"></canvas>
      <span id="legend-range"></span></div>
  </section>
  <section class="card" id="result">
    <p id="verdict">No image yet</p>
    <p id="summary">The class, its confidence and every class's probability appear here.</p>
    <p id="low">LOW confidence: below the threshold; have a specialist review this image.</p>
    <p id="tiles"></p>
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
    threshold = model.threshold;
    $("model").textContent = `${model.file} (${model.endpoint}): classes ${model.classes.join(", ")}; ` +
      `ALL classes ${model.positive.join(", ") || "none"}; LOW below ${model.threshold}`;
  } catch (e) {
    $("model").textContent = "The model is not ready yet: " + e.message;
    setTimeout(loadModel, 2000);
  }
}

let threshold = 0.8;  // the server's, from GET /model
let answer = null;    // the last answer shown

function showPreview(file) {
  const img = $("preview");
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(file);
  img.alt = file.name;  // stays hidden: #view shows it (showView)
  $("hint").textContent = file.name;
}

// ---- drawing over the image

// Turbo (blue 0, red 1), the colour scale of blastscan's PNG heat-maps, from Google's polynomial
// approximation ("Turbo, An Improved Rainbow Colormap for Visualization", A. Mikhailov, 2019).
function turbo(t) {
  t = Math.min(1, Math.max(0, t));
  const poly = (c) => c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))));
  return [[0.13572138, 4.61539260, -42.66032258, 132.13108234, -152.94239396, 59.28637943],
          [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604],
          [0.10667330, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973]]
    .map((c) => Math.round(255 * Math.min(1, Math.max(0, poly(c)))));
}
const css = (rgb) => `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
const kAlpha = 0.45;  // the colours' weight over the image, as in blastscan's PNGs

// The colours over the image, opaque, in the image's pixels (blended onto #view at kAlpha);
// transparent where nothing is drawn. Kept so the view can be redrawn (and inspected).
const layer = document.createElement("canvas");

function newLayer(width, height) {
  layer.width = width;
  layer.height = height;
  return layer.getContext("2d");
}

function showLegend(title, low, high) {
  $("legend-title").textContent = title;
  $("legend-range").textContent = `blue ${low} to red ${high}`;
  const scale = $("legend-scale").getContext("2d");
  for (let x = 0; x < 256; ++x) {
    scale.fillStyle = css(turbo(x / 255));
    scale.fillRect(x, 0, 1, 1);
  }
  document.body.classList.add("has-legend");
}

// A slide's tiles: each classified tile in the colour of its ALL probability (where tiles
// overlap the higher one shows: drawn lowest first), background tiles left as they are.
function drawTiles(slide) {
  const ctx = newLayer(slide.width, slide.height);
  const tiles = slide.tiles.filter((t) => !t.background).sort((a, b) => a.all_probability - b.all_probability);
  for (const t of tiles) {
    ctx.fillStyle = css(turbo(t.all_probability));
    ctx.fillRect(t.x, t.y, t.width, t.height);
  }
  const c = slide.tile_counts;
  showLegend(`ALL probability per tile (${c.classified} of ${c.total} tiles of ${c.size} px classified); ` +
             `outlined: the ${c.all} ALL tiles`, "0", "1");
  return tiles.filter((t) => t.all_probability >= threshold);
}

// The class activation map over the part of the image the network saw, upsampled from its
// end-point grid by the canvas's bilinear smoothing.
function drawCam(img, cam) {
  const ctx = newLayer(img.naturalWidth, img.naturalHeight);
  const grid = document.createElement("canvas");
  grid.width = cam.width;
  grid.height = cam.height;
  const gc = grid.getContext("2d");
  const pixels = gc.createImageData(cam.width, cam.height);
  const span = Math.max(cam.high - cam.low, 1e-12);
  cam.values.forEach((v, i) => pixels.data.set([...turbo((v - cam.low) / span), 255], 4 * i));
  gc.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(grid, cam.box.x, cam.box.y, cam.box.width, cam.box.height);
  showLegend(`class activation map of ${cam.class} (logit units)`, cam.low.toFixed(2), cam.high.toFixed(2));
}

// #view: the image, with what the answer holds drawn over it.
function showView() {
  const img = $("preview"), view = $("view");
  document.body.classList.remove("has-legend");
  view.classList.toggle("empty", !img.naturalWidth);
  if (!img.naturalWidth) return;  // nothing the browser can show (a TIFF, say)
  view.width = img.naturalWidth;
  view.height = img.naturalHeight;
  const ctx = view.getContext("2d");
  ctx.drawImage(img, 0, 0);
  let outlined = [], shows = "";
  if (answer && answer.slide) {
    outlined = drawTiles(answer.slide);
    shows = "tiles";
  } else if (answer && answer.cam && $("show-cam").checked) {
    drawCam(img, answer.cam);
    shows = "cam";
  }
  if (shows) {
    ctx.globalAlpha = kAlpha;
    ctx.drawImage(layer, 0, 0, view.width, view.height);
    ctx.globalAlpha = 1;
  }
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = Math.max(2, Math.round(view.width / 400));
  for (const t of outlined) ctx.strokeRect(t.x, t.y, t.width, t.height);
  view.dataset.shows = shows;
}

// ---- the answer

function showTiles(slide) {
  if (!slide) return ($("tiles").textContent = "");
  const c = slide.tile_counts;
  $("tiles").textContent = `Scanned in ${c.total} tiles of ${c.size} pixels (${c.background} background, ` +
    `${c.classified} classified, ${c.all} ALL); the slide score is the hottest tile's ALL probability, ` +
    `${(100 * c.score).toFixed(1)}%. The bars show that tile.`;
}

function showResult(result) {
  answer = result;
  const verdict = $("verdict");
  verdict.textContent = answer.all_detected ? "ALL detected" : "ALL not detected";
  verdict.className = answer.all_detected ? "pos" : "neg";
  $("summary").replaceChildren();
  const cls = document.createElement("strong");
  cls.id = "result-class";
  cls.textContent = answer.Classification;
  $("summary").append("Class ", cls,
    ` with a confidence of ${(100 * Number(answer.Confidence)).toFixed(1)}% in ${answer.time_ms.toFixed(0)} ms`);
  document.body.classList.toggle("low", answer.low_confidence);
  document.body.classList.toggle("has-cam", !!answer.cam);
  showTiles(answer.slide);
  const bars = $("bars");
  bars.replaceChildren();
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
  showView();
  setState("done");
}

async function classify(file) {
  if (!file) return;
  answer = null;
  showPreview(file);
  setState("busy");
  try {
    const response = await fetch("/Inference?explain=1", {
      method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" } });
    const answer = await response.json();
    if (!response.ok || answer.Response !== "OK") throw new Error(answer.Message || response.statusText);
    showResult(answer);
  } catch (e) {
    showError(e.message);
  }
}

$("file").addEventListener("change", (e) => classify(e.target.files[0]));
$("show-cam").addEventListener("change", showView);
$("preview").addEventListener("load", showView);
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
