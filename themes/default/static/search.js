/* tracemark site search.
 *
 * The index is written by `tracemark build` under `search/` as script files, each one
 * `tracemarkSearch.push(<JSON>)` statement: `index.js` (the shard list), `s-<key>.js`
 * (the tokens whose first two characters are <key>, each with its postings: entry number,
 * fields, entry number, fields, …) and `d-<n>.js` (chunk n of the entries: kind, ID,
 * title, URL from the site root, snippet, context). They are loaded with <script>
 * elements, which works from file:// (where fetch is refused) and over HTTP, and only
 * the shards a query's terms name and the chunks of the results shown are loaded.
 *
 * Ranking, per query term: an exact ID first, then an ID that starts with the term, then
 * words of titles (and IDs), then words of texts; the last word of the query may be the
 * start of a word. Every term must match. Values from the index enter the page only as
 * text (textContent), never as markup.
 *
 * Keyboard: `/` focuses the search box; Enter opens the first result (or, when there is
 * none, the search page). The search page (`search.html?q=TEXT`) lists the results of
 * the query in its URL.
 */
(function () {
  'use strict';

  var ID = 4, TITLE = 2, TEXT = 1;
  var PAGE_RESULTS = 50, POPUP_RESULTS = 8, MAX_TERMS = 8, MAX_WORD = 40;

  var script = document.currentScript;
  var root = script && script.src ? script.src.replace(/static\/search\.js([?#].*)?$/, '') : '';

  var list = null;        // the shard list, once loaded
  var shardFiles = {};    // shard key → file name part
  var shards = {};        // shard key → {token: postings}
  var chunks = {};        // chunk number → entries
  var loaded = {};        // index file name → true once loaded (or failed)
  var pending = {};       // index file name → callbacks waiting for it

  function receive(data) {
    if (!data || typeof data !== 'object') return;
    if (data.kind === 'list') {
      list = data;
      data.shards.forEach(function (s) { shardFiles[s[0]] = s[1]; });
      done('index');
    } else if (data.kind === 'shard') {
      shards[data.key] = data.tokens;
      done('s-' + shardFiles[data.key]);
    } else if (data.kind === 'chunk') {
      chunks[data.chunk] = data.entries;
      done('d-' + data.chunk);
    }
  }

  // Index files may run before or after this script: both end up in `receive`.
  var early = window.tracemarkSearch;
  window.tracemarkSearch = { push: receive };
  if (early && early.forEach) early.forEach(receive);

  function done(name) {
    loaded[name] = true;
    var callbacks = pending[name] || [];
    delete pending[name];
    callbacks.forEach(function (f) { f(); });
  }

  // Loads `search/<name>.js` once; `callback` runs when it has run (or failed to load).
  function load(name, callback) {
    if (loaded[name]) { callback(); return; }
    if (pending[name]) { pending[name].push(callback); return; }
    pending[name] = [callback];
    var el = document.createElement('script');
    el.src = root + 'search/' + name + '.js';
    el.onload = el.onerror = function () { done(name); };
    document.head.appendChild(el);
  }

  function loadAll(names, callback) {
    var left = names.length;
    if (!left) { callback(); return; }
    names.forEach(function (n) { load(n, function () { if (--left === 0) callback(); }); });
  }

  function chars(s) { return Array.from(s); }

  // The words of a text as the index has them: runs of letters and digits, lowercase.
  function words(s) {
    return (s.toLowerCase().match(/[\p{Alphabetic}\p{N}]+/gu) || []).filter(function (w) {
      var n = chars(w).length;
      return n >= 2 && n <= MAX_WORD;
    });
  }

  function key(token) { return chars(token).slice(0, 2).join(''); }

  function terms(q) { return q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, MAX_TERMS); }

  // Calls each(entry, fields, token) for every posting of the tokens of a shard that pass `test`.
  function postings(tokens, test, each) {
    if (!tokens) return;
    Object.keys(tokens).forEach(function (tok) {
      if (!test(tok)) return;
      var p = tokens[tok];
      for (var i = 0; i + 1 < p.length; i += 2) each(p[i], p[i + 1], tok);
    });
  }

  function best(scores, n, s) { if (!(scores[n] >= s)) scores[n] = s; }

  // Entries in both score maps, with the sum of their scores.
  function both(a, b) {
    var out = {};
    Object.keys(a).forEach(function (n) { if (n in b) out[n] = a[n] + b[n]; });
    return out;
  }

  // The entries matching every term, best first: [{n, s}].
  function rank(ts) {
    var total = null;
    ts.forEach(function (t, ti) {
      var score = {};
      postings(shards[key(t)], function (tok) { return tok.lastIndexOf(t, 0) === 0; }, function (n, f, tok) {
        if (f & ID) best(score, n, tok === t ? 1000 : 500);
      });
      var ws = words(t), sum = null;
      ws.forEach(function (w, wi) {
        var prefix = ti === ts.length - 1 && wi === ws.length - 1;
        var m = {};
        postings(shards[key(w)], function (tok) { return tok === w || (prefix && tok.lastIndexOf(w, 0) === 0); },
          function (n, f, tok) {
            var exact = tok === w;
            var s = f & TITLE ? (exact ? 100 : 50) : f & TEXT ? (exact ? 10 : 5) : 0;
            if (s) best(m, n, s);
          });
        sum = sum === null ? m : both(sum, m);
      });
      if (sum) Object.keys(sum).forEach(function (n) { best(score, n, sum[n]); });
      total = total === null ? score : both(total, score);
    });
    return Object.keys(total || {}).map(function (n) { return { n: +n, s: total[n] }; })
      .sort(function (a, b) { return b.s - a.s || a.n - b.n; });
  }

  // Runs a query; callback(entries, total), entries null when the index is missing.
  function search(q, limit, callback) {
    var ts = terms(q);
    if (!ts.length) { callback([], 0); return; }
    load('index', function () {
      if (!list) { callback(null, 0); return; }
      var names = {};
      ts.forEach(function (t) {
        [t].concat(words(t)).forEach(function (x) {
          var f = shardFiles[key(x)];
          if (f !== undefined) names['s-' + f] = true;
        });
      });
      loadAll(Object.keys(names), function () {
        var ranked = rank(ts);
        var top = ranked.slice(0, limit);
        var needed = {};
        top.forEach(function (r) { needed['d-' + Math.floor(r.n / list.chunk)] = true; });
        loadAll(Object.keys(needed), function () {
          var found = top.map(function (r) {
            var c = chunks[Math.floor(r.n / list.chunk)];
            return c && c[r.n % list.chunk];
          }).filter(Boolean);
          callback(found, ranked.length);
        });
      });
    });
  }

  function span(cls, text) {
    var s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    return s;
  }

  // One result: [kind, ID, title, URL, snippet, context].
  function item(e) {
    var li = document.createElement('li');
    var a = document.createElement('a');
    a.href = root + e[3];
    a.appendChild(span('kind', e[0]));
    a.appendChild(span('id', e[1]));
    if (e[2]) a.appendChild(span('title', e[2]));
    li.appendChild(a);
    if (e[5]) li.appendChild(span('context', e[5]));
    if (e[4]) {
      var p = document.createElement('div');
      p.className = 'snippet';
      p.textContent = e[4];
      li.appendChild(p);
    }
    return li;
  }

  function init() {
    var form = document.querySelector('form.search');
    var box = form && form.querySelector('input[name=q]');
    if (!box) return;
    var results = document.getElementById('search-results'); // the search page
    var status = document.getElementById('search-status');
    var popup = null;
    if (!results) {
      popup = document.createElement('ul');
      popup.className = 'search-popup';
      popup.hidden = true;
      form.appendChild(popup);
    }
    var seq = 0, timer = null;

    function show(q, found, total) {
      var target = results || popup;
      target.textContent = '';
      (found || []).forEach(function (e) { target.appendChild(item(e)); });
      var text = found === null ? 'The search index could not be loaded: build the site again.'
        : total === 0 ? 'No results for “' + q.trim() + '”.'
        : total + (total === 1 ? ' result' : ' results') + (total > found.length ? ', the first ' + found.length + ' shown.' : '.');
      if (status) status.textContent = q.trim() ? text : 'Type a requirement ID, a word of a title or text, or a file path in the box above.';
      if (popup) {
        if (total === 0 || found === null) popup.appendChild(span('none', text));
        if (found && total > found.length) {
          var li = document.createElement('li');
          var more = document.createElement('a');
          more.href = root + 'search.html?q=' + encodeURIComponent(q);
          more.textContent = 'All ' + total + ' results';
          li.appendChild(more);
          popup.appendChild(li);
        }
        popup.hidden = !q.trim();
      }
    }

    // Shows the results of `q`; with `enter`, opens the first one instead.
    function run(q, enter) {
      var mine = ++seq;
      search(q, results ? PAGE_RESULTS : POPUP_RESULTS, function (found, total) {
        if (mine !== seq) return;
        if (enter && found && found.length) { location.href = root + found[0][3]; return; }
        if (enter && !results && q.trim()) { location.href = root + 'search.html?q=' + encodeURIComponent(q); return; }
        show(q, found, total);
        if (results) {
          try { history.replaceState(null, '', '?q=' + encodeURIComponent(q)); } catch (err) { /* file:// may refuse */ }
        }
      });
    }

    box.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(box.value, false); }, 120);
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      run(box.value, true);
    });
    document.addEventListener('keydown', function (ev) {
      var t = ev.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (ev.key === '/' && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        box.focus();
        box.select();
      } else if (ev.key === 'Escape' && popup && !popup.hidden) {
        popup.hidden = true;
      }
    });
    if (popup) {
      document.addEventListener('click', function (ev) {
        if (!form.contains(ev.target)) popup.hidden = true;
      });
      box.addEventListener('focus', function () { if (box.value.trim() && popup.firstChild) popup.hidden = false; });
    }
    if (results) {
      var q = new URLSearchParams(location.search).get('q') || '';
      box.value = q;
      run(q, false);
    }
  }

  init();
})();
