// tinynet playground: "look at one step". Per optimizer: per layer a table of the next
// mini-batch's quantities (formula, shape, the matrix as a colour grid with a few values;
// hover a cell for its value), then the update it is about to make, in the article's
// symbols with their current numbers.
"use strict";

const SYMBOLS = {lr: "η (lr)", t: "t, the step about to be made",
                 "mean eta_eff (layer 1 W)": "η_eff of W[1], the mean"};

function firstValues(values, count = 4) {
  const flat = Array.isArray(values) ? values.flat(2) : [values];
  return flat.slice(0, count).map((v) => fmt(v, 4)).join(", ") +
    (flat.length > count ? ", …" : "");
}

function renderLook(passes) {
  const out = document.getElementById("look-output");
  out.innerHTML = "";
  for (const pass of passes) {
    const block = document.createElement("div");
    block.className = "look-pass";
    const heading = document.createElement("h3");
    heading.textContent = `${pass.name}: the next mini-batch (${pass.batch} samples), loss ` +
      (pass.loss === null ? "not a number" : pass.loss.toFixed(4));
    block.append(heading);
    for (const layer of pass.layers) {
      const table = document.createElement("table");
      table.className = "look-table";
      table.innerHTML = `<caption>layer ${layer.l}</caption><tr><th>quantity</th>` +
        "<th>formula</th><th>shape</th><th>values (hover a cell)</th></tr>";
      for (const row of layer.rows) {
        const tr = table.insertRow();
        tr.insertCell().textContent = row.quantity;
        tr.insertCell().textContent = row.formula;
        tr.insertCell().textContent = `(${row.shape.join(", ")})`;
        const cell = tr.insertCell();
        const canvas = document.createElement("canvas");
        canvas.className = "matrix";
        drawMatrix(canvas, row.values, row.quantity === "update" ? `ΔW[${layer.l}]` :
                   `${row.quantity}[${layer.l}]`);
        const few = document.createElement("div");
        few.className = "few"; few.textContent = firstValues(row.values);
        cell.append(canvas, few);
      }
      block.append(table);
    }
    const update = document.createElement("div");
    update.className = "look-update";
    const formula = document.createElement("pre");
    formula.textContent = pass.formula || "(no formula in the optimizer's docstring)";
    const numbers = document.createElement("table");
    numbers.className = "look-numbers";
    const rows = {...pass.hyperparameters, ...pass.numbers};
    numbers.innerHTML = "<tr><th>symbol</th><th>value now</th></tr>";
    for (const [key, value] of Object.entries(rows)) {
      const tr = numbers.insertRow();
      tr.insertCell().textContent = SYMBOLS[key] || key;
      tr.insertCell().textContent = typeof value === "number" ? fmt(value, 6) : String(value);
    }
    const title = document.createElement("h4");
    title.textContent = `step ${pass.numbers.t}, the update ${pass.name} is about to make`;
    update.append(title, formula, numbers);
    block.append(update);
    out.append(block);
  }
}
