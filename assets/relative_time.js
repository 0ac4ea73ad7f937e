// Keeps relative times ("5 minutes ago") true while a page stays open, without asking the
// server: every <time data-ticks datetime="..."> is reworded from its instant, in the same
// words as support_portal/services/client_views.py:relative_time. Only past times are marked,
// so a browser clock running behind the server's never turns them into "in 2 minutes".
(() => {
  const UNITS = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];

  function words(secondsAgo) {
    if (secondsAgo < 60) return "just now";
    for (const [unit, size] of UNITS) {
      if (secondsAgo >= size) {
        const n = Math.floor(secondsAgo / size);
        return `${n} ${unit}${n !== 1 ? "s" : ""} ago`;
      }
    }
    return "just now";
  }

  function tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll("time[data-ticks][datetime]")) {
      const at = Date.parse(el.getAttribute("datetime"));
      const node = el.firstChild;
      // The text node React rendered is updated in place, so React keeps owning it.
      if (Number.isNaN(at) || !node || node.nodeType !== Node.TEXT_NODE) continue;
      const text = words(Math.max(0, (now - at) / 1000));
      if (node.nodeValue !== text) node.nodeValue = text;
    }
  }

  setInterval(tick, 30_000);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) tick();
  });
})();
