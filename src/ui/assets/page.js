// The page's only script: zoom and pan, tracing what a task waits on, the
// side panel, and (on the live page) the run's state as it changes. It reads
// its data from the JSON block beside it and writes every value as text
// (textContent), never as markup.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('specdag-data').textContent);
  var live = data.mode === 'live';
  var token = new URLSearchParams(location.search).get('token') || '';
  var root = document.documentElement;
  root.classList.add('js');
  var svg = document.getElementById('graph');
  var viewport = document.getElementById('viewport');
  var ruler = document.getElementById('ruler');
  var panel = document.getElementById('panel');
  var W = Number(svg.getAttribute('data-width'));
  var H = Number(svg.getAttribute('data-height'));
  var TOP = Number(svg.getAttribute('data-top'));

  var tasks = Object.create(null);
  data.tasks.forEach(function (t) { tasks[t.id] = t; });
  var nodes = Object.create(null);
  svg.querySelectorAll('g.node').forEach(function (g) { nodes[g.getAttribute('data-task-id')] = g; });

  // What each task waits on and what waits on it, as drawn (depends_on and the order the plan adds).
  var edges = Array.prototype.slice.call(svg.querySelectorAll('path.edge'));
  var up = Object.create(null);
  var down = Object.create(null);
  edges.forEach(function (e) {
    var from = e.getAttribute('data-from');
    var to = e.getAttribute('data-to');
    (up[to] = up[to] || []).push(from);
    (down[from] = down[from] || []).push(to);
  });

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function api(path) {
    return path + (path.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(token);
  }
  function minutes(m) {
    var h = Math.floor(m / 60);
    var r = m % 60;
    return h === 0 ? r + 'm' : r === 0 ? h + 'h' : h + 'h' + r + 'm';
  }

  /* ------------------------------------------------------ zoom and pan */

  var view = { x: 0, y: 0, k: 1 };
  var MIN_K = 0.01;
  var MAX_K = 3;
  var frame = 0;

  function size() {
    return { w: viewport.clientWidth || 1, h: viewport.clientHeight || 1 };
  }
  function apply() {
    frame = 0;
    var s = size();
    svg.setAttribute('viewBox', [view.x, view.y, s.w / view.k, s.h / view.k].map(function (n) { return Math.round(n * 100) / 100; }).join(' '));
    svg.classList.toggle('far', view.k < 0.4);
    drawRuler(s);
  }
  function schedule() {
    if (!frame) frame = requestAnimationFrame(apply);
  }
  /** The height of the band and wave names over the top of the graph. */
  var RULER = 46;
  // While the whole graph is shown (until the reader zooms or pans), it stays
  // whole when the window or the panel changes the room it has.
  var fitted = false;
  /** The whole graph, centred across and from the top down, below the band names. */
  function fitAll() {
    fitted = true;
    var s = size();
    var k = Math.max(MIN_K, Math.min(s.w / W, (s.h - RULER) / H, 1.2));
    view.k = k;
    view.x = (W - s.w / k) / 2;
    // The graph keeps room for its own labels above the nodes; the ruler shows them instead.
    view.y = Math.min(0, (TOP * k - RULER) / k);
    schedule();
  }
  function zoomAt(px, py, factor) {
    fitted = false;
    var k = Math.min(MAX_K, Math.max(MIN_K, view.k * factor));
    var wx = view.x + px / view.k;
    var wy = view.y + py / view.k;
    view.k = k;
    view.x = wx - px / k;
    view.y = wy - py / k;
    schedule();
  }
  function zoomCentre(factor) {
    var s = size();
    zoomAt(s.w / 2, s.h / 2, factor);
  }
  /** Brings a task into view, zooming in until its text is readable. */
  function reveal(id, force) {
    var t = tasks[id];
    if (!t) return;
    var s = size();
    var b = t.box;
    // In view: its middle is on screen, below the ruler.
    var visible = b[0] >= view.x && b[0] <= view.x + s.w / view.k && b[1] >= view.y + RULER / view.k && b[1] <= view.y + s.h / view.k;
    if (visible && (view.k >= 0.6 || fitted) && !force) return;
    fitted = false;
    if (view.k < 1) view.k = 1;
    view.x = b[0] - s.w / view.k / 2;
    view.y = b[1] - s.h / view.k / 2;
    schedule();
  }

  function drawRuler(s) {
    ruler.textContent = '';
    data.bands.forEach(function (b, i) {
      var left = (b.x - view.x) * view.k;
      var width = b.width * view.k;
      if (left + width < 0 || left > s.w) return;
      var shownLeft = Math.max(left, 0);
      // A name may run past a narrow band, up to where the next one starts.
      var next = data.bands[i + 1];
      var end = next ? (next.x - view.x) * view.k - 4 : s.w;
      var d = el('div', null, b.phase);
      d.style.left = shownLeft + 'px';
      d.style.maxWidth = Math.max(0, end - shownLeft) + 'px';
      ruler.appendChild(d);
    });
    data.columns.forEach(function (c) {
      var x = (c.x - view.x) * view.k;
      var room = (c.width + 24) * view.k;
      if (x + room / 2 < 0 || x - room / 2 > s.w) return;
      var short = c.label.replace(/^waves? /, '');
      var text = room >= c.label.length * 7 + 10 ? c.label : room >= short.length * 7 + 10 ? short : '';
      if (!text) return;
      var d = el('div', { class: 'wave' }, text);
      d.style.left = (x - room / 2) + 'px';
      d.style.width = room + 'px';
      ruler.appendChild(d);
    });
  }

  viewport.addEventListener('wheel', function (e) {
    e.preventDefault();
    var rect = viewport.getBoundingClientRect();
    var dy = e.deltaMode === 1 ? e.deltaY * 30 : e.deltaMode === 2 ? e.deltaY * 300 : e.deltaY;
    zoomAt(e.clientX - rect.left, e.clientY - rect.top, Math.exp(-dy * 0.0015));
  }, { passive: false });

  var drag = null;
  var suppressClick = false;
  viewport.addEventListener('pointerdown', function (e) {
    if (e.button !== 0) return;
    suppressClick = false;
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false, id: e.pointerId };
  });
  viewport.addEventListener('pointermove', function (e) {
    if (!drag || e.pointerId !== drag.id) return;
    var dx = e.clientX - drag.x;
    var dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      viewport.setPointerCapture(e.pointerId);
      viewport.classList.add('dragging');
    }
    fitted = false;
    view.x = drag.vx - dx / view.k;
    view.y = drag.vy - dy / view.k;
    schedule();
  });
  function endDrag() {
    if (drag && drag.moved) suppressClick = true;
    drag = null;
    viewport.classList.remove('dragging');
  }
  viewport.addEventListener('pointerup', endDrag);
  viewport.addEventListener('pointercancel', endDrag);

  document.getElementById('zoom-in').addEventListener('click', function () { zoomCentre(1.4); });
  document.getElementById('zoom-out').addEventListener('click', function () { zoomCentre(1 / 1.4); });
  document.getElementById('zoom-fit').addEventListener('click', fitAll);
  function roomChanged() {
    if (fitted) fitAll();
    else schedule();
  }
  window.addEventListener('resize', roomChanged);

  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      closePanel();
      return;
    }
    // Keys typed in the find box, or scrolling the panel, are theirs.
    var tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || panel.contains(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    var step = 80 / view.k;
    switch (e.key) {
      case '+': case '=': zoomCentre(1.25); break;
      case '-': case '_': zoomCentre(0.8); break;
      case '0': fitAll(); break;
      case 'ArrowLeft': view.x -= step; fitted = false; schedule(); break;
      case 'ArrowRight': view.x += step; fitted = false; schedule(); break;
      case 'ArrowUp': view.y -= step; fitted = false; schedule(); break;
      case 'ArrowDown': view.y += step; fitted = false; schedule(); break;
      case '/': document.getElementById('find').focus(); break;
      default: return;
    }
    e.preventDefault();
  });

  /* ----------------------------------------------------------- tracing */

  var lit = [];
  function reach(id, next) {
    var seen = Object.create(null);
    var stack = [id];
    while (stack.length) {
      var v = stack.pop();
      var more = next[v] || [];
      for (var i = 0; i < more.length; i++) {
        if (!seen[more[i]]) {
          seen[more[i]] = true;
          stack.push(more[i]);
        }
      }
    }
    return seen;
  }
  function untrace() {
    lit.forEach(function (e) { e.classList.remove('lit', 'up', 'down'); });
    lit = [];
    svg.classList.remove('tracing');
  }
  function trace(id) {
    untrace();
    if (!nodes[id]) return;
    var before = reach(id, up);
    var after = reach(id, down);
    function mark(e, cls) {
      e.classList.add('lit');
      if (cls) e.classList.add(cls);
      lit.push(e);
    }
    mark(nodes[id]);
    Object.keys(before).forEach(function (v) { if (nodes[v]) mark(nodes[v], 'up'); });
    Object.keys(after).forEach(function (v) { if (nodes[v]) mark(nodes[v], 'down'); });
    edges.forEach(function (e) {
      var from = e.getAttribute('data-from');
      var to = e.getAttribute('data-to');
      if (before[from] && (to === id || before[to])) mark(e, 'up');
      else if (after[to] && (from === id || after[from])) mark(e, 'down');
    });
    svg.classList.add('tracing');
  }
  function nodeOf(target) {
    return target && target.closest ? target.closest('g.node') : null;
  }
  svg.addEventListener('pointerover', function (e) {
    var n = nodeOf(e.target);
    if (n && !drag) trace(n.getAttribute('data-task-id'));
  });
  svg.addEventListener('pointerout', function (e) {
    var n = nodeOf(e.target);
    if (n && !n.contains(e.relatedTarget)) {
      var focused = nodeOf(document.activeElement);
      if (focused) trace(focused.getAttribute('data-task-id'));
      else untrace();
    }
  });
  // A task reached with Tab is brought into view; one clicked is in view already, and
  // moving the view between the press and the release would send the click elsewhere.
  var byKeyboard = false;
  document.addEventListener('keydown', function () { byKeyboard = true; }, true);
  document.addEventListener('pointerdown', function () { byKeyboard = false; }, true);
  svg.addEventListener('focusin', function (e) {
    var n = nodeOf(e.target);
    if (!n) return;
    var id = n.getAttribute('data-task-id');
    trace(id);
    if (byKeyboard) reveal(id, false);
  });
  svg.addEventListener('focusout', function (e) {
    if (!nodeOf(e.relatedTarget)) untrace();
  });
  svg.addEventListener('click', function (e) {
    if (suppressClick) {
      suppressClick = false;
      return;
    }
    var n = nodeOf(e.target);
    if (n) openPanel(n.getAttribute('data-task-id'));
  });
  svg.addEventListener('keydown', function (e) {
    var n = nodeOf(e.target);
    if (n && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      openPanel(n.getAttribute('data-task-id'));
    }
  });

  /* -------------------------------------------------------------- find */

  var find = document.getElementById('find');
  var list = document.getElementById('task-ids');
  // Filled when first needed: a thousand options are not worth delaying the first picture for.
  find.addEventListener('focus', function () {
    if (list.childElementCount) return;
    data.tasks.forEach(function (t) { list.appendChild(el('option', { value: t.id }, t.title)); });
  });
  function jump() {
    var id = find.value.trim();
    if (!nodes[id]) {
      var lower = id.toLowerCase();
      var hit = data.tasks.find(function (t) { return t.id.indexOf(lower) >= 0 || t.title.toLowerCase().indexOf(lower) >= 0; });
      if (!hit) return;
      id = hit.id;
    }
    reveal(id, true);
    nodes[id].focus({ preventScroll: true });
    openPanel(id);
  }
  find.addEventListener('keydown', function (e) { if (e.key === 'Enter') jump(); });
  find.addEventListener('change', function () { if (nodes[find.value.trim()]) jump(); });

  /* ------------------------------------------------------------- panel */

  var chosen = null;
  var states = Object.create(null);
  var logTimer = 0;
  var logOffset = 0;
  var detailsFor = null;

  function fact(dl, name, value, cls) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', null, name));
    var dd = el('dd', cls ? { class: cls } : null);
    if (value instanceof Node) dd.appendChild(value);
    else dd.textContent = String(value);
    dl.appendChild(dd);
  }
  function links(ids) {
    var box = el('div', { class: 'links' });
    ids.forEach(function (id) {
      var b = el('button', { type: 'button', 'data-goto': id }, id);
      b.addEventListener('click', function () {
        reveal(id, true);
        openPanel(id);
      });
      box.appendChild(b);
    });
    return box;
  }
  function section(body, title, content) {
    body.appendChild(el('h3', null, title));
    body.appendChild(content);
  }
  function statusOf(id) {
    return nodes[id] ? nodes[id].getAttribute('data-status') : 'unknown';
  }

  var specTexts = null;
  /** The static file's spec texts, read from their block on first use. */
  function specs() {
    if (!specTexts) {
      var block = document.getElementById('specdag-specs');
      specTexts = block ? JSON.parse(block.textContent) : {};
    }
    return specTexts;
  }

  function openPanel(id) {
    var t = tasks[id];
    if (!t) return;
    if (chosen && nodes[chosen]) nodes[chosen].classList.remove('chosen');
    chosen = id;
    nodes[id].classList.add('chosen');
    panel.hidden = false;
    panel.setAttribute('data-chosen', id);
    roomChanged();
    reveal(id, false);
    document.getElementById('panel-id').textContent = id;
    var body = document.getElementById('panel-body');
    body.textContent = '';
    body.appendChild(el('p', { class: 'subtitle' }, t.title));
    var dl = el('dl');
    fact(dl, 'status', el('span', { class: 'badge', 'data-status': statusOf(id), id: 'panel-status' }, statusOf(id)));
    fact(dl, 'phase', t.phase + ' · wave ' + t.wave);
    fact(dl, 'estimate', minutes(t.estimate) + (t.critical ? ' · on the critical path' : ''));
    fact(dl, 'branch', t.branch);
    fact(dl, 'worktree', t.worktree);
    fact(dl, 'spec file', t.file);
    fact(dl, 'agent', t.agent);
    fact(dl, 'owns', t.owns.length ? t.owns.join(', ') : '(nothing)');
    body.appendChild(dl);
    var waits = (up[id] || []).slice().sort();
    var waited = (down[id] || []).slice().sort();
    section(body, 'Waits on', waits.length ? links(waits) : el('p', { class: 'empty' }, 'nothing'));
    section(body, 'Needed by', waited.length ? links(waited) : el('p', { class: 'empty' }, 'nothing'));
    if (live) {
      body.appendChild(el('div', { id: 'panel-run' }));
      var log = el('pre', { class: 'log', id: 'panel-log', tabindex: '0' }, '');
      section(body, 'Log', log);
      logOffset = 0;
      startLog(id);
      loadDetails(id);
    }
    var spec = el('pre', { class: 'spec', id: 'panel-spec' }, live ? 'loading…' : specs()[id] || '(no spec text)');
    section(body, 'Spec', spec);
  }
  function closePanel() {
    if (!chosen) return;
    var id = chosen;
    if (nodes[id]) nodes[id].classList.remove('chosen');
    chosen = null;
    panel.hidden = true;
    roomChanged();
    clearTimeout(logTimer);
    logTimer = 0;
    if (nodes[id]) nodes[id].focus({ preventScroll: true });
  }
  document.getElementById('panel-close').addEventListener('click', closePanel);

  function loadDetails(id) {
    detailsFor = id;
    fetch(api('/api/task/' + encodeURIComponent(id))).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (d) {
      if (chosen !== id || detailsFor !== id) return;
      var spec = document.getElementById('panel-spec');
      if (spec) spec.textContent = d.spec === null ? '(the spec file could not be read)' : d.spec;
      var box = document.getElementById('panel-run');
      if (!box) return;
      box.textContent = '';
      var run = d.run;
      if (!run) {
        section(box, 'Run', el('p', { class: 'empty' }, d.runId ? 'not part of run ' + d.runId : 'no run yet'));
        return;
      }
      var dl = el('dl');
      fact(dl, 'run', d.runId);
      fact(dl, 'failure', run.failure, 'problem');
      fact(dl, 'reason', run.reason, run.failure || /^(failed|conflict|interrupted)$/.test(run.status) ? 'problem' : '');
      fact(dl, 'attempts', run.attempts);
      fact(dl, 'exit code', run.exitCode === null ? 'killed by ' + (run.signal || 'a signal') : run.exitCode);
      fact(dl, 'started', run.startedAt);
      fact(dl, 'ended', run.endedAt);
      fact(dl, 'branch', run.branch);
      fact(dl, 'worktree', run.worktree);
      fact(dl, 'commit', run.commit);
      fact(dl, 'merge commit', run.mergeCommit);
      section(box, 'Run', dl);
      var outside = run.outsideOwns || [];
      var ul = el('ul');
      outside.forEach(function (p) { ul.appendChild(el('li', null, p)); });
      section(box, 'Files outside its owns', outside.length ? ul : el('p', { class: 'empty' }, 'none'));
      var checks = run.checks || [];
      var cl = el('ul');
      // kind, command and exit code on one line; whatever else a check records (where, log, when) below it.
      checks.forEach(function (c) {
        var line = (c.kind ? c.kind + ': ' : '') + (c.command || 'check');
        if (c.exitCode !== undefined) line += ' → ' + (c.exitCode === null ? 'stopped by a signal' : 'exit ' + c.exitCode);
        var li = el('li', null, line);
        Object.keys(c).forEach(function (k) {
          if (['kind', 'command', 'exitCode'].indexOf(k) < 0 && c[k] !== null && c[k] !== undefined) li.appendChild(el('div', null, k + ': ' + c[k]));
        });
        cl.appendChild(li);
      });
      section(box, 'Checks', checks.length ? cl : el('p', { class: 'empty' }, 'none recorded'));
    }).catch(function (err) {
      var spec = document.getElementById('panel-spec');
      if (spec && chosen === id) spec.textContent = 'could not load: ' + err.message;
    });
  }

  function startLog(id) {
    clearTimeout(logTimer);
    function poll() {
      if (chosen !== id) return;
      fetch(api('/api/log/' + encodeURIComponent(id) + '?from=' + logOffset)).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        if (r.headers.get('X-Log-Missing')) return null;
        var from = Number(r.headers.get('X-Log-From'));
        var total = Number(r.headers.get('X-Log-Size'));
        return r.text().then(function (text) { return { from: from, total: total, text: text }; });
      }).then(function (chunk) {
        if (chosen !== id) return;
        var pre = document.getElementById('panel-log');
        if (!pre) return;
        if (chunk === null) {
          if (logOffset === 0) pre.textContent = '(no log yet)';
        } else {
          var atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
          if (chunk.from !== logOffset) pre.textContent = chunk.from > 0 ? '… (the start of the log is cut)\n' : '';
          if (logOffset === 0 && chunk.from === 0) pre.textContent = '';
          pre.textContent += chunk.text;
          if (!pre.textContent) pre.textContent = '(empty)';
          logOffset = chunk.total;
          if (atEnd) pre.scrollTop = pre.scrollHeight;
        }
        logTimer = setTimeout(poll, 1000);
      }).catch(function () {
        logTimer = setTimeout(poll, 2000);
      });
    }
    poll();
  }

  /* -------------------------------------------------------- live state */

  function setStatus(id, status) {
    var n = nodes[id];
    if (!n || n.getAttribute('data-status') === status) return false;
    n.setAttribute('data-status', status);
    var s = n.querySelector('text.status');
    if (s) s.textContent = status;
    return true;
  }
  function applyState(s) {
    var runBox = document.getElementById('run');
    if (!s || !s.run) {
      runBox.textContent = 'no run yet: the plan as it stands';
      Object.keys(nodes).forEach(function (id) { setStatus(id, tasks[id].planned); });
      return;
    }
    runBox.textContent = '';
    runBox.appendChild(document.createTextNode('run ' + s.run.id + ': '));
    runBox.appendChild(el('strong', null, s.run.status));
    var counts = Object.keys(s.run.counts).filter(function (k) { return s.run.counts[k] > 0; }).map(function (k) { return s.run.counts[k] + ' ' + k; });
    if (counts.length) runBox.appendChild(document.createTextNode(' · ' + counts.join(', ')));
    var changedChosen = false;
    var seen = Object.create(null);
    Object.keys(s.tasks).forEach(function (id) {
      seen[id] = true;
      states[id] = s.tasks[id];
      if (setStatus(id, s.tasks[id].status) && id === chosen) changedChosen = true;
    });
    if (s.full) {
      Object.keys(nodes).forEach(function (id) {
        if (!seen[id] && setStatus(id, tasks[id].planned) && id === chosen) changedChosen = true;
      });
    }
    if (chosen && (changedChosen || s.full)) {
      var badge = document.getElementById('panel-status');
      if (badge) {
        badge.textContent = statusOf(chosen);
        badge.setAttribute('data-status', statusOf(chosen));
      }
      loadDetails(chosen);
    }
  }

  if (live) {
    applyState(data.state);
    var runBox = document.getElementById('run');
    var events = new EventSource(api('/events'));
    events.addEventListener('state', function (e) {
      runBox.removeAttribute('data-connection');
      applyState(JSON.parse(e.data));
    });
    events.addEventListener('open', function () { runBox.removeAttribute('data-connection'); });
    events.addEventListener('error', function () { runBox.setAttribute('data-connection', 'lost'); });
    window.addEventListener('pagehide', function () { events.close(); });
  }

  fitAll();
  apply();
  // The time from navigation to the first frame with the graph drawn (the benchmark reads it).
  requestAnimationFrame(function () {
    requestAnimationFrame(function () { root.setAttribute('data-drawn', String(Math.round(performance.now()))); });
  });
})();
