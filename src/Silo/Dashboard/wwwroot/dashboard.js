// The FedDistill dashboard: loads a snapshot from the aggregator's admin API, then applies the
// events of GET /dashboard/api/events (server-sent events) as they come. No framework, no network beyond
// the silo itself; charts with uPlot (served from the silo's build output, installed from npm).
'use strict';

(() => {
  const FINAL = new Set(['completed', 'failed', 'cancelled']);
  const COLORS = ['#2f5bd3', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8590c', '#1098ad', '#5f3dc4', '#c2255c', '#66a80f', '#495057'];

  const state = {
    federation: null,
    participants: new Map(), // participantId -> ParticipantInfo
    rounds: new Map(),       // round number -> RoundInfo
    live: new Map(),         // round number -> [{ t, uploads, progress }]
    rejections: { recent: [], countsByReason: {}, counted: 0 },
  };

  // What the page has seen, for the browser tests and for anyone debugging in the console.
  const probe = window.feddistill = { state, ready: false, events: {}, history: [], errors: [], renders: 0 };
  const charts = new Map(); // element id -> { plot, key }
  let renderPending = false;

  // ---- helpers -------------------------------------------------------------------------------
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined) continue;
      if (name === 'class') node.className = value;
      else if (name === 'style') node.setAttribute('style', value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const percent = value => (value === null || value === undefined) ? '–' : `${(100 * value).toFixed(1)} %`;
  const seconds = value => (value === null || value === undefined) ? '–' : value < 10 ? `${value.toFixed(1)} s` : value < 600 ? `${Math.round(value)} s` : `${(value / 60).toFixed(1)} min`;
  function bytes(value) {
    if (value === null || value === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
  }
  function ago(iso) {
    if (!iso) return 'never';
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    return s < 60 ? `${Math.round(s)} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : new Date(iso).toLocaleString();
  }
  const time = iso => iso ? new Date(iso).toLocaleTimeString() : '–';

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return response.json();
  }

  function fail(message) {
    probe.errors.push(String(message));
    console.error(message);
  }

  // ---- state ---------------------------------------------------------------------------------
  // How far a round has come: a snapshot answered before a later event arrived must not undo it.
  const STATE_ORDER = { open: 0, distilling: 1, completed: 2, failed: 2, cancelled: 2 };
  const rank = round => (STATE_ORDER[round.state] ?? 0) * 1e6 + round.uploaded.length * 1e3 + Math.round(999 * (round.distillProgress || 0));

  function applyRound(round, source) {
    round.state = String(round.state).toLowerCase(); // the API sends the enum's name, e.g. "Completed"
    const known = state.rounds.get(round.round);
    if (source === 'snapshot' && known && rank(known) > rank(round)) return;
    state.rounds.set(round.round, round);
    const points = state.live.get(round.round) || [];
    const progress = round.state === 'completed' ? 1 : (round.distillProgress ?? (round.state === 'open' ? 0 : null));
    const t = Math.max(0, (Date.now() - Date.parse(round.openedAt)) / 1000);
    const last = points[points.length - 1];
    if (!last || last.uploads !== round.uploaded.length || last.progress !== progress || !FINAL.has(round.state)) {
      points.push({ t: last && t < last.t ? last.t : t, uploads: round.uploaded.length, progress });
    }
    state.live.set(round.round, points);
    probe.history.push({ round: round.round, state: round.state, uploads: round.uploaded.length, progress: round.distillProgress ?? null, source, at: Date.now() });
  }

  async function loadSnapshot() {
    const [federation, participants, rounds, rejections] = await Promise.all([
      getJson('/dashboard/api/federation'), getJson('/dashboard/api/participants'), getJson('/dashboard/api/rounds'), getJson('/dashboard/api/rejections?limit=50'),
    ]);
    state.federation = federation;
    state.participants = new Map(participants.map(p => [p.participantId, p]));
    for (const round of rounds) applyRound(round, 'snapshot');
    state.rejections = rejections;
    schedule();
  }

  function count(type) { probe.events[type] = (probe.events[type] || 0) + 1; }

  function setConnection(name, text) {
    const node = document.getElementById('connection');
    node.dataset.state = name;
    node.textContent = text || name;
  }

  function connect() {
    const source = new EventSource('/dashboard/api/events');
    const on = (type, handler) => source.addEventListener(type, event => {
      count(type);
      try { handler(event.data ? JSON.parse(event.data) : null); } catch (error) { fail(`${type}: ${error}`); }
    });
    on('ready', async () => {
      setConnection('live');
      try {
        await loadSnapshot();
        // Ready means shown: render the snapshot now rather than after schedule()'s delay, so
        // whoever waits for ready (the browser tests) reads the tables the snapshot fills.
        render();
        probe.ready = true;
      } catch (error) {
        fail(error);
      }
    });
    on('heartbeat', () => setConnection('live'));
    on('round', round => { applyRound(round, 'sse'); if (FINAL.has(round.state)) refreshRejections(); schedule(); });
    on('upload', () => {}); // the round event that follows carries the new upload
    on('participant', participant => { state.participants.set(participant.participantId, participant); schedule(); });
    on('rejection', rejection => {
      state.rejections.recent = [rejection, ...state.rejections.recent].slice(0, 50);
      state.rejections.countsByReason[rejection.reason] = (state.rejections.countsByReason[rejection.reason] || 0) + 1;
      state.rejections.counted++;
      schedule();
    });
    source.onerror = () => {
      // EventSource reconnects by itself (the server asks for 3 s); a refusal closes it for good.
      if (source.readyState === EventSource.CLOSED) setConnection('refused', 'disconnected: reload with the admin certificate');
      else setConnection('reconnecting');
    };
  }

  async function refreshRejections() {
    try { state.rejections = await getJson('/dashboard/api/rejections?limit=50'); schedule(); } catch (error) { fail(error); }
  }

  // ---- rendering -----------------------------------------------------------------------------
  function schedule() {
    if (renderPending) return;
    renderPending = true;
    setTimeout(() => { renderPending = false; render(); }, 30);
  }

  function sortedRounds() { return [...state.rounds.values()].sort((a, b) => a.round - b.round); }
  function completedRounds() { return sortedRounds().filter(r => r.state === 'completed' && r.result); }

  function render() {
    probe.renders++;
    // Each part on its own, so that one failing part leaves the others current.
    for (const part of [renderHeader, renderParticipants, renderCurrent, renderRounds, renderCharts, renderRejections]) {
      try { part(); } catch (error) { fail(`${part.name}: ${error && error.stack || error}`); }
    }
  }

  function renderHeader() {
    const f = state.federation;
    if (!f) return;
    document.getElementById('federation-name').textContent = f.name;
    document.title = `FedDistill: ${f.name}`;
    document.getElementById('federation-meta').textContent =
      `public set ${f.examples ?? '?'} examples · fingerprint ${String(f.publicSetFingerprint || '').slice(0, 12)}… · student v${f.studentVersion ?? 0}` +
      (f.privacy ? ` · privacy: spent ε = ${epsilon(f.privacy.spentEpsilon)} of ${epsilon(f.privacy.budgetEpsilon)} (δ = ${f.privacy.delta})` : '');
  }

  // ε to four significant digits, as the console prints it.
  function epsilon(value) {
    return value == null ? '–' : Number(value).toPrecision(4).replace(/\.?0+$/, '');
  }

  function latestWeights() {
    const latest = completedRounds().pop();
    const weights = new Map();
    for (const teacher of latest?.result?.teachers || []) weights.set(teacher.participantId, (weights.get(teacher.participantId) || 0) + (teacher.weight || 0));
    return { weights, round: latest?.round };
  }

  function renderParticipants() {
    const body = document.querySelector('#participants tbody');
    const { weights, round } = latestWeights();
    const rows = [...state.participants.values()].sort((a, b) => a.participantId.localeCompare(b.participantId)).map(p => {
      const report = p.lastReport;
      const teachers = report?.teachers || [];
      const examples = teachers.reduce((sum, t) => sum + (t.privateExamples || 0), 0);
      const status = report ? `${report.status}${report.round ? ` (round ${report.round}${report.progress != null ? `, ${percent(report.progress)}` : ''})` : ''}` : 'no report yet';
      return el('tr', { 'data-participant': p.participantId },
        el('td', {}, el('strong', {}, p.participantId), el('div', { class: 'muted' }, p.displayName)),
        el('td', { 'data-status': report?.status || '' }, status),
        el('td', { title: p.lastSeenAt || '' }, ago(p.lastSeenAt)),
        el('td', {}, teachers.length === 0 ? '–' : teachers.map(t => el('div', { title: `class counts: ${(t.classCounts || []).join(', ')}` },
          `${t.teacherId} (${t.model}, ${Number(t.parameters).toLocaleString()} params${t.localAccuracy != null ? `, local acc. ${percent(t.localAccuracy)}` : ''})`))),
        el('td', { class: 'num' }, examples ? examples.toLocaleString() : '–'),
        el('td', { class: 'num', title: round ? `from round ${round}` : '' }, weights.has(p.participantId) ? percent(weights.get(p.participantId)) : '–'));
    });
    body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No participants admitted.'))]));
  }

  function uploadsCell(round) {
    const ids = [...new Set([...state.participants.keys(), ...round.uploaded])].sort();
    const uploaded = new Set(round.uploaded);
    return el('td', { 'data-uploads': round.uploaded.length },
      el('div', {}, `${round.uploaded.length} / ${ids.length}`),
      ids.map(id => el('span', { class: uploaded.has(id) ? 'chip done' : 'chip', title: uploaded.has(id) ? 'uploaded' : 'not uploaded' }, `${uploaded.has(id) ? '✓' : '…'} ${id}`)));
  }

  function progressCell(round) {
    const progress = round.state === 'completed' ? 1 : round.distillProgress;
    if (progress === null || progress === undefined) return el('td', { 'data-progress': '' }, round.state === 'open' ? 'waiting for uploads' : '–');
    return el('td', { 'data-progress': progress.toFixed(3) }, el('span', { class: 'bar' }, el('span', { style: `width:${(100 * progress).toFixed(1)}%` })), ` ${percent(progress)}`);
  }

  function renderCurrent() {
    const container = document.getElementById('current-round');
    const rounds = sortedRounds();
    const current = rounds.filter(r => !FINAL.has(r.state)).pop() || rounds[rounds.length - 1];
    if (!current) return;
    const uploaded = new Set(current.uploaded);
    const s = current.settings || {};
    container.classList.remove('muted');
    container.replaceChildren(
      el('div', { 'data-round': current.round, 'data-state': current.state },
        el('strong', {}, `Round ${current.round} `), el('span', { class: `state state-${current.state}` }, current.state),
        ` · ${s.strategy}, T=${s.temperature}, quorum ${s.quorum}, deadline ${time(current.deadline)}, ${s.studentEpochs} student epochs${s.fineTuneEpochs ? `, co-distillation (${s.fineTuneEpochs} digest epochs)` : ''}`,
        current.failureReason ? el('div', { class: 'muted' }, current.failureReason) : null),
      el('div', { class: 'participants' }, [...state.participants.values()].map(p => {
        const report = p.lastReport;
        const working = report && report.round === current.round && !uploaded.has(p.participantId) ? ` – ${report.status}${report.progress != null ? ` ${percent(report.progress)}` : ''}` : '';
        return el('span', { class: uploaded.has(p.participantId) ? 'chip done' : 'chip', 'data-participant': p.participantId },
          `${uploaded.has(p.participantId) ? '✓ uploaded' : '… waiting'}: ${p.participantId}${working}`);
      })));
    const points = state.live.get(current.round) || [];
    drawChart('chart-live', [points.map(p => p.t), points.map(p => p.uploads), points.map(p => p.progress === null ? null : 100 * p.progress)],
      [{ label: 'uploads', scale: 'n' }, { label: 'distillation %', scale: '%' }],
      { x: 'seconds since opened', axes: [{ scale: 'n', label: 'uploads' }, { scale: '%', label: '%', side: 1 }], stepped: true });
  }

  function renderRounds() {
    const body = document.querySelector('#rounds tbody');
    const rows = sortedRounds().reverse().map(round => {
      const result = round.result;
      const duration = round.closedAt ? (Date.parse(round.closedAt) - Date.parse(round.openedAt)) / 1000 : (Date.now() - Date.parse(round.openedAt)) / 1000;
      return el('tr', { 'data-round': round.round, 'data-state': round.state },
        el('td', { class: 'num' }, round.round),
        el('td', {}, el('span', { class: `state state-${round.state}` }, round.state), round.failureReason ? el('div', { class: 'muted' }, round.failureReason) : null),
        uploadsCell(round),
        progressCell(round),
        el('td', {}, time(round.openedAt)),
        el('td', { class: 'num' }, seconds(duration)),
        el('td', { class: 'num' }, seconds(result?.distillSeconds)),
        el('td', { class: 'num', 'data-student-accuracy': result?.studentAccuracy ?? '' }, percent(result?.studentAccuracy)),
        el('td', { class: 'num' }, percent(result?.ensembleAccuracy)),
        el('td', { class: 'num' }, result ? `${bytes(result.uploadedBytes)} / ${bytes(result.downloadedBytes)}` : '–'),
        el('td', { class: 'num', 'data-epsilon': result?.epsilon ?? '', title: result?.answeredExamples != null ? `${result.answeredExamples} public examples answered` : '' },
          result?.epsilon != null ? `${epsilon(result.epsilon)} (δ ${result.delta})` : '–'));
    });
    body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 11, class: 'muted' }, 'No rounds yet.'))]));
  }

  function teacherSeries(rounds, value) {
    const keys = [...new Set(rounds.flatMap(r => r.result.teachers.map(t => `${t.participantId}/${t.teacherId}`)))].sort();
    const columns = keys.map(key => rounds.map(r => {
      const teacher = r.result.teachers.find(t => `${t.participantId}/${t.teacherId}` === key);
      const v = teacher ? value(teacher) : null;
      return v === null || v === undefined ? null : 100 * v;
    }));
    return { keys, columns };
  }

  function renderCharts() {
    const rounds = completedRounds();
    const x = rounds.map(r => r.round);
    drawChart('chart-accuracy', [x, rounds.map(r => r.result.studentAccuracy == null ? null : 100 * r.result.studentAccuracy), rounds.map(r => r.result.ensembleAccuracy == null ? null : 100 * r.result.ensembleAccuracy)],
      [{ label: 'student %' }, { label: 'ensemble %' }], { x: 'round' });
    drawChart('chart-loss', [x, rounds.map(r => r.result.finalLoss)], [{ label: 'student loss' }], { x: 'round' });
    const accuracy = teacherSeries(rounds, t => t.validationAccuracy);
    drawChart('chart-teacher-accuracy', [x, ...accuracy.columns], accuracy.keys.map(label => ({ label: `${label} %` })), { x: 'round' });
    const agreement = teacherSeries(rounds, t => t.agreement);
    drawChart('chart-teacher-agreement', [x, ...agreement.columns], agreement.keys.map(label => ({ label: `${label} %` })), { x: 'round' });
    const weight = teacherSeries(rounds, t => t.weight);
    drawChart('chart-teacher-weight', [x, ...weight.columns], weight.keys.map(label => ({ label: `${label} %` })), { x: 'round' });
    renderEpochCharts(rounds);
    drawChart('chart-bytes', [x, rounds.map(r => r.result.uploadedBytes / 1024), rounds.map(r => r.result.downloadedBytes / 1024)],
      [{ label: 'uploaded KiB' }, { label: 'downloaded KiB' }], { x: 'round' });
  }

  // The student's curve within each of the latest rounds: one series per round, epochs on x.
  const EPOCH_ROUNDS = 5;
  function renderEpochCharts(rounds) {
    const recent = rounds.filter(r => (r.result.studentEpochs || []).length > 0).slice(-EPOCH_ROUNDS);
    const x = [...new Set(recent.flatMap(r => r.result.studentEpochs.map(e => e.epoch)))].sort((a, b) => a - b);
    const column = (round, value) => {
      const byEpoch = new Map(round.result.studentEpochs.map(e => [e.epoch, e]));
      return x.map(epoch => { const v = byEpoch.has(epoch) ? value(byEpoch.get(epoch)) : null; return v === null || v === undefined ? null : v; });
    };
    drawChart('chart-epoch-accuracy', [x, ...recent.map(r => column(r, e => e.accuracy == null ? null : 100 * e.accuracy))],
      recent.map(r => ({ label: `round ${r.round} %` })), { x: 'epoch' });
    drawChart('chart-epoch-loss', [x, ...recent.map(r => column(r, e => e.loss))], recent.map(r => ({ label: `round ${r.round} loss` })), { x: 'epoch' });
  }

  function drawChart(id, data, series, options) {
    const container = document.getElementById(id);
    container.dataset.points = String(data[0].length);
    container.dataset.series = String(series.length);
    const key = JSON.stringify([data, series.map(s => s.label), container.clientWidth]);
    const existing = charts.get(id);
    if (existing && existing.key === key) return;
    if (existing?.plot) existing.plot.destroy();
    charts.delete(id);
    if (data[0].length === 0) {
      container.replaceChildren(el('div', { class: 'empty' }, 'No data yet.'));
      return;
    }
    if (typeof window.uPlot !== 'function') {
      container.replaceChildren(el('div', { class: 'empty' }, 'Chart library missing (run ./run build to install it); the tables above have the numbers.'));
      charts.set(id, { plot: null, key });
      return;
    }
    container.replaceChildren();
    const scales = { x: { time: false, range: (u, min, max) => min === max ? [min - 1, max + 1] : [min, max] } };
    // Rounds are whole numbers: no ticks between them.
    const axes = [options.x === 'round' ? { label: options.x, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : { label: options.x }];
    for (const axis of options.axes || [{ label: '' }]) {
      axes.push({ scale: axis.scale, label: axis.label, side: axis.side ?? 3, grid: { show: axis.side !== 1 } });
      if (axis.scale) scales[axis.scale] = axis.scale === '%' ? { auto: false, range: [0, 100] } : { auto: true };
    }
    const plot = new window.uPlot({
      width: Math.max(320, container.clientWidth || 420),
      height: 220,
      scales,
      axes,
      legend: { live: false },
      series: [{ label: options.x }, ...series.map((s, i) => ({
        label: s.label,
        scale: s.scale,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        spanGaps: true,
        points: { show: data[0].length <= 30, size: 6 },
        paths: options.stepped && window.uPlot.paths?.stepped ? window.uPlot.paths.stepped({ align: 1 }) : undefined,
      }))],
    }, data, container);
    charts.set(id, { plot, key });
  }

  function renderRejections() {
    const counts = Object.entries(state.rejections.countsByReason || {}).sort((a, b) => b[1] - a[1]);
    const container = document.getElementById('rejection-reasons');
    const max = Math.max(1, ...counts.map(c => c[1]));
    container.classList.toggle('muted', counts.length === 0);
    container.replaceChildren(...(counts.length === 0 ? ['None.'] : counts.map(([reason, n]) =>
      el('div', { class: 'reason', 'data-reason': reason, 'data-count': n }, el('span', {}, reason),
        el('span', { class: 'bar' }, el('span', { style: `width:${(100 * n / max).toFixed(1)}%` })), el('span', { class: 'num' }, n)))));
    const body = document.querySelector('#rejections tbody');
    body.replaceChildren(...state.rejections.recent.slice(0, 20).map(r => el('tr', {},
      el('td', {}, time(r.at)), el('td', {}, r.participantId || '–'), el('td', { class: 'num' }, r.round ?? '–'),
      el('td', {}, r.reason), el('td', { class: 'muted' }, r.detail))));
  }

  setInterval(() => { if (probe.ready) { renderParticipants(); renderRounds(); } }, 5000);
  window.addEventListener('resize', schedule);
  connect();
})();
