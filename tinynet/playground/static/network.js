// tinynet playground: the network view. Columns of neurons (inputs, hidden layers, the two
// outputs); each neuron is a small canvas showing its output over the input plane, in the
// page's colour scale (blue low, red high, scaled per column); each weight is a line whose
// width shows |w| and whose colour its sign. Hover a square or a line for its values.
"use strict";

const NET = {width: 330, height: 230, pad: 6};
const SIGN_COLORS = {positive: "#f59322", negative: "#0877bd"};

function drawNetwork(box, net, features) {
  const columns = net.columns, L = columns.length;
  const most = Math.max(...columns.map((c) => c.neurons.length));
  const size = Math.max(3, Math.min(26, Math.floor((NET.height - 12 - NET.pad) / most) - 3));
  const gap = (NET.width - 2 * NET.pad - size) / (L - 1);
  const centre = (k, j, count) => {
    const used = count * (size + 3) - 3, top = 12 + (NET.height - 12 - used) / 2;
    return [NET.pad + k * gap + size / 2, top + j * (size + 3) + size / 2];
  };
  let svg = box.querySelector("svg");
  if (!svg || box.dataset.shape !== columns.map((c) => c.neurons.length).join(",")) {
    box.innerHTML = "";  // a new shape of network: build the squares again
    box.dataset.shape = columns.map((c) => c.neurons.length).join(",");
    svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", NET.width); svg.setAttribute("height", NET.height);
    box.append(svg);
    columns.forEach((column, k) => column.neurons.forEach((_, j) => {
      const canvas = document.createElement("canvas");
      const kind = k === 0 ? "input" : k === L - 1 ? "output" : "hidden";
      canvas.className = `neuron ${kind}`;
      canvas.width = net.grid; canvas.height = net.grid;
      const [x, y] = centre(k, j, column.neurons.length);
      Object.assign(canvas.style, {left: `${x - size / 2}px`, top: `${y - size / 2}px`,
                                   width: `${size}px`, height: `${size}px`});
      canvas.dataset.column = k; canvas.dataset.neuron = j;
      box.append(canvas);
    }));
  }
  svg.innerHTML = "";
  columns.forEach((_, k) => {  // a caption over each column
    const text = document.createElementNS("http://www.w3.org/2000/svg", "text");
    const anchor = k === 0 ? "start" : k === L - 1 ? "end" : "middle";
    const x = k === 0 ? 0 : k === L - 1 ? NET.width : NET.pad + k * gap + size / 2;
    Object.entries({x, y: 9, "text-anchor": anchor,
                    "font-size": 10, fill: "#555"}).forEach(([a, v]) => text.setAttribute(a, v));
    text.textContent = k === 0 ? "inputs" : k === L - 1 ? "outputs" : `layer ${k}`;
    svg.append(text);
  });
  net.weights.forEach((W, l) => {  // W[l] joins column l to column l + 1
    const top = Math.max(1e-12, ...W.flat().map(Math.abs));
    W.forEach((row, i) => row.forEach((w, j) => {
      const [x1, y1] = centre(l, i, W.length), [x2, y2] = centre(l + 1, j, row.length);
      const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      Object.entries({x1, y1, x2, y2, "stroke-width": 0.3 + 3 * Math.abs(w) / top,
                      stroke: w >= 0 ? SIGN_COLORS.positive : SIGN_COLORS.negative,
                      "stroke-opacity": 0.75}).forEach(([k, v]) => line.setAttribute(k, v));
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = `W[${l + 1}][${i}, ${j}] = ${fmt(w, 4)} (from ${name(l, i)} ` +
                          `to ${name(l + 1, j)})`;
      line.append(title); svg.append(line);
    }));
  });
  function name(k, j) {
    if (k === 0) return features[j];
    return k === L - 1 ? `output ${j} (P(class ${j}))` : `neuron ${j + 1} of layer ${k}`;
  }
  box.querySelectorAll("canvas.neuron").forEach((canvas) => {
    const k = Number(canvas.dataset.column), j = Number(canvas.dataset.neuron);
    const column = columns[k], values = column.neurons[j], n = net.grid;
    const span = column.hi > column.lo ? column.hi - column.lo : 1;
    const ctx = canvas.getContext("2d");
    values.forEach((v, i) => {
      ctx.fillStyle = heat((v - column.lo) / span);
      ctx.fillRect(i % n, n - 1 - Math.floor(i / n), 1, 1);
    });
    let low = Infinity, high = -Infinity;
    values.forEach((v) => { low = Math.min(low, v); high = Math.max(high, v); });
    hover(canvas, () => `${name(k, j)}: output from ${fmt(low, 3)} to ${fmt(high, 3)} over ` +
                        `the plane (column from ${fmt(column.lo, 3)} to ${fmt(column.hi, 3)})`);
  });
}
