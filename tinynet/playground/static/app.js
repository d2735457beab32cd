// tinynet playground: asks the local server to train, and draws what comes back.
"use strict";
let session = null, playing = false, optimizerNames = [], busy = false;
const $ = (id) => document.getElementById(id);
const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e"];

async function api(method, path, body) {
  const response = await fetch(path, {method, headers: {"Content-Type": "application/json"},
                                      body: body === undefined ? undefined : JSON.stringify(body)});
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function showError(err) { $("error").textContent = err ? String(err.message || err) : ""; }

function optimizerRow(name, lr, extra) {
  const row = document.createElement("div");
  row.className = "opt";
  const select = document.createElement("select");
  for (const n of optimizerNames) select.add(new Option(n, n, false, n === name));
  row.append("optimizer ", select, " lr ");
  const rate = document.createElement("input");
  rate.type = "number"; rate.step = "any"; rate.value = lr; rate.style.width = "6em";
  const more = document.createElement("input");
  more.placeholder = "rho=0.9, eps=1e-8"; more.value = extra || ""; more.size = 16;
  const remove = document.createElement("button");
  remove.textContent = "×"; remove.onclick = () => row.remove();
  row.append(rate, " ", more, " ", remove);
  $("optimizers").append(row);
}

function settings() {
  const hidden = $("hidden").value.split(",").map((x) => Number(x.trim()));
  const optimizers = [...document.querySelectorAll("#optimizers .opt")].map((row) => {
    const [select, rate, more] = row.querySelectorAll("select, input");
    const spec = {name: select.value, lr: Number(rate.value)};
    for (const pair of more.value.split(",").filter((p) => p.includes("="))) {
      const [key, value] = pair.split("=").map((x) => x.trim());
      spec[key] = value === "true" ? true : value === "false" ? false : Number(value);
    }
    return spec;
  });
  const number = (id) => Number($(id).value);
  return {dataset: $("dataset").value, points: number("points"), noise: number("noise"),
          train_fraction: number("train_fraction"), hidden, activation: $("activation").value,
          batch_size: number("batch_size"), seed: number("seed"), optimizers};
}

function drawRegions(canvas, state, panel) {
  const ctx = canvas.getContext("2d"), n = state.grid_size, size = canvas.width;
  const cell = size / n, ext = state.extent;
  panel.grid.forEach((p, i) => {  // blue for class 0, red for class 1
    const x = i % n, y = Math.floor(i / n);
    ctx.fillStyle = `rgb(${Math.round(90 + 165 * p)}, ${Math.round(150 - 40 * Math.abs(p - 0.5))}, ${Math.round(255 - 165 * p)})`;
    ctx.fillRect(x * cell, size - (y + 1) * cell, cell + 1, cell + 1);
  });
  const dot = (X, y, filled) => X.forEach(([a, b], i) => {
    ctx.beginPath();
    ctx.arc((a + ext) / (2 * ext) * size, size - (b + ext) / (2 * ext) * size, 3, 0, 7);
    ctx.fillStyle = y[i] ? "#a50026" : "#313695";
    ctx.strokeStyle = "#fff";
    if (filled) ctx.fill(); else ctx.stroke();
  });
  dot(state.train.X, state.train.y, true);
  dot(state.test.X, state.test.y, false);
}

function drawCurves(canvas, curves) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const all = curves.train.concat(curves.test).filter(Number.isFinite);
  if (!all.length) return;
  const top = Math.max(...all), steps = curves.train.length;
  [["train", "#333"], ["test", "#e377c2"]].forEach(([key, color]) => {
    ctx.beginPath(); ctx.strokeStyle = color;
    curves[key].forEach((v, i) => {
      const x = steps > 1 ? i / (steps - 1) * w : 0, y = h - v / top * (h - 4);
      if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    });
    ctx.stroke();
  });
}

function drawHistogram(canvas, hist, color) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (!hist || !hist.counts.length) return;
  const top = Math.max(...hist.counts), bw = w / hist.counts.length;
  ctx.fillStyle = color;
  hist.counts.forEach((c, i) => ctx.fillRect(i * bw, h - c / top * h, bw - 1, c / top * h));
}

