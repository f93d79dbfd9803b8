// Sorting and filtering of the findings table. The page reads without it:
// the table is plain HTML, the filters stay hidden, and the details
// elements open on their own.
(function () {
  'use strict';
  var table = document.getElementById('findings-table');
  var form = document.getElementById('filters');
  var status = document.getElementById('table-status');
  if (!table || !form) { return; }
  var t0 = performance.now();
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var text = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function say(msg) { if (status) { status.textContent = msg; } }

  function key(row, i) {
    var c = row.cells[i];
    var v = c.getAttribute('data-sort');
    return v !== null ? Number(v) : c.textContent.trim().toLowerCase();
  }

  function sortBy(i) {
    var th = heads[i];
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    heads.forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var d = rows.map(function (r, n) { return [key(r, i), n, r]; });
    d.sort(function (a, b) {
      if (a[0] < b[0]) { return asc ? -1 : 1; }
      if (a[0] > b[0]) { return asc ? 1 : -1; }
      return a[1] - b[1];
    });
    var frag = document.createDocumentFragment();
    d.forEach(function (x) { frag.appendChild(x[2]); });
    tbody.appendChild(frag);
    say('Sorted by ' + th.textContent.trim() + (asc ? ', ascending' : ', descending'));
  }

  heads.forEach(function (th, i) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'sort';
    while (th.firstChild) { b.appendChild(th.firstChild); }
    th.appendChild(b);
    th.setAttribute('aria-sort', 'none');
    b.addEventListener('click', function () { sortBy(i); });
  });

  var fields = Array.prototype.slice.call(form.querySelectorAll('select, input'));
  function filter() {
    var want = {};
    fields.forEach(function (el) { want[el.name] = el.value.trim().toLowerCase(); });
    var shown = 0;
    rows.forEach(function (r, n) {
      var ok = true;
      Object.keys(want).forEach(function (k) {
        var v = want[k];
        if (!v || !ok) { return; }
        if (k === 'q') { ok = text[n].indexOf(v) >= 0; return; }
        ok = (r.getAttribute('data-' + k) || '').toLowerCase() === v;
      });
      r.hidden = !ok;
      if (ok) { shown++; }
    });
    say(shown + ' of ' + rows.length + ' findings shown');
  }
  form.addEventListener('input', filter);
  form.addEventListener('change', filter);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.addEventListener('reset', function () { setTimeout(filter, 0); });
  form.hidden = false;

  // Printing shows every user's details, then puts them back as they were.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    opened = Array.prototype.filter.call(document.querySelectorAll('details:not([open])'), function (d) { d.open = true; return true; });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
  document.documentElement.className += ' js';
  // The bench reads this: how long the script took on a big table.
  performance.measure('iamsweep-table-script', { start: t0 });
}());
