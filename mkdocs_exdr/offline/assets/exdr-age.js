/* mkdocs-exdr offline copies: say how many days old this copy is, and warn when it is old. */
(function () {
  function update() {
    var banners = document.querySelectorAll(".exdr-banner[data-built]");
    for (var i = 0; i < banners.length; i++) {
      var banner = banners[i];
      var built = new Date(banner.getAttribute("data-built") + "T00:00:00Z");
      var warnAfter = parseInt(banner.getAttribute("data-warn-after"), 10);
      var days = Math.floor((Date.now() - built.getTime()) / 86400000);
      var slot = banner.querySelector(".exdr-age");
      if (!slot || isNaN(days)) continue;
      slot.textContent = "This copy is " + days + (days === 1 ? " day" : " days") + " old.";
      if (days > warnAfter) {
        slot.className = "exdr-age exdr-age-old";
        slot.textContent += " It is older than " + warnAfter +
          " days: get a current copy before relying on it.";
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