function render(state) {
  const panels = $("panels");
  state.panels.forEach((panel, k) => {
    let box = $(`panel-${k}`);
    if (!box) {
      box = document.createElement("div");
      box.className = "panel"; box.id = `panel-${k}`;
      box.innerHTML = `<h2></h2><canvas class="regions" width="300" height="300"></canvas>
        <div>train <b class="train"></b> · test <b class="test" id="acc-${k}"></b></div>
        <canvas class="curves" width="300" height="80"></canvas><div class="layers"></div>`;
      panels.append(box);
    }
    box.querySelector("h2").textContent = panel.optimizer;
    box.querySelector(".train").textContent = panel.train_accuracy.toFixed(3);
    box.querySelector(".test").textContent = panel.test_accuracy.toFixed(3);
    drawRegions(box.querySelector(".regions"), state, panel);
    drawCurves(box.querySelector(".curves"), panel.curves);
    const layers = box.querySelector(".layers");
    panel.layers.forEach((layer) => {
      let row = layers.querySelector(`[data-l="${layer.l}"]`);
      if (!row) {
        row = document.createElement("div");
        row.className = "layer"; row.dataset.l = layer.l;
        row.innerHTML = `<span class="label"></span>
          <canvas class="eff" width="140" height="36"></canvas>
          <canvas class="state" width="140" height="36"></canvas>`;
        layers.append(row);
      }
      row.querySelector(".label").textContent = `layer ${layer.l}: ||ΔW||/||W|| ` +
        layer.update_ratio.toExponential(1) + " · log10 η_eff | log10 " + (layer.state_name || "state");
      drawHistogram(row.querySelector(".eff"), layer.eff_lr, COLORS[k % 4]);
      drawHistogram(row.querySelector(".state"), layer.state, "#888");
    });
  });
  $("status").textContent = `step ${state.steps}`;
  document.body.dataset.steps = state.steps;
}

async function reset() {
  playing = false;
  try {
    const state = await api("POST", "/api/sessions", settings());
    session = state.id;
    $("panels").innerHTML = ""; $("look-output").textContent = "";
    render(state); showError(null);
  } catch (err) { showError(err); }
}

async function step(n) {
  if (!session || busy) return;
  busy = true;
  try { render(await api("POST", `/api/sessions/${session}/step`, {n})); showError(null); }
  catch (err) { showError(err); playing = false; }
  finally { busy = false; }
}

async function loop() {
  while (playing) { await step(5); await new Promise((r) => setTimeout(r, 100)); }
}

async function look() {
  if (!session) return;
  try {
    const passes = await api("GET", `/api/sessions/${session}/look`);
    const short = (a) => JSON.stringify(a, (k, v) => (typeof v === "number" ?
      Number(v.toPrecision(3)) : v));
    $("look-output").textContent = passes.map((pass) =>
      `${pass.optimizer}: the next mini-batch (${pass.batch} samples), loss ` +
      `${pass.loss.toFixed(4)}\n` + pass.layers.map((l) =>
        ["Z", "A", "dZ", "dW", "db"].map((q) => `  ${q}[${l.l}] = ${short(l[q])}`)
          .join("\n")).join("\n") +
      `\n  step ${pass.numbers.t}, the update it is about to make:\n    ` +
      pass.formula.replace(/\n/g, "\n    ") + "\n  " +
      Object.entries(pass.numbers).map(([k, v]) => `${k} = ${Number(v).toPrecision(4)}`)
        .join(", ") + "\n" +
      pass.layers.map((l) => `  change of W[${l.l}] = ${short(l.update)}`).join("\n"))
      .join("\n\n");
  } catch (err) { showError(err); }
}

async function start() {
  optimizerNames = Object.keys(await api("GET", "/api/optimizers"));
  optimizerRow("sgd", 0.1); optimizerRow("rmsprop", 0.01);
  $("add").onclick = () => optimizerRow("adam", 0.01);
  $("play").onclick = () => { if (!playing) { playing = true; loop(); } };
  $("pause").onclick = () => { playing = false; };
  $("step").onclick = () => step(1);
  $("reset").onclick = reset;
  $("look").onclick = look;
  await reset();
}
start().catch(showError);
