// Drives Debian's headless Chromium through playwright-core for the dashboard's end-to-end tests.
//
//   node dashboard-check.js live <aggregator web url> <identity header> <identity> <screenshot>
//     Opens /dashboard/ claiming the identity in the header on every request (the silo's
//     insecure-loopback mode; playwright's extraHTTPHeaders), waits until it is live, prints
//     `READY {"rounds":[...]}` (the test then starts a round), watches that round appear and
//     progress without a reload, waits for it to end and for its accuracy point, takes a
//     full-page screenshot and prints `RESULT {...}`.
//   node dashboard-check.js anonymous <aggregator web url>
//     Visits /dashboard/ without an identity and prints what it was answered as `RESULT {...}`.
//   node dashboard-check.js orleans <aggregator web url> <identity header> <identity> <screenshot>
//     Opens the Orleans Dashboard (/orleans/) claiming the identity, waits until its overview shows
//     the cluster's silos and activations, reads its counters (/orleans/DashboardCounters) from
//     the page, takes a screenshot and prints `RESULT {...}`.
//
// Every outcome is a `RESULT` line with "ok"; the C# test asserts on its fields.
'use strict';

const path = require('path');
const { chromium } = require(path.join(__dirname, 'node_modules', 'playwright-core'));

const CHROMIUM = process.env.FEDDISTILL_CHROMIUM || '/usr/bin/chromium';
// Per docs: headless, no sandbox (root in a container), no GPU, nothing phoning home.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const FINAL = ['completed', 'failed', 'cancelled'];
const ROUND_TIMEOUT_MS = 150_000;

function print(kind, value) { process.stdout.write(`${kind} ${JSON.stringify(value)}\n`); }

async function launch() {
  // playwright gives every launch a fresh temporary --user-data-dir.
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 60_000 });
}

