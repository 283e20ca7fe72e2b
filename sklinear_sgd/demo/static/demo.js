// The demo page: it sends what the user does to the server and draws the view
// that comes back. Every number shown is computed by the server.
"use strict";

(function () {
  const COLORS = ["#d95f02", "#1b9e77", "#7570b3"];
  const REGION_COLORS = [[253, 208, 162], [199, 233, 192], [218, 218, 235]];
  const $ = (id) => document.getElementById(id);

  let options = null;
  let view = null;
  let running = false;
  let queue = Promise.resolve();

  // -- talking to the server ------------------------------------------------

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) {
      const error = new Error(data.error || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // Requests run one after the other, so that the view always follows them;
  // the body's data-pending attribute counts those not yet answered.
  let pending = 0;

  function setPending(change) {
    pending += change;
    document.body.dataset.pending = String(pending);
  }

  function call(path, body) {
    setPending(+1);
    const run = async () => {
      try {
        return await send(path, body);
      } finally {
        setPending(-1);
      }
    };
    queue = queue.then(run, run);
    return queue;
  }

  async function send(path, body) {
    if (!view) return null;
    try {
      const data = await post(path, Object.assign({ session: view.session }, body));
      showMessage("");
      render(data);
      return data;
    } catch (error) {
      if (error.status === 404 && /session/i.test(error.message)) {
        await newSession();
        showMessage("The session had expired; a new one was started.");
      } else {
        showMessage(error.message);
      }
      return null;
    }
  }

  async function newSession() {
    const preset = $("preset").value || "separable";
    const body = { preset };
    // ?seed=N in the address makes the first weights reproducible.
    const seed = new URLSearchParams(window.location.search).get("seed");
    if (seed !== null && /^\d{1,9}$/.test(seed)) body.seed = Number(seed);
    const created = await post("/api/session", body);
    render(await post("/api/config", Object.assign({ session: created.session }, settings())));
  }

  function showMessage(text) {
    $("message").textContent = text;
  }

  // -- the controls ---------------------------------------------------------

  function settings() {
    const lr = $("learning_rate").value.trim();
    return {
      loss: $("loss").value,
      optimizer: $("optimizer").value,
      learning_rate: lr === "" ? null : Number(lr),
      alpha: Number($("alpha").value),
      batch_size: Number($("batch_size").value),
      margin: Number($("margin").value),
    };
  }

  function updateEnabled() {
    const opt = $("optimizer").value;
    const takesLr = options.takes_learning_rate.includes(opt);
    const takesBatch = options.takes_batch_size.includes(opt);
    $("learning_rate").disabled = !takesLr;
    $("lr-label").classList.toggle("disabled", !takesLr);
    $("batch_size").disabled = !takesBatch;
    $("batch-label").classList.toggle("disabled", !takesBatch);
    const svm = $("loss").value === "svm";
    $("margin").disabled = !svm;
    $("margin-label").classList.toggle("disabled", !svm);
  }

  function onSettingsChange() {
    updateEnabled();
    call("/api/config", settings());
  }

  let loopId = 0;

  function setRunning(on) {
    running = on;
    $("run").textContent = on ? "Pause" : "Run";
    $("run").classList.toggle("running", on);
    if (on) loop(++loopId);
  }

  async function loop(id) {
    while (running && id === loopId) {
      const data = await call("/api/step", { steps: 1 });
      if (!data) {
        setRunning(false);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
  }

  function selectedLabel() {
    return Number(document.querySelector('input[name="label"]:checked').value);
  }

  // -- drawing ----------------------------------------------------------------

  function toCanvas(x, y, canvas, limit) {
    return [
      ((x + limit) / (2 * limit)) * canvas.width,
      ((limit - y) / (2 * limit)) * canvas.height,
    ];
  }

  function fromCanvas(px, py, canvas, limit) {
    return [
      (px / canvas.width) * 2 * limit - limit,
      limit - (py / canvas.height) * 2 * limit,
    ];
  }

  function fmt(value, digits = 4) {
    if (value === null || value === undefined) return "\u2013";
    if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e4)) {
      return value.toExponential(2);
    }
    return Number(value.toPrecision(digits)).toString();
  }

  function drawPlot() {
    const canvas = $("plot");
    const ctx = canvas.getContext("2d");
    const { limit, size, regions } = view.grid;

    // The regions: one pixel a cell, scaled up without smoothing.
    const cells = document.createElement("canvas");
    cells.width = cells.height = size;
    const cctx = cells.getContext("2d");
    const image = cctx.createImageData(size, size);
    for (let i = 0; i < regions.length; i++) {
      const rgb = REGION_COLORS[regions.charCodeAt(i) - 48];
      image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
    }
    cctx.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(cells, 0, 0, canvas.width, canvas.height);

    // Axes.
    ctx.strokeStyle = "rgba(0, 0, 0, 0.25)";
    ctx.lineWidth = 1;
    const [ox, oy] = toCanvas(0, 0, canvas, limit);
    ctx.beginPath();
    ctx.moveTo(0, oy); ctx.lineTo(canvas.width, oy);
    ctx.moveTo(ox, 0); ctx.lineTo(ox, canvas.height);
    ctx.stroke();

    // Each class's line w.x + b = 0, with a tick towards its positive side.
    view.coef.forEach((w, k) => {
      const b = view.intercept[k];
      const norm2 = w[0] * w[0] + w[1] * w[1];
      if (norm2 < 1e-12) return;
      let p, q;
      if (Math.abs(w[1]) > Math.abs(w[0])) {
        p = [-limit, -(b - w[0] * limit) / w[1]];
        q = [limit, -(b + w[0] * limit) / w[1]];
      } else {
        p = [-(b - w[1] * limit) / w[0], -limit];
        q = [-(b + w[1] * limit) / w[0], limit];
      }
      ctx.strokeStyle = COLORS[k];
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(...toCanvas(p[0], p[1], canvas, limit));
      ctx.lineTo(...toCanvas(q[0], q[1], canvas, limit));
      ctx.stroke();
      const foot = [(-b * w[0]) / norm2, (-b * w[1]) / norm2];
      const norm = Math.sqrt(norm2);
      const tip = [foot[0] + (0.6 * w[0]) / norm, foot[1] + (0.6 * w[1]) / norm];
      ctx.beginPath();
      ctx.moveTo(...toCanvas(foot[0], foot[1], canvas, limit));
      ctx.lineTo(...toCanvas(tip[0], tip[1], canvas, limit));
      ctx.stroke();
    });

    // The points; misclassified ones with a black rim.
    const pts = view.points;
    for (let i = 0; i < pts.x.length; i++) {
      const [px, py] = toCanvas(pts.x[i], pts.y[i], canvas, limit);
      const wrong = pts.predicted[i] !== pts.label[i];
      ctx.beginPath();
      ctx.arc(px, py, 5, 0, 2 * Math.PI);
      ctx.fillStyle = COLORS[pts.label[i]];
      ctx.fill();
      ctx.lineWidth = wrong ? 2.5 : 1;
      ctx.strokeStyle = wrong ? "#000" : "#fff";
      ctx.stroke();
    }
  }

  function drawCurve() {
    const canvas = $("curve");
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const curve = view.curve;
    const left = 48, right = 10, top = 12, bottom = 26;
    const w = canvas.width - left - right, h = canvas.height - top - bottom;
    ctx.fillStyle = "#666";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("objective", 4, 10);
    if (curve.length === 0) {
      ctx.fillText("no points", left + 8, top + h / 2);
      return;
    }
    const high = Math.max(...curve);
    const low = Math.min(0, ...curve);
    const span = high - low || 1;
    const n = Math.max(curve.length - 1, 1);
    const x = (i) => left + (i / n) * w;
    const y = (v) => top + (1 - (v - low) / span) * h;
    ctx.strokeStyle = "#ccc";
    ctx.strokeRect(left, top, w, h);
    ctx.fillText(fmt(high, 3), 2, top + 8);
    ctx.fillText(fmt(low, 3), 2, top + h);
    ctx.fillText(`step ${view.curve_start}`, left, top + h + 16);
    const last = `step ${view.curve_start + curve.length - 1}`;
    ctx.fillText(last, left + w - ctx.measureText(last).width, top + h + 16);
    ctx.strokeStyle = "#333";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    curve.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
    ctx.stroke();
    ctx.fillStyle = "#333";
    ctx.beginPath();
    ctx.arc(x(curve.length - 1), y(curve[curve.length - 1]), 3, 0, 2 * Math.PI);
    ctx.fill();
  }

  function buildWeightsTable() {
    const body = $("weights").querySelector("tbody");
    for (let k = 0; k < 3; k++) {
      const row = document.createElement("tr");
      const head = document.createElement("th");
      head.textContent = String(k);
      head.className = `class-${k}`;
      row.appendChild(head);
      for (let j = 0; j < 3; j++) {
        const cell = document.createElement("td");
        const input = document.createElement("input");
        input.type = "text";
        input.inputMode = "decimal";
        input.id = j < 2 ? `w-${k}-${j}` : `b-${k}`;
        input.setAttribute("aria-label", j < 2 ? `w${j + 1} of class ${k}` : `b of class ${k}`);
        input.addEventListener("input", onWeightEdit);
        cell.appendChild(input);
        row.appendChild(cell);
      }
      body.appendChild(row);
    }
  }

  function onWeightEdit() {
    const coef = [], intercept = [];
    let valid = true;
    for (let k = 0; k < 3; k++) {
      const row = [];
      for (let j = 0; j < 3; j++) {
        const input = $(j < 2 ? `w-${k}-${j}` : `b-${k}`);
        const text = input.value.trim();
        const value = Number(text);
        const ok = text !== "" && Number.isFinite(value) && Math.abs(value) <= 1000;
        input.classList.toggle("invalid", !ok);
        valid = valid && ok;
        row.push(value);
      }
      coef.push(row.slice(0, 2));
      intercept.push(row[2]);
    }
    if (valid) call("/api/weights", { coef, intercept });
  }

  function render(data) {
    view = data;
    document.body.dataset.session = view.session;
    drawPlot();
    drawCurve();
    for (let k = 0; k < 3; k++) {
      const values = [view.coef[k][0], view.coef[k][1], view.intercept[k]];
      values.forEach((value, j) => {
        const input = $(j < 2 ? `w-${k}-${j}` : `b-${k}`);
        if (document.activeElement !== input) {
          input.value = fmt(value);
          input.classList.remove("invalid");
        }
      });
    }
    $("objective").textContent = fmt(view.objective, 6);
    $("data-loss").textContent = fmt(view.data_loss, 6);
    $("penalty").textContent = fmt(view.penalty, 4);
    $("accuracy").textContent = view.accuracy === null ? "\u2013" : `${(100 * view.accuracy).toFixed(1)} %`;
    $("steps").textContent = String(view.steps);
    $("n-points").textContent = String(view.points.x.length);
  }

  // -- hover ------------------------------------------------------------------

  function onHover(event) {
    const canvas = $("plot");
    const tip = $("tooltip");
    if (!view) return;
    const rect = canvas.getBoundingClientRect();
    const px = ((event.clientX - rect.left) / rect.width) * canvas.width;
    const py = ((event.clientY - rect.top) / rect.height) * canvas.height;
    const pts = view.points;
    let best = -1, bestDist = 81;
    for (let i = 0; i < pts.x.length; i++) {
      const [qx, qy] = toCanvas(pts.x[i], pts.y[i], canvas, view.grid.limit);
      const d = (qx - px) ** 2 + (qy - py) ** 2;
      if (d < bestDist) { best = i; bestDist = d; }
    }
    if (best < 0) {
      tip.hidden = true;
      return;
    }
    const scores = pts.scores[best].map((s) => fmt(s, 3)).join(", ");
    let text = `class ${pts.label[best]} (predicted ${pts.predicted[best]}) \u00b7 loss ${fmt(pts.loss[best], 4)} \u00b7 scores [${scores}]`;
    if (pts.proba) text += ` \u00b7 p [${pts.proba[best].map((p) => p.toFixed(3)).join(", ")}]`;
    tip.textContent = text;
    tip.hidden = false;
    tip.style.left = `${event.clientX - rect.left + 12}px`;
    tip.style.top = `${event.clientY - rect.top + 12}px`;
  }

  function onClick(event) {
    if (!view) return;
    const canvas = $("plot");
    const rect = canvas.getBoundingClientRect();
    const px = ((event.clientX - rect.left) / rect.width) * canvas.width;
    const py = ((event.clientY - rect.top) / rect.height) * canvas.height;
    const [x, y] = fromCanvas(px, py, canvas, view.grid.limit);
    const limit = view.grid.limit;
    call("/api/points", {
      x: Math.max(-limit, Math.min(limit, x)),
      y: Math.max(-limit, Math.min(limit, y)),
      label: selectedLabel(),
    });
  }

  // -- start --------------------------------------------------------------------

  async function start() {
    options = await (await fetch("/api/options")).json();
    for (const name of options.presets) {
      $("preset").add(new Option(name, name));
    }
    for (const name of options.optimizers) {
      $("optimizer").add(new Option(name, name));
    }
    $("optimizer").value = options.defaults.optimizer;
    $("batch_size").value = options.defaults.batch_size;
    buildWeightsTable();
    updateEnabled();
    for (const id of ["loss", "optimizer", "learning_rate", "alpha", "batch_size", "margin"]) {
      $(id).addEventListener("change", onSettingsChange);
    }
    $("preset").addEventListener("change", () => call("/api/reset", { preset: $("preset").value }));
    $("reset").addEventListener("click", () => call("/api/reset", { preset: $("preset").value }));
    $("step").addEventListener("click", () => call("/api/step", { steps: 1 }));
    $("run").addEventListener("click", () => setRunning(!running));
    $("randomize").addEventListener("click", () => call("/api/randomize", {}));
    $("plot").addEventListener("click", onClick);
    $("plot").addEventListener("mousemove", onHover);
    $("plot").addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
    try {
      await newSession();
      document.body.dataset.ready = "true";
    } catch (error) {
      showMessage(`Could not start a session: ${error.message}`);
    }
  }

  start();
})();
