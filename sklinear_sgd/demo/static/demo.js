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
  // A point being dragged: its index, where it is now, whether it has moved.
  let drag = null;
  // The point under the mouse (or the table row hovered): drawn with a ring.
  let highlight = -1;

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

  // The optimizers that cannot run with the chosen loss (as the server found
  // by trying them) are disabled, with the server's reason shown.
  function updateAvailable() {
    const loss = $("loss").value;
    const unavailable = (options.unavailable && options.unavailable[loss]) || {};
    const lossName = $("loss").selectedOptions[0].textContent;
    const notes = [];
    for (const option of $("optimizer").options) {
      const reason = unavailable[option.value];
      option.disabled = reason !== undefined;
      option.title = reason === undefined ? "" : `Not with the ${lossName} loss: ${reason}`;
      if (reason !== undefined) notes.push(`${option.value}: ${reason}`);
    }
    $("optimizer-note").textContent = notes.length
      ? `Not available with the ${lossName} loss: ${notes.join(" ")}`
      : "";
    $("optimizer-note").hidden = notes.length === 0;
    if (unavailable[$("optimizer").value] !== undefined) {
      const fallback = [...$("optimizer").options].find((o) => !o.disabled);
      const previous = $("optimizer").value;
      $("optimizer").value = unavailable[options.defaults.optimizer] === undefined
        ? options.defaults.optimizer
        : fallback.value;
      return `${previous} cannot run with the ${lossName} loss; switched to ${$("optimizer").value}.`;
    }
    return "";
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

  async function onSettingsChange() {
    const switched = updateAvailable();
    updateEnabled();
    await call("/api/config", settings());
    if (switched) showMessage(switched);
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
    const { limit, polygons } = view.regions;

    // The regions: the server's exact polygons, filled (smooth edges at any
    // size); each also stroked in its own colour, so that no seam shows.
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    polygons.forEach((polygon, k) => {
      if (polygon.length < 3) return;
      const rgb = REGION_COLORS[k];
      ctx.fillStyle = ctx.strokeStyle = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
      ctx.lineWidth = 1;
      ctx.beginPath();
      polygon.forEach(([x, y], i) => {
        const [px, py] = toCanvas(x, y, canvas, limit);
        if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      });
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    });

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

    // The points; misclassified ones with a black rim. A dragged point is
    // drawn where the mouse is until the server's view catches up.
    const pts = view.points;
    for (let i = 0; i < pts.x.length; i++) {
      const [x, y] = pointAt(i);
      const [px, py] = toCanvas(x, y, canvas, limit);
      const wrong = pts.predicted[i] !== pts.label[i];
      ctx.beginPath();
      ctx.arc(px, py, 5, 0, 2 * Math.PI);
      ctx.fillStyle = COLORS[pts.label[i]];
      ctx.fill();
      ctx.lineWidth = wrong ? 2.5 : 1;
      ctx.strokeStyle = wrong ? "#000" : "#fff";
      ctx.stroke();
      if (i === highlight) {
        ctx.beginPath();
        ctx.arc(px, py, 9, 0, 2 * Math.PI);
        ctx.lineWidth = 2;
        ctx.strokeStyle = "#000";
        ctx.stroke();
      }
    }
  }

  function pointAt(i) {
    if (drag && drag.index === i && drag.moved) return [drag.x, drag.y];
    return [view.points.x[i], view.points.y[i]];
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

  // The per-point table of the lecture demo: each point's coordinates, label,
  // scores, loss terms (the hinge's max(0, s_j - s_y + margin), or the
  // softmax's probabilities, L_i = -log p_y) and loss L_i, as the server sent
  // them. Built only while it is open.
  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  // A header row of [label, columns spanned] pairs (or labels).
  function headerRow(labels) {
    const row = document.createElement("tr");
    for (const item of labels) {
      const [label, span] = Array.isArray(item) ? item : [item, 1];
      const th = document.createElement("th");
      th.innerHTML = label;  // the page's own fixed labels, no data
      th.colSpan = span;
      row.appendChild(th);
    }
    return row;
  }

  function renderPointTable() {
    if (!$("point-details").open || !view) return;
    const table = $("point-table");
    const pts = view.points;
    const svm = view.settings.loss === "svm";
    const head = table.querySelector("thead");
    const termLabels = [0, 1, 2].map((j) => svm ? `j = ${j}` : `p<sub>${j}</sub>`);
    head.replaceChildren(
      headerRow([
        ["point", 4],
        ["scores s = W x + b", 3],
        [svm ? "max(0, s<sub>j</sub> &minus; s<sub>y</sub> + &Delta;)"
          : "p = softmax(s)", 3],
        svm ? "sum" : "&minus;log p<sub>y</sub>",
      ]),
      headerRow([
        "#", "x<sub>1</sub>", "x<sub>2</sub>", "y",
        "s<sub>0</sub>", "s<sub>1</sub>", "s<sub>2</sub>",
        ...termLabels,
        "L<sub>i</sub>",
      ]),
    );
    const body = document.createDocumentFragment();
    for (let i = 0; i < pts.x.length; i++) {
      const row = document.createElement("tr");
      row.dataset.index = String(i);
      if (pts.predicted[i] !== pts.label[i]) row.classList.add("wrong");
      if (i === highlight) row.classList.add("highlight");
      const label = pts.label[i];
      cell(row, String(i));
      cell(row, fmt(pts.x[i], 3));
      cell(row, fmt(pts.y[i], 3));
      cell(row, String(label), `class-${label}`);
      pts.scores[i].forEach((s, j) => cell(row, fmt(s, 4), j === label ? "own" : ""));
      const terms = svm ? pts.terms[i] : pts.proba[i];
      terms.forEach((t, j) => {
        if (t === null) cell(row, "\u2013", "none");
        else cell(row, fmt(t, 4), j === label ? "own" : "");
      });
      cell(row, fmt(pts.loss[i], 4), "own");
      body.appendChild(row);
    }
    table.querySelector("tbody").replaceChildren(body);
    const foot = document.createElement("tr");
    const td = cell(foot, pts.x.length
      ? `mean of L_i = data loss ${fmt(view.data_loss, 6)}; plus regularization ${fmt(view.penalty, 4)}: objective ${fmt(view.objective, 6)}`
      : "no points");
    td.colSpan = 11;
    td.style.textAlign = "left";
    table.querySelector("tfoot").replaceChildren(foot);
  }

  function setHighlight(index) {
    if (index === highlight) return;
    highlight = index;
    for (const row of $("point-table").querySelectorAll("tr.highlight")) {
      row.classList.remove("highlight");
    }
    if (index >= 0) {
      const row = $("point-table").querySelector(`tr[data-index="${index}"]`);
      if (row) row.classList.add("highlight");
    }
    if (view) drawPlot();
  }

  function render(data) {
    view = data;
    document.body.dataset.session = view.session;
    if (highlight >= view.points.x.length) highlight = -1;
    drawPlot();
    drawCurve();
    renderPointTable();
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

  // -- the mouse on the plot ------------------------------------------------

  function canvasPosition(event) {
    const canvas = $("plot");
    const rect = canvas.getBoundingClientRect();
    return [
      ((event.clientX - rect.left) / rect.width) * canvas.width,
      ((event.clientY - rect.top) / rect.height) * canvas.height,
      rect,
    ];
  }

  // The index of the point within 9 pixels of (px, py), or -1.
  function pointNear(px, py) {
    const canvas = $("plot");
    const pts = view.points;
    let best = -1, bestDist = 81;
    for (let i = 0; i < pts.x.length; i++) {
      const [qx, qy] = toCanvas(pts.x[i], pts.y[i], canvas, view.regions.limit);
      const d = (qx - px) ** 2 + (qy - py) ** 2;
      if (d < bestDist) { best = i; bestDist = d; }
    }
    return best;
  }

  function planePosition(px, py) {
    const limit = view.regions.limit;
    const [x, y] = fromCanvas(px, py, $("plot"), limit);
    const clamp = (v) => Math.max(-limit, Math.min(limit, v));
    return [clamp(x), clamp(y)];
  }

  function showTooltip(index, event, rect) {
    const tip = $("tooltip");
    if (index < 0) {
      tip.hidden = true;
      return;
    }
    const pts = view.points;
    const scores = pts.scores[index].map((s) => fmt(s, 3)).join(", ");
    let text = `#${index}: class ${pts.label[index]} (predicted ${pts.predicted[index]}) \u00b7 loss ${fmt(pts.loss[index], 4)} \u00b7 scores [${scores}]`;
    if (pts.proba) text += ` \u00b7 p [${pts.proba[index].map((p) => p.toFixed(3)).join(", ")}]`;
    tip.textContent = text;
    tip.hidden = false;
    tip.style.left = `${event.clientX - rect.left + 12}px`;
    tip.style.top = `${event.clientY - rect.top + 12}px`;
  }

  function deleting(event) {
    return event.shiftKey || $("delete-mode").checked;
  }

  // Press on a point: remove it (shift or delete mode) or start dragging it.
  // Press elsewhere and release without moving: add a point there.
  function onPointerDown(event) {
    if (!view || event.button !== 0) return;
    const [px, py] = canvasPosition(event);
    const index = pointNear(px, py);
    if (deleting(event)) {
      if (index >= 0) {
        setHighlight(-1);
        $("tooltip").hidden = true;
        call("/api/points/remove", { index });
      }
      return;
    }
    const [x, y] = planePosition(px, py);
    drag = { index, startX: px, startY: py, x, y, moved: false, sending: false, sent: null };
    $("plot").setPointerCapture(event.pointerId);
  }

  function sendMove() {
    // One move in flight at a time, the latest position next: the regions
    // follow the drag without queueing a request for every mouse event.
    if (!drag || drag.sending || drag.index < 0) return;
    const target = [drag.x, drag.y];
    if (drag.sent && drag.sent[0] === target[0] && drag.sent[1] === target[1]) return;
    const current = drag;
    current.sending = true;
    current.sent = target;
    call("/api/points/move", { index: current.index, x: target[0], y: target[1] }).then(() => {
      current.sending = false;
      if (drag === current) sendMove();
      else if (current.finished) finishMove(current);
    });
  }

  function finishMove(done) {
    // After the pointer is released: the last position, if not sent yet.
    if (done.sending) return;
    const sent = done.sent;
    if (!sent || sent[0] !== done.x || sent[1] !== done.y) {
      call("/api/points/move", { index: done.index, x: done.x, y: done.y });
    }
  }

  function onPointerMove(event) {
    if (!view) return;
    const [px, py, rect] = canvasPosition(event);
    const canvas = $("plot");
    if (drag && drag.index >= 0) {
      if (!drag.moved && (px - drag.startX) ** 2 + (py - drag.startY) ** 2 > 9) {
        drag.moved = true;
        canvas.classList.add("dragging");
      }
      if (drag.moved) {
        [drag.x, drag.y] = planePosition(px, py);
        $("tooltip").hidden = true;
        drawPlot();
        sendMove();
        return;
      }
    }
    const index = pointNear(px, py);
    canvas.classList.toggle("over-point", index >= 0);
    canvas.classList.toggle("deleting", deleting(event));
    setHighlight(index);
    showTooltip(index, event, rect);
  }

  function onPointerUp(event) {
    if (!drag) return;
    const done = drag;
    drag = null;
    $("plot").classList.remove("dragging");
    if (done.moved) {
      [done.x, done.y] = planePosition(...canvasPosition(event));
      done.finished = true;
      finishMove(done);
      return;
    }
    call("/api/points", { x: done.x, y: done.y, label: selectedLabel() });
  }

  function onPointerCancel() {
    if (drag && drag.moved) {
      drag.finished = true;
      finishMove(drag);
    }
    drag = null;
    $("plot").classList.remove("dragging");
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
    updateAvailable();
    updateEnabled();
    for (const id of ["loss", "optimizer", "learning_rate", "alpha", "batch_size", "margin"]) {
      $(id).addEventListener("change", onSettingsChange);
    }
    $("preset").addEventListener("change", () => call("/api/reset", { preset: $("preset").value }));
    $("reset").addEventListener("click", () => call("/api/reset", { preset: $("preset").value }));
    $("step").addEventListener("click", () => call("/api/step", { steps: 1 }));
    $("run").addEventListener("click", () => setRunning(!running));
    $("randomize").addEventListener("click", () => call("/api/randomize", {}));
    $("plot").addEventListener("pointerdown", onPointerDown);
    $("plot").addEventListener("pointermove", onPointerMove);
    $("plot").addEventListener("pointerup", onPointerUp);
    $("plot").addEventListener("pointercancel", onPointerCancel);
    $("plot").addEventListener("pointerleave", () => {
      $("tooltip").hidden = true;
      if (!drag) setHighlight(-1);
    });
    $("point-details").addEventListener("toggle", renderPointTable);
    $("point-table").addEventListener("mouseover", (event) => {
      const row = event.target.closest("tr[data-index]");
      if (row) setHighlight(Number(row.dataset.index));
    });
    $("point-table").addEventListener("mouseleave", () => setHighlight(-1));
    try {
      await newSession();
      document.body.dataset.ready = "true";
    } catch (error) {
      showMessage(`Could not start a session: ${error.message}`);
    }
  }

  start();
})();
