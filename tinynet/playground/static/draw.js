// tinynet playground: drawing on canvases (decision regions, curves and histograms with
// axes, matrices as colour grids) and the hover tooltip. No state of its own.
"use strict";

// One colour scale for the whole page: 0 -> blue (class 0, low), 1 -> red (class 1, high).
function heat(p) {
  p = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0.5));
  return `rgb(${Math.round(90 + 165 * p)}, ${Math.round(150 - 40 * Math.abs(p - 0.5))}, ` +
         `${Math.round(255 - 165 * p)})`;
}
const CLASS_COLORS = ["#313695", "#a50026"];  // the class-0 and class-1 dots
const fmt = (v, digits = 3) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)) ?
  v.toExponential(1) : Number(v.toFixed(digits)).toString();

function drawRegions(canvas, state, panel) {
  const ctx = canvas.getContext("2d"), n = state.grid_size, size = canvas.width;
  const cell = size / n, ext = state.extent;
  panel.grid.forEach((p, i) => {
    const x = i % n, y = Math.floor(i / n);
    ctx.fillStyle = heat(p);
    ctx.fillRect(x * cell, size - (y + 1) * cell, cell + 1, cell + 1);
  });
  const at = (v) => (v + ext) / (2 * ext) * size;
  state.train.X.forEach(([a, b], i) => {  // training points: filled, white edge
    ctx.beginPath(); ctx.arc(at(a), size - at(b), 3, 0, 7);
    ctx.fillStyle = CLASS_COLORS[state.train.y[i]]; ctx.fill();
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.stroke();
  });
  state.test.X.forEach(([a, b], i) => {  // test points: a ring in their class colour
    ctx.beginPath(); ctx.arc(at(a), size - at(b), 3.5, 0, 7);
    ctx.fillStyle = "#fff"; ctx.fill();
    ctx.strokeStyle = CLASS_COLORS[state.test.y[i]]; ctx.lineWidth = 2; ctx.stroke();
  });
  ctx.lineWidth = 1;
}

// Axes in a box (left, top, width, height) of the canvas, with tick labels and titles.
function axes(ctx, box, x, y, xTitle, yTitle) {
  ctx.strokeStyle = "#888"; ctx.fillStyle = "#444"; ctx.font = "10px system-ui, sans-serif";
  ctx.beginPath();
  ctx.moveTo(box.left, box.top); ctx.lineTo(box.left, box.top + box.height);
  ctx.lineTo(box.left + box.width, box.top + box.height); ctx.stroke();
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  x.ticks.forEach((t) => ctx.fillText(fmt(t, 2), box.left + x.at(t), box.top + box.height + 2));
  ctx.fillText(xTitle, box.left + box.width / 2, box.top + box.height + 12);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  y.ticks.forEach((t) => ctx.fillText(fmt(t, 2), box.left - 3, box.top + box.height - y.at(t)));
  ctx.save(); ctx.translate(9, box.top + box.height / 2); ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center"; ctx.fillText(yTitle, 0, 0); ctx.restore();
}

function scale(lo, hi, length) {
  const span = hi > lo ? hi - lo : 1;
  return {ticks: [lo, lo + span / 2, lo + span], at: (v) => (v - lo) / span * length};
}

function drawCurves(canvas, curves) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const box = {left: 44, top: 8, width: w - 64, height: h - 34};
  const losses = curves.train.concat(curves.test).filter(Number.isFinite);
  const last = curves.epoch[curves.epoch.length - 1] || 0;
  const x = scale(0, Math.max(last, 1e-9), box.width);
  const y = scale(0, losses.length ? Math.max(...losses) : 1, box.height);
  axes(ctx, box, x, y, "epoch", "loss");
  [["train", "#333"], ["test", "#e377c2"]].forEach(([key, color], k) => {
    ctx.beginPath(); ctx.strokeStyle = color; ctx.lineWidth = 1.5;
    curves[key].forEach((v, i) => {
      const px = box.left + x.at(curves.epoch[i]);
      const py = box.top + box.height - y.at(Number.isFinite(v) ? v : y.ticks[2]);
      if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    });
    ctx.stroke();
    ctx.fillStyle = color; ctx.textAlign = "right"; ctx.textBaseline = "top";
    ctx.fillText(`${key} loss`, w - 4, 4 + 12 * k);
  });
  ctx.lineWidth = 1;
}

function drawHistogram(canvas, hist, color, empty) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const box = {left: 34, top: 4, width: w - 50, height: h - 30};
  if (!hist || !hist.counts.length) {
    ctx.fillStyle = "#444"; ctx.font = "10px system-ui, sans-serif"; ctx.textAlign = "left";
    ctx.textBaseline = "top"; ctx.fillText(empty, box.left, box.top + 10);
    return;
  }
  const top = Math.max(...hist.counts), lo = hist.edges[0], hi = hist.edges[hist.edges.length - 1];
  axes(ctx, box, scale(lo, hi, box.width), scale(0, top, box.height), "", "count");
  const bw = box.width / hist.counts.length;
  ctx.fillStyle = color;
  hist.counts.forEach((c, i) => ctx.fillRect(box.left + i * bw, box.top + box.height - c / top *
                                             box.height, bw - 1, c / top * box.height));
}

// A matrix as a grid of cells coloured by value (0 in the middle of the scale); hovering
// a cell shows "name[i, j] = value".
function drawMatrix(canvas, values, name) {
  const rows = Array.isArray(values[0]) ? values : [values];
  const n = rows.length, m = rows[0].length;
  const cell = Math.max(2, Math.min(8, Math.floor(200 / m), Math.floor(120 / n)));
  canvas.width = m * cell; canvas.height = n * cell;
  const ctx = canvas.getContext("2d");
  const top = Math.max(1e-12, ...rows.flat().map((v) => Math.abs(v)).filter(Number.isFinite));
  rows.forEach((row, i) => row.forEach((v, j) => {
    ctx.fillStyle = heat(0.5 + 0.5 * v / top);
    ctx.fillRect(j * cell, i * cell, cell - 1, cell - 1);
  }));
  hover(canvas, (x, y) => {
    const i = Math.floor(y / cell), j = Math.floor(x / cell);
    if (i >= n || j >= m) return "";
    return Array.isArray(values[0]) ? `${name}[${i}, ${j}] = ${fmt(rows[i][j], 4)}` :
      `${name}[${j}] = ${fmt(rows[0][j], 4)}`;
  });
}

// The tooltip: one element for the page, filled by whoever is under the mouse.
function hover(element, text) {
  element.onmousemove = (event) => {
    const r = element.getBoundingClientRect(), tip = document.getElementById("tip");
    const said = text(event.clientX - r.left, event.clientY - r.top);
    tip.textContent = said; tip.hidden = !said;
    tip.style.left = `${Math.min(event.pageX + 12, document.body.clientWidth - 260)}px`;
    tip.style.top = `${event.pageY + 12}px`;
  };
  element.onmouseleave = () => { document.getElementById("tip").hidden = true; };
}