async function live([url, header, identity, screenshot]) {
  const browser = await launch();
  const consoleErrors = [];
  try {
    // Every request of the page (documents, fetch, EventSource) carries the claimed identity.
    const context = await browser.newContext({
      extraHTTPHeaders: { [header]: identity },
      viewport: { width: 1400, height: 1000 },
    });
    const page = await context.newPage();
    page.on('console', message => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('pageerror', error => consoleErrors.push(String(error)));

    const response = await page.goto(`${url}/dashboard/`, { waitUntil: 'load' });
    const status = response.status();
    if (status !== 200) return { ok: false, error: `GET /dashboard/ answered ${status}`, body: await page.textContent('body') };
    await page.waitForFunction(() => window.feddistill && window.feddistill.ready, null, { timeout: 30_000 });

    // Remember this page load, and watch the rounds table's upload counts as the DOM changes.
    const before = await page.evaluate(() => {
      window.__firstLoad = performance.timeOrigin;
      window.__uploadsSeen = [];
      const record = () => {
        for (const row of document.querySelectorAll('#rounds tbody tr[data-round]')) {
          const cell = row.querySelector('td[data-uploads]');
          const entry = { round: Number(row.dataset.round), state: row.dataset.state, uploads: Number(cell?.dataset.uploads ?? -1), at: Date.now() };
          const last = window.__uploadsSeen.filter(e => e.round === entry.round).pop();
          if (!last || last.uploads !== entry.uploads || last.state !== entry.state) window.__uploadsSeen.push(entry);
        }
      };
      new MutationObserver(record).observe(document.querySelector('#rounds tbody'), { childList: true, subtree: true, characterData: true, attributes: true });
      record();
      return [...document.querySelectorAll('#rounds tbody tr[data-round]')].map(row => Number(row.dataset.round));
    });
    print('READY', { rounds: before });
    try {
      return await watchRound(page, before, screenshot, status, consoleErrors);
    } catch (error) {
      // What the page had seen, to explain the failure; and its picture.
      const probe = await page.evaluate(() => ({
        history: window.feddistill.history, events: window.feddistill.events, errors: window.feddistill.errors,
        rows: [...document.querySelectorAll('#rounds tbody tr')].map(r => r.outerHTML.slice(0, 400)),
        connection: document.getElementById('connection').dataset.state,
      })).catch(e => String(e));
      await page.screenshot({ path: screenshot.replace(/\.png$/, '.failure.png'), fullPage: true }).catch(() => {});
      return { ok: false, error: String(error && error.stack || error), consoleErrors, probe };
    }
  } finally {
    await browser.close();
  }
}

async function watchRound(page, before, screenshot, status, consoleErrors) {
  {

    const handle = await page.waitForFunction(known => {
      const row = [...document.querySelectorAll('#rounds tbody tr[data-round]')].find(r => !known.includes(Number(r.dataset.round)));
      return row ? Number(row.dataset.round) : null;
    }, before, { timeout: 60_000, polling: 50 });
    const round = await handle.jsonValue();

    await page.waitForFunction(([n, final]) => {
      const row = document.querySelector(`#rounds tbody tr[data-round="${n}"]`);
      return row && final.includes(row.dataset.state);
    }, [round, FINAL], { timeout: ROUND_TIMEOUT_MS, polling: 100 });
    const ended = await page.evaluate(n => document.querySelector(`#rounds tbody tr[data-round="${n}"]`).dataset.state, round);
    if (ended === 'completed') {
      await page.waitForFunction(() => Number(document.getElementById('chart-accuracy').dataset.points) >= 1
        && document.querySelector('#chart-accuracy canvas') !== null, null, { timeout: 10_000 });
    }
    await page.waitForTimeout(300); // let the last render settle before the picture
    await page.screenshot({ path: screenshot, fullPage: true });

    const seen = await page.evaluate(n => {
      const probe = window.feddistill;
      const row = document.querySelector(`#rounds tbody tr[data-round="${n}"]`);
      return {
        round: n,
        state: row.dataset.state,
        samePageLoad: window.__firstLoad === performance.timeOrigin,
        navigations: performance.getEntriesByType('navigation').length,
        domUploads: window.__uploadsSeen.filter(e => e.round === n),
        sseHistory: probe.history.filter(h => h.round === n && h.source === 'sse'),
        events: probe.events,
        pageErrors: probe.errors,
        connection: document.getElementById('connection').dataset.state,
        accuracyPoints: Number(document.getElementById('chart-accuracy').dataset.points),
        accuracyCanvas: document.querySelector('#chart-accuracy canvas') !== null,
        teacherSeries: Number(document.getElementById('chart-teacher-agreement').dataset.series),
        teacherWeightSeries: Number(document.getElementById('chart-teacher-weight').dataset.series),
        epochAccuracyPoints: Number(document.getElementById('chart-epoch-accuracy').dataset.points),
        epochAccuracySeries: Number(document.getElementById('chart-epoch-accuracy').dataset.series),
        epochAccuracyCanvas: document.querySelector('#chart-epoch-accuracy canvas') !== null,
        epochLossSeries: Number(document.getElementById('chart-epoch-loss').dataset.series),
        epochs: (probe.state.rounds.get(n).result?.studentEpochs || []),
        orleansLink: document.getElementById('orleans-link')?.getAttribute('href') ?? null,
        liveChartPoints: Number(document.getElementById('chart-live').dataset.points),
        studentAccuracy: row.querySelector('[data-student-accuracy]').dataset.studentAccuracy,
        participants: [...document.querySelectorAll('#participants tbody tr[data-participant]')].map(r => ({
          id: r.dataset.participant,
          status: r.querySelector('[data-status]').dataset.status,
          text: r.innerText,
        })),
        rejections: [...document.querySelectorAll('#rejections tbody tr')].map(r => [...r.cells].map(c => c.textContent)),
        rejectionReasons: Object.fromEntries([...document.querySelectorAll('#rejection-reasons [data-reason]')].map(e => [e.dataset.reason, Number(e.dataset.count)])),
        title: document.title,
      };
    }, round);
    return { ok: true, status, screenshot, consoleErrors, ...seen };
  }
}

async function anonymous([url]) {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${url}/dashboard/`, { waitUntil: 'load' });
    const body = await page.textContent('body');
    const refusal = await page.$('#refusal');
    const fetched = await page.evaluate(async () => {
      const answers = {};
      for (const path of ['/dashboard/api/events', '/dashboard/api/federation', '/dashboard/api/participants', '/dashboard/api/rounds',
        '/dashboard/api/rejections', '/dashboard/dashboard.js', '/orleans/', '/orleans/index.min.js', '/orleans/DashboardCounters',
        '/orleans/GrainState?grainId=x&grainType=y', '/metrics', '/healthz']) {
        const r = await fetch(path);
        answers[path] = { status: r.status, contentType: r.headers.get('content-type') };
      }
      return answers;
    });
    return { ok: true, status: response.status(), body, hasRefusal: refusal !== null, hasDashboardScript: (await page.$('script[src="dashboard.js"]')) !== null, fetched };
  } finally {
    await browser.close();
  }
}

async function orleans([url, header, identity, screenshot]) {
  const browser = await launch();
  const consoleErrors = [];
  try {
    const context = await browser.newContext({ extraHTTPHeaders: { [header]: identity }, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('console', message => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('pageerror', error => consoleErrors.push(String(error)));
    // Without the slash: the silo redirects, since the dashboard's links are relative.
    const response = await page.goto(`${url}/orleans`, { waitUntil: 'load' });
    const status = response.status();
    if (status !== 200) return { ok: false, error: `GET /orleans answered ${status}`, body: await page.textContent('body') };
    // The overview: info boxes with the active silos and the activations, once the first counters arrived.
    // textContent, not innerText: the dashboard's styles upper-case these titles.
    try {
      await page.waitForFunction(() => document.body.textContent.includes('Active Silos') && document.body.textContent.includes('Total Activations'),
        null, { timeout: 60_000, polling: 200 });
    } catch (error) {
      await page.screenshot({ path: screenshot.replace(/\.png$/, '.failure.png'), fullPage: true }).catch(() => {});
      return { ok: false, error: String(error && error.stack || error), consoleErrors, text: (await page.textContent('body')).slice(0, 4000) };
    }
    const counters = await page.evaluate(async () => {
      const r = await fetch('DashboardCounters', { headers: { Accept: 'application/json' } });
      return { status: r.status, body: r.ok ? await r.json() : await r.text() };
    });
    await page.waitForTimeout(1500); // a couple of counter updates, so that the charts have points
    await page.screenshot({ path: screenshot, fullPage: true });
    const boxes = await page.evaluate(() => [...document.querySelectorAll('.info-box')].map(box => box.textContent.replace(/\s+/g, ' ').trim()));
    return {
      ok: true, status, url: page.url(), title: await page.title(), screenshot, counters, boxes, consoleErrors,
      text: (await page.textContent('body')).slice(0, 4000),
    };
  } finally {
    await browser.close();
  }
}

(async () => {
  const [mode, ...rest] = process.argv.slice(2);
  const modes = { live, anonymous, orleans };
  if (!modes[mode]) {
    print('RESULT', { ok: false, error: `unknown mode '${mode}'; use live, anonymous or orleans` });
    process.exit(2);
  }
  try {
    const result = await modes[mode](rest);
    print('RESULT', result);
    process.exit(result.ok ? 0 : 1);
  } catch (error) {
    print('RESULT', { ok: false, error: String(error && error.stack || error) });
    process.exit(1);
  }
})();
