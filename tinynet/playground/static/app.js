// tinynet playground: the controls, the loop, and the panels. The local server trains
// (tinynet's real classes); this page asks it for steps and draws what comes back.
"use strict";
let session = null, playing = false, optimizerNames = [], busy = false, calls = 0;
const $ = (id) => document.getElementById(id);
const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e"];
const NETWORK_EVERY = 4;  // the network view is redrawn every 4th request while playing

async function api(method, path, body) {
  const response = await fetch(path, {method, headers: {"Content-Type": "application/json"},
                                      body: body === undefined ? undefined : JSON.stringify(body)});
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function showError(err) { $("error").textContent = err ? String(err.message || err) : ""; }

function changed(what) {  // settings take effect with a new network
  if (session) $("notice").textContent = `${what} changed: press reset to apply (a new ` +
    "network, from step 0)";
}

function optimizerRow(name, lr, extra) {
  const row = document.createElement("div");
  row.className = "opt";
  const number = document.createElement("span");
  number.className = "number";
  const select = document.createElement("select");
  select.className = "name";
  for (const n of optimizerNames) select.add(new Option(n, n, false, n === name));
  const field = (cls, value, placeholder, size) => {
    const input = document.createElement("input");
    Object.assign(input, {className: cls, value, placeholder, size});
    return input;
  };
  const rate = field("lr", lr, "0.01", 6), decay = field("wd", "", "0", 5);
  const more = field("extra", extra || "", "rho=0.9, eps=1e-8", 16);
  const remove = document.createElement("button");
  remove.textContent = "×"; remove.title = "remove this optimizer";
  remove.onclick = () => { row.remove(); numberRows(); changed("the optimizers"); };
  row.append(number, select, " lr ", rate, " weight decay ", decay, " ", more, " ", remove);
  $("optimizers").append(row);
  numberRows();
}

function numberRows() {
  document.querySelectorAll("#optimizers .opt .number").forEach((span, k) => {
    span.textContent = `optimizer ${k + 1}`;
  });
}

function settings() {
  const optimizers = [...document.querySelectorAll("#optimizers .opt")].map((row) => {
    const spec = {name: row.querySelector(".name").value, lr: row.querySelector(".lr").value,
                  extra: row.querySelector(".extra").value};
    const decay = row.querySelector(".wd").value.trim();
    if (decay) spec.weight_decay = decay;
    return spec;
  });
  const features = [...document.querySelectorAll("#features input:checked")].map((b) => b.value);
  return {dataset: $("dataset").value, points: $("points").value, noise: $("noise").value,
          train_fraction: $("train_fraction").value, hidden: $("hidden").value,
          activation: $("activation").value, features, batch_size: $("batch_size").value,
          seed: $("seed").value, optimizers};
}

function panelBox(k) {
  let box = $(`panel-${k}`);
  if (box) return box;
  box = document.createElement("div");
  box.className = "panel"; box.id = `panel-${k}`;
  box.innerHTML = `<h2 class="title"></h2><div class="hyper"></div>
    <div class="signals" role="status"></div>
    <div class="row"><canvas class="regions" width="220" height="220"></canvas>
      <div class="network"></div></div>
    <div class="net-legend">square: a neuron's output over the input plane, blue low to red
      high (scaled per layer) · line: a weight, width |w|, orange positive, blue negative</div>
    <div class="metrics">train accuracy <b class="train-acc"></b> · test accuracy
      <b class="test-acc" id="acc-${k}"></b> · train loss <b class="train-loss"></b> · test
      loss <b class="test-loss"></b></div>
    <canvas class="curves" width="570" height="150"></canvas><div class="layers"></div>`;
  $("panels").append(box);
  return box;
}

function render(state) {
  state.panels.forEach((panel, k) => {
    const box = panelBox(k);
    box.querySelector(".title").textContent = panel.name;
    const hyper = box.querySelector(".hyper");
    hyper.textContent = hyper.title = panel.hyperparameters;
    box.querySelector(".signals").textContent = panel.signals.join("\n");
    box.classList.toggle("diverged", panel.diverged !== null);
    box.querySelector(".train-acc").textContent = panel.train_accuracy.toFixed(3);
    box.querySelector(".test-acc").textContent = panel.test_accuracy.toFixed(3);
    const loss = (v) => (v === null ? "not a number" : fmt(v, 4));
    box.querySelector(".train-loss").textContent = loss(panel.train_loss);
    box.querySelector(".test-loss").textContent = loss(panel.test_loss);
    drawRegions(box.querySelector(".regions"), state, panel);
    drawCurves(box.querySelector(".curves"), panel.curves);
    if (panel.network) drawNetwork(box.querySelector(".network"), panel.network, state.features);
    const layers = box.querySelector(".layers");
    panel.layers.forEach((layer) => {
      let row = layers.querySelector(`[data-l="${layer.l}"]`);
      if (!row) {
        row = document.createElement("div");
        row.className = "layer"; row.dataset.l = layer.l;
        row.innerHTML = `<div class="label"></div>
          <figure><figcaption class="eff-caption"></figcaption>
            <canvas class="eff" width="275" height="64"></canvas></figure>
          <figure><figcaption class="state-caption"></figcaption>
            <canvas class="state" width="275" height="64"></canvas></figure>`;
        layers.append(row);
      }
      row.querySelector(".label").textContent = `layer ${layer.l}: the last step changed W[` +
        `${layer.l}] by ||ΔW||/||W|| = ` +
        (layer.update_ratio === null ? "not a number" : layer.update_ratio.toExponential(1));
      row.querySelector(".eff-caption").textContent = `log10 η_eff of W[${layer.l}]'s ` +
        "weights (x), how many weights (count)";
      row.querySelector(".state-caption").textContent = layer.state_name ?
        `log10 |${layer.state_name}| per weight (x), how many (count)` : "optimizer state";
      drawHistogram(row.querySelector(".eff"), layer.eff_lr, COLORS[k % 4],
                    "(after the first step)");
      drawHistogram(row.querySelector(".state"), layer.state, "#888",
                    state.steps ? "(none: this optimizer keeps no state)" :
                    "(after the first step)");
    });
  });
  $("status").textContent = `epoch ${state.epoch.toFixed(2)} · step ${state.steps} ` +
    `(${state.batches_per_epoch} steps an epoch)`;
  document.body.dataset.steps = state.steps;
  if (state.panels.every((p) => p.diverged !== null)) playing = false;
}

async function reset() {
  playing = false;
  try {
    const state = await api("POST", "/api/sessions", settings());
    session = state.id;
    $("panels").innerHTML = ""; $("look-output").innerHTML = ""; $("notice").textContent = "";
    render(state); showError(null);
  } catch (err) { showError(err); }
}

async function step(n) {
  if (!session || busy) return;
  busy = true;
  try {
    calls += 1;
    const network = !playing || calls % NETWORK_EVERY === 0;
    render(await api("POST", `/api/sessions/${session}/step`, {n, network}));
    showError(null);
  } catch (err) { showError(err); playing = false; }
  finally { busy = false; }
}

async function loop() {
  const start = performance.now(), first = Number(document.body.dataset.steps);
  while (playing) {
    await step(5);
    await new Promise((r) => requestAnimationFrame(r));
    const seconds = (performance.now() - start) / 1000;
    window.stepsPerSecond = (Number(document.body.dataset.steps) - first) / seconds;
  }
  await step(1);  // paused: one more step, with the network view, so everything is current
}

async function look() {
  if (!session) return;
  try { renderLook(await api("GET", `/api/sessions/${session}/look`)); showError(null); }
  catch (err) { showError(err); }
}

async function start() {
  optimizerNames = Object.keys(await api("GET", "/api/optimizers"));
  optimizerRow("sgd", 0.1); optimizerRow("rmsprop", 0.01);
  $("add").onclick = () => { optimizerRow("adam", 0.01); changed("the optimizers"); };
  $("setup").addEventListener("change", (event) => {
    const label = event.target.closest("label, .opt, #features");
    if (label) changed(label.id === "features" ? "the inputs" :
                       label.classList.contains("opt") ? "the optimizers" :
                       label.firstChild.textContent.trim());
  });
  $("play").onclick = () => { if (!playing) { playing = true; loop(); } };
  $("pause").onclick = () => { playing = false; };
  $("step").onclick = () => step(1);
  $("reset").onclick = reset;
  $("look").onclick = look;
  await reset();
}
start().catch(showError);
