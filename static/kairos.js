// Kairos booking page, progressive enhancement: times in the visitor's own zone.
// Without JavaScript the page works in the host's zone, with a zone selector; a page
// whose address names a zone (the visitor's choice, or this script's) is left alone.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  if (params.has("tz")) { return; }
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  params.set("tz", zone);
  window.location.replace(window.location.pathname + "?" + params.toString());
})();
