/* mkdocs-exdr: draw Mermaid diagrams under themes without a Mermaid loader of their own (MkDocs'
   "mkdocs" theme), with the copy of Mermaid shipped in the site, fetched only where needed. */
(function () {
  var script = document.currentScript;
  var base = script ? script.src.replace(/[^/]*$/, "") : "";
  function draw() {
    var fences = document.querySelectorAll("pre.mermaid");
    if (!fences.length || !base) return;
    var nodes = [];
    for (var i = 0; i < fences.length; i++) {
      var node = document.createElement("div");
      node.className = "mermaid exdr-mermaid";
      node.textContent = fences[i].textContent;
      fences[i].parentNode.replaceChild(node, fences[i]);
      nodes.push(node);
    }
    var loader = document.createElement("script");
    loader.src = base + "vendor/mermaid.min.js";
    loader.onload = function () {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
      window.mermaid.run({ nodes: nodes });
    };
    document.head.appendChild(loader);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
