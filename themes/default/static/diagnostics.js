// The filter of diagnostics.html: by severity and by words of a finding's code, location
// or message. The filter is kept in the page's URL (`?severity=error&q=REQ-001`), so a
// filtered view can be linked. Without JavaScript every finding is shown.
(function () {
  "use strict";
  function apply(form) {
    var severity = form.elements.severity.value;
    var words = form.elements.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    document.querySelectorAll("section.diagnostic-group").forEach(function (section) {
      var inSection = 0;
      var code = section.id.toLowerCase();
      section.querySelectorAll("ul.diagnostics > li").forEach(function (li) {
        var text = (code + " " + li.textContent).toLowerCase();
        var ok = (severity === "" || li.classList.contains("sev-" + severity)) &&
          words.every(function (w) { return text.indexOf(w) >= 0; });
        li.hidden = !ok;
        if (ok) { inSection += 1; }
      });
      section.hidden = inSection === 0;
      var count = section.querySelector(".shown");
      if (count) { count.textContent = inSection; }
      shown += inSection;
    });
    var status = document.getElementById("diag-shown");
    if (status) { status.textContent = shown; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("diag-filter");
    if (!form) { return; }
    form.hidden = false;
    var params = new URLSearchParams(window.location.search);
    form.elements.severity.value = params.get("severity") || "";
    form.elements.q.value = params.get("q") || "";
    function update() {
      apply(form);
      var p = new URLSearchParams();
      if (form.elements.severity.value) { p.set("severity", form.elements.severity.value); }
      if (form.elements.q.value) { p.set("q", form.elements.q.value); }
      var query = p.toString();
      try {
        window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
      } catch (e) { /* file:// may refuse; the filter still works */ }
    }
    form.addEventListener("input", update);
    form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
    apply(form);
  });
})();
